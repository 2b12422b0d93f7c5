"""The load generators: wrk for request rates, curl for 1 GiB transfers (one,
two or a boot storm of many at once), a small standard-library client for
the rest (lists, paging, creating images), held-open idle connections, and
the competing CPU load.

The same client always drives ours and the baseline it is compared with.
Everything started here is bounded in time and stopped by its PID.
"""

import http.client
import json
import math
import os
import re
import select
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def wrk(url, workdir, connections=16, threads=2, seconds=4, method="GET"):
    """{'rps', 'p50_ms', 'p99_ms', 'errors'} of one wrk run (keep-alive)."""
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if method != "GET":
        script = os.path.join(workdir, f"wrk-{method.lower()}.lua")
        with open(script, "w") as out:
            out.write(f'wrk.method = "{method}"\n')
        argv += ["-s", script]
    text = subprocess.run(argv + [url], capture_output=True, text=True, check=True,
                          timeout=seconds + 30).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))}
    for pct in ("50", "99"):
        found = re.search(rf"^\s+{pct}(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        result[f"p{pct}_ms"] = float(found.group(1)) * _UNITS[found.group(2)] if found else None
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                        text)
    result["errors"] = (int(errors.group(1)) if errors else 0) + (
        sum(int(n) for n in sockets.groups()) if sockets else 0)
    return result


def curl_upload(url, path, method="POST", headers=(), chunked=False, response_path=None):
    """Send the file at `path`; (MB/s, HTTP status, response body)."""
    size = os.path.getsize(path)
    argv = ["curl", "-s", "-S", "-X", method, "-T", path, "-o", response_path or os.devnull,
            "-w", "%{http_code} %{time_total}", "-H", "Expect:"]
    if chunked:
        argv += ["-H", "Transfer-Encoding: chunked"]
    for header in headers:
        argv += ["-H", header]
    out = subprocess.run(argv + [url], capture_output=True, text=True, timeout=600)
    status, seconds = out.stdout.split()
    body = b""
    if response_path:
        with open(response_path, "rb") as answer:
            body = answer.read()
    return size / float(seconds) / 1e6, int(status), body


def curl_download(url, clients=1):
    """Fetch `url` with `clients` concurrent curls; aggregate MB/s and the
    bytes each received."""
    argv = ["curl", "-s", "-S", "-o", os.devnull, "-w", "%{http_code} %{size_download}", url]
    started = time.perf_counter()
    procs = [subprocess.Popen(argv, stdout=subprocess.PIPE, text=True) for _ in range(clients)]
    outputs = [proc.communicate(timeout=600)[0].split() for proc in procs]
    elapsed = time.perf_counter() - started
    if any(status != "200" for status, _ in outputs):
        raise RuntimeError(f"download of {url} failed: {outputs}")
    total = sum(int(size) for _, size in outputs)
    return total / elapsed / 1e6, [int(size) for _, size in outputs]


