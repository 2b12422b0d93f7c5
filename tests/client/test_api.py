"""`Client` against a scripted peer: what it sends, how it keeps and replaces
connections, how answers and failures come back."""

import io
import json

import pytest

from glance import client as gc
from glance.common import httpclient as gc_http
from tests.client.peer import IMAGE_JSON, JSON, free_port


@pytest.mark.parametrize("url, host, port, ssl, base", [
    ("http://127.0.0.1:9292", "127.0.0.1", 9292, False, "/v1"),
    ("http://h:1/v1/", "h", 1, False, "/v1"),
    ("https://h", "h", 443, True, "/v1"),
    ("http://h/glance", "h", 80, False, "/glance/v1"),
])
def test_client_from_url(url, host, port, ssl, base):
    client = gc.Client.from_url(url, auth_tok="t")
    assert (client.host, client.port, client.use_ssl, client.base_path,
            client.auth_tok) == (host, port, ssl, base, "t")


@pytest.mark.parametrize("url", ["ftp://h/", "127.0.0.1:9292", "http://h:notaport/"])
def test_client_from_url_refuses_non_http_urls(url):
    with pytest.raises(ValueError):
        gc.Client.from_url(url)


def test_refused_connection_names_host_and_port():
    port = free_port()
    with pytest.raises(gc.ClientConnectionError) as info:
        gc.Client("127.0.0.1", port, timeout=5).get_images()
    assert info.value.status is None
    assert info.value.message.startswith(f"cannot connect to 127.0.0.1:{port}: ")


def test_dns_failure_names_host_and_port():
    with pytest.raises(gc.ClientConnectionError, match="no-such-host.invalid:9292"):
        gc.Client("no-such-host.invalid", timeout=5).get_image_meta(1)


def test_auth_token_is_sent_as_x_auth_token(peer_factory):
    peer = peer_factory(lambda r: (200, JSON, b'{"images": []}'))
    peer.client(auth_tok="secret").get_images()
    assert peer.requests[0]["headers"]["X-Auth-Token"] == "secret"


def test_lists_use_the_v1_paths_and_filters(peer_factory):
    peer = peer_factory(lambda r: (200, JSON, b'{"images": []}'))
    peer.client().get_images_detailed(name="a b", limit=2)
    assert peer.requests[0]["path"] == "/v1/images/detail?name=a+b&limit=2"


def test_file_upload_is_chunked_without_content_length(peer_factory):
    peer = peer_factory(lambda r: (201, JSON, IMAGE_JSON))
    peer.client().add_image({"name": "a"}, io.BytesIO(b"z" * 3_000_000))
    request = peer.requests[0]
    assert request["headers"]["Transfer-Encoding"] == "chunked"
    assert "Content-Length" not in request["headers"]
    assert request["body"] == b"z" * 3_000_000
    assert request["headers"]["Content-Type"] == "application/octet-stream"


def test_bytes_upload_has_content_length(peer_factory):
    peer = peer_factory(lambda r: (201, JSON, IMAGE_JSON))
    peer.client().add_image({}, b"abc")
    assert peer.requests[0]["headers"]["Content-Length"] == "3"


def test_empty_bytes_upload_is_an_empty_chunked_body(peer_factory):
    peer = peer_factory(lambda r: (201, JSON, IMAGE_JSON))
    peer.client().add_image({}, b"")
    assert peer.requests[0]["headers"]["Transfer-Encoding"] == "chunked"


def test_metadata_only_request_has_no_content_type(peer_factory):
    peer = peer_factory(lambda r: (201, JSON, IMAGE_JSON))
    peer.client().add_image({"name": "a"})
    assert "Content-Type" not in peer.requests[0]["headers"]


def test_non_ascii_metadata_travels_as_utf8(peer_factory):
    peer = peer_factory(lambda r: (201, JSON, IMAGE_JSON))
    peer.client().add_image({"name": "Łódź"})
    raw = peer.requests[0]["headers"]["x-image-meta-name"].encode("latin-1")
    assert raw == "Łódź".encode("utf-8")


def test_purge_props_sends_the_registry_header(peer_factory):
    peer = peer_factory(lambda r: (200, JSON, IMAGE_JSON))
    peer.client().update_image(1, {"properties": {}}, purge_props=True)
    assert peer.requests[0]["headers"]["x-glance-registry-purge-props"] == "true"


