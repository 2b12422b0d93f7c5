"""Glance's WSGI HTTP/1.1 server, built on the standard library.

It reads chunked request bodies (Glance's client uploads images that way),
moves image data with flat memory (`os.sendfile` for `wsgi.file_wrapper`),
and serves keep-alive connections from a bounded pool of worker threads:
one thread accepts connections and watches the idle ones, and a connection
only holds a worker while it has a request to serve.  `busy_threads` of
them run app code at once (httpexchange.RunSlot), and `workers` > 1 runs
the whole server in that many processes on one port (prefork.py).
"""

import contextlib
import logging
import queue
import selectors
import signal
import socket
import sys
import threading
import time
from collections import deque

from glance.common import config, faults
from glance.httpd import prefork, tuning
from glance.common.exception import ConfigError, GlanceError
from glance.httpd.body import read_request
from glance.httpd.exchange import KEEPALIVE_WAIT, Connection, Exchange, FileWrapper

LOG = logging.getLogger(__name__)
SOCKET_BUFFER = 4 << 20     # SO_SNDBUF/SO_RCVBUF of the listening socket, inherited


class WSGIServer:
    """Serves one WSGI app over HTTP/1.1 with `threads` worker threads.

    `serve_forever()` accepts connections and watches the idle ones; a worker
    takes a connection when a request arrives on it.  `shutdown()` (from
    another thread) stops accepting, lets requests in flight finish for up to
    `shutdown_timeout` seconds, cuts off the rest and closes the socket.
    """

    def __init__(self, app, host="127.0.0.1", port=0, threads=16, backlog=128,
                 max_header_bytes=16384, idle_timeout=60.0, read_timeout=60.0,
                 shutdown_timeout=10.0, socket_buffer=SOCKET_BUFFER, sock=None,
                 busy_threads=None):
        if threads < 1:
            raise ValueError(f"threads must be at least 1, got {threads}")
        self.app = app
        self.threads = threads
        # How many requests run app code at once (httpexchange.RunSlot).
        self.busy = threading.BoundedSemaphore(min(busy_threads or threads, threads))
        self.max_header_bytes = max_header_bytes
        self.idle_timeout = idle_timeout
        self.read_timeout = read_timeout
        self.shutdown_timeout = shutdown_timeout
        # `sock`: a listening socket inherited from a prefork master
        self.socket = sock or _listen(host, port, backlog, socket_buffer)
        self.server_address = self.socket.getsockname()[:2]
        self.port = self.server_address[1]
        self.stopping = False
        self._jobs = queue.SimpleQueue()    # connections with a request to read
        self._returned = deque()            # idle again, for the watcher to watch
        self._busy = set()                  # being served by a worker
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

    def serve_forever(self):
        if self.stopping:
            return
        self._serving = True
        workers = [threading.Thread(target=self._work, name=f"glance-http-{n}", daemon=True)
                   for n in range(self.threads)]
        for worker in workers:
            worker.start()
        selector = selectors.DefaultSelector()
        selector.register(self.socket, selectors.EVENT_READ)
        selector.register(self._wake_r, selectors.EVENT_READ)
        try:
            next_sweep = 0.0
            while not self.stopping:
                self._watch(selector)
                now = time.monotonic()
                if now >= next_sweep:
                    next_sweep = now + 1.0
                    self._close_idle(selector, now)
        finally:
            self.stopping = True
            self._close_idle(selector, float("inf"))
            selector.close()
            self.socket.close()
            self._stop_workers(workers)
            self._wake_r.close()
            self._wake_w.close()
            self._done.set()

    def _watch(self, selector):
        """Accept connections; hand those with a request to the workers."""
        for key, _ in selector.select(1.0):
            if key.fileobj is self.socket:
                self._accept(selector)
            elif key.fileobj is self._wake_r:
                self._wake_r.recv(4096)
            else:
                selector.unregister(key.fileobj)
                self._jobs.put(key.data)
        while self._returned:
            self._idle(selector, self._returned.popleft())

    def _idle(self, selector, conn):
        conn.idle_until = time.monotonic() + self.idle_timeout
        selector.register(conn.sock, selectors.EVENT_READ, conn)

    def _close_idle(self, selector, now):
        for key in list(selector.get_map().values()):
            if key.data is not None and key.data.idle_until <= now:
                selector.unregister(key.fileobj)
                key.data.close()

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
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._idle(selector, Connection(sock, addr, self.read_timeout))

    def _work(self):
        while (conn := self._jobs.get()) is not None:
            if self.stopping:
                conn.close()
                continue
            self._busy.add(conn)
            try:
                keep = self._serve(conn)
            except Exception:
                LOG.exception("unexpected error on the connection from %s", conn.addr)
                keep = False
            finally:
                self._busy.discard(conn)
            if keep and not self.stopping:
                self._returned.append(conn)
                self._wake()
            else:
                conn.close(linger=conn.unread)

    def _serve(self, conn):
        """Serve requests while the client sends them; True to keep it open."""
        while True:
            try:
                exchange = self._read_request(conn)
            except GlanceError as exc:
                conn.unread = True
                with contextlib.suppress(OSError):
                    conn.sock.sendall(faults.raw_response(exc))
                return False
            except OSError:     # a timeout or reset before the request was complete
                return False
            if exchange is None:
                return False
            if not exchange.run(self.app):
                conn.unread = not exchange.body.finished
                return False
            wait = KEEPALIVE_WAIT if self._jobs.empty() else 0
            if self.stopping or not conn.next_request_ready(wait):
                return not self.stopping

    def _read_request(self, conn):
        environ = read_request(conn.rfile, self.max_header_bytes, self._environ, conn.addr)
        if environ is None:
            return None
        tokens = {t.strip() for t in environ.get("HTTP_CONNECTION", "").lower().split(",")}
        http11 = environ["SERVER_PROTOCOL"] == "HTTP/1.1"
        exchange = Exchange(self, conn, environ,
                             "close" not in tokens if http11 else "keep-alive" in tokens)
        if (http11 and not exchange.body.finished
                and environ.get("HTTP_EXPECT", "").lower() == "100-continue"):
            exchange.expect_continue = True
        return exchange

    def _wake(self):
        with contextlib.suppress(OSError):  # full: it wakes anyway; closed: stopped
            self._wake_w.send(b"x")

    def stop(self):
        """Ask serve_forever() to stop, without waiting; safe in signal handlers."""
        self.stopping = True
        self._wake()

    def shutdown(self):
        """Stop serving, finish requests in flight, close the socket."""
        self.stop()
        if self._serving:
            self._done.wait(self.shutdown_timeout + 5.0)
        else:
            for sock in (self.socket, self._wake_r, self._wake_w):
                sock.close()

    def _stop_workers(self, workers):
        with contextlib.suppress(queue.Empty):
            while True:     # connections still queued are not served now
                self._jobs.get_nowait().close()
        for _ in workers:
            self._jobs.put(None)
        deadline = time.monotonic() + self.shutdown_timeout
        for worker in workers:
            worker.join(max(0.0, deadline - time.monotonic()))
        for conn in list(self._busy):   # past the grace period: cut them off
            with contextlib.suppress(OSError):
                conn.sock.shutdown(socket.SHUT_RDWR)
        for worker in workers:
            worker.join(1.0)
        while self._returned:
            self._returned.popleft().close()


