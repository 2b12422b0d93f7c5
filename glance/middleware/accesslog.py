"""The `accesslog` filter: one log line per request, and a request id.

Every response gets an `X-Request-Id` header (the caller's own, when it sent
a well-formed one, else a fresh one).  The line — method, path, status,
bytes sent, milliseconds, request id — is written when the response body is
finished, so the duration of a long download is its real duration.
"""

import logging
import re
import time
import uuid

from glance.common import config

LOG = logging.getLogger("glance.access")
REQUEST_ID_KEY = "glance.request_id"
_CALLER_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}\Z")


class _Exchange:
    """What the log line needs to know about one request/response."""

    def __init__(self, environ):
        self.method = environ.get("REQUEST_METHOD", "-")
        self.path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        self.request_id = environ[REQUEST_ID_KEY]
        self.started = time.perf_counter()
        self.status = "-"
        self.sent = 0
        self.logged = False

    def log(self):
        if self.logged:
            return
        self.logged = True
        elapsed_ms = (time.perf_counter() - self.started) * 1000
        LOG.info("%s %s %s %d %.1fms %s", self.method, self.path, self.status,
                 self.sent, elapsed_ms, self.request_id)


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


class AccessLog:
    def __init__(self, app, enabled=True):
        self.app = app
        self.enabled = enabled

    def __call__(self, environ, start_response):
        caller_id = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = caller_id if _CALLER_ID.match(caller_id) else "req-" + uuid.uuid4().hex
        environ[REQUEST_ID_KEY] = request_id
        exchange = _Exchange(environ)

        def start_logged(status, headers, exc_info=None):
            exchange.status = status.split(" ", 1)[0]
            headers = list(headers) + [("X-Request-Id", request_id)]
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
        return _CountingBody(body, exchange)


def filter_factory(global_conf, **local_conf):
    conf = config.load(global_conf, local_conf)

    def make_filter(app):
        return AccessLog(app, enabled=conf.access_log)
    return make_filter
