"""Many clients at once: 16 threads × 30 s of mixed operations on 20 images.

Through the real servers (registry server + API), every thread picks one of
20 slots and does one of: download (whole or a range) and compare with
what was uploaded, HEAD, update metadata, list, delete and re-create the
slot's image, or create it queued and race other threads to upload its data
(each racer sends different bytes: exactly one may win).  Deletes land in
the middle of downloads.  At the end every active image is re-hashed
against its checksum and against the bytes of the upload that won; the
counts of 5xx answers, byte mismatches and broken connections must be 0.
GLANCE_CONCURRENCY_SECONDS changes the duration.
"""

import hashlib
import os
import random
import re
import threading
import time
from collections import Counter

import pytest

from glance import client as gc
from tests.functional.services import running_services
from tests.reliability.helpers import all_images, check_invariants, client_for, md5

pytestmark = pytest.mark.functional

SERVER_ERROR_LOGGED = re.compile(r"glance\.access: \S+ \S+ 5\d\d ")
THREADS = 16
SLOTS = 20
SECONDS = float(os.environ.get("GLANCE_CONCURRENCY_SECONDS", "30"))
OPERATIONS = {"download": 30, "range": 12, "head": 10, "update": 14, "list": 4,
              "replace": 8, "queue": 6, "upload": 16}


class World:
    """What the clients sent, so that what the servers serve can be checked."""

    def __init__(self):
        self.lock = threading.Lock()
        self.slots = [None] * SLOTS      # image id per slot
        self.data = {}                   # image id -> bytes of the winning upload
        self.attempts = {}               # image id -> {md5: bytes} of every upload tried
        self.counts = Counter()
        self.violations = []

    def violation(self, text):
        with self.lock:
            self.violations.append(text)

    def count(self, key):
        with self.lock:
            self.counts[key] += 1


def new_data(rng):
    return rng.randbytes(rng.choice((0, 100, 4096, 65536, 200_000, 600_000)))


def create(world, client, rng, slot, queued=False):
    if queued:
        image = client.add_image({"name": f"slot-{slot}"})
        with world.lock:
            world.attempts[image["id"]] = {}
    else:
        data = new_data(rng)
        image = client.add_image({"name": f"slot-{slot}"}, data)
        with world.lock:
            world.data[image["id"]] = data
    with world.lock:
        world.slots[slot] = image["id"]
    return image


def download(world, client, image_id, rng, ranged):
    offset = 0
    with world.lock:
        data = world.data.get(image_id)
    if ranged and data:
        offset = rng.randrange(len(data))
    try:
        _, chunks = client.get_image(image_id, offset=offset)
        got = b"".join(chunks)
    except gc.NotFound:
        return world.count("download-404")
    with world.lock:
        data = world.data.get(image_id)     # the winner, if it won meanwhile
        if data is None and chunks.offset == 0:
            # The upload won, but its thread has not said so yet: any of the
            # bodies tried is fine here; the final check wants the winner.
            data = world.attempts.get(image_id, {}).get(md5(got))
    if data is None or got != data[chunks.offset:]:
        world.violation(f"image {image_id}: {len(got)} bytes from {chunks.offset} "
                        f"differ from what was uploaded")


def upload(world, client, image_id, rng):
    data = new_data(rng) or b"x"
    with world.lock:
        if image_id not in world.attempts:
            return
        world.attempts[image_id][md5(data)] = data
    try:
        image = client.update_image(image_id, image_data=data)
    except gc.Duplicate:
        return world.count("upload-lost-race")
    except gc.NotFound:
        return world.count("upload-404")
    if image["checksum"] != md5(data):
        world.violation(f"image {image_id}: won with {md5(data)}, says {image['checksum']}")
    with world.lock:
        if image_id in world.data:
            world.violation(f"image {image_id}: two uploads won")
        world.data[image_id] = data
    world.count("upload-won")


def one_operation(world, client, rng, number):
    slot = rng.randrange(SLOTS)
    with world.lock:
        image_id = world.slots[slot]
    op = rng.choices(list(OPERATIONS), weights=list(OPERATIONS.values()))[0]
    world.count(op)
    if op in ("download", "range"):
        download(world, client, image_id, rng, op == "range")
    elif op == "head":
        try:
            client.get_image_meta(image_id)
        except gc.NotFound:
            pass
    elif op == "update":
        try:
            client.update_image(image_id, {"properties": {"writer": f"{number}"},
                                           "disk_format": rng.choice(("raw", "qcow2"))})
        except gc.NotFound:
            pass
    elif op == "list":
        client.get_images_detailed(limit=50)
    elif op in ("replace", "queue"):
        try:
            client.delete_image(image_id)
        except gc.NotFound:
            pass
        create(world, client, rng, slot, queued=op == "queue")
    elif op == "upload":
        upload(world, client, image_id, rng)


def worker(world, services, seed, deadline):
    rng = random.Random(seed)
    number = 0
    with client_for(services) as client:
        while time.monotonic() < deadline:
            number += 1
            try:
                one_operation(world, client, rng, f"{seed}-{number}")
            except gc.ClientConnectionError as exc:
                world.violation(f"connection broken: {exc.message}")
            except gc.ClientError as exc:
                if exc.status is None or exc.status >= 500:
                    world.violation(f"{exc.status}: {exc.message}")
                else:
                    world.count(f"other-{exc.status}")


def final_check(world, services):
    violations = []
    with client_for(services) as client:
        for image in all_images(services):
            if image["status"] != "active":
                continue
            _, chunks = client.get_image(image["id"])
            digest = hashlib.md5()
            for piece in chunks:
                digest.update(piece)
            expected = world.data.get(image["id"])
            if digest.hexdigest() != image["checksum"]:
                violations.append(f"image {image['id']}: data differ from its checksum")
            if expected is None or md5(expected) != image["checksum"] \
                    or image["size"] != len(expected):
                violations.append(f"image {image['id']}: not what the winning upload sent")
    return violations


def test_mixed_operations_from_many_threads(tmp_path, figures):
    world = World()
    with running_services(tmp_path) as services:
        rng = random.Random(1)
        with client_for(services) as client:
            for slot in range(SLOTS):
                create(world, client, rng, slot)
        deadline = time.monotonic() + SECONDS
        threads = [threading.Thread(target=worker, args=(world, services, seed, deadline))
                   for seed in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(SECONDS + 120)
        violations = world.violations + final_check(world, services)
        violations += check_invariants(services)
        server_errors = [line for line in services.api.lines + services.registry.lines
                         if "Traceback" in line or " ERROR " in line
                         or SERVER_ERROR_LOGGED.search(line)]
    operations = sum(world.counts[op] for op in OPERATIONS)
    figures(threads=THREADS, seconds=SECONDS, images=SLOTS, operations=operations,
            races_lost=world.counts["upload-lost-race"], uploads_won=world.counts["upload-won"],
            downloads_404=world.counts["download-404"], invariant_violations=len(violations),
            server_errors=len(server_errors))
    assert violations == [], "\n".join(violations[:20])
    assert server_errors == []
    assert world.counts["upload-won"] > 0 and operations > 1000
