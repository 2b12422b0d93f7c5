"""Saving image data: the one path of v1 uploads and copies, and of v2
uploads, stages and imports.

An image's data is saved in three steps (CONTRACT §1, §2, §4, §10):
`begin` moves the image from the status that waits for data (`queued`;
`uploading` for the import that follows a stage) to a writing status
(`saving`; `uploading` while staging; `importing`) by a compare-and-set
(of two writers racing for one image, one gets it) that also takes the
image's upload lease for this process (`glance.api.recovery.Keeper` renews
it while the data moves; if the process dies, recovery or any node's lease
sweep moves the image to the lease's fallback status); `save` streams a
`VerifiedBody` (size, MD5 and hash checked on the same pass) into a store's
atomic write and gives the image its next status: `active` with the true
size, checksum and hash, or, for a stage, `uploading` with the staged size.

What a failure leaves depends on the API, and is the one thing a `Saver`
is configured with: its `fallback`.  v1 kills the image (`killed`, CONTRACT
§2); v2 puts it back to `queued` (§1, §4), so the client may try again.
Either way the partial data is removed and `status_reason` says why: the
error's message, which never names an origin, a location or a store path.

`target` and `check_room` hold the checks made before any data moves: the
store, the size cap and the free-space reserve.
"""

import logging

from glance.api import recovery
from glance.api.upload import HASH_ALGO, expected_os_hash
from glance.common import exception, faults

LOG = logging.getLogger(__name__)

FALLBACKS = ("killed", "queued")


class Saver:
    def __init__(self, conf, registry, stores, keeper, fallback="killed"):
        if fallback not in FALLBACKS:
            raise ValueError(f"a failed save leaves an image {' or '.join(FALLBACKS)}")
        self.conf = conf
        self.registry = registry
        self.stores = stores
        self.keeper = keeper
        self.fallback = fallback

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
        self._check_cap(sizes)
        expected_os_hash(meta)
        self._check_free_space(backend, max(sizes, default=0))
        return backend

    def check_room(self, backend, declared):
        """TooLarge when a declared size passes the size cap; InsufficientStorage
        when `backend` cannot take the largest and keep `store_min_free` free.
        None in `declared` is a size nobody declared."""
        sizes = [size for size in declared if size is not None]
        self._check_cap(sizes)
        self._check_free_space(backend, max(sizes, default=0))

    def _check_cap(self, sizes):
        for size in sizes:
            if size > self.conf.image_size_cap:
                raise exception.TooLarge(
                    f"the image ({size} bytes) is larger than the limit of "
                    f"{self.conf.image_size_cap} bytes")

    def _check_free_space(self, backend, needed):
        try:
            free = backend.free_space()
        except OSError:
            return      # the write itself will tell
        if free is not None and free < needed + self.conf.store_min_free:
            raise exception.InsufficientStorage(
                f"not enough space in the {backend.name} store for {needed} bytes "
                f"(it keeps {self.conf.store_min_free} bytes in reserve)")

    def begin(self, ctx, image_id, from_status="queued", to_status="saving"):
        """`from_status` → `to_status` under this process's lease (falling
        back to this saver's `fallback` if the process dies), or Conflict
        (409) when the image is no longer in `from_status`."""
        try:
            self.registry.take_lease(ctx, image_id, self.keeper.holder(), self.conf.upload_lease,
                                     from_status=from_status, to_status=to_status,
                                     fallback=self.fallback)
        except (exception.Conflict, exception.Duplicate):
            raise exception.Conflict(
                f"image data is immutable: image {image_id} is no longer {from_status}",
                image_id) from None

    def save(self, ctx, image_id, backend, body, what="upload", finish="active"):
        """Store `body` (a `VerifiedBody`) as the data of image `image_id`
        (in a writing status, under this process's lease) and give it the
        status `finish`: `active` with its size, checksum, hash and location,
        or (a stage) `uploading` with its size.  The image after.  On failure
        the image falls back, nothing is kept, and the error propagates
        (OSError as StoreError).  `what` names the operation in logs and the
        status_reason.  The image's lease is kept renewed meanwhile."""
        with self.keeper.uploading():
            return self._save(ctx, image_id, backend, body, what, finish)

    def _save(self, ctx, image_id, backend, body, what, finish):
        try:
            location = backend.add(image_id, body)
        except BaseException as exc:
            self.fail(ctx, image_id, exc, what)
            if isinstance(exc, OSError):
                raise exception.StoreError(f"could not store image {image_id}: {exc.strerror}",
                                           image_id) from None
            raise
        if finish == "active":
            values = {"status": "active", "size": body.size, "checksum": body.checksum,
                      "os_hash_algo": HASH_ALGO, "os_hash_value": body.os_hash_value,
                      "location": location, "store": backend.name, "status_reason": None}
        else:
            values = {"status": finish, "size": body.size, "status_reason": None}
        try:
            return self.registry.end_lease(ctx, image_id, self.keeper.holder(), values)
        except BaseException as exc:
            self.discard(backend, location, image_id)
            self.fail(ctx, image_id, exc, what)
            raise

    def fail(self, ctx, image_id, cause, what="upload"):
        """End the image's lease with this saver's fallback status and why (a
        GlanceError's message, else the error's type: other exceptions may
        carry paths).  Back to `queued`, the image has no size again."""
        reason = getattr(cause, "message", None) or type(cause).__name__
        LOG.warning("%s of image %s failed: %s", what, image_id, reason)
        values = {"status": self.fallback,
                  "status_reason": recovery.reason_text(f"{what} failed: {reason}")}
        if self.fallback == "queued":
            values["size"] = None
        try:
            self.registry.end_lease(ctx, image_id, self.keeper.holder(), values)
        except exception.GlanceError as exc:
            LOG.warning("could not mark image %s %s: %s", image_id, self.fallback, exc.message)

    @staticmethod
    def discard(backend, location, image_id):
        try:
            backend.delete(location, image_id=image_id)
        except exception.GlanceError as exc:
            LOG.warning("could not remove the data of image %s: %s [%s]", image_id,
                        exc.message, faults.escaped(exc.detail or location))
