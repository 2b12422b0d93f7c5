"""Migration 5: a revision-1 database (integer ids) with image files in a
file store, migrated forward at start, read back through the registry and
the API — same ids (as strings), same metadata, the same bytes — on sqlite
and on PostgreSQL."""

import hashlib
import os
import sqlite3

import pytest
import webtest
from paste.deploy import loadapp

from glance.registry import ImageQuery, ImageRegistry, db, migrations, pg
from tests import engines
from tests.api.conftest import PASTE_INI
from tests.registry.helpers import NOAUTH, as_service

SERVICE = as_service(NOAUTH)
R1_VERSION = migrations.REVISION_1_VERSION
T0 = "2019-03-04T05:06:07"
DATA = {3: b"the first image's bytes" * 1000, 9: b"\x00\xff" * 70000}
# (id, name, status, is_public, owner, size, deleted, status_reason, properties)
ROWS = [
    (3, "ubuntu", "active", 1, "tenant-a", len(DATA[3]), 0, None,
     {"os_distro": "ubuntu", "hw:cpu_policy": "dedicated"}),
    (9, "private-disk", "active", 0, "tenant-b", len(DATA[9]), 0, None, {"k": "ü v"}),
    (10, "broken", "killed", 0, "tenant-a", 0, 0,
     "upload interrupted: the API server on node host-1-abcd1234 stopped before the upload "
     "finished", {}),
    (11, "waiting", "queued", 1, None, 0, 0, None, {"empty": ""}),
    (12, "gone", "active", 1, "tenant-a", 5, 1, None, {"was": "here"}),
    (4567, "stuck", "saving", 0, "tenant-b", 0, 0, "saving on node host-2-ffff0000, process 77",
     {}),
]


def revision_1(execute, datadir):
    """A database as revision 1 left it: its schema and these images."""
    for _, statements in migrations.MIGRATIONS[:R1_VERSION]:
        for statement in statements:
            execute(statement)
    for (image_id, name, status, public, owner, size, deleted, reason, props) in ROWS:
        data = DATA.get(image_id)
        location = f"file://{datadir}/{image_id}" if data else None
        execute("INSERT INTO images (id, name, disk_format, container_format, size, checksum, "
                "os_hash_algo, os_hash_value, store, location, status, is_public, owner, "
                "created_at, updated_at, deleted_at, deleted, status_reason) "
                "VALUES (?, ?, 'raw', 'bare', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (image_id, name, size, data and hashlib.md5(data).hexdigest(),
                 data and "sha256", data and hashlib.sha256(data).hexdigest(),
                 data and "file", location, status, public, owner, T0, T0,
                 T0 if deleted else None, deleted, reason))
        for key, value in props.items():
            execute("INSERT INTO image_properties (image_id, key, value) VALUES (?, ?, ?)",
                    (image_id, key, value))
        if data:
            with open(os.path.join(datadir, str(image_id)), "wb") as f:
                f.write(data)


def check_registry(registry, datadir):
    """Every image, read back through the registry."""
    assert [image["id"] for image in registry.list_images(
        SERVICE, ImageQuery(scope=("all",), sort=(("id", "asc"),)))] == [
        "10", "11", "3", "4567", "9"]
    ubuntu = registry.get_image(SERVICE, "3")
    assert {key: ubuntu[key] for key in (
        "id", "name", "status", "visibility", "is_public", "owner", "size", "checksum",
        "location", "created_at", "updated_at", "deleted_at", "properties", "tags",
        "protected", "min_disk", "min_ram", "os_hidden", "virtual_size")} == {
        "id": "3", "name": "ubuntu", "status": "active", "visibility": "public",
        "is_public": True, "owner": "tenant-a", "size": len(DATA[3]),
        "checksum": hashlib.md5(DATA[3]).hexdigest(), "location": f"file://{datadir}/3",
        "created_at": T0 + ".000000", "updated_at": T0 + ".000000", "deleted_at": None,
        "properties": {"os_distro": "ubuntu", "hw_cpu_policy": "dedicated"}, "tags": [],
        "protected": False, "min_disk": 0, "min_ram": 0, "os_hidden": False,
        "virtual_size": None}
    private = registry.get_image(SERVICE, "9")
    assert (private["visibility"], private["properties"]) == ("shared", {"k": "ü v"})
    killed = registry.get_image(SERVICE, "10")
    assert (killed["status"], killed["size"]) == ("killed", None)
    assert killed["status_reason"] == \
        "upload interrupted: the server stopped before the upload finished"
    queued = registry.get_image(SERVICE, "11")
    assert (queued["size"], queued["owner"], queued["properties"]) == (None, None, {"empty": ""})
    deleted = registry.list_images(SERVICE, ImageQuery(
        scope=("all",), include_deleted=True, equal={"name": "gone"}))
    assert [(i["id"], i["status"], i["deleted"], i["deleted_at"]) for i in deleted] == [
        ("12", "deleted", True, T0 + ".000000")]


