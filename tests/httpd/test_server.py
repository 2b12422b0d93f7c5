"""The standard-library WSGI server over sockets: framing, limits, errors, threads, Paste."""

import hashlib
import http.client
import importlib.metadata
import io
import json
import logging
import os
import queue
import select
import socket
import subprocess
import sys
import threading
import time
import wsgiref.validate

import pytest

from glance.httpd import server as httpserver
from glance.httpd.server import WSGIServer

TIMEOUT = 10    # seconds; only to keep a broken server from hanging the suite
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class running:
    """A server on a free loopback port, serving from a background thread.

    Clients made with `connect()` (raw) and `http()` (http.client) are
    closed before the server shuts down, as real clients would be.
    """

    def __init__(self, app, **options):
        self.server = WSGIServer(app, host="127.0.0.1", port=0, **options)
        self.address = self.server.server_address
        self.clients = []

    def __enter__(self):
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def connect(self):
        self.clients.append(RawClient(self.address))
        return self.clients[-1]

    def http(self):
        self.clients.append(http.client.HTTPConnection(*self.address, timeout=TIMEOUT))
        return self.clients[-1]

    def __exit__(self, *exc_info):
        for client in self.clients:
            client.close()
        self.server.shutdown()
        self.thread.join(TIMEOUT)
        assert not self.thread.is_alive()


class RawClient:
    """A socket speaking HTTP by hand, to send what http.client never would."""

    def __init__(self, address):
        self.sock = socket.create_connection(address, timeout=TIMEOUT)
        self.rfile = self.sock.makefile("rb")

    def send(self, data):
        self.sock.sendall(data)

    def response(self, head=False):
        status_line = self.rfile.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection")
        headers = {}
        while (line := self.rfile.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        status = int(status_line.split()[1])
        if head or status in (100, 204, 304):
            body = b""
        elif "content-length" in headers:
            body = self.rfile.read(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            body = self._chunked()
        else:
            body = self.rfile.read()
        return status, headers, body

    def _chunked(self):
        parts = []
        while size := int(self.rfile.readline().split(b";")[0], 16):
            parts.append(self.rfile.read(size))
            assert self.rfile.readline() == b"\r\n"
        while self.rfile.readline() not in (b"\r\n", b""):
            pass
        return b"".join(parts)

    def closed_by_server(self):
        return self.rfile.read() == b""

    def close(self):
        self.rfile.close()
        self.sock.close()


def request(method, path, body=None, headers=None):
    head = [f"{method} {path} HTTP/1.1", "Host: test"]
    head += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + (body or b"")


def chunked(data, size):
    out = io.BytesIO()
    for start in range(0, len(data), size) if size else ():
        piece = data[start:start + size]
        out.write(b"%x\r\n%s\r\n" % (len(piece), piece))
    out.write(b"0\r\n\r\n")
    return out.getvalue()


# --- fixture apps ------------------------------------------------------------

def hello_app(environ, start_response):
    body = b"hello " + environ["PATH_INFO"].encode("latin-1")
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return [body]


def port_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [environ["REMOTE_PORT"].encode()]


def digest_app(environ, start_response):
    """Answers the md5 and size of the request body, read in 64 KiB blocks
    (with read(), or with readinto() into one odd-sized buffer for /readinto)."""
    md5, size = hashlib.md5(), 0
    body = environ["wsgi.input"]
    if environ["PATH_INFO"] == "/readinto":
        buffer = bytearray(100_003)
        while got := body.readinto(buffer):
            md5.update(buffer[:got])
            size += got
    else:
        while block := body.read(65536):
            md5.update(block)
            size += len(block)
    body = json.dumps({"md5": md5.hexdigest(), "size": size}).encode()
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(body)))])
    return [body]


def environ_app(seen):
    def app(environ, start_response):
        seen.put(dict(environ))
        environ["wsgi.input"].read()
        start_response("204 No Content", [])
        return []
    return app


def reading_app(outcome):
    """Reads the whole body and reports what the read did (with readinto()
    into one large buffer for /readinto)."""
    def app(environ, start_response):
        body = environ["wsgi.input"]
        try:
            if environ["PATH_INFO"] == "/readinto":
                buffer = bytearray(1 << 20)
                outcome.put(bytes(buffer[:body.readinto(buffer)]))
            else:
                outcome.put(body.read())
        except Exception as exc:
            outcome.put(exc)
            raise
        start_response("200 OK", [("Content-Length", "0")])
        return []
    return app


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
    with running(hello_app, idle_timeout=0.2) as server:
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


# --- request bodies ----------------------------------------------------------

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


# --- malformed requests and limits --------------------------------------------

