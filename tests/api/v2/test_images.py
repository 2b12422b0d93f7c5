"""The v2 image routes (`glance.api.v2.images`): create, show, PATCH,
delete, actions and tags through the pipeline (CONTRACT §4, §10)."""

import json
import os

import pytest

from tests.api.v2.conftest import ADMIN, OTHER, OWNER, create, error, patch, v2_of

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def show(api, image_id, caller=OWNER, status=200):
    return api.get(f"/v2/images/{image_id}", headers=caller, status=status)


# -- create ---------------------------------------------------------------------------------

def test_create_answers_201_with_the_image_and_its_location(api):
    answer = api.post_json("/v2/images", {"name": "cirros", "disk_format": "raw",
                                          "container_format": "bare", "min_ram": 64,
                                          "tags": ["b", "a", "b"], "hw_disk_bus": "virtio"},
                           headers=OWNER, status=201)
    image = answer.json
    assert answer.headers["Location"] == f"http://localhost/v2/images/{image['id']}"
    assert (image["status"], image["visibility"], image["owner"]) == ("queued", "shared",
                                                                      "tenant-a")
    assert (image["size"], image["checksum"], image["os_hash_value"]) == (None, None, None)
    assert image["tags"] == ["a", "b"] and image["hw_disk_bus"] == "virtio"
    assert image["created_at"] == image["updated_at"]
    assert show(api, image["id"]).json == image


def test_one_record_for_both_apis(api):
    image = create(api, OWNER, name="both", visibility="private", min_disk=2, k="v")
    v1 = api.get(f"/v1/images/{image['id']}", headers=OWNER, status=404)  # no data yet
    assert v1.status_int == 404
    meta = api.head(f"/v1/images/{image['id']}", headers=OWNER).headers
    assert (meta["x-image-meta-name"], meta["x-image-meta-min_disk"]) == ("both", "2")
    assert (meta["x-image-meta-is_public"], meta["x-image-meta-property-k"]) == ("False", "v")


@pytest.mark.parametrize("key", ["status", "checksum", "size", "virtual_size", "created_at",
                                 "updated_at", "os_hash_algo", "os_hash_value", "direct_url",
                                 "self", "file", "schema", "stores", "locations"])
def test_read_only_attributes_are_403(api, key):
    answer = api.post_json("/v2/images", {key: "x"}, headers=OWNER, status=403)
    assert f"Attribute '{key}' is read-only." in error(answer)[2]


@pytest.mark.parametrize("key", ["location", "deleted", "deleted_at", "os_glance_x"])
def test_reserved_attributes_are_403(api, key):
    answer = api.post_json("/v2/images", {key: "x"}, headers=OWNER, status=403)
    assert f"Attribute '{key}' is reserved." in error(answer)[2]


@pytest.mark.parametrize("body", [
    {"disk_format": "floppy"}, {"visibility": "everyone"}, {"min_ram": -1},
    {"min_disk": 2**31}, {"protected": "yes"}, {"name": "x" * 256}, {"tags": "a"},
    {"tags": ["a/b"]}, {"id": "NOT-A-UUID"}, {"id": "1BEA47ED-F6A9-463B-B423-14B9CCA9AD27"},
    {"k": 1}, {"bad key": "v"}, {"disk_format": "ami", "container_format": "bare"}])
def test_bad_values_are_400(api, body):
    assert error(api.post_json("/v2/images", body, headers=OWNER, status=400))[0] == 400


@pytest.mark.parametrize("raw", [b"[]", b"null", b"not json", b"", b'{"a": NaN}',
                                 b"[" * 100000 + b"]" * 100000])
def test_a_body_that_is_not_a_json_object_is_400(api, raw):
    api.post("/v2/images", raw, headers={**OWNER, "Content-Type": "application/json"},
             status=400)


def test_only_admins_make_images_public_or_name_another_owner(api):
    assert error(api.post_json("/v2/images", {"visibility": "public"}, headers=OWNER,
                               status=403))[1] == "auth.forbidden"
    api.post_json("/v2/images", {"owner": "tenant-z"}, headers=OWNER, status=403)
    create(api, OWNER, owner="tenant-a")
    image = create(api, ADMIN, owner="tenant-z", visibility="public")
    assert (image["owner"], image["visibility"]) == ("tenant-z", "public")


