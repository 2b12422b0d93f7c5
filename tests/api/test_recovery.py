"""Start-up recovery (`glance.api.recovery`): this node's interrupted uploads, nobody else's."""

import logging
import os

import pytest
import webob

from glance.api import recovery
from glance.common import config, exception
from glance.registry import ImageRegistry
from glance.store import Stores
from tests.api.conftest import upload_headers

CTX = recovery.service_context()


@pytest.fixture
def conf(tmp_path):
    return config.load(environ={
        "GLANCE_SQL_CONNECTION": f"sqlite:///{tmp_path}/glance.sqlite",
        "GLANCE_FILESYSTEM_STORE_DATADIR": str(tmp_path / "images")}, node_id="node-a")


@pytest.fixture
def registry(conf):
    registry = ImageRegistry.from_conf(conf)
    yield registry
    registry.close()


@pytest.fixture
def stores(conf):
    return Stores(conf)


def touch(conf, name):
    path = os.path.join(conf.filesystem_store_datadir, name)
    with open(path, "wb") as f:
        f.write(b"partial")
    return path


def saving_on(registry, node):
    return registry.create_image(CTX, {"status": "saving",
                                       "status_reason": recovery.SAVING_PREFIX + node})


def saving_in(registry, node, pid):
    return registry.create_image(CTX, {
        "status": "saving", "status_reason": f"{recovery.SAVING_PREFIX}{node}, process {pid}"})


def test_a_dead_workers_uploads_are_killed_and_its_siblings_left_alone(conf, registry, stores):
    dead, alive = saving_in(registry, "node-a", 101), saving_in(registry, "node-a", 102)
    other_node = saving_in(registry, "node-b", 101)
    paths = [touch(conf, f".{dead['id']}.a.tmp")]
    kept = [touch(conf, f".{alive['id']}.b.tmp"), touch(conf, f".{other_node['id']}.c.tmp")]
    done = recovery.reconcile(conf, registry, stores, pid=101)
    assert done.killed == [dead["id"]] and done.others_saving == 2
    killed = registry.get_image(CTX, dead["id"])
    assert killed["status"] == "killed" and "worker process 101" in killed["status_reason"]
    assert registry.get_image(CTX, alive["id"])["status"] == "saving"
    assert done.removed == paths and all(os.path.exists(path) for path in kept)


def test_start_up_recovery_kills_the_uploads_of_every_process_of_this_node(
        conf, registry, stores):
    images = [saving_in(registry, "node-a", 7), saving_in(registry, "node-a", 8),
              saving_on(registry, "node-a")]
    done = recovery.reconcile(conf, registry, stores)
    assert sorted(done.killed) == sorted(image["id"] for image in images)


def test_an_upload_names_this_process_in_its_reason(conf):
    assert recovery.saving_reason(conf) == (
        f"{recovery.SAVING_PREFIX}node-a, process {os.getpid()}")


def test_this_nodes_saving_images_are_killed_with_a_reason(conf, registry, stores):
    image = saving_on(registry, "node-a")
    done = recovery.reconcile(conf, registry, stores)
    assert done.killed == [image["id"]]
    killed = registry.get_image(CTX, image["id"])
    assert killed["status"] == "killed" and "node-a" in killed["status_reason"]


def test_other_nodes_saving_images_and_temp_files_are_left_alone(conf, registry, stores):
    image = saving_on(registry, "node-b")
    temp = touch(conf, f".{image['id']}.xyz.tmp")
    done = recovery.reconcile(conf, registry, stores)
    assert done.killed == [] and done.others_saving == 1
    assert registry.get_image(CTX, image["id"])["status"] == "saving"
    assert os.path.exists(temp)


def test_leftovers_of_killed_and_finished_uploads_are_removed(conf, registry, stores):
    mine = saving_on(registry, "node-a")
    finished = registry.create_image(CTX, {"status": "active"})
    paths = [touch(conf, f".{mine['id']}.a.tmp"), touch(conf, str(mine["id"])),
             touch(conf, f".{finished['id']}.b.tmp"), touch(conf, ".424242.c.tmp")]
    done = recovery.reconcile(conf, registry, stores)
    assert sorted(done.removed) == sorted(paths)
    assert os.listdir(conf.filesystem_store_datadir) == []


