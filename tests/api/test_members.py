"""Image members in v1 (CONTRACT §2 "Members (v1)"), through the v1 app with
the callers' contexts given directly: an owner (alice), another tenant
(bob), a third (carol), an admin, and an anonymous caller."""

import json

import pytest

from tests.api.conftest import QUOTAS, caller

JSON = {"Content-Type": "application/json"}
QUOTA = int(QUOTAS["GLANCE_IMAGE_MEMBER_QUOTA"])


@pytest.fixture
def alice(root):
    return caller(root, "alice")


@pytest.fixture
def bob(root):
    return caller(root, "bob")


@pytest.fixture
def carol(root):
    return caller(root, "carol")


@pytest.fixture
def admin(root):
    return caller(root, admin=True)


@pytest.fixture
def image(alice):
    """Alice's non-public image (v1: `shared`)."""
    return alice.post("/v1/images", headers={"x-image-meta-name": "alices"}).json["image"]["id"]


def members(app, image_id):
    return app.get(f"/v1/images/{image_id}/members").json["members"]


def put_member(app, image_id, member, body=None, status=204):
    if body is None:
        return app.put(f"/v1/images/{image_id}/members/{member}", status=status)
    return app.put(f"/v1/images/{image_id}/members/{member}", json.dumps(body), headers=JSON,
                   status=status)


def replace(app, image_id, memberships, status=204):
    return app.put(f"/v1/images/{image_id}/members", json.dumps({"memberships": memberships}),
                   headers=JSON, status=status)


# -- the routes ---------------------------------------------------------------------------

def test_an_image_has_no_members_at_first(alice, image):
    assert alice.get(f"/v1/images/{image}/members").json == {"members": []}


def test_put_member_is_204_and_the_list_shows_it_without_can_share(alice, image):
    res = put_member(alice, image, "bob")
    assert res.body == b""
    assert members(alice, image) == [{"member_id": "bob", "can_share": False}]


def test_put_member_with_can_share_sets_it(alice, image):
    put_member(alice, image, "bob", {"member": {"can_share": True}})
    assert members(alice, image) == [{"member_id": "bob", "can_share": True}]


def test_put_member_without_a_body_leaves_an_existing_member_unchanged(alice, image):
    put_member(alice, image, "bob", {"member": {"can_share": True}})
    put_member(alice, image, "bob")
    put_member(alice, image, "bob", {"member": {}})
    assert members(alice, image) == [{"member_id": "bob", "can_share": True}]
    put_member(alice, image, "bob", {"member": {"can_share": False}})
    assert members(alice, image) == [{"member_id": "bob", "can_share": False}]


def test_can_share_false_as_text_means_false(alice, image):
    """Glance read bool("false"), i.e. true; we read what it says."""
    put_member(alice, image, "bob", {"member": {"can_share": "false"}})
    assert members(alice, image) == [{"member_id": "bob", "can_share": False}]


def test_replace_sets_the_whole_set_keeping_an_omitted_can_share(alice, image):
    put_member(alice, image, "bob", {"member": {"can_share": True}})
    put_member(alice, image, "old")
    assert replace(alice, image, [{"member_id": "bob"}, {"member_id": "carol"}]).body == b""
    assert members(alice, image) == [{"member_id": "bob", "can_share": True},
                                     {"member_id": "carol", "can_share": False}]
    replace(alice, image, [])
    assert members(alice, image) == []


def test_delete_member_is_204_and_a_second_delete_404(alice, image):
    put_member(alice, image, "bob")
    assert alice.delete(f"/v1/images/{image}/members/bob", status=204).body == b""
    assert members(alice, image) == []
    alice.delete(f"/v1/images/{image}/members/bob", status=404)


def test_shared_images_lists_the_images_shared_with_a_tenant(alice, image):
    put_member(alice, image, "bob", {"member": {"can_share": True}})
    assert alice.get("/v1/shared-images/bob").json == {
        "shared_images": [{"image_id": image, "can_share": True}]}
    assert alice.get("/v1/shared-images/nobody").json == {"shared_images": []}


