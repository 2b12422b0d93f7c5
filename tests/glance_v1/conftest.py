"""Fixtures of the ported Glance v1 tests: the target, emptied before each test.

The target is chosen once per run (target.py): our own servers, or the server
GLANCE_V1_TARGET_URL names.  Against our own servers the tests listed in
known_failures.py are marked `xfail(strict=True)`.
"""

import os

import pytest

from tests.glance_v1 import target as targets
from tests.glance_v1.known_failures import EXPECTED_TO_FAIL

HERE = os.path.dirname(os.path.abspath(__file__))
EXTERNAL = targets.from_environment()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if not str(item.path).startswith(HERE + os.sep):
            continue
        item.add_marker(pytest.mark.functional)
        if EXTERNAL is None and item.name in EXPECTED_TO_FAIL:
            item.add_marker(pytest.mark.xfail(strict=True, reason=EXPECTED_TO_FAIL[item.name]))


@pytest.fixture(scope="package")
def target(tmp_path_factory):
    if EXTERNAL is not None:
        yield EXTERNAL
        return
    with targets.own_target(tmp_path_factory.mktemp("glance_v1")) as own:
        yield own


@pytest.fixture(autouse=True)
def _empty_target(request):
    """Every test that uses the target starts with no images on it."""
    if "target" in request.fixturenames:
        request.getfixturevalue("target").empty()
