"""`GET /v2/images`: its query string as a `ListQuery`, and its `first` and
`next` links (CONTRACT §4 Lists, §10 Lists).

`ListQuery` says what to ask the registry, in this API's terms; mapping it
onto the registry's own list query is one function next to the route.  The
route asks for `limit + 1` images: one more than the page tells whether
`next` is due (`links`).

Parameters, as Glance 33 reads them: `limit`, `marker`, `sort_key` and
`sort_dir` (repeatable, paired in order; one direction applies to every
key) or `sort=k1[:dir],k2…` (not both → 400), and the filters.  A filter
given twice keeps its last value, except `tag` (every one must match) and
`created_at`/`updated_at` (every comparison must hold).  Any parameter this
API does not know filters on the custom property of that name.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlencode

from glance.api.v2 import schemas, view
from glance.api.v2.attributes import short
from glance.common import exception
from glance.common.fields import MAX_INT

DEFAULT_LIMIT = 25
MAX_LIMIT = 1000
MAX_PARAMETERS = 1000
SORT_KEYS = ("name", "status", "container_format", "disk_format", "size", "id",
             "created_at", "updated_at")
DEFAULT_SORT = (("created_at", "desc"),)
SORT_DIRS = ("asc", "desc")
VISIBILITIES = schemas.VISIBILITIES + ("all",)
MEMBER_STATUSES = schemas.MEMBER_STATUSES + ("all",)
TIME_OPERATORS = ("gt", "gte", "lt", "lte", "eq", "neq")
# Filters on a field of the record that match its value exactly.
TEXT_FILTERS = ("name", "status", "owner", "disk_format", "container_format", "id", "type",
                "checksum", "os_hash_value")
COUNT_FILTERS = ("min_ram", "min_disk")
_PAGING = ("limit", "marker", "sort", "sort_key", "sort_dir")
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class ListQuery:
    """One `GET /v2/images`, parsed: which images, in which order, from where."""

    limit: int = DEFAULT_LIMIT
    marker: str | None = None
    # (key, "asc"|"desc") as asked; `order()` adds the tie-breakers.
    sort: tuple = DEFAULT_SORT
    visibility: str | None = None          # None: the default list; or VISIBILITIES
    member_status: str = "accepted"        # or pending, rejected, all
    os_hidden: bool = False                # hidden images only when true
    fields: dict = field(default_factory=dict)       # field -> exact value
    properties: dict = field(default_factory=dict)   # custom property -> exact value
    tags: frozenset = frozenset()                    # every one must be set
    size_min: int | None = None                      # inclusive bounds
    size_max: int | None = None
    # (field, operator, aware UTC datetime): `created_at`/`updated_at` comparisons.
    times: tuple = ()

    def order(self):
        """The total order: the sort keys, then `created_at` and `id` (in the
        last direction), each key once."""
        order, seen = [], set()
        for key, direction in self.sort:
            if key not in seen:
                order.append((key, direction))
                seen.add(key)
        last = order[-1][1]
        order.extend((key, last) for key in ("created_at", "id") if key not in seen)
        return tuple(order)


def parameters(query_string):
    """The query string as (name, value) pairs, in order, repeats kept."""
    try:
        return parse_qsl(query_string or "", keep_blank_values=True, errors="strict",
                         max_num_fields=MAX_PARAMETERS)
    except UnicodeDecodeError:
        raise exception.Invalid("The query string is not valid UTF-8.") from None
    except ValueError:
        raise exception.Invalid(f"Too many query parameters: at most {MAX_PARAMETERS}.") from None


def parse(pairs):
    """The `ListQuery` of a list request's parameters (from `parameters`)."""
    values = {}
    for name, value in pairs:
        values.setdefault(name, []).append(value)
    query = {"sort": _sort(values)}
    properties, fields, times, tags = {}, {}, [], frozenset()
    for name, given in values.items():
        value = given[-1]
        if name in _PAGING:
            continue
        elif name == "tag":
            tags = frozenset(given)
        elif name in TEXT_FILTERS:
            fields[name] = value
        elif name in COUNT_FILTERS:
            fields[name] = _count(name, value)
        elif name == "protected":
            fields[name] = _boolean(name, value)
        elif name in ("size_min", "size_max"):
            query[name] = _count(name, value)
        elif name in ("created_at", "updated_at"):
            times.extend((name, *_comparison(name, each)) for each in given)
        elif name == "visibility":
            query[name] = _choice(name, value, VISIBILITIES)
        elif name == "member_status":
            query[name] = _choice(name, value, MEMBER_STATUSES)
        elif name == "os_hidden":
            query[name] = _boolean(name, value)
        else:
            properties[name] = value
    if "limit" in values:
        query["limit"] = min(_count("limit", values["limit"][-1]), MAX_LIMIT)
    if "marker" in values:
        query["marker"] = values["marker"][-1]
        if not re.fullmatch(schemas.ID_PATTERN, query["marker"]):
            raise marker_not_found(query["marker"])
    return ListQuery(fields=fields, properties=properties, tags=tags, times=tuple(times),
                     **query)


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


def _boolean(name, value):
    choice = value.strip().lower()
    if choice not in ("true", "false"):
        raise exception.Invalid(f"Invalid value {short(value)} for '{name}' filter. "
                                "Valid values are 'true' or 'false'.")
    return choice == "true"


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
    return operator, moment


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
