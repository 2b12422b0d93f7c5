"""Images API v2 lists: the envelope, the default list and its filters (§4 Lists).

The filters are judged on a data set this run makes (`dataset`), every
query narrowed to it by the run's mark (a custom property, itself a
filter), so other images on the server never matter.
"""

import pytest

from conformance import expect, expect_v2

clause = pytest.mark.clause
pytestmark = pytest.mark.writes
SUBSET = "v2-list"


@pytest.fixture(scope="module")
def dataset(suite):
    """Four images: a (active, 3 bytes), b (active, 10 bytes, protected), c (private,
    queued), d (hidden); returns {label: image}."""
    from conformance.verdict import Verifier
    v, v2 = Verifier(suite.api.log), suite.v2
    mark = {suite.run_property: suite.tag(SUBSET)}
    made = {
        "a": v2.active(v, "alpha", b"abc", {**mark, "color": "red", "tags": ["red", "blue"]}),
        "b": v2.active(v, "beta", b"0123456789", {**mark, "color": "blue", "tags": ["red"],
                                                  "protected": True}),
        "c": v2.create(v, "gamma", {**mark, "color": "red", "visibility": "private",
                                    "disk_format": "iso", "container_format": "ova"})[0],
        "d": v2.create(v, "delta", {**mark, "color": "red", "os_hidden": True})[0],
    }
    # Broken non-blocking checks made here are judged again by the create tests.
    return made


def listed(v, api, v2, suite, what, **query):
    """The ids (in order) that the run-scoped list answers for `query`."""
    res = api.get("/v2/images", query={suite.run_property: suite.tag(SUBSET),
                                       "limit": "100", **query})
    doc = expect_v2.listing(v, res, what, v2)
    return [i.get("id") for i in doc["images"]]


def ids(dataset, *labels):
    return {dataset[x]["id"] for x in labels}


@clause("V2-LIST-1", "V2-SCH-6", "JSON-1", "JSON-2")
def test_list_envelope(api, v, v2):
    """GET /v2/images answers {images, first, schema}."""
    expect_v2.listing(v, api.get("/v2/images", query={"limit": "3"}), "GET /v2/images", v2)


@clause("V2-LIST-2")
def test_default_list(api, v, v2, suite, dataset):
    """The caller's own images are listed, hidden ones only with os_hidden=true."""
    got = listed(v, api, v2, suite, "the default list")
    v.check("V2-LIST-2", set(got) == ids(dataset, "a", "b", "c"),
            f"the default list of this data set is {got}, expected a, b, c (not the "
            "hidden d)")
    got = listed(v, api, v2, suite, "os_hidden=true", os_hidden="true")
    v.check("V2-LIST-2", dataset["d"]["id"] in got and dataset["a"]["id"] not in got,
            f"os_hidden=true lists {got}, expected the hidden d only")
    got = listed(v, api, v2, suite, "os_hidden=False", os_hidden="False")
    v.check("V2-LIST-2", set(got) == ids(dataset, "a", "b", "c"),
            f"os_hidden=False lists {got}, expected a, b, c")


CASES = [
    ("status=active", {"status": "active"}, ("a", "b")),
    ("status=queued", {"status": "queued"}, ("c",)),
    ("disk_format=iso", {"disk_format": "iso"}, ("c",)),
    ("container_format=bare", {"container_format": "bare"}, ("a", "b")),
    ("protected=true", {"protected": "true"}, ("b",)),
    ("protected=false", {"protected": "false"}, ("a", "c")),
    ("visibility=private", {"visibility": "private"}, ("c",)),
    ("color=red (a property)", {"color": "red"}, ("a", "c")),
    ("color=re (no prefix match)", {"color": "re"}, ()),
]


@clause("V2-FLT-1")
@pytest.mark.parametrize("what, query, want", CASES, ids=[c[0] for c in CASES])
def test_filters(api, v, v2, suite, dataset, what, query, want):
    """Each filter narrows the data set to exactly the matching images."""
    got = listed(v, api, v2, suite, what, **query)
    v.check("V2-FLT-1", set(got) == ids(dataset, *want),
            f"{what} lists {len(got)} image(s), expected {list(want)}")