def test_header_block_over_the_limit_gets_431():
    with running(hello_app) as server:
        client = server.connect()
        client.send(b"GET / HTTP/1.1\r\n" + b"X-Big: " + b"a" * 20480 + b"\r\n\r\n")
        status, headers, body = client.response()
    assert status == 431
    assert json.loads(body)["code"] == "request.headers_too_large"
    assert headers["connection"] == "close"


@pytest.mark.parametrize("raw", [
    b"GARBAGE\r\n\r\n",
    b"GET / HTTP/1.1 extra\r\n\r\n",
    b"GET / HTTP/9.9\r\n\r\n",
    b"GET / HTTP/1.1\r\nno colon here\r\n\r\n",
    b"PUT / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
    b"PUT / HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
    b"PUT / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
    b"PUT / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
])
def test_malformed_request_gets_400_json(raw):
    with running(hello_app) as server:
        client = server.connect()
        client.send(raw)
        status, headers, body = client.response()
        assert status == 400
        assert headers["content-type"] == "application/json"
        assert json.loads(body)["code"] == "request.malformed"
        assert client.closed_by_server()


# --- responses ---------------------------------------------------------------

def generator_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    yield b"first "
    yield b""
    yield b"second"


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


class CountingFile(io.FileIO):
    reads = 0

    def read(self, size=-1):
        CountingFile.reads += 1
        return super().read(size)


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("files") / "image"
    data = os.urandom(20 << 20)
    path.write_bytes(data)
    return path, data


def file_app(path, offset=0, length=None, opener=CountingFile):
    def app(environ, start_response):
        f = opener(path, "rb") if opener is CountingFile else opener(path)
        f.seek(offset)
        size = length if length is not None else os.path.getsize(path) - offset
        start_response("200 OK", [("Content-Length", str(size))])
        return environ["wsgi.file_wrapper"](f, 65536)
    return app


def fetch(server, path="/"):
    conn = server.http()
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read()


def test_file_wrapper_sends_20_mib_byte_exact_with_sendfile(big_file):
    path, data = big_file
    CountingFile.reads = 0
    with running(file_app(path)) as server:
        status, body = fetch(server)
    assert hashlib.md5(body).digest() == hashlib.md5(data).digest()
    assert CountingFile.reads == 0      # the bytes went through sendfile


def test_a_client_that_stops_reading_a_download_frees_its_worker(big_file):
    path, _ = big_file
    with running(file_app(path), threads=1, read_timeout=0.3) as server:
        stalled = server.connect()
        stalled.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stalled.send(request("GET", "/"))       # and never reads the answer
        time.sleep(0.2)
        started = time.monotonic()
        other = server.connect()
        other.send(request("GET", "/small"))
        status, _, body = other.response()
    assert status == 200 and len(body) == len(big_file[1])
    assert time.monotonic() - started < TIMEOUT


def test_file_wrapper_sends_from_the_files_offset(big_file):
    path, data = big_file
    with running(file_app(path, offset=12345, length=3 << 20)) as server:
        _, body = fetch(server)
    assert body == data[12345:12345 + (3 << 20)]


def test_file_wrapper_without_fileno_is_iterated():
    data = os.urandom(200_000)
    with running(file_app("-", length=len(data), opener=lambda _: io.BytesIO(data))) as server:
        _, body = fetch(server)
    assert body == data


# --- errors ------------------------------------------------------------------

def test_app_exception_gives_500_json_without_traceback(caplog):
    def app(environ, start_response):
        raise RuntimeError("secret detail")
    with running(app) as server, caplog.at_level(logging.ERROR):
        client = server.connect()
        client.send(request("GET", "/"))
        status, _, body = client.response()
    assert status == 500
    assert json.loads(body) == {"code": "glance.error",
                                "message": "internal error; see the server log"}
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
    with running(slow_app, threads=2) as server:
        socks = [server.connect() for _ in range(3)]
        for client in socks:
            client.send(request("GET", "/"))
        statuses = [client.response()[0] for client in socks]
    assert statuses == [200, 200, 200]
    assert seen["peak"] == 2
    assert seen["threads"] <= before + 2 + 1    # + the thread in serve_forever


