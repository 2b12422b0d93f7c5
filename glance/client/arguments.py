"""How the client spells its requests: image ids and uris → ids, list
filters → query strings, upload data → chunks.  Pure functions, no I/O."""

import re
import urllib.parse

from glance.common import fields

UPLOAD_CHUNK_SIZE = 1024 * 1024  # reads from an upload's file object
_IMAGE_PATH = re.compile(r"/images/([^/]+)/?$")


def image_id_of(image):
    """An image id from an id (int or text) or an image `uri`; the id's
    format is the servers' own (`fields.parse_image_id`)."""
    found = fields.parse_image_id(image if isinstance(image, int) else str(image).strip())
    if found is None and isinstance(image, str):
        match = _IMAGE_PATH.search(urllib.parse.urlsplit(image.strip()).path)
        found = match and fields.parse_image_id(match.group(1))
    if found is None:
        raise ValueError(f"not an image id or image uri: {image!r}")
    return found


def query_string(filters):
    """List filters → query string: booleans as true/false, None left out,
    `properties={k: v}` and `property_k=v` as `property-k=v`."""
    items = []
    for key, value in filters.items():
        if key == "properties":
            items += [(f"property-{k}", v) for k, v in (value or {}).items()]
        elif key.startswith("property_"):
            items.append(("property-" + key[len("property_"):], value))
        else:
            items.append((key, value))
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
