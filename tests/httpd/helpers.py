"""What the socket tests of the server share: a server on a free port and
a client that speaks HTTP by hand."""

import http.client
import io
import os
import socket
import threading

from glance.httpd.server import WSGIServer

TIMEOUT = 10    # seconds; only to keep a broken server from hanging the suite
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class running:
    """A server on a free loopback port, serving from a background thread.

    Clients made with `connect()` (raw) and `http()` (http.client) are
    closed before the server shuts down, as real clients would be.
    """

    def __init__(self, app, **options):
        options.setdefault("max_connections_per_address", 0)
        self.server = WSGIServer(app, bind_port=0, **options)
        self.address = self.server.server_address
        self.clients = []

    def __enter__(self):
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def connect(self, source=None, receive_buffer=None):
        """A raw client, from the loopback address `source` if given (with
        a small SO_RCVBUF of `receive_buffer` bytes, to stall a download)."""
        self.clients.append(RawClient(self.address, source, receive_buffer))
        return self.clients[-1]

    def http(self):
        self.clients.append(http.client.HTTPConnection(*self.address, timeout=TIMEOUT))
        return self.clients[-1]

    def __exit__(self, *exc_info):
        for client in self.clients:
            client.close()
        self.server.shutdown()
        self.thread.join(TIMEOUT)
        assert not self.thread.is_alive()


class RawClient:
    """A socket speaking HTTP by hand, to send what http.client never would."""

    def __init__(self, address, source=None, receive_buffer=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.settimeout(TIMEOUT)
        if receive_buffer:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        if source:
            self.sock.bind((source, 0))
        self.sock.connect(address)
        self.rfile = self.sock.makefile("rb")

    def send(self, data):
        self.sock.sendall(data)

    def response(self, head=False):
        status_line = self.rfile.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection")
        headers = {}
        while (line := self.rfile.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        status = int(status_line.split()[1])
        if head or status in (100, 204, 304):
            body = b""
        elif "content-length" in headers:
            body = self.rfile.read(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            body = self._chunked()
        else:
            body = self.rfile.read()
        return status, headers, body

    def _chunked(self):
        parts = []
        while size := int(self.rfile.readline().split(b";")[0], 16):
            parts.append(self.rfile.read(size))
            assert self.rfile.readline() == b"\r\n"
        while self.rfile.readline() not in (b"\r\n", b""):
            pass
        return b"".join(parts)

    def closed_by_server(self):
        return self.rfile.read() == b""

    def close(self):
        self.rfile.close()
        self.sock.close()


def request(method, path, body=None, headers=None):
    head = [f"{method} {path} HTTP/1.1", "Host: test"]
    head += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + (body or b"")


def chunked(data, size):
    out = io.BytesIO()
    for start in range(0, len(data), size) if size else ():
        piece = data[start:start + size]
        out.write(b"%x\r\n%s\r\n" % (len(piece), piece))
    out.write(b"0\r\n\r\n")
    return out.getvalue()


def fetch(server, path="/"):
    conn = server.http()
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read()


def serving_port(stderr, host="127.0.0.1"):
    """The port of the banner `glance: serving on http://<host>:<port>`,
    read from a server's stderr past the lines before it (noauth says what
    it is first)."""
    for line in stderr:
        if line.startswith("glance: serving on"):
            assert line.startswith(f"glance: serving on http://{host}:"), line
            return int(line.rsplit(":", 1)[1])
    raise AssertionError("the server ended without its banner")
