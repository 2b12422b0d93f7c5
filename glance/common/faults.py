"""Where domain errors become HTTP: one table, one renderer (CONTRACT §9).

`ERRORS` maps every class of `glance.common.exception` to its status and its
stable machine code (`type`); the title is the status's reason phrase.  The
most specific class wins (the table is searched along the error's MRO), so a
subclass without a row answers as its parent.  Every error answer of the API,
the registry and the server's own early errors (400, 408, 413, 431, 501) is
rendered by `document()`, with `json.dumps`' default separators like every
JSON answer (Glance's own tests compare bodies byte for byte);
`error_from()` reads such an answer back into the domain error it came
from, for the registry client.
"""

import json
import logging
import re
from http import HTTPStatus

from glance.common import exception, httpclient

LOG = logging.getLogger(__name__)

JSON_TYPE = "application/json"

# class: (status, type).  A literal table: the docs' error table is made from it.
ERRORS = {
    exception.GlanceError: (500, "glance.error"),
    exception.Invalid: (400, "image.invalid"),
    exception.MalformedRequest: (400, "request.malformed"),
    exception.UnsupportedMediaType: (415, "image.bad_content_type"),
    exception.ClientDisconnected: (400, "image.upload_incomplete"),
    exception.UnknownScheme: (400, "store.unknown"),
    exception.NotAuthenticated: (401, "auth.required"),
    exception.Forbidden: (403, "auth.forbidden"),
    exception.Protected: (403, "image.protected"),
    exception.NotFound: (404, "image.not_found"),
    exception.NoImageData: (404, "image.no_data"),
    exception.MethodNotAllowed: (405, "http.method_not_allowed"),
    exception.RequestTimeout: (408, "request.timeout"),
    exception.Duplicate: (409, "image.duplicate"),
    exception.Conflict: (409, "image.conflict"),
    exception.TooLarge: (413, "image.too_large"),
    exception.QuotaExceeded: (413, "quota.exceeded"),
    exception.RangeNotSatisfiable: (416, "image.range_not_satisfiable"),
    exception.HeadersTooLarge: (431, "request.headers_too_large"),
    exception.UnsupportedTransferCoding: (501, "request.unsupported_transfer_coding"),
    exception.StoreError: (502, "store.error"),
    exception.OriginUnavailable: (502, "store.origin_unavailable"),
    exception.OriginBusy: (503, "store.origin_busy"),
    exception.RegistryUnavailable: (503, "registry.unavailable"),
    exception.TooManyConnections: (503, "request.too_many_connections"),
    exception.InsufficientStorage: (507, "store.full"),
    exception.ServiceBusy: (503, "server.busy"),
    exception.ConfigError: (500, "config.invalid"),
}

# Answers read back by `error_from`: every class built from a message alone.
_BY_TYPE = {code: cls for cls, (_, code) in ERRORS.items()
            if cls not in (exception.MethodNotAllowed, exception.RangeNotSatisfiable)}
INTERNAL_MESSAGE = "internal error; see the server log"


def fault_of(exc):
    """(status, type) of a domain error: the row of its most specific class."""
    for cls in type(exc).__mro__:
        row = ERRORS.get(cls)
        if row is not None:
            return row
    return ERRORS[exception.GlanceError]


def status_line(status):
    return f"{status} {HTTPStatus(status).phrase}"


def document(exc):
    """The JSON error document of `exc`: `{"error": {"code": <status>, "title":
    <reason phrase>, "message", "type": <machine code>}}` and nothing else
    (every real Glance client reads this shape; a flat one crashed them).
    The image id, where it matters, is part of the message."""
    status, code = fault_of(exc)
    return {"error": {"code": status, "title": HTTPStatus(status).phrase,
                      "message": exc.message, "type": code}}


def render(exc):
    """(status line, headers, body bytes) of the error answer to `exc`."""
    status, _ = fault_of(exc)
    body = json.dumps(document(exc)).encode()
    headers = [("Content-Type", JSON_TYPE), ("Content-Length", str(len(body))),
               *exc.headers]
    return status_line(status), headers, body


# C0 and C1 controls, DEL, the Unicode line separators, and the backslash
# that introduces our escapes (so an escape in the input stays readable).
_UNLOGGABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\\\\]")


def escaped(value):
    """`value` fit for one log line: control characters as `\\xNN` (`\\uNNNN`)."""
    return _UNLOGGABLE.sub(_escape, str(value))


def _escape(match):
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def error_response(environ, start_response, exc):
    """Answer a WSGI request with `exc` (no body for HEAD).

    Server errors are logged with their message; an error's `detail` (what
    the client must not see: locations, origins, store paths) is logged for
    any status, escaped, and never sent.
    """
    line, headers, body = render(exc)
    status = fault_of(exc)[0]
    if status >= 500 or exc.detail:
        LOG.log(logging.ERROR if status >= 500 else logging.WARNING,
                "%s %s failed (%d): %s%s", escaped(environ.get("REQUEST_METHOD")),
                escaped(environ.get("PATH_INFO")), status, escaped(exc.message),
                f" [{escaped(exc.detail)}]" if exc.detail else "")
    start_response(line, headers)
    return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]


def unexpected_error_response(environ, start_response):
    """Last resort: log the traceback, send no detail to the client."""
    LOG.exception("unexpected error on %s %s", environ.get("REQUEST_METHOD"),
                  environ.get("PATH_INFO"))
    return error_response(environ, start_response, exception.GlanceError(INTERNAL_MESSAGE))


def raw_response(exc):
    """A complete HTTP/1.1 error message for the server's own early errors,
    after which it closes the connection."""
    line, headers, body = render(exc)
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    return f"HTTP/1.1 {line}\r\n{head}Connection: close\r\n\r\n".encode("latin-1") + body


# The class a bare status stands for when the body does not say.
_STATUS_CLASS = {
    400: exception.Invalid,
    401: exception.NotAuthenticated,
    403: exception.Forbidden,
    404: exception.NotFound,
    409: exception.Duplicate,
    413: exception.TooLarge,
    415: exception.UnsupportedMediaType,
}


def error_from(status, payload, fallback=exception.RegistryUnavailable):
    """The domain error an error answer (status, body bytes) stands for.

    The body's machine code names the class (either shape, read by
    `httpclient.decode_error`); a body without one (or a status this table
    does not give that class) falls back to the class of the status, and to
    `fallback` for statuses no client-side class stands for.
    """
    code, message, image_id = httpclient.decode_error(payload)
    if message is None:
        text = payload.decode("utf-8", "replace").strip() if payload else ""
        message = (text[:200] + "...") if len(text) > 200 else (text or f"HTTP {status}")
    cls = _BY_TYPE.get(code)
    if cls is None or ERRORS[cls][0] != status or cls is exception.GlanceError:
        cls = _STATUS_CLASS.get(status, fallback)
    return cls(message, image_id=image_id)
