"""A v1 image API that knows one image with many properties (issue 15 item 14).

`CrowdedImage(properties=300)` serves on 127.0.0.1 (port 0, a thread per
request).  `HEAD` and `GET /v1/images/1` answer with the image's metadata as
`x-image-meta-*` headers -- one `x-image-meta-property-p<i>` per property,
far over http.client's limit of 100 header lines -- and GET with `DATA`.
Any other path is 404.
"""

import hashlib
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

DATA = b"crowded image data"


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    block_on_close = False


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class CrowdedImage:
    def __init__(self, properties=300):
        self.properties = {f"p{i}": f"value {i}" for i in range(properties)}
        self._server = self._thread = None

    @property
    def port(self):
        return self._server.server_address[1]

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

    def __enter__(self):
        self._server = make_server("127.0.0.1", 0, self.app, server_class=_Server,
                                   handler_class=_QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
