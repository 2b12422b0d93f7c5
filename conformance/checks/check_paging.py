"""Filters, sorting and paging on the image lists (§2, §10 Lists).

The data set is the run's own images, found through the run's unique
`property-conformance_run` filter: nothing here assumes an empty server.
"""

import uuid

import pytest

from conformance import expect
from conformance.context import V1
from conformance.verdict import Verifier

clause = pytest.mark.clause
writes = pytest.mark.writes
SET_SIZE = 27  # more than the default page of 25
FORMATS = [("raw", "bare"), ("qcow2", "ovf"), ("vhd", "bare")]
SORT_KEYS = ["name", "id", "disk_format", "container_format", "status", "size",
             "created_at", "updated_at"]


@pytest.fixture(scope="module")
def paging_set(suite):
    """27 queued images with varied names, formats, min_disk/min_ram and a property."""
    v = Verifier(suite.api.log)
    made = []
    for i in range(SET_SIZE):
        disk, container = FORMATS[i % 3]
        # Names sort differently from creation order: zero-padded reversed index.
        image, _ = suite.create(v, f"page{(SET_SIZE - i) * 7 % SET_SIZE:02d}", public=True,
                                tag="paging", headers=[("x-image-meta-disk_format", disk),
                                         ("x-image-meta-container_format", container),
                                         ("x-image-meta-min_disk", str(i % 4)),
                                         ("x-image-meta-min_ram", str(128 * (i % 3))),
                                         ("x-image-meta-property-cf_group",
                                          f"{suite.prefix}-{'ab'[i % 2]}")])
        made.append(image)
    # Broken non-blocking checks made here are judged by the create tests; a
    # broken blocking one has raised already.
    return made


def query(suite, subset="paging", **more):
    return {**suite.run_filter(subset), **suite.scope(), **more}


def page(api, v, cid, params, path=V1 + "/images", what=None):
    res = api.get(path, query=params)
    what = what or f"GET {path}?{res.request.query_string}"
    expect.require_status(v, cid, res, 200, what)
    return expect.images_of(v, cid, res, what)


def ids(images):
    return [i.get("id") for i in images]


def walk(api, v, suite, limit, path=V1 + "/images", **more):
    """Follow markers until an empty or short page; return the ids in order."""
    seen, marker = [], None
    for _ in range(200):
        params = query(suite, limit=str(limit), **more)
        if marker is not None:
            params["marker"] = str(marker)
        batch = ids(page(api, v, "PAGE-2", params, path))
        v.require("PAGE-2", len(batch) <= limit,
                  f"limit={limit} returned {len(batch)} images")
        v.require("PAGE-2", marker not in batch,
                  f"the page after marker {marker} contains the marker itself: {batch}")
        seen += batch
        if len(batch) < limit or not batch:
            return seen
        marker = batch[-1]
    v.fail("PAGE-2", "paging did not end after 200 pages (the marker is ignored?)")


# -- read-only: bad values ----------------------------------------------------
BAD = [("PAGE-1", "limit", "-1"), ("PAGE-1", "limit", "abc"), ("PAGE-1", "limit", "1.5"),
       ("FLT-6", "sort_key", "no_such_field"), ("FLT-6", "sort_key", "properties"),
       ("FLT-6", "sort_dir", "up"), ("FLT-6", "size_min", "abc"),
       ("FLT-6", "size_max", "-x"), ("FLT-10", "min_disk", "big"),
       ("FLT-6", "min_ram", "1.5"), ("FLT-6", "is_public", "maybe"),
       ("PAGE-4", "marker", "abc"), ("PAGE-4", "marker", str(uuid.uuid4()))]


@clause("PAGE-1", "FLT-6", "FLT-10", "PAGE-4", "ERR-1")
@pytest.mark.parametrize("cid,key,value", BAD,
                         ids=[f"{k}={x if k != 'marker' or len(x) < 9 else 'unknown'}"
                              for _, k, x in BAD])
@pytest.mark.parametrize("path", [V1 + "/images", V1 + "/images/detail"],
                         ids=["brief", "detail"])
def test_bad_list_parameter(api, v, path, cid, key, value):
    """A bad list parameter answers 400 (never 5xx, never ignored)."""
    res = api.get(path, query={key: value})
    expect.error(v, cid, res, 400, f"GET {path}?{key}={value}")


@clause("PAGE-1")
def test_limit_zero_and_clamp(api, v):
    """limit=0 gives an empty list; a limit above 1000 is clamped, not refused."""
    v.check("PAGE-1", page(api, v, "PAGE-1", {"limit": "0"}) == [],
            "limit=0 must give an empty list")
    page(api, v, "PAGE-1", {"limit": "5000"})