def test_the_routes_work_unversioned_too(alice, image):
    alice.put(f"/images/{image}/members/bob", status=204)
    assert alice.get(f"/images/{image}/members").json["members"][0]["member_id"] == "bob"


def test_get_of_one_member_is_405_as_in_glance(alice, image):
    put_member(alice, image, "bob")
    res = alice.get(f"/v1/images/{image}/members/bob", status=405)
    assert res.headers["Allow"] == "DELETE, PUT"
    assert res.json["error"]["type"] == "http.method_not_allowed"


@pytest.mark.parametrize("path", ["/v1/images/{id}/members", "/v1/shared-images/bob"])
def test_head_of_the_lists_is_405(alice, image, path):
    res = alice.head(path.format(id=image), status=405)
    assert "GET" in res.headers["Allow"]


def test_members_may_be_added_to_a_public_image_as_in_glance_v1(admin):
    """The lead's decision: Glance's own v1 tests share a public image (204)."""
    public = admin.post("/v1/images", headers={"x-image-meta-is_public": "true"}
                        ).json["image"]["id"]
    put_member(admin, public, "bob")
    assert members(admin, public) == [{"member_id": "bob", "can_share": False}]


# -- who may ------------------------------------------------------------------------------

def test_a_member_sees_the_image_until_it_is_removed(alice, bob, image):
    bob.head(f"/v1/images/{image}", status=404)
    put_member(alice, image, "bob")
    assert bob.head(f"/v1/images/{image}").headers["x-image-meta-name"] == "alices"
    assert image in [i["id"] for i in bob.get("/v1/images").json["images"]]
    alice.delete(f"/v1/images/{image}/members/bob")
    bob.head(f"/v1/images/{image}", status=404)


def test_a_member_sees_only_itself_in_the_list(alice, bob, image):
    replace(alice, image, [{"member_id": "bob"}, {"member_id": "carol"}])
    assert members(bob, image) == [{"member_id": "bob", "can_share": False}]


def test_a_member_may_not_change_the_image(alice, bob, image):
    put_member(alice, image, "bob")
    bob.put(f"/v1/images/{image}", headers={"x-image-meta-name": "bobs"}, status=403)
    bob.delete(f"/v1/images/{image}", status=403)


def test_a_member_without_can_share_may_not_share(alice, bob, image):
    put_member(alice, image, "bob")
    for res in (put_member(bob, image, "carol", status=403),
                replace(bob, image, [{"member_id": "bob"}], status=403),
                bob.delete(f"/v1/images/{image}/members/bob", status=403)):
        assert "No permission to share that image" in res.json["error"]["message"]
    assert members(alice, image) == [{"member_id": "bob", "can_share": False}]


def test_a_member_with_can_share_may_share(alice, bob, image):
    put_member(alice, image, "bob", {"member": {"can_share": True}})
    put_member(bob, image, "carol")
    assert {m["member_id"] for m in members(alice, image)} == {"bob", "carol"}


def test_a_tenant_that_cannot_see_the_image_gets_404(carol, image):
    carol.get(f"/v1/images/{image}/members", status=404)
    put_member(carol, image, "carol", status=404)
    replace(carol, image, [{"member_id": "carol"}], status=404)
    carol.delete(f"/v1/images/{image}/members/bob", status=404)


def test_an_admin_may_share_any_image(admin, image):
    put_member(admin, image, "dave")
    assert members(admin, image) == [{"member_id": "dave", "can_share": False}]


@pytest.mark.parametrize("method,path", [("PUT", "/members/bob"), ("DELETE", "/members/bob"),
                                         ("PUT", "/members")])
def test_a_non_admin_without_a_tenant_is_401(root, image, method, path):
    res = caller(root).request(f"/v1/images/{image}{path}", method=method, status=401)
    assert res.json["error"]["type"] == "auth.required"


