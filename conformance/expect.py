"""Shared expectations about responses: statuses, JSON, errors, image records, headers.

Every function takes the test's `Verifier` and names the clause it judges,
so the same rule is worded and accepted (in all its permitted forms) in one
place only.
"""

import hashlib
import ipaddress
import json
import re
from urllib.parse import urlsplit

BRIEF_FIELDS = ("id", "uri", "name", "type", "disk_format", "container_format",
                "checksum", "size")
DETAIL_ONLY = ("status", "location", "store", "owner", "is_public", "created_at",
               "updated_at", "deleted_at", "deleted", "properties")
CORE_FIELDS = BRIEF_FIELDS + DETAIL_ONLY[:-1]  # properties travel as property-k
STATUSES = ("queued", "saving", "active", "killed")
STRING_OR_NULL = ("name", "type", "disk_format", "container_format", "checksum",
                  "store", "owner", "location", "deleted_at", "created_at", "updated_at")
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\Z")
EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"
OCTETS = "application/octet-stream"
META = "x-image-meta-"
PROP = "x-image-meta-property-"


def md5(data):
    return hashlib.md5(data).hexdigest()


def _short(res):
    body = res.body[:300].decode("utf-8", "replace") if res.body else ""
    return f"{res.status}" + (f" {body!r}" if body else "")


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


def status(v, clause, res, expected, what):
    expected = (expected,) if isinstance(expected, int) else tuple(expected)
    return v.check(clause, res.status_int in expected,
                   f"{what}: expected {' or '.join(map(str, expected))}, got {_short(res)}")


def require_status(v, clause, res, expected, what):
    if not status(v, clause, res, expected, what):
        v.raise_if_violated()


def is_json_type(res):
    ctype = (header(res, "Content-Type") or "").split(";")[0].strip().lower()
    return ctype == "application/json"


