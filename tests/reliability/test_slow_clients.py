"""Slow clients against the real servers of paste.ini (issue 15 item 5).

For each server (the API, and the registry: the same server class with the
registry app) 256 connections of each kind are opened: a request head
trickled a byte at a time, an upload body trickled a byte at a time, and a
download that is never read.  While they are all open, a new client (from
127.0.0.1) makes ordinary requests; each must be answered (a generous
liveness deadline, not a timing assertion), and the time it took is
recorded as a figure (`figures`: see conftest.py), with how many of the slow
connections still held on when it was answered and the threads and memory
of the server processes.

The attackers come from other loopback addresses (127.0.0.2 and up), so
that the per-address connection cap does not refuse them: the point is the
server's behaviour with 768 slow connections open, not the cap.  The
deadlines that would cut them off (request_head_timeout, rate_window) are
raised for the test, so that they all hold on while the new client is
measured.  The test stops by itself in well under a minute per server.
"""

import contextlib
import http.client
import os
import socket
import statistics
import threading
import time

import pytest

from tests.functional.services import running_services
from tests.reliability.helpers import client_for, request_head

pytestmark = pytest.mark.functional

PER_KIND = int(os.environ.get("GLANCE_SLOW_CLIENTS", "256"))
ATTACKERS = [f"127.0.0.{n}" for n in range(2, 18)]     # 16 addresses, 48 connections each
PROBES = 5
LIVENESS = 30.0             # seconds: only so that a broken server cannot hang the suite
TRICKLE_EVERY = 0.5         # seconds between the bytes of a trickle
BIG = 16 << 20              # the image the stalled downloads ask for


def attacker(server, index, receive_buffer=None):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if receive_buffer:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.bind((ATTACKERS[index % len(ATTACKERS)], 0))
    sock.settimeout(LIVENESS)
    sock.connect((server.host, server.port))
    sock.settimeout(None)   # blocking: MSG_DONTWAIT below must not poll first
    return sock


class SlowClients:
    """PER_KIND connections of each kind, and a thread that trickles bytes."""

    def __init__(self, server, heads, bodies, downloads):
        self.trickling, self.stalled = [], []
        for index in range(PER_KIND):
            sock = attacker(server, index)
            sock.sendall(heads)
            self.trickling.append(sock)
            sock = attacker(server, index)
            sock.sendall(bodies)
            self.trickling.append(sock)
            sock = attacker(server, index, receive_buffer=4096)
            sock.sendall(downloads)
            self.stalled.append(sock)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._trickle, daemon=True)
        self._thread.start()

    def _trickle(self):
        while not self._stop.wait(TRICKLE_EVERY):
            for sock in self.trickling:
                with contextlib.suppress(OSError):
                    sock.send(b"x", socket.MSG_DONTWAIT)    # a header value or body that never ends

    def silent(self):
        """How many trickling connections have had no answer (still held)."""
        count = 0
        for sock in self.trickling:
            try:
                sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
            except BlockingIOError:
                count += 1
            except OSError:
                pass
        return count

    def close(self):
        self._stop.set()
        self._thread.join(LIVENESS)
        for sock in self.trickling + self.stalled:
            sock.close()


def probe(server, method, path):
    """One request from 127.0.0.1 on a new connection: (status, seconds)."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection(server.host, server.port, timeout=LIVENESS)
    try:
        conn.request(method, path)
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        conn.close()


def process_figures(server):
    """Threads and resident MB of the server's processes (master and workers)."""
    pids = [server.process.pid]
    with contextlib.suppress(OSError), open(f"/proc/{pids[0]}/task/{pids[0]}/children") as f:
        pids += [int(pid) for pid in f.read().split()]
    threads = rss = 0
    for pid in pids:
        with contextlib.suppress(OSError), open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("Threads:"):
                    threads += int(line.split()[1])
                elif line.startswith("VmRSS:"):
                    rss += int(line.split()[1]) // 1024
    return threads, rss


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    patient = {"GLANCE_REQUEST_HEAD_TIMEOUT": "300", "GLANCE_RATE_WINDOW": "300"}
    with running_services(tmp_path_factory.mktemp("slow"), extra_env=patient) as running:
        yield running


@pytest.fixture(scope="module")
def images(services):
    """(a small image's id, a BIG image's id)."""
    with client_for(services) as client:
        small = client.add_image({"name": "small", "is_public": True}, b"s" * 1000)
        big = client.add_image({"name": "big", "is_public": True}, os.urandom(BIG))
    return small["id"], big["id"]


def attack_requests(target, small, big):
    """(trickled head, trickled upload, download) request bytes for `target`."""
    head = b"GET /images HTTP/1.1\r\nHost: slow\r\nX-Slow: "
    if target == "api":
        body = request_head("POST", "/v1/images", [
            ("Content-Type", "application/octet-stream"), ("x-image-meta-name", "slow"),
            ("Content-Length", str(8 << 20))])
        return head, body, request_head("GET", f"/v1/images/{big}")
    body = request_head("PUT", f"/images/{small}", [
        ("Content-Type", "application/json"), ("Content-Length", "10000")]) + b'{"image": '
    return head, body, request_head("GET", "/images/detail?limit=1000")


@pytest.mark.parametrize("target", ["api", "registry"])
def test_a_new_client_is_served_while_slow_clients_hold_connections(
        services, images, figures, target):
    small, big = images
    server = services.api if target == "api" else services.registry
    probes = ([("HEAD", f"/v1/images/{small}"), ("GET", f"/v1/images/{small}")]
              if target == "api" else [("GET", f"/images/{small}"), ("GET", "/images")])
    opened = time.monotonic()
    slow = SlowClients(server, *attack_requests(target, small, big))
    try:
        opening = time.monotonic() - opened
        time.sleep(2 * TRICKLE_EVERY)   # every kind has had its first trickle
        answers = [probe(server, *probes[n % len(probes)]) for n in range(PROBES)]
        held = slow.silent()
        threads, rss = process_figures(server)
    finally:
        slow.close()
    latencies = [seconds * 1000 for _, seconds in answers]
    figures(server=target, slow_connections=3 * PER_KIND, still_held_at_the_end=held,
            opening_s=round(opening, 1), new_client_ms_median=round(statistics.median(latencies)),
            new_client_ms_max=round(max(latencies)), server_threads=threads, server_rss_mb=rss)
    assert [status for status, _ in answers] == [200] * PROBES
    assert held > 0.9 * 2 * PER_KIND, "the slow connections were cut before the probes"
