"""The registry's JSON API: lists, records, create, update, delete, errors (§5, §10).

Runs only with a registry target (--registry-url, or a paste config that has
one); without it every test here is skipped with that reason.
"""

import json
import uuid

import pytest

from conformance import expect
from conformance.context import RUN_PROPERTY, V1
from conformance.verdict import Verifier

clause = pytest.mark.clause
writes = pytest.mark.writes
UNKNOWN_ID = str(uuid.uuid4())


def rlist(registry, v, path, params, cid="REG-1"):
    res = registry.get(path, query=params)
    what = f"registry GET {path}?{res.request.query_string}"
    expect.require_status(v, cid, res, 200, what)
    return expect.images_of(v, cid, res, what)


def visible(suite, extra=None):
    """Every image of the run the caller may see (§2: `none` is the ordinary list for
    non-admins, every image for admins)."""
    return {"is_public": "none", **(extra or {})}


# -- read-only ------------------------------------------------------------------
@clause("REG-1", "REG-10", "API-LIST-2")
def test_brief_list(registry, v, suite):
    """GET /images answers brief entries without uri, as JSON."""
    for image in rlist(registry, v, "/images", {}):
        expect.brief_entry(v, image, suite, "registry GET /images", registry=True)


@clause("REG-1", "REG-10", "IMG-1", "IMG-2", "IMG-5", "REG-13")
def test_detail_list(registry, v, suite):
    """GET /images/detail answers full records without uri, as JSON."""
    for image in rlist(registry, v, "/images/detail", {}):
        expect.full_image(v, image, suite, "registry GET /images/detail", registry=True)
        lacks = [f for f in ("visibility", "os_hidden", "tags") if f not in image]
        v.check("REG-13", not lacks and "location_data" not in image,
                f"registry image {image.get('id')}: lacks {lacks}"
                + (" and carries location_data" if "location_data" in image else ""))


@clause("REG-2", "REG-7")
def test_unknown_id(registry, v):
    """GET of an unknown id answers 404."""
    res = registry.get(f"/images/{UNKNOWN_ID}")
    expect.error(v, "REG-2", res, 404, f"registry GET /images/{UNKNOWN_ID}")


@clause("REG-6")
@pytest.mark.parametrize("key,value", [("limit", "-1"), ("limit", "x"), ("sort_key", "nope"),
                                       ("sort_dir", "sideways"), ("marker", "abc"),
                                       ("size_min", "big")])
def test_bad_list_parameter(registry, v, key, value):
    """The registry refuses bad list parameters with 400, as the API does."""
    res = registry.get("/images", query={key: value})
    expect.error(v, "REG-6", res, 400, f"registry GET /images?{key}={value}")


# -- with records of our own ----------------------------------------------------
@writes
@clause("REG-3", "REG-10", "IMG-5", "IMG-12")
def test_create_defaults_to_active(registry, v, suite):
    """POST {"image": {...}} without status → 200, status active, full record, no uri."""
    record = suite.reg_create(v, {"size": 42, "disk_format": "raw",
                                  "container_format": "bare"})
    expect.full_image(v, record, suite, "registry POST", registry=True)
    v.check("REG-3", record.get("status") == "active",
            f"registry POST without status gave {record.get('status')!r}, not active")
    v.check("REG-9", record.get("size") == 42, f"size 42 came back as {record.get('size')!r}")
    v.check("IMG-12", record.get("updated_at") == record.get("created_at"),
            f"updated_at {record.get('updated_at')!r} != created_at {record.get('created_at')!r}")
    got = registry.get(f"/images/{record['id']}")
    expect.require_status(v, "REG-2", got, 200, f"registry GET /images/{record['id']}")
    shown = expect.image_of(v, "REG-2", got, "registry GET")
    v.check("REG-2", shown.get("id") == record["id"] and shown.get("name") == record.get("name"),
            f"GET /images/{record['id']} shows {shown.get('id')!r}/{shown.get('name')!r}")
    v.check("REG-10", "uri" not in shown, "registry GET /images/<id> carries `uri`")


