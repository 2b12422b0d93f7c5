"""The `s3` store: images as objects of one bucket, `s3://<bucket>/<image id>`.

Requests are signed with AWS Signature V4 (`glance.store.sigv4`) and sent
with `http.client`; the endpoint and the keys come from configuration only,
so locations carry neither.  Path-style (`<host>/<bucket>/<key>`) and
virtual-hosted (`<bucket>.<host>/<key>`) addressing are both spoken.

Uploads of a declared size up to `s3_store_large_object_size` stream in one
PUT.  Anything larger, or of unknown size, goes up as a multipart upload in
parts of `s3_store_part_size`, one part buffered at a time (S3 needs each
part's length before its body); an upload that turns out to fit in one part
is sent as a single PUT instead.  A failed multipart upload is aborted, so no
incomplete upload (and none of its parts) is left in the bucket.  Bodies are
signed as UNSIGNED-PAYLOAD: their hash is not known before they are sent,
and Glance hashes every byte (MD5 and SHA-256) on the way through anyway.
"""

import datetime
import hashlib
import http.client
import ipaddress
import logging
import re
import threading
from xml.sax.saxutils import escape

from glance.common import exception
from glance.store import s3xml, sigv4, transfer
from glance.store.base import Store, effective_chunk_size, object_name

LOG = logging.getLogger(__name__)

MIN_PART_SIZE = 5 << 20        # S3's floor for every part but the last
MAX_PART_SIZE = 5 << 30
MAX_PARTS = 10000
MAX_SINGLE_PUT = 5 << 30
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\Z")
_DNS_BUCKET = re.compile(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]\Z")


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def _is_ip(host):
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def parse_location(location):
    """(bucket, key) of an `s3://<bucket>/<key>` location."""
    shape = "s3://<bucket>/<key>"
    bucket, key = transfer.split_location(location, "s3", shape)
    if not _BUCKET.match(bucket) or not key:
        raise exception.Invalid(f"an s3 location is {shape}")
    return bucket, key


