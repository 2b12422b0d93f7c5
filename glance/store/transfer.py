"""What the object stores (swift, s3) share: upload chunk sources, response
bodies as `ImageData`, connections and error text that never leaks secrets.

`ChunkSource` is the heart of "a failed upload leaves nothing behind": it
hands an upload's bytes to a store in bounded pieces and releases each piece
only once the next one is known, so the last bytes of an object are sent only
after the source (the API's `VerifiedBody`) has ended cleanly.  If the source
raises instead, even from its final size or checksum check, the object's
request body is still incomplete and the object store discards it.
"""

import http.client
import socket
import ssl
from urllib.parse import urlsplit

from glance.common import exception
from glance.store.base import ImageData, SkippedImageData, foreign_location, object_name

DEFAULT_PORTS = {"http": 80, "https": 443}


class ChunkSource:
    """The chunks of one upload, taken in pieces of at most `limit` bytes.

    `error` is the exception the underlying iterable raised, if any: stores
    re-raise exactly that object after cleaning up.
    """

    def __init__(self, chunks):
        self._chunks = iter(chunks)
        self._pending = None
        self._ended = False
        self.error = None
        self.taken = 0

    def _fill(self):
        """Make `_pending` the next non-empty chunk, or note the end."""
        while self._pending is None and not self._ended:
            try:
                chunk = next(self._chunks)
            except StopIteration:
                self._ended = True
                return
            except BaseException as exc:
                self.error = exc
                raise
            if chunk:
                self._pending = bytes(chunk) if not isinstance(chunk, bytes) else chunk

    def exhausted(self):
        """True once every byte was taken and the source ended cleanly."""
        self._fill()
        return self._pending is None

    def take(self, limit=None, exact=False):
        """Yield the next `limit` bytes (all when None) in pieces.

        A piece is released only after the following chunk was fetched or
        the source ended cleanly.  With `exact`, the source must hold exactly
        `limit` more bytes: fewer or more raises StoreError before the last
        piece is released.
        """
        given = 0
        while limit is None or given < limit:
            self._fill()
            if self._pending is None:
                if exact:
                    raise exception.StoreError(
                        f"image data ended after {self.taken} bytes, {limit - given} short")
                return
            chunk = self._pending
            room = None if limit is None else limit - given
            if room is not None and len(chunk) > room:
                piece, self._pending = chunk[:room], chunk[room:]
            else:
                piece, self._pending = chunk, None
                self._fill()            # hold the piece back until the next one is known
            given += len(piece)
            self.taken += len(piece)
            if exact and given == limit and not self.exhausted():
                raise self._longer(limit)
            yield piece
        if exact and not self.exhausted():      # limit 0: the source must be empty
            raise self._longer(limit)

    @staticmethod
    def _longer(limit):
        return exception.StoreError(f"image data is longer than the {limit} bytes declared")

    def read(self, limit):
        """The next `limit` bytes (fewer at the end) as one bytearray."""
        buffer = bytearray()
        for piece in self.take(limit):
            buffer += piece
        return buffer


class ResponseImageData(ImageData):
    """The body of an object store's GET response, read in chunks."""

    def __init__(self, conn, response, size, chunk_size, shown, describe, label="store"):
        """`label` names the store in messages ("swift store"); `shown`
        names the object, for the log only."""
        super().__init__(size, chunk_size)
        self._conn = conn
        self._response = response
        self._shown = shown
        self._describe = describe
        self._label = label

    def _read(self, n):
        try:
            return self._response.read(n)
        except (OSError, http.client.HTTPException) as exc:
            raise self._read_error(exc) from None

    def _read_error(self, exc):
        return exception.StoreError(f"{self._label}: reading failed ({self._describe(exc)})",
                                    detail=self._shown)

    def _release(self):
        try:
            self._response.close()
        finally:
            self._conn.close()

    def _truncated(self, got):
        return exception.StoreError(
            f"{self._label}: the data ended after {got} of {self.size} bytes",
            detail=self._shown)


def ranged_image_data(conn, response, offset, chunk_size, shown, label):
    """The image data of an object store's answer to a GET from byte
    `offset` (a Range request when offset > 0): a 206, or a 200 whose first
    `offset` bytes are skipped.  None for any other status (the caller
    raises its own error)."""
    if response.status == 200 or (response.status == 206 and offset):
        data = ResponseImageData(conn, response, response.length, chunk_size, shown, describe,
                                 label)
        return SkippedImageData(data, offset) if offset and response.status == 200 else data
    return None


def range_header(offset):
    """The Range header of a GET from byte `offset`, or None from the start."""
    return ("Range", f"bytes={offset}-") if offset > 0 else None


def split_location(location, scheme, shape):
    """(netloc, path) of `<scheme>://<netloc>/<path>`, refusing credentials,
    query strings and fragments; `shape` names the form in the messages."""
    if not isinstance(location, str):
        raise exception.Invalid(f"a {scheme} location must be a string")
    try:
        parts = urlsplit(location)
    except ValueError:
        raise exception.Invalid(f"a {scheme} location is {shape}") from None
    if parts.scheme.lower() != scheme:
        raise exception.Invalid(f"not a {scheme} location")
    if "@" in parts.netloc:
        raise exception.Invalid(f"{scheme} locations carry no credentials")
    if parts.query or parts.fragment:
        raise exception.Invalid(f"a {scheme} location is {shape}")
    return parts.netloc, parts.path.lstrip("/")


def own_object(store, location, image_id, parse, home):
    """(container or bucket, object) of `location` (read by `parse`) when it
    is where `store` keeps image `image_id`'s data: in `home`, under the
    image's own name.  Forbidden otherwise, malformed locations included."""
    try:
        parsed, own = parse(location), object_name(image_id)
    except exception.Invalid:
        parsed = own = None
    if parsed is None or parsed != (home, own):
        raise foreign_location(store, image_id, location)
    return parsed


def parse_endpoint(url, option):
    """(scheme, host, port, path) of an http(s) URL; a bare host name means https."""
    text = (url or "").strip()
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise exception.ConfigError(f"option {option}: not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise exception.ConfigError(
            f"option {option}: expected an http or https URL or a host name")
    if parts.username or parts.password:
        raise exception.ConfigError(
            f"option {option}: put credentials in their own options, not in the URL")
    return scheme, parts.hostname, port or DEFAULT_PORTS[scheme], parts.path.rstrip("/")


def host_header(scheme, host, port):
    shown = f"[{host}]" if ":" in host else host
    return shown if port == DEFAULT_PORTS[scheme] else f"{shown}:{port}"


def open_connection(scheme, host, port, timeout, ssl_context=None):
    """An unconnected http.client connection (large block size for bodies)."""
    if scheme == "https":
        return http.client.HTTPSConnection(
            host, port, timeout=timeout, blocksize=1 << 20,
            context=ssl_context or ssl.create_default_context())
    return http.client.HTTPConnection(host, port, timeout=timeout, blocksize=1 << 20)


def describe(exc):
    """A cause for a low-level failure, built from its type (never from text
    that could echo a URL or a header)."""
    if isinstance(exc, socket.gaierror):
        return "cannot resolve the host"
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "closed the connection without answering"
    if isinstance(exc, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
        return "connection reset"
    if isinstance(exc, http.client.IncompleteRead):
        return "the data ended early"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error ({exc.reason})"
    if isinstance(exc, http.client.HTTPException):
        return f"malformed HTTP response ({type(exc).__name__})"
    return getattr(exc, "strerror", None) or type(exc).__name__


def read_error_body(response, limit=64 << 10):
    try:
        return response.read(limit)
    except (OSError, http.client.HTTPException):
        return b""
