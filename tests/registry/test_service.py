"""ImageRegistry: create, read, update, delete, visibility, trust and field behaviour."""

import re

import pytest

from glance.common import exception, fields
from tests.registry.helpers import ADMIN, ALICE, ANON, BOB, NOAUTH, SERVICE, as_service

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\Z")
CHOSEN = "0f6a3e1c-7b7d-4c55-9a43-2f1e3d5c6b7a"
START = "2024-05-01T12:00:00.000000"
FULL_KEYS = {"id", "name", "type", "disk_format", "container_format", "size", "virtual_size",
             "checksum", "os_hash_algo", "os_hash_value", "store", "location", "status",
             "status_reason", "is_public", "protected", "min_disk", "min_ram", "owner",
             "created_at", "updated_at", "deleted_at", "deleted", "visibility", "os_hidden",
             "tags", "properties"}
ALICE_S = as_service(ALICE)


def make(registry, context=ALICE_S, **values):
    return registry.create_image(context, values)


# -- create ----------------------------------------------------------------

def test_new_ids_are_random_lower_case_uuids(registry):
    first, second = make(registry)["id"], make(registry)["id"]
    assert UUID.match(first) and UUID.match(second) and first != second


def test_create_defaults(registry):
    image = make(registry)
    assert (image["status"], image["size"], image["virtual_size"], image["is_public"],
            image["visibility"], image["protected"], image["min_disk"], image["min_ram"],
            image["os_hidden"], image["tags"], image["properties"], image["checksum"],
            image["deleted"], image["deleted_at"], image["status_reason"]) == (
        "active", None, None, False, "shared", False, 0, 0, False, [], {}, None, False,
        None, None)


def test_create_returns_every_key_to_an_admin_in_the_field_tables_order(registry):
    image = make(registry, ADMIN)
    assert set(image) == FULL_KEYS
    assert list(image)[:-1] == list(fields.names(fields.RECORD))


def test_owner_is_the_callers_tenant(registry):
    assert make(registry, ALICE)["owner"] == "alice"


def test_owner_of_an_anonymous_create_is_null(registry):
    assert make(registry, ANON)["owner"] is None


def test_a_trusted_caller_may_name_the_owner(registry):
    assert make(registry, as_service(ADMIN), owner="bob")["owner"] == "bob"


def test_created_at_equals_updated_at_at_creation(registry):
    image = make(registry)
    assert image["created_at"] == image["updated_at"] == START


def test_timestamps_keep_microseconds(registry, clock):
    clock.tick(0.000123)
    image = make(registry)
    assert TIMESTAMP.match(image["created_at"])
    assert image["created_at"] == "2024-05-01T12:00:00.000123"


def test_a_proposed_uuid_is_kept(registry):
    assert make(registry, id=CHOSEN)["id"] == CHOSEN


def test_a_taken_id_is_duplicate(registry):
    make(registry, id=CHOSEN)
    with pytest.raises(exception.Duplicate, match=CHOSEN):
        make(registry, as_service(BOB), id=CHOSEN)


def test_the_id_of_a_deleted_image_stays_taken(registry):
    make(registry, id=CHOSEN)
    registry.delete_image(ALICE, CHOSEN)
    with pytest.raises(exception.Duplicate):
        make(registry, id=CHOSEN)


@pytest.mark.parametrize("bad", [0, 7, "7", "2" * 19, CHOSEN.upper(), CHOSEN[:-1], True,
                                 CHOSEN + "0", "{" + CHOSEN + "}", CHOSEN.replace("-", "")])
def test_a_proposed_id_that_is_no_lower_case_uuid_is_invalid(registry, bad):
    with pytest.raises(exception.Invalid, match="UUID"):
        make(registry, id=bad)


def test_a_null_id_means_draw_one(registry):
    assert UUID.match(make(registry, id=None)["id"])


def test_trusted_fields_are_stored(registry):
    values = {"status": "saving", "size": 5 << 32, "virtual_size": 6 << 32,
              "checksum": "ab" * 16, "os_hash_algo": "sha512", "os_hash_value": "cd" * 64,
              "location": "file:///var/x", "store": "file", "status_reason": "why",
              "owner": "bob"}
    image = make(registry, as_service(ADMIN), **values)
    assert {key: image[key] for key in values} == values


@pytest.mark.parametrize("key,value", [("status", "queued"), ("size", 5),
                                       ("location", "file:///var/lib/glance/images/x"),
                                       ("store", "file"), ("checksum", "ab" * 16),
                                       ("owner", "bob"), ("virtual_size", 3),
                                       ("status_reason", "x"), ("os_hash_value", "ab")])
