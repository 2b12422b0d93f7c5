"""The sqlite layer: URLs, connection settings, transactions, migrations, plans."""

import os
import sqlite3
import stat
import threading

import pytest

from glance.common import config, exception
from glance.common.context import RequestContext
from glance.registry import db, listing, migrations, query, service
from tests.registry.helpers import ADMIN, ALICE, FakeClock, listed


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "deep" / "dir" / "glance.sqlite"


@pytest.fixture
def file_db(db_path):
    database = db.Database(f"sqlite:///{db_path}")
    yield database
    database.close()


# -- URLs --------------------------------------------------------------------

@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", " sqlite:// "])
def test_memory_urls(url):
    assert db.parse_url(url) is None


def test_an_absolute_path_in_sqlalchemy_spelling():
    assert db.parse_url("sqlite:////var/lib/glance.sqlite") == "/var/lib/glance.sqlite"


def test_a_path_with_three_slashes_is_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert db.parse_url("sqlite:///var/g.sqlite") == str(tmp_path / "var" / "g.sqlite")


@pytest.mark.parametrize("url", ["mysql://db/glance", "sqlite:///", "", "/tmp/x.sqlite"])
def test_other_urls_are_config_errors(url):
    with pytest.raises(exception.ConfigError, match="sql_connection"):
        db.parse_url(url)


# -- connections ---------------------------------------------------------------

def test_a_file_database_creates_its_directories(file_db, db_path):
    assert db_path.exists()


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_database_and_its_wal_files_are_private(file_db, db_path):
    service.ImageRegistry(file_db).create_image(ALICE, {})
    for path in (db_path, f"{db_path}-wal", f"{db_path}-shm"):
        assert mode(path) == 0o600, path


def test_an_older_world_readable_database_is_made_private(db_path):
    db_path.parent.mkdir(parents=True)
    sqlite3.connect(str(db_path)).close()
    os.chmod(db_path, 0o644)
    db.Database(f"sqlite:///{db_path}").close()
    assert mode(db_path) == 0o600


def test_file_databases_use_wal(file_db):
    assert file_db.connection().execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_connections_enforce_foreign_keys(file_db):
    assert file_db.connection().execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_connections_sync_normally(file_db):
    assert file_db.connection().execute("PRAGMA synchronous").fetchone()[0] == 1


def test_connections_wait_for_busy_writers(file_db):
    assert file_db.connection().execute("PRAGMA busy_timeout").fetchone()[0] == 5000


def _connection_in_thread(database):
    found = []
    thread = threading.Thread(target=lambda: found.append(database.connection()))
    thread.start()
    thread.join()
    return found[0]


def test_each_thread_has_its_own_file_connection(file_db):
    assert _connection_in_thread(file_db) is not file_db.connection()


def test_a_thread_keeps_its_connection(file_db):
    assert file_db.connection() is file_db.connection()


def test_memory_databases_share_one_connection():
    database = db.Database("sqlite://")
    assert _connection_in_thread(database) is database.connection()


def test_two_memory_databases_are_separate():
    first, second = db.Database("sqlite://"), db.Database("sqlite://")
    service.ImageRegistry(first).create_image(ALICE, {})
    assert listed(service.ImageRegistry(second), ALICE) == []


def test_close_closes_connections_of_other_threads(file_db):
    other = _connection_in_thread(file_db)
    file_db.close()
    with pytest.raises(sqlite3.ProgrammingError):
        other.execute("SELECT 1")


# -- transactions ----------------------------------------------------------------

INSERT = ("INSERT INTO images (id, status, created_at, updated_at) "
          "VALUES ('x', 'active', 'a', 'a')")


def test_a_transaction_commits(file_db):
    with file_db.transaction(write=True) as conn:
        conn.execute(INSERT)
    assert _count(file_db) == 1


def test_a_failed_transaction_rolls_back(file_db):
    with pytest.raises(RuntimeError):
        with file_db.transaction(write=True) as conn:
            conn.execute(INSERT)
            raise RuntimeError("boom")
    assert _count(file_db) == 0


def test_a_unique_key_taken_meanwhile_is_a_duplicate(file_db):
    with file_db.transaction(write=True) as conn:
        conn.execute(INSERT)
    with pytest.raises(exception.Duplicate):
        with file_db.transaction(write=True) as conn:
            conn.execute(INSERT)


