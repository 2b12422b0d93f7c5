"""What a client may not do to the server, over sockets (issue 15 items 3, 5,
8 and 13): trickle a head, trickle a body, never read an answer, hold too
many connections, spoof a header's spelling, repeat an identity header,
send control characters, or have its next request read as a body it held
back.  Also the run slot an app may give back (`glance.give_back_slot`)."""

import json
import queue
import threading
import time

import pytest

from glance.httpd.exchange import GIVE_BACK_SLOT
from tests.fixtureapps.httpd_apps import environ_app, hello_app, reading_app
from tests.httpd.helpers import TIMEOUT, fetch, request, running

FAST = {"sweep_interval": 0.05}     # deadlines checked often, for short tests


def body_reader(started, outcome):
    """Reads the body (after saying so on `started`); puts the result on `outcome`."""
    def app(environ, start_response):
        started.set()
        try:
            outcome.put(environ["wsgi.input"].read())
        except Exception as exc:
            outcome.put(exc)
            raise
        return hello_app(environ, start_response)
    return app


# --- slow heads (item 5) --------------------------------------------------------

def test_a_trickled_head_holds_no_thread():
    with running(hello_app, server_threads=1, max_threads=1) as server:
        slow = server.connect()
        slow.send(b"GET /slow HTTP/1.1\r\nHost: t\r\n")     # and the rest never comes
        time.sleep(0.2)
        assert fetch(server, "/other") == (200, b"hello /other")


def test_a_head_not_complete_in_time_gets_408_and_the_close():
    with running(hello_app, request_head_timeout=0.3, **FAST) as server:
        slow = server.connect()
        slow.send(b"GET / HTTP/1.1\r\nHost: t\r\n")
        started = time.monotonic()
        for _ in range(3):      # bytes keep coming, but not the whole head
            time.sleep(0.1)
            slow.send(b"X-A: b\r\n")
        status, headers, body = slow.response()
        assert status == 408
        assert json.loads(body)["error"]["type"] == "request.timeout"
        assert headers["connection"] == "close"
        assert slow.closed_by_server()
    assert time.monotonic() - started < TIMEOUT


def test_an_idle_kept_alive_connection_is_closed_without_an_answer():
    with running(hello_app, idle_timeout=0.2, request_head_timeout=5, **FAST) as server:
        client = server.connect()
        client.send(request("GET", "/"))
        assert client.response()[0] == 200
        assert client.closed_by_server()    # no 408: it sent nothing more


# --- slow bodies (item 5) -------------------------------------------------------

def test_a_slow_upload_is_cut_off_below_the_minimum_rate():
    started, outcome = threading.Event(), queue.Queue()
    app = body_reader(started, outcome)
    with running(app, min_upload_rate=1000, rate_window=0.4, read_timeout=30) as server:
        slow = server.connect()
        slow.send(request("PUT", "/", headers={"Content-Length": "100000"}))
        assert started.wait(TIMEOUT)
        deadline = time.monotonic() + TIMEOUT
        while outcome.empty() and time.monotonic() < deadline:
            slow.send(b"x")     # 20 bytes a second, under 1000
            time.sleep(0.05)
        assert isinstance(outcome.get(timeout=TIMEOUT), ConnectionError)


def test_an_upload_at_the_minimum_rate_goes_on():
    started, outcome = threading.Event(), queue.Queue()
    app = body_reader(started, outcome)
    with running(app, min_upload_rate=1000, rate_window=0.2, read_timeout=30) as server:
        client = server.connect()
        client.send(request("PUT", "/", headers={"Content-Length": "20000"}))
        for _ in range(10):     # 2000 bytes every 0.05 s: 40 KB/s
            client.send(b"x" * 2000)
            time.sleep(0.05)
        assert outcome.get(timeout=TIMEOUT) == b"x" * 20000
        assert client.response()[0] == 200


def test_a_burst_then_a_pause_shorter_than_two_windows_goes_on():
    started, outcome = threading.Event(), queue.Queue()
    app = body_reader(started, outcome)
    with running(app, min_upload_rate=1000, rate_window=1.0, read_timeout=30) as server:
        client = server.connect()
        client.send(request("PUT", "/", b"x" * 100_000, {"Content-Length": "100001"}))
        assert started.wait(TIMEOUT)
        time.sleep(1.3)     # a whole window with nothing new: the burst still counts
        client.send(b"y")
        assert outcome.get(timeout=TIMEOUT) == b"x" * 100_000 + b"y"
        assert client.response()[0] == 200


