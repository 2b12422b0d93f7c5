"""The pytest plugin that turns the check modules into a conformance run.

Load it with ``-p conformance.plugin`` (the `glance-conformance` CLI does).
It adds the target options, collects ``conformance/checks/check_<area>.py``,
gives each test its `Verifier` and its log of exchanges, keeps `--only` and
`--read-only` out of the run, and records every outcome, by clause, in a
`RunResults` that the report writers turn into junit.xml, results.json and
report.html.
"""

import os
import time
from pathlib import Path

import pytest

from conformance import clauses as clause_table
from conformance.context import INPROCESS_BASE, Suite
from conformance.httpproxy import TransportError
from conformance.capabilities import read_versions
from conformance.results import RunResults, TestResult
from conformance.verdict import ContractViolation, ExtensionNotOffered, Verifier

CHECKS_DIR = Path(__file__).parent / "checks"
# area: the API it judges ("1", "2"), or None (discovery, the registry).
AREAS = {"versions": None, "errors": "1", "listing": "1", "headers": "1", "download": "1",
         "create": "1", "locations": "1", "update": "1", "delete": "1", "validation": "1",
         "paging": "1", "members": "1", "registry": None, "auth": "1",
         "v2_discovery": "2", "v2_images": "2", "v2_patch": "2", "v2_listing": "2",
         "v2_paging": "2", "v2_data": "2", "v2_tags": "2", "v2_members": "2",
         "v2_import": "2", "v2_actions": "2", "v2_access": "2"}
API_VERSIONS = ("1", "2", "all")
RESULTS = pytest.StashKey()
SUITE = pytest.StashKey()
SINK = pytest.StashKey()
VERIFIER = pytest.StashKey()
LOG = pytest.StashKey()


def pytest_addoption(parser):
    g = parser.getgroup("conformance", "Glance conformance target")
    g.addoption("--api-url", help="base URL of a live API server (http://host:port)")
    g.addoption("--registry-url", help="base URL of a live registry server")
    g.addoption("--paste-config", help="load the apps in-process from this paste.ini")
    g.addoption("--api-app-name", default="main", help="paste app name of the API [main]")
    g.addoption("--registry-app-name", default="registry",
                help="paste app name of the registry [registry]")
    g.addoption("--auth-token", help="X-Auth-Token for every request (enables the auth area)")
    g.addoption("--registry-auth-token", help="token for the registry (default: --auth-token)")
    g.addoption("--alt-auth-token",
                help="a second tenant's non-admin token (enables the cross-tenant checks)")
    g.addoption("--api-version", choices=API_VERSIONS, default="all",
                help="judge this API only: 1, 2 or all that the server offers [all]")
    g.addoption("--require-extensions", action="store_true",
                help="judge this project's extensions (EXTENSION clauses) like MUST clauses")
    g.addoption("--only", action="append", choices=list(AREAS), metavar="AREA",
                help=f"run only these areas ({', '.join(AREAS)}); repeatable")
    g.addoption("--read-only", action="store_true", help="run only checks that create nothing")
    g.addoption("--report-dir", help="write junit.xml, results.json and report.html here")
    g.addoption("--run-prefix", help="prefix of every image name this run makes")
    g.addoption("--origin-host", help="address the server under test can reach this "
                                      "machine on (for the http-location checks)")
    g.addoption("--timeout", type=float, default=30.0, help="seconds per request [30]")
    g.addoption("--wsgi-lint", action="store_true",
                help="also run WebTest's WSGI lint on the in-process app")


class SuiteError(Exception):
    """The suite cannot judge this target (reported as an error: exit status 2)."""


class Injected:
    """Apps handed over by the programmatic runner (the mutation harness uses this)."""

    def __init__(self, api_app, registry_app=None, on_results=None):
        self.api_app = api_app
        self.registry_app = registry_app
        self.on_results = on_results

    def pytest_unconfigure(self, config):
        if self.on_results is not None and RESULTS in config.stash:
            self.on_results(config.stash[RESULTS])


def injected(config):
    for plugin in config.pluginmanager.get_plugins():
        if isinstance(plugin, Injected):
            return plugin
    return None


def _target_description(config):
    opt = config.option
    injected_apps = injected(config)
    if injected_apps is not None:
        return {"kind": "wsgi (injected)", "api": INPROCESS_BASE,
                "registry": INPROCESS_BASE if injected_apps.registry_app else None}
    if opt.paste_config:
        return {"kind": "wsgi (paste)", "paste_config": os.path.abspath(opt.paste_config),
                "api": INPROCESS_BASE, "registry": INPROCESS_BASE}
    return {"kind": "http", "api": opt.api_url, "registry": opt.registry_url}


