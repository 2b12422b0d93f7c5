"""A 2 GiB image goes up and comes back through the real servers with flat memory.

Memory is checked as behaviour (the servers stream rather than buffer): the
peak resident size of each server process (VmHWM) must stay far below the
image size.  Throughput is measured in bench/, never asserted here.
"""

import hashlib
import http.client
import json
import os

import pytest

pytestmark = pytest.mark.functional

SIZE = 2 << 30
BLOCK = os.urandom(1 << 20)
MEMORY_CEILING = 150 << 20     # an order of magnitude below the 2 GiB moved


def peak_rss(pid):
    """The largest VmHWM of the server and its prefork workers."""
    with open(f"/proc/{pid}/task/{pid}/children") as listing:
        pids = [pid] + [int(child) for child in listing.read().split()]
    return max(_vm_hwm(each) for each in pids)


def _vm_hwm(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def blocks():
    for index in range(SIZE // len(BLOCK)):
        yield index.to_bytes(8, "big") + BLOCK[8:]


def test_two_gib_round_trip_with_flat_server_memory(services, record_property):
    expected = hashlib.md5()
    for block in blocks():
        expected.update(block)

    connection = http.client.HTTPConnection(services.api_host, services.api_port, timeout=120)
    connection.request("POST", "/images", body=blocks(), headers={
        "Content-Type": "application/octet-stream", "Content-Length": str(SIZE),
        "x-image-meta-name": "big", "x-image-meta-is_public": "true"})
    response = connection.getresponse()
    image = json.loads(response.read())["image"]
    assert response.status == 201
    assert image["size"] == SIZE and image["checksum"] == expected.hexdigest()

    connection.request("GET", f"/images/{image['id']}")
    response = connection.getresponse()
    assert int(response.headers["Content-Length"]) == SIZE
    received = hashlib.md5()
    total = 0
    while chunk := response.read(1 << 20):
        received.update(chunk)
        total += len(chunk)
    connection.close()
    assert total == SIZE and received.hexdigest() == expected.hexdigest()

    api_peak = peak_rss(services.api.process.pid)
    registry_peak = peak_rss(services.registry.process.pid)
    record_property("api_peak_rss_mib", api_peak >> 20)
    record_property("registry_peak_rss_mib", registry_peak >> 20)
    print(f"\npeak RSS: api {api_peak >> 20} MiB, registry {registry_peak >> 20} MiB")
    assert api_peak < MEMORY_CEILING
    assert registry_peak < MEMORY_CEILING

    connection = http.client.HTTPConnection(services.api_host, services.api_port, timeout=60)
    connection.request("DELETE", f"/images/{image['id']}")
    assert connection.getresponse().status == 200
