"""The image API app (CONTRACT §2): lists, metadata, data, create, update, delete.

It owns its metadata: it decodes the request's `x-image-meta-*` headers with
the one codec (`glance.common.imagemeta`) before it routes (malformed → 400)
and encodes the image it answers with the same codec, so it works in any
pipeline, even bare.  Which fields a client may set and which a brief list
shows come from the field table (`glance.common.fields`).  Metadata lives in
the registry (in-process or over HTTP, same interface); bytes live in the
stores and are streamed, never held whole.
"""

import dataclasses
import logging

from glance import registry as registry_module
from glance import store as store_module
from glance.registry import query as registry_query
from glance.api import ranges, recovery
from glance.api.download import ExactLength
from glance.api.upload import HASH_ALGO, VerifiedBody, expected_os_hash
from glance.common import config, context, exception, faults, fields, imagemeta, prefork, wsgi
from glance.common.netpolicy import LocationPolicy

LOG = logging.getLogger(__name__)

OCTET_STREAM = "application/octet-stream"
# The fields a client may set (CONTRACT §2 POST 1); the rest of what it
# sends is ignored, or only checked (size, checksum) or used (store, location).
CREATE_FIELDS = fields.names(fields.CREATE)
UPDATE_FIELDS = fields.names(fields.UPDATE)
BRIEF_FIELDS = fields.names(fields.BRIEF)
DETAIL_FIELDS = fields.names(fields.DETAIL)
_IMAGES_URL = "glance.images_url"


def _image_id(text):
    """The image a path names; a path that names none is a missing image."""
    image_id = fields.parse_image_id(text)
    if image_id is None:
        raise exception.NotFound(f"no image with id {text!r}")
    return image_id


def _require_identity(ctx):
    """Changes need a tenant (it becomes the owner) or an admin."""
    if not ctx.is_admin and ctx.tenant is None:
        raise exception.NotAuthenticated("changing images needs an identity with a tenant")


def _images_url(environ):
    """This request's base URL of /images, worked out once however many
    images a list presents."""
    url = environ.get(_IMAGES_URL)
    if url is None:
        url = environ[_IMAGES_URL] = (wsgi.request_base_url(environ)
                                      + environ.get("SCRIPT_NAME", "") + "/images")
    return url


def _quoted_etag(checksum):
    return [("ETag", f'"{checksum}"')] if checksum else []


