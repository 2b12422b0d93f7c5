"""SharedReadsClient: image reads from the registry's own database, the rest
over HTTP, and reads over HTTP whenever the registry's database is not
provably the API's (glance/registry/shared.py, identity.py)."""

import json

import pytest

from glance.common import config
from glance.registry import (ImageQuery, RegistryClient, connect, db, identity, server,
                             service, shared)
from glance.registry.migrations import LATEST_VERSION
from tests.registry.helpers import ALICE, BOB, NOAUTH, as_service
from tests.registry.test_client import serving, trusting


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def file_registry(path):
    return service.ImageRegistry(db.Database(f"sqlite:///{path}"))


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def seen():
    return []


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "glance.sqlite"


@pytest.fixture
def registry_url(db_path, seen):
    """The registry app on a file database, on a loopback port."""
    registry = file_registry(db_path)
    with serving(trusting(server.RegistryApp(registry), seen)) as url:
        yield url
    registry.close()


def make_client(url, sql_path, clock, **kwargs):
    return shared.SharedReadsClient(url, shared.database_opener(f"sqlite:///{sql_path}"),
                                    clock=clock, timeout=5.0, service_token="s3cret", **kwargs)


@pytest.fixture
def client(registry_url, db_path, clock):
    registry = make_client(registry_url, db_path, clock)
    yield registry
    registry.close()


def requests_for(seen, method, prefix):
    return [e["PATH_INFO"] for e in seen
            if e["REQUEST_METHOD"] == method and e["PATH_INFO"].startswith(prefix)]


# -- the registry says which database it stands on ---------------------------------

def test_the_registry_tells_its_databases_identity(registry_url, db_path):
    remote = RegistryClient(registry_url, timeout=5.0, service_token="s3cret")
    try:
        answer = remote.database(NOAUTH)
    finally:
        remote.close()
    database = db.Database(f"sqlite:///{db_path}", migrate=False)
    assert answer == {"identity": identity.of_database(database),
                      "schema_version": LATEST_VERSION}
    assert answer["identity"]


def test_an_in_memory_registry_has_no_identity():
    with serving(trusting(server.RegistryApp(
            service.ImageRegistry(db.Database("sqlite://"))))) as url:
        remote = RegistryClient(url, timeout=5.0, service_token="s3cret")
        assert remote.database(NOAUTH)["identity"] is None
        remote.close()


def test_one_file_has_one_identity_and_two_files_two(tmp_path):
    first = db.Database(f"sqlite:///{tmp_path / 'a.sqlite'}")
    again = db.Database(f"sqlite:///{tmp_path / 'a.sqlite'}", migrate=False)
    other = db.Database(f"sqlite:///{tmp_path / 'b.sqlite'}")
    assert identity.of_database(first) == identity.of_database(again)
    assert identity.of_database(first) != identity.of_database(other)


def test_without_a_boot_id_there_is_no_identity(tmp_path):
    database = db.Database(f"sqlite:///{tmp_path / 'a.sqlite'}")
    assert identity.of_database(database, boot_id_path=str(tmp_path / "absent")) is None


def test_the_identity_reveals_no_path(tmp_path):
    database = db.Database(f"sqlite:///{tmp_path / 'a.sqlite'}")
    assert str(tmp_path) not in identity.of_database(database)


# -- reads from the shared database ----------------------------------------------

def test_reads_of_the_shared_database_do_not_go_over_http(client, seen):
    image = client.create_image(as_service(ALICE), {"name": "shared", "is_public": True})
    assert client.get_image(as_service(ALICE), image["id"]) == image
    assert [entry["id"] for entry in client.list_images(as_service(ALICE), ImageQuery())] == [
        image["id"]]
    assert client.reads_locally
    assert requests_for(seen, "GET", "/images") == []
    assert requests_for(seen, "POST", "/images") == ["/images"]