def test_shutdown_returns_promptly_with_idle_connections():
    server = WSGIServer(hello_app, port=0)
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
    server = WSGIServer(slow_app, port=0)
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
    server = WSGIServer(hello_app, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.shutdown()
    thread.join(TIMEOUT)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(server.server_address, timeout=TIMEOUT)


# --- PasteDeploy -------------------------------------------------------------

def test_server_runner_rejects_a_bad_option_with_status_2(capsys, monkeypatch):
    monkeypatch.delenv("GLANCE_BIND_PORT", raising=False)   # the environment would win
    with pytest.raises(SystemExit) as exited:
        httpserver.server_runner(hello_app, {"here": "/tmp"}, bind_port="http")
    assert exited.value.code == 2
    assert "bind_port" in capsys.readouterr().err


def test_server_runner_rejects_an_unknown_option_with_status_2(capsys):
    with pytest.raises(SystemExit) as exited:
        httpserver.server_runner(hello_app, {}, bind_prot="9292")
    assert exited.value.code == 2
    assert "bind_prot" in capsys.readouterr().err


SERVE_PASTE_INI = """
import sys
from paste.deploy import loadserver

def app(environ, start_response):
    start_response("200 OK", [("Content-Length", "5")])
    return [b"paste"]

loadserver("config:" + sys.argv[1])(app)
"""


GLANCE_INSTALLED = any(
    entry.value == "glance.httpd.server:server_runner"
    for entry in importlib.metadata.entry_points(group="paste.server_runner", name="http"))


@pytest.mark.parametrize("runner", [
    "paste.server_runner = glance.httpd.server:server_runner",
    pytest.param("use = egg:glance#http", marks=pytest.mark.skipif(
        not GLANCE_INSTALLED, reason="glance is not installed (pip install -e .)")),
])
def test_paste_ini_server_section_serves_until_sigterm(tmp_path, runner):
    ini = tmp_path / "paste.ini"
    ini.write_text(f"[server:main]\n{runner}\n"
                   "bind_host = 127.0.0.1\nbind_port = 0\nserver_threads = 2\n")
    env = dict(os.environ, PYTHONPATH=REPO)
    env.pop("GLANCE_BIND_PORT", None)
    proc = subprocess.Popen([sys.executable, "-c", SERVE_PASTE_INI, str(ini)],
                            stderr=subprocess.PIPE, env=env, text=True)
    try:
        line = proc.stderr.readline()
        assert line.startswith("glance: serving on http://127.0.0.1:")
        port = int(line.rsplit(":", 1)[1])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        conn.request("GET", "/")
        assert conn.getresponse().read() == b"paste"
        conn.close()
        proc.terminate()
        assert proc.wait(TIMEOUT) == 0
    finally:
        proc.kill()
        proc.stderr.close()


# --- run slots (busy_threads) -------------------------------------------------

def test_busy_threads_bounds_how_many_requests_run_app_code_at_once():
    running_now, most = [0], [0]
    lock = threading.Lock()

    def app(environ, start_response):
        with lock:
            running_now[0] += 1
            most[0] = max(most[0], running_now[0])
        time.sleep(0.05)
        with lock:
            running_now[0] -= 1
        start_response("200 OK", [("Content-Length", "2")])
        return [b"ok"]
    with running(app, threads=8, busy_threads=2) as server:
        answers = queue.Queue()

        def fetch_one():
            conn = http.client.HTTPConnection(*server.address, timeout=TIMEOUT)
            conn.request("GET", "/")
            answers.put(conn.getresponse().status)
            conn.close()
        clients = [threading.Thread(target=fetch_one) for _ in range(8)]
        for client in clients:
            client.start()
        for client in clients:
            client.join(TIMEOUT)
    assert [answers.get(timeout=TIMEOUT) for _ in range(8)] == [200] * 8
    assert most[0] == 2


def test_a_long_upload_gives_its_run_slot_back_to_short_requests():
    upload_started = threading.Event()

    def app(environ, start_response):
        body = environ["wsgi.input"]
        if environ["REQUEST_METHOD"] == "PUT":
            size = len(body.read(65536))
            upload_started.set()
            while block := body.read(65536):
                size += len(block)
            data = str(size).encode()
        else:
            data = b"short"
        start_response("200 OK", [("Content-Length", str(len(data)))])
        return [data]
    with running(app, threads=4, busy_threads=1) as server:
        uploader = server.connect()
        uploader.send(request("PUT", "/", os.urandom(65536), {"Content-Length": str(4 << 20)}))
        assert upload_started.wait(TIMEOUT)     # the upload is in the app, mid-body
        assert fetch(server) == (200, b"short")  # answered while the upload waits
        uploader.send(os.urandom((4 << 20) - 65536))
        status, _, body = uploader.response()
    assert (status, body) == (200, str(4 << 20).encode())


def test_a_long_download_gives_its_run_slot_back(big_file):
    path, data = big_file
    served = file_app(path)

    def app(environ, start_response):
        if environ["PATH_INFO"] == "/small":
            start_response("200 OK", [("Content-Length", "5")])
            return [b"small"]
        return served(environ, start_response)
    with running(app, threads=2, busy_threads=1, read_timeout=30) as server:
        stalled = server.connect()
        stalled.send(request("GET", "/"))       # 20 MiB: more than the buffers hold
        time.sleep(0.2)                         # ...until we read it, below
        started = time.monotonic()
        assert fetch(server, "/small") == (200, b"small")
        assert time.monotonic() - started < 5   # not after the download's timeout
        assert stalled.response()[2] == data
