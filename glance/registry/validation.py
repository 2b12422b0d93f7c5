"""The registry's rules for image fields, properties, tags and members (CONTRACT §1, §10).

Parsers return clean values or raise `Invalid` (or `Forbidden`) with a
message that names the field and the bad value (shortened: a message never
echoes a megabyte).  Which fields exist, their kinds, ranges and choices,
and who may write them come from the field table (`glance.common.fields`).
The quotas (`Limits`) are checked on the set an image would end up with,
inside the transaction that writes it.  Nothing here touches the database.
"""

import re
from dataclasses import dataclass

from glance.common import exception, fields
from glance.common.fields import MAX_INT

AMAZON_FORMATS = ("ami", "ari", "aki")
ENUMS = {row.name: row.choices for row in fields.FIELDS if row.kind == fields.ENUM}
_MAX_LENGTHS = {row.name: row.max_length for row in fields.FIELDS
                if row.max_length and row.kind != fields.SET}
PROPERTY_KEY = re.compile(r"[A-Za-z0-9_.-]{1,255}\Z")
MAX_TAG = fields.BY_NAME["tags"].max_length
MAX_MEMBER = 255
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
_SHOWN = 60         # characters of a bad value a message repeats

# What a caller may set: a client's fields and the server's (`id` only on create).
WRITABLE_FIELDS = frozenset(fields.with_any(fields.CLIENT | fields.SERVER) + ("properties",))
# Only the API service (or an admin: noauth) may set these (CONTRACT §5).
SERVER_FIELDS = frozenset(fields.names(fields.SERVER))
# Fields the registry controls itself; callers may send them back and they
# are dropped without a word (an image dict round-trips through update).
IGNORED_FIELDS = frozenset(fields.names()) - WRITABLE_FIELDS
# Fields that cannot be null: a null from a caller means "not given".
_NOT_NULL = frozenset(fields.names(nullable=False) + ("properties",))
MEMBER_STATUSES = ("pending", "accepted", "rejected")


@dataclass(frozen=True)
class Limits:
    """The operator's quotas (CONTRACT §10), per image."""

    properties: int = 128
    property_bytes: int = 64 << 10
    tags: int = 128
    members: int = 128

    @classmethod
    def from_conf(cls, conf):
        return cls(properties=conf.image_property_quota,
                   property_bytes=conf.image_property_bytes_max,
                   tags=conf.image_tag_quota, members=conf.image_member_quota)


def shown(value):
    """A bad value as a message may repeat it: short, never a whole structure."""
    if isinstance(value, (dict, list, tuple)):
        return f"a JSON {'object' if isinstance(value, dict) else 'array'}"
    text = repr(value) if not isinstance(value, str) else repr(value[:_SHOWN])
    return text + ("..." if isinstance(value, str) and len(value) > _SHOWN else "")


def _quoted(text):
    """Text a message repeats, in single quotes (Glance's way), shortened."""
    return f"'{text[:_SHOWN]}...'" if len(text) > _SHOWN else f"'{text}'"