class ImagesApp:
    def __init__(self, conf, registry, stores, location_policy=None, keeper=None):
        self.conf = conf
        self.registry = registry
        self.stores = stores
        self.keeper = keeper or recovery.Keeper(conf, registry, stores, thread=False)
        self.location_policy = location_policy or LocationPolicy.from_conf(conf)
        self.router = wsgi.Router()
        self.router.add("GET", r"/images/?", self.index)
        self.router.add("GET", r"/images/detail/?", self.detail)
        self.router.add("POST", r"/images/?", self.create)
        self.router.add("HEAD", r"/images/(?P<image_id>[^/]+)/?", self.meta)
        self.router.add("GET", r"/images/(?P<image_id>[^/]+)/?", self.show)
        self.router.add("PUT", r"/images/(?P<image_id>[^/]+)/?", self.update)
        self.router.add("DELETE", r"/images/(?P<image_id>[^/]+)/?", self.delete)

    def worker_exited(self, pid):
        """In a prefork master: a worker ended; kill its interrupted uploads."""
        self.keeper.worker_exited(pid)

    def __call__(self, environ, start_response):
        try:
            # First: malformed metadata headers are a 400 on any route.
            meta = imagemeta.environ_to_meta(environ)
            method = environ["REQUEST_METHOD"]
            handler, args = self.router.match(method, environ.get("PATH_INFO") or "/")
            if method in ("POST", "PUT", "DELETE"):
                _require_identity(context.from_environ(environ))
            if "image_id" in args:
                args["image_id"] = _image_id(args["image_id"])
            if method in ("POST", "PUT"):
                args["meta"] = meta
            return handler(environ, start_response, **args)
        except exception.GlanceError as exc:
            return faults.error_response(environ, start_response, exc)
        except Exception:
            return faults.unexpected_error_response(environ, start_response)

    # -- helpers -------------------------------------------------------------

    @staticmethod
    def _caller(environ):
        """The caller's context, marked as coming through this service.

        The API reads `location` from the registry to serve data itself;
        `_present` hides it again from callers who are not admins.
        """
        return dataclasses.replace(context.from_environ(environ), is_service=True)

    def _present(self, environ, image, ctx):
        """The registry's image as this caller may see it, with its `uri`: its v1
        fields (an unknown size as 0, `status_reason` only when there is one)."""
        shown = {key: image[key] for key in DETAIL_FIELDS + ("properties",) if key in image}
        shown["uri"] = f"{_images_url(environ)}/{image['id']}"
        shown["size"] = shown["size"] or 0
        if shown.get("status_reason") is None:
            shown.pop("status_reason", None)
        if not ctx.is_admin:
            shown.pop("location", None)
        return shown

    def _image_response(self, environ, start_response, code, image):
        headers = [("Location", image["uri"]), *_quoted_etag(image.get("checksum"))]
        return wsgi.json_response(start_response, code, {"image": image}, headers)

    def _check_publicize(self, ctx, values, image=None):
        """Making an image public may be reserved to admins (`publicize_image`)."""
        if (values.get("is_public") is True and not (image and image["is_public"])
                and self.conf.publicize_image == "admin" and not ctx.is_admin):
            raise exception.Forbidden("only admins may make an image public")

    @staticmethod
    def _client_values(meta, creating=True):
        """The fields (and properties) a client may set, creating or updating."""
        allowed = CREATE_FIELDS if creating else UPDATE_FIELDS
        return {k: v for k, v in meta.items() if k in allowed or k == "properties"}

    # -- lists ---------------------------------------------------------------

    def index(self, environ, start_response):
        """GET /images → 200 {"images": [brief entries]}; bad params → 400."""
        return self._list(environ, start_response, detailed=False)

    def detail(self, environ, start_response):
        """GET /images/detail → 200 {"images": [full images]}; bad params → 400."""
        return self._list(environ, start_response, detailed=True)

    def _list(self, environ, start_response, detailed):
        ctx = self._caller(environ)
        query = registry_query.from_v1_params(wsgi.query_params(environ), ctx)
        images = self.registry.list_images(ctx, query, detailed=detailed)
        shown = [self._present(environ, image, ctx) for image in images]
        if not detailed:
            shown = [{k: image.get(k) for k in BRIEF_FIELDS} for image in shown]
        return wsgi.json_response(start_response, 200, {"images": shown},
                                  head=environ["REQUEST_METHOD"] == "HEAD")

    # -- one image -----------------------------------------------------------

    @staticmethod
    def _metadata_headers(image):
        """HEAD's and GET's headers: Location, ETag and the image's metadata."""
        return [("Location", image["uri"]), *_quoted_etag(image.get("checksum")),
                *imagemeta.meta_to_headers(image)]

    def meta(self, environ, start_response, image_id):
        """HEAD /images/<id> → 200, metadata as x-image-meta-* headers; 404."""
        ctx = self._caller(environ)
        image = self.registry.get_image(ctx, image_id)
        shown = self._present(environ, image, ctx)
        headers = self._metadata_headers(shown)
        headers += [("Content-Type", OCTET_STREAM), ("Content-Length", str(shown["size"])),
                    ("Accept-Ranges", "bytes")]
        start_response("200 OK", headers)
        return []

    def show(self, environ, start_response, image_id):
        """GET /images/<id> → 200 with the data streamed, Content-Length = size.

        `Range: bytes=a-b` (one range; `a-`, `-n` too) → 206 with that slice
        and `Content-Range`, unless `If-Range` names another ETag (→ 200, all
        of it); several ranges → 200; a range past the end → 416.
        404 for an unknown image or one without data (queued, saving, killed);
        502 when a remote origin cannot deliver it.
        """
        ctx = self._caller(environ)
        image = self.registry.get_image(ctx, image_id)
        location = image.get("location")
        if image["status"] != "active" or not location:
            raise exception.NoImageData(
                f"image {image_id} has no data (status {image['status']})", image_id)
        size = image["size"]
        wanted = ranges.requested_range(environ, size, image.get("checksum"))
        first, last = wanted or (0, size - 1)
        backend = self.stores.for_location(location)
        data = backend.get_from(location, first) if first else backend.get(location)
        shown = self._present(environ, image, ctx)
        headers = self._metadata_headers(shown)
        headers += [("Content-Type", OCTET_STREAM), ("Content-Length", str(last + 1 - first)),
                    ("Accept-Ranges", "bytes")]
        if wanted:
            headers.append(("Content-Range", ranges.content_range(first, last, size)))
        file_wrapper = environ.get("wsgi.file_wrapper")
        # A file wrapper may send to the end of the file: only for slices that end there.
        if data.fileobj is not None and file_wrapper is not None and last == size - 1:
            start_response("206 Partial Content" if wanted else "200 OK", headers)
            return file_wrapper(data.fileobj, self.conf.chunk_size)
        body = ExactLength(data, last + 1 - first)
        body.prime()
        start_response("206 Partial Content" if wanted else "200 OK", headers)
        return body

    # -- create / update -----------------------------------------------------

    def create(self, environ, start_response, meta):
        """POST /images → 201 {"image": ...} with Location and ETag.

        `meta` is the request's decoded x-image-meta-* headers.
        With a body: queued → saving → active (or killed on failure, 4xx).
        With x-image-meta-location (http/https): active at once.
        Neither: queued, size 0.  Pre-body checks fail with 400 and no record.
        """
        ctx = self._caller(environ)
        values = self._client_values(meta)
        self._check_publicize(ctx, values)
        if wsgi.has_body(environ):
            backend = self._upload_target(environ, meta)
            image = self.registry.create_image(ctx, {**values, "status": "queued", "size": 0})
            image = self._upload(environ, ctx, image, backend, meta)
        elif meta.get("location"):
            location, size = self._external_location(meta)
            image = self.registry.create_image(ctx, {
                **values, "status": "active", "location": location, "store": "http",
                "size": size})
        else:
            image = self.registry.create_image(ctx, {**values, "status": "queued", "size": 0})
        return self._image_response(environ, start_response, 201,
                                    self._present(environ, image, ctx))

    def update(self, environ, start_response, image_id, meta):
        """PUT /images/<id> → 200 {"image": ...}.

        Metadata headers (`meta`, decoded) update fields; properties are
        merged unless `x-glance-registry-purge-props: true` (a value other
        than true/false/empty/None → 400).
        Data or a location is accepted only for a `queued` image: 409 otherwise.
        """
        ctx = self._caller(environ)
        purge = imagemeta.purge_props(environ)
        values = self._client_values(meta, creating=False)
        image = self.registry.get_image(ctx, image_id)
        self._check_publicize(ctx, values, image)
        with_body = wsgi.has_body(environ)
        if (with_body or meta.get("location")) and image["status"] != "queued":
            raise exception.Conflict(
                f"image data is immutable: image {image_id} is {image['status']}", image_id)
        if with_body:
            backend = self._upload_target(environ, meta)
            image = self.registry.update_image(ctx, image_id, values, purge_props=purge)
            image = self._upload(environ, ctx, image, backend, meta)
        elif meta.get("location"):
            location, size = self._external_location(meta)
            image = self.registry.update_image(ctx, image_id, {
                **values, "status": "active", "location": location, "store": "http",
                "size": size}, purge_props=purge)
        else:
            image = self.registry.update_image(ctx, image_id, values, purge_props=purge)
        return self._image_response(environ, start_response, 200,
                                    self._present(environ, image, ctx))

    def _upload_target(self, environ, meta):
        """Checks made before reading a body; returns the backend to write to."""
        content_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if content_type != OCTET_STREAM:   # v1 answers 400 here, as Glance v1 did
            raise exception.Invalid(
                f"image data must be sent as {OCTET_STREAM}, got "
                f"{content_type or 'no Content-Type'}")
        if meta.get("location"):
            raise exception.Invalid("send image data or x-image-meta-location, not both")
        name = meta.get("store") or self.conf.default_store
        backend = self.stores.for_name(name)
        if not backend.writable:
            raise exception.Invalid(f"store {name!r} is read-only")
        for declared in (wsgi.content_length(environ), meta.get("size")):
            if declared is not None and declared > self.conf.image_size_cap:
                raise exception.TooLarge(
                    f"the image ({declared} bytes) is larger than the limit of "
                    f"{self.conf.image_size_cap} bytes")
        expected_os_hash(meta)
        self._check_free_space(backend, name, environ, meta)
        return backend

    def _check_free_space(self, backend, name, environ, meta):
        """507 before the body is read when the store cannot take the declared
        size (0 for chunked bodies) and still keep `store_min_free` free."""
        try:
            free = backend.free_space()
        except OSError:
            return      # the write itself will tell
        needed = max((d for d in (wsgi.content_length(environ), meta.get("size"))
                      if d is not None),
                     default=0)
        if free is not None and free < needed + self.conf.store_min_free:
            raise exception.InsufficientStorage(
                f"not enough space in the {name} store for {needed} bytes "
                f"(it keeps {self.conf.store_min_free} bytes in reserve)")

    def _upload(self, environ, ctx, image, backend, meta):
        """Stream the body into `backend`; the image ends active or killed."""
        image_id = image["id"]
        holder = self.keeper.holder()
        try:   # compare-and-set: of two uploads racing for one image, one gets it
            self.registry.take_lease(ctx, image_id, holder, self.conf.upload_lease)
        except (exception.Conflict, exception.Duplicate):
            raise exception.Conflict(
                f"image data is immutable: image {image_id} is no longer queued",
                image_id) from None
        with self.keeper.uploading():
            return self._upload_leased(environ, ctx, image_id, holder, backend, meta)

    def _upload_leased(self, environ, ctx, image_id, holder, backend, meta):
        body = VerifiedBody(environ, self.conf.chunk_size, self.conf.image_size_cap,
                            expected_size=meta.get("size"),
                            expected_checksum=meta.get("checksum"), image_id=image_id,
                            expected_os_hash=expected_os_hash(meta))
        try:
            location = backend.add(image_id, body)
        except BaseException as exc:
            self._kill(ctx, image_id, holder, exc)
            if isinstance(exc, exception.GlanceError):
                raise
            if isinstance(exc, OSError):
                raise exception.StoreError(f"could not store image {image_id}: {exc.strerror}",
                                           image_id) from None
            raise
        try:
            return self.registry.end_lease(ctx, image_id, holder, {
                "status": "active", "size": body.size, "checksum": body.checksum,
                "os_hash_algo": HASH_ALGO, "os_hash_value": body.os_hash_value,
                "location": location, "store": backend.name, "status_reason": None})
        except BaseException as exc:
            self._discard(backend, location)
            self._kill(ctx, image_id, holder, exc)
            raise

    def _kill(self, ctx, image_id, holder, cause):
        LOG.warning("upload of image %s failed: %s", image_id, getattr(cause, "message", cause))
        try:
            reason = getattr(cause, "message", None) or type(cause).__name__
            self.registry.end_lease(ctx, image_id, holder, {
                "status": "killed",
                "status_reason": recovery.reason_text(f"upload failed: {reason}")})
        except exception.GlanceError as exc:
            LOG.warning("could not mark image %s killed: %s", image_id, exc.message)

    @staticmethod
    def _discard(backend, location):
        try:
            backend.delete(location)
        except exception.GlanceError as exc:
            LOG.warning("could not remove data at %s: %s", location, exc.message)

    def _external_location(self, meta):
        """Validate a client's location; returns it with the image's size."""
        location = meta["location"]
        self.location_policy.check_location(location)
        size = meta.get("size")
        if size is None:
            try:
                size = self.stores.for_location(location).get_size(location)
            except (exception.StoreError, exception.Forbidden) as exc:
                raise exception.Invalid(f"cannot learn the image size: {exc.message}") from None
            if size is None:
                raise exception.Invalid(
                    "the origin did not say the image size; send x-image-meta-size")
        return location, size

    # -- delete --------------------------------------------------------------

    def delete(self, environ, start_response, image_id):
        """DELETE /images/<id> → 200, empty; soft-deletes the record, removes our data."""
        ctx = self._caller(environ)
        image = self.registry.get_image(ctx, image_id)
        # The deleted record, not the one read before: an upload may have
        # finished in between and given the image its location.
        deleted = self.registry.delete_image(ctx, image_id)
        location = deleted.get("location") or image.get("location")
        if location:
            backend = self.stores.for_location(location)
            if backend.writable:
                self._discard(backend, location)
        start_response("200 OK", [("Content-Length", "0")])
        return []


def app_factory(global_conf, **local_conf):
    conf = config.load(global_conf, local_conf)
    registry, stores = registry_module.connect(conf), store_module.Stores(conf)
    keeper = recovery.Keeper(conf, registry, stores).start()
    app = ImagesApp(conf, registry, stores, keeper=keeper)
    prefork.on_worker_exit(app)
    return app
