"""`--paste`: our HTTP server against Paste's `httpserver`, the same
paste.ini pipeline (in-process registry) under both: HEAD, a 1 GiB download
and a 1 GiB upload (why glance/httpd exists: docs/performance.rst)."""

import json
import os

import load
import servers

OCTET = "Content-Type: application/octet-stream"


def compare(bench, head_id, kept, big):
    ours = servers.glance(bench.workdir, servers.IN_PROCESS, name="glance-ours-vs-paste")
    pasted = servers.glance_under_paste(bench.workdir)
    try:
        bench.log("HEAD /images/<id>: our server vs Paste's httpserver (same pipeline)")
        mine, theirs = [], []
        for run in range(bench.runs):
            for side in bench.order(run, ("ours", "paste")):
                server = ours if side == "ours" else pasted
                result = load.wrk(f"{server.url}/images/{head_id}", bench.workdir,
                                  method="HEAD", seconds=bench.args.seconds)
                (mine if side == "ours" else theirs).append(result["rps"])
        bench.row("server", "server: HEAD /images/<id>, 16 conns", "req/s", mine, theirs,
                  "Paste httpserver")
        bench.log("download 1 GiB: our server vs Paste's httpserver")
        mine, theirs = [], []
        for run in range(max(1, bench.runs - 1)):
            for side in bench.order(run, ("ours", "paste")):
                server = ours if side == "ours" else pasted
                speed, _ = load.curl_download(f"{server.url}/images/{kept['id']}")
                (mine if side == "ours" else theirs).append(speed)
        bench.row("server", "server: download 1 GiB", "MB/s", mine, theirs, "Paste httpserver")
        bench.log("upload 1 GiB (Content-Length; Paste cannot read chunked bodies)")
        mine, theirs = [], []
        for run in range(max(1, bench.runs - 1)):
            for side in bench.order(run, ("ours", "paste")):
                server = ours if side == "ours" else pasted
                speed, status, body = load.curl_upload(
                    server.url + "/images", big, "POST", [OCTET, "x-image-meta-name: paste"],
                    response_path=os.path.join(bench.workdir, "answer.json"))
                if status != 201:
                    raise RuntimeError(f"{side}: upload answered {status}")
                load.Client(server.url).request(
                    "DELETE", f"/images/{json.loads(body)['image']['id']}")
                (mine if side == "ours" else theirs).append(speed)
        bench.row("server", "server: upload 1 GiB", "MB/s", mine, theirs, "Paste httpserver")
    finally:
        ours.stop()
        pasted.stop()
