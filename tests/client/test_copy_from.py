"""Copy-from (CONTRACT §2, POST 4) as the client asks for it, against a
scripted peer: the header, the answer, and what is refused before sending."""

import json

import pytest

from glance import client as gc
from tests.client.peer import JSON

QUEUED = json.dumps({"image": {"id": "1", "status": "queued", "size": 0,
                               "properties": {}}}).encode()


def test_add_image_with_copy_from_sends_the_header_and_no_body(peer_factory):
    peer = peer_factory(lambda r: (201, JSON, QUEUED))
    image = peer.client().add_image({"name": "copied"}, copy_from="http://o.example/x.img")
    request = peer.requests[0]
    assert request["headers"]["x-glance-api-copy-from"] == "http://o.example/x.img"
    assert request["headers"]["x-image-meta-name"] == "copied"
    assert request["body"] == b"" and "Content-Type" not in request["headers"]
    assert (image["id"], image["status"]) == ("1", "queued")


def test_update_image_with_copy_from_sends_the_header(peer_factory):
    peer = peer_factory(lambda r: (200, JSON, QUEUED))
    peer.client().update_image("1", copy_from="https://o.example/x.img")
    request = peer.requests[0]
    assert (request["method"], request["path"]) == ("PUT", "/v1/images/1")
    assert request["headers"]["x-glance-api-copy-from"] == "https://o.example/x.img"


def test_without_copy_from_no_header_is_sent(peer_factory):
    peer = peer_factory(lambda r: (201, JSON, QUEUED))
    peer.client().add_image({"name": "plain"})
    assert "x-glance-api-copy-from" not in peer.requests[0]["headers"]


@pytest.mark.parametrize("kwargs", [
    {"image_data": b"data", "copy_from": "http://o.example/x"},
    {"copy_from": ""}, {"copy_from": "  "}, {"copy_from": 5},
])
def test_copy_from_with_data_or_without_a_url_is_refused_before_sending(peer_factory, kwargs):
    peer = peer_factory(lambda r: (201, JSON, QUEUED))
    with pytest.raises(ValueError):
        peer.client().add_image({"name": "x"}, **kwargs)
    assert peer.requests == []


def test_copy_from_is_a_keyword_not_a_meta_key(peer_factory):
    peer = peer_factory(lambda r: (201, JSON, QUEUED))
    with pytest.raises(ValueError, match="copy_from"):
        peer.client().add_image({"copy_from": "http://o.example/x"})
    assert peer.requests == []


def test_a_refused_copy_raises_with_the_servers_message(peer_factory):
    body = json.dumps({"error": {"code": 400, "title": "Bad Request", "type": "image.invalid",
                                 "message": "External sources are not supported: "
                                            "'file:///etc/passwd'"}}).encode()
    peer = peer_factory(lambda r: (400, JSON, body))
    with pytest.raises(gc.Invalid, match="External sources are not supported"):
        peer.client().add_image({}, copy_from="file:///etc/passwd")
