"""What a v2 client may set on an image, and the checks on each value
(CONTRACT §4 Create and PATCH, §10 Validation).

Create and PATCH share these rules: a key is read-only (403), reserved
(403), a base attribute, `type`, or a custom property.  A value is checked
against its declaration in the image schema (`glance.api.v2.schemas`: type,
enum, length, pattern, so what we accept is what glanceclient will accept
back) and then against the contract's stricter rules: ids are lower-case
UUIDs, `min_*` fit 32 bits, texts carry no control characters, tags are
1-255 characters without `/`, property keys are usable as v1 header names.
Every check returns the value to store or raises a domain error naming the
attribute.
"""

import re

from glance.api.v2 import schemas, validator
from glance.common import exception, fields
from glance.registry import validation

READ_ONLY = frozenset(("status", "checksum", "size", "virtual_size", "created_at",
                       "updated_at", "os_hash_algo", "os_hash_value", "direct_url", "self",
                       "file", "schema", "stores", "locations"))
RESERVED = frozenset(("location", "deleted", "deleted_at"))
RESERVED_PREFIX = "os_glance"
# Base attributes a client sets, in schema order; `id` on create only.
SETTABLE = ("name", "visibility", "protected", "os_hidden", "owner", "container_format",
            "disk_format", "tags", "min_ram", "min_disk")
FORMATS = ("container_format", "disk_format")
# `type` is a field of the record but, as in Glance where it is a custom
# property, v2 shows it only when set and lets PATCH remove it (to null).
TYPE = "type"
MAX_INT32 = 2**31 - 1
MAX_TEXT = 255
AMAZON_FORMATS = ("ami", "ari", "aki")
PROPERTY_KEY = re.compile(r"[A-Za-z0-9_.-]{1,255}")
NEW_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def check_key(key, creating):
    """403 for a key no client may set: read-only (and `id` after create)
    or reserved."""
    if key in READ_ONLY or (key == "id" and not creating):
        raise exception.Forbidden(f"Attribute '{key}' is read-only.")
    if key in RESERVED or key.startswith(RESERVED_PREFIX):
        raise exception.Forbidden(f"Attribute '{key}' is reserved.")


def is_property(key):
    """A custom property (stored in `properties`), as opposed to a field."""
    return key not in SETTABLE and key not in (TYPE, "id")


def check_value(key, value):
    """The value to store for a settable key (after `check_key`)."""
    if key == TYPE:
        return _type(value)
    if is_property(key):
        return check_property(key, value)
    validator.validate(value, schemas.IMAGE_PROPERTIES[key], where=repr(key))
    if key == "id" and not NEW_ID.fullmatch(value):
        raise exception.Invalid(f"Invalid 'id' {short(value)}: an image id must be a "
                                "lower-case UUID")
    if key in ("name", "owner"):
        check_text(key, value)
    if key in ("min_ram", "min_disk"):
        return _int32(key, value)
    if key == "tags":
        return check_tags(value)
    return value


def _type(value):
    if value is not None and value not in fields.TYPES:
        raise exception.Invalid(f"Invalid 'type' {short(value)}: use one of "
                                f"{', '.join(fields.TYPES)}")
    return value


def _int32(key, value):
    if value < 0:
        raise exception.Invalid(f"Invalid value '{value}' for parameter '{key}': "
                                "Cannot be a negative value")
    if value > MAX_INT32:
        raise exception.Invalid(f"'{key}' value out of range, must not exceed {MAX_INT32}.")
    return value


def check_text(what, value):
    """Text free of control characters that UTF-8 can carry (no lone
    surrogates), or null: the registry's rule (`validation.check_text`)."""
    return None if value is None else validation.check_text(what, value)


def check_property(key, value):
    if not PROPERTY_KEY.fullmatch(key):
        raise exception.Invalid(f"Invalid property name {short(key)}: use 1-255 of "
                                "A-Z a-z 0-9 _ . -")
    if not isinstance(value, str):
        raise exception.Invalid(f"Property '{key}' must be a string, got {short(value)}")
    return check_text(f"Property '{key}'", value)


def check_tag(tag):
    """One tag: 1-255 characters, no `/`, no control characters."""
    if not isinstance(tag, str) or not 1 <= len(tag) <= MAX_TEXT:
        raise exception.Invalid(f"Invalid tag {short(tag)}: a tag is 1-255 characters")
    if "/" in tag:
        raise exception.Invalid(f"Invalid tag {short(tag)}: a tag may not contain '/'")
    return check_text("A tag", tag)


def check_tags(tags):
    """The whole tag list (already an array of strings): a set, returned sorted."""
    return sorted({check_tag(tag) for tag in tags})


def check_change(key, value, caller, creating):
    """403 for what only an admin may set: `visibility` `public`, and
    `owner` (on create, a non-admin may name its own tenant)."""
    if caller.is_admin:
        return
    if key == "visibility" and value == "public":
        raise exception.Forbidden("Only an admin may make an image public.")
    if key == "owner" and not (creating and value == caller.tenant):
        raise exception.Forbidden("Only an admin may set an image's owner.")


def check_formats(values, image_id=None):
    """The AMI rule on the resulting record: if either format is an Amazon
    one, both must be equal (CONTRACT §1)."""
    disk, container = values.get("disk_format"), values.get("container_format")
    if (disk in AMAZON_FORMATS or container in AMAZON_FORMATS) and disk != container:
        raise exception.Invalid(
            f"Invalid mix of disk and container formats: {disk!r} and {container!r}",
            image_id=image_id)


def short(value, limit=60):
    """`value` as a message quotes it: its repr, cut to `limit` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."