def test_temp_files_of_unknown_names_are_left_for_fsck(conf, registry, stores):
    temp = touch(conf, ".not-an-id.tmp")
    recovery.reconcile(conf, registry, stores)
    assert os.path.exists(temp)


def test_an_unreachable_registry_does_not_stop_the_start(conf, stores, caplog):
    class Down:
        def list_images(self, *args, **kwargs):
            raise exception.RegistryUnavailable("registry at x unreachable")
    with caplog.at_level(logging.WARNING):
        done = recovery.reconcile(conf, Down(), stores)
    assert done.killed == [] and "incomplete" in caplog.text


def test_the_default_node_name_is_the_host_and_a_digest_of_the_data_dir(tmp_path):
    conf = config.load(environ={"GLANCE_FILESYSTEM_STORE_DATADIR": str(tmp_path / "d")})
    name = recovery.node_name(conf)
    assert name.startswith(__import__("socket").gethostname() + "-")
    assert str(tmp_path) not in name
    other = config.load(environ={"GLANCE_FILESYSTEM_STORE_DATADIR": str(tmp_path / "e")})
    assert recovery.node_name(other) != name


def test_a_configured_node_id_is_cleaned_of_control_characters():
    conf = config.load(node_id="rack1\nnode2")
    assert recovery.node_name(conf) == "rack1 node2"


def test_an_upload_marks_its_image_saving_on_this_node(app):
    seen = []

    class Spy:
        """wsgi.input that looks at the image while the upload is running."""
        left = 10

        def read(self, size=-1):
            if not seen:
                seen.append(app.get("/images/detail?is_public=none").json["images"][0])
            size = self.left if size < 0 else min(size, self.left)
            self.left -= size
            return b"x" * size
    request = webob.Request.blank("/images", method="POST",
                                  headers={**upload_headers(), "Content-Length": "10"})
    request.environ["wsgi.input"] = Spy()
    response = request.get_response(app.app)
    assert response.status_int == 201
    image = response.json["image"]
    assert seen[0]["status"] == "saving"
    assert seen[0]["status_reason"].startswith(recovery.SAVING_PREFIX)
    assert "status_reason" not in image         # cleared once active


def test_a_failed_upload_says_why_it_was_killed(app):
    app.post("/images", b"abc", headers=upload_headers(checksum="0" * 32), status=400)
    [image] = app.get("/images/detail?is_public=none").json["images"]
    assert image["status"] == "killed" and "checksum" in image["status_reason"]


def test_data_for_an_image_no_longer_queued_is_409(app):
    image = app.post("/images", status=201).json["image"]
    registry = ImageRegistry.from_conf(config.load())
    try:
        registry.update_image(CTX, image["id"], {"status": "saving"})
    finally:
        registry.close()
    app.put(f"/images/{image['id']}", b"data", headers=upload_headers(), status=409)


def test_a_declared_sha256_is_verified(app):
    good = __import__("hashlib").sha256(b"abc").hexdigest()
    assert app.post("/images", b"abc", headers=upload_headers(os_hash_value=good),
                    status=201).json["image"]["os_hash_value"] == good
    res = app.post("/images", b"abd", headers=upload_headers(os_hash_value=good,
                                                             os_hash_algo="SHA256"), status=400)
    assert "SHA-256" in res.json["error"]["message"]
    assert [i["status"] for i in app.get("/images/detail?is_public=none").json["images"]] \
        == ["killed", "active"]


class ObjectStoreSpy:
    """A backend with the object stores' `remove_leftovers` (records its calls)."""

    name, schemes, writable = "spy", ("spy",), True

    def __init__(self):
        self.cleaned = []

    def remove_leftovers(self, image_id):
        self.cleaned.append(image_id)
        return [f"{image_id}-segment"]


def test_object_store_leftovers_of_killed_uploads_are_removed(conf, registry):
    spy = ObjectStoreSpy()
    stores = Stores(conf, backends=[spy])
    mine = saving_on(registry, "node-a")
    saving_on(registry, "node-b")
    done = recovery.reconcile(conf, registry, stores)
    assert spy.cleaned == [mine["id"]]
    assert f"{mine['id']}-segment" in done.removed
