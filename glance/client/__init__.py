"""The Python client of Glance's image API (CONTRACT §7), standard library only.

    from glance import client
    with client.Client("127.0.0.1", 9292) as glance:
        meta, chunks = glance.get_image(image_id)

The package is split by concept: `api` (the `Client` and its image calls),
`members` (its sharing calls), `errors` (the exceptions and how an error
answer becomes one), `metadata` (image dicts ↔ `x-image-meta-*` headers, and
the shape every image dict is handed out in), `download` (the chunks of a
GET) and `arguments` (ids, member ids, list filters and upload data as the
client spells them).  The connection handling it shares with the registry
client is in `glance.common.httpclient`.  docs/client.rst has the reference.
"""

from glance.client.api import (COPY_FROM_HEADER, DEFAULT_PORT, DEFAULT_TIMEOUT, MAX_PAGE_SIZE,
                               OCTET_STREAM, Client)
from glance.client.arguments import image_id_of, query_string, upload_chunks
from glance.client.download import CHUNK_SIZE, ImageData
from glance.client.errors import (ERRORS_BY_STATUS, ChecksumMismatch, ClientConnectionError,
                                  ClientError, Duplicate, Invalid, LimitExceeded, NotAuthorized,
                                  NotFound, error_from_response)
from glance.client.metadata import meta_from_headers, meta_headers

__all__ = [
    "CHUNK_SIZE", "COPY_FROM_HEADER", "DEFAULT_PORT", "DEFAULT_TIMEOUT", "ERRORS_BY_STATUS",
    "MAX_PAGE_SIZE", "OCTET_STREAM", "ChecksumMismatch", "Client", "ClientConnectionError",
    "ClientError", "Duplicate", "ImageData", "Invalid", "LimitExceeded", "NotAuthorized",
    "NotFound", "error_from_response", "image_id_of", "meta_from_headers", "meta_headers",
    "query_string", "upload_chunks",
]
