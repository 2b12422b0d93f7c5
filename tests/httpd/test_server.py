"""The server over sockets: connections, the environ, malformed requests,
responses, errors, threads and shutdown."""

import http.client
import json
import logging
import queue
import socket
import threading
import time
import wsgiref.validate

import pytest

from glance.httpd.server import WSGIServer
from tests.fixtureapps.httpd_apps import environ_app, generator_app, hello_app, port_app
from tests.httpd.helpers import TIMEOUT, RawClient, chunked, request, running


# --- connections -------------------------------------------------------------

def test_keep_alive_serves_several_requests_on_one_connection():
    with running(port_app) as server:
        conn = server.http()
        ports = set()
        for _ in range(3):
            conn.request("GET", "/")
            ports.add(conn.getresponse().read())
        conn.close()
    assert len(ports) == 1


def test_http10_request_gets_its_answer_then_the_close():
    with running(hello_app) as server:
        client = server.connect()
        client.send(b"GET /x HTTP/1.0\r\n\r\n")
        status, _, body = client.response()
        assert (status, body) == (200, b"hello /x")
        assert client.closed_by_server()


def test_connection_close_is_honoured():
    with running(hello_app) as server:
        client = server.connect()
        client.send(request("GET", "/", headers={"Connection": "close"}))
        status, headers, _ = client.response()
        assert headers["connection"] == "close"
        assert client.closed_by_server()


def test_pipelined_requests_are_all_answered():
    with running(hello_app) as server:
        client = server.connect()
        client.send(request("GET", "/a") + request("GET", "/b") + request("GET", "/c"))
        bodies = [client.response()[2] for _ in range(3)]
    assert bodies == [b"hello /a", b"hello /b", b"hello /c"]


def test_idle_connection_times_out():
    with running(hello_app, idle_timeout=0.2, sweep_interval=0.05) as server:
        client = server.connect()
        assert client.closed_by_server()


# --- the environ -------------------------------------------------------------

def test_path_info_is_percent_decoded_to_latin1():
    seen = queue.Queue()
    with running(environ_app(seen)) as server:
        conn = server.http()
        conn.request("GET", "/images/a%20b/%C3%A9?x=%41&y")
        conn.getresponse().read()
    environ = seen.get(timeout=TIMEOUT)
    assert environ["PATH_INFO"] == "/images/a b/\u00c3\u00a9"
    assert environ["QUERY_STRING"] == "x=%41&y"
    assert environ["SCRIPT_NAME"] == ""


def test_repeated_headers_are_joined_with_commas():
    seen = queue.Queue()
    with running(environ_app(seen)) as server:
        client = server.connect()
        client.send(b"GET / HTTP/1.1\r\nHost: t\r\nX-Thing: a\r\nX-Thing: b\r\n\r\n")
        client.response()
    assert seen.get(timeout=TIMEOUT)["HTTP_X_THING"] == "a,b"


def test_header_names_with_underscores_are_kept():
    seen = queue.Queue()
    with running(environ_app(seen)) as server:
        client = server.connect()
        client.send(request("GET", "/", headers={"x-image-meta-is_public": "True"}))
        client.response()
    assert seen.get(timeout=TIMEOUT)["HTTP_X_IMAGE_META_IS_PUBLIC"] == "True"


def test_underscore_spelling_cannot_pass_for_content_length():
    seen = queue.Queue()
    with running(environ_app(seen)) as server:
        client = server.connect()
        client.send(request("GET", "/", headers={"Content_Length": "5"}))
        assert client.response()[0] == 204
    assert "CONTENT_LENGTH" not in seen.get(timeout=TIMEOUT)


def test_environ_carries_server_and_client_addresses():
    seen = queue.Queue()
    with running(environ_app(seen)) as server:
        conn = server.http()
        conn.request("POST", "/", body=b"abc", headers={"Content-Type": "text/plain"})
        conn.getresponse().read()
    environ = seen.get(timeout=TIMEOUT)
    assert environ["SERVER_PORT"] == str(server.address[1])
    assert environ["REMOTE_ADDR"] == "127.0.0.1"
    assert environ["CONTENT_TYPE"] == "text/plain"
    assert environ["CONTENT_LENGTH"] == "3"
    assert environ["wsgi.multithread"] is True


@pytest.mark.filterwarnings("error::wsgiref.validate.WSGIWarning")
@pytest.mark.parametrize("body_headers", [{}, {"Content-Length": "5"},
                                          {"Transfer-Encoding": "chunked"}])
def test_wsgiref_validator_accepts_environ_and_server(body_headers):
    def app(environ, start_response):
        data = environ["wsgi.input"].read(100)
        start_response("200 OK", [("Content-Type", "text/plain"),
                                  ("Content-Length", str(len(data)))])
        return [data]
    body = {"Content-Length": b"hello", "Transfer-Encoding": chunked(b"hello", 2)}
    with running(wsgiref.validate.validator(app)) as server:
        client = server.connect()
        name = next(iter(body_headers), None)
        client.send(request("POST", "/v", body.get(name, b""), body_headers))
        status, _, data = client.response()
    assert (status, data) == (200, b"hello" if name else b"")


# --- malformed requests and limits --------------------------------------------

def test_header_block_over_the_limit_gets_431():
    with running(hello_app) as server:
        client = server.connect()
        client.send(b"GET / HTTP/1.1\r\n" + b"X-Big: " + b"a" * 20480 + b"\r\n\r\n")
        status, headers, body = client.response()
    assert status == 431
    assert json.loads(body)["error"]["type"] == "request.headers_too_large"
    assert headers["connection"] == "close"


