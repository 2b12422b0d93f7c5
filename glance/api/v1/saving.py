"""Saving image data (v1): the one path of client uploads and background copies.

An image's data is saved in three steps (CONTRACT §1, §2, §10):
`begin` moves it from `queued` to `saving` by a compare-and-set (of two
writers racing for one image, one gets it) that also takes the image's
upload lease for this process (`glance.api.recovery.Keeper` renews it while
the data moves; if the process dies, recovery or any node's lease sweep
kills the image); `save` streams a `VerifiedBody` (size, MD5
and hash checked on the same pass) into a store's atomic write and makes
the image `active` with the true size, checksum and hash.  Any failure
leaves the image `killed`, the partial data removed, and a `status_reason`
saying why: the error's message, which never names an origin, a location
or a store path.

`target` holds the checks both paths make before any data moves: the
store, the size cap and the free-space reserve.
"""

import logging

from glance.api import recovery
from glance.api.upload import HASH_ALGO, expected_os_hash
from glance.common import exception, faults

LOG = logging.getLogger(__name__)


class Saver:
    def __init__(self, conf, registry, stores, keeper):
        self.conf = conf
        self.registry = registry
        self.stores = stores
        self.keeper = keeper

    def target(self, meta, declared=()):
        """The backend that will receive the data: `x-image-meta-store` or the
        default; Invalid for an unknown or read-only store, TooLarge past the
        size cap, InsufficientStorage (507) when the store cannot take the
        largest size declared (`declared`: Content-Length, the origin's
        length, `x-image-meta-size`) and keep `store_min_free` free."""
        name = meta.get("store") or self.conf.default_store
        backend = self.stores.for_name(name)
        if not backend.writable:
            raise exception.Invalid(f"store {name!r} is read-only")
        sizes = [size for size in (*declared, meta.get("size")) if size is not None]
        for size in sizes:
            if size > self.conf.image_size_cap:
                raise exception.TooLarge(
                    f"the image ({size} bytes) is larger than the limit of "
                    f"{self.conf.image_size_cap} bytes")
        expected_os_hash(meta)
        self._check_free_space(backend, name, max(sizes, default=0))
        return backend

    def _check_free_space(self, backend, name, needed):
        try:
            free = backend.free_space()
        except OSError:
            return      # the write itself will tell
        if free is not None and free < needed + self.conf.store_min_free:
            raise exception.InsufficientStorage(
                f"not enough space in the {name} store for {needed} bytes "
                f"(it keeps {self.conf.store_min_free} bytes in reserve)")

    def begin(self, ctx, image_id):
        """queued → saving under this process's lease, or Conflict (409) when
        the image left `queued`."""
        try:
            self.registry.take_lease(ctx, image_id, self.keeper.holder(), self.conf.upload_lease)
        except (exception.Conflict, exception.Duplicate):
            raise exception.Conflict(
                f"image data is immutable: image {image_id} is no longer queued",
                image_id) from None

    def save(self, ctx, image_id, backend, body, what="upload"):
        """Store `body` (a `VerifiedBody`) as the data of the `saving` image
        `image_id` → the `active` image.  On failure the image is killed,
        nothing is kept, and the error propagates (OSError as StoreError).
        `what` names the operation in logs and the status_reason.  The
        image's lease is kept renewed meanwhile."""
        with self.keeper.uploading():
            return self._save(ctx, image_id, backend, body, what)

    def _save(self, ctx, image_id, backend, body, what):
        try:
            location = backend.add(image_id, body)
        except BaseException as exc:
            self.kill(ctx, image_id, exc, what)
            if isinstance(exc, OSError):
                raise exception.StoreError(f"could not store image {image_id}: {exc.strerror}",
                                           image_id) from None
            raise
        try:
            return self.registry.end_lease(ctx, image_id, self.keeper.holder(), {
                "status": "active", "size": body.size, "checksum": body.checksum,
                "os_hash_algo": HASH_ALGO, "os_hash_value": body.os_hash_value,
                "location": location, "store": backend.name, "status_reason": None})
        except BaseException as exc:
            self.discard(backend, location, image_id)
            self.kill(ctx, image_id, exc, what)
            raise

    def kill(self, ctx, image_id, cause, what="upload"):
        """Mark the image `killed` with why (a GlanceError's message, else the
        error's type: other exceptions may carry paths)."""
        reason = getattr(cause, "message", None) or type(cause).__name__
        LOG.warning("%s of image %s failed: %s", what, image_id, reason)
        try:
            self.registry.end_lease(ctx, image_id, self.keeper.holder(), {
                "status": "killed",
                "status_reason": recovery.reason_text(f"{what} failed: {reason}")})
        except exception.GlanceError as exc:
            LOG.warning("could not mark image %s killed: %s", image_id, exc.message)

    @staticmethod
    def discard(backend, location, image_id):
        try:
            backend.delete(location, image_id=image_id)
        except exception.GlanceError as exc:
            LOG.warning("could not remove the data of image %s: %s [%s]", image_id,
                        exc.message, faults.escaped(exc.detail or location))
