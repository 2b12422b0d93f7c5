"""Shared pieces of the registry tests: contexts, a clock, a registry."""

from datetime import datetime, timedelta

from glance.common.context import RequestContext, admin_context
from glance.registry import db, service

ADMIN = RequestContext(tenant="ops", user="root", roles=("admin",), is_admin=True)
NOAUTH = admin_context()                      # admin with no tenant
ALICE = RequestContext(tenant="alice", user="alice-1", roles=("member",))
BOB = RequestContext(tenant="bob", user="bob-1", roles=("member",))
ANON = RequestContext()
SERVICE = RequestContext(tenant="alice", is_service=True)


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, start=datetime(2024, 5, 1, 12, 0, 0)):
        self.now = start

    def __call__(self):
        return self.now

    def tick(self, seconds=1):
        self.now += timedelta(seconds=seconds)


def memory_registry(clock=None):
    return service.ImageRegistry(db.Database("sqlite://"), clock=clock or FakeClock())


def ids(images):
    return [image["id"] for image in images]



def pg_registry(database, clock=None):
    """A registry on a PostgreSQL database, emptied first (ids restart at 1).

    The database stays open: tests share one connection pool."""
    with database.transaction(write=True) as conn:
        conn.execute("DELETE FROM image_properties")
        conn.execute("DELETE FROM images")
        conn.execute("ALTER TABLE images ALTER COLUMN id RESTART WITH 1")
    return service.ImageRegistry(database, clock=clock or FakeClock())
