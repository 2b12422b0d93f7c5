"""A full disk: 507, a killed image with a reason, and nothing left behind.

Four ways to fill it: the filesystem store's write seam raising ENOSPC (or
EDQUOT) part-way through an upload; a store whose free space is below what
the client declares (refused before the body); chunked uploads that
together would eat into `store_min_free` (cut off while writing, issue 15
item 9); and, where the test may mount one, a real 4 MiB tmpfs as the data
directory.
"""

import errno
import os
import subprocess
import threading

import pytest
import webtest

from glance.api.v1.images import ImagesApp
from glance.common import config, context
from glance.registry import ImageRegistry
from glance.store import FilesystemStore, HttpStore, Stores
from tests.functional.services import running_services
from tests.reliability.helpers import RawConnection, all_images, check_invariants, upload_head

OCTET = {"Content-Type": "application/octet-stream"}


class FillingDisk:
    """os.write, until `room` bytes are written; then the given errno."""

    def __init__(self, room, error=errno.ENOSPC):
        self.room, self.error = room, error

    def __call__(self, fd, data):
        if self.room <= 0:
            raise OSError(self.error, os.strerror(self.error))
        written = os.write(fd, data[:self.room])
        self.room -= written
        return written


class SmallStore(FilesystemStore):
    """A filesystem store that says it has `free` bytes left."""

    def __init__(self, conf, free):
        super().__init__(conf)
        self.free = free

    def free_space(self):
        return self.free


def make_wsgi(tmp_path, backend_factory, **options):
    conf = config.load(environ={
        "GLANCE_SQL_CONNECTION": f"sqlite:///{tmp_path}/glance.sqlite",
        "GLANCE_FILESYSTEM_STORE_DATADIR": str(tmp_path / "images")}, **options)
    stores = Stores(conf, backends=[backend_factory(conf), HttpStore(conf)])
    api = ImagesApp(conf, ImageRegistry.from_conf(conf), stores)

    def as_admin(environ, start_response):
        environ[context.ENV_KEY] = context.admin_context()
        return api(environ, start_response)
    return as_admin


def make_app(tmp_path, backend_factory, **options):
    return webtest.TestApp(make_wsgi(tmp_path, backend_factory, **options))


def files(tmp_path):
    return sorted(os.listdir(tmp_path / "images"))


@pytest.mark.parametrize("room", [0, 1000, 3 << 20])
@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EDQUOT])
def test_a_disk_filling_up_mid_upload_is_507_and_killed(tmp_path, room, error):
    app = make_app(tmp_path, lambda conf: FilesystemStore(conf, write=FillingDisk(room, error)))
    res = app.post("/images", os.urandom(4 << 20), headers=OCTET, status=507)
    assert res.json["error"]["type"] == "store.full"
    [image] = app.get("/images/detail?is_public=none").json["images"]
    assert image["status"] == "killed" and "space" in image["status_reason"]
    assert files(tmp_path) == []


def test_uploads_work_again_once_there_is_room(tmp_path):
    disk = FillingDisk(0)
    app = make_app(tmp_path, lambda conf: FilesystemStore(conf, write=disk))
    app.post("/images", b"x" * 100, headers=OCTET, status=507)
    disk.room = 1 << 30
    assert app.post("/images", b"x" * 100, headers=OCTET, status=201).json["image"][
        "status"] == "active"


def test_a_declared_size_over_the_free_space_is_507_without_a_record(tmp_path):
    app = make_app(tmp_path, lambda conf: SmallStore(conf, free=10 << 20),
                   store_min_free="1M")
    res = app.post("/images", b"x" * 100, headers={**OCTET, "x-image-meta-size": str(20 << 20)},
                   status=507, expect_errors=True)
    assert res.json["error"]["type"] == "store.full"
    assert app.get("/images/detail?is_public=none").json["images"] == []


def test_the_reserve_counts_too(tmp_path):
    app = make_app(tmp_path, lambda conf: SmallStore(conf, free=10 << 20),
                   store_min_free="9M")
    app.post("/images", b"x" * (2 << 20), headers=OCTET, status=507)
    app.post("/images", b"x" * 1000, headers=OCTET, status=201)


def test_a_put_to_a_queued_image_refused_for_space_keeps_it_queued(tmp_path):
    app = make_app(tmp_path, lambda conf: SmallStore(conf, free=1 << 20),
                   store_min_free="0")
    queued = app.post("/images", status=201).json["image"]
    app.put(f"/images/{queued['id']}", b"x" * (2 << 20), headers=OCTET, status=507)
    assert app.get(f"/images/detail?is_public=none").json["images"][0]["status"] == "queued"


