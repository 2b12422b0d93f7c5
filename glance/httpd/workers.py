"""The worker threads of Glance's server: started on demand, up to a bound.

A connection holds a thread only while a worker serves a request on it.
Most of that time is app code, which the run slots bound (exchange.RunSlot:
`busy_threads` at once); the rest is waiting on the client, body bytes in
or answer bytes out, at whatever pace the client keeps (pace.py sets the
minimum).  So the number of threads is not what bounds the CPU work, and a
fixed pool would only let a few hundred slow uploads or stalled downloads
hold every thread while the server idles.  `Workers` keeps `core` threads
ready and starts more whenever a job would otherwise wait, up to `most`;
a thread beyond the core that has had nothing to do for `IDLE_SECONDS`
ends.  A thread blocked in a socket call costs little: its stack is
reserved, not resident (the slow-client test measures the total).
"""

import logging
import queue
import threading
import time

LOG = logging.getLogger(__name__)
IDLE_SECONDS = 30.0


class Workers:
    """Runs `handle(job)` for each submitted job on a thread of its own pool."""

    def __init__(self, handle, core, most, name="glance-http", idle_seconds=IDLE_SECONDS):
        self._handle = handle
        self.core = core
        self.most = max(most, core)
        self._name = name
        self._idle_seconds = idle_seconds
        self._jobs = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = set()
        self._idle = 0          # threads waiting for a job
        self._pending = 0       # jobs submitted and not yet taken
        self._stopping = False
        self._serial = 0

    def start(self):
        with self._lock:
            for _ in range(self.core):
                self._spawn()

    @property
    def count(self):
        return len(self._threads)

    def can_wait(self):
        """True when a thread may wait a little for its connection's next
        request: no job is waiting for a thread, or one can still start.
        (Handing the connection back to the loop instead costs two thread
        hand-overs; under load, each wait that is refused makes more.)"""
        return self._pending == 0 or len(self._threads) < self.most

    def submit(self, job):
        with self._lock:
            if self._stopping:
                return False
            self._pending += 1
            if self._pending > self._idle and len(self._threads) < self.most:
                self._spawn()
            self._jobs.put(job)
        return True

    def _spawn(self):
        """Start one thread (with the lock held)."""
        self._serial += 1
        thread = threading.Thread(target=self._run, name=f"{self._name}-{self._serial}",
                                  daemon=True)
        self._threads.add(thread)
        self._idle += 1
        thread.start()

    def _run(self):
        me = threading.current_thread()
        try:
            while True:
                try:
                    job = self._jobs.get(timeout=self._idle_seconds)
                except queue.Empty:
                    with self._lock:
                        # Stay while a job may be counting on this thread.
                        if len(self._threads) > self.core and self._pending < self._idle:
                            self._idle -= 1
                            return
                    continue
                with self._lock:
                    self._idle -= 1
                    self._pending -= 1
                if job is None:
                    return
                try:
                    self._handle(job)
                except Exception:   # the thread goes on with the next job
                    LOG.exception("unexpected error in a server thread")
                with self._lock:
                    self._idle += 1
        finally:
            with self._lock:
                self._threads.discard(me)

    def stop(self, timeout, on_late=None):
        """Stop taking jobs and end every thread; the jobs still queued are
        returned (never started).  When threads are still busy after
        `timeout` seconds, `on_late()` runs once (the server cuts their
        connections off) and each gets a second more."""
        with self._lock:
            self._stopping = True
            threads = list(self._threads)
            waiting = []
            while True:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is not None:
                    waiting.append(job)
            self._pending = 0
            for _ in threads:
                self._jobs.put(None)
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        if on_late is not None and any(thread.is_alive() for thread in threads):
            on_late()
            for thread in threads:
                thread.join(1.0)
        return waiting
