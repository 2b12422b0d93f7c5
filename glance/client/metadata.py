"""Image dicts ↔ `x-image-meta-*` headers, as the client sends and reads them.

Both directions go through the servers' own codec (`glance.common.imagemeta`),
so a dict read with HEAD or GET is typed exactly like one read from a JSON
list; `v1_image` gives both the same shape (CONTRACT §7): the id a string,
a field the answer left out null, `size` never null.
"""

from glance.client.errors import ClientError
from glance.common import exception as _domain
from glance.common import imagemeta


def meta_headers(image_meta):
    """An image dict → request headers; unknown top-level keys are refused
    rather than silently dropped (free-form keys belong in `properties`)."""
    image_meta = dict(image_meta or {})
    unknown = sorted(set(image_meta) - set(imagemeta.CORE_FIELDS) - {"properties"})
    if unknown:
        raise ValueError(f"unknown image field(s) {', '.join(unknown)}; "
                         "put free-form keys in 'properties'")
    return imagemeta.meta_to_headers(image_meta)


def meta_from_headers(pairs):
    """Response headers (http.client's latin-1 strings) → typed image dict.

    A core field the answer left out is null: servers omit null fields from
    headers (CONTRACT §3; glanceclient fails a download on an empty
    checksum header), so absence is how they say null.
    """
    try:
        meta = imagemeta.headers_to_meta(pairs)
    except _domain.Invalid as exc:
        raise ClientError(f"the server sent malformed metadata: {exc.message}") from None
    for field in imagemeta.CORE_FIELDS:
        meta.setdefault(field, None)
    return v1_image(meta)


def v1_image(image):
    """An image dict (from headers or JSON) as the client hands it out,
    changed in place and returned.

    The id is a string (CONTRACT §1: ids are strings; a revision-1 server
    still sends integers, and a caller must not have to care which it
    spoke to).  A null `size` is 0, as v1 shows it (§1, §3): a HEAD of a
    queued image and its list entry then agree.
    """
    if image.get("id") is not None:
        image["id"] = str(image["id"])
    if "size" in image and image["size"] is None:
        image["size"] = 0
    return image
