"""Glance's `glance/tests/functional/v1/test_misc.py` over plain HTTP (both tests)."""

import hashlib
import os

import pytest

from tests.glance_v1.support import FIVE_KB, minimal_headers


def test_api_response_when_image_deleted_from_filesystem(target):
    """LP bug #781410: fail gracefully for an image whose file was removed."""
    if target.data_dir is None:
        pytest.skip("the target's store directory is unknown (GLANCE_V1_TARGET_DATADIR)")

    # 1. POST /images, public Image1
    image_data = b"*" * FIVE_KB
    answer = target.request("POST", "/v1/images", minimal_headers("Image1"), image_data)
    assert answer.status == 201, answer.describe()
    data = answer.json()
    assert data["image"]["checksum"] == hashlib.md5(image_data).hexdigest()
    assert data["image"]["size"] == FIVE_KB
    assert data["image"]["name"] == "Image1"
    assert data["image"]["is_public"]

    # 2. REMOVE the image from the filesystem
    os.remove(target.image_path(data["image"]["id"]))

    # 3. HEAD the image: still found
    answer = target.request("HEAD", f"/v1/images/{data['image']['id']}")
    assert answer.status == 200, answer.describe()
    assert answer["x-image-meta-name"] == "Image1"

    # 4. GET /images/1 (sic: upstream asks for id 1, not the image's id): 404
    answer = target.request("GET", "/v1/images/1")
    assert answer.status == 404, answer.describe()


def test_exception_not_eaten_from_registry_to_api(target):
    """LP bug #704854: a registry validation error reaches the API's client."""
    answer = target.request("GET", "/v1/images")
    assert answer.status == 200, answer.describe()
    assert answer.body == b'{"images": []}'

    answer = target.request("POST", "/v1/images", {
        "Content-Type": "application/octet-stream",
        "X-Image-Meta-Name": "ImageName",
        "X-Image-Meta-Disk-Format": "Invalid"})
    assert b"Invalid disk format" in answer.body, (
        f"Could not find 'Invalid disk format' in output: {answer.body!r}")
