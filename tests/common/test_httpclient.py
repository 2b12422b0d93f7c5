"""The connection helper both clients share: the response head without the
100-header limit (socket-free, against http.client's own parser), the
per-thread keep-alive pool, the retry rule, and the error-body decoder."""

import http.client
import io
import json
import socket
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from glance.common import httpclient

# -- the response head ----------------------------------------------------------------


class BytesSocket:
    """All a response needs of a socket: a file to read the answer from."""

    def __init__(self, data):
        self.data = data

    def makefile(self, mode):
        return io.BytesIO(self.data)


def begun(cls, raw, method="GET"):
    response = cls(BytesSocket(raw), method=method)
    try:
        response.begin()
    except Exception as exc:            # compared by type in the differential test
        return type(exc)
    return (response.status, response.reason, response.version, response.chunked,
            response.length, response.will_close, response.getheaders())


def head(status_line, headers):
    lines = [status_line] + [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + b"body"


HEADS = [
    ("HTTP/1.1 200 OK", [("Content-Length", "4")], "GET"),
    ("HTTP/1.1 200 OK", [("Transfer-Encoding", "chunked"), ("Content-Length", "9")], "GET"),
    ("HTTP/1.1 200 OK", [("Transfer-Encoding", "gzip")], "GET"),
    ("HTTP/1.1 200 OK", [("Connection", "close"), ("Content-Length", "4")], "GET"),
    ("HTTP/1.0 200 OK", [("Content-Length", "4")], "GET"),
    ("HTTP/1.0 200 OK", [("Connection", "keep-alive"), ("Content-Length", "4")], "GET"),
    ("HTTP/1.1 200 OK", [], "GET"),
    ("HTTP/1.1 200 OK", [("Content-Length", "-1")], "GET"),
    ("HTTP/1.1 200 OK", [("Content-Length", "four")], "GET"),
    ("HTTP/1.1 200 OK", [("Content-Length", "4")], "HEAD"),
    ("HTTP/1.1 204 No Content", [], "DELETE"),
    ("HTTP/1.1 304 Not Modified", [], "GET"),
    ("HTTP/1.1 404  Not Found ", [("Content-Length", "4"), ("X-A", "1"), ("x-a", "2")], "GET"),
    ("HTTP/2.0 200 OK", [("Content-Length", "4")], "GET"),
    ("HTTP/1.1 999", [("Content-Length", "4")], "GET"),
    ("SPDY/3 200 OK", [], "GET"),
]


@pytest.mark.parametrize("status_line, headers, method", HEADS)
def test_the_head_is_read_as_http_client_reads_it(status_line, headers, method):
    raw = head(status_line, headers)
    assert begun(httpclient.Response, raw, method) == \
        begun(http.client.HTTPResponse, raw, method)


def test_an_interim_100_is_skipped_as_http_client_skips_it():
    raw = b"HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\n" + head("HTTP/1.1 201 Created",
                                                              [("Content-Length", "4")])
    assert begun(httpclient.Response, raw) == begun(http.client.HTTPResponse, raw)
    assert begun(httpclient.Response, raw)[0] == 201


@given(st.lists(st.tuples(st.sampled_from(["Content-Length", "Transfer-Encoding", "Connection",
                                           "Keep-Alive", "X-Image-Meta-Size", "ETag"]),
                          st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7e),
                                  max_size=12)),
                max_size=20),
       st.sampled_from(["HTTP/1.1 200 OK", "HTTP/1.0 200 OK", "HTTP/1.1 204 No Content"]),
       st.sampled_from(["GET", "HEAD"]))
def test_any_head_under_100_lines_reads_the_same(headers, status_line, method):
    raw = head(status_line, headers)
    assert begun(httpclient.Response, raw, method) == \
        begun(http.client.HTTPResponse, raw, method)


def test_300_headers_are_read():
    headers = [(f"x-image-meta-property-p{i}", f"v{i}") for i in range(300)]
    status, *_, got = begun(httpclient.Response, head("HTTP/1.1 200 OK", headers))
    assert status == 200 and got == headers
    assert begun(http.client.HTTPResponse, head("HTTP/1.1 200 OK", headers)) \
        is http.client.HTTPException


def test_http_clients_own_limit_is_left_alone():
    begun(httpclient.Response, head("HTTP/1.1 200 OK", [("a", "b")] * 300))
    assert http.client._MAXHEADERS == 100


def test_more_than_max_headers_is_refused():
    headers = [("x-p", "v")] * (httpclient.MAX_HEADERS + 1)
    assert begun(httpclient.Response, head("HTTP/1.1 200 OK", headers)) \
        is http.client.HTTPException