def test_server_controlled_fields_from_an_untrusted_caller_are_forbidden(registry, key, value):
    with pytest.raises(exception.Forbidden, match=key):
        make(registry, ALICE, **{key: value})
    image = make(registry, ALICE_S)
    with pytest.raises(exception.Forbidden, match=key):
        registry.update_image(ALICE, image["id"], {key: value})


def test_an_admin_without_the_service_flag_is_trusted_as_in_noauth(registry):
    assert make(registry, NOAUTH, location="file:///x")["location"] == "file:///x"


@pytest.mark.parametrize("key,sent,expected", [
    ("deleted", True, False),
    ("deleted_at", "2001-01-01T00:00:00", None),
    ("created_at", "2001-01-01T00:00:00", START),
    ("updated_at", "2001-01-01T00:00:00", START),
])
def test_registry_controlled_fields_are_ignored(registry, key, sent, expected):
    assert make(registry, **{key: sent})[key] == expected


def test_a_sent_uri_is_ignored(registry):
    assert "uri" not in make(registry, uri="http://h/images/1")


def test_status_deleted_comes_only_from_delete(registry):
    with pytest.raises(exception.Invalid, match="DELETE"):
        make(registry, status="deleted")


@pytest.mark.parametrize("status", fields.STATUSES[:2] + fields.STATUSES[3:4]
                         + fields.STATUSES[5:])
def test_every_other_status_may_be_stored(registry, status):
    assert make(registry, status=status)["status"] == status


# -- is_public and visibility ----------------------------------------------------

@pytest.mark.parametrize("is_public,visibility", [(True, "public"), (False, "shared")])
def test_is_public_on_create_sets_the_visibility(registry, is_public, visibility):
    image = make(registry, is_public=is_public)
    assert (image["visibility"], image["is_public"]) == (visibility, is_public)


@pytest.mark.parametrize("before,is_public,after", [
    ("public", False, "shared"), ("private", False, "private"), ("shared", False, "shared"),
    ("community", False, "community"), ("private", True, "public"),
    ("community", True, "public")])
def test_is_public_on_update_maps_onto_the_visibility(registry, before, is_public, after):
    image = make(registry, visibility=before)
    assert registry.update_image(ALICE_S, image["id"], {"is_public": is_public})[
        "visibility"] == after


def test_a_sent_visibility_wins_over_is_public(registry):
    assert make(registry, is_public=True, visibility="community")["visibility"] == "community"


def test_a_bad_visibility_is_invalid(registry):
    with pytest.raises(exception.Invalid, match="visibility"):
        make(registry, visibility="everyone")


# -- new fields ------------------------------------------------------------------

@pytest.mark.parametrize("key", ["min_disk", "min_ram"])
@pytest.mark.parametrize("value,ok", [(0, True), (2**31 - 1, True), (2**31, False),
                                      (-1, False), ("1", False), (True, False)])
def test_min_disk_and_min_ram_are_32_bit_counts(registry, key, value, ok):
    if ok:
        assert make(registry, **{key: value})[key] == value
    else:
        with pytest.raises(exception.Invalid, match=key):
            make(registry, **{key: value})


def test_booleans_are_stored_as_booleans(registry):
    image = make(registry, protected=True, os_hidden="true")
    assert image["protected"] is True and image["os_hidden"] is True


@pytest.mark.parametrize("disk_format,expected", [("raw", 7), ("qcow2", None)])
def test_virtual_size_is_the_size_when_a_raw_image_becomes_active(registry, disk_format,
                                                                   expected):
    image = make(registry, status="queued", disk_format=disk_format)
    image = registry.update_image(ALICE_S, image["id"], {"status": "active", "size": 7})
    assert image["virtual_size"] == expected


def test_virtual_size_is_set_for_a_raw_location_registered_active(registry):
    assert make(registry, disk_format="raw", size=9)["virtual_size"] == 9


@pytest.mark.parametrize("disk,container", [("vhdx", "bare"), ("ploop", "ova"),
                                            ("raw", "docker"), ("qcow2", "compressed")])
def test_the_wider_formats_are_accepted(registry, disk, container):
    assert make(registry, disk_format=disk, container_format=container)["disk_format"] == disk


# -- location --------------------------------------------------------------

def test_location_is_shown_to_admins_and_services(registry):
    image = make(registry, location="file:///x")
    assert registry.get_image(ADMIN, image["id"])["location"] == "file:///x"
    assert registry.get_image(SERVICE, image["id"])["location"] == "file:///x"
    assert "location" not in registry.get_image(ALICE, image["id"])


