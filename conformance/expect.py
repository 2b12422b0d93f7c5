"""Shared expectations about responses: statuses, JSON, errors, image records, headers.

Every function takes the test's `Verifier` and names the clause it judges,
so the same rule is worded and accepted (in all its permitted forms) in one
place only.  Header-level expectations live in `conformance.expect_headers`.
"""

import hashlib
import json
import re
from email.utils import parsedate_to_datetime

from conformance.expect_headers import (  # noqa: F401 - re-exported for the checks
    META, PROP, as_header_text, etag_value, header, location_visibility, meta_headers,
    metadata_headers, text_of, uri, wire)

BRIEF_FIELDS = ("id", "name", "disk_format", "container_format", "checksum", "size")
BRIEF_EXTENSIONS = ("uri", "type")
FULL_FIELDS = ("id", "name", "disk_format", "container_format", "size", "virtual_size",
               "checksum", "status", "is_public", "protected", "min_disk", "min_ram",
               "owner", "created_at", "updated_at", "deleted_at", "deleted", "properties")
EXTENSION_FIELDS = ("uri", "type", "store", "os_hash_algo", "os_hash_value", "status_reason")
DETAIL_ONLY = tuple(f for f in FULL_FIELDS + EXTENSION_FIELDS + ("location",)
                    if f not in BRIEF_FIELDS + BRIEF_EXTENSIONS)
STATUSES = ("queued", "saving", "active", "killed", "deleted", "deactivated", "uploading",
            "importing")
STRING_OR_NULL = ("name", "type", "disk_format", "container_format", "checksum", "store",
                  "owner", "location", "deleted_at", "os_hash_algo", "os_hash_value",
                  "status_reason")
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\Z")
ANY_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?\Z")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"
OCTETS = "application/octet-stream"
# §9's `type` for each status, where one cause has one type (ERR-3).
ERROR_TYPES = {400: ("image.invalid", "store.unknown", "image.upload_incomplete",
                     "request.malformed"),
               401: ("auth.required",), 403: ("auth.forbidden", "image.protected"),
               404: ("image.not_found", "image.no_data"), 405: ("http.method_not_allowed",),
               409: ("image.duplicate", "image.conflict"),
               413: ("quota.exceeded", "image.too_large"), 415: ("image.bad_content_type",),
               416: ("image.range_not_satisfiable",)}
ERROR_TYPE = re.compile(r"[a-z0-9_.]+\Z")


def md5(data):
    return hashlib.md5(data).hexdigest()


def _short(res):
    body = res.body[:300].decode("utf-8", "replace") if res.body else ""
    return f"{res.status}" + (f" {body!r}" if body else "")


def status(v, clause, res, expected, what):
    expected = (expected,) if isinstance(expected, int) else tuple(expected)
    return v.check(clause, res.status_int in expected,
                   f"{what}: expected {' or '.join(map(str, expected))}, got {_short(res)}")


def require_status(v, clause, res, expected, what):
    """Like `status`, but the test cannot go on when the clause binds and is broken."""
    expected = (expected,) if isinstance(expected, int) else tuple(expected)
    v.require(clause, res.status_int in expected,
              f"{what}: expected {' or '.join(map(str, expected))}, got {_short(res)}")


def is_json_type(res):
    ctype = (header(res, "Content-Type") or "").split(";")[0].strip().lower()
    return ctype == "application/json"


def separators(v, res, doc, what):
    """JSON-2: the body is what `json.dumps` writes for it (either escaping of non-ASCII)."""
    text = res.body.decode("utf-8", "replace")
    v.check("JSON-2", text in (json.dumps(doc), json.dumps(doc, ensure_ascii=False)),
            f"{what}: the JSON does not use the separators ', ' and ': ' "
            f"(json.dumps' defaults): {text[:120]!r}")


