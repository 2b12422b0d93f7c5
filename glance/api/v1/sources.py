"""Where a v1 image's data comes from: the request body, an
`x-image-meta-location` or an `x-glance-api-copy-from` URL, at most one of
them (CONTRACT §2 POST 2-5, PUT, §10).

Every check that needs no body and no origin comes first, so that a refused
request leaves no record and asks no origin.  A body is streamed and
verified into a store (`saving.Saver`); a location is checked against the
location policy and stays where it is; a copy is opened at once and run in
the background (`copyfrom.Copier`) through the same path as a body.
"""

from glance.api.upload import VerifiedBody, expected_os_hash
from glance.api.v1 import copyfrom
from glance.api.v1.copyfrom import Copier
from glance.api.v1.saving import Saver
from glance.common import exception, wsgi

OCTET_STREAM = "application/octet-stream"
BODY, LOCATION, COPY = "image data", "x-image-meta-location", copyfrom.HEADER
NOT_QUEUED_LOCATION = "Attempted to update Location field for an image not in queued status."


def of_request(environ, meta):
    """The request's source of data: BODY, LOCATION, COPY or None (Invalid
    when it sends more than one)."""
    sent = [name for name, present in ((BODY, wsgi.has_body(environ)),
                                       (LOCATION, bool(meta.get("location"))),
                                       (COPY, copyfrom.requested(environ) is not None))
            if present]
    if len(sent) > 1:
        raise exception.Invalid(f"send only one of {', '.join(sent)}")
    return sent[0] if sent else None


def check_queued(source, image):
    """Data comes only to a `queued` image: Conflict (409) otherwise, in
    Glance's words for a location or a copy."""
    if source is not None and image["status"] != "queued":
        raise exception.Conflict(
            f"image data is immutable: image {image['id']} is {image['status']}"
            if source == BODY else NOT_QUEUED_LOCATION, image["id"])


class Sources:
    def __init__(self, conf, registry, stores, location_policy, keeper, start_copy=None):
        self.conf = conf
        self.stores = stores
        self.location_policy = location_policy
        self.saver = Saver(conf, registry, stores, keeper)
        self.copier = Copier(conf, stores, self.saver, location_policy, start=start_copy)

    def upload_target(self, environ, meta):
        """Checks made before reading a body; returns the backend to write to."""
        content_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if content_type != OCTET_STREAM:   # v1 answers 400 here, as Glance v1 did
            raise exception.Invalid(
                f"image data must be sent as {OCTET_STREAM}, got "
                f"{content_type or 'no Content-Type'}")
        return self.saver.target(meta, (wsgi.content_length(environ),))

    def upload(self, environ, ctx, image_id, backend, meta):
        """Stream the body into `backend`; the image ends active or killed."""
        self.saver.begin(ctx, image_id)
        body = VerifiedBody.of_request(
            environ, self.conf.chunk_size, self.conf.image_size_cap,
            expected_size=meta.get("size"), expected_checksum=meta.get("checksum"),
            image_id=image_id, expected_os_hash=expected_os_hash(meta))
        return self.saver.save(ctx, image_id, backend, body)

    def copy(self, environ, ctx, meta, record):
        """Check and open the copy-from URL, then `record(size)` (create or
        update the image, queued, with the origin's size) and copy in the
        background; returns the image as recorded."""
        url = copyfrom.requested(environ)
        self.copier.check(url)
        self.saver.target(meta)         # the store, the size cap: before the origin
        source = self.copier.open(environ, url, tenant=ctx.tenant)
        try:
            backend = self.saver.target(meta, (source.size,))
            image = record(source.size or 0)
            self.saver.begin(ctx, image["id"])
        except BaseException:
            source.close()
            raise
        self.copier.start(ctx, image["id"], source, backend, meta)
        return image

    def location(self, environ, meta, owner):
        """Validate a client's location; returns it with the image's size.
        The size probe counts against `owner`'s origin fetches."""
        location = meta["location"]
        wsgi.give_back_slot(environ)
        self.location_policy.check_location(location)
        size = meta.get("size")
        if size is None:
            try:
                size = self.stores.for_location(location).get_size(location, tenant=owner)
            except exception.OriginBusy:
                raise
            except (exception.StoreError, exception.Forbidden) as exc:
                raise exception.Invalid(f"cannot learn the image size: {exc.message}",
                                        detail=exc.detail) from None
            if size is None:
                raise exception.Invalid(
                    "the origin did not say the image size; send x-image-meta-size")
        return location, size
