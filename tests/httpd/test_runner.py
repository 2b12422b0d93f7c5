"""runner.server_runner: the server's options from paste.ini, refused when
malformed (exit status 2), and a paste.ini server section that serves."""

import http.client
import importlib.metadata
import os
import subprocess
import sys

import pytest

from glance.common import config
from glance.httpd import runner
from tests.fixtureapps.httpd_apps import hello_app
from tests.httpd.helpers import REPO, TIMEOUT, serving_port


def test_server_runner_rejects_a_bad_option_with_status_2(capsys, monkeypatch):
    monkeypatch.delenv("GLANCE_BIND_PORT", raising=False)   # the environment would win
    with pytest.raises(SystemExit) as exited:
        runner.server_runner(hello_app, {"here": "/tmp"}, bind_port="http")
    assert exited.value.code == 2
    assert "bind_port" in capsys.readouterr().err


def test_server_runner_rejects_an_unknown_option_with_status_2(capsys):
    with pytest.raises(SystemExit) as exited:
        runner.server_runner(hello_app, {}, bind_prot="9292")
    assert exited.value.code == 2
    assert "bind_prot" in capsys.readouterr().err


@pytest.mark.parametrize("options, named", [
    ({"max_threads": "4", "server_threads": "8"}, "max_threads"),
    ({"max_connections_per_address": "-1"}, "max_connections_per_address"),
    ({"request_head_timeout": "0"}, "request_head_timeout"),
    ({"min_upload_rate": "fast"}, "min_upload_rate"),
])
def test_server_runner_rejects_server_options_out_of_range(capsys, options, named):
    with pytest.raises(SystemExit) as exited:
        runner.server_runner(hello_app, {}, **options)
    assert exited.value.code == 2
    assert named in capsys.readouterr().err


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "", "192.0.2.10", "glance.example"])
def test_noauth_refuses_to_listen_beyond_loopback(capsys, monkeypatch, host):
    """Every noauth caller is an admin: on a reachable address that is
    everyone (issue 15 item 15).  Exit 2 before anything listens."""
    monkeypatch.delenv("GLANCE_BIND_HOST", raising=False)
    monkeypatch.delenv("GLANCE_AUTH_STRATEGY", raising=False)
    with pytest.raises(SystemExit) as exited:
        runner.server_runner(hello_app, {"auth_strategy": "noauth"}, bind_host=host)
    assert exited.value.code == 2
    assert "noauth" in capsys.readouterr().err


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_noauth_on_loopback_says_what_it_is(capsys, host):
    runner.check_exposure(config.load(environ={}, auth_strategy="noauth", bind_host=host))
    assert "every caller is an admin" in capsys.readouterr().err


def test_other_modes_listen_anywhere(capsys):
    for mode in ("token", "trusted-proxy"):
        runner.check_exposure(config.load(environ={}, auth_strategy=mode, bind_host="0.0.0.0"))
    assert capsys.readouterr().err == ""


SERVE_PASTE_INI = """
import sys
from paste.deploy import loadserver

def app(environ, start_response):
    start_response("200 OK", [("Content-Length", "5")])
    return [b"paste"]

loadserver("config:" + sys.argv[1])(app)
"""


GLANCE_INSTALLED = any(
    entry.value == "glance.httpd.runner:server_runner"
    for entry in importlib.metadata.entry_points(group="paste.server_runner", name="http"))


@pytest.mark.parametrize("runner", [
    "paste.server_runner = glance.httpd.runner:server_runner",
    pytest.param("use = egg:glance#http", marks=pytest.mark.skipif(
        not GLANCE_INSTALLED, reason="glance is not installed (pip install -e .)")),
])
def test_paste_ini_server_section_serves_until_sigterm(tmp_path, runner):
    ini = tmp_path / "paste.ini"
    ini.write_text(f"[server:main]\n{runner}\n"
                   "bind_host = 127.0.0.1\nbind_port = 0\nserver_threads = 2\n")
    env = dict(os.environ, PYTHONPATH=REPO)
    env.pop("GLANCE_BIND_PORT", None)
    proc = subprocess.Popen([sys.executable, "-c", SERVE_PASTE_INI, str(ini)],
                            stderr=subprocess.PIPE, env=env, text=True)
    try:
        port = serving_port(proc.stderr)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        conn.request("GET", "/")
        assert conn.getresponse().read() == b"paste"
        conn.close()
        proc.terminate()
        assert proc.wait(TIMEOUT) == 0
    finally:
        proc.kill()
        proc.stderr.close()
