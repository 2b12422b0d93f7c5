"""The load generators: wrk for request rates, curl for 1 GiB transfers, and a
small standard-library client for the rest (lists, paging, creating images).

The same client always drives ours and the baseline it is compared with.
"""

import http.client
import json
import os
import re
import subprocess
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
