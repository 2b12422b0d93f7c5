"""Paging invariants, checked on generated image sets (hypothesis).

Walking a list page by page with markers gives exactly the one big sorted
list, for every sort key and direction (several keys with mixed
directions too), NULLs and ties included; and that list is what a plain
Python model of the contract's "which images a list shows" (v1 and v2) and
its order says it is.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glance.api.v2 import listing
from glance.common import fields
from glance.registry import query
from tests.registry.helpers import (ADMIN, ALICE, ANON, BOB, NOAUTH, FakeClock, as_service,
                                    memory_registry, pg_registry)

OWNERS = [ALICE, BOB, ANON, ADMIN]
VIEWERS = [ALICE, BOB, ANON, ADMIN, NOAUTH]
STATUSES = [status for status in fields.STATUSES if status != "deleted"]

images = st.lists(st.fixed_dictionaries({
    "values": st.fixed_dictionaries({
        "name": st.sampled_from([None, "", "a", "b", "B", "ab", "é", "z"]),
        "type": st.sampled_from([None, "machine", "kernel"]),
        "disk_format": st.sampled_from([None, "raw", "qcow2"]),
        "container_format": st.sampled_from([None, "bare", "ovf"]),
        "size": st.sampled_from([None, 0, 1, 2, 3]),
        "checksum": st.sampled_from([None, "aa", "bb"]),
        "status": st.sampled_from(STATUSES),
        "visibility": st.sampled_from(fields.VISIBILITIES),
        "os_hidden": st.booleans(),
        "min_ram": st.sampled_from([0, 1]),
        "store": st.sampled_from([None, "file", "http"]),
        "location": st.sampled_from([None, "file:///a", "http://b/c"]),
        "properties": st.sampled_from([{}, {"k": "x"}, {"k": "y"}]),
    }),
    "owner": st.sampled_from(OWNERS),
    "members": st.dictionaries(st.sampled_from(["alice", "bob"]),
                               st.sampled_from(["pending", "accepted", "rejected"]), max_size=2),
    "tick": st.sampled_from([0, 0, 1, 2]),     # many created_at ties
    "renamed": st.none() | st.sampled_from([None, "a", "c"]),
    "deleted": st.integers(0, 5).map(lambda n: n == 0),
}), max_size=14)


@st.composite
def v1_queries(draw):
    viewer = draw(st.sampled_from(VIEWERS))
    keys = [key for key in query.SORT_KEYS
            if key != "location" or viewer.is_admin]
    params = {"sort_key": draw(st.sampled_from(sorted(keys))),
              "sort_dir": draw(st.sampled_from(["asc", "desc"]))}
    is_public = draw(st.none() | st.sampled_from(["true", "false", "none"]))
    if is_public:
        params["is_public"] = is_public
    status = draw(st.none() | st.sampled_from(STATUSES))
    if status:
        params["status"] = status
    prop = draw(st.none() | st.sampled_from(["x", "y"]))
    if prop:
        params["property-k"] = prop
    return viewer, query.from_v1_params(params, viewer), draw(st.integers(1, 5))


@st.composite
def v2_queries(draw):
    viewer = draw(st.sampled_from(VIEWERS))
    keys = draw(st.lists(st.sampled_from(listing.SORT_KEYS), min_size=1, max_size=3,
                         unique=True))
    sort = ",".join(f"{key}:{draw(st.sampled_from(['asc', 'desc']))}" for key in keys)
    pairs = [("sort", sort)]
    for name, choices in (("visibility", fields.VISIBILITIES + ("all",)),
                          ("member_status", ("pending", "accepted", "rejected", "all")),
                          ("os_hidden", ("true", "false"))):
        value = draw(st.none() | st.sampled_from(choices))
        if value:
            pairs.append((name, value))
    return viewer, listing.parse(pairs, viewer), draw(st.integers(1, 5))


def build(specs, make_registry=memory_registry):
    """A registry holding `specs`, and the model: every live image as an
    admin sees it, with its members."""
    clock = FakeClock()
    registry = make_registry(clock)
    live = []
    for spec in specs:
        clock.tick(spec["tick"])
        image_id = registry.create_image(as_service(spec["owner"]), spec["values"])["id"]
        for member, status in spec["members"].items():
            registry.set_member(NOAUTH, image_id, member)
            registry.set_member(NOAUTH, image_id, member, status=status)
        if spec["renamed"] is not None:
            registry.update_image(ADMIN, image_id, {"name": spec["renamed"]})
        if spec["deleted"]:
            registry.delete_image(ADMIN, image_id)
        else:
            live.append((image_id, spec["members"]))
    return registry, [dict(registry.get_image(as_service(ADMIN), image_id), members=members)
                      for image_id, members in live]


def in_scope(image, viewer, q):
    """The contract's scopes (query.py), for this caller."""
    tenant, visibility = viewer.tenant, image["visibility"]
    member = image["members"].get(tenant) if tenant else None
    sees = viewer.is_admin or visibility in ("public", "community") or (
        tenant is not None and image["owner"] == tenant) or (
        visibility == "shared" and member is not None)
    wanted = {
        "public": visibility == "public",
        "community": visibility == "community",
        "own": tenant is not None and image["owner"] == tenant,
        "member": visibility == "shared" and member is not None and (
            q.member_status in ("all", member)),
        "all": True,
    }
    return sees and any(wanted[scope] for scope in q.scope)


