"""The filesystem store: atomic writes, clean failure paths, confinement to the data dir."""

import errno
import hashlib
import os
import stat
import threading

import pytest

from glance.common import exception
from glance.store.base import MIN_CHUNK_SIZE
from glance.store.filesystem import FilesystemStore
from tests.store.conftest import make_conf

KIB = 1 << 10
MIB = 1 << 20


class Boom(Exception):
    """What a verifying iterator raises halfway through an upload."""


def chunks_then_raise(exc, count=3, size=64 * KIB):
    for _ in range(count):
        yield b"x" * size
    raise exc


def read_all(data):
    return b"".join(data)


# -- the data directory ------------------------------------------------------

def test_missing_datadir_is_created(tmp_path):
    datadir = tmp_path / "a" / "b"
    FilesystemStore(make_conf(tmp_path, filesystem_store_datadir=str(datadir)))
    assert datadir.is_dir()


def test_created_datadir_is_not_world_readable(tmp_path):
    datadir = tmp_path / "new"
    FilesystemStore(make_conf(tmp_path, filesystem_store_datadir=str(datadir)))
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(datadir.stat().st_mode) == 0o750 & ~umask


def test_existing_datadir_is_kept(tmp_path):
    datadir = tmp_path / "images"
    datadir.mkdir()
    (datadir / "7").write_bytes(b"old")
    store = FilesystemStore(make_conf(tmp_path))
    assert read_all(store.get(store.location_for(7), image_id=7)) == b"old"


# -- add -----------------------------------------------------------------------

def test_add_returns_file_location_of_image_file(store):
    location = store.add(1, [b"abc"])
    assert location == "file://" + os.path.join(store.datadir, "1")


def test_add_writes_the_bytes(store):
    store.add(1, [b"abc", b"", b"def"])
    with open(os.path.join(store.datadir, "1"), "rb") as f:
        assert f.read() == b"abcdef"


def test_add_accepts_bytearray_and_memoryview_chunks(store):
    location = store.add(1, [bytearray(b"ab"), memoryview(b"cd")])
    assert read_all(store.get(location, image_id=1)) == b"abcd"


def test_add_of_no_chunks_stores_empty_image(store):
    location = store.add(1, iter(()))
    assert store.get_size(location, image_id=1) == 0


def test_add_leaves_only_the_image_file(store):
    store.add(1, [b"abc"])
    assert os.listdir(store.datadir) == ["1"]


def test_round_trip_20_mib_is_byte_exact(store):
    block = os.urandom(MIB)
    sent = hashlib.sha256()

    def chunks():
        for i in range(20):
            piece = bytes([i]) + block[1:]
            sent.update(piece)
            yield piece

    location = store.add(5, chunks())
    received = hashlib.sha256()
    with store.get(location, image_id=5) as data:
        assert data.size == 20 * MIB
        for chunk in data:
            received.update(chunk)
    assert received.hexdigest() == sent.hexdigest()


def test_add_refuses_existing_image_with_duplicate(store):
    store.add(1, [b"first"])
    with pytest.raises(exception.Duplicate):
        store.add(1, [b"second"])


def test_duplicate_keeps_the_first_data_and_leaves_no_temp(store):
    location = store.add(1, [b"first"])
    with pytest.raises(exception.Duplicate):
        store.add(1, [b"second"])
    assert read_all(store.get(location, image_id=1)) == b"first"
    assert os.listdir(store.datadir) == ["1"]


def test_image_appearing_during_upload_is_not_overwritten(store):
    final = os.path.join(store.datadir, "1")

    def racing_chunks():
        yield b"mine"
        with open(final, "wb") as f:
            f.write(b"theirs")
        yield b"more"

    with pytest.raises(exception.Duplicate):
        store.add(1, racing_chunks())
    with open(final, "rb") as f:
        assert f.read() == b"theirs"
    assert os.listdir(store.datadir) == ["1"]