@writes
@clause("REG-9")
def test_trusted_fields_accepted(registry, v, suite):
    """The registry accepts status, size, checksum, location and store as given."""
    fields = {"status": "queued", "size": 5, "checksum": "0" * 32}
    record = suite.reg_create(v, dict(fields), clause="REG-9")
    for key, value in fields.items():
        v.check("REG-9", record.get(key) == value,
                f"registry POST {key}={value!r} came back as {record.get(key)!r}")


@writes
@clause("IMG-7")
def test_64_bit_size(registry, v, suite):
    """Sizes above 4 GiB are kept exactly."""
    size = 5 * 1024 ** 3 + 1
    record = suite.reg_create(v, {"size": size}, clause="IMG-7")
    v.check("IMG-7", record.get("size") == size, f"size {size} came back {record.get('size')!r}")


BAD_RECORDS = [
    ("status", {"status": "available"}, "available", "REG-7"),
    ("disk", {"disk_format": "floppy"}, "floppy", "VAL-1"),
    ("container", {"container_format": "crate"}, "crate", "VAL-1"),
    ("type", {"type": "toaster"}, "toaster", "VAL-10"),
    ("ami-mix", {"disk_format": "ami", "container_format": "ari"},
     "Invalid mix of disk and container formats", "VAL-2"),
    ("ami-alone", {"disk_format": "ami"}, "Invalid mix of disk and container formats", "VAL-8"),
    ("name-length", {"name": "n" * 256}, None, "VAL-4"),
    ("control-char", {"name": "line\nbreak"}, None, "VAL-6"),
    ("colon-key", {"properties": {"os:distro": "x"}}, None, "VAL-5"),
    ("bad-key", {"properties": {"bad key!": "x"}}, None, "VAL-5")]


@writes
@clause("REG-7", "VAL-1", "VAL-2", "VAL-4", "VAL-5", "VAL-6", "VAL-8", "VAL-10")
@pytest.mark.parametrize("body,names,cid", [b[1:] for b in BAD_RECORDS],
                         ids=[b[0] for b in BAD_RECORDS])
def test_validation_errors(registry, v, suite, body, names, cid):
    """Invalid records answer 400 with the message in the body."""
    payload = {"name": suite.name("regbad"), **body}
    payload["properties"] = {RUN_PROPERTY: suite.prefix, **body.get("properties", {})}
    res = registry.post("/images", json_body={"image": payload})
    if res.status_int == 200:
        suite.ledger.add(res.json.get("image", {}).get("id"), registry=True)
    expect.error(v, cid, res, 400, f"registry POST {body if len(str(body)) < 60 else '…'}",
                 names=names)


@writes
@clause("VAL-5", "REG-7")
def test_property_keys(registry, v, suite):
    """Keys of letters, digits, _ . - keep their spelling."""
    record = suite.reg_create(v, {"properties": {"os_distro.v-1_x": "yes"}}, clause="REG-7")
    v.check("REG-7", (record.get("properties") or {}).get("os_distro.v-1_x") == "yes",
            f"property os_distro.v-1_x came back as {record.get('properties')}")


@writes
@clause("REG-8", "ERR-1")
@pytest.mark.parametrize("raw", [b"{", b"[]", b'{"image": []}', b'{"image": "x"}',
                                 b'{"name": "no wrapper"}', b"\xff\xfe"],
                         ids=["truncated", "list", "image-list", "image-string",
                              "no-wrapper", "not-utf8"])
def test_bad_json(registry, v, raw):
    """A body that is not JSON or not {"image": object} answers 400."""
    res = registry.post("/images", body=raw, content_type="application/json")
    expect.error(v, "REG-8", res, 400, f"registry POST body {raw!r}")


@writes
@clause("REG-12")
@pytest.mark.parametrize("raw", [b'{"image": {"size": NaN}}', b'{"image": {"min_ram": Infinity}}',
                                 b'{"image": ' + b"[" * 100000 + b"]" * 100000 + b"}"],
                         ids=["nan", "infinity", "deep"])
def test_strict_json(registry, v, suite, raw):
    """NaN, Infinity and nesting too deep answer 400, never 500."""
    res = registry.post("/images", body=raw, content_type="application/json")
    if res.status_int == 200:
        suite.ledger.add(json.loads(res.body).get("image", {}).get("id"), registry=True)
    v.check("REG-12", res.status_int == 400,
            f"registry POST body {raw[:40]!r}… answered {res.status}, not 400")


