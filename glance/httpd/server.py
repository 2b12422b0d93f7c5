"""Glance's WSGI HTTP/1.1 server: the accept loop, its workers and its deadlines.

One thread (`serve_forever`) accepts connections, gathers request heads
without waiting on anyone (connection.py) and watches the deadlines of the
connections nobody is serving.  Once a whole head is there, a worker thread
(workers.py) takes the connection, serves requests on it while the client
sends them, and hands it back.  So a connection holds a thread only while
one of its requests is served, never while its client takes its time over
a head, and the run slots (exchange.RunSlot) bound how many requests run
app code at once.  runner.py starts it from paste.ini, in `workers`
processes on one port (prefork.py).

The limits, every one an option of the one table (glance.common.config):
- `idle_timeout`: a kept-alive connection waiting for its next request
  (then closed without a word);
- `request_head_timeout`: from the first byte of a head to its blank line,
  however it trickles in (then 408);
- `max_header_bytes`: the size of a head (then 431);
- `read_timeout`, `min_upload_rate`, `min_download_rate`, `rate_window`:
  the waits on a client while a request is served (pace.py);
- `max_connections_per_address`: connections one client address may hold
  in this process (more are answered 503);
- `server_threads`, `max_threads`, `busy_threads`: the threads kept ready,
  the most there may be, the requests running app code at once;
- `sweep_interval`: how often the deadlines are checked.
The loop's own answers (408, 431, 503) never wait: they are sent if they
fit in the socket buffer, then the connection lingers (reading and dropping
what the client still sends, for a second) so that the client sees the
answer rather than a reset.  A head that cannot be parsed is answered by a
worker (400, 401, 413, 501); every such answer is `faults.raw_response()`.
"""

import collections
import logging
import selectors
import socket
import sys
import threading
import time
from collections import deque

from glance.common import config, faults
from glance.common.exception import (ConfigError, GlanceError, RequestTimeout,
                                     TooManyConnections)
from glance.httpd import request, tuning
from glance.httpd.connection import Connection
from glance.httpd.exchange import DRAIN_LIMIT, Exchange, FileWrapper
from glance.httpd.workers import Workers

LOG = logging.getLogger(__name__)
KEEPALIVE_WAIT = 0.01       # seconds a worker waits for the next request itself
LINGER_SECONDS = 1.0        # a closing connection's time to read our last answer
RETRY_AFTER = "1"           # seconds, for a client over its connection cap
# The options runner.server_runner reads (from its section or [DEFAULT]).
SERVER_OPTIONS = ("bind_host", "bind_port", "server_threads", "max_threads", "busy_threads",
                  "backlog", "workers", "idle_timeout", "request_head_timeout",
                  "read_timeout", "min_upload_rate", "min_download_rate", "rate_window",
                  "max_header_bytes", "max_connections_per_address", "sweep_interval",
                  "shutdown_timeout")
_AT_LEAST = {"server_threads": 1, "max_threads": 1, "busy_threads": 1, "workers": 1,
             "max_header_bytes": 1024, "max_connections_per_address": 0}


def check(conf):
    """ConfigError for server options out of their range."""
    for name, least in _AT_LEAST.items():
        if getattr(conf, name) < least:
            raise ConfigError(f"option {name}: expected at least {least}, "
                              f"got {getattr(conf, name)}")
    if conf.max_threads < conf.server_threads:
        raise ConfigError(f"option max_threads: expected at least server_threads "
                          f"({conf.server_threads}), got {conf.max_threads}")