def check_text(what, value):
    """`value` is text free of control characters that UTF-8 can carry."""
    if CONTROL_CHARS.search(value):
        raise exception.Invalid(f"{what} must not contain control characters, got {shown(value)}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise exception.Invalid(f"{what} is not valid Unicode text: {shown(value)}") from None
    return value


def _text(name, value):
    if value is None:
        return None
    if not isinstance(value, str):
        raise exception.Invalid(f"{name} must be a string or null, got {shown(value)}")
    return check_text(name, value)


def integer(name, value, minimum=0, maximum=MAX_INT):
    # bool is an int subclass, but `true` is not a size.
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise exception.Invalid(
            f"{name} must be an integer from {minimum} to {maximum}, got {shown(value)}")
    return value


def boolean(name, value):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise exception.Invalid(f"{name} must be true or false, got {shown(value)}")


def _value(row, value):
    """A caller's value for a field, checked against its row."""
    if row.kind == fields.INT:
        return None if value is None else integer(row.name, value, row.minimum, row.maximum)
    if row.kind == fields.BOOL:
        return boolean(row.name, value)
    if row.kind == fields.SET:
        return tags(value)
    if row.kind == fields.ID:
        return new_image_id(value)
    return _text(row.name, value)


def new_image_id(value):
    """A proposed id: a lower-case UUID (CONTRACT §1)."""
    image_id = fields.parse_new_image_id(value)
    if image_id is None:
        raise exception.Invalid(
            f"id must be a lower-case UUID (8-4-4-4-12 hex digits), got {shown(value)}")
    return image_id


def parse_image_id(text):
    """An image id from a path or a caller (`fields.parse_image_id`).

    Anything else names no image, so it is `NotFound`, not `Invalid`.
    """
    image_id = fields.parse_image_id(text)
    if image_id is None:
        raise exception.NotFound(f"no such image: {shown(text)}")
    return image_id


# -- properties, tags, members -------------------------------------------------

def properties(value):
    """A caller's property set: key → text (keys keep their case here; the
    v1 codec lower-cases its own)."""
    if not isinstance(value, dict):
        raise exception.Invalid(f"properties must be an object, got {shown(value)}")
    clean = {}
    for key, item in value.items():
        if not isinstance(key, str) or not PROPERTY_KEY.match(key):
            raise exception.Invalid(
                f"Invalid property key {shown(key)}: use 1-255 of A-Z a-z 0-9 _ . -")
        if not isinstance(item, str):
            raise exception.Invalid(f"property {key!r} must be a string, got {shown(item)}")
        clean[key] = check_text(f"property {key!r}", item)
    return clean


def check_properties_quota(props, limits):
    """The resulting property set against the quotas: QuotaExceeded (413)."""
    if len(props) > limits.properties:
        raise exception.QuotaExceeded(
            "The limit has been exceeded on the number of allowed image properties. "
            f"Attempted: {len(props)}, Maximum: {limits.properties}")
    size = sum(len(key.encode()) + len(value.encode()) for key, value in props.items())
    if size > limits.property_bytes:
        raise exception.QuotaExceeded(
            "The limit has been exceeded on the total size of image properties. "
            f"Attempted: {size} bytes, Maximum: {limits.property_bytes} bytes")


def tag(value):
    """One tag: 1-255 characters, no `/`, no control characters (CONTRACT §4)."""
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_TAG or "/" in value:
        raise exception.Invalid(
            f"Invalid tag {shown(value)}: use 1-{MAX_TAG} characters, without '/'")
    return check_text("tag", value)


def tags(value):
    """A caller's tag set (a JSON array; duplicates collapse), sorted."""
    if not isinstance(value, (list, tuple)):
        raise exception.Invalid(f"tags must be an array of strings, got {shown(value)}")
    return sorted({tag(item) for item in value})


def check_tags_quota(count, limits):
    if count > limits.tags:
        raise exception.QuotaExceeded(
            "The limit has been exceeded on the number of allowed image tags. "
            f"Attempted: {count}, Maximum: {limits.tags}")


def member_id(value):
    """A tenant named as a member: 1-255 characters of text."""
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_MEMBER or not value.strip():
        raise exception.Invalid(f"a member must be a tenant id of 1-{MAX_MEMBER} characters, "
                                f"got {shown(value)}")
    return check_text("member", value)


def member_status(value):
    if value not in MEMBER_STATUSES:
        raise exception.Invalid(f"member status must be one of {', '.join(MEMBER_STATUSES)}, "
                                f"got {shown(value)}")
    return value


def check_members_quota(count, limits):
    if count > limits.members:
        raise exception.QuotaExceeded(
            "The limit has been exceeded on the number of allowed image members for this "
            f"image. Attempted: {count}, Maximum: {limits.members}")


# -- whole images --------------------------------------------------------------

def image_changes(values, creating, image_id=None, trusted=False):
    """The fields a create or update sets, type-checked and normalised.

    Unknown keys are refused; the registry's own fields are dropped.  A null
    for a field that cannot be null (`id`, `status`, `protected`, ...) or
    for `properties` means "not given".  Server-controlled fields (the field
    table's SERVER role) are refused (Forbidden) unless the caller is
    `trusted` (the API service, or an admin in noauth mode).
    """
    if not isinstance(values, dict):
        raise exception.Invalid(f"the image must be an object, got {shown(values)}")
    unknown = sorted(shown(key) for key in values
                     if key not in WRITABLE_FIELDS and key not in IGNORED_FIELDS)
    if unknown:
        raise exception.Invalid("unknown image field(s): " + ", ".join(unknown))
    changes = {}
    for key, value in values.items():
        if key in IGNORED_FIELDS or (key in _NOT_NULL and value is None):
            continue
        if key in SERVER_FIELDS and not trusted:
            raise exception.Forbidden(f"only the image service may set {key!r}",
                                      image_id=image_id)
        if key == "properties":
            changes["properties"] = properties(value)
        elif key == "status" and value == "deleted":
            raise exception.Invalid("an image becomes deleted only by DELETE",
                                    image_id=image_id)
        elif key != "id":
            changes[key] = _value(fields.BY_NAME[key], value)
        elif creating:
            changes["id"] = new_image_id(value)
        elif fields.parse_image_id(value) != image_id:
            raise exception.Invalid(f"the id of image {image_id} cannot change to {shown(value)}",
                                    image_id=image_id)
    return changes


def check_record(record):
    """The rules on a whole (merged) image record: enums, AMI rule, lengths."""
    image_id = record.get("id")
    for key, allowed in ENUMS.items():
        value = record.get(key)
        if value is not None and value not in allowed:
            # Glance's words ("Invalid disk format 'x' for image"): its clients look for them.
            raise exception.Invalid(f"Invalid {key.replace('_', ' ')} {_quoted(value)} for "
                                    f"image; use one of {', '.join(allowed)}", image_id=image_id)
    if record.get("status") is None:
        raise exception.Invalid("status must not be null", image_id=image_id)
    disk, container = record.get("disk_format"), record.get("container_format")
    if (disk in AMAZON_FORMATS or container in AMAZON_FORMATS) and disk != container:
        raise exception.Invalid(
            f"Invalid mix of disk and container formats: {disk!r} and {container!r}",
            image_id=image_id)
    for key, limit in _MAX_LENGTHS.items():
        value = record.get(key)
        if value is not None and len(value) > limit:
            raise exception.Invalid(f"{key} is longer than {limit} characters ({len(value)})",
                                    image_id=image_id)
