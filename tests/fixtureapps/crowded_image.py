"""A v1 image API that knows one image with many properties (issue 15 item 14).

`CrowdedImage(properties=300)` is an `Origin` (127.0.0.1, port 0, a thread
per request) whose app answers `HEAD` and `GET /v1/images/1` with the
image's metadata as `x-image-meta-*` headers -- one
`x-image-meta-property-p<i>` per property, far over http.client's limit of
100 header lines -- and GET with `DATA`.  Any other path is 404.
"""

import hashlib

from tests.fixtureapps.origin import Origin

DATA = b"crowded image data"


class CrowdedImage(Origin):
    def __init__(self, properties=300):
        super().__init__()
        self.properties = {f"p{i}": f"value {i}" for i in range(properties)}

    def headers(self):
        return [("x-image-meta-id", "1"), ("x-image-meta-name", "crowded"),
                ("x-image-meta-status", "active"), ("x-image-meta-size", str(len(DATA))),
                ("x-image-meta-checksum", hashlib.md5(DATA).hexdigest()),
                *[(f"x-image-meta-property-{key}", value)
                  for key, value in self.properties.items()]]

    def app(self, environ, start_response):
        if environ.get("PATH_INFO") != "/v1/images/1":
            start_response("404 Not Found", [("Content-Length", "0")])
            return [b""]
        start_response("200 OK", self.headers() + [
            ("Content-Type", "application/octet-stream"), ("Content-Length", str(len(DATA)))])
        return [b"" if environ["REQUEST_METHOD"] == "HEAD" else DATA]
