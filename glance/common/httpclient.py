"""What Glance's two HTTP clients share: kept-alive connections, the retry
rule for a connection the server closed while it sat idle, a response class
without http.client's 100-header limit, and the reading of a JSON error body.

The Python client (`glance.client`) and the registry client
(`glance.registry.client`) each turn failures into their own exceptions;
everything below raises what http.client and the socket raise, plus
`ConnectFailed` for a connection that could not be opened.
"""

import collections
import email.parser
import http.client
import json
import select
import threading
import weakref

# http.client refuses more than 100 header lines (`_MAXHEADERS`, a module
# global); a v1 HEAD of an image with ~80 properties already sends that many
# (CONTRACT §7: the client reads an image with the maximum number of
# properties).  10,000 lines and 4 MiB bound what a hostile server can make
# us buffer; one line is bounded as in http.client.
MAX_HEADERS = 10_000
MAX_HEAD_BYTES = 4 << 20
MAX_LINE = 65536
_END_OF_HEAD = (b"\r\n", b"\n", b"")


class Response(http.client.HTTPResponse):
    """An HTTPResponse that reads up to `max_headers` header lines.

    Only the reading of the head differs from the standard library's
    `HTTPResponse.begin()` (Python 3.11), which `begin` follows step by step:
    that method reads the headers through the module-level limit, which no
    subclass can change without changing it for the whole process.
    """

    max_headers = MAX_HEADERS

    def begin(self):
        if self.headers is not None:
            return
        while True:
            version, status, reason = self._read_status()
            if status != http.client.CONTINUE:
                break
            self._read_head()                 # the headers of an interim 100
        self.code = self.status = status
        self.reason = reason.strip()
        if version in ("HTTP/1.0", "HTTP/0.9"):
            self.version = 10
        elif version.startswith("HTTP/1."):
            self.version = 11
        else:
            raise http.client.UnknownProtocol(version)
        self.headers = self.msg = self._read_head()
        self.chunked = (self.headers.get("transfer-encoding") or "").lower() == "chunked"
        self.chunk_left = None
        self.will_close = self._check_close()
        self.length = None
        length = self.headers.get("content-length")
        if length and not self.chunked:
            try:
                self.length = int(length)
            except ValueError:
                pass
            else:
                if self.length < 0:
                    self.length = None
        if status in (http.client.NO_CONTENT, http.client.NOT_MODIFIED) \
                or 100 <= status < 200 or self._method == "HEAD":
            self.length = 0
        if not self.will_close and not self.chunked and self.length is None:
            self.will_close = True

    def _read_head(self):
        """The header lines up to the blank line, parsed as http.client does."""
        lines, size = [], 0
        while True:
            line = self.fp.readline(MAX_LINE + 1)
            if len(line) > MAX_LINE:
                raise http.client.LineTooLong("header line")
            lines.append(line)
            size += len(line)
            if line in _END_OF_HEAD:
                break
            if len(lines) > self.max_headers or size > MAX_HEAD_BYTES:
                raise http.client.HTTPException(
                    f"got more than {self.max_headers} headers or {MAX_HEAD_BYTES} bytes "
                    "of them")
        text = b"".join(lines).decode("iso-8859-1")
        return email.parser.Parser(_class=http.client.HTTPMessage).parsestr(text)


class HTTPConnection(http.client.HTTPConnection):
    response_class = Response


class HTTPSConnection(http.client.HTTPSConnection):
    response_class = Response


def connection_class(use_ssl):
    return HTTPSConnection if use_ssl else HTTPConnection


class ConnectFailed(OSError):
    """A new connection could not be opened (refused, no such host, ...):
    nothing was sent."""


def dropped(sock):
    """An idle kept-alive socket that is readable was closed by the server
    (or holds bytes no request asked for): either way it is unusable."""
    try:
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return True


