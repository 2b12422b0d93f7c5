"""The Python client of Glance's image API (CONTRACT §6), standard library only.

`Client` speaks to one API server over one kept-alive connection; image data
is streamed both ways (chunked uploads, chunk iterators for downloads), and
metadata goes through the servers' own `x-image-meta-*` codec
(`glance.common.imagemeta`), so a dict read with HEAD or GET is typed exactly
like one read from a JSON list.  docs/client.rst has the reference.
"""

import hashlib
import http.client
import json
import select
import urllib.parse

from glance.client_requests import image_id_of, query_string, upload_chunks
from glance.common import exception as _domain
from glance.common import imagemeta

DEFAULT_PORT = 9292
DEFAULT_TIMEOUT = 60.0
CHUNK_SIZE = 64 * 1024           # download chunks
MAX_PAGE_SIZE = 1000             # the server clamps `limit` to this (CONTRACT §8)
MAX_ERROR_BODY = 1024 * 1024
OCTET_STREAM = "application/octet-stream"
# Methods that may be sent again when a kept-alive connection turned out dead.
RETRYABLE = ("GET", "HEAD", "PUT", "DELETE")


class ClientError(Exception):
    """A request failed: `status` is the HTTP status (None when no answer came)
    and `message` the server's own message (its JSON `message`, else the body)."""

    def __init__(self, message, status=None, code=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code          # the server's machine-readable error code


class Invalid(ClientError):
    """400: the server refused the request's values."""


class NotAuthorized(ClientError):
    """401 or 403: no, unknown or insufficient credentials."""


class NotFound(ClientError):
    """404: no such image (or it is not visible, or it has no data)."""


class Duplicate(ClientError):
    """409: the id is taken, or the request clashes with the image's state."""


class ClientConnectionError(ClientError):
    """The server could not be reached, or the connection broke."""


class ChecksumMismatch(ClientError):
    """The downloaded bytes do not have the MD5 the server announced."""


ERRORS_BY_STATUS = {400: Invalid, 401: NotAuthorized, 403: NotAuthorized,
                    404: NotFound, 409: Duplicate}


def error_from_response(status, reason, body):
    """The exception for an error answer, carrying the server's message."""
    message = code = None
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    if isinstance(document, dict):
        message, code = document.get("message"), document.get("code")
    if not message:
        message = body.decode("utf-8", "replace").strip()[:2000] or f"{status} {reason}"
    return ERRORS_BY_STATUS.get(status, ClientError)(str(message), status, code)


def meta_headers(image_meta):
    """An image dict → request headers; unknown top-level keys are refused
    rather than silently dropped (free-form keys belong in `properties`)."""
    image_meta = dict(image_meta or {})
    unknown = sorted(set(image_meta) - set(imagemeta.CORE_FIELDS) - {"properties"})
    if unknown:
        raise ValueError(f"unknown image field(s) {', '.join(unknown)}; "
                         "put free-form keys in 'properties'")
    return imagemeta.meta_to_headers(image_meta)


def meta_from_headers(pairs):
    """Response headers (http.client's latin-1 strings) → typed image dict."""
    try:
        return imagemeta.headers_to_meta(pairs)
    except _domain.Invalid as exc:
        raise ClientError(f"the server sent malformed metadata: {exc.message}") from None


class ImageData:
    """The chunks of one GET: iterate to the end, or `close()` to abandon.

    Reading to the end hands the connection back to the client for reuse;
    abandoning closes it.  With a checksum to verify, the end of the iteration
    raises `ChecksumMismatch` if the MD5 of the bytes differs.
    """

    def __init__(self, client, response, conn, chunk_size, expected_md5=None):
        self._client, self._response, self._conn = client, response, conn
        self._chunk_size = chunk_size
        self._expected = expected_md5.lower() if expected_md5 else None
        self._md5 = hashlib.md5() if self._expected else None
        self.bytes_read = 0
        self.offset = 0           # where in the image the first byte sent lies

    def __iter__(self):
        return self

    def __next__(self):
        if self._response is None:
            raise StopIteration
        try:
            chunk = self._response.read(self._chunk_size)
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise self._client.lost(exc) from None
        if chunk:
            self.bytes_read += len(chunk)
            if self._md5:
                self._md5.update(chunk)
            return chunk
        if self._response.length:     # read(amt) returns b"" at a premature EOF
            missing = self._response.length
            self.close()
            raise self._client.lost(f"the data ended {missing} bytes early")
        self._client.release(self._response, self._conn)
        self._response = self._conn = None
        if self._md5 and self._md5.hexdigest() != self._expected:
            raise ChecksumMismatch(f"checksum mismatch: expected {self._expected}, "
                                   f"got {self._md5.hexdigest()}")
        raise StopIteration

    def close(self):
        if self._response is not None:
            self._response.close()
            self._conn.close()
            self._response = self._conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __del__(self):
        self.close()


class Client:
    """One image API server, reached at `host:port` under the `/v1` prefix."""

    def __init__(self, host, port=DEFAULT_PORT, use_ssl=False, auth_tok=None,
                 timeout=DEFAULT_TIMEOUT, *, base_path="/v1"):
        self.host, self.port = host, int(port)
        self.use_ssl, self.auth_tok, self.timeout = use_ssl, auth_tok, timeout
        self.base_path = base_path.rstrip("/")
        self._idle = None          # the kept-alive connection, free for a request

    @classmethod
    def from_url(cls, url, auth_tok=None, timeout=DEFAULT_TIMEOUT):
        """`http[s]://host[:port][/prefix]`; `/v1` is added unless given."""
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        try:
            port = parts.port
        except ValueError:
            raise ValueError(f"bad port in URL {url!r}") from None
        use_ssl = parts.scheme == "https"
        path = parts.path.rstrip("/")
        if not path.endswith("/v1"):
            path += "/v1"
        return cls(parts.hostname, port or (443 if use_ssl else 80), use_ssl,
                   auth_tok, timeout, base_path=path)

    def close(self):
        if self._idle is not None:
            self._idle.close()
            self._idle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # -- the API ---------------------------------------------------------------

    def get_images(self, **filters):
        """Brief image dicts of one page (`limit`, `marker`, `sort_key`, `sort_dir`,
        filters such as `name`, `disk_format`, `is_public`, `property_<key>`)."""
        return self._list("/images", filters)

    def get_images_detailed(self, **filters):
        """Full image dicts of one page; takes what `get_images` takes."""
        return self._list("/images/detail", filters)

    def iter_images(self, page_size=100, **filters):
        """Every brief image matching `filters`, following markers page by page."""
        return self._pages("/images", page_size, filters)

    def iter_images_detailed(self, page_size=100, **filters):
        """Every full image matching `filters`, following markers page by page."""
        return self._pages("/images/detail", page_size, filters)

    def get_image_meta(self, image_id):
        """The image's metadata (HEAD), typed as in a list."""
        path = self._image_path(image_id)
        try:
            response, conn = self._request("HEAD", path)
        except ClientError as exc:
            if exc.status is None:
                raise
            raise self._explained(path, exc) from None
        self._read(response, conn)
        return meta_from_headers(response.getheaders())

    def get_image(self, image_id, checksum=False, chunk_size=CHUNK_SIZE, offset=0,
                  if_range=None):
        """`(meta, chunks)`: the metadata and an `ImageData` iterator of bytes.

        With `checksum=True` the MD5 is verified when the iteration ends
        (`ChecksumMismatch`); it is skipped if the server knows no checksum.
        With `offset=N` only the bytes from N on are asked for (to resume a
        download); `if_range` (the checksum of the bytes already held) makes
        the server send the whole image instead if the image is another one.
        `chunks.offset` says where the data sent starts: N, or 0 when the
        server sent everything.  The MD5 can be verified only over a whole
        image: for data starting past 0, `checksum=True` verifies nothing.
        """
        headers = {}
        if offset:
            headers["Range"] = f"bytes={int(offset)}-"
            if if_range:
                headers["If-Range"] = '"%s"' % str(if_range).strip('"')
        response, conn = self._request("GET", self._image_path(image_id), headers)
        meta = meta_from_headers(response.getheaders())
        start = 0
        if response.status == 206:
            start = _range_start(response.getheader("Content-Range"))
            if start != int(offset):
                response.close()
                conn.close()
                raise ClientError(f"the server sent a range starting at {start}, "
                                  f"not {offset}", response.status)
        expected = meta.get("checksum") if checksum and start == 0 else None
        chunks = ImageData(self, response, conn, max(int(chunk_size), 1), expected)
        chunks.offset = start
        return meta, chunks

    def _explained(self, path, head_error):
        """A HEAD error has no body: ask again with GET for the server's message."""
        try:
            response, conn = self._request("GET", path)
        except ClientError as exc:
            return exc if exc.status == head_error.status else head_error
        response.close()
        conn.close()
        return head_error

    def add_image(self, image_meta=None, image_data=None):
        """Create an image; `image_data` (bytes, binary file or iterable of
        bytes) is streamed with chunked transfer encoding.  → image dict."""
        return self._send("POST", self.base_path + "/images", image_meta, image_data)

    def update_image(self, image_id, image_meta=None, image_data=None, purge_props=False):
        """Change metadata (properties merged unless `purge_props`), or upload
        the data of a queued image.  → image dict."""
        extra = [(imagemeta.PURGE_PROPS_HEADER, "true")] if purge_props else []
        return self._send("PUT", self._image_path(image_id), image_meta, image_data, extra)

    def delete_image(self, image_id):
        """Delete the image and its data. → True"""
        self._read(*self._request("DELETE", self._image_path(image_id)))
        return True

    # -- plumbing --------------------------------------------------------------

    def _image_path(self, image_id):
        return f"{self.base_path}/images/{image_id_of(image_id)}"

    def _list(self, path, filters):
        query = query_string(filters)
        url = self.base_path + path + (f"?{query}" if query else "")
        return self._json(*self._request("GET", url), "images")

    def _pages(self, path, page_size, filters):
        if "limit" in filters:
            raise TypeError("iter_images pages by itself: give page_size, not limit")
        page_size = max(1, min(int(page_size), MAX_PAGE_SIZE))
        marker = filters.pop("marker", None)
        while True:
            page = self._list(path, dict(filters, limit=page_size, marker=marker))
            yield from page
            if len(page) < page_size:
                return
            marker = page[-1]["id"]

    def _send(self, method, url, image_meta, image_data, extra=()):
        headers = meta_headers(image_meta) + list(extra)
        body = None
        if image_data is not None:
            headers.append(("Content-Type", OCTET_STREAM))
            if isinstance(image_data, bytes) and image_data:
                body = image_data
            else:
                headers.append(("Transfer-Encoding", "chunked"))
                body = upload_chunks(image_data)
        return self._json(*self._request(method, url, headers, body), "image")

    def _read(self, response, conn):
        """The whole (small) body of a 2xx answer; the connection is released."""
        try:
            body = response.read()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise self.lost(exc) from None
        self.release(response, conn)
        return body

    def _json(self, response, conn, key):
        body = self._read(response, conn)
        try:
            return json.loads(body)[key]
        except (ValueError, KeyError, TypeError):
            raise ClientError(f"the server sent unexpected JSON: {body[:200]!r}",
                              response.status) from None

    def lost(self, exc):
        return ClientConnectionError(f"connection to {self.host}:{self.port} lost: {exc}")

    def _connection(self):
        """The idle kept-alive connection if still usable, else a new one."""
        conn, self._idle = self._idle, None
        if conn is not None and conn.sock is not None and not _dropped(conn.sock):
            return conn, True
        if conn is not None:
            conn.close()
        cls = http.client.HTTPSConnection if self.use_ssl else http.client.HTTPConnection
        conn = cls(self.host, self.port, timeout=self.timeout)
        try:
            conn.connect()
        except OSError as exc:
            conn.close()
            raise ClientConnectionError(
                f"cannot connect to {self.host}:{self.port}: {exc}") from None
        return conn, False

    def release(self, response, conn):
        """A fully read response: keep its connection for the next request."""
        if response.will_close or conn.sock is None or self._idle is not None:
            conn.close()
        else:
            self._idle = conn

    def _request(self, method, url, headers=(), body=None):
        """Send one request; → (response, connection) of a 2xx answer."""
        headers = dict(headers)
        if self.auth_tok:
            headers["X-Auth-Token"] = self.auth_tok
        replayable = method in RETRYABLE and (body is None or isinstance(body, bytes))
        while True:
            conn, reused = self._connection()
            try:
                response = self._exchange(conn, method, url, headers, body)
                break
            except ConnectionError as exc:
                conn.close()
                if not (reused and replayable):
                    raise self.lost(exc) from None
            except OSError as exc:
                conn.close()
                raise self.lost(exc) from None
            except http.client.HTTPException as exc:
                conn.close()
                raise ClientError(f"bad answer from {self.host}:{self.port}: {exc}") from None
            except ValueError as exc:       # http.client refuses a header
                conn.close()
                raise Invalid(f"cannot send the request: {exc}") from None
            except BaseException:           # e.g. bad upload data, Ctrl-C
                conn.close()
                raise
        if 200 <= response.status < 300:
            return response, conn
        try:
            body = response.read(MAX_ERROR_BODY)
        except (OSError, http.client.HTTPException):
            body = b""
        conn.close()
        raise error_from_response(response.status, response.reason, body)

    @staticmethod
    def _exchange(conn, method, url, headers, body):
        try:
            conn.request(method, url, body, headers,
                         encode_chunked="Transfer-Encoding" in headers)
        except ConnectionError:
            # The server may have answered (say, 400) and closed before
            # taking the whole body: its answer beats our broken pipe.
            pass
        return conn.getresponse()


def _range_start(content_range):
    """The first byte position of `Content-Range: bytes a-b/n`, or None."""
    unit, _, rest = (content_range or "").strip().partition(" ")
    first = rest.partition("-")[0].strip()
    return int(first) if unit.lower() == "bytes" and first.isdigit() else None


def _dropped(sock):
    """An idle kept-alive socket that is readable was closed by the server."""
    try:
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return True
