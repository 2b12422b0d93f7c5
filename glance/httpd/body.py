"""The request body behind `wsgi.input`: Content-Length and chunked readers.

`reader(rfile, length)` gives the reader for a body of `length` bytes, or
for a chunked body when `length` is `request.CHUNKED`.  `rfile` is any
binary stream with `read`, `readinto` and `readline(limit)`: the server's
`Connection`, or an `io.BytesIO` in the tests.  A reader never reads past
its body, so the next request on a keep-alive connection starts where it
should.

A body that ends early, is malformed or comes too slowly raises `BodyError`
(a `ConnectionError`): the apps take it to mean that the client went away
mid-upload.  Chunked framing is strict (RFC 9112 §7.1): a chunk-size line
is hex digits and an optional `;extension`, nothing else, ended by CRLF,
and so is the CRLF after each chunk's data and each trailer line; trailers
are read and dropped.
"""

import re

from glance.httpd.request import CHUNKED

MAX_LINE = 8192             # a chunk-size line or trailer line
MAX_TRAILER_BYTES = 65536   # all trailer lines of one chunked body
DRAIN_BLOCK = 65536
# 16 hex digits: no chunk is larger than 2^64 - 1 bytes.
_CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]{1,16})(?:;[^\x00-\x08\x0a-\x1f\x7f]*)?\r\n")


class BodyError(ConnectionError):
    """The request body ended early, was malformed, or came too slowly."""


def reader(rfile, length):
    """The `wsgi.input` of a body of `length` bytes, or chunked (CHUNKED)."""
    return ChunkedBody(rfile) if length is CHUNKED else LengthBody(rfile, length)


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
        except OSError as exc:      # timeouts, too slow, resets alike
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

    def _line(self, what):
        """One CRLF-terminated line of the chunked framing."""
        line = self._recv(self._rfile.readline, MAX_LINE + 1)
        if not line.endswith(b"\n"):
            if len(line) > MAX_LINE:
                raise BodyError(f"{what} longer than {MAX_LINE} bytes")
            raise BodyError("the client closed the connection before the body ended")
        if not line.endswith(b"\r\n"):
            raise BodyError(f"{what} not ended by CRLF: {ascii(line[:40])}")
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
        line = self._line("chunk-size line")
        size = _CHUNK_SIZE.fullmatch(line)
        if size is None:
            raise BodyError(f"malformed chunk-size line {ascii(line[:40])}")
        self._left = int(size.group(1), 16)
        if self._left == 0:
            budget = MAX_TRAILER_BYTES
            while (trailer := self._line("trailer line")) != b"\r\n":
                budget -= len(trailer)
                if budget < 0:
                    raise BodyError(f"trailers longer than {MAX_TRAILER_BYTES} bytes")
            self.finished = True

    def _end_chunk(self):
        if self._exact(2) != b"\r\n":
            raise BodyError("chunk data not followed by CRLF (longer than its declared size?)")

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
