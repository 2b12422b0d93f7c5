"""Images API v2 order and paging: sort keys, limit, marker, `first` and `next` (§4 Lists).

Judged on images this run makes, in a known creation order, every query
narrowed to them by the run's mark.
"""

import uuid

import pytest

from conformance import expect, expect_v2
from conformance.verdict import Verifier

clause = pytest.mark.clause
pytestmark = pytest.mark.writes
SUBSET = "v2-page"
# Names that sort differently from creation order, with one tie (for the tie-break).
NAMES = ["m", "c", "x", "c", "a"]


@pytest.fixture(scope="module")
def page_set(suite):
    """Five queued images made one after another: [(image, name)] in creation order."""
    v = Verifier(suite.api.log)
    mark = {suite.run_property: suite.tag(SUBSET)}
    made = []
    for n, name in enumerate(NAMES):
        img, _ = suite.v2.create(v, f"page{n}", {**mark, "name": f"{suite.prefix}-{name}"})
        made.append(img)
    return made


def scoped(suite, **query):
    return {suite.run_property: suite.tag(SUBSET), **query}


def ids(api, v, v2, suite, what, **query):
    res = api.get("/v2/images", query=scoped(suite, **query))
    return [i.get("id") for i in expect_v2.listing(v, res, what, v2)["images"]]


def order(page_set, *keys):
    """The expected ids for `keys` [(field, "asc"|"desc")]: the creation index stands for
    `created_at` (the JSON shows whole seconds only) and breaks the remaining ties in the
    last direction given."""
    last = keys[-1][1] if keys else "desc"
    rows = sorted(enumerate(page_set), key=lambda r: r[0], reverse=last == "desc")
    for field, direction in reversed(keys):
        rows.sort(key=(lambda r: r[0]) if field == "created_at" else
                  (lambda r, f=field: r[1].get(f)), reverse=direction == "desc")
    return [img["id"] for _, img in rows]


@clause("V2-SORT-1")
def test_default_order(api, v, v2, suite, page_set):
    """Without sort parameters: created_at descending."""
    got = ids(api, v, v2, suite, "the default order")
    v.check("V2-SORT-1", got == order(page_set), "the default order is not created_at "
                                                 "descending (newest first)")


SORTS = [
    ("sort_key=name&sort_dir=asc", {"sort_key": "name", "sort_dir": "asc"},
     [("name", "asc")]),
    ("sort_key=name&sort_dir=desc", {"sort_key": "name", "sort_dir": "desc"},
     [("name", "desc")]),
    ("sort_key=name (desc by default)", {"sort_key": "name"}, [("name", "desc")]),
    ("sort=name:asc", {"sort": "name:asc"}, [("name", "asc")]),
    ("sort=name:asc,created_at:desc", {"sort": "name:asc,created_at:desc"},
     [("name", "asc"), ("created_at", "desc")]),
    ("sort_key=name&sort_dir=asc&sort_key=created_at&sort_dir=desc",
     {"sort_key": ["name", "created_at"], "sort_dir": ["asc", "desc"]},
     [("name", "asc"), ("created_at", "desc")]),
    ("sort_key=created_at&sort_dir=asc", {"sort_key": "created_at", "sort_dir": "asc"},
     [("created_at", "asc")]),
]


@clause("V2-SORT-2")
@pytest.mark.parametrize("what, query, keys", SORTS, ids=[s[0] for s in SORTS])
def test_sort(api, v, v2, suite, page_set, what, query, keys):
    """Sort keys and directions, old and new syntax; ties by created_at then id."""
    got = ids(api, v, v2, suite, what, **query)
    want = order(page_set, *keys)
    names = {p["id"]: p["name"][len(suite.prefix) + 1:] for p in page_set}
    v.check("V2-SORT-2", got == want, f"{what}: got {[names.get(i) for i in got]}, "
                                      f"expected {[names.get(i) for i in want]}")


@clause("V2-SORT-3", "ERR-1", "ERR-2", "ERR-3")
@pytest.mark.parametrize("query", [{"sort_key": "bogus"}, {"sort_dir": "up"},
                                   {"sort": "name:up"}, {"sort": "bogus:asc"},
                                   {"sort": "name:asc", "sort_key": "name"}],
                         ids=["sort_key", "sort_dir", "sort-dir", "sort-key", "both"])
def test_bad_sort_is_400(api, v, query):
    """Unknown keys, bad directions and the two syntaxes together answer 400."""
    expect.error(v, "V2-SORT-3", api.get("/v2/images", query=query), 400,
                 f"GET /v2/images?{query}")


