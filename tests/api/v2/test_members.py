"""The v2 member routes (`glance.api.v2.members`, CONTRACT §4 Members)."""

import pytest

from tests.api.v2.conftest import ADMIN, OTHER, OWNER, create, error, patch

THIRD = {"X-Tenant-Id": "tenant-d", "X-User-Id": "dan", "X-Roles": "member"}


@pytest.fixture
def shared(api):
    return create(api, OWNER, name="shared")


def members_url(image, member=None):
    url = f"/v2/images/{image['id']}/members"
    return url + f"/{member}" if member else url


def add(api, image, member="tenant-b", caller=OWNER, status=200):
    return api.post_json(members_url(image), {"member": member}, headers=caller,
                         status=status)


def test_add_answer_list_and_remove(api, shared):
    added = add(api, shared).json
    assert added == {"member_id": "tenant-b", "image_id": shared["id"], "status": "pending",
                     "created_at": added["created_at"], "updated_at": added["updated_at"],
                     "schema": "/v2/schemas/member"}
    answered = api.put_json(members_url(shared, "tenant-b"), {"status": "accepted"},
                            headers=OTHER).json
    assert answered["status"] == "accepted"
    listed = api.get(members_url(shared), headers=OWNER).json
    assert listed == {"members": [answered], "schema": "/v2/schemas/members"}
    assert api.get(members_url(shared, "tenant-b"), headers=OWNER).json == answered
    assert api.delete(members_url(shared, "tenant-b"), headers=OWNER, status=204).body == b""
    assert api.get(members_url(shared), headers=OWNER).json["members"] == []
    api.get(f"/v2/images/{shared['id']}", headers=OTHER, status=404)


def test_a_member_sees_the_image_whatever_its_status_but_lists_it_when_accepted(api, shared):
    add(api, shared)
    api.get(f"/v2/images/{shared['id']}", headers=OTHER, status=200)
    assert api.get("/v2/images", headers=OTHER).json["images"] == []
    api.put_json(members_url(shared, "tenant-b"), {"status": "accepted"}, headers=OTHER)
    assert [i["id"] for i in api.get("/v2/images", headers=OTHER).json["images"]] == [
        shared["id"]]


@pytest.mark.parametrize("visibility", ["private", "public", "community"])
def test_only_shared_images_have_members(api, visibility):
    image = create(api, ADMIN if visibility == "public" else OWNER, visibility=visibility)
    caller = ADMIN if visibility == "public" else OWNER
    assert "shared" in error(add(api, image, caller=caller, status=403))[2]
    api.get(members_url(image), headers=caller, status=403)


def test_only_the_owner_or_an_admin_adds_and_removes(api, shared):
    add(api, shared)
    add(api, shared, "tenant-d", caller=OTHER, status=403)
    add(api, shared, "tenant-d", caller=ADMIN)
    api.delete(members_url(shared, "tenant-d"), headers=OTHER, status=403)
    api.delete(members_url(shared, "tenant-b"), headers=OTHER, status=403)
    api.delete(members_url(shared, "tenant-d"), headers=ADMIN, status=204)
    add(api, shared, caller=THIRD, status=404)          # cannot see it


def test_a_member_lists_only_itself_and_others_none_of_them(api, shared):
    add(api, shared)
    add(api, shared, "tenant-d")
    assert [m["member_id"] for m in api.get(members_url(shared), headers=OWNER).json[
        "members"]] == ["tenant-b", "tenant-d"]
    assert [m["member_id"] for m in api.get(members_url(shared), headers=OTHER).json[
        "members"]] == ["tenant-b"]
    api.get(members_url(shared, "tenant-d"), headers=OTHER, status=404)
    api.get(members_url(shared, "tenant-b"), headers=THIRD, status=404)


def test_only_the_member_or_an_admin_answers(api, shared):
    add(api, shared)
    api.put_json(members_url(shared, "tenant-b"), {"status": "accepted"}, headers=OWNER,
                 status=403)
    api.put_json(members_url(shared, "tenant-b"), {"status": "rejected"}, headers=ADMIN)
    api.put_json(members_url(shared, "tenant-x"), {"status": "accepted"}, headers=ADMIN,
                 status=404)


@pytest.mark.parametrize("body", [{"status": "maybe"}, {}, [], {"status": None}])
def test_a_bad_status_is_400(api, shared, body):
    add(api, shared)
    api.put_json(members_url(shared, "tenant-b"), body, headers=OTHER, status=400)


@pytest.mark.parametrize("body", [{"member": ""}, {}, {"member": 5}, [],
                                  {"member": "x" * 256}, {"member": "a\nb"}])
def test_a_bad_member_is_400(api, shared, body):
    api.post_json(members_url(shared), body, headers=OWNER, status=400)


def test_a_duplicate_is_409_and_the_quota_413(api, shared):
    add(api, shared)
    add(api, shared, status=409)
    add(api, shared, "t2")
    add(api, shared, "t3")                               # quota 3 in `api`
    assert error(add(api, shared, "t4", status=413))[1] == "quota.exceeded"


def test_removing_an_absent_member_is_404(api, shared):
    api.delete(members_url(shared, "tenant-b"), headers=OWNER, status=404)


def test_members_are_shared_with_v1(api, shared):
    add(api, shared)
    v1 = api.get(f"/v1/images/{shared['id']}/members", headers=OWNER, expect_errors=True)
    if v1.status_int == 200:        # v1's members routes are being finished in parallel
        assert [m["member_id"] for m in v1.json["members"]] == ["tenant-b"]


def test_a_membership_never_makes_the_member_an_owner(api, shared):
    add(api, shared)
    patch(api, shared["id"], [{"op": "add", "path": "/k", "value": "v"}], OTHER, status=403)
    api.delete(f"/v2/images/{shared['id']}", headers=OTHER, status=403)
    api.put(f"/v2/images/{shared['id']}/tags/t", headers=OTHER, status=403)
