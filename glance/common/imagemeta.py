"""The one codec between `x-image-meta-*` headers and image dicts (CONTRACT §3).

Requests: header names are case-insensitive and `-` equals `_`; property keys
are lower-cased with `-` turned into `_`; values are stripped, decoded from
UTF-8 and typed by their row of the field table (`glance.common.fields`):
integers within the row's range, booleans `true`/`false` (for both, and
for `id`, empty or `None` means "not given"), a checksum 1-32 hex digits,
the rest text.  Answers (`response_headers`): a null field is left out
(`size` is sent as 0), booleans `True`/`False`, integers digits, text
UTF-8; read back (`answer_to_meta`), a missing field is null.  The Python
client's requests (`meta_to_headers`) send null as empty.  Header values
travel as WSGI/http.client native strings, i.e. the raw bytes decoded as
latin-1, so both directions re-code through latin-1.

The image app calls it itself, on the way in and on the way out, and the
Python client reads and writes its headers with it.  The one other v1
header of an image request, `x-glance-registry-purge-props`, is read here
too (`purge_props`).
"""

from glance.common import fields
from glance.common.exception import Invalid

PREFIX = fields.HEADER_PREFIX
PROPERTY_PREFIX = PREFIX + "property-"
PURGE_PROPS_HEADER = "x-glance-registry-purge-props"
_PURGE_PROPS_ENVIRON = "HTTP_" + PURGE_PROPS_HEADER.upper().replace("-", "_")

# field name → its row, for every field that is a v1 header.
_HEADER_FIELDS = {field.name: field for field in fields.FIELDS if field.header}
CORE_FIELDS = tuple(_HEADER_FIELDS)
MAX_INT = fields.MAX_INT

_CORE_HEADER_NAMES = tuple((field.name, field.header) for field in _HEADER_FIELDS.values())
_ENVIRON_PREFIX = "HTTP_X_IMAGE_META_"
_BOUND_TEXT = {fields.MAX_INT: "2^63-1"}
_HEX = frozenset("0123456789abcdefABCDEF")


def _decode(value, name):
    """A native (latin-1) header string back to the text the client sent."""
    try:
        return value.encode("latin-1").decode("utf-8").strip()
    except UnicodeEncodeError:
        return value.strip()          # already text (e.g. built in-process)
    except UnicodeDecodeError:
        raise Invalid(f"header {name} is not valid UTF-8") from None


def _encode(text):
    return text.encode("utf-8").decode("latin-1")


def parse_int(field, text, minimum=0, maximum=MAX_INT):
    """A header's integer: decimal digits within [minimum, maximum].

    An integer outside the range (a sign included: `-1`) is "'<field>' value
    out of range", Glance's words, which its clients and tests look for;
    anything else that is no integer says so.  Both name the field.
    """
    digits = text[1:] if text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit()):
        raise Invalid(f"Invalid value {_quoted(text)} for '{field}': it must be a "
                      "non-negative integer (decimal digits)")
    # 40 digits are far outside any range: no need to convert a megabyte of them.
    number = -1 if digits is not text or len(digits) > 40 else int(digits)
    if not minimum <= number <= maximum:
        raise Invalid(f"'{field}' value out of range: {_quoted(text)} is not from {minimum} "
                      f"to {_BOUND_TEXT.get(maximum, maximum)}")
    return number


def _quoted(text):
    """A client's value as a message repeats it: quoted, at most 40 characters."""
    return f"'{text[:40]}...'" if len(text) > 40 else f"'{text}'"


def parse_bool(field, text):
    lowered = text.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise Invalid(f"{field} must be true or false, got {text!r}")


def parse_checksum(text):
    """An MD5 a client declares: 1-32 hex digits (CONTRACT §3), kept as sent
    (checksums compare case-insensitively)."""
    if len(text) > 32:
        raise Invalid(f"Invalid checksum '{text[:80]}': can't exceed 32 characters")
    if not all(c in _HEX for c in text):
        raise Invalid(f"Invalid checksum '{text[:80]}': is not hexadecimal")
    return text


