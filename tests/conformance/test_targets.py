"""The suite judges our own servers on all three targets, and its exit status means what it says.

In-process from paste.ini, over real HTTP against the API and registry
started from paste.ini as separate processes, and through the
`glance-conformance` entry point: 0 passed, 1 a check failed, 2 the suite
could not run.  Our servers must break exactly the clauses
`known_failures.py` lists, no more (a regression) and no fewer (a fixed
clause whose line must go).
"""

import socket
import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from conformance import cli
from conformance.runner import run
from tests.conformance.conftest import PASTE_INI
from tests.conformance.known_failures import KNOWN_FAILURES, KNOWN_FAILURES_TOKEN_MODE
from tests.conformance.mutants import MUTANTS
from tests.functional.services import LOOPBACK_ORIGINS


def mutant(name):
    return next(m for m in MUTANTS if m.name == name)


def unexpected(failed_clauses, judged=None):
    """Clauses broken but not listed, and listed (and judged) but not broken."""
    failed = set(failed_clauses)
    listed = set(KNOWN_FAILURES) if judged is None else set(KNOWN_FAILURES) & set(judged)
    return {"broken, not in known_failures.py": sorted(failed - set(KNOWN_FAILURES)),
            "listed, but kept now (remove the line)": sorted(listed - failed)}


def judged_clauses(results):
    return {cid for t in results.tests.values() if t.status in ("passed", "failed")
            for cid in t.checked}


def test_in_process_from_paste_config(tmp_path, monkeypatch):
    """--paste-config loads the API and the registry from paste.ini (three areas here;
    `test_ours.py` judges every clause in-process)."""
    monkeypatch.setenv("GLANCE_FILESYSTEM_STORE_DATADIR", str(tmp_path / "images"))
    monkeypatch.setenv("GLANCE_SQL_CONNECTION", f"sqlite:///{tmp_path / 'glance.sqlite'}")
    monkeypatch.delenv("GLANCE_REGISTRY_URL", raising=False)
    for key, value in LOOPBACK_ORIGINS.items():
        monkeypatch.setenv(key, value)
    results, code = run(["--paste-config", PASTE_INI, "--require-extensions", "--only",
                         "versions", "--only", "listing", "--only", "registry"], quiet=True)
    assert {t.nodeid: t.message for t in results.tests.values() if t.status == "error"} == {}
    assert set(results.failed_clauses()) <= set(KNOWN_FAILURES), unexpected(
        results.failed_clauses(), judged_clauses(results))
    assert code == (1 if results.failed_clauses() else 0)
    assert results.leftovers == []
    assert results.target["registry"], "the registry area must run in-process too"
    assert {t.status for t in results.tests.values() if t.area == "registry"} <= {
        "passed", "failed"}


def test_over_http_against_our_servers(our_servers, tmp_path):
    """Both servers from paste.ini as processes; the CLI judges them over the network."""
    report = tmp_path / "report"
    code = cli.main(["--api-url", our_servers.api_url, "--registry-url", our_servers.registry_url,
                     "--require-extensions", "--report-dir", str(report)])
    import json
    doc = json.loads((report / "results.json").read_text())
    problems = unexpected(doc["failed_clauses"])
    assert problems == {k: [] for k in problems}, problems
    assert code == (1 if KNOWN_FAILURES else 0)
    for name in ("junit.xml", "report.html", "results.json"):
        assert (report / name).stat().st_size > 0
    skipped = {t["nodeid"]: t["message"] for t in doc["tests"]
               if t["status"] == "skipped" and not any(
                   why in t["message"] for why in ("Token authentication", "A second tenant",
                                                   "the server serves v2"))}
    assert skipped == {}, "the location and registry checks must run against our servers"
    assert doc["leftovers"] == []


