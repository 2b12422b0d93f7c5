"""Streaming an upload body into a store, verified on the same pass.

`VerifiedBody` is what a store's `add()` iterates: it reads the request body
(or, for a copy, a `ChunkStream` over an origin's data) in fixed chunks,
counts the bytes, computes MD5 and SHA-256 as they pass, and raises — from
inside the iteration, before the store commits anything — when the client
disconnects, passes the size cap, or the size, the MD5 or the SHA-256
differ from what the client declared.  The store removes its temporary
data on any exception, so a failed upload leaves nothing behind.
"""

import hashlib
import re

from glance.api.readahead import BufferPool, HashThread, ReadAhead
from glance.common import exception, wsgi

HASH_ALGO = "sha256"
# Buffers one upload cycles through (of chunk_size, 2 MiB): one being
# received, one being stored, one being hashed, one to spare.  More bought
# nothing measurable; 2 MiB chunks rather than 1 MiB halve the hand-overs
# between the three threads (1 GiB upload: ~520 -> ~600 MB/s, 0.3 s less CPU).
POOL_BUFFERS = 4
_SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}\Z")


def expected_os_hash(meta):
    """The SHA-256 a client declared (`x-image-meta-os_hash_value`, with
    `x-image-meta-os_hash_algo` sha256 or absent), or None; Invalid when the
    algorithm is not sha256 or the value is not 64 hex digits."""
    value = meta.get("os_hash_value")
    if not value:
        return None
    algo = (meta.get("os_hash_algo") or HASH_ALGO).strip().lower()
    if algo != HASH_ALGO:
        raise exception.Invalid(
            f"x-image-meta-os_hash_algo {algo[:40]!r} is not supported; use {HASH_ALGO}")
    if not _SHA256_HEX.match(value):
        raise exception.Invalid(
            f"x-image-meta-os_hash_value must be 64 hex digits of SHA-256, got {value[:80]!r}")
    return value.lower()


