"""`ScriptedPeer`: a tiny HTTP/1.1 server on a free loopback port whose every
answer the test decides, for the client's and the CLI's HTTP behaviour
(keep-alive, chunked uploads, error mapping, checksums, broken connections)."""

import http.server
import json
import socket
import threading

from glance import client as gc


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ScriptedPeer:
    """HTTP/1.1 on a free loopback port.  `answer(request)` returns
    (status, headers, body) or, to break the connection after sending part
    of the body, (status, headers, body, "drop")."""

    def __init__(self, answer):
        self.answer = answer
        self.requests = []
        self.client_ports = []
        peer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _any(self):
                peer.client_ports.append(self.client_address[1])
                body = self._body()
                request = {"method": self.command, "path": self.path,
                           "headers": self.headers, "body": body}
                peer.requests.append(request)
                status, headers, payload, *drop = peer.answer(request)
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                if not any(n.lower() == "content-length" for n, _ in headers):
                    self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)
                self.wfile.flush()
                if drop:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)

            def _body(self):
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    data = b""
                    while True:
                        size = int(self.rfile.readline().split(b";")[0], 16)
                        chunk = self.rfile.read(size + 2)[:size]
                        if size == 0:
                            return data
                        data += chunk
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = _any

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def client(self, **kwargs):
        return gc.Client("127.0.0.1", self.port, timeout=5, **kwargs)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


IMAGE_JSON = json.dumps({"image": {"id": 1, "properties": {}}}).encode()
JSON = [("Content-Type", "application/json")]


def image_answer(data, checksum):
    return (200, [("x-image-meta-id", "1"), ("x-image-meta-checksum", checksum),
                  ("x-image-meta-size", str(len(data))),
                  ("Content-Type", "application/octet-stream")], data)
