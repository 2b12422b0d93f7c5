"""One connection to an image origin, made the safe way.

`connection()` returns an unconnected `http.client` connection that

- connects only to the addresses the location policy has just checked, so
  no second name look-up (one an attacker's DNS could answer differently,
  or take forever over) happens inside `http.client`; TLS still sends and
  verifies the host name;
- reads the response head (status line and headers) against a deadline:
  every read waits at most for what is left of it, so a head trickled one
  byte at a time cannot hold the connection past the deadline, which a
  per-read socket timeout allows.  `response.head_received(timeout)` then
  bounds each read of the body by `timeout` instead.

Both use `http.client`'s own seams (`_create_connection`, `response_class`).
"""

import functools
import http.client
import io
import socket


def connection(scheme, host, port, addresses, timeout, deadline, clock, ssl_context=None):
    """An unconnected HTTP(S)Connection to `host` (the name sent and
    verified) at one of `addresses`, connecting within `timeout` and
    reading the response head before `deadline` (on `clock`)."""
    if scheme == "https":
        conn = http.client.HTTPSConnection(host, port, timeout=timeout, context=ssl_context)
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
    conn._create_connection = functools.partial(_connect_any, addresses)
    conn.response_class = functools.partial(OriginResponse, deadline=deadline, clock=clock)
    return conn


def _connect_any(addresses, address, timeout, source_address=None):
    """http.client's `_create_connection(address, timeout, source)`, to the
    checked `addresses` only, in order."""
    error = None
    for ip in addresses:
        try:
            return socket.create_connection((str(ip), address[1]), timeout, source_address)
        except OSError as exc:
            error = exc
    raise error


class _HeadDeadline(io.RawIOBase):
    """A socket's bytes, each read bounded by what is left until `deadline`
    (None: by the socket's own timeout), so a head trickled byte by byte
    cannot outlast it."""

    def __init__(self, sock, deadline, clock):
        self._sock = sock
        self._raw = sock.makefile("rb", buffering=0)
        self.deadline = deadline
        self._clock = clock

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.deadline is not None:
            left = self.deadline - self._clock()
            if left <= 0:
                raise TimeoutError("the response head did not arrive in time")
            self._sock.settimeout(left)
        return self._raw.readinto(buffer)

    def close(self):
        if not self.closed:
            self._raw.close()
        super().close()


class _Readable:
    """What HTTPResponse takes for a socket: only its makefile() is called."""

    def __init__(self, stream):
        self._stream = stream

    def makefile(self, mode):
        return io.BufferedReader(self._stream)


class OriginResponse(http.client.HTTPResponse):
    """An HTTPResponse whose status line and headers must arrive by `deadline`;
    `head_received(timeout)` then bounds each read of the body by `timeout`."""

    def __init__(self, sock, debuglevel=0, method=None, url=None, *, deadline, clock):
        self._origin_sock = sock
        self._stream = _HeadDeadline(sock, deadline, clock)
        super().__init__(_Readable(self._stream), debuglevel, method, url)

    def head_received(self, timeout):
        self._stream.deadline = None
        self._origin_sock.settimeout(timeout)
