"""Fixtures shared by the whole suite."""

import pytest

from tests.functional.services import LOOPBACK_ORIGINS, running_services


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    """Registry + API processes from paste.ini on free loopback ports, which
    accept image locations on loopback."""
    with running_services(tmp_path_factory.mktemp("glance"), extra_env=LOOPBACK_ORIGINS) \
            as running:
        yield running
