"""Members (sharing) and tags in the registry (CONTRACT §1, §2 Members, §4)."""

import pytest

from glance.common import exception
from glance.registry.validation import Limits
from tests.registry.helpers import (ADMIN, ALICE, ANON, BOB, CAROL, NOAUTH, FakeClock,
                                    as_service, memory_registry)

START = "2024-05-01T12:00:00.000000"


def make(registry, visibility="shared", owner=ALICE, **values):
    return registry.create_image(as_service(owner), dict(values, visibility=visibility))


def members(registry, context, image):
    return [(m["member_id"], m["can_share"], m["status"])
            for m in registry.list_members(context, image["id"])]


# -- visibility through membership ------------------------------------------------------

def test_a_member_sees_a_shared_image_whatever_its_status(registry):
    image = make(registry)
    with pytest.raises(exception.NotFound):
        registry.get_image(BOB, image["id"])
    registry.add_member(ALICE, image["id"], "bob")
    for status in ("pending", "rejected", "accepted"):
        if status != "pending":
            registry.set_member(BOB, image["id"], "bob", status=status)
        assert registry.get_image(BOB, image["id"])["id"] == image["id"]


@pytest.mark.parametrize("visibility", ["private"])
def test_membership_grants_nothing_on_other_visibilities(registry, visibility):
    image = make(registry, visibility)
    registry.add_member(ALICE, image["id"], "bob")      # allowed, as Glance v1 did
    with pytest.raises(exception.NotFound):
        registry.get_image(BOB, image["id"])


def test_a_member_may_not_change_the_image(registry):
    image = make(registry)
    registry.add_member(ALICE, image["id"], "bob")
    with pytest.raises(exception.Forbidden):
        registry.update_image(BOB, image["id"], {"name": "mine"})
    with pytest.raises(exception.Forbidden):
        registry.delete_image(BOB, image["id"])


def test_removing_the_membership_hides_the_image_again(registry):
    image = make(registry)
    registry.add_member(ALICE, image["id"], "bob")
    registry.delete_member(ALICE, image["id"], "bob")
    with pytest.raises(exception.NotFound):
        registry.get_image(BOB, image["id"])


# -- adding, changing, removing -------------------------------------------------------

def test_a_new_member_is_pending_without_can_share(registry):
    image = make(registry)
    member = registry.add_member(ALICE, image["id"], "bob")
    assert member == {"image_id": image["id"], "member_id": "bob", "can_share": False,
                      "status": "pending", "created_at": START, "updated_at": START}


def test_adding_a_member_twice_is_duplicate(registry):
    image = make(registry)
    registry.add_member(ALICE, image["id"], "bob")
    with pytest.raises(exception.Duplicate):
        registry.add_member(ALICE, image["id"], "bob")


def test_set_member_adds_or_changes_only_what_is_given(registry, clock):
    image = make(registry)
    registry.set_member(ALICE, image["id"], "bob", can_share=True)
    clock.tick()
    unchanged = registry.set_member(ALICE, image["id"], "bob")
    assert (unchanged["can_share"], unchanged["updated_at"]) == (True, START)
    assert registry.set_member(ALICE, image["id"], "bob", can_share=False)["can_share"] is False


def test_only_the_member_itself_or_an_admin_sets_its_status(registry):
    image = make(registry)
    registry.add_member(ALICE, image["id"], "bob")
    with pytest.raises(exception.Forbidden):
        registry.set_member(ALICE, image["id"], "bob", status="accepted")
    assert registry.set_member(BOB, image["id"], "bob", status="accepted")["status"] == \
        "accepted"
    assert registry.set_member(NOAUTH, image["id"], "bob", status="rejected")["status"] == \
        "rejected"


def test_a_status_for_a_non_member_is_not_found(registry):
    image = make(registry, "public")
    with pytest.raises(exception.NotFound):
        registry.set_member(BOB, image["id"], "bob", status="accepted")


