"""ImageRegistry.list_images: which images, in which order, which page —
through the v1 and v2 parameter translations and the query's own fields."""

import pytest

from glance.api.v2 import listing
from glance.common import exception
from glance.registry import query
from tests.registry.helpers import (ADMIN, ALICE, ANON, BOB, CAROL, NOAUTH, as_service, ids,
                                    listed, v1_list)


def names(images):
    return [image["name"] for image in images]


def v2_list(registry, context, pairs=()):
    return registry.list_images(context, listing.parse(list(pairs), context), True)


def make(registry, context, name, **values):
    return registry.create_image(as_service(context), dict(values, name=name))


@pytest.fixture
def mixed(registry, clock):
    """Images of every visibility, owned by alice and bob, and bob's shared
    images with alice as a member (pending and accepted), oldest first."""
    for owner, visibility in ((ALICE, "public"), (ALICE, "shared"), (ALICE, "private"),
                              (ALICE, "community"), (BOB, "public"), (BOB, "shared"),
                              (BOB, "private"), (BOB, "community"), (ADMIN, "shared")):
        make(registry, owner, f"{owner.tenant}-{visibility}", visibility=visibility)
        clock.tick()
    for name, status in (("bob-pending", "pending"), ("bob-accepted", "accepted"),
                         ("bob-rejected", "rejected")):
        image = make(registry, BOB, name, visibility="shared")
        registry.add_member(BOB, image["id"], "alice")
        if status != "pending":
            registry.set_member(ALICE, image["id"], "alice", status=status)
        clock.tick()
    bob_private = listed(registry, NOAUTH, scope=("all",), equal={"name": "bob-private"})
    registry.add_member(BOB, bob_private[0]["id"], "alice")    # grants nothing: not shared
    return registry


# -- v1: which images (CONTRACT §2) ------------------------------------------------

def test_v1_shows_public_own_and_shared_with_me_in_any_status(mixed):
    assert names(v1_list(mixed, ALICE)) == [
        "bob-rejected", "bob-accepted", "bob-pending", "bob-public", "alice-community",
        "alice-private", "alice-shared", "alice-public"]


def test_v1_shows_community_images_only_when_owned(mixed):
    assert "bob-community" not in names(v1_list(mixed, ALICE))


def test_v1_anonymous_callers_see_only_public_images(mixed):
    assert names(v1_list(mixed, ANON)) == ["bob-public", "alice-public"]


def test_v1_admins_get_the_ordinary_list_by_default(mixed):
    assert names(v1_list(mixed, NOAUTH)) == ["bob-public", "alice-public"]
    assert names(v1_list(mixed, ADMIN)) == ["ops-shared", "bob-public", "alice-public"]


def test_v1_is_public_none_shows_admins_everything(mixed):
    assert len(v1_list(mixed, NOAUTH, {"is_public": "None"})) == 12


def test_v1_is_public_none_gives_others_their_ordinary_list(mixed):
    assert v1_list(mixed, BOB, {"is_public": "none"}) == v1_list(mixed, BOB)


def test_v1_is_public_true_shows_the_public_images(mixed):
    assert names(v1_list(mixed, BOB, {"is_public": "TRUE"})) == ["bob-public", "alice-public"]


def test_v1_is_public_false_narrows_to_the_others(mixed):
    assert names(v1_list(mixed, BOB, {"is_public": "false"})) == [
        "bob-rejected", "bob-accepted", "bob-pending", "bob-community", "bob-private",
        "bob-shared"]


def test_v1_is_public_false_shows_admins_every_non_public_image(mixed):
    assert len(v1_list(mixed, NOAUTH, {"is_public": "false"})) == 10


def test_v1_is_public_false_shows_anonymous_callers_nothing(mixed):
    assert v1_list(mixed, ANON, {"is_public": "false"}) == []


def test_a_bad_is_public_is_invalid(mixed):
    with pytest.raises(exception.Invalid, match="is_public"):
        v1_list(mixed, ALICE, {"is_public": "maybe"})


def test_v1_ignores_os_hidden(registry):
    make(registry, ALICE, "hidden", os_hidden=True)
    assert names(v1_list(registry, ALICE)) == ["hidden"]


def test_every_status_but_deleted_is_listed(registry):
    for status in ("queued", "saving", "active", "killed", "deactivated", "uploading",
                   "importing"):
        make(registry, ALICE, status, status=status)
    assert len(v1_list(registry, ALICE)) == 7


# -- v1: changes-since ----------------------------------------------------------------