def test_update_without_purge_says_false_so_properties_merge(peer_factory):
    # CONTRACT §2: a v1 PUT without the header replaces the properties.
    peer = peer_factory(lambda r: (200, JSON, IMAGE_JSON))
    peer.client().update_image(1, {"name": "b"})
    assert peer.requests[0]["headers"]["x-glance-registry-purge-props"] == "false"


def test_update_with_data_says_false_too(peer_factory):
    peer = peer_factory(lambda r: (200, JSON, IMAGE_JSON))
    peer.client().update_image(1, image_data=b"abc")
    assert peer.requests[0]["headers"]["x-glance-registry-purge-props"] == "false"


# -- ids are strings (CONTRACT §1, §7) ----------------------------------------------------


def test_an_int_id_argument_is_sent_as_its_decimal_string(peer_factory):
    peer = peer_factory(lambda r: (200, JSON, IMAGE_JSON))
    peer.client().update_image(42, {"name": "b"})
    assert peer.requests[0]["path"] == "/v1/images/42"


def test_a_uri_argument_names_the_image_on_the_clients_own_server(peer_factory):
    peer = peer_factory(lambda r: (200, [("x-image-meta-id", "42")], b""))
    peer.client().get_image_meta("http://elsewhere.example:9292/v1/images/42")
    assert peer.requests[0]["path"] == "/v1/images/42"


def test_an_image_answer_with_an_int_id_gives_a_string_id(peer_factory):
    peer = peer_factory(lambda r: (201, JSON, IMAGE_JSON))    # a revision-1 server
    assert peer.client().add_image({"name": "a"})["id"] == "1"


def test_list_entries_have_string_ids(peer_factory):
    body = json.dumps({"images": [{"id": 7, "size": 3}, {"id": "8", "size": 0}]}).encode()
    peer = peer_factory(lambda r: (200, JSON, body))
    assert [i["id"] for i in peer.client().get_images()] == ["7", "8"]


def test_a_null_size_in_json_is_zero_as_v1_shows_it(peer_factory):
    body = json.dumps({"images": [{"id": "8", "size": None}]}).encode()
    peer = peer_factory(lambda r: (200, JSON, body))
    assert peer.client().get_images_detailed()[0]["size"] == 0


def test_head_without_optional_headers_gives_null_fields_and_size_zero(peer_factory):
    peer = peer_factory(lambda r: (200, [("x-image-meta-id", "5"),
                                         ("x-image-meta-status", "queued")], b""))
    meta = peer.client().get_image_meta(5)
    assert (meta["id"], meta["status"], meta["size"]) == ("5", "queued", 0)
    assert meta["checksum"] is None and meta["name"] is None and meta["properties"] == {}


def test_a_list_that_is_not_a_list_of_objects_is_a_client_error(peer_factory):
    peer = peer_factory(lambda r: (200, JSON, b'{"images": [1, 2]}'))
    with pytest.raises(gc.ClientError, match="unexpected JSON"):
        peer.client().get_images()


def test_an_image_answer_that_is_not_an_object_is_a_client_error(peer_factory):
    peer = peer_factory(lambda r: (201, JSON, b'{"image": "x"}'))
    with pytest.raises(gc.ClientError, match="unexpected JSON"):
        peer.client().add_image({"name": "a"})


def test_connection_is_kept_alive_between_calls(peer_factory):
    peer = peer_factory(lambda r: (200, JSON, b'{"images": []}'))
    client = peer.client()
    for _ in range(3):
        client.get_images()
    assert len(set(peer.client_ports)) == 1


def test_connection_closed_by_the_server_is_replaced(peer_factory):
    peer = peer_factory(lambda r: (200, JSON, b'{"images": []}', "drop"))
    client = peer.client()
    client.get_images()
    client.get_images()           # the kept connection is dead by now
    assert len(set(peer.client_ports)) == 2


def test_error_answers_raise_with_status_and_server_message(peer_factory):
    peer = peer_factory(lambda r: (403, JSON, b'{"code": "auth.forbidden", "message": "no"}'))
    with pytest.raises(gc.NotAuthorized) as info:
        peer.client().delete_image(4)
    assert (info.value.status, info.value.message) == (403, "no")


