"""`VerifiedBody`: the upload's bytes in reused buffers, counted and hashed on one pass."""

import hashlib
import io
import threading

import pytest

from glance.api.upload import POOL_BUFFERS, VerifiedBody
from glance.common import exception

CHUNK = 64 << 10


class ReadOnly:
    """A wsgi.input with read() only, as PEP 3333 promises, in short reads."""

    def __init__(self, data):
        self._data = io.BytesIO(data)

    def read(self, size=-1):
        return self._data.read(min(size, 10_000))


def body(data, stream=None, length=True, **options):
    environ = {"wsgi.input": stream or io.BytesIO(data)}
    if length:
        environ["CONTENT_LENGTH"] = str(len(data))
    else:
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    return VerifiedBody.of_request(environ, CHUNK, 1 << 40, **options)


def helper_threads():
    return [t for t in threading.enumerate() if t.name in ("glance-readahead", "glance-hash")]


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 20 * CHUNK + 7])
@pytest.mark.parametrize("stream", ["readinto", "read only", "chunked"])
def test_every_byte_arrives_in_order_with_both_hashes(size, stream):
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    verified = body(data, ReadOnly(data) if stream == "read only" else None,
                    length=stream != "chunked")
    kept = b"".join(bytes(chunk) for chunk in verified)     # copies, as a store keeps
    assert kept == data
    assert verified.size == size
    assert verified.checksum == hashlib.md5(data).hexdigest()
    assert verified.os_hash_value == hashlib.sha256(data).hexdigest()
    assert not helper_threads()


def test_chunks_come_from_a_few_reused_buffers():
    data = bytes(40 * CHUNK)
    buffers = {id(chunk.obj) for chunk in body(data)}
    assert 1 < len(buffers) <= POOL_BUFFERS


def test_a_body_shorter_than_its_length_is_a_disconnect_and_stops_the_threads():
    environ = {"wsgi.input": io.BytesIO(bytes(5 * CHUNK)), "CONTENT_LENGTH": str(9 * CHUNK)}
    with pytest.raises(exception.ClientDisconnected):
        for _ in VerifiedBody.of_request(environ, CHUNK, 1 << 40):
            pass
    assert not helper_threads()


def test_a_store_failing_half_way_stops_the_threads():
    chunks = iter(body(bytes(30 * CHUNK)))
    next(chunks)
    next(chunks)
    chunks.close()      # what a store's exception does to the generator
    assert not helper_threads()


def test_a_wrong_checksum_fails_after_the_last_chunk():
    data = bytes(3 * CHUNK)
    with pytest.raises(exception.Invalid, match="MD5"):
        for _ in body(data, expected_checksum="0" * 32):
            pass
    assert not helper_threads()


def test_the_size_cap_stops_the_upload():
    environ = {"wsgi.input": io.BytesIO(bytes(10 * CHUNK)),
               "HTTP_TRANSFER_ENCODING": "chunked"}
    with pytest.raises(exception.TooLarge):
        for _ in VerifiedBody.of_request(environ, CHUNK, 3 * CHUNK):
            pass
    assert not helper_threads()
