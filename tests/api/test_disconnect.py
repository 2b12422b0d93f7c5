"""A client that disconnects mid-body leaves a killed image and no data.

The app is called directly with a hand-made environ: WebTest would replace a
misbehaving `wsgi.input` with its own well-behaved one.
"""

import io
import json
from wsgiref.util import setup_testing_defaults

from tests.api.conftest import stored_files


class DroppingInput:
    """wsgi.input that delivers some bytes, then fails like a dropped socket."""

    def __init__(self, good_bytes):
        self.left = good_bytes
        self.read_calls = 0

    def read(self, size=-1):
        self.read_calls += 1
        if self.left <= 0:
            raise ConnectionError("peer went away")
        size = self.left if size < 0 else min(size, self.left)
        self.left -= size
        return b"x" * size


def post_raw(app, stream, length):
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/images",
               "CONTENT_TYPE": "application/octet-stream", "CONTENT_LENGTH": str(length),
               "wsgi.input": stream}
    setup_testing_defaults(environ)
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = int(status.split()[0])

    body = b"".join(app.app(environ, start_response))
    return answer["status"], json.loads(body)


def test_disconnect_mid_body_kills_image_and_removes_data(app, data_dir):
    stream = DroppingInput(3 << 20)
    status, document = post_raw(app, stream, 10 << 20)
    assert stream.read_calls > 1        # the body really was being read
    assert status == 400
    assert document["error"]["type"] == "image.upload_incomplete"
    [image] = app.get("/images/detail?is_public=none").json["images"]
    assert image["status"] == "killed"
    assert stored_files(data_dir) == []


def test_short_body_counts_as_a_disconnect(app, data_dir):
    status, document = post_raw(app, io.BytesIO(b"x" * 10), 1000)
    assert status == 400
    assert document["error"]["type"] == "image.upload_incomplete"
    [image] = app.get("/images/detail?is_public=none").json["images"]
    assert image["status"] == "killed"
    assert stored_files(data_dir) == []
