"""`paster serve paste.ini` starts the API alone, with the registry in-process."""

import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.functional.services import PASTE_INI, ServerProcess

pytestmark = pytest.mark.functional
PASTER = os.path.join(os.path.dirname(sys.executable), "paster")


@pytest.mark.skipif(not os.path.exists(PASTER), reason="PasteScript's paster is not installed")
@pytest.mark.parametrize("app_name,server_name,path", [
    (None, None, "/images"),
    ("registry", "registry", "/images/detail"),
])
def test_paster_serve_answers_requests(tmp_path, app_name, server_name, path):
    env = dict(os.environ, GLANCE_SQL_CONNECTION=f"sqlite:///{tmp_path}/g.sqlite",
               GLANCE_FILESYSTEM_STORE_DATADIR=str(tmp_path / "images"), GLANCE_BIND_PORT="0")
    env.pop("GLANCE_REGISTRY_URL", None)
    argv = [PASTER, "serve", PASTE_INI]
    if app_name:
        argv += ["--app-name", app_name, "--server-name", server_name]
    server = ServerProcess(argv, env, "paster").wait_serving()
    try:
        with urllib.request.urlopen(server.url + path, timeout=10) as response:
            assert response.status == 200
            assert json.loads(response.read()) == {"images": []}
    finally:
        server.stop()
