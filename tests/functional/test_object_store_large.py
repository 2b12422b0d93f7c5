"""1 GiB up and down through each object store, with flat server memory.

The API server streams to Swift (as eight 128 MiB segments) and to S3 (as a
multipart upload of 16 MiB parts, one part buffered) and back; its peak
resident size (VmHWM) must stay an order of magnitude below the image.
Throughput is measured in bench/stores.py, never asserted here.
"""

import hashlib
import http.client
import json
import os
import time

import pytest

from tests import engines
from tests.functional.services import running_services
from tests.functional.test_large_image import peak_rss

pytestmark = pytest.mark.functional

SIZE = 1 << 30
BLOCK = os.urandom(1 << 20)
MEMORY_CEILING = 150 << 20
OPTIONS = {"swift": {"GLANCE_SWIFT_STORE_LARGE_OBJECT_SIZE": "256M",
                     "GLANCE_SWIFT_STORE_LARGE_OBJECT_CHUNK_SIZE": "128M"},
           "s3": {}}


def blocks():
    for index in range(SIZE // len(BLOCK)):
        yield index.to_bytes(8, "big") + BLOCK[8:]


@pytest.fixture(scope="module", params=["swift", "s3"])
def big(request, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("big")
    with engines.backend(f"{request.param}+sqlite", workdir) as (env, storage):
        with running_services(workdir, extra_env={**env, **OPTIONS[request.param]}) as services:
            yield request.param, services, storage


def test_one_gib_round_trip_with_flat_server_memory(big, record_property):
    scheme, services, storage = big
    expected = hashlib.md5()
    for block in blocks():
        expected.update(block)

    connection = http.client.HTTPConnection(services.api_host, services.api_port, timeout=300)
    started = time.monotonic()
    connection.request("POST", "/images", body=blocks(), headers={
        "Content-Type": "application/octet-stream", "Content-Length": str(SIZE),
        "x-image-meta-name": "big", "x-image-meta-is_public": "true"})
    response = connection.getresponse()
    image = json.loads(response.read())["image"]
    upload = time.monotonic() - started
    assert response.status == 201, image
    assert image["size"] == SIZE and image["checksum"] == expected.hexdigest()
    assert image["location"].startswith(f"{scheme}://")

    started = time.monotonic()
    connection.request("GET", f"/images/{image['id']}")
    response = connection.getresponse()
    assert int(response.headers["Content-Length"]) == SIZE
    received, total = hashlib.md5(), 0
    while chunk := response.read(1 << 20):
        received.update(chunk)
        total += len(chunk)
    download = time.monotonic() - started
    connection.close()
    assert total == SIZE and received.hexdigest() == expected.hexdigest()

    api_peak = peak_rss(services.api.process.pid)
    record_property("api_peak_rss_mib", api_peak >> 20)
    record_property("upload_mib_s", round(1024 / upload))
    record_property("download_mib_s", round(1024 / download))
    print(f"\n{scheme}: upload {1024 / upload:.0f} MiB/s, download {1024 / download:.0f} MiB/s,"
          f" API peak RSS {api_peak >> 20} MiB")
    assert api_peak < MEMORY_CEILING

    connection = http.client.HTTPConnection(services.api_host, services.api_port, timeout=120)
    connection.request("DELETE", f"/images/{image['id']}")
    assert connection.getresponse().status == 200
    assert storage.names() == [] and storage.incomplete_uploads() == []
