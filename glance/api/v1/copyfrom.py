"""`x-glance-api-copy-from`: copy an image's data from an http(s) URL into
our own store, in the background (CONTRACT §2 POST 4, §10).

Everything that can refuse a copy happens before the record is created or
changed, so a refused copy leaves nothing behind: the URL must be http or
https ("External sources are not supported: '<URL>'", 400) and pass the
location policy (400); a copy slot must be free (`max_background_copies`
per process, else 503 with Retry-After); the origin must answer the GET
(404 → 404 "HTTP datastore could not find image at URI.", any other
failure → 400).  The request then answers at once (`queued`, `size` from
the origin's Content-Length) while a thread reads the already open answer
through the same path as a client upload (`saving.Saver` with a
`VerifiedBody`: MD5 and hash, `x-image-meta-size`/`checksum` verified when
sent, the store's atomic write, the size cap and the free-space reserve):
`saving` → `active`, or `killed` with a `status_reason` that names no
host, path or URL.

Bounds: at most `max_background_copies` copies per process, each held to
the http store's connect and per-read timeouts.  A copy cut short by a
stop of the server is `saving` with this process in its status_reason, so
start-up recovery kills it like an interrupted upload.
"""

import logging
import threading
from urllib.parse import urlsplit

from glance.api.upload import ChunkStream, VerifiedBody, expected_os_hash
from glance.common import exception, wsgi

LOG = logging.getLogger(__name__)

HEADER = "x-glance-api-copy-from"
_ENVIRON_KEY = "HTTP_X_GLANCE_API_COPY_FROM"
NOT_FOUND = "HTTP datastore could not find image at URI."
ORIGIN_FAILED = "the image's origin is unavailable"


def requested(environ):
    """The request's copy-from URL, or None when the header is absent or empty."""
    return (environ.get(_ENVIRON_KEY) or "").strip() or None


def _start_thread(work):
    threading.Thread(target=work, name="glance-copy", daemon=True).start()


class Source:
    """An origin's open answer and the copy slot it holds until closed."""

    def __init__(self, data, release):
        self.data = data
        self.size = data.size       # the origin's Content-Length, or None
        self._release = release
        self._closed = False

    def close(self):
        if self._closed:
            return
        self._closed = True
        try:
            self.data.close()
        finally:
            self._release()


class Copier:
    """Checks, opens and runs copies; `start` is the test seam that runs the
    copy (by default on a daemon thread)."""

    def __init__(self, conf, stores, saver, location_policy, start=None):
        self.conf = conf
        self.stores = stores
        self.saver = saver
        self.location_policy = location_policy
        self._slots = threading.BoundedSemaphore(conf.max_background_copies)
        self._start = start or _start_thread

    def check(self, url):
        """Refuse, before anything else happens, a URL this server will not copy from."""
        try:
            scheme = urlsplit(url).scheme.lower()
        except ValueError:
            scheme = None
        if scheme not in ("http", "https"):
            raise exception.Invalid(f"External sources are not supported: '{url}'")
        try:
            self.location_policy.check_location(url)
        except exception.Invalid as exc:    # the policy's words are about locations
            raise exception.Invalid(exc.message.replace("x-image-meta-location", HEADER)
                                    ) from None

    def open(self, environ, url, tenant=None):
        """Take a copy slot and ask the origin for the data → `Source`; the
        fetch counts against `tenant`'s origin fetches.  An origin that is
        busy for us (`OriginBusy`, 503) is said as it is."""
        if not self._slots.acquire(blocking=False):
            raise exception.ServiceBusy(
                f"{self.conf.max_background_copies} image copies are in progress on this "
                "server; try again later")
        wsgi.give_back_slot(environ)
        try:
            data = self.stores.for_location(url).get(url, image_id=None, tenant=tenant)
        except exception.OriginBusy:
            self._slots.release()
            raise
        except exception.GlanceError as exc:
            self._slots.release()
            LOG.warning("copy-from refused: %r", exc.message)   # %r: escaped
            raise _refusal(exc) from None
        except BaseException:
            self._slots.release()
            raise
        return Source(data, self._slots.release)

    def start(self, ctx, image_id, source, backend, meta):
        """Copy `source` into `backend` as the data of the `saving` image
        `image_id`, in the background; from here the copy owns `source`."""
        def origin_failed(exc):
            LOG.warning("copy of image %s: the origin failed: %r", image_id,
                        getattr(exc, "message", None) or exc)
            return exception.OriginUnavailable(f"{ORIGIN_FAILED} (image {image_id})", image_id)

        try:
            body = VerifiedBody(ChunkStream(source.data, failure=origin_failed), source.size,
                                self.conf.chunk_size, self.conf.image_size_cap,
                                expected_size=meta.get("size"),
                                expected_checksum=meta.get("checksum"), image_id=image_id,
                                expected_os_hash=expected_os_hash(meta))

            def work():
                try:
                    self.saver.save(ctx, image_id, backend, body, what="copy")
                    LOG.info("copied the data of image %s", image_id)
                except exception.GlanceError:
                    pass            # the image is killed; `save` logged why
                except BaseException:
                    LOG.exception("copy of image %s failed", image_id)
                finally:
                    source.close()

            self._start(work)
        except BaseException as exc:
            source.close()
            self.saver.kill(ctx, image_id, exc, what="copy")
            raise


def _refusal(exc):
    """The client's error for an origin that did not deliver: no origin details."""
    if getattr(exc, "origin_status", None) == 404:
        return exception.NotFound(NOT_FOUND)
    if isinstance(exc, exception.Forbidden):
        return exception.Invalid(f"{HEADER} refused: the URL, or a redirect from it, "
                                 "is not an allowed address")
    return exception.Invalid(f"cannot copy from {HEADER}: {ORIGIN_FAILED}")

