"""HEAD and GET /images/<id> (CONTRACT §2, §3, §8 reading)."""

import pytest

from tests.api.conftest import md5, upload_headers


@pytest.fixture
def image(app):
    return app.post("/images", b"0123456789" * 1000, headers=upload_headers(
        name="Ubuntu", disk_format="raw", container_format="bare", is_public="true",
        property_arch="x86_64"), status=201).json["image"]


def test_head_sends_metadata_as_headers(app, image):
    res = app.head(f"/images/{image['id']}", status=200)
    assert res.body == b""
    assert res.headers["x-image-meta-id"] == str(image["id"])
    assert res.headers["x-image-meta-name"] == "Ubuntu"
    assert res.headers["x-image-meta-is_public"] == "True"
    assert res.headers["x-image-meta-size"] == "10000"
    assert res.headers["x-image-meta-status"] == "active"
    assert res.headers["x-image-meta-property-arch"] == "x86_64"
    assert res.headers["x-image-meta-uri"] == image["uri"]


def test_head_sends_etag_and_location(app, image):
    res = app.head(f"/images/{image['id']}")
    assert res.headers["ETag"].strip('"') == image["checksum"]
    assert res.headers["Location"] == image["uri"]


def test_head_of_queued_image_has_no_etag(app):
    queued = app.post("/images", status=201).json["image"]
    res = app.head(f"/images/{queued['id']}")
    assert "ETag" not in res.headers
    assert "x-image-meta-checksum" not in res.headers     # null: left out (CONTRACT §3)
    assert "x-image-meta-name" not in res.headers
    assert res.headers["x-image-meta-size"] == "0"


def test_get_streams_data_with_content_length_and_headers(app, image):
    res = app.get(f"/images/{image['id']}", status=200)
    assert res.body == b"0123456789" * 1000
    assert res.content_type == "application/octet-stream"
    assert res.headers["Content-Length"] == "10000"
    assert res.headers["x-image-meta-checksum"] == md5(res.body)


def test_get_of_queued_image_is_404_saying_no_data(app):
    queued = app.post("/images", status=201).json["image"]
    res = app.get(f"/images/{queued['id']}", status=404)
    assert "no data" in res.json["error"]["message"]


def test_get_of_killed_image_is_404(app):
    app.post("/images", b"abc", headers=upload_headers(size=2), status=400)
    image_id = app.get("/images/detail?is_public=none").json["images"][0]["id"]
    app.get(f"/images/{image_id}", status=404)


@pytest.mark.parametrize("path", ["/images/999", "/images/abc", "/images/-1",
                                  "/images/..%2F..%2Fetc", "/images/99999999999999999999999"])
def test_unknown_or_malformed_ids_are_404_json(app, path):
    res = app.get(path, status=404)
    assert res.json["error"]["type"].startswith("image.")


def test_head_of_unknown_id_is_404(app):
    app.head("/images/999", status=404)


def test_v1_prefix_serves_the_same_image_with_v1_uri(app, image):
    res = app.head(f"/v1/images/{image['id']}")
    assert res.headers["x-image-meta-uri"] == f"http://localhost/v1/images/{image['id']}"
    assert app.get(f"/v1/images/{image['id']}").body == b"0123456789" * 1000


def test_non_ascii_name_comes_back_unchanged(app):
    name = "Ubuntu – 日本語"
    created = app.post("/images", headers={"x-image-meta-name": name.encode().decode("latin-1")},
                       status=201).json["image"]
    assert created["name"] == name
    res = app.head(f"/images/{created['id']}")
    assert res.headers["x-image-meta-name"].encode("latin-1").decode() == name


def test_location_from_http_store_is_streamed(app):
    from tests.fixtureapps.origin import Origin, pattern
    with Origin() as origin:
        created = app.post("/images", headers={"x-image-meta-location": origin.url("/bytes/1200")},
                           status=201).json["image"]
        assert created["size"] == 1200
        res = app.get(f"/images/{created['id']}")
        assert res.body == pattern(1200)


def test_location_whose_origin_is_down_answers_502_json(app):
    from tests.fixtureapps.origin import Origin
    with Origin() as origin:
        created = app.post("/images", headers={"x-image-meta-location": origin.url("/status/500"),
                                               "x-image-meta-size": "10"},
                           status=201).json["image"]
        res = app.get(f"/images/{created['id']}", status=502)
        assert res.json["error"]["type"] == "store.origin_unavailable"
