"""PUT /v2/images/{id}/stage (CONTRACT §4 Import): like an upload, into the
staging area (`glance.store.staging`), leaving the image `uploading`; a
failure puts it back to `queued` with nothing staged."""

import io
import os

import pytest

from glance.api.recovery import service_context
from glance.common.context import RequestContext
from glance.store import Stores, StagingArea
from tests.fixtureapps.v2data import (CHUNKED, Deployment, DroppingInput, filling_disk,
                                       put_raw, settings)

OCTET = {"Content-Type": "application/octet-stream"}
DATA = bytes(range(256)) * 1000
ALICE = RequestContext(tenant="alice", user="a", roles=("member",))
BOB = RequestContext(tenant="bob", user="b", roles=("member",))


@pytest.fixture
def deployment(tmp_path):
    deployed = Deployment(settings(tmp_path))
    yield deployed
    deployed.close()


@pytest.fixture
def app(deployment):
    return deployment.client()


def stage_url(image):
    return f"/v2/images/{image['id']}/stage"


def test_a_stage_keeps_the_data_aside_and_the_image_uploading(deployment, app):
    image = deployment.create()
    app.put(stage_url(image), DATA, headers=OCTET, status=204)
    got = deployment.image(image["id"])
    assert (got["status"], got["size"], got["checksum"]) == ("uploading", len(DATA), None)
    assert (got["location"], got["os_hash_value"]) == (None, None)
    assert deployment.staged() == [image["id"]]
    assert deployment.stored() == []            # not in the store, not visible to it
    with open(os.path.join(deployment.stores.staging.datadir, image["id"]), "rb") as f:
        assert f.read() == DATA


def test_staged_data_is_not_downloadable(deployment, app):
    image = deployment.create()
    app.put(stage_url(image), DATA, headers=OCTET, status=204)
    app.get(f"/v2/images/{image['id']}/file", status=204)


def test_a_chunked_stage(deployment):
    image = deployment.create()
    status, _ = put_raw(deployment, stage_url(image), io.BytesIO(DATA), CHUNKED)
    assert status == 204
    assert deployment.image(image["id"])["size"] == len(DATA)


def test_nothing_is_staged_by_a_server_that_never_stages(deployment, app):
    image = deployment.create()
    app.put(f"/v2/images/{image['id']}/file", DATA, headers=OCTET, status=204)
    assert not os.path.exists(deployment.stores.staging.datadir)


@pytest.mark.parametrize("content_type", ["text/plain", None])
def test_another_content_type_is_415(deployment, app, content_type):
    image = deployment.create()
    app.put(stage_url(image), b"x", headers={"Content-Type": content_type} if content_type
            else {}, status=415)
    assert deployment.image(image["id"])["status"] == "queued"


@pytest.mark.parametrize("status", ["uploading", "importing", "active", "saving"])
def test_only_a_queued_image_is_staged(deployment, app, status):
    image = deployment.create(status=status)
    app.put(stage_url(image), b"x", headers=OCTET, status=409)
    assert deployment.image(image["id"])["status"] == status


def test_a_staged_image_takes_no_more_data(deployment, app):
    image = deployment.create()
    app.put(stage_url(image), DATA, headers=OCTET, status=204)
    app.put(stage_url(image), b"other", headers=OCTET, status=409)
    app.put(f"/v2/images/{image['id']}/file", b"other", headers=OCTET, status=409)
    assert deployment.image(image["id"])["size"] == len(DATA)


def test_only_the_owner_or_an_admin_stages(deployment):
    image = deployment.create(ALICE)
    deployment.client(BOB).put(stage_url(image), b"x", headers=OCTET, status=404)
    deployment.registry.add_member(service_context(), image["id"], "bob")
    deployment.client(BOB).put(stage_url(image), b"x", headers=OCTET, status=403)
    assert deployment.staged() == []


def test_a_cut_off_stage_is_queued_with_nothing_staged(deployment):
    image = deployment.create()
    status, document = put_raw(deployment, stage_url(image), DroppingInput(200_000),
                               {"CONTENT_LENGTH": str(1 << 20)})
    assert status == 400 and document["error"]["type"] == "image.upload_incomplete"
    got = deployment.image(image["id"])
    assert (got["status"], got["size"]) == ("queued", None)
    assert "stage failed" in got["status_reason"]
    assert deployment.staged() == []


def test_a_leftover_of_an_earlier_stage_is_replaced(deployment, app):
    image = deployment.create()
    staging = deployment.stores.staging
    staging.add(image["id"], [b"stale"])
    app.put(stage_url(image), DATA, headers=OCTET, status=204)
    with open(os.path.join(staging.datadir, image["id"]), "rb") as f:
        assert f.read() == DATA


def test_a_full_staging_area_is_507_and_queued(tmp_path):
    conf = settings(tmp_path)
    state, write, free_space = filling_disk(100_000)
    staging = StagingArea(conf, write=write, free_space=free_space)
    deployment = Deployment(conf, stores=Stores(conf, staging=staging))
    image = deployment.create()
    status, document = put_raw(deployment, stage_url(image), io.BytesIO(DATA), CHUNKED)
    assert status == 507 and document["error"]["type"] == "store.full"
    assert deployment.image(image["id"])["status"] == "queued"
    assert deployment.staged() == []
    # A declared size it cannot take is refused before the body.
    res = deployment.client().put(stage_url(image), DATA, headers=OCTET, status=507)
    assert res.json["error"]["type"] == "store.full"
    deployment.close()


def test_the_apps_delete_removes_the_staged_data_at_once(deployment, app):
    image = deployment.create()
    app.put(stage_url(image), DATA, headers=OCTET, status=204)
    deployment.registry.delete_image(service_context(), image["id"])
    deployment.data.image_deleted(image["id"])
    assert deployment.staged() == []
