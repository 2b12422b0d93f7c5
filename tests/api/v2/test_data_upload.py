"""PUT /v2/images/{id}/file (CONTRACT §4 Upload): checks before the body,
the verified write, `active` with sizes and hashes; every failure puts the
image back to `queued` with nothing kept."""

import hashlib
import io

import pytest

from glance.api.recovery import service_context
from glance.common.context import RequestContext
from glance.store import FilesystemStore, HttpStore, Stores
from tests.fixtureapps.v2data import (CHUNKED, Deployment, DroppingInput, filling_disk,
                                       put_raw, settings)

OCTET = {"Content-Type": "application/octet-stream"}
DATA = bytes(range(256)) * 1000         # 256000 bytes: several 64 KiB chunks
EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"
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


def file_url(image):
    return f"/v2/images/{image['id']}/file"


def test_an_upload_makes_the_image_active_with_sizes_and_hashes(deployment, app):
    image = deployment.create()
    res = app.put(file_url(image), DATA, headers=OCTET, status=204)
    assert res.body == b""
    got = deployment.image(image["id"])
    assert (got["status"], got["size"], got["virtual_size"]) == ("active", len(DATA), len(DATA))
    assert got["checksum"] == hashlib.md5(DATA).hexdigest()
    assert (got["os_hash_algo"], got["os_hash_value"]) == (
        "sha256", hashlib.sha256(DATA).hexdigest())
    assert got["store"] == "file" and deployment.stored() == [image["id"]]


def test_virtual_size_is_the_size_only_for_raw_images(deployment, app):
    image = deployment.create(disk_format="qcow2")
    app.put(file_url(image), DATA, headers=OCTET, status=204)
    got = deployment.image(image["id"])
    assert (got["size"], got["virtual_size"]) == (len(DATA), None)


def test_a_chunked_body_is_uploaded(deployment):
    image = deployment.create()
    status, _ = put_raw(deployment, file_url(image), io.BytesIO(DATA), CHUNKED)
    assert status == 204
    got = deployment.image(image["id"])
    assert (got["status"], got["size"]) == ("active", len(DATA))
    assert got["checksum"] == hashlib.md5(DATA).hexdigest()


def test_a_body_without_length_or_chunks_is_zero_bytes(deployment):
    image = deployment.create()
    status, _ = put_raw(deployment, file_url(image), io.BytesIO(b"never read"), {})
    assert status == 204
    got = deployment.image(image["id"])
    assert (got["status"], got["size"], got["checksum"]) == ("active", 0, EMPTY_MD5)


def test_the_size_header_is_only_a_hint(deployment, app):
    image = deployment.create()
    app.put(file_url(image), DATA, headers={**OCTET, "X-OpenStack-Image-Size": "7"},
            status=204)
    assert deployment.image(image["id"])["size"] == len(DATA)


def test_content_type_parameters_are_allowed_as_glance_does(deployment, app):
    image = deployment.create()
    app.put(file_url(image), b"abc",
            headers={"Content-Type": "Application/Octet-Stream; charset=binary"}, status=204)


@pytest.mark.parametrize("content_type", ["text/plain", "application/json",
                                          "application/octet-streamx", None])
def test_another_content_type_is_415_and_changes_nothing(deployment, app, content_type):
    image = deployment.create()
    headers = {"Content-Type": content_type} if content_type else {}
    res = app.put(file_url(image), b"abc", headers=headers, status=415)
    assert res.json["error"]["type"] == "image.bad_content_type"
    assert deployment.image(image["id"])["status"] == "queued"
    assert deployment.stored() == []


@pytest.mark.parametrize("status", ["active", "saving", "uploading", "importing", "killed",
                                    "deactivated"])
def test_only_a_queued_image_takes_data(deployment, app, status):
    image = deployment.create(status=status)
    res = app.put(file_url(image), b"abc", headers=OCTET, status=409)
    assert res.json["error"]["type"] == "image.conflict"
    assert deployment.image(image["id"])["status"] == status


@pytest.mark.parametrize("path_id", ["00000000-0000-4000-8000-000000000000", "not-an-id",
                                     "1bea47ed-F6A9-463b-b423-14b9cca9ad27"])
