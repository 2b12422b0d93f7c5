"""The servers a benchmark run starts, each as a process of its own on loopback.

- `glance()`: the image API from `paste.ini` (`glance-api`, our
  standard-library server) on a scratch directory, in one of two layouts:
  `README` (what `make run` starts: `glance-registry` as its own process and
  the API calling it over HTTP through `registry_url`, both on one
  database, with a service token) or `IN_PROCESS` (the registry inside the
  API, `registry_url` empty);
- `glance_under_paste()`: the same pipeline under Paste's `httpserver`, for
  the server comparison;
- `Nginx`: nginx serving a directory and accepting PUTs (the data-path
  baseline);
- `floor()`: `bench/floor.py`, a minimal threaded standard-library server.

Every process writes its output to a log file in the scratch directory
(a pipe read by a slow reader would slow the server down), and is stopped
with SIGTERM, then SIGKILL.
"""

import configparser
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASTE_INI = os.path.join(ROOT, "paste.ini")
SERVING = re.compile(rb"serving on (?:https?://)?([\d.]+):(\d+)")


def peak_rss(pid):
    """VmHWM of a process, in bytes (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def reset_peak_rss(pid):
    """Start a new VmHWM window (proc(5): writing 5 to clear_refs)."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        pass


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A server process; `url`, `pid`, `started_in` (seconds to the banner)."""

    def __init__(self, name, argv, env, log_path, port=None, cwd=None):
        self.name = name
        self.log_path = log_path
        self.port = port
        self.host = "127.0.0.1"
        started = time.perf_counter()
        self._log = open(log_path, "wb")
        self.process = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                                        stdout=self._log, stderr=subprocess.STDOUT)
        self.pid = self.process.pid
        self._wait_ready()
        self.started_in = time.perf_counter() - started

    def _wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if self.port is None:
                with open(self.log_path, "rb") as log:
                    found = SERVING.search(log.read(65536))
                if found:
                    self.host, self.port = found.group(1).decode(), int(found.group(2))
                    return
            elif _accepts(self.host, self.port):
                return
            time.sleep(0.002)
        self.stop()
        raise RuntimeError(f"{self.name} did not start; its log:\n{self.log()}")

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def pids(self):
        """The process and its children (prefork workers, nginx workers)."""
        return [self.pid, *children(self.pid)]

    def peak_rss(self):
        """The largest VmHWM among the server's processes."""
        return max(peak_rss(pid) for pid in self.pids())

    def reset_peak_rss(self):
        for pid in self.pids():
            reset_peak_rss(pid)

    def log(self, limit=4000):
        with open(self.log_path, "rb") as log:
            return log.read()[-limit:].decode("utf-8", "replace")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as listing:
            return [int(child) for child in listing.read().split()]
    except OSError:
        return []


def _accepts(host, port):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def glance_env(workdir):
    env = dict(os.environ)
    env.update({
        "GLANCE_SQL_CONNECTION": f"sqlite:///{os.path.join(workdir, 'glance.sqlite')}",
        "GLANCE_FILESYSTEM_STORE_DATADIR": os.path.join(workdir, "images"),
        "PYTHONPATH": ROOT + os.pathsep + env.get("PYTHONPATH", ""),
    })
    for name in ("GLANCE_REGISTRY_URL", "GLANCE_SERVICE_TOKEN", "GLANCE_ENABLED_APIS"):
        env.pop(name, None)
    return env


README = "README layout"
IN_PROCESS = "in-process registry"
# The README layout as it was before shared reads: every read a registry call.
README_HTTP = "README layout, reads over HTTP"
LAYOUT_ENV = {README_HTTP: {"GLANCE_REGISTRY_SHARED_READS": "false"}}


class Layout:
    """The API and, in the README layout, its registry: stopped together;
    `pids()` and the peak RSS cover both."""

    def __init__(self, api, registry=None):
        self.api = api
        self.registry = registry
        self.url = api.url
        self.pid = api.pid

    def pids(self):
        return self.api.pids() + (self.registry.pids() if self.registry else [])

    def peak_rss(self):
        return max(peak_rss(pid) for pid in self.pids())

    def reset_peak_rss(self):
        for pid in self.pids():
            reset_peak_rss(pid)

    def stop(self):
        for server in (self.api, self.registry):
            if server is not None:
                server.stop()