def test_local_reads_answer_as_the_registry_does(client, registry_url):
    created = client.create_image(as_service(ALICE), {"name": "x", "properties": {"a": "b"},
                                                      "tags": ["t"]})
    remote = RegistryClient(registry_url, timeout=5.0, service_token="s3cret")
    try:
        for ctx in (as_service(ALICE), as_service(NOAUTH)):
            assert client.get_image(ctx, created["id"]) == remote.get_image(ctx, created["id"])
            for detailed in (True, False):
                assert client.list_images(ctx, ImageQuery(), detailed) == \
                    remote.list_images(ctx, ImageQuery(), detailed)
    finally:
        remote.close()


def test_what_the_caller_may_not_see_stays_hidden(client):
    private = client.create_image(as_service(ALICE), {"name": "alice's"})
    assert client.reads_locally
    with pytest.raises(Exception) as caught:
        client.get_image(as_service(BOB), private["id"])
    assert type(caught.value).__name__ == "NotFound"
    assert client.list_images(as_service(BOB), ImageQuery()) == []


def test_a_write_through_the_registry_is_read_at_once(client):
    image = client.create_image(as_service(ALICE), {"name": "before"})
    client.get_image(as_service(ALICE), image["id"])
    client.update_image(as_service(ALICE), image["id"], {"name": "after"})
    assert client.get_image(as_service(ALICE), image["id"])["name"] == "after"
    client.delete_image(as_service(ALICE), image["id"])
    with pytest.raises(Exception) as caught:
        client.get_image(as_service(ALICE), image["id"])
    assert type(caught.value).__name__ == "NotFound"


def test_a_write_by_another_api_node_is_read_at_once(client, registry_url, db_path, clock):
    """Two API nodes on one registry: no read is cached, so neither reads stale data."""
    other = make_client(registry_url, db_path, clock)
    try:
        image = other.create_image(as_service(ALICE), {"name": "one"})
        assert client.get_image(as_service(ALICE), image["id"])["name"] == "one"
        assert [i["name"] for i in client.list_images(as_service(ALICE), ImageQuery())] == ["one"]
        other.update_image(as_service(ALICE), image["id"], {"name": "two"})
        assert client.get_image(as_service(ALICE), image["id"])["name"] == "two"
        # Records are memoized by their stored text (records.unpack): a
        # write changes the text, so lists see it at once too.
        assert [i["name"] for i in client.list_images(as_service(ALICE), ImageQuery())] == ["two"]
        assert client.reads_locally and other.reads_locally
    finally:
        other.close()


# -- reads over HTTP whenever the database is not provably the registry's ---------

def test_another_database_is_not_read(registry_url, tmp_path, seen, clock):
    elsewhere = tmp_path / "elsewhere.sqlite"
    file_registry(elsewhere).close()        # a migrated database, but not the registry's
    client = make_client(registry_url, elsewhere, clock)
    try:
        image = client.create_image(as_service(ALICE), {"name": "remote"})
        assert client.get_image(as_service(ALICE), image["id"])["name"] == "remote"
        assert not client.reads_locally
        assert requests_for(seen, "GET", "/images/") == [f"/images/{image['id']}"]
    finally:
        client.close()


def test_a_missing_database_file_is_not_created(registry_url, tmp_path, clock):
    absent = tmp_path / "absent" / "glance.sqlite"
    client = make_client(registry_url, absent, clock)
    try:
        image = client.create_image(as_service(ALICE), {"name": "remote"})
        assert client.get_image(as_service(ALICE), image["id"])["id"] == image["id"]
        assert not client.reads_locally
        assert not absent.parent.exists()
    finally:
        client.close()


def without_route(app):
    """A registry of before GET /database: 404 for it."""
    def older(environ, start_response):
        if environ["PATH_INFO"].startswith("/database"):
            body = json.dumps({"error": {"code": 404, "title": "Not Found", "message": "no",
                                         "type": "image.not_found"}}).encode()
            start_response("404 Not Found", [("Content-Type", "application/json"),
                                             ("Content-Length", str(len(body)))])
            return [body]
        return app(environ, start_response)
    return older


