"""DELETE /images/<id> (CONTRACT §2 DELETE)."""

from tests.api.conftest import stored_files, upload_headers


def test_delete_removes_data_and_hides_the_image(app, data_dir):
    image = app.post("/images", b"abc", headers=upload_headers(is_public="true"),
                     status=201).json["image"]
    res = app.delete(f"/images/{image['id']}", status=200)
    assert res.body == b""
    assert stored_files(data_dir) == []
    app.head(f"/images/{image['id']}", status=404)
    app.get(f"/images/{image['id']}", status=404)
    assert app.get("/images").json["images"] == []
    assert app.get("/images/detail?is_public=none").json["images"] == []


def test_second_delete_is_404(app):
    image = app.post("/images", status=201).json["image"]
    app.delete(f"/images/{image['id']}", status=200)
    app.delete(f"/images/{image['id']}", status=404)


def test_deleted_id_is_never_reused(app):
    image = app.post("/images", status=201).json["image"]
    app.delete(f"/images/{image['id']}")
    app.post("/images", headers={"x-image-meta-id": str(image["id"])}, status=409)
    assert app.post("/images", status=201).json["image"]["id"] != image["id"]


def test_delete_of_unknown_id_is_404(app):
    app.delete("/images/12345", status=404)


def test_delete_of_http_image_keeps_the_remote_data_alone(app):
    image = app.post("/images", headers={"x-image-meta-location": "http://93.184.215.14/x",
                                         "x-image-meta-size": "1"}, status=201).json["image"]
    app.delete(f"/images/{image['id']}", status=200)