class WSGIServer:
    """Serves one WSGI app over HTTP/1.1 (see the module docstring).

    `conf` is a `config.Config`; without one, the table's defaults with
    `options` (option names) over them.  `sock`: a listening socket
    inherited from a prefork master.  `serve_forever()` serves until
    `shutdown()` (from another thread) or `stop()` (a signal handler):
    then it stops accepting, lets requests in flight finish for up to
    `shutdown_timeout` seconds, cuts off the rest and closes the socket.
    """

    def __init__(self, app, conf=None, sock=None, **options):
        self.conf = conf if conf is not None else config.load(environ={}, **options)
        check(self.conf)
        self.app = app
        self.busy = threading.BoundedSemaphore(self.conf.busy_threads)
        self.workers = Workers(self._serve, self.conf.server_threads, self.conf.max_threads)
        self.socket = sock or tuning.listen(self.conf.bind_host, self.conf.bind_port,
                                            self.conf.backlog)
        self.server_address = self.socket.getsockname()[:2]
        self.port = self.server_address[1]
        self.stopping = False
        # Every wait on a client ends at least this often to check its pace.
        self._tick = min(self.conf.read_timeout, self.conf.rate_window) / 2
        self._limits = (self.conf.min_upload_rate, self.conf.min_download_rate,
                        self.conf.rate_window, self.conf.read_timeout)
        self._returned = deque()    # connections handed back by workers
        self._busy = set()          # being served by a worker
        self._per_address = collections.Counter()
        self._count_lock = threading.Lock()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_w.setblocking(False)
        self._serving = False
        self._done = threading.Event()
        self._environ = {
            "SERVER_NAME": self.server_address[0], "SERVER_PORT": str(self.port),
            "SCRIPT_NAME": "", "wsgi.version": (1, 0), "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr, "wsgi.multithread": True,
            "wsgi.multiprocess": False, "wsgi.run_once": False,
            "wsgi.input_terminated": True, "wsgi.file_wrapper": FileWrapper,
        }

    def connections(self, address):
        """How many connections `address` holds (the cap counts them)."""
        return self._per_address.get(address, 0)

    # -- the loop: accept, gather heads, watch deadlines -------------------

    def serve_forever(self):
        if self.stopping:
            return
        self._serving = True
        self.workers.start()
        selector = selectors.DefaultSelector()
        selector.register(self.socket, selectors.EVENT_READ, "accept")
        selector.register(self._wake_r, selectors.EVENT_READ, "wake")
        try:
            next_sweep = 0.0
            while not self.stopping:
                self._watch(selector)
                now = time.monotonic()
                if now >= next_sweep:
                    next_sweep = now + self.conf.sweep_interval
                    self._sweep(selector, now)
        finally:
            self.stopping = True
            for key in list(selector.get_map().values()):
                if isinstance(key.data, Connection):
                    key.data.close()
            selector.close()
            self.socket.close()
            self._stop_workers()
            self._wake_r.close()
            self._wake_w.close()
            self._done.set()

    def _watch(self, selector):
        for key, _ in selector.select(min(1.0, self.conf.sweep_interval)):
            if key.data == "accept":
                self._accept(selector)
            elif key.data == "wake":
                self._wake_r.recv(4096)
            elif key.data.state == "linger":
                if key.data.discard(DRAIN_LIMIT):
                    selector.unregister(key.fileobj)
                    key.data.close()
            else:
                self._read_head(selector, key.data)
        while self._returned:
            self._watch_again(selector, self._returned.popleft())

    def _accept(self, selector):
        """Accept one connection per wake-up (the selector reports the socket
        again while more wait), so that requests arriving on open connections
        are handed to workers in between a burst of new connections."""
        try:
            sock, addr = self.socket.accept()
        except BlockingIOError:
            return
        except OSError as exc:      # out of file descriptors, most likely
            LOG.error("cannot accept a connection: %s", exc)
            time.sleep(0.1)
            return
        cap = self.conf.max_connections_per_address
        with self._count_lock:
            over = cap and self._per_address[addr[0]] >= cap
            if not over:
                self._per_address[addr[0]] += 1
        conn = Connection(sock, addr, self._tick, self._limits,
                          on_close=None if over else self._closed)
        if over:
            refusal = TooManyConnections(
                f"this client address already holds {cap} connections; retry later")
            refusal.headers.append(("Retry-After", RETRY_AFTER))
            self._refuse(selector, conn, refusal)
            return
        conn.deadline = time.monotonic() + self.conf.idle_timeout
        selector.register(sock, selectors.EVENT_READ, conn)

    def _closed(self, conn):
        with self._count_lock:
            self._per_address[conn.addr[0]] -= 1
            if self._per_address[conn.addr[0]] <= 0:
                del self._per_address[conn.addr[0]]

    def _read_head(self, selector, conn):
        """Take in what the client sent; hand the connection to a worker
        once its head is complete."""
        got = conn.receive()
        if got is None:
            return
        if got == 0:        # closed (between requests, or giving up on one)
            selector.unregister(conn.sock)
            conn.close()
            return
        try:
            head = conn.take_head(self.conf.max_header_bytes)
        except GlanceError as exc:
            selector.unregister(conn.sock)
            self._refuse(selector, conn, exc)
            return
        if head is None:
            self._head_begun(conn)
            return
        selector.unregister(conn.sock)
        conn.job = head
        if not self.workers.submit(conn):
            conn.close()

    def _head_begun(self, conn):
        """From a head's first byte, its deadline is the head timeout."""
        if conn.buffered and conn.head_started is None:
            conn.head_started = time.monotonic()
            conn.deadline = conn.head_started + self.conf.request_head_timeout

    def _refuse(self, selector, conn, exc):
        """Answer with `exc` if the answer fits now, then linger and close."""
        conn.send_now(faults.raw_response(exc))
        self._linger(conn)
        selector.register(conn.sock, selectors.EVENT_READ, conn)

    @staticmethod
    def _linger(conn):
        conn.shutdown_write()
        conn.state = "linger"
        conn.deadline = time.monotonic() + LINGER_SECONDS

    def _watch_again(self, selector, conn):
        """A connection a worker handed back: idle, a head begun, or lingering."""
        if conn.state == "head" and conn.head_started is None:
            conn.deadline = time.monotonic() + self.conf.idle_timeout
        selector.register(conn.sock, selectors.EVENT_READ, conn)

    def _sweep(self, selector, now):
        for key in list(selector.get_map().values()):
            conn = key.data
            if not isinstance(conn, Connection) or conn.deadline > now:
                continue
            selector.unregister(key.fileobj)
            if conn.state == "head" and conn.head_started is not None:
                self._refuse(selector, conn, RequestTimeout(
                    f"the request head did not arrive within "
                    f"{self.conf.request_head_timeout:g} s"))
            else:
                conn.close()

    # -- the workers: serve requests on a connection -----------------------

    def _serve(self, conn):
        """Serve the connection's requests while the client sends them, then
        hand it back to the loop (idle or lingering) or close it."""
        head, conn.job = conn.job, None
        if self.stopping:
            conn.close()
            return
        self._busy.add(conn)
        try:
            after = self._exchanges(conn, head)
        except Exception:
            LOG.exception("unexpected error on the connection from %s", conn.addr)
            after = "close"
        finally:
            self._busy.discard(conn)
        if self.stopping or after == "close":
            conn.close()
            return
        if after == "linger":
            self._linger(conn)
        else:
            conn.state = "head"
        self._returned.append(conn)
        self._wake()

    def _exchanges(self, conn, head):
        """"idle", "linger" or "close": how the connection goes on."""
        while True:
            try:
                environ, length = request.parse(head, self._environ, conn.addr)
                exchange = Exchange(self, conn, environ, length)
            except GlanceError as exc:
                return self._answer_early(conn, exc)
            if not exchange.run(self.app):
                return "linger" if conn.unread else "close"
            conn.head_started = None
            try:
                head = conn.take_head(self.conf.max_header_bytes)     # pipelined
                if head is None and self.workers.can_wait():
                    if conn.receive_within(KEEPALIVE_WAIT) == 0:
                        return "close"
                    head = conn.take_head(self.conf.max_header_bytes)
            except GlanceError as exc:
                return self._answer_early(conn, exc)
            if head is None:
                self._head_begun(conn)
                return "idle"

    def _answer_early(self, conn, exc):
        conn.begin(None)
        try:
            conn.send(faults.raw_response(exc))
        except OSError:
            return "close"
        return "linger"

    def _wake(self):
        try:
            self._wake_w.send(b"x")
        except OSError:     # full: it wakes anyway; closed: stopped
            pass

    # -- stopping ----------------------------------------------------------

    def stop(self):
        """Ask serve_forever() to stop, without waiting; safe in signal handlers."""
        self.stopping = True
        self._wake()

    def shutdown(self):
        """Stop serving, finish requests in flight, close the socket."""
        self.stop()
        if self._serving:
            self._done.wait(self.conf.shutdown_timeout + 5.0)
        else:
            for sock in (self.socket, self._wake_r, self._wake_w):
                sock.close()

    def _stop_workers(self):
        for conn in self.workers.stop(self.conf.shutdown_timeout, on_late=self._cut_busy):
            conn.close()    # queued, never served
        while self._returned:
            self._returned.popleft().close()

    def _cut_busy(self):
        for conn in list(self._busy):   # past the grace period: cut them off
            conn.cut()