def test_a_small_slow_upload_lends_its_run_slot_out():
    started, outcome = threading.Event(), queue.Queue()
    slow_app = body_reader(started, outcome)

    def app(environ, start_response):
        if environ["PATH_INFO"] == "/slow":
            return slow_app(environ, start_response)
        return hello_app(environ, start_response)
    with running(app, busy_threads=1) as server:
        slow = server.connect()
        slow.send(request("PUT", "/slow", b"abc", {"Content-Length": "100"}))
        assert started.wait(TIMEOUT)        # in the app, waiting on 97 more bytes
        assert fetch(server, "/quick") == (200, b"hello /quick")
        slow.send(b"x" * 97)
        assert outcome.get(timeout=TIMEOUT) == b"abc" + b"x" * 97


def test_threads_start_on_demand_beyond_the_core():
    count, outcome = 6, queue.Queue()
    started = [threading.Event() for _ in range(count)]
    apps = iter(body_reader(event, outcome) for event in started)
    lock = threading.Lock()

    def app(environ, start_response):
        if environ["PATH_INFO"] == "/slow":
            with lock:
                chosen = next(apps)
            return chosen(environ, start_response)
        return hello_app(environ, start_response)
    with running(app, server_threads=2, max_threads=16) as server:
        stalled = [server.connect() for _ in range(count)]
        for client in stalled:
            client.send(request("PUT", "/slow", headers={"Content-Length": "10"}))
        assert all(event.wait(TIMEOUT) for event in started)
        assert fetch(server, "/quick") == (200, b"hello /quick")
        assert server.server.workers.count > 2


# --- downloads never read (item 5) ----------------------------------------------

def endless_app(closed):
    """200 MiB in 1 MiB blocks; `closed` is set when the server closes the body."""
    class Body:
        def __iter__(self):
            block = b"x" * (1 << 20)
            for _ in range(200):
                yield block

        def close(self):
            closed.set()

    def app(environ, start_response):
        start_response("200 OK", [("Content-Length", str(200 << 20))])
        return Body()
    return app


def test_a_download_never_read_is_cut_off_below_the_minimum_rate():
    closed = threading.Event()
    with running(endless_app(closed), min_download_rate=100_000, rate_window=0.4,
                 read_timeout=30) as server:
        stalled = server.connect(receive_buffer=4096)
        stalled.send(request("GET", "/"))
        assert closed.wait(TIMEOUT)         # the server gave up on it


def test_a_download_read_at_the_rate_completes():
    def app(environ, start_response):
        start_response("200 OK", [("Content-Length", str(4 << 20))])
        return [b"y" * (4 << 20)]
    with running(app, min_download_rate=1000, rate_window=0.2, read_timeout=30) as server:
        client = server.connect(receive_buffer=65536)
        client.send(request("GET", "/"))
        status, _, body = client.response()
    assert (status, len(body)) == (200, 4 << 20)


# --- connections per address (item 5) ------------------------------------------

def test_connections_over_the_per_address_cap_get_503():
    with running(hello_app, max_connections_per_address=2, **FAST) as server:
        held = [server.connect(), server.connect()]
        for client in held:
            client.send(request("GET", "/"))
            assert client.response()[0] == 200
        over = server.connect()
        status, headers, body = over.response()
        assert status == 503
        assert headers["retry-after"] == "1"
        assert json.loads(body)["error"]["type"] == "request.too_many_connections"
        assert over.closed_by_server()
        other = server.connect(source="127.0.0.2")      # another address: served
        other.send(request("GET", "/"))
        assert other.response()[0] == 200


def test_a_closed_connection_frees_its_place_under_the_cap():
    with running(hello_app, max_connections_per_address=1, **FAST) as server:
        first = server.connect()
        first.send(request("GET", "/"))
        assert first.response()[0] == 200
        first.close()
        deadline = time.monotonic() + TIMEOUT
        while server.server.connections("127.0.0.1") and time.monotonic() < deadline:
            time.sleep(0.02)
        second = server.connect()
        second.send(request("GET", "/"))
        assert second.response()[0] == 200


# --- header spelling and identity headers (item 3) ------------------------------

def test_underscore_spellings_never_reach_the_app():
    seen = queue.Queue()
    with running(environ_app(seen)) as server:
        client = server.connect()
        client.send(request("GET", "/", headers={"X-Roles": "member", "X_Roles": "admin",
                                                 "X_Tenant_Id": "other",
                                                 "x-image-meta-is_public": "true"}))
        assert client.response()[0] == 204
    environ = seen.get(timeout=TIMEOUT)
    assert environ["HTTP_X_ROLES"] == "member"
    assert "HTTP_X_TENANT_ID" not in environ
    assert environ["HTTP_X_IMAGE_META_IS_PUBLIC"] == "true"


