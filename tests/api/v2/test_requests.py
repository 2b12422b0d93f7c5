"""Create, member and tag bodies (`glance.api.v2.requests`, `attributes`)."""

import pytest
from hypothesis import given, strategies as st

from glance.api.v2 import attributes, requests, schemas, validator, view
from glance.common import exception, faults
from glance.common.context import RequestContext
from tests.api.v2.records import ADMIN, IMAGE_ID, OWNER, record

NOBODY = RequestContext()

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=300),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=8)


def status_of(call, *args):
    with pytest.raises(exception.GlanceError) as caught:
        call(*args)
    return faults.fault_of(caught.value)[0], caught.value.message


# -- create: what a new image gets ---------------------------------------------

def test_an_empty_body_makes_a_queued_shared_image_of_the_callers_tenant():
    assert requests.create_values({}, OWNER) == {
        "status": "queued", "visibility": "shared", "owner": "tenant-a", "properties": {}}


def test_without_a_tenant_the_owner_is_null():
    assert requests.create_values({}, NOBODY)["owner"] is None


def test_every_settable_attribute_and_custom_properties():
    body = {"id": IMAGE_ID, "name": "n", "visibility": "private", "protected": True,
            "os_hidden": True, "owner": "tenant-a", "container_format": "bare",
            "disk_format": "qcow2", "min_ram": 64, "min_disk": 2**31 - 1,
            "tags": ["b", "a", "b"], "type": "machine", "hw_disk_bus": "virtio",
            "empty": "", "dotted.name-x_y": "v"}
    values = requests.create_values(body, OWNER)
    assert values == {
        "status": "queued", "id": IMAGE_ID, "name": "n", "visibility": "private",
        "protected": True, "os_hidden": True, "owner": "tenant-a",
        "container_format": "bare", "disk_format": "qcow2", "min_ram": 64,
        "min_disk": 2**31 - 1, "tags": ["a", "b"], "type": "machine",
        "properties": {"hw_disk_bus": "virtio", "empty": "", "dotted.name-x_y": "v"}}


def test_nulls_are_kept_where_the_schema_allows_them():
    values = requests.create_values({"name": None, "disk_format": None, "type": None}, OWNER)
    assert values["name"] is None and values["disk_format"] is None and values["type"] is None


# -- create: 403 ---------------------------------------------------------------

@pytest.mark.parametrize("key", sorted(attributes.READ_ONLY))
def test_read_only_keys_are_refused(key):
    assert status_of(requests.create_values, {key: "x"}, OWNER) == (
        403, f"Attribute '{key}' is read-only.")


@pytest.mark.parametrize("key", ["location", "deleted", "deleted_at", "os_glance_x",
                                 "os_glanceanything"])
def test_reserved_keys_are_refused(key):
    assert status_of(requests.create_values, {key: "x"}, OWNER) == (
        403, f"Attribute '{key}' is reserved.")


def test_a_forbidden_key_wins_over_a_bad_value_elsewhere():
    assert status_of(requests.create_values, {"name": 5, "status": "x"}, OWNER)[0] == 403


def test_only_admins_make_images_public():
    assert status_of(requests.create_values, {"visibility": "public"}, OWNER)[0] == 403
    assert requests.create_values({"visibility": "public"}, ADMIN)["visibility"] == "public"


def test_only_admins_give_images_to_another_tenant():
    assert status_of(requests.create_values, {"owner": "tenant-z"}, OWNER)[0] == 403
    assert status_of(requests.create_values, {"owner": None}, OWNER)[0] == 403
    assert requests.create_values({"owner": "tenant-a"}, OWNER)["owner"] == "tenant-a"
    assert requests.create_values({"owner": "tenant-z"}, ADMIN)["owner"] == "tenant-z"


# -- create: 400 naming the attribute ------------------------------------------

