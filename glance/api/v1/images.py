"""The Images API v1 app (CONTRACT §2): lists, metadata, data, create, update,
delete; the member routes are `members.Members`'s, on the same router.

It owns its metadata: it decodes the request's `x-image-meta-*` headers with
the one codec (`glance.common.imagemeta`) before it routes (malformed → 400)
and encodes the image it answers with the same codec, so it works in any
pipeline, even bare.  Which fields a client may set and which a brief list
shows come from the field table (`glance.common.fields`).  Metadata lives in
the registry (in-process or over HTTP, same interface); bytes live in the
stores and are streamed, never held whole; `sources.Sources` brings an
image's data in (a body, a location or a copy).

The root app (`glance.api.root`) builds it and hands it the registry and
stores it shares with v2; it serves `/images…` with any version prefix
already moved into SCRIPT_NAME.
"""

import dataclasses

from glance.api import download, recovery, rendered
from glance.api.v1 import sources
from glance.api.v1.members import Members
from glance.api.v1.sources import BODY, COPY, LOCATION
from glance.common import context, exception, faults, fields, imagemeta, wsgi
from glance.common.netpolicy import LocationPolicy
from glance.registry import query as registry_query

OCTET_STREAM = sources.OCTET_STREAM
# The fields a client may set (CONTRACT §2 POST 1); the rest of what it
# sends is ignored, or only checked (size, checksum) or used (store, location).
CREATE_FIELDS = fields.names(fields.CREATE)
UPDATE_FIELDS = fields.names(fields.UPDATE)
BRIEF_FIELDS = fields.names(fields.BRIEF)
DETAIL_FIELDS = fields.names(fields.DETAIL)
_IMAGES_URL = "glance.images_url"
# An image id in a path; `detail` names the detail list, never an image.
_ID = r"(?P<image_id>(?!detail/?\Z)[^/]+)"


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


def _check_owner(ctx, image):
    """Only the owner or an admin may change an image: checked by the API
    itself, before any origin is contacted (the registry checks it again)."""
    if not (ctx.is_admin or (ctx.tenant is not None and image.get("owner") == ctx.tenant)):
        raise exception.Forbidden(
            f"image {image['id']} belongs to another tenant; only its owner or an admin "
            "may change it", image["id"])


def _check_status(meta, image):
    """A client may not set `status`: a different value is 403 (as Glance v1),
    the current one is ignored."""
    wanted = meta.get("status")
    if wanted is not None and wanted != image["status"]:
        raise exception.Forbidden("Forbidden to modify 'status' of image.", image["id"])




def _brief_entry(images_url, image):
    """A brief list entry: BRIEF_FIELDS in order, with its `uri` (an unknown
    size as 0, as `_present` shows it)."""
    entry = {key: image.get(key) for key in BRIEF_FIELDS}
    entry["uri"] = f"{images_url}/{image['id']}"
    entry["size"] = entry["size"] or 0
    return entry


