"""Whether a client keeps up: the minimum transfer rates of Glance's server.

A per-call socket timeout does not stop a client that sends (or reads) one
byte every few seconds: each call succeeds, and the request holds its
connection, its thread and its socket buffers for as long as the client
likes.  A `Pace` asks more: over every `window` seconds that the server
spends *waiting* on the client, at least `min_rate` bytes a second must
move, and no wait may last `stall` seconds without a byte.

Only time spent blocked on the client counts.  An app that stops reading an
upload for a while (to write a part to an object store, say) does not make
its client slow; a client whose socket buffer is full because it stopped
reading a download does.  Every byte moved counts, whether it had to be
waited for or not, so a client that sends in bursts is as fast as its
average.  The first window is the grace period: a connection that starts
slowly (TCP slow start, a busy client) is measured only once it has been
waited on for a whole window.
"""


class TooSlow(TimeoutError):
    """The client moved fewer bytes than the minimum rate, or none for too long."""


class Pace:
    """The rate check for one direction of one request (body in, or answer out).

    `waited(seconds, total)` is told of every wait on the client: how long
    it blocked, and how many bytes this direction of the request has moved
    so far (waited for or not); it raises `TooSlow` when the client falls
    behind.  `min_rate` 0 turns the rate off (the stall limit stays).
    """

    def __init__(self, min_rate, window, stall, what="the client"):
        self.min_rate = min_rate
        self.window = window
        self.stall = stall
        self.what = what
        self._waited = 0.0      # seconds waited in the current window
        self._start = 0         # the total when the current window began
        self._last = 0          # the total at the last wait
        self._still = 0.0       # seconds waited since a byte last moved

    def waited(self, seconds, total):
        self._waited += seconds
        self._still = 0.0 if total != self._last else self._still + seconds
        self._last = total
        if self._still >= self.stall:
            raise TooSlow(f"{self.what} moved nothing for {self._still:.0f} s")
        if self._waited < self.window:
            return
        moved = total - self._start
        if moved < self.min_rate * self._waited:
            raise TooSlow(f"{self.what} moved {moved} bytes in {self._waited:.0f} s "
                          f"of waiting, under the minimum of {self.min_rate} bytes/s")
        self._waited, self._start = 0.0, total
