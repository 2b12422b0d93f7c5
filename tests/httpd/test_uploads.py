"""Request bodies over a socket: Content-Length and chunked uploads arrive
intact, end where they should, break as they should; 100 Continue."""

import hashlib
import json
import os
import queue
import select
import socket
import threading

import pytest

from tests.fixtureapps.httpd_apps import digest_app, environ_app, hello_app, reading_app
from tests.httpd.helpers import TIMEOUT, chunked, request, running


@pytest.mark.parametrize("path", ["/", "/readinto"])
def test_content_length_body_arrives_intact(path):
    data = os.urandom(300_000)
    with running(digest_app) as server:
        conn = server.http()
        conn.request("PUT", path, body=data)
        answer = json.loads(conn.getresponse().read())
    assert answer == {"md5": hashlib.md5(data).hexdigest(), "size": len(data)}


def test_content_length_reader_stops_at_the_end_of_the_body():
    lines = queue.Queue()

    def app(environ, start_response):
        body = environ["wsgi.input"]
        lines.put((list(body), body.read(), body.readline()))
        start_response("200 OK", [("Content-Length", "0")])
        return []
    with running(app) as server:
        client = server.connect()
        client.send(request("POST", "/", b"one\ntwo\nthr", {"Content-Length": "11"})
                    + request("GET", "/next"))
        assert client.response()[0] == 200
        assert client.response()[0] == 200
    assert lines.get(timeout=TIMEOUT) == ([b"one\n", b"two\n", b"thr"], b"", b"")


@pytest.mark.parametrize("headers, body", [
    ({"Content-Length": "11"}, b"one\ntwo\nthr"),
    ({"Transfer-Encoding": "chunked"}, b"4\r\none\n\r\n7\r\ntwo\nthr\r\n0\r\n\r\n"),
])
def test_readinto_stops_at_the_end_of_the_body(headers, body):
    outcome = queue.Queue()
    with running(reading_app(outcome)) as server:
        client = server.connect()
        client.send(request("POST", "/readinto", body, headers) + request("GET", "/next"))
        assert client.response()[0] == 200
        assert client.response()[0] == 200
    assert outcome.get(timeout=TIMEOUT) == b"one\ntwo\nthr"


@pytest.mark.parametrize("size, total", [(0, 0), (1, 5000), (7, 50_000), (65536, 2_500_000),
                                         (1_000_003, 2_500_000)])
@pytest.mark.parametrize("path", ["/", "/readinto"])
def test_chunked_body_arrives_intact(size, total, path):
    data = os.urandom(total)
    with running(digest_app) as server:
        client = server.connect()
        client.send(request("PUT", path, chunked(data, size),
                            {"Transfer-Encoding": "chunked"}))
        status, _, body = client.response()
    assert status == 200
    assert json.loads(body) == {"md5": hashlib.md5(data).hexdigest(), "size": len(data)}


def test_chunked_body_environ():
    seen = queue.Queue()
    with running(environ_app(seen)) as server:
        client = server.connect()
        client.send(request("PUT", "/", chunked(b"abc", 1), {"Transfer-Encoding": "chunked"}))
        client.response()
    environ = seen.get(timeout=TIMEOUT)
    assert "CONTENT_LENGTH" not in environ
    assert environ["HTTP_TRANSFER_ENCODING"] == "chunked"
    assert environ["wsgi.input_terminated"] is True


def test_chunked_trailers_are_dropped_and_the_connection_goes_on():
    with running(digest_app) as server:
        client = server.connect()
        client.send(request("PUT", "/", b"3;ext=1\r\nabc\r\n0\r\nX-Sum: 1\r\nX-Other: 2\r\n\r\n",
                            {"Transfer-Encoding": "chunked"}) + request("GET", "/"))
        assert json.loads(client.response()[2])["size"] == 3
        assert client.response()[0] == 200


@pytest.mark.parametrize("headers, body", [
    ({"Content-Length": "1000"}, b"only ten b"),
    ({"Transfer-Encoding": "chunked"}, b"5\r\nhello\r\n"),
    ({"Transfer-Encoding": "chunked"}, b"5\r\nhel"),
])
@pytest.mark.parametrize("path", ["/", "/readinto"])
def test_truncated_body_raises_connection_error(headers, body, path):
    outcome = queue.Queue()
    with running(reading_app(outcome)) as server:
        client = server.connect()
        client.send(request("PUT", path, body, headers))
        client.sock.shutdown(socket.SHUT_WR)
        assert isinstance(outcome.get(timeout=TIMEOUT), ConnectionError)


def test_malformed_chunk_size_raises_connection_error():
    outcome = queue.Queue()
    with running(reading_app(outcome)) as server:
        client = server.connect()
        client.send(request("PUT", "/", b"zz\r\nhello\r\n0\r\n\r\n",
                            {"Transfer-Encoding": "chunked"}))
        assert isinstance(outcome.get(timeout=TIMEOUT), ConnectionError)


def test_stalled_body_raises_connection_error_after_the_read_timeout():
    outcome = queue.Queue()
    with running(reading_app(outcome), read_timeout=0.3) as server:
        client = server.connect()
        client.send(request("PUT", "/", b"abc", {"Content-Length": "10"}))
        assert isinstance(outcome.get(timeout=TIMEOUT), ConnectionError)


def test_unread_small_body_is_drained_and_the_connection_kept():
    with running(hello_app) as server:
        client = server.connect()
        client.send(request("PUT", "/a", b"x" * 100_000, {"Content-Length": "100000"})
                    + request("GET", "/b"))
        assert client.response()[2] == b"hello /a"
        assert client.response()[2] == b"hello /b"


def test_unread_large_body_closes_the_connection():
    with running(hello_app) as server:
        client = server.connect()
        client.send(request("PUT", "/a", headers={"Content-Length": str(50 << 20)}))
        client.sock.sendall(b"x" * (2 << 20))
        assert client.response()[2] == b"hello /a"
        with pytest.raises(OSError):
            while client.sock.send(b"x" * 65536):
                pass


# --- 100-continue ------------------------------------------------------------

def test_100_continue_is_sent_only_when_the_app_reads():
    about_to_read, go = threading.Event(), threading.Event()

    def app(environ, start_response):
        about_to_read.set()
        go.wait(TIMEOUT)
        return digest_app(environ, start_response)
    with running(app) as server:
        client = server.connect()
        client.send(request("PUT", "/", headers={"Content-Length": "5",
                                                 "Expect": "100-continue"}))
        assert about_to_read.wait(TIMEOUT)
        assert select.select([client.sock], [], [], 0.2)[0] == []
        go.set()
        assert client.response()[0] == 100
        client.send(b"hello")
        status, _, body = client.response()
    assert (status, json.loads(body)["size"]) == (200, 5)


def test_100_continue_is_not_sent_when_the_app_answers_without_reading():
    with running(hello_app) as server:
        client = server.connect()
        client.send(request("PUT", "/", headers={"Content-Length": str(10 << 20),
                                                 "Expect": "100-continue"}))
        status, headers, _ = client.response()
        assert status == 200
        assert headers["connection"] == "close"
