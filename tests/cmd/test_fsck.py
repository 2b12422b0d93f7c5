"""`glance-manage fsck`: the report, --repair and --dry-run, on a damaged store."""

import contextlib
import io
import os

import pytest
import webtest
from paste.deploy import loadapp

from glance.cmd import fsck
from glance.api import recovery
from glance.cmd import manage
from glance.common import config
from glance.registry import ImageRegistry
from glance.store import Stores
from tests.api.conftest import PASTE_INI, upload_headers

CTX = recovery.service_context()


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "images"


@pytest.fixture
def app(tmp_path, data_dir, monkeypatch):
    """The API pipeline of paste.ini on sqlite and the filesystem store."""
    monkeypatch.setenv("GLANCE_SQL_CONNECTION", f"sqlite:///{tmp_path}/glance.sqlite")
    monkeypatch.setenv("GLANCE_FILESYSTEM_STORE_DATADIR", str(data_dir))
    monkeypatch.delenv("GLANCE_REGISTRY_URL", raising=False)
    return webtest.TestApp(loadapp("config:" + PASTE_INI, name="main"), lint=True)


@pytest.fixture
def conf(app):
    return config.load()


@pytest.fixture
def registry(conf):
    registry = ImageRegistry.from_conf(conf)
    yield registry
    registry.close()


def upload(app, data):
    return app.post("/images", data, headers=upload_headers(name="f"),
                    status=201).json["image"]


def check(registry, conf):
    return fsck.check(registry, Stores(conf))


def kinds(report):
    return sorted(problem.kind for problem in report.problems)


def path_of(data_dir, image):
    return os.path.join(data_dir, str(image["id"]))


def test_a_consistent_store_has_no_problems(app, registry, conf):
    for size in (1, 10, 100_000):
        upload(app, os.urandom(size))
    report = check(registry, conf)
    assert report.problems == [] and report.verified == 3 and report.images == 3


def test_a_missing_file_is_reported_and_the_image_killed(app, registry, conf, data_dir):
    image = upload(app, b"data")
    os.unlink(path_of(data_dir, image))
    report = check(registry, conf)
    assert kinds(report) == ["missing"]
    fsck.repair(registry, report, say=lambda line: None)
    repaired = registry.get_image(CTX, image["id"])
    assert repaired["status"] == "killed" and repaired["location"] is None
    assert "missing" in repaired["status_reason"]
    assert check(registry, conf).problems == []


@pytest.mark.parametrize("damage,kind", [
    (lambda data: data[:-1], "size"),
    (lambda data: bytes([data[0] ^ 1]) + data[1:], "checksum"),
])
def test_changed_data_is_reported_killed_and_removed(app, registry, conf, data_dir, damage,
                                                      kind):
    image = upload(app, b"0123456789" * 100)
    with open(path_of(data_dir, image), "r+b") as f:
        data = f.read()
        f.seek(0)
        f.truncate()
        f.write(damage(data))
    report = check(registry, conf)
    assert kinds(report) == [kind]
    fsck.repair(registry, report, say=lambda line: None)
    assert registry.get_image(CTX, image["id"])["status"] == "killed"
    assert not os.path.exists(path_of(data_dir, image))


def test_a_sha256_that_differs_is_reported(app, registry, conf):
    image = upload(app, b"abc")
    registry.update_image(CTX, image["id"], {"os_hash_value": "0" * 64})
    assert kinds(check(registry, conf)) == ["os_hash"]


def test_a_location_outside_the_store_is_reported(registry, conf):
    registry.create_image(CTX, {"status": "active", "location": "file:///etc/passwd",
                                "size": 1})
    assert kinds(check(registry, conf)) == ["location"]


def test_files_without_records_are_orphans_and_deleted(app, registry, conf, data_dir):
    image = upload(app, b"x")
    orphan = os.path.join(data_dir, "987")
    with open(orphan, "wb") as f:
        f.write(b"nobody's")
    registry.delete_image(CTX, image["id"])         # record gone, file left
    report = check(registry, conf)
    assert kinds(report) == ["orphan", "orphan"]
    fsck.repair(registry, report, say=lambda line: None)
    assert not os.path.exists(orphan) and not os.path.exists(path_of(data_dir, image))


def test_stale_temp_files_are_deleted_but_not_those_of_uploads_in_progress(
        app, registry, conf, data_dir):
    done = upload(app, b"x")
    saving = registry.create_image(CTX, {"status": "saving"})
    stale = os.path.join(data_dir, f".{done['id']}.abc.tmp")
    unknown = os.path.join(data_dir, ".999.def.tmp")
    busy = os.path.join(data_dir, f".{saving['id']}.ghi.tmp")
    for path in (stale, unknown, busy):
        open(path, "wb").close()
    report = check(registry, conf)
    assert kinds(report) == ["temp", "temp"] and report.in_progress == 1
    fsck.repair(registry, report, say=lambda line: None)
    assert sorted(os.listdir(data_dir)) == sorted([str(done["id"]), os.path.basename(busy)])


def test_a_dry_run_changes_nothing(app, registry, conf, data_dir):
    image = upload(app, b"x")
    os.unlink(path_of(data_dir, image))
    open(os.path.join(data_dir, "555"), "wb").close()
    lines = []
    fsck.repair(registry, check(registry, conf), dry_run=True, say=lines.append)
    assert lines == [f"  would kill image {image['id']}",
                     f"  would delete {os.path.join(data_dir, '555')}"]
    assert registry.get_image(CTX, image["id"])["status"] == "active"
    assert os.path.exists(os.path.join(data_dir, "555"))


def test_repair_leaves_an_image_that_changed_meanwhile(app, registry, conf, data_dir):
    image = upload(app, b"x")
    os.unlink(path_of(data_dir, image))
    report = check(registry, conf)
    registry.delete_image(CTX, image["id"])
    lines = []
    fsck.repair(registry, report, say=lines.append)
    assert "changed meanwhile" in lines[0]


def manage_fsck(*flags):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = manage.main(["--config", PASTE_INI, "fsck", *flags])
    return code, out.getvalue()


def test_the_command_exits_1_on_problems_and_0_once_repaired(app, data_dir):
    image = upload(app, b"x")
    os.unlink(path_of(data_dir, image))
    code, out = manage_fsck()
    assert code == 1 and "missing" in out and "1 problems" in out
    code, out = manage_fsck("--dry-run")
    assert code == 1 and "would kill" in out
    code, out = manage_fsck("--repair")
    assert code == 1 and f"killed image {image['id']}" in out
    code, out = manage_fsck()
    assert code == 0 and "0 problems" in out
