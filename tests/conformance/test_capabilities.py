"""Capability detection, --api-version, and extensions reported apart from the verdict.

The suite reads what a server serves from its versions document and skips,
with the reason, what it does not offer; an extension the server does not do
never fails a run unless --require-extensions is given.
"""

import json

from conformance.capabilities import Capabilities, read_versions
from conformance.runner import run
from tests.conformance.mutants import MUTANTS

V2_ONLY = {"versions": [{"id": f"v2.{n}", "status": "CURRENT" if n == 6 else "SUPPORTED",
                         "links": [{"rel": "self", "href": "http://localhost/v2/"}]}
                        for n in range(6, -1, -1)]}


def v2_only_server(environ, start_response):
    """A server that serves only Images API v2 (and no v2 route either): 404 elsewhere."""
    path = environ.get("PATH_INFO", "")
    if not (path == "/v2" or path.startswith("/v2/")):
        status = "200 OK" if path == "/versions" else "300 Multiple Choices"
        body = json.dumps(V2_ONLY).encode()
    else:
        status, body = "404 Not Found", b'{"error": {"code": 404}}'
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(body))),
                            ("x-openstack-request-id", "req-00000000-0000-4000-8000-000000000000")])
    return [body]


def statuses(results, area):
    return {t.status for t in results.tests.values() if t.area == area}


def test_read_versions_from_the_document(our_apps):
    from conformance.client import Client
    caps = Capabilities()
    read_versions(Client(our_apps[0], "http://localhost", "api"), caps)
    assert caps.offered("api-v1") is True and caps.offered("api-v2") is True
    caps = Capabilities()
    read_versions(Client(v2_only_server, "http://localhost", "api"), caps)
    assert caps.offered("api-v1") is False and caps.offered("api-v2") is True
    assert "v2.6" in caps.rows["api-v1"].how


def test_v1_areas_skip_on_a_v2_only_server():
    """A v2-only server: the v1 areas skip with the document's evidence; discovery passes."""
    results, _ = run(["--only", "versions", "--only", "listing"], api_app=v2_only_server,
                     quiet=True)
    listing = [t for t in results.tests.values() if t.area == "listing"]
    assert listing and all(t.status == "skipped" for t in listing)
    assert all("Images API v1: not offered" in t.message and "v2.6" in t.message
               for t in listing)
    assert "failed" not in statuses(results, "versions")
    rows = {r["name"]: r for r in results.capability_rows()}
    assert rows["api-v1"]["offered"] is False and rows["api-v2"]["offered"] is True


def test_api_version_selects(our_apps):
    """--api-version 2 on a v1 server: the v1 areas skip, saying they were not selected."""
    results, _ = run(["--api-version", "2", "--only", "listing", "--only", "versions"],
                     api_app=our_apps[0], registry_app=our_apps[1], quiet=True)
    assert statuses(results, "listing") == {"skipped"}
    assert all("not selected (--api-version 2)" in t.message
               for t in results.tests.values() if t.area == "listing")
    assert statuses(results, "versions") - {"skipped"}, "discovery is judged whatever is chosen"


def test_extension_not_offered_never_fails(our_apps):
    """An extension broken by a mutant is "not offered" without --require-extensions,
    a failure with it."""
    hidden = next(m for m in MUTANTS if m.name == "uri-drops-v1")
    api = hidden.wrap(our_apps[0])
    results, _ = run(["--only", "create"], api_app=api, registry_app=our_apps[1], quiet=True)
    assert "IMG-4" not in results.failed_clauses()
    ext = {c.id: status for c, status, _ in results.extensions()}
    assert ext["IMG-4"] == "not offered"
    results, _ = run(["--only", "create", "--require-extensions"], api_app=api,
                     registry_app=our_apps[1], quiet=True)
    assert "IMG-4" in results.failed_clauses()


def test_need_skips_with_the_evidence():
    import pytest
    caps = Capabilities()
    caps.record("copy-from", False, "the server refuses copy-from of http(s) URLs")
    with pytest.raises(pytest.skip.Exception, match="refuses copy-from"):
        caps.need("copy-from")
    caps.record("registry", True, "given")
    caps.need("registry")  # offered: no skip
