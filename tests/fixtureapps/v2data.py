"""A stand-in for the Images API v2 app that serves only its data routes
(`glance.api.v2.data.ImageData`: upload, download, stage, import), so
their tests run apart from the app that hosts them: a router, the routes
registered as the real app registers them, errors rendered by the one
renderer.  `Deployment` mounts it beside the real v1 app in the real root
app (so paths are `/v2/images/{id}/file`, and v1 sees the same records)
on a scratch registry and data directory.
"""

import dataclasses
import io
import json
import os
from wsgiref.util import setup_testing_defaults

import webtest
from webtest import lint

from glance.api import recovery, root
from glance.api.v1.images import ImagesApp
from glance.api.v2.data import ImageData
from glance.common import config, context, exception, faults, wsgi
from glance.registry import ImageRegistry
from glance.store import Stores
from tests.functional.services import LOOPBACK_ORIGINS


class DataOnlyV2:
    """A v2 app with the data routes only."""

    def __init__(self, data):
        self.router = wsgi.Router()
        data.add_routes(self.router)

    def __call__(self, environ, start_response):
        try:
            handler, args = self.router.match(environ["REQUEST_METHOD"],
                                              environ.get("PATH_INFO") or "/")
            return handler(environ, start_response, **args)
        except exception.GlanceError as exc:
            return faults.error_response(environ, start_response, exc)
        except Exception:
            return faults.unexpected_error_response(environ, start_response)


def run_now(work):
    work()


class Deferred:
    """A `start_import` that keeps the imports until `run()`."""

    def __init__(self):
        self.works = []

    def __call__(self, work):
        self.works.append(work)

    def run(self):
        works, self.works = self.works, []
        for work in works:
            work()


def settings(tmp_path, **env):
    """A configuration on scratch storage; `env` are GLANCE_* option values."""
    values = {"GLANCE_SQL_CONNECTION": f"sqlite:///{tmp_path}/glance.sqlite",
              "GLANCE_FILESYSTEM_STORE_DATADIR": str(tmp_path / "images"),
              "GLANCE_CHUNK_SIZE": "64K", "GLANCE_STORE_MIN_FREE": "0",
              "GLANCE_HTTP_STORE_READ_TIMEOUT": "5", "GLANCE_NODE_ID": "node-test",
              **LOOPBACK_ORIGINS}
    values.update({f"GLANCE_{key.upper()}": str(value) for key, value in env.items()})
    return config.load(environ=values)


class Deployment:
    """Registry, stores, upload keeper, the v1 app and the stand-in v2 app
    of one configuration.  `stores`, `location_policy` and `start_import`
    replace the defaults (test seams)."""

    def __init__(self, conf, stores=None, location_policy=None, start_import=run_now):
        self.conf = conf
        self.registry = ImageRegistry.from_conf(conf)
        self.stores = stores or Stores(conf)
        self.keeper = recovery.Keeper(conf, self.registry, self.stores, thread=False)
        self.data = ImageData(conf, self.registry, self.stores, self.keeper,
                              location_policy=location_policy, start_import=start_import)
        self.v1 = ImagesApp(conf, self.registry, self.stores, keeper=self.keeper)
        self.root = root.RootApp(conf, self.registry, self.stores,
                                 {"v1": self.v1, "v2": DataOnlyV2(self.data)}, self.keeper)

    def client(self, ctx=None):
        """A WebTest client (lint on) calling as `ctx` (default: noauth's admin)."""
        return webtest.TestApp(self.root, lint=True, extra_environ={
            context.ENV_KEY: ctx or context.admin_context()})

    def create(self, ctx=None, **values):
        """A new queued image (raw/bare unless said), as the v2 app would make it."""
        ctx = ctx or context.admin_context()
        values = {"status": "queued", "disk_format": "raw", "container_format": "bare",
                  **values}
        return self.registry.create_image(_service(ctx), values)

    def image(self, image_id):
        return self.registry.get_image(recovery.service_context(), image_id)

    @property
    def datadir(self):
        return self.conf.filesystem_store_datadir

    def stored(self):
        """The names in the file store's directory (staging area aside)."""
        if not os.path.isdir(self.datadir):
            return []
        return sorted(name for name in os.listdir(self.datadir) if name != ".staging")

    def staged(self):
        """The names in the staging area."""
        staging = self.stores.staging.datadir
        return sorted(os.listdir(staging)) if os.path.isdir(staging) else []

    def close(self):
        self.registry.close()


# -- clients that misbehave, disks that fill up ---------------------------------------

CHUNKED = {"HTTP_TRANSFER_ENCODING": "chunked"}


class DroppingInput(io.RawIOBase):
    """wsgi.input that delivers some bytes, then fails like a dropped socket."""

    def __init__(self, good_bytes):
        super().__init__()
        self.left = good_bytes

    def readable(self):
        return True

    def read(self, size=-1):
        if self.left <= 0:
            raise ConnectionError("peer went away")
        size = self.left if size < 0 else min(size, self.left)
        self.left -= size
        return b"x" * size


def put_raw(deployment, path, stream, headers):
    """PUT with `stream` as wsgi.input, through the lint middleware: a
    WebTest request would replace a chunked or misbehaving input."""
    environ = {"REQUEST_METHOD": "PUT", "PATH_INFO": path, "QUERY_STRING": "",
               "wsgi.input": stream, "CONTENT_TYPE": "application/octet-stream", **headers}
    setup_testing_defaults(environ)
    environ[context.ENV_KEY] = context.admin_context()
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"] = int(status.split()[0])

    result = lint.middleware(deployment.root)(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        result.close()
    return answer["status"], json.loads(body) if body else None


def filling_disk(free):
    """free_space() of a disk with `free` bytes, which the writes use up."""
    state = {"free": free}

    def write(fd, data):
        state["free"] -= len(data)
        return os.write(fd, data)
    return state, write, lambda: state["free"]


def _service(ctx):
    return dataclasses.replace(ctx, is_service=True)