def test_read_only_creates_nothing(our_servers, tmp_path):
    import json
    import urllib.request

    def count():
        with urllib.request.urlopen(our_servers.registry_url + "/images/detail?scope=all"
                                    "&limit=1000") as res:
            return len(json.load(res)["images"])
    before = count()
    results, code = run(["--api-url", our_servers.api_url, "--registry-url",
                         our_servers.registry_url, "--read-only"], quiet=True)
    assert set(results.failed_clauses()) <= set(KNOWN_FAILURES)
    assert results.exit_code() in (0, 1) and {t.status for t in results.tests.values()} <= {
        "passed", "failed", "skipped", "not run"}
    assert count() == before
    assert all(t.status == "not run" for t in results.tests.values()
               if t.message == "creates images (--read-only)")
    assert sum(t.status in ("passed", "failed") for t in results.tests.values()) > 20


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def faulty_server(our_apps):
    """A live HTTP server whose versions document answers 200 instead of 300."""
    app = mutant("versions-answer-200").wrap(our_apps[0])
    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_exit_1_when_a_check_fails(faulty_server, tmp_path, capsys):
    code = cli.main(["--api-url", faulty_server, "--only", "versions",
                     "--report-dir", str(tmp_path)])
    assert code == 1
    out = capsys.readouterr().out
    assert "VER-1" in out and "FAIL" in out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("argv", [
    ["--api-url", f"http://127.0.0.1:{free_port()}"],          # nothing listens there
    ["--api-url", "ftp://example/"],                            # not http
    ["--only", "versions"],                                     # no target
    ["--api-url", "http://127.0.0.1:1", "--only", "bogus"],     # unknown area
    ["--api-url", "http://127.0.0.1:1", "--paste-config", "x"],  # two targets
], ids=["unreachable", "bad-url", "no-target", "bad-area", "two-targets"])
def test_exit_2_when_the_suite_cannot_run(argv, capsys):
    assert cli.main(argv) == 2
    assert capsys.readouterr().err


def test_list_clauses(capsys):
    assert cli.main(["--list-clauses"]) == 0
    assert "API-POST-3" in capsys.readouterr().out


def test_no_auth_area_without_token(our_apps):
    results, _ = run(["--only", "auth"], api_app=our_apps[0], quiet=True)
    statuses = {t.status for t in results.tests.values() if t.area == "auth"}
    assert statuses == {"skipped"}
    assert all("--auth-token" in t.message for t in results.tests.values() if t.area == "auth")


def token_gate(app, token):
    def gate(environ, start_response):
        if environ.get("HTTP_X_AUTH_TOKEN") != token:
            body = (b'{"error": {"code": 401, "title": "Unauthorized", "type": "auth.required", '
                    b'"message": "a valid X-Auth-Token is required"}}')
            start_response("401 Unauthorized", [("Content-Type", "application/json"),
                                                ("Content-Length", str(len(body)))])
            return [body]
        return app(environ, start_response)
    return gate


def test_auth_area_judges_the_token_gate(our_apps):
    gated = token_gate(our_apps[0], "s3cr3t-token")
    results, _ = run(["--only", "auth", "--auth-token", "s3cr3t-token", "-k", "401"],
                     api_app=gated, quiet=True)
    assert {t.status for t in results.tests.values() if t.area == "auth"
            and t.status != "not run"} == {"passed"}
    results, _ = run(["--only", "auth", "--auth-token", "s3cr3t-token", "-k", "401"],
                     api_app=our_apps[0], quiet=True)
    assert results.exit_code() == 1 and results.failed_clauses() == ["AUTH-1"]


@pytest.fixture(scope="module")
def token_apps(tmp_path_factory):
    """Our API in token mode (in-process registry): two tenants' member tokens."""
    import os

    from paste.deploy import loadapp

    from glance.common import tokens
    work = tmp_path_factory.mktemp("conformance-token")
    path = str(work / "tokens.json")
    made = {"a": tokens.create_token(path, "tenant-a", "alice", ["member"]),
            "b": tokens.create_token(path, "tenant-b", "bob", ["member"]),
            "admin": tokens.create_token(path, "tenant-admin", "root", ["admin"])}
    env = {"GLANCE_FILESYSTEM_STORE_DATADIR": str(work / "images"),
           "GLANCE_SQL_CONNECTION": f"sqlite:///{work / 'glance.sqlite'}",
           "GLANCE_AUTH_STRATEGY": "token", "GLANCE_AUTH_TOKENS_FILE": path,
           "GLANCE_SERVICE_TOKEN": "service-" + os.urandom(8).hex(), **LOOPBACK_ORIGINS}
    saved = {k: os.environ.get(k) for k in [*env, "GLANCE_REGISTRY_URL"]}
    os.environ.update(env)
    os.environ.pop("GLANCE_REGISTRY_URL", None)
    try:
        api = loadapp("config:" + PASTE_INI, name="main")
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return api, made


