"""Defence in depth (issue 15, item 1): whatever a registry record says, the
API serves and deletes only an image's own data, and its messages never
name a location, an origin or a store path (item 6).

The records are bent directly in the registry, as a compromised or
too-trusting registry would hand them over; a client cannot set them.
"""

import logging
import os

import pytest
import webtest

from glance.api import recovery
from glance.api.v1.images import ImagesApp
from glance.common import config, context, exception, faults
from glance.registry import ImageRegistry
from glance.store import Stores
from tests.fixtureapps.origin import Origin
from tests.functional.services import LOOPBACK_ORIGINS

OCTET = {"Content-Type": "application/octet-stream"}


class Api:
    def __init__(self, tmp_path, **options):
        self.conf = config.load(environ={
            "GLANCE_SQL_CONNECTION": f"sqlite:///{tmp_path}/glance.sqlite",
            "GLANCE_FILESYSTEM_STORE_DATADIR": str(tmp_path / "images"),
            **LOOPBACK_ORIGINS}, **options)
        self.registry = ImageRegistry.from_conf(self.conf)
        self.datadir = str(tmp_path / "images")
        meta = ImagesApp(self.conf, self.registry, Stores(self.conf))

        def as_admin(environ, start_response):
            environ[context.ENV_KEY] = context.admin_context()
            return meta(environ, start_response)
        self.app = webtest.TestApp(as_admin)

    def upload(self, data):
        return self.app.post("/images", data, headers=OCTET, status=201).json["image"]

    def point(self, image_id, location):
        """What only a bent registry could do: give an image another location."""
        self.registry.update_image(recovery.service_context(), image_id, {"location": location})


@pytest.fixture
def api(tmp_path):
    return Api(tmp_path)


def test_an_image_pointing_at_another_images_file_is_not_served(api):
    mine = api.upload(b"mine")
    theirs = api.upload(b"their private data")
    api.point(mine["id"], theirs["location"])
    res = api.app.get(f"/images/{mine['id']}", status=403)
    assert b"private" not in res.body and api.datadir.encode() not in res.body
    assert res.json["error"]["type"] == "auth.forbidden" and str(mine["id"]) in res.json["error"]["message"]


def test_a_range_of_another_images_file_is_not_served(api):
    mine = api.upload(b"mine")
    theirs = api.upload(b"their private data")
    api.point(mine["id"], theirs["location"])
    api.app.get(f"/images/{mine['id']}", headers={"Range": "bytes=2-"}, status=403)


def test_deleting_an_image_pointing_at_another_images_file_keeps_that_file(api, caplog):
    mine = api.upload(b"mine")
    theirs = api.upload(b"their private data")
    api.point(mine["id"], theirs["location"])
    with caplog.at_level(logging.WARNING, logger="glance.api.v1.saving"):
        api.app.delete(f"/images/{mine['id']}", status=200)
    assert api.app.get(f"/images/{theirs['id']}").body == b"their private data"
    assert sorted(os.listdir(api.datadir)) == sorted([str(mine["id"]), str(theirs["id"])])
    assert f"could not remove the data of image {mine['id']}" in caplog.text


@pytest.mark.parametrize("location", ["file:///etc/passwd", "file:///{datadir}/../glance.sqlite",
                                      "file://otherhost/{datadir}/1"])
def test_an_image_pointing_outside_the_store_is_not_served(api, location):
    mine = api.upload(b"mine")
    api.point(mine["id"], location.format(datadir=api.datadir.lstrip("/")))
    res = api.app.get(f"/images/{mine['id']}", status=403)
    assert b"/etc" not in res.body and b"sqlite" not in res.body


def test_an_origin_failure_names_the_image_and_logs_the_origin(tmp_path, caplog):
    api = Api(tmp_path, http_store_read_timeout="1")
    with Origin() as origin:
        url = origin.url("/status/404?token=abc")
        image = api.app.post("/images", status=201, headers={
            "x-image-meta-location": url, "x-image-meta-size": "5"}).json["image"]
        with caplog.at_level(logging.WARNING, logger="glance.common.faults"):
            res = api.app.get(f"/images/{image['id']}", status=502)
    document = res.json
    assert document["error"]["type"] == "store.origin_unavailable"
    assert document["error"]["message"] == f"the image's origin is unavailable (image {image['id']})"
    assert str(origin.port) not in res.text and "status" not in res.text
    assert f"127.0.0.1:{origin.port}/status/404 answered 404" in caplog.text
    assert "abc" not in caplog.text         # the query string may carry a signature


def test_a_location_refused_at_registration_is_not_echoed(tmp_path):
    api = Api(tmp_path, auth_strategy="token")
    res = api.app.post("/images", status=400, headers={
        "x-image-meta-location": "http://169.254.169.254/latest/meta-data/iam"})
    assert "169.254" not in res.text and "latest" not in res.text


def test_a_detail_is_logged_escaped_and_never_sent(caplog):
    exc = exception.StoreError("the store failed", detail="at /srv/images/5\r\nFAKE LINE\x1b[31m")
    started = []
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/images/5\r\nX"}
    with caplog.at_level(logging.WARNING, logger="glance.common.faults"):
        body = b"".join(faults.error_response(environ, lambda *a: started.append(a), exc))
    assert b"/srv" not in body and b"FAKE" not in body
    assert "at /srv/images/5\\x0d\\x0aFAKE LINE\\x1b[31m" in caplog.text
    assert "/images/5\\x0d\\x0aX" in caplog.text
    assert "\r" not in caplog.text.rstrip("\n") and "\x1b" not in caplog.text
