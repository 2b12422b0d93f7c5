"""`make bench`: Glance's data path and metadata path against baselines, in one run.

It starts the API from paste.ini (our standard-library server, in-process
registry) on loopback, and beside it nginx (serving and accepting the same
1 GiB file), a minimal threaded standard-library server (the floor for
small requests) and the same pipeline under Paste's httpserver.  Every
measurement runs ours and its baseline alternately, `--runs` times, and the
table gives medians, min-max and ours/baseline.  Results go to
bench/results/latest.json, the plot to docs/_static/performance.svg and the
table to docs/performance-results.txt (included by docs/performance.rst).

    python bench/run.py [--runs 3] [--quick] [--workdir DIR] [--no-docs]

Needs nginx, wrk and curl: installed from Debian (nginx-light, wrk, curl)
when missing and we are root, otherwise it says what to install.
"""

import argparse
import json
import os
import platform
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

import load      # noqa: E402  (bench/ is the script's directory)
import report    # noqa: E402
import servers   # noqa: E402

GIB = 1 << 30
TOOLS = {"nginx": "nginx-light", "wrk": "wrk", "curl": "curl"}
OCTET = "Content-Type: application/octet-stream"


def ensure_tools():
    missing = [tool for tool in TOOLS if not shutil.which(tool)
               and not (tool == "nginx" and os.path.exists(servers.nginx_binary()))]
    if not missing:
        return
    packages = sorted({TOOLS[tool] for tool in missing})
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"bench: installing {' '.join(packages)} from Debian", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", *packages], check=True, env=env)
        return
    sys.exit(f"bench: missing {', '.join(missing)}; install them with\n"
             f"  sudo apt-get install {' '.join(packages)}")


def make_image_file(path, size):
    """`size` bytes of incompressible data, written quickly (1 MiB blocks)."""
    block = bytearray(random.randbytes(1 << 20))
    with open(path, "wb") as out:
        for index in range(size >> 20):
            block[:8] = index.to_bytes(8, "big")
            out.write(block)
        # On disk now: its writeback must not compete with the uploads measured.
        out.flush()
        os.fsync(out.fileno())


def warm(path):
    """Read a file once so that both servers send it from the page cache."""
    with open(path, "rb") as data:
        while data.read(8 << 20):
            pass


