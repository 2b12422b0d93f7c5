"""Expectations about headers: reading them, `x-image-meta-*` records, `uri`, ETag.

Split from `conformance.expect` (one concept: what travels in headers).  Every
function that judges takes the test's `Verifier` and names its clause.
"""

import ipaddress
from urllib.parse import urlsplit

META = "x-image-meta-"
PROP = "x-image-meta-property-"
# Core fields of §3 that travel as headers; `uri`, `type`, `store`,
# `os_hash_*` and `status_reason` are extensions (IMG-15), `location` is
# judged apart (IMG-9/IMG-14).
CORE_HEADERS = ("id", "name", "disk_format", "container_format", "size", "virtual_size",
                "checksum", "status", "is_public", "protected", "min_disk", "min_ram",
                "owner", "created_at", "updated_at", "deleted_at", "deleted")
EXTENSION_HEADERS = ("uri", "type", "store", "os_hash_algo", "os_hash_value",
                     "status_reason")


def header(res, name):
    """The first value of header `name` (case-insensitive, spelling exact) or None."""
    name = name.lower()
    for n, value in res.headerlist:
        if n.lower() == name:
            return value
    return None


def text_of(value):
    """A header value as the text it carries (headers travel as UTF-8 bytes)."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def wire(text):
    """Text as a WSGI header value: its UTF-8 bytes, one code point per byte."""
    return text.encode("utf-8").decode("latin-1")


def etag_value(value):
    if value is None:
        return None
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def meta_headers(res):
    """(core fields, properties, exact lower-cased names) from `x-image-meta-*` headers."""
    core, props, names = {}, {}, set()
    for name, value in res.headerlist:
        low = name.lower()
        if low.startswith(PROP):
            props[low[len(PROP):]] = text_of(value)
            names.add(low)
        elif low.startswith(META):
            core[low[len(META):]] = text_of(value)
            names.add(low)
    return core, props, names


def as_header_text(value):
    """How §3 spells a JSON value in a header."""
    if value is True:
        return "True"
    if value is False:
        return "False"
    return str(value)


def location_visibility(v, shown, ctx, what, null=False):
    """IMG-9 (non-admins never see it) and IMG-14 (admins do; a null header is left out)."""
    if ctx.is_admin is True and not null:
        v.check("IMG-14", shown, f"{what} is missing, but the caller is an admin")
    elif ctx.is_admin is False:
        v.check("IMG-9", not shown, f"{what} is shown to a non-admin")


def _loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def uri(v, value, image_id, base_url, versioned, what):
    """IMG-3/IMG-4: `<scheme>://<host>[:port][/v1]/images/<id>` on the server asked."""
    if not isinstance(value, str):
        v.check("IMG-3", False, f"{what}: uri {value!r} is not a string")
        return
    got, base = urlsplit(value), urlsplit(base_url)
    default = {"http": 80, "https": 443}
    absolute = got.scheme in ("http", "https") and bool(got.hostname)
    if not v.check("IMG-3", absolute, f"{what}: uri {value!r} is not an absolute http(s) URL"):
        return
    same_host = (got.hostname or "").lower() == (base.hostname or "").lower() or (
        _loopback(got.hostname or "") and _loopback(base.hostname or ""))
    same_port = (got.port or default.get(got.scheme)) == (base.port or default.get(base.scheme))
    v.check("IMG-3", same_host and same_port and got.scheme == base.scheme,
            f"{what}: uri {value!r} does not name the server that answered ({base_url})")
    prefix = base.path.rstrip("/")
    plain, v1 = f"{prefix}/images/{image_id}", f"{prefix}/v1/images/{image_id}"
    v.check("IMG-3", got.path in (plain, v1) and not got.query,
            f"{what}: uri path {got.path!r} is not {plain!r} or {v1!r}")
    if got.path in (plain, v1):
        v.check("IMG-4", (got.path == v1) == versioned,
                f"{what}: uri {value!r} {'lacks' if versioned else 'has'} /v1 but the request "
                f"came {'under' if versioned else 'outside'} /v1")


def metadata_headers(v, res, image, ctx, what, versioned=True):
    """HDR-1/2/3/8/10, IMG-15: the HEAD/GET headers carry the same record as the JSON."""
    core, props, names = meta_headers(res)
    null = [f for f in CORE_HEADERS + EXTENSION_HEADERS
            if f in image and image[f] is None and f != "size"]
    missing = [f for f in CORE_HEADERS if f not in core and f not in null]
    v.check("HDR-1", not missing,
            f"{what}: missing headers {[META + f for f in missing]} (names keep underscores; "
            f"got {sorted(names)})")
    sent_null = [f for f in null if f in core]
    v.check("HDR-1", not sent_null,
            f"{what}: headers {[META + f for f in sent_null]} sent for null fields (a null "
            "field is left out)")
    if "size" in core and image.get("size") is None:
        v.check("HDR-1", core["size"] == "0",
                f"{what}: size null must travel as 0, got {core['size']!r}")
    ext = [f for f in EXTENSION_HEADERS if f not in core and f not in null]
    v.check("IMG-15", not ext, f"{what}: lacks the extension headers {[META + f for f in ext]}")
    v.check("HDR-10", "uri" in core, f"{what}: no x-image-meta-uri header")
    location_visibility(v, "location" in core, ctx, what + ": header x-image-meta-location",
                        null=image.get("location", "") is None)
    for field in CORE_HEADERS + EXTENSION_HEADERS:
        if field in core and field in image and image[field] is not None:
            expected = as_header_text(image[field])
            clause = "HDR-3" if not isinstance(image[field], str) else "HDR-8"
            if field == "uri":
                clause = "HDR-10"
            v.check(clause, core[field] == expected,
                    f"{what}: x-image-meta-{field} is {core[field]!r}, the record says "
                    f"{expected!r}")
    if isinstance(image.get("properties"), dict):
        v.check("HDR-2", props == image["properties"],
                f"{what}: x-image-meta-property-* headers give {props}, the record says "
                f"{image['properties']}")
    return core, props