@pytest.mark.parametrize("raw", [
    b"GARBAGE\r\n\r\n",
    b"GET / HTTP/1.1 extra\r\n\r\n",
    b"GET / HTTP/9.9\r\n\r\n",
    b"GET / HTTP/1.1\r\nno colon here\r\n\r\n",
    b"PUT / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
    b"PUT / HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
    b"PUT / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
    b"PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\x0b\r\n\r\n",
])
def test_malformed_request_gets_400_json(raw):
    with running(hello_app) as server:
        client = server.connect()
        client.send(raw)
        status, headers, body = client.response()
        assert status == 400
        assert headers["content-type"] == "application/json"
        assert json.loads(body)["error"]["type"] == "request.malformed"
        assert client.closed_by_server()


def test_unknown_transfer_coding_gets_501_and_the_close():
    with running(hello_app) as server:
        client = server.connect()
        client.send(b"PUT / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")
        status, headers, body = client.response()
        assert status == 501
        assert json.loads(body)["error"]["type"] == "request.unsupported_transfer_coding"
        assert client.closed_by_server()


# --- responses ---------------------------------------------------------------

def test_response_without_length_goes_chunked_to_http11():
    with running(generator_app) as server:
        client = server.connect()
        client.send(request("GET", "/"))
        status, headers, body = client.response()
    assert headers["transfer-encoding"] == "chunked"
    assert body == b"first second"


def test_response_without_length_is_close_delimited_for_http10():
    with running(generator_app) as server:
        client = server.connect()
        client.send(b"GET / HTTP/1.0\r\n\r\n")
        status, headers, body = client.response()
    assert "transfer-encoding" not in headers
    assert body == b"first second"


def test_head_response_has_no_body():
    with running(hello_app) as server:
        client = server.connect()
        client.send(request("HEAD", "/a") + request("GET", "/b"))
        status, headers, _ = client.response(head=True)
        assert headers["content-length"] == "8"
        assert client.response()[2] == b"hello /b"


def test_write_callable_sends_data():
    def app(environ, start_response):
        write = start_response("200 OK", [("Content-Length", "11")])
        write(b"hello ")
        return [b"world"]
    with running(app) as server:
        client = server.connect()
        client.send(request("GET", "/"))
        assert client.response()[2] == b"hello world"


def test_close_is_called_on_the_app_iterable():
    closed = threading.Event()

    class Body:
        def __iter__(self):
            yield b"data"

        def close(self):
            closed.set()

    def app(environ, start_response):
        start_response("200 OK", [])
        return Body()
    with running(app) as server:
        client = server.connect()
        client.send(request("GET", "/"))
        assert client.response()[2] == b"data"
        assert closed.wait(TIMEOUT)


# --- errors ------------------------------------------------------------------

def test_app_exception_gives_500_json_without_traceback(caplog):
    def app(environ, start_response):
        raise RuntimeError("secret detail")
    with running(app) as server, caplog.at_level(logging.ERROR):
        client = server.connect()
        client.send(request("GET", "/"))
        status, _, body = client.response()
    assert status == 500
    assert json.loads(body) == {"error": {
        "code": 500, "title": "Internal Server Error", "type": "glance.error",
        "message": "internal error; see the server log"}}
    assert b"secret" not in body and b"Traceback" not in body
    assert "secret detail" in caplog.text


def test_app_exception_after_headers_closes_with_a_short_body(caplog):
    def app(environ, start_response):
        start_response("200 OK", [("Content-Length", "100")])
        yield b"partial"
        raise RuntimeError("boom")
    with running(app) as server, caplog.at_level(logging.CRITICAL):
        conn = server.http()
        conn.request("GET", "/")
        response = conn.getresponse()
        with pytest.raises(http.client.IncompleteRead) as caught:
            response.read()
    assert caught.value.partial == b"partial"


# --- threads and shutdown ----------------------------------------------------

def test_bounded_threads_serve_more_concurrent_requests_than_threads():
    lock, running_now, seen = threading.Lock(), [0], {"peak": 0, "threads": 0}

    def slow_app(environ, start_response):
        with lock:
            running_now[0] += 1
            seen["peak"] = max(seen["peak"], running_now[0])
            seen["threads"] = max(seen["threads"], threading.active_count())
        time.sleep(0.2)
        with lock:
            running_now[0] -= 1
        return hello_app(environ, start_response)
    before = threading.active_count()
    with running(slow_app, server_threads=2, max_threads=2) as server:
        socks = [server.connect() for _ in range(3)]
        for client in socks:
            client.send(request("GET", "/"))
        statuses = [client.response()[0] for client in socks]
    assert statuses == [200, 200, 200]
    assert seen["peak"] == 2
    assert seen["threads"] <= before + 2 + 1    # + the thread in serve_forever


def test_shutdown_returns_promptly_with_idle_connections():
    server = WSGIServer(hello_app, bind_port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    client = RawClient(server.server_address)
    client.send(request("GET", "/"))
    client.response()
    server.shutdown()
    thread.join(TIMEOUT)
    assert not thread.is_alive()
    assert client.closed_by_server()
    client.close()


def test_shutdown_lets_a_request_in_flight_finish():
    started = threading.Event()

    def slow_app(environ, start_response):
        started.set()
        time.sleep(0.3)
        return hello_app(environ, start_response)
    server = WSGIServer(slow_app, bind_port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    client = RawClient(server.server_address)
    client.send(request("GET", "/"))
    assert started.wait(TIMEOUT)
    server.shutdown()
    status, headers, body = client.response()
    assert (status, body, headers["connection"]) == (200, b"hello /", "close")
    client.close()
    thread.join(TIMEOUT)


def test_shutdown_refuses_new_connections():
    server = WSGIServer(hello_app, bind_port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.shutdown()
    thread.join(TIMEOUT)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(server.server_address, timeout=TIMEOUT)