def test_a_proposed_id_is_used_and_a_taken_one_is_409_even_deleted(api):
    wanted = "1bea47ed-f6a9-463b-b423-14b9cca9ad27"
    assert create(api, OWNER, id=wanted)["id"] == wanted
    api.post_json("/v2/images", {"id": wanted}, headers=OWNER, status=409)
    api.delete(f"/v2/images/{wanted}", headers=OWNER, status=204)
    api.post_json("/v2/images", {"id": wanted}, headers=OWNER, status=409)


def test_property_quota_is_413(api):
    body = {f"p{n}": "v" for n in range(129)}
    assert error(api.post_json("/v2/images", body, headers=OWNER, status=413))[1] == \
        "quota.exceeded"


# -- show -----------------------------------------------------------------------------------

@pytest.mark.parametrize("image_id", [UNKNOWN, "not-a-uuid", "42", UNKNOWN.upper(), "%20"])
def test_unknown_or_malformed_ids_are_404(api, image_id):
    assert error(show(api, image_id, status=404))[:2] == (404, "image.not_found")


def test_an_invisible_image_is_404_and_a_visible_one_200(api):
    private = create(api, OWNER, visibility="private")
    show(api, private["id"], OTHER, status=404)
    show(api, private["id"], ADMIN)
    community = create(api, OWNER, visibility="community")
    show(api, community["id"], OTHER)


# -- PATCH ----------------------------------------------------------------------------------

def test_patch_applies_every_operation(api):
    image = create(api, OWNER, name="a", a="1", b="2")
    after = patch(api, image["id"], [
        {"op": "replace", "path": "/name", "value": "renamed"},
        {"op": "add", "path": "/c", "value": "3"},
        {"op": "remove", "path": "/a"},
        {"op": "add", "path": "/tags", "value": ["x", "y"]},
        {"op": "replace", "path": "/min_disk", "value": 4},
        {"op": "add", "path": "/os_hidden", "value": True}])
    assert after["name"] == "renamed" and (after["b"], after["c"]) == ("2", "3")
    assert "a" not in after and after["tags"] == ["x", "y"] and after["min_disk"] == 4
    assert after["os_hidden"] is True
    assert show(api, image["id"]).json == after


def test_the_v2_0_patch_media_type(api):
    image = create(api, OWNER, a="1")
    after = patch(api, image["id"], [{"replace": "/a", "value": "2"}],
                  content_type="application/openstack-images-v2.0-json-patch")
    assert after["a"] == "2"


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", ""])
def test_another_media_type_is_415_with_accept_patch(api, content_type):
    image = create(api, OWNER)
    answer = api.patch(f"/v2/images/{image['id']}", "[]",
                       headers={**OWNER, "Content-Type": content_type}, status=415)
    assert answer.headers["Accept-Patch"] == ("application/openstack-images-v2.0-json-patch, "
                                              "application/openstack-images-v2.1-json-patch")
    assert error(answer)[1] == "image.bad_content_type"


def test_a_failing_operation_changes_nothing(api):
    image = create(api, OWNER, name="a", a="1")
    patch(api, image["id"], [{"op": "replace", "path": "/name", "value": "b"},
                             {"op": "remove", "path": "/absent"}], status=409)
    patch(api, image["id"], [{"op": "add", "path": "/k", "value": "v"},
                             {"op": "replace", "path": "/status", "value": "active"}],
          status=403)
    assert show(api, image["id"]).json == image


def test_updated_at_moves_only_when_something_changed(api):
    image = create(api, OWNER, name="a")
    same = patch(api, image["id"], [{"op": "replace", "path": "/name", "value": "a"}])
    assert same["updated_at"] == image["updated_at"]
    assert patch(api, image["id"], [])["updated_at"] == image["updated_at"]
    # v2 timestamps have whole seconds: compare the registry's through v1.
    before = api.head(f"/v1/images/{image['id']}", headers=OWNER).headers
    patch(api, image["id"], [{"op": "replace", "path": "/name", "value": "b"}])
    after = api.head(f"/v1/images/{image['id']}", headers=OWNER).headers
    assert after["x-image-meta-updated_at"] > before["x-image-meta-updated_at"]


