"""How the client spells its requests: image ids and uris → ids, member
ids → path segments, memberships → a JSON body, list filters → query
strings, upload data → chunks.  Pure functions, no I/O."""

import json
import re
import urllib.parse

from glance.common import fields

UPLOAD_CHUNK_SIZE = 1024 * 1024  # reads from an upload's file object
_IMAGE_PATH = re.compile(r"/images/([^/]+)/?$")


# Query parameters spelled with `-` (CONTRACT §2), which the name of a
# keyword argument cannot hold.
_QUERY_NAMES = {"changes_since": "changes-since"}


def image_id_of(image):
    """The id (a string, CONTRACT §1) that an id or an image `uri` names.

    An int is taken as its decimal string (a revision-1 id); whether a
    text is an id is the servers' own rule (`fields.parse_image_id`): a
    UUID, or the decimal id of a migrated image.
    """
    text = None if isinstance(image, bool) else str(image).strip()
    found = fields.parse_image_id(text)
    if found is None and isinstance(image, str):
        match = _IMAGE_PATH.search(urllib.parse.urlsplit(text).path)
        found = match and fields.parse_image_id(match.group(1))
    if found is None:
        raise ValueError(f"not an image id or image uri: {image!r}")
    return str(found)


def member_segment(member_id):
    """A member (tenant) id as one path segment: any text but empty, quoted
    so that `/`, `?` or spaces cannot change the route."""
    if not isinstance(member_id, str) or not member_id.strip():
        raise ValueError(f"a member id is a non-empty string, got {member_id!r}")
    return urllib.parse.quote(member_id, safe="")


def memberships_body(memberships):
    """`[tenant, ...]` or `[{"member_id": tenant, "can_share": bool}, ...]`
    (mixed as you like) → the JSON body of a members replacement (CONTRACT
    §2).  A `can_share` left out (or None) is left out: the server keeps an
    existing member's value and gives a new one false."""
    listed = []
    for entry in memberships:
        if isinstance(entry, str):
            entry = {"member_id": entry}
        if not isinstance(entry, dict) or set(entry) - {"member_id", "can_share"}:
            raise ValueError("a membership is a member id or a dict with 'member_id' "
                             f"and optionally 'can_share', got {entry!r}")
        member_segment(entry.get("member_id"))        # the same rule as in a path
        item = {"member_id": entry["member_id"]}
        if entry.get("can_share") is not None:
            item["can_share"] = bool(entry["can_share"])
        listed.append(item)
    return json.dumps({"memberships": listed}).encode()


def query_string(filters):
    """List filters → query string: booleans as true/false, None left out,
    `properties={k: v}` and `property_k=v` as `property-k=v`,
    `changes_since` as `changes-since`."""
    items = []
    for key, value in filters.items():
        if key == "properties":
            items += [(f"property-{k}", v) for k, v in (value or {}).items()]
        elif key.startswith("property_"):
            items.append(("property-" + key[len("property_"):], value))
        else:
            items.append((_QUERY_NAMES.get(key, key), value))
    return urllib.parse.urlencode([
        (key, ("true" if value else "false") if isinstance(value, bool) else str(value))
        for key, value in items if value is not None])


def upload_chunks(data, chunk_size=UPLOAD_CHUNK_SIZE):
    """Bytes, a binary file object or an iterable of bytes → chunks to send."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        if len(data):
            yield bytes(data)
        return
    if isinstance(data, str):
        raise TypeError("image data must be bytes, a binary file or an iterable of bytes")
    if hasattr(data, "read"):
        while chunk := data.read(chunk_size):
            if isinstance(chunk, str):
                raise TypeError("image data file must be opened in binary mode")
            yield chunk
        return
    yield from data
