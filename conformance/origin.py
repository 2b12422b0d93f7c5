"""A tiny origin HTTP server with known bytes, for the http-location checks.

It runs in a thread on an ephemeral port and remembers who asked for what,
so the suite can tell "the server cannot reach this origin" (skip, with the
reason) from "the server reached it and got it wrong" (fail).
"""

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):  # quiet: the suite reports what matters
        pass

    def _answer(self, send_body):
        origin = self.server.origin
        origin.hits.append((self.command, self.path, self.client_address[0]))
        blob = origin.blobs.get(self.path.split("?")[0])
        if blob is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data, with_length = blob
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if with_length is True:
            self.send_header("Content-Length", str(len(data)))
        elif with_length:  # a declared length other than the data's (see `add`)
            self.send_header("Content-Length", str(with_length))
        self.end_headers()
        if send_body:
            self.wfile.write(data)

    def do_GET(self):
        self._answer(True)

    def do_HEAD(self):
        self._answer(False)


class Origin:
    def __init__(self, host="127.0.0.1", advertise=None):
        self.hits = []
        self.blobs = {}
        self.server = ThreadingHTTPServer((host, 0), _Handler)
        self.server.daemon_threads = True
        self.server.origin = self
        self.host = advertise or host
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True,
                                       name="conformance-origin")
        self.thread.start()

    def add(self, path, data, with_length=True):
        """Serve `data` at `path`; without a length the answer is closed-delimited.

        An integer `with_length` is declared as the Content-Length whatever the
        data (a huge image whose bytes nobody downloads)."""
        self.blobs[path] = (data, with_length)
        return f"http://{self.host}:{self.port}{path}", hashlib.md5(data).hexdigest()

    def hits_for(self, path):
        return [h for h in self.hits if h[1].split("?")[0] == path]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
