"""Reading an HTTP/1.1 request off a connection for Glance's server: the
head, parsed into a WSGI environ, and the body readers behind `wsgi.input`.

The body readers (Content-Length or chunked) never read past their body, so
the next request on a keep-alive connection starts where it should.  A body
that ends early, cannot be parsed or stalls past the socket's timeout raises
`BodyError` (a `ConnectionError`): the apps take that to mean the client went
away mid-upload.  A head that cannot be parsed raises a domain error (`MalformedRequest`,
`HeadersTooLarge`), which the server answers and closes.
"""

from urllib.parse import unquote_to_bytes

from glance.common.exception import HeadersTooLarge, MalformedRequest

_TOKEN = b"!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Header names that frame the body: "Content_Length" must not pass for them.
_FRAMING_KEYS = ("CONTENT_LENGTH", "HTTP_TRANSFER_ENCODING")
MAX_LINE = 8192             # a chunk-size line or trailer line
MAX_TRAILER_BYTES = 65536   # all trailer lines of one chunked body
DRAIN_BLOCK = 65536


class BodyError(ConnectionError):
    """The request body ended early, was malformed, or timed out."""


def is_token(name):
    return bool(name) and not name.translate(None, _TOKEN)


def read_request(rfile, max_header_bytes, base_environ, remote):
    """The next request's WSGI environ, `wsgi.input` included.

    None when the client closed (or went quiet) between requests.
    """
    lines = _read_head(rfile, max_header_bytes)
    if lines is None:
        return None
    method, target, version, headers = _parse_head(lines)
    path, _, query = target.partition("?")
    if not path.startswith("/"):
        if "://" in path:       # absolute-form, as sent to proxies
            path = "/" + path.split("://", 1)[1].partition("/")[2]
        elif not (method == "OPTIONS" and path == "*"):
            raise MalformedRequest(f"malformed request target {target[:80]!r}")
    environ = base_environ.copy()
    environ.update({
        "REQUEST_METHOD": method, "SERVER_PROTOCOL": version,
        "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
        "QUERY_STRING": query, "REQUEST_URI": target,
        "REMOTE_ADDR": remote[0], "REMOTE_PORT": str(remote[1]),
    })
    for name, value in headers:
        key = name.upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        if "_" in name and key in _FRAMING_KEYS:
            continue
        if key in environ:
            value = environ[key] + ("; " if key == "HTTP_COOKIE" else ",") + value
        environ[key] = value
    environ["wsgi.input"] = _body(rfile, environ)
    return environ


def _read_head(rfile, limit):
    """The request line and header lines; None if the client closed first."""
    lines, total = [], 0
    while True:
        line = rfile.readline(limit - total + 1)
        total += len(line)
        if total > limit:
            raise HeadersTooLarge(f"the request line and headers exceed {limit} bytes")
        if not line.endswith(b"\n"):
            return None
        if line.rstrip(b"\r\n"):
            lines.append(line)
        elif lines:
            return lines
        # else: RFC 9112 lets a server skip empty lines before a request line


def _parse_head(lines):
    request_line = lines[0].rstrip(b"\r\n").decode("latin-1")
    parts = request_line.split(" ")
    if len(parts) != 3 or not is_token(parts[0].encode("latin-1")):
        raise MalformedRequest(f"malformed request line {request_line[:80]!r}")
    method, target, version = parts
    if version not in ("HTTP/1.1", "HTTP/1.0"):
        raise MalformedRequest(f"unsupported protocol {version[:20]!r}; use HTTP/1.1")
    headers = []
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        value = value.strip(b" \t\r\n")
        if not colon or not is_token(name) or b"\r" in value or b"\0" in value:
            raise MalformedRequest(f"malformed header line {line[:80]!r}")
        headers.append((name.decode("ascii"), value.decode("latin-1")))
    return method, target, version, headers


def _body(rfile, environ):
    coding = environ.get("HTTP_TRANSFER_ENCODING")
    length = environ.get("CONTENT_LENGTH")
    if coding is not None:
        if coding.strip().lower() != "chunked":
            raise MalformedRequest(f"unsupported Transfer-Encoding {coding!r}; only chunked is")
        if length is not None:
            raise MalformedRequest("a request cannot have both Content-Length and chunked")
        return ChunkedBody(rfile)
    if length is None:
        return LengthBody(rfile, 0)
    if not (length.isascii() and length.isdigit()):
        raise MalformedRequest(f"Content-Length must be a non-negative integer, got {length!r}")
    return LengthBody(rfile, int(length))