# -- with the run's data set --------------------------------------------------
@writes
@clause("PAGE-1")
def test_default_limit_is_25(api, v, suite, paging_set):
    """Without limit a list holds at most 25 images."""
    for path in (V1 + "/images", V1 + "/images/detail"):
        got = page(api, v, "PAGE-1", query(suite), path)
        v.check("PAGE-1", len(got) == 25,
                f"GET {path} with {SET_SIZE} matching images and no limit returned "
                f"{len(got)}, not 25")
    got = page(api, v, "PAGE-1", query(suite, limit="5000"))
    v.check("PAGE-1", len(got) == SET_SIZE,
            f"limit=5000 (clamped to 1000) must return all {SET_SIZE}, got {len(got)}")


@writes
@clause("PAGE-2")
@pytest.mark.parametrize("path", [V1 + "/images", V1 + "/images/detail"],
                         ids=["brief", "detail"])
def test_marker_walk(api, v, suite, paging_set, path):
    """Paging with limit and marker visits every image exactly once, in list order."""
    full = ids(page(api, v, "PAGE-2", query(suite, limit="1000"), path))
    v.require("PAGE-2", sorted(full) == sorted(ids(paging_set)),
              f"the run's list {sorted(full)} is not the data set {sorted(ids(paging_set))}")
    walked = walk(api, v, suite, 5, path)
    v.check("PAGE-2", walked == full,
            f"pages of 5 give {walked}, the one-page list gives {full}")


@writes
@clause("PAGE-2", "FLT-5")
@pytest.mark.parametrize("key,direction", [("name", "asc"), ("name", "desc"),
                                           ("disk_format", "asc"), ("id", "asc")])
def test_marker_walk_sorted(api, v, suite, paging_set, key, direction):
    """Paging follows the requested sort order without gaps or repeats."""
    full = ids(page(api, v, "PAGE-2", query(suite, limit="1000", sort_key=key,
                                            sort_dir=direction)))
    walked = walk(api, v, suite, 4, sort_key=key, sort_dir=direction)
    v.check("PAGE-2", walked == full,
            f"sort {key} {direction}: pages of 4 give {walked}, one page gives {full}")


def sort_tuple(image, key):
    value = image.get("id") if key == "uri" else image.get(key)
    if value is None:  # the data set has no nulls; keep a wrong answer comparable
        value = -1 if key == "size" else ""
    return (value, image.get("created_at") or "", image.get("id") or "")


@writes
@clause("FLT-5")
@pytest.mark.parametrize("key", SORT_KEYS)
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_sort_order_is_total(api, v, suite, paging_set, key, direction):
    """sort_key/sort_dir order by (sort_key, created_at, id), all in sort_dir."""
    images = page(api, v, "FLT-5", query(suite, limit="1000", sort_key=key, sort_dir=direction),
                  V1 + "/images/detail")
    got = [sort_tuple(i, key) for i in images]
    want = sorted(got, reverse=direction == "desc")
    v.check("FLT-5", got == want,
            f"sort_key={key}&sort_dir={direction}: order {[g[2] for g in got]} is not "
            f"({key}, created_at, id) {direction}: expected {[w[2] for w in want]}")


@writes
@clause("PAGE-3")
def test_marker_excluded_by_filter(api, v, suite, paging_set):
    """A visible image that the filter excludes is still a valid marker."""
    full = page(api, v, "PAGE-3", query(suite, limit="1000"), V1 + "/images/detail")
    v.require("PAGE-3", len(full) == SET_SIZE, f"expected {SET_SIZE} images, got {len(full)}")
    marker = next(i for i in full[5:] if i.get("disk_format") != "qcow2")
    after = full[full.index(marker) + 1:]
    want = [i.get("id") for i in after if i.get("disk_format") == "qcow2"]
    res = api.get(V1 + "/images/detail", query=query(suite, limit="1000", disk_format="qcow2",
                                                      marker=str(marker.get("id"))))
    expect.require_status(v, "PAGE-3", res, 200,
                          f"marker {marker.get('id')} (a raw image) with disk_format=qcow2")
    got = ids(expect.images_of(v, "PAGE-3", res, "filtered page"))
    v.check("PAGE-3", got == want,
            f"disk_format=qcow2 after marker {marker.get('id')}: expected {want}, got {got}")


@writes
@clause("PAGE-5")
def test_deleted_marker_is_refused(api, v, suite):
    """A marker naming a deleted image answers 400."""
    image, _ = suite.create(v, "marker-gone", public=True)
    expect.require_status(v, "API-DEL-1", api.delete(f"{V1}/images/{image['id']}"), 200,
                          "DELETE the marker image")
    suite.ledger.deleted(image["id"])
    res = api.get(V1 + "/images", query={"marker": str(image["id"])})
    expect.error(v, "PAGE-5", res, 400, f"GET {V1}/images?marker={image['id']} (deleted)")


