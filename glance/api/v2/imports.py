"""`POST /v2/images/{id}/import`: interoperable image import (CONTRACT §4 Import).

Two methods, as `GET /v2/info/import` lists them (`METHODS`):

- `glance-direct` moves the data staged by `PUT …/stage` (the image is
  `uploading`) into the default store;
- `web-download` copies it from an http(s) URI (the image is `queued`),
  which must pass the location policy, optionally checking a SHA-256 the
  caller declares in `validation_data` — which real Glance cannot do.

Everything that can refuse an import happens before the answer, and
changes nothing: the body (400), the image (404, 403), its status (409),
the URI's policy (400), the default store's room for the staged data (413,
507) and a free import slot (503, Retry-After).  Then the image becomes
`importing` under this process's upload lease, the answer is 202, and the
data moves in the background through the one saving path
(`glance.api.saving`, the saver of v2): verified on the same pass, the
store's atomic write, `active` with sizes and hashes from the data — or,
on any failure, back to `queued` with a status_reason.  Either way the
staged data is removed.

Bounds: at most `max_background_imports` imports per process; an origin
has the http store's timeouts and its fetch counts against the image
owner's allowance; an import cut short by a stop of the server is
recovered like an interrupted upload (its lease falls back to `queued`,
and recovery removes its staged and partial data).
"""

import dataclasses
import logging
import re
import threading
from urllib.parse import urlsplit

from glance.api.upload import HASH_ALGO, ChunkStream, VerifiedBody
from glance.api.v2 import common
from glance.common import exception, wsgi
from glance.common.netpolicy import LocationPolicy

LOG = logging.getLogger(__name__)

GLANCE_DIRECT = "glance-direct"
WEB_DOWNLOAD = "web-download"
METHODS = (GLANCE_DIRECT, WEB_DOWNLOAD)
# The status each method imports from.
FROM_STATUS = {GLANCE_DIRECT: "uploading", WEB_DOWNLOAD: "queued"}
ORIGIN_FAILED = "the image's origin is unavailable"
_SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}\Z")
_MAX_URI = 2048


@dataclasses.dataclass(frozen=True)
class ImportRequest:
    method: str
    uri: str | None = None
    os_hash_value: str | None = None    # declared SHA-256, lower-case hex


def parse(body):
    """The import a `POST …/import` body asks for; Invalid (400) naming what
    is wrong: not `{"method": {"name": …}}`, an unknown method, web-download
    without an http(s) `uri`, `validation_data` that is not SHA-256 (or
    with another method)."""
    method = body.get("method") if isinstance(body, dict) else None
    if not isinstance(method, dict):
        raise exception.Invalid("Import request requires a 'method' field.")
    name = method.get("name")
    if name is None:
        raise exception.Invalid("Import request requires a 'name' field.")
    if name not in METHODS:
        raise exception.Invalid(f"Unknown import method name {str(name)[:80]!r}; "
                                f"use one of {', '.join(METHODS)}.")
    validation = body.get("validation_data")
    if name == GLANCE_DIRECT:
        if validation is not None:
            raise exception.Invalid("validation_data is only taken by web-download")
        return ImportRequest(name)
    return ImportRequest(name, _uri(method.get("uri")), _declared_hash(validation))


def _uri(uri):
    if not isinstance(uri, str) or not uri:
        raise exception.Invalid("web-download requires a 'uri' in its method")
    try:
        scheme = urlsplit(uri).scheme.lower()
    except ValueError:
        scheme = None
    if scheme not in ("http", "https") or len(uri) > _MAX_URI:
        raise exception.Invalid("web-download takes an http or https URI "
                                f"(at most {_MAX_URI} characters)")
    return uri


def _declared_hash(validation):
    """The SHA-256 of `{"os_hash_algo": "sha256", "os_hash_value": <64 hex>}`, or None."""
    if validation is None:
        return None
    if not isinstance(validation, dict) or set(validation) - {"os_hash_algo", "os_hash_value"}:
        raise exception.Invalid('validation_data is {"os_hash_algo": "sha256", '
                                '"os_hash_value": "<64 hex digits>"}')
    algo, value = validation.get("os_hash_algo"), validation.get("os_hash_value")
    if algo != HASH_ALGO:
        raise exception.Invalid(f"validation_data: os_hash_algo must be {HASH_ALGO!r}, "
                                f"got {str(algo)[:40]!r}")
    if not isinstance(value, str) or not _SHA256_HEX.match(value):
        raise exception.Invalid("validation_data: os_hash_value must be 64 hex digits "
                                "of SHA-256")
    return value.lower()


def _start_thread(work):
    threading.Thread(target=work, name="glance-import", daemon=True).start()