def test_nested_error_message_is_the_exception_text(peer_factory):
    body = json.dumps({"error": {"code": 400, "title": "Bad Request", "type": "image.invalid",
                                 "message": "Invalid disk format 'floppy'"}}).encode()
    peer = peer_factory(lambda r: (400, JSON, body))
    with pytest.raises(gc.Invalid) as info:
        peer.client().add_image({"disk_format": "floppy"})
    assert (str(info.value), info.value.code) == ("Invalid disk format 'floppy'",
                                                  "image.invalid")


def test_413_is_limit_exceeded_a_client_error_with_the_status(peer_factory):
    body = json.dumps({"error": {"code": 413, "title": "Request Entity Too Large",
                                 "type": "quota.exceeded",
                                 "message": "The limit has been exceeded on the number of "
                                            "allowed image properties. Attempted: 129, "
                                            "Maximum: 128"}}).encode()
    peer = peer_factory(lambda r: (413, JSON, body))
    with pytest.raises(gc.LimitExceeded) as info:
        peer.client().update_image(1, {"properties": {"k": "v"}})
    assert isinstance(info.value, gc.ClientError) and info.value.status == 413
    assert info.value.message.startswith("The limit has been exceeded")


def test_html_error_body_becomes_the_message(peer_factory):
    peer = peer_factory(lambda r: (502, [("Content-Type", "text/html")], b"proxy broke"))
    with pytest.raises(gc.ClientError) as info:
        peer.client().get_images()
    assert (info.value.status, info.value.message) == (502, "proxy broke")


def test_head_error_message_is_fetched_with_get(peer_factory):
    peer = peer_factory(lambda r: (404, JSON, b'{"message": "no image 4"}'))
    with pytest.raises(gc.NotFound) as info:
        peer.client().get_image_meta(4)
    assert info.value.message == "no image 4"
    assert [r["method"] for r in peer.requests] == ["HEAD", "GET"]


def test_head_error_keeps_its_status_if_get_answers_otherwise(peer_factory):
    answers = iter([(403, JSON, b""), (200, [], b"data")])
    peer = peer_factory(lambda r: next(answers))
    with pytest.raises(gc.NotAuthorized) as info:
        peer.client().get_image_meta(4)
    assert (info.value.status, info.value.message) == (403, "403 Forbidden")


def test_non_json_list_answer_is_a_client_error(peer_factory):
    peer = peer_factory(lambda r: (200, JSON, b"<html>"))
    with pytest.raises(gc.ClientError, match="unexpected JSON"):
        peer.client().get_images()


def test_too_many_headers_is_a_client_error_not_a_connection_error(peer_factory):
    many = [(f"x-image-meta-property-p{i}", "v") for i in range(gc_http.MAX_HEADERS + 1)]
    peer = peer_factory(lambda r: (200, many, b""))
    with pytest.raises(gc.ClientError) as info:
        peer.client().get_image_meta(1)
    assert type(info.value) is gc.ClientError and "headers" in info.value.message


def test_json_without_the_expected_key_is_a_client_error(peer_factory):
    peer = peer_factory(lambda r: (200, JSON, b'{"imgs": []}'))
    with pytest.raises(gc.ClientError, match="unexpected JSON"):
        peer.client().get_images()


def test_bad_upload_data_closes_the_connection_and_raises(peer_factory):
    peer = peer_factory(lambda r: (201, JSON, IMAGE_JSON))
    client = peer.client()
    with pytest.raises(TypeError):
        client.add_image({}, ["not bytes"])
    client.add_image({}, b"fine")             # a fresh connection works
    assert peer.requests[-1]["body"] == b"fine"


def test_iter_images_follows_markers_until_a_short_page(peer_factory):
    ids = [str(i) for i in range(10, 0, -1)]

    def answer(request):
        query = dict(p.split("=") for p in request["path"].split("?")[1].split("&"))
        start = ids.index(query["marker"]) + 1 if "marker" in query else 0
        page = ids[start:start + int(query["limit"])]
        return 200, JSON, json.dumps({"images": [{"id": i} for i in page]}).encode()
    peer = peer_factory(answer)
    assert [i["id"] for i in peer.client().iter_images(page_size=3)] == ids
    assert len(peer.requests) == 4          # 3 + 3 + 3 + 1


def test_iter_images_refuses_limit():
    with pytest.raises(TypeError, match="page_size"):
        next(gc.Client("127.0.0.1").iter_images(limit=5))