# -- get and visibility ------------------------------------------------------------

def test_get_returns_the_image(registry):
    created = make(registry, name="a", properties={"k": "v"}, tags=["t"])
    assert registry.get_image(ALICE_S, created["id"]) == created


def test_get_of_a_missing_image_is_not_found(registry):
    with pytest.raises(exception.NotFound):
        registry.get_image(ALICE, CHOSEN)


def test_get_of_a_deleted_image_is_not_found(registry):
    image = make(registry)
    registry.delete_image(ALICE, image["id"])
    with pytest.raises(exception.NotFound):
        registry.get_image(ADMIN, image["id"])


@pytest.mark.parametrize("visibility,bob_sees,anon_sees", [
    ("public", True, True), ("community", True, True), ("shared", False, False),
    ("private", False, False)])
def test_who_sees_an_image_of_each_visibility(registry, visibility, bob_sees, anon_sees):
    image = make(registry, visibility=visibility)
    for context, sees in ((BOB, bob_sees), (ANON, anon_sees), (ALICE, True), (NOAUTH, True)):
        if sees:
            assert registry.get_image(context, image["id"])["id"] == image["id"]
        else:
            with pytest.raises(exception.NotFound):
                registry.get_image(context, image["id"])


@pytest.mark.parametrize("bad", ["abc", "0", "-1", "007", str(2**64), True, 0, "1.0", "../1",
                                 CHOSEN.upper(), " " + CHOSEN])
def test_ids_that_name_no_image_are_not_found(registry, bad):
    make(registry)
    with pytest.raises(exception.NotFound):
        registry.get_image(ALICE, bad)


def test_reads_do_not_change_updated_at(registry, clock):
    image = make(registry)
    clock.tick(10)
    registry.get_image(ALICE, image["id"])
    assert registry.get_image(ALICE, image["id"])["updated_at"] == START


# -- update ----------------------------------------------------------------

def test_update_changes_only_the_given_fields(registry):
    image = make(registry, name="a", disk_format="raw")
    image = registry.update_image(ALICE, image["id"], {"name": "b"})
    assert (image["name"], image["disk_format"]) == ("b", "raw")


def test_update_merges_properties(registry):
    image = make(registry, properties={"a": "1", "b": "2"})
    image = registry.update_image(ALICE, image["id"], {"properties": {"b": "3", "c": "4"}})
    assert image["properties"] == {"a": "1", "b": "3", "c": "4"}


def test_purge_replaces_the_property_set(registry):
    image = make(registry, properties={"a": "1", "b": "2"})
    image = registry.update_image(ALICE, image["id"], {"properties": {"c": "4"}},
                                  purge_props=True)
    assert image["properties"] == {"c": "4"}


def test_purge_without_properties_clears_them(registry):
    image = make(registry, properties={"a": "1"})
    assert registry.update_image(ALICE, image["id"], {"name": "x"}, purge_props=True)[
        "properties"] == {}


def test_property_keys_keep_their_case(registry):
    assert make(registry, properties={"Hw_Disk_Bus": "virtio"})["properties"] == {
        "Hw_Disk_Bus": "virtio"}


def test_sent_tags_replace_the_tag_set_and_collapse(registry):
    image = make(registry, tags=["b", "a", "b"])
    assert image["tags"] == ["a", "b"]
    assert registry.update_image(ALICE, image["id"], {"tags": ["c"]})["tags"] == ["c"]
    assert registry.update_image(ALICE, image["id"], {"name": "x"})["tags"] == ["c"]


def test_update_moves_updated_at_to_the_true_time(registry, clock):
    image = make(registry)
    clock.tick(30.5)
    assert registry.update_image(ALICE, image["id"], {"name": "b"})["updated_at"] == \
        "2024-05-01T12:00:30.500000"


def test_updated_at_is_never_ahead_of_the_clock(registry, clock):
    image = make(registry)
    first = registry.update_image(ALICE_S, image["id"], {"status": "saving"})
    second = registry.update_image(ALICE_S, image["id"], {"status": "active"})
    assert first["updated_at"] == second["updated_at"] == START     # the clock did not move


def test_update_keeps_created_at(registry, clock):
    image = make(registry)
    clock.tick(30)
    assert registry.update_image(ALICE, image["id"], {})["created_at"] == START