def pytest_configure(config):
    config.addinivalue_line("markers", "clause(*ids): contract clauses a test checks")
    config.addinivalue_line("markers", "writes: the test creates images (not in --read-only)")
    opt = config.option
    if injected(config) is None and not (opt.api_url or opt.paste_config):
        raise pytest.UsageError("give --api-url URL (a live server) or --paste-config FILE")
    if opt.api_url and opt.paste_config:
        raise pytest.UsageError("--api-url and --paste-config exclude each other")
    results = RunResults(prefix=opt.run_prefix or "")
    results.target = _target_description(config)
    results.target.update({"read_only": bool(opt.read_only), "only": opt.only or list(AREAS),
                           "auth_token": "[given]" if opt.auth_token else None,
                           "api_version": opt.api_version,
                           "extensions": "required" if opt.require_extensions
                           else "reported apart"})
    config.stash[RESULTS] = results
    config.stash[SINK] = []


def pytest_collect_file(file_path, parent):
    if file_path.parent == CHECKS_DIR and file_path.name.startswith("check_") \
            and file_path.suffix == ".py":
        return pytest.Module.from_parent(parent, path=file_path)
    return None


def area_of(item):
    return Path(str(item.fspath)).stem[len("check_"):]


def pytest_collection_modifyitems(config, items):
    results = config.stash[RESULTS]
    keep, drop = [], []
    for item in items:
        marker = item.get_closest_marker("clause")
        if marker is None or not marker.args:
            raise pytest.UsageError(f"{item.nodeid} names no contract clause")
        unknown = [c for c in marker.args if c not in clause_table.CLAUSES]
        if unknown:
            raise pytest.UsageError(f"{item.nodeid} names unknown clauses {unknown}")
        doc = (item.function.__doc__ or "").strip().splitlines()
        result = TestResult(item.nodeid, item.name, area_of(item), doc[0] if doc else "",
                            list(marker.args))
        results.tests[item.nodeid] = result
        if config.option.only and result.area not in config.option.only:
            result.message = "not selected (--only)"
            drop.append(item)
        elif config.option.read_only and item.get_closest_marker("writes"):
            result.message = "creates images (--read-only)"
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


# -- fixtures -----------------------------------------------------------------
def wanted_versions(option):
    return ("1", "2") if option in (None, "all") else (option,)


def _build_suite(config):
    opt = config.option
    common = dict(auth_token=opt.auth_token, registry_token=opt.registry_auth_token,
                  alt_token=opt.alt_auth_token, prefix=opt.run_prefix,
                  origin_host=opt.origin_host, lint=opt.wsgi_lint,
                  api_versions=wanted_versions(opt.api_version),
                  require_extensions=bool(opt.require_extensions),
                  read_only=bool(opt.read_only))
    apps = injected(config)
    if apps is not None:
        return Suite(apps.api_app, INPROCESS_BASE, apps.registry_app,
                     INPROCESS_BASE if apps.registry_app else None, **common)
    if opt.paste_config:
        from paste.deploy import loadapp
        uri = "config:" + os.path.abspath(opt.paste_config)
        api_app = loadapp(uri, name=opt.api_app_name)
        try:
            registry_app = loadapp(uri, name=opt.registry_app_name)
        except LookupError:
            registry_app = None
        return Suite(api_app, INPROCESS_BASE, registry_app,
                     INPROCESS_BASE if registry_app else None, **common)
    return Suite.over_http(opt.api_url, opt.registry_url, timeout=opt.timeout, **common)


@pytest.fixture(scope="session")
def suite(request):
    config = request.config
    if SUITE not in config.stash:
        config.stash[SUITE] = _build_suite(config)
        config.stash[RESULTS].prefix = config.stash[SUITE].prefix
    s = config.stash[SUITE]
    s.route_log(config.stash[SINK])
    if not s.auth_token and s.api.get("/v1/images", query={"limit": "1"}).status_int == 401:
        raise SuiteError("the API answers 401 to GET /v1/images: it wants a token; "
                         "give --auth-token")
    read_versions(s.api, s.capabilities)
    config.stash[RESULTS].capabilities = s.capabilities
    yield s
    log = []
    config.stash[RESULTS].leftovers = s.cleanup(log)
    config.stash[RESULTS].cleanup_log = log


@pytest.fixture(autouse=True, scope="module")
def _api_offered(request, suite):
    """Skip the tests of an API the run does not judge, saying why.

    Module-scoped, so that it runs before a module's own data-set fixtures
    (which would otherwise make images through an API the server lacks).
    """
    major = AREAS.get(area_of(request.node))
    if major is None:
        return
    if major not in suite.api_versions:
        pytest.skip(f"Images API v{major}: not selected (--api-version "
                    f"{request.config.option.api_version})")
    suite.capabilities.need(f"api-v{major}")


@pytest.fixture
def v(request):
    verifier = Verifier(request.node.stash.get(LOG, None),
                        require_extensions=bool(request.config.option.require_extensions))
    request.node.stash[VERIFIER] = verifier
    return verifier


@pytest.fixture(scope="session")
def api(suite):
    return suite.api


@pytest.fixture(scope="session")
def v2(suite):
    """The run's Images API v2 helper (`conformance.v2.V2Run`)."""
    return suite.v2


@pytest.fixture(scope="session")
def registry(suite):
    suite.capabilities.need("registry")
    return suite.registry


