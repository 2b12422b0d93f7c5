"""`GET /v2/images`: its query string as the registry's `ImageQuery`, and
its `first` and `next` links (CONTRACT §4 Lists, §10 Lists).

This is the one parser of v2 list parameters (v1's is
`glance.registry.query.from_v1_params`).  It reads them as Glance 33 does,
with Glance's messages, and says what they mean in the registry's terms:
which *scopes* of images (public, own, shared with the caller, community,
all), which filters, which order, which page.  The route asks for one
image more than the page holds: that tells whether `next` is due (`links`).

Parameters: `limit`, `marker`, `sort_key` and `sort_dir` (repeatable,
paired in order; one direction applies to every key) or
`sort=k1[:dir],k2…` (not both → 400), and the filters.  A filter given
twice keeps its last value, except `tag` (every one must match) and
`created_at`/`updated_at` (every comparison must hold).  Any parameter
this API does not know filters on the custom property of that name.
Values the registry could never hold (a tag with `/`, a property name
with `:`, control characters) are 400, here as in the registry server,
so that the in-process and the HTTP registry answer alike.
"""

import re
from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlencode

from glance.api.v2 import schemas, view
from glance.api.v2.attributes import short
from glance.common import exception, fields
from glance.common.fields import MAX_INT
from glance.registry import records, validation
from glance.registry.query import DEFAULT_SCOPE, ImageQuery

MAX_LIMIT = 1000
MAX_PARAMETERS = 1000
SORT_KEYS = ("name", "status", "container_format", "disk_format", "size", "id",
             "created_at", "updated_at")
SORT_DIRS = ("asc", "desc")
VISIBILITIES = schemas.VISIBILITIES + ("all",)
MEMBER_STATUSES = schemas.MEMBER_STATUSES + ("all",)
TIME_OPERATORS = ("gt", "gte", "lt", "lte", "eq", "neq")
# Filters on a field of the record that match its value exactly (`type`
# and `min_*` are fields here where Glance has custom properties).
TEXT_FILTERS = ("name", "status", "owner", "disk_format", "container_format", "type")
COUNT_FILTERS = ("min_ram", "min_disk")
_PAGING = ("limit", "marker", "sort", "sort_key", "sort_dir")
_DIGITS = re.compile(r"[0-9]+")
_PROPERTY_KEY = re.compile(r"[A-Za-z0-9_.-]{1,255}")


def parameters(query_string):
    """The query string as (name, value) pairs, in order, repeats kept."""
    try:
        return parse_qsl(query_string or "", keep_blank_values=True, errors="strict",
                         max_num_fields=MAX_PARAMETERS)
    except UnicodeDecodeError:
        raise exception.Invalid("The query string is not valid UTF-8.") from None
    except ValueError:
        raise exception.Invalid(f"Too many query parameters: at most {MAX_PARAMETERS}.") from None


def parse(pairs, caller):
    """The registry query of a list request's parameters (from
    `parameters`), for `caller` (a `RequestContext`): Invalid (400) for
    any parameter it cannot mean."""
    values = {}
    for name, value in pairs:
        values.setdefault(name, []).append(value)
    query = {"sort": _sort(values), "member_status": "accepted"}
    equal, ranges, properties, times, tags = {"os_hidden": 0}, {}, {}, [], set()
    visibility = None
    for name, given in values.items():
        value = given[-1]
        if name in _PAGING:
            continue
        elif name == "tag":
            tags.update(_tag(each) for each in given)
        elif name in TEXT_FILTERS:
            equal[name] = _text(name, value)
        elif name in COUNT_FILTERS:
            equal[name] = _int32(name, value)
        elif name in ("protected", "os_hidden"):
            equal[name] = int(_boolean(name, value))
        elif name in ("size_min", "size_max"):
            ranges[name] = _count(name, value)
        elif name in ("created_at", "updated_at"):
            times.extend((name, *_comparison(name, each)) for each in given)
        elif name == "visibility":
            visibility = _choice(name, value, VISIBILITIES)
        elif name == "member_status":
            query[name] = _choice(name, value, MEMBER_STATUSES)
        else:
            properties[_property_key(name)] = _text(f"Property '{name}'", value)
    if "limit" in values:
        query["limit"] = min(_count("limit", values["limit"][-1]), MAX_LIMIT)
    if "marker" in values:
        query["marker"] = fields.parse_image_id(values["marker"][-1])
        if query["marker"] is None:
            raise marker_not_found(values["marker"][-1])
    query["scope"], query["visibility"] = _scope(visibility, caller)
    return ImageQuery(equal=equal, ranges=ranges, properties=properties,
                      tags=tuple(sorted(tags)), times=tuple(times), **query)


def _scope(visibility, caller):
    """(scopes, visibilities) of the `visibility` parameter (CONTRACT §4):
    none, the default list (public, own, shared with the caller; an admin
    every image); `all`, that plus community images; a visibility, the
    images of the default list plus community ones that have it."""
    if caller.is_admin:
        scope = ("all",)
    elif visibility is None:
        scope = DEFAULT_SCOPE
    else:
        scope = DEFAULT_SCOPE + ("community",)
    if visibility in (None, "all"):
        return scope, None
    return scope, (visibility,)


