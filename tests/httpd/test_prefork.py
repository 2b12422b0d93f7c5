"""Pre-forked workers: they serve one socket, die with the master, come back
when they die alone, and never share the master's database connections."""

import http.client
import os
import signal
import subprocess
import sys
import time

import pytest

from glance.httpd import prefork
from glance.registry import db
from tests.httpd.helpers import serving_port

TIMEOUT = 10
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SERVE = """
import os, sys
from paste.deploy import loadserver

def app(environ, start_response):
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Length", str(len(body)))])
    return [body]

loadserver("config:" + sys.argv[1])(app)
"""


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as listing:
            return sorted(int(child) for child in listing.read().split())
    except OSError:
        return []


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:     # a zombie is not alive
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"


def wait_for(predicate, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def answering_pid(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        conn.request("GET", "/")
        return int(conn.getresponse().read())
    finally:
        conn.close()


@pytest.fixture
def server(tmp_path):
    ini = tmp_path / "paste.ini"
    ini.write_text("[server:main]\npaste.server_runner = glance.httpd.runner:server_runner\n"
                   "bind_host = 127.0.0.1\nbind_port = 0\nserver_threads = 2\nworkers = 2\n")
    env = dict(os.environ, PYTHONPATH=REPO)
    for name in ("GLANCE_BIND_PORT", "GLANCE_WORKERS"):
        env.pop(name, None)
    proc = subprocess.Popen([sys.executable, "-c", SERVE, str(ini)], stderr=subprocess.PIPE,
                            env=env, text=True)
    proc.port = serving_port(proc.stderr)
    assert wait_for(lambda: len(children(proc.pid)) == 2)
    yield proc
    proc.kill()
    proc.wait(TIMEOUT)
    proc.stderr.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_workers_serve_and_stop_with_the_master(server):
    workers = children(server.pid)
    seen = {answering_pid(server.port) for _ in range(40)}
    assert seen <= set(workers) and seen
    server.terminate()
    assert server.wait(TIMEOUT) == 0
    assert not any(alive(pid) for pid in workers)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_worker_that_dies_is_replaced(server):
    first, second = children(server.pid)
    os.kill(first, signal.SIGKILL)
    assert wait_for(lambda: len(children(server.pid)) == 2 and first not in children(server.pid))
    assert second in children(server.pid)
    assert answering_pid(server.port) in children(server.pid)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_with_a_killed_master(server):
    workers = children(server.pid)
    server.kill()
    server.wait(TIMEOUT)
    assert wait_for(lambda: not any(alive(pid) for pid in workers))


def test_database_connections_are_closed_before_a_fork(tmp_path):
    database = db.Database(f"sqlite:///{tmp_path / 'g.sqlite'}")
    before = database.connection()
    prefork._close_connections()        # what os.fork() runs first
    with pytest.raises(Exception, match="closed"):
        before.execute("SELECT 1")
    assert database.connection() is not before
    assert database.version() == db.LATEST_VERSION
    database.close()


def test_a_forked_child_opens_its_own_database_connection(tmp_path):
    database = db.Database(f"sqlite:///{tmp_path / 'g.sqlite'}")
    inherited = database.connection()
    inherited.execute("CREATE TABLE t (v)")
    pid = os.fork()
    if pid == 0:    # the child: a connection of its own, and it works
        code = 1
        try:
            if database.connection() is not inherited:
                with database.transaction(write=True) as conn:
                    conn.execute("INSERT INTO t VALUES (1)")
                code = 0
        finally:
            os._exit(code)
    assert os.waitpid(pid, 0)[1] == 0
    rows = database.connection().execute("SELECT v FROM t").fetchall()
    assert [tuple(row) for row in rows] == [(1,)]
    database.close()
