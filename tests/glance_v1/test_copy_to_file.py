"""Glance's `glance/tests/functional/v1/test_copy_to_file.py` over plain HTTP.

Copy-from (`x-glance-api-copy-from`) into the filesystem store, from a
remote HTTP image served by `origin.RemoteImage` (upstream's
`store_utils.setup_http`).  Every upstream test is here.

Our own servers are started with `allowed_location_networks = 127.0.0.0/8`
(target.OWN_OPTIONS): the origin listens on loopback, which contract §10's
location policy refuses by default and Glance never checked.
"""

import hashlib
import tempfile

import pytest

from tests.glance_v1.origin import RemoteImage
from tests.glance_v1.support import FIVE_KB, await_status

COPIED = {"X-Image-Meta-Name": "copied",
          "X-Image-Meta-disk_format": "raw",
          "X-Image-Meta-container_format": "ovf",
          "X-Image-Meta-Is-Public": "True"}


@pytest.fixture
def remote():
    with RemoteImage() as origin:
        yield origin


def _assert_copy_downloads(target, path, data, image_data):
    answer = target.request("GET", path)
    assert answer.status == 200, answer.describe()
    assert answer["content-length"] == str(FIVE_KB)
    assert answer.body == image_data
    assert hashlib.md5(answer.body).hexdigest() == hashlib.md5(image_data).hexdigest()
    assert data["image"]["size"] == FIVE_KB
    assert data["image"]["name"] == "copied"


def test_copy_from_http_store(target, remote):
    """Ensure we can copy from an external image in HTTP store (to file)."""
    # POST /images with public image to be stored in 'file', to stand in for
    # the 'external' image
    image_data = b"*" * FIVE_KB
    answer = target.request("POST", "/v1/images", {
        "Content-Type": "application/octet-stream",
        "X-Image-Meta-Name": "external",
        "X-Image-Meta-Store": "file",
        "X-Image-Meta-disk_format": "raw",
        "X-Image-Meta-container_format": "ovf",
        "X-Image-Meta-Is-Public": "True"}, image_data)
    assert answer.status == 201, answer.describe()
    original_image_id = answer.json()["image"]["id"]

    # POST /images with public image copied from the remote image (to file)
    headers = dict(COPIED, **{"X-Glance-API-Copy-From": remote.uri(original_image_id)})
    answer = target.request("POST", "/v1/images", headers)
    assert answer.status == 201, answer.describe()
    data = answer.json()
    copy_image_id = data["image"]["id"]
    assert copy_image_id != original_image_id

    path = f"/v1/images/{copy_image_id}"
    await_status(target, path, "active")
    _assert_copy_downloads(target, path, data, image_data)

    # DELETE the original image
    answer = target.request("DELETE", f"/v1/images/{original_image_id}")
    assert answer.status == 200, answer.describe()

    # GET the copy again: it does not depend on the original
    _assert_copy_downloads(target, path, data, image_data)

    # DELETE the copy
    answer = target.request("DELETE", path)
    assert answer.status == 200, answer.describe()


def test_copy_from_http_exists(target, remote):
    """Ensure we can copy from an external image in HTTP."""
    headers = dict(COPIED, **{"X-Glance-API-Copy-From": remote.uri("foobar")})
    answer = target.request("POST", "/v1/images", headers)
    assert answer.status == 201, answer.describe()
    data = answer.json()
    assert data["image"]["status"] == "queued", answer.describe()
    path = f"/v1/images/{data['image']['id']}"

    await_status(target, path, "active")

    answer = target.request("GET", path)
    assert answer.status == 200, answer.describe()
    assert answer["content-length"] == str(FIVE_KB)
    assert answer.body == b"*" * FIVE_KB
    assert hashlib.md5(answer.body).hexdigest() == hashlib.md5(b"*" * FIVE_KB).hexdigest()

    answer = target.request("DELETE", path)
    assert answer.status == 200, answer.describe()


def test_copy_from_http_nonexistent_location_url(target, remote):
    """A copy from an http URL that answers 404 is refused with 404."""
    copy_from = remote.uri("foobar").replace("images", "snafu")
    headers = dict(COPIED, **{"X-Glance-API-Copy-From": copy_from})
    answer = target.request("POST", "/v1/images", headers)
    assert answer.status == 404, answer.describe()
    assert "HTTP datastore could not find image at URI." in answer.text


def test_copy_from_file(target):
    """Ensure we can't copy from file."""
    with tempfile.NamedTemporaryFile() as image_file:
        image_file.write(b"XXX")
        image_file.flush()
        copy_from = "file://" + image_file.name

    headers = dict(COPIED, **{"X-Glance-API-Copy-From": copy_from})
    answer = target.request("POST", "/v1/images", headers)
    assert answer.status == 400, answer.describe()
    expected = f"External sources are not supported: '{copy_from}'"
    assert expected in answer.text, f'expected "{expected}" in "{answer.text}"'


def test_copy_from_swift_config(target):
    """Ensure we can't copy from swift+config."""
    headers = dict(COPIED, **{"X-Glance-API-Copy-From": "swift+config://xxx"})
    answer = target.request("POST", "/v1/images", headers)
    assert answer.status == 400, answer.describe()
    expected = "External sources are not supported: 'swift+config://xxx'"
    assert expected in answer.text, f'expected "{expected}" in "{answer.text}"'
