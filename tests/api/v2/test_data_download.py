"""GET /v2/images/{id}/file (CONTRACT §4 Download): the data with exactly
application/octet-stream and Content-MD5, 204 without data, one Range
(206/416), deactivated images for admins only, origins bounded as in v1."""

import hashlib

import pytest

from glance.api.recovery import service_context
from glance.common import context, wsgi
from glance.common.context import RequestContext
from tests.fixtureapps.origin import Origin, pattern
from tests.fixtureapps.v2data import Deployment, settings

OCTET = {"Content-Type": "application/octet-stream"}
DATA = bytes(range(256)) * 40           # 10240 bytes, every offset distinguishable
MD5 = hashlib.md5(DATA).hexdigest()
ALICE = RequestContext(tenant="alice", user="a", roles=("member",))
BOB = RequestContext(tenant="bob", user="b", roles=("member",))
ADMIN = RequestContext(tenant="ops", user="root", roles=("admin",), is_admin=True)


@pytest.fixture
def deployment(tmp_path):
    deployed = Deployment(settings(tmp_path))
    yield deployed
    deployed.close()


@pytest.fixture
def app(deployment):
    return deployment.client()


def uploaded(deployment, data=DATA, ctx=None, **values):
    image = deployment.create(ctx, **values)
    deployment.client(ctx).put(f"/v2/images/{image['id']}/file", data, headers=OCTET,
                               status=204)
    return deployment.image(image["id"])


def file_url(image):
    return f"/v2/images/{image['id']}/file"


def test_the_data_comes_with_its_type_length_and_md5(deployment, app):
    image = uploaded(deployment)
    res = app.get(file_url(image), status=200)
    assert res.body == DATA
    assert res.headers["Content-Type"] == "application/octet-stream"
    assert res.headers["Content-Length"] == str(len(DATA))
    assert res.headers["Content-MD5"] == MD5


def test_an_empty_image_is_200_with_no_bytes(deployment, app):
    image = uploaded(deployment, b"")
    res = app.get(file_url(image), status=200)
    assert (res.body, res.headers["Content-Length"]) == (b"", "0")
    assert res.headers["Content-MD5"] == "d41d8cd98f00b204e9800998ecf8427e"


@pytest.mark.parametrize("status", ["queued", "saving", "uploading", "importing", "killed"])
def test_no_data_is_204_and_empty(deployment, app, status):
    image = deployment.create(status=status)
    res = app.get(file_url(image), status=204)
    assert res.body == b"" and "Content-Type" not in res.headers


def test_an_active_image_without_stored_data_is_204(deployment, app):
    image = deployment.create(status="active", size=0)
    app.get(file_url(image), status=204)


def test_a_file_is_handed_to_the_file_wrapper(deployment):
    image = uploaded(deployment)
    wrapped = []

    def file_wrapper(fileobj, block_size):
        wrapped.append(fileobj)
        return iter(lambda: fileobj.read(block_size), b"")

    res = deployment.client().get(file_url(image),
                                  extra_environ={"wsgi.file_wrapper": file_wrapper})
    assert res.body == DATA and len(wrapped) == 1


def test_deactivated_data_is_forbidden_to_others_than_admins(deployment):
    image = uploaded(deployment, ctx=ALICE)
    deployment.registry.update_image(service_context(), image["id"], {"status": "deactivated"})
    res = deployment.client(ALICE).get(file_url(image), status=403)
    assert res.json["error"]["type"] == "auth.forbidden"
    assert deployment.client(ADMIN).get(file_url(image), status=200).body == DATA


def test_invisible_images_are_404_and_members_may_download(deployment):
    image = uploaded(deployment, ctx=ALICE)
    deployment.client(BOB).get(file_url(image), status=404)
    deployment.registry.add_member(service_context(), image["id"], "bob")
    assert deployment.client(BOB).get(file_url(image), status=200).body == DATA


@pytest.mark.parametrize("path_id", ["00000000-0000-4000-8000-000000000000", "nope", "1"])
def test_unknown_or_malformed_ids_are_404(app, path_id):
    res = app.get(f"/v2/images/{path_id}/file", status=404)
    assert res.json["error"]["type"] == "image.not_found"


def test_a_v1_upload_is_downloaded_through_v2(app):
    res = app.post("/v1/images", DATA, headers={**OCTET, "x-image-meta-name": "v1"})
    image = res.json["image"]
    assert app.get(file_url(image)).body == DATA


