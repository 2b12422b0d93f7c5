"""The registry's rules for image fields and list parameters (CONTRACT §1, §8).

Parsers return clean values or raise `Invalid` (or `Forbidden`) with a
message that names the field or parameter and the bad value.  Which fields
exist, their kinds, ranges and choices, and which may be written, sorted
and filtered come from the field table (`glance.common.fields`).  Nothing
here touches the database.
"""

import re
from dataclasses import dataclass, field

from glance.common import exception, fields
from glance.common.fields import CONTAINER_FORMATS, DISK_FORMATS, MAX_INT, STATUSES, TYPES

AMAZON_FORMATS = ("ami", "ari", "aki")
ENUMS = {row.name: row.choices for row in fields.FIELDS if row.kind == fields.ENUM}
_MAX_LENGTHS = {row.name: row.max_length for row in fields.FIELDS if row.max_length}
PROPERTY_KEY = re.compile(r"[a-z0-9_.:-]{1,255}")
MAX_PROPERTIES = 128
MAX_PROPERTY_VALUE = 64 << 10      # bytes of UTF-8
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")

# What a caller may set: a client's fields and the server's (`id` only on create).
WRITABLE_FIELDS = frozenset(fields.with_any(fields.CLIENT | fields.SERVER) + ("properties",))
# Fields the registry controls itself; callers may send them back and they
# are dropped without a word (an image dict round-trips through update).
IGNORED_FIELDS = frozenset(fields.names()) - WRITABLE_FIELDS
# Fields that cannot be null: a null from a caller means "not given".
_NOT_NULL = frozenset(fields.names(nullable=False) + ("properties",))
_ADMIN_ONLY = frozenset(fields.names(fields.ADMIN))

# sort_key value -> column.  `uri` sorts as `id`; `location` needs a caller
# who may see locations.
SORT_KEYS = {row.name: "id" if row.sort == fields.AS_ID else row.name
             for row in fields.FIELDS if row.sort}
EQUALITY_FILTERS = fields.names(filter=fields.EXACT)
# `<field>_min` / `<field>_max` -> (column, SQL comparison), inclusive.
RANGE_FILTERS = {f"{name}_{end}": (name, op) for name in fields.names(filter=fields.RANGE)
                 for end, op in (("min", ">="), ("max", "<="))}
DEFAULT_LIMIT = 25
MAX_LIMIT = 1000


def _text(name, value):
    """A nullable string free of control characters that UTF-8 can carry."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise exception.Invalid(f"{name} must be a string or null, got {value!r}")
    _check_chars(name, value)
    return value


def _check_chars(what, value):
    if CONTROL_CHARS.search(value):
        raise exception.Invalid(f"{what} must not contain control characters, got {value!r}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise exception.Invalid(f"{what} is not valid Unicode text: {value!r}") from None


def _integer(name, value, minimum=0, maximum=MAX_INT):
    # bool is an int subclass, but `true` is not a size.
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise exception.Invalid(
            f"{name} must be an integer from {minimum} to {maximum}, got {value!r}")
    return value


def _boolean(name, value):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise exception.Invalid(f"{name} must be true or false, got {value!r}")


def check_property_count(count):
    if count > MAX_PROPERTIES:
        raise exception.Invalid(
            f"an image may have at most {MAX_PROPERTIES} properties, got {count}")


def _properties(value):
    if not isinstance(value, dict):
        raise exception.Invalid(f"properties must be an object, got {value!r}")
    check_property_count(len(value))
    clean = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise exception.Invalid(f"Invalid property key {key!r}")
        key = key.lower()
        if not PROPERTY_KEY.fullmatch(key):
            raise exception.Invalid(
                f"Invalid property key {key!r}: use 1-255 of a-z 0-9 _ . : -")
        if not isinstance(item, str):
            raise exception.Invalid(f"property {key!r} must be a string, got {item!r}")
        _check_chars(f"property {key!r}", item)
        if len(item.encode("utf-8", "surrogatepass")) > MAX_PROPERTY_VALUE:
            raise exception.Invalid(
                f"property {key!r} is longer than {MAX_PROPERTY_VALUE} bytes")
        clean[key] = item
    return clean


def _value(row, value):
    """A caller's value for a field, checked against its row."""
    if row.kind == fields.INT:
        return _integer(row.name, value, row.minimum or 0, row.maximum or MAX_INT)
    if row.kind == fields.BOOL:
        return _boolean(row.name, value)
    return _text(row.name, value)


