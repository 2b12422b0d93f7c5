"""The `swift` store: images as objects of one container, `swift://<container>/<image id>`.

It speaks the Swift v1 API with `http.client`: the auth URL, user and key
(from configuration only, never in a location) give a token and the storage
URL, which `swiftauth.SwiftAuth` caches and renews before they expire or
when Swift answers 401.  Uploads stream with chunked transfer encoding, so
their size need not be known:

- a declared size up to `swift_store_large_object_size`: one object;
- a declared size above it: segments of `swift_store_large_object_chunk_size`
  (`<id>-00001`, `<id>-00002`, ... in the same container) joined by a static
  large object manifest at `<id>`;
- no declared size: one object while the data fits in one segment; beyond
  that the object already written becomes the first segment (a server-side
  copy) and the rest follows as above.

Whatever fails on the way, every segment and object written is deleted and
the original exception propagates.  Reads stream; deletes remove a manifest
together with its segments.
"""

import http.client
import json
import logging
import time
from urllib.parse import quote

from glance.common import exception
from glance.store import transfer
from glance.store.base import Store, effective_chunk_size, object_name
from glance.store.swiftauth import SwiftAuth

LOG = logging.getLogger(__name__)

MAX_SEGMENTS = 1000            # Swift's default max_manifest_segments


def parse_location(location):
    """(container, object) of a `swift://<container>/<object>` location."""
    shape = "swift://<container>/<object>"
    container, obj = transfer.split_location(location, "swift", shape)
    if not container or not obj or "/" in obj:
        raise exception.Invalid(f"a swift location is {shape}")
    return container, obj


