"""Registry records as v2 JSON (CONTRACT §4 "Image JSON", Members).

An image record is the registry's dict: the v1 fields plus `visibility`,
`os_hidden`, `tags` and `properties`, ids as strings.  Its v2 form shows
every base attribute (null where it is null), the custom properties as
top-level string keys and `type` only when set, and never a location, a
store or the v1-only fields.  Keys come in Glance 33's order (custom
properties first), so our answers read like Glance's.

Every document built here validates against `glance.api.v2.schemas`
(tests prove it, as glanceclient checks it): that is why property values
Glance v1 allowed to be null are shown as "", as Glance does, and why a
custom property whose name is a base attribute or a hidden field (set
through v1) is not shown at all.
"""

from datetime import datetime, timezone

from glance.api import rendered
from glance.api.v2 import schemas

SCHEMA_PATH = "/v2/schemas/image"
IMAGES_SCHEMA_PATH = "/v2/schemas/images"
MEMBER_SCHEMA_PATH = "/v2/schemas/member"
MEMBERS_SCHEMA_PATH = "/v2/schemas/members"
IMAGES_PATH = "/v2/images"

# Base attributes copied from the record, in Glance 33's order.
ATTRIBUTES = ("name", "disk_format", "container_format", "visibility", "size",
              "virtual_size", "status", "checksum", "protected", "min_ram", "min_disk",
              "owner", "os_hidden", "os_hash_algo", "os_hash_value")
# Never in v2 JSON, whatever the record or its properties hold.
HIDDEN = frozenset(("stores", "direct_url", "locations", "location", "store", "uri",
                    "is_public", "deleted", "deleted_at", "status_reason"))
RESERVED_PREFIX = "os_glance"
_NOT_PROPERTIES = HIDDEN | frozenset(schemas.IMAGE_PROPERTIES) | {"type"}
V2_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def image_path(image_id):
    return f"{IMAGES_PATH}/{image_id}"


def timestamp(value):
    """A record's timestamp (`datetime`, or ISO text as the registry's JSON
    carries it, UTC, with or without microseconds) as v2 shows it:
    `YYYY-MM-DDTHH:MM:SSZ`."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.strftime(V2_TIME_FORMAT)


def image(record):
    """The v2 image JSON (a dict) of a registry record."""
    document = {key: "" if value is None else value
                for key, value in record["properties"].items() if shown_property(key)}
    if record.get("type") is not None:
        document["type"] = record["type"]
    for key in ATTRIBUTES:
        document[key] = record[key]
    image_id = record["id"]
    document["id"] = image_id
    document["created_at"] = timestamp(record["created_at"])
    document["updated_at"] = timestamp(record["updated_at"])
    document["tags"] = sorted(record["tags"])
    document["self"] = image_path(image_id)
    document["file"] = image_path(image_id) + "/file"
    document["schema"] = SCHEMA_PATH
    return document


def shown_property(key):
    """Whether a custom property appears in v2 JSON: not when its name is a
    base attribute's or a hidden field's, nor Glance's reserved namespace."""
    return key not in _NOT_PROPERTIES and not key.startswith(RESERVED_PREFIX)


def images(records, links, sees_location):
    """`GET /v2/images`'s body, encoded: `links` is `listing.links`'s
    `first` and, when more images remain, `next`; `sees_location` what the
    registry showed the caller (each image's JSON is memoized by its
    record's text and that, `glance.api.rendered`: `image` depends on
    nothing else)."""
    rest = {"first": links["first"], "schema": IMAGES_SCHEMA_PATH}
    if "next" in links:
        rest["next"] = links["next"]
    return rendered.document("images", records, image, ("v2", sees_location), rest)


def member(image_id, record):
    """The v2 member JSON of a registry member record (`member_id`,
    `status`, `created_at`, `updated_at`; `can_share` is v1's only)."""
    return {
        "member_id": record["member_id"],
        "image_id": image_id,
        "status": record["status"],
        "created_at": timestamp(record["created_at"]),
        "updated_at": timestamp(record["updated_at"]),
        "schema": MEMBER_SCHEMA_PATH,
    }


def members(image_id, records):
    return {"members": [member(image_id, record) for record in records],
            "schema": MEMBERS_SCHEMA_PATH}
