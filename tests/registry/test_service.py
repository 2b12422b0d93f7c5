"""ImageRegistry: create, read, update, delete, visibility and validation."""

import re

import pytest

from glance.common import exception
from tests.registry.helpers import ADMIN, ALICE, ANON, BOB, NOAUTH, SERVICE

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\Z")
FULL_KEYS = {"id", "name", "type", "disk_format", "container_format", "size", "checksum",
             "os_hash_algo", "os_hash_value", "store", "location", "status", "is_public",
             "owner", "created_at", "updated_at", "deleted_at", "deleted", "properties"}


# -- create ----------------------------------------------------------------

def test_ids_are_assigned_from_one_upwards(registry):
    assert [registry.create_image(ALICE, {})["id"] for _ in range(3)] == [1, 2, 3]


def test_create_defaults(registry):
    image = registry.create_image(ALICE, {})
    assert (image["status"], image["size"], image["is_public"], image["properties"],
            image["checksum"], image["deleted"], image["deleted_at"]) == (
        "active", 0, False, {}, None, False, None)


def test_create_returns_every_full_key_to_an_admin(registry):
    assert set(registry.create_image(ADMIN, {})) == FULL_KEYS


def test_owner_is_the_callers_tenant(registry):
    assert registry.create_image(ALICE, {})["owner"] == "alice"


def test_owner_of_an_anonymous_create_is_null(registry):
    assert registry.create_image(ANON, {})["owner"] is None


def test_created_at_equals_updated_at_at_creation(registry):
    image = registry.create_image(ALICE, {})
    assert image["created_at"] == image["updated_at"] == "2024-05-01T12:00:00"


def test_timestamps_have_the_contract_format(registry):
    assert TIMESTAMP.match(registry.create_image(ALICE, {})["created_at"])


def test_a_chosen_id_is_kept(registry):
    assert registry.create_image(ALICE, {"id": 42})["id"] == 42


def test_a_taken_id_is_duplicate(registry):
    registry.create_image(ALICE, {"id": 7})
    with pytest.raises(exception.Duplicate, match="7"):
        registry.create_image(BOB, {"id": 7})


def test_the_id_of_a_deleted_image_stays_taken(registry):
    registry.create_image(ALICE, {"id": 7})
    registry.delete_image(ALICE, 7)
    with pytest.raises(exception.Duplicate):
        registry.create_image(ALICE, {"id": 7})


def test_ids_are_never_reused(registry):
    registry.create_image(ALICE, {})
    registry.delete_image(ALICE, 1)
    assert registry.create_image(ALICE, {})["id"] == 2


def test_assigned_ids_continue_above_a_chosen_one(registry):
    registry.create_image(ALICE, {"id": 100})
    assert registry.create_image(ALICE, {})["id"] == 101


@pytest.mark.parametrize("bad", [0, -1, True, "5", 1.0, 2**63])
def test_a_bad_chosen_id_is_invalid(registry, bad):
    with pytest.raises(exception.Invalid, match="id"):
        registry.create_image(ALICE, {"id": bad})


def test_the_largest_id_is_accepted(registry):
    assert registry.create_image(ALICE, {"id": 2**63 - 1})["id"] == 2**63 - 1


def test_after_the_largest_id_assigning_one_is_a_conflict(registry):
    registry.create_image(ALICE, {"id": 2**63 - 1})
    with pytest.raises(exception.Conflict, match="ids"):
        registry.create_image(ALICE, {})


def test_a_null_id_means_assign_one(registry):
    assert registry.create_image(ALICE, {"id": None})["id"] == 1


def test_trusted_fields_are_stored(registry):
    values = {"status": "saving", "size": 5 << 32, "checksum": "ab" * 16,
              "os_hash_algo": "sha512", "os_hash_value": "cd" * 64,
              "location": "file:///var/x", "store": "file"}
    image = registry.create_image(ADMIN, values)
    assert {key: image[key] for key in values} == values


