"""The data routes of the Images API v2 (CONTRACT §4 Upload, Download,
Import): `PUT`/`GET /v2/images/{id}/file`, `PUT …/stage` and, through
`imports.Importer`, `POST …/import`.

The v2 app registers them with `ImageData(...).add_routes(router)`; each
handler is `handler(environ, start_response, image_id)` with the id as the
path gave it (malformed → 404), and raises domain errors, which the app
renders (`glance.common.faults`).

Uploads and stages go the one saving path of v1 (`glance.api.saving`:
checks before the body, a compare-and-set with an upload lease, the body
verified on the same pass into a store's atomic write), configured with
v2's answer to a failure: the image goes back to `queued`, its partial data
removed, so the client may try again.  Downloads go the one download path
of v1 (`glance.api.download`).
"""

from glance.api import download, saving, upload
from glance.api.v2 import common, imports
from glance.common import exception, wsgi

OCTET_STREAM = download.OCTET_STREAM
_ID = r"(?P<image_id>[^/]+)"
# Statuses whose image holds data to send (Glance v2 sends a deactivated
# image's data to admins).
WITH_DATA = ("active", "deactivated")


def check_content_type(environ):
    """An upload or a stage is `application/octet-stream` (parameters aside,
    as Glance): UnsupportedMediaType (415) otherwise, before anything else."""
    media_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if media_type != OCTET_STREAM:
        raise exception.UnsupportedMediaType(
            f"Invalid content type {media_type or '(none)'}: image data is sent as "
            f"{OCTET_STREAM}")


def check_queued(image, what):
    """Data comes only to a `queued` image (CONTRACT §1: immutable): Conflict (409)."""
    if image["status"] != "queued":
        raise exception.Conflict(
            f"image data is immutable: image {image['id']} is {image['status']}, and "
            f"{what} needs a queued image", image["id"])


