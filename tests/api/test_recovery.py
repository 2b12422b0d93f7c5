"""Recovery (`glance.api.recovery`): dead uploads found through their leases,
this node's and any node's whose lease ran out, nobody else's."""

import logging
import os
import threading
import time

import pytest
import webob

from glance.api import recovery
from glance.common import config, exception
from glance.registry import Holder, ImageQuery, ImageRegistry, db
from glance.store import Stores
from tests.api.conftest import upload_headers
from tests.registry.helpers import FakeClock

CTX = recovery.service_context()
THIS_RUN = "run-now"


@pytest.fixture
def conf(tmp_path):
    return config.load(environ={
        "GLANCE_SQL_CONNECTION": f"sqlite:///{tmp_path}/glance.sqlite",
        "GLANCE_FILESYSTEM_STORE_DATADIR": str(tmp_path / "images")}, node_id="node-a")


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def registry(conf, clock):
    registry = ImageRegistry(db.open_database(conf.sql_connection), clock=clock)
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


def leased(registry, node="node-a", instance="run-before", pid=101, seconds=60):
    image = registry.create_image(CTX, {"status": "queued"})
    return registry.take_lease(CTX, image["id"], Holder(node, instance, pid), seconds)


def status(registry, image):
    return registry.get_image(CTX, image["id"])["status"]


# -- what reconcile() ends ------------------------------------------------------------

def test_a_dead_workers_uploads_are_killed_and_its_siblings_left_alone(conf, registry, stores):
    dead = leased(registry, instance=THIS_RUN, pid=101)
    alive = leased(registry, instance=THIS_RUN, pid=102)
    other_node = leased(registry, node="node-b", instance=THIS_RUN, pid=101)
    paths = [touch(conf, f".{dead['id']}.a.tmp")]
    kept = [touch(conf, f".{alive['id']}.b.tmp"), touch(conf, f".{other_node['id']}.c.tmp")]
    done = recovery.reconcile(conf, registry, stores, instance=THIS_RUN, pid=101)
    assert done.killed == [dead["id"]]
    killed = registry.get_image(CTX, dead["id"])
    assert killed["status"] == "killed" and killed["status_reason"] == recovery.INTERRUPTED
    assert status(registry, alive) == status(registry, other_node) == "saving"
    assert done.removed == paths and all(os.path.exists(path) for path in kept)


def test_start_up_recovery_ends_every_upload_of_earlier_runs_of_this_node(
        conf, registry, stores):
    earlier = [leased(registry, pid=7), leased(registry, pid=8),
               leased(registry, instance="run-older", pid=7)]
    mine_now = leased(registry, instance=THIS_RUN, pid=7)
    done = recovery.reconcile(conf, registry, stores, instance=THIS_RUN)
    assert sorted(done.killed) == sorted(image["id"] for image in earlier)
    assert status(registry, mine_now) == "saving"


def test_other_nodes_live_uploads_and_temp_files_are_left_alone(conf, registry, stores):
    image = leased(registry, node="node-b")
    temp = touch(conf, f".{image['id']}.xyz.tmp")
    done = recovery.reconcile(conf, registry, stores, instance=THIS_RUN)
    assert done.killed == [] and status(registry, image) == "saving"
    assert os.path.exists(temp)


def test_any_nodes_upload_whose_lease_ran_out_is_ended(conf, registry, stores, clock):
    gone = leased(registry, node="node-b", seconds=30)
    alive = leased(registry, node="node-c", seconds=90)
    clock.tick(60)
    done = recovery.sweep(conf, registry, stores)
    assert done.killed == [gone["id"]]
    swept = registry.get_image(CTX, gone["id"])
    assert (swept["status"], swept["status_reason"]) == ("killed", recovery.EXPIRED)
    assert status(registry, alive) == "saving"


def test_a_saving_image_without_a_lease_is_ended_by_the_sweep(conf, registry, stores):
    orphan = registry.create_image(CTX, {"status": "saving"})     # e.g. migrated
    assert recovery.sweep(conf, registry, stores).killed == [orphan["id"]]


def test_a_v2_style_lease_falls_back_to_queued(conf, registry, stores, clock):
    image = registry.create_image(CTX, {"status": "queued"})
    registry.take_lease(CTX, image["id"], Holder("node-b", "r", 1), 10, fallback="queued")
    clock.tick(11)
    recovery.sweep(conf, registry, stores)
    assert status(registry, image) == "queued"


def test_reasons_never_name_a_host_a_path_or_a_process(conf, registry, stores):
    image = leased(registry, node="host-secret", instance="r", pid=4242)
    conf_b = config.load(environ={"GLANCE_SQL_CONNECTION": conf.sql_connection,
                                  "GLANCE_FILESYSTEM_STORE_DATADIR": "/x"}, node_id="host-secret")
    recovery.reconcile(conf_b, registry, stores, instance="other")
    reason = registry.get_image(CTX, image["id"])["status_reason"]
    assert "host-secret" not in reason and "4242" not in reason and "/" not in reason


def test_leftovers_of_killed_and_finished_uploads_are_removed(conf, registry, stores):
    mine = leased(registry)
    finished = registry.create_image(CTX, {"status": "active"})
    paths = [touch(conf, f".{mine['id']}.a.tmp"), touch(conf, str(mine["id"])),
             touch(conf, f".{finished['id']}.b.tmp"), touch(conf, ".424242.c.tmp")]
    done = recovery.reconcile(conf, registry, stores, instance=THIS_RUN)
    assert sorted(done.removed) == sorted(paths)
    assert os.listdir(conf.filesystem_store_datadir) == []


