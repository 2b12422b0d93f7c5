"""A client connection of Glance's server: its socket, what the client has
sent us, and every wait on the client.

The request head is gathered without waiting (`receive()` and `take_head()`,
called by the server's selector thread, or by a worker peeking for the next
request on a kept-alive connection): a client that trickles its head holds
a buffer, never a thread.  Once a worker serves the request, the connection
is the body readers' `rfile` (`read`, `readinto`, `readline`) and the
exchange's way out (`send`, `send_parts`, `sendfile`).

Every call that may wait on the client goes through `_wait()`: the socket's
kernel timeout (`tick`) ends each wait, the direction's `Pace` hears how
long it waited and what moved (and cuts a client that is too slow), and the
request's run slot is lent out while it waits (`RunSlot.pause()`), so a slow
client never holds one of the few turns at app code.  With a slot held, the
call is first tried without waiting (MSG_DONTWAIT): the slot is only lent
out when the client really is behind.
"""

import contextlib
import os
import select
import socket
import time

from glance.httpd import request, tuning
from glance.httpd.pace import Pace

READ_BUFFER = 64 << 10
_NOWAIT = socket.MSG_DONTWAIT
_CORK = getattr(socket, "TCP_CORK", None)     # Linux: full segments from sendfile
_UPLOAD, _DOWNLOAD = 0, 1
_WHAT = ("the request body", "the client reading the answer")