def test_unknown_or_malformed_ids_are_404(app, path_id):
    app.put(f"/v2/images/{path_id}/file", b"abc", headers=OCTET, status=404)


def test_others_cannot_upload(deployment):
    image = deployment.create(ALICE)
    deployment.client(BOB).put(file_url(image), b"abc", headers=OCTET, status=404)
    deployment.registry.add_member(service_context(), image["id"], "bob")
    res = deployment.client(BOB).put(file_url(image), b"abc", headers=OCTET, status=403)
    assert res.json["error"]["type"] == "auth.forbidden"
    deployment.client(ALICE).put(file_url(image), b"abc", headers=OCTET, status=204)


def test_the_image_is_the_same_record_in_v1(deployment, app):
    image = deployment.create()
    app.put(file_url(image), DATA, headers=OCTET, status=204)
    res = app.get(f"/v1/images/{image['id']}")
    assert res.body == DATA
    assert res.headers["x-image-meta-status"] == "active"


# -- failures: back to queued, nothing kept ------------------------------------------

@pytest.mark.parametrize("framing", [{"CONTENT_LENGTH": str(10 << 20)},
                                     {"HTTP_TRANSFER_ENCODING": "chunked"}])
def test_a_cut_off_upload_puts_the_image_back_to_queued(deployment, framing):
    image = deployment.create()
    status, document = put_raw(deployment, file_url(image), DroppingInput(3 << 20), framing)
    assert status == 400
    assert document["error"]["type"] == "image.upload_incomplete"
    got = deployment.image(image["id"])
    assert (got["status"], got["size"], got["checksum"]) == ("queued", None, None)
    assert "upload failed" in got["status_reason"]
    assert deployment.stored() == []


def test_a_short_body_is_cut_off_too(deployment):
    image = deployment.create()
    status, _ = put_raw(deployment, file_url(image), io.BytesIO(b"x" * 10),
                        {"CONTENT_LENGTH": "1000"})
    assert status == 400
    assert deployment.image(image["id"])["status"] == "queued"


def test_after_a_failure_the_upload_may_be_tried_again(deployment, app):
    image = deployment.create()
    put_raw(deployment, file_url(image), io.BytesIO(b"x"), {"CONTENT_LENGTH": "1000"})
    app.put(file_url(image), DATA, headers=OCTET, status=204)
    got = deployment.image(image["id"])
    assert (got["status"], got["size"], got["status_reason"]) == ("active", len(DATA), None)


def full_deployment(tmp_path, free):
    conf = settings(tmp_path)
    state, write, free_space = filling_disk(free)
    stores = Stores(conf, backends=[FilesystemStore(conf, write=write, free_space=free_space),
                                    HttpStore(conf)])
    return Deployment(conf, stores=stores)


def test_a_store_that_fills_up_is_507_and_queued(tmp_path):
    deployment = full_deployment(tmp_path, free=100_000)
    image = deployment.create()
    status, document = put_raw(deployment, file_url(image), io.BytesIO(DATA), CHUNKED)
    assert status == 507
    assert document["error"]["type"] == "store.full"
    got = deployment.image(image["id"])
    assert (got["status"], got["size"]) == ("queued", None)
    assert deployment.stored() == []
    deployment.close()


def test_a_declared_size_the_store_cannot_take_is_507_before_the_body(tmp_path):
    deployment = full_deployment(tmp_path, free=1000)
    image = deployment.create()
    res = deployment.client().put(file_url(image), DATA, headers=OCTET, status=507)
    assert res.json["error"]["type"] == "store.full"
    got = deployment.image(image["id"])
    assert (got["status"], got["status_reason"]) == ("queued", None)     # never began
    deployment.close()


def test_the_size_cap_is_413_and_queued(tmp_path):
    deployment = Deployment(settings(tmp_path, image_size_cap="100K"))
    image = deployment.create()
    app = deployment.client()
    app.put(file_url(image), DATA, headers=OCTET, status=413)           # declared
    status, _ = put_raw(deployment, file_url(image), io.BytesIO(DATA), CHUNKED)
    assert status == 413                                                # counted
    assert deployment.image(image["id"])["status"] == "queued"
    assert deployment.stored() == []
    deployment.close()