@pytest.mark.parametrize("name, status", [("X-Roles", 400), ("X-Tenant-Id", 400),
                                          ("X-User-Id", 400), ("X-Service-Token", 400),
                                          ("X-Auth-Token", 401)])
def test_a_repeated_identity_header_is_refused(name, status):
    with running(hello_app) as server:
        client = server.connect()
        client.send(b"GET / HTTP/1.1\r\nHost: t\r\n%s: a\r\n%s: b\r\n\r\n"
                    % (name.encode(), name.lower().encode()))
        got, headers, body = client.response()
        assert got == status
        assert ("www-authenticate" in headers) == (status == 401)
        assert client.closed_by_server()


# --- framing (item 8) -----------------------------------------------------------

@pytest.mark.parametrize("value", [b"a\x00b", b"\x1b[31mred", b"a\x0bb", b"a\x7f"])
def test_a_control_character_in_a_header_value_is_400(value):
    with running(hello_app) as server:
        client = server.connect()
        client.send(b"GET / HTTP/1.1\r\nHost: t\r\nX-A: " + value + b"\r\n\r\n")
        status, _, body = client.response()
        assert status == 400
        assert json.loads(body)["error"]["type"] == "request.malformed"


# --- Expect: 100-continue (item 13) ---------------------------------------------

def test_an_answer_without_the_body_held_for_100_continue_closes_the_connection():
    seen = queue.Queue()

    def app(environ, start_response):
        seen.put(environ["PATH_INFO"])
        return hello_app(environ, start_response)
    with running(app) as server:
        client = server.connect()
        client.send(request("PUT", "/first", headers={"Content-Length": "40",
                                                      "Expect": "100-continue"}))
        status, headers, _ = client.response()
        assert status == 200
        assert headers["connection"] == "close"
        # The client skips its body and goes on: that must never be a request.
        client.send(request("GET", "/second") + b"x" * 40)
        assert client.closed_by_server()
    assert seen.get(timeout=TIMEOUT) == "/first"
    assert seen.empty()


def test_a_body_read_after_100_continue_keeps_the_connection():
    outcome = queue.Queue()
    with running(reading_app(outcome)) as server:
        client = server.connect()
        client.send(request("PUT", "/", headers={"Content-Length": "5",
                                                 "Expect": "100-continue"}))
        assert client.response()[0] == 100
        client.send(b"hello" + request("GET", "/next"))
        assert client.response()[0] == 200
        assert client.response()[0] == 200
    assert outcome.get(timeout=TIMEOUT) == b"hello"


# --- the run slot an app gives back (item 4, server side) -----------------------

def test_an_app_that_gives_its_slot_back_lets_others_run():
    waiting, go = threading.Event(), threading.Event()

    def app(environ, start_response):
        if environ["PATH_INFO"] == "/origin":
            environ[GIVE_BACK_SLOT]()
            environ[GIVE_BACK_SLOT]()       # idempotent
            waiting.set()
            go.wait(TIMEOUT)                # e.g. a remote origin taking its time
        return hello_app(environ, start_response)
    with running(app, busy_threads=1) as server:
        origin = server.connect()
        origin.send(request("GET", "/origin"))
        assert waiting.wait(TIMEOUT)
        assert fetch(server, "/quick") == (200, b"hello /quick")
        go.set()
        assert origin.response()[2] == b"hello /origin"
        busy = server.server.busy
        # The client may read the answer before the worker has closed the
        # exchange: wait (bounded) for the slot rather than race for it.
        assert busy.acquire(timeout=TIMEOUT)        # the one slot is free again...
        assert not busy.acquire(blocking=False)     # ...and there is still just one
        busy.release()


def test_the_slot_can_be_given_back_from_another_thread():
    done = queue.Queue()

    def app(environ, start_response):
        worker = threading.Thread(target=lambda: done.put(environ[GIVE_BACK_SLOT]()))
        worker.start()
        worker.join(TIMEOUT)
        return hello_app(environ, start_response)
    with running(app, busy_threads=1) as server:
        assert fetch(server, "/a") == (200, b"hello /a")
        assert fetch(server, "/b") == (200, b"hello /b")
    assert done.qsize() == 2
