"""The one codec between `x-image-meta-*` headers and image dicts (CONTRACT §3).

Requests: header names are case-insensitive and `-` equals `_`; property keys
are lower-cased with `-` turned into `_`; values are stripped, decoded from
UTF-8 and typed (`id`/`size` integers, `is_public`/`deleted` booleans).
Responses: null becomes the empty string, booleans `True`/`False`, integers
digits, text UTF-8.  Header values travel as WSGI/http.client native strings,
i.e. the raw bytes decoded as latin-1, so both directions re-code through
latin-1.
"""

from glance.common.exception import Invalid

PREFIX = "x-image-meta-"
PROPERTY_PREFIX = PREFIX + "property-"
PURGE_PROPS_HEADER = "x-glance-registry-purge-props"

INT_FIELDS = ("id", "size")
BOOL_FIELDS = ("is_public", "deleted")
TEXT_FIELDS = (
    "uri", "name", "type", "disk_format", "container_format", "checksum",
    "os_hash_algo", "os_hash_value", "store", "location", "status", "owner",
    "created_at", "updated_at", "deleted_at",
)
CORE_FIELDS = INT_FIELDS + BOOL_FIELDS + TEXT_FIELDS
MAX_INT = 2**63 - 1

_CORE_HEADER_NAMES = tuple((field, PREFIX + field) for field in CORE_FIELDS)
_ENVIRON_PREFIX = "HTTP_X_IMAGE_META_"
_ENVIRON_PROPERTY_PREFIX = _ENVIRON_PREFIX + "PROPERTY_"


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


def parse_int(field, text):
    if not text.isascii() or not text.isdigit():
        raise Invalid(f"{field} must be a non-negative integer, got {text!r}")
    number = int(text)
    if number > MAX_INT:
        raise Invalid(f"{field} must be at most 2^63-1, got {text!r}")
    return number


def parse_bool(field, text):
    lowered = text.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise Invalid(f"{field} must be true or false, got {text!r}")


def _parse_core(field, text, meta):
    if field in INT_FIELDS:
        if text:                      # empty means "not given"
            meta[field] = parse_int(field, text)
    elif field in BOOL_FIELDS:
        if text:
            meta[field] = parse_bool(field, text)
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
        elif field in CORE_FIELDS:
            _parse_core(field, text, meta)
    meta["properties"] = properties
    return meta


def environ_to_meta(environ):
    """The `x-image-meta-*` request headers of a WSGI environ as an image dict."""
    pairs = [(key[len("HTTP_"):], value) for key, value in environ.items()
             if key.startswith(_ENVIRON_PREFIX)]
    return headers_to_meta(pairs)


def purge_props_requested(environ):
    """True only for `x-glance-registry-purge-props: true` (any case)."""
    value = environ.get("HTTP_X_GLANCE_REGISTRY_PURGE_PROPS", "")
    return value.strip().lower() == "true"


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
    """Image dict → `x-image-meta-*` response header pairs (native strings)."""
    headers = [(name, _header_value(image[field]))
               for field, name in _CORE_HEADER_NAMES if field in image]
    for key, value in (image.get("properties") or {}).items():
        headers.append((PROPERTY_PREFIX + key, _header_value(value)))
    return headers