@pytest.mark.parametrize("body,named", [
    ([], "JSON object"), ("x", "JSON object"), (None, "JSON object"),
    ({"name": 5}, "'name'"), ({"name": "a" * 256}, "'name'"),
    ({"name": "a\x01b"}, "name"), ({"name": "\ud800"}, "name"),
    ({"visibility": "x"}, "'visibility'"), ({"visibility": None}, "'visibility'"),
    ({"protected": "true"}, "'protected'"), ({"os_hidden": 1}, "'os_hidden'"),
    ({"owner": "o" * 256}, "'owner'"), ({"owner": 5}, "'owner'"),
    ({"disk_format": "foo"}, "'disk_format'"), ({"container_format": "foo"}, "'container_format'"),
    ({"disk_format": "QCOW2"}, "'disk_format'"),
    ({"min_ram": -1}, "'min_ram'"), ({"min_ram": 2**31}, "'min_ram'"),
    ({"min_ram": "5"}, "'min_ram'"), ({"min_disk": True}, "'min_disk'"),
    ({"min_disk": 1.0}, "'min_disk'"), ({"min_disk": None}, "'min_disk'"),
    ({"tags": "a"}, "'tags'"), ({"tags": [1]}, "'tags'"), ({"tags": ["a" * 256]}, "'tags'"),
    ({"tags": [""]}, "tag"), ({"tags": ["a/b"]}, "tag"), ({"tags": ["a\nb"]}, "tag"),
    ({"type": "zzz"}, "'type'"), ({"type": 3}, "'type'"),
    ({"id": "1BEA47ED-F6A9-463B-B423-14B9CCA9AD27"}, "'id'"), ({"id": "abc"}, "'id'"),
    ({"id": "123"}, "'id'"), ({"id": 5}, "'id'"), ({"id": None}, "'id'"),
    ({"foo": 1}, "'foo'"), ({"foo": None}, "'foo'"), ({"foo": {"a": "b"}}, "'foo'"),
    ({"foo": "a\x00"}, "'foo'"),
    ({"k" * 256: "v"}, "property name"), ({"a:b": "v"}, "property name"),
    ({"a b": "v"}, "property name"), ({"": "v"}, "property name"),
    ({"disk_format": "ami", "container_format": "bare"}, "Invalid mix"),
    ({"disk_format": "ami"}, "Invalid mix"), ({"container_format": "aki"}, "Invalid mix"),
])
def test_bad_values_are_400_naming_the_attribute(body, named):
    status, message = status_of(requests.create_values, body, ADMIN)
    assert status == 400
    assert named in message


def test_the_amazon_formats_go_in_pairs():
    values = requests.create_values({"disk_format": "ari", "container_format": "ari"}, OWNER)
    assert (values["disk_format"], values["container_format"]) == ("ari", "ari")


@given(st.dictionaries(st.text(max_size=12), JSON_VALUES, max_size=5))
def test_create_only_ever_answers_values_or_a_4xx(body):
    try:
        values = requests.create_values(body, OWNER)
    except exception.GlanceError as error:
        assert faults.fault_of(error)[0] in (400, 403)
        return
    # What we accept, we can show: the stored record renders as valid v2 JSON.
    stored = record(**{key: value for key, value in values.items() if key != "properties"},
                    properties=values["properties"])
    assert validator.is_valid(view.image(stored), schemas.SCHEMAS["image"])


# -- members and tags ----------------------------------------------------------

def test_a_member_body():
    assert requests.member_id({"member": "tenant-b"}) == "tenant-b"
    assert requests.member_id({"member": "tenant-b", "status": "accepted"}) == "tenant-b"


@pytest.mark.parametrize("body", [
    {}, {"member": ""}, {"member": None}, {"member": 5}, {"member": ["a"]},
    {"member": "x" * 256}, {"member": "a\x00"}, [], "tenant", None,
])
def test_bad_member_bodies_are_400(body):
    assert status_of(requests.member_id, body)[0] == 400


@pytest.mark.parametrize("status", ["pending", "accepted", "rejected"])
def test_member_statuses(status):
    assert requests.member_status({"status": status}) == status


@pytest.mark.parametrize("body", [{}, {"status": "maybe"}, {"status": 1}, {"status": None},
                                  {"status": "ACCEPTED"}, [], None])
def test_bad_member_statuses_are_400(body):
    assert status_of(requests.member_status, body) == (
        400, 'Status must be "pending", "accepted" or "rejected".')


@pytest.mark.parametrize("tag", ["a", "a" * 255, "a b", "é", "x86_64", "~"])
def test_good_tags(tag):
    assert requests.tag(tag) == tag


@pytest.mark.parametrize("tag", ["", "a" * 256, "a/b", "a\x01b", "\x7f", "\ud800"])
def test_bad_tags_are_400(tag):
    assert status_of(requests.tag, tag)[0] == 400