def _parse_core(field, text, meta):
    row = _HEADER_FIELDS[field]
    if row.kind in (fields.INT, fields.BOOL) or field == "id":
        # Empty or `None` (any case: glanceclient sends it for "not chosen")
        # means "not given".
        if text and text.lower() != "none":
            meta[field] = (parse_int(field, text, row.minimum or 0, row.maximum or MAX_INT)
                           if row.kind == fields.INT
                           else parse_bool(field, text) if row.kind == fields.BOOL
                           else text)
    elif field == "checksum":
        meta[field] = parse_checksum(text) if text else None
    else:
        meta[field] = text or None


def normalise_key(key):
    """Header/filter key spelling: lower case, `-` as `_`."""
    return key.lower().replace("-", "_")


def headers_to_meta(pairs):
    """(name, value) header pairs → image dict with a `properties` dict.

    Headers that are not `x-image-meta-*` are ignored, and so are
    `x-image-meta-*` names that are neither a core field nor a property.
    """
    meta = {}
    properties = {}
    for name, value in pairs:
        lowered = normalise_key(name)
        if not lowered.startswith("x_image_meta_"):
            continue
        text = _decode(value, name)
        field = lowered[len("x_image_meta_"):]
        if field.startswith("property_"):
            properties[field[len("property_"):]] = text
        elif field in _HEADER_FIELDS:
            _parse_core(field, text, meta)
    meta["properties"] = properties
    return meta


def answer_to_meta(pairs):
    """The headers of a v1 answer (HEAD or GET of an image) → image dict:
    as `headers_to_meta`, and a core field the answer left out is null
    (CONTRACT §3, §7: answers omit null fields)."""
    meta = headers_to_meta(pairs)
    for field in CORE_FIELDS:
        meta.setdefault(field, None)
    return meta


def environ_to_meta(environ):
    """The `x-image-meta-*` request headers of a WSGI environ as an image dict."""
    pairs = [(key[len("HTTP_"):], value) for key, value in environ.items()
             if key.startswith(_ENVIRON_PREFIX)]
    return headers_to_meta(pairs)


def purge_props(environ, default=False):
    """`x-glance-registry-purge-props` of a request: True (the sent properties
    replace the set), False (they are merged into it), or `default` when the
    header is absent, empty or `None`.  Any case; any other value is Invalid
    (CONTRACT §10: a typo must not silently merge or wipe properties).
    """
    raw = environ.get(_PURGE_PROPS_ENVIRON)
    value = (raw or "").strip().lower()
    if value in ("", "none"):
        return default
    if value in ("true", "false"):
        return value == "true"
    raise Invalid(f"{PURGE_PROPS_HEADER} must be true or false, got {raw[:40]!r}")


def _header_value(value):
    if type(value) is str:      # the common case, and plain ASCII needs no re-coding
        return value if value.isascii() else _encode(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    return _encode(str(value))


def meta_to_headers(image):
    """Image dict → `x-image-meta-*` request header pairs (native strings), as
    the Python client sends them: a null field as an empty value (which a
    server reads as null, or as "not given" for the typed fields)."""
    headers = [(name, _header_value(image[field]))
               for field, name in _CORE_HEADER_NAMES if field in image]
    for key, value in (image.get("properties") or {}).items():
        headers.append((PROPERTY_PREFIX + key, _header_value(value)))
    return headers


def response_headers(image):
    """Image dict → the `x-image-meta-*` headers of a v1 answer (CONTRACT §3).

    A null core field is left out (glanceclient takes an empty
    `x-image-meta-checksum` for a checksum and fails the download), except
    `size`, sent as 0; a property's "" is sent empty.
    """
    headers = []
    for field, name in _CORE_HEADER_NAMES:
        value = image.get(field)
        if value is None:
            if field != "size" or field not in image:
                continue
            value = 0
        headers.append((name, _header_value(value)))
    for key, value in (image.get("properties") or {}).items():
        headers.append((PROPERTY_PREFIX + key, _header_value(value)))
    return headers