def test_changes_since_shows_changes_strictly_after_deleted_ones_included(registry, clock):
    old = make(registry, ALICE, "old")
    clock.tick(10)
    gone = make(registry, ALICE, "gone")
    changed = make(registry, ALICE, "changed")
    clock.tick(10)
    registry.update_image(ALICE, changed["id"], {"min_ram": 1})
    registry.delete_image(ALICE, gone["id"])
    found = v1_list(registry, ALICE, {"changes-since": "2024-05-01T12:00:10Z"}, True)
    assert sorted(names(found)) == ["changed", "gone"]
    deleted = [image for image in found if image["name"] == "gone"][0]
    assert (deleted["status"], deleted["deleted"]) == ("deleted", True)
    assert old["id"] not in ids(found)
    assert v1_list(registry, ALICE, {"changes-since": "2024-05-01T14:00:20+02:00"}) == []


@pytest.mark.parametrize("value", ["yesterday", "2024-13-01", ""])
def test_an_unparsable_changes_since_is_invalid(registry, value):
    with pytest.raises(exception.Invalid, match="Unrecognized changes-since value"):
        v1_list(registry, ALICE, {"changes-since": value})


# -- v1: filters ----------------------------------------------------------------------

@pytest.mark.parametrize("field,match,other", [
    ("name", "ubuntu", "Ubuntu"), ("status", "queued", "active"),
    ("disk_format", "qcow2", "raw"), ("container_format", "ovf", "bare"),
    ("type", "kernel", "machine"), ("min_disk", 5, 6), ("min_ram", 512, 0),
    ("protected", True, False)])
def test_exact_filters(registry, field, match, other):
    wanted = registry.create_image(as_service(ALICE), {field: match})
    registry.create_image(as_service(ALICE), {field: other})
    text = str(match).lower() if isinstance(match, bool) else str(match)
    assert ids(v1_list(registry, ALICE, {field: text})) == [wanted["id"]]


def test_size_min_and_size_max_are_inclusive_and_skip_unknown_sizes(registry):
    for size in (9, 10, 15, 20, 21, None):
        make(registry, ALICE, str(size), size=size)
    found = v1_list(registry, ALICE, {"size_min": "10", "size_max": "20"}, True)
    assert sorted(image["size"] for image in found) == [10, 15, 20]


@pytest.mark.parametrize("param", ["size_min", "size_max", "min_disk"])
@pytest.mark.parametrize("value", ["x", "-1", "1.5", "", str(2**63)])
def test_non_integer_filters_are_invalid(registry, param, value):
    with pytest.raises(exception.Invalid, match=param):
        v1_list(registry, ALICE, {param: value})


def test_property_filters_match_exactly(registry):
    wanted = make(registry, ALICE, "a", properties={"distro": "ubuntu"})
    make(registry, ALICE, "b", properties={"distro": "Ubuntu"})
    make(registry, ALICE, "c", properties={"other": "ubuntu"})
    assert ids(v1_list(registry, ALICE, {"property-distro": "ubuntu"})) == [wanted["id"]]


def test_v1_property_filter_keys_are_normalised_like_headers(registry):
    wanted = make(registry, ALICE, "a", properties={"os_distro": "ubuntu"})
    assert ids(v1_list(registry, ALICE, {"Property-OS-Distro": "ubuntu"})) == [wanted["id"]]


def test_several_property_filters_must_all_match(registry):
    wanted = make(registry, ALICE, "a", properties={"a": "1", "b": "2"})
    make(registry, ALICE, "b", properties={"a": "1", "b": "3"})
    assert ids(v1_list(registry, ALICE, {"property-a": "1", "property-b": "2"})) == [
        wanted["id"]]


@pytest.mark.parametrize("key", ["property-", "property-a:b"])
def test_a_bad_property_filter_key_is_invalid(registry, key):
    with pytest.raises(exception.Invalid, match="property"):
        v1_list(registry, ALICE, {key: "x"})


def test_a_filter_value_that_is_not_unicode_is_invalid(registry):
    with pytest.raises(exception.Invalid, match="name"):
        v1_list(registry, ALICE, {"name": "\ud800"})


def test_v1_unknown_parameters_are_ignored(registry):
    image = make(registry, ALICE, "a")
    assert ids(v1_list(registry, ALICE, {"colour": "blue"})) == [image["id"]]


# -- v2: which images (CONTRACT §4 Lists) ----------------------------------------------