class SwiftStore(Store):
    name = "swift"
    schemes = ("swift",)
    writable = True

    def __init__(self, conf, connect=None, clock=time.monotonic):
        """`connect(scheme, host, port, timeout)` opens connections and
        `clock` measures token lifetimes (test seams)."""
        if not conf.swift_store_user or not conf.swift_store_key:
            raise exception.ConfigError("the swift store needs swift_store_user and swift_store_key")
        self.container = conf.swift_store_container
        if not self.container or "/" in self.container or len(self.container) > 256:
            raise exception.ConfigError(
                f"option swift_store_container: {self.container!r} is not a container name")
        self.create_container_on_put = conf.swift_store_create_container_on_put
        self.large_object_size = conf.swift_store_large_object_size
        self.segment_size = conf.swift_store_large_object_chunk_size
        if self.segment_size < 1:
            raise exception.ConfigError("option swift_store_large_object_chunk_size: must be > 0")
        self.timeout = conf.swift_store_timeout
        self.chunk_size = effective_chunk_size(conf)
        self._connect = connect or transfer.open_connection
        self.auth = SwiftAuth(transfer.parse_endpoint(conf.swift_store_auth_address,
                                                       "swift_store_auth_address"),
                               conf.swift_store_user, conf.swift_store_key,
                               self.timeout, self._connect, clock)
        self._container_ready = False

    # -- locations ---------------------------------------------------------

    def location_for(self, image_id):
        return f"swift://{self.container}/{image_id}"

    def _shown(self, container, obj=""):
        """How an object is named in the log (never in a message: CONTRACT §9)."""
        return f"swift://{container}/{obj}"

    def _own(self, location, image_id):
        """(container, obj) of `location`, if it is image `image_id`'s own object."""
        return transfer.own_object(self, location, image_id, parse_location, self.container)

    # -- requests ----------------------------------------------------------

    def _send(self, method, container, obj="", query="", headers=None, body=None,
              replayable=True):
        """Send one authenticated request -> (connection, response).

        A 401 renews the token and, when the body can be sent again, retries
        once.  The caller closes the connection.
        """
        token = self.auth.current()
        for attempt in (1, 2):
            scheme, host, port, base = token.storage
            path = f"{base}/{quote(container, safe='')}" + (f"/{quote(obj, safe='')}" if obj else "")
            target = path + (f"?{query}" if query else "")
            sent = dict(headers or {})
            sent["X-Auth-Token"] = token.value
            conn = self._connect(scheme, host, port, self.timeout)
            try:
                # An iterable body without Content-Length goes out chunked.
                conn.request(method, target, body=body, headers=sent)
                response = conn.getresponse()
            except BaseException as exc:
                conn.close()
                if isinstance(exc, (OSError, http.client.HTTPException)):
                    raise exception.StoreError(
                        f"swift store: {method} failed ({transfer.describe(exc)})",
                        detail=self._shown(container, obj)) from None
                raise
            if response.status != 401:
                return conn, response
            transfer.read_error_body(response)
            conn.close()
            self.auth.forget(token)
            if attempt == 2 or not replayable:
                break
            token = self.auth.current()
        raise exception.StoreError(f"swift store: {method} was refused (401 Unauthorized)",
                                   detail=self._shown(container, obj))

    def _call(self, method, container, obj="", query="", headers=None, body=None,
              ok=(200, 201, 202, 204), replayable=True):
        """`_send` and read the (small) answer -> (response, body); other
        statuses are StoreErrors (NotFound for 404)."""
        conn, response = self._send(method, container, obj, query, headers, body, replayable)
        try:
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise exception.StoreError(f"swift store: {method} failed "
                                       f"({transfer.describe(exc)})",
                                       detail=self._shown(container, obj)) from None
        finally:
            conn.close()
        if response.status not in ok:
            raise self._status_error(method, container, obj, response)
        return response, data

    def _status_error(self, method, container, obj, response):
        message = f"swift store: {method} answered {response.status}"
        detail = f"{self._shown(container, obj)}: {response.status} {response.reason}".rstrip()
        if response.status == 404:
            return exception.NotFound(message, detail=detail)
        if response.status == 507:
            return exception.InsufficientStorage(message, detail=detail)
        return exception.StoreError(message, detail=detail)

    # -- container ---------------------------------------------------------

    def _prepare_container(self):
        """Check (and, when configured, create) the container once per process."""
        if self._container_ready:
            return
        try:
            self._call("HEAD", self.container)
        except exception.NotFound:
            if not self.create_container_on_put:
                raise exception.StoreError(
                    "swift store: the container does not exist; create it or set "
                    "swift_store_create_container_on_put",
                    detail=self._shown(self.container)) from None
            self._call("PUT", self.container, headers={"Content-Length": "0"})
            LOG.info("created container %s", self.container)
        self._container_ready = True

    # -- upload ------------------------------------------------------------

    def add(self, image_id, chunks):
        obj = object_name(image_id)
        self._prepare_container()
        if self._head(self.container, obj) is not None:
            raise exception.Duplicate(f"image {image_id} already has data in the swift store",
                                      image_id=image_id)
        size = getattr(chunks, "size_hint", None)
        if size is not None and size > self.segment_size * MAX_SEGMENTS:
            raise exception.TooLarge(
                f"an image of {size} bytes needs more than {MAX_SEGMENTS} segments of "
                f"{self.segment_size} bytes; raise swift_store_large_object_chunk_size",
                image_id=image_id)
        source = transfer.ChunkSource(chunks)
        written = []                 # objects to delete if anything fails
        try:
            if size is not None and size <= self.large_object_size:
                self._put(obj, source.take(size, exact=True), written,
                          expected_md5=lambda: getattr(chunks, "checksum", None))
            elif size is not None:
                self._put_segments(obj, source, written, first=None)
            else:
                self._put_unknown(obj, source, written, chunks)
        except BaseException as exc:
            self._remove(written)
            if (exc is source.error or isinstance(exc, exception.GlanceError)
                    or not isinstance(exc, Exception)):
                raise
            raise exception.StoreError(f"swift store: the upload of image {image_id} failed",
                                       image_id=image_id,
                                       detail=self._shown(self.container, obj)) from None
        return self.location_for(image_id)

    def _put(self, obj, body, written, expected_md5=None):
        """Stream `body` (an iterable of bytes) to `obj` with chunked encoding -> ETag."""
        written.append(obj)
        response, _ = self._call("PUT", self.container, obj, body=body, replayable=False,
                                 headers={"Content-Type": "application/octet-stream"},
                                 ok=(201,))
        etag = (response.getheader("ETag") or "").strip('"')
        md5 = expected_md5() if expected_md5 else None
        if md5 and etag and etag != md5:
            raise exception.StoreError(
                f"swift store: Swift stored data whose MD5 ({etag}) is not the MD5 sent "
                f"({md5})", detail=self._shown(self.container, obj))
        return etag

    def _put_unknown(self, obj, source, written, chunks):
        """No declared size: one object while the data fits in a segment."""
        # The MD5 is final only if the source ended within this first PUT.
        self._put(obj, source.take(self.segment_size), written,
                  expected_md5=lambda: (getattr(chunks, "checksum", None)
                                        if source.exhausted() else None))
        if source.exhausted():
            return
        # More is coming: the object becomes the first segment (copied in Swift).
        first = self._segment_name(obj, 1)
        size = source.taken
        written.append(first)
        response, _ = self._call("PUT", self.container, first, ok=(201,), headers={
            "Content-Length": "0",
            "X-Copy-From": f"/{quote(self.container, safe='')}/{quote(obj, safe='')}"})
        etag = (response.getheader("ETag") or "").strip('"')
        self._put_segments(obj, source, written, first=(first, size, etag))

    def _put_segments(self, obj, source, written, first):
        segments = [first] if first else []
        while not source.exhausted():
            number = len(segments) + 1
            if number > MAX_SEGMENTS:
                raise exception.TooLarge(
                    f"swift store: the image needs more than {MAX_SEGMENTS} segments; raise "
                    "swift_store_large_object_chunk_size",
                    detail=self._shown(self.container, obj))
            name = self._segment_name(obj, number)
            before = source.taken
            etag = self._put(name, source.take(self.segment_size), written)
            segments.append((name, source.taken - before, etag))
        manifest = json.dumps([
            {"path": f"/{self.container}/{name}", "etag": etag, "size_bytes": size}
            for name, size, etag in segments]).encode()
        written.append(obj)
        self._call("PUT", self.container, obj, query="multipart-manifest=put", body=manifest,
                   headers={"Content-Length": str(len(manifest)),
                            "Content-Type": "application/octet-stream"}, ok=(201,))

    @staticmethod
    def _segment_name(obj, number):
        return f"{obj}-{number:05d}"

    def _remove(self, names):
        """Delete what a failed upload wrote (best effort; errors are logged)."""
        for name in reversed(dict.fromkeys(names)):
            try:
                self._call("DELETE", self.container, name, ok=(200, 204, 404))
            except exception.GlanceError as exc:
                LOG.warning("could not remove %s after a failed upload: %s",
                            self._shown(self.container, name), exc.message)

    # -- read / delete -----------------------------------------------------

    def _head(self, container, obj, extra=False):
        """(size, etag) of an object, or None when it does not exist."""
        try:
            response, _ = self._call("HEAD", container, obj)
        except exception.NotFound:
            return None
        length = response.getheader("Content-Length") or ""
        size = int(length) if length.isdigit() else None
        etag = (response.getheader("ETag") or "").strip('"')
        if extra:
            return size, etag, response
        return size, etag

    def get(self, location, *, image_id, tenant=None):
        return self.get_from(location, 0, image_id=image_id)

    def get_from(self, location, offset, *, image_id, tenant=None):
        container, obj = self._own(location, image_id)
        header = transfer.range_header(offset)
        conn, response = self._send("GET", container, obj,
                                    headers=dict([header]) if header else None)
        data = transfer.ranged_image_data(conn, response, max(offset, 0), self.chunk_size,
                                          self._shown(container, obj), "swift store")
        if data is not None:
            return data
        transfer.read_error_body(response)
        conn.close()
        raise self._status_error("GET", container, obj, response)

    def delete(self, location, *, image_id):
        """Remove the object; a large object goes with all its segments."""
        container, obj = self._own(location, image_id)
        found = self._head(container, obj, extra=True)
        if found is None:
            raise _missing(image_id, self._shown(container, obj))
        if (found[2].getheader("X-Static-Large-Object") or "").lower() != "true":
            self._call("DELETE", container, obj)
            return
        _, body = self._call("DELETE", container, obj, query="multipart-manifest=delete",
                             headers={"Accept": "application/json"})
        try:
            report = json.loads(body or b"{}")
        except ValueError:
            report = {}
        if report.get("Errors") or not str(report.get("Response Status", "200")).startswith("2"):
            raise exception.StoreError(
                f"swift store: deleting image {image_id}'s large object failed",
                image_id, detail=f"{self._shown(container, obj)}: "
                                 f"{report.get('Response Status', 'unknown status')}")

    def get_size(self, location, *, image_id=None, tenant=None):
        container, obj = self._own(location, image_id)
        found = self._head(container, obj)
        if found is None:
            raise _missing(image_id, self._shown(container, obj))
        return found[0]

    def remove_leftovers(self, image_id):
        """Delete whatever an upload of `image_id` that died with its server
        left (the object, its segments) -> the names deleted.  Only for images
        that are `killed`: an active image's data is exactly this."""
        obj = str(image_id)
        names = [name for name in self.object_names(prefix=f"{obj}-")
                 if name[len(obj) + 1:].isdigit()]
        if self._head(self.container, obj) is not None:
            names.append(obj)
        self._remove(names)
        return names

    # -- listing (for operators, fsck and the tests) -------------------------

    def object_names(self, container=None, prefix=""):
        """Every object name in the container, in order."""
        container = container or self.container
        names, marker = [], ""
        while True:
            query = "format=json" + (f"&prefix={quote(prefix)}" if prefix else "") + \
                (f"&marker={quote(marker)}" if marker else "")
            _, body = self._call("GET", container, query=query, ok=(200, 204))
            page = [entry["name"] for entry in json.loads(body or b"[]")]
            if not page:
                return names
            names += page
            marker = page[-1]


def _missing(image_id, shown):
    return exception.NotFound(f"swift store: image {image_id} has no data", image_id,
                              detail=f"no object {shown}")
