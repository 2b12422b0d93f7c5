"""The chunks of one image download (`Client.get_image`).

`ImageData` streams the body of a GET in fixed-size chunks, hands the
connection back for reuse when the body was read to its end, closes it when
the download is abandoned, and verifies the MD5 the server announced.
"""

import hashlib
import http.client

from glance.client.errors import ChecksumMismatch

CHUNK_SIZE = 64 * 1024


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


def range_start(content_range):
    """The first byte position of `Content-Range: bytes a-b/n`, or None."""
    unit, _, rest = (content_range or "").strip().partition(" ")
    first = rest.partition("-")[0].strip()
    return int(first) if unit.lower() == "bytes" and first.isdigit() else None