def _sort(values):
    if "sort" in values:
        if "sort_key" in values or "sort_dir" in values:
            raise exception.Invalid("Old and new sorting syntax cannot be combined: use "
                                    "sort, or sort_key and sort_dir.")
        sort = []
        for item in values["sort"][-1].split(","):
            key, _, direction = item.partition(":")
            sort.append((_sort_key(key), _sort_dir(direction.strip() or "desc")))
        return tuple(sort)
    keys = [_sort_key(key) for key in values.get("sort_key", ())]
    dirs = [_sort_dir(direction) for direction in values.get("sort_dir", ())]
    if len(dirs) > 1 and len(dirs) != len(keys):
        raise exception.Invalid("Number of sort dirs does not match the number of sort keys")
    keys = keys or ["created_at"]
    if len(dirs) <= 1:          # none: desc; one: for every key
        dirs = (dirs or ["desc"]) * len(keys)
    return tuple(zip(keys, dirs))


def _sort_key(key):
    key = key.strip()
    if key not in SORT_KEYS:
        raise exception.Invalid(f"Invalid sort key: {short(key)}. It must be one of the "
                                f"following: {', '.join(SORT_KEYS)}.")
    return key


def _sort_dir(direction):
    direction = direction.strip()
    if direction not in SORT_DIRS:
        raise exception.Invalid(f"Invalid sort direction: {short(direction)}; use asc or desc")
    return direction


def _count(name, value):
    """A non-negative decimal integer (`limit`, `size_*`, `min_*`)."""
    digits = value.strip()
    if not _DIGITS.fullmatch(digits):
        raise exception.Invalid(f"{name} must be a non-negative integer, got {short(value)}")
    digits = digits.lstrip("0") or "0"
    # Nothing in this service exceeds 2^63-1 (and SQL integers cannot):
    # cap rather than overflow the registry's query.
    return min(int(digits), MAX_INT) if len(digits) <= 19 else MAX_INT


def _int32(name, value):
    """An exact `min_*` filter: no image holds more than 2^31-1."""
    number = _count(name, value)
    if number > fields.MAX_INT32:
        raise exception.Invalid(f"'{name}' value out of range, must not exceed "
                                f"{fields.MAX_INT32}.")
    return number


def _boolean(name, value):
    choice = value.strip().lower()
    if choice not in ("true", "false"):
        raise exception.Invalid(f"Invalid value {short(value)} for '{name}' filter. "
                                "Valid values are 'true' or 'false'.")
    return choice == "true"


def _text(what, value):
    """A filter value the registry can hold: no control characters."""
    if validation.CONTROL_CHARS.search(value):
        raise exception.Invalid(f"{what} filter must not contain control characters, "
                                f"got {short(value)}")
    return value


def _property_key(name):
    if not _PROPERTY_KEY.fullmatch(name):
        raise exception.Invalid(f"Invalid filter {short(name)}: a property name is 1-255 "
                                "of A-Z a-z 0-9 _ . -")
    return name


def _tag(value):
    if not 1 <= len(value) <= 255 or "/" in value:
        raise exception.Invalid(f"Invalid tag filter {short(value)}: a tag is 1-255 "
                                "characters without '/'")
    return _text("tag", value)


def _choice(name, value, allowed):
    if value not in allowed:
        raise exception.Invalid(f"Invalid {name} value: {short(value)}; use one of "
                                f"{', '.join(allowed)}")
    return value


def _comparison(name, value):
    """(operator, datetime) of `[<op>:]<ISO 8601>`; a bare time means `eq`."""
    moment = _moment(value)
    operator = "eq"
    if moment is None:
        operator, _, text = value.partition(":")
        if operator not in TIME_OPERATORS:
            raise exception.Invalid(f"Invalid '{name}' filter {short(value)}: use "
                                    f"<op>:<ISO 8601 time> with op one of "
                                    f"{', '.join(TIME_OPERATORS)}")
        moment = _moment(text)
    if moment is None:
        raise exception.Invalid(f'Bad "{name}" query filter format {short(value)}. '
                                "Use ISO 8601 DateTime notation.")
    return operator, records.timestamp(moment.replace(tzinfo=None))


def _moment(text):
    """An aware UTC datetime of ISO 8601 text (no zone: UTC), or None."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def marker_not_found(marker):
    """The one answer (400) for a marker that is malformed or names an image
    that is missing, deleted or invisible to the caller."""
    return exception.Invalid(f"No image found with ID {short(marker)}")


def links(pairs, next_marker=None):
    """`first` and, given the last id of a page when more images remain,
    `next`: paths under `/v2/images` with the request's parameters (without
    its marker), never absolute URLs."""
    kept = [(name, value) for name, value in pairs if name != "marker"]
    found = {"first": _path(kept)}
    if next_marker is not None:
        found["next"] = _path(kept + [("marker", next_marker)])
    return found


def _path(pairs):
    return f"{view.IMAGES_PATH}?{urlencode(pairs)}" if pairs else view.IMAGES_PATH