def json_doc(v, clause, res, what, key=None, json_clause="JSON-1"):
    """Parse a JSON answer (checking its Content-Type); raise if it is unusable."""
    v.check(json_clause, is_json_type(res),
            f"{what}: Content-Type is {header(res, 'Content-Type')!r}, not application/json")
    try:
        doc = json.loads(res.body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        v.fail(clause, f"{what}: body is not JSON: {_short(res)}")
    if key is not None:
        v.require(clause, isinstance(doc, dict) and key in doc,
                  f"{what}: expected a JSON object with key {key!r}, got {_short(res)}")
        return doc[key]
    return doc


def error(v, clause, res, expected, what, names=None, err_clause="ERR-1"):
    """A 4xx answer: the status, the error document, and the cause it must name."""
    if not status(v, clause, res, expected, what):
        return False
    if res.request.method == "HEAD":
        return True
    ok = is_json_type(res)
    doc = None
    if ok:
        try:
            doc = json.loads(res.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            ok = False
    error = doc.get("error") if isinstance(doc, dict) else None
    shaped = ok and list(doc) == ["error"] and isinstance(error, dict) \
        and error.get("code") == res.status_int and isinstance(error.get("title"), str) \
        and isinstance(error.get("message"), str) and isinstance(error.get("type"), str)
    v.check(err_clause, shaped,
            f"{what}: error body must be JSON {{\"error\": {{\"code\": {res.status_int}, "
            f"\"title\": str, \"message\": str, \"type\": str}}}} and nothing else, with "
            f"Content-Type application/json, got {header(res, 'Content-Type')!r} {_short(res)}")
    if names is not None:
        message = error["message"] if shaped else res.body.decode("utf-8", "replace")
        v.check(clause, names.lower() in message.lower(),
                f"{what}: the error message must name {names!r}, got {message!r}")
    return True


def image_of(v, clause, res, what):
    image = json_doc(v, clause, res, what, key="image")
    v.require(clause, isinstance(image, dict), f"{what}: `image` is not an object")
    return image


def images_of(v, clause, res, what):
    images = json_doc(v, clause, res, what, key="images")
    v.require(clause, isinstance(images, list) and all(isinstance(i, dict) for i in images),
              f"{what}: `images` is not a list of objects")
    return images


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
IMAGE_ID = re.compile(
    r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[1-9][0-9]{0,18})\Z")


def is_image_id(value):
    """A revision-2 image id: a lower-case UUID, or a migrated decimal id (a string)."""
    return isinstance(value, str) and bool(IMAGE_ID.match(value))


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def full_image(v, image, ctx, what, versioned=False, registry=False):
    """Judge a full image record (IMG-*), as the API or the registry sends it."""
    iid = image.get("id")
    what = f"{what} (image {iid})"
    fields = [f for f in BRIEF_FIELDS + DETAIL_ONLY if f not in ("location", "uri")]
    missing = [f for f in fields if f not in image]
    if not registry:
        missing += [] if "uri" in image else ["uri"]
    v.check("IMG-1", not missing, f"{what}: missing fields {missing}")
    v.check("IMG-1", is_image_id(iid), f"{what}: id must be an image id string, got {iid!r}")
    size = image.get("size")
    v.check("IMG-1", (is_int(size) and size >= 0) or (registry and size is None),
            f"{what}: size must be an integer ≥ 0, got {size!r}")
    for f in STRING_OR_NULL:
        if f in image:
            v.check("IMG-1", image[f] is None or isinstance(image[f], str),
                    f"{what}: {f} must be a string or null, got {image[f]!r}")
    for f in ("is_public", "deleted"):
        if f in image:
            v.check("IMG-1", isinstance(image[f], bool),
                    f"{what}: {f} must be a boolean, got {image[f]!r}")
    props = image.get("properties")
    if "properties" in image:
        v.check("IMG-1", isinstance(props, dict) and all(
            isinstance(k, str) and isinstance(x, str) for k, x in props.items()),
            f"{what}: properties must be an object of strings, got {props!r}")
    if "status" in image:
        v.check("IMG-2", image["status"] in STATUSES,
                f"{what}: status {image['status']!r} is not one of {STATUSES}")
    for f in ("created_at", "updated_at", "deleted_at"):
        value = image.get(f)
        if isinstance(value, str):
            v.check("IMG-5", bool(TIMESTAMP.match(value)),
                    f"{what}: {f} {value!r} is not YYYY-MM-DDTHH:MM:SS.ffffff")
    if image.get("checksum") is not None:
        v.check("IMG-11", bool(re.fullmatch(r"[0-9a-fA-F]{32}", image["checksum"])),
                f"{what}: checksum {image['checksum']!r} is not an MD5 hex digest")
    if registry:
        v.check("REG-10", "uri" not in image, f"{what}: the registry must omit `uri`")
    elif "uri" in image:
        uri(v, image["uri"], iid, ctx.api_base, versioned, what)
    location_visibility(v, "location" in image, ctx, what + ": JSON key `location`")


def location_visibility(v, shown, ctx, what):
    if ctx.is_admin is True:
        v.check("IMG-9", shown, f"{what} is missing, but the caller is an admin")
    elif ctx.is_admin is False:
        v.check("IMG-9", not shown, f"{what} is shown to a non-admin")


def _loopback(host):
    if host in ("localhost",):
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


def brief_entry(v, entry, ctx, what, versioned=False, registry=False):
    iid = entry.get("id")
    fields = [f for f in BRIEF_FIELDS if not (registry and f == "uri")]
    missing = [f for f in fields if f not in entry]
    clause = "REG-1" if registry else "API-LIST-1"
    v.check(clause, not missing, f"{what}: brief entry {iid!r} lacks {missing}")
    v.check(clause, is_image_id(iid), f"{what}: brief entry id {iid!r} is not an image id")
    extra = [f for f in DETAIL_ONLY if f in entry]
    v.check("API-LIST-2", not extra,
            f"{what}: brief entry {iid!r} carries detail-only fields {extra}")
    if registry:
        v.check("REG-10", "uri" not in entry, f"{what}: the registry must omit `uri`")
    elif "uri" in entry:
        uri(v, entry["uri"], iid, ctx.api_base, versioned, what)


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
    if value is None:
        return ""
    if value is True:
        return "True"
    if value is False:
        return "False"
    return str(value)


def metadata_headers(v, res, image, ctx, what, versioned=False):
    """HDR-1/2/3/8/10: the HEAD/GET headers carry the same record as the JSON."""
    core, props, names = meta_headers(res)
    wanted = [f for f in CORE_FIELDS if f != "location"]
    # A null field is left out, except size, sent as 0 (§3); the JSON says which are null.
    null = [f for f in wanted if f in image and image[f] is None and f != "size"]
    missing = [f for f in wanted if f not in core and f not in null]
    v.check("HDR-1", not missing,
            f"{what}: missing headers {[META + f for f in missing]} (names must keep underscores; "
            f"got {sorted(names)})")
    sent_null = [f for f in null if f in core]
    v.check("HDR-1", not sent_null,
            f"{what}: headers {[META + f for f in sent_null]} sent for null fields "
            "(a null field is left out)")
    if "uri" in missing:
        v.check("HDR-10", False, f"{what}: no x-image-meta-uri header")
    if not (ctx.is_admin is True and "location" in image and image["location"] is None):
        # (an admin's image without a location has no header to show: null is left out)
        location_visibility(v, "location" in core, ctx, what + ": header x-image-meta-location")
    for field in wanted:
        if field in core and field in image:
            expected = as_header_text(0 if field == "size" and image[field] is None
                                      else image[field])
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
