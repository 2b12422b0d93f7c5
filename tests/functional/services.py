"""Start the real Glance servers from paste.ini as separate processes.

The registry starts first on port 0 (the kernel picks a free one, which the
server prints); the API then starts on its own free port and talks to that
registry over HTTP.  Everything lives in a scratch directory, and every
process started is stopped (SIGTERM, then SIGKILL) on exit.
"""

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PASTE_INI = os.path.join(ROOT, "paste.ini")
# The console scripts' modules, run with this interpreter and ROOT on the path
# (the scripts themselves exist only where the package is installed).
SCRIPTS = {"glance-api": "glance.cmd.api", "glance-registry": "glance.cmd.registry",
           "glance-manage": "glance.cmd.manage", "glance": "glance.cli"}


def command(script):
    """The argv prefix that runs console script `script` from this tree."""
    return [sys.executable, "-m", SCRIPTS[script]]
# GLANCE_* settings under which the servers accept image origins on loopback,
# where the suite's origins listen: the location policy refuses loopback in
# every auth mode unless the operator allows it (CONTRACT §10).
LOOPBACK_ORIGINS = {"GLANCE_ALLOWED_LOCATION_NETWORKS": "127.0.0.0/8"}
SERVING = re.compile(r"serving on http://([\d.]+):(\d+)")


class ServerProcess:
    """One server process whose stderr is collected (and searched for its port)."""

    def __init__(self, argv, env, name):
        self.name = name
        self.lines = []
        self.process = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        text=True, errors="replace")
        self._port_found = threading.Event()
        self.host = self.port = None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.process.stderr:
            self.lines.append(line)
            match = SERVING.search(line)
            if match and not self._port_found.is_set():
                self.host, self.port = match.group(1), int(match.group(2))
                self._port_found.set()

    def wait_serving(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._port_found.wait(0.05):
                return self
            if self.process.poll() is not None:
                break
        self.stop()
        raise RuntimeError(f"{self.name} did not start:\n{self.output()}")

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def output(self):
        return "".join(self.lines[-200:])

    def stop(self, sig=signal.SIGTERM):
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._reader.join(5)


class Services:
    """The registry and API processes of one test scenario."""

    def __init__(self, workdir, extra_env=None, in_process_registry=False):
        self.workdir = str(workdir)
        self.data_dir = os.path.join(self.workdir, "images")
        self.db_path = os.path.join(self.workdir, "glance.sqlite")
        self.env = dict(os.environ)
        self.env.update({
            "GLANCE_SQL_CONNECTION": f"sqlite:///{self.db_path}",
            "GLANCE_FILESYSTEM_STORE_DATADIR": self.data_dir,
            "PYTHONPATH": ROOT + os.pathsep + self.env.get("PYTHONPATH", ""),
        })
        self.env.pop("GLANCE_REGISTRY_URL", None)
        self.env.update(extra_env or {})
        self.in_process_registry = in_process_registry
        self.registry = self.api = None

    def _spawn(self, script, env, name):
        argv = command(script) + ["--config", PASTE_INI, "--port", "0"]
        return ServerProcess(argv, env, name).wait_serving()

    def start(self):
        api_env = dict(self.env)
        if not self.in_process_registry:
            self.registry = self._spawn("glance-registry", self.env, "registry")
            api_env["GLANCE_REGISTRY_URL"] = self.registry.url
        self.api = self._spawn("glance-api", api_env, "api")
        return self

    def restart_api(self):
        """Stop and start the API on a new port (same registry and data)."""
        env = dict(self.env)
        if self.registry:
            env["GLANCE_REGISTRY_URL"] = self.registry.url
        self.api.stop()
        self.api = self._spawn("glance-api", env, "api")
        return self.api

    def crash_and_restart_both(self):
        """SIGKILL the registry and the API, then start them together, as
        after a power cut: the API first, at once, then the registry on its
        old port (the API's registry_url), so that the API's start-up
        recovery finds no registry and has to try again until it answers."""
        port = self.registry.port
        self.api.stop(signal.SIGKILL)
        self.registry.stop(signal.SIGKILL)
        api_env = dict(self.env, GLANCE_REGISTRY_URL=f"http://127.0.0.1:{port}")
        api = ServerProcess(command("glance-api") + ["--config", PASTE_INI, "--port", "0"],
                            api_env, "api")
        registry = ServerProcess(command("glance-registry")
                                 + ["--config", PASTE_INI, "--port", str(port)],
                                 self.env, "registry")
        self.api, self.registry = api.wait_serving(), registry.wait_serving()
        return self

    def stop(self):
        for server in (self.api, self.registry):
            if server is not None:
                server.stop()

    @property
    def api_host(self):
        return self.api.host

    @property
    def api_port(self):
        return self.api.port

    @property
    def api_url(self):
        return self.api.url

    @property
    def registry_url(self):
        return self.registry.url if self.registry else None


@contextlib.contextmanager
def running_services(workdir, **kwargs):
    services = Services(workdir, **kwargs)
    try:
        yield services.start()
    finally:
        services.stop()
