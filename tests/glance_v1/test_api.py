"""Glance's `glance/tests/functional/v1/test_api.py`, re-expressed over plain HTTP.

Same requests, same assertions on status, headers and bodies, one test per
upstream method (openstack/glance 9df90bd538e8, the last revision with v1).

Left out:
- test_download_non_exists_image_raises_http_forbidden: its point is step 4,
  a `download_image: "!"` rule written into the server's policy.json while
  it runs; that needs Glance's policy engine (no counterpart in our
  contract) and access to the target's configuration files.  Its other steps
  are those of test_download_non_exists_image_raises_http_not_found.
"""

import hashlib
import json
import sys

from tests.glance_v1.support import FIVE_KB, assert_headers, brief, minimal_headers

CHECKSUM_FIVE_KB = "c2e5db72bd7fd153f53ede5da5a06de3"  # md5 of 5 KiB of "*"


def _check_image_create(target, headers, status=201, image_data="*" * FIVE_KB):
    answer = target.request("POST", "/v1/images", headers, image_data)
    assert answer.status == status, answer.describe()
    return answer.text


def _assert_created(answer, image_data, name, public=True):
    assert answer.status == 201, answer.describe()
    data = answer.json()
    assert data["image"]["checksum"] == hashlib.md5(image_data).hexdigest()
    assert data["image"]["size"] == FIVE_KB
    assert data["image"]["name"] == name
    assert bool(data["image"]["is_public"]) is public
    return data


def _assert_no_images(target):
    for path in ("/v1/images", "/v1/images/detail"):
        answer = target.request("GET", path)
        assert answer.status == 200, answer.describe()
        assert answer.text == '{"images": []}'


def _assert_detail(target, expected):
    answer = target.request("GET", "/v1/images/detail")
    assert answer.status == 200, answer.describe()
    image = answer.json()["images"][0]
    for key, value in expected.items():
        assert image[key] == value, (f"For key '{key}' expected header value "
                                     f"'{value}'. Got '{image[key]}'")


def _assert_downloaded(target, image_id, image_data, public):
    answer = target.request("GET", f"/v1/images/{image_id}")
    assert answer.status == 200, answer.describe()
    assert_headers(answer, {
        "x-image-meta-id": image_id,
        "x-image-meta-name": "Image1",
        "x-image-meta-is_public": str(public),
        "x-image-meta-status": "active",
        "x-image-meta-disk_format": "raw",
        "x-image-meta-container_format": "ovf",
        "x-image-meta-size": str(FIVE_KB)})
    assert_headers(answer, {"content-length": str(FIVE_KB),
                            "content-type": "application/octet-stream"})
    assert answer.body == image_data
    assert hashlib.md5(answer.body).hexdigest() == hashlib.md5(image_data).hexdigest()


def _ids(target, path):
    answer = target.request("GET", path)
    assert answer.status == 200, answer.describe()
    return [image["id"] for image in answer.json()["images"]]


def test_checksum_32_chars_at_image_create(target):
    headers = minimal_headers("Image1")
    image_data = b"*" * FIVE_KB
    # checksum can be no longer that 32 characters (String(32))
    headers["X-Image-Meta-Checksum"] = "x" * 42
    content = _check_image_create(target, headers, 400)
    assert "Invalid checksum" in content
    # test positive case as well
    headers["X-Image-Meta-Checksum"] = hashlib.md5(image_data).hexdigest()
    _check_image_create(target, headers)


def test_param_int_too_large_at_create(target):
    # Integer field can't be greater than max 8-byte signed integer
    for param in ("min_disk", "min_ram"):
        headers = minimal_headers("Image1")
        # check that long numbers result in 400
        headers[f"X-Image-Meta-{param}"] = str(sys.maxsize + 1)
        content = _check_image_create(target, headers, 400)
        assert f"'{param}' value out of range" in content
        # check that integers over 4 byte result in 400
        headers[f"X-Image-Meta-{param}"] = str(2 ** 31)
        content = _check_image_create(target, headers, 400)
        assert f"'{param}' value out of range" in content
        # verify positive case as well
        headers[f"X-Image-Meta-{param}"] = str(2 ** 31 - 1)
        _check_image_create(target, headers)