# -- ranges ------------------------------------------------------------------------

@pytest.mark.parametrize("header,first,last", [
    ("bytes=0-9", 0, 9), ("bytes=100-", 100, len(DATA) - 1), ("bytes=-16", len(DATA) - 16,
                                                               len(DATA) - 1),
    ("bytes=10000-99999", 10000, len(DATA) - 1)])
def test_one_range_is_206_with_content_range_and_the_whole_md5(deployment, app, header,
                                                               first, last):
    image = uploaded(deployment)
    res = app.get(file_url(image), headers={"Range": header}, status=206)
    assert res.body == DATA[first:last + 1]
    assert res.headers["Content-Range"] == f"bytes {first}-{last}/{len(DATA)}"
    assert res.headers["Content-Length"] == str(last + 1 - first)
    assert res.headers["Content-MD5"] == MD5
    assert res.headers["Content-Type"] == "application/octet-stream"


@pytest.mark.parametrize("header", ["bytes=10240-", "bytes=99999-100000", "bytes=-0"])
def test_a_range_past_the_end_is_416_with_the_size(deployment, app, header):
    image = uploaded(deployment)
    res = app.get(file_url(image), headers={"Range": header}, status=416)
    assert res.headers["Content-Range"] == f"bytes */{len(DATA)}"
    assert res.json["error"]["type"] == "image.range_not_satisfiable"


def test_several_ranges_get_the_whole_image(deployment, app):
    image = uploaded(deployment)
    res = app.get(file_url(image), headers={"Range": "bytes=0-1,5-6"}, status=200)
    assert res.body == DATA and "Content-Range" not in res.headers


def test_if_range_naming_other_data_gets_the_whole_image(deployment, app):
    image = uploaded(deployment)
    res = app.get(file_url(image), headers={"Range": "bytes=0-9", "If-Range": '"' + "0" * 32
                                            + '"'}, status=200)
    assert res.body == DATA
    res = app.get(file_url(image), headers={"Range": "bytes=0-9", "If-Range": MD5},
                  status=206)
    assert res.body == DATA[:10]


# -- images at an origin (http store) ----------------------------------------------

@pytest.fixture
def origin():
    with Origin() as served:
        yield served


def located(deployment, url, size):
    return deployment.create(status="active", location=url, store="http", size=size)


def test_origin_data_is_streamed_and_the_run_slot_given_back(deployment, origin):
    image = located(deployment, origin.url("/bytes/300000"), 300_000)
    given_back = []
    res = deployment.client().get(file_url(image), extra_environ={
        wsgi.GIVE_BACK_SLOT: lambda: given_back.append(True)})
    assert res.body == pattern(300_000)
    assert given_back and "Content-MD5" not in res.headers      # no checksum known


def test_a_range_of_origin_data(deployment, origin):
    image = located(deployment, origin.url("/bytes/300000"), 300_000)
    res = deployment.client().get(file_url(image), headers={"Range": "bytes=70000-70009"},
                                  status=206)
    assert res.body == pattern(300_000)[70000:70010]


def test_a_failing_origin_is_502_without_naming_it(deployment, origin):
    image = located(deployment, origin.url("/status/500"), 10)
    res = deployment.client().get(file_url(image), status=502)
    assert res.json["error"]["type"] == "store.origin_unavailable"
    assert "127.0.0.1" not in res.text and str(origin.port) not in res.text


def test_the_per_origin_cap_holds_for_v2_downloads(tmp_path, origin):
    deployment = Deployment(settings(tmp_path, http_store_max_fetches_per_origin=1))
    image = located(deployment, origin.url("/stall/70000"), 140_000)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": file_url(image), "SERVER_NAME": "t",
               "SERVER_PORT": "80", "wsgi.url_scheme": "http",
               context.ENV_KEY: context.admin_context()}
    statuses = []
    held = deployment.root(dict(environ), lambda status, headers: statuses.append(status))
    try:
        assert statuses == ["200 OK"]           # the first bytes are in, the rest stalls
        res = deployment.client().get(file_url(image), status=503)
        assert res.json["error"]["type"] == "store.origin_busy"
        assert res.headers["Retry-After"]
    finally:
        held.close()
        origin.released.set()
    deployment.close()