@pytest.mark.parametrize("image_id", [-1, "abc", "../1", "0", 1.5, True, None])
def test_add_refuses_bad_image_id(store, image_id):
    with pytest.raises(exception.Invalid):
        store.add(image_id, [b"x"])


# -- failure paths remove everything -------------------------------------------

def test_exception_from_chunks_propagates_unchanged(store):
    boom = Boom("checksum mismatch")
    with pytest.raises(Boom) as caught:
        store.add(1, chunks_then_raise(boom))
    assert caught.value is boom


def test_exception_from_chunks_leaves_no_file(store):
    with pytest.raises(Boom):
        store.add(1, chunks_then_raise(Boom()))
    assert os.listdir(store.datadir) == []


def test_os_error_from_chunks_is_not_translated(store):
    # A client disconnect surfaces as an OSError from the body iterator: it is
    # the caller's error, not the store's.
    reset = ConnectionResetError(errno.ECONNRESET, "reset")
    with pytest.raises(ConnectionResetError) as caught:
        store.add(1, chunks_then_raise(reset))
    assert caught.value is reset
    assert os.listdir(store.datadir) == []


def test_keyboard_interrupt_leaves_no_file(store):
    with pytest.raises(KeyboardInterrupt):
        store.add(1, chunks_then_raise(KeyboardInterrupt()))
    assert os.listdir(store.datadir) == []


class _RaisesGeneratorExit:
    def __init__(self):
        self.sent = False

    def __iter__(self):
        return self

    def __next__(self):
        if not self.sent:
            self.sent = True
            return b"x" * 1000
        raise GeneratorExit


def test_generator_exit_leaves_no_file(store):
    with pytest.raises(GeneratorExit):
        store.add(1, _RaisesGeneratorExit())
    assert os.listdir(store.datadir) == []


def test_chunk_of_wrong_type_leaves_no_file(store):
    with pytest.raises(TypeError):
        store.add(1, [b"ok", "text is not bytes"])
    assert os.listdir(store.datadir) == []


def _disk_full_after(limit):
    written = [0]

    def write(fd, data):
        if written[0] + len(data) > limit:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written[0] += len(data)
        return os.write(fd, data)
    return write


def test_full_disk_raises_insufficient_storage(conf):
    store = FilesystemStore(conf, write=_disk_full_after(100 * KIB))
    with pytest.raises(exception.InsufficientStorage):
        store.add(1, chunks_then_raise(Boom(), count=4))


def test_full_disk_leaves_no_file(conf):
    store = FilesystemStore(conf, write=_disk_full_after(100 * KIB))
    with pytest.raises(exception.InsufficientStorage):
        store.add(1, chunks_then_raise(Boom(), count=4))
    assert os.listdir(store.datadir) == []


def test_other_write_error_is_store_error_and_leaves_no_file(conf):
    def write(fd, data):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    store = FilesystemStore(conf, write=write)
    with pytest.raises(exception.StoreError) as caught:
        store.add(1, [b"x"])
    assert not isinstance(caught.value, exception.InsufficientStorage)
    assert os.listdir(store.datadir) == []


def test_partial_writes_are_completed(conf):
    def write(fd, data):
        return os.write(fd, data[:1000])

    store = FilesystemStore(conf, write=write)
    payload = os.urandom(10 * KIB)
    location = store.add(1, [payload])
    assert read_all(store.get(location, image_id=1)) == payload


# -- get -----------------------------------------------------------------------

def test_get_returns_size_and_data(store):
    location = store.add(1, [b"hello"])
    data = store.get(location, image_id=1)
    assert data.size == 5
    assert read_all(data) == b"hello"


def test_get_offers_the_open_file(store):
    location = store.add(1, [b"hello"])
    with store.get(location, image_id=1) as data:
        assert os.read(data.fileobj.fileno(), 100) == b"hello"


def test_get_yields_chunk_size_chunks(tmp_path):
    store = FilesystemStore(make_conf(tmp_path, chunk_size="128K"))
    location = store.add(1, [os.urandom(300 * KIB)])
    sizes = [len(chunk) for chunk in store.get(location, image_id=1)]
    assert sizes == [128 * KIB, 128 * KIB, 44 * KIB]