def test_updating_is_public(target):
    _assert_no_images(target)

    image_data = b"*" * FIVE_KB
    answer = target.request("POST", "/v1/images", minimal_headers("Image1", public=False),
                            image_data)
    image_id = _assert_created(answer, image_data, "Image1", public=False)["image"]["id"]

    _assert_downloaded(target, image_id, image_data, public=False)

    answer = target.request("PUT", f"/v1/images/{image_id}", {"X-Image-Meta-is_public": "True"})
    assert answer.status == 200, answer.describe()
    is_public = answer.json()["image"]["is_public"]
    assert is_public, f"Expected image to be public but received {is_public}"

    answer = target.request("PUT", f"/v1/images/{image_id}", {"X-Image-Meta-is_public": "False"})
    assert answer.status == 200, answer.describe()
    is_public = answer.json()["image"]["is_public"]
    assert not is_public, f"Expected image to be private but received {is_public}"


def test_get_head_simple_post(target):
    """The upstream walk through steps 0-34: create, read, properties, members, filters."""
    # 0-1. no images
    _assert_no_images(target)

    # 2. POST /images, public Image1, no custom properties
    image_data = b"*" * FIVE_KB
    answer = target.request("POST", "/v1/images", minimal_headers("Image1"), image_data)
    image_id = _assert_created(answer, image_data, "Image1")["image"]["id"]
    image_path = f"/v1/images/{image_id}"

    # 3. HEAD image
    answer = target.request("HEAD", image_path)
    assert answer.status == 200, answer.describe()
    assert answer["x-image-meta-name"] == "Image1"

    # 4. GET image
    _assert_downloaded(target, image_id, image_data, public=True)

    # 5. GET /images: one public image
    answer = target.request("GET", "/v1/images")
    assert answer.status == 200, answer.describe()
    assert brief(answer.json()) == {"images": [
        {"container_format": "ovf", "disk_format": "raw", "id": image_id,
         "name": "Image1", "checksum": CHECKSUM_FIVE_KB, "size": 5120}]}

    # 6. GET /images/detail
    expected_image = {"status": "active", "name": "Image1", "deleted": False,
                      "container_format": "ovf", "disk_format": "raw", "id": image_id,
                      "is_public": True, "deleted_at": None, "properties": {},
                      "size": 5120}
    _assert_detail(target, expected_image)

    # 7. PUT image with custom properties "distro" and "arch"
    answer = target.request("PUT", image_path, {"X-Image-Meta-Property-Distro": "Ubuntu",
                                                "X-Image-Meta-Property-Arch": "x86_64"})
    assert answer.status == 200, answer.describe()
    data = answer.json()
    assert data["image"]["properties"]["arch"] == "x86_64"
    assert data["image"]["properties"]["distro"] == "Ubuntu"

    # 8. PUT image with too many custom properties (the configured limit is 10)
    headers = {f"X-Image-Meta-Property-foo{i}": "bar" for i in range(11)}
    answer = target.request("PUT", image_path, headers)
    assert answer.status == 413, answer.describe()

    # 9. GET /images/detail
    _assert_detail(target, dict(expected_image,
                                properties={"distro": "Ubuntu", "arch": "x86_64"}))

    # 10. PUT image and remove a previously existing property
    answer = target.request("PUT", image_path, {"X-Image-Meta-Property-Arch": "x86_64"})
    assert answer.status == 200, answer.describe()
    answer = target.request("GET", "/v1/images/detail")
    assert answer.status == 200, answer.describe()
    data = answer.json()["images"][0]
    assert len(data["properties"]) == 1
    assert data["properties"]["arch"] == "x86_64"

    # 11. PUT image and add a previously deleted property
    answer = target.request("PUT", image_path, {"X-Image-Meta-Property-Distro": "Ubuntu",
                                                "X-Image-Meta-Property-Arch": "x86_64"})
    assert answer.status == 200, answer.describe()
    answer = target.request("GET", "/v1/images/detail")
    assert answer.status == 200, answer.describe()
    data = answer.json()["images"][0]
    assert len(data["properties"]) == 2
    assert data["properties"]["arch"] == "x86_64"
    assert data["properties"]["distro"] == "Ubuntu"
    assert data["created_at"] != data["updated_at"]

    # 12-13. Add members pattieblack and pattiewhite
    for member in ("pattieblack", "pattiewhite"):
        answer = target.request("PUT", f"{image_path}/members/{member}")
        assert answer.status == 204, answer.describe()

    # 14. List image members
    answer = target.request("GET", f"{image_path}/members")
    assert answer.status == 200, answer.describe()
    data = answer.json()
    assert len(data["members"]) == 2
    assert data["members"][0]["member_id"] == "pattieblack"
    assert data["members"][1]["member_id"] == "pattiewhite"

    # 15. Delete image member
    answer = target.request("DELETE", f"{image_path}/members/pattieblack")
    assert answer.status == 204, answer.describe()

    # 16. Replace members with an overlimit amount (11; the limit is 10)
    memberships = [{"member_id": f"foo{i}"} for i in range(11)]
    answer = target.request("PUT", f"{image_path}/members",
                            body=json.dumps({"memberships": memberships}))
    assert answer.status == 413, answer.describe()

    # 17. Replace members with 10, then add an 11th while at the limit
    memberships = [{"member_id": f"foo{i}"} for i in range(10)]
    answer = target.request("PUT", f"{image_path}/members",
                            body=json.dumps({"memberships": memberships}))
    assert answer.status == 204, answer.describe()
    answer = target.request("PUT", f"{image_path}/members/fail_me")
    assert answer.status == 413, answer.describe()

    # 18. POST /images, public Image2 with properties distro, arch, foo
    headers = minimal_headers("Image2")
    headers["X-Image-Meta-Property-Distro"] = "Ubuntu"
    headers["X-Image-Meta-Property-Arch"] = "i386"
    headers["X-Image-Meta-Property-foo"] = "bar"
    answer = target.request("POST", "/v1/images", headers, image_data)
    data = _assert_created(answer, image_data, "Image2")
    image2_id = data["image"]["id"]
    assert data["image"]["properties"]["distro"] == "Ubuntu"
    assert data["image"]["properties"]["arch"] == "i386"
    assert data["image"]["properties"]["foo"] == "bar"

    # 19. HEAD image2
    answer = target.request("HEAD", f"/v1/images/{image2_id}")
    assert answer.status == 200, answer.describe()
    assert answer["x-image-meta-name"] == "Image2"

    # 20. GET /images: two public images, newest first
    assert _ids(target, "/v1/images") == [image2_id, image_id]

    # 21-26. Filters on user-defined properties
    assert _ids(target, "/v1/images?property-distro=Ubuntu") == [image2_id, image_id]
    assert _ids(target, "/v1/images?property-distro=fedora") == []
    assert _ids(target, "/v1/images?property-boo=bar") == []
    assert _ids(target, "/v1/images?property-arch=i386") == [image2_id]
    assert _ids(target, "/v1/images?property-arch=x86_64") == [image_id]
    assert _ids(target, "/v1/images?property-foo=bar") == [image2_id]

    # 27. DELETE image1
    answer = target.request("DELETE", image_path)
    assert answer.status == 200, answer.describe()

    # 28. List members of the deleted image
    answer = target.request("GET", f"{image_path}/members")
    assert answer.status == 404, answer.describe()

    # 29. Replace the members of the deleted image
    fixture = [{"member_id": "pattieblack", "can_share": "false"}]
    answer = target.request("PUT", f"{image_path}/members",
                            body=json.dumps({"memberships": fixture}))
    assert answer.status == 404, answer.describe()

    # 30. Add a member to the deleted image
    answer = target.request("PUT", f"{image_path}/members/chickenpattie")
    assert answer.status == 404, answer.describe()

    # 31. Delete a member of the deleted image
    answer = target.request("DELETE", f"{image_path}/members/pattieblack")
    assert answer.status == 404, answer.describe()

    # 32. DELETE image2
    answer = target.request("DELETE", f"/v1/images/{image2_id}")
    assert answer.status == 200, answer.describe()

    # 33. GET /images: none
    assert _ids(target, "/v1/images") == []

    # 34. HEAD /images/detail
    answer = target.request("HEAD", "/v1/images/detail")
    assert answer.status == 405, answer.describe()
    assert answer.get("allow") == "GET"


