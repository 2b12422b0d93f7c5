"""Paging invariants, checked on generated image sets (hypothesis).

Walking a list page by page with markers gives exactly the one big sorted
list, for every sort key and direction, NULLs and ties included; and that
list is what a plain Python model of the contract's order says it is.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glance.common import exception
from glance.registry import db, validation
from tests.registry.helpers import (ADMIN, ALICE, ANON, BOB, NOAUTH, FakeClock, memory_registry,
                                    pg_registry)

OWNERS = [ALICE, BOB, ANON, ADMIN]
VIEWERS = [ALICE, BOB, ANON, ADMIN, NOAUTH]

images = st.lists(st.fixed_dictionaries({
    "values": st.fixed_dictionaries({
        "name": st.sampled_from([None, "", "a", "b", "B", "ab", "é", "z"]),
        "type": st.sampled_from([None, "machine", "kernel"]),
        "disk_format": st.sampled_from([None, "raw", "qcow2"]),
        "container_format": st.sampled_from([None, "bare", "ovf"]),
        "size": st.integers(0, 3),
        "checksum": st.sampled_from([None, "aa", "bb"]),
        "status": st.sampled_from(validation.STATUSES),
        "is_public": st.booleans(),
        "store": st.sampled_from([None, "file", "http"]),
        "location": st.sampled_from([None, "file:///a", "http://b/c"]),
        "properties": st.sampled_from([{}, {"k": "x"}, {"k": "y"}]),
    }),
    "id": st.none() | st.integers(1, 40),
    "owner": st.sampled_from(OWNERS),
    "tick": st.sampled_from([0, 0, 1, 2]),     # many created_at ties
    "renamed": st.none() | st.sampled_from([None, "a", "c"]),
    "deleted": st.integers(0, 5).map(lambda n: n == 0),
}), max_size=14)


@st.composite
def list_queries(draw):
    viewer = draw(st.sampled_from(VIEWERS))
    keys = [key for key in validation.SORT_KEYS if key != "location" or viewer.sees_location]
    params = {"sort_key": draw(st.sampled_from(sorted(keys))),
              "sort_dir": draw(st.sampled_from(["asc", "desc"]))}
    modes = ["true", "false", "none"] if viewer.is_admin else ["true", "false"]
    is_public = draw(st.none() | st.sampled_from(modes))
    if is_public:
        params["is_public"] = is_public
    status = draw(st.none() | st.sampled_from(validation.STATUSES))
    if status:
        params["status"] = status
    prop = draw(st.none() | st.sampled_from(["x", "y"]))
    if prop:
        params["property-k"] = prop
    return viewer, params, draw(st.integers(1, 5))


def build(specs, make_registry=memory_registry):
    """A registry holding `specs`, and the model: every live image as an admin sees it."""
    clock = FakeClock()
    registry = make_registry(clock)
    live = []
    for spec in specs:
        clock.tick(spec["tick"])
        values = dict(spec["values"])
        if spec["id"] is not None:
            values["id"] = spec["id"]
        try:
            image_id = registry.create_image(spec["owner"], values)["id"]
        except exception.Duplicate:
            continue
        if spec["renamed"] is not None:
            registry.update_image(ADMIN, image_id, {"name": spec["renamed"]})
        if spec["deleted"]:
            registry.delete_image(ADMIN, image_id)
        else:
            live.append(image_id)
    return registry, [registry.get_image(ADMIN, image_id) for image_id in live]


def shown(model, viewer, params):
    """The contract's "which images a list shows", filters included."""
    def visible(image):
        mode = params.get("is_public")
        own = viewer.tenant is not None and image["owner"] == viewer.tenant
        if mode == "none":
            return True
        if mode == "true":
            return image["is_public"]
        if mode == "false":
            return not image["is_public"] and (viewer.is_admin or own)
        return image["is_public"] or own
    return [image for image in model if visible(image)
            and image["status"] == params.get("status", image["status"])
            and image["properties"].get("k") == params.get("property-k",
                                                           image["properties"].get("k"))]


def order_key(params):
    column = validation.SORT_KEYS[params["sort_key"]]

    def key(image):
        value = image[column]
        if column in db.NULLABLE_SORT_COLUMNS:
            value = (0, "") if value is None else (1, value)    # NULL below every string
        return (value, image["created_at"], image["id"])
    return key


def expected(model, viewer, params):
    return sorted(shown(model, viewer, params), key=order_key(params),
                  reverse=params["sort_dir"] == "desc")


def ids(images):
    return [image["id"] for image in images]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs=images, query=list_queries())
def test_paging_walks_exactly_the_sorted_list(specs, query):
    viewer, params, limit = query
    registry, model = build(specs)
    whole = registry.list_images(viewer, dict(params, limit="1000"), False)
    walked, marker = [], None
    for _ in range(len(whole) + 2):
        page_params = dict(params, limit=str(limit))
        if marker is not None:
            page_params["marker"] = str(marker)
        page = registry.list_images(viewer, page_params, False)
        assert len(page) <= limit
        walked += page
        if len(page) < limit:
            break
        marker = page[-1]["id"]
    assert ids(walked) == ids(whole)
    assert len(set(ids(walked))) == len(walked)
    assert ids(whole) == ids(expected(model, viewer, params))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs=images, query=list_queries(), data=st.data())
def test_a_page_starts_strictly_after_any_visible_marker(specs, query, data):
    viewer, params, limit = query
    registry, model = build(specs)
    markers = shown(model, viewer, {"is_public": "none"} if viewer.is_admin else {})
    if not markers:
        return
    marker = data.draw(st.sampled_from(markers))    # may be excluded by the filters
    page = registry.list_images(viewer, dict(params, limit=str(limit), marker=str(marker["id"])),
                                False)
    key, descending = order_key(params), params["sort_dir"] == "desc"
    after = [image for image in expected(model, viewer, params)
             if (key(image) < key(marker) if descending else key(image) > key(marker))]
    assert ids(page) == ids(after[:limit])


# The same walk on PostgreSQL: NULLs, ties, case and non-ASCII names must
# order exactly as on sqlite (fewer examples: each one rebuilds the tables).
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(specs=images, query=list_queries())
def test_paging_on_postgresql_walks_exactly_the_sorted_list(pg_database, specs, query):
    viewer, params, limit = query
    registry, model = build(specs, lambda clock: pg_registry(pg_database, clock))
    whole = registry.list_images(viewer, dict(params, limit="1000"), False)
    assert ids(whole) == ids(expected(model, viewer, params))
    walked, marker = [], None
    while True:
        page_params = dict(params, limit=str(limit))
        if marker is not None:
            page_params["marker"] = str(marker)
        page = registry.list_images(viewer, page_params, False)
        walked += page
        if len(page) < limit:
            break
        marker = page[-1]["id"]
    assert ids(walked) == ids(whole)
