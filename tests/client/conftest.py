"""Fixtures of the client's tests: scripted peers, and a client of the real
servers (the suite's module-scoped `services`) with a tag for its images.
The tests listed in known_failures.py are strict xfails."""

import os
import uuid

import pytest

from glance import client as gc
from tests.client import known_failures
from tests.client.peer import ScriptedPeer


def pytest_collection_modifyitems(config, items):
    known_failures.mark(items, os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def client(services):
    with gc.Client(services.api_host, services.api_port, timeout=30) as c:
        yield c


@pytest.fixture
def tag():
    """A property value unique to the test, to list only its own images."""
    return uuid.uuid4().hex


@pytest.fixture
def peer_factory():
    peers = []

    def make(answer):
        peers.append(ScriptedPeer(answer))
        return peers[-1]
    yield make
    for p in peers:
        p.close()
