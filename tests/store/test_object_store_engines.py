"""The swift and s3 stores against the real engines (tests/engines.py).

Every upload path (one object of declared size, one of unknown size,
segments / a multipart upload of declared size, an unknown size that
outgrows one segment or part) round-trips, and fails half-way or at the
very end without leaving anything behind: the container or bucket is listed
after each failure, and so are S3's in-progress multipart uploads (and the
`+segments` container Swift's S3 layer keeps their parts in).
"""

import hashlib
import os

import pytest

from glance.common import config, exception
from glance.store import s3xml, transfer
from glance.store.s3 import S3Store
from glance.store.swift import SwiftStore
from tests import engines

MIB = 1 << 20
# Small thresholds so that every path runs with a few MiB.
SWIFT_OPTIONS = {"swift_store_large_object_size": "3M",
                 "swift_store_large_object_chunk_size": "2M"}
S3_OPTIONS = {"s3_store_large_object_size": "6M", "s3_store_part_size": "5M"}


class Body:
    """An upload body like the API's VerifiedBody: declared size (or None),
    MD5 on the way through, and an optional failure after `fail_after` bytes
    (at the very end when it equals the size)."""

    def __init__(self, data, declared=True, fail_after=None, chunk=256 << 10):
        self.data = data
        self.size_hint = len(data) if declared else None
        self.fail_after = fail_after
        self.chunk = chunk
        self._md5 = hashlib.md5()
        self.error = None

    @property
    def checksum(self):
        return self._md5.hexdigest()

    def __iter__(self):
        for start in range(0, len(self.data), self.chunk):
            if self.fail_after is not None and start >= self.fail_after:
                break
            piece = self.data[start:start + self.chunk]
            self._md5.update(piece)
            yield piece
        if self.fail_after is not None:
            self.error = exception.ClientDisconnected("the client went away")
            raise self.error


@pytest.fixture(params=["swift", "s3"])
def storage(request):
    options = SWIFT_OPTIONS if request.param == "swift" else S3_OPTIONS
    _, storage = engines.object_storage(request.param, engines.unique_name("glance-test-"),
                                        **options)
    yield storage
    storage.remove()


def assert_empty(storage):
    assert storage.names() == []
    assert storage.incomplete_uploads() == []
    if storage.scheme == "s3":
        # Swift's S3 layer keeps the parts of multipart uploads in <bucket>+segments.
        swift = SwiftStore(config.load(environ={}, **engines.swift_conf("unused")))
        try:
            leftovers = swift.object_names(container=f"{storage.store.bucket}+segments")
        except exception.NotFound:
            leftovers = []
        assert leftovers == []


# (size in MiB, declared?) -> which path: see SWIFT_OPTIONS / S3_OPTIONS
CASES = [(0, True), (0, False), (1, True), (1, False), (7, True), (11, False)]


@pytest.mark.parametrize("mib, declared", CASES)
def test_a_round_trip_streams_the_same_bytes(storage, mib, declared):
    data = os.urandom(mib * MIB + 12345 if mib else 0)
    store = storage.store
    location = store.add(1, Body(data, declared))
    assert location == f"{storage.scheme}://{storage.store.location_for(1).split('://')[1]}"
    assert b"".join(store.get(location, image_id=1)) == data
    assert store.get_size(location, image_id=1) == len(data)
    if data:
        assert b"".join(store.get_from(location, 7, image_id=1)) == data[7:]
    store.delete(location, image_id=1)
    assert_empty(storage)


def test_large_objects_are_segments_behind_one_name(storage):
    if storage.scheme != "swift":
        pytest.skip("swift keeps segments as objects")
    data = os.urandom(5 * MIB)
    location = storage.store.add(3, Body(data))
    assert storage.names() == ["3", "3-00001", "3-00002", "3-00003"]
    storage.store.delete(location, image_id=3)
    assert_empty(storage)


