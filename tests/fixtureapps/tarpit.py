"""An image origin that accepts connections and never answers: a tarpit.

`Tarpit()` listens on 127.0.0.1, port 0, from a thread.  Every connection
it accepts is held open (its request read and ignored) until `release()`
closes them all, `stop()` is called or `hold` seconds have passed.  With
`trickle=<seconds>` it answers instead with a response head that never
ends: one byte every `trickle` seconds, which no per-read timeout notices.

It counts what a test needs: connections open now (`open`), the most open
at once (`most`) and accepted in all (`accepted`); `wait_for(n)` waits
(bounded) until `n` are open.
"""

import socket
import threading
import time

HEAD_START = b"HTTP/1.1 200 OK\r\nX-Slow: "


class Tarpit:
    def __init__(self, trickle=None, hold=30.0):
        self.trickle = trickle
        self.hold = hold
        self.open = self.most = self.accepted = 0
        self._changed = threading.Condition()
        self._released = threading.Event()
        self._stopped = threading.Event()
        self._listener = None
        self._thread = None

    @property
    def port(self):
        return self._listener.getsockname()[1]

    def url(self, path="/image"):
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self):
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self._listener.settimeout(0.05)
        self._thread = threading.Thread(target=self._accept, daemon=True, name="tarpit")
        self._thread.start()
        return self

    def stop(self):
        self._stopped.set()
        self.release()
        self._thread.join(5)
        self._listener.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def release(self):
        """Close every connection held (and any accepted from now on)."""
        self._released.set()

    def wait_for(self, count, timeout=10.0):
        """True once `count` connections are open at the same time."""
        with self._changed:
            return self._changed.wait_for(lambda: self.open >= count, timeout)

    # -- serving -------------------------------------------------------------

    def _accept(self):
        while not self._stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._changed:
                self.open += 1
                self.accepted += 1
                self.most = max(self.most, self.open)
                self._changed.notify_all()
            threading.Thread(target=self._hold, args=(conn,), daemon=True).start()

    def _hold(self, conn):
        start = time.monotonic()
        sent = 0
        try:
            conn.settimeout(0.05)
            if self.trickle:
                conn.sendall(HEAD_START)
            while not self._released.is_set() and time.monotonic() < start + self.hold:
                try:
                    if not conn.recv(65536):
                        break               # the client gave up
                except TimeoutError:
                    pass
                if self.trickle and time.monotonic() > start + (sent + 1) * self.trickle:
                    conn.sendall(b"a")
                    sent += 1
        except OSError:
            pass
        finally:
            conn.close()
            with self._changed:
                self.open -= 1
                self._changed.notify_all()