def json_doc(v, clause, res, what, key=None, json_clause="JSON-1"):
    """Parse a JSON answer (checking its Content-Type); raise if it is unusable."""
    v.check(json_clause, is_json_type(res),
            f"{what}: Content-Type is {header(res, 'Content-Type')!r}, not application/json")
    try:
        doc = json.loads(res.body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        v.fail(clause, f"{what}: body is not JSON: {_short(res)}")
    separators(v, res, doc, what)
    if key is not None:
        v.require(clause, isinstance(doc, dict) and key in doc,
                  f"{what}: expected a JSON object with key {key!r}, got {_short(res)}")
        return doc[key]
    return doc


def error_message(res):
    """(message, shaped): the message of the contract's shape, else the whole body."""
    body = res.body.decode("utf-8", "replace")
    try:
        doc = json.loads(body)
    except ValueError:
        return body, False
    err = doc.get("error") if isinstance(doc, dict) else None
    if isinstance(err, dict) and isinstance(err.get("message"), str):
        return err["message"], True
    return body, False


def error(v, clause, res, expected, what, names=None, types=None):
    """An error answer: the status, the cause it names, and the shape of the body."""
    if not status(v, clause, res, expected, what):
        return False
    if res.request.method == "HEAD":
        v.check("ERR-1", res.body == b"", f"{what}: a HEAD error carries a body")
        return True
    doc = None
    if is_json_type(res):
        try:
            doc = json.loads(res.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            doc = None
    err = doc.get("error") if isinstance(doc, dict) else None
    shaped = isinstance(doc, dict) and list(doc) == ["error"] and isinstance(err, dict) \
        and err.get("code") == res.status_int and isinstance(err.get("title"), str) \
        and isinstance(err.get("message"), str) and isinstance(err.get("type"), str)
    v.check("ERR-2", shaped,
            f"{what}: error body must be JSON {{\"error\": {{\"code\": {res.status_int}, "
            f"\"title\": str, \"message\": str, \"type\": str}}}} and nothing else, got "
            f"{header(res, 'Content-Type')!r} {_short(res)}")
    if shaped:
        wanted = types or ERROR_TYPES.get(res.status_int)
        good = bool(ERROR_TYPE.match(err["type"])) and (not wanted or err["type"] in wanted)
        v.check("ERR-3", good, f"{what}: error type {err['type']!r} is not "
                               f"{' or '.join(wanted) if wanted else '[a-z0-9_.]+'}")
    v.check("ERR-1", bool(res.body.strip()), f"{what}: the error has no body")
    if names is not None:
        message, _ = error_message(res)
        v.check(clause, names.lower() in message.lower(),
                f"{what}: the error must say {names!r}, got {message[:300]!r}")
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


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def image_id(v, iid, what, new=True):
    """IMG-10: a string id; a new image's id is a lower-case UUID."""
    if new:
        v.check("IMG-10", isinstance(iid, str) and bool(UUID.match(iid)),
                f"{what}: a new image's id must be a lower-case UUID string, got {iid!r}")
    else:
        v.check("IMG-10", isinstance(iid, str) and bool(UUID.match(iid) or iid.isdigit()),
                f"{what}: id {iid!r} is not a UUID or decimal string")


def server_clock(res):
    """The server's time from its Date header (naive UTC), or None."""
    value = header(res, "Date")
    try:
        stamp = parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None
    return stamp.replace(tzinfo=None) if stamp is not None else None


def not_ahead(v, res, image, what, ctx):
    """IMG-13: no timestamp of `image` is after the Date of the answer that carries it.

    In-process there is no HTTP server to send a Date: the app shares this
    process's clock, so that clock (plus a second) stands in for it.
    """
    import datetime
    now = server_clock(res)
    if now is None and ctx.kind == "wsgi":
        now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) \
            + datetime.timedelta(seconds=1)
    if now is None:
        return
    for field in ("created_at", "updated_at"):
        value = image.get(field)
        if isinstance(value, str) and ANY_TIMESTAMP.match(value):
            stamp = datetime.datetime.fromisoformat(value).replace(microsecond=0)
            v.check("IMG-13", stamp <= now,
                    f"{what}: {field} {value} is ahead of the server's clock (Date: "
                    f"{header(res, 'Date')})")


def full_image(v, image, ctx, what, versioned=True, registry=False):
    """Judge a full v1 image record (IMG-*), as the API or the registry sends it."""
    iid = image.get("id")
    what = f"{what} (image {iid})"
    missing = [f for f in FULL_FIELDS if f not in image]
    v.check("IMG-1", not missing, f"{what}: missing fields {missing}")
    image_id(v, iid, what, new=False)
    ext = [f for f in EXTENSION_FIELDS if f not in image and not (registry and f == "uri")]
    v.check("IMG-15", not ext, f"{what}: lacks the extension fields {ext}")
    size = image.get("size")
    v.check("IMG-1", (is_int(size) and size >= 0) or (registry and size is None),
            f"{what}: size must be an integer ≥ 0, got {size!r}")
    for f in ("min_disk", "min_ram"):
        if f in image:
            v.check("IMG-1", is_int(image[f]) and 0 <= image[f] < 2 ** 31,
                    f"{what}: {f} must be an integer 0…2^31−1, got {image[f]!r}")
    if "virtual_size" in image:
        v.check("IMG-1", image["virtual_size"] is None or is_int(image["virtual_size"]),
                f"{what}: virtual_size must be an integer or null, got "
                f"{image['virtual_size']!r}")
    for f in STRING_OR_NULL + ("created_at", "updated_at"):
        if f in image:
            nullable = f not in ("created_at", "updated_at")
            v.check("IMG-1", (nullable and image[f] is None) or isinstance(image[f], str),
                    f"{what}: {f} must be a string{' or null' if nullable else ''}, got "
                    f"{image[f]!r}")
    for f in ("is_public", "deleted", "protected"):
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
        v.check("IMG-11", bool(re.fullmatch(r"[0-9a-fA-F]{32}", str(image["checksum"]))),
                f"{what}: checksum {image['checksum']!r} is not an MD5 hex digest")
    if registry:
        v.check("REG-10", "uri" not in image, f"{what}: the registry must omit `uri`")
    elif v.check("IMG-3", "uri" in image, f"{what}: no `uri`"):
        uri(v, image["uri"], iid, ctx.api_base, versioned, what)
    location_visibility(v, "location" in image, ctx, what + ": JSON key `location`")


def brief_entry(v, entry, ctx, what, versioned=True, registry=False):
    iid = entry.get("id")
    missing = [f for f in BRIEF_FIELDS if f not in entry]
    clause = "REG-1" if registry else "API-LIST-1"
    v.check(clause, not missing, f"{what}: brief entry {iid!r} lacks {missing}")
    image_id(v, iid, f"{what}: brief entry", new=False)
    if not registry:
        ext = [f for f in BRIEF_EXTENSIONS if f not in entry]
        v.check("API-LIST-9", not ext, f"{what}: brief entry {iid!r} lacks {ext}")
    extra = [f for f in DETAIL_ONLY if f in entry]
    v.check("API-LIST-2", not extra,
            f"{what}: brief entry {iid!r} carries detail-only fields {extra}")
    if registry:
        v.check("REG-10", "uri" not in entry, f"{what}: the registry must omit `uri`")
    elif v.check("IMG-3", "uri" in entry, f"{what}: brief entry {iid!r} has no `uri`"):
        uri(v, entry["uri"], iid, ctx.api_base, versioned, what)


def image_url(v, clause, res, image_id_, ctx, what, prefix="/v1"):
    """`Location` of a create: the absolute URL of the image under the path asked."""
    from urllib.parse import urlsplit
    got, base = urlsplit(header(res, "Location") or ""), urlsplit(ctx.api_base)
    default = {"http": 80, "https": 443}
    v.check(clause, got.scheme == base.scheme and (got.hostname or "").lower() ==
            (base.hostname or "").lower() and (got.port or default.get(got.scheme)) ==
            (base.port or default.get(base.scheme)) and got.path ==
            f"{base.path.rstrip('/')}{prefix}/images/{image_id_}",
            f"{what}: Location {header(res, 'Location')!r} is not "
            f"{ctx.api_base}{prefix}/images/{image_id_}")