def test_a_registry_that_does_not_say_is_read_over_http(db_path, clock, seen):
    registry = file_registry(db_path)
    with serving(without_route(trusting(server.RegistryApp(registry), seen))) as url:
        client = make_client(url, db_path, clock)
        image = client.create_image(as_service(ALICE), {"name": "old registry"})
        assert client.get_image(as_service(ALICE), image["id"])["name"] == "old registry"
        assert not client.reads_locally
        client.close()
    registry.close()


class Switchable:
    """A registry app whose database identity can be changed, as if the
    registry were restarted on another database."""

    def __init__(self, app):
        self.app = app
        self.identity = None
        self.schema_version = LATEST_VERSION

    def __call__(self, environ, start_response):
        if environ["PATH_INFO"].startswith("/database") and self.identity is not None:
            body = json.dumps({"database": {"identity": self.identity,
                                            "schema_version": self.schema_version}}).encode()
            start_response("200 OK", [("Content-Type", "application/json"),
                                      ("Content-Length", str(len(body)))])
            return [body]
        return self.app(environ, start_response)


def test_the_check_is_repeated_and_a_changed_database_ends_local_reads(db_path, clock):
    registry = file_registry(db_path)
    app = Switchable(trusting(server.RegistryApp(registry)))
    with serving(app) as url:
        client = make_client(url, db_path, clock, revalidate=10.0)
        image = client.create_image(as_service(ALICE), {"name": "x"})
        assert client.reads_locally
        app.identity = "0" * 32                 # the registry now stands elsewhere
        clock.now += 5
        assert client.reads_locally             # until the next check
        clock.now += 6
        assert not client.reads_locally
        assert client.get_image(as_service(ALICE), image["id"])["name"] == "x"
        app.identity = None                     # back on our database
        clock.now += 11
        assert client.reads_locally
        client.close()
    registry.close()


def test_another_schema_version_is_read_over_http(db_path, clock):
    registry = file_registry(db_path)
    app = Switchable(trusting(server.RegistryApp(registry)))
    app.identity = identity.of_database(registry.db)
    app.schema_version = LATEST_VERSION + 1
    with serving(app) as url:
        client = make_client(url, db_path, clock)
        assert not client.reads_locally
        client.close()
    registry.close()


def test_an_unreachable_registry_is_an_unavailable_registry(db_path, clock):
    file_registry(db_path).close()
    with serving(trusting(server.RegistryApp(file_registry(db_path)))) as url:
        pass                                    # the port is closed again
    client = make_client(url, db_path, clock)
    with pytest.raises(Exception) as caught:
        client.get_image(as_service(ALICE), "00000000-0000-4000-8000-000000000000")
    assert type(caught.value).__name__ == "RegistryUnavailable"
    client.close()


# -- connect() ---------------------------------------------------------------------

def test_connect_reads_the_shared_database_by_default(tmp_path):
    conf = config.load({}, {"registry_url": "http://127.0.0.1:9191",
                            "sql_connection": f"sqlite:///{tmp_path / 'g.sqlite'}"},
                       environ={})
    assert isinstance(connect(conf), shared.SharedReadsClient)


def test_connect_with_shared_reads_off_is_a_plain_client():
    conf = config.load({}, {"registry_url": "http://127.0.0.1:9191",
                            "registry_shared_reads": "false"}, environ={})
    registry = connect(conf)
    assert type(registry) is RegistryClient


class Recording(db.Database):
    """A database that counts its closings."""

    closings = 0

    def close(self):
        self.closings += 1
        super().close()


def test_closing_connections_before_a_fork_keeps_the_reader_open(registry_url, db_path, clock):
    opened = []

    def open_database():
        opened.append(Recording(f"sqlite:///{db_path}", migrate=False))
        return opened[-1]

    client = shared.SharedReadsClient(registry_url, open_database, clock=clock, timeout=5.0,
                                      service_token="s3cret")
    image = client.create_image(as_service(ALICE), {"name": "x"})
    assert client.reads_locally
    client.close_connections()                  # prefork, before the fork
    assert opened[0].closings == 0
    assert client.get_image(as_service(ALICE), image["id"])["name"] == "x"
    client.close()                              # done
    assert opened[0].closings == 1
