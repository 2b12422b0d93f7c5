"""Glance's WSGI HTTP/1.1 server, built on the standard library.

It reads chunked request bodies (Glance's client uploads images that way),
moves image data with flat memory (`os.sendfile` for `wsgi.file_wrapper`),
and serves keep-alive connections from a bounded pool of worker threads:
one thread accepts connections and watches the idle ones, and a connection
only holds a worker while it has a request to serve.
"""

import contextlib
import io
import json
import logging
import os
import queue
import select
import selectors
import signal
import socket
import stat
import sys
import threading
import time
from collections import deque
from email.utils import formatdate
from http import HTTPStatus

from glance.common import config, malloc
from glance.common.exception import ConfigError
from glance.common.httpbody import BadRequest, BodyError, LengthBody, is_token, read_request

LOG = logging.getLogger(__name__)

CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
DRAIN_LIMIT = 1 << 20           # unread body we still read to keep a connection
CONTINUE_DRAIN_LIMIT = 64 << 10  # ...when the client is waiting for 100 Continue
SMALL_WRITE = 64 << 10          # below this, head and data go out in one send
READ_BUFFER = 64 << 10
KEEPALIVE_WAIT = 0.01           # seconds a worker waits for the next request
_NO_BODY_STATUS = ("1", "204", "304")


class FileWrapper:
    """`wsgi.file_wrapper`: a file the server may send with `os.sendfile`.

    Iterating reads `blksize` blocks from where the file stands; the server
    sends from `filelike.tell()` as well, so an app may seek first.
    """

    def __init__(self, filelike, blksize=1 << 20):
        self.filelike = filelike
        self.blksize = blksize
        if hasattr(filelike, "close"):
            self.close = filelike.close

    def __iter__(self):
        while True:
            data = self.filelike.read(self.blksize)
            if not data:
                return
            yield data


class _ClientGone(ConnectionError):
    """Sending to the client failed; nothing more can be said to it."""


def _error_response(status, code, message):
    """A complete JSON error response, after which the connection closes."""
    body = json.dumps({"code": code, "message": message}).encode()
    return (f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            f"Connection: close\r\n\r\n").encode("latin-1") + body


_VALID_NAMES = set()        # response header names already checked, up to a bound
_date = (0, "")             # (second, Date header value)


def _valid_name(name):
    if name in _VALID_NAMES:
        return True
    if not is_token(name.encode("latin-1")):
        return False
    if len(_VALID_NAMES) < 1024:
        _VALID_NAMES.add(name)
    return True


def _http_date():
    """The Date header's value, formatted once a second rather than per response."""
    global _date
    now = int(time.time())
    if _date[0] != now:
        _date = (now, formatdate(now, usegmt=True))
    return _date[1]


def _sendmsg_all(sock, parts):
    """Send several buffers with as few system calls as possible, no copies."""
    parts = [memoryview(part) for part in parts if part]
    while parts:
        sent = sock.sendmsg(parts)
        while sent:
            if sent >= len(parts[0]):
                sent -= len(parts.pop(0))
            else:
                parts[0], sent = parts[0][sent:], 0


