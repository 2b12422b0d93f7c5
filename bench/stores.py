"""Upload and download throughput of each store, through the real API server.

    . /tmp/glance-engines/env        # after bash tools/engines.sh
    .venv/bin/python bench/stores.py --size-mib 1024 --runs 3

For the filesystem store and, when tests/engines.py finds them, the swift
and s3 stores (with their default thresholds: Swift takes 1 GiB as one
object, S3 as a multipart upload of 16 MiB parts), this starts the registry
and API from paste.ini, streams SIZE MiB up (Content-Length, generated in
memory) and down again through loopback HTTP, and prints the median MiB/s
of RUNS round trips and the API's peak resident memory, as reStructuredText
table rows for docs/scaling.rst.  The client, the API server and the engine
share the machine, so the figures are lower bounds of what a store can do.
"""

import argparse
import http.client
import json
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests import engines                                 # noqa: E402
from tests.functional.services import running_services    # noqa: E402

BLOCK = os.urandom(1 << 20)


def peak_rss(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) >> 10
    return None


def blocks(mib):
    for index in range(mib):
        yield index.to_bytes(8, "big") + BLOCK[8:]


def round_trip(services, mib):
    """(upload seconds, download seconds) of one image of `mib` MiB."""
    conn = http.client.HTTPConnection(services.api_host, services.api_port, timeout=600)
    started = time.monotonic()
    conn.request("POST", "/images", body=blocks(mib), headers={
        "Content-Type": "application/octet-stream", "Content-Length": str(mib << 20),
        "x-image-meta-name": "bench"})
    response = conn.getresponse()
    body = response.read()
    upload = time.monotonic() - started
    if response.status != 201:
        raise SystemExit(f"upload failed: {response.status} {body[:300]!r}")
    image_id = json.loads(body)["image"]["id"]
    started = time.monotonic()
    conn.request("GET", f"/images/{image_id}")
    response = conn.getresponse()
    total = 0
    while chunk := response.read(1 << 20):
        total += len(chunk)
    download = time.monotonic() - started
    if total != mib << 20:
        raise SystemExit(f"download returned {total} bytes")
    conn.request("DELETE", f"/images/{image_id}")
    conn.getresponse().read()
    conn.close()
    return upload, download


def available():
    for name in engines.BACKENDS:
        store = name.split("+")[0]
        env_names = {"swift": "GLANCE_TEST_SWIFT_AUTH", "s3": "GLANCE_TEST_S3_ENDPOINT"}
        if store == "file" or os.environ.get(env_names[store]):
            yield f"{store}+sqlite"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows = []
    for name in available():
        with tempfile.TemporaryDirectory(prefix="glance-bench-", dir="/tmp") as workdir:
            with engines.backend(name, workdir) as (env, _):
                with running_services(workdir, extra_env=env) as services:
                    times = [round_trip(services, args.size_mib) for _ in range(args.runs)]
                    rss = peak_rss(services.api.process.pid)
        up = args.size_mib / statistics.median(t[0] for t in times)
        down = args.size_mib / statistics.median(t[1] for t in times)
        store = name.split("+")[0]
        print(f"{store}: upload {up:.0f} MiB/s, download {down:.0f} MiB/s, "
              f"API peak RSS {rss} MiB", file=sys.stderr)
        rows.append((store, f"{up:.0f}", f"{down:.0f}", str(rss)))
    print(f"   * - store\n     - upload MiB/s\n     - download MiB/s\n     - API peak RSS MiB")
    for row in rows:
        print("   * - " + "\n     - ".join(row))


if __name__ == "__main__":
    main()
