import pytest

from tests import engines
from tests.registry.helpers import FakeClock, memory_registry, pg_registry


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture(scope="session")
def pg_database():
    """One migrated schema on the test PostgreSQL for the whole session."""
    from glance.registry import pg
    with engines.pg_schema("registry_tests_") as url:
        database = pg.PostgresDatabase(url, pool_size=8)
        yield database
        database.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def registry(request, clock):
    """The registry on each engine: in-memory sqlite, and PostgreSQL when
    GLANCE_TEST_PG_URL names one (emptied before every test)."""
    if request.param == "sqlite":
        reg = memory_registry(clock)
        yield reg
        reg.close()
    else:
        yield pg_registry(request.getfixturevalue("pg_database"), clock)
