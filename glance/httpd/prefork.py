"""Pre-forked worker processes for Glance's server: one GIL per core.

A Python process runs one thread at a time.  Under many busy keep-alive
connections the threads of one process spend more time handing the GIL to
each other than serving: every socket call and every sqlite3 call hands it
over, and on a virtual machine each hand-over is a costly context switch.
Measured on two cores, `HEAD /images/<id>` at sixteen connections went from
~1,900 req/s in one process to ~7,100 in two processes of eight.

`run(workers)` forks `workers` processes that go on to serve from the
listening socket they all inherited; the master stays behind, restarts a
worker that dies, forwards SIGTERM and SIGINT, and returns once every
worker has ended.  Workers die with the master (PR_SET_PDEATHSIG), so a
killed server never leaves orphans serving.

Connections a worker must not share with its siblings (database and
registry connections opened while the app started) are closed in the
master before each fork: their owners register with `close_before_fork()`.
When a worker dies while the server runs on, owners registered with
`on_worker_exit()` clean up after it (the API kills that worker's
interrupted uploads).
"""

import ctypes
import logging
import os
import select
import signal
import time
import weakref

LOG = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1        # prctl(2)
RESTART_DELAY = 1.0         # seconds between restarts of a worker that keeps dying
READY_TIMEOUT = 30.0        # seconds the first workers have to start serving
_SIGNALS = {signal.SIGCHLD, signal.SIGTERM, signal.SIGINT}
_OWNERS = weakref.WeakSet()
_WATCHERS = weakref.WeakSet()
_ready_fd = None            # in a worker: where worker_ready() tells the master


class NotReady(RuntimeError):
    """The workers did not start serving; they have been stopped."""


def close_before_fork(owner):
    """Call `owner.close_connections()` in this process before every fork."""
    _OWNERS.add(owner)


def on_worker_exit(owner):
    """Call `owner.worker_exited(pid)` in the master after a worker died
    (not during a stop): the API's recovery of that worker's uploads."""
    _WATCHERS.add(owner)


def _worker_exited(pid):
    for owner in list(_WATCHERS):
        try:
            owner.worker_exited(pid)
        except Exception:   # supervising the workers goes on
            LOG.exception("handling the end of worker %d failed", pid)


def _close_connections():
    for owner in list(_OWNERS):
        try:
            owner.close_connections()
        except Exception:   # a fork must not fail for it; the worker opens its own
            LOG.exception("closing connections before a fork failed")


os.register_at_fork(before=_close_connections)


class Master:
    """Forks and supervises the workers (see the module docstring)."""

    def __init__(self, workers, shutdown_timeout=10.0, on_ready=None):
        self.workers = workers
        self.shutdown_timeout = shutdown_timeout
        self.on_ready = on_ready    # called once, when the first workers all serve
        self.children = set()       # pids of the workers alive
        self.stopping = False
        self._deadline = None
        self._last_death = 0.0
        self._pid = os.getpid()
        self._ready_r = self._ready_w = None
        self._ready = 0             # "ready" bytes read from the first workers
        self._gave_up = False

    def run(self):
        """True in a freshly forked worker; False in the master once all
        workers have ended.  NotReady when they never started serving."""
        global _ready_fd
        old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
        self._ready_r, self._ready_w = os.pipe()
        os.set_blocking(self._ready_w, False)
        worker = False
        try:
            started = time.monotonic()
            while True:
                if not self.stopping and self._fork_missing():
                    worker = True
                    return True     # the finally restores the worker's signal mask
                if self.stopping and not self.children:
                    break
                if self._ready < self.workers and not self.stopping:
                    self._await_ready(started)
                else:
                    self._wait()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
            os.close(self._ready_r)
            if worker:
                _ready_fd = self._ready_w
            else:
                os.close(self._ready_w)
        if self._gave_up:
            raise NotReady(f"the workers did not start serving within {READY_TIMEOUT:.0f} s")
        return False

    def _await_ready(self, started):
        """Count the first workers' "ready" bytes; then call on_ready()."""
        readable, _, _ = select.select([self._ready_r], [], [], 0.05)
        if readable:
            self._ready += len(os.read(self._ready_r, 64))
            if self._ready >= self.workers and self.on_ready is not None:
                self.on_ready()
        self._signals(0)
        self._reap()
        if self._ready < self.workers and time.monotonic() - started > READY_TIMEOUT:
            self._gave_up = True
            self.stop()

    def _signals(self, timeout):
        info = signal.sigtimedwait(_SIGNALS, timeout)
        if info is not None and info.si_signo in (signal.SIGTERM, signal.SIGINT):
            self.stop()

    def _fork_missing(self):
        while len(self.children) < self.workers:
            if time.monotonic() - self._last_death < RESTART_DELAY:
                return False    # one just died: wait a little, never fork in a tight loop
            pid = os.fork()
            if pid == 0:
                _die_with_parent(self._pid)
                return True
            self.children.add(pid)
        return False

    def _wait(self):
        self._signals(0.5)
        self._reap()
        if self.stopping and time.monotonic() > self._deadline:
            for pid in self.children:
                _kill(pid, signal.SIGKILL)

    def stop(self):
        if not self.stopping:
            self.stopping = True
            self._deadline = time.monotonic() + self.shutdown_timeout + 5.0
            for pid in self.children:
                _kill(pid, signal.SIGTERM)

    def _reap(self):
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                self.children.clear()
                return
            if pid == 0:
                return
            if pid not in self.children or self.stopping:
                self.children.discard(pid)
                continue    # stopping: the next start's recovery takes what was cut off
            self.children.discard(pid)
            self._last_death = time.monotonic()
            LOG.warning("worker %d ended (%s); starting another", pid, _describe(status))
            _worker_exited(pid)


def run(workers, shutdown_timeout=10.0, on_ready=None):
    """Fork `workers` workers: True in each of them, False in the master
    when they have all ended (after SIGTERM or SIGINT).  Each worker calls
    `worker_ready()` once it serves; `on_ready()` runs in the master when
    the first `workers` all have."""
    return Master(workers, shutdown_timeout, on_ready).run()


def worker_ready():
    """In a worker: tell the master this worker now serves."""
    if _ready_fd is not None:
        try:
            os.write(_ready_fd, b"r")
        except OSError:     # nobody reads any more (a restarted worker): fine
            pass


def _die_with_parent(parent):
    """Have the kernel kill this worker when the master dies (Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:      # the master died before the prctl
        os._exit(1)


def _kill(pid, signum):
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _describe(status):
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"
