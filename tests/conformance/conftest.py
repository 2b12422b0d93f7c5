"""Our apps loaded in-process from paste.ini over a scratch data directory."""

import os

import pytest
from paste.deploy import loadapp

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PASTE_INI = os.path.join(ROOT, "paste.ini")
# The suite's origin server listens on loopback; our servers refuse internal
# addresses for locations unless allowed, so allow loopback for these runs.
# The suite's version clauses (VER-3) still take `/v2…` for an unknown
# version: until it judges a server that serves v2 (its v2 clauses are
# being written), our servers here serve v1 only.
LOOPBACK_LOCATIONS = {"GLANCE_ALLOWED_LOCATION_NETWORKS": "127.0.0.0/8",
                      "GLANCE_ENABLED_APIS": "v1"}


@pytest.fixture(scope="module")
def our_servers(tmp_path_factory):
    """Registry + API processes from paste.ini, loopback locations allowed."""
    from tests.functional.services import running_services
    with running_services(tmp_path_factory.mktemp("glance"),
                          extra_env=LOOPBACK_LOCATIONS) as running:
        yield running


@pytest.fixture(scope="session")
def our_apps(tmp_path_factory):
    """(api app, registry app) sharing one sqlite file and data directory."""
    work = tmp_path_factory.mktemp("conformance-apps")
    env = {"GLANCE_FILESYSTEM_STORE_DATADIR": str(work / "images"),
           "GLANCE_SQL_CONNECTION": f"sqlite:///{work / 'glance.sqlite'}",
           **LOOPBACK_LOCATIONS}
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
