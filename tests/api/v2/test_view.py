"""Registry records as v2 image and member JSON (`glance.api.v2.view`)."""

import json
import os
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, strategies as st

from glance.api.v2 import listing, schemas, validator, view
from tests.api.v2.records import IMAGE_ID, active, record, records

BASE_KEYS = {"id", "name", "status", "visibility", "protected", "os_hidden", "checksum",
             "os_hash_algo", "os_hash_value", "owner", "size", "virtual_size",
             "container_format", "disk_format", "min_disk", "min_ram", "tags",
             "created_at", "updated_at", "self", "file", "schema"}


def test_the_contracts_example():
    shown = view.image(active(min_disk=1, min_ram=64, tags=["base"],
                              properties={"hw_disk_bus": "virtio"}))
    assert shown == {
        "hw_disk_bus": "virtio", "name": "cirros", "disk_format": "raw",
        "container_format": "bare", "visibility": "shared", "size": 12716032,
        "virtual_size": 12716032, "status": "active",
        "checksum": "443b7623e27ecf03dc9e01ee93f67afe", "protected": False, "min_ram": 64,
        "min_disk": 1, "owner": "tenant-a", "os_hidden": False, "os_hash_algo": "sha256",
        "os_hash_value": "6513f2" + "0" * 58, "id": IMAGE_ID,
        "created_at": "2026-12-03T18:38:16Z", "updated_at": "2026-12-03T18:38:17Z",
        "tags": ["base"], "self": f"/v2/images/{IMAGE_ID}",
        "file": f"/v2/images/{IMAGE_ID}/file", "schema": "/v2/schemas/image"}


def test_keys_come_in_glance_33s_order_custom_properties_first():
    shown = view.image(record(type="kernel", properties={"b": "1", "a": "2"}))
    assert list(shown)[:3] == ["b", "a", "type"]
    assert list(shown)[3:] == list(view.ATTRIBUTES) + [
        "id", "created_at", "updated_at", "tags", "self", "file", "schema"]


def test_every_base_attribute_is_present_even_when_null():
    shown = view.image(record())
    assert set(shown) == BASE_KEYS
    assert shown["size"] is None and shown["checksum"] is None and shown["name"] == "cirros"


def test_type_appears_only_when_set():
    assert "type" not in view.image(record(type=None))
    assert view.image(record(type="ramdisk"))["type"] == "ramdisk"


@pytest.mark.parametrize("hidden", sorted(view.HIDDEN))
def test_hidden_fields_never_show(hidden):
    shown = view.image(active(properties={hidden: "from a v1 property"}))
    assert hidden not in shown


def test_a_property_never_shadows_a_base_attribute():
    shown = view.image(record(type=None, properties={"name": "x", "status": "active",
                                                     "self": "http://evil", "type": "y"}))
    assert shown["name"] == "cirros" and shown["status"] == "queued"
    assert shown["self"] == f"/v2/images/{IMAGE_ID}"
    assert "type" not in shown


def test_glances_reserved_properties_are_hidden():
    assert "os_glance_stage_host" not in view.image(
        record(properties={"os_glance_stage_host": "h"}))


def test_a_null_property_from_v1_shows_as_empty_text_as_glance_does():
    assert view.image(record(properties={"kernel": None}))["kernel"] == ""


def test_tags_are_a_sorted_list():
    assert view.image(record(tags={"b", "a", "c"}))["tags"] == ["a", "b", "c"]


@pytest.mark.parametrize("stored,shown", [
    ("2026-12-03T18:38:16.999999", "2026-12-03T18:38:16Z"),
    ("2026-12-03T18:38:16", "2026-12-03T18:38:16Z"),
    (datetime(2026, 1, 2, 3, 4, 5, 6), "2026-01-02T03:04:05Z"),
    (datetime(2026, 1, 2, 4, 4, 5, tzinfo=timezone(timedelta(hours=1))), "2026-01-02T03:04:05Z"),
])
def test_timestamps_are_seconds_in_utc_with_z(stored, shown):
    assert view.timestamp(stored) == shown


