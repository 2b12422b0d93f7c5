"""A request head (RFC 9112 §2-6) turned into a WSGI environ: pure functions over bytes.

The server gathers a head off the connection without a worker thread
(server.py), `head_end()` finds where it ends, and `parse()` makes the
environ and says how the body is framed.  Nothing here touches a socket,
so every rule is tested on bytes (tests/httpd/test_request.py).

What a head may not do, and the answer (CONTRACT §6 "HTTP layer", §9, §10):
- a malformed request line or header line, obsolete line folding, a
  control character other than HTAB in a header value or in the target,
  a Content-Length that is not a decimal number → 400 (`MalformedRequest`);
- a Transfer-Encoding other than exactly `chunked` (case-insensitive, only
  SP/HTAB trimmed: `chunked\\x0b` and `chunked\\xa0` are refused), or with a
  Content-Length → 400; a list of codings naming one we do not speak (`gzip,
  chunked`) → 501 (`UnsupportedTransferCoding`);
- `X-Tenant-Id`, `X-User-Id`, `X-Roles` or `X-Service-Token` more than once
  → 400; `X-Auth-Token` more than once → 401 (`NotAuthenticated`);
- a head longer than the server's limit → 431 (`HeadersTooLarge`), from
  `head_end()`; a body announced longer than any image → 413 (`TooLarge`).

Header names containing `_` are dropped before anything reads them, except
the v1 codec's own (`x-image-meta-*`, `x-glance-*`): CGI spells `X-Roles`
and `X_Roles` both `HTTP_X_ROLES`, so one could pass for the other (as
gunicorn and waitress do).  Other repeated headers are joined with ",".
"""

import re
from urllib.parse import unquote_to_bytes

from glance.common.exception import (HeadersTooLarge, MalformedRequest, NotAuthenticated,
                                     TooLarge, UnsupportedTransferCoding)

_TOKEN = b"!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Every control character but HTAB, CR and LF, anywhere in a head (RFC 9110
# §5.5: field values are VCHAR, SP, HTAB and obs-text; CR and LF end lines,
# and a CR anywhere else is refused line by line).
_CONTROL_IN_HEAD = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_UNDERSCORE_KEPT = ("x-image-meta-", "x-glance-")
# Identity headers (the context filter and the registry read them): once at most.
_ONCE = {"HTTP_X_TENANT_ID": MalformedRequest, "HTTP_X_USER_ID": MalformedRequest,
         "HTTP_X_ROLES": MalformedRequest, "HTTP_X_SERVICE_TOKEN": MalformedRequest,
         "HTTP_X_AUTH_TOKEN": NotAuthenticated}
_MAX_LENGTH = (1 << 63) - 1     # no image is larger; the digits stay within int()'s limit
CHUNKED = None                  # parse()'s body length for a chunked body


def is_token(name):
    """True for an RFC 9110 token (header names, methods, codings)."""
    return bool(name) and not name.translate(None, _TOKEN)


def skip_blank_lines(buffer):
    """How many leading CRLF/LF bytes to drop: RFC 9112 §2.2 lets a server
    ignore empty lines before a request line (some clients send one after a
    body)."""
    index = 0
    while index < len(buffer) and buffer[index] in b"\r\n":
        index += 1
    return index


def head_end(buffer, limit, searched=0):
    """(end, searched): `end` is the index just past the blank line that ends
    the head at the start of `buffer`, or None while it has not arrived.

    `searched` is where a search of an earlier, shorter buffer stopped
    (the second value returned by that call): a head trickled a byte at a
    time is scanned once, not once per byte.  Past `limit` bytes without a
    blank line → HeadersTooLarge.  (RFC 9112 §2.2 lets a bare LF end a
    line: "\n\r\n" ends CRLF heads, "\n\n" the others.)
    """
    start = max(0, searched - 2)
    crlf = buffer.find(b"\n\r\n", start, limit)
    lf = buffer.find(b"\n\n", start, limit)
    if crlf >= 0 or lf >= 0:
        end = crlf + 3 if lf < 0 or 0 <= crlf < lf else lf + 2
        return end, end
    if len(buffer) >= limit:
        raise HeadersTooLarge(f"the request line and headers exceed {limit} bytes")
    return None, len(buffer)