@pytest.mark.parametrize("status", ["maybe", "", "ACCEPTED"])
def test_a_bad_member_status_is_invalid(registry, status):
    image = make(registry)
    registry.add_member(ALICE, image["id"], "bob")
    with pytest.raises(exception.Invalid, match="status"):
        registry.set_member(BOB, image["id"], "bob", status=status)


@pytest.mark.parametrize("member", ["", " ", "x" * 256, "a\nb", 5, None])
def test_a_bad_member_id_is_invalid(registry, member):
    image = make(registry)
    with pytest.raises(exception.Invalid, match="member"):
        registry.add_member(ALICE, image["id"], member)


def test_who_may_share(registry):
    image = make(registry)
    registry.add_member(ALICE, image["id"], "bob")
    with pytest.raises(exception.Forbidden, match="No permission to share that image"):
        registry.add_member(BOB, image["id"], "carol")
    registry.set_member(ALICE, image["id"], "bob", can_share=True)
    registry.add_member(BOB, image["id"], "carol")              # a member with can_share
    registry.add_member(NOAUTH, image["id"], "dave")            # an admin
    assert [m["member_id"] for m in registry.list_members(ALICE, image["id"])] == [
        "bob", "carol", "dave"]


def test_a_caller_who_cannot_see_the_image_gets_not_found(registry):
    image = make(registry)
    for call in (lambda: registry.add_member(BOB, image["id"], "bob"),
                 lambda: registry.list_members(BOB, image["id"]),
                 lambda: registry.delete_member(BOB, image["id"], "x")):
        with pytest.raises(exception.NotFound):
            call()


def test_replace_members_keeps_can_share_unless_given(registry):
    image = make(registry)
    registry.add_member(ALICE, image["id"], "bob", can_share=True)
    registry.add_member(ALICE, image["id"], "carol")
    registry.set_member(BOB, image["id"], "bob", status="accepted")
    after = registry.replace_members(ALICE, image["id"], [
        {"member_id": "bob"}, {"member_id": "dave", "can_share": True}])
    assert [(m["member_id"], m["can_share"], m["status"]) for m in after] == [
        ("bob", True, "accepted"), ("dave", True, "pending")]


@pytest.mark.parametrize("memberships", [{"member_id": "x"}, [{"can_share": True}], ["bob"],
                                         [{"member_id": ""}]])
def test_bad_memberships_are_invalid(registry, memberships):
    image = make(registry)
    with pytest.raises(exception.Invalid):
        registry.replace_members(ALICE, image["id"], memberships)


def test_deleting_a_non_member_is_not_found(registry):
    image = make(registry)
    with pytest.raises(exception.NotFound):
        registry.delete_member(ALICE, image["id"], "bob")


def test_the_member_quota_is_413(registry):
    small = memory_registry(FakeClock(), Limits(members=2))
    image = make(small)
    small.add_member(ALICE, image["id"], "a")
    small.set_member(ALICE, image["id"], "b")
    with pytest.raises(exception.QuotaExceeded, match="members for this image. Attempted: 3"):
        small.add_member(ALICE, image["id"], "c")
    with pytest.raises(exception.QuotaExceeded):
        small.set_member(ALICE, image["id"], "c")
    with pytest.raises(exception.QuotaExceeded):
        small.replace_members(ALICE, image["id"], [{"member_id": x} for x in "abc"])


def test_members_of_a_deleted_image_are_gone_with_it(registry):
    image = make(registry)
    registry.add_member(ALICE, image["id"], "bob")
    registry.delete_image(ALICE, image["id"])
    with pytest.raises(exception.NotFound):
        registry.list_members(ALICE, image["id"])
    assert registry.shared_images(NOAUTH, "bob") == []


# -- who sees which members -------------------------------------------------------------

