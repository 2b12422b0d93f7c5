"""Byte ranges of an image download: `Range`, `If-Range` and `Content-Range` (RFC 9110 §14).

`requested_range(environ, size, etag)` answers what a GET should send: None
for the whole image (200), `(first, last)` for one slice (206), or it raises
`RangeNotSatisfiable` (416).  Glance serves one range at most: a request for
several is answered with the whole image, as RFC 9110 allows, because a
multipart/byteranges body is of no use to image clients and costs a second
code path.  A header Glance cannot parse, or in another unit than bytes, is
ignored (200), as the RFC asks.
"""

import re

from glance.common import exception

MAX_DIGITS = 19       # 2^63-1 has 19: longer numbers are no byte positions
_SPEC = re.compile(r"\s*([0-9]*)\s*-\s*([0-9]*)\s*\Z")


def parse(header, size):
    """The one range of a `Range` header value for an image of `size` bytes.

    → None (ignore the header: send everything), or (first, last) with
    0 <= first <= last < size.  Raises RangeNotSatisfiable when the range is
    well-formed but starts past the end (or the image is empty).
    """
    unit, equals, specs = header.partition("=")
    if not equals or unit.strip().lower() != "bytes":
        return None
    specs = [spec for spec in specs.split(",") if spec.strip()]
    if len(specs) != 1:
        return None         # none, or several: the whole image
    match = _SPEC.match(specs[0])
    if not match:
        return None
    first, last = match.groups()
    if len(first) > MAX_DIGITS or len(last) > MAX_DIGITS or not (first or last):
        return None
    if first:
        first = int(first)
        last = int(last) if last else None
        if last is not None and last < first:
            return None     # invalid: "bytes=5-2"
        if first >= size:
            raise _unsatisfiable(size)
        return first, size - 1 if last is None else min(last, size - 1)
    suffix = int(last)      # "bytes=-n": the last n bytes
    if suffix == 0 or size == 0:
        raise _unsatisfiable(size)
    return max(0, size - suffix), size - 1


def if_range_matches(value, etag):
    """True when `If-Range` names this image's entity tag (strong comparison).

    Glance's ETag is the MD5; quoted or bare is accepted, weak tags (W/"…")
    and dates never match, and neither does anything without an ETag.
    """
    value = value.strip()
    if not etag or value.startswith("W/"):
        return False
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return value.lower() == etag.lower()


def requested_range(environ, size, etag):
    """The range a GET asks for, after `If-Range`; None for the whole image."""
    header = environ.get("HTTP_RANGE")
    if header is None:
        return None
    if_range = environ.get("HTTP_IF_RANGE")
    if if_range is not None and not if_range_matches(if_range, etag):
        return None         # the client's partial copy is of other data: send it all
    return parse(header, size)


def content_range(first, last, size):
    return f"bytes {first}-{last}/{size}"


def _unsatisfiable(size):
    return exception.RangeNotSatisfiable(
        f"the requested range is not satisfiable: the image has {size} bytes", size=size)
