"""The metadata path: request rates of both layouts against the floor, idle
connections, large lists, start-up and deep pages of 100,000 images.

Each function takes the `Bench` (its `row`, `log`, `order`, `runs`, `args`).
"""

import os
import random
import sqlite3
import time

import load
import servers

# wrk cannot read HEAD answers that announce a body (Content-Length > 0), so
# HEAD goes to a metadata-only image: size 0, the same headers.
RATES = (("HEAD /images/<id>", "/images/{id}", "HEAD"),
         ("GET /images/detail?limit=25", "/images/detail?limit=25", "GET"))


def create_images(bench, glance, count=1000):
    """`count` metadata-only images, one after another; the first one's id."""
    client = load.Client(glance.url)
    bench.log(f"create {count:,} metadata-only images, one after another")
    started = time.perf_counter()
    first = None
    for index in range(count):
        image = client.json("POST", "/images", {
            "x-image-meta-name": f"image-{index:04d}", "x-image-meta-is_public": "true",
            "x-image-meta-disk_format": "raw", "x-image-meta-container_format": "bare",
            "x-image-meta-property-distro": "ubuntu",
            "x-image-meta-property-version": str(index)})["image"]
        first = first or image["id"]
    rate = count / (time.perf_counter() - started)
    client.close()
    bench.row("metadata", f"create {count:,} images sequentially", "images/s", [rate])
    return first


def rates(bench, layouts, floor, head_id):
    """HEAD and list-25 rates of every layout ({name: server}, on one
    database) against the floor, all in the same rounds."""
    sides = ["floor"] + [(label, layout) for label, _, _ in RATES for layout in layouts]
    results = {side: [] for side in sides}
    bench.log(f"HEAD and list-25: wrk, 16 keep-alive connections, {', '.join(layouts)} "
              "and the floor")
    for run in range(bench.runs):
        for side in bench.order(run, sides):
            if side == "floor":
                result = load.wrk(floor.url + "/small", bench.workdir, seconds=bench.args.seconds)
            else:
                label, layout = side
                _, path, method = next(rate for rate in RATES if rate[0] == label)
                result = load.wrk(layouts[layout].url + path.format(id=head_id),
                                  bench.workdir, method=method, seconds=bench.args.seconds)
                if result["errors"]:
                    raise RuntimeError(f"{label} ({layout}): {result['errors']} failed requests")
            results[side].append(result)
    floor_rps = [r["rps"] for r in results["floor"]]
    for label, _, method in RATES:
        for layout in layouts:
            ours = results[(label, layout)]
            leading = layout == servers.README
            if method == "HEAD":
                target = {"ratio": 0.6, "value": 2400} if leading else None
            else:
                target = {"ratio": 0.3} if leading else None
            bench.row("metadata", f"{label}, 16 conns ({layout})", "req/s",
                      [r["rps"] for r in ours], floor_rps, "stdlib floor (small GET)",
                      target=target, p50_ms=[r["p50_ms"] for r in ours],
                      p99_ms=[r["p99_ms"] for r in ours])


def idle_connections(bench, glance, head_id, count):
    """(c) HEAD with 16 active connections while `count` more sit idle, against
    the same server without them."""
    bench.log(f"HEAD /images/<id>: 16 active connections with {count:,} idle ones vs none")
    url = f"{glance.url}/images/{head_id}"
    ours, theirs, survived = [], [], []
    for run in range(bench.runs):
        for side in bench.order(run, ("idle", "none")):
            if side == "idle":
                with load.IdleConnections(glance.url, f"/images/{head_id}", count) as idle:
                    result = load.wrk(url, bench.workdir, method="HEAD",
                                      seconds=bench.args.seconds)
                    survived.append(idle.alive())
                ours.append(result)
            else:
                theirs.append(load.wrk(url, bench.workdir, method="HEAD",
                                       seconds=bench.args.seconds))
    if min(survived) < count:
        raise RuntimeError(f"idle connections were closed: {survived} of {count} open")
    bench.row("metadata", f"HEAD /images/<id>, 16 conns + {count:,} idle", "req/s",
              [r["rps"] for r in ours], [r["rps"] for r in theirs], "same, no idle conns",
              p50_ms=[r["p50_ms"] for r in ours], p99_ms=[r["p99_ms"] for r in ours])


