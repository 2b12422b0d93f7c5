"""ImageRegistry.list_images: which images, in which order, which page."""

import pytest

from glance.common import exception
from tests.registry.helpers import ADMIN, ALICE, ANON, BOB, NOAUTH, ids

BRIEF_KEYS = {"id", "name", "type", "disk_format", "container_format", "checksum", "size"}


@pytest.fixture
def mixed(registry, clock):
    """1 alice public, 2 alice private, 3 bob public, 4 bob private, 5 ops private."""
    for context, public in ((ALICE, True), (ALICE, False), (BOB, True), (BOB, False),
                            (ADMIN, False)):
        registry.create_image(context, {"is_public": public})
        clock.tick()
    return registry


def create_many(registry, clock, count, **values):
    for _ in range(count):
        registry.create_image(ALICE, dict(values, is_public=True))
        clock.tick()


# -- which images ------------------------------------------------------------

def test_a_tenant_sees_public_and_own_private_images(mixed):
    assert ids(mixed.list_images(ALICE, {}, False)) == [3, 2, 1]


def test_anonymous_callers_see_only_public_images(mixed):
    assert ids(mixed.list_images(ANON, {}, False)) == [3, 1]


def test_an_admin_without_tenant_sees_only_public_images_by_default(mixed):
    assert ids(mixed.list_images(NOAUTH, {}, False)) == [3, 1]


def test_an_admin_sees_public_and_own_private_images_by_default(mixed):
    assert ids(mixed.list_images(ADMIN, {}, False)) == [5, 3, 1]


def test_is_public_false_shows_own_private_images(mixed):
    assert ids(mixed.list_images(BOB, {"is_public": "false"}, False)) == [4]


def test_is_public_false_shows_admins_every_private_image(mixed):
    assert ids(mixed.list_images(NOAUTH, {"is_public": "false"}, False)) == [5, 4, 2]


def test_is_public_false_shows_anonymous_callers_nothing(mixed):
    assert mixed.list_images(ANON, {"is_public": "false"}, False) == []


def test_is_public_true_shows_only_public_images(mixed):
    assert ids(mixed.list_images(ALICE, {"is_public": "TRUE"}, False)) == [3, 1]


def test_is_public_none_shows_admins_everything(mixed):
    assert ids(mixed.list_images(NOAUTH, {"is_public": "none"}, False)) == [5, 4, 3, 2, 1]


def test_is_public_none_is_forbidden_to_non_admins(mixed):
    with pytest.raises(exception.Forbidden):
        mixed.list_images(ALICE, {"is_public": "none"}, False)


def test_a_bad_is_public_is_invalid(mixed):
    with pytest.raises(exception.Invalid, match="is_public"):
        mixed.list_images(ALICE, {"is_public": "maybe"}, False)


def test_every_status_is_listed(registry):
    for status in ("queued", "saving", "active", "killed"):
        registry.create_image(ALICE, {"status": status})
    assert len(registry.list_images(ALICE, {}, False)) == 4


# -- entries -----------------------------------------------------------------

def test_brief_entries_have_exactly_the_brief_keys(registry):
    registry.create_image(ADMIN, {"properties": {"k": "v"}, "location": "file:///x"})
    assert set(registry.list_images(ADMIN, {}, False)[0]) == BRIEF_KEYS


def test_detailed_entries_are_full_images(registry):
    created = registry.create_image(ALICE, {"name": "a", "properties": {"k": "v"}})
    assert registry.list_images(ALICE, {}, True) == [created]


# -- filters -----------------------------------------------------------------

@pytest.mark.parametrize("field,match,other", [
    ("name", "ubuntu", "Ubuntu"), ("status", "queued", "active"),
    ("disk_format", "qcow2", "raw"), ("container_format", "ovf", "bare"),
    ("type", "kernel", "machine")])
def test_equality_filters_match_exactly(registry, field, match, other):
    registry.create_image(ALICE, {field: match})
    registry.create_image(ALICE, {field: other})
    assert ids(registry.list_images(ALICE, {field: match}, False)) == [1]


def test_size_min_and_size_max_are_inclusive(registry):
    for size in (9, 10, 15, 20, 21):
        registry.create_image(ALICE, {"size": size})
    found = registry.list_images(ALICE, {"size_min": "10", "size_max": "20"}, True)
    assert sorted(image["size"] for image in found) == [10, 15, 20]


@pytest.mark.parametrize("param", ["size_min", "size_max"])
@pytest.mark.parametrize("value", ["x", "-1", "1.5", "", str(2**63)])
def test_non_integer_sizes_are_invalid(registry, param, value):
    with pytest.raises(exception.Invalid, match=param):
        registry.list_images(ALICE, {param: value}, False)


