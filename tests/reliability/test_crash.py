"""Crash safety: SIGKILL of the API server at seeded random points of uploads.

Each upload is sent over a raw socket, so the test knows exactly which bytes
left the client; at a point drawn from a seeded generator (after the
headers, in the middle of the body, just after its last byte, or after the
answer) the API process gets SIGKILL and is started again.  After every
restart: nothing `saving` (start-up recovery killed it, with a reason), no
temporary file.  At the end: every active image holds exactly the bytes its
client sent (re-hashed), registry and store agree (fsck), sqlite is intact.

The registry runs inside the API process in the main run, so the kill also
hits sqlite in the middle of its writes; a shorter run kills the API while
it talks to a registry server; a third kills both servers of the `make run`
layout at once and starts them together (the API before the registry is
back, so its recovery must retry until the registry answers: images may be
`saving` for a moment after the restart, never for good).
GLANCE_CRASH_SEED changes the seed.
"""

import os
import random
import signal
import time

import pytest

from tests.functional.services import running_services
from tests.reliability.helpers import (RawConnection, all_images, check_invariants, chunk,
                                       client_for, md5, temp_files, upload_head)

pytestmark = pytest.mark.functional

SEED = int(os.environ.get("GLANCE_CRASH_SEED", "7"))
SIZES = (0, 1, 4096, 65536, 1 << 20, 3 << 20, 6 << 20)
# where the kill comes, and how often
POINTS = {"head": 3, "body": 9, "end": 12, "answered": 3, "put": 3}


def plan(rng, number):
    point = rng.choices(list(POINTS), weights=list(POINTS.values()))[0]
    size = rng.choice(SIZES[1:] if point in ("body", "put") else SIZES)
    return {
        "name": f"crash-{number}",
        "point": point,
        "data": rng.randbytes(size),
        "chunked": rng.random() < 0.5,
        "declare_checksum": rng.random() < 0.3,
        "expect_continue": rng.random() < 0.3,
        "cut": rng.random(),             # fraction of the body sent before "body"/"put" kills
        "delay": rng.uniform(0.0, 0.03),  # seconds between the last byte and the kill
    }


def send_upload(services, upload):
    """Send the upload as planned; return the connection (still open)."""
    data, extra = upload["data"], []
    if upload["declare_checksum"]:
        extra.append(("x-image-meta-checksum", md5(data)))
    if upload["expect_continue"]:
        extra.append(("Expect", "100-continue"))
    method, path = "POST", "/v1/images"
    if upload["point"] == "put":
        with client_for(services) as client:
            queued = client.add_image({"name": upload["name"]})
        method, path = "PUT", f"/v1/images/{queued['id']}"
    conn = RawConnection(services.api_host, services.api_port)
    length = None if upload["chunked"] else len(data)
    conn.send(upload_head(length, upload["name"], extra, path=path, method=method))
    if upload["point"] == "head":
        return conn
    if upload["expect_continue"] and (upload["chunked"] or data):
        conn.read_continue()
    end = int(len(data) * upload["cut"]) if upload["point"] in ("body", "put") else len(data)
    body = data[:end]
    for start in range(0, len(body), 256 << 10):
        piece = body[start:start + (256 << 10)]
        conn.send(chunk(piece) if upload["chunked"] else piece)
    if upload["chunked"] and end == len(data):
        conn.send(b"0\r\n\r\n")
    if upload["point"] == "answered":
        status, _, _, _ = conn.response("POST")
        assert status == 201
    return conn


# How long recovery may take after both servers restart together: its
# retries start at 0.5 s and double; the registry is back within seconds.
RECOVERY_WINDOW = 30


def crash_and_restart(services, upload, both):
    conn = send_upload(services, upload)
    time.sleep(upload["delay"])
    if both:
        services.crash_and_restart_both()
    else:
        services.api.stop(signal.SIGKILL)
    conn.close()
    if not both:
        services.restart_api()


def settled(services, name, wait):
    """The images called `name`, once none is `saving` (or `wait` seconds passed)."""
    deadline = time.monotonic() + wait
    while True:
        mine = [image for image in all_images(services) if image["name"] == name]
        if time.monotonic() >= deadline or all(i["status"] != "saving" for i in mine):
            return mine
        time.sleep(0.25)


def check_after_restart(services, upload, both=False):
    violations = []
    mine = settled(services, upload["name"], RECOVERY_WINDOW if both else 0)
    for image in mine:
        if image["status"] == "saving":
            violations.append(f"{upload['name']} still saving after the restart")
        if image["status"] == "active" and upload["point"] in ("head", "body", "put"):
            violations.append(f"{upload['name']} active though its body was cut")
    if temp_files(services):
        violations.append(f"temporary files after the restart: {temp_files(services)}")
    return violations


def run_crashes(services, uploads, seed, both=False):
    rng = random.Random(seed)
    sent, violations, outcomes = {}, [], {}
    for number in range(uploads):
        upload = plan(rng, number)
        complete = upload["point"] in ("end", "answered")
        if complete:
            sent[upload["name"]] = md5(upload["data"])
        crash_and_restart(services, upload, both)
        violations += check_after_restart(services, upload, both)
        for image in all_images(services):
            if image["name"] == upload["name"]:
                key = f"{upload['point']}->{image['status']}"
                outcomes[key] = outcomes.get(key, 0) + 1
    violations += check_invariants(services, sent)
    return violations, outcomes


@pytest.mark.parametrize("registry_mode,uploads", [("in-process", 30), ("server", 10),
                                                    ("both-killed", 10)])
def test_sigkill_during_uploads_keeps_the_invariants(tmp_path, figures, registry_mode,
                                                     uploads):
    both = registry_mode == "both-killed"
    seed = SEED + uploads + both
    with running_services(tmp_path, in_process_registry=registry_mode == "in-process") \
            as services:
        violations, outcomes = run_crashes(services, uploads, seed, both=both)
        killed_images = [image for image in all_images(services) if image["status"] == "killed"]
    figures(uploads=uploads, crashes_injected=uploads, registry=registry_mode,
            outcomes=dict(sorted(outcomes.items())), killed=len(killed_images),
            invariant_violations=len(violations), seed=seed)
    assert violations == []