def test_v2_default_is_public_own_and_accepted_shares(mixed):
    assert names(v2_list(mixed, ALICE)) == [
        "bob-accepted", "bob-public", "alice-community", "alice-private", "alice-shared",
        "alice-public"]


@pytest.mark.parametrize("status,shared", [("pending", ["bob-pending"]),
                                           ("rejected", ["bob-rejected"]),
                                           ("all", ["bob-rejected", "bob-accepted",
                                                    "bob-pending"])])
def test_v2_member_status_chooses_the_shares(mixed, status, shared):
    found = names(v2_list(mixed, ALICE, [("member_status", status)]))
    assert [name for name in found if name.startswith("bob-") and name != "bob-public"] \
        == shared


def test_v2_admins_see_every_image(mixed):
    assert len(v2_list(mixed, NOAUTH)) == 12


@pytest.mark.parametrize("visibility,expected", [
    ("public", ["bob-public", "alice-public"]),
    ("private", ["alice-private"]),
    ("shared", ["bob-accepted", "alice-shared"]),
    ("community", ["bob-community", "alice-community"]),
])
def test_v2_visibility_filters(mixed, visibility, expected):
    assert names(v2_list(mixed, ALICE, [("visibility", visibility)])) == expected


def test_v2_visibility_all_adds_community_images(mixed):
    assert names(v2_list(mixed, ALICE, [("visibility", "all")])) == [
        "bob-accepted", "bob-community", "bob-public", "alice-community", "alice-private",
        "alice-shared", "alice-public"]


def test_v2_hides_hidden_images_unless_asked(registry):
    make(registry, ALICE, "seen")
    make(registry, ALICE, "hidden", os_hidden=True)
    assert names(v2_list(registry, ALICE)) == ["seen"]
    assert names(v2_list(registry, ALICE, [("os_hidden", "True")])) == ["hidden"]


def test_v2_tags_must_all_match(registry):
    both = make(registry, ALICE, "both", tags=["a", "b"])
    make(registry, ALICE, "one", tags=["a"])
    assert ids(v2_list(registry, ALICE, [("tag", "a"), ("tag", "b")])) == [both["id"]]


def test_v2_owner_and_custom_property_filters(registry):
    wanted = make(registry, ALICE, "a", visibility="public", properties={"hw_disk_bus": "virtio"})
    make(registry, BOB, "b", visibility="public", properties={"hw_disk_bus": "virtio"})
    make(registry, ALICE, "c", visibility="public")
    assert ids(v2_list(registry, CAROL, [("owner", "alice"), ("hw_disk_bus", "virtio")])) == [
        wanted["id"]]


def test_v2_time_filters(registry, clock):
    first = make(registry, ALICE, "first")
    clock.tick(60)
    second = make(registry, ALICE, "second")
    at = second["created_at"]
    for op, expected in (("gt", []), ("gte", [second]), ("lt", [first]), ("lte", [second, first]),
                         ("eq", [second]), ("neq", [first])):
        assert ids(v2_list(registry, ALICE, [("created_at", f"{op}:{at}Z")])) == ids(expected)


@pytest.mark.parametrize("pairs", [[("visibility", "everyone")], [("member_status", "maybe")],
                                   [("created_at", "after:2024-01-01")],
                                   [("updated_at", "gt:tomorrow")], [("sort_key", "owner")],
                                   [("sort", "name"), ("sort_key", "name")], [("limit", "-1")],
                                   [("sort_key", "name"), ("sort_dir", "asc"),
                                    ("sort_dir", "desc"), ("sort_dir", "asc")],
                                   [("tag", "a/b")], [("marker", "abc")]])
def test_v2_bad_parameters_are_invalid(registry, pairs):
    with pytest.raises(exception.Invalid):
        v2_list(registry, ALICE, pairs)


# -- order ------------------------------------------------------------------------------

def test_default_order_is_newest_first(registry, clock):
    make(registry, ALICE, "older")
    clock.tick()
    make(registry, ALICE, "newer")
    assert names(v1_list(registry, ALICE)) == ["newer", "older"]


def test_ties_in_created_at_fall_back_to_id_descending(registry):
    made = [make(registry, ALICE, str(n)) for n in range(3)]
    assert ids(v1_list(registry, ALICE)) == sorted(ids(made), reverse=True)


def test_sort_by_name_ascending_puts_nulls_first(registry):
    for name in ("b", None, "a", ""):
        make(registry, ALICE, name)
    assert names(v1_list(registry, ALICE, {"sort_key": "name", "sort_dir": "asc"})) == [
        None, "", "a", "b"]


