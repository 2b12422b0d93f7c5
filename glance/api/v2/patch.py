"""`PATCH /v2/images/{id}`: the JSON-patch document, checked and applied
(CONTRACT §4 PATCH).

Two steps, as in Glance: `parse` reads the whole document first (media
type → 415, syntax → 400, read-only/reserved paths → 403, values → 400),
then `apply` runs the operations in order on a copy of the image (absent
properties → 409, removing a base attribute, formats after `queued`,
admin-only changes → 403, the AMI rule → 400).  Either step raises before
anything is stored, so a patch applies completely or not at all.

Media types: `application/openstack-images-v2.1-json-patch` takes RFC 6902
operations `{"op", "path", "value"}`; the older
`application/openstack-images-v2.0-json-patch` takes `{"<op>": "<path>",
"value"}`, where (as in Glance) `add` of an attribute or property already
there → 409.  Paths are one-level JSON pointers (RFC 6901): `/<name>` with
`~1` for `/` and `~0` for `~`.
"""

import re
from dataclasses import dataclass

from glance.api.v2 import attributes
from glance.api.v2.attributes import short
from glance.common import exception

V21 = "application/openstack-images-v2.1-json-patch"
V20 = "application/openstack-images-v2.0-json-patch"
MEDIA_TYPES = (V20, V21)
ACCEPT_PATCH = ", ".join(MEDIA_TYPES)
OPERATIONS = ("add", "remove", "replace")
_BAD_ESCAPE = re.compile("~(?![01])")


@dataclass(frozen=True)
class Operation:
    op: str           # add, remove, replace
    name: str         # the attribute or property the path names
    value: object = None    # checked, as the registry stores it (add, replace)


def media_type(content_type):
    """The patch media type of a `Content-Type` value (parameters and case
    ignored), or `UnsupportedMediaType` (415) with `Accept-Patch`."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media not in MEDIA_TYPES:
        error = exception.UnsupportedMediaType(
            f"Image PATCH expects Content-Type one of: {ACCEPT_PATCH}")
        error.headers = [("Accept-Patch", ACCEPT_PATCH)]
        raise error
    return media


def parse(document, media):
    """The operations of a patch document (the parsed JSON body)."""
    if not isinstance(document, list):
        raise exception.Invalid("Request body must be a JSON array of operation objects.")
    return [_operation(raw, media) for raw in document]


def _operation(raw, media):
    if not isinstance(raw, dict):
        raise exception.Invalid("Operations must be JSON objects.")
    if media == V21:
        op = raw.get("op")
        if op not in OPERATIONS:
            raise exception.Invalid(f"Invalid operation {short(op)}: it must be one of "
                                    f"{', '.join(OPERATIONS)}.")
        if "path" not in raw:
            raise exception.Invalid(f"Operation '{op}' requires a member named 'path'.")
        path = raw["path"]
    else:
        named = [op for op in OPERATIONS if op in raw]
        if len(named) != 1:
            raise exception.Invalid('Operation objects must contain exactly one member '
                                    'named "add", "remove", or "replace".')
        op = named[0]
        path = raw[op]
    name = pointer(path)
    attributes.check_key(name, creating=False)
    if op == "remove":
        return Operation(op, name)
    if "value" not in raw:
        raise exception.Invalid(f"Operation '{op}' requires a member named 'value'.")
    return Operation(op, name, attributes.check_value(name, raw["value"]))


def pointer(path):
    """The one name a one-level JSON pointer `/<name>` designates."""
    if not isinstance(path, str) or not path.startswith("/"):
        raise exception.Invalid(f"Invalid JSON pointer {short(path)}: it must start "
                                "with '/'.")
    token = path[1:]
    if "/" in token:
        raise exception.Invalid(f"Invalid JSON pointer for this resource: {short(path)}")
    if _BAD_ESCAPE.search(token):
        raise exception.Invalid(f"Invalid JSON pointer {short(path)}: '~' not part of "
                                "a recognized escape sequence.")
    return token.replace("~1", "/").replace("~0", "~")


def apply(image, operations, caller, media=V21):
    """The registry update that `operations` make to `image` (a record).

    Returns the changed values only: base attributes and `type` by name,
    `tags` as the whole new list, `properties` as the whole new set (send
    it as a replacement); `{}` when nothing changed.  Raises on the first
    failing operation; `image` itself is never modified.
    """
    old = {key: image[key] for key in attributes.SETTABLE}
    old["tags"] = sorted(image["tags"])
    old[attributes.TYPE] = image.get(attributes.TYPE)
    new = dict(old)
    properties = dict(image["properties"])
    for operation in operations:
        if attributes.is_property(operation.name):
            _property(properties, operation, media, image["id"])
        else:
            _attribute(new, operation, image, caller, media)
    if any(new[key] != old[key] for key in attributes.FORMATS):
        attributes.check_formats(new, image_id=image["id"])
    changes = {key: value for key, value in new.items() if value != old[key]}
    if properties != image["properties"]:
        changes["properties"] = properties
    return changes


def update(image, document, content_type, caller):
    """`parse` then `apply`: the route's one call."""
    media = media_type(content_type)
    return apply(image, parse(document, media), caller, media)


def _property(properties, operation, media, image_id):
    name, present = operation.name, operation.name in properties
    if operation.op == "add":
        if present and media == V20:
            raise _already_present(name, image_id)
        properties[name] = operation.value
    elif not present:
        raise exception.Conflict(f"Property '{name}' does not exist.", image_id=image_id)
    elif operation.op == "replace":
        properties[name] = operation.value
    else:
        del properties[name]


def _attribute(new, operation, image, caller, media):
    name, image_id = operation.name, image["id"]
    if name == attributes.TYPE:
        # Absent while null, as the custom property it is in Glance.
        present = new[name] is not None
        if operation.op == "add" and present and media == V20:
            raise _already_present(name, image_id)
        if operation.op != "add" and not present:
            raise exception.Conflict(f"Property '{name}' does not exist.", image_id=image_id)
        new[name] = operation.value       # None for remove
        return
    if operation.op == "remove":
        raise exception.Forbidden(f"Property '{name}' may not be removed.", image_id=image_id)
    if operation.op == "add" and media == V20:
        raise _already_present(name, image_id)
    if name in attributes.FORMATS and image["status"] != "queued":
        raise exception.Forbidden(f"Attribute {name} can be only replaced for a queued image.",
                                  image_id=image_id)
    attributes.check_change(name, operation.value, caller, creating=False)
    new[name] = operation.value


def _already_present(name, image_id):
    return exception.Conflict(f"Property '{name}' already present.", image_id=image_id)
