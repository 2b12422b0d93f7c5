"""The real engines the scale-out tests run against, found through the environment.

`tools/engines.sh` starts Swift (whose proxy also speaks S3) and PostgreSQL on
loopback and writes the variables below to an env file; `.ci/run` sources it.
Without them, the tests that need an engine skip, saying why (including the
reason the engine failed to start, when tools/engines.sh recorded one).

    GLANCE_TEST_SWIFT_AUTH, GLANCE_TEST_SWIFT_USER, GLANCE_TEST_SWIFT_KEY
    GLANCE_TEST_S3_ENDPOINT, GLANCE_TEST_S3_ACCESS_KEY, GLANCE_TEST_S3_SECRET_KEY
        (GLANCE_TEST_S3_DOMAIN: the endpoint's virtual-host domain, if any)
    GLANCE_TEST_PG_URL
"""

import contextlib
import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest

HOW = "tools/engines.sh starts one; `. /tmp/glance-engines/env` exports it"


def _need(names, engine, unavailable):
    env = os.environ
    if all(env.get(name) for name in names):
        return {name: env[name] for name in names}
    reason = env.get(unavailable)
    if reason:
        pytest.skip(f"no {engine}: {reason}")
    pytest.skip(f"no {engine}: set {', '.join(names)} ({HOW})")


def swift():
    """{'auth', 'user', 'key'} of the test Swift, or skip."""
    found = _need(["GLANCE_TEST_SWIFT_AUTH", "GLANCE_TEST_SWIFT_USER", "GLANCE_TEST_SWIFT_KEY"],
                  "Swift", "GLANCE_TEST_SWIFT_UNAVAILABLE")
    return {"auth": found["GLANCE_TEST_SWIFT_AUTH"], "user": found["GLANCE_TEST_SWIFT_USER"],
            "key": found["GLANCE_TEST_SWIFT_KEY"]}


def s3():
    """{'endpoint', 'access_key', 'secret_key', 'domain'} of the test S3, or skip."""
    found = _need(["GLANCE_TEST_S3_ENDPOINT", "GLANCE_TEST_S3_ACCESS_KEY",
                   "GLANCE_TEST_S3_SECRET_KEY"], "S3 endpoint", "GLANCE_TEST_SWIFT_UNAVAILABLE")
    return {"endpoint": found["GLANCE_TEST_S3_ENDPOINT"],
            "access_key": found["GLANCE_TEST_S3_ACCESS_KEY"],
            "secret_key": found["GLANCE_TEST_S3_SECRET_KEY"],
            "domain": os.environ.get("GLANCE_TEST_S3_DOMAIN", "")}


def pg_url():
    """The test PostgreSQL's URL, or skip."""
    return _need(["GLANCE_TEST_PG_URL"], "PostgreSQL", "GLANCE_TEST_PG_UNAVAILABLE")[
        "GLANCE_TEST_PG_URL"]


def unique_name(prefix):
    """A name no other test run uses (containers, buckets, schemas)."""
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def with_schema(url, schema):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=f"schema={schema}"))


@contextlib.contextmanager
def pg_schema(prefix="t_"):
    """A fresh PostgreSQL schema (dropped afterwards) -> its sql_connection URL."""
    from glance.registry import pg
    base = pg_url()
    schema = unique_name(prefix)
    url = with_schema(base, schema)
    try:
        yield url
    finally:
        database = pg.PostgresDatabase(base, migrate=False, pool_size=1)
        try:
            with database.transaction(write=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            database.close()


def swift_conf(container, **extra):
    """Options (for config.load or GLANCE_* variables) of a swift store on the test Swift."""
    found = swift()
    return {"swift_store_auth_address": found["auth"], "swift_store_user": found["user"],
            "swift_store_key": found["key"], "swift_store_container": container,
            "swift_store_create_container_on_put": "true", **extra}


def s3_conf(bucket, **extra):
    found = s3()
    return {"s3_store_host": found["endpoint"], "s3_store_access_key": found["access_key"],
            "s3_store_secret_key": found["secret_key"], "s3_store_bucket": bucket,
            "s3_store_create_bucket_on_put": "true", **extra}


def as_environment(options):
    """GLANCE_<OPTION> variables of `options`, as the servers read them."""
    return {f"GLANCE_{name.upper()}": str(value) for name, value in options.items()}


# -- one API test on one set of engines -------------------------------------------------

class ObjectStorage:
    """The container or bucket a test's store writes to: what is in it, and
    removing it (with anything left in it) afterwards."""

    def __init__(self, store, scheme):
        self.store = store
        self.scheme = scheme

    def exists(self):
        from glance.common import exception
        try:
            if self.scheme == "s3":
                self.store._call("HEAD", self.store.bucket)
            else:
                self.store._call("HEAD", self.store.container)
            return True
        except exception.NotFound:
            return False

    def names(self):
        return sorted(self.store.object_names()) if self.exists() else []

    def incomplete_uploads(self):
        if self.scheme != "s3" or not self.exists():
            return []
        return self.store.incomplete_uploads()

    def remove(self):
        from glance.common import exception
        try:
            if self.scheme == "s3":
                for key, upload_id in self.store.incomplete_uploads():
                    self.store._abort(key, upload_id)
                for name in self.names():
                    self.store._delete_quietly(name)
                self.store._call("DELETE", self.store.bucket, ok=(204, 404))
            else:
                for name in self.names():
                    self.store._call("DELETE", self.store.container, name, ok=(204, 404))
                self.store._call("DELETE", self.store.container, ok=(204, 404))
        except exception.GlanceError:
            pass


def object_storage(scheme, name, **extra):
    """(options, ObjectStorage) of a fresh container (swift) or bucket (s3)."""
    from glance.common import config
    from glance.store.s3 import S3Store
    from glance.store.swift import SwiftStore
    if scheme == "swift":
        options = swift_conf(name, **extra)
        store = SwiftStore(config.load(environ={}, **options))
    else:
        options = s3_conf(name, **extra)
        store = S3Store(config.load(environ={}, **options))
    return options, ObjectStorage(store, scheme)


BACKENDS = ("file+sqlite", "swift+postgresql", "s3+sqlite")


@contextlib.contextmanager
def backend(name, workdir):
    """(GLANCE_* variables, storage) of a scratch Glance on the engines `name`
    names; storage is the data directory (file) or an ObjectStorage."""
    store, registry = name.split("+")
    env = {"GLANCE_SQL_CONNECTION": f"sqlite:///{workdir}/glance.sqlite",
           "GLANCE_FILESYSTEM_STORE_DATADIR": f"{workdir}/images"}
    with contextlib.ExitStack() as stack:
        if registry == "postgresql":
            env["GLANCE_SQL_CONNECTION"] = stack.enter_context(pg_schema("api_"))
        storage = f"{workdir}/images"
        if store != "file":
            options, storage = object_storage(store, unique_name("glance-test-"))
            stack.callback(storage.remove)
            env.update(as_environment(options))
            env["GLANCE_DEFAULT_STORE"] = store
        yield env, storage
