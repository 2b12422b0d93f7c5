"""POST /images (CONTRACT §2 POST, §8 create)."""

import io
import re

import pytest

from tests.api.conftest import location_scheme, md5, stored_files, upload_headers

EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"


def all_images(app):
    return app.get("/images/detail?is_public=none").json["images"]


def test_metadata_only_image_is_queued_with_size_zero(app):
    res = app.post("/images", headers={"x-image-meta-name": "n", "x-image-meta-size": "99"},
                   status=201)
    image = res.json["image"]
    assert (image["status"], image["size"], image["name"]) == ("queued", 0, "n")
    assert res.content_type == "application/json"
    assert res.headers["Location"] == image["uri"] == f"http://localhost/images/{image['id']}"


def test_upload_makes_an_active_image_with_true_size_and_md5(app, data_dir):
    data = b"x" * 100_000
    res = app.post("/images", data, headers=upload_headers(name="u", is_public="true"),
                   status=201)
    image = res.json["image"]
    assert image["status"] == "active"
    assert image["size"] == len(data)
    assert image["checksum"] == md5(data)
    assert image["store"] == location_scheme(data_dir)
    assert image["location"].startswith(location_scheme(data_dir) + "://")
    assert res.headers["ETag"].strip('"') == md5(data)
    assert stored_files(data_dir) == [str(image["id"])]


def test_upload_records_sha256_too(app):
    import hashlib
    image = app.post("/images", b"abc", headers=upload_headers(), status=201).json["image"]
    assert image["os_hash_algo"] == "sha256"
    assert image["os_hash_value"] == hashlib.sha256(b"abc").hexdigest()


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
CHOSEN = "6f1d3a6e-52c4-4d2a-9d0e-1b7f2a3c4d5e"


def test_ids_are_fresh_uuids(app):
    first = app.post("/images", status=201).json["image"]["id"]
    second = app.post("/images", status=201).json["image"]["id"]
    assert UUID.match(first) and UUID.match(second) and first != second


def test_client_may_choose_the_id(app):
    assert app.post("/images", headers={"x-image-meta-id": CHOSEN},
                    status=201).json["image"]["id"] == CHOSEN


def test_taken_id_is_409(app):
    app.post("/images", headers={"x-image-meta-id": CHOSEN}, status=201)
    res = app.post("/images", headers={"x-image-meta-id": CHOSEN}, status=409)
    assert res.json["error"]["type"] == "image.duplicate"


def test_wrong_content_type_is_400_and_leaves_no_record(app, data_dir):
    res = app.post("/images", b"data", headers={"Content-Type": "text/plain"}, status=400)
    assert "application/octet-stream" in res.json["error"]["message"]
    assert all_images(app) == []
    assert stored_files(data_dir) == []


def test_unknown_store_is_400_and_leaves_no_record(app):
    res = app.post("/images", b"data", headers=upload_headers(store="floppy"), status=400)
    assert "floppy" in res.json["error"]["message"]
    assert all_images(app) == []


def test_invalid_disk_format_is_400_naming_it(app):
    res = app.post("/images", headers={"x-image-meta-disk_format": "qcow3"}, status=400)
    assert "qcow3" in res.json["error"]["message"]
    assert all_images(app) == []


def test_invalid_format_with_data_leaves_no_record(app, data_dir):
    app.post("/images", b"abc", headers=upload_headers(disk_format="qcow3"), status=400)
    assert all_images(app) == [] and stored_files(data_dir) == []


def test_ami_formats_must_match(app):
    res = app.post("/images", headers={"x-image-meta-disk_format": "ami",
                                       "x-image-meta-container_format": "bare"}, status=400)
    assert "Invalid mix of disk and container formats" in res.json["error"]["message"]


def test_size_mismatch_is_400_and_image_killed_without_data(app, data_dir):
    res = app.post("/images", b"12345", headers=upload_headers(size=4), status=400)
    assert "size" in res.json["error"]["message"]
    [image] = all_images(app)
    assert image["status"] == "killed"
    assert stored_files(data_dir) == []


def test_checksum_mismatch_is_400_and_image_killed_without_data(app, data_dir):
    res = app.post("/images", b"12345", headers=upload_headers(checksum="0" * 32), status=400)
    assert "checksum" in res.json["error"]["message"]
    [image] = all_images(app)
    assert image["status"] == "killed"
    assert stored_files(data_dir) == []


