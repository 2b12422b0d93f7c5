"""Images API v2 side by side with real OpenStack Glance 33, in the same run.

Glance 33 runs as its own recipe deploys it (`shared/recipes/glance33.sh`:
uWSGI, two processes of one thread, no Keystone, sqlite and the file
store), installed from PyPI into its own virtualenv when missing.  Ours
is the README layout with v2 served.  Both get the same requests from
the same clients: a 1 GiB `PUT /v2/images/{id}/file`, its `GET …/file`,
`GET /v2/images/{id}` and `GET /v2/images?limit=25` (wrk, 16 connections);
downloads come from the page cache on both sides (one untimed read first),
and the peak resident size of their largest process is read around the
transfers and over the whole comparison.

When our build does not serve v2 yet, or Glance 33 cannot be installed or
started, the rows say so and the run goes on.
"""

import json
import os
import signal
import subprocess
import sys
import time

import load
import servers

GIB = 1 << 30
VENV = os.environ.get("GLANCE33_VENV", "/tmp/glance-venv")
PEER = "Glance 33 (uWSGI)"


def recipe_path():
    """`shared/recipes/glance33.sh` beside the checkout or one level up
    (a worktree), or $GLANCE33_RECIPE."""
    if os.environ.get("GLANCE33_RECIPE"):
        return os.environ["GLANCE33_RECIPE"]
    for up in ("..", os.path.join("..", "..")):
        path = os.path.abspath(os.path.join(servers.ROOT, up, "shared", "recipes",
                                            "glance33.sh"))
        if os.path.isfile(path):
            return path
    return None


class Glance33:
    """Glance 33 under uWSGI in `workdir`, on a free port; stopped by the PIDs
    of its master and workers."""

    def __init__(self, workdir, log):
        self.recipe = recipe_path()
        if self.recipe is None:
            raise RuntimeError("shared/recipes/glance33.sh not found")
        self.dir = os.path.join(workdir, "glance33")
        self.port = servers.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, GLANCE_VENV=VENV, GLANCE_DIR=self.dir,
                        GLANCE_PORT=str(self.port))
        self.log_path = os.path.join(workdir, "glance33-setup.log")
        if not (os.access(os.path.join(VENV, "bin", "uwsgi"), os.X_OK)
                and os.access(os.path.join(VENV, "bin", "glance-manage"), os.X_OK)):
            log(f"installing Glance 33 and uWSGI into {VENV} (pip, from PyPI; minutes)")
            self._recipe("install", timeout=1800)
        self._recipe("configure", timeout=300)
        self.pid, self._workers = None, []
        try:
            self._recipe("start", timeout=180)
        finally:
            # Stopped by PID even when the recipe gave up waiting for it.
            try:
                with open(os.path.join(self.dir, "uwsgi.pid")) as pidfile:
                    self.pid = int(pidfile.read())
                self._workers = servers.children(self.pid)
            except (OSError, ValueError):
                pass
            if sys.exc_info()[0] is not None:
                self.stop()

    def _recipe(self, step, timeout):
        os.makedirs(self.dir, exist_ok=True)
        with open(self.log_path, "ab") as out:
            # Not from our checkout: uWSGI would import *our* `glance` package
            # from the working directory instead of Glance 33's.
            done = subprocess.run(["bash", self.recipe, step], env=self.env, stdout=out,
                                  stderr=subprocess.STDOUT, timeout=timeout, cwd=self.dir)
        if done.returncode != 0:
            with open(self.log_path, "rb") as out:
                tail = out.read()[-1500:].decode("utf-8", "replace")
            raise RuntimeError(f"glance33.sh {step} failed:\n{tail}")

    def pids(self):
        return [self.pid, *servers.children(self.pid)]

    def peak_rss(self):
        return max(servers.peak_rss(pid) for pid in self.pids())

    def reset_peak_rss(self):
        for pid in self.pids():
            servers.reset_peak_rss(pid)

    def stop(self):
        if self.pid is None:
            return
        pids = [self.pid, *self._workers, *servers.children(self.pid)]
        for pid in pids:
            _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
            time.sleep(0.1)
        for pid in pids:
            if _alive(pid):
                _signal(pid, signal.SIGKILL)
        self.pid = None