def test_a_busy_database_is_registry_unavailable(db_path):
    database = db.Database(f"sqlite:///{db_path}", busy_timeout=0.05)
    blocker = sqlite3.connect(str(db_path), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(exception.RegistryUnavailable, match="database"):
            with database.transaction(write=True):
                pass
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
        database.close()


def test_writes_from_many_threads_all_land(file_db):
    registry = service.ImageRegistry(file_db)

    def create():
        for _ in range(10):
            registry.create_image(ALICE, {})
    threads = [threading.Thread(target=create) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _count(file_db) == 40


def _count(database):
    with database.transaction() as conn:
        return conn.execute("SELECT count(*) FROM images").fetchone()[0]


# -- migrations --------------------------------------------------------------------

def test_a_new_database_is_at_the_latest_version(file_db):
    assert file_db.version() == db.LATEST_VERSION == len(migrations.MIGRATIONS)


def test_migrate_twice_changes_nothing(file_db):
    assert file_db.migrate() == db.LATEST_VERSION


def test_sync_migrates_and_returns_the_version(db_path):
    conf = config.load({}, {"sql_connection": f"sqlite:///{db_path}"}, environ={})
    assert db.sync(conf) == db.LATEST_VERSION


def test_sync_leaves_a_database_the_registry_opens(db_path):
    conf = config.load({}, {"sql_connection": f"sqlite:///{db_path}"}, environ={})
    db.sync(conf)
    database = db.Database(f"sqlite:///{db_path}", migrate=False)
    assert database.version() == db.LATEST_VERSION
    database.close()


def test_migrations_upgrade_an_old_database_and_keep_its_rows(db_path):
    db_path.parent.mkdir(parents=True)
    old = sqlite3.connect(str(db_path), isolation_level=None)
    for statement in migrations.MIGRATIONS[0][1]:
        old.execute(statement)
    old.execute("PRAGMA user_version = 1")
    old.execute("INSERT INTO images (name, status, created_at, updated_at) "
                "VALUES ('old', 'active', '2020-01-01T00:00:00', '2020-01-01T00:00:00')")
    old.close()
    registry = service.ImageRegistry(db.Database(f"sqlite:///{db_path}"))
    assert registry.get_image(ADMIN, "1")["name"] == "old"
    assert registry.db.version() == db.LATEST_VERSION
    registry.close()


def test_a_database_newer_than_the_code_is_refused(db_path):
    db_path.parent.mkdir(parents=True)
    newer = sqlite3.connect(str(db_path), isolation_level=None)
    newer.execute(f"PRAGMA user_version = {db.LATEST_VERSION + 1}")
    newer.close()
    with pytest.raises(exception.ConfigError, match="newer"):
        db.Database(f"sqlite:///{db_path}")


def test_without_migrate_a_database_is_left_as_it_is(db_path):
    database = db.Database(f"sqlite:///{db_path}", migrate=False)
    assert database.version() == 0
    database.close()


# -- query plans: every list page is served by an index, with statistics too ----------

@pytest.fixture
def populated():
    clock = FakeClock()
    registry = service.ImageRegistry(db.Database("sqlite://"), clock=clock)
    owner = RequestContext(tenant="t")
    made = []
    for number in range(300):
        made.append(registry.create_image(owner, {
            "name": None if number % 7 == 0 else f"image-{number % 40}",
            "is_public": number % 3 == 0,
            "properties": {"distro": f"d{number % 10}", "n": str(number)}})["id"])
        clock.tick(number % 2)
    with registry.db.transaction(write=True) as conn:
        conn.execute("ANALYZE")
    registry.made = made
    yield registry
    registry.close()


def _plan(registry, context, **fields):
    q = query.ImageQuery(**fields)
    with registry.db.transaction() as conn:
        position = None
        if q.marker is not None:
            position = listing.marker_position(conn, context, q)
        sql, args = listing.page_sql(context, q, position, conn.dialect)
        return [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, args)]


def _assert_indexed(plan):
    for step in plan:
        if step.startswith(("SCAN images", "SEARCH images")):
            assert "USING" in step and "INDEX" in step, plan
        if step.startswith(("SCAN image_properties", "SEARCH image_properties")):
            assert "INDEX" in step or "PRIMARY KEY" in step, plan


@pytest.mark.parametrize("context", [RequestContext(tenant="t"), RequestContext(),
                                     RequestContext(is_admin=True)])
def test_the_default_list_uses_an_index(populated, context):
    plan = _plan(populated, context)
    _assert_indexed(plan)
    assert "USE TEMP B-TREE FOR ORDER BY" not in plan


def test_a_name_sorted_list_uses_the_name_index(populated):
    plan = _plan(populated, RequestContext(tenant="t"), sort=(("name", "asc"),))
    assert any("ix_images_name" in step for step in plan), plan
    assert "USE TEMP B-TREE FOR ORDER BY" not in plan


@pytest.mark.parametrize("sort_key", ["created_at", "name", "size"])
@pytest.mark.parametrize("sort_dir", ["asc", "desc"])
def test_a_deep_marker_page_seeks_in_an_index(populated, sort_key, sort_dir):
    plan = _plan(populated, RequestContext(tenant="t"), sort=((sort_key, sort_dir),),
                 marker=populated.made[150])
    assert any(step.startswith("SEARCH images USING INDEX") for step in plan), plan


def test_a_property_filter_uses_the_property_index(populated):
    plan = _plan(populated, RequestContext(tenant="t"), properties={"n": "42"})
    _assert_indexed(plan)
    assert any("ix_image_properties_key_value" in step for step in plan), plan


@pytest.mark.parametrize("sort_key", sorted(query.SORT_KEYS))
def test_every_sort_key_is_served_by_an_index(populated, sort_key):
    plan = _plan(populated, RequestContext(is_admin=True), sort=((sort_key, "desc"),))
    _assert_indexed(plan)
    assert "USE TEMP B-TREE FOR ORDER BY" not in plan