@clause("V2-PAGE-1", "V2-PAGE-4")
def test_default_limit_is_25(api, v, v2, suite):
    """Without limit a page holds 25 images, with next while more remain."""
    mark = {suite.run_property: suite.tag("v2-limit")}
    for n in range(26):
        v2.create(v, f"limit{n}", dict(mark))
    res = api.get("/v2/images", query=mark)
    doc = expect_v2.listing(v, res, "the list without limit", v2)
    v.check("V2-PAGE-1", len(doc["images"]) == 25,
            f"without limit a page holds {len(doc['images'])} of 26 images, not 25")
    v.check("V2-PAGE-4", "next" in doc, "26 images, 25 shown, and no next")


@clause("V2-PAGE-1", "ERR-1", "ERR-2", "ERR-3")
def test_limits(api, v, v2, suite, page_set):
    """limit=0 is an empty page without next; over 1000 is clamped; bad limits are 400."""
    res = api.get("/v2/images", query=scoped(suite, limit="0"))
    doc = expect_v2.listing(v, res, "limit=0", v2)
    v.check("V2-PAGE-1", doc["images"] == [] and "next" not in doc,
            f"limit=0 answered {len(doc['images'])} images, next={doc.get('next')!r}")
    res = api.get("/v2/images", query=scoped(suite, limit="5000"))
    doc = expect_v2.listing(v, res, "limit=5000", v2, clause="V2-PAGE-1")
    v.check("V2-PAGE-1", len(doc["images"]) == len(page_set),
            f"limit=5000 answered {len(doc['images'])} of {len(page_set)} images")
    for bad in ("-1", "abc", "1.5"):
        expect.error(v, "V2-PAGE-1", api.get("/v2/images", query={"limit": bad}), 400,
                     f"GET /v2/images?limit={bad}")


@clause("V2-PAGE-2", "V2-PAGE-3", "V2-PAGE-4")
def test_follow_next(api, v, v2, suite, page_set):
    """limit=2 over five images: three pages, next as a path with the same parameters."""
    query = scoped(suite, limit="2", sort_key="name", sort_dir="asc")
    link, seen, pages = None, [], 0
    res = api.get("/v2/images", query=query)
    while True:
        doc = expect_v2.listing(v, res, f"page {pages + 1}", v2)
        pages += 1
        got = [i["id"] for i in doc["images"]]
        seen += got
        v.check("V2-PAGE-3", expect_v2.query_of(doc["first"]) == sorted(query.items()),
                f"page {pages}: first is {doc['first']!r}, not /v2/images with the request's "
                "parameters")
        if len(seen) < len(page_set):
            v.require("V2-PAGE-4", "next" in doc, f"page {pages}: no next, "
                                                  f"{len(page_set) - len(seen)} image(s) remain")
        if "next" not in doc or pages > 5:
            break
        link = doc["next"]
        v.check("V2-PAGE-3", expect_v2.query_of(link) == sorted(
            list(query.items()) + [("marker", got[-1])]) if got else True,
            f"page {pages}: next is {link!r}, not the same parameters and marker={got[-1:]}")
        res = api.get(link)
    v.check("V2-PAGE-2", seen == order(page_set, ("name", "asc")),
            f"following next gave {len(seen)} ids, not every image once in order")


@clause("V2-PAGE-5")
def test_no_next_on_a_full_last_page(api, v, v2, suite, page_set):
    """A page that holds the last images has no next, even when full."""
    res = api.get("/v2/images", query=scoped(suite, limit=str(len(page_set))))
    doc = expect_v2.listing(v, res, f"limit={len(page_set)}", v2)
    v.check("V2-PAGE-5", "next" not in doc,
            f"limit={len(page_set)} shows all {len(page_set)} images and next "
            f"{doc.get('next')!r}")


@clause("V2-PAGE-2", "ERR-1", "ERR-2", "ERR-3")
def test_markers(api, v, v2, suite, page_set):
    """The page after a marker starts after it; unknown or malformed markers are 400;
    an image excluded by the filters is still a valid marker."""
    ordered = order(page_set)
    got = ids(api, v, v2, suite, "marker=<second>", marker=ordered[1])
    v.check("V2-PAGE-2", got == ordered[2:], "the page after the second image's marker "
                                             "does not start with the third")
    for bad in (str(uuid.uuid4()), "not-a-uuid"):
        expect.error(v, "V2-PAGE-2", api.get("/v2/images", query=scoped(suite, marker=bad)),
                     400, f"GET /v2/images?marker={bad}")
    only = page_set[0]
    res = api.get("/v2/images", query=scoped(suite, name=only["name"], marker=ordered[0]))
    v.check("V2-PAGE-2", res.status_int == 200,
            f"a marker excluded by the name filter answered {res.status}, not 200")
