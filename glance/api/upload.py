"""Streaming an upload body into a store, verified on the same pass.

`VerifiedBody` is what a store's `add()` iterates: it reads the request body
in fixed chunks, counts the bytes, computes MD5 and SHA-256 as they pass,
and raises — from inside the iteration, before the store commits anything —
when the client disconnects, passes the size cap, or the size or checksum
differ from what the client declared.  The store removes its temporary data
on any exception, so a failed upload leaves nothing behind.
"""

import hashlib

from glance.common import exception, wsgi

HASH_ALGO = "sha256"


def declared_length(environ):
    """Content-Length as an int, or None for chunked/absent bodies."""
    if wsgi.is_chunked(environ):
        return None
    text = environ.get("CONTENT_LENGTH") or ""
    if not text:
        return None
    if not text.isdigit():
        raise exception.Invalid(f"Content-Length must be a non-negative integer, got {text!r}")
    return int(text)


class VerifiedBody:
    def __init__(self, environ, chunk_size, size_cap, expected_size=None,
                 expected_checksum=None, image_id=None):
        self._stream = environ["wsgi.input"]
        self._length = declared_length(environ)
        self._chunk_size = chunk_size
        self._size_cap = size_cap
        self._expected_size = expected_size
        self._expected_checksum = expected_checksum.lower() if expected_checksum else None
        self._image_id = image_id
        self._md5 = hashlib.md5()
        self._sha256 = hashlib.sha256()
        self.size = 0

    @property
    def checksum(self):
        return self._md5.hexdigest()

    @property
    def os_hash_value(self):
        return self._sha256.hexdigest()

    def _size_mismatch(self, got):
        return exception.Invalid(
            f"x-image-meta-size is {self._expected_size} but the body has {got} bytes",
            self._image_id)

    def __iter__(self):
        if self._length is not None and self._expected_size not in (None, self._length):
            raise self._size_mismatch(self._length)
        remaining = self._length
        while remaining is None or remaining > 0:
            want = self._chunk_size if remaining is None else min(self._chunk_size, remaining)
            chunk = self._read(want)
            if not chunk:
                if remaining:
                    raise exception.ClientDisconnected(
                        f"the client sent {self.size} of {self._length} bytes", self._image_id)
                break
            self._count(chunk)
            if remaining is not None:
                remaining -= len(chunk)
            yield chunk
        self._verify()

    def _read(self, want):
        try:
            return self._stream.read(want)
        except (ConnectionError, TimeoutError, OSError) as exc:
            raise exception.ClientDisconnected(
                f"the client disconnected after {self.size} bytes ({exc.__class__.__name__})",
                self._image_id) from None

    def _count(self, chunk):
        self.size += len(chunk)
        if self.size > self._size_cap:
            raise exception.TooLarge(
                f"the image is larger than the limit of {self._size_cap} bytes", self._image_id)
        if self._expected_size is not None and self.size > self._expected_size:
            raise self._size_mismatch(f"more than {self._expected_size}")
        self._md5.update(chunk)
        self._sha256.update(chunk)

    def _verify(self):
        if self._expected_size is not None and self.size != self._expected_size:
            raise self._size_mismatch(self.size)
        if self._expected_checksum and self._expected_checksum != self.checksum:
            raise exception.Invalid(
                f"x-image-meta-checksum is {self._expected_checksum} but the data's MD5 "
                f"is {self.checksum}", self._image_id)
