"""The suite's HTTP client: WebTest's `TestApp` plus a record of every exchange.

A `Client` wraps one `TestApp` (over an in-process app or over `HTTPProxy`).
It never raises on an HTTP status: tests judge statuses themselves.  Each
exchange is appended to the log of the test that is running, with
credentials redacted, so a failure report can show the request and the
response that prove it.
"""

import io
import re
import time
from urllib.parse import urlencode

from webtest import TestApp, TestRequest

from conformance.httpproxy import HEADER_NAMES_KEY

SECRET_HEADERS = {"x-auth-token", "authorization", "cookie", "set-cookie",
                  "proxy-authorization", "x-service-token", "x-auth-key"}
EXCERPT = 2048
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


def redact(name, value, secrets=()):
    if name.lower() in SECRET_HEADERS:
        return "[redacted]"
    value = _USERINFO.sub("[redacted]@", value)
    for secret in secrets:
        if secret:
            value = value.replace(secret, "[redacted]")
    return value


def excerpt(body):
    """A printable prefix of a body, marked when cut."""
    if not body:
        return ""
    head = body[:EXCERPT]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        text = "<binary: " + head[:64].hex() + ("…" if len(head) > 64 else "") + ">"
    if len(body) > EXCERPT:
        text += f"\n… ({len(body)} bytes in all)"
    return text


class Exchange(dict):
    """One request and its response, as plain data for the reports."""


class Client:
    def __init__(self, app, base_url, name, default_headers=(), secrets=(), lint=False):
        self.app = TestApp(app, lint=lint)
        self.base_url = base_url.rstrip("/")
        self.name = name
        self.default_headers = list(default_headers)
        self.secrets = [s for s in secrets if s]
        self.log = []

    def request(self, method, path, headers=(), body=None, content_type=None,
                chunked=False, query=None, json_body=None, auth=True, body_stream=None,
                content_length=None):
        """Send one request and return webtest's response; never raises on status."""
        if query:
            path += ("&" if "?" in path else "?") + (
                query if isinstance(query, str) else urlencode(query, doseq=True))
        sent = [(n, v) for n, v in self.default_headers if auth] + list(headers)
        if json_body is not None:
            import json
            body = json.dumps(json_body).encode("utf-8")
            content_type = content_type or "application/json"
        req = TestRequest.blank(path, method=method)
        for name, value in sent:
            req.headers[name] = value
        req.environ[HEADER_NAMES_KEY] = [n for n, _ in sent]
        if content_type is not None:
            req.environ["CONTENT_TYPE"] = content_type
        if chunked:
            req.environ["wsgi.input"] = body_stream or io.BytesIO(body or b"")
            req.environ.pop("CONTENT_LENGTH", None)
            req.environ["HTTP_TRANSFER_ENCODING"] = "chunked"
            req.environ["wsgi.input_terminated"] = True
        elif body is not None:
            req.environ["wsgi.input"] = io.BytesIO(body)
            req.environ["CONTENT_LENGTH"] = str(len(body))
        elif body_stream is not None:
            req.environ["wsgi.input"] = body_stream
            if content_length is not None:
                req.environ["CONTENT_LENGTH"] = str(content_length)
        elif method in ("POST", "PUT"):
            req.environ["wsgi.input"] = io.BytesIO(b"")
            req.environ["CONTENT_LENGTH"] = "0"
        started = time.monotonic()
        res = self.app.do_request(req, status="*", expect_errors=True)
        self.record(method, path, sent, content_type, body, chunked, res,
                    time.monotonic() - started)
        return res

    def record(self, method, path, sent, content_type, body, chunked, res, elapsed):
        req_headers = [(n, redact(n, v, self.secrets)) for n, v in sent]
        if content_type is not None:
            req_headers.append(("Content-Type", content_type))
        if chunked:
            req_headers.append(("Transfer-Encoding", "chunked"))
        elif body is not None:
            req_headers.append(("Content-Length", str(len(body))))
        self.log.append(Exchange(
            target=self.name,
            method=method,
            url=self.base_url + path,
            request_headers=req_headers,
            request_body=excerpt(body) if body else "",
            status=res.status,
            response_headers=[(n, redact(n, v, self.secrets)) for n, v in res.headerlist],
            response_body=excerpt(res.body),
            seconds=round(elapsed, 3),
        ))

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def head(self, path, **kw):
        return self.request("HEAD", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)