class S3Store(Store):
    name = "s3"
    schemes = ("s3",)
    writable = True

    def __init__(self, conf, connect=None, clock=_utcnow):
        """`connect(scheme, host, port, timeout)` opens connections (a test
        seam, e.g. to send virtual-hosted requests to a loopback address);
        `clock` gives the signing time."""
        self.scheme, self.host, self.port, self.base_path = transfer.parse_endpoint(
            conf.s3_store_host, "s3_store_host")
        self.access_key = conf.s3_store_access_key
        self._secret_key = conf.s3_store_secret_key
        if not self.access_key or not self._secret_key:
            raise exception.ConfigError(
                "the s3 store needs s3_store_access_key and s3_store_secret_key")
        self.bucket = conf.s3_store_bucket
        if not _BUCKET.match(self.bucket):
            raise exception.ConfigError(
                f"option s3_store_bucket: {self.bucket!r} is not a valid bucket name")
        self.region = conf.s3_store_region
        self.create_bucket_on_put = conf.s3_store_create_bucket_on_put
        self.part_size = conf.s3_store_part_size
        if not MIN_PART_SIZE <= self.part_size <= MAX_PART_SIZE:
            raise exception.ConfigError("option s3_store_part_size: must be between 5M and 5G")
        self.large_object_size = min(conf.s3_store_large_object_size, MAX_SINGLE_PUT)
        self.timeout = conf.s3_store_timeout
        self.chunk_size = effective_chunk_size(conf)
        self.virtual = self._virtual_hosting(conf.s3_store_bucket_url_format)
        self._connect = connect or transfer.open_connection
        self._clock = clock
        self._bucket_ready = False
        self._lock = threading.Lock()

    def _virtual_hosting(self, url_format):
        if url_format == "path":
            return False
        if url_format == "virtual":
            if not _DNS_BUCKET.match(self.bucket):
                raise exception.ConfigError(
                    f"option s3_store_bucket_url_format: bucket {self.bucket!r} cannot be "
                    "a host name; use path")
            return True
        # auto: what AWS prefers where it can work (a DNS name, TLS-safe bucket)
        return (self.scheme == "https" and not _is_ip(self.host) and "." in self.host
                and bool(_DNS_BUCKET.match(self.bucket)) and not self.base_path)

    # -- locations ---------------------------------------------------------

    def location_for(self, image_id):
        return f"s3://{self.bucket}/{image_id}"

    def _shown(self, bucket, key=""):
        """How an object is named in the log (never in a message: CONTRACT §9)."""
        return f"s3://{bucket}/{key}"

    def _own(self, location, image_id):
        """(bucket, key) of `location`, if it is image `image_id`'s own object."""
        return transfer.own_object(self, location, image_id, parse_location, self.bucket)

    # -- requests ----------------------------------------------------------

    def _address(self, bucket, key):
        """(host to connect to, Host header, path) of an object or bucket."""
        if self.virtual:
            host = f"{bucket}.{self.host}"
            return host, transfer.host_header(self.scheme, host, self.port), f"/{key}"
        path = f"{self.base_path}/{bucket}" + (f"/{key}" if key else "")
        return self.host, transfer.host_header(self.scheme, self.host, self.port), path

    def _send(self, method, bucket, key="", params=(), headers=(), body=None,
              payload_hash=sigv4.EMPTY_SHA256):
        """Sign and send one request -> (connection, response); the caller
        closes the connection.  Network failures are StoreErrors."""
        host, host_value, path = self._address(bucket, key)
        amz_date = self._clock().strftime("%Y%m%dT%H%M%SZ")
        signed_headers = [("Host", host_value), ("x-amz-date", amz_date),
                          ("x-amz-content-sha256", payload_hash), *headers]
        signed = sigv4.sign(method, path, params, signed_headers, payload_hash,
                            self.access_key, self._secret_key, self.region, "s3", amz_date)
        query = sigv4.canonical_query(params)
        target = sigv4.canonical_uri(path) + (f"?{query}" if query else "")
        sent = dict(signed_headers)
        sent["Authorization"] = signed.authorization
        conn = self._connect(self.scheme, host, self.port, self.timeout)
        try:
            conn.request(method, target, body=body, headers=sent)
            return conn, conn.getresponse()
        except BaseException as exc:
            conn.close()
            if isinstance(exc, (OSError, http.client.HTTPException)):
                raise exception.StoreError(
                    f"s3 store: {method} failed ({transfer.describe(exc)})",
                    detail=self._shown(bucket, key)) from None
            raise

    def _call(self, method, bucket, key="", params=(), headers=(), body=None,
              payload_hash=sigv4.EMPTY_SHA256, ok=(200,)):
        """`_send`, read the whole (small) answer -> (response, body); an
        unexpected status is a StoreError (NotFound for 404)."""
        conn, response = self._send(method, bucket, key, params, headers, body, payload_hash)
        try:
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise exception.StoreError(
                f"s3 store: {method} failed ({transfer.describe(exc)})",
                detail=self._shown(bucket, key)) from None
        finally:
            conn.close()
        if response.status not in ok:
            raise self._status_error(method, bucket, key, response, data)
        return response, data

    def _status_error(self, method, bucket, key, response, body):
        # Only S3's error code is quoted: some servers echo the string to
        # sign or the access key id in the rest of the error document.
        code = s3xml.text(body, "Code") if body else None
        cause = f"{response.status} {response.reason}".strip()
        if code:
            cause += f" ({code})"
        message = f"s3 store: {method} answered {response.status}" + (f" ({code})" if code else "")
        detail = f"{self._shown(bucket, key)}: {cause}"
        if code == "NoSuchBucket":
            return exception.StoreError(
                f"{message}: the bucket does not exist; create it or set "
                "s3_store_create_bucket_on_put", detail=detail)
        if response.status == 404:
            return exception.NotFound(message, detail=detail)
        if response.status == 403:
            message += " (check s3_store_access_key and s3_store_secret_key)"
        return exception.StoreError(message, detail=detail)

    # -- bucket ------------------------------------------------------------

    def _prepare_bucket(self):
        """Create the bucket once per process when configured to."""
        if self._bucket_ready or not self.create_bucket_on_put:
            return
        with self._lock:
            if self._bucket_ready:
                return
            try:
                self._call("HEAD", self.bucket)
            except exception.NotFound:
                body = b""
                if self.region != "us-east-1":
                    body = (f"<CreateBucketConfiguration><LocationConstraint>"
                            f"{escape(self.region)}</LocationConstraint>"
                            f"</CreateBucketConfiguration>").encode()
                self._call("PUT", self.bucket, body=body,
                           payload_hash=hashlib.sha256(body).hexdigest(),
                           headers=[("Content-Length", str(len(body)))], ok=(200, 409))
                LOG.info("created bucket %s", self.bucket)
            self._bucket_ready = True

    # -- operations --------------------------------------------------------

    def add(self, image_id, chunks):
        key = object_name(image_id)
        self._prepare_bucket()
        if self._exists(self.bucket, key):
            raise exception.Duplicate(f"image {image_id} already has data in the s3 store",
                                      image_id=image_id)
        source = transfer.ChunkSource(chunks)
        size = getattr(chunks, "size_hint", None)
        try:
            if size is not None and size <= self.large_object_size:
                self._put_streamed(key, source, size)
            else:
                self._put_in_parts(key, source)
        except BaseException as exc:
            if (exc is source.error or isinstance(exc, exception.GlanceError)
                    or not isinstance(exc, Exception)):
                raise
            raise exception.StoreError(f"s3 store: the upload of image {image_id} failed",
                                       image_id=image_id,
                                       detail=self._shown(self.bucket, key)) from None
        return self.location_for(image_id)

    def _put_streamed(self, key, source, size):
        """One PUT of a body of known `size`, streamed as it arrives."""
        headers = [("Content-Length", str(size)), ("Content-Type", "application/octet-stream")]
        try:
            self._call("PUT", self.bucket, key, headers=headers,
                       body=source.take(size, exact=True), payload_hash=sigv4.UNSIGNED_PAYLOAD)
        except BaseException:
            if source.error is None and source.taken == size:
                # The whole body went out: the object may exist though we failed.
                self._delete_quietly(key)
            raise

    def _put_single(self, key, data):
        self._call("PUT", self.bucket, key, body=data,
                   headers=[("Content-Length", str(len(data))),
                            ("Content-Type", "application/octet-stream")],
                   payload_hash=sigv4.UNSIGNED_PAYLOAD)

    def _put_in_parts(self, key, source):
        """A multipart upload, one buffered part at a time; aborted on any failure."""
        part = source.read(self.part_size)
        if source.exhausted():
            self._put_single(key, part)
            return
        _, body = self._call("POST", self.bucket, key, params=[("uploads", "")],
                             headers=[("Content-Type", "application/octet-stream")])
        upload_id = s3xml.text(body, "UploadId")
        if not upload_id:
            raise exception.StoreError("s3 store: the multipart upload got no UploadId",
                                       detail=self._shown(self.bucket, key))
        etags = []
        try:
            while True:
                number = len(etags) + 1
                if number > MAX_PARTS:
                    raise exception.StoreError(
                        f"s3 store: the image needs more than {MAX_PARTS} parts of "
                        f"{self.part_size} bytes; raise s3_store_part_size",
                        detail=self._shown(self.bucket, key))
                response, _ = self._call(
                    "PUT", self.bucket, key, body=part,
                    params=[("partNumber", str(number)), ("uploadId", upload_id)],
                    headers=[("Content-Length", str(len(part)))],
                    payload_hash=sigv4.UNSIGNED_PAYLOAD)
                etags.append(response.getheader("ETag", ""))
                part = None                 # let the buffer go before the next is read
                if source.exhausted():
                    break
                part = source.read(self.part_size)
            self._complete(key, upload_id, etags)
        except BaseException:
            self._abort(key, upload_id)
            raise

    def _complete(self, key, upload_id, etags):
        body = "<CompleteMultipartUpload>" + "".join(
            f"<Part><PartNumber>{number}</PartNumber><ETag>{escape(etag)}</ETag></Part>"
            for number, etag in enumerate(etags, start=1)) + "</CompleteMultipartUpload>"
        body = body.encode()
        _, answer = self._call("POST", self.bucket, key, params=[("uploadId", upload_id)],
                               body=body, payload_hash=hashlib.sha256(body).hexdigest(),
                               headers=[("Content-Length", str(len(body))),
                                        ("Content-Type", "application/xml")])
        # S3 may answer 200 and report the failure in the body.
        code = s3xml.text(answer, "Code") if answer else None
        if code is not None:
            raise exception.StoreError(
                f"s3 store: completing the multipart upload failed ({code})",
                detail=self._shown(self.bucket, key))

    def _abort(self, key, upload_id):
        try:
            self._call("DELETE", self.bucket, key, params=[("uploadId", upload_id)],
                       ok=(200, 204, 404))
        except exception.GlanceError as exc:
            LOG.warning("could not abort the multipart upload of %s: %s",
                        self._shown(self.bucket, key), exc.message)

    def _delete_quietly(self, key):
        try:
            self._call("DELETE", self.bucket, key, ok=(200, 204, 404))
        except exception.GlanceError as exc:
            LOG.warning("could not remove %s: %s", self._shown(self.bucket, key), exc.message)

    def _exists(self, bucket, key):
        try:
            self._call("HEAD", bucket, key)
            return True
        except exception.NotFound:
            return False

    def get(self, location, *, image_id, tenant=None):
        return self.get_from(location, 0, image_id=image_id)

    def get_from(self, location, offset, *, image_id, tenant=None):
        bucket, key = self._own(location, image_id)
        header = transfer.range_header(offset)
        conn, response = self._send("GET", bucket, key, headers=[header] if header else [])
        data = transfer.ranged_image_data(conn, response, max(offset, 0), self.chunk_size,
                                          self._shown(bucket, key), "s3 store")
        if data is not None:
            return data
        body = transfer.read_error_body(response)
        conn.close()
        raise self._status_error("GET", bucket, key, response, body)

    def delete(self, location, *, image_id):
        bucket, key = self._own(location, image_id)
        if not self._exists(bucket, key):
            raise exception.NotFound(f"s3 store: image {image_id} has no data", image_id,
                                     detail=f"no object {self._shown(bucket, key)}")
        self._call("DELETE", bucket, key, ok=(200, 204))

    def get_size(self, location, *, image_id=None, tenant=None):
        bucket, key = self._own(location, image_id)
        response, _ = self._call("HEAD", bucket, key)
        length = response.getheader("Content-Length")
        return int(length) if length and length.isdigit() else None

    def remove_leftovers(self, image_id):
        """Abort the multipart uploads an upload of `image_id` that died with
        its server left, and delete its key -> what was removed.  Only for
        images that are `killed`: an active image's data is exactly this."""
        key = str(image_id)
        removed = []
        for found_key, upload_id in self.incomplete_uploads():
            if found_key == key:
                self._abort(key, upload_id)
                removed.append(f"upload {upload_id}")
        if self._exists(self.bucket, key):
            self._delete_quietly(key)
            removed.append(key)
        return removed

    # -- listings (for operators, fsck and the tests) ------------------------

    def object_names(self, prefix=""):
        """Every key in the bucket (starting with `prefix`), in order."""
        names, token = [], None
        while True:
            params = [("list-type", "2"), ("prefix", prefix)]
            if token:
                params.append(("continuation-token", token))
            _, body = self._call("GET", self.bucket, params=params)
            names += [s3xml.child_text(item, "Key") for item in s3xml.elements(body, "Contents")]
            token = s3xml.text(body, "NextContinuationToken")
            if not token or s3xml.text(body, "IsTruncated") != "true":
                return names

    def incomplete_uploads(self):
        """(key, upload id) of every multipart upload begun and not finished."""
        found, key_marker, id_marker = [], "", ""
        while True:
            params = [("uploads", "")]
            if key_marker:
                params += [("key-marker", key_marker), ("upload-id-marker", id_marker)]
            _, body = self._call("GET", self.bucket, params=params)
            found += [(s3xml.child_text(item, "Key"), s3xml.child_text(item, "UploadId"))
                      for item in s3xml.elements(body, "Upload")]
            if s3xml.text(body, "IsTruncated") != "true":
                return found
            key_marker = s3xml.text(body, "NextKeyMarker") or ""
            id_marker = s3xml.text(body, "NextUploadIdMarker") or ""

