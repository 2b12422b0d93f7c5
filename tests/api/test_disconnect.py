"""A client that disconnects mid-body leaves a killed image and no data."""

import webtest

from tests.api.conftest import stored_files


class DroppingInput:
    """wsgi.input that delivers some bytes, then fails like a dropped socket."""

    def __init__(self, good_bytes):
        self.left = good_bytes

    def read(self, size=-1):
        if self.left <= 0:
            raise ConnectionError("peer went away")
        size = self.left if size < 0 else min(size, self.left)
        self.left -= size
        return b"x" * size


def test_disconnect_mid_body_kills_image_and_removes_data(app, data_dir):
    raw = app.app  # bypass lint: the input deliberately misbehaves
    res = webtest.TestApp(raw).post(
        "/images", headers={"Content-Type": "application/octet-stream",
                            "Content-Length": str(10 << 20)},
        extra_environ={"wsgi.input": DroppingInput(3 << 20)}, status=400)
    assert res.json["code"] == "image.upload_incomplete"
    [image] = app.get("/images/detail?is_public=none").json["images"]
    assert image["status"] == "killed"
    assert stored_files(data_dir) == []


def test_short_body_counts_as_a_disconnect(app, data_dir):
    import io
    raw = app.app
    webtest.TestApp(raw).post(
        "/images", headers={"Content-Type": "application/octet-stream",
                            "Content-Length": "1000"},
        extra_environ={"wsgi.input": io.BytesIO(b"x" * 10)}, status=400)
    [image] = app.get("/images/detail?is_public=none").json["images"]
    assert image["status"] == "killed"
    assert stored_files(data_dir) == []
