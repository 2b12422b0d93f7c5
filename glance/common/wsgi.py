"""Small WSGI helpers shared by the apps and filters: JSON answers, query
strings and bodies, the request's base URL, and a router.

Errors are rendered by `glance.common.faults`, not here.
"""

import json
import re
from urllib.parse import parse_qsl

from glance.common import exception, faults

JSON_TYPE = faults.JSON_TYPE
# The server's callable that gives this request's run slot back (glance.httpd).
GIVE_BACK_SLOT = "glance.give_back_slot"
MAX_JSON_BODY = 16 << 20


def json_response(start_response, code, document, headers=(), head=False):
    """Encode `document` once and send it with its Content-Length."""
    return encoded_json_response(start_response, code, encode_json(document), headers, head)


def encode_json(document):
    """The bytes of a JSON answer (or of a part of one, joined by the caller
    as `json.dumps` would join it).

    `json.dumps`' default separators (`", "`, `": "`), as every Glance
    sent: clients and Glance's own tests compare bodies byte for byte
    (`{"images": []}`).
    """
    return json.dumps(document).encode()


def encoded_json_response(start_response, code, body, headers=(), head=False):
    """Send a JSON answer already encoded (`encode_json`)."""
    start_response(faults.status_line(code), [
        ("Content-Type", JSON_TYPE),
        ("Content-Length", str(len(body))),
        *headers,
    ])
    return [] if head else [body]


def query_params(environ):
    """The query string as a dict (last value wins), decoded as UTF-8."""
    try:
        pairs = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True,
                          errors="strict")
    except UnicodeDecodeError:
        raise exception.Invalid("the query string is not valid UTF-8") from None
    return dict(pairs)


def read_json(environ, limit=MAX_JSON_BODY):
    """The request body parsed as JSON; `Invalid` when it is not: invalid
    UTF-8, NaN or Infinity, integers over Python's 4300 digits, nesting
    deeper than the interpreter recurses (CONTRACT §10)."""
    length = content_length(environ)
    if length is not None and length > limit:
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
        return json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite_float)
    except (ValueError, UnicodeDecodeError):
        raise exception.Invalid("the request body is not valid JSON") from None
    except RecursionError:
        raise exception.Invalid("the request body is not valid JSON: nested too deep") from None


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


def _finite_float(text):
    """JSON numbers are finite: 1e999 is refused like Infinity."""
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise ValueError(f"{text} is out of range")
    return number


def is_chunked(environ):
    return "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()


def content_length(environ):
    """The request's Content-Length as an int; None for a chunked body or
    none announced.  `Invalid` unless it is ASCII decimal digits (a server
    in front normally refuses such a request itself; this is for any other)."""
    if is_chunked(environ):
        return None
    text = (environ.get("CONTENT_LENGTH") or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()):
        raise exception.Invalid(f"Content-Length must be a non-negative integer, got {text!r}")
    return int(text)


def has_body(environ):
    """True when the request carries a body: Content-Length > 0 or chunked."""
    return is_chunked(environ) or bool(content_length(environ))


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
    HEAD falls back to a GET handler when no HEAD handler is registered,
    unless that GET route was added with `head=False`.
    """

    def __init__(self):
        self._routes = []

    def add(self, method, pattern, handler, head=True):
        self._routes.append((method, re.compile(pattern + r"\Z"), handler, head))

    def match(self, method, path):
        allowed = set()
        first_get = None        # the first GET route of the path decides HEAD
        for route_method, regex, handler, head in self._routes:
            found = regex.match(path)
            if not found:
                continue
            if route_method == method:
                return handler, found.groupdict()
            allowed.add(route_method)
            if route_method == "GET" and first_get is None:
                first_get = (handler, found.groupdict()) if head else False
        if method == "HEAD" and first_get:
            return first_get
        if allowed:
            raise exception.MethodNotAllowed(sorted(allowed))
        raise exception.NotFound(f"no such resource: {path}")


def give_back_slot(environ):
    """Before waiting on an image origin (name look-ups included): hand the
    request's run slot back, when the server offers it, so that a slow or
    hostile origin holds this request's thread but never another's turn."""
    give_back = environ.get(GIVE_BACK_SLOT)
    if give_back is not None:
        give_back()
