"""`glance add/update … copy_from=URL [--wait]` against a scripted server:
what is sent, what is printed, how a wait ends, what is refused first."""

import io
import json

import pytest

from tests.cli.helpers import Peer, run

JSON = [("Content-Type", "application/json")]
URL = "http://origin.example/disk.img"


def image_json(status, status_code=201):
    return status_code, JSON, json.dumps({"image": {"id": "7", "status": status, "size": 0,
                                                    "properties": {}}}).encode()


def head(status, size=0):
    return 200, [("x-image-meta-id", "7"), ("x-image-meta-status", status),
                 ("x-image-meta-size", str(size))], b""


@pytest.mark.parametrize("words", [[f"copy_from={URL}"], ["--copy-from", URL],
                                   [f"copy_from={URL}", "--copy-from", URL]])
def test_add_with_copy_from_sends_the_header_and_no_data(words):
    with Peer({("POST", "/v1/images"): image_json("queued")}) as peer:
        result = run(peer.url, "add", "name=copied", *words, stdin=io.BytesIO(b"ignored"))
    assert result.code == 0 and result.out == "Added new image with ID: 7\n"
    request, = peer.requests
    assert request["headers"]["x-glance-api-copy-from"] == URL
    assert request["headers"]["x-image-meta-name"] == "copied"
    assert request["body"] == b"" and "x-image-meta-property-copy_from" not in request["headers"]
    assert "in the background" in result.err and "glance show 7" in result.err


def test_quiet_add_with_copy_from_prints_only_the_id():
    with Peer({("POST", "/v1/images"): image_json("queued")}) as peer:
        result = run(peer.url, "-q", "add", f"copy_from={URL}")
    assert (result.out, result.err) == ("Added new image with ID: 7\n", "")


def test_property_copy_from_is_a_property():
    with Peer({("POST", "/v1/images"): image_json("queued")}) as peer:
        run(peer.url, "add", "property-copy_from=x")
    headers = peer.requests[0]["headers"]
    assert headers["x-image-meta-property-copy_from"] == "x"
    assert "x-glance-api-copy-from" not in headers


def test_update_with_copy_from_sends_the_header():
    with Peer({("PUT", "/v1/images/7"): image_json("queued", 200)}) as peer:
        result = run(peer.url, "update", "7", f"copy_from={URL}")
    assert result.code == 0, result.err
    assert peer.requests[0]["headers"]["x-glance-api-copy-from"] == URL


def test_wait_follows_the_copy_until_active():
    with Peer({("POST", "/v1/images"): image_json("queued"),
               ("HEAD", "/v1/images/7"): [head("saving"), head("saving"),
                                          head("active", 2048)]}) as peer:
        result = run(peer.url, "add", f"copy_from={URL}", "--wait")
    assert result.code == 0, result.err
    assert result.out == "Added new image with ID: 7\nImage 7 is active (2.0 KiB)\n"
    assert result.err == "glance: image 7: saving\nglance: image 7: active\n"


def test_wait_on_a_killed_copy_exits_1():
    with Peer({("POST", "/v1/images"): image_json("queued"),
               ("HEAD", "/v1/images/7"): head("killed")}) as peer:
        result = run(peer.url, "add", f"copy_from={URL}", "--wait")
    assert result.code == 1 and "the copy into image 7 failed" in result.err


def test_wait_timeout_gives_up_with_exit_1_and_the_copy_goes_on():
    with Peer({("POST", "/v1/images"): image_json("queued"),
               ("HEAD", "/v1/images/7"): head("saving")}) as peer:
        result = run(peer.url, "add", f"copy_from={URL}", "--wait-timeout", "0")
    assert result.code == 1 and "still saving; the copy goes on" in result.err


def test_update_with_copy_from_can_wait_too():
    with Peer({("PUT", "/v1/images/7"): image_json("queued", 200),
               ("HEAD", "/v1/images/7"): head("active", 5)}) as peer:
        result = run(peer.url, "update", "7", "--copy-from", URL, "--wait")
    assert result.code == 0 and "Image 7 is active (5 B)" in result.out


def test_dry_run_says_what_would_be_copied_and_sends_nothing():
    with Peer({}) as peer:
        result = run(peer.url, "add", "--dry-run", "name=x", f"copy_from={URL}")
    assert result.code == 0 and f"data copied by the server from {URL}" in result.out
    assert peer.requests == []


@pytest.mark.parametrize("argv", [
    ["add", f"copy_from={URL}", "--copy-from", "http://other.example/x"],
    ["add", f"copy_from={URL}", "location=http://o.example/y"],
    ["add", "copy_from="],
    ["add", "--wait", "name=x"],
    ["add", "--wait-timeout", "5", "name=x"],
    ["update", "7", "--wait", "name=x"],
    ["add", f"copy_from={URL}", "--wait-timeout", "-1"],
    ["add", f"copy_from={URL}", "--wait-timeout", "nan"],
    ["add", f"copy_from={URL}", "--wait-timeout", "inf"],
    ["add", f"copy_from={URL}", "--wait-timeout", "soon"],
])
def test_contradictions_are_usage_errors_and_nothing_is_sent(argv):
    with Peer({}) as peer:
        result = run(peer.url, *argv)
    assert result.code == 2 and "Traceback" not in result.err
    assert peer.requests == []


def test_copy_from_with_a_file_is_a_usage_error(tmp_path):
    source = tmp_path / "x.img"
    source.write_bytes(b"data")
    with Peer({}) as peer:
        result = run(peer.url, "add", f"copy_from={URL}", "--file", str(source))
    assert result.code == 2 and "copy_from= or data" in result.err
    assert peer.requests == []


def test_a_refused_copy_exits_1_with_the_servers_message():
    body = json.dumps({"error": {"code": 400, "title": "Bad Request", "type": "image.invalid",
                                 "message": "External sources are not supported: "
                                            "'file:///etc/passwd'"}}).encode()
    with Peer({("POST", "/v1/images"): (400, JSON, body)}) as peer:
        result = run(peer.url, "add", "copy_from=file:///etc/passwd")
    assert result.code == 1 and "External sources are not supported" in result.err