@pytest.mark.parametrize("mib, declared", [(1, True), (1, False), (7, True), (11, False)])
@pytest.mark.parametrize("where", ["half-way", "at the end"])
def test_a_failed_upload_leaves_nothing(storage, mib, declared, where):
    data = os.urandom(mib * MIB)
    body = Body(data, declared, fail_after=len(data) // 2 if where == "half-way" else len(data))
    with pytest.raises(exception.ClientDisconnected) as caught:
        storage.store.add(2, body)
    assert caught.value is body.error                   # re-raised unchanged
    assert_empty(storage)


def test_data_longer_than_declared_is_refused_and_removed(storage):
    body = Body(os.urandom(MIB))
    body.size_hint = MIB - 1
    with pytest.raises(exception.StoreError, match="longer"):
        storage.store.add(4, body)
    assert_empty(storage)


def test_an_image_id_with_data_is_a_duplicate(storage):
    storage.store.add(5, Body(b"first"))
    with pytest.raises(exception.Duplicate):
        storage.store.add(5, Body(b"second"))
    assert b"".join(storage.store.get(storage.store.location_for(5), image_id=5)) == b"first"


def test_missing_data_is_not_found(storage):
    location = storage.store.location_for(6)
    storage.store.add(7, Body(b"x"))            # the container/bucket exists
    for operation in (storage.store.get, storage.store.get_size, storage.store.delete):
        with pytest.raises(exception.NotFound):
            operation(location, image_id=6)


def test_a_missing_container_is_not_created_unless_configured():
    conf = config.load(environ={}, **engines.swift_conf(
        engines.unique_name("glance-test-"), swift_store_create_container_on_put="false"))
    with pytest.raises(exception.StoreError, match="swift_store_create_container_on_put"):
        SwiftStore(conf).add(1, Body(b"x"))


def test_a_missing_bucket_is_not_created_unless_configured():
    conf = config.load(environ={}, **engines.s3_conf(
        engines.unique_name("glance-test-"), s3_store_create_bucket_on_put="false"))
    with pytest.raises(exception.StoreError, match="s3_store_create_bucket_on_put"):
        S3Store(conf).add(1, Body(b"x"))


def test_a_rejected_swift_token_is_renewed(storage):
    if storage.scheme != "swift":
        pytest.skip("swift tokens")
    store = storage.store
    location = store.add(8, Body(b"data"))
    stale = store._current_token()
    stale.value = "AUTH_ftk" + "0" * 40       # a token the engine refuses (401)
    assert b"".join(store.get(location, image_id=8)) == b"data"
    assert store._current_token() is not stale


def test_a_wrong_swift_key_is_a_store_error_without_the_key():
    conf = config.load(environ={}, **engines.swift_conf(
        "glance", swift_store_key="wrong-key-123"))
    with pytest.raises(exception.StoreError, match="refused") as caught:
        SwiftStore(conf).get("swift://glance/1", image_id=1)
    assert "wrong-key-123" not in caught.value.message


def test_a_wrong_s3_secret_is_a_store_error_without_the_secret():
    conf = config.load(environ={}, **engines.s3_conf(
        "glance", s3_store_secret_key="wrong-secret-123"))
    with pytest.raises(exception.StoreError, match="403") as caught:
        S3Store(conf).get("s3://glance/1", image_id=1)
    assert "wrong-secret-123" not in caught.value.message


def test_virtual_hosted_addressing_works_against_the_engine():
    found = engines.s3()
    if not found["domain"]:
        pytest.skip("the test S3 endpoint has no virtual-host domain (GLANCE_TEST_S3_DOMAIN)")
    port = int(found["endpoint"].rsplit(":", 1)[1])
    bucket = engines.unique_name("glance-test-")
    conf = config.load(environ={}, **engines.s3_conf(
        bucket, s3_store_host=f"http://{found['domain']}:{port}",
        s3_store_bucket_url_format="virtual"))
    seen = []

    def connect(scheme, host, port, timeout):      # <bucket>.<domain> has no DNS here
        seen.append(host)
        return transfer.open_connection(scheme, "127.0.0.1", port, timeout)
    store = S3Store(conf, connect=connect)
    storage = engines.ObjectStorage(store, "s3")
    try:
        location = store.add(1, Body(b"virtually hosted"))
        assert b"".join(store.get(location, image_id=1)) == b"virtually hosted"
        assert set(seen) == {f"{bucket}.{found['domain']}"}
        store.delete(location, image_id=1)
    finally:
        storage.remove()


def test_leftovers_of_an_upload_that_died_with_its_server_are_removed(storage):
    store = storage.store
    keep = store.add(90, Body(b"another image"))          # "90-..." must survive "9-"
    if storage.scheme == "swift":
        for name in ("9", "9-00001", "9-00002"):
            store._call("PUT", store.container, name, body=b"partial",
                        headers={"Content-Length": "7"}, ok=(201,))
    else:
        _, body = store._call("POST", store.bucket, "9", params=[("uploads", "")])
        upload_id = s3xml.text(body, "UploadId")
        store._call("PUT", store.bucket, "9", body=b"partial",
                    params=[("partNumber", "1"), ("uploadId", upload_id)],
                    headers=[("Content-Length", "7")], payload_hash="UNSIGNED-PAYLOAD")
        assert storage.incomplete_uploads()
    assert store.remove_leftovers(9)
    assert storage.names() == ["90"] and storage.incomplete_uploads() == []
    store.delete(keep, image_id=90)
