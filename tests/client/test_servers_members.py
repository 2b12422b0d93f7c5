"""Members (CONTRACT §2, "Members (v1)") through the client and the real
servers: in `noauth` mode (the caller is an admin), and in token mode,
where sharing changes what another tenant sees."""

import os

import pytest

from glance import client as gc
from glance.common import tokens
from tests.client.helpers import add
from tests.functional.services import running_services

pytestmark = pytest.mark.functional


@pytest.fixture
def shared(client, tag):
    """A non-public (v1: `shared`) image."""
    return add(client, tag, b"to share", is_public=False)


def test_an_image_has_no_members_at_first(client, shared):
    assert client.get_image_members(shared["id"]) == []


def test_add_member_then_list_members(client, shared):
    client.add_member(shared["id"], "tenant-b")
    client.add_member(shared["id"], "tenant-c", can_share=True)
    members = sorted(client.get_image_members(shared["id"]), key=lambda m: m["member_id"])
    assert [(m["member_id"], m["can_share"]) for m in members] == \
        [("tenant-b", False), ("tenant-c", True)]


def test_add_member_without_can_share_keeps_an_existing_members_right(client, shared):
    client.add_member(shared["id"], "tenant-b", can_share=True)
    client.add_member(shared["id"], "tenant-b")
    member, = client.get_image_members(shared["id"])
    assert member["can_share"] is True


def test_member_images_lists_what_is_shared_with_a_tenant(client, shared, tag):
    tenant = f"tenant-{tag}"
    client.add_member(shared["id"], tenant, can_share=True)
    assert client.get_member_images(tenant) == [{"image_id": shared["id"], "can_share": True}]


def test_replace_members_sets_the_whole_set(client, shared):
    client.add_member(shared["id"], "tenant-old")
    client.replace_members(shared["id"], ["tenant-b", {"member_id": "tenant-c",
                                                        "can_share": True}])
    members = sorted(client.get_image_members(shared["id"]), key=lambda m: m["member_id"])
    assert [(m["member_id"], m["can_share"]) for m in members] == \
        [("tenant-b", False), ("tenant-c", True)]
    client.replace_members(shared["id"], [])
    assert client.get_image_members(shared["id"]) == []


def test_delete_member_removes_it_and_a_second_delete_is_not_found(client, shared):
    client.add_member(shared["id"], "tenant-b")
    assert client.delete_member(shared["id"], "tenant-b") is True
    assert client.get_image_members(shared["id"]) == []
    with pytest.raises(gc.NotFound):
        client.delete_member(shared["id"], "tenant-b")


def test_members_of_an_unknown_image_are_not_found(client):
    with pytest.raises(gc.NotFound):
        client.get_image_members("987654321")


def test_more_members_than_the_quota_is_limit_exceeded(client, shared):
    with pytest.raises(gc.LimitExceeded) as info:          # the default quota is 128
        client.replace_members(shared["id"], [f"tenant-{i}" for i in range(129)])
    assert info.value.status == 413


# -- token mode: sharing changes what another tenant sees ----------------------------------


@pytest.fixture(scope="module")
def tenants(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("members")
    token_path = str(workdir / "tokens.json")
    made = {name: tokens.create_token(token_path, f"tenant-{name}", name, ["member"])
            for name in ("alice", "bob")}
    env = {"GLANCE_AUTH_STRATEGY": "token", "GLANCE_AUTH_TOKENS_FILE": token_path,
           "GLANCE_SERVICE_TOKEN": "service-" + os.urandom(8).hex()}
    with running_services(workdir, extra_env=env) as services:
        clients = {name: gc.Client(services.api_host, services.api_port, auth_tok=token,
                                   timeout=30) for name, token in made.items()}
        yield clients
        for c in clients.values():
            c.close()


def test_a_member_sees_the_shared_image_until_it_is_unshared(tenants):
    alice, bob = tenants["alice"], tenants["bob"]
    image = alice.add_image({"name": "alices", "is_public": False}, b"secret")
    with pytest.raises(gc.NotFound):
        bob.get_image_meta(image["id"])
    alice.add_member(image["id"], "tenant-bob")
    assert bob.get_image_meta(image["id"])["name"] == "alices"
    assert bob.get_member_images("tenant-bob") == [{"image_id": image["id"],
                                                     "can_share": False}]
    alice.delete_member(image["id"], "tenant-bob")
    with pytest.raises(gc.NotFound):
        bob.get_image_meta(image["id"])


def test_a_member_may_not_change_or_share_the_image(tenants):
    alice, bob = tenants["alice"], tenants["bob"]
    image = alice.add_image({"name": "alices", "is_public": False})
    alice.add_member(image["id"], "tenant-bob")
    with pytest.raises(gc.NotAuthorized):
        bob.update_image(image["id"], {"name": "bobs"})
    with pytest.raises(gc.NotAuthorized) as info:
        bob.add_member(image["id"], "tenant-carol")
    assert "No permission to share that image" in info.value.message


def test_a_member_allowed_to_share_may_add_members(tenants):
    alice, bob = tenants["alice"], tenants["bob"]
    image = alice.add_image({"name": "alices", "is_public": False})
    alice.add_member(image["id"], "tenant-bob", can_share=True)
    bob.add_member(image["id"], "tenant-carol")
    assert {m["member_id"] for m in alice.get_image_members(image["id"])} == \
        {"tenant-bob", "tenant-carol"}