def shown(model, viewer, q):
    def matches(image):
        return (in_scope(image, viewer, q)
                and (q.visibility is None or image["visibility"] in q.visibility)
                and all(image[name] == value if fields.BY_NAME[name].kind != fields.BOOL
                        else int(image[name]) == value for name, value in q.equal.items())
                and all(image["properties"].get(k) == v for k, v in q.properties.items()))
    return [image for image in model if matches(image)]


def sort_value(image, key):
    row = fields.BY_NAME[key]
    value = image["id"] if row.sort == fields.AS_ID else image[key]
    if row.sort == fields.TEXT_OR_NULL:
        return (0, "") if value is None else (1, value)      # NULL below every string
    if row.sort == fields.INT_OR_NULL:
        return -1 if value is None else value
    if row.sort == fields.AS_PUBLIC:
        return int(image["visibility"] == "public")
    return int(value) if isinstance(value, bool) else value


def expected(model, viewer, q):
    order = list(q.sort)
    keys = [key for key, _ in order]
    if "id" not in keys:
        last = order[-1][1]
        order += [(key, last) for key in ("created_at", "id") if key not in keys]
    result = shown(model, viewer, q)
    for key, direction in reversed(order):      # stable sorts, least significant first
        result.sort(key=lambda image: sort_value(image, key), reverse=direction == "desc")
    return result


def ids(images):
    return [image["id"] for image in images]


def walk(registry, viewer, q, limit):
    walked, marker = [], None
    while True:
        page = registry.list_images(viewer, query.replace(q, limit=limit, marker=marker), False)
        assert len(page) <= limit
        walked += page
        if len(page) < limit:
            return walked
        marker = page[-1]["id"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs=images, v1=v1_queries())
def test_v1_paging_walks_exactly_the_sorted_list(specs, v1):
    viewer, q, limit = v1
    registry, model = build(specs)
    whole = registry.list_images(viewer, query.replace(q, limit=1000), False)
    assert ids(whole) == ids(expected(model, viewer, q))
    walked = walk(registry, viewer, q, limit)
    assert ids(walked) == ids(whole) and len(set(ids(walked))) == len(walked)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs=images, v2=v2_queries())
def test_v2_paging_walks_exactly_the_sorted_list(specs, v2):
    viewer, q, limit = v2
    registry, model = build(specs)
    whole = registry.list_images(viewer, query.replace(q, limit=1000), False)
    assert ids(whole) == ids(expected(model, viewer, q))
    assert ids(walk(registry, viewer, q, limit)) == ids(whole)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs=images, v1=v1_queries(), data=st.data())
def test_a_page_starts_strictly_after_any_visible_marker(specs, v1, data):
    viewer, q, limit = v1
    registry, model = build(specs)
    markers = [image for image in model
               if in_scope(image, viewer, query.ImageQuery(scope=("all",)))]
    if not markers:
        return
    marker = data.draw(st.sampled_from(markers))    # may be excluded by the filters
    page = registry.list_images(viewer, query.replace(q, limit=limit, marker=marker["id"]),
                                False)
    everything = expected(model, viewer, query.replace(q, scope=("all",), visibility=None,
                                                       equal={}, properties={}))
    position = ids(everything).index(marker["id"])
    after = [image for image in everything[position + 1:] if image in shown(model, viewer, q)]
    assert ids(page) == ids(after[:limit])


# The same walk on PostgreSQL: NULLs, ties, case and non-ASCII names must
# order exactly as on sqlite (fewer examples: each one rebuilds the tables).
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(specs=images, v=st.one_of(v1_queries(), v2_queries()))
def test_paging_on_postgresql_walks_exactly_the_sorted_list(pg_database, specs, v):
    viewer, q, limit = v
    registry, model = build(specs, lambda clock: pg_registry(pg_database, clock))
    whole = registry.list_images(viewer, query.replace(q, limit=1000), False)
    assert ids(whole) == ids(expected(model, viewer, q))
    assert ids(walk(registry, viewer, q, limit)) == ids(whole)
