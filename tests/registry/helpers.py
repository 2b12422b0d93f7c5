"""Shared pieces of the registry tests: contexts, a clock, a registry."""

import dataclasses
from datetime import datetime, timedelta

from glance.common.context import RequestContext, admin_context
from glance.registry import db, query, service

ADMIN = RequestContext(tenant="ops", user="root", roles=("admin",), is_admin=True)
NOAUTH = admin_context()                      # admin with no tenant
ALICE = RequestContext(tenant="alice", user="alice-1", roles=("member",))
BOB = RequestContext(tenant="bob", user="bob-1", roles=("member",))
CAROL = RequestContext(tenant="carol", user="carol-1", roles=("member",))
ANON = RequestContext()
SERVICE = RequestContext(tenant="alice", is_service=True)


def as_service(context):
    """`context` as the API forwards it: a service acting for that caller."""
    return dataclasses.replace(context, is_service=True)


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, start=datetime(2024, 5, 1, 12, 0, 0)):
        self.now = start

    def __call__(self):
        return self.now

    def tick(self, seconds=1):
        self.now += timedelta(seconds=seconds)


def memory_registry(clock=None, limits=None):
    return service.ImageRegistry(db.Database("sqlite://"), clock=clock or FakeClock(),
                                 **({"limits": limits} if limits else {}))


def ids(images):
    return [image["id"] for image in images]


def listed(registry, context, detailed=False, **fields):
    """A list of the registry, its query given field by field."""
    return registry.list_images(context, query.ImageQuery(**fields), detailed)


def v1_list(registry, context, params=None, detailed=False):
    """A list as the v1 API asks for it."""
    return registry.list_images(context, query.from_v1_params(params or {}, context), detailed)


def pg_registry(database, clock=None, limits=None):
    """A registry on a PostgreSQL database, emptied first.

    The database stays open: tests share one connection pool."""
    with database.transaction(write=True) as conn:
        for table in ("image_members", "image_tags", "image_properties", "images"):
            conn.execute(f"DELETE FROM {table}")
    return service.ImageRegistry(database, clock=clock or FakeClock(),
                                 **({"limits": limits} if limits else {}))