def storm(url, clients, timeout=600):
    """`clients` curls fetching `url` all at once, as compute nodes pulling
    one image in a boot storm; (aggregate MB/s, seconds each took)."""
    argv = ["curl", "-s", "-S", "-o", os.devnull, "-w",
            "%{http_code} %{size_download} %{time_total}", url]
    started = time.perf_counter()
    procs = [subprocess.Popen(argv, stdout=subprocess.PIPE, text=True) for _ in range(clients)]
    try:
        deadline = time.monotonic() + timeout
        outputs = [proc.communicate(timeout=max(1, deadline - time.monotonic()))[0].split()
                   for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    elapsed = time.perf_counter() - started
    if any(len(out) != 3 or out[0] != "200" for out in outputs):
        raise RuntimeError(f"boot storm on {url}: {[out for out in outputs if out[:1] != ['200']]}")
    total = sum(int(size) for _, size, _ in outputs)
    return total / elapsed / 1e6, [float(seconds) for _, _, seconds in outputs]


def percentile(values, pct):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


_BURN = """import sys, time
end = time.monotonic() + float(sys.argv[1])
x = 0
while time.monotonic() < end:
    for _ in range(10000):
        x += 1
"""


class CpuLoad:
    """A fixed competing load: `processes` pure-Python busy loops, each ending
    by itself after `seconds` at the latest, and stopped by PID on exit (the
    same load whichever server is measured)."""

    def __init__(self, processes=2, seconds=300):
        self.processes = processes
        self.seconds = seconds
        self.procs = []

    def __enter__(self):
        self.procs = [subprocess.Popen([sys.executable, "-c", _BURN, str(self.seconds)])
                      for _ in range(self.processes)]
        time.sleep(0.2)                 # running before the measurement starts
        return self

    def __exit__(self, *exc_info):
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        self.procs = []


class IdleConnections:
    """`count` kept-alive connections, each having sent one request (`method`
    `path`) and read its answer, then left idle: clients that connected and
    wait.  They come from several loopback addresses, `per_address` each, as
    many nodes would (a server process caps one address's connections:
    `max_connections_per_address`, 64)."""

    def __init__(self, url, path, count=1000, per_address=50, method="HEAD"):
        parts = urlsplit(url)
        self.address = (parts.hostname, parts.port)
        self.request = (f"{method} {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n").encode()
        self.count = count
        self.per_address = per_address
        self.socks = []

    def __enter__(self):
        try:
            for index in range(self.count):
                sock = socket.socket()
                self.socks.append(sock)
                sock.settimeout(10)
                sock.bind((f"127.0.{1 + index // self.per_address // 250}."
                           f"{2 + index // self.per_address % 250}", 0))
                sock.connect(self.address)
                sock.sendall(self.request)
            for sock in self.socks:
                _read_head(sock)
        except BaseException:
            self.close()
            raise
        return self

    def alive(self):
        """How many are still open (an idle socket that is readable was closed)."""
        return sum(1 for sock in self.socks
                   if not select.select([sock], [], [], 0)[0])

    def close(self):
        for sock in self.socks:
            sock.close()
        self.socks = []

    def __exit__(self, *exc_info):
        self.close()


def _read_head(sock):
    """Read one answer's head (a HEAD's answer has no body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("an idle connection was closed before its answer")
        data += chunk
    if not data.startswith((b"HTTP/1.1 200", b"HTTP/1.0 200")):
        raise RuntimeError(f"an idle connection was answered {data[:40]!r}")


class Client:
    """One keep-alive connection to a server (http.client)."""

    def __init__(self, base_url, timeout=120):
        parts = urlsplit(base_url)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)

    def request(self, method, path, headers=None, body=None):
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                response = self.conn.getresponse()
                return response.status, response.headers, response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()   # the server closed it while idle: once more, anew
                if attempt == 2:
                    raise

    def json(self, method, path, headers=None, body=None):
        status, _, data = self.request(method, path, headers, body)
        if status >= 300:
            raise RuntimeError(f"{method} {path} answered {status}: {data[:200]!r}")
        return json.loads(data)

    def timed(self, path, count):
        """Milliseconds of `count` sequential GETs of `path`."""
        times = []
        for _ in range(count):
            started = time.perf_counter()
            status, _, _ = self.request("GET", path)
            times.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise RuntimeError(f"GET {path} answered {status}")
        return times

    def close(self):
        self.conn.close()


def first_answer_time(start_server, probe_path="/images?limit=1"):
    """Seconds from starting a server process to its first answered request.

    `start_server()` returns the server once it printed its port; the clock
    runs from before the process was spawned until a GET is answered.
    """
    started = time.perf_counter()
    server = start_server()
    deadline = time.monotonic() + 30
    while True:
        try:
            client = Client(server.url, timeout=5)
            status, _, _ = client.request("GET", probe_path)
            client.close()
            if status < 500:
                return time.perf_counter() - started, server
        except OSError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError("the server never answered")
        time.sleep(0.002)


class PeakSampler:
    """Samples a server's peak RSS while something runs (VmHWM after a reset)."""

    def __init__(self, server):
        self.server = server

    def __enter__(self):
        self.server.reset_peak_rss()
        return self

    def __exit__(self, *exc_info):
        self.peak = self.server.peak_rss()