def test_update_validates_the_merged_record(registry):
    image = make(registry, disk_format="ami", container_format="ami")
    with pytest.raises(exception.Invalid, match="Invalid mix"):
        registry.update_image(ALICE, image["id"], {"container_format": "bare"})


def test_a_rejected_update_changes_nothing(registry):
    image = make(registry, name="a", properties={"k": "v"}, tags=["t"])
    with pytest.raises(exception.Invalid):
        registry.update_image(ALICE_S, image["id"], {"name": "b", "status": "gone",
                                                     "properties": {"x": "y"}, "tags": ["u"]})
    again = registry.get_image(ALICE, image["id"])
    assert (again["name"], again["properties"], again["tags"]) == ("a", {"k": "v"}, ["t"])


def test_update_of_a_missing_image_is_not_found(registry):
    with pytest.raises(exception.NotFound):
        registry.update_image(ALICE, CHOSEN, {"name": "x"})


def test_update_of_a_deleted_image_is_not_found(registry):
    image = make(registry)
    registry.delete_image(ALICE, image["id"])
    with pytest.raises(exception.NotFound):
        registry.update_image(ALICE, image["id"], {"name": "x"})


@pytest.mark.parametrize("visibility", ["public", "community"])
def test_update_of_someone_elses_visible_image_is_forbidden(registry, visibility):
    image = make(registry, visibility=visibility)
    with pytest.raises(exception.Forbidden):
        registry.update_image(BOB, image["id"], {"name": "x"})


def test_update_of_someone_elses_invisible_image_is_not_found(registry):
    image = make(registry)
    with pytest.raises(exception.NotFound):
        registry.update_image(BOB, image["id"], {"name": "x"})


def test_admins_update_any_image(registry):
    image = make(registry)
    assert registry.update_image(NOAUTH, image["id"], {"name": "x"})["name"] == "x"


def test_update_accepts_the_images_own_id(registry):
    image = make(registry)
    assert registry.update_image(ALICE, image["id"], {"id": image["id"], "name": "x"})[
        "id"] == image["id"]


def test_update_refuses_a_different_id(registry):
    image = make(registry)
    with pytest.raises(exception.Invalid, match="id"):
        registry.update_image(ALICE, image["id"], {"id": CHOSEN})


def test_update_with_a_null_status_keeps_it(registry):
    image = make(registry, status="queued")
    assert registry.update_image(ALICE, image["id"], {"status": None})["status"] == "queued"


def test_update_may_null_a_format_and_the_size(registry):
    image = make(registry, disk_format="raw", size=3)
    image = registry.update_image(ALICE_S, image["id"], {"disk_format": None, "size": None})
    assert (image["disk_format"], image["size"]) == (None, None)


def test_a_full_image_dict_round_trips_through_update(registry):
    image = make(registry, as_service(ADMIN), name="a", properties={"k": "v"}, tags=["t"],
                 visibility="public")
    again = registry.update_image(as_service(ADMIN), image["id"], image)
    assert again == image


# -- delete ----------------------------------------------------------------

def test_delete_marks_the_image_deleted(registry, clock):
    image = make(registry)
    clock.tick(5)
    image = registry.delete_image(ALICE, image["id"])
    assert (image["deleted"], image["status"], image["deleted_at"], image["updated_at"]) == (
        True, "deleted", "2024-05-01T12:00:05.000000", "2024-05-01T12:00:05.000000")


def test_a_second_delete_is_not_found(registry):
    image = make(registry)
    registry.delete_image(ALICE, image["id"])
    with pytest.raises(exception.NotFound):
        registry.delete_image(ALICE, image["id"])


def test_delete_of_a_missing_image_is_not_found(registry):
    with pytest.raises(exception.NotFound):
        registry.delete_image(ALICE, CHOSEN)


def test_delete_of_someone_elses_public_image_is_forbidden(registry):
    image = make(registry, is_public=True)
    with pytest.raises(exception.Forbidden):
        registry.delete_image(BOB, image["id"])


def test_a_protected_image_is_not_deleted(registry):
    image = make(registry, protected=True)
    with pytest.raises(exception.Protected, match="protected"):
        registry.delete_image(NOAUTH, image["id"])
    assert registry.get_image(ALICE, image["id"])["status"] == "active"


def test_admins_delete_any_image(registry):
    image = make(registry)
    assert registry.delete_image(NOAUTH, image["id"])["deleted"] is True


def test_deletion_answers_the_location_to_services(registry):
    image = make(registry, location="file:///x")
    assert registry.delete_image(SERVICE, image["id"])["location"] == "file:///x"
