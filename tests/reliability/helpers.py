"""What the reliability tests share: raw HTTP over a socket, and the invariants.

`RawConnection` sends exactly the bytes a test wants (half a body, a hostile
header) and reads answers with `http.client`'s parser.  `check_invariants()`
is the issue's list, checked against running servers: no active image whose
bytes differ from what its client sent (re-hashed), nothing `saving`, every
killed image with a reason, no temporary file, registry and store agreeing
(`glance.cmd.fsck`), and the sqlite database intact.
"""

import hashlib
import http.client
import os
import socket
import sqlite3
import time

from glance.cmd import fsck
from glance import store as store_module
from glance.client import Client
from glance.common import config
from glance.registry import ImageRegistry, RegistryClient


class RawConnection:
    """One TCP connection to a server; requests are bytes we build ourselves."""

    def __init__(self, host, port, timeout=10.0):
        self.host, self.port, self.timeout = host, port, timeout
        self.sock = socket.create_connection((host, port), timeout=timeout)

    def send(self, data):
        self.sock.sendall(data)

    def read_continue(self):
        """Read an interim `100 Continue` answer; → its status line."""
        head = b""
        while not head.endswith(b"\r\n\r\n"):
            byte = self.sock.recv(1)
            if not byte:
                raise ConnectionError("closed before 100 Continue")
            head += byte
        assert head.startswith(b"HTTP/1.1 100"), head
        return head.split(b"\r\n", 1)[0]

    def response(self, method="GET"):
        """The next answer: (status, headers dict (lower-case names), body, will_close)."""
        resp = http.client.HTTPResponse(self.sock, method=method)
        resp.begin()
        body = resp.read()
        headers = {name.lower(): value for name, value in resp.getheaders()}
        return resp.status, headers, body, resp.will_close

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def request_head(method, path, headers=(), host="glance"):
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def upload_head(length=None, name="raw", extra=(), path="/v1/images", method="POST"):
    headers = [("Content-Type", "application/octet-stream"), ("x-image-meta-name", name)]
    headers.append(("Transfer-Encoding", "chunked") if length is None
                   else ("Content-Length", str(length)))
    return request_head(method, path, headers + list(extra))


def chunk(data):
    return b"%x\r\n%s\r\n" % (len(data), data)


def md5(data):
    return hashlib.md5(data).hexdigest()


def wait_for(predicate, timeout=10.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def client_for(services):
    return Client(services.api_host, services.api_port, timeout=30)


def all_images(services):
    with client_for(services) as client:
        return list(client.iter_images_detailed(page_size=1000, is_public="none"))


def downloaded_md5(client, image_id):
    _, chunks = client.get_image(image_id)
    digest = hashlib.md5()
    for piece in chunks:
        digest.update(piece)
    return digest.hexdigest()


def registry_of(services):
    if services.registry_url:
        return RegistryClient(services.registry_url)
    return ImageRegistry.from_conf(config.load(environ={
        "GLANCE_SQL_CONNECTION": f"sqlite:///{services.db_path}"}))


def fsck_report(services):
    registry = registry_of(services)
    try:
        conf = config.load(environ={"GLANCE_FILESYSTEM_STORE_DATADIR": services.data_dir,
                                    "GLANCE_SQL_CONNECTION": f"sqlite:///{services.db_path}"})
        return fsck.check(registry, store_module.Stores(conf))
    finally:
        registry.close()


def temp_files(services):
    if not os.path.isdir(services.data_dir):
        return []
    return sorted(name for name in os.listdir(services.data_dir) if name.endswith(".tmp"))


def sqlite_ok(db_path):
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def check_invariants(services, sent=None):
    """The issue's invariants → a list of violations (empty when all hold).

    `sent` maps image name → MD5 of the bytes its client sent, for images
    whose client knows what it sent.
    """
    sent = sent or {}
    violations = []
    images = all_images(services)
    with client_for(services) as client:
        for image in images:
            where = f"image {image['id']} ({image.get('name')})"
            if image["status"] == "saving":
                violations.append(f"{where} is still saving")
            if image["status"] == "killed" and not image.get("status_reason"):
                violations.append(f"{where} was killed without a reason")
            if image["status"] != "active" or image.get("store") != "file":
                continue
            got = downloaded_md5(client, image["id"])
            if got != image["checksum"]:
                violations.append(f"{where}: data MD5 {got} != checksum {image['checksum']}")
            expected = sent.get(image.get("name"))
            if expected is not None and got != expected:
                violations.append(f"{where}: data MD5 {got} != what the client sent {expected}")
    leftovers = temp_files(services)
    if leftovers:
        violations.append(f"temporary files left: {leftovers}")
    report = fsck_report(services)
    violations += [f"fsck: {problem.kind} {problem.detail}" for problem in report.problems]
    if os.path.exists(services.db_path) and not sqlite_ok(services.db_path):
        violations.append("sqlite integrity_check failed")
    return violations
