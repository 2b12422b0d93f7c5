"""Fixtures of the store tests: a typed config, a file store, an HTTP origin."""

import pytest

from glance.common import config
from glance.store.filesystem import FilesystemStore
from tests.fixtureapps.origin import Origin


def make_conf(tmp_path, **overrides):
    options = {
        "filesystem_store_datadir": str(tmp_path / "images"),
        "chunk_size": "64K",
        "http_store_connect_timeout": "0.5",
        "http_store_read_timeout": "0.5",
        "http_store_first_byte_timeout": "1",
        # The test origins listen on loopback, which the location policy
        # refuses in every auth mode unless allowed (CONTRACT §10).
        "allowed_location_networks": "127.0.0.0/8, ::1",
    }
    options.update(overrides)
    return config.load(environ={}, **options)


@pytest.fixture
def conf(tmp_path):
    return make_conf(tmp_path)


@pytest.fixture
def store(conf):
    return FilesystemStore(conf)


@pytest.fixture(scope="module")
def origin():
    with Origin() as server:
        yield server
