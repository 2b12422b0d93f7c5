"""The WSGI helpers: one reading of Content-Length, and what it decides."""

import io

import pytest

from glance.common import wsgi
from glance.common import exception
from glance.common.exception import Invalid, TooLarge


@pytest.mark.parametrize("environ, expected", [
    ({}, None), ({"CONTENT_LENGTH": ""}, None), ({"CONTENT_LENGTH": "0"}, 0),
    ({"CONTENT_LENGTH": "17"}, 17), ({"CONTENT_LENGTH": " 17 "}, 17),
    ({"CONTENT_LENGTH": str(5 << 40)}, 5 << 40),
    ({"CONTENT_LENGTH": "17", "HTTP_TRANSFER_ENCODING": "chunked"}, None),
    ({"HTTP_TRANSFER_ENCODING": "Chunked"}, None),
])
def test_content_length(environ, expected):
    assert wsgi.content_length(environ) == expected


@pytest.mark.parametrize("bad", ["12a", "-1", "1.5", "0x10", "١٢", "+3"])
def test_a_bad_content_length_is_invalid_naming_it(bad):
    with pytest.raises(Invalid, match="Content-Length"):
        wsgi.content_length({"CONTENT_LENGTH": bad})


@pytest.mark.parametrize("environ, expected", [
    ({}, False), ({"CONTENT_LENGTH": "0"}, False), ({"CONTENT_LENGTH": "1"}, True),
    ({"HTTP_TRANSFER_ENCODING": "chunked"}, True),
])
def test_has_body(environ, expected):
    assert wsgi.has_body(environ) is expected


def test_has_body_refuses_a_bad_content_length():
    with pytest.raises(Invalid, match="Content-Length"):
        wsgi.has_body({"CONTENT_LENGTH": "x"})


def body(data, **environ):
    return {"wsgi.input": io.BytesIO(data), "CONTENT_LENGTH": str(len(data)), **environ}


def test_read_json_reads_exactly_content_length():
    assert wsgi.read_json(body(b'{"a": 1}')) == {"a": 1}


def test_read_json_refuses_a_bad_content_length():
    with pytest.raises(Invalid, match="Content-Length"):
        wsgi.read_json(body(b"{}", CONTENT_LENGTH="-2"))


def test_read_json_refuses_a_declared_length_over_the_limit_before_reading():
    environ = body(b"{}", CONTENT_LENGTH="100")
    with pytest.raises(TooLarge):
        wsgi.read_json(environ, limit=99)
    assert environ["wsgi.input"].tell() == 0


def test_read_json_reads_a_chunked_body_up_to_the_limit():
    environ = {"wsgi.input": io.BytesIO(b"[1, 2]"), "HTTP_TRANSFER_ENCODING": "chunked"}
    assert wsgi.read_json(environ) == [1, 2]
    environ = {"wsgi.input": io.BytesIO(b"[1, 2]"), "HTTP_TRANSFER_ENCODING": "chunked"}
    with pytest.raises(TooLarge):
        wsgi.read_json(environ, limit=3)


def test_json_answers_use_json_dumps_default_separators():
    """As every Glance sent: clients and Glance's own tests compare bodies byte for byte."""
    seen = []
    body = wsgi.json_response(lambda status, headers: seen.append((status, headers)), 200,
                              {"images": [], "a": {"b": 1}})
    assert body == [b'{"images": [], "a": {"b": 1}}']
    assert seen[0][0] == "200 OK" and ("Content-Length", str(len(body[0]))) in seen[0][1]


def _router():
    router = wsgi.Router()
    router.add("GET", r"/things/?", "list")
    router.add("GET", r"/things/detail", "detail", head=False)
    router.add("GET", r"/things/(?P<id>[^/]+)", "show")
    return router


def test_head_falls_back_to_get():
    assert _router().match("HEAD", "/things") == ("list", {})
    assert _router().match("HEAD", "/things/7") == ("show", {"id": "7"})


def test_a_get_route_added_without_head_answers_405_to_head():
    with pytest.raises(exception.MethodNotAllowed) as raised:
        _router().match("HEAD", "/things/detail")
    assert ("Allow", "GET") in raised.value.headers
