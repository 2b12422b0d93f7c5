"""The `accesslog` filter: one log line per request, and its request id.

Every answer, whatever its status (errors, 300, HEAD and 204 included),
gets a fresh `x-openstack-request-id: req-<uuid4>` (CONTRACT §6), the
header every OpenStack client reads, and the same value as `X-Request-Id`.
A caller's own `X-OpenStack-Request-ID` (or, from older callers,
`X-Request-Id`) is never echoed: ids are ours, so no caller can make two
requests share one; it is logged beside ours, which ties the two together.
The line — method, path, status, bytes sent, milliseconds, request id,
caller's id (`-` when none was sent, `?` when it was malformed) — is
written when the response body is finished, so the duration of a long
download is its real duration.  Every value in it has its control
characters escaped (`glance.common.logs`): a path with `%0d%0a` in it
cannot start a line of its own, whatever formatter the log's handlers use.
"""

import atexit
import contextlib
import logging
import os
import queue
import random
import re
import threading
import time

from glance.common import config
from glance.common.logs import escape

LOG = logging.getLogger("glance.access")
REQUEST_ID_KEY = "glance.request_id"
REQUEST_ID_HEADER = "x-openstack-request-id"
_CALLER_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}\Z")
_VERSION_4 = (0x4 << 76) | (0x2 << 62)        # the UUID version and variant bits
_RANDOM_ONLY = ~((0xF << 76) | (0x3 << 62)) & ((1 << 128) - 1)


def new_request_id():
    """`req-<uuid4>`, fresh: a random UUID version 4 without a system call
    per request (`uuid.uuid4()` reads os.urandom; `random` is reseeded in
    every forked worker, so two workers never draw the same ids)."""
    h = f"{random.getrandbits(128) & _RANDOM_ONLY | _VERSION_4:032x}"
    return f"req-{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def caller_id(environ):
    """The id the caller gave its request, as the log line shows it: `-`
    when it gave none, `?` when it was not 1-64 of `A-Za-z0-9_.:-`."""
    given = (environ.get("HTTP_X_OPENSTACK_REQUEST_ID")
             or environ.get("HTTP_X_REQUEST_ID") or "")
    if not given:
        return "-"
    return given if _CALLER_ID.match(given) else "?"


class BackgroundWriter:
    """Hands access-log records to `logging` from one thread of its own.

    Under load, request threads taking turns on the log handler's lock
    (held across the write to stderr) cost more than the rest of a HEAD
    request; queueing the record costs next to nothing.  The thread wakes
    at most once per `BATCH_WAIT` seconds and writes what has gathered by
    then, with one write per stream handler for the whole batch: a write
    per line is a system call per request, each handing the GIL over.
    Records still queued at exit are written then.
    """

    BATCH_WAIT = 0.02
    _shared = None
    _lock = threading.Lock()

    def __init__(self, logger=LOG, thread=True):
        """Without `thread`, nothing is written until `flush()` (tests)."""
        self._logger = logger
        self._queue = queue.SimpleQueue()
        if thread:
            self._start()
            atexit.register(self.flush)
            # A forked worker (prefork.py) has no thread of ours: it starts its own.
            os.register_at_fork(after_in_child=self._start)

    def _start(self):
        self._queue = queue.SimpleQueue()
        threading.Thread(target=self._run, name="glance-accesslog", daemon=True).start()

    @classmethod
    def shared(cls):
        """The process's one writer (one thread however many pipelines load)."""
        with cls._lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def __call__(self, record):
        self._queue.put(record)

    def _run(self):
        while True:
            first = self._queue.get()
            time.sleep(self.BATCH_WAIT)
            self._write([first])

    def flush(self):
        self._write([])

    def _write(self, records):
        with contextlib.suppress(queue.Empty):
            while True:
                records.append(self._queue.get_nowait())
        if records and not self._logger.disabled:
            _handle_batch(self._logger, [r for r in records if self._logger.filter(r)])