def parse(head, base_environ, remote):
    """(environ without wsgi.input, body length or CHUNKED) of one head.

    `head` is the request line and header lines, up to and including the
    blank line (as `head_end()` delimits it); `remote` the client's
    (address, port).
    """
    bad = _CONTROL_IN_HEAD.search(head)
    if bad is not None:
        raise MalformedRequest(_control_message(head, bad.start()))
    lines = head.split(b"\n")
    method, target, version = _request_line(_strip_cr(lines[0]))
    environ = base_environ.copy()
    environ.update(_target(method, target))
    environ.update({"REQUEST_METHOD": method, "SERVER_PROTOCOL": version,
                    "REMOTE_ADDR": remote[0], "REMOTE_PORT": str(remote[1])})
    for raw in lines[1:]:
        line = _strip_cr(raw)
        if not line:
            break
        name, colon, value = line.partition(b":")
        if not colon or not is_token(name):
            if line[:1] in (b" ", b"\t"):
                raise MalformedRequest("obsolete line folding (a header line starting with "
                                       "whitespace) is not accepted")
            raise MalformedRequest(f"malformed header line {_shown(line)}")
        name = name.decode("ascii")
        if "_" in name and not name.lower().startswith(_UNDERSCORE_KEPT):
            continue
        key = name.upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        value = value.strip(b" \t").decode("latin-1")
        if key in environ:
            if key in _ONCE:    # names with "_" are gone: only the real header repeats
                raise _ONCE[key](f"{name} appears more than once in the request")
            value = environ[key] + ("; " if key == "HTTP_COOKIE" else ",") + value
        environ[key] = value
    return environ, _body_length(environ)


def _strip_cr(line):
    if line.endswith(b"\r"):
        line = line[:-1]
    if b"\r" in line:
        raise MalformedRequest(f"a bare CR inside a line of the request head: {_shown(line)}")
    return line


def _control_message(head, index):
    """What to say about the control character at `index` of `head`."""
    start = head.rfind(b"\n", 0, index) + 1
    if start == 0:
        return f"the request line contains a control character: {_shown(head[:index + 1])}"
    name = head[start:index].partition(b":")[0]
    return f"the value of header {_shown(name.decode('latin-1'))} contains a control character"


def _request_line(line):
    text = line.decode("latin-1")
    parts = text.split(" ")
    if (len(parts) != 3 or not is_token(parts[0].encode("latin-1"))
            or not parts[1] or b"\t" in line):
        raise MalformedRequest(f"malformed request line {_shown(text)}")
    method, target, version = parts
    if version not in ("HTTP/1.1", "HTTP/1.0"):
        raise MalformedRequest(f"unsupported protocol {_shown(version[:20])}; use HTTP/1.1")
    return method, target, version


def _target(method, target):
    path, _, query = target.partition("?")
    if not path.startswith("/"):
        if "://" in path:       # absolute-form, as sent to proxies
            path = "/" + path.split("://", 1)[1].partition("/")[2]
        elif not (method == "OPTIONS" and path == "*"):
            raise MalformedRequest(f"malformed request target {_shown(target)}")
    return {"PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
            "QUERY_STRING": query, "REQUEST_URI": target}


def _body_length(environ):
    """Content-Length as an int, CHUNKED, or 0 without either (RFC 9112 §6.3)."""
    coding = environ.get("HTTP_TRANSFER_ENCODING")
    length = environ.get("CONTENT_LENGTH")
    if coding is not None:
        if length is not None:
            raise MalformedRequest("a request cannot have both Content-Length and "
                                   "Transfer-Encoding")
        _check_coding(coding)
        return CHUNKED
    if length is None:
        return 0
    if not (length.isascii() and length.isdigit()):
        raise MalformedRequest(f"Content-Length must be a non-negative integer, "
                               f"got {_shown(length)}")
    if len(length) > 19 or int(length) > _MAX_LENGTH:
        raise TooLarge(f"a request body of {length[:30]}... bytes is larger than any image")
    return int(length)


def _check_coding(coding):
    """Only exactly `chunked` (RFC 9112 §6.1, 7): anything else is refused."""
    if coding.lower() == "chunked":
        return
    codings = [item.strip(" \t") for item in coding.split(",")]
    if all(is_token(item.encode("latin-1")) for item in codings):
        unknown = [item for item in codings if item.lower() != "chunked"]
        if unknown:
            raise UnsupportedTransferCoding(
                f"unsupported Transfer-Encoding {_shown(unknown[0])}; only chunked is")
    raise MalformedRequest(f"malformed Transfer-Encoding {_shown(coding)}; use chunked")


def _shown(text, limit=80):
    """A piece of the request for an error message: short, control characters escaped."""
    return ascii(text[:limit])
