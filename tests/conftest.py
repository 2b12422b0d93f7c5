"""Fixtures shared by the whole suite."""

import pytest

from tests.functional.services import running_services

# The suite's image origins listen on loopback, which the location policy
# refuses in every auth mode unless the operator allows it (CONTRACT §10).
LOOPBACK_ORIGINS = {"GLANCE_ALLOWED_LOCATION_NETWORKS": "127.0.0.0/8"}


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    """Registry + API processes from paste.ini on free loopback ports, which
    accept image locations on loopback."""
    with running_services(tmp_path_factory.mktemp("glance"), extra_env=LOOPBACK_ORIGINS) \
            as running:
        yield running