@pytest.mark.parametrize("operations,status", [
    ([{"op": "remove", "path": "/name"}], 403),
    ([{"op": "replace", "path": "/visibility", "value": "public"}], 403),
    ([{"op": "replace", "path": "/owner", "value": "tenant-a"}], 403),
    ([{"op": "replace", "path": "/id", "value": UNKNOWN}], 403),
    ([{"op": "replace", "path": "/absent", "value": "x"}], 409),
    ([{"op": "add", "path": "/a/b", "value": "x"}], 400),
    ([{"op": "add", "path": "name", "value": "x"}], 400),
    ([{"op": "copy", "path": "/name", "from": "/x"}], 400),
    ([{"op": "add", "path": "/name"}], 400),
    ([{"op": "add", "path": "/min_ram", "value": "64"}], 400),
    ({"op": "add"}, 400),
])
def test_patch_refusals(api, operations, status):
    image = create(api, OWNER)
    patch(api, image["id"], operations, status=status)


def test_formats_change_only_while_queued(api):
    image = create(api, OWNER, disk_format="raw", container_format="bare")
    patch(api, image["id"], [{"op": "replace", "path": "/disk_format", "value": "qcow2"}])
    api.post(f"/v2/images/{image['id']}/actions/deactivate", headers=ADMIN, status=400)
    _activate(api, image["id"])
    answer = patch(api, image["id"], [{"op": "replace", "path": "/disk_format", "value": "raw"}],
                   status=403)
    assert "queued" in answer["error"]["message"]


def _activate(api, image_id):
    """Give a queued image data through v1 (v2's PUT …/file is data.py's)."""
    api.put(f"/v1/images/{image_id}", b"data", headers={
        **OWNER, "Content-Type": "application/octet-stream"}, status=200)


def test_only_the_owner_or_an_admin_patches(api):
    image = create(api, OWNER, visibility="community")
    patch(api, image["id"], [{"op": "add", "path": "/k", "value": "v"}], OTHER, status=403)
    assert patch(api, image["id"], [{"op": "replace", "path": "/owner", "value": "tenant-b"},
                                    {"op": "replace", "path": "/visibility",
                                     "value": "public"}], ADMIN)["owner"] == "tenant-b"
    private = create(api, OWNER, visibility="private")
    patch(api, private["id"], [], OTHER, status=404)


def test_remove_type_sets_it_to_null(api):
    image = create(api, OWNER, type="kernel")
    assert image["type"] == "kernel"
    assert "type" not in patch(api, image["id"], [{"op": "remove", "path": "/type"}])


# -- delete ---------------------------------------------------------------------------------

def test_delete_soft_deletes_and_removes_the_data(api, tmp_path):
    image = create(api, OWNER, disk_format="raw", container_format="bare")
    _activate(api, image["id"])
    assert os.listdir(tmp_path / "images") == [image["id"]]
    assert api.delete(f"/v2/images/{image['id']}", headers=OWNER, status=204).body == b""
    assert os.listdir(tmp_path / "images") == []
    show(api, image["id"], status=404)
    api.head(f"/v1/images/{image['id']}", headers=OWNER, status=404)
    api.delete(f"/v2/images/{image['id']}", headers=OWNER, status=404)


def test_protected_images_are_not_deleted(api):
    image = create(api, OWNER, protected=True)
    answer = api.delete(f"/v2/images/{image['id']}", headers=OWNER, status=403)
    assert f"Image {image['id']} is protected and cannot be deleted." in error(answer)[2]
    assert error(answer)[1] == "image.protected"
    patch(api, image["id"], [{"op": "replace", "path": "/protected", "value": False}])
    api.delete(f"/v2/images/{image['id']}", headers=OWNER, status=204)


