"""The remote HTTP image the copy-from tests copy, as Glance's tests served it.

Glance's `store_utils.RemoteImageHandler`: any path containing `images`
answers HEAD and GET with 5 KiB of `*` (`Content-Length` given); any other
path is 404.  Served by wsgiref on 127.0.0.1, port 0, from a thread.
"""

import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

FIVE_KB = 5 * 1024
DATA = b"*" * FIVE_KB


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    block_on_close = False


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def remote_image_app(environ, start_response):
    if "images" not in environ.get("PATH_INFO", ""):
        start_response("404 Not Found", [("Content-Length", "0")])
        return []
    start_response("200 OK", [("Content-Type", "application/octet-stream"),
                              ("Content-Length", str(len(DATA)))])
    if environ["REQUEST_METHOD"] == "HEAD":
        return iter([b""])  # an iterator, or wsgiref replaces the length with 0
    return [DATA]


class RemoteImage:
    """The origin; a context manager.  `uri(image_id)` as `get_http_uri`."""

    def __enter__(self):
        self._server = make_server("127.0.0.1", 0, remote_image_app,
                                   server_class=_Server, handler_class=_QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def uri(self, image_id):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/images/{image_id}"