def test_property_filters_match_exactly(registry):
    registry.create_image(ALICE, {"properties": {"distro": "ubuntu"}})
    registry.create_image(ALICE, {"properties": {"distro": "Ubuntu"}})
    registry.create_image(ALICE, {"properties": {"other": "ubuntu"}})
    assert ids(registry.list_images(ALICE, {"property-distro": "ubuntu"}, False)) == [1]


def test_property_filter_keys_are_normalised_like_headers(registry):
    registry.create_image(ALICE, {"properties": {"os_distro": "ubuntu"}})
    assert ids(registry.list_images(ALICE, {"Property-OS-Distro": "ubuntu"}, False)) == [1]


def test_several_property_filters_must_all_match(registry):
    registry.create_image(ALICE, {"properties": {"a": "1", "b": "2"}})
    registry.create_image(ALICE, {"properties": {"a": "1", "b": "3"}})
    assert ids(registry.list_images(ALICE, {"property-a": "1", "property-b": "2"}, False)) == [1]


def test_a_bad_property_filter_key_is_invalid(registry):
    with pytest.raises(exception.Invalid, match="property"):
        registry.list_images(ALICE, {"property-": "x"}, False)


def test_filter_names_are_normalised(registry):
    registry.create_image(ALICE, {"disk_format": "raw"})
    registry.create_image(ALICE, {"disk_format": "iso"})
    assert ids(registry.list_images(ALICE, {"Disk-Format": "iso"}, False)) == [2]


def test_a_filter_value_that_is_not_unicode_is_invalid(registry):
    with pytest.raises(exception.Invalid, match="name"):
        registry.list_images(ALICE, {"name": "\ud800"}, False)


def test_non_string_parameter_values_are_read_as_text(registry):
    registry.create_image(ALICE, {"size": 3})
    assert ids(registry.list_images(ALICE, {"size_min": 3, "limit": 1}, False)) == [1]


def test_unknown_parameters_are_ignored(registry):
    registry.create_image(ALICE, {})
    assert ids(registry.list_images(ALICE, {"colour": "blue"}, False)) == [1]


def test_filters_combine_with_visibility(mixed):
    assert ids(mixed.list_images(BOB, {"status": "active"}, False)) == [4, 3, 1]


# -- order -------------------------------------------------------------------

def test_default_order_is_newest_first(registry, clock):
    registry.create_image(ALICE, {"id": 10})
    clock.tick()
    registry.create_image(ALICE, {"id": 5})
    assert ids(registry.list_images(ALICE, {}, False)) == [5, 10]


def test_ties_in_created_at_fall_back_to_id_descending(registry):
    for _ in range(3):
        registry.create_image(ALICE, {})
    assert ids(registry.list_images(ALICE, {}, False)) == [3, 2, 1]


def test_sort_by_name_ascending_puts_nulls_first(registry):
    for name in ("b", None, "a", ""):
        registry.create_image(ALICE, {"name": name})
    assert ids(registry.list_images(ALICE, {"sort_key": "name", "sort_dir": "asc"}, False)) == [
        2, 4, 3, 1]


def test_sort_by_name_descending_puts_nulls_last(registry):
    for name in ("b", None, "a", ""):
        registry.create_image(ALICE, {"name": name})
    assert ids(registry.list_images(ALICE, {"sort_key": "name"}, False)) == [1, 3, 4, 2]


def test_sort_by_size(registry):
    for size in (5, 1, 3):
        registry.create_image(ALICE, {"size": size})
    assert ids(registry.list_images(ALICE, {"sort_key": "size", "sort_dir": "asc"}, False)) == [
        2, 3, 1]


def test_ties_in_the_sort_key_fall_back_to_created_at_then_id(registry, clock):
    registry.create_image(ALICE, {"size": 1})
    clock.tick()
    registry.create_image(ALICE, {"size": 1})
    registry.create_image(ALICE, {"size": 1})
    assert ids(registry.list_images(ALICE, {"sort_key": "size", "sort_dir": "asc"}, False)) == [
        1, 2, 3]


def test_uri_sorts_as_id(registry, clock):
    registry.create_image(ALICE, {"id": 5})
    clock.tick()
    registry.create_image(ALICE, {"id": 3})
    assert ids(registry.list_images(ALICE, {"sort_key": "uri", "sort_dir": "asc"}, False)) == [
        3, 5]


@pytest.mark.parametrize("key", ["id", "name", "type", "disk_format", "container_format", "size",
                                 "checksum", "status", "is_public", "owner", "created_at",
                                 "updated_at", "store", "uri", "location"])
