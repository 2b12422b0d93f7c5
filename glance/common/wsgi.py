"""Small WSGI helpers shared by the apps and filters.

The one place where domain errors become HTTP: `STATUS_FOR_ERROR` maps each
error class to a status and `error_response()` renders the short JSON body
`{"code": ..., "message": ..., "image_id": ...}`.
"""

import json
import logging
import re
from http import HTTPStatus
from urllib.parse import parse_qsl

from glance.common import exception

LOG = logging.getLogger(__name__)

# Most specific classes first: the first isinstance() match wins.
STATUS_FOR_ERROR = [
    (exception.HeadersTooLarge, 431),
    (exception.RangeNotSatisfiable, 416),
    (exception.UnsupportedMediaType, 400),
    (exception.NoImageData, 404),
    (exception.UnknownScheme, 400),
    (exception.InsufficientStorage, 507),
    (exception.OriginUnavailable, 502),
    (exception.Invalid, 400),
    (exception.NotAuthenticated, 401),
    (exception.Forbidden, 403),
    (exception.NotFound, 404),
    (exception.Duplicate, 409),
    (exception.Conflict, 409),
    (exception.TooLarge, 413),
    (exception.RegistryUnavailable, 503),
    (exception.StoreError, 502),
    (exception.GlanceError, 500),
]

JSON_TYPE = "application/json"
MAX_JSON_BODY = 16 << 20


def status_line(code):
    return f"{code} {HTTPStatus(code).phrase}"


def status_for(exc):
    for cls, code in STATUS_FOR_ERROR:
        if isinstance(exc, cls):
            return code
    return 500


def error_document(exc):
    body = {"code": exc.code, "message": exc.message}
    if exc.image_id is not None:
        body["image_id"] = exc.image_id
    return body


def json_response(start_response, code, document, headers=(), head=False):
    """Encode `document` once and send it with its Content-Length."""
    body = json.dumps(document, separators=(",", ":")).encode()
    start_response(status_line(code), [
        ("Content-Type", JSON_TYPE),
        ("Content-Length", str(len(body))),
        *headers,
    ])
    return [] if head else [body]


def error_response(environ, start_response, exc):
    code = status_for(exc)
    headers = []
    if code == 401:
        headers.append(("WWW-Authenticate", 'Token realm="glance"'))
    if code == 405:
        headers.append(("Allow", ", ".join(exc.allowed)))
    if code == 416:
        headers.append(("Content-Range", f"bytes */{exc.size}"))
    if code >= 500:
        LOG.error("%s %s failed: %s", environ.get("REQUEST_METHOD"),
                  environ.get("PATH_INFO"), exc.message)
    return json_response(start_response, code, error_document(exc), headers,
                         head=environ.get("REQUEST_METHOD") == "HEAD")


def unexpected_error_response(environ, start_response):
    """Last resort: log the traceback, send no detail to the client."""
    LOG.exception("unexpected error on %s %s", environ.get("REQUEST_METHOD"),
                  environ.get("PATH_INFO"))
    exc = exception.GlanceError("internal error; see the server log")
    return json_response(start_response, 500, error_document(exc))


def query_params(environ):
    """The query string as a dict (last value wins), decoded as UTF-8."""
    try:
        pairs = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True,
                          errors="strict")
    except UnicodeDecodeError:
        raise exception.Invalid("the query string is not valid UTF-8") from None
    return dict(pairs)


def read_json(environ, limit=MAX_JSON_BODY):
    """The request body parsed as JSON; `Invalid` when it is not."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise exception.Invalid("Content-Length must be an integer") from None
    if length < 0:
        raise exception.Invalid("Content-Length must not be negative")
    if length > limit:
        raise exception.TooLarge(f"JSON body over {limit} bytes")
    stream = environ["wsgi.input"]
    if length:
        raw = stream.read(length)
    elif is_chunked(environ):
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise exception.TooLarge(f"JSON body over {limit} bytes")
    else:
        raw = b""
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise exception.Invalid("the request body is not valid JSON") from None


def is_chunked(environ):
    return "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()


def has_body(environ):
    """True when the request carries a body: Content-Length > 0 or chunked."""
    if is_chunked(environ):
        return True
    try:
        return int(environ.get("CONTENT_LENGTH") or 0) > 0
    except ValueError:
        raise exception.Invalid("Content-Length must be an integer") from None


def request_base_url(environ):
    """scheme://host[:port] of the request, for building image URIs."""
    scheme = environ.get("wsgi.url_scheme", "http")
    default_port = {"http": "80", "https": "443"}.get(scheme)
    host = environ.get("HTTP_HOST")
    if not host:
        host = environ.get("SERVER_NAME", "localhost")
        port = environ.get("SERVER_PORT", "")
        if port and port != default_port:
            host = f"{host}:{port}"
    elif host.endswith(f":{default_port}"):
        host = host[: -len(default_port) - 1]
    return f"{scheme}://{host}"


class Router:
    """Maps (method, path regex) to handlers; 404/405 for the rest.

    Handlers are called as handler(environ, start_response, **groups).
    HEAD falls back to a GET handler when no HEAD handler is registered.
    """

    def __init__(self):
        self._routes = []

    def add(self, method, pattern, handler):
        self._routes.append((method, re.compile(pattern + r"\Z"), handler))

    def match(self, method, path):
        allowed = set()
        for route_method, regex, handler in self._routes:
            found = regex.match(path)
            if not found:
                continue
            if route_method == method:
                return handler, found.groupdict()
            allowed.add(route_method)
        if method == "HEAD" and "GET" in allowed:
            return self.match("GET", path)
        if allowed:
            raise MethodNotAllowed(sorted(allowed))
        raise exception.NotFound(f"no such resource: {path}")


class MethodNotAllowed(exception.GlanceError):
    code = "request.method_not_allowed"

    def __init__(self, allowed):
        super().__init__(f"method not allowed; use {', '.join(allowed)}")
        self.allowed = allowed


STATUS_FOR_ERROR.insert(0, (MethodNotAllowed, 405))