def test_a_migrated_decimal_id_validates():
    shown = view.image(record(id="42"))
    assert shown["self"] == "/v2/images/42"
    assert validator.is_valid(shown, schemas.SCHEMAS["image"])


@given(records())
def test_every_image_we_render_validates_against_our_schema(image):
    shown = view.image(image)
    assert list(validator.errors(shown, schemas.SCHEMAS["image"])) == []
    assert BASE_KEYS <= set(shown)
    assert not set(shown) & view.HIDDEN
    assert (shown["os_hash_algo"] is None) == (shown["os_hash_value"] is None)
    json.dumps(shown)


@given(st.lists(records(), max_size=4))
def test_every_list_we_render_validates(images):
    document = json.loads(view.images(images, {"first": "/v2/images?limit=2",
                                               "next": "/v2/images?limit=2&marker=x"}, True))
    assert list(validator.errors(document, schemas.SCHEMAS["images"])) == []
    assert list(document) == ["images", "first", "schema", "next"]


def test_a_last_page_has_no_next():
    document = json.loads(view.images([], {"first": "/v2/images"}, True))
    assert document == {"images": [], "first": "/v2/images", "schema": "/v2/schemas/images"}


MEMBER = {"member_id": "tenant-b", "can_share": False, "status": "pending",
          "created_at": "2026-12-03T18:38:16.5", "updated_at": "2026-12-03T18:40:00.000001"}


def test_member_json():
    shown = view.member(IMAGE_ID, MEMBER)
    assert shown == {"member_id": "tenant-b", "image_id": IMAGE_ID, "status": "pending",
                     "created_at": "2026-12-03T18:38:16Z", "updated_at": "2026-12-03T18:40:00Z",
                     "schema": "/v2/schemas/member"}
    assert validator.is_valid(shown, schemas.SCHEMAS["member"])


def test_members_json_validates_also_for_a_migrated_id():
    document = view.members("42", [MEMBER, dict(MEMBER, member_id="c", status="accepted")])
    assert document["schema"] == "/v2/schemas/members"
    assert [m["member_id"] for m in document["members"]] == ["tenant-b", "c"]
    assert list(validator.errors(document, schemas.SCHEMAS["members"])) == []


# -- against Glance 33's recorded answers (tests/api/v2/data/README.md) -----------

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
GLANCES_IMAGE = record(
    name="cirros", disk_format="raw", container_format="bare", size=5, virtual_size=5,
    status="active", checksum="5d41402abc4b2a76b9719d911017c592", min_ram=64, min_disk=1,
    owner=None, os_hash_algo="sha512",
    os_hash_value="9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99"
                  "ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043",
    created_at="2026-12-04T16:19:24.218305", updated_at="2026-12-04T16:19:24.845112",
    tags=["base"], properties={"hw_disk_bus": "virtio"}, store="file",
    location="file:///tmp/glance33-v2core/images/" + IMAGE_ID)


def glances(name):
    """Glance's answer, without the `stores` key the contract never shows."""
    with open(os.path.join(DATA, name), "rb") as answer:
        document = json.load(answer)
    for image in document.get("images", [document]):
        image.pop("stores", None)
    return json.dumps(document).encode()


def test_an_image_is_glance_33s_byte_for_byte():
    assert json.dumps(view.image(GLANCES_IMAGE)).encode() == glances("image-active.json")


def test_a_page_is_glance_33s_byte_for_byte():
    pairs = listing.parameters("limit=1&name=cirros")
    assert view.images([GLANCES_IMAGE], listing.links(pairs, IMAGE_ID), True) == glances(
        "images-page.json")


def test_an_empty_member_list_is_glance_33s():
    assert json.dumps(view.members(IMAGE_ID, [])).encode() == glances("members-empty.json")