def test_a_head_over_max_head_bytes_is_refused():
    line = ("x-p", "v" * 60_000)
    count = httpclient.MAX_HEAD_BYTES // 60_000 + 1
    assert count < httpclient.MAX_HEADERS
    assert begun(httpclient.Response, head("HTTP/1.1 200 OK", [line] * count)) \
        is http.client.HTTPException


def test_a_header_line_over_64_kib_is_refused():
    raw = head("HTTP/1.1 200 OK", [("x-p", "v" * httpclient.MAX_LINE)])
    assert begun(httpclient.Response, raw) is http.client.LineTooLong


def test_the_connection_classes_use_the_response():
    for use_ssl in (False, True):
        assert httpclient.connection_class(use_ssl).response_class is httpclient.Response


# -- the pool -----------------------------------------------------------------------------

FACTORIES = []


@pytest.fixture(autouse=True)
def close_every_connection():
    yield
    while FACTORIES:
        for conn in FACTORIES.pop().made:
            conn.close()


class FakeConnection:
    """connect() opens a socket pair: `peer` is the server's end."""

    def __init__(self, connect_error=None):
        self.connect_error = connect_error
        self.sock = self.peer = None
        self.closed = False

    def connect(self):
        if self.connect_error:
            raise self.connect_error
        self.sock, self.peer = socket.socketpair()

    def close(self):
        self.closed = True
        for end in (self.sock, self.peer):
            if end is not None:
                end.close()
        self.sock = self.peer = None


class Answer:
    def __init__(self, will_close=False):
        self.will_close = will_close


class Factory:
    """Hands out `connections`, then new ones; every one is closed at the
    end of the test (`FACTORIES`)."""

    def __init__(self, *connections):
        self.made = []
        self._next = list(connections)
        FACTORIES.append(self)

    def __call__(self):
        conn = self._next.pop(0) if self._next else FakeConnection()
        self.made.append(conn)
        return conn


def test_a_new_connection_is_connected_and_not_reused():
    pool = httpclient.Pool(Factory())
    conn, reused = pool.acquire()
    assert conn.sock is not None and reused is False


def test_a_released_connection_is_reused():
    pool = httpclient.Pool(Factory())
    conn, _ = pool.acquire()
    pool.release(conn, Answer())
    assert pool.acquire() == (conn, True)


def test_a_closing_answer_closes_its_connection():
    factory = Factory()
    pool = httpclient.Pool(factory)
    conn, _ = pool.acquire()
    pool.release(conn, Answer(will_close=True))
    assert conn.closed and pool.acquire()[0] is not conn


@pytest.mark.parametrize("server_does", ["close", "send"])
def test_a_connection_the_server_closed_or_wrote_to_is_not_reused(server_does):
    pool = httpclient.Pool(Factory())
    conn, _ = pool.acquire()
    pool.release(conn, Answer())
    conn.peer.close() if server_does == "close" else conn.peer.sendall(b"junk")
    fresh, reused = pool.acquire()
    assert fresh is not conn and conn.closed and reused is False


def test_a_thread_keeps_one_idle_connection():
    pool = httpclient.Pool(Factory())
    first, _ = pool.acquire()
    second, _ = pool.acquire()
    pool.release(first, Answer())
    pool.release(second, Answer())
    assert pool.idle() is first and second.closed


def test_each_thread_has_its_own_idle_connection_and_close_closes_them_all():
    pool = httpclient.Pool(Factory())
    kept = []

    def work():
        conn, _ = pool.acquire()
        pool.release(conn, Answer())
        kept.append(pool.idle())
    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(set(map(id, kept))) == 3 and pool.idle() is None
    pool.close()
    assert all(conn.closed for conn in kept)


def test_a_connection_that_cannot_be_opened_is_connect_failed():
    conn = FakeConnection(connect_error=ConnectionRefusedError(111, "Connection refused"))
    with pytest.raises(httpclient.ConnectFailed, match="refused"):
        httpclient.Pool(Factory(conn)).acquire()
    assert conn.closed


# -- the retry rule ------------------------------------------------------------------------


class Scripted(FakeConnection):
    """A connection whose request/getresponse raise what the test says;
    `kept` makes it look kept-alive (its socket open before the request)."""

    def __init__(self, kept=False, on_request=None, on_response=None):
        super().__init__()
        if kept:
            self.connect()
        self.on_request, self.on_response = on_request, on_response
        self.sent = []

    def request(self, method, path, body=None, headers=None):
        self.sent.append(method)
        if self.on_request:
            raise self.on_request

    def getresponse(self):
        if self.on_response:
            raise self.on_response
        return Answer()


