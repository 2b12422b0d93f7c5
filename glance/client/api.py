"""`Client`: the Python client of Glance's image API v1 (CONTRACT §7).

`Client` speaks to one API server over kept-alive connections (one idle per
thread, by the rules of `glance.common.httpclient`, which the registry
client shares); image data is streamed both ways (chunked uploads, chunk
iterators for downloads), or copied by the server from a URL (copy-from).
The sharing calls are in `glance.client.members`.  docs/client.rst has the
reference.
"""

import http.client
import json
import urllib.parse

from glance.client.arguments import image_id_of, query_string, upload_chunks
from glance.client.download import CHUNK_SIZE, ImageData, range_start
from glance.client.errors import (ClientConnectionError, ClientError, Invalid,
                                  error_from_response)
from glance.client.members import Members
from glance.client.metadata import meta_from_headers, meta_headers, v1_image
from glance.common import httpclient, imagemeta

DEFAULT_PORT = 9292
DEFAULT_TIMEOUT = 60.0
MAX_PAGE_SIZE = 1000             # the server clamps `limit` to this (CONTRACT §8)
MAX_ERROR_BODY = 1024 * 1024
OCTET_STREAM = "application/octet-stream"
COPY_FROM_HEADER = "x-glance-api-copy-from"     # CONTRACT §2, POST 4


class Client(Members):
    """One image API server, reached at `host:port` under the `/v1` prefix."""

    def __init__(self, host, port=DEFAULT_PORT, use_ssl=False, auth_tok=None,
                 timeout=DEFAULT_TIMEOUT, *, base_path="/v1"):
        self.host, self.port = host, int(port)
        self.use_ssl, self.auth_tok, self.timeout = use_ssl, auth_tok, timeout
        self.base_path = base_path.rstrip("/")
        self._pool = httpclient.Pool(self._new_connection)

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
        """Close the kept-alive connections (a download in progress keeps its own)."""
        self._pool.close()

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
            start = range_start(response.getheader("Content-Range"))
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

    def add_image(self, image_meta=None, image_data=None, *, copy_from=None):
        """Create an image; `image_data` (bytes, binary file or iterable of
        bytes) is streamed with chunked transfer encoding.  → image dict.

        `copy_from` (an http/https URL) has the server copy the data itself:
        the answer comes at once, `queued`; the image becomes `saving`, then
        `active` or `killed` (`get_image_meta` follows it).  A keyword of
        its own, not a meta key: it is a request, not a field the image
        keeps (the server never shows the URL again).
        """
        return self._send("POST", self.base_path + "/images", image_meta, image_data,
                          copy_from=copy_from)

    def update_image(self, image_id, image_meta=None, image_data=None, purge_props=False,
                     *, copy_from=None):
        """Change metadata, or give a queued image its data (`image_data`, or
        `copy_from` as in `add_image`).  → image dict.

        Properties are merged unless `purge_props`: the header saying so is
        always sent, since without it a v1 server replaces them (CONTRACT §7).
        """
        extra = [(imagemeta.PURGE_PROPS_HEADER, "true" if purge_props else "false")]
        return self._send("PUT", self._image_path(image_id), image_meta, image_data, extra,
                          copy_from=copy_from)

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
        images = self._json(*self._request("GET", url), "images")
        if not isinstance(images, list) or not all(isinstance(i, dict) for i in images):
            raise ClientError("the server sent unexpected JSON: 'images' is not a list "
                              "of objects")
        return [v1_image(image) for image in images]

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

    def _send(self, method, url, image_meta, image_data, extra=(), copy_from=None):
        headers = meta_headers(image_meta) + list(extra)
        if copy_from is not None:
            if image_data is not None:
                raise ValueError("give image_data or copy_from, not both")
            if not isinstance(copy_from, str) or not copy_from.strip():
                raise ValueError(f"copy_from is a URL, got {copy_from!r}")
            headers.append((COPY_FROM_HEADER, copy_from.strip()))
        body = None
        if image_data is not None:
            headers.append(("Content-Type", OCTET_STREAM))
            if isinstance(image_data, bytes) and image_data:
                body = image_data
            else:
                headers.append(("Transfer-Encoding", "chunked"))
                body = upload_chunks(image_data)
        image = self._json(*self._request(method, url, headers, body), "image")
        if not isinstance(image, dict):
            raise ClientError("the server sent unexpected JSON: 'image' is not an object")
        return v1_image(image)

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

    def _new_connection(self):
        # host and port are read now: the CLI sets them after construction.
        cls = httpclient.connection_class(self.use_ssl)
        return cls(self.host, self.port, timeout=self.timeout)

    def release(self, response, conn):
        """A fully read response: keep its connection for the next request."""
        self._pool.release(conn, response)

    def _request(self, method, url, headers=(), body=None):
        """Send one request; → (response, connection) of a 2xx answer."""
        headers = dict(headers)
        if self.auth_tok:
            headers["X-Auth-Token"] = self.auth_tok
        replayable = body is None or isinstance(body, bytes)
        try:
            response, conn = httpclient.exchange(self._pool, method, url, body, headers,
                                                 replayable=replayable)
        except httpclient.ConnectFailed as exc:
            raise ClientConnectionError(
                f"cannot connect to {self.host}:{self.port}: {exc}") from None
        except OSError as exc:
            raise self.lost(exc) from None
        except http.client.HTTPException as exc:
            raise ClientError(f"bad answer from {self.host}:{self.port}: {exc}") from None
        except ValueError as exc:           # http.client refuses a header
            raise Invalid(f"cannot send the request: {exc}") from None
        if 200 <= response.status < 300:
            return response, conn
        try:
            body = response.read(MAX_ERROR_BODY)
        except (OSError, http.client.HTTPException):
            body = b""
        conn.close()
        raise error_from_response(response.status, response.reason, body)
