"""One HTTP/1.1 exchange of Glance's server: a request's response on a connection.

`Exchange` runs the WSGI app for one request: it sends `100 Continue` when
the app first reads a body that asked for it, writes the head and the body
(Content-Length, chunked, or `os.sendfile` for `wsgi.file_wrapper`), and
says whether the connection can serve another request.  `Connection` is a
client socket and its read buffer between requests.
"""

import contextlib
import io
import logging
import os
import socket
import stat
import struct
import threading
import time
from email.utils import formatdate

from glance.common import faults
from glance.common.exception import GlanceError
from glance.httpd.body import BodyError, LengthBody, is_token

LOG = logging.getLogger("glance.httpd.server")

CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
DRAIN_LIMIT = 1 << 20           # unread body we still read to keep a connection
CONTINUE_DRAIN_LIMIT = 64 << 10  # ...when the client is waiting for 100 Continue
SMALL_WRITE = 64 << 10          # below this, head and data go out in one send
LONG_TRANSFER = 1 << 20         # a body past this gives its run slot back (RunSlot)
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


class RunSlot:
    """An exchange's turn to run Python code, from a server-wide semaphore.

    Only `busy_threads` requests run app code at once: more threads only
    take turns on the GIL, and each turn is a context switch.  An exchange
    gives its slot back as soon as it becomes a long transfer (a large or
    chunked request body, a file sent with sendfile, a response past
    LONG_TRANSFER bytes), so slow uploads and downloads never hold up the
    short requests.  `give_back()` is idempotent and may run on any thread.
    """

    def __init__(self, semaphore):
        self._semaphore = semaphore
        self._held = False
        self._lock = threading.Lock()

    def take(self):
        self._semaphore.acquire()
        self._held = True

    def give_back(self):
        with self._lock:
            held, self._held = self._held, False
        if held:
            self._semaphore.release()


class _ClientGone(ConnectionError):
    """Sending to the client failed; nothing more can be said to it."""


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


def _sendfile_all(sock, fd, offset, count):
    """sendfile(2) until `count` bytes went out or the file ended; the bytes
    sent.  (socket.sendfile() would wait forever on a stalled client of a
    blocking socket: here the kernel's send timeout ends the wait.)"""
    sent = 0
    while sent < count:
        done = os.sendfile(sock.fileno(), fd, offset + sent, min(count - sent, 1 << 30))
        if done == 0:
            break
        sent += done
    return sent


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


def _timeval(seconds):
    seconds = max(seconds, 0.001)   # zero would mean "wait forever"
    return struct.pack("ll", int(seconds), int(seconds % 1 * 1e6))


class _SocketReader(io.RawIOBase):
    """The raw reader under a connection's buffered reader.

    Sockets stay in blocking mode and the kernel enforces the timeouts
    (SO_RCVTIMEO, SO_SNDTIMEO): Python's own socket timeouts poll() before
    every recv and send, and each of those calls hands the GIL over once
    more, which under sixteen busy connections costs more than the request.
    A kernel timeout fails the call with EAGAIN: raised here as TimeoutError.
    """

    def __init__(self, sock):
        super().__init__()
        self._recv_into = sock.recv_into

    def readable(self):
        return True

    def readinto(self, buffer):
        try:
            return self._recv_into(buffer)
        except BlockingIOError:
            raise TimeoutError("timed out reading from the client") from None


class Connection:
    """A client's socket and the buffered reader that requests are read from."""

    def __init__(self, sock, addr, timeout):
        self.sock = sock
        self.addr = addr
        self._timeout = _timeval(timeout)
        sock.setblocking(True)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, self._timeout)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, self._timeout)
        self.rfile = io.BufferedReader(_SocketReader(sock), READ_BUFFER)
        self.idle_until = 0.0
        self.unread = False     # the client may still be sending us a request

    def next_request_ready(self, wait):
        """True when the next request is here (pipelined, or already sent)
        or arrives within `wait` seconds; a worker waits a little for it
        rather than hand the connection back to the watcher at once.

        One recv at most, which returns as soon as the request is in."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, _timeval(wait))
        try:
            return bool(self.rfile.peek(1))
        except OSError:     # the wait timed out, or the connection broke
            return False
        finally:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, self._timeout)

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


class Exchange:
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
        self.slot = RunSlot(server.busy)
        if not self.body.finished:
            self.body.before_read = self.before_body

    def before_body(self):
        """Called by wsgi.input before its first read: now the client may
        send (100 Continue), and a long upload gives its run slot back."""
        if self.expect_continue and not self.headers_sent:
            self.expect_continue = False
            self._send(self.sock.sendall, CONTINUE)
        if not isinstance(self.body, LengthBody) or self.body.remaining > LONG_TRANSFER:
            self.slot.give_back()

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
            self._count_sent(len(data))
            self._send(_sendmsg_all, self.sock, (head, b"%x\r\n" % len(data), data, b"\r\n"))
        else:
            if self.length is not None and len(data) > self.length - self.sent:
                LOG.error("%s %s: the app sent more than its Content-Length",
                          self.environ["REQUEST_METHOD"], self.environ["PATH_INFO"])
                self.keep_alive = False
                data = memoryview(data)[:self.length - self.sent]
            self._count_sent(len(data))
            if len(data) < SMALL_WRITE:
                self._send(_sendmsg_all, self.sock, (head, data))
            else:   # big blocks go to the socket as they are, never copied
                if head:
                    self._send(self.sock.sendall, head)
                self._send(self.sock.sendall, data)

    def _count_sent(self, size):
        """Count body bytes about to go out; past LONG_TRANSFER this is a
        long download, which gives its run slot back."""
        self.sent += size
        if self.sent > LONG_TRANSFER:
            self.slot.give_back()

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
        if self.length > LONG_TRANSFER:
            self.slot.give_back()
        if self.length:
            self.sent = self._send(_sendfile_all, self.sock, fd, offset, self.length)
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
        """Call the app (in a run slot) and send its answer; True if the
        connection may go on."""
        self.slot.take()
        try:
            return self._run(app)
        finally:
            self.slot.give_back()

    def _run(self, app):
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
                    self.sock.sendall(faults.raw_response(
                        GlanceError(faults.INTERNAL_MESSAGE)))
            return False
        if not self.keep_alive or self.body.finished:
            return self.keep_alive
        return self.body.drain(CONTINUE_DRAIN_LIMIT if self.expect_continue else DRAIN_LIMIT)