@clause("V2-FLT-1")
def test_name_and_owner_filters(api, v, v2, suite, dataset):
    """name matches exactly; owner names the caller's tenant."""
    got = listed(v, api, v2, suite, "name=", name=dataset["a"]["name"])
    v.check("V2-FLT-1", got == [dataset["a"]["id"]], f"name= lists {got}, expected a only")
    got = listed(v, api, v2, suite, "name= (a prefix)", name=dataset["a"]["name"][:-1])
    v.check("V2-FLT-1", got == [], f"a name prefix lists {got}, expected nothing")
    owner = dataset["a"].get("owner")
    if owner is None:       # a caller without a tenant: noauth, as a rule
        suite.capabilities.need("auth")
        pytest.skip("the caller's images have no owner (no tenant): owner= cannot be judged")
    got = listed(v, api, v2, suite, "owner=", owner=owner)
    v.check("V2-FLT-1", set(got) == ids(dataset, "a", "b", "c"), f"owner= lists {got}")
    got = listed(v, api, v2, suite, "owner=<another>", owner=owner + "-other")
    v.check("V2-FLT-1", got == [], f"owner=<another tenant> lists {got}")


@clause("V2-FLT-2")
def test_tag_filter(api, v, v2, suite, dataset):
    """tag narrows to images carrying every tag given."""
    got = listed(v, api, v2, suite, "tag=red", tag="red")
    v.check("V2-FLT-2", set(got) == ids(dataset, "a", "b"), f"tag=red lists {got}")
    got = listed(v, api, v2, suite, "tag=red&tag=blue", tag=["red", "blue"])
    v.check("V2-FLT-2", got == [dataset["a"]["id"]], f"tag=red&tag=blue lists {got}")


@clause("V2-FLT-3")
def test_size_filters(api, v, v2, suite, dataset):
    """size_min and size_max are inclusive."""
    for query, want in [({"size_min": "3", "size_max": "3"}, ("a",)),
                        ({"size_min": "4"}, ("b",)), ({"size_max": "10"}, ("a", "b")),
                        ({"size_min": "10", "size_max": "10"}, ("b",))]:
        got = listed(v, api, v2, suite, str(query), **query)
        v.check("V2-FLT-3", set(got) == ids(dataset, *want), f"{query} lists {got}, "
                                                             f"expected {list(want)}")


@clause("V2-FLT-4")
@pytest.mark.parametrize("field", ["created_at", "updated_at"])
def test_time_filters(api, v, v2, suite, dataset, field):
    """created_at/updated_at take <op>:<ISO 8601>."""
    past, future = "2000-01-01T00:00:00Z", "2999-01-01T00:00:00Z"
    every = ids(dataset, "a", "b", "c")
    for value, want in [(f"gt:{past}", every), (f"gte:{past}", every),
                        (f"lt:{future}", every), (f"lte:{future}", every),
                        (f"neq:{past}", every), (f"eq:{past}", set()),
                        (f"lt:{past}", set()), (f"gt:{future}", set())]:
        got = listed(v, api, v2, suite, f"{field}={value}", **{field: value})
        v.check("V2-FLT-4", set(got) == want, f"{field}={value} lists {len(got)} "
                                              f"image(s), expected {len(want)}")


@clause("V2-FLT-5", "ERR-1", "ERR-2", "ERR-3")
@pytest.mark.parametrize("key, value", [("visibility", "bogus"), ("member_status", "bogus"),
                                        ("os_hidden", "maybe"), ("protected", "maybe"),
                                        ("created_at", "bogus"), ("updated_at", "gt:never"),
                                        ("size_min", "abc")])
def test_bad_filters_are_400(api, v, key, value):
    """Bad filter values answer 400."""
    res = api.get("/v2/images", query={key: value})
    expect.error(v, "V2-FLT-5", res, 400, f"GET /v2/images?{key}={value}")


@clause("V2-LIST-3")
def test_community_images(api, v, v2, suite):
    """visibility=community lists community images."""
    mark = {suite.run_property: suite.tag("v2-community")}
    img, _ = v2.create(v, "community", {**mark, "visibility": "community"})
    res = api.get("/v2/images", query={**mark, "visibility": "community"})
    got = [i.get("id") for i in expect_v2.listing(v, res, "visibility=community", v2)["images"]]
    v.check("V2-LIST-3", got == [img["id"]], f"visibility=community lists {got}")
    res = api.get("/v2/images", query={**mark, "visibility": "all"})
    got = [i.get("id") for i in expect_v2.listing(v, res, "visibility=all", v2)["images"]]
    v.check("V2-LIST-3", got == [img["id"]], f"visibility=all lists {got}")