def big_list(bench, glance):
    bench.log("GET /images/detail?limit=1000 with 1,000 images")
    client = load.Client(glance.url)
    times = client.timed("/images/detail?limit=1000", 20 if not bench.args.quick else 5)
    client.close()
    bench.row("metadata", "GET /images/detail?limit=1000 (1,000 images)", "ms", times,
              target={"value": 40}, better="lower")


def startup(bench):
    """From spawning glance-api (its registry already up, in the README
    layout) to its first answered request, against the floor's."""
    bench.log("start to first answered request")
    workdir = os.path.join(bench.workdir, "startup")
    os.makedirs(workdir, exist_ok=True)
    registry = servers.registry(workdir, name="startup-registry")
    env = {"GLANCE_REGISTRY_URL": registry.url,
           "GLANCE_SERVICE_TOKEN": registry.service_token}
    ours, theirs = [], []
    try:
        for run in range(bench.runs + 2):
            for side in bench.order(run, ("ours", "floor")):
                if side == "ours":
                    seconds, server = load.first_answer_time(
                        lambda: servers.api_only(workdir, env, name="startup-api"))
                    ours.append(seconds * 1000)
                else:
                    seconds, server = load.first_answer_time(
                        lambda: servers.floor(workdir), probe_path="/small")
                    theirs.append(seconds * 1000)
                server.stop()
    finally:
        registry.stop()
    bench.row("metadata", "start to first answered request", "ms", ours, theirs,
              "stdlib floor", target={"value": 500}, better="lower")


def hundred_thousand(bench):
    workdir = os.path.join(bench.workdir, "100k")
    os.makedirs(workdir, exist_ok=True)
    count = 100_000 if not bench.args.quick else 20_000
    deep = count * 9 // 10
    bench.log(f"seeding {count:,} images straight into sqlite")
    seed(os.path.join(workdir, "glance.sqlite"), count)
    glance = servers.glance(workdir, name="glance-100k")
    try:
        client = load.Client(glance.url)
        for order, query in (("default order", ""), ("sort_key=name", "&sort_key=name")):
            marker = _marker_at(client, deep, query)
            first = f"/images/detail?limit=25{query}"
            deep_path = f"{first}&marker={marker}"
            client.timed(first, 3)
            client.timed(deep_path, 3)
            firsts, deeps = [], []
            for _ in range(5 if bench.args.quick else 10):
                firsts += client.timed(first, 5)
                deeps += client.timed(deep_path, 5)
            bench.row("paging", f"{count // 1000}k images, first page of 25, {order}", "ms",
                      firsts, target={"value": 5}, better="lower")
            bench.row("paging", f"{count // 1000}k images, page {deep:,} deep, {order}", "ms",
                      deeps, firsts, "first page", target={"value": 5, "ratio": 1.5},
                      better="lower")
        client.close()
    finally:
        glance.stop()


def seed(db_path, count):
    """`count` public images in a fresh registry database, written with one
    executemany (the API would take minutes); names are random words so
    that sort_key=name orders them differently from created_at."""
    from glance.registry import db
    db.Database(f"sqlite:///{db_path}").close()     # the schema, migrated
    rng = random.Random(6)
    base = time.mktime((2024, 1, 1, 0, 0, 0, 0, 0, 0))
    rows = []
    for index in range(count):
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000000", time.gmtime(base + index * 7))
        name = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(10))
        rows.append((_uuid(rng), name, "raw", "bare", rng.randrange(1 << 30), "active",
                     "public", stamp, stamp))
    conn = sqlite3.connect(db_path)
    with conn:
        conn.executemany(
            "INSERT INTO images (id, name, disk_format, container_format, size, status, "
            "visibility, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.close()


def _uuid(rng):
    text = "%032x" % rng.getrandbits(128)
    return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-a{text[17:20]}-{text[20:]}"


def _marker_at(client, depth, query):
    """The id of the image `depth` places into the list order (paging by 1,000)."""
    marker = None
    for _ in range(depth // 1000):
        path = f"/images?limit=1000{query}" + (f"&marker={marker}" if marker else "")
        marker = client.json("GET", path)["images"][-1]["id"]
    return marker