class Connection:
    """One client socket and its input buffer (see the module docstring).

    `tick` is the kernel timeout that ends each wait; `limits` is
    (min_upload_rate, min_download_rate, window, stall) for the Paces
    (pace.py); `on_close(conn)` runs once when it closes (the server counts
    the connections of each address).  The server keeps its own state on
    it too: `state` ("head" or "linger") and `deadline` while its selector
    watches it, `head_started` once the first byte of a head arrived.
    """

    def __init__(self, sock, addr, tick, limits=None, on_close=None):
        tuning.accepted(sock, tick)
        self.sock = sock
        self.addr = addr
        self._buffer = bytearray()
        self._pos = 0           # where the unread bytes of _buffer start
        self._searched = 0      # how far head_end() has looked for the blank line
        self.slot = None        # the RunSlot of the exchange in progress
        self.limits = limits
        self._paces = [None, None]  # its Paces, made on its first wait: [upload, download]
        self._moved = [0, 0]        # bytes it moved: [upload, download]
        self._poller = None
        self.unread = False     # the client may still be sending what we never read
        self.state = "head"
        self.deadline = 0.0
        self.head_started = None
        self.closed = False
        self._on_close = on_close

    # -- the request head, without waiting ---------------------------------

    @property
    def buffered(self):
        return len(self._buffer) - self._pos

    def receive(self):
        """Read what the client has sent so far, without waiting: the number
        of bytes, 0 when it closed (or broke) the connection, None when
        nothing was there."""
        try:
            data = self.sock.recv(READ_BUFFER, _NOWAIT)
        except (BlockingIOError, InterruptedError):
            return None
        except OSError:
            return 0
        self._append(data)
        return len(data)

    def take_head(self, limit):
        """The next request head (bytes up to its blank line) when all of it
        is here, else None; HeadersTooLarge past `limit` bytes."""
        if not self.buffered:
            return None
        self._compact()
        if self._buffer[0] in b"\r\n":
            del self._buffer[:request.skip_blank_lines(self._buffer)]
            self._searched = 0
        end, self._searched = request.head_end(self._buffer, limit, self._searched)
        if end is None:
            return None
        self._searched = 0
        head = bytes(self._buffer[:end])
        self._consume(end)
        return head

    def receive_within(self, seconds):
        """`receive()`, waiting up to `seconds` for something to arrive (a
        worker waits that little for the next request on a kept-alive
        connection, rather than hand it back to the loop at once)."""
        got = self.receive()
        if got is not None:
            return got
        if self._poller is None:
            self._poller = select.poll()
            self._poller.register(self.sock, select.POLLIN)
        if not self._poller.poll(seconds * 1000):
            return None
        return self.receive()

    def begin(self, slot):
        """A new exchange: its run slot (or None), and fresh Paces."""
        self.slot = slot
        self._paces = [None, None]
        self._moved = [0, 0]

    # -- the request body: blocking, paced ---------------------------------

    def read(self, size):
        """`size` bytes, fewer only when the client closed."""
        parts = []
        while size > 0 and (self.buffered or self._fill()):
            part = self._take(min(size, self.buffered))
            parts.append(part)
            size -= len(part)
        return b"".join(parts)

    def readinto(self, buffer):
        """Read into `buffer`, straight from the socket when it is large;
        the number of bytes (at least one), 0 when the client closed."""
        view = memoryview(buffer).cast("B")
        if not self.buffered and len(view) >= READ_BUFFER:
            return self._wait(lambda flags: self.sock.recv_into(view, len(view), flags),
                              _UPLOAD)
        if not self.buffered and not self._fill():
            return 0
        size = min(len(view), self.buffered)
        view[:size] = self._buffer[self._pos:self._pos + size]
        self._consume(size)
        return size

    def readline(self, limit):
        """One line, at most `limit` bytes; shorter without "\\n" only when
        the client closed."""
        while True:
            newline = self._buffer.find(b"\n", self._pos, self._pos + limit)
            if newline >= 0:
                return self._take(newline + 1 - self._pos)
            if self.buffered >= limit or not self._fill():
                return self._take(min(limit, self.buffered))

    def _fill(self):
        """Wait for more of the request; False when the client closed."""
        data = self._wait(lambda flags: self.sock.recv(READ_BUFFER, flags), _UPLOAD)
        self._append(data)
        return bool(data)

    def _take(self, size):
        data = bytes(self._buffer[self._pos:self._pos + size])
        self._consume(size)
        return data

    def _consume(self, size):
        self._pos += size
        if self._pos == len(self._buffer):     # all read: an idle connection holds no buffer
            self._buffer.clear()
            self._pos = 0

    def _append(self, data):
        if self._pos and self._pos * 2 >= len(self._buffer):
            self._compact()
        self._buffer += data

    def _compact(self):
        if self._pos:
            del self._buffer[:self._pos]
            self._pos = 0

    # -- the response: blocking, paced -------------------------------------

    def send(self, data):
        """Send all of `data`."""
        self.send_parts((data,))

    def send_parts(self, parts):
        """Send several buffers with as few system calls as possible, no
        copies.  The first try never waits: most answers fit in the socket
        buffer at once."""
        parts = [part if type(part) is bytes else memoryview(part).cast("B")
                 for part in parts if part]
        try:
            sent = self.sock.sendmsg(parts, (), _NOWAIT)
        except BlockingIOError:
            sent = 0
        self._moved[_DOWNLOAD] += sent
        if sent == sum(map(len, parts)):
            return
        parts = [memoryview(part) for part in parts]
        while True:
            while sent:
                if sent >= len(parts[0]):
                    sent -= len(parts.pop(0))
                else:
                    parts[0], sent = parts[0][sent:], 0
            if not parts:
                return
            sent = self._wait(lambda flags: self.sock.sendmsg(parts, (), flags),
                              _DOWNLOAD)

    def sendfile(self, fd, offset, count, head=b""):
        """`head`, then sendfile(2) until `count` bytes went out or the file
        ended; the file's bytes sent.  (socket.sendfile() would wait forever
        on a stalled client: here each wait ends with the kernel's timeout
        and is paced.)  It cannot be tried without waiting: the caller gives
        its run slot back first.

        Corked (TCP_CORK, as nginx's `tcp_nopush`): the head rides in the
        first full segment and the file goes out in full segments whatever
        pieces sendfile hands the stack; uncorked, one client's download ran
        at 0.75-0.8 of nginx's on loopback, corked at par."""
        sent = 0
        self._cork(1)
        try:
            if head:
                self.send(head)
            while sent < count:
                done = self._wait(lambda flags: os.sendfile(
                    self.sock.fileno(), fd, offset + sent, min(count - sent, 1 << 30)),
                    _DOWNLOAD)
                if done == 0:
                    break
                sent += done
        finally:
            with contextlib.suppress(OSError):      # a broken socket says so itself
                self._cork(0)
        return sent

    def _cork(self, on):
        if _CORK is not None:       # Linux's
            self.sock.setsockopt(socket.IPPROTO_TCP, _CORK, on)

    def send_now(self, data):
        """Send `data` if it fits in the socket buffer now; never waits (the
        selector thread's early answers: 408, 431, 503)."""
        with contextlib.suppress(OSError):
            self.sock.send(data, _NOWAIT)

    # -- waiting on the client ---------------------------------------------

    def _wait(self, operation, direction):
        """`operation(flags)`: a socket call that may wait on the client,
        for the request body (_UPLOAD) or the answer (_DOWNLOAD).  Its
        result; TooSlow when the client falls behind."""
        slot = self.slot
        if slot is not None and slot.held:
            try:
                result = operation(_NOWAIT)
            except BlockingIOError:
                pass
            else:
                self._moved[direction] += _size(result)
                return result
            slot.pause()
            try:
                return self._blocking(operation, direction)
            finally:
                slot.resume()
        return self._blocking(operation, direction)

    def _pace(self, direction):
        pace = self._paces[direction]
        if pace is None and self.limits is not None:
            min_upload_rate, min_download_rate, window, stall = self.limits
            rate = min_upload_rate if direction == _UPLOAD else min_download_rate
            pace = self._paces[direction] = Pace(rate, window, stall, _WHAT[direction])
        return pace

    def _blocking(self, operation, direction):
        pace = self._pace(direction)
        while True:
            started = time.monotonic()
            try:
                result = operation(0)
            except BlockingIOError:     # one tick of the kernel's timeout
                if pace is None:
                    raise TimeoutError("timed out waiting on the client") from None
                result = None
            else:
                moved = _size(result)
                if not moved:           # the client closed, or the file ended
                    return result
                self._moved[direction] += moved
            if pace is not None:
                pace.waited(time.monotonic() - started, self._moved[direction])
            if result is not None:
                return result

    # -- the end -----------------------------------------------------------

    def shutdown_write(self):
        """Say we are done (FIN) but keep reading: the client sees our answer
        rather than a reset while it is still sending what we never read."""
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_WR)

    def discard(self, budget):
        """Read and drop what has arrived, without waiting: True when the
        client closed or `budget` bytes went (time to close), else False."""
        while budget > 0:
            try:
                data = self.sock.recv(READ_BUFFER, _NOWAIT)
            except (BlockingIOError, InterruptedError):
                return False
            except OSError:
                return True
            if not data:
                return True
            budget -= len(data)
        return True

    def cut(self):
        """Break off a connection a worker may be blocked on (shutdown)."""
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)

    def close(self):
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(OSError):
            self.sock.close()
        if self._on_close is not None:
            self._on_close(self)


def _size(result):
    """Bytes a socket call moved: its count, or the length of what it read."""
    return result if isinstance(result, int) else len(result)