class Pool:
    """Kept-alive connections to one server: at most one idle per thread.

    `factory()` makes an http.client-like connection (`connect`, `request`,
    `getresponse`, `close`, `sock`); it is the test seam for the transport.
    A connection is taken with `acquire()` for one request and handed back
    with `release()` once its response has been read to the end.
    """

    def __init__(self, factory):
        self._factory = factory
        self._local = threading.local()
        self._idle = weakref.WeakSet()      # every thread's, for close()
        self._lock = threading.Lock()

    def acquire(self):
        """(connection, reused): this thread's idle connection unless the
        server closed it, else a new one, connected (`ConnectFailed`).
        `reused` says its socket was open before this request."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            self._local.conn = None
            with self._lock:
                self._idle.discard(conn)
            if conn.sock is not None and not dropped(conn.sock):
                return conn, True
            conn.close()
        conn = self._factory()
        if conn.sock is not None:       # a factory may hand out an open one
            return conn, True
        try:
            conn.connect()
        except OSError as exc:
            conn.close()
            raise ConnectFailed(str(exc) or type(exc).__name__) from exc
        return conn, False

    def idle(self):
        """This thread's idle connection, or None (what the next request reuses)."""
        return getattr(self._local, "conn", None)

    def release(self, conn, response):
        """Keep `conn`, whose `response` was read to the end, for this
        thread's next request, unless it is closing or one is kept already."""
        if response.will_close or conn.sock is None \
                or getattr(self._local, "conn", None) is not None:
            conn.close()
            return
        self._local.conn = conn
        with self._lock:
            self._idle.add(conn)

    def close(self):
        """Close the idle connections of every thread (before a fork, or when
        done); one in use is kept or closed when it is released."""
        with self._lock:
            conns, self._idle = list(self._idle), weakref.WeakSet()
        for conn in conns:
            conn.close()


def exchange(pool, method, path, body=None, headers=None, *, replayable=True):
    """Send one request; → (response, connection) once the answer's head is read.

    The retry rule: a request on a reused connection that fails with a
    `ConnectionError` before any answer is sent once more, on a new
    connection, if it is `replayable` (its body can be sent again) -- a POST
    only when sending it failed, since once sent it may have been acted on.
    When sending fails the answer is still read: a server may answer (say,
    413) and close before taking the whole body, and its answer beats our
    broken pipe.  On any failure the connection is closed and the error
    raised as it came.
    """
    headers = dict(headers or {})
    chunked = {"encode_chunked": True} if "Transfer-Encoding" in headers else {}
    for attempt in (1, 2):
        conn, reused = pool.acquire()
        sending_failed = False
        try:
            try:
                conn.request(method, path, body, headers, **chunked)
            except ConnectionError:
                sending_failed = True
            return conn.getresponse(), conn
        except ConnectionError:
            conn.close()
            if attempt == 1 and reused and replayable \
                    and (sending_failed or method != "POST"):
                continue
            raise
        except BaseException:         # also bad upload data or Ctrl-C
            conn.close()
            raise


ErrorBody = collections.namedtuple("ErrorBody", "code message image_id")


def decode_error(payload):
    """(machine code, message, image id) of a JSON error body; None for each
    part that is absent, and for all three when the body is not such JSON.

    Both shapes are read: the contract's `{"error": {"code": <status>,
    "title", "message", "type": <machine code>, ...}}` and the flat
    `{"code": <machine code>, "message", "image_id"}` of earlier servers.
    """
    try:
        document = json.loads(payload)
    except (ValueError, TypeError, RecursionError):
        document = None
    if not isinstance(document, dict):
        return ErrorBody(None, None, None)
    if isinstance(document.get("error"), dict):
        fields, code_key = document["error"], "type"
    else:
        fields, code_key = document, "code"
    code, message = fields.get(code_key), fields.get("message")
    image_id = fields.get("image_id")
    return ErrorBody(code if isinstance(code, str) else None,
                     message if isinstance(message, str) else None,
                     image_id if isinstance(image_id, (int, str))
                     and not isinstance(image_id, bool) else None)