def test_chunk_size_has_a_64_kib_floor(tmp_path):
    store = FilesystemStore(make_conf(tmp_path, chunk_size="4K"))
    location = store.add(1, [os.urandom(100 * KIB)])
    sizes = [len(chunk) for chunk in store.get(location, image_id=1)]
    assert sizes == [MIN_CHUNK_SIZE, 100 * KIB - MIN_CHUNK_SIZE]


def test_close_twice_is_safe(store):
    data = store.get(store.add(1, [b"x"]), image_id=1)
    data.close()
    data.close()
    assert data.fileobj.closed


def test_iteration_to_the_end_closes_the_file(store):
    data = store.get(store.add(1, [b"x"]), image_id=1)
    read_all(data)
    assert data.fileobj.closed


def test_file_shrinking_under_a_reader_raises_store_error(store):
    location = store.add(1, [b"x" * (200 * KIB)])
    data = store.get(location, image_id=1)
    os.truncate(os.path.join(store.datadir, "1"), 100 * KIB)
    with pytest.raises(exception.StoreError):
        read_all(data)


def test_get_of_missing_image_is_not_found(store):
    with pytest.raises(exception.NotFound):
        store.get(store.location_for(9), image_id=9)


def test_get_accepts_localhost_netloc(store):
    store.add(1, [b"x"])
    path = os.path.join(store.datadir, "1")
    assert read_all(store.get("file://localhost" + path, image_id=1)) == b"x"


def test_datadir_with_space_round_trips(tmp_path):
    datadir = str(tmp_path / "my images")
    store = FilesystemStore(make_conf(tmp_path, filesystem_store_datadir=datadir))
    location = store.add(1, [b"x"])
    assert " " not in location
    assert read_all(store.get(location, image_id=1)) == b"x"


