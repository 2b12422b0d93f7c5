"""A prefork worker killed in the middle of an upload: the master replaces
it and kills that upload's image at once, without a restart of the node,
while the other worker's uploads go on."""

import http.client
import json
import os
import signal
import socket
import time

import pytest

from tests.httpd.test_prefork import children as workers
from tests.httpd.test_prefork import wait_for as wait_until
from tests.functional.services import running_services

pytestmark = [pytest.mark.functional,
              pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="reads /proc")]
TIMEOUT = 20


def start_upload(services, name):
    """A chunked upload that sends one chunk and then waits: (socket, pid
    of the worker serving it)."""
    before = {pid: connections(pid) for pid in workers(services.api.process.pid)}
    sock = socket.create_connection((services.api_host, services.api_port), timeout=TIMEOUT)
    sock.sendall((f"POST /images HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                  f"Content-Type: application/octet-stream\r\nx-image-meta-name: {name}\r\n"
                  "\r\n").encode() + b"100000\r\n" + os.urandom(1 << 20) + b"\r\n")
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        for pid, sockets in before.items():
            if connections(pid) - sockets:
                return sock, pid
        time.sleep(0.02)
    raise AssertionError("no worker took the upload's connection")


def connections(pid):
    """Inodes of the TCP sockets a process holds."""
    found = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:"):
            found.add(target)
    return found


def images(services):
    """The images by name.  Once more on a reset: a connection the kernel
    queued for the worker just killed is reset with it."""
    for attempt in range(3):
        conn = http.client.HTTPConnection(services.api_host, services.api_port,
                                          timeout=TIMEOUT)
        try:
            conn.request("GET", "/images/detail?is_public=none")
            return {image["name"]: image
                    for image in json.loads(conn.getresponse().read())["images"]}
        except ConnectionError:
            if attempt == 2:
                raise
        finally:
            conn.close()


def wait_for(predicate):
    return wait_until(predicate, TIMEOUT)


def test_a_killed_workers_upload_is_killed_and_the_others_go_on(tmp_path):
    with running_services(tmp_path, in_process_registry=True) as services:
        master = services.api.process.pid
        assert wait_for(lambda: len(workers(master)) == 2)
        first, first_pid = start_upload(services, "doomed")
        assert wait_for(lambda: images(services).get("doomed", {}).get("status") == "saving")
        others = [pid for pid in workers(master) if pid != first_pid]
        second = second_pid = survivor = None
        for attempt in range(20):   # the kernel picks the worker: retry until the other one
            name = f"survivor-{attempt}"
            sock, pid = start_upload(services, name)
            if pid != first_pid:
                second, second_pid, survivor = sock, pid, name
                break
            sock.close()
        if second is None:
            pytest.skip("every connection went to the same worker")
        assert wait_for(lambda: images(services).get(survivor, {}).get("status") == "saving")

        os.kill(first_pid, signal.SIGKILL)
        assert wait_for(lambda: images(services)["doomed"]["status"] == "killed"), \
            services.api.output()
        doomed = images(services)["doomed"]
        # Why, without naming the host or the process (issue 15, item 15).
        assert doomed["status_reason"].startswith("upload interrupted")
        assert str(first_pid) not in doomed["status_reason"]
        assert not [name for name in os.listdir(services.data_dir)
                    if name.startswith(f".{doomed['id']}.")]     # its temp file is gone
        assert wait_for(lambda: len(workers(master)) == 2 and first_pid not in workers(master))
        assert second_pid in workers(master) and others == [second_pid]

        second.sendall(b"0\r\n\r\n")        # the survivor's upload ends normally
        answer = second.recv(65536)
        assert answer.startswith(b"HTTP/1.1 201")
        assert images(services)[survivor]["status"] == "active"
        first.close()
        second.close()
