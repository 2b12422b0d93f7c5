"""Writing an image file with `O_DIRECT`, past the page cache.

An upload is written once, fsynced before it is acknowledged and rarely
read back soon: copying it into the page cache first only costs CPU (a
fresh page per 4 KiB, which on a virtual machine may have to be faulted in
from the host) and makes the final fsync wait for the whole image.  With
`O_DIRECT` the device reads our buffer itself, so writing costs almost no
CPU and the data is on disk when the last write returns.

`O_DIRECT` wants the buffer address, the length and the file offset aligned
to the device's block size.  Image data arrives in chunks of `chunk_size`
(2 MiB), as soon as each arrives: one that already sits in a page-aligned
buffer (the API receives uploads into such buffers) is written from where
it is; any other is first copied into an aligned buffer of our own.  The last, shorter chunk goes
through the page cache, and so does everything of a small image or on a
filesystem that refuses `O_DIRECT` (tmpfs, some network filesystems).
"""

import ctypes
import errno
import fcntl
import mmap
import os

ALIGN = 4096                # a multiple of every logical block size
MIN_DIRECT = 256 << 10      # a first chunk smaller than this: a small image
_O_DIRECT = getattr(os, "O_DIRECT", 0)


class DirectWriter:
    """Writes chunks to `fd` (a new, empty file open for writing) in order.

    `write` is the system call (`os.write`, or a test's stand-in); it may
    write less than asked, and its OSError propagates unchanged.  Call
    `close()` when done.
    """

    def __init__(self, fd, write=os.write):
        self._fd = fd
        self._write = write
        self._buffer = None
        self._first = True
        self.direct = False

    def write(self, chunk):
        view = memoryview(chunk).cast("B")
        size = len(view)
        if self._first:
            self._first = False
            if _O_DIRECT and size >= MIN_DIRECT and size % ALIGN == 0:
                self.direct = _set_direct(self._fd, True)
        if self.direct and size % ALIGN == 0:
            if _aligned(view):
                self._write_fully(view)
                return
            if self._buffer is None or len(self._buffer) < size:
                self.close()
                self._buffer = mmap.mmap(-1, size)      # page-aligned
            with memoryview(self._buffer) as buffer:
                buffer[:size] = view
                self._write_fully(buffer[:size])
        else:
            self._leave_direct()    # a short last chunk: the offset stays aligned no more
            self._write_fully(view)

    def close(self):
        if self._buffer is not None:
            buffer, self._buffer = self._buffer, None
            try:
                buffer.close()
            except BufferError:
                pass    # a traceback still holds a view of it: freed with the traceback

    def _write_fully(self, view):
        while view:
            try:
                written = self._write(self._fd, view)
            except OSError as exc:
                if exc.errno != errno.EINVAL or not self.direct:
                    raise
                self._leave_direct()    # the filesystem took the flag, not the write
                continue
            if written < len(view):
                self._leave_direct()    # the file offset is no longer aligned
            view = view[written:]

    def _leave_direct(self):
        if self.direct:
            _set_direct(self._fd, False)
            self.direct = False


def _aligned(view):
    """True when `view`'s memory starts on an ALIGN boundary.  Only writable
    buffers tell their address (bytes objects are never page-aligned)."""
    if view.readonly:
        return False
    try:
        address = ctypes.addressof(ctypes.c_char.from_buffer(view))
    except (TypeError, ValueError):
        return False
    return address % ALIGN == 0


def _set_direct(fd, on):
    """Turn O_DIRECT on or off for an open file; False when it cannot be on."""
    try:
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        fcntl.fcntl(fd, fcntl.F_SETFL, (flags | _O_DIRECT) if on else (flags & ~_O_DIRECT))
    except OSError:
        return False
    return on
