"""Fixtures of the `glance` command's tests: the real servers and a client.
The tests listed in tests/client/known_failures.py are strict xfails."""

import os
import uuid

import pytest

from glance import client as gc
from tests.client import known_failures


def pytest_collection_modifyitems(config, items):
    known_failures.mark(items, os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def url(services):
    return services.api_url


@pytest.fixture
def glance(services):
    with gc.Client(services.api_host, services.api_port) as c:
        yield c


@pytest.fixture
def tag():
    return uuid.uuid4().hex