def test_sort_by_size_puts_unknown_sizes_first(registry):
    for size in (5, None, 0, 3):
        make(registry, ALICE, str(size), size=size)
    assert names(v1_list(registry, ALICE, {"sort_key": "size", "sort_dir": "asc"})) == [
        "None", "0", "3", "5"]


def test_ties_in_the_sort_key_fall_back_to_created_at_then_id(registry, clock):
    first = make(registry, ALICE, "1", size=1)
    clock.tick()
    later = sorted(ids([make(registry, ALICE, "2", size=1), make(registry, ALICE, "3", size=1)]))
    assert ids(v1_list(registry, ALICE, {"sort_key": "size", "sort_dir": "asc"})) == [
        first["id"]] + later


def test_uri_sorts_as_id(registry, clock):
    made = [make(registry, ALICE, str(n)) for n in range(3)]
    assert ids(v1_list(registry, ALICE, {"sort_key": "uri", "sort_dir": "asc"})) == sorted(
        ids(made))


def test_is_public_sorts_private_first(registry, clock):
    make(registry, ALICE, "public", visibility="public")
    make(registry, ALICE, "shared")
    assert names(v1_list(registry, ALICE, {"sort_key": "is_public", "sort_dir": "asc"})) == [
        "shared", "public"]


@pytest.mark.parametrize("key", sorted(query.SORT_KEYS))
def test_every_sort_key_sorts_for_admins(registry, key):
    make(registry, ADMIN, "x")
    assert len(v1_list(registry, ADMIN, {"sort_key": key, "is_public": "none"})) == 1


def test_location_is_not_sortable_for_non_admins(registry):
    with pytest.raises(exception.Invalid, match="sort_key"):
        v1_list(registry, ALICE, {"sort_key": "location"})


@pytest.mark.parametrize("key", ["properties", "colour", "", "deleted", "tags"])
def test_unsortable_keys_are_invalid(registry, key):
    with pytest.raises(exception.Invalid, match="sort_key"):
        v1_list(registry, ALICE, {"sort_key": key})


@pytest.mark.parametrize("direction", ["up", "", "ascending"])
def test_bad_sort_dirs_are_invalid(registry, direction):
    with pytest.raises(exception.Invalid, match="sort_dir"):
        v1_list(registry, ALICE, {"sort_dir": direction})


def test_several_sort_keys_with_their_own_directions(registry, clock):
    for name, size in (("a", 1), ("b", 2), ("a", 2), ("b", 1)):
        make(registry, ALICE, name, size=size)
        clock.tick()
    found = v2_list(registry, ALICE, [("sort", "name:asc,size:desc")])
    assert [(image["name"], image["size"]) for image in found] == [
        ("a", 2), ("a", 1), ("b", 2), ("b", 1)]


def test_pages_of_a_mixed_direction_order_walk_the_whole_list(registry, clock):
    for n in range(9):
        make(registry, ALICE, "abc"[n % 3], size=n % 2)
        clock.tick(n % 2)
    whole = v2_list(registry, ALICE, [("sort", "name:asc,size:desc"), ("limit", "100")])
    walked, marker = [], None
    while True:
        pairs = [("sort", "name:asc,size:desc"), ("limit", "2")]
        page = v2_list(registry, ALICE, pairs + ([("marker", marker)] if marker else []))
        walked += page
        if len(page) < 2:
            break
        marker = page[-1]["id"]
    assert ids(walked) == ids(whole) and len(whole) == 9


# -- limit and marker -----------------------------------------------------------------

def create_many(registry, clock, count):
    for n in range(count):
        make(registry, ALICE, str(n), visibility="public")
        clock.tick()


def test_the_default_limit_is_25(registry, clock):
    create_many(registry, clock, 30)
    assert len(v1_list(registry, ANON)) == 25


def test_limits_above_1000_are_clamped(registry, clock):
    create_many(registry, clock, 1001)
    assert len(v1_list(registry, ANON, {"limit": "5000"})) == 1000


def test_limit_zero_gives_an_empty_list(registry):
    make(registry, ALICE, "a")
    assert v1_list(registry, ALICE, {"limit": "0"}) == []


@pytest.mark.parametrize("value", ["-1", "abc", "", "2.5", str(2**64)])
def test_bad_limits_are_invalid(registry, value):
    with pytest.raises(exception.Invalid, match="limit"):
        v1_list(registry, ALICE, {"limit": value})


