"""What every store backend is: the `Store` interface and the `ImageData` it returns.

A backend keeps image data under location URIs of its own schemes.  Data
always moves in chunks of `chunk_size` bytes (never less than `MIN_CHUNK_SIZE`
except for the last one); nothing here reads a whole image into memory.
"""

from glance.common import exception, fields

MIN_CHUNK_SIZE = 64 << 10


def effective_chunk_size(conf):
    """The configured chunk size, raised to the 64 KiB floor of the data path."""
    return max(int(conf.chunk_size), MIN_CHUNK_SIZE)


def object_name(image_id):
    """The name a store keeps image `image_id` under: the id itself; Invalid
    for anything that is not an image id (`fields.parse_image_id`)."""
    name = fields.parse_image_id(image_id)
    if name is None:
        raise exception.Invalid(f"not an image id: {image_id!r}")
    return name


class ImageData:
    """An open image: its size (None when unknown) and an iterator of chunks.

    Subclasses provide `_read(n)` (up to n bytes, b"" at the end),
    `_release()` (free the file or connection) and `_truncated(got)` (the
    error to raise when the data ends before `size` bytes).  Iteration stops
    after `size` bytes when the size is known, and closes the data when it
    ends, fails or is abandoned; `close()` may be called any number of times.
    """

    fileobj = None

    def __init__(self, size, chunk_size):
        self.size = size
        self.chunk_size = max(int(chunk_size), 1)
        self.closed = False

    def __iter__(self):
        remaining = self.size
        got = 0
        try:
            while remaining is None or remaining > 0:
                want = self.chunk_size if remaining is None else min(self.chunk_size, remaining)
                chunk = self._read_full(want)
                if not chunk:
                    break
                got += len(chunk)
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk
            if remaining:
                raise self._truncated(got)
        finally:
            self.close()

    def _read_full(self, want):
        # Short reads (sockets, pipes) are merged so that every chunk but the
        # last has exactly `want` bytes.
        chunk = self._read(want)
        if not chunk or len(chunk) == want:
            return chunk
        buf = bytearray(chunk)
        while len(buf) < want:
            more = self._read(want - len(buf))
            if not more:
                break
            buf += more
        return bytes(buf)

    def close(self):
        if not self.closed:
            self.closed = True
            self._release()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _read(self, n):
        raise NotImplementedError

    def _release(self):
        pass

    def _truncated(self, got):
        return exception.StoreError(
            f"image data ended after {got} of {self.size} bytes")


class SkippedImageData:
    """An `ImageData` whose first `offset` bytes are read and dropped."""

    fileobj = None

    def __init__(self, data, offset):
        self._data = data
        self._offset = offset
        self.size = None if data.size is None else max(0, data.size - offset)

    def __iter__(self):
        skip = self._offset
        for chunk in self._data:
            if skip >= len(chunk):
                skip -= len(chunk)
                continue
            if skip:
                chunk, skip = chunk[skip:], 0
            yield chunk

    def close(self):
        self._data.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def foreign_location(store, image_id, location, why="it names other data"):
    """The Forbidden for a location a backend will not use for image
    `image_id`: not where it keeps that image's data.  Only a registry
    record can carry one (clients never set a location of ours), so this
    is defence in depth; the location itself goes to the log only."""
    return exception.Forbidden(
        f"the {store.name} store refuses image {image_id}'s location: it is not the "
        "image's own data", image_id, detail=f"{why}: {location!r}")


class Store:
    """One backend.  Subclasses set `name`, `schemes`, `writable` and override
    the operations they support.

    Reads and deletes take the id of the image whose record holds the
    location: a backend that keeps its own data (file, swift, s3) serves or
    deletes only where it keeps that image's data, so a record pointing at
    another image's data (or anywhere else) gets Forbidden, never the data.
    `tenant` is the image's owner, whose allowance of concurrent origin
    fetches a read counts against (`limits.py`; only backends with
    `origin_io` have one).
    """

    name = None
    schemes = ()
    writable = False
    # Reads wait on a remote origin chosen by a client (http): the API gives
    # its run slot back before calling them.
    origin_io = False

    def add(self, image_id, chunks):
        """Store the bytes of `chunks` as image `image_id`; return the location URI.

        If iterating `chunks` raises, every byte written is removed and the
        same exception propagates unchanged.
        """
        raise exception.Invalid(f"the {self.name} store is read-only", image_id=image_id)

    def get(self, location, *, image_id, tenant=None):
        """Open image `image_id`'s data at `location` -> ImageData (NotFound when missing)."""
        raise NotImplementedError

    def get_from(self, location, offset, *, image_id, tenant=None):
        """Open the data at `location` from byte `offset` on -> ImageData of the rest.

        This default reads and drops the first `offset` bytes; backends that
        can seek or ask their origin for a range override it.
        """
        return SkippedImageData(self.get(location, image_id=image_id, tenant=tenant), offset)

    def delete(self, location, *, image_id):
        """Remove image `image_id`'s data at `location` (NotFound when nothing is there)."""
        raise NotImplementedError

    def get_size(self, location, *, image_id=None, tenant=None):
        """Bytes of data at `location`, or None when the backend cannot tell.
        `image_id` is None while a location is being registered."""
        raise NotImplementedError

    def free_space(self):
        """Bytes the backend can still take, or None when it has no such limit."""
        return None

    def __repr__(self):
        return f"<{type(self).__name__} {self.name!r}>"
