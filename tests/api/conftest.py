import hashlib
import os

import pytest
import webtest
from paste.deploy import loadapp

from glance.api.root import RootApp
from glance.api.v1.images import ImagesApp
from glance.common import config, context
from glance.registry import ImageRegistry
from glance.store import Stores
from tests import engines
from tests.functional.services import LOOPBACK_ORIGINS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PASTE_INI = os.path.join(ROOT, "paste.ini")
# A location these tests never connect to is a literal public address
# (93.184.215.14): a host name would need DNS, which a CI machine may lack.


@pytest.fixture(params=engines.BACKENDS)
def backend(request, tmp_path):
    """(GLANCE_* variables, storage) of each store + registry pair: the
    filesystem store on sqlite always, Swift on PostgreSQL and S3 on sqlite
    when the engines are there (tests/engines.py; skipped otherwise)."""
    with engines.backend(request.param, tmp_path) as found:
        yield found


@pytest.fixture
def data_dir(backend):
    """Where uploads land: the data directory, or the container/bucket."""
    return backend[1]


@pytest.fixture
def app(backend, monkeypatch):
    """The API pipeline of paste.ini, in-process registry, on scratch storage."""
    for key, value in backend[0].items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("GLANCE_REGISTRY_URL", raising=False)
    for key, value in LOOPBACK_ORIGINS.items():
        monkeypatch.setenv(key, value)
    return webtest.TestApp(loadapp("config:" + PASTE_INI, name="main"), lint=True)


def md5(data):
    return hashlib.md5(data).hexdigest()


def upload_headers(**meta):
    headers = {"Content-Type": "application/octet-stream"}
    for key, value in meta.items():
        headers["x-image-meta-" + key.replace("property_", "property-")] = str(value)
    return headers


def stored_files(data_dir):
    if isinstance(data_dir, engines.ObjectStorage):
        assert data_dir.incomplete_uploads() == []
        return data_dir.names()
    return sorted(os.listdir(data_dir)) if os.path.isdir(data_dir) else []


def location_scheme(data_dir):
    return data_dir.scheme if isinstance(data_dir, engines.ObjectStorage) else "file"


# The quotas of `root`: small, so that tests can reach them.
QUOTAS = {"GLANCE_IMAGE_MEMBER_QUOTA": "3", "GLANCE_IMAGE_PROPERTY_QUOTA": "4"}


@pytest.fixture
def root(tmp_path):
    """The root app with v1 and no filters (sqlite, filesystem store,
    `QUOTAS`); `caller()` gives a test client with a context of its choice."""
    conf = config.load(environ={
        "GLANCE_SQL_CONNECTION": f"sqlite:///{tmp_path}/glance.sqlite",
        "GLANCE_FILESYSTEM_STORE_DATADIR": str(tmp_path / "images"), **QUOTAS})
    registry, stores = ImageRegistry.from_conf(conf), Stores(conf)
    yield RootApp(conf, registry, stores, {"v1": ImagesApp(conf, registry, stores)})
    registry.close()


def caller(root, tenant=None, admin=False):
    """A WebTest client of `root` whose requests come from `tenant` (an admin
    when `admin`; anonymous with neither)."""
    ctx = context.RequestContext(tenant=tenant, roles=("admin",) if admin else ("member",),
                                 is_admin=admin)
    return webtest.TestApp(root, lint=True, extra_environ={context.ENV_KEY: ctx})