def caps_row(results, name):
    return next(r["offered"] for r in results.capability_rows() if r["name"] == name)


def test_token_mode_judges_auth_and_access(token_apps):
    """With two tenants' tokens the auth area and the member-access checks run: the auth
    and access clauses hold, the caller is detected as a non-admin, and nothing our
    servers break is missing from known_failures.py."""
    api, made = token_apps
    results, code = run(["--auth-token", made["a"], "--alt-auth-token", made["b"],
                         "--require-extensions", "--only", "auth", "--only", "members",
                         "--only", "listing"], api_app=api, quiet=True)
    assert {t.nodeid: t.message for t in results.tests.values() if t.status == "error"} == {}
    failed = set(results.failed_clauses())
    assert failed <= set(KNOWN_FAILURES) | set(KNOWN_FAILURES_TOKEN_MODE), sorted(
        failed - set(KNOWN_FAILURES) - set(KNOWN_FAILURES_TOKEN_MODE))
    assert set(KNOWN_FAILURES_TOKEN_MODE) - set(KNOWN_FAILURES) <= failed, (
        "kept now in token mode, remove from KNOWN_FAILURES_TOKEN_MODE: "
        f"{sorted(set(KNOWN_FAILURES_TOKEN_MODE) - failed)}")
    matrix = {c.id: status for c, status, _ in results.matrix()}
    assert {matrix[c] for c in ("AUTH-1", "AUTH-2", "ACC-1")} == {"passed"}
    # publicize_image = admin: a member may not publish, so ACC-2 has no public image.
    assert matrix["ACC-2"] == "skipped" and caps_row(results, "publicize") is False
    caps = {r["name"]: r["offered"] for r in results.capability_rows()}
    assert caps["admin"] is False and caps["second-tenant"] is True
    assert results.leftovers == []


V2_ACCESS = ("V2-ACC-1", "V2-MEM-6", "V2-MEM-7", "V2-MEM-8", "V2-POST-9", "AUTH-1", "AUTH-2",
             "V2-FLT-1")


@pytest.mark.parametrize("caller", ["a", "admin"])
def test_token_mode_judges_v2_access(token_apps, caller):
    """Images API v2 in token mode, a member's and an admin's token against a second
    tenant's: the access, member, action and owner-filter clauses are judged and hold
    (or are known)."""
    api, made = token_apps
    results, _ = run(["--auth-token", made[caller], "--alt-auth-token", made["b"],
                      "--require-extensions", "--api-version", "2", "--only", "v2_access",
                      "--only", "v2_members", "--only", "v2_actions", "--only", "v2_listing"],
                     api_app=api, quiet=True)
    assert caps_row(results, "api-v2") is True, "our servers serve Images API v2"
    assert {t.nodeid: t.message for t in results.tests.values() if t.status == "error"} == {}
    failed = set(results.failed_clauses())
    known = set(KNOWN_FAILURES) | set(KNOWN_FAILURES_TOKEN_MODE)
    assert failed <= known, sorted(failed - known)
    matrix = {c.id: status for c, status, _ in results.matrix()}
    judged = [c for c in V2_ACCESS if c not in known]
    assert {c: matrix[c] for c in judged} == {c: "passed" for c in judged}
    caps = {r["name"]: r["offered"] for r in results.capability_rows()}
    assert caps["admin"] is (caller == "admin") and caps["second-tenant"] is True
    if caller == "admin":
        admin_only = [c for c in ("V2-ACC-2", "V2-ACC-3", "V2-ACT-1", "V2-ACT-3", "V2-ACT-4")
                      if c not in known]
        assert {c: matrix[c] for c in admin_only} == {c: "passed" for c in admin_only}
    assert results.leftovers == []
