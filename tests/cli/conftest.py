"""Fixtures of the `glance` command's tests: the real servers and a client."""

import uuid

import pytest

from glance import client as gc


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
