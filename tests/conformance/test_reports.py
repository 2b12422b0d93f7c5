"""The reports: junit.xml, results.json and a single self-contained report.html.

They are written from a run against a mutant (so that there are failures to
show) with a token given, which must never appear in any report.  Each
carries the capability matrix and the extensions apart from the verdict.
"""

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from conformance.runner import run
from tests.conformance.mutants import MUTANTS

TOKEN = "s3cr3t-token-value"


@pytest.fixture(scope="module")
def report_dir(our_apps, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    broken = next(m for m in MUTANTS if m.name == "post-answers-200").wrap(our_apps[0])
    results, code = run(["--only", "create", "--only", "versions", "--only", "auth",
                         "--auth-token", TOKEN, "--report-dir", str(out)],
                        api_app=broken, registry_app=our_apps[1], quiet=True)
    assert code == 1 and results.exit_code() == 1
    return out


def read(report_dir, name):
    return (report_dir / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["junit.xml", "results.json", "report.html"])
def test_credentials_are_redacted(report_dir, name):
    text = read(report_dir, name)
    assert TOKEN not in text
    if name != "junit.xml" or "X-Auth-Token" in text:
        assert "[redacted]" in text


def test_results_json(report_dir):
    doc = json.loads(read(report_dir, "results.json"))
    assert doc["verdict"] == "FAIL" and doc["exit_code"] == 1
    assert "API-POST-1" in doc["failed_clauses"]
    clause = next(c for c in doc["clauses"] if c["id"] == "API-POST-1")
    assert clause["status"] == "failed" and clause["level"] == "MUST"
    failed = [t for t in doc["tests"] if t["status"] == "failed"]
    assert failed and all(t["violations"] and t["exchanges"] for t in failed)
    assert doc["counts"]["not run"] > 0  # other areas were deselected, and say so


def test_junit_xml(report_dir):
    root = ET.fromstring(read(report_dir, "junit.xml"))
    assert root.tag == "testsuites"
    cases = root.iter("testcase")
    failures = [c.find("failure") for c in cases if c.find("failure") is not None]
    assert failures and all(f.get("type") for f in failures)
    assert any(f.get("type") == "API-POST-1" for f in failures)
    assert any(p.get("name") == "clause" for p in root.iter("property"))
    assert root.find(".//skipped") is not None  # the alt-token checks are skipped


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.tags, self.external = set(), [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for key in ("src", "href"):
            if attrs.get(key, "#").split(":")[0] in ("http", "https", "//"):
                self.external.append(attrs[key])


def test_html_report_is_self_contained_with_matrix(report_dir):
    text = read(report_dir, "report.html")
    parser = _Collector()
    parser.feed(text)
    parser.close()
    assert {"matrix", "summary", "failures", "verdict"} <= parser.ids
    assert "c-API-POST-1" in parser.ids
    assert "script" not in parser.tags and parser.external == []
    assert 'class="b failed"' in text and "The exchange that shows it" in text
    assert "POST http://localhost/v1/images" in text


def test_capabilities_in_every_report(report_dir):
    doc = json.loads(read(report_dir, "results.json"))
    caps = {c["name"]: c for c in doc["capabilities"]}
    assert caps["api-v1"]["offered"] is True and "GET /versions" in caps["api-v1"]["how"]
    assert caps["registry"]["offered"] is True and caps["second-tenant"]["offered"] is False
    props = {p.get("name"): p.get("value")
             for p in ET.fromstring(read(report_dir, "junit.xml")).find("properties")}
    assert props["capability:api-v1"].startswith("YES") and \
        props["capability:second-tenant"].startswith("NO")
    parser = _Collector()
    parser.feed(read(report_dir, "report.html"))
    assert {"capability-matrix", "cap-api-v1", "extension-matrix"} <= parser.ids


def test_extensions_apart_in_every_report(report_dir):
    doc = json.loads(read(report_dir, "results.json"))
    ext = {e["id"]: e for e in doc["extensions"]}
    assert ext and {e["status"] for e in ext.values()} <= {"offered", "not offered",
                                                           "not judged"}
    assert not set(ext) & set(doc["failed_clauses"]), "extensions are not failures here"
    junit = ET.fromstring(read(report_dir, "junit.xml"))
    names = {p.get("name") for p in junit.find("properties")}
    assert {f"extension:{cid}" for cid in ext} <= names
    html = read(report_dir, "report.html")
    assert "Extensions of this project beyond real Glance" in html
