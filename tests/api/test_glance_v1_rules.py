"""v1 rules of real Glance that its clients and tests notice (CONTRACT §2, §3,
§10): admin-set owner, protected images, Glance's error texts, the
property quota, `is_public=none` and `changes-since` for each kind of
caller.  Callers' contexts are given directly (tests/api/conftest.py `root`)."""

from datetime import datetime, timedelta

import pytest

from tests.api.conftest import QUOTAS, caller

OCTET = {"Content-Type": "application/octet-stream"}
PROPERTY_QUOTA = int(QUOTAS["GLANCE_IMAGE_PROPERTY_QUOTA"])


@pytest.fixture
def alice(root):
    return caller(root, "alice")


@pytest.fixture
def admin(root):
    return caller(root, admin=True)


def create(app, status=201, body=b"", **meta):
    headers = {f"x-image-meta-{key}": value for key, value in meta.items()}
    if body:
        headers.update(OCTET)
    return app.post("/v1/images", body, headers=headers, status=status)


def ids(app, query=""):
    return [image["id"] for image in app.get("/v1/images/detail" + query).json["images"]]


# -- owner ------------------------------------------------------------------------------

def test_an_admin_may_set_the_owner_on_create(admin):
    image = create(admin, owner="tenant-x").json["image"]
    assert image["owner"] == "tenant-x"
    assert admin.head(f"/v1/images/{image['id']}").headers["x-image-meta-owner"] == "tenant-x"


def test_an_admin_may_change_the_owner(admin, root):
    image = create(admin, owner="tenant-x").json["image"]
    changed = admin.put(f"/v1/images/{image['id']}", headers={"x-image-meta-owner": "tenant-y"})
    assert changed.json["image"]["owner"] == "tenant-y"
    caller(root, "tenant-y").put(f"/v1/images/{image['id']}", status=200)


def test_an_admins_empty_owner_makes_the_image_ownerless(admin):
    image = create(admin, owner="").json["image"]
    assert image["owner"] is None


def test_a_non_admins_owner_is_ignored_on_create_and_update(alice):
    image = create(alice, owner="mallory").json["image"]
    assert image["owner"] == "alice"
    updated = alice.put(f"/v1/images/{image['id']}", headers={"x-image-meta-owner": "mallory"})
    assert updated.json["image"]["owner"] == "alice"


# -- protected ----------------------------------------------------------------------------

def test_a_protected_image_is_not_deleted(alice):
    image = create(alice, body=b"keep me", protected="True").json["image"]
    res = alice.delete(f"/v1/images/{image['id']}", status=403)
    assert "Image is protected" in res.json["error"]["message"]
    assert res.json["error"]["type"] == "image.protected"
    assert alice.get(f"/v1/images/{image['id']}").body == b"keep me"
    alice.put(f"/v1/images/{image['id']}", headers={"x-image-meta-protected": "False"})
    alice.delete(f"/v1/images/{image['id']}", status=200)


# -- error texts --------------------------------------------------------------------------

@pytest.mark.parametrize("field", ["min_disk", "min_ram"])
@pytest.mark.parametrize("value", [str(2**31), str(2**63), str(2**64), "-1", "9" * 5000])
def test_min_disk_and_min_ram_out_of_range_are_400_in_glances_words(admin, field, value):
    res = create(admin, status=400, body=b"data", **{field: value})
    assert f"'{field}' value out of range" in res.json["error"]["message"]
    assert len(res.json["error"]["message"]) < 200
    assert ids(admin, "?is_public=none") == []        # checked before anything else


@pytest.mark.parametrize("value", ["abc", "1.5", "+1", "0x10", "١"])
def test_a_non_integer_min_ram_is_400_naming_it(admin, value):
    res = create(admin, status=400, min_ram=value)
    assert "'min_ram'" in res.json["error"]["message"]


def test_the_largest_min_disk_is_taken(admin):
    assert create(admin, min_disk=str(2**31 - 1)).json["image"]["min_disk"] == 2**31 - 1


@pytest.mark.parametrize("field,words", [("disk_format", "Invalid disk format 'floppy'"),
                                         ("container_format",
                                          "Invalid container format 'floppy'")])
