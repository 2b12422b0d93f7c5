"""The registry's field rules, as ImageRegistry applies them (CONTRACT §1, §10)."""

import pytest

from glance.common import exception, fields
from glance.registry.validation import Limits
from tests.registry.helpers import ADMIN, ALICE, FakeClock, listed, memory_registry


def test_unknown_fields_are_invalid_and_named(registry):
    with pytest.raises(exception.Invalid, match="'colour'"):
        registry.create_image(ALICE, {"colour": "blue"})


def test_values_must_be_an_object(registry):
    with pytest.raises(exception.Invalid):
        registry.create_image(ALICE, ["name"])


@pytest.mark.parametrize("field,value", [("status", "available"), ("disk_format", "qcow3"),
                                         ("container_format", "zip"), ("type", "vm")])
def test_unknown_enum_values_are_invalid_and_named(registry, field, value):
    # Glance's words: "Invalid disk format 'qcow3'".
    with pytest.raises(exception.Invalid, match=f"Invalid {field.replace('_', ' ')} '{value}'"):
        registry.create_image(ADMIN, {field: value})


@pytest.mark.parametrize("disk,container", [("ami", "bare"), ("raw", "ami"), ("ami", None),
                                            (None, "aki"), ("ari", "aki")])
def test_amazon_formats_must_match(registry, disk, container):
    with pytest.raises(exception.Invalid, match="Invalid mix of disk and container formats"):
        registry.create_image(ALICE, {"disk_format": disk, "container_format": container})


@pytest.mark.parametrize("fmt", ["ami", "ari", "aki"])
def test_matching_amazon_formats_are_fine(registry, fmt):
    image = registry.create_image(ALICE, {"disk_format": fmt, "container_format": fmt})
    assert image["disk_format"] == image["container_format"] == fmt


def test_a_name_of_255_characters_is_fine(registry):
    assert registry.create_image(ALICE, {"name": "n" * 255})["name"] == "n" * 255


def test_a_name_of_256_characters_is_invalid(registry):
    with pytest.raises(exception.Invalid, match="255"):
        registry.create_image(ALICE, {"name": "n" * 256})


def test_non_ascii_names_round_trip(registry):
    assert registry.create_image(ALICE, {"name": "Ubuntu ☃ 日本"})["name"] == "Ubuntu ☃ 日本"


@pytest.mark.parametrize("char", ["\r", "\n", "\0", "\t", "\x1f", "\x7f"])
def test_control_characters_in_a_name_are_invalid(registry, char):
    with pytest.raises(exception.Invalid, match="control"):
        registry.create_image(ALICE, {"name": f"a{char}b"})


@pytest.mark.parametrize("char", ["\r", "\n", "\0", "\x7f"])
def test_control_characters_in_a_property_value_are_invalid(registry, char):
    with pytest.raises(exception.Invalid, match="control"):
        registry.create_image(ALICE, {"properties": {"k": f"a{char}b"}})


def test_control_characters_in_a_location_are_invalid(registry):
    with pytest.raises(exception.Invalid, match="location"):
        registry.create_image(ADMIN, {"location": "http://x/\r\nSet-Cookie: a"})


def test_lone_surrogates_are_invalid(registry):
    with pytest.raises(exception.Invalid, match="name"):
        registry.create_image(ALICE, {"name": "\ud800"})


def test_a_non_string_name_is_invalid(registry):
    with pytest.raises(exception.Invalid, match="name"):
        registry.create_image(ALICE, {"name": 5})


def test_property_keys_keep_their_case(registry):
    image = registry.create_image(ALICE, {"properties": {"OS_Distro": "ubuntu"}})
    assert image["properties"] == {"OS_Distro": "ubuntu"}


@pytest.mark.parametrize("key", ["", "a b", "k" * 256, "é", "a/b", "a\nb", "a:b", "hw:cpu"])
def test_bad_property_keys_are_invalid(registry, key):
    with pytest.raises(exception.Invalid, match="property"):
        registry.create_image(ALICE, {"properties": {key: "v"}})


def test_the_longest_property_key_is_fine(registry):
    key = "k" * 255
    assert registry.create_image(ALICE, {"properties": {key: "v"}})["properties"] == {key: "v"}


@pytest.mark.parametrize("value", [1, None, True, ["a"]])
def test_property_values_must_be_strings(registry, value):
    with pytest.raises(exception.Invalid, match="property 'k'"):
        registry.create_image(ALICE, {"properties": {"k": value}})


def test_an_empty_property_value_is_kept(registry):
    assert registry.create_image(ALICE, {"properties": {"k": ""}})["properties"] == {"k": ""}


def test_properties_must_be_an_object(registry):
    with pytest.raises(exception.Invalid, match="properties"):
        registry.create_image(ALICE, {"properties": ["k"]})