def check_api(datadir):
    """Every image, read back through the API (noauth: an admin), bytes included."""
    app = webtest.TestApp(loadapp("config:" + PASTE_INI, name="main"), lint=True)
    for image_id, data in DATA.items():
        response = app.get(f"/v1/images/{image_id}")
        assert response.body == data
        assert response.headers["x-image-meta-id"] == str(image_id)
        assert response.headers["x-image-meta-checksum"] == hashlib.md5(data).hexdigest()
    listed = app.get("/v1/images/detail?is_public=none&sort_key=id&sort_dir=asc").json["images"]
    assert [image["id"] for image in listed] == ["10", "11", "3", "4567", "9"]
    by_id = {image["id"]: image for image in listed}
    assert (by_id["3"]["is_public"], by_id["9"]["is_public"]) == (True, False)
    assert by_id["11"]["size"] == 0 and by_id["3"]["created_at"] == T0 + ".000000"
    # The upload revision 1 left `saving` holds no lease: the API's start-up
    # recovery ends it, saying why without naming the host or the process.
    stuck = by_id["4567"]
    assert stuck["status"] == "killed" and "host-2" not in stuck["status_reason"]
    assert app.head("/v1/images/12", status=404)
    # New images get UUIDs next to the migrated ones; old ids stay taken.
    assert len(app.post("/v1/images", status=201).json["image"]["id"]) == 36


@pytest.fixture
def places(tmp_path, monkeypatch):
    datadir = tmp_path / "images"
    datadir.mkdir()
    monkeypatch.setenv("GLANCE_FILESYSTEM_STORE_DATADIR", str(datadir))
    monkeypatch.delenv("GLANCE_REGISTRY_URL", raising=False)
    return tmp_path, datadir


def test_a_revision_1_sqlite_database_migrates_and_reads_back(places, monkeypatch):
    tmp_path, datadir = places
    path = tmp_path / "glance.sqlite"
    old = sqlite3.connect(str(path), isolation_level=None)
    revision_1(old.execute, datadir)
    old.execute(f"PRAGMA user_version = {R1_VERSION}")
    old.close()
    url = f"sqlite:///{path}"
    registry = ImageRegistry(db.Database(url))
    try:
        assert registry.db.version() == migrations.LATEST_VERSION
        check_registry(registry, datadir)
    finally:
        registry.close()
    monkeypatch.setenv("GLANCE_SQL_CONNECTION", url)
    check_api(datadir)


def test_a_migration_that_fails_leaves_revision_1_as_it_was(places):
    tmp_path, datadir = places
    path = tmp_path / "glance.sqlite"
    old = sqlite3.connect(str(path), isolation_level=None)
    revision_1(old.execute, datadir)
    old.execute(f"PRAGMA user_version = {R1_VERSION}")
    old.execute("CREATE TABLE image_tags (x)")     # in the way of migration 5
    old.close()
    with pytest.raises(sqlite3.OperationalError):
        db.Database(f"sqlite:///{path}")
    again = sqlite3.connect(str(path))
    assert again.execute("PRAGMA user_version").fetchone()[0] == R1_VERSION
    assert again.execute("SELECT count(*) FROM images").fetchone()[0] == len(ROWS)
    again.close()


@pytest.mark.skipif(pg.driver is None, reason="pg8000 is not installed")
def test_a_revision_1_postgresql_database_migrates_and_reads_back(places, monkeypatch):
    _, datadir = places
    with engines.pg_schema("migration_") as url:
        raw = pg.PostgresDatabase(url, migrate=False, pool_size=1)
        try:
            with raw.transaction(write=True) as conn:
                conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{raw.schema}"')
                revision_1(lambda sql, args=(): conn.execute(pg._ddl(sql), args), datadir)
                conn.execute("CREATE TABLE glance_schema (version BIGINT NOT NULL)")
                conn.execute("INSERT INTO glance_schema (version) VALUES (?)", (R1_VERSION,))
        finally:
            raw.close()
        registry = ImageRegistry(pg.PostgresDatabase(url, pool_size=2))
        try:
            assert registry.db.version() == migrations.LATEST_VERSION
            check_registry(registry, datadir)
        finally:
            registry.close()
        monkeypatch.setenv("GLANCE_SQL_CONNECTION", url)
        check_api(datadir)