class Bench:
    def __init__(self, args):
        self.args = args
        self.runs = args.runs
        self.workdir = args.workdir or tempfile.mkdtemp(prefix="glance-bench-")
        os.makedirs(self.workdir, exist_ok=True)
        self.rows = []
        self.started = time.time()
        self.load_before = os.getloadavg()[0]
        self.pressure_before = cpu_pressure()

    def log(self, text):
        print(f"bench [{time.time() - self.started:5.0f}s] {text}", flush=True)

    def order(self, run, pair):
        """A/B, then B/A, ...: neither side always goes first."""
        return pair if run % 2 == 0 else pair[::-1]

    def row(self, group, name, unit, ours, baseline=None, baseline_name=None, target=None,
            better="higher", **extra):
        self.rows.append(report.make_row(group, name, unit, ours, baseline, baseline_name,
                                         target, better, **extra))

    # -- data path -----------------------------------------------------------

    def transfers(self, glance, nginx, big, www):
        self.log("upload 1 GiB: POST /images vs nginx PUT (curl -T, Content-Length)")
        ours, theirs, ours_rss, theirs_rss, kept = [], [], [], [], None
        for run in range(self.runs):
            for side in self.order(run, ("ours", "nginx")):
                if side == "ours":
                    with load.PeakSampler(glance) as peak:
                        speed, status, body = load.curl_upload(
                            glance.url + "/images", big, "POST",
                            [OCTET, f"x-image-meta-name: bench-{run}",
                             "x-image-meta-is_public: true", "x-image-meta-disk_format: raw",
                             "x-image-meta-container_format: bare"],
                            response_path=os.path.join(self.workdir, "answer.json"))
                    image = json.loads(body)["image"]
                    if status != 201 or image["size"] != GIB:
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
        self.row("data", "upload 1 GiB (POST, MD5+SHA-256, fsync)", "MB/s", ours, theirs,
                 "nginx PUT", target={"ratio": 0.8, "value": 500}, peer=200)
        self.row("data", "server peak RSS, upload", "MB", _mb(ours_rss), _mb(theirs_rss),
                 "nginx PUT", target={"value": 40}, better="lower", peer=123)

        self.log("upload 1 GiB chunked (as glance's client sends)")
        ours, theirs = [], []
        for run in range(max(1, self.runs - 1)):
            for side in self.order(run, ("ours", "nginx")):
                if side == "ours":
                    speed, status, body = load.curl_upload(
                        glance.url + "/images", big, "POST", [OCTET, "x-image-meta-name: chunked"],
                        chunked=True, response_path=os.path.join(self.workdir, "answer.json"))
                    image = json.loads(body)["image"]
                    load.Client(glance.url).request("DELETE", f"/images/{image['id']}")
                    ours.append(speed)
                else:
                    speed, status, _ = load.curl_upload(nginx.url + "/upload/put.bin", big, "PUT",
                                                        chunked=True)
                    os.unlink(os.path.join(www, "upload", "put.bin"))
                    theirs.append(speed)
        self.row("data", "upload 1 GiB, chunked", "MB/s", ours, theirs, "nginx PUT chunked")

        # The stored image file itself, hard-linked: both serve the same inode.
        stored = kept["location"][len("file://"):]
        served = os.path.join(www, "image.bin")
        os.link(stored, served)
        warm(stored)
        for clients in (1, 2):
            self.log(f"download 1 GiB, {clients} client(s): GET /images/<id> vs nginx")
            ours, theirs, ours_rss = [], [], []
            for run in range(self.runs):
                for side in self.order(run, ("ours", "nginx")):
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
            self.row("data", f"download 1 GiB, {clients} client{'s' if clients > 1 else ''}",
                     "MB/s", ours, theirs, "nginx", target={"ratio": 0.95})
            self.row("data", f"server peak RSS, download x{clients}", "MB", _mb(ours_rss),
                     target={"value": 40}, better="lower")
        return kept

    # -- metadata path -------------------------------------------------------

    def metadata(self, glance, floor):
        client = load.Client(glance.url)
        self.log("create 1,000 metadata-only images, one after another")
        started = time.perf_counter()
        head_id = None
        for index in range(1000):
            image = client.json("POST", "/images", {
                "x-image-meta-name": f"image-{index:04d}", "x-image-meta-is_public": "true",
                "x-image-meta-disk_format": "raw", "x-image-meta-container_format": "bare",
                "x-image-meta-property-distro": "ubuntu",
                "x-image-meta-property-version": str(index)})["image"]
            head_id = head_id or image["id"]
        rate = 1000 / (time.perf_counter() - started)
        self.row("metadata", "create 1,000 images sequentially", "images/s", [rate])

        # wrk cannot read HEAD answers that announce a body (Content-Length > 0),
        # so HEAD goes to a metadata-only image: size 0, the same headers.
        for label, path, method in (
                ("HEAD /images/<id>", f"/images/{head_id}", "HEAD"),
                ("GET /images/detail?limit=25", "/images/detail?limit=25", "GET")):
            self.log(f"{label}: wrk, 16 keep-alive connections, vs the floor")
            ours, theirs = [], []
            for run in range(self.runs):
                for side in self.order(run, ("ours", "floor")):
                    if side == "ours":
                        ours.append(load.wrk(glance.url + path, self.workdir, method=method,
                                             seconds=self.args.seconds))
                    else:
                        theirs.append(load.wrk(floor.url + "/small", self.workdir,
                                               seconds=self.args.seconds))
            _check_errors(label, ours)
            self.row("metadata", f"{label}, 16 conns", "req/s", [r["rps"] for r in ours],
                     [r["rps"] for r in theirs], "stdlib floor (small GET)",
                     target={"ratio": 0.6, "value": 2400} if method == "HEAD" else None,
                     peer=240 if method == "HEAD" else None,
                     p50_ms=[r["p50_ms"] for r in ours], p99_ms=[r["p99_ms"] for r in ours])
        self.log("HEAD /images/<id> with access_log = false: what the log line costs")
        quiet = servers.glance(self.workdir, name="glance-nolog", access_log=False)
        try:
            ours, theirs = [], []
            for run in range(self.runs):
                for side in self.order(run, ("ours", "floor")):
                    server = quiet if side == "ours" else floor
                    path = f"/images/{head_id}" if side == "ours" else "/small"
                    result = load.wrk(server.url + path, self.workdir, seconds=self.args.seconds,
                                      method="HEAD" if side == "ours" else "GET")
                    (ours if side == "ours" else theirs).append(result["rps"])
        finally:
            quiet.stop()
        self.row("metadata", "HEAD /images/<id>, 16 conns, access_log = false", "req/s", ours,
                 theirs, "stdlib floor (small GET)")
        self.log("GET /images/detail?limit=1000 with 1,000 images")
        times = client.timed("/images/detail?limit=1000", 20 if not self.args.quick else 5)
        self.row("metadata", "GET /images/detail?limit=1000 (1,000 images)", "ms", times,
                 target={"value": 40}, better="lower", peer=430)
        client.close()
        return head_id

    def startup(self):
        self.log("start to first answered request")
        ours, theirs = [], []
        for run in range(self.runs + 2):
            for side in self.order(run, ("ours", "floor")):
                if side == "ours":
                    seconds, server = load.first_answer_time(
                        lambda: servers.glance(self.workdir, name="startup"))
                    ours.append(seconds * 1000)
                else:
                    seconds, server = load.first_answer_time(
                        lambda: servers.floor(self.workdir), probe_path="/small")
                    theirs.append(seconds * 1000)
                server.stop()
        self.row("metadata", "start to first answered request", "ms", ours, theirs,
                 "stdlib floor", target={"value": 500}, better="lower")

    def hundred_thousand(self):
        workdir = os.path.join(self.workdir, "100k")
        os.makedirs(workdir, exist_ok=True)
        count = 100_000 if not self.args.quick else 20_000
        deep = count * 9 // 10
        self.log(f"seeding {count:,} images straight into sqlite")
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
                for _ in range(5 if self.args.quick else 10):
                    firsts += client.timed(first, 5)
                    deeps += client.timed(deep_path, 5)
                self.row("paging", f"{count // 1000}k images, first page of 25, {order}", "ms",
                         firsts, target={"value": 5}, better="lower")
                self.row("paging", f"{count // 1000}k images, page {deep:,} deep, {order}", "ms",
                         deeps, firsts, "first page", target={"value": 5, "ratio": 1.5},
                         better="lower")
            client.close()
        finally:
            glance.stop()

    # -- Paste's server ------------------------------------------------------

    def paste(self, glance, head_id, kept, big):
        pasted = servers.glance_under_paste(self.workdir)
        try:
            self.log("HEAD /images/<id>: our server vs Paste's httpserver (same pipeline)")
            ours, theirs = [], []
            for run in range(self.runs):
                for side in self.order(run, ("ours", "paste")):
                    server = glance if side == "ours" else pasted
                    result = load.wrk(f"{server.url}/images/{head_id}", self.workdir,
                                      method="HEAD", seconds=self.args.seconds)
                    (ours if side == "ours" else theirs).append(result["rps"])
            self.row("server", "server: HEAD /images/<id>, 16 conns", "req/s", ours, theirs,
                     "Paste httpserver")
            self.log("download 1 GiB: our server vs Paste's httpserver")
            ours, theirs = [], []
            for run in range(max(1, self.runs - 1)):
                for side in self.order(run, ("ours", "paste")):
                    server = glance if side == "ours" else pasted
                    speed, _ = load.curl_download(f"{server.url}/images/{kept['id']}")
                    (ours if side == "ours" else theirs).append(speed)
            self.row("server", "server: download 1 GiB", "MB/s", ours, theirs, "Paste httpserver")
            self.log("upload 1 GiB (Content-Length; Paste cannot read chunked bodies)")
            ours, theirs = [], []
            for run in range(max(1, self.runs - 1)):
                for side in self.order(run, ("ours", "paste")):
                    server = glance if side == "ours" else pasted
                    speed, status, body = load.curl_upload(
                        server.url + "/images", big, "POST", [OCTET, "x-image-meta-name: paste"],
                        response_path=os.path.join(self.workdir, "answer.json"))
                    if status != 201:
                        raise RuntimeError(f"{side}: upload answered {status}")
                    load.Client(server.url).request(
                        "DELETE", f"/images/{json.loads(body)['image']['id']}")
                    (ours if side == "ours" else theirs).append(speed)
            self.row("server", "server: upload 1 GiB", "MB/s", ours, theirs, "Paste httpserver")
        finally:
            pasted.stop()

    # -- the run -------------------------------------------------------------

    def run(self):
        ensure_tools()
        self.log(f"scratch directory {self.workdir}")
        big = os.path.join(self.workdir, "1gib.bin")
        make_image_file(big, GIB)
        www = os.path.join(self.workdir, "www")
        os.makedirs(www, exist_ok=True)
        with open(os.path.join(www, "small"), "wb") as small:
            small.write(b"x" * 512)
        glance = servers.glance(self.workdir)
        nginx = servers.Nginx(self.workdir, www)
        floor = servers.floor(self.workdir)
        try:
            kept = self.transfers(glance, nginx, big, www)
            head_id = self.metadata(glance, floor)
            if not self.args.skip_paste:
                self.paste(glance, head_id, kept, big)
        finally:
            for server in (glance, nginx, floor):
                server.stop()
        self.startup()
        self.hundred_thousand()
        return self.finish()

    def finish(self):
        result = {
            "command": "make bench" + (" (--quick)" if self.args.quick else ""),
            "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "seconds": round(time.time() - self.started, 1),
            "runs": self.runs,
            "machine": dict(machine(), load_before=round(self.load_before, 2),
                            cpu_pressure_before=self.pressure_before),
            "rows": self.rows,
        }
        print()
        print(report.text_table(result))
        os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
        path = os.path.join(HERE, "results", "latest.json")
        with open(path, "w") as out:
            json.dump(result, out, indent=1)
        self.log(f"results in {os.path.relpath(path, ROOT)}")
        if not self.args.no_docs:
            report.write_docs(result, ROOT)
            self.log("plot in docs/_static/performance.svg, table in docs/performance-results.txt")
        if not self.args.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)
        return result


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
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(base + index * 7))
        name = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(10))
        rows.append((name, "raw", "bare", rng.randrange(1 << 30), "active", 1, stamp, stamp))
    conn = sqlite3.connect(db_path)
    with conn:
        conn.executemany(
            "INSERT INTO images (name, disk_format, container_format, size, status, is_public, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.close()


def _marker_at(client, depth, query):
    """The id of the image `depth` places into the list order (paging by 1,000)."""
    marker = None
    for _ in range(depth // 1000):
        path = f"/images?limit=1000{query}" + (f"&marker={marker}" if marker else "")
        marker = client.json("GET", path)["images"][-1]["id"]
    return marker


def _check_errors(label, results):
    errors = sum(r["errors"] for r in results)
    if errors:
        raise RuntimeError(f"{label}: {errors} failed requests")


def _mb(values):
    return [value / 1e6 for value in values]


def machine():
    try:
        with open("/proc/cpuinfo") as info:
            model = next(line.split(":", 1)[1].strip() for line in info
                         if line.startswith("model name"))
    except (OSError, StopIteration):
        model = platform.processor()
    with open("/proc/meminfo") as info:
        memory = int(info.readline().split()[1]) >> 20
    return {
        "cpus": os.cpu_count(), "cpu": model, "memory_gib": memory,
        "cpu_pressure": cpu_pressure(),
        "kernel": platform.release(), "python": platform.python_version(),
        "nginx": subprocess.run([servers.nginx_binary(), "-v"], capture_output=True,
                                text=True).stderr.strip().split("/")[-1],
    }


def cpu_pressure():
    """Share of the last minute in which some runnable task waited for a CPU
    (PSI): other work on the machine shows here."""
    try:
        with open("/proc/pressure/cpu") as psi:
            return float(psi.readline().split()[2].split("=")[1])
    except (OSError, IndexError, ValueError):
        return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="A/B rounds per measurement")
    parser.add_argument("--seconds", type=int, default=4, help="duration of each wrk run")
    parser.add_argument("--quick", action="store_true",
                        help="fewer samples and 20k instead of 100k images (a smoke test)")
    parser.add_argument("--skip-paste", action="store_true", help="skip Paste's server")
    parser.add_argument("--workdir", help="scratch directory (default: a new temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument("--no-docs", action="store_true",
                        help="do not rewrite the plot and table under docs/")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.seconds = min(args.runs, 2), min(args.seconds, 2)
    Bench(args).run()


if __name__ == "__main__":
    main()
