"""The sharing calls (CONTRACT §2, "Members (v1)") against a scripted peer:
routes, bodies, answers, and what is refused before anything is sent."""

import json

import pytest

from glance import client as gc
from tests.client.peer import JSON

NO_CONTENT = (204, [], b"")


def test_get_image_members_reads_the_member_list(peer_factory):
    body = json.dumps({"members": [{"member_id": "t1", "can_share": False},
                                   {"member_id": "t2", "can_share": True}]}).encode()
    peer = peer_factory(lambda r: (200, JSON, body))
    members = peer.client().get_image_members(7)
    assert members == [{"member_id": "t1", "can_share": False},
                       {"member_id": "t2", "can_share": True}]
    assert (peer.requests[0]["method"], peer.requests[0]["path"]) == \
        ("GET", "/v1/images/7/members")


def test_get_member_images_reads_shared_images_with_string_ids(peer_factory):
    body = json.dumps({"shared_images": [{"image_id": 7, "can_share": False},
                                         {"image_id": "8", "can_share": True}]}).encode()
    peer = peer_factory(lambda r: (200, JSON, body))
    shared = peer.client().get_member_images("tenant-b")
    assert shared == [{"image_id": "7", "can_share": False},
                      {"image_id": "8", "can_share": True}]
    assert peer.requests[0]["path"] == "/v1/shared-images/tenant-b"


def test_add_member_without_can_share_sends_no_body(peer_factory):
    peer = peer_factory(lambda r: NO_CONTENT)
    assert peer.client().add_member(7, "tenant-b") is True
    request = peer.requests[0]
    assert (request["method"], request["path"], request["body"]) == \
        ("PUT", "/v1/images/7/members/tenant-b", b"")
    assert "Content-Type" not in request["headers"]


@pytest.mark.parametrize("can_share", [True, False])
def test_add_member_with_can_share_sends_it(peer_factory, can_share):
    peer = peer_factory(lambda r: NO_CONTENT)
    peer.client().add_member("7", "tenant-b", can_share=can_share)
    request = peer.requests[0]
    assert json.loads(request["body"]) == {"member": {"can_share": can_share}}
    assert request["headers"]["Content-Type"] == "application/json"


def test_replace_members_sends_the_memberships(peer_factory):
    peer = peer_factory(lambda r: NO_CONTENT)
    assert peer.client().replace_members(7, ["t1", {"member_id": "t2", "can_share": True},
                                             {"member_id": "t3", "can_share": None}]) is True
    request = peer.requests[0]
    assert (request["method"], request["path"]) == ("PUT", "/v1/images/7/members")
    assert request["headers"]["Content-Type"] == "application/json"
    assert json.loads(request["body"]) == {"memberships": [
        {"member_id": "t1"}, {"member_id": "t2", "can_share": True}, {"member_id": "t3"}]}


def test_replace_members_with_nothing_removes_every_member(peer_factory):
    peer = peer_factory(lambda r: NO_CONTENT)
    peer.client().replace_members(7, [])
    assert json.loads(peer.requests[0]["body"]) == {"memberships": []}


def test_delete_member(peer_factory):
    peer = peer_factory(lambda r: NO_CONTENT)
    assert peer.client().delete_member(7, "tenant-b") is True
    assert (peer.requests[0]["method"], peer.requests[0]["path"]) == \
        ("DELETE", "/v1/images/7/members/tenant-b")


def test_member_ids_are_quoted_into_one_path_segment(peer_factory):
    peer = peer_factory(lambda r: NO_CONTENT)
    peer.client().delete_member(7, "a/b c?d")
    assert peer.requests[0]["path"] == "/v1/images/7/members/a%2Fb%20c%3Fd"


@pytest.mark.parametrize("call", [
    lambda c: c.add_member(7, ""), lambda c: c.add_member(7, "  "),
    lambda c: c.delete_member(7, None), lambda c: c.get_member_images(""),
    lambda c: c.replace_members(7, [{"member_id": ""}]),
    lambda c: c.replace_members(7, [{"member_id": "t", "shoe": 1}]),
    lambda c: c.replace_members(7, [3]),
    lambda c: c.add_member("not an id", "t"),
])
def test_bad_arguments_are_refused_before_sending(peer_factory, call):
    peer = peer_factory(lambda r: NO_CONTENT)
    with pytest.raises(ValueError):
        call(peer.client())
    assert peer.requests == []


@pytest.mark.parametrize("status, cls", [(403, gc.NotAuthorized), (404, gc.NotFound),
                                         (409, gc.Duplicate), (413, gc.LimitExceeded)])
def test_refusals_raise_with_the_servers_message(peer_factory, status, cls):
    body = json.dumps({"error": {"code": status, "title": "T", "type": "x",
                                 "message": "No permission to share that image"}}).encode()
    peer = peer_factory(lambda r: (status, JSON, body))
    with pytest.raises(cls) as info:
        peer.client().add_member(7, "tenant-b")
    assert (info.value.status, info.value.message) == \
        (status, "No permission to share that image")


@pytest.mark.parametrize("body", [b'{"members": {"t": 1}}', b'{"members": ["t"]}',
                                  b'{"shared": []}', b"<html>"])
def test_unexpected_member_lists_are_client_errors(peer_factory, body):
    peer = peer_factory(lambda r: (200, JSON, body))
    with pytest.raises(gc.ClientError, match="unexpected JSON"):
        peer.client().get_image_members(7)