class _Connection:
    """A client's socket and the buffered reader that requests are read from."""

    def __init__(self, sock, addr):
        self.sock = sock
        self.addr = addr
        self.rfile = sock.makefile("rb", READ_BUFFER)
        self.idle_until = 0.0
        self.unread = False     # the client may still be sending us a request

    def next_request_ready(self, wait):
        """True when the next request is here (pipelined, or already sent)
        or arrives within `wait` seconds; a worker waits a little for it
        rather than hand the connection back to the watcher at once."""
        timeout = self.sock.gettimeout()
        self.sock.settimeout(0.0)
        try:
            if self.rfile.peek(1):
                return True
        except OSError:
            return False
        finally:
            self.sock.settimeout(timeout)
        poller = select.poll()
        poller.register(self.sock, select.POLLIN)
        return bool(wait and poller.poll(wait * 1000))

    def close(self, linger=False):
        """Close; with `linger`, first read what the client still sends for
        up to a second, so that it sees our answer rather than a reset."""
        with contextlib.suppress(OSError):
            if linger:
                self.sock.shutdown(socket.SHUT_WR)
                deadline = time.monotonic() + 1.0
                for _ in range(DRAIN_LIMIT // READ_BUFFER):
                    self.sock.settimeout(max(0.001, deadline - time.monotonic()))
                    if not self.sock.recv(READ_BUFFER):
                        break
        self.rfile.close()
        self.sock.close()


class _Exchange:
    """One request and its response on a connection (PEP 3333's server side)."""

    def __init__(self, server, conn, environ, keep_alive):
        self.server, self.conn, self.sock = server, conn, conn.sock
        self.environ = environ
        self.body = environ["wsgi.input"]   # middleware may replace the environ's
        self.head_only = environ["REQUEST_METHOD"] == "HEAD"
        self.http11 = environ["SERVER_PROTOCOL"] == "HTTP/1.1"
        self.keep_alive = keep_alive
        self.expect_continue = False
        self.status = self.headers = self.length = None
        self.headers_sent = self.chunked = False
        self.sent = 0           # body bytes sent

    def send_continue(self):
        """Called by wsgi.input before its first read: now the client may send."""
        if self.expect_continue and not self.headers_sent:
            self.expect_continue = False
            self._send(self.sock.sendall, CONTINUE)

    def _send(self, method, *args):
        try:
            return method(*args)
        except OSError as exc:
            self.keep_alive = False
            raise _ClientGone(f"sending the response failed: {exc}") from exc

    def start_response(self, status, headers, exc_info=None):
        if exc_info:
            try:
                if self.headers_sent:
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        elif self.status is not None:
            raise AssertionError("start_response called twice without exc_info")
        length = None
        self.has_date = False
        for name, value in headers:
            if not _valid_name(name) or "\n" in value or "\r" in value:
                raise ValueError(f"invalid response header {name!r}: {value!r}")
            lowered = name.lower()
            if lowered == "content-length":
                length = int(value)
                if length < 0:
                    raise ValueError(f"negative Content-Length {value!r}")
            elif lowered == "date":
                self.has_date = True
        self.status, self.headers, self.length = status, list(headers), length
        return self.write

    def _has_body(self):
        return not (self.head_only or self.status.startswith(_NO_BODY_STATUS))

    def _head(self):
        """The status line and headers; decides the body's framing."""
        if self.status is None:
            raise AssertionError("the app sent a body before calling start_response")
        lines = [f"HTTP/1.1 {self.status}\r\n"]
        lines.extend(f"{name}: {value}\r\n" for name, value in self.headers)
        if not self.has_date:
            lines.append(f"Date: {_http_date()}\r\n")
        if self.length is None and self._has_body():
            self.chunked = self.http11
            if self.chunked:
                lines.append("Transfer-Encoding: chunked\r\n")
            else:
                self.keep_alive = False     # HTTP/1.0: the close ends the body
        if self.expect_continue and not self.body.finished and not (
                isinstance(self.body, LengthBody)
                and self.body.remaining <= CONTINUE_DRAIN_LIMIT):
            self.keep_alive = False     # the client holds back a body we never asked for
        if self.server.stopping:
            self.keep_alive = False
        if not self.keep_alive:
            lines.append("Connection: close\r\n")
        elif not self.http11:
            lines.append("Connection: keep-alive\r\n")
        head = "".join(lines).encode("latin-1") + b"\r\n"
        self.headers_sent = True
        return head

    def write(self, data):
        if not data:
            return      # PEP 3333: the headers wait for the first non-empty data
        head = b"" if self.headers_sent else self._head()
        if self.head_only:
            if head:
                self._send(self.sock.sendall, head)
        elif self.chunked:
            self.sent += len(data)
            self._send(_sendmsg_all, self.sock, (head, b"%x\r\n" % len(data), data, b"\r\n"))
        else:
            if self.length is not None and len(data) > self.length - self.sent:
                LOG.error("%s %s: the app sent more than its Content-Length",
                          self.environ["REQUEST_METHOD"], self.environ["PATH_INFO"])
                self.keep_alive = False
                data = memoryview(data)[:self.length - self.sent]
            self.sent += len(data)
            if len(data) < SMALL_WRITE:
                self._send(_sendmsg_all, self.sock, (head, data))
            else:   # big blocks go to the socket as they are, never copied
                if head:
                    self._send(self.sock.sendall, head)
                self._send(self.sock.sendall, data)

    def _sendfile(self, wrapper):
        """Send a file_wrapper's file with sendfile(2); False when it can't be."""
        if self.status is None or self.headers_sent or self.length is None or self.head_only:
            return False
        try:
            fd, offset = wrapper.filelike.fileno(), wrapper.filelike.tell()
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return False
        except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
            return False
        self._send(self.sock.sendall, self._head())
        if self.length:     # socket.sendfile() loops over os.sendfile(), with the timeout
            self.sent = self._send(self.sock.sendfile, wrapper.filelike, offset, self.length)
        return True

    def _respond(self, result):
        if isinstance(result, FileWrapper) and self._sendfile(result):
            return
        if (isinstance(result, (list, tuple)) and len(result) == 1 and self.status
                and self.length is None and not self.headers_sent and self._has_body()):
            self.length = len(result[0])    # one block: send it with its length
            self.headers.append(("Content-Length", str(self.length)))
        for data in result:
            self.write(data)
            if self.head_only and self.headers_sent:
                break
        if self.status is None:
            raise AssertionError("the app returned without calling start_response")
        if not self.headers_sent:
            if self.length is None and self._has_body():
                self.length = 0
                self.headers.append(("Content-Length", "0"))
            self._send(self.sock.sendall, self._head())
        if self.chunked:
            self._send(self.sock.sendall, b"0\r\n\r\n")
        elif self.length is not None and not self.head_only and self.sent < self.length:
            LOG.error("%s %s: the app sent %d of the %d bytes of its Content-Length",
                      self.environ["REQUEST_METHOD"], self.environ["PATH_INFO"],
                      self.sent, self.length)
            self.keep_alive = False     # the client sees a short body, then the close

    def run(self, app):
        """Call the app and send its answer; True if the connection may go on."""
        try:
            result = app(self.environ, self.start_response)
            try:
                self._respond(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        except (_ClientGone, BodyError) as exc:
            LOG.info("%s %s from %s: %s", self.environ["REQUEST_METHOD"],
                     self.environ["PATH_INFO"], self.conn.addr[0], exc)
            return False
        except Exception:
            LOG.exception("error serving %s %s", self.environ["REQUEST_METHOD"],
                          self.environ["PATH_INFO"])
            if not self.headers_sent:
                with contextlib.suppress(OSError):
                    self.sock.sendall(_error_response(
                        500, "glance.error", "internal error; see the server log"))
            return False
        if not self.keep_alive or self.body.finished:
            return self.keep_alive
        return self.body.drain(CONTINUE_DRAIN_LIMIT if self.expect_continue else DRAIN_LIMIT)


class WSGIServer:
    """Serves one WSGI app over HTTP/1.1 with `threads` worker threads.

    `serve_forever()` accepts connections and watches the idle ones; a worker
    takes a connection when a request arrives on it.  `shutdown()` (from
    another thread) stops accepting, lets requests in flight finish for up to
    `shutdown_timeout` seconds, cuts off the rest and closes the socket.
    """

    def __init__(self, app, host="127.0.0.1", port=0, threads=16, backlog=128,
                 max_header_bytes=16384, idle_timeout=60.0, read_timeout=60.0,
                 shutdown_timeout=10.0, socket_buffer=4 << 20):
        if threads < 1:
            raise ValueError(f"threads must be at least 1, got {threads}")
        self.app = app
        self.threads = threads
        self.max_header_bytes = max_header_bytes
        self.idle_timeout = idle_timeout
        self.read_timeout = read_timeout
        self.shutdown_timeout = shutdown_timeout
        self.socket = _listen(host, port, backlog, socket_buffer)
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
        while True:
            try:
                sock, addr = self.socket.accept()
            except BlockingIOError:
                return
            except OSError as exc:      # out of file descriptors, most likely
                LOG.error("cannot accept a connection: %s", exc)
                time.sleep(0.1)
                return
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(self.read_timeout)
            self._idle(selector, _Connection(sock, addr))

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
            except BadRequest as exc:
                conn.unread = True
                with contextlib.suppress(OSError):
                    conn.sock.sendall(_error_response(exc.status, exc.code, exc.message))
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
        exchange = _Exchange(self, conn, environ,
                             "close" not in tokens if http11 else "keep-alive" in tokens)
        if (http11 and not exchange.body.finished
                and environ.get("HTTP_EXPECT", "").lower() == "100-continue"):
            exchange.expect_continue = True
            exchange.body.before_read = exchange.send_continue
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


def _listen(host, port, backlog, buffer_size):
    family, _, _, _, address = socket.getaddrinfo(
        host or None, port, 0, socket.SOCK_STREAM, 0, socket.AI_PASSIVE)[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Set on the listener, before listen(): accepted sockets inherit the
        # sizes, and the TCP window scale is negotiated for them.
        for option in (socket.SO_SNDBUF, socket.SO_RCVBUF) if buffer_size else ():
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, option, buffer_size)
        sock.bind(address)
        sock.listen(backlog)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


def serve(app, host="127.0.0.1", port=9292, threads=16, backlog=128, **options):
    """Serve `app` until SIGINT or SIGTERM, then shut down cleanly."""
    _run(WSGIServer(app, host, port, threads=threads, backlog=backlog, **options))


def _run(server):
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, lambda *_: server.stop())
    try:
        host = server.server_address[0]
        host = f"[{host}]" if ":" in host else host
        print(f"glance: serving on http://{host}:{server.port}", file=sys.stderr, flush=True)
        server.serve_forever()
    finally:
        server.shutdown()
        for signum, handler in previous.items():
            signal.signal(signum, handler)


_SERVER_OPTIONS = ("bind_host", "bind_port", "server_threads", "backlog")


def server_runner(wsgi_app, global_conf, **local_conf):
    """PasteDeploy's `paste.server_runner` for `[server:main]`.

    Reads bind_host, bind_port, server_threads and backlog (from the section,
    or from [DEFAULT]; GLANCE_BIND_PORT and friends win) and serves until
    SIGINT or SIGTERM.  A bad option exits with status 2.
    """
    shared = {key: value for key, value in global_conf.items()
              if key in _SERVER_OPTIONS or key == "here"}
    try:
        conf = config.load(shared, local_conf)
        if conf.server_threads < 1:
            raise ConfigError(f"option server_threads: expected at least 1, "
                              f"got {conf.server_threads}")
    except ConfigError as exc:
        print(f"glance: {exc.message}", file=sys.stderr)
        raise SystemExit(2) from None
    try:
        server = WSGIServer(wsgi_app, conf.bind_host, conf.bind_port,
                            threads=conf.server_threads, backlog=conf.backlog)
    except OSError as exc:
        print(f"glance: cannot listen on {conf.bind_host}:{conf.bind_port}: {exc}",
              file=sys.stderr)
        raise SystemExit(1) from None
    malloc.mmap_large_buffers()     # flat memory over many uploads (see malloc.py)
    _run(server)
