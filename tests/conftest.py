"""Fixtures shared by the whole suite."""

import pytest

from tests.functional.services import running_services


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    """Registry + API processes from paste.ini on free loopback ports."""
    with running_services(tmp_path_factory.mktemp("glance")) as running:
        yield running