def _listen(host, port, backlog, buffer_size, reuse_port=False, listen=True):
    """A non-blocking listening socket.  With `reuse_port`, several sockets
    (one per prefork worker) share the port and the kernel spreads the
    connections over them; `listen=False` only binds (the master holds the
    port that way while its workers listen)."""
    family, _, _, _, address = socket.getaddrinfo(
        host or None, port, 0, socket.SOCK_STREAM, 0, socket.AI_PASSIVE)[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        # Set on the listener, before listen(): accepted sockets inherit the
        # sizes, and the TCP window scale is negotiated for them.
        for option in (socket.SO_SNDBUF, socket.SO_RCVBUF) if buffer_size else ():
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, option, buffer_size)
        sock.bind(address)
        if listen:
            sock.listen(backlog)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


def serve(app, host="127.0.0.1", port=9292, threads=16, backlog=128, **options):
    """Serve `app` until SIGINT or SIGTERM, then shut down cleanly."""
    _run(WSGIServer(app, host, port, threads=threads, backlog=backlog, **options))


def _banner(address):
    host, port = address[:2]
    host = f"[{host}]" if ":" in host else host
    print(f"glance: serving on http://{host}:{port}", file=sys.stderr, flush=True)


def _run(server, banner=True):
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, lambda *_: server.stop())
    try:
        if banner:
            _banner(server.server_address)
        server.serve_forever()
    finally:
        server.shutdown()
        for signum, handler in previous.items():
            signal.signal(signum, handler)


_SERVER_OPTIONS = ("bind_host", "bind_port", "server_threads", "busy_threads", "backlog",
                   "workers")


def server_runner(wsgi_app, global_conf, **local_conf):
    """PasteDeploy's `paste.server_runner` for `[server:main]`.

    Reads bind_host, bind_port, server_threads, busy_threads, backlog and
    workers (from the section, or from [DEFAULT]; GLANCE_BIND_PORT and friends win) and
    serves until SIGINT or SIGTERM.  A bad option exits with status 2.
    With workers > 1 the server runs in that many forked processes
    (prefork.py), all on the one port.
    """
    shared = {key: value for key, value in global_conf.items()
              if key in _SERVER_OPTIONS or key == "here"}
    try:
        conf = config.load(shared, local_conf)
        for name in ("server_threads", "busy_threads", "workers"):
            if getattr(conf, name) < 1:
                raise ConfigError(f"option {name}: expected at least 1, "
                                  f"got {getattr(conf, name)}")
    except ConfigError as exc:
        print(f"glance: {exc.message}", file=sys.stderr)
        raise SystemExit(2) from None
    forking = conf.workers > 1 and hasattr(socket, "SO_REUSEPORT")
    try:
        sock = _listen(conf.bind_host, conf.bind_port, conf.backlog, SOCKET_BUFFER,
                       reuse_port=forking, listen=not forking)
    except OSError as exc:
        print(f"glance: cannot listen on {conf.bind_host}:{conf.bind_port}: {exc}",
              file=sys.stderr)
        raise SystemExit(1) from None
    tuning.mmap_large_buffers()     # flat memory over many uploads (see tuning.py)

    def serve_on(listener, banner=True):
        _run(WSGIServer(wsgi_app, threads=conf.server_threads,
                        busy_threads=conf.busy_threads, sock=listener), banner)
    with sock:
        if forking:
            _serve_in_workers(conf, sock, serve_on)
        else:
            serve_on(sock)


def _serve_in_workers(conf, held, serve_on):
    """Fork conf.workers workers (prefork.py); each listens on the port
    with a socket of its own, so that the kernel spreads the connections
    evenly over them (on one shared socket, whichever woke first took most
    of them).  `held` is bound, not listening: the master keeps the port."""
    port = held.getsockname()[1]
    try:
        worker = prefork.run(conf.workers, on_ready=lambda: _banner(held.getsockname()))
    except prefork.NotReady as exc:
        print(f"glance: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    if worker:
        held.close()
        listener = _listen(conf.bind_host, port, conf.backlog, SOCKET_BUFFER, reuse_port=True)
        prefork.worker_ready()
        serve_on(listener, banner=False)