class VerifiedBody:
    """`stream` (read/readinto) holding `length` bytes (None: to its end),
    verified as it is read; `of_request` reads a request's body.
    `hash_declared_by` names where `expected_os_hash` came from, for the
    message of a mismatch."""

    def __init__(self, stream, length, chunk_size, size_cap, expected_size=None,
                 expected_checksum=None, image_id=None, expected_os_hash=None,
                 hash_declared_by="x-image-meta-os_hash_value"):
        self._stream = stream
        self._length = length
        self._chunk_size = chunk_size
        self._size_cap = size_cap
        self._expected_size = expected_size
        self._expected_checksum = expected_checksum.lower() if expected_checksum else None
        self._expected_os_hash = expected_os_hash.lower() if expected_os_hash else None
        self._image_id = image_id
        self._hash_declared_by = hash_declared_by
        self._md5 = hashlib.md5()
        self._sha256 = hashlib.sha256()
        self.size = 0

    @classmethod
    def of_request(cls, environ, chunk_size, size_cap, **expected):
        """The body of a WSGI request: Content-Length bytes, or chunked to its
        end; neither is an empty body (nothing is read: a server may not end
        wsgi.input of a request that announced no body)."""
        length = wsgi.content_length(environ)
        if length is None and not wsgi.is_chunked(environ):
            length = 0
        return cls(environ["wsgi.input"], length, chunk_size, size_cap, **expected)

    @property
    def size_hint(self):
        """The bytes the client declared (Content-Length, else x-image-meta-size),
        or None; iteration fails unless the body has exactly that many.  Object
        stores use it to choose between one object and a segmented one."""
        return self._length if self._length is not None else self._expected_size

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
        """Yield the body in chunks of at most `chunk_size` bytes.

        Each chunk is a memoryview of a reused buffer, valid only until the
        next one is requested (a store copies what it must keep).
        """
        if self._length is not None and self._expected_size not in (None, self._length):
            raise self._size_mismatch(self._length)
        if self._length is not None and self._length <= self._chunk_size:
            # At most one chunk: no threads.
            pool = BufferPool(1, self._length) if self._length else None
            try:
                for block in self._blocks(pool, self._md5_here):
                    yield block.view
                    block.release()
            finally:
                if pool is not None:
                    pool.close()
        else:
            # Two cores at work: the body is read and SHA-256 hashed on one
            # thread, MD5 hashed on another, while the store writes here.
            pool = BufferPool(POOL_BUFFERS, self._chunk_size)
            md5 = HashThread(self._md5)
            ahead = ReadAhead(self._blocks(pool, lambda block: md5.update(block.view,
                                                                          block.release)))
            try:
                for block in ahead:
                    yield block.view
                    block.release()
                md5.finish()
            finally:
                pool.close()    # first: a reader waiting for a buffer stops
                ahead.close()
                md5.close()
        self._verify()

    def _md5_here(self, block):
        self._md5.update(block.view)
        block.release()

    def _blocks(self, pool, md5_update):
        """Blocks of the body, each counted and SHA-256 hashed, handed to
        `md5_update` and yielded: released once by each."""
        remaining = self._length
        while remaining is None or remaining > 0:
            want = self._chunk_size if remaining is None else min(self._chunk_size, remaining)
            block = pool.take()
            got = self._fill(memoryview(block.buffer)[:want])
            if not got:
                pool.give_back(block)
                if remaining:
                    raise exception.ClientDisconnected(
                        f"the client sent {self.size} of {self._length} bytes", self._image_id)
                break
            block.lend(got, users=2)
            self._count(block.view)
            md5_update(block)
            if remaining is not None:
                remaining -= got
            yield block

    def _fill(self, view):
        """Read into `view` until it is full or the body ends; the bytes read."""
        readinto = getattr(self._stream, "readinto", None)
        filled = 0
        try:
            while filled < len(view):
                if readinto is not None:
                    got = readinto(view[filled:])
                else:   # PEP 3333 promises read() only
                    data = self._stream.read(len(view) - filled)
                    got = len(data)
                    view[filled:filled + got] = data
                if not got:
                    break
                filled += got
        except (ConnectionError, TimeoutError, OSError) as exc:
            raise exception.ClientDisconnected(
                f"the client disconnected after {self.size + filled} bytes "
                f"({exc.__class__.__name__})", self._image_id) from None
        return filled

    def _count(self, chunk):
        self.size += len(chunk)
        if self.size > self._size_cap:
            raise exception.TooLarge(
                f"the image is larger than the limit of {self._size_cap} bytes", self._image_id)
        if self._expected_size is not None and self.size > self._expected_size:
            raise self._size_mismatch(f"more than {self._expected_size}")
        self._sha256.update(chunk)

    def _verify(self):
        if self._expected_size is not None and self.size != self._expected_size:
            raise self._size_mismatch(self.size)
        if self._expected_checksum and self._expected_checksum != self.checksum:
            raise exception.Invalid(
                f"x-image-meta-checksum is {self._expected_checksum} but the data's MD5 "
                f"is {self.checksum}", self._image_id)
        if self._expected_os_hash and self._expected_os_hash != self.os_hash_value:
            raise exception.Invalid(
                f"{self._hash_declared_by} is {self._expected_os_hash} but the data's "
                f"SHA-256 is {self.os_hash_value}", self._image_id)


class ChunkStream:
    """An iterator of byte chunks (an origin's data) read as a stream, so
    that a copy goes through `VerifiedBody` exactly as an upload does.

    `failure(exc)` turns an error of the source into the one to raise
    (e.g. one that does not name the origin); it is not called for errors
    raised while the data is verified or stored.
    """

    def __init__(self, chunks, failure=lambda exc: exc):
        self._chunks = iter(chunks)
        self._failure = failure
        self._pending = memoryview(b"")

    def readinto(self, view):
        if not self._pending:
            try:
                self._pending = memoryview(next(self._chunks, b""))
            except (exception.GlanceError, OSError) as exc:
                raise self._failure(exc) from None
        got = min(len(view), len(self._pending))
        view[:got] = self._pending[:got]
        self._pending = self._pending[got:]
        return got