def _handle_batch(logger, records):
    """What `logger.handle()` does for each record, except that the lines
    for a plain StreamHandler are joined and written at once."""
    found = False
    current = logger
    while current is not None:
        for handler in current.handlers:
            found = True
            mine = [r for r in records if r.levelno >= handler.level]
            if type(handler) is logging.StreamHandler:
                _write_lines(handler, mine)
            else:
                for record in mine:
                    handler.handle(record)
        current = current.parent if current.propagate else None
    if not found and logging.lastResort is not None:
        for record in records:
            if record.levelno >= logging.lastResort.level:
                logging.lastResort.handle(record)


def _write_lines(handler, records):
    lines = []
    for record in records:
        if handler.filter(record):
            try:
                lines.append(handler.format(record) + handler.terminator)
            except Exception:
                handler.handleError(record)
    if not lines:
        return
    with handler.lock:
        try:
            handler.stream.write("".join(lines))
            handler.flush()
        except Exception:
            handler.handleError(records[-1])


class _Exchange:
    """What the log line needs to know about one request/response."""

    def __init__(self, environ, emit=LOG.handle):
        self.emit = emit
        self.method = environ.get("REQUEST_METHOD", "-")
        self.path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        self.request_id = environ[REQUEST_ID_KEY]
        self.caller_id = caller_id(environ)
        self.started = time.perf_counter()
        self.status = "-"
        self.sent = 0
        self.logged = False

    def log(self):
        if self.logged:
            return
        self.logged = True
        if not LOG.isEnabledFor(logging.INFO):
            return
        elapsed_ms = (time.perf_counter() - self.started) * 1000
        # makeRecord: LOG.info() would also walk the stack to find its caller.
        self.emit(LOG.makeRecord(
            LOG.name, logging.INFO, __file__, 0, "%s %s %s %d %.1fms %s %s",
            (escape(self.method), escape(self.path), escape(self.status), self.sent,
             elapsed_ms, self.request_id, self.caller_id),  # ours, and matched _CALLER_ID
            None))


class _CountingBody:
    def __init__(self, body, exchange):
        self._body = body
        self._exchange = exchange

    def __iter__(self):
        for chunk in self._body:
            self._exchange.sent += len(chunk)
            yield chunk

    def close(self):
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._exchange.log()


class _LoggedList(list):
    """A body given whole, as a list: counted at once, logged when closed.

    It stays a list, so the server still sends it with its length in one go.
    """

    def __init__(self, body, exchange):
        super().__init__(body)
        self._exchange = exchange
        exchange.sent = sum(map(len, body))

    def close(self):
        self._exchange.log()


class AccessLog:
    """`emit` takes each log record: `LOG.handle` (here and now, the default)
    or a `BackgroundWriter`."""

    def __init__(self, app, enabled=True, emit=None):
        self.app = app
        self.enabled = enabled
        self.emit = emit or LOG.handle

    def __call__(self, environ, start_response):
        request_id = environ[REQUEST_ID_KEY] = new_request_id()
        exchange = _Exchange(environ, self.emit)

        def start_logged(status, headers, exc_info=None):
            exchange.status = status.split(" ", 1)[0]
            headers = list(headers) + [(REQUEST_ID_HEADER, request_id),
                                       ("X-Request-Id", request_id)]
            if environ.get("REQUEST_METHOD") != "HEAD":
                for name, value in headers:
                    if name.lower() == "content-length" and value.isdigit():
                        exchange.content_length = int(value)
            return start_response(status, headers, exc_info)

        body = self.app(environ, start_logged)
        if not self.enabled:
            return body
        file_wrapper = environ.get("wsgi.file_wrapper")
        if isinstance(file_wrapper, type) and isinstance(body, file_wrapper):
            # Keep the server's sendfile path: log when the server closes it.
            exchange.sent = getattr(exchange, "content_length", 0)
            inner_close = body.close

            def close_and_log():
                try:
                    inner_close()
                finally:
                    exchange.log()
            body.close = close_and_log
            return body
        if type(body) is list:
            return _LoggedList(body, exchange)
        return _CountingBody(body, exchange)


def filter_factory(global_conf, **local_conf):
    conf = config.load(global_conf, local_conf)

    def make_filter(app):
        return AccessLog(app, enabled=conf.access_log, emit=BackgroundWriter.shared())
    return make_filter
