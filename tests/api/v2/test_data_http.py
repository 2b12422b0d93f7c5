"""The v2 data routes behind Glance's own HTTP server (`glance.httpd`), where
framing is real: chunked uploads as glanceclient and Nova send them, a
chunked upload cut off before its last chunk, 415 before a 100-continue
body, and downloads through sendfile."""

import hashlib
import time

import pytest

from glance.common import context
from tests.fixtureapps.v2data import Deployment, settings
from tests.httpd.helpers import chunked, request, running

DATA = bytes(range(256)) * 2000         # 512000 bytes
DEADLINE = 20                           # seconds; only to keep a broken server from hanging


def as_admin(app):
    def with_context(environ, start_response):
        environ[context.ENV_KEY] = context.admin_context()
        return app(environ, start_response)
    return with_context


@pytest.fixture
def deployment(tmp_path):
    deployed = Deployment(settings(tmp_path))
    yield deployed
    deployed.close()


@pytest.fixture
def server(deployment):
    with running(as_admin(deployment.root), read_timeout=5) as served:
        yield served


def put_head(image, route="file", extra=None):
    return request("PUT", f"/v2/images/{image['id']}/{route}", headers={
        "Content-Type": "application/octet-stream", "Transfer-Encoding": "chunked",
        **(extra or {})})


def wait_for_status(deployment, image, wanted):
    deadline = time.monotonic() + DEADLINE
    while deployment.image(image["id"])["status"] != wanted and time.monotonic() < deadline:
        time.sleep(0.05)
    return deployment.image(image["id"])


@pytest.mark.parametrize("route,status", [("file", "active"), ("stage", "uploading")])
def test_a_chunked_body_in_many_chunks(deployment, server, route, status):
    image = deployment.create()
    client = server.connect()
    client.send(put_head(image, route) + chunked(DATA, 8191))
    assert client.response()[0] == 204
    got = deployment.image(image["id"])
    assert (got["status"], got["size"]) == (status, len(DATA))


def test_a_chunked_upload_cut_before_its_last_chunk_goes_back_to_queued(deployment, server):
    image = deployment.create()
    client = server.connect()
    whole = chunked(DATA, 65536)
    client.send(put_head(image) + whole[:-len(b"0\r\n\r\n")])   # every byte, no end
    assert wait_for_status(deployment, image, "saving")["status"] == "saving"
    client.close()
    got = wait_for_status(deployment, image, "queued")
    assert (got["status"], got["checksum"]) == ("queued", None)
    assert deployment.stored() == []


def test_a_wrong_content_type_is_answered_before_the_body(deployment, server):
    image = deployment.create()
    client = server.connect()
    client.send(request("PUT", f"/v2/images/{image['id']}/file", headers={
        "Content-Type": "text/plain", "Content-Length": str(len(DATA)),
        "Expect": "100-continue"}))
    status, headers, _ = client.response()
    assert status == 415 and headers["connection"] == "close"
    assert deployment.image(image["id"])["status"] == "queued"


def test_a_download_through_the_server(deployment, server):
    image = deployment.create()
    client = server.connect()
    client.send(put_head(image) + chunked(DATA, 65536))
    assert client.response()[0] == 204
    client.send(request("GET", f"/v2/images/{image['id']}/file"))
    status, headers, body = client.response()
    assert status == 200 and body == DATA
    assert headers["content-type"] == "application/octet-stream"
    assert headers["content-md5"] == hashlib.md5(DATA).hexdigest()
    client.send(request("GET", f"/v2/images/{image['id']}/file",
                        headers={"Range": "bytes=1000-1999"}))
    status, headers, body = client.response()
    assert (status, body) == (206, DATA[1000:2000])