def _signal(pid, sig):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _alive(pid):
    """Running (not a zombie) -- uWSGI's master is not our child, nobody reaps it."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _create(client, name):
    return client.json("POST", "/v2/images", {"Content-Type": "application/json"},
                       json.dumps({"name": name, "disk_format": "raw",
                                   "container_format": "bare"}).encode())["id"]


class Side:
    """One server of the comparison and what it holds."""

    def __init__(self, name, server):
        self.name = name
        self.server = server
        self.image = None       # its 1 GiB image, once uploaded
        self.small = None       # a metadata-only image, for show


def compare(bench, big):
    """The v2 rows: ours (README layout, v2 on) against Glance 33."""
    bench.log("v2 side by side with Glance 33: starting both")
    workdir = os.path.join(bench.workdir, "v2")
    os.makedirs(workdir, exist_ok=True)
    ours = theirs = None
    try:
        try:
            ours = Side("ours", servers.glance(workdir, name="glance-v2",
                                               env={"GLANCE_ENABLED_APIS": "v1, v2"}))
        except RuntimeError as exc:
            bench.log(f"ours does not serve v2 yet: {str(exc).splitlines()[0]}")
            bench.notes.append("Our rows of the Glance 33 comparison are empty: this build "
                               "does not serve Images API v2 yet.")
        for attempt in (1, 2):      # a start that timed out on a busy machine: once more
            try:
                theirs = Side("theirs", Glance33(workdir, bench.log))
                break
            except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
                bench.log(f"Glance 33 is not available (attempt {attempt}): {exc}")
                if attempt == 2:
                    lines = [line for line in str(exc).splitlines() if line.strip()]
                    bench.notes.append("Glance 33 was not measured: "
                                       + " / ".join(lines[:1] + lines[-1:]))
        sides = [side for side in (ours, theirs) if side is not None]
        if sides:
            _measure(bench, sides, ours, theirs, big)
    finally:
        for side in (ours, theirs):
            if side is not None:
                side.server.stop()


def _measure(bench, sides, ours, theirs, big):
    results = {side.name: {"upload": [], "download": [], "show": [], "list": [],
                           "rss_upload": [], "rss_all": []} for side in sides}
    for side in sides:
        side.server.reset_peak_rss()
        client = load.Client(side.server.url)
        side.small = _create(client, "v2-small")
        for index in range(30):
            _create(client, f"v2-list-{index:02d}")
        client.close()
    bench.log("v2: upload 1 GiB (PUT /v2/images/{id}/file), then download it")
    for run in range(max(1, bench.runs - 1)):
        for side in bench.order(run, sides):
            client = load.Client(side.server.url)
            image_id = _create(client, f"v2-big-{run}")
            client.close()
            upload_peak = load.PeakSampler(side.server)
            with upload_peak:
                speed, status, body = load.curl_upload(
                    f"{side.server.url}/v2/images/{image_id}/file", big, "PUT",
                    ["Content-Type: application/octet-stream"])
            if status != 204:
                raise RuntimeError(f"{side.name}: v2 upload answered {status}: {body[:200]!r}")
            results[side.name]["upload"].append(speed)
            results[side.name]["rss_upload"].append(upload_peak.peak)
            if side.image is None:
                side.image = image_id
            else:
                load.Client(side.server.url).request("DELETE", f"/v2/images/{image_id}")
    # Both from the page cache: our store writes with O_DIRECT (an upload
    # leaves nothing in the cache), Glance 33's through the cache, so the
    # first read of ours would come from the disk.  One untimed read each.
    for side in sides:
        load.curl_download(f"{side.server.url}/v2/images/{side.image}/file")
    for run in range(bench.runs):
        for side in bench.order(run, sides):
            speed, sizes = load.curl_download(
                f"{side.server.url}/v2/images/{side.image}/file")
            if sizes != [GIB]:
                raise RuntimeError(f"{side.name}: short v2 download {sizes}")
            results[side.name]["download"].append(speed)
    bench.log("v2: GET /v2/images/{id} and GET /v2/images?limit=25 (wrk, 16 connections)")
    for key, path in (("show", "/v2/images/{small}"), ("list", "/v2/images?limit=25")):
        for run in range(bench.runs):
            for side in bench.order(run, sides):
                result = load.wrk(side.server.url + path.format(small=side.small),
                                  bench.workdir, seconds=bench.args.seconds)
                if result["errors"]:
                    raise RuntimeError(f"{side.name}: {key}: {result['errors']} failed requests")
                results[side.name][key].append(result["rps"])
    for side in sides:
        results[side.name]["rss_all"].append(side.server.peak_rss())
    _rows(bench, results, ours, theirs)


def _rows(bench, results, ours, theirs):
    def values(side, key):
        if side is None:
            return None
        found = results[side.name][key]
        return [value / 1e6 for value in found] if key.startswith("rss") else found

    for key, name, unit, target, better in (
            ("upload", "v2 upload 1 GiB (PUT …/file)", "MB/s", 2.5, "higher"),
            ("download", "v2 download 1 GiB (GET …/file)", "MB/s", 1.0, "higher"),
            ("show", "GET /v2/images/{id}, 16 conns", "req/s", 10.0, "higher"),
            ("list", "GET /v2/images?limit=25, 16 conns", "req/s", 10.0, "higher"),
            ("rss_upload", "peak RSS per process, 1 GiB upload", "MB", 1 / 3, "lower"),
            ("rss_all", "peak RSS per process, whole comparison", "MB", 1 / 3, "lower")):
        bench.row("glance33", name, unit, values(ours, key), values(theirs, key), PEER,
                  target={"ratio": round(target, 2)}, better=better)