def test_the_owner_and_admins_see_every_member_a_member_itself(registry):
    image = make(registry)
    registry.add_member(ALICE, image["id"], "bob")
    registry.add_member(ALICE, image["id"], "carol")
    assert [m[0] for m in members(registry, ALICE, image)] == ["bob", "carol"]
    assert [m[0] for m in members(registry, NOAUTH, image)] == ["bob", "carol"]
    assert [m[0] for m in members(registry, BOB, image)] == ["bob"]


def test_others_who_see_the_image_see_no_members(registry):
    image = make(registry, "public")
    registry.add_member(ALICE, image["id"], "bob")
    assert registry.list_members(CAROL, image["id"]) == []
    assert registry.list_members(ANON, image["id"]) == []


def test_get_member_for_the_owner_an_admin_or_that_member(registry):
    image = make(registry, "public")
    registry.add_member(ALICE, image["id"], "bob")
    for context in (ALICE, NOAUTH, BOB):
        assert registry.get_member(context, image["id"], "bob")["member_id"] == "bob"
    with pytest.raises(exception.NotFound):
        registry.get_member(CAROL, image["id"], "bob")
    with pytest.raises(exception.NotFound):
        registry.get_member(ALICE, image["id"], "carol")


def test_shared_images_lists_the_memberships_of_a_tenant(registry):
    mine = make(registry)
    theirs = make(registry, owner=CAROL)
    registry.add_member(ALICE, mine["id"], "bob")
    registry.add_member(CAROL, theirs["id"], "bob", can_share=True)
    assert {m["image_id"] for m in registry.shared_images(NOAUTH, "bob")} == {
        mine["id"], theirs["id"]}
    assert {m["image_id"] for m in registry.shared_images(BOB, "bob")} == {
        mine["id"], theirs["id"]}
    assert [m["image_id"] for m in registry.shared_images(ALICE, "bob")] == [mine["id"]]
    assert registry.shared_images(ANON, "bob") == []
    assert registry.shared_images(ADMIN, "nobody") == []


# -- tags ----------------------------------------------------------------------------------

def test_tags_are_added_once_and_removed(registry, clock):
    image = make(registry)
    clock.tick()
    assert registry.add_tag(ALICE, image["id"], "b")["tags"] == ["b"]
    moved = registry.add_tag(ALICE, image["id"], "a")
    assert moved["tags"] == ["a", "b"] and moved["updated_at"] > image["updated_at"]
    clock.tick()
    again = registry.add_tag(ALICE, image["id"], "a")
    assert again["tags"] == ["a", "b"] and again["updated_at"] == moved["updated_at"]
    assert registry.delete_tag(ALICE, image["id"], "a")["tags"] == ["b"]


def test_deleting_an_absent_tag_is_not_found(registry):
    image = make(registry)
    with pytest.raises(exception.NotFound):
        registry.delete_tag(ALICE, image["id"], "nope")


def test_only_the_owner_or_an_admin_tags(registry):
    image = make(registry, "public")
    with pytest.raises(exception.Forbidden):
        registry.add_tag(BOB, image["id"], "x")
    assert registry.add_tag(NOAUTH, image["id"], "x")["tags"] == ["x"]


def test_the_tag_quota_is_413(registry):
    small = memory_registry(FakeClock(), Limits(tags=1))
    image = make(small)
    small.add_tag(ALICE, image["id"], "a")
    with pytest.raises(exception.QuotaExceeded, match="tags"):
        small.add_tag(ALICE, image["id"], "b")


@pytest.mark.parametrize("tag", ["", "a/b", "t" * 256, "\x00"])
def test_bad_tags_are_invalid(registry, tag):
    image = make(registry)
    with pytest.raises(exception.Invalid, match="tag"):
        registry.add_tag(ALICE, image["id"], tag)


def test_a_tag_of_255_characters_with_any_text_is_fine(registry):
    image = make(registry)
    tag = "ü ?%#&" + "t" * 249
    assert registry.add_tag(ALICE, image["id"], tag)["tags"] == [tag]
