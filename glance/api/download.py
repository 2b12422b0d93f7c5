"""The body of a download (`GET /images/<id>`): exactly the bytes announced.

The answer's Content-Length is sent before the first byte, from the
registry's size; `ExactLength` holds the store's stream to it.
"""

from glance.common import exception


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
