"""Stages and imports that die (CONTRACT §1, §10): their images go back to
`queued`, and recovery (`glance.api.recovery`: start-up, a dead worker, the
lease sweep) removes their staged data and partial files; staged data that
an import will still read is left alone."""

import os

import pytest

from glance.api import recovery
from glance.registry import Holder, ImageRegistry, db
from tests.fixtureapps.v2data import Deferred, Deployment, settings
from tests.registry.helpers import FakeClock

CTX = recovery.service_context()
OCTET = {"Content-Type": "application/octet-stream"}
DATA = bytes(range(256)) * 1000
EARLIER_RUN = Holder("node-test", "run-before", 101)


@pytest.fixture
def deployment(tmp_path):
    deployed = Deployment(settings(tmp_path), start_import=Deferred())
    yield deployed
    deployed.close()


def staged(deployment):
    image = deployment.create()
    deployment.client().put(f"/v2/images/{image['id']}/stage", DATA, headers=OCTET,
                            status=204)
    return image


def touch(directory, name):
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, name)
    with open(path, "wb") as f:
        f.write(b"partial")
    return path


def restart(deployment):
    """What the next start of this node does: a new run's keeper recovers."""
    keeper = recovery.Keeper(deployment.conf, deployment.registry, deployment.stores,
                             thread=False)
    keeper.run_once()
    return keeper


def test_an_import_cut_by_a_stop_is_queued_and_its_data_removed(deployment):
    image = staged(deployment)
    deployment.client().post_json(f"/v2/images/{image['id']}/import",
                                  {"method": {"name": "glance-direct"}}, status=202)
    assert deployment.image(image["id"])["status"] == "importing"
    # The server stops mid-import: the store holds a temporary file, the
    # import never ends (its Deferred never runs).
    temp = touch(deployment.datadir, f".{image['id']}.partial.tmp")
    restart(deployment)
    got = deployment.image(image["id"])
    assert (got["status"], got["status_reason"]) == ("queued", recovery.INTERRUPTED)
    assert deployment.staged() == [] and not os.path.exists(temp)


def test_a_stage_cut_by_a_stop_is_queued_and_its_temp_file_removed(deployment):
    image = deployment.create()
    deployment.registry.take_lease(CTX, image["id"], EARLIER_RUN, 60, to_status="uploading",
                                   fallback="queued")
    temp = touch(deployment.stores.staging.datadir, f".{image['id']}.abc.tmp")
    done = recovery.reconcile(deployment.conf, deployment.registry, deployment.stores,
                              instance="run-now")
    assert done.killed == [image["id"]] and temp in done.removed
    assert deployment.image(image["id"])["status"] == "queued"
    assert deployment.staged() == []


def test_staged_data_waiting_for_its_import_is_kept(deployment):
    image = staged(deployment)
    restart(deployment)
    recovery.sweep(deployment.conf, deployment.registry, deployment.stores)
    assert deployment.image(image["id"])["status"] == "uploading"
    assert deployment.staged() == [image["id"]]


def test_a_stage_in_progress_elsewhere_is_left_alone(deployment):
    image = deployment.create()
    deployment.registry.take_lease(CTX, image["id"], Holder("node-b", "r", 5), 60,
                                   to_status="uploading", fallback="queued")
    temp = touch(deployment.stores.staging.datadir, f".{image['id']}.abc.tmp")
    recovery.reconcile(deployment.conf, deployment.registry, deployment.stores,
                       instance="run-now")
    assert os.path.exists(temp)
    assert deployment.image(image["id"])["status"] == "uploading"


def test_the_sweep_removes_the_staged_data_of_deleted_images(deployment):
    image = staged(deployment)
    deployment.registry.delete_image(CTX, image["id"])
    done = recovery.sweep(deployment.conf, deployment.registry, deployment.stores)
    assert deployment.staged() == [] and len(done.removed) == 1


def test_the_sweep_removes_staged_data_no_import_will_read(deployment):
    image = deployment.create()
    stray = touch(deployment.stores.staging.datadir, image["id"])       # image is queued
    unknown = touch(deployment.stores.staging.datadir, "not-an-image")
    recovery.sweep(deployment.conf, deployment.registry, deployment.stores)
    assert not os.path.exists(stray) and os.path.exists(unknown)


def test_an_import_of_a_node_that_never_came_back_is_swept(deployment, tmp_path):
    image = staged(deployment)
    deployment.registry.take_lease(CTX, image["id"], Holder("node-b", "r", 5), 30,
                                   from_status="uploading", to_status="importing",
                                   fallback="queued")
    clock = FakeClock()
    later = ImageRegistry(db.open_database(deployment.conf.sql_connection), clock=clock)
    clock.now = clock.now.replace(year=2999)           # long after the lease ran out
    done = recovery.sweep(deployment.conf, later, deployment.stores)
    later.close()
    assert done.killed == [image["id"]]
    got = deployment.image(image["id"])
    assert (got["status"], got["status_reason"]) == ("queued", recovery.EXPIRED)
    assert deployment.staged() == []


def test_a_dead_workers_import_is_ended_by_the_master(deployment):
    image = staged(deployment)
    deployment.client().post_json(f"/v2/images/{image['id']}/import",
                                  {"method": {"name": "glance-direct"}}, status=202)
    deployment.keeper.worker_exited(os.getpid())    # this process plays the dead worker
    assert deployment.image(image["id"])["status"] == "queued"
    assert deployment.staged() == []
