"""The image API app (CONTRACT §2): lists, metadata, data, create, update, delete.

It works on image dicts: the `headers` filter has already decoded the
request's `x-image-meta-*` headers into `environ[REQUEST_META]`, and encodes
whatever image the app leaves in `environ[RESPONSE_META]`.  Metadata lives in
the registry (in-process or over HTTP, same interface); bytes live in the
stores and are streamed, never held whole.
"""

import dataclasses
import logging

from glance import registry as registry_module
from glance import store as store_module
from glance.api.upload import HASH_ALGO, VerifiedBody, declared_length
from glance.common import config, context, exception, imagemeta, wsgi
from glance.middleware.headers import REQUEST_META, RESPONSE_META

LOG = logging.getLogger(__name__)

OCTET_STREAM = "application/octet-stream"
LOCATION_SCHEMES = ("http", "https")
# Fields a client may not set through the API (CONTRACT §2 POST 1, §8).
SERVER_FIELDS = ("uri", "status", "checksum", "os_hash_algo", "os_hash_value",
                 "size", "store", "location", "owner", "created_at", "updated_at",
                 "deleted_at", "deleted")
BRIEF_FIELDS = ("id", "uri", "name", "type", "disk_format", "container_format",
                "checksum", "size")


def _image_id(text):
    """Path ids are decimal integers; anything else names no image."""
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        raise exception.NotFound(f"no image with id {text!r}")
    return int(text)


def _quoted_etag(checksum):
    return [("ETag", f'"{checksum}"')] if checksum else []


