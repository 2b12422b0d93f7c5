"""The data path: 1 GiB uploads and downloads against nginx, on a quiet
machine, under a competing CPU load, and in a boot storm.

Each function takes the `Bench` (its `row`, `log`, `order`, `runs`) and
the servers already started; ours and nginx always alternate, and nginx
serves the very file our store wrote (a hard link: one inode, one page
cache).
"""

import hashlib
import json
import os
import time

import load

GIB = 1 << 30
OCTET = "Content-Type: application/octet-stream"


def _mb(values):
    return [value / 1e6 for value in values]


def md5_speed():
    """MB/s of hashlib's MD5 over 1 GiB in memory, on one core: the ceiling
    of any upload that computes `checksum`, which MD5 (sequential by design)
    cannot spread over cores."""
    block = bytes(range(256)) * (8 << 10)       # 2 MiB, as the upload reads
    digest = hashlib.md5()
    started = time.perf_counter()
    for _ in range(GIB // len(block)):
        digest.update(block)
    return GIB / (time.perf_counter() - started) / 1e6


def transfers(bench, glance, nginx, big, www):
    """Uploads (Content-Length and chunked) and 1- and 2-client downloads;
    returns the image kept for the downloads that follow."""
    bench.log("upload 1 GiB: POST /images vs nginx PUT (curl -T, Content-Length)")
    ours, theirs, ours_rss, theirs_rss, kept = [], [], [], [], None
    answer = os.path.join(bench.workdir, "answer.json")
    for run in range(bench.runs):
        for side in bench.order(run, ("ours", "nginx")):
            if side == "ours":
                with load.PeakSampler(glance) as peak:
                    speed, status, body = load.curl_upload(
                        glance.url + "/images", big, "POST",
                        [OCTET, f"x-image-meta-name: bench-{run}",
                         "x-image-meta-is_public: true", "x-image-meta-disk_format: raw",
                         "x-image-meta-container_format: bare"], response_path=answer)
                image = json.loads(body)["image"] if status == 201 else None
                if image is None or image["size"] != GIB:
                    raise RuntimeError(f"upload failed: {status} {body[:200]!r}")
                ours.append(speed)
                ours_rss.append(peak.peak)
                if kept is None:
                    kept = image
                else:
                    load.Client(glance.url).request("DELETE", f"/images/{image['id']}")
            else:
                with load.PeakSampler(nginx) as peak:
                    speed, status, _ = load.curl_upload(nginx.url + "/upload/put.bin", big,
                                                        "PUT")
                if status not in (201, 204):
                    raise RuntimeError(f"nginx PUT answered {status}")
                theirs.append(speed)
                theirs_rss.append(peak.peak)
                os.unlink(os.path.join(www, "upload", "put.bin"))
    bench.row("data", "upload 1 GiB (POST, MD5+SHA-256, fsync)", "MB/s", ours, theirs,
              "nginx PUT", target={"ratio": 0.8, "value": 500})
    bench.row("data", "server peak RSS, upload", "MB", _mb(ours_rss), _mb(theirs_rss),
              "nginx PUT", target={"value": 40}, better="lower")
    bench.row("data", "upload 1 GiB against its MD5 alone", "MB/s", ours,
              [md5_speed() for _ in range(bench.runs)], "MD5 of 1 GiB, one core")

    bench.log("upload 1 GiB chunked (as glance's client sends)")
    ours, theirs = [], []
    for run in range(max(1, bench.runs - 1)):
        for side in bench.order(run, ("ours", "nginx")):
            if side == "ours":
                speed, status, body = load.curl_upload(
                    glance.url + "/images", big, "POST", [OCTET, "x-image-meta-name: chunked"],
                    chunked=True, response_path=answer)
                if status != 201:
                    raise RuntimeError(f"chunked upload answered {status}: {body[:200]!r}")
                image = json.loads(body)["image"]
                load.Client(glance.url).request("DELETE", f"/images/{image['id']}")
                ours.append(speed)
            else:
                speed, status, _ = load.curl_upload(nginx.url + "/upload/put.bin", big, "PUT",
                                                    chunked=True)
                os.unlink(os.path.join(www, "upload", "put.bin"))
                theirs.append(speed)
    bench.row("data", "upload 1 GiB, chunked", "MB/s", ours, theirs, "nginx PUT chunked")

    # The stored image file itself, hard-linked: both serve the same inode.
    stored = kept["location"][len("file://"):]
    os.link(stored, os.path.join(www, "image.bin"))
    _warm(stored)
    for clients in (1, 2):
        bench.log(f"download 1 GiB, {clients} client(s): GET /images/<id> vs nginx")
        ours, theirs, ours_rss = [], [], []
        for run in range(bench.runs):
            for side in bench.order(run, ("ours", "nginx")):
                if side == "ours":
                    with load.PeakSampler(glance) as peak:
                        speed, sizes = load.curl_download(
                            f"{glance.url}/images/{kept['id']}", clients)
                    ours.append(speed)
                    ours_rss.append(peak.peak)
                else:
                    speed, sizes = load.curl_download(nginx.url + "/image.bin", clients)
                    theirs.append(speed)
                if sizes != [GIB] * clients:
                    raise RuntimeError(f"short download: {sizes}")
        bench.row("data", f"download 1 GiB, {clients} client{'s' if clients > 1 else ''}",
                  "MB/s", ours, theirs, "nginx", target={"ratio": 0.95})
        bench.row("data", f"server peak RSS, download x{clients}", "MB", _mb(ours_rss),
                  target={"value": 40}, better="lower")
    return kept


def under_load(bench, glance, nginx, kept):
    """(a) One 1 GiB download while `CpuLoad` keeps both cores busy: the
    same two busy loops are started afresh for each transfer, ours or nginx's."""
    processes = os.cpu_count() or 2
    bench.log(f"download 1 GiB under a competing load ({processes} busy loops) vs nginx")
    ours, theirs = [], []
    for run in range(bench.runs):
        for side in bench.order(run, ("ours", "nginx")):
            url = (f"{glance.url}/images/{kept['id']}" if side == "ours"
                   else f"{nginx.url}/image.bin")
            with load.CpuLoad(processes, seconds=120):
                speed, sizes = load.curl_download(url, 1)
            if sizes != [GIB]:
                raise RuntimeError(f"short download: {sizes}")
            (ours if side == "ours" else theirs).append(speed)
    bench.row("data", f"download 1 GiB, {processes} busy loops competing", "MB/s", ours,
              theirs, "nginx", target={"ratio": 0.95})


def boot_storm(bench, glance, nginx, kept, clients):
    """(b) `clients` curls pulling the same 1 GiB image at once."""
    bench.log(f"boot storm: {clients} clients x 1 GiB at once vs nginx")
    speeds = {"ours": [], "nginx": []}
    p99 = {"ours": [], "nginx": []}
    rss = {"ours": [], "nginx": []}
    for run in range(max(1, bench.runs - 1)):
        for side in bench.order(run, ("ours", "nginx")):
            server = glance if side == "ours" else nginx
            url = (f"{glance.url}/images/{kept['id']}" if side == "ours"
                   else f"{nginx.url}/image.bin")
            with load.PeakSampler(server) as peak:
                speed, seconds = load.storm(url, clients)
            speeds[side].append(speed)
            p99[side].append(load.percentile(seconds, 99))
            rss[side].append(peak.peak)
    name = f"boot storm: {clients} clients x 1 GiB"
    bench.row("data", f"{name}, aggregate", "MB/s", speeds["ours"], speeds["nginx"], "nginx",
              target={"ratio": 0.9})
    bench.row("data", f"{name}, p99 completion", "s", p99["ours"], p99["nginx"], "nginx",
              better="lower")
    bench.row("data", f"{name}, peak RSS per process", "MB", _mb(rss["ours"]),
              _mb(rss["nginx"]), "nginx", target={"value": 64}, better="lower")


def _warm(path):
    """Read a file once so that both servers send it from the page cache."""
    with open(path, "rb") as data:
        while data.read(8 << 20):
            pass
