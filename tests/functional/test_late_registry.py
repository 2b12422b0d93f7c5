"""The `make run` layout started in the wrong order (issue 15, item 16): the
API comes up before its registry answers, serves at once, and finishes its
start-up recovery as soon as the registry is there."""

import json
import socket
import time
import urllib.error
import urllib.request

import pytest

from glance.registry import Holder, ImageRegistry, db
from tests.functional.services import PASTE_INI, ServerProcess, Services, command

pytestmark = pytest.mark.functional
NODE = "node-late"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def interrupted_upload(db_path):
    """An image an earlier run of this node left `saving`, its lease still running."""
    registry = ImageRegistry(db.Database(f"sqlite:///{db_path}"))
    try:
        image = registry.create_image(registry_context(), {"status": "queued", "name": "cut"})
        registry.take_lease(registry_context(), image["id"], Holder(NODE, "earlier-run", 1),
                            3600)
        return image["id"]
    finally:
        registry.close()


def registry_context():
    from glance.api import recovery
    return recovery.service_context()


def status_of(api, image_id):
    with urllib.request.urlopen(f"{api.url}/images/detail?is_public=none", timeout=10) as res:
        [image] = [i for i in json.load(res)["images"] if i["id"] == image_id]
    return image["status"], image.get("status_reason")


def test_the_api_serves_before_its_registry_and_recovers_once_it_answers(tmp_path):
    services = Services(tmp_path, extra_env={"GLANCE_NODE_ID": NODE})
    image_id = interrupted_upload(services.db_path)
    port = free_port()
    api_env = dict(services.env, GLANCE_REGISTRY_URL=f"http://127.0.0.1:{port}")
    api = registry = None
    try:
        api = ServerProcess(command("glance-api") + ["--config", PASTE_INI, "--port", "0"],
                            api_env, "api").wait_serving()
        with pytest.raises(urllib.error.HTTPError) as caught:    # serving: a clean 503
            urllib.request.urlopen(f"{api.url}/images", timeout=10)
        assert caught.value.code == 503
        assert json.loads(caught.value.read())["error"]["message"] == "the registry is unavailable"
        registry = ServerProcess(command("glance-registry") + ["--config", PASTE_INI, "--port",
                                                               str(port)],
                                 services.env, "registry").wait_serving()
        deadline = time.monotonic() + 60
        while status_of(api, image_id)[0] == "saving" and time.monotonic() < deadline:
            time.sleep(0.2)
        status, reason = status_of(api, image_id)
        assert status == "killed", api.output()
        assert reason.startswith("upload interrupted") and NODE not in reason
    finally:
        for server in (api, registry):
            if server is not None:
                server.stop()
