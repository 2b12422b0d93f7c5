"""Process-wide and per-socket settings of Glance's server, each measured.

Memory: image data moves in chunks of a megabyte or more, allocated on one
thread and freed on another.  glibc's malloc serves blocks that size from
the heap of the allocating thread's arena once its adaptive mmap threshold
has risen, and keeps them there after they are freed: with a few arenas in
play a server's resident size creeps up by tens of megabytes after a few
uploads.  A fixed threshold (which also turns the adaptation off) makes
every chunk an mmap of its own, handed back to the kernel when freed, so
the resident size stays the size of the chunks in flight.

Sockets: the listening socket asks for 4 MiB send and receive buffers
(accepted sockets inherit them, and the TCP window scale is negotiated for
them), accepted sockets get TCP_NODELAY, and they stay in blocking mode
with the kernel enforcing their timeouts (SO_RCVTIMEO, SO_SNDTIMEO):
Python's own socket timeouts poll() before every recv and send, and each of
those calls hands the GIL over once more, which under sixteen busy
connections costs more than the request.  A kernel timeout fails the call
with EAGAIN (BlockingIOError).
"""

import contextlib
import ctypes
import socket
import struct

M_MMAP_THRESHOLD = -3       # mallopt(3)
M_ARENA_MAX = -8
MMAP_THRESHOLD = 256 << 10  # well below a chunk (2 MiB), above the small stuff
ARENA_MAX = 2               # glibc's default is 8 per core, each keeping its own free memory
SOCKET_BUFFER = 4 << 20     # SO_SNDBUF/SO_RCVBUF of the listening socket, inherited


def mmap_large_buffers():
    """Set glibc's mmap threshold; True if it took (False elsewhere, harmlessly)."""
    try:
        mallopt = ctypes.CDLL(None).mallopt     # the C library the process runs on
    except (OSError, AttributeError):
        return False
    mallopt(M_ARENA_MAX, ARENA_MAX)
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))


def listen(host, port, backlog, buffer_size=SOCKET_BUFFER, reuse_port=False, listen=True):
    """A non-blocking listening socket.  With `reuse_port`, several sockets
    (one per prefork worker) share the port and the kernel spreads the
    connections over them; `listen=False` only binds (the master holds the
    port that way while its workers listen)."""
    family, _, _, _, address = socket.getaddrinfo(
        host or None, port, 0, socket.SOCK_STREAM, 0, socket.AI_PASSIVE)[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        for option in (socket.SO_SNDBUF, socket.SO_RCVBUF) if buffer_size else ():
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, option, buffer_size)
        sock.bind(address)
        if listen:
            sock.listen(backlog)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


def accepted(sock, timeout):
    """Set up an accepted socket: blocking, no Nagle, kernel timeouts of
    `timeout` seconds for each send and receive."""
    sock.setblocking(True)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    timeval = _timeval(timeout)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeval)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeval)


def _timeval(seconds):
    seconds = max(seconds, 0.001)   # zero would mean "wait forever"
    return struct.pack("ll", int(seconds), int(seconds % 1 * 1e6))
