"""Fixtures of the compatibility tests: a target server, client venvs, an origin.

`v1` and `v2` hand a test the clients of its API pointed at its target
(tests/compat/targets.py).  Known failures (known_failures.py) become
`xfail(strict=True)` on our server only: a test that starts passing fails
until its line is removed.  A real Glance is excused only for the tests of
our deliberate extensions (`REAL_GLANCE_CANNOT`), strictly too.
"""

import hashlib
import os

import pytest

from tests.compat import known_failures, targets
from tests.compat.clients import GlanceV1, ImagesV2, Venv
from tests.fixtureapps.origin import Origin, pattern
from tests.functional.services import running_services


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = getattr(item, "module", None)
        if module is None or not hasattr(module, "API"):
            continue
        api = targets.api_of(module)
        key = f"{os.path.basename(item.fspath)}::{item.originalname}"
        item.add_marker(pytest.mark.functional)
        if targets.is_ours(api):
            reason = known_failures.KNOWN_FAILURES.get(key)
        else:
            reason = known_failures.REAL_GLANCE_CANNOT.get(key)
        if reason:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))


@pytest.fixture(scope="session")
def our_server(tmp_path_factory):
    """Our registry + API from paste.ini, started once for every compat test."""
    with running_services(tmp_path_factory.mktemp("compat"),
                         extra_env=targets.OUR_ENV) as services:
        yield services


def _target(api, request):
    url = targets.real_url(api)
    return url or request.getfixturevalue("our_server").api_url


def _venv(name):
    venv = Venv(name)
    reason = venv.missing()
    if reason:
        pytest.skip(reason)
    return venv


@pytest.fixture(scope="session")
def v1(request):
    """glanceclient 2.17.1 (CLI and Python API) against the v1 target."""
    return GlanceV1(_venv("v1"), _target("v1", request))


@pytest.fixture(scope="session")
def v2(request):
    """glanceclient 4.x, openstack and openstacksdk against the v2 target."""
    return ImagesV2(_venv("v2"), _target("v2", request))


@pytest.fixture(scope="session")
def origin():
    """An HTTP image origin on loopback: /bytes/<n> serves `pattern(n)`."""
    with Origin() as server:
        yield server


class ImageFile:
    """A file of random bytes to upload, with the digests clients compare."""

    def __init__(self, path, data):
        self.path, self.data = str(path), data
        self.size = len(data)
        self.md5 = hashlib.md5(data).hexdigest()
        self.sha256 = hashlib.sha256(data).hexdigest()
        self.sha512 = hashlib.sha512(data).hexdigest()


@pytest.fixture(scope="session")
def disk(tmp_path_factory):
    """A 300 KB random 'disk image' (several chunks on every client's path)."""
    path = tmp_path_factory.mktemp("disk") / "disk.img"
    data = os.urandom(300_000)
    path.write_bytes(data)
    return ImageFile(path, data)


@pytest.fixture
def unique(request):
    """A name no other test (or earlier run on the same real server) uses."""
    return f"compat-{request.node.originalname}-{os.urandom(3).hex()}"


@pytest.fixture
def origin_bytes(origin):
    """(url, data) of a 200 KB image on the origin."""
    size = 200_003
    return origin.url(f"/bytes/{size}"), pattern(size)