def test_datadir_behind_a_symlink_works(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    store = FilesystemStore(make_conf(tmp_path, filesystem_store_datadir=str(tmp_path / "link")))
    location = store.add(1, [b"x"])
    assert read_all(store.get(location, image_id=1)) == b"x"


def test_symlink_to_another_image_inside_datadir_is_allowed(store):
    store.add(1, [b"one"])
    os.symlink(os.path.join(store.datadir, "1"), os.path.join(store.datadir, "2"))
    assert read_all(store.get(store.location_for(2), image_id=2)) == b"one"


def test_deleting_a_symlinked_image_keeps_the_image_it_points_to(store):
    first = store.add(1, [b"one"])
    os.symlink(os.path.join(store.datadir, "1"), os.path.join(store.datadir, "2"))
    store.delete(store.location_for(2), image_id=2)
    assert read_all(store.get(first, image_id=1)) == b"one"
    assert os.listdir(store.datadir) == ["1"]


# -- locations never leave the data dir ------------------------------------------

@pytest.fixture
def outside(tmp_path):
    path = tmp_path / "secret"
    path.write_bytes(b"secret")
    return path


def _escapes(store, outside):
    datadir = store.datadir
    os.symlink(outside, os.path.join(datadir, "99"))
    return {
        "etc_passwd": "file:///etc/passwd",
        "dotdot": f"file://{datadir}/../secret",
        "encoded_dotdot": f"file://{datadir}/%2e%2e/secret",
        "encoded_slash_dotdot": f"file://{datadir}%2F..%2Fsecret",
        "symlink_out": f"file://{datadir}/99",
        "the_datadir": f"file://{datadir}",
        "other_host": f"file://example.com{datadir}/1",
        "relative": "file:images/1",
        "temp_file": f"file://{datadir}/.1.abc.tmp",
        "trailing_dotdot": f"file://{datadir}/1/..",
        "trailing_slash": f"file://{datadir}/",
        "not_file": f"http://{datadir}/1",
        "nul": f"file://{datadir}/1%00",
        "not_a_uri": "file://[/1",
    }


ESCAPES = ["etc_passwd", "dotdot", "encoded_dotdot", "encoded_slash_dotdot", "symlink_out",
           "the_datadir", "other_host", "relative", "temp_file", "trailing_dotdot",
           "trailing_slash", "not_file", "nul", "not_a_uri"]


@pytest.mark.parametrize("operation", ["get", "delete", "get_size"])
@pytest.mark.parametrize("escape", ESCAPES)
def test_location_outside_datadir_is_refused(store, outside, escape, operation):
    location = _escapes(store, outside)[escape]
    with pytest.raises(exception.Forbidden):
        getattr(store, operation)(location, image_id=99 if escape == "symlink_out" else 1)


def test_delete_through_symlink_out_keeps_the_target(store, outside):
    location = _escapes(store, outside)["symlink_out"]
    with pytest.raises(exception.Forbidden):
        store.delete(location, image_id=99)
    assert outside.read_bytes() == b"secret"


def test_refusal_does_not_echo_the_path(store):
    with pytest.raises(exception.Forbidden) as caught:
        store.get("file:///etc/passwd", image_id=1)
    assert "image 1" in caught.value.message and "/etc" not in caught.value.message
    assert "/etc/passwd" in caught.value.detail


# -- only an image's own file (issue 15, item 1) -------------------------------------

@pytest.mark.parametrize("operation", ["get", "get_size"])
def test_another_images_file_is_not_read(store, operation):
    theirs = store.add(2, [b"private data of image 2"])
    with pytest.raises(exception.Forbidden) as caught:
        getattr(store, operation)(theirs, image_id=1)
    assert store.datadir not in caught.value.message


def test_another_images_file_is_not_read_from_an_offset(store):
    theirs = store.add(2, [b"private data of image 2"])
    with pytest.raises(exception.Forbidden):
        store.get_from(theirs, 8, image_id=1)


def test_another_images_file_is_not_deleted(store):
    theirs = store.add(2, [b"private data of image 2"])
    with pytest.raises(exception.Forbidden):
        store.delete(theirs, image_id=1)
    assert read_all(store.get(theirs, image_id=2)) == b"private data of image 2"


@pytest.mark.parametrize("image_id", [None, "02", 2.0, True, -2])
def test_a_location_is_no_ones_without_an_image_id(store, image_id):
    location = store.add(2, [b"x"])
    with pytest.raises(exception.Forbidden):
        store.get(location, image_id=image_id)


def test_an_images_own_file_by_another_spelling_is_served(store):
    store.add(2, [b"mine"])
    spelled = "file://localhost" + store.datadir + "/./2"
    assert read_all(store.get(spelled, image_id=2)) == b"mine"


# -- delete, get_size, free_space -------------------------------------------------

def test_delete_removes_the_file(store):
    location = store.add(1, [b"x"])
    store.delete(location, image_id=1)
    assert os.listdir(store.datadir) == []


def test_delete_twice_is_not_found(store):
    location = store.add(1, [b"x"])
    store.delete(location, image_id=1)
    with pytest.raises(exception.NotFound):
        store.delete(location, image_id=1)


def test_get_size_is_file_size(store):
    location = store.add(1, [b"x" * 12345])
    assert store.get_size(location, image_id=1) == 12345


def test_get_size_of_missing_image_is_not_found(store):
    with pytest.raises(exception.NotFound):
        store.get_size(store.location_for(3), image_id=3)


def test_free_space_is_bytes_available(store):
    info = os.statvfs(store.datadir)
    free = store.free_space()
    assert isinstance(free, int)
    assert abs(free - info.f_bavail * info.f_frsize) < 64 * MIB


# -- the free-space reserve, held while writing (issue 15, item 9) -------------------

class FakeDisk:
    """A disk with `free` bytes left: `write` (the store's write seam) uses
    them up, `free_space` (its free-space seam) tells what is left."""

    def __init__(self, free):
        self.left = self.lowest = free
        self.measured = 0
        self._lock = threading.Lock()

    def write(self, fd, data):
        written = os.write(fd, data)
        with self._lock:
            self.left -= written
            self.lowest = min(self.lowest, self.left)
        return written

    def free_space(self):
        self.measured += 1
        return self.left


def store_on(disk, tmp_path, reserve):
    return FilesystemStore(make_conf(tmp_path, store_min_free=str(reserve)),
                           write=disk.write, free_space=disk.free_space)


def test_an_upload_is_cut_off_before_it_breaches_the_reserve(tmp_path):
    disk = FakeDisk(3 * MIB)
    store = store_on(disk, tmp_path, MIB)
    with pytest.raises(exception.InsufficientStorage) as caught:
        store.add(1, (b"x" * (256 * KIB) for _ in range(12)))
    assert disk.lowest >= MIB
    assert caught.value.image_id == 1 and "reserve" in caught.value.message
    assert os.listdir(store.datadir) == []


def test_an_upload_that_leaves_the_reserve_free_is_stored(tmp_path):
    disk = FakeDisk(3 * MIB)
    store = store_on(disk, tmp_path, MIB)
    location = store.add(1, (b"x" * (256 * KIB) for _ in range(8)))
    assert store.get_size(location, image_id=1) == 2 * MIB
    assert disk.lowest == MIB


def test_with_room_to_spare_free_space_is_measured_rarely(tmp_path):
    disk = FakeDisk(1 << 40)
    store = store_on(disk, tmp_path, MIB)
    store.add(1, (b"x" * (64 * KIB) for _ in range(64)))
    assert disk.measured == 1


def test_near_the_reserve_every_chunk_is_measured(tmp_path):
    disk = FakeDisk(MIB + 16 * 64 * KIB)
    store = store_on(disk, tmp_path, MIB)
    store.add(1, (b"x" * (64 * KIB) for _ in range(8)))
    assert disk.measured >= 8


def test_concurrent_uploads_together_keep_the_reserve(tmp_path):
    """Each sees room for itself; together they would breach the reserve."""
    disk = FakeDisk(12 * MIB)
    store = store_on(disk, tmp_path, 4 * MIB)
    turns = threading.Barrier(2, timeout=10)
    outcome = {}

    def chunks():
        for _ in range(6):
            try:
                turns.wait()        # the two uploads write in turns
            except threading.BrokenBarrierError:
                pass                # the other one has ended
            yield b"x" * MIB

    def upload(image_id):
        try:
            store.add(image_id, chunks())
            outcome[image_id] = "stored"
        except exception.InsufficientStorage:
            outcome[image_id] = "507"
        finally:
            turns.abort()

    threads = [threading.Thread(target=upload, args=(i,)) for i in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(outcome.values()) in (["507", "507"], ["507", "stored"])
    assert disk.lowest >= 4 * MIB


# -- what the reliability work sees -------------------------------------------------

def test_temp_files_lists_leftover_temporaries(store):
    leftover = os.path.join(store.datadir, ".4.x1y2.tmp")
    open(leftover, "wb").close()
    store.add(1, [b"x"])
    assert store.temp_files() == [leftover]


def test_temp_file_of_upload_in_progress_is_listed(store):
    seen = []

    def chunks():
        yield b"x"
        seen.extend(store.temp_files())
        yield b"y"

    store.add(3, chunks())
    assert len(seen) == 1
    assert os.path.basename(seen[0]).startswith(".3.")
    assert seen[0].endswith(".tmp")
    assert store.temp_files() == []


def test_image_files_lists_ids_and_paths_in_order(store):
    store.add(10, [b"x"])
    store.add(2, [b"y"])
    open(os.path.join(store.datadir, ".2.abc.tmp"), "wb").close()
    open(os.path.join(store.datadir, "notes.txt"), "wb").close()
    assert store.image_files() == [("10", os.path.join(store.datadir, "10")),
                                   ("2", os.path.join(store.datadir, "2"))]


def test_store_attributes(store):
    assert (store.name, store.schemes, store.writable) == ("file", ("file",), True)
