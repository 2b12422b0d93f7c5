"""The servers on real engines: Swift + PostgreSQL and S3 + sqlite3.

With registry and API started from paste.ini as processes (only GLANCE_*
variables differ from the default setup):

- the conformance suite passes on each pair (the walk-through runs on them
  in test_walkthrough_engines.py, the API suite in tests/api);
- an upload killed half-way (the client goes away) leaves the image
  `killed` and nothing in the container or bucket, nor any S3 multipart
  upload in progress;
- two API servers sharing one PostgreSQL registry and one Swift container
  serve the same images: uploaded through one, listed, read and deleted
  through the other; two uploads racing for one queued image through the two
  servers end with exactly one winner.
"""

import contextlib
import hashlib
import http.client
import json
import os
import socket
import threading
import time
import urllib.request

import pytest

from conformance import cli
from tests import engines
from tests.functional.services import LOOPBACK_ORIGINS, Services, running_services

pytestmark = pytest.mark.functional

MIB = 1 << 20
# Segments / parts small enough for a 96 MiB upload to be cut half-way through them.
# The suite's reasons for skips that are right on these servers: they run
# without auth, and a clause about servers without v2 does not apply.
RIGHT_SKIPS = ("Token authentication (§6): not offered",
               "the server serves v2 (its versions document lists it)")
SMALL_OBJECTS = {"GLANCE_SWIFT_STORE_LARGE_OBJECT_SIZE": "32M",
                 "GLANCE_SWIFT_STORE_LARGE_OBJECT_CHUNK_SIZE": "16M",
                 "GLANCE_S3_STORE_LARGE_OBJECT_SIZE": "32M",
                 "GLANCE_S3_STORE_PART_SIZE": "8M"}


@pytest.fixture(scope="module", params=["swift+postgresql", "s3+sqlite"])
def on_engines(request, tmp_path_factory):
    """(services, storage) of registry + API processes on a pair of engines."""
    workdir = tmp_path_factory.mktemp("engines")
    with engines.backend(request.param, workdir) as (env, storage):
        with running_services(workdir, extra_env={**env, **LOOPBACK_ORIGINS,
                                                  **SMALL_OBJECTS}) as services:
            yield services, storage