def test_shared_images_of_another_tenant_show_only_the_callers_images(alice, bob, admin, image):
    put_member(alice, image, "carol")
    admin_image = admin.post("/v1/images").json["image"]["id"]
    put_member(admin, admin_image, "carol")
    assert [m["image_id"] for m in alice.get("/v1/shared-images/carol").json[
        "shared_images"]] == [image]
    assert bob.get("/v1/shared-images/carol").json == {"shared_images": []}
    assert {m["image_id"] for m in admin.get("/v1/shared-images/carol").json[
        "shared_images"]} == {image, admin_image}


# -- unknown, deleted, quota, bad input ---------------------------------------------------

@pytest.mark.parametrize("image_id", ["00000000-0000-4000-8000-000000000000", "abc"])
def test_unknown_or_malformed_images_are_404(alice, image_id):
    alice.get(f"/v1/images/{image_id}/members", status=404)
    put_member(alice, image_id, "bob", status=404)
    replace(alice, image_id, [], status=404)
    alice.delete(f"/v1/images/{image_id}/members/bob", status=404)


def test_a_deleted_image_has_no_members_routes(alice, image):
    put_member(alice, image, "bob")
    alice.delete(f"/v1/images/{image}")
    alice.get(f"/v1/images/{image}/members", status=404)
    put_member(alice, image, "carol", status=404)
    replace(alice, image, [{"member_id": "bob", "can_share": False}], status=404)
    alice.delete(f"/v1/images/{image}/members/bob", status=404)


def test_one_member_over_the_quota_is_413(alice, image):
    replace(alice, image, [{"member_id": f"t{i}"} for i in range(QUOTA)])
    res = put_member(alice, image, "one-too-many", status=413)
    assert f"Attempted: {QUOTA + 1}, Maximum: {QUOTA}" in res.json["error"]["message"]
    put_member(alice, image, "t0")      # an existing member is no new one


def test_replacing_with_more_than_the_quota_is_413_and_changes_nothing(alice, image):
    put_member(alice, image, "bob")
    replace(alice, image, [{"member_id": f"t{i}"} for i in range(QUOTA + 1)], status=413)
    assert members(alice, image) == [{"member_id": "bob", "can_share": False}]


def test_the_quota_is_no_clue_to_a_caller_who_may_not_share(alice, bob, image):
    put_member(alice, image, "bob")
    replace(bob, image, [{"member_id": f"t{i}"} for i in range(QUOTA + 1)], status=403)


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"member": 1}',
                                  b'{"member": {"can_share": "yes"}}',
                                  b'{"member": {"can_share": 1}}'])
def test_a_bad_member_body_is_400(alice, image, body):
    res = alice.put(f"/v1/images/{image}/members/bob", body, headers=JSON, status=400)
    assert res.json["error"]["type"] == "image.invalid"
    assert members(alice, image) == []


@pytest.mark.parametrize("body", [b"", b"not json", b"{}", b'{"memberships": "bob"}',
                                  b'{"memberships": [{"can_share": true}]}',
                                  b'{"memberships": [{"member_id": ""}]}',
                                  b'{"memberships": [{"member_id": 5}]}',
                                  b'{"memberships": [{"member_id": "b", "can_share": "x"}]}'])
def test_a_bad_memberships_body_is_400(alice, image, body):
    put_member(alice, image, "bob")
    res = alice.put(f"/v1/images/{image}/members", body, headers=JSON, status=400)
    assert res.json["error"]["type"] == "image.invalid"
    assert members(alice, image) == [{"member_id": "bob", "can_share": False}]


def test_a_member_over_255_characters_is_400(alice, image):
    put_member(alice, image, "x" * 256, status=400)


def test_a_member_in_the_path_that_is_not_utf8_is_400(alice, image):
    # The server hands the path over as latin-1: this is the byte 0xff.
    res = alice.put(f"/v1/images/{image}/members/a%FF", status=400)
    assert "UTF-8" in res.json["error"]["message"]


def test_a_non_ascii_member_round_trips(alice, image):
    alice.put(f"/v1/images/{image}/members/t%C3%A9nant", status=204)
    assert members(alice, image) == [{"member_id": "ténant", "can_share": False}]