@pytest.mark.parametrize("checksum, words", [
    ("x" * 42, "can't exceed 32 characters"), ("a" * 33, "can't exceed 32 characters"),
    ("g" * 32, "is not hexadecimal"), ("md5:abc", "is not hexadecimal")])
def test_a_malformed_checksum_is_400_before_the_body_and_no_record(app, data_dir, checksum,
                                                                   words):
    res = app.post("/images", b"12345", headers=upload_headers(checksum=checksum), status=400)
    assert res.json["error"]["message"] == f"Invalid checksum '{checksum}': {words}"
    assert all_images(app) == [] and stored_files(data_dir) == []


@pytest.mark.parametrize("value", ["None", "none", ""])
def test_none_or_empty_typed_headers_mean_not_given(app, value):
    """glanceclient sends `x-image-meta-is_public: None` when the user chose nothing."""
    image = app.post("/images", headers={
        "x-image-meta-is_public": value, "x-image-meta-deleted": value,
        "x-image-meta-size": value, "x-image-meta-id": value}, status=201).json["image"]
    assert (image["is_public"], image["deleted"], image["size"]) == (False, False, 0)


def test_a_body_with_a_location_is_400_and_no_record(app):
    app.post("/images", b"abc", headers={**upload_headers(),
                                         "x-image-meta-location": "http://93.184.215.14/i"},
             status=400)
    assert all_images(app) == []


def test_a_status_sent_on_create_is_ignored(app):
    image = app.post("/images", headers={"x-image-meta-status": "active"}).json["image"]
    assert image["status"] == "queued"


def test_checksum_compares_case_insensitively(app):
    app.post("/images", b"abc", headers=upload_headers(checksum=md5(b"abc").upper()),
             status=201)


def test_empty_chunked_body_is_a_zero_byte_upload(app):
    headers = upload_headers()
    headers["Transfer-Encoding"] = "chunked"
    res = app.post("/images", headers=headers, status=201,
                   extra_environ={"wsgi.input": io.BytesIO(b""), "CONTENT_LENGTH": ""})
    image = res.json["image"]
    assert (image["status"], image["size"], image["checksum"]) == ("active", 0, EMPTY_MD5)


def test_server_controlled_fields_are_ignored(app):
    # `owner` too, from a non-admin: test_glance_v1_rules.py (noauth callers are admins).
    image = app.post("/images", headers={
        "x-image-meta-status": "active", "x-image-meta-checksum": "abc",
        "x-image-meta-deleted": "true",
        "x-image-meta-created_at": "1999-01-01T00:00:00"}, status=201).json["image"]
    assert image["status"] == "queued"
    assert image["checksum"] is None
    assert image["deleted"] is False
    assert image["created_at"] != "1999-01-01T00:00:00"
    assert image["created_at"] == image["updated_at"]


def test_properties_are_stored(app):
    image = app.post("/images", headers={"x-image-meta-property-Distro-Name": "Ubuntu"},
                     status=201).json["image"]
    assert image["properties"] == {"distro_name": "Ubuntu"}


def test_file_location_from_a_client_is_refused(app):
    res = app.post("/images", headers={"x-image-meta-location": "file:///etc/passwd"},
                   status=400)
    assert "http" in res.json["error"]["message"]
    assert all_images(app) == []


def test_data_and_location_together_are_refused(app):
    app.post("/images", b"abc", headers=upload_headers(location="http://93.184.215.14/x"),
             status=400)
    assert all_images(app) == []


def test_location_with_size_is_active_at_once(app):
    image = app.post("/images", headers={"x-image-meta-location": "http://93.184.215.14/a.img",
                                         "x-image-meta-size": "123"},
                     status=201).json["image"]
    assert (image["status"], image["size"], image["store"]) == ("active", 123, "http")
    assert image["checksum"] is None


def test_declared_size_over_the_cap_is_413_before_any_record(tmp_path, monkeypatch, app):
    from paste.deploy import loadapp
    import webtest
    from tests.api.conftest import PASTE_INI
    monkeypatch.setenv("GLANCE_IMAGE_SIZE_CAP", "10")
    capped = webtest.TestApp(loadapp("config:" + PASTE_INI, name="main"))
    capped.post("/images", b"x" * 11, headers=upload_headers(), status=413)
    assert all_images(app) == []


def test_negative_size_header_is_400(app):
    res = app.post("/images", headers={"x-image-meta-size": "-1"}, status=400)
    assert res.json["error"]["type"] == "image.invalid"
