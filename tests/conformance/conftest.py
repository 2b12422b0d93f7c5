"""Our apps loaded in-process from paste.ini over a scratch data directory."""

import os

import pytest
from paste.deploy import loadapp

from tests.functional.services import LOOPBACK_ORIGINS, running_services

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PASTE_INI = os.path.join(ROOT, "paste.ini")


@pytest.fixture(scope="module")
def our_servers(tmp_path_factory):
    """Registry + API processes from paste.ini, loopback locations allowed."""
    with running_services(tmp_path_factory.mktemp("glance"),
                          extra_env=LOOPBACK_ORIGINS) as running:
        yield running


@pytest.fixture(scope="session")
def our_apps(tmp_path_factory):
    """(api app, registry app) sharing one sqlite file and data directory."""
    work = tmp_path_factory.mktemp("conformance-apps")
    env = {"GLANCE_FILESYSTEM_STORE_DATADIR": str(work / "images"),
           "GLANCE_SQL_CONNECTION": f"sqlite:///{work / 'glance.sqlite'}",
           **LOOPBACK_ORIGINS}
    saved = {k: os.environ.get(k) for k in [*env, "GLANCE_REGISTRY_URL"]}
    os.environ.update(env)
    os.environ.pop("GLANCE_REGISTRY_URL", None)
    try:
        api = loadapp("config:" + PASTE_INI, name="main")
        registry = loadapp("config:" + PASTE_INI, name="registry")
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return api, registry


@pytest.fixture(scope="session")
def baseline(our_apps):
    """The whole suite against our unmutated apps, every extension required.

    Shared by the per-clause checks of `test_ours.py` and the mutant tests,
    which compare a mutant's failures with these.
    """
    from conformance.runner import run
    results, code = run(["--require-extensions", "--run-prefix", "base"],
                        api_app=our_apps[0], registry_app=our_apps[1], quiet=True)
    assert results is not None, f"the suite did not run (pytest exit {code})"
    return results
