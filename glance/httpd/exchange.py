"""One HTTP/1.1 exchange of Glance's server: a request's response on a connection.

`Exchange` runs the WSGI app for one request (PEP 3333's server side): it
sends `100 Continue` when the app first reads a body that asked for it,
writes the head and the body (Content-Length, chunked, or sendfile(2) for
`wsgi.file_wrapper`), and decides in one place, `_keep_alive()`, whether
the connection serves another request.

Run slots: only `busy_threads` requests run app code at once (`RunSlot`).
A request lends its slot out while it waits on its client (connection.py)
and gives it back for good once it becomes a long transfer (a large or
chunked body, a file sent with sendfile, an answer past LONG_TRANSFER
bytes).  The app may give it back itself: `environ["glance.give_back_slot"]`
is a callable (idempotent, any thread) for an app about to wait on
something other than its client, such as a remote image origin, so that
the wait holds no turn at app code.
"""

import contextlib
import io
import logging
import os
import stat
import threading
import time
from email.utils import formatdate

from glance.common import faults
from glance.common.exception import GlanceError
from glance.httpd import body as bodies
from glance.httpd.request import is_token

LOG = logging.getLogger("glance.httpd")

CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
DRAIN_LIMIT = 1 << 20           # unread body we still read to keep a connection
SMALL_WRITE = 64 << 10          # below this, head and data go out in one send
LONG_TRANSFER = 1 << 20         # a body past this gives its run slot back (RunSlot)
GIVE_BACK_SLOT = "glance.give_back_slot"
_NO_BODY_STATUS = ("1", "204", "304")
_FREE, _HELD, _PAUSED, _GIVEN = range(4)


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

    More threads running app code at once only take turns on the GIL, and
    each turn is a context switch.  `take()` waits for a turn; `pause()`
    lends it out while the exchange waits on its client and `resume()`
    waits for a turn again; `give_back()` returns it for good.  All may be
    called from any thread, `give_back()` any number of times.
    """

    def __init__(self, semaphore):
        self._semaphore = semaphore
        self._state = _FREE
        self._lock = threading.Lock()

    @property
    def held(self):
        return self._state == _HELD

    def take(self):
        self._semaphore.acquire()
        self._state = _HELD

    def give_back(self):
        with self._lock:
            held, self._state = self._state == _HELD, _GIVEN
        if held:
            self._semaphore.release()

    def pause(self):
        with self._lock:
            if self._state != _HELD:
                return
            self._state = _PAUSED
        self._semaphore.release()

    def resume(self):
        with self._lock:
            if self._state != _PAUSED:
                return
        self._semaphore.acquire()
        with self._lock:
            if self._state == _PAUSED:
                self._state = _HELD
                return
        self._semaphore.release()   # given back for good while we waited


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


def _client_keeps(environ):
    """Whether the client asked to keep the connection (RFC 9112 §9.3)."""
    http11 = environ["SERVER_PROTOCOL"] == "HTTP/1.1"
    connection = environ.get("HTTP_CONNECTION")
    if not connection:
        return http11
    tokens = {t.strip() for t in connection.lower().split(",")}
    return "close" not in tokens if http11 else "keep-alive" in tokens


class Exchange:
    """One request and its response on a connection.

    `server` gives the run slots (`busy`) and whether it is stopping;
    `length` is the body's framing (request.parse).
    """

    def __init__(self, server, conn, environ, length):
        self.server, self.conn = server, conn
        self.slot = RunSlot(server.busy)
        conn.begin(self.slot)
        self.body = bodies.reader(conn, length)
        environ["wsgi.input"] = self.body   # middleware may replace the environ's
        environ[GIVE_BACK_SLOT] = self.slot.give_back
        self.environ = environ
        self.head_only = environ["REQUEST_METHOD"] == "HEAD"
        self.http11 = environ["SERVER_PROTOCOL"] == "HTTP/1.1"
        self.client_keeps = _client_keeps(environ)
        # 100 Continue is owed until the app reads the body (before_body).
        self.expect_continue = (self.http11 and not self.body.finished
                                and environ.get("HTTP_EXPECT", "").lower() == "100-continue")
        self.broken = None      # why the connection cannot go on, once it cannot
        self.status = self.headers = self.length = None
        self.headers_sent = self.chunked = False
        self.sent = 0           # body bytes sent
        if not self.body.finished:
            self.body.before_read = self.before_body

    def _keep_alive(self):
        """The one decision: may the connection serve another request?

        Asked when the head goes out (a no becomes `Connection: close`) and
        again at the end, when more may be known (a broken answer, a body
        that could not be drained).
        """
        if not self.client_keeps or self.broken is not None or self.server.stopping:
            return False
        if self.headers_sent and self.length is None and not self.chunked and self._has_body():
            return False        # HTTP/1.0 without a length: the close ends the body
        if self.body.finished:
            return True
        # A body the client holds back for a 100 Continue we never sent: its
        # next bytes may be that body or the next request; nobody can tell.
        if self.expect_continue:
            return False
        return not isinstance(self.body, bodies.LengthBody) or self.body.remaining <= DRAIN_LIMIT

    def before_body(self):
        """Called by wsgi.input before its first read: now the client may
        send (100 Continue), and a long upload gives its run slot back."""
        if self.expect_continue and not self.headers_sent:
            self.expect_continue = False
            self._send(self.conn.send, CONTINUE)
        if not isinstance(self.body, bodies.LengthBody) or self.body.remaining > LONG_TRANSFER:
            self.slot.give_back()

    def _send(self, method, *args):
        try:
            return method(*args)
        except OSError as exc:
            self.broken = "the client is gone"
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
        self.chunked = self.length is None and self._has_body() and self.http11
        if self.chunked:
            lines.append("Transfer-Encoding: chunked\r\n")
        self.headers_sent = True
        if not self._keep_alive():
            lines.append("Connection: close\r\n")
        elif not self.http11:
            lines.append("Connection: keep-alive\r\n")
        return "".join(lines).encode("latin-1") + b"\r\n"

    def write(self, data):
        if not data:
            return      # PEP 3333: the headers wait for the first non-empty data
        head = b"" if self.headers_sent else self._head()
        if self.head_only:
            if head:
                self._send(self.conn.send, head)
        elif self.chunked:
            self._count_sent(len(data))
            self._send(self.conn.send_parts, (head, b"%x\r\n" % len(data), data, b"\r\n"))
        else:
            if self.length is not None and len(data) > self.length - self.sent:
                LOG.error("%s %s: the app sent more than its Content-Length",
                          self.environ["REQUEST_METHOD"], self.environ["PATH_INFO"])
                self.broken = "the app sent more than its Content-Length"
                data = memoryview(data)[:self.length - self.sent]
            self._count_sent(len(data))
            if len(data) < SMALL_WRITE:
                self._send(self.conn.send_parts, (head, data))
            else:   # big blocks go to the socket as they are, never copied
                if head:
                    self._send(self.conn.send, head)
                self._send(self.conn.send, data)

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
        self.slot.give_back()       # the app is done: what is left is waiting on the client
        if self.length:
            self.sent = self._send(self.conn.sendfile, fd, offset, self.length, self._head())
        else:
            self._send(self.conn.send, self._head())
        if self.sent < self.length:
            LOG.error("%s %s: the file ended %d bytes short of its Content-Length",
                      self.environ["REQUEST_METHOD"], self.environ["PATH_INFO"],
                      self.length - self.sent)
            self.broken = "the answer is shorter than its Content-Length"
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
            self._send(self.conn.send, self._head())
        if self.chunked:
            self._send(self.conn.send, b"0\r\n\r\n")
        elif self.length is not None and not self.head_only and self.sent < self.length:
            LOG.error("%s %s: the app sent %d of the %d bytes of its Content-Length",
                      self.environ["REQUEST_METHOD"], self.environ["PATH_INFO"],
                      self.sent, self.length)
            self.broken = "the answer is shorter than its Content-Length"

    def run(self, app):
        """Call the app (in a run slot) and send its answer; True if the
        connection may serve another request."""
        self.slot.take()
        try:
            self._run(app)
        finally:
            self.slot.give_back()
            self.conn.slot = None   # draining the rest waits on the client alone
        if self._keep_alive() and not self.body.finished:
            if not self.body.drain(DRAIN_LIMIT):
                self.broken = "the request body was left unread"
        self.conn.unread = not self.body.finished
        return self._keep_alive()

    def _run(self, app):
        try:
            result = app(self.environ, self.start_response)
            try:
                self._respond(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        except (_ClientGone, bodies.BodyError) as exc:
            self.broken = str(exc)
            LOG.info("%s %s from %s: %s", self.environ["REQUEST_METHOD"],
                     self.environ["PATH_INFO"], self.conn.addr[0], exc)
        except Exception:
            self.broken = "the app failed"
            LOG.exception("error serving %s %s", self.environ["REQUEST_METHOD"],
                          self.environ["PATH_INFO"])
            if not self.headers_sent:
                with contextlib.suppress(OSError):
                    self.conn.send(faults.raw_response(GlanceError(faults.INTERNAL_MESSAGE)))
