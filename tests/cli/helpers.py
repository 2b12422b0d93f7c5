"""Running `glance` in tests: in-process with its streams injected, as a
process, or with its stderr on a pseudo-terminal; images to act on; and a
scripted server for what the real ones cannot show."""

import io
import os
import pty
import subprocess
from dataclasses import dataclass

from glance.cli import main
from tests.client.peer import ScriptedPeer
from tests.functional.services import ROOT, command


@dataclass
class Result:
    code: int
    out: str
    err: str
    raw: bytes = b""


class TerminalInput(io.BytesIO):
    """Typed answers on a 'terminal'."""

    def isatty(self):
        return True


def run(url, *argv, stdin=None, env=None):
    """`glance ARGV` in-process; stdin defaults to /dev/null (no data)."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="\n")
    err = io.StringIO()
    environ = {"GLANCE_URL": url, **(env or {})}
    devnull = open(os.devnull, "rb")
    try:
        code = main(list(argv), stdin=devnull if stdin is None else stdin,
                        stdout=out, stderr=err, environ=environ)
    finally:
        devnull.close()
    out.flush()
    raw = out.buffer.getvalue()
    return Result(code, raw.decode("utf-8", "replace"), err.getvalue(), raw)


def process(url, *argv, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, cwd=None):
    """`glance ARGV` as a process (`python -m glance.cli`)."""
    env = dict(os.environ, PYTHONPATH=ROOT, GLANCE_URL=url)
    return subprocess.Popen(command("glance") + list(argv), stdin=stdin, stdout=subprocess.PIPE,
                            stderr=stderr, env=env, cwd=cwd or ROOT)


def on_terminal(url, *argv, stdin=subprocess.DEVNULL):
    """Run with stderr on a pseudo-terminal → (exit status, stdout, terminal bytes)."""
    master, slave = pty.openpty()
    proc = process(url, *argv, stderr=slave, stdin=stdin)
    os.close(slave)
    seen = b""
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:              # EIO: the child closed the terminal
            break
        if not data:
            break
        seen += data
    os.close(master)
    stdout = proc.stdout.read()
    proc.stdout.close()
    return proc.wait(30), stdout, seen


def new_image(glance, tag, data=None, **fields):
    meta = {"name": "img", "is_public": True, "disk_format": "raw",
            "container_format": "bare", "properties": {"tag": tag}}
    meta.update(fields)
    return glance.add_image(meta, data)


def added_id(result):
    assert result.code == 0, result.err
    return result.out.split("Added new image with ID: ")[1].split()[0]


def write(path, size):
    path.write_bytes(os.urandom(size))
    return path


class Peer:
    """A scripted server (`tests.client.peer.ScriptedPeer`) for the command:
    `answers` maps (method, path without query) to (status, headers, body),
    or to a list of them handed out in turn (the last one repeats).  Use
    as a context manager; `url` is the command's --url."""

    def __init__(self, answers):
        self.answers = {key: list(value) if isinstance(value, list) else [value]
                        for key, value in answers.items()}
        self.peer = ScriptedPeer(self._answer)
        self.url = f"http://127.0.0.1:{self.peer.port}"

    def _answer(self, request):
        queue = self.answers.get((request["method"], request["path"].split("?")[0]))
        if queue is None:
            return 404, [], b'{"error": {"code": 404, "message": "no such route"}}'
        return queue.pop(0) if len(queue) > 1 else queue[0]

    @property
    def requests(self):
        return self.peer.requests

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.peer.close()
