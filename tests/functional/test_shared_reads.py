"""The README's layout with two API servers on one registry process: each API
reads images from the registry's database itself (shared reads), and what
one API server writes through the registry the other reads at once; an API
whose sql_connection is another database reads over HTTP, and just as
correctly (glance/registry/shared.py)."""

import http.client
import json
import os
import time

import pytest

from tests.functional.services import PASTE_INI, ServerProcess, Services, command

pytestmark = pytest.mark.functional

SHARED = "image reads go to the registry's database"
OVER_HTTP = "image reads go to the registry at"


def call(server, method, path, headers=None):
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@pytest.fixture
def two_apis(tmp_path):
    """(services, second API): one registry, two API processes; the second
    one's database is `elsewhere.sqlite` when the test asks for it."""
    services = Services(tmp_path, extra_env={"GLANCE_SERVICE_TOKEN": "t0ken"}).start()
    started = []
    try:
        def second(sql_connection=None):
            env = dict(services.env, GLANCE_REGISTRY_URL=services.registry_url)
            if sql_connection:
                env["GLANCE_SQL_CONNECTION"] = sql_connection
            api = ServerProcess(command("glance-api") + ["--config", PASTE_INI, "--port", "0"],
                                env, "second api").wait_serving()
            started.append(api)
            return api
        yield services, second
    finally:
        for api in started:
            api.stop()
        services.stop()


def logged(api, text, timeout=10):
    """Whether `api` wrote `text` to its log (read by a thread: wait a little)."""
    deadline = time.monotonic() + timeout
    while text not in api.output():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def create(api, name):
    status, _, body = call(api, "POST", "/images", {
        "x-image-meta-name": name, "x-image-meta-is_public": "true"})
    assert status == 201, body
    return json.loads(body)["image"]["id"]


def test_what_one_api_writes_the_other_reads_at_once(two_apis):
    services, second = two_apis
    first, other = services.api, second()
    image_id = create(first, "one")
    status, headers, _ = call(other, "HEAD", f"/images/{image_id}")
    assert status == 200 and headers["x-image-meta-name"] == "one"
    status, _, _ = call(other, "PUT", f"/images/{image_id}", {"x-image-meta-name": "two"})
    assert status == 200
    assert call(first, "HEAD", f"/images/{image_id}")[1]["x-image-meta-name"] == "two"
    names = [image["name"] for image in json.loads(call(first, "GET", "/images")[2])["images"]]
    assert names == ["two"]
    assert call(first, "DELETE", f"/images/{image_id}")[0] == 200
    assert call(other, "HEAD", f"/images/{image_id}")[0] == 404
    assert json.loads(call(other, "GET", "/images/detail")[2])["images"] == []
    for api in (first, other):
        assert logged(api, SHARED) and OVER_HTTP not in api.output()


def test_an_api_on_another_database_reads_over_http(two_apis, tmp_path):
    services, second = two_apis
    elsewhere = tmp_path / "elsewhere.sqlite"
    other = second(f"sqlite:///{elsewhere}")
    image_id = create(services.api, "remote")
    assert call(other, "HEAD", f"/images/{image_id}")[1]["x-image-meta-name"] == "remote"
    assert logged(other, OVER_HTTP) and SHARED not in other.output()
    assert not os.path.exists(elsewhere)        # never created to be read
