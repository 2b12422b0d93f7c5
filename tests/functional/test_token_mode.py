"""Token mode through the real servers: API → registry over HTTP with a service token."""

import http.client
import json
import os

import pytest

from glance.common import tokens
from tests.functional.services import running_services

pytestmark = pytest.mark.functional


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("token")
    token_path = str(workdir / "tokens.json")
    made = {
        "alice": tokens.create_token(token_path, "tenant-a", "alice", ["member"]),
        "bob": tokens.create_token(token_path, "tenant-b", "bob", ["member"]),
    }
    env = {"GLANCE_AUTH_STRATEGY": "token", "GLANCE_AUTH_TOKENS_FILE": token_path,
           "GLANCE_SERVICE_TOKEN": "service-" + os.urandom(8).hex()}
    with running_services(workdir, extra_env=env) as services:
        yield services, made


def call(host, port, method, path, token=None, body=None, headers=None):
    connection = http.client.HTTPConnection(host, port, timeout=30)
    all_headers = dict(headers or {})
    if token:
        all_headers["X-Auth-Token"] = token
    connection.request(method, path, body=body, headers=all_headers)
    response = connection.getresponse()
    result = response.status, dict(response.getheaders()), response.read()
    connection.close()
    return result


def test_owner_uploads_and_reads_a_private_image_others_cannot_see(deployment):
    services, made = deployment
    api = (services.api_host, services.api_port)
    status, _, body = call(*api, "POST", "/images", made["alice"], b"alice-data", {
        "Content-Type": "application/octet-stream", "x-image-meta-name": "a"})
    assert status == 201, body
    image = json.loads(body)["image"]
    assert image["owner"] == "tenant-a" and "location" not in image
    status, headers, body = call(*api, "GET", f"/images/{image['id']}", made["alice"])
    assert status == 200 and body == b"alice-data"
    assert "x-image-meta-location" not in headers
    assert call(*api, "GET", f"/images/{image['id']}", made["bob"])[0] == 404
    assert call(*api, "GET", f"/images/{image['id']}")[0] == 401


def test_registry_refuses_forged_identity(deployment):
    services, _ = deployment
    host, port = services.registry_url.rsplit("/", 1)[-1].split(":")
    status, headers, _ = call(host, int(port), "GET", "/images/detail?is_public=none",
                              headers={"X-Tenant-Id": "x", "X-Roles": "admin"})
    assert status == 401
    status, _, _ = call(host, int(port), "GET", "/images", headers={
        "X-Service-Token": "wrong", "X-Roles": "admin"})
    assert status == 401