def test_every_core_field_sorts_for_admins(registry, key):
    registry.create_image(ADMIN, {})
    assert len(registry.list_images(ADMIN, {"sort_key": key}, False)) == 1


def test_location_is_not_sortable_for_non_admins(registry):
    with pytest.raises(exception.Invalid, match="sort_key"):
        registry.list_images(ALICE, {"sort_key": "location"}, False)


@pytest.mark.parametrize("key", ["properties", "colour", "", "deleted"])
def test_unsortable_keys_are_invalid(registry, key):
    with pytest.raises(exception.Invalid, match="sort_key"):
        registry.list_images(ALICE, {"sort_key": key}, False)


@pytest.mark.parametrize("direction", ["up", "", "ascending"])
def test_bad_sort_dirs_are_invalid(registry, direction):
    with pytest.raises(exception.Invalid, match="sort_dir"):
        registry.list_images(ALICE, {"sort_dir": direction}, False)


def test_sort_dir_is_case_insensitive(registry):
    registry.create_image(ALICE, {})
    registry.create_image(ALICE, {})
    assert ids(registry.list_images(ALICE, {"sort_dir": "ASC"}, False)) == [1, 2]


# -- limit and marker ----------------------------------------------------------

def test_the_default_limit_is_25(registry, clock):
    create_many(registry, clock, 30)
    assert len(registry.list_images(ANON, {}, False)) == 25


def test_limits_above_1000_are_clamped(registry, clock):
    create_many(registry, clock, 1001)
    assert len(registry.list_images(ANON, {"limit": "5000"}, False)) == 1000


def test_limit_zero_gives_an_empty_list(registry):
    registry.create_image(ALICE, {})
    assert registry.list_images(ALICE, {"limit": "0"}, False) == []


@pytest.mark.parametrize("value", ["-1", "abc", "", "2.5", str(2**64)])
def test_bad_limits_are_invalid(registry, value):
    with pytest.raises(exception.Invalid, match="limit"):
        registry.list_images(ALICE, {"limit": value}, False)


def test_the_next_page_starts_after_the_marker(registry, clock):
    create_many(registry, clock, 5)
    assert ids(registry.list_images(ALICE, {"limit": "2", "marker": "4"}, False)) == [3, 2]


def test_the_last_page_ends_the_list(registry, clock):
    create_many(registry, clock, 3)
    assert registry.list_images(ALICE, {"marker": "1"}, False) == []


def test_a_marker_excluded_by_the_filters_is_still_valid(registry, clock):
    for size in (1, 2, 1, 2):
        registry.create_image(ALICE, {"size": size})
        clock.tick()
    assert ids(registry.list_images(ALICE, {"size_max": "1", "marker": "4"}, False)) == [3, 1]


def test_a_marker_works_with_a_sort_key(registry):
    for name in ("c", "a", "b"):
        registry.create_image(ALICE, {"name": name})
    page = registry.list_images(ALICE, {"sort_key": "name", "sort_dir": "asc", "marker": "2"},
                                False)
    assert ids(page) == [3, 1]


def test_a_marker_with_a_null_sort_value_works(registry):
    for name in (None, "a", None):
        registry.create_image(ALICE, {"name": name})
    page = registry.list_images(ALICE, {"sort_key": "name", "sort_dir": "asc", "marker": "1"},
                                False)
    assert ids(page) == [3, 2]


def test_a_marker_is_checked_even_with_limit_zero(registry):
    with pytest.raises(exception.Invalid, match="marker"):
        registry.list_images(ALICE, {"limit": "0", "marker": "99"}, False)


@pytest.mark.parametrize("marker", ["abc", "0", "-1", "", "1.0", str(2**64)])
def test_non_id_markers_are_invalid(registry, marker):
    registry.create_image(ALICE, {})
    with pytest.raises(exception.Invalid, match="marker"):
        registry.list_images(ALICE, {"marker": marker}, False)


def test_a_missing_marker_is_invalid(registry):
    with pytest.raises(exception.Invalid, match="marker"):
        registry.list_images(ALICE, {"marker": "99"}, False)


def test_a_deleted_marker_is_invalid(registry):
    registry.create_image(ALICE, {})
    registry.delete_image(ALICE, 1)
    with pytest.raises(exception.Invalid, match="marker"):
        registry.list_images(ALICE, {"marker": "1"}, False)


def test_an_invisible_marker_is_invalid(registry):
    registry.create_image(BOB, {})
    with pytest.raises(exception.Invalid, match="marker"):
        registry.list_images(ALICE, {"marker": "1"}, False)


def test_admins_may_use_any_image_as_marker(mixed):
    assert ids(mixed.list_images(NOAUTH, {"marker": "4"}, False)) == [3, 1]