@pytest.mark.parametrize("size", [-1, 2**63, True, "1", 1.5])
def test_bad_sizes_are_invalid(registry, size):
    with pytest.raises(exception.Invalid, match="size"):
        registry.create_image(ADMIN, {"size": size})


def test_the_largest_size_is_fine(registry):
    assert registry.create_image(ADMIN, {"size": 2**63 - 1})["size"] == 2**63 - 1


@pytest.mark.parametrize("value,expected", [(True, True), (False, False), ("true", True),
                                            ("FALSE", False), ("True", True)])
def test_is_public_takes_booleans_and_their_words(registry, value, expected):
    assert registry.create_image(ALICE, {"is_public": value})["is_public"] is expected


@pytest.mark.parametrize("value", ["yes", 1, "", "1"])
def test_other_is_public_values_are_invalid(registry, value):
    with pytest.raises(exception.Invalid, match="is_public"):
        registry.create_image(ALICE, {"is_public": value})


def test_a_null_status_means_active(registry):
    assert registry.create_image(ADMIN, {"status": None})["status"] == "active"


def test_a_rejected_create_leaves_no_record(registry):
    with pytest.raises(exception.Invalid):
        registry.create_image(ALICE, {"disk_format": "qcow3"})
    assert listed(registry, ADMIN, scope=("all",)) == []


def test_validation_tables_match_the_contract():
    assert fields.STATUSES == ("queued", "saving", "active", "killed", "deleted",
                               "deactivated", "uploading", "importing")
    assert fields.V2_SCHEMA_STATUSES[-1] == "pending_delete"
    assert set(fields.DISK_FORMATS) == {"ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw",
                                        "qcow2", "vdi", "iso", "ploop"}
    assert set(fields.CONTAINER_FORMATS) == {"ami", "ari", "aki", "bare", "ovf", "ova",
                                             "docker", "compressed"}


# -- messages never echo whole values -----------------------------------------------

def test_a_huge_bad_value_is_shortened_in_the_message(registry):
    with pytest.raises(exception.Invalid) as caught:
        registry.create_image(ALICE, {"disk_format": "q" * 100000})
    assert len(caught.value.message) < 300


def test_a_deeply_nested_value_is_named_not_repeated(registry):
    nested = []
    for _ in range(900):
        nested = [nested]
    with pytest.raises(exception.Invalid, match="JSON array"):
        registry.create_image(ALICE, {"properties": {"k": nested}})


# -- quotas (CONTRACT §10) ------------------------------------------------------------

@pytest.fixture
def small():
    return memory_registry(FakeClock(), Limits(properties=3, property_bytes=20, tags=2,
                                              members=2))


def test_too_many_properties_are_413_with_glances_words(small):
    with pytest.raises(exception.QuotaExceeded,
                       match="The limit has been exceeded on the number of allowed image "
                             "properties. Attempted: 4, Maximum: 3"):
        small.create_image(ALICE, {"properties": {k: "" for k in "abcd"}})


def test_the_property_quota_is_checked_on_the_merged_set(small):
    image = small.create_image(ALICE, {"properties": {"a": "", "b": "", "c": ""}})
    with pytest.raises(exception.QuotaExceeded, match="Attempted: 4"):
        small.update_image(ALICE, image["id"], {"properties": {"d": ""}})
    replaced = small.update_image(ALICE, image["id"], {"properties": {"d": ""}},
                                  purge_props=True)
    assert replaced["properties"] == {"d": ""}


def test_the_property_bytes_are_capped(small):
    small.create_image(ALICE, {"properties": {"k": "v" * 19}})      # 20 bytes
    with pytest.raises(exception.QuotaExceeded, match="Attempted: 21 bytes, Maximum: 20"):
        small.create_image(ALICE, {"properties": {"k": "é" * 10}})


def test_a_rejected_update_over_a_quota_changes_nothing(small):
    image = small.create_image(ALICE, {"name": "a", "properties": {"a": "1"}})
    with pytest.raises(exception.QuotaExceeded):
        small.update_image(ALICE, image["id"], {"name": "b", "properties": {"b": "x" * 30}})
    again = small.get_image(ALICE, image["id"])
    assert (again["name"], again["properties"]) == ("a", {"a": "1"})


def test_too_many_tags_are_413(small):
    with pytest.raises(exception.QuotaExceeded, match="tags. Attempted: 3, Maximum: 2"):
        small.create_image(ALICE, {"tags": ["a", "b", "c"]})


@pytest.mark.parametrize("tag", ["", "t" * 256, "a/b", "a\nb", 5, None])
def test_bad_tags_are_invalid(registry, tag):
    with pytest.raises(exception.Invalid, match="tag"):
        registry.create_image(ALICE, {"tags": [tag]})


def test_the_default_limits_are_the_contracts():
    assert Limits() == Limits(properties=128, property_bytes=64 << 10, tags=128, members=128)
