"""The README's curl walk-through, over real HTTP, both servers as processes.

The registry and the API run from paste.ini as separate processes; the API
talks to the registry over HTTP.  Requests are made with http.client exactly
as the README's curl commands make them.
"""

import hashlib
import http.client
import json
import os

import pytest

pytestmark = pytest.mark.functional

DATA = os.urandom(300_000)


def request(services, method, path, body=None, headers=None, host=None):
    connection = http.client.HTTPConnection(services.api_host, services.api_port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def image(services):
    status, headers, body = request(services, "POST", "/images", DATA, {
        "x-image-meta-name": "Ubuntu", "x-image-meta-is_public": "true",
        "x-image-meta-disk_format": "raw", "x-image-meta-container_format": "bare",
        "Content-Type": "application/octet-stream"})
    assert status == 201, body
    return json.loads(body)["image"]


def test_versions(services):
    status, headers, body = request(services, "GET", "/")
    assert status == 300
    assert [(v["id"], v["status"]) for v in json.loads(body)["versions"]] == [
        ("v2.6", "CURRENT"), *((f"v2.{n}", "SUPPORTED") for n in range(5, -1, -1)),
        ("v1.1", "DEPRECATED"), ("v1.0", "DEPRECATED")]
    status, _, body = request(services, "GET", "/versions")
    assert status == 200 and body.startswith(b'{"versions": [{"id": "v2.6"')


def test_upload_is_active_with_true_size_and_checksum(image):
    assert image["status"] == "active"
    assert image["size"] == len(DATA)
    assert image["checksum"] == hashlib.md5(DATA).hexdigest()


def test_image_is_listed_briefly_and_in_detail(services, image):
    listed = json.loads(request(services, "GET", "/images")[2])["images"]
    assert image["id"] in [entry["id"] for entry in listed]
    detailed = json.loads(request(services, "GET", "/v1/images/detail")[2])["images"]
    [entry] = [e for e in detailed if e["id"] == image["id"]]
    assert entry["uri"].endswith(f"/v1/images/{image['id']}")


def test_head_gives_metadata_headers(services, image):
    status, headers, body = request(services, "HEAD", f"/images/{image['id']}")
    assert status == 200 and body == b""
    assert headers["x-image-meta-name"] == "Ubuntu"
    assert headers["x-image-meta-size"] == str(len(DATA))


def test_get_streams_the_data(services, image):
    status, headers, body = request(services, "GET", f"/images/{image['id']}")
    assert status == 200
    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["Content-Length"] == str(len(DATA))
    assert body == DATA


def test_chunked_upload(services):
    def chunks():
        for start in range(0, len(DATA), 65536):
            yield DATA[start:start + 65536]
    connection = http.client.HTTPConnection(services.api_host, services.api_port, timeout=30)
    connection.request("POST", "/images", body=chunks(), encode_chunked=True,
                       headers={"Content-Type": "application/octet-stream",
                                "Transfer-Encoding": "chunked"})
    response = connection.getresponse()
    image = json.loads(response.read())["image"]
    assert response.status == 201
    assert image["checksum"] == hashlib.md5(DATA).hexdigest()


def test_update_then_delete(services):
    status, _, body = request(services, "POST", "/images", headers={"x-image-meta-name": "tmp"})
    image_id = json.loads(body)["image"]["id"]
    status, _, body = request(services, "PUT", f"/images/{image_id}",
                              headers={"x-image-meta-property-distro": "ubuntu"})
    assert status == 200
    assert json.loads(body)["image"]["properties"] == {"distro": "ubuntu"}
    assert request(services, "DELETE", f"/images/{image_id}")[0] == 200
    assert request(services, "HEAD", f"/images/{image_id}")[0] == 404
    assert request(services, "DELETE", f"/images/{image_id}")[0] == 404


def test_registry_answers_json_directly(services, image):
    import urllib.request
    with urllib.request.urlopen(f"{services.registry_url}/images/{image['id']}") as response:
        record = json.loads(response.read())["image"]
    assert record["checksum"] == image["checksum"]
    assert "uri" not in record


def test_failed_upload_over_http_leaves_killed_image_and_no_file(services):
    status, _, body = request(services, "POST", "/images", b"12345", {
        "x-image-meta-size": "9", "x-image-meta-name": "bad",
        "Content-Type": "application/octet-stream"})
    assert status == 400 and b"size" in body
    detailed = json.loads(request(services, "GET", "/images/detail?is_public=none&name=bad")[2])
    [killed] = detailed["images"]
    assert killed["status"] == "killed"
    assert str(killed["id"]) not in os.listdir(services.data_dir)
    assert not [name for name in os.listdir(services.data_dir) if name.endswith(".tmp")]
