"""Log forging (issue 15 item 7) against the real servers and paste.ini's
logging: a request whose path decodes to control characters leaves one
escaped line in the access log, never a line of its own."""

import socket
import time

import pytest

pytestmark = pytest.mark.functional

FORGED = "2024-01-01 00:00:00,000 INFO glance.access: GET /v1/images/admin 200"


def send(server, target):
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        return sock.recv(64)


@pytest.mark.parametrize("which", ["api", "registry"])
def test_a_forged_line_in_the_path_stays_on_one_escaped_line(services, which):
    server = services.api if which == "api" else services.registry
    marker = f"forge-{which}"
    target = f"/images/{marker}%0d%0a" + FORGED.replace(" ", "%20") + "%1b[2K%00%c2%85"
    assert send(server, target).startswith(b"HTTP/1.1 404")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any(marker in line for line in server.lines):
        time.sleep(0.05)
    logged = [line for line in server.lines if marker in line or "GET /v1/images/admin" in line]
    assert len(logged) == 1, logged
    assert f"{marker}\\x0d\\x0a2024-01-01" in logged[0]
    assert "\\x1b[2K\\x00\u00c2\\x85" in logged[0]     # PATH_INFO is latin-1: NEL is C1
    assert not any(line.startswith("2024-01-01") for line in server.lines)