class ImagesApp:
    def __init__(self, conf, registry, stores, location_policy=None, start_copy=None,
                 keeper=None):
        """`start_copy(work)` runs a background copy (test seam; default: a
        thread); `keeper` holds this process's upload leases (default: one
        without a thread of its own, for tests and bare use)."""
        self.conf = conf
        self.registry = registry
        self.stores = stores
        self.keeper = keeper or recovery.Keeper(conf, registry, stores, thread=False)
        self.location_policy = location_policy or LocationPolicy.from_conf(conf)
        self.sources = sources.Sources(conf, registry, stores, self.location_policy,
                                       self.keeper, start_copy=start_copy)
        self.router = wsgi.Router()
        self.router.add("GET", r"/?", self.index)      # Glance served the list at /v1/ too
        self.router.add("GET", r"/images/?", self.index)
        # No HEAD: Glance answered HEAD …/detail with 405 (Allow: GET).
        self.router.add("GET", r"/images/detail/?", self.detail, head=False)
        self.router.add("POST", r"/images/?", self.create)
        self.router.add("HEAD", rf"/images/{_ID}/?", self.meta)
        self.router.add("GET", rf"/images/{_ID}/?", self.show)
        self.router.add("PUT", rf"/images/{_ID}/?", self.update)
        self.router.add("DELETE", rf"/images/{_ID}/?", self.delete)
        Members(registry, self._caller).add_routes(self.router, _ID)
        self._take_meta = (self.create, self.update)

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
            if handler in self._take_meta:
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

    @staticmethod
    def _view(environ, ctx, rendering):
        """The view of a `rendering` ("head", "detail"): what `_present`
        depends on besides the image (`glance.api.rendered`)."""
        return ("v1", rendering, _images_url(environ), ctx.is_admin, ctx.sees_location)

    def _present(self, environ, image, ctx):
        """The registry's image as this caller may see it, with its `uri`: its v1
        fields, null ones included (an unknown size as 0)."""
        shown = {key: image[key] for key in DETAIL_FIELDS + ("properties",) if key in image}
        shown["uri"] = f"{_images_url(environ)}/{image['id']}"
        shown["size"] = shown["size"] or 0
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
    def _client_values(ctx, meta, creating=True):
        """The fields (and properties) a client may set, creating or updating;
        `owner` only from admins (a non-admin's is ignored, as in Glance v1;
        an empty one makes the image ownerless)."""
        allowed = CREATE_FIELDS if creating else UPDATE_FIELDS
        values = {k: v for k, v in meta.items() if k in allowed or k == "properties"}
        if ctx.is_admin and "owner" in meta:
            values["owner"] = meta["owner"]
        return values

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
        head = environ["REQUEST_METHOD"] == "HEAD"
        if detailed:
            return wsgi.encoded_json_response(start_response, 200, rendered.document(
                "images", images, lambda image: self._present(environ, image, ctx),
                self._view(environ, ctx, "detail")), head=head)
        shown = [_brief_entry(_images_url(environ), image) for image in images]
        return wsgi.json_response(start_response, 200, {"images": shown}, head=head)

    # -- one image -----------------------------------------------------------

    @staticmethod
    def _metadata_headers(image):
        """HEAD's and GET's headers: Location, ETag and the image's metadata."""
        return [("Location", image["uri"]), *_quoted_etag(image.get("checksum")),
                *imagemeta.response_headers(image)]

    def meta(self, environ, start_response, image_id):
        """HEAD /images/<id> → 200, metadata as x-image-meta-* headers; 404.
        The headers are rendered once per stored record and view."""
        ctx = self._caller(environ)
        image = self.registry.get_image(ctx, image_id)

        def render(image):
            shown = self._present(environ, image, ctx)
            return (*self._metadata_headers(shown), ("Content-Type", OCTET_STREAM),
                    ("Content-Length", str(shown["size"] or 0)), ("Accept-Ranges", "bytes"))
        view = self._view(environ, ctx, "head")
        start_response("200 OK", list(rendered.rendered(image, view, render)))
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
        shown = self._present(environ, image, ctx)
        return download.send(environ, start_response, self.stores, image,
                             self._metadata_headers(shown), self.conf.chunk_size)

    # -- create / update -----------------------------------------------------

    def create(self, environ, start_response, meta):
        """POST /images → 201 {"image": ...} with Location (and ETag when known).

        `meta` is the request's decoded x-image-meta-* headers.  The data
        comes from one source at most (two → 400):
        a body: queued → saving → active (or killed on failure, 4xx);
        x-image-meta-location (http/https): active at once;
        x-glance-api-copy-from (http/https): queued at once, then copied in
        the background (saving → active or killed);
        none: queued, size 0.  Checks that need no body fail with 4xx and
        leave no record.
        """
        ctx = self._caller(environ)
        values = self._client_values(ctx, meta)
        self._check_publicize(ctx, values)
        source = sources.of_request(environ, meta)
        if source == BODY:
            backend = self.sources.upload_target(environ, meta)
            image = self.registry.create_image(ctx, {**values, "status": "queued", "size": 0})
            image = self.sources.upload(environ, ctx, image["id"], backend, meta)
        elif source == LOCATION:
            location, size = self.sources.location(environ, meta, ctx.tenant)
            image = self.registry.create_image(ctx, {
                **values, "status": "active", "location": location, "store": "http",
                "size": size})
        elif source == COPY:
            image = self.sources.copy(environ, ctx, meta, lambda size: self.registry.create_image(
                ctx, {**values, "status": "queued", "size": size}))
        else:
            image = self.registry.create_image(ctx, {**values, "status": "queued", "size": 0})
        return self._image_response(environ, start_response, 201,
                                    self._present(environ, image, ctx))

    def update(self, environ, start_response, image_id, meta):
        """PUT /images/<id> → 200 {"image": ...}.

        Metadata headers (`meta`, decoded) update fields.  The sent
        properties replace the image's, unless `x-glance-registry-purge-props:
        false` or the PUT carries image data (then they are merged).
        Not the owner or an admin → 403, before any origin is contacted; a
        different `x-image-meta-status` → 403.  Data, a location or a
        copy-from only for a `queued` image (409 otherwise), as on POST.
        """
        ctx = self._caller(environ)
        purge = imagemeta.purge_props(environ, default=True)
        values = self._client_values(ctx, meta, creating=False)
        image = self.registry.get_image(ctx, image_id)
        _check_owner(ctx, image)
        _check_status(meta, image)
        self._check_publicize(ctx, values, image)
        source = sources.of_request(environ, meta)
        sources.check_queued(source, image)
        if source == BODY:
            backend = self.sources.upload_target(environ, meta)
            self.registry.update_image(ctx, image_id, values)
            image = self.sources.upload(environ, ctx, image_id, backend, meta)
        elif source == LOCATION:
            location, size = self.sources.location(environ, meta, image.get("owner"))
            image = self.registry.update_image(ctx, image_id, {
                **values, "status": "active", "location": location, "store": "http",
                "size": size}, purge_props=purge)
        elif source == COPY:
            image = self.sources.copy(environ, ctx, meta, lambda size: self.registry.update_image(
                ctx, image_id, {**values, "size": size}, purge_props=purge))
        else:
            image = self.registry.update_image(ctx, image_id, values, purge_props=purge)
        return self._image_response(environ, start_response, 200,
                                    self._present(environ, image, ctx))

    # -- delete --------------------------------------------------------------

    def delete(self, environ, start_response, image_id):
        """DELETE /images/<id> → 200, empty; soft-deletes the record, removes our
        data.  404 unknown, deleted or invisible; 403 not the owner or an
        admin, or "Image is protected" (image and data kept)."""
        ctx = self._caller(environ)
        image = self.registry.get_image(ctx, image_id)
        # The deleted record, not the one read before: an upload may have
        # finished in between and given the image its location.
        try:
            deleted = self.registry.delete_image(ctx, image_id)
        except exception.Protected:
            # Glance v1's words; its clients print them.
            raise exception.Protected(f"Image is protected: image {image_id} cannot be "
                                      "deleted", image_id) from None
        location = deleted.get("location") or image.get("location")
        if location:
            backend = self.stores.for_location(location)
            if backend.writable:
                self.sources.saver.discard(backend, location, image_id)
        start_response("200 OK", [("Content-Length", "0")])
        return []