def test_download_non_exists_image_raises_http_not_found(target):
    # 0. POST /images, public Image1
    image_data = b"*" * FIVE_KB
    answer = target.request("POST", "/v1/images", minimal_headers("Image1"), image_data)
    image_id = _assert_created(answer, image_data, "Image1")["image"]["id"]
    image_path = f"/v1/images/{image_id}"

    # 1. HEAD image
    answer = target.request("HEAD", image_path)
    assert answer.status == 200, answer.describe()
    assert answer["x-image-meta-name"] == "Image1"

    # 2. GET /images: one public image
    answer = target.request("GET", "/v1/images")
    assert answer.status == 200, answer.describe()
    assert brief(answer.json()) == {"images": [
        {"container_format": "ovf", "disk_format": "raw", "id": image_id,
         "name": "Image1", "checksum": CHECKSUM_FIVE_KB, "size": 5120}]}

    # 3. DELETE image1
    answer = target.request("DELETE", image_path)
    assert answer.status == 200, answer.describe()

    # 4. GET image: 404
    answer = target.request("GET", image_path)
    assert answer.status == 404, answer.describe()


def test_status_cannot_be_manipulated_directly(target):
    # Create a 'queued' image
    answer = target.request("POST", "/v1/images", {
        "Content-Type": "application/octet-stream",
        "X-Image-Meta-Disk-Format": "raw",
        "X-Image-Meta-Container-Format": "bare"})
    assert answer.status == 201, answer.describe()
    image = answer.json()["image"]
    assert image["status"] == "queued"
    path = f"/v1/images/{image['id']}"

    def put_then_head(headers, status, expected_status, body=None):
        answer = target.request("PUT", path, headers, body)
        assert answer.status == status, answer.describe()
        head = target.request("HEAD", path)
        assert head.status == 200, head.describe()
        assert head["x-image-meta-status"] == expected_status
        return answer

    # The status of a 'queued' image can't be changed; 'setting' the same is allowed
    put_then_head({"X-Image-Meta-Status": "active"}, 403, "queued")
    put_then_head({"X-Image-Meta-Status": "queued"}, 200, "queued")

    # Make image active
    answer = target.request("PUT", path, {"Content-Type": "application/octet-stream"}, "data")
    assert answer.status == 200, answer.describe()
    assert answer.json()["image"]["status"] == "active"

    # The status of an 'active' image can't be changed; 'setting' the same is allowed
    put_then_head({"X-Image-Meta-Status": "queued"}, 403, "active")
    put_then_head({"X-Image-Meta-Status": "active"}, 200, "active")

    # Create a 'queued' image, ensure the 'status' header is ignored
    answer = target.request("POST", "/v1/images", {
        "Content-Type": "application/octet-stream",
        "X-Image-Meta-Status": "active"})
    assert answer.status == 201, answer.describe()
    assert answer.json()["image"]["status"] == "queued"

    # Create an 'active' image, ensure the 'status' header is ignored
    answer = target.request("POST", "/v1/images", {
        "Content-Type": "application/octet-stream",
        "X-Image-Meta-Disk-Format": "raw",
        "X-Image-Meta-Status": "queued",
        "X-Image-Meta-Container-Format": "bare"}, "data")
    assert answer.status == 201, answer.describe()
    assert answer.json()["image"]["status"] == "active"