@writes
@clause("REG-7")
def test_taken_id(registry, v, suite):
    """POST with a taken id answers 409."""
    record = suite.reg_create(v, {})
    res = registry.post("/images", json_body={"image": {"id": record["id"],
                                                        "name": suite.name("dup")}})
    expect.error(v, "REG-7", res, 409, f"registry POST with taken id {record['id']}")


@writes
@clause("REG-4")
def test_update_merges_and_purges(registry, v, suite):
    """PUT merges properties; with x-glance-registry-purge-props: true it replaces them."""
    record = suite.reg_create(v, {"properties": {"a": "1", "b": "2"}})
    res = registry.put(f"/images/{record['id']}",
                       json_body={"image": {"properties": {"b": "3"}, "disk_format": "qcow2"}})
    expect.require_status(v, "REG-4", res, 200, f"registry PUT /images/{record['id']}")
    got = expect.image_of(v, "REG-4", res, "registry PUT")
    v.check("REG-4", got.get("properties") == {RUN_PROPERTY: suite.prefix, "a": "1", "b": "3"},
            f"merged properties are {got.get('properties')}")
    v.check("REG-4", got.get("disk_format") == "qcow2",
            f"disk_format is {got.get('disk_format')!r} after PUT")
    res = registry.put(f"/images/{record['id']}", headers=[("x-glance-registry-purge-props",
                                                             "true")],
                       json_body={"image": {"properties": {"only": "me"}}})
    expect.require_status(v, "REG-4", res, 200, "registry PUT with purge-props")
    got = expect.image_of(v, "REG-4", res, "registry PUT")
    v.check("REG-4", got.get("properties") == {"only": "me"},
            f"purge-props should leave {{'only': 'me'}}, got {got.get('properties')}")


@writes
@clause("REG-4", "REG-7", "VAL-3")
def test_update_errors(registry, v, suite):
    """PUT of an unknown id → 404; an update breaking the merged record → 400."""
    res = registry.put(f"/images/{UNKNOWN_ID}", json_body={"image": {"name": "x"}})
    expect.error(v, "REG-7", res, 404, f"registry PUT /images/{UNKNOWN_ID}")
    record = suite.reg_create(v, {"disk_format": "aki", "container_format": "aki"})
    res = registry.put(f"/images/{record['id']}", json_body={"image": {"container_format": "bare"}})
    expect.error(v, "VAL-3", res, 400, "registry PUT container_format=bare onto aki/aki",
                 names="Invalid mix of disk and container formats")


@writes
@clause("REG-5", "API-DEL-2", "API-DEL-3")
def test_delete(registry, v, suite):
    """DELETE → 200; the record is then 404 and unlisted; a second DELETE → 404."""
    record = suite.reg_create(v, {})
    res = registry.delete(f"/images/{record['id']}")
    expect.require_status(v, "REG-5", res, 200, f"registry DELETE /images/{record['id']}")
    suite.ledger.deleted(record["id"])
    expect.error(v, "API-DEL-2", registry.get(f"/images/{record['id']}"), 404,
                 f"registry GET /images/{record['id']} after DELETE")
    listed = [i.get("id") for i in rlist(registry, v, "/images/detail",
                                         visible(suite, suite.run_filter()))]
    v.check("API-DEL-2", record["id"] not in listed, f"deleted record {record['id']} is listed")
    expect.error(v, "API-DEL-3", registry.delete(f"/images/{record['id']}"), 404,
                 f"second registry DELETE /images/{record['id']}")


@pytest.fixture(scope="module")
def reg_set(suite, registry):
    v = Verifier(registry.log)
    made = [suite.reg_create(v, {"size": n * 10, "properties": {RUN_PROPERTY: suite.tag("reg")},
                                 "disk_format": "raw" if n % 2 else "qcow2",
                                 "container_format": "bare"}, label=f"r{n}", tag=False)
            for n in range(7)]
    # Broken non-blocking checks made here are judged by the create tests; a
    # broken blocking one has raised already.
    return made