def test_temp_files_of_unknown_names_are_left_for_fsck(conf, registry, stores):
    temp = touch(conf, ".not-an-id.tmp")
    recovery.reconcile(conf, registry, stores, instance=THIS_RUN)
    assert os.path.exists(temp)


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
    mine = leased(registry)
    leased(registry, node="node-b")
    done = recovery.reconcile(conf, registry, stores, instance=THIS_RUN)
    assert spy.cleaned == [mine["id"]]
    assert f"{mine['id']}-segment" in done.removed


# -- the keeper ----------------------------------------------------------------------

class Flaky:
    """A registry that is down for its first `down` calls of expire_leases."""

    def __init__(self, registry, down):
        self.registry, self.down, self.calls = registry, down, 0

    def expire_leases(self, *args, **kwargs):
        self.calls += 1
        if self.calls <= self.down:
            raise exception.RegistryUnavailable("the registry is unavailable")
        return self.registry.expire_leases(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.registry, name)


class Ticks:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_start_up_recovery_retries_until_the_registry_answers(conf, registry, stores, caplog):
    earlier = leased(registry)
    ticks = Ticks()
    keeper = recovery.Keeper(conf, Flaky(registry, down=3), stores, clock=ticks, thread=False)
    with caplog.at_level(logging.WARNING):
        keeper.start()              # does not raise: the server starts anyway
    assert status(registry, earlier) == "saving" and "trying again" in caplog.text
    for _ in range(10):
        ticks.now += recovery.RETRY_MAX
        keeper.run_once()
    assert status(registry, earlier) == "killed"


def test_the_keeper_renews_the_leases_of_this_processs_uploads(conf, registry, stores, clock):
    ticks = Ticks()
    keeper = recovery.Keeper(conf, registry, stores, clock=ticks, thread=False).start()
    image = registry.create_image(CTX, {"status": "queued"})
    registry.take_lease(CTX, image["id"], keeper.holder(), conf.upload_lease)
    with keeper.uploading():
        for _ in range(6):          # three leases long, in beats of a third
            clock.tick(conf.upload_lease / 3)
            ticks.now += conf.upload_lease / 3
            keeper.run_once()
        assert status(registry, image) == "saving"
    clock.tick(conf.upload_lease * 2)
    ticks.now += conf.upload_lease * 2
    keeper.run_once()               # no upload any more: the sweep ends it
    assert status(registry, image) == "killed"


def test_the_keepers_thread_sweeps_by_itself_and_stops_when_closed(tmp_path, stores):
    conf = config.load(environ={
        "GLANCE_SQL_CONNECTION": f"sqlite:///{tmp_path}/glance.sqlite",
        "GLANCE_FILESYSTEM_STORE_DATADIR": str(tmp_path / "images")},
        node_id="node-a", upload_lease="0.2")
    registry = ImageRegistry.from_conf(conf)
    before = set(threading.enumerate())
    keeper = recovery.Keeper(conf, registry, Stores(conf)).start()
    [thread] = [t for t in set(threading.enumerate()) - before
                if t.name == "glance-upload-keeper"]
    try:
        image = leased(registry, node="node-b", seconds=0.05)
        deadline = time.monotonic() + 10
        while status(registry, image) == "saving" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert status(registry, image) == "killed"
    finally:
        keeper.close()
        thread.join(timeout=10)
        registry.close()
    assert not thread.is_alive()


def test_a_worker_exit_ends_only_that_workers_uploads(conf, registry, stores):
    keeper = recovery.Keeper(conf, registry, stores, thread=False)
    dead = registry.take_lease(CTX, registry.create_image(CTX, {"status": "queued"})["id"],
                               Holder("node-a", keeper.instance, 555), 60)
    alive = registry.take_lease(CTX, registry.create_image(CTX, {"status": "queued"})["id"],
                                Holder("node-a", keeper.instance, 556), 60)
    keeper.worker_exited(555)
    assert (status(registry, dead), status(registry, alive)) == ("killed", "saving")


# -- the node ------------------------------------------------------------------------

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


# -- uploads through the API -----------------------------------------------------------

def test_an_upload_holds_a_lease_of_this_process_and_names_nobody(app):
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
    assert seen[0]["status"] == "saving" and seen[0].get("status_reason") is None
    assert response.json["image"].get("status_reason") is None


def test_an_upload_whose_lease_was_swept_fails_and_keeps_no_data(app, data_dir):
    if not isinstance(data_dir, str):
        pytest.skip("the file store shows what is left simply")
    registry = ImageRegistry.from_conf(config.load())

    class Sweeper:
        """wsgi.input that lets another node sweep the upload's lease midway."""
        left = 10

        def read(self, size=-1):
            if self.left == 10:
                [image] = registry.list_images(CTX, ImageQuery(scope=("all",)))
                node = recovery.node_name(config.load())
                registry.expire_leases(CTX, recovery.EXPIRED, node=node)
                assert registry.get_image(CTX, image["id"])["status"] == "killed"
            size = self.left if size < 0 else min(size, self.left)
            self.left -= size
            return b"x" * size
    request = webob.Request.blank("/images", method="POST",
                                  headers={**upload_headers(), "Content-Length": "10"})
    request.environ["wsgi.input"] = Sweeper()
    try:
        response = request.get_response(app.app)
    finally:
        registry.close()
    assert response.status_int == 409
    assert [name for name in os.listdir(data_dir)] == []


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