def test_an_unknown_format_is_400_in_glances_words(admin, field, words):
    res = create(admin, status=400, body=b"data", **{field: "floppy"})
    assert words in res.json["error"]["message"]
    assert ids(admin, "?is_public=none") == []


@pytest.mark.parametrize("value", ["12", "not-a-uuid", "4DDBD1C1-2CB3-4C69-97F7-4D9C87F8A3F1"])
def test_an_id_that_is_no_lower_case_uuid_is_400(admin, value):
    res = create(admin, status=400, id=value)
    assert "UUID" in res.json["error"]["message"]


def test_more_properties_than_the_quota_is_413_in_glances_words(alice):
    properties = {f"property-p{i}": "v" for i in range(PROPERTY_QUOTA + 1)}
    res = create(alice, status=413, **properties)
    assert (f"The limit has been exceeded on the number of allowed image properties. "
            f"Attempted: {PROPERTY_QUOTA + 1}, Maximum: {PROPERTY_QUOTA}"
            ) in res.json["error"]["message"]


def test_the_property_quota_counts_the_set_after_a_merge(alice):
    image = create(alice, **{f"property-p{i}": "v" for i in range(PROPERTY_QUOTA)}).json["image"]
    alice.put(f"/v1/images/{image['id']}", status=413, headers={
        "x-image-meta-property-extra": "v", "x-glance-registry-purge-props": "false"})
    alice.put(f"/v1/images/{image['id']}", status=200, headers={   # replaced: one left
        "x-image-meta-property-extra": "v"})


# -- lists: is_public=none, changes-since -------------------------------------------------

@pytest.fixture
def three(alice, admin):
    """A public image, alice's private one and another tenant's private one."""
    return {"public": create(admin, is_public="true").json["image"]["id"],
            "alices": create(alice).json["image"]["id"],
            "others": create(admin, owner="other").json["image"]["id"]}


@pytest.mark.parametrize("value", ["none", "None", "NONE"])
def test_is_public_none_gives_admins_every_image(admin, three, value):
    assert set(ids(admin, f"?is_public={value}")) == set(three.values())


def test_is_public_none_gives_others_their_ordinary_list(alice, three):
    assert set(ids(alice, "?is_public=None")) == {three["public"], three["alices"]}
    assert set(ids(alice)) == {three["public"], three["alices"]}


def test_changes_since_lists_deleted_images_too(alice, admin):
    kept = create(alice).json["image"]
    gone = create(alice).json["image"]
    alice.delete(f"/v1/images/{gone['id']}")
    since = (datetime.fromisoformat(kept["created_at"]) - timedelta(seconds=1)).isoformat()
    listed = {image["id"]: image for image in
              alice.get(f"/v1/images/detail?changes-since={since}").json["images"]}
    assert kept["id"] in listed
    assert (listed[gone["id"]]["status"], listed[gone["id"]]["deleted"]) == ("deleted", True)
    assert gone["id"] not in ids(alice)


def test_changes_since_is_strictly_after(alice):
    image = create(alice).json["image"]
    assert ids(alice, f"?changes-since={image['updated_at']}") == []


@pytest.mark.parametrize("value", ["garbage", "1577836800", "2020-13-01"])
def test_an_unparsable_changes_since_is_400(alice, value):
    res = alice.get(f"/v1/images/detail?changes-since={value}", status=400)
    assert "Unrecognized changes-since value" in res.json["error"]["message"]


# -- virtual_size -------------------------------------------------------------------------

@pytest.mark.parametrize("disk_format,expected", [("raw", 5), ("qcow2", None)])
def test_virtual_size_is_the_size_of_a_raw_image_once_active(alice, disk_format, expected):
    image = create(alice, body=b"12345", disk_format=disk_format).json["image"]
    assert (image["size"], image["virtual_size"]) == (5, expected)
    queued = create(alice, disk_format=disk_format).json["image"]
    assert queued["virtual_size"] is None
    put = alice.put(f"/v1/images/{queued['id']}", b"12345", headers=OCTET).json["image"]
    assert put["virtual_size"] == expected