def stale():
    return http.client.RemoteDisconnected("Remote end closed connection without response")


def send(first, method="GET", replayable=True):
    """→ (what the exchange did, the second connection's requests)."""
    second = Scripted()
    pool = httpclient.Pool(Factory(first, second))
    try:
        response, conn = httpclient.exchange(pool, method, "/p", b"x", replayable=replayable)
    except Exception as exc:
        return type(exc), second.sent
    finally:
        first.close()
        second.close()
    return ("answer from the first" if conn is first else "answer from the second"), second.sent


def kept(**faults):
    return lambda: Scripted(kept=True, **faults)


STALE = {"on_response": stale()}
PIPE = {"on_request": BrokenPipeError(32, "Broken pipe")}
GONE = http.client.RemoteDisconnected
AGAIN, FIRST = "answer from the second", "answer from the first"


@pytest.mark.parametrize("first, method, replayable, outcome, resent", [
    (kept(**STALE), "GET", True, AGAIN, ["GET"]),
    (kept(**STALE), "PUT", True, AGAIN, ["PUT"]),
    (kept(**STALE), "DELETE", True, AGAIN, ["DELETE"]),
    (kept(**STALE), "POST", True, GONE, []),
    (kept(**PIPE, **STALE), "POST", True, AGAIN, ["POST"]),
    (kept(**STALE), "GET", False, GONE, []),
    (lambda: Scripted(**STALE), "GET", True, GONE, []),
    (kept(on_response=TimeoutError("timed out")), "GET", True, TimeoutError, []),
    (kept(**PIPE), "POST", False, FIRST, []),
], ids=["get", "put", "delete", "sent-post", "unsent-post", "unreplayable-body",
        "fresh-connection", "timeout", "answer-beats-broken-pipe"])
def test_the_retry_rule(first, method, replayable, outcome, resent):
    assert send(first(), method, replayable) == (outcome, resent)


def test_a_request_is_sent_again_only_once():
    first = Scripted(kept=True, on_response=stale())
    second = Scripted(kept=True, on_response=stale())
    third = Scripted()
    pool = httpclient.Pool(Factory(first, second, third))
    with pytest.raises(http.client.RemoteDisconnected):
        httpclient.exchange(pool, "GET", "/p")
    assert (first.sent, second.sent, third.sent) == (["GET"], ["GET"], [])


def test_every_failure_closes_the_connection():
    first = Scripted(on_request=TypeError("bad upload data"))
    with pytest.raises(TypeError):
        httpclient.exchange(httpclient.Pool(Factory(first)), "POST", "/p", iter(["text"]))
    assert first.closed


# -- error bodies --------------------------------------------------------------------------


def body(document):
    return json.dumps(document).encode()


@pytest.mark.parametrize("payload, decoded", [
    (body({"error": {"code": 404, "title": "Not Found", "message": "no image 7",
                     "type": "image.not_found"}}), ("image.not_found", "no image 7", None)),
    (body({"error": {"code": 404, "message": "gone", "type": "image.not_found",
                     "image_id": "7"}}), ("image.not_found", "gone", "7")),
    (body({"code": "image.not_found", "message": "no image 7", "image_id": 7}),
     ("image.not_found", "no image 7", 7)),
    (body({"error": {"code": 409, "message": "taken"}}), (None, "taken", None)),
    (body({"code": 404, "message": 5, "image_id": True}), (None, None, None)),
    (body({"error": "flat text", "code": "image.invalid", "message": "m"}),
     ("image.invalid", "m", None)),
    (body(["not", "an", "object"]), (None, None, None)),
    (b"<html>proxy error</html>", (None, None, None)),
    (b"", (None, None, None)),
    (b"\xff\xfe\x00", (None, None, None)),
    (b"[" * 100_000, (None, None, None)),
], ids=["nested", "nested-with-id", "flat", "nested-without-type", "wrong-types",
        "error-not-an-object", "list", "html", "empty", "not-utf8", "deeply-nested"])
def test_decode_error_reads_both_shapes(payload, decoded):
    assert httpclient.decode_error(payload) == decoded


@given(st.binary(max_size=200))
def test_decode_error_never_raises(payload):
    code, message, image_id = httpclient.decode_error(payload)
    assert all(part is None or isinstance(part, (str, int)) for part in (code, message, image_id))
