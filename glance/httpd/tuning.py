"""One process-wide memory setting for the servers: big buffers off the heap.

Image data moves in chunks of a megabyte or more, allocated on one thread
and freed on another.  glibc's malloc serves blocks that size from the
heap of the allocating thread's arena once its adaptive mmap threshold has
risen, and keeps them there after they are freed: with a few arenas in
play a server's resident size creeps up by tens of megabytes after a few
uploads.  A fixed threshold (which also turns the adaptation off) makes
every chunk an mmap of its own, handed back to the kernel when freed, so
the resident size stays the size of the chunks in flight.
"""

import ctypes

M_MMAP_THRESHOLD = -3       # mallopt(3)
M_ARENA_MAX = -8
MMAP_THRESHOLD = 256 << 10  # well below a chunk (2 MiB), above the small stuff
ARENA_MAX = 2               # glibc's default is 8 per core, each keeping its own free memory


def mmap_large_buffers():
    """Set glibc's mmap threshold; True if it took (False elsewhere, harmlessly)."""
    try:
        mallopt = ctypes.CDLL(None).mallopt     # the C library the process runs on
    except (OSError, AttributeError):
        return False
    mallopt(M_ARENA_MAX, ARENA_MAX)
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
