"""The bodies of v2 create, member and tag requests, as registry values
(CONTRACT §4 Create, Tags, Members).

Each parser takes what the route read (the parsed JSON body, a path
segment) and returns clean values or raises: `Forbidden` (403) for a key no
client may set or a change only an admin may make, `Invalid` (400) naming
the attribute for anything else.  Nothing is stored here: a request that
fails leaves no trace.
"""

from glance.api.v2 import attributes, schemas
from glance.common import exception

MAX_MEMBER = 255


def create_values(body, caller):
    """The registry values of a new image from a `POST /v2/images` body.

    Read-only and reserved keys → 403 before any value is looked at; then
    each value is checked (400), then what only admins may do (403), then
    the AMI rule on the whole.  The result has `status` `queued`,
    `visibility` (default `shared`), `owner` (default the caller's tenant),
    the given base attributes, `type` and `properties` (the custom ones).
    """
    if not isinstance(body, dict):
        raise exception.Invalid("The request body must be a JSON object.")
    for key in body:
        attributes.check_key(key, creating=True)
    values = {"status": "queued", "visibility": "shared", "owner": caller.tenant,
              "properties": {}}
    for key, value in body.items():
        checked = attributes.check_value(key, value)
        if attributes.is_property(key):
            values["properties"][key] = checked
        else:
            values[key] = checked
    for key in ("visibility", "owner"):
        if key in body:
            attributes.check_change(key, values[key], caller, creating=True)
    attributes.check_formats(values)
    return values


def member_id(body):
    """The tenant of `POST …/members`: `{"member": "<tenant>"}`, a
    non-empty string of at most 255 characters."""
    member = body.get("member") if isinstance(body, dict) else None
    if not isinstance(member, str) or not member:
        raise exception.Invalid('Expected a member in the form: {"member": "<tenant>"} '
                                "with a non-empty string")
    if len(member) > MAX_MEMBER:
        raise exception.Invalid(f"A member is at most {MAX_MEMBER} characters, "
                                f"got {len(member)}")
    return attributes.check_text("A member", member)


def member_status(body):
    """The status of `PUT …/members/{m}`: `{"status": "pending"|"accepted"|"rejected"}`."""
    status = body.get("status") if isinstance(body, dict) else None
    if not isinstance(status, str) or status not in schemas.MEMBER_STATUSES:
        raise exception.Invalid('Status must be "pending", "accepted" or "rejected".')
    return status


def tag(segment):
    """The tag of `PUT`/`DELETE …/tags/{tag}`, decoded from the path."""
    return attributes.check_tag(segment)
