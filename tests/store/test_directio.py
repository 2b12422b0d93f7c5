"""`DirectWriter`: the same bytes land in the file, with O_DIRECT where it can be had."""

import errno
import fcntl
import os

import pytest

from glance.store import directio
from glance.store.directio import DirectWriter

MIB = 1 << 20


def write_all(path, chunks, write=os.write):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    writer = DirectWriter(fd, write)
    flags = []
    try:
        for chunk in chunks:
            writer.write(chunk)
            flags.append(bool(fcntl.fcntl(fd, fcntl.F_GETFL) & directio._O_DIRECT))
    finally:
        writer.close()
        os.close(fd)
    return flags


def content(path):
    with open(path, "rb") as data:
        return data.read()


def chunks(count, size=MIB, tail=0):
    blocks = [os.urandom(size) for _ in range(count)]
    return blocks + ([os.urandom(tail)] if tail else [])


def test_large_chunks_and_a_short_tail_arrive_intact(tmp_path):
    data = chunks(3, tail=12345)
    write_all(tmp_path / "f", data)
    assert content(tmp_path / "f") == b"".join(data)


@pytest.mark.skipif(not directio._O_DIRECT, reason="no O_DIRECT on this platform")
def test_aligned_chunks_go_direct_and_the_tail_does_not(tmp_path):
    flags = write_all(tmp_path / "f", chunks(2, tail=100))
    if not flags[0]:
        pytest.skip("this filesystem refuses O_DIRECT")
    assert flags == [True, True, False]


def test_a_small_first_chunk_means_plain_writes(tmp_path):
    data = chunks(3, size=64 << 10)
    assert write_all(tmp_path / "f", data) == [False, False, False]
    assert content(tmp_path / "f") == b"".join(data)


def test_short_writes_are_completed_and_leave_o_direct(tmp_path):
    def short(fd, view):
        return os.write(fd, view[:5000])
    data = chunks(2)
    flags = write_all(tmp_path / "f", data, write=short)
    assert content(tmp_path / "f") == b"".join(data)
    assert flags == [False, False]


def test_einval_from_a_direct_write_falls_back_to_the_page_cache(tmp_path):
    calls = []

    def picky(fd, view):
        calls.append(len(view))
        if fcntl.fcntl(fd, fcntl.F_GETFL) & directio._O_DIRECT:
            raise OSError(errno.EINVAL, "no direct I/O here")
        return os.write(fd, view)
    data = chunks(2)
    write_all(tmp_path / "f", data, write=picky)
    assert content(tmp_path / "f") == b"".join(data)


def test_other_write_errors_propagate(tmp_path):
    def full(fd, view):
        raise OSError(errno.ENOSPC, "full")
    with pytest.raises(OSError) as caught:
        write_all(tmp_path / "f", chunks(1), write=full)
    assert caught.value.errno == errno.ENOSPC


@pytest.mark.skipif(not directio._O_DIRECT, reason="no O_DIRECT on this platform")
def test_a_chunk_in_an_aligned_buffer_is_written_from_where_it_is(tmp_path):
    import mmap
    buffer = mmap.mmap(-1, 2 * MIB)
    buffer[:] = os.urandom(2 * MIB)
    sources = []

    def recording(fd, view):
        sources.append(view.obj)
        return os.write(fd, view)
    flags = write_all(tmp_path / "f", [memoryview(buffer)[:MIB], memoryview(buffer)[MIB:]],
                      recording)
    if not flags[0]:
        pytest.skip("this filesystem refuses O_DIRECT")
    assert all(source is buffer for source in sources)     # no copy on the way
    assert content(tmp_path / "f") == bytes(buffer)


@pytest.mark.skipif(not directio._O_DIRECT, reason="no O_DIRECT on this platform")
def test_an_unaligned_writable_chunk_is_copied_into_an_aligned_buffer(tmp_path):
    data = bytearray(os.urandom(MIB + 1))
    sources = []

    def recording(fd, view):
        sources.append(view.obj)
        return os.write(fd, view)
    flags = write_all(tmp_path / "f", [memoryview(data)[1:]], recording)
    if not flags[0]:
        pytest.skip("this filesystem refuses O_DIRECT")
    assert sources and all(source is not data for source in sources)
    assert content(tmp_path / "f") == bytes(data[1:])
