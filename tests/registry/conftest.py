import pytest

from tests.registry.helpers import FakeClock, memory_registry


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def registry(clock):
    reg = memory_registry(clock)
    yield reg
    reg.close()