def image_changes(values, creating, image_id=None):
    """The fields a create or update sets, type-checked and normalised.

    Unknown keys are refused; the registry's own fields are dropped.  A null
    for a field that cannot be null (`id`, `size`, `status`, ...) or for
    `properties` means "not given".
    """
    if not isinstance(values, dict):
        raise exception.Invalid(f"the image must be an object, got {values!r}")
    unknown = sorted(str(key) for key in values
                     if key not in WRITABLE_FIELDS and key not in IGNORED_FIELDS)
    if unknown:
        raise exception.Invalid("unknown image field(s): " + ", ".join(map(repr, unknown)))
    changes = {}
    for key, value in values.items():
        if key in IGNORED_FIELDS or (key in _NOT_NULL and value is None):
            continue
        if key == "properties":
            changes["properties"] = _properties(value)
            continue
        checked = _value(fields.BY_NAME[key], value)
        if key != "id" or creating:
            changes[key] = checked
        elif checked != image_id:
            raise exception.Invalid(f"the id of image {image_id} cannot change to {checked}",
                                    image_id=image_id)
    return changes


def check_record(record):
    """The rules on a whole (merged) image record: enums, AMI rule, name length."""
    for key, allowed in ENUMS.items():
        value = record.get(key)
        if value is not None and value not in allowed:
            raise exception.Invalid(f"Invalid {key} {value!r}; use one of {', '.join(allowed)}",
                                    image_id=record.get("id"))
    if record.get("status") is None:
        raise exception.Invalid("status must not be null", image_id=record.get("id"))
    disk, container = record.get("disk_format"), record.get("container_format")
    if (disk in AMAZON_FORMATS or container in AMAZON_FORMATS) and disk != container:
        raise exception.Invalid(
            f"Invalid mix of disk and container formats: {disk!r} and {container!r}",
            image_id=record.get("id"))
    for key, limit in _MAX_LENGTHS.items():
        value = record.get(key)
        if value is not None and len(value) > limit:
            raise exception.Invalid(f"{key} is longer than {limit} characters ({len(value)})",
                                    image_id=record.get("id"))


def parse_image_id(text):
    """An image id from a path or a caller (`fields.parse_image_id`).

    Anything else names no image, so it is `NotFound`, not `Invalid`.
    """
    image_id = fields.parse_image_id(text)
    if image_id is None:
        raise exception.NotFound(f"no such image: {text!r}")
    return image_id


@dataclass
class ListQuery:
    """A list request, parsed: what to show, in which order, from where."""

    filters: dict = field(default_factory=dict)      # column -> exact value
    properties: dict = field(default_factory=dict)   # key -> exact value
    bounds: dict = field(default_factory=dict)       # RANGE_FILTERS key -> int
    is_public: str = "default"                       # default, true, false, none
    sort_key: str = "created_at"                     # a column name
    sort_dir: str = "desc"
    limit: int = DEFAULT_LIMIT
    marker: int | None = None


def _filter_value(row, text):
    """An exact filter's value as its column holds it (booleans as 0/1)."""
    if row.kind == fields.INT:
        return _parse_count(row.name, text)
    if row.kind == fields.BOOL:
        return int(_boolean(row.name, text))
    return text


def _parse_count(name, text):
    text = text.strip()
    if not re.fullmatch(r"[0-9]{1,19}", text) or int(text) > MAX_INT:
        raise exception.Invalid(f"{name} must be a non-negative integer, got {text!r}")
    return int(text)


def parse_list_params(params, is_admin):
    """Turn raw query parameters (strings) into a `ListQuery`.

    Parameter names are normalised like header names (lower case, `-` as
    `_`); unknown ones are ignored.
    """
    query = ListQuery()
    for raw_name, value in (params or {}).items():
        name = str(raw_name).lower().replace("-", "_")
        value = "" if value is None else str(value)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise exception.Invalid(f"{raw_name} is not valid Unicode text: {value!r}") from None
        if name.startswith("property_"):
            key = name[len("property_"):]
            if not PROPERTY_KEY.fullmatch(key):
                raise exception.Invalid(f"Invalid property filter {raw_name!r}")
            query.properties[key] = value
        elif name in EQUALITY_FILTERS:
            query.filters[name] = _filter_value(fields.BY_NAME[name], value)
        elif name in RANGE_FILTERS:
            query.bounds[name] = _parse_count(name, value)
        elif name == "is_public":
            choice = value.strip().lower()
            if choice not in ("true", "false", "none"):
                raise exception.Invalid(f"is_public must be true, false or none, got {value!r}")
            if choice == "none" and not is_admin:
                raise exception.Forbidden("only admins may list with is_public=none")
            query.is_public = choice
        elif name == "sort_key":
            column = SORT_KEYS.get(value.strip().lower())
            if column is None or (column in _ADMIN_ONLY and not is_admin):
                raise exception.Invalid(f"sort_key {value!r} is not a sortable field")
            query.sort_key = column
        elif name == "sort_dir":
            direction = value.strip().lower()
            if direction not in ("asc", "desc"):
                raise exception.Invalid(f"sort_dir must be asc or desc, got {value!r}")
            query.sort_dir = direction
        elif name == "limit":
            query.limit = min(_parse_count("limit", value), MAX_LIMIT)
        elif name == "marker":
            query.marker = fields.parse_image_id(value.strip())
            if query.marker is None:
                raise exception.Invalid(f"marker must be the id of an image, got {value!r}")
    return query
