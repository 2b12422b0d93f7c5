"""Run the real OpenStack clients, which live in virtualenvs of their own.

The clients cannot be imported into our venv (glanceclient 2.17.1 and 4.x
conflict, and none of them is a dependency of ours), so `make test` builds
`.venv-clients/v1` and `.venv-clients/v2` from the pin files beside this
module, and the tests run them as processes:

- a CLI runs with its standard input *closed*: the glance CLIs read a stdin
  that is not a TTY as image data, and an open /dev/null is not enough
  (glanceclient 2.17.1 then refuses `image-create --name x` with "Must provide
  --container-format, --disk-format when using stdin");
  the exceptions are clients that crash on a closed stdin when a socket
  they keep open took fd 0 and they then call `sys.stdin.isatty()` on None
  (glanceclient 2.17.1's `image-update` of a queued image; the `openstack`
  CLI's `image create` without `--file` behind any keep-alive server, its
  version discovery's connection being that socket); such a command gets a
  pseudo-terminal, as a user at a terminal has (`stdin="tty"`), which also
  sends no data;
- a Python snippet runs in the venv's interpreter: it defines `main(p)`, gets
  the keyword arguments of `python()` as the dict `p`, and its return value
  comes back through JSON.

Every run is bounded (`TIMEOUT`) and its environment has no `OS_*` variables,
so nothing from the caller's shell or a clouds.yaml changes what is sent.
"""

import json
import os
import pty
import subprocess
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLIENTS_DIR = os.path.join(ROOT, ".venv-clients")
TIMEOUT = 90
TOKEN = "compat-token"

# Runs the snippet's main(p) with p from argv[1] and prints its result as JSON.
_RUNNER = """
import json, sys
{code}
print(json.dumps(main(json.loads(sys.argv[1]))))
"""


class Result:
    """What a user of a CLI sees: exit code, standard output, standard error."""

    def __init__(self, argv, rc, out, err):
        self.argv, self.rc, self.out, self.err = argv, rc, out, err

    def __repr__(self):
        return (f"$ {' '.join(self.argv)}\nexit {self.rc}\n--- stdout\n{self.out[-3000:]}"
                f"--- stderr\n{self.err[-3000:]}")

    def ok(self):
        """Assert a zero exit (showing the whole exchange if not); returns self."""
        assert self.rc == 0, repr(self)
        return self

    def failed(self):
        """Assert a non-zero exit; returns self."""
        assert self.rc != 0, repr(self)
        return self

    def json(self):
        """The stdout of an `-f json` command, decoded."""
        self.ok()
        return json.loads(self.out)

    def table(self):
        """The rows of the prettytable on stdout, as lists of stripped cells."""
        return parse_table(self.out)

    def fields(self):
        """A two-column table (`Property | Value`) as a dict, header row left out.

        A value too wide for its column (a SHA-512 hex digest) continues on
        rows with an empty first cell; they are joined back without a space.
        """
        fields, key = {}, None
        for row in self.ok().table()[1:]:
            if len(row) != 2:
                continue
            if row[0]:
                key = row[0]
                fields[key] = row[1]
            elif key is not None:
                fields[key] += row[1]
        return fields


def parse_table(text):
    """Rows of every `| a | b |` line in `text`; the header row is the first row."""
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("|") and line.endswith("|"):
            rows.append([cell.strip() for cell in line[1:-1].split("|")])
    return rows


def clean_env(extra=None):
    """The caller's environment without any OS_* setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env["PYTHONWARNINGS"] = "ignore"
    env.update(extra or {})
    return env


def run(argv, timeout=TIMEOUT, env=None, stdin="closed"):
    """Run argv with stdin closed (or a terminal: `stdin="tty"`), bounded by `timeout`."""
    if stdin == "tty":
        leader, follower = pty.openpty()
        shell, stdin_fd = argv, follower
    else:
        leader = follower = None
        shell, stdin_fd = ["/bin/sh", "-c", 'exec "$@" <&-', argv[0], *argv], subprocess.DEVNULL
    try:
        done = subprocess.run(shell, stdin=stdin_fd, capture_output=True,
                              text=True, errors="replace", timeout=timeout,
                              env=clean_env(env))
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"$ {' '.join(argv)}\nstill running after {timeout}s:\n"
                             f"{exc.stdout!r}\n{exc.stderr!r}") from None
    finally:
        for fd in (leader, follower):
            if fd is not None:
                os.close(fd)
    return Result(argv, done.returncode, done.stdout, done.stderr)


class Venv:
    """One client virtualenv under .venv-clients/ (built by `make clients`)."""

    def __init__(self, name, clients_dir=CLIENTS_DIR):
        self.name = name
        self.path = os.path.join(clients_dir, name)

    def missing(self):
        """Why this venv cannot be used, or None when it can."""
        if not os.path.exists(os.path.join(self.path, ".installed")):
            return (f"client virtualenv {self.path} is not built: run `make clients` "
                    f"(make test builds it from tests/compat/requirements-{self.name}.txt)")
        return None

    def bin(self, name):
        return os.path.join(self.path, "bin", name)

    def python(self, code, timeout=TIMEOUT, **params):
        """Run `code` (defining main(p)) in this venv; main's result, decoded."""
        source = _RUNNER.format(code=textwrap.dedent(code))
        argv = [self.bin("python"), "-c", source, json.dumps(params)]
        result = run(argv, timeout=timeout)
        assert result.rc == 0, (f"snippet failed (exit {result.rc}) with {params}:\n"
                                f"{result.err[-4000:]}")
        return json.loads(result.out.strip().splitlines()[-1])


class GlanceV1:
    """python-glanceclient 2.17.1 speaking the Images API v1 to `url`."""

    def __init__(self, venv, url):
        self.venv, self.url = venv, url

    def glance(self, *args, timeout=TIMEOUT, stdin="closed"):
        return run([self.venv.bin("glance"), "--os-image-api-version", "1",
                    "--os-image-url", self.url, "--os-auth-token", TOKEN, *args],
                   timeout=timeout, stdin=stdin)

    def python(self, code, **params):
        return self.venv.python(code, url=self.url, token=TOKEN, **params)


class ImagesV2:
    """The latest v2 clients (glance 4.x, openstack, openstacksdk) talking to `url`."""

    def __init__(self, venv, url):
        self.venv, self.url = venv, url

    def glance(self, *args, timeout=TIMEOUT):
        return run([self.venv.bin("glance"), "--os-image-url", self.url,
                    "--os-auth-token", TOKEN, *args], timeout=timeout)

    def openstack(self, *args, timeout=TIMEOUT):
        """`openstack` as a user without Keystone runs it (CONTRACT §4), at a
        terminal (see the module docstring)."""
        return run([self.venv.bin("openstack"), "--os-auth-type", "none",
                    "--os-endpoint", self.url, *args], timeout=timeout, stdin="tty")

    def openstack_token(self, *args, timeout=TIMEOUT):
        """`openstack` in token mode: admin_token against the versioned endpoint."""
        return run([self.venv.bin("openstack"), "--os-auth-type", "admin_token",
                    "--os-endpoint", self.url + "/v2", "--os-token", TOKEN, *args],
                   timeout=timeout, stdin="tty")

    def python(self, code, **params):
        return self.venv.python(code, url=self.url, token=TOKEN, **params)
