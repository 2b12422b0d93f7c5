"""Sending an image's data: the one download path of v1 (`GET /images/<id>`)
and v2 (`GET /v2/images/{id}/file`).

`send` answers with all of the data (200) or the one range asked for (206,
`glance.api.ranges`), streamed from its store: a file through
`wsgi.file_wrapper` (sendfile) when the slice runs to the end of the file,
anything else in chunks.  Before waiting on a remote origin (http store)
the request's run slot is given back, and the origin's fetch counts against
the image owner's allowance (`glance.store.limits`).  The answer's
Content-Length is sent before the first byte, from the registry's size;
`ExactLength` holds the store's stream to it.
"""

from glance.api import ranges
from glance.common import exception, wsgi

OCTET_STREAM = "application/octet-stream"


def send(environ, start_response, stores, image, headers, chunk_size):
    """Answer a GET of the data of `image` (a registry record with a
    location): 200 with all of it, or 206 with the one satisfiable range of
    `Range` (after `If-Range`, against the checksum) and its Content-Range.
    `headers` are the caller's own (metadata, ETag, Content-MD5); Content-Type
    (exactly application/octet-stream), Content-Length and Accept-Ranges are
    added.  RangeNotSatisfiable (416) for a range past the end; the store's
    errors (NotFound, OriginUnavailable, OriginBusy, Forbidden) as they are.
    """
    image_id, location, size = image["id"], image["location"], image["size"] or 0
    wanted = ranges.requested_range(environ, size, image.get("checksum"))
    first, last = wanted or (0, size - 1)
    backend = stores.for_location(location)
    if backend.origin_io:
        wsgi.give_back_slot(environ)
    whose = {"image_id": image_id, "tenant": image.get("owner")}
    data = (backend.get_from(location, first, **whose) if first
            else backend.get(location, **whose))
    headers = [*headers, ("Content-Type", OCTET_STREAM),
               ("Content-Length", str(last + 1 - first)), ("Accept-Ranges", "bytes")]
    if wanted:
        headers.append(("Content-Range", ranges.content_range(first, last, size)))
    status = "206 Partial Content" if wanted else "200 OK"
    file_wrapper = environ.get("wsgi.file_wrapper")
    # A file wrapper may send to the end of the file: only for slices that end there.
    if data.fileobj is not None and file_wrapper is not None and last == size - 1:
        start_response(status, headers)
        return file_wrapper(data.fileobj, chunk_size)
    body = ExactLength(data, last + 1 - first)
    body.prime()
    start_response(status, headers)
    return body


class ExactLength:
    """Passes through at most `size` bytes; raises if the data ends early.

    Content-Length was already sent as the registry's size, so a shorter
    stream must cut the connection rather than leave the client waiting.
    """

    def __init__(self, data, size):
        self._data = data
        self._size = size
        self._chunks = self._exact()
        self._first = b""

    def prime(self):
        """Read the first chunk now: an origin failing before its first byte
        is then still an error answer (502), not a cut connection."""
        try:
            self._first = next(self._chunks, b"")
        except BaseException:
            self.close()
            raise

    def __iter__(self):
        if self._first:
            first, self._first = self._first, b""
            yield first
        yield from self._chunks

    def _exact(self):
        remaining = self._size
        for chunk in self._data:
            if len(chunk) > remaining:
                chunk = chunk[:remaining]
            remaining -= len(chunk)
            if chunk:
                yield chunk
            if remaining == 0:
                return
        if remaining:
            raise exception.StoreError(f"image data ended {remaining} bytes short")

    def close(self):
        self._data.close()
