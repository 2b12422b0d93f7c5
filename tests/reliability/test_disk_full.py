"""A full disk: 507, a killed image with a reason, and nothing left behind.

Three ways to fill it: the filesystem store's write seam raising ENOSPC (or
EDQUOT) part-way through an upload; a store whose free space is below what
the client declares (refused before the body); and, where the test may
mount one, a real 4 MiB tmpfs as the data directory.
"""

import errno
import os
import subprocess

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


def make_app(tmp_path, backend_factory, **options):
    conf = config.load(environ={
        "GLANCE_SQL_CONNECTION": f"sqlite:///{tmp_path}/glance.sqlite",
        "GLANCE_FILESYSTEM_STORE_DATADIR": str(tmp_path / "images")}, **options)
    stores = Stores(conf, backends=[backend_factory(conf), HttpStore(conf)])
    api = ImagesApp(conf, ImageRegistry.from_conf(conf), stores)

    def as_admin(environ, start_response):
        environ[context.ENV_KEY] = context.admin_context()
        return api(environ, start_response)
    return webtest.TestApp(as_admin)


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