def test_the_next_page_starts_after_the_marker(registry, clock):
    create_many(registry, clock, 5)
    marker = v1_list(registry, ALICE)[1]["id"]
    assert names(v1_list(registry, ALICE, {"limit": "2", "marker": marker})) == ["2", "1"]


def test_the_last_page_ends_the_list(registry, clock):
    create_many(registry, clock, 3)
    assert v1_list(registry, ALICE, {"marker": v1_list(registry, ALICE)[-1]["id"]}) == []


def test_a_marker_excluded_by_the_filters_is_still_valid(registry, clock):
    made = []
    for size in (1, 2, 1, 2):
        made.append(make(registry, ALICE, str(len(made)), size=size))
        clock.tick()
    assert names(v1_list(registry, ALICE, {"size_max": "1", "marker": made[3]["id"]})) == [
        "2", "0"]


def test_a_marker_with_a_null_sort_value_works(registry, clock):
    made = []
    for name in (None, "a", None):
        made.append(make(registry, ALICE, name))
        clock.tick()
    page = v1_list(registry, ALICE, {"sort_key": "name", "sort_dir": "asc",
                                     "marker": made[0]["id"]})
    assert ids(page) == [made[2]["id"], made[1]["id"]]


def test_a_marker_is_checked_even_with_limit_zero(registry):
    with pytest.raises(exception.Invalid, match="marker"):
        v1_list(registry, ALICE, {"limit": "0", "marker": "99"})


@pytest.mark.parametrize("marker", ["abc", "0", "-1", "", "1.0", str(2**64)])
def test_non_id_markers_are_invalid(registry, marker):
    with pytest.raises(exception.Invalid, match="marker"):
        v1_list(registry, ALICE, {"marker": marker})


def test_missing_deleted_and_invisible_markers_are_invalid_alike(registry):
    deleted = make(registry, ALICE, "d")
    registry.delete_image(ALICE, deleted["id"])
    invisible = make(registry, BOB, "b")
    for marker in ("99", deleted["id"], invisible["id"]):
        with pytest.raises(exception.Invalid, match="marker"):
            v1_list(registry, ALICE, {"marker": marker})


def test_a_deleted_marker_is_valid_in_a_list_of_changes(registry, clock):
    made = []
    for n in range(3):
        made.append(make(registry, ALICE, str(n)))
        clock.tick()
    registry.delete_image(ALICE, made[1]["id"])
    page = v1_list(registry, ALICE, {"changes-since": "2000-01-01", "marker": made[1]["id"]})
    assert names(page) == ["0"]


def test_admins_may_use_any_image_as_marker(mixed):
    marker = listed(mixed, NOAUTH, scope=("all",), equal={"name": "bob-private"})[0]["id"]
    assert names(v1_list(mixed, NOAUTH, {"marker": marker})) == ["bob-public", "alice-public"]


# -- entries ------------------------------------------------------------------------------

def test_brief_entries_have_exactly_the_brief_keys(registry):
    make(registry, ADMIN, "a", properties={"k": "v"}, location="file:///x")
    assert set(v1_list(registry, ADMIN)[0]) == {
        "id", "name", "type", "disk_format", "container_format", "checksum", "size"}


def test_detailed_entries_are_full_images(registry):
    created = make(registry, ALICE, "a", properties={"k": "v"}, tags=["t"])
    assert v1_list(registry, as_service(ALICE), detailed=True) == [created]


def test_location_is_hidden_in_non_admin_detail_lists(registry):
    make(registry, ALICE, "a", location="file:///x")
    assert "location" not in v1_list(registry, ALICE, detailed=True)[0]


# -- the query's own fields -----------------------------------------------------------

@pytest.mark.parametrize("fields", [{"scope": ("everyone",)}, {"scope": ()},
                                   {"member_status": "maybe"}, {"visibility": ("x",)},
                                   {"equal": {"uri": "x"}}, {"ranges": {"name_min": 1}},
                                   {"times": (("deleted_at", "gt", "x"),)},
                                   {"sort": (("name", "up"),)}, {"sort": ()}, {"limit": -1}])
def test_a_query_that_means_nothing_is_invalid(fields):
    with pytest.raises(exception.Invalid):
        query.ImageQuery(**fields)


def test_the_all_scope_never_shows_a_caller_what_it_may_not_see(mixed):
    found = names(listed(mixed, ALICE, scope=("all",), limit=100))
    assert "bob-private" not in found and "ops-shared" not in found
    assert "bob-community" in found and "bob-pending" in found