def glance(workdir, layout=README, name="glance", env=None):
    """The API of paste.ini on a free port, in `layout`; `env`: more GLANCE_*
    settings for both processes."""
    own_registry = None
    env = dict(LAYOUT_ENV.get(layout, {}), **(env or {}))
    if layout in (README, README_HTTP):
        own_registry = registry(workdir, f"{name}-registry", env)
        env.update(GLANCE_REGISTRY_URL=own_registry.url,
                   GLANCE_SERVICE_TOKEN=own_registry.service_token)
    try:
        api = api_only(workdir, env, name)
    except BaseException:
        if own_registry is not None:
            own_registry.stop()
        raise
    return Layout(api, own_registry)


def registry(workdir, name="registry", env=None):
    """`glance-registry` of paste.ini on a free port, with a fresh service
    token (`service_token` on the returned server), as `make run` starts it."""
    env = dict(glance_env(workdir), **(env or {}))
    env.setdefault("GLANCE_SERVICE_TOKEN", "bench-" + os.urandom(16).hex())
    server = Server(name, _command("glance.cmd.registry"), env,
                    os.path.join(workdir, f"{name}.log"))
    server.service_token = env["GLANCE_SERVICE_TOKEN"]
    return server


def api_only(workdir, env=None, name="glance"):
    """`glance-api` of paste.ini on a free port; `env` may name its registry."""
    return Server(name, _command("glance.cmd.api"), dict(glance_env(workdir), **(env or {})),
                  os.path.join(workdir, f"{name}.log"))


def _command(module):
    return [sys.executable, "-m", module, "--config", PASTE_INI, "--port", "0"]


def glance_under_paste(workdir, threads=16):
    """paste.ini's API pipeline and logging, served by Paste's httpserver."""
    source = configparser.RawConfigParser()
    source.read(PASTE_INI)
    ini = configparser.RawConfigParser()
    ini["app:main"] = {"use": f"config:{PASTE_INI}#main"}
    ini["server:main"] = {"use": "egg:Paste#http", "host": "127.0.0.1", "port": "0",
                          "protocol_version": "HTTP/1.1", "threadpool_workers": str(threads)}
    for section in source.sections():
        if section.split(":")[0].split("_")[0] in ("loggers", "handlers", "formatters",
                                                   "logger", "handler", "formatter"):
            ini[section] = dict(source.items(section, raw=True))
    path = os.path.join(workdir, "paste-server.ini")
    with open(path, "w") as out:
        ini.write(out)
    argv = [sys.executable, "-m", "glance.cmd.api", "--config", path]
    return Server("glance-paste", argv, glance_env(workdir),
                  os.path.join(workdir, "glance-paste.log"))


def floor(workdir):
    argv = [sys.executable, os.path.join(ROOT, "bench", "floor.py")]
    return Server("floor", argv, dict(os.environ), os.path.join(workdir, "floor.log"))


class Nginx(Server):
    """nginx with `root` as its document root and PUT (WebDAV) under /upload/."""

    def __init__(self, workdir, root):
        prefix = os.path.join(workdir, "nginx")
        os.makedirs(os.path.join(prefix, "body"), exist_ok=True)
        os.makedirs(os.path.join(root, "upload"), exist_ok=True)
        port = free_port()
        user = "user root root;" if os.geteuid() == 0 else ""
        conf = os.path.join(prefix, "nginx.conf")
        with open(conf, "w") as out:
            out.write(textwrap.dedent(f"""\
                {user}
                worker_processes auto;
                daemon off;
                pid {prefix}/nginx.pid;
                error_log {prefix}/error.log warn;
                events {{ worker_connections 1024; }}
                http {{
                    access_log off;
                    sendfile on;
                    tcp_nopush on;
                    tcp_nodelay on;
                    keepalive_requests 1000000;
                    client_body_temp_path {prefix}/body;
                    client_max_body_size 0;
                    client_body_buffer_size 1m;
                    server {{
                        listen 127.0.0.1:{port};
                        root {root};
                        location /upload/ {{ dav_methods PUT DELETE; }}
                    }}
                }}
                """))
        super().__init__("nginx", [nginx_binary(), "-c", conf, "-p", prefix], dict(os.environ),
                         os.path.join(prefix, "nginx.out"), port=port)


def nginx_binary():
    return shutil.which("nginx") or "/usr/sbin/nginx"
