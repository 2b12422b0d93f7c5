"""Every answer of both servers' pipelines (paste.ini) carries a fresh
`x-openstack-request-id: req-<uuid4>` (CONTRACT §6): successes, errors,
the 300 version document, HEAD, 204 and 405 included."""

import re

import pytest
import webtest
from paste.deploy import loadapp

from tests.api.conftest import PASTE_INI

REQUEST_ID = re.compile(r"req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                        r"[0-9a-f]{12}\Z")


def request_id(res):
    value = res.headers.get("x-openstack-request-id")
    assert value is not None and REQUEST_ID.match(value), res.headers
    assert res.headers["X-Request-Id"] == value
    return value


def test_every_kind_of_api_answer_carries_a_fresh_request_id(app):
    image = app.post("/v1/images", headers={"x-image-meta-name": "r"}, status=201).json["image"]
    path = f"/v1/images/{image['id']}"
    answers = [
        app.get("/v1/images", status=200),
        app.head(path, status=200),
        app.put(f"{path}/members/t1", status=204),
        app.delete(f"{path}/members/t1", status=204),
        app.get(f"{path}/members/t1", status=405),
        app.head("/v1/images/detail", status=405),
        app.get("/v1/images/00000000-0000-4000-8000-000000000000", status=404),
        app.head("/v1/images/00000000-0000-4000-8000-000000000000", status=404),
        app.post("/v1/images", headers={"x-image-meta-min_disk": "-1"}, status=400),
        app.get("/v9/images", status=300),
        app.get("/", status=300),
        app.get("/versions", status=200),
    ]
    ids = [request_id(res) for res in answers]
    assert len(set(ids)) == len(ids)


def test_a_callers_request_id_is_not_echoed(app):
    res = app.get("/v1/images", headers={"X-OpenStack-Request-ID": "req-mine"})
    assert request_id(res) != "req-mine"


@pytest.fixture
def registry(tmp_path, monkeypatch):
    monkeypatch.setenv("GLANCE_SQL_CONNECTION", f"sqlite:///{tmp_path}/glance.sqlite")
    return webtest.TestApp(loadapp("config:" + PASTE_INI, name="registry"), lint=True)


def test_the_registrys_answers_carry_one_too(registry):
    ids = [request_id(registry.get("/images", status=200)),
           request_id(registry.get("/images/nope", status=404)),
           request_id(registry.request("/images", method="PATCH", status=405))]
    assert len(set(ids)) == 3