def test_only_the_owner_or_an_admin_deletes(api):
    image = create(api, OWNER, visibility="community")
    api.delete(f"/v2/images/{image['id']}", headers=OTHER, status=403)
    api.delete(f"/v2/images/{image['id']}", headers=ADMIN, status=204)


def test_after_delete_hooks_see_the_deleted_image(api):
    seen = []
    v2_of(api).services.after_delete.append(lambda ctx, image: seen.append(image["status"]))
    image = create(api, OWNER)
    api.delete(f"/v2/images/{image['id']}", headers=OWNER, status=204)
    assert seen == ["deleted"]


# -- actions --------------------------------------------------------------------------------

def test_deactivate_and_reactivate(api):
    image = create(api, OWNER, disk_format="raw", container_format="bare")
    _activate(api, image["id"])
    url = f"/v2/images/{image['id']}/actions"
    api.post(url + "/deactivate", headers=OWNER, status=403)
    assert api.post(url + "/deactivate", headers=ADMIN, status=204).body == b""
    assert show(api, image["id"]).json["status"] == "deactivated"
    api.post(url + "/deactivate", headers=ADMIN, status=204)
    api.post(url + "/reactivate", headers=OWNER, status=403)
    api.post(url + "/reactivate", headers=OTHER, status=404)
    api.post(url + "/reactivate", headers=ADMIN, status=204)
    assert show(api, image["id"]).json["status"] == "active"
    api.post(url + "/reactivate", headers=ADMIN, status=204)


@pytest.mark.parametrize("action", ["deactivate", "reactivate"])
def test_actions_from_other_statuses_are_400(api, action):
    image = create(api, OWNER)
    answer = api.post(f"/v2/images/{image['id']}/actions/{action}", headers=ADMIN, status=400)
    assert "queued" in error(answer)[2]
    api.post(f"/v2/images/{UNKNOWN}/actions/{action}", headers=ADMIN, status=404)


# -- tags -----------------------------------------------------------------------------------

def test_tags_are_a_set(api):
    image = create(api, OWNER)
    url = f"/v2/images/{image['id']}/tags"
    assert api.put(url + "/red", headers=OWNER, status=204).body == b""
    api.put(url + "/red", headers=OWNER, status=204)
    api.put(url + "/bl%C3%BCe", headers=OWNER, status=204)
    assert show(api, image["id"]).json["tags"] == ["blüe", "red"]
    api.delete(url + "/red", headers=OWNER, status=204)
    assert error(api.delete(url + "/red", headers=OWNER, status=404))[0] == 404
    assert show(api, image["id"]).json["tags"] == ["blüe"]


@pytest.mark.parametrize("tag", ["a%2Fb", "a/b", "x" * 256, "a%01"])
def test_bad_tags_are_400(api, tag):
    image = create(api, OWNER)
    api.put(f"/v2/images/{image['id']}/tags/{tag}", headers=OWNER, status=400)


def test_the_tag_quota_is_413(api):
    image = create(api, OWNER, tags=["1", "2", "3", "4", "5"])        # quota 5 in `api`
    answer = api.put(f"/v2/images/{image['id']}/tags/6", headers=OWNER, status=413)
    assert error(answer)[1] == "quota.exceeded"
    patch(api, image["id"], [{"op": "add", "path": "/tags", "value": list("123456")}],
          status=413)


def test_only_the_owner_or_an_admin_tags(api):
    image = create(api, OWNER, visibility="community")
    api.put(f"/v2/images/{image['id']}/tags/t", headers=OTHER, status=403)
    api.put(f"/v2/images/{image['id']}/tags/t", headers=ADMIN, status=204)
    api.delete(f"/v2/images/{image['id']}/tags/t", headers=OTHER, status=403)
    api.put(f"/v2/images/{UNKNOWN}/tags/t", headers=ADMIN, status=404)


def test_json_answers_use_pythons_default_separators(api):
    image = create(api, OWNER, name="sep")
    body = show(api, image["id"]).body
    assert body == json.dumps(json.loads(body)).encode() and b'", "' in body
