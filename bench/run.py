"""`make bench`: Glance where users run it, against baselines, in one run.

It starts the API from paste.ini in the README's layout (`make run`:
`glance-registry` as its own process, the API calling it over HTTP) on
loopback, and beside it nginx (serving and accepting the same 1 GiB file), a
minimal threaded standard-library server (the floor for small requests),
the API with its registry in-process (the other layout, measured side by
side) and real OpenStack Glance 33 under uWSGI (for the v2 rows).  Every
measurement runs ours and its baseline alternately, `--runs` times, and the
table gives medians, min-max, ours/baseline and the load average of the
machine at that moment.  Results go to bench/results/latest.json; the
tables and plots to docs/ (included by docs/performance.rst).

    python bench/run.py [--runs 3] [--quick] [--workdir DIR] [--no-docs]
                        [--skip-glance33] [--paste]

Needs nginx, wrk and curl: installed from Debian (nginx-light, wrk, curl)
when missing and we are root, otherwise it says what to install.  Glance
33 and uWSGI are installed with pip into their own virtualenv when missing
(shared/recipes/glance33.sh).  Every process it starts is stopped by its
PID, every scenario is bounded in time, and the scratch directory is
removed at the end.
"""

import argparse
import json
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

import datapath  # noqa: E402  (bench/ is the script's directory)
import metadata  # noqa: E402
import paste     # noqa: E402
import peer      # noqa: E402
import report    # noqa: E402
import servers   # noqa: E402

GIB = 1 << 30
TOOLS = {"nginx": "nginx-light", "wrk": "wrk", "curl": "curl"}
IDLE_CONNECTIONS = 1000


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


class Bench:
    """The run's state: its rows, its scratch directory, the A/B order."""

    def __init__(self, args):
        self.args = args
        self.runs = args.runs
        self.workdir = args.workdir or tempfile.mkdtemp(prefix="glance-bench-")
        os.makedirs(self.workdir, exist_ok=True)
        self.rows = []
        self.notes = []
        self.started = time.time()
        self.load_before = os.getloadavg()[0]
        self.pressure_before = cpu_pressure()

    def log(self, text):
        print(f"bench [{time.time() - self.started:5.0f}s] (load {os.getloadavg()[0]:.2f}) "
              f"{text}", flush=True)

    def order(self, run, pair):
        """A/B, then B/A, ...: neither side always goes first."""
        pair = list(pair)
        return pair if run % 2 == 0 else pair[::-1]

    def row(self, group, name, unit, ours, baseline=None, baseline_name=None, target=None,
            better="higher", **extra):
        self.rows.append(report.make_row(group, name, unit, ours, baseline, baseline_name,
                                         target, better, load=os.getloadavg()[0], **extra))

    def run(self):
        ensure_tools()
        self.log(f"scratch directory {self.workdir}")
        big = os.path.join(self.workdir, "1gib.bin")
        make_image_file(big, GIB)
        www = os.path.join(self.workdir, "www")
        os.makedirs(www, exist_ok=True)
        with open(os.path.join(www, "small"), "wb") as small:
            small.write(b"x" * 512)
        started = []
        try:
            glance = servers.glance(self.workdir, servers.README)
            started.append(glance)
            nginx = servers.Nginx(self.workdir, www)
            started.append(nginx)
            floor = servers.floor(self.workdir)
            started.append(floor)
            kept = datapath.transfers(self, glance, nginx, big, www)
            datapath.under_load(self, glance, nginx, kept)
            datapath.boot_storm(self, glance, nginx, kept, 16 if self.args.quick else 64)
            head_id = metadata.create_images(self, glance)
            # Started only now: their start-up recovery ends uploads of this node.
            layouts = {servers.README: glance}
            for layout, name in ((servers.IN_PROCESS, "glance-in"),
                                 (servers.README_HTTP, "glance-http")):
                layouts[layout] = servers.glance(self.workdir, layout, name=name)
                started.append(layouts[layout])
            metadata.rates(self, layouts, floor, head_id)
            for layout in (servers.IN_PROCESS, servers.README_HTTP):
                layouts[layout].stop()
            metadata.idle_connections(self, glance, head_id, IDLE_CONNECTIONS)
            metadata.big_list(self, glance)
            if self.args.paste:
                paste.compare(self, head_id, kept, big)
        finally:
            for server in started:
                server.stop()
        metadata.startup(self)
        metadata.hundred_thousand(self)
        if not self.args.skip_glance33:
            peer.compare(self, big)
        return self.finish()

    def finish(self):
        result = {
            "command": "make bench" + (" (--quick)" if self.args.quick else ""),
            "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "seconds": round(time.time() - self.started, 1),
            "runs": self.runs,
            "machine": dict(machine(), load_before=round(self.load_before, 2),
                            load_after=round(os.getloadavg()[0], 2),
                            cpu_pressure_before=self.pressure_before),
            "notes": self.notes,
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
            self.log("tables and plots in docs/ (performance*.txt, _static/performance*.svg)")
        return result

    def cleanup(self):
        if not self.args.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)


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
                        help="fewer samples, 16 clients in the boot storm and 20k instead "
                             "of 100k images (a smoke test)")
    parser.add_argument("--paste", action="store_true",
                        help="also compare our server with Paste's httpserver")
    parser.add_argument("--skip-glance33", action="store_true",
                        help="leave out the v2 comparison with Glance 33")
    parser.add_argument("--workdir", help="scratch directory (default: a new temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument("--no-docs", action="store_true",
                        help="do not rewrite the plot and table under docs/")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.seconds = min(args.runs, 2), min(args.seconds, 2)
    # SIGTERM ends the run as Ctrl-C does: every process stopped, scratch removed.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(f"bench: signal {signum}"))
    bench = Bench(args)
    try:
        bench.run()
    finally:
        bench.cleanup()


if __name__ == "__main__":
    main()