class ImagesApp:
    def __init__(self, conf, registry, stores):
        self.conf = conf
        self.registry = registry
        self.stores = stores
        self.router = wsgi.Router()
        self.router.add("GET", r"/images/?", self.index)
        self.router.add("GET", r"/images/detail/?", self.detail)
        self.router.add("POST", r"/images/?", self.create)
        self.router.add("HEAD", r"/images/(?P<image_id>[^/]+)/?", self.meta)
        self.router.add("GET", r"/images/(?P<image_id>[^/]+)/?", self.show)
        self.router.add("PUT", r"/images/(?P<image_id>[^/]+)/?", self.update)
        self.router.add("DELETE", r"/images/(?P<image_id>[^/]+)/?", self.delete)

    def __call__(self, environ, start_response):
        try:
            handler, args = self.router.match(environ["REQUEST_METHOD"],
                                              environ.get("PATH_INFO") or "/")
            if "image_id" in args:
                args["image_id"] = _image_id(args["image_id"])
            return handler(environ, start_response, **args)
        except exception.GlanceError as exc:
            return wsgi.error_response(environ, start_response, exc)
        except Exception:
            return wsgi.unexpected_error_response(environ, start_response)

    # -- helpers -------------------------------------------------------------

    @staticmethod
    def _caller(environ):
        """The caller's context, marked as coming through this service.

        The API reads `location` from the registry to serve data itself;
        `_present` hides it again from callers who are not admins.
        """
        return dataclasses.replace(context.from_environ(environ), is_service=True)

    def _present(self, environ, image, ctx):
        """The registry's image as this caller may see it, with its `uri`."""
        shown = dict(image)
        shown["uri"] = (wsgi.request_base_url(environ) + environ.get("SCRIPT_NAME", "")
                        + f"/images/{image['id']}")
        if not ctx.is_admin:
            shown.pop("location", None)
        return shown

    def _image_response(self, environ, start_response, code, image):
        headers = [("Location", image["uri"]), *_quoted_etag(image.get("checksum"))]
        return wsgi.json_response(start_response, code, {"image": image}, headers)

    @staticmethod
    def _client_values(meta, creating=True):
        """The fields a client may set; `id` only when creating."""
        return {k: v for k, v in meta.items()
                if k not in SERVER_FIELDS and (creating or k != "id")}

    # -- lists ---------------------------------------------------------------

    def index(self, environ, start_response):
        """GET /images → 200 {"images": [brief entries]}; bad params → 400."""
        return self._list(environ, start_response, detailed=False)

    def detail(self, environ, start_response):
        """GET /images/detail → 200 {"images": [full images]}; bad params → 400."""
        return self._list(environ, start_response, detailed=True)

    def _list(self, environ, start_response, detailed):
        ctx = self._caller(environ)
        params = wsgi.query_params(environ)
        images = self.registry.list_images(ctx, params, detailed=detailed)
        shown = [self._present(environ, image, ctx) for image in images]
        if not detailed:
            shown = [{k: image.get(k) for k in BRIEF_FIELDS} for image in shown]
        return wsgi.json_response(start_response, 200, {"images": shown},
                                  head=environ["REQUEST_METHOD"] == "HEAD")

    # -- one image -----------------------------------------------------------

    def _metadata_headers(self, environ, image):
        environ[RESPONSE_META] = image
        return [("Location", image["uri"]), *_quoted_etag(image.get("checksum"))]

    def meta(self, environ, start_response, image_id):
        """HEAD /images/<id> → 200, metadata as x-image-meta-* headers; 404."""
        ctx = self._caller(environ)
        image = self.registry.get_image(ctx, image_id)
        shown = self._present(environ, image, ctx)
        headers = self._metadata_headers(environ, shown)
        headers += [("Content-Type", OCTET_STREAM), ("Content-Length", str(shown["size"]))]
        start_response("200 OK", headers)
        return []

    def show(self, environ, start_response, image_id):
        """GET /images/<id> → 200 with the data streamed, Content-Length = size.

        404 for an unknown image or one without data (queued, saving, killed);
        502 when a remote origin cannot deliver it.
        """
        ctx = self._caller(environ)
        image = self.registry.get_image(ctx, image_id)
        location = image.get("location")
        if image["status"] != "active" or not location:
            raise exception.NoImageData(
                f"image {image_id} has no data (status {image['status']})", image_id)
        data = self.stores.for_location(location).get(location)
        shown = self._present(environ, image, ctx)
        headers = self._metadata_headers(environ, shown)
        headers += [("Content-Type", OCTET_STREAM), ("Content-Length", str(image["size"]))]
        start_response("200 OK", headers)
        file_wrapper = environ.get("wsgi.file_wrapper")
        if data.fileobj is not None and file_wrapper is not None:
            return file_wrapper(data.fileobj, self.conf.chunk_size)
        return _ExactLength(data, image["size"])

    # -- create / update -----------------------------------------------------

    def create(self, environ, start_response):
        """POST /images → 201 {"image": ...} with Location and ETag.

        With a body: queued → saving → active (or killed on failure, 4xx).
        With x-image-meta-location (http/https): active at once.
        Neither: queued, size 0.  Pre-body checks fail with 400 and no record.
        """
        ctx = self._caller(environ)
        meta = environ[REQUEST_META]
        values = self._client_values(meta)
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

    def update(self, environ, start_response, image_id):
        """PUT /images/<id> → 200 {"image": ...}.

        Metadata headers update fields (properties merged unless purged).
        Data or a location is accepted only for a `queued` image: 409 otherwise.
        """
        ctx = self._caller(environ)
        meta = environ[REQUEST_META]
        purge = imagemeta.purge_props_requested(environ)
        values = self._client_values(meta, creating=False)
        image = self.registry.get_image(ctx, image_id)
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
        if content_type != OCTET_STREAM:
            raise exception.UnsupportedMediaType(
                f"image data must be sent as {OCTET_STREAM}, got "
                f"{content_type or 'no Content-Type'}")
        if meta.get("location"):
            raise exception.Invalid("send image data or x-image-meta-location, not both")
        name = meta.get("store") or self.conf.default_store
        backend = self.stores.for_name(name)
        if not backend.writable:
            raise exception.Invalid(f"store {name!r} is read-only")
        for declared in (declared_length(environ), meta.get("size")):
            if declared is not None and declared > self.conf.image_size_cap:
                raise exception.TooLarge(
                    f"the image ({declared} bytes) is larger than the limit of "
                    f"{self.conf.image_size_cap} bytes")
        return backend

    def _upload(self, environ, ctx, image, backend, meta):
        """Stream the body into `backend`; the image ends active or killed."""
        image_id = image["id"]
        self.registry.update_image(ctx, image_id, {"status": "saving"})
        body = VerifiedBody(environ, self.conf.chunk_size, self.conf.image_size_cap,
                            expected_size=meta.get("size"),
                            expected_checksum=meta.get("checksum"), image_id=image_id)
        try:
            location = backend.add(image_id, body)
        except BaseException as exc:
            self._kill(ctx, image_id, exc)
            if isinstance(exc, exception.GlanceError):
                raise
            if isinstance(exc, OSError):
                raise exception.StoreError(f"could not store image {image_id}: {exc.strerror}",
                                           image_id) from None
            raise
        try:
            return self.registry.update_image(ctx, image_id, {
                "status": "active", "size": body.size, "checksum": body.checksum,
                "os_hash_algo": HASH_ALGO, "os_hash_value": body.os_hash_value,
                "location": location, "store": backend.name})
        except BaseException as exc:
            self._discard(backend, location)
            self._kill(ctx, image_id, exc)
            raise

    def _kill(self, ctx, image_id, cause):
        LOG.warning("upload of image %s failed: %s", image_id, getattr(cause, "message", cause))
        try:
            self.registry.update_image(ctx, image_id, {"status": "killed"})
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
        scheme = location.split(":", 1)[0].lower() if ":" in location else ""
        if scheme not in LOCATION_SCHEMES:
            raise exception.Invalid(
                f"x-image-meta-location must be an http or https URL, got scheme {scheme!r}")
        size = meta.get("size")
        if size is None:
            try:
                size = self.stores.for_location(location).get_size(location)
            except exception.StoreError as exc:
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
        self.registry.delete_image(ctx, image_id)
        location = image.get("location")
        if location:
            backend = self.stores.for_location(location)
            if backend.writable:
                self._discard(backend, location)
        start_response("200 OK", [("Content-Length", "0")])
        return []


class _ExactLength:
    """Passes through at most `size` bytes; raises if the data ends early.

    Content-Length was already sent as the registry's size, so a shorter
    stream must cut the connection rather than leave the client waiting.
    """

    def __init__(self, data, size):
        self._data = data
        self._size = size

    def __iter__(self):
        remaining = self._size
        for chunk in self._data:
            if len(chunk) > remaining:
                chunk = chunk[:remaining]
            remaining -= len(chunk)
            if chunk:
                yield chunk
            if remaining == 0:
                return
        if remaining:
            raise exception.StoreError(f"image data ended {remaining} bytes short")

    def close(self):
        self._data.close()


def app_factory(global_conf, **local_conf):
    conf = config.load(global_conf, local_conf)
    return ImagesApp(conf, registry_module.connect(conf), store_module.Stores(conf))