@pytest.mark.parametrize("key,sent,expected", [
    ("deleted", True, False),
    ("deleted_at", "2001-01-01T00:00:00", None),
    ("created_at", "2001-01-01T00:00:00", "2024-05-01T12:00:00"),
    ("updated_at", "2001-01-01T00:00:00", "2024-05-01T12:00:00"),
    ("owner", "mallory", "alice"),
])
def test_registry_controlled_fields_are_ignored(registry, key, sent, expected):
    assert registry.create_image(ALICE, {key: sent})[key] == expected


def test_a_sent_uri_is_ignored(registry):
    assert "uri" not in registry.create_image(ALICE, {"uri": "http://h/images/1"})


# -- location --------------------------------------------------------------

def test_location_is_hidden_from_non_admins(registry):
    assert "location" not in registry.create_image(ALICE, {"location": "file:///x"})


def test_location_is_shown_to_admins(registry):
    image = registry.create_image(ALICE, {"location": "file:///x"})
    assert registry.get_image(ADMIN, image["id"])["location"] == "file:///x"


def test_location_is_shown_to_services(registry):
    image = registry.create_image(ALICE, {"location": "file:///x"})
    assert registry.get_image(SERVICE, image["id"])["location"] == "file:///x"


def test_location_is_hidden_in_non_admin_detail_lists(registry):
    registry.create_image(ALICE, {"location": "file:///x"})
    assert "location" not in registry.list_images(ALICE, {}, True)[0]


# -- get -------------------------------------------------------------------

def test_get_returns_the_image(registry):
    created = registry.create_image(ALICE, {"name": "a", "properties": {"k": "v"}})
    assert registry.get_image(ALICE, created["id"]) == created


def test_get_of_a_missing_image_is_not_found(registry):
    with pytest.raises(exception.NotFound):
        registry.get_image(ALICE, 1)


def test_get_of_a_deleted_image_is_not_found(registry):
    registry.create_image(ALICE, {})
    registry.delete_image(ALICE, 1)
    with pytest.raises(exception.NotFound):
        registry.get_image(ADMIN, 1)


def test_get_of_another_tenants_private_image_is_not_found(registry):
    registry.create_image(ALICE, {})
    with pytest.raises(exception.NotFound):
        registry.get_image(BOB, 1)


def test_anonymous_callers_do_not_see_private_images(registry):
    registry.create_image(ANON, {})
    with pytest.raises(exception.NotFound):
        registry.get_image(ANON, 1)


def test_anyone_gets_a_public_image(registry):
    registry.create_image(ALICE, {"is_public": True})
    assert registry.get_image(ANON, 1)["id"] == 1


def test_admins_get_any_private_image(registry):
    registry.create_image(ALICE, {})
    assert registry.get_image(NOAUTH, 1)["owner"] == "alice"


@pytest.mark.parametrize("bad", ["abc", "0", "-1", str(2**64), True, 0, "1.0", "../1"])
def test_ids_that_name_no_image_are_not_found(registry, bad):
    registry.create_image(ALICE, {})
    with pytest.raises(exception.NotFound):
        registry.get_image(ALICE, bad)


def test_a_decimal_string_id_is_accepted(registry):
    registry.create_image(ALICE, {})
    assert registry.get_image(ALICE, "1")["id"] == 1


def test_reads_do_not_change_updated_at(registry, clock):
    registry.create_image(ALICE, {})
    clock.tick(10)
    registry.get_image(ALICE, 1)
    registry.list_images(ALICE, {}, True)
    assert registry.get_image(ALICE, 1)["updated_at"] == "2024-05-01T12:00:00"


# -- update ----------------------------------------------------------------

def test_update_changes_only_the_given_fields(registry):
    registry.create_image(ALICE, {"name": "a", "disk_format": "raw"})
    image = registry.update_image(ALICE, 1, {"name": "b"})
    assert (image["name"], image["disk_format"]) == ("b", "raw")


def test_update_merges_properties(registry):
    registry.create_image(ALICE, {"properties": {"a": "1", "b": "2"}})
    image = registry.update_image(ALICE, 1, {"properties": {"b": "3", "c": "4"}})
    assert image["properties"] == {"a": "1", "b": "3", "c": "4"}


