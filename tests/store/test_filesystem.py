"""The filesystem store: atomic writes, clean failure paths, confinement to the data dir."""

import errno
import hashlib
import os
import stat

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
    assert read_all(store.get(store.location_for(7))) == b"old"


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
    assert read_all(store.get(location)) == b"abcd"


def test_add_of_no_chunks_stores_empty_image(store):
    location = store.add(1, iter(()))
    assert store.get_size(location) == 0


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
    with store.get(location) as data:
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
    assert read_all(store.get(location)) == b"first"
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
    assert read_all(store.get(location)) == payload


# -- get -----------------------------------------------------------------------

def test_get_returns_size_and_data(store):
    location = store.add(1, [b"hello"])
    data = store.get(location)
    assert data.size == 5
    assert read_all(data) == b"hello"


def test_get_offers_the_open_file(store):
    location = store.add(1, [b"hello"])
    with store.get(location) as data:
        assert os.read(data.fileobj.fileno(), 100) == b"hello"


def test_get_yields_chunk_size_chunks(tmp_path):
    store = FilesystemStore(make_conf(tmp_path, chunk_size="128K"))
    location = store.add(1, [os.urandom(300 * KIB)])
    sizes = [len(chunk) for chunk in store.get(location)]
    assert sizes == [128 * KIB, 128 * KIB, 44 * KIB]


def test_chunk_size_has_a_64_kib_floor(tmp_path):
    store = FilesystemStore(make_conf(tmp_path, chunk_size="4K"))
    location = store.add(1, [os.urandom(100 * KIB)])
    sizes = [len(chunk) for chunk in store.get(location)]
    assert sizes == [MIN_CHUNK_SIZE, 100 * KIB - MIN_CHUNK_SIZE]


def test_close_twice_is_safe(store):
    data = store.get(store.add(1, [b"x"]))
    data.close()
    data.close()
    assert data.fileobj.closed


def test_iteration_to_the_end_closes_the_file(store):
    data = store.get(store.add(1, [b"x"]))
    read_all(data)
    assert data.fileobj.closed


def test_file_shrinking_under_a_reader_raises_store_error(store):
    location = store.add(1, [b"x" * (200 * KIB)])
    data = store.get(location)
    os.truncate(os.path.join(store.datadir, "1"), 100 * KIB)
    with pytest.raises(exception.StoreError):
        read_all(data)


def test_get_of_missing_image_is_not_found(store):
    with pytest.raises(exception.NotFound):
        store.get(store.location_for(9))


def test_get_accepts_localhost_netloc(store):
    store.add(1, [b"x"])
    path = os.path.join(store.datadir, "1")
    assert read_all(store.get("file://localhost" + path)) == b"x"


def test_datadir_with_space_round_trips(tmp_path):
    datadir = str(tmp_path / "my images")
    store = FilesystemStore(make_conf(tmp_path, filesystem_store_datadir=datadir))
    location = store.add(1, [b"x"])
    assert " " not in location
    assert read_all(store.get(location)) == b"x"


def test_datadir_behind_a_symlink_works(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    store = FilesystemStore(make_conf(tmp_path, filesystem_store_datadir=str(tmp_path / "link")))
    location = store.add(1, [b"x"])
    assert read_all(store.get(location)) == b"x"


def test_symlink_to_another_image_inside_datadir_is_allowed(store):
    store.add(1, [b"one"])
    os.symlink(os.path.join(store.datadir, "1"), os.path.join(store.datadir, "2"))
    assert read_all(store.get(store.location_for(2))) == b"one"


def test_deleting_a_symlinked_image_keeps_the_image_it_points_to(store):
    first = store.add(1, [b"one"])
    os.symlink(os.path.join(store.datadir, "1"), os.path.join(store.datadir, "2"))
    store.delete(store.location_for(2))
    assert read_all(store.get(first)) == b"one"
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
    }


ESCAPES = ["etc_passwd", "dotdot", "encoded_dotdot", "encoded_slash_dotdot", "symlink_out",
           "the_datadir", "other_host", "relative", "temp_file", "trailing_dotdot",
           "trailing_slash", "not_file", "nul"]


@pytest.mark.parametrize("operation", ["get", "delete", "get_size"])
@pytest.mark.parametrize("escape", ESCAPES)
def test_location_outside_datadir_is_refused(store, outside, escape, operation):
    location = _escapes(store, outside)[escape]
    with pytest.raises(exception.Invalid):
        getattr(store, operation)(location)


def test_delete_through_symlink_out_keeps_the_target(store, outside):
    location = _escapes(store, outside)["symlink_out"]
    with pytest.raises(exception.Invalid):
        store.delete(location)
    assert outside.read_bytes() == b"secret"


def test_refusal_does_not_echo_the_path(store):
    with pytest.raises(exception.Invalid) as caught:
        store.get("file:///etc/passwd")
    assert "outside the filesystem store" in caught.value.message
    assert "/etc" not in caught.value.message


# -- delete, get_size, free_space -------------------------------------------------

def test_delete_removes_the_file(store):
    location = store.add(1, [b"x"])
    store.delete(location)
    assert os.listdir(store.datadir) == []


def test_delete_twice_is_not_found(store):
    location = store.add(1, [b"x"])
    store.delete(location)
    with pytest.raises(exception.NotFound):
        store.delete(location)


def test_get_size_is_file_size(store):
    location = store.add(1, [b"x" * 12345])
    assert store.get_size(location) == 12345


def test_get_size_of_missing_image_is_not_found(store):
    with pytest.raises(exception.NotFound):
        store.get_size(store.location_for(3))


def test_free_space_is_bytes_available(store):
    info = os.statvfs(store.datadir)
    free = store.free_space()
    assert isinstance(free, int)
    assert abs(free - info.f_bavail * info.f_frsize) < 64 * MIB


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