class SharedDisk:
    """A disk of `free` bytes shared by concurrent uploads: the store's write
    seam uses it up, its free-space seam tells what is left."""

    def __init__(self, free):
        self.left = self.lowest = free
        self._lock = threading.Lock()

    def write(self, fd, data):
        written = os.write(fd, data)
        with self._lock:
            self.left -= written
            self.lowest = min(self.lowest, self.left)
        return written

    def free_space(self):
        return self.left


class TurnTakingBody:
    """A chunked upload body read in turns with another one (a barrier), so
    two uploads interleave; `done()` lets the other go on alone."""

    def __init__(self, size, turns, piece=256 << 10):
        self.left, self.turns, self.piece = size, turns, piece

    def read(self, n=-1):
        if self.left <= 0:
            return b""
        try:
            self.turns.wait()
        except threading.BrokenBarrierError:
            pass
        size = min(self.piece, self.left, n if n and n > 0 else self.piece)
        self.left -= size
        return b"x" * size

    readinto = None


def chunked_upload(wsgi, body):
    """POST /images with a chunked body (no Content-Length) -> status code."""
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/images", "SCRIPT_NAME": "",
               "QUERY_STRING": "", "SERVER_NAME": "glance", "SERVER_PORT": "80",
               "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "glance",
               "CONTENT_TYPE": "application/octet-stream", "HTTP_TRANSFER_ENCODING": "chunked",
               "wsgi.input": body, "wsgi.url_scheme": "http", "wsgi.errors": None,
               "wsgi.version": (1, 0), "wsgi.multithread": True, "wsgi.multiprocess": False,
               "wsgi.run_once": False}
    status = []
    result = wsgi(environ, lambda line, headers, exc_info=None: status.append(line))
    b"".join(result)
    return int(status[0].split()[0])


def test_concurrent_chunked_uploads_cannot_breach_the_reserve(tmp_path):
    # 12 MiB free, 4 MiB kept in reserve: a 2 MiB and a 7 MiB upload cannot
    # both fit, though each alone does and neither declares its size.
    disk = SharedDisk(12 << 20)
    wsgi = make_wsgi(tmp_path, lambda conf: FilesystemStore(
        conf, write=disk.write, free_space=disk.free_space), store_min_free="4M")
    turns = threading.Barrier(2, timeout=10)
    statuses = {}

    def upload(size):
        try:
            statuses[size] = chunked_upload(wsgi, TurnTakingBody(size, turns))
        finally:
            turns.abort()
    threads = [threading.Thread(target=upload, args=(size,)) for size in (2 << 20, 7 << 20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert 507 in statuses.values() and set(statuses.values()) <= {201, 507}, statuses
    assert disk.lowest >= 4 << 20
    images = make_app(tmp_path, FilesystemStore).get("/images/detail?is_public=none").json[
        "images"]
    assert sorted(image["status"] for image in images) == sorted(
        "killed" if status == 507 else "active" for status in statuses.values())
    killed = [image for image in images if image["status"] == "killed"]
    assert all("space" in image["status_reason"] for image in killed)
    assert files(tmp_path) == [str(image["id"]) for image in images
                               if image["status"] == "active"]


@pytest.fixture
def tiny_disk(tmp_path):
    """A 4 MiB tmpfs, when this process may mount one (root, not in CI sandboxes)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
            capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


@pytest.mark.functional
def test_a_real_full_disk_through_the_real_servers(tmp_path, tiny_disk):
    env = {"GLANCE_FILESYSTEM_STORE_DATADIR": str(tiny_disk / "images"),
           "GLANCE_STORE_MIN_FREE": "0"}
    with running_services(tmp_path / "work", extra_env=env) as services:
        services.data_dir = str(tiny_disk / "images")
        statuses = []
        for size in (3 << 20, 3 << 20):     # the second one does not fit
            conn = RawConnection(services.api_host, services.api_port)
            try:
                conn.send(upload_head(None, f"fill-{size}-{len(statuses)}"))
                body = os.urandom(size)
                conn.send(b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
                statuses.append(conn.response("POST")[0])
            finally:
                conn.close()
        assert statuses == [201, 507]
        assert [i["status"] for i in all_images(services)].count("killed") == 1
        assert check_invariants(services) == []