def test_purge_replaces_the_property_set(registry):
    registry.create_image(ALICE, {"properties": {"a": "1", "b": "2"}})
    image = registry.update_image(ALICE, 1, {"properties": {"c": "4"}}, purge_props=True)
    assert image["properties"] == {"c": "4"}


def test_purge_without_properties_clears_them(registry):
    registry.create_image(ALICE, {"properties": {"a": "1"}})
    assert registry.update_image(ALICE, 1, {"name": "x"}, purge_props=True)["properties"] == {}


def test_updates_are_stored(registry):
    registry.create_image(ALICE, {})
    registry.update_image(ALICE, 1, {"name": "b", "properties": {"k": "v"}})
    image = registry.get_image(ALICE, 1)
    assert (image["name"], image["properties"]) == ("b", {"k": "v"})


def test_update_moves_updated_at(registry, clock):
    registry.create_image(ALICE, {})
    clock.tick(30)
    assert registry.update_image(ALICE, 1, {"name": "b"})["updated_at"] == "2024-05-01T12:00:30"


def test_update_within_the_same_second_still_moves_updated_at(registry):
    created = registry.create_image(ALICE, {})
    first = registry.update_image(ALICE, 1, {"status": "saving"})
    second = registry.update_image(ALICE, 1, {"status": "active"})
    assert created["updated_at"] < first["updated_at"] < second["updated_at"]


def test_update_keeps_created_at(registry, clock):
    registry.create_image(ALICE, {})
    clock.tick(30)
    assert registry.update_image(ALICE, 1, {})["created_at"] == "2024-05-01T12:00:00"


def test_update_validates_the_merged_record(registry):
    registry.create_image(ALICE, {"disk_format": "ami", "container_format": "ami"})
    with pytest.raises(exception.Invalid, match="Invalid mix"):
        registry.update_image(ALICE, 1, {"container_format": "bare"})


def test_a_rejected_update_changes_nothing(registry):
    registry.create_image(ALICE, {"name": "a", "properties": {"k": "v"}})
    with pytest.raises(exception.Invalid):
        registry.update_image(ALICE, 1, {"name": "b", "status": "gone", "properties": {"x": "y"}})
    image = registry.get_image(ALICE, 1)
    assert (image["name"], image["properties"]) == ("a", {"k": "v"})


def test_update_may_set_both_amazon_formats_at_once(registry):
    registry.create_image(ALICE, {})
    image = registry.update_image(ALICE, 1, {"disk_format": "aki", "container_format": "aki"})
    assert image["disk_format"] == "aki"


def test_update_of_a_missing_image_is_not_found(registry):
    with pytest.raises(exception.NotFound):
        registry.update_image(ALICE, 9, {"name": "x"})


def test_update_of_a_deleted_image_is_not_found(registry):
    registry.create_image(ALICE, {})
    registry.delete_image(ALICE, 1)
    with pytest.raises(exception.NotFound):
        registry.update_image(ALICE, 1, {"name": "x"})


def test_update_of_someone_elses_public_image_is_forbidden(registry):
    registry.create_image(ALICE, {"is_public": True})
    with pytest.raises(exception.Forbidden):
        registry.update_image(BOB, 1, {"name": "x"})


def test_anonymous_update_of_a_public_image_is_forbidden(registry):
    registry.create_image(ANON, {"is_public": True})
    with pytest.raises(exception.Forbidden):
        registry.update_image(ANON, 1, {"name": "x"})


def test_update_of_someone_elses_private_image_is_not_found(registry):
    registry.create_image(ALICE, {})
    with pytest.raises(exception.NotFound):
        registry.update_image(BOB, 1, {"name": "x"})


def test_admins_update_any_image(registry):
    registry.create_image(ALICE, {})
    assert registry.update_image(NOAUTH, 1, {"name": "x"})["name"] == "x"


def test_update_keeps_the_owner(registry):
    registry.create_image(ALICE, {})
    assert registry.update_image(ADMIN, 1, {"owner": "ops"})["owner"] == "alice"


