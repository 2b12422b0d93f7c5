"""The sharing commands against a scripted server: what each sends, what it
prints, and what is refused before anything is sent."""

import json

import pytest

from tests.cli.helpers import Peer, run

IMAGE = "/v1/images/7"
HEAD_OK = (200, [("x-image-meta-id", "7"), ("x-image-meta-status", "active")], b"")
NO_CONTENT = (204, [], b"")
JSON = [("Content-Type", "application/json")]


def members_answer(*members):
    return 200, JSON, json.dumps({"members": [
        {"member_id": m, "can_share": share} for m, share in members]}).encode()


def test_image_members_prints_a_table():
    with Peer({("GET", IMAGE + "/members"): members_answer(("tenant-b", False),
                                                           ("tenant-long-c", True))}) as peer:
        result = run(peer.url, "image-members", "7")
    assert result.code == 0, result.err
    assert result.out.splitlines() == ["Member         Can share",
                                       "-------------  ---------",
                                       "tenant-b       No",
                                       "tenant-long-c  Yes"]


def test_image_members_of_an_image_shared_with_no_one():
    with Peer({("GET", IMAGE + "/members"): members_answer()}) as peer:
        result = run(peer.url, "image-members", "7")
    assert (result.code, result.out) == (0, "No members.\n")


def test_image_members_json():
    with Peer({("GET", IMAGE + "/members"): members_answer(("t", True))}) as peer:
        result = run(peer.url, "image-members", "--json", "7")
    assert json.loads(result.out) == [{"member_id": "t", "can_share": True}]


def test_member_images_prints_the_images_shared_with_a_member():
    body = json.dumps({"shared_images": [{"image_id": 7, "can_share": True}]}).encode()
    with Peer({("GET", "/v1/shared-images/tenant-b"): (200, JSON, body)}) as peer:
        result = run(peer.url, "member-images", "tenant-b")
    assert result.out.splitlines() == ["Image ID  Can share", "--------  ---------",
                                       "7         Yes"]


def test_member_images_when_nothing_is_shared():
    body = b'{"shared_images": []}'
    with Peer({("GET", "/v1/shared-images/tenant-b"): (200, JSON, body)}) as peer:
        result = run(peer.url, "member-images", "tenant-b")
    assert result.out == "No images shared with tenant-b.\n"


@pytest.mark.parametrize("flags, body, note", [
    ([], b"", ""),
    (["--can-share"], b'{"member": {"can_share": true}}', " (may share it further)"),
    (["--no-can-share"], b'{"member": {"can_share": false}}', " (may not share it further)"),
])
def test_member_add(flags, body, note):
    with Peer({("PUT", IMAGE + "/members/tenant-b"): NO_CONTENT}) as peer:
        result = run(peer.url, "member-add", "7", "tenant-b", *flags)
    assert (result.code, result.out) == (0, f"Shared image 7 with tenant-b{note}\n")
    request, = peer.requests
    assert request["body"] == body


def test_member_delete():
    with Peer({("DELETE", IMAGE + "/members/tenant-b"): NO_CONTENT}) as peer:
        result = run(peer.url, "member-delete", "7", "tenant-b")
    assert (result.code, result.out) == (0, "Image 7 is no longer shared with tenant-b\n")
    assert [r["method"] for r in peer.requests] == ["DELETE"]


def test_members_replace_sends_each_member_once():
    with Peer({("PUT", IMAGE + "/members"): NO_CONTENT}) as peer:
        result = run(peer.url, "members-replace", "7", "a", "b", "a", "--can-share")
    assert result.code == 0 and result.out == \
        "Image 7 is shared with a, b only (may share it further)\n"
    assert json.loads(peer.requests[0]["body"]) == {"memberships": [
        {"member_id": "a", "can_share": True}, {"member_id": "b", "can_share": True}]}


def test_members_replace_without_members_removes_them_all():
    with Peer({("PUT", IMAGE + "/members"): NO_CONTENT}) as peer:
        result = run(peer.url, "members-replace", "7")
    assert result.out == "Image 7 is shared with no one\n"
    assert json.loads(peer.requests[0]["body"]) == {"memberships": []}


@pytest.mark.parametrize("argv, says", [
    (["member-add", "7", "tenant-b", "--can-share"],
     "would share image 7 with tenant-b (may share it further)"),
    (["member-delete", "7", "tenant-b"], "would stop sharing image 7 with tenant-b"),
    (["members-replace", "7", "a", "b"], "would share image 7 with a, b only"),
])
def test_dry_runs_only_check_that_the_image_exists(argv, says):
    with Peer({("HEAD", IMAGE): HEAD_OK}) as peer:
        result = run(peer.url, "--dry-run", *argv)
    assert result.code == 0 and f"Dry run: {says}" in result.out
    assert [r["method"] for r in peer.requests] == ["HEAD"]


@pytest.mark.parametrize("argv", [["member-add", "7", ""], ["member-add", "7", " "],
                                  ["member-delete", "7", ""], ["member-images", ""],
                                  ["members-replace", "7", "a", ""],
                                  ["member-add", "not-an-id", "t"], ["member-add", "7"]])
def test_bad_words_are_usage_errors_and_nothing_is_sent(argv):
    with Peer({}) as peer:
        result = run(peer.url, *argv)
    assert result.code == 2 and "Traceback" not in result.err
    assert peer.requests == []


def test_a_refusal_exits_1_with_the_servers_message():
    body = json.dumps({"error": {"code": 403, "title": "Forbidden", "type": "auth.forbidden",
                                 "message": "No permission to share that image"}}).encode()
    with Peer({("PUT", IMAGE + "/members/t"): (403, JSON, body)}) as peer:
        result = run(peer.url, "member-add", "7", "t")
    assert result.code == 1
    assert result.err == "glance: error: No permission to share that image (HTTP 403)\n"


def test_a_member_over_the_quota_exits_1_with_http_413():
    body = json.dumps({"error": {"code": 413, "title": "Request Entity Too Large",
                                 "type": "quota.exceeded",
                                 "message": "Maximum number of members exceeded"}}).encode()
    with Peer({("PUT", IMAGE + "/members/t"): (413, JSON, body)}) as peer:
        result = run(peer.url, "member-add", "7", "t")
    assert result.code == 1 and "(HTTP 413)" in result.err