class Importer:
    """Checks and runs imports; `start(work)` is the test seam that runs one
    (by default on a daemon thread)."""

    def __init__(self, conf, registry, stores, saver, location_policy=None, start=None):
        self.conf = conf
        self.registry = registry
        self.stores = stores
        self.saver = saver
        self.location_policy = location_policy or LocationPolicy.from_conf(conf)
        self._slots = threading.BoundedSemaphore(conf.max_background_imports)
        self._start = start or _start_thread

    def accept(self, environ, image_id):
        """Check the import `environ` asks for and start it: the image is
        `importing` when this returns (see the module docstring for the
        refusals, each of which leaves the image as it was)."""
        ctx = common.caller(environ)
        request = parse(wsgi.read_json(environ))
        image = common.owned_image(self.registry, ctx, image_id)
        image_id = image["id"]
        needed = FROM_STATUS[request.method]
        if image["status"] != needed:
            raise exception.Conflict(
                f"image {image_id} is {image['status']}: {request.method} imports an image "
                f"that is {needed}" + (" (staged first)" if needed == "uploading" else ""),
                image_id)
        if request.uri is not None:
            wsgi.give_back_slot(environ)     # the policy may look the host up
            self._check_uri(request.uri)
        staged_size = image.get("size") if request.method == GLANCE_DIRECT else None
        backend = self.saver.target({}, (staged_size,))
        if not self._slots.acquire(blocking=False):
            raise exception.ServiceBusy(
                f"{self.conf.max_background_imports} image imports are in progress on this "
                "server; try again later", image_id)
        try:
            self.saver.begin(ctx, image_id, from_status=needed, to_status="importing")
        except BaseException:
            self._slots.release()
            raise
        work = self._work(ctx, image, request, backend)
        try:
            self._start(work)
        except BaseException as exc:        # no thread: the import never began
            self.saver.fail(ctx, image_id, exc, "import")
            self._slots.release()
            if request.method == GLANCE_DIRECT:
                self.discard_staged(image_id)
            raise

    def _check_uri(self, uri):
        try:
            self.location_policy.check_location(uri)
        except exception.Invalid as exc:    # the policy's words are about locations
            raise exception.Invalid(exc.message.replace("x-image-meta-location",
                                                        "the web-download URI"),
                                    detail=exc.detail) from None

    def _work(self, ctx, image, request, backend):
        """The background part of an import: a callable that never raises."""
        image_id = image["id"]

        def work():
            try:
                with self.saver.keeper.uploading():
                    self._import(ctx, image, request, backend)
                LOG.info("imported the data of image %s (%s)", image_id, request.method)
            except exception.GlanceError:
                pass            # the image is queued again; the saver logged why
            except BaseException:
                LOG.exception("import of image %s failed", image_id)
            finally:
                self._slots.release()
                if request.method == GLANCE_DIRECT:
                    self.discard_staged(image_id)

        return work

    def _import(self, ctx, image, request, backend):
        image_id = image["id"]
        data = None
        try:
            data, failure = self._open(image, request)
            self.saver.check_room(backend, (data.size,))    # the origin's length
            body = VerifiedBody(ChunkStream(data, failure=failure), data.size,
                                self.conf.chunk_size, self.conf.image_size_cap,
                                image_id=image_id, expected_os_hash=request.os_hash_value,
                                hash_declared_by="validation_data os_hash_value")
        except BaseException as exc:
            if data is not None:
                data.close()
            self.saver.fail(ctx, image_id, exc, "import")
            raise
        try:
            self.saver.save(ctx, image_id, backend, body, what="import")
        finally:
            data.close()

    def _open(self, image, request):
        """(the data to import, how a failure reading it reads to the client)."""
        image_id = image["id"]
        if request.method == GLANCE_DIRECT:
            def staging_failed(exc):
                LOG.warning("import of image %s: reading its staged data failed: %r",
                            image_id, getattr(exc, "message", None) or exc)
                return exception.StoreError(f"the staged data of image {image_id} could "
                                            "not be read", image_id)
            try:
                return self.stores.staging.open(image_id), staging_failed
            except exception.NotFound:
                raise exception.NotFound(f"image {image_id} has no staged data "
                                         "(staged on another node?)", image_id) from None

        def origin_failed(exc):
            LOG.warning("import of image %s: the origin failed: %r", image_id,
                        getattr(exc, "message", None) or exc)
            return exception.OriginUnavailable(f"{ORIGIN_FAILED} (image {image_id})", image_id)

        try:
            data = self.stores.for_location(request.uri).get(
                request.uri, image_id=image_id, tenant=image.get("owner"))
        except exception.GlanceError as exc:
            raise origin_failed(exc) from None
        return data, origin_failed

    def discard_staged(self, image_id):
        """Remove image `image_id`'s staged data, if any; a failure is logged
        (recovery's sweep removes what is left)."""
        try:
            self.stores.staging.discard(image_id)
        except exception.GlanceError as exc:
            LOG.warning("could not remove the staged data of image %s: %s (recovery "
                        "will)", image_id, exc.message)