class _Body:
    """What both readers share: the file-like surface PEP 3333 asks for.

    `before_read`, when the server sets it, runs once just before the first
    byte is read: the server sends a deferred `100 Continue` from there.
    """

    def __init__(self, rfile):
        self._rfile = rfile
        self.before_read = None
        self.finished = False

    def _start(self):
        if self.before_read is not None:
            before_read, self.before_read = self.before_read, None
            before_read()

    def _recv(self, reader, size):
        try:
            return reader(size)
        except OSError as exc:      # timeouts and resets alike
            raise BodyError(f"reading the request body failed: {exc}") from exc

    def _exact(self, size):
        data = self._recv(self._rfile.read, size)
        if len(data) < size:
            raise BodyError("the client closed the connection before the body ended")
        return data

    def _exact_into(self, view):
        """Fill `view` from the connection (an upload's bytes land in their
        final buffer without an intermediate copy)."""
        filled = 0
        while filled < len(view):
            got = self._recv(self._rfile.readinto, view[filled:])
            if not got:
                raise BodyError("the client closed the connection before the body ended")
            filled += got

    def _line(self, limit, what):
        line = self._recv(self._rfile.readline, limit + 1)
        if not line.endswith(b"\n"):
            if len(line) > limit:
                raise BodyError(f"{what} longer than {limit} bytes")
            raise BodyError("the client closed the connection before the body ended")
        return line

    def readlines(self, hint=-1):
        lines, total = [], 0
        for line in self:
            lines.append(line)
            total += len(line)
            if 0 < hint <= total:
                break
        return lines

    def __iter__(self):
        while True:
            line = self.readline()
            if not line:
                return
            yield line

    def drain(self, limit):
        """Read and drop what the app left unread, up to `limit` bytes.

        True when the body is now fully consumed (the connection may serve
        another request), False when it was too long or broken.
        """
        try:
            while not self.finished and limit > 0:
                limit -= len(self.read(min(DRAIN_BLOCK, limit)))
        except BodyError:
            return False
        return self.finished


class LengthBody(_Body):
    """A body of exactly `length` bytes (Content-Length)."""

    def __init__(self, rfile, length):
        super().__init__(rfile)
        self.remaining = length
        self.finished = length == 0

    def read(self, size=-1):
        if size is None or size < 0 or size > self.remaining:
            size = self.remaining
        if size == 0:
            return b""
        self._start()
        data = self._exact(size)
        self.remaining -= size
        self.finished = self.remaining == 0
        return data

    def readinto(self, buffer):
        """Read up to len(buffer) bytes into it (fewer only at the body's end)."""
        with memoryview(buffer).cast("B") as view:
            size = min(len(view), self.remaining)
            if size == 0:
                return 0
            self._start()
            self._exact_into(view[:size])
        self.remaining -= size
        self.finished = self.remaining == 0
        return size

    def readline(self, size=-1):
        limit = self.remaining if size is None or size < 0 else min(size, self.remaining)
        if limit == 0:
            return b""
        self._start()
        line = self._recv(self._rfile.readline, limit)
        if len(line) < limit and not line.endswith(b"\n"):
            raise BodyError("the client closed the connection before the body ended")
        self.remaining -= len(line)
        self.finished = self.remaining == 0
        return line

    def drain(self, limit):
        return self.remaining <= limit and super().drain(limit)


class ChunkedBody(_Body):
    """A body in chunked transfer coding, yielded de-chunked.

    `read(n)` gathers across chunks until it has `n` bytes or the body ends,
    like a file would.  Trailers are read and dropped.
    """

    def __init__(self, rfile):
        super().__init__(rfile)
        self._left = 0      # bytes left in the current chunk

    def _next_chunk(self):
        """Parse a chunk-size line; at the last chunk, skip the trailers."""
        line = self._line(MAX_LINE, "chunk-size line")
        text = line.split(b";", 1)[0].strip()
        if not text or text.strip(b"0123456789abcdefABCDEF"):
            raise BodyError(f"malformed chunk-size line {line[:40]!r}")
        self._left = int(text, 16)
        if self._left == 0:
            budget = MAX_TRAILER_BYTES
            while True:
                trailer = self._line(MAX_LINE, "trailer line")
                budget -= len(trailer)
                if trailer.strip() == b"":
                    break
                if budget < 0:
                    raise BodyError(f"trailers longer than {MAX_TRAILER_BYTES} bytes")
            self.finished = True

    def _end_chunk(self):
        if self._line(2, "chunk terminator").strip():
            raise BodyError("chunk data longer than its declared size")

    def _walk(self, size, take):
        """Read across chunks, at most `size` bytes (all when None or < 0):
        `take(limit)` reads at most `limit` bytes of the current chunk and
        returns (bytes read, stop now).  What read, readinto and readline share."""
        want = float("inf") if size is None or size < 0 else size
        if want == 0 or self.finished:
            return
        self._start()
        while want and not self.finished:
            if self._left == 0:
                self._next_chunk()
                continue
            got, stop = take(int(min(want, self._left)))
            self._left -= got
            want -= got
            if self._left == 0:
                self._end_chunk()
            if stop:
                return

    def read(self, size=-1):
        parts = []

        def take(limit):
            parts.append(self._exact(limit))
            return limit, False
        self._walk(size, take)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def readinto(self, buffer):
        """Fill `buffer` across chunks; fewer bytes only at the body's end."""
        with memoryview(buffer).cast("B") as view:
            filled = 0

            def take(limit):
                nonlocal filled
                self._exact_into(view[filled:filled + limit])
                filled += limit
                return limit, False
            self._walk(len(view), take)
        return filled

    def readline(self, size=-1):
        parts = []

        def take(limit):
            data = self._recv(self._rfile.readline, limit)
            if not data.endswith(b"\n") and len(data) < limit:
                raise BodyError("the client closed the connection before the body ended")
            parts.append(data)
            return len(data), data.endswith(b"\n")
        self._walk(size, take)
        return b"".join(parts)