def test_update_accepts_the_images_own_id(registry):
    registry.create_image(ALICE, {})
    assert registry.update_image(ALICE, 1, {"id": 1, "name": "x"})["id"] == 1


def test_update_refuses_a_different_id(registry):
    registry.create_image(ALICE, {})
    with pytest.raises(exception.Invalid, match="id"):
        registry.update_image(ALICE, 1, {"id": 2})


def test_update_with_a_null_status_keeps_it(registry):
    registry.create_image(ALICE, {"status": "queued"})
    assert registry.update_image(ALICE, 1, {"status": None})["status"] == "queued"


def test_update_may_null_a_format(registry):
    registry.create_image(ALICE, {"disk_format": "raw"})
    assert registry.update_image(ALICE, 1, {"disk_format": None})["disk_format"] is None


def test_a_full_image_dict_round_trips_through_update(registry):
    image = registry.create_image(ADMIN, {"name": "a", "properties": {"k": "v"}})
    again = registry.update_image(ADMIN, image["id"], image)
    assert {k: v for k, v in again.items() if k != "updated_at"} == {
        k: v for k, v in image.items() if k != "updated_at"}


# -- delete ----------------------------------------------------------------

def test_delete_marks_the_image_deleted(registry, clock):
    registry.create_image(ALICE, {})
    clock.tick(5)
    image = registry.delete_image(ALICE, 1)
    assert (image["deleted"], image["deleted_at"]) == (True, "2024-05-01T12:00:05")


def test_a_second_delete_is_not_found(registry):
    registry.create_image(ALICE, {})
    registry.delete_image(ALICE, 1)
    with pytest.raises(exception.NotFound):
        registry.delete_image(ALICE, 1)


def test_delete_of_a_missing_image_is_not_found(registry):
    with pytest.raises(exception.NotFound):
        registry.delete_image(ALICE, 1)


def test_delete_of_someone_elses_public_image_is_forbidden(registry):
    registry.create_image(ALICE, {"is_public": True})
    with pytest.raises(exception.Forbidden):
        registry.delete_image(BOB, 1)


def test_delete_of_someone_elses_private_image_is_not_found(registry):
    registry.create_image(ALICE, {})
    with pytest.raises(exception.NotFound):
        registry.delete_image(BOB, 1)


def test_admins_delete_any_image(registry):
    registry.create_image(ALICE, {})
    assert registry.delete_image(NOAUTH, 1)["deleted"] is True


def test_deleted_images_are_not_listed(registry):
    registry.create_image(ALICE, {"is_public": True})
    registry.delete_image(ALICE, 1)
    assert registry.list_images(NOAUTH, {"is_public": "none"}, True) == []


# -- kill_saving_images ----------------------------------------------------

def test_kill_saving_images_kills_only_saving_ones(registry):
    for status in ("saving", "active", "saving", "queued"):
        registry.create_image(ALICE, {"status": status})
    assert registry.kill_saving_images("server restarted") == [1, 3]
    assert [registry.get_image(ALICE, i)["status"] for i in (1, 2, 3, 4)] == [
        "killed", "active", "killed", "queued"]


def test_kill_saving_images_records_the_reason(registry):
    registry.create_image(ALICE, {"status": "saving"})
    registry.kill_saving_images("server restarted")
    assert registry.get_image(ALICE, 1)["status_reason"] == "server restarted"


def test_kill_saving_images_moves_updated_at(registry):
    created = registry.create_image(ALICE, {"status": "saving"})
    registry.kill_saving_images("x")
    assert registry.get_image(ALICE, 1)["updated_at"] > created["updated_at"]


def test_kill_saving_images_leaves_deleted_images_alone(registry):
    registry.create_image(ALICE, {"status": "saving"})
    registry.delete_image(ALICE, 1)
    assert registry.kill_saving_images("x") == []


def test_status_reason_is_absent_until_set(registry):
    assert "status_reason" not in registry.create_image(ALICE, {})