@writes
@clause("FLT-1")
def test_name_filter_exact(api, v, suite, paging_set):
    """name= matches exactly one name, not a prefix."""
    target = paging_set[4]
    got = ids(page(api, v, "FLT-1", query(suite, name=target["name"])))
    v.check("FLT-1", got == [target["id"]],
            f"name={target['name']} must list exactly [{target['id']}], got {got}")
    got = ids(page(api, v, "FLT-1", query(suite, name=target["name"][:-1])))
    v.check("FLT-1", target["id"] not in got,
            f"name={target['name'][:-1]} (a prefix) must not match {target['name']}")


@writes
@clause("FLT-2", "FLT-9")
def test_property_filter(api, v, suite, paging_set):
    """property-<key>=<value> matches exactly; the key is normalised like a header (ext.)."""
    want = sorted(i["id"] for n, i in enumerate(paging_set) if n % 2 == 0)
    value = f"{suite.prefix}-a"
    for key in ("property-cf_group", "property-CF-Group", "property-cf-group"):
        params = {**suite.scope(), "limit": "1000", key: value}
        got = sorted(ids(page(api, v, "FLT-2", params)))
        v.check("FLT-2" if key == "property-cf_group" else "FLT-9", got == want,
                f"{key}={value} must list {want}, got {got}")
    params = {**suite.scope(), "property-cf_group": value.upper()}
    got = ids(page(api, v, "FLT-2", params))
    v.check("FLT-2", got == [], f"property values match exactly: cf_group={value.upper()} "
                                f"listed {got}")


@writes
@clause("FLT-3", "FLT-7")
@pytest.mark.parametrize("field", ["disk_format", "container_format", "min_disk", "min_ram"])
def test_field_filters(api, v, suite, paging_set, field):
    """disk_format, container_format, min_disk and min_ram filters."""
    cid = "FLT-7" if field.startswith("min_") else "FLT-3"
    value = paging_set[1].get(field)
    if field.startswith("min_"):
        # §2 does not say whether min_* match exactly or as a lower bound: the
        # maximum of the data set selects the same images either way.
        value = max(i.get(field) or 0 for i in paging_set)
    want = sorted(i["id"] for i in paging_set if i.get(field) == value)
    got = sorted(ids(page(api, v, cid, query(suite, limit="1000", **{field: str(value)}))))
    v.check(cid, got == want, f"{field}={value} must list {want}, got {got}")


@writes
@clause("FLT-7", "API-PUT-12")
def test_protected_filter(api, v, suite):
    """protected=true and protected=false narrow the list."""
    guarded, _ = suite.create(v, "guarded", public=True, tag="prot",
                              headers=[("x-image-meta-protected", "True")],
                              clause="API-PUT-12")
    plain, _ = suite.create(v, "plain", public=True, tag="prot")
    for value, want in (("true", guarded), ("false", plain)):
        got = ids(page(api, v, "FLT-7", query(suite, "prot", protected=value)))
        v.check("FLT-7", got == [want["id"]],
                f"protected={value} must list exactly [{want['id']}], got {got}")


@writes
@clause("FLT-8")
def test_type_filter_and_uri_sort(api, v, suite):
    """type filters the lists; sort_key=uri sorts as id (founding docs' fields)."""
    made = [suite.create(v, f"typed{n}", public=True, tag="typed",
                         headers=[("x-image-meta-type", kind)], clause="FLT-8")[0]
            for n, kind in enumerate(["kernel", "ramdisk", "kernel"])]
    got = sorted(ids(page(api, v, "FLT-8", query(suite, "typed", type="kernel"))))
    want = sorted(i["id"] for i in made if i.get("type") == "kernel")
    v.check("FLT-8", got == want and len(want) == 2, f"type=kernel must list {want}, got {got}")
    got = ids(page(api, v, "FLT-8", query(suite, "typed", sort_key="uri", sort_dir="asc")))
    v.check("FLT-8", got == sorted(got), f"sort_key=uri asc gave {got}, not in id order")


@pytest.fixture(scope="module")
def sized_set(suite):
    v = Verifier(suite.api.log)
    made = [suite.create(v, f"size{n}", public=True, body=b"x" * n, tag="sized")[0]
            for n in (10, 20, 30)]
    # Broken non-blocking checks made here are judged by the create tests; a
    # broken blocking one has raised already.
    return made


@writes
@clause("FLT-4")
@pytest.mark.parametrize("bounds,sizes", [({"size_min": "20"}, [20, 30]),
                                          ({"size_max": "20"}, [10, 20]),
                                          ({"size_min": "20", "size_max": "20"}, [20]),
                                          ({"size_min": "11", "size_max": "29"}, [20])])
def test_size_filters_inclusive(api, v, suite, sized_set, bounds, sizes):
    """size_min and size_max are inclusive bounds."""
    images = page(api, v, "FLT-4", query(suite, "sized", limit="1000", **bounds),
                  V1 + "/images/detail")
    got = sorted(i.get("size") for i in images)
    v.check("FLT-4", got == sizes, f"{bounds} must list sizes {sizes}, got {got}")