@pytest.fixture(scope="session")
def origin(suite):
    """The suite's origin server, once the server under test has shown it can reach it.

    Skips (with the reason) when the server never contacted the origin and
    either refused the location (a policy against internal addresses, §10)
    or runs on another machine.  A local server that accepts the location
    without ever fetching it is not skipped: its tests fail.
    """
    if "1" not in suite.api_versions:
        pytest.skip("Images API v1: not selected (the origin is probed by a v1 location)")
    suite.capabilities.need("api-v1")
    o = suite.origin
    if suite.origin_reachable is None:
        path = f"/{suite.prefix}/probe"
        url, _ = o.add(path, b"probe data\n")
        res = suite.api.post("/v1/images", headers=[
            ("x-image-meta-name", suite.name("probe")), suite.run_header,
            ("x-image-meta-location", url), ("x-image-meta-disk_format", "raw"),
            ("x-image-meta-container_format", "bare")])
        if res.status_int == 201:
            try:
                image_id = res.json["image"]["id"]
                suite.ledger.add(image_id)
                if not o.hits_for(path):
                    suite.api.get(f"/v1/images/{image_id}")
            except (ValueError, KeyError, TypeError):
                pass
        suite.origin_reachable = bool(o.hits_for(path))
        text = res.body.decode("utf-8", "replace")
        if not suite.origin_reachable and 400 <= res.status_int < 500:
            # Refused without being contacted: a policy against the origin's
            # address (§10 refuses loopback unless allowed), not a broken fetch.
            suite.origin_refusal = f"{res.status}: {text[:200]}"
        caps = suite.capabilities
        if suite.origin_reachable:
            caps.record("http-origin", True, f"a location at http://{o.host}:{o.port}/ was "
                                             "fetched by the server")
        elif getattr(suite, "origin_refusal", None):
            caps.record("http-origin", False,
                        f"the server refuses locations on the suite's origin "
                        f"http://{o.host}:{o.port}/ ({suite.origin_refusal}); allow that "
                        "address in the server, or give --origin-host with an address it "
                        "accepts")
        elif not suite.target_is_local:
            caps.record("http-origin", False,
                        f"the server never contacted the suite's origin at "
                        f"http://{o.host}:{o.port}/ (it cannot reach this machine): give "
                        "--origin-host with an address of this machine that it can reach")
        else:
            caps.record("http-origin", True, "the server is on this machine but never "
                                             "contacted the suite's origin (judged: its "
                                             "location checks fail)")
    suite.capabilities.need("http-origin")
    return o


# -- running and recording ---------------------------------------------------
@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    log = []
    item.stash[LOG] = log
    item.config.stash[SINK] = log
    suite = item.config.stash.get(SUITE, None)
    if suite is not None:
        suite.route_log(log)


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem):
    result = yield
    verifier = pyfuncitem.stash.get(VERIFIER, None)
    if verifier is not None:
        verifier.raise_if_violated()
    return result


def _skip_reason(report):
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    result = item.config.stash[RESULTS].tests.get(item.nodeid)
    if result is None:
        return report
    verifier = item.stash.get(VERIFIER, None)
    result.duration += report.duration
    result.exchanges = item.stash.get(LOG, [])
    if verifier is not None:
        result.checked = sorted(verifier.checked)
        result.warnings = [w.as_dict() for w in verifier.warnings]
        result.not_offered = [w.as_dict() for w in verifier.not_offered]
    exc = call.excinfo.value if call.excinfo else None
    if isinstance(exc, ExtensionNotOffered):
        result.status, result.message = "skipped", str(exc)
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, f"Skipped: {exc}")
    elif report.skipped:
        result.status, result.message = "skipped", _skip_reason(report)
    elif report.failed:
        exc = call.excinfo.value if call.excinfo else None
        if isinstance(exc, ContractViolation):
            result.status = "failed"
            result.violations += [x.as_dict() for x in exc.violations]
            result.message = str(exc)
        elif isinstance(exc, TransportError):
            result.status, result.message = "error", f"transport: {exc}"
        elif isinstance(exc, AssertionError):
            result.status = "failed"
            result.violations.append({"clause": result.clauses[0], "message": str(exc),
                                      "exchange": len(result.exchanges) - 1})
            result.message = str(exc)
        elif verifier is not None and verifier.violations:
            # The answer was already wrong; the exception is its consequence.
            result.status = "failed"
            result.violations += [x.as_dict() for x in verifier.violations]
            result.message = f"{'; '.join(map(str, verifier.violations))} (then {exc!r})"
        else:
            result.status = "error"
            result.message = f"suite error in {report.when}: {exc!r}"
    elif report.when == "call" and result.status == "not run":
        result.status = "passed"
    return report


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    results = config.stash[RESULTS]
    results.finished = time.time()
    if exitstatus in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR):
        results.suite_errors.append(f"pytest exit status {int(exitstatus)}")
    for t in results.tests.values():
        if t.status == "not run" and not t.message:
            t.message = "did not run"
    if config.option.report_dir:
        from conformance import report
        report.write_all(results, config.option.report_dir)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    from conformance import report
    results = config.stash.get(RESULTS, None)
    if results is not None and results.tests and config.get_verbosity() > -2:
        terminalreporter.write(report.console_text(results))