def api(services, method, path, body=None, headers=None, port=None):
    connection = http.client.HTTPConnection(services.api_host, port or services.api_port,
                                            timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_the_conformance_suite_passes(on_engines, tmp_path):
    services, _ = on_engines
    report = tmp_path / "report"
    code = cli.main(["--api-url", services.api_url, "--registry-url", services.registry_url,
                     "--report-dir", str(report)])
    doc = json.loads((report / "results.json").read_text())
    failed = {t["nodeid"]: t["message"] for t in doc["tests"]
              if t["status"] in ("failed", "error")}
    assert code == 0 and failed == {}, failed
    skipped = {t["nodeid"]: t["message"] for t in doc["tests"]
               if t["status"] == "skipped" and t["area"] != "auth"
               and not t["message"].startswith(RIGHT_SKIPS)}
    assert skipped == {}
    assert doc["leftovers"] == []


def _images_named(services, name):
    status, _, body = api(services, "GET", f"/images/detail?is_public=none&name={name}")
    assert status == 200
    return json.loads(body)["images"]


def _wait_killed(services, name, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = _images_named(services, name)
        if found and found[0]["status"] == "killed":
            return found[0]
        time.sleep(0.2)
    raise AssertionError(f"image {name} not killed within {timeout}s: {found}")


def _assert_nothing_left(storage):
    assert storage.names() == []
    assert storage.incomplete_uploads() == []


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_an_upload_killed_half_way_leaves_nothing(on_engines, declared):
    services, storage = on_engines
    name = engines.unique_name("half-")
    size, sent = 96 * MIB, 0
    block = os.urandom(MIB)
    sock = socket.create_connection((services.api_host, services.api_port), timeout=30)
    head = [f"POST /images HTTP/1.1", f"Host: {services.api_host}",
            "Content-Type: application/octet-stream", f"x-image-meta-name: {name}"]
    head.append(f"Content-Length: {size}" if declared else "Transfer-Encoding: chunked")
    sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
    while sent < size // 2 + 3 * MIB:        # past the first segments or parts
        sock.sendall(block if declared else b"%x\r\n%s\r\n" % (len(block), block))
        sent += len(block)
    # Wait until the store holds part of the upload (segments, or a multipart
    # upload in progress) ...
    deadline = time.monotonic() + 30
    while not (storage.names() or storage.incomplete_uploads()):
        assert time.monotonic() < deadline, "nothing of the upload reached the store"
        time.sleep(0.1)
    # ... then go away without a word, as a killed client does.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    sock.close()
    image = _wait_killed(services, name)
    assert image["location"] is None and image["checksum"] is None
    _assert_nothing_left(storage)


def test_a_checksum_mismatch_at_the_very_end_leaves_nothing(on_engines):
    services, storage = on_engines
    data = os.urandom(40 * MIB)
    status, _, body = api(services, "POST", "/images", data, {
        "Content-Type": "application/octet-stream", "x-image-meta-name": "bad-sum",
        "x-image-meta-checksum": hashlib.md5(b"other").hexdigest()})
    assert status == 400 and b"checksum" in body
    assert _images_named(services, "bad-sum")[0]["status"] == "killed"
    _assert_nothing_left(storage)


# -- two API servers, one registry database, one object store ------------------------

@pytest.fixture(scope="module")
def two_nodes(tmp_path_factory):
    """Two API processes, each with its registry in-process on one PostgreSQL
    schema, both writing to one Swift container."""
    workdir = tmp_path_factory.mktemp("nodes")
    with engines.backend("swift+postgresql", workdir) as (env, storage):
        nodes = []
        with contextlib.ExitStack() as stack:
            for name in ("node-a", "node-b"):
                node = Services(workdir / name, in_process_registry=True,
                                extra_env={**env, "GLANCE_NODE_ID": name})
                stack.callback(node.stop)
                nodes.append(node.start())
            yield nodes[0], nodes[1], storage


def test_an_image_uploaded_through_one_node_is_served_by_the_other(two_nodes):
    a, b, storage = two_nodes
    assert a.api_port != b.api_port
    data = os.urandom(5 * MIB + 3)
    status, _, body = api(a, "POST", "/images", data, {
        "Content-Type": "application/octet-stream", "x-image-meta-name": "shared",
        "x-image-meta-is_public": "true"})
    assert status == 201, body
    image = json.loads(body)["image"]
    assert image["location"] == f"swift://{storage.store.container}/{image['id']}"

    status, _, body = api(b, "GET", "/images")
    assert image["id"] in [entry["id"] for entry in json.loads(body)["images"]]
    status, headers, body = api(b, "GET", f"/images/{image['id']}")
    assert status == 200 and body == data
    assert headers["x-image-meta-checksum"] == hashlib.md5(data).hexdigest()

    assert api(b, "DELETE", f"/images/{image['id']}")[0] == 200
    assert api(a, "GET", f"/images/{image['id']}")[0] == 404
    assert storage.names() == []


def test_uploads_racing_for_one_queued_image_through_two_nodes_have_one_winner(two_nodes):
    a, b, storage = two_nodes
    status, _, body = api(a, "POST", "/images", headers={"x-image-meta-name": "race"})
    image_id = json.loads(body)["image"]["id"]
    datas = {a.api_port: os.urandom(3 * MIB), b.api_port: os.urandom(3 * MIB)}
    outcomes = {}
    barrier = threading.Barrier(2)

    def put(node):
        barrier.wait()
        outcomes[node.api_port] = api(node, "PUT", f"/images/{image_id}",
                                      datas[node.api_port],
                                      {"Content-Type": "application/octet-stream"})
    threads = [threading.Thread(target=put, args=(node,)) for node in (a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(status for status, _, _ in outcomes.values())
    assert statuses == [200, 409], outcomes
    [winner] = [port for port, (status, _, _) in outcomes.items() if status == 200]
    for node in (a, b):
        assert api(node, "GET", f"/images/{image_id}")[2] == datas[winner]
    assert storage.names() == [str(image_id)]
    assert api(b, "DELETE", f"/images/{image_id}")[0] == 200


def test_both_nodes_list_the_same_registry(two_nodes):
    a, b, _ = two_nodes
    for node, name in ((a, "from-a"), (b, "from-b")):
        assert api(node, "POST", "/images", headers={"x-image-meta-name": name,
                                                     "x-image-meta-is_public": "true"})[0] == 201
    for node in (a, b):
        with urllib.request.urlopen(f"{node.api_url}/images?sort_key=name&sort_dir=asc") as r:
            names = [entry["name"] for entry in json.load(r)["images"]]
        assert {"from-a", "from-b"} <= set(names)
