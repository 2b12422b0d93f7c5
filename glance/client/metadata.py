"""Image dicts ↔ `x-image-meta-*` headers, as the client sends and reads them.

Both directions go through the servers' own codec (`glance.common.imagemeta`),
so a dict read with HEAD or GET is typed exactly like one read from a JSON list.
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
    """Response headers (http.client's latin-1 strings) → typed image dict;
    a field the answer left out is null."""
    try:
        return imagemeta.answer_to_meta(pairs)
    except _domain.Invalid as exc:
        raise ClientError(f"the server sent malformed metadata: {exc.message}") from None
