"""`get_image`'s chunks against a scripted peer: sizes, checksums, broken and
abandoned downloads, the connection handed back."""

import hashlib

import pytest

from glance import client as gc
from tests.client.peer import image_answer


def test_checksum_mismatch_raises_at_the_end_of_the_data(peer_factory):
    peer = peer_factory(lambda r: image_answer(b"data", "0" * 32))
    meta, chunks = peer.client().get_image(1, checksum=True)
    with pytest.raises(gc.ChecksumMismatch):
        list(chunks)


def test_checksum_is_not_checked_unless_asked(peer_factory):
    peer = peer_factory(lambda r: image_answer(b"data", "0" * 32))
    meta, chunks = peer.client().get_image(1)
    assert b"".join(chunks) == b"data"


def test_checksum_compares_case_insensitively(peer_factory):
    digest = hashlib.md5(b"data").hexdigest().upper()
    peer = peer_factory(lambda r: image_answer(b"data", digest))
    meta, chunks = peer.client().get_image(1, checksum=True)
    assert b"".join(chunks) == b"data"


def test_truncated_download_is_a_connection_error(peer_factory):
    def answer(request):
        status, headers, data = image_answer(b"x" * 1000, "")
        return status, headers + [("Content-Length", "5000")], data, "drop"
    peer = peer_factory(answer)
    meta, chunks = peer.client().get_image(1)
    with pytest.raises(gc.ClientConnectionError, match="lost"):
        list(chunks)


def test_download_chunks_are_chunk_size_long(peer_factory):
    peer = peer_factory(lambda r: image_answer(b"y" * 200_000, ""))
    meta, chunks = peer.client().get_image(1, chunk_size=65536)
    assert [len(c) for c in chunks] == [65536, 65536, 65536, 200_000 - 3 * 65536]


def test_abandoned_download_closes_its_connection(peer_factory):
    peer = peer_factory(lambda r: image_answer(b"y" * 500_000, ""))
    client = peer.client()
    meta, chunks = client.get_image(1)
    next(chunks)
    chunks.close()
    meta, chunks = client.get_image(1)
    assert len(b"".join(chunks)) == 500_000
    assert len(set(peer.client_ports)) == 2


def test_finished_download_gives_its_connection_back(peer_factory):
    peer = peer_factory(lambda r: image_answer(b"y" * 100, ""))
    client = peer.client()
    meta, chunks = client.get_image(1)
    list(chunks)
    client.get_image_meta(1)
    assert len(set(peer.client_ports)) == 1