@writes
@clause("REG-6", "PAGE-2", "API-LIST-7")
def test_paging(registry, v, suite, reg_set):
    """limit and marker page through the registry list in the API's order."""
    params = visible(suite, suite.run_filter("reg"))
    full = [i.get("id") for i in rlist(registry, v, "/images", {**params, "limit": "1000"},
                                       "REG-6")]
    v.require("REG-6", sorted(full) == sorted(i["id"] for i in reg_set),
              f"the registry lists {sorted(full)} for this data set, made "
              f"{sorted(i['id'] for i in reg_set)}")
    v.check("REG-6", full == [i["id"] for i in reversed(reg_set)],
            f"records made one after another must list newest first: {full}")
    walked, marker = [], None
    for _ in range(20):
        page = rlist(registry, v, "/images", {**params, "limit": "3",
                                              **({"marker": str(marker)} if marker else {})},
                     "REG-6")
        walked += [i.get("id") for i in page]
        if len(page) < 3:
            break
        marker = page[-1].get("id")
    v.check("REG-6", walked == full, f"pages of 3 give {walked}, one page gives {full}")


@writes
@clause("REG-6", "FLT-4", "FLT-3", "FLT-5")
def test_filters_and_sort(registry, v, suite, reg_set):
    """size_min/size_max, disk_format and sort_key work on the registry as on the API."""
    params = visible(suite, suite.run_filter("reg"))
    got = sorted(i.get("size") for i in rlist(registry, v, "/images/detail",
                                              {**params, "size_min": "20", "size_max": "40"},
                                              "REG-6"))
    v.check("FLT-4", got == [20, 30, 40], f"size_min=20&size_max=40 gave sizes {got}")
    got = sorted(i.get("id") for i in rlist(registry, v, "/images/detail",
                                            {**params, "disk_format": "qcow2"}, "REG-6"))
    want = sorted(i["id"] for i in reg_set if i.get("disk_format") == "qcow2")
    v.check("FLT-3", got == want, f"disk_format=qcow2 gave {got}, expected {want}")
    got = [i.get("size") for i in rlist(registry, v, "/images/detail",
                                        {**params, "sort_key": "size", "sort_dir": "asc"},
                                        "REG-6")]
    v.check("FLT-5", got == sorted(got), f"sort_key=size asc gave sizes {got}")


@writes
@clause("API-GET-2")
def test_active_without_data_via_api(registry, v, suite):
    """An active record made through the registry has no data: the API answers GET with 404."""
    record = suite.reg_create(v, {"size": 10, "status": "active", "is_public": True})
    res = suite.api.head(f"{V1}/images/{record['id']}")
    core, _, _ = expect.meta_headers(res)
    if res.status_int != 200 or core.get("name") != record.get("name"):
        pytest.skip("this registry is not the one behind the API (the API does not show "
                    "records made in it)")
    res = suite.api.get(f"{V1}/images/{record['id']}")
    expect.error(v, "API-GET-2", res, 404, f"API GET of registry-made active image {record['id']}")


@writes
@clause("REG-11")
def test_members(registry, v, suite):
    """The registry's member routes: list, add, remove, shared-images."""
    record = suite.reg_create(v, {})
    member = f"{suite.prefix}-rm"
    res = registry.put(f"/images/{record['id']}/members/{member}")
    v.require("REG-11", res.status_int == 200,
              f"registry PUT /images/<id>/members/<T> answered {res.status}, not 200")
    res = registry.get(f"/images/{record['id']}/members")
    members = expect.json_doc(v, "REG-11", res, "registry GET …/members", key="members")
    v.check("REG-11", [m.get("member_id") for m in members] == [member],
            f"registry members are {members}")
    res = registry.get(f"/shared-images/{member}")
    shared = expect.json_doc(v, "REG-11", res, "registry GET /shared-images/<T>",
                             key="shared_images")
    v.check("REG-11", [s.get("image_id") for s in shared] == [record["id"]],
            f"registry shared-images of {member} are {shared}")
    res = registry.delete(f"/images/{record['id']}/members/{member}")
    v.check("REG-11", res.status_int == 204, f"registry DELETE …/members/<T> answered "
                                             f"{res.status}, not 204")