class ImageData:
    """The v2 data routes of one app, sharing its registry, stores and
    upload keeper.  `start_import(work)` runs an import in the background
    (test seam; default: a thread); `location_policy` judges web-download
    URIs (default: from the configuration)."""

    def __init__(self, conf, registry, stores, keeper, location_policy=None, start_import=None):
        self.conf = conf
        self.registry = registry
        self.stores = stores
        self.saver = saving.Saver(conf, registry, stores, keeper, fallback="queued")
        self.importer = imports.Importer(conf, registry, stores, self.saver,
                                         location_policy=location_policy, start=start_import)

    def routes(self):
        """(method, path pattern, handler) of every data route, paths under /v2."""
        return [("PUT", rf"/images/{_ID}/file/?", self.upload),
                ("GET", rf"/images/{_ID}/file/?", self.download),
                ("PUT", rf"/images/{_ID}/stage/?", self.stage),
                ("POST", rf"/images/{_ID}/import/?", self.import_image)]

    def add_routes(self, router):
        """Register the data routes with a `glance.common.wsgi.Router`."""
        for method, pattern, handler in self.routes():
            router.add(method, pattern, handler)

    def image_deleted(self, image_id):
        """For the app's DELETE, once the record is deleted: remove what the
        image had staged now (recovery's lease sweep would, later)."""
        self.importer.discard_staged(image_id)

    def _body(self, environ, image_id):
        return upload.VerifiedBody.of_request(environ, self.conf.chunk_size,
                                              self.conf.image_size_cap, image_id=image_id)

    # -- upload --------------------------------------------------------------

    def upload(self, environ, start_response, image_id):
        """PUT /v2/images/{id}/file → 204, the image `active` with its size,
        checksum, hashes and (raw) virtual_size.

        The body comes by Content-Length or chunked (neither: 0 bytes);
        X-OpenStack-Image-Size is a hint only, and ignored.  Before a byte
        is read: Content-Type not application/octet-stream → 415; unknown or
        invisible image → 404; not the owner or an admin → 403; not `queued`
        → 409; Content-Length over the size cap → 413, or over what the
        store can take → 507.  While it is read the image is `saving`; a
        cut-off body (400), a full store (507) or any other failure removes
        the partial data and puts the image back to `queued`.
        """
        check_content_type(environ)
        ctx = common.caller(environ)
        image = common.owned_image(self.registry, ctx, image_id)
        image_id = image["id"]
        check_queued(image, "an upload")
        backend = self.saver.target({}, (wsgi.content_length(environ),))
        self.saver.begin(ctx, image_id)
        self.saver.save(ctx, image_id, backend, self._body(environ, image_id))
        start_response("204 No Content", [])
        return []

    # -- stage ---------------------------------------------------------------

    def stage(self, environ, start_response, image_id):
        """PUT /v2/images/{id}/stage → 204, the image `uploading` with the
        staged size, its data in the staging area (`glance.store.staging`)
        for a glance-direct import.

        The same checks and failures as an upload (415, 404, 403, 409 unless
        `queued`, 413, 507 for a full staging area), the same verified
        write; while the body is read the image is already `uploading`
        (under a lease), and a failure puts it back to `queued` with nothing
        staged.
        """
        check_content_type(environ)
        ctx = common.caller(environ)
        image = common.owned_image(self.registry, ctx, image_id)
        image_id = image["id"]
        check_queued(image, "staging")
        staging = self.stores.staging
        self.saver.check_room(staging, (wsgi.content_length(environ),))
        self.saver.begin(ctx, image_id, to_status="uploading")
        try:
            # The image was queued: anything staged for it is a leftover.
            staging.discard(image_id)
        except BaseException as exc:
            self.saver.fail(ctx, image_id, exc, "stage")
            raise
        self.saver.save(ctx, image_id, staging, self._body(environ, image_id), what="stage",
                        finish="uploading")
        start_response("204 No Content", [])
        return []

    # -- import --------------------------------------------------------------

    def import_image(self, environ, start_response, image_id):
        """POST /v2/images/{id}/import → 202 (see `imports.Importer.accept`)."""
        self.importer.accept(environ, image_id)
        start_response("202 Accepted", [("Content-Length", "0")])
        return []

    # -- download ------------------------------------------------------------

    def download(self, environ, start_response, image_id):
        """GET /v2/images/{id}/file → 200 with the data, Content-Type exactly
        application/octet-stream, Content-Length, Content-MD5 = the checksum
        when known.

        One satisfiable `Range` → 206 with that slice, Content-Range and the
        whole image's Content-MD5; past the end → 416 with `Content-Range:
        bytes */<size>`; several ranges (or one Glance cannot parse) → 200
        with everything.  No data (`queued`, `saving`, `uploading`,
        `importing`, `killed`, or active without stored data) → 204, empty.
        `deactivated` → 403 unless the caller is an admin.  Unknown or
        invisible image → 404; an origin (http store) that fails → 502, that
        is busy for this origin or owner → 503.
        """
        ctx = common.caller(environ)
        image = self.registry.get_image(ctx, common.image_id(image_id))
        if image["status"] == "deactivated" and not ctx.is_admin:
            raise exception.Forbidden(
                f"image {image['id']} is deactivated: image data download is forbidden",
                image["id"])
        if image["status"] not in WITH_DATA or not image.get("location"):
            start_response("204 No Content", [])
            return []
        checksum = image.get("checksum")
        headers = [("Content-MD5", checksum)] if checksum else []
        return download.send(environ, start_response, self.stores, image, headers,
                             self.conf.chunk_size)


def add_routes(router, services, start_import=None):
    """Register the data, stage and import routes of the v2 app built on
    `services` (`common.Services`): the import methods join the app's list
    (`/v2/info/import`, `OpenStack-image-import-methods`), and a deleted
    image's staged data goes at once.  Returns the `ImageData`."""
    routes = ImageData(services.conf, services.registry, services.stores, services.keeper,
                       services.location_policy, start_import=start_import)
    routes.add_routes(router)
    services.import_methods.extend(imports.METHODS)
    services.after_delete.append(lambda ctx, image: routes.image_deleted(image["id"]))
    return routes
