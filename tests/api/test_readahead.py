"""The upload's helper threads and buffers: chunks in order, errors passed on,
buffers reused only once everyone is done with them, nothing left running."""

import hashlib
import threading

import pytest

from glance.api.readahead import BufferPool, HashThread, PoolClosed, ReadAhead


class Boom(Exception):
    pass


def numbered(count, fail_at=None, reads=None):
    for index in range(count):
        if index == fail_at:
            raise Boom(index)
        if reads is not None:
            reads.append(index)
        yield bytes([index]) * 1000


def test_read_ahead_yields_every_chunk_in_order():
    assert list(ReadAhead(numbered(50))) == list(numbered(50))


def test_read_ahead_runs_the_generator_on_another_thread():
    seen = []

    def chunks():
        seen.append(threading.current_thread())
        yield b"x"
    assert list(ReadAhead(chunks())) == [b"x"]
    assert seen and seen[0] is not threading.current_thread()


def test_an_error_of_the_generator_reaches_the_consumer_after_the_chunks_before_it():
    got = []
    with pytest.raises(Boom):
        for chunk in ReadAhead(numbered(10, fail_at=6)):
            got.append(chunk)
    assert got == list(numbered(6))


def test_a_consumer_stopping_early_stops_the_generator_and_its_thread():
    reads = []
    ahead = ReadAhead(numbered(1000, reads=reads), depth=2)
    iterator = iter(ahead)
    next(iterator)
    iterator.close()
    assert not ahead._thread.is_alive()
    assert len(reads) < 10      # it read at most a few chunks ahead


def test_the_generator_is_closed_when_the_consumer_stops_early():
    closed = threading.Event()

    def chunks():
        try:
            while True:
                yield b"x"
        finally:
            closed.set()
    iterator = iter(ReadAhead(chunks()))
    next(iterator)
    iterator.close()
    assert closed.is_set()


def test_hash_thread_hashes_what_it_is_given():
    hasher = HashThread(hashlib.md5())
    for chunk in numbered(100):
        hasher.update(chunk)
    hasher.finish()
    assert hasher.hasher.hexdigest() == hashlib.md5(b"".join(numbered(100))).hexdigest()


def test_hash_thread_close_after_finish_is_harmless():
    hasher = HashThread(hashlib.sha256())
    hasher.update(b"abc")
    hasher.finish()
    hasher.close()
    assert hasher.hasher.hexdigest() == hashlib.sha256(b"abc").hexdigest()


def test_hash_thread_close_stops_the_thread_without_hashing_the_rest():
    hasher = HashThread(hashlib.md5())
    for chunk in numbered(20):
        hasher.update(chunk)
    hasher.close()
    assert not hasher._thread.is_alive()


def test_an_error_while_hashing_is_raised_by_finish():
    class Broken:
        def update(self, chunk):
            raise Boom("hash")

    hasher = HashThread(Broken())
    for chunk in numbered(5):
        hasher.update(chunk)     # never blocks, though every update fails
    with pytest.raises(Boom):
        hasher.finish()


def test_hash_thread_calls_done_after_hashing_each_chunk_even_after_an_error():
    done = []

    class FailsOnSecond:
        def __init__(self):
            self.seen = 0

        def update(self, chunk):
            self.seen += 1
            if self.seen == 2:
                raise Boom("hash")

    hasher = HashThread(FailsOnSecond())
    for index in range(4):
        hasher.update(b"x", lambda index=index: done.append(index))
    with pytest.raises(Boom):
        hasher.finish()
    assert done == [0, 1, 2, 3]


def test_pool_buffers_are_page_aligned_and_views_end_with_the_last_release():
    import ctypes
    pool = BufferPool(2, 8192)
    first = pool.take()
    first.lend(100, users=1)
    address = ctypes.addressof(ctypes.c_char.from_buffer(first.view))
    assert address % 4096 == 0 and len(first.view) == 100
    first.release()
    assert first.view is None
    pool.close()


def test_a_block_goes_back_only_when_every_user_released_it():
    pool = BufferPool(1, 4096)
    block = pool.take()
    block.lend(10, users=2)
    block.release()
    assert pool._free.empty()           # one user still reads it
    block.release()
    assert pool.take() is block
    pool.close()


def test_close_wakes_a_taker_waiting_for_a_buffer():
    pool = BufferPool(1, 4096)
    pool.take()
    outcome = []
    taker = threading.Thread(target=lambda: outcome.append(_take(pool)))
    taker.start()
    pool.close()
    taker.join(5)
    assert outcome == ["closed"]


def test_blocks_given_back_after_close_are_unmapped():
    pool = BufferPool(2, 4096)
    lent = pool.take()
    lent.lend(10, users=1)
    free = pool.take()
    pool.give_back(free)
    pool.close()
    assert free.buffer.closed
    lent.release()
    assert lent.buffer.closed


def _take(pool):
    try:
        pool.take()
    except PoolClosed:
        return "closed"
    return "took"
