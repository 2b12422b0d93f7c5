"""`glance-conformance`: judge a Glance-compatible server against the contract.

Exit status: 0 nothing failed; 1 the server broke a MUST clause; 2 the suite
itself could not run (bad arguments, unreachable server, an answer it could
not judge).  Warnings (SHOULD) and skips (absent optional capabilities)
never change the exit status.
"""

import argparse
import http.client
import sys
from urllib.parse import urlsplit

from conformance import __version__, clauses
from conformance.plugin import API_VERSIONS, AREAS
from conformance.results import EXIT_SUITE
from conformance.runner import run


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        raise _BadArguments(f"{self.prog}: error: {message}")


class _BadArguments(Exception):
    pass


def parser():
    p = _Parser(prog="glance-conformance", description=__doc__.split("\n\n")[0],
                epilog="Exit status: 0 passed, 1 a check failed, 2 the suite could not run.")
    target = p.add_argument_group("target (one of --api-url or --paste-config)")
    target.add_argument("--api-url", metavar="URL", help="API server, e.g. http://127.0.0.1:9292")
    target.add_argument("--registry-url", metavar="URL",
                        help="registry server, e.g. http://127.0.0.1:9191 (enables the "
                             "registry area)")
    target.add_argument("--paste-config", metavar="FILE",
                        help="load the API ([main]) and registry ([registry]) in-process")
    p.add_argument("--api-version", choices=API_VERSIONS, default="all",
                   help="judge Images API v1, v2, or all that the server offers (read from "
                        "its versions document) [all]")
    p.add_argument("--require-extensions", action="store_true",
                   help="judge this project's extensions (EXTENSION clauses) like MUST "
                        "clauses; without it they are reported apart as offered or not")
    p.add_argument("--auth-token", metavar="T", help="X-Auth-Token (enables the auth area)")
    p.add_argument("--registry-auth-token", metavar="T",
                   help="token for the registry (default: --auth-token)")
    p.add_argument("--alt-auth-token", metavar="T",
                   help="a second, non-admin tenant's token (cross-tenant access checks)")
    p.add_argument("--only", nargs="+", action="extend", choices=AREAS, metavar="AREA",
                   help=f"run only these areas: {', '.join(AREAS)}")
    p.add_argument("--read-only", action="store_true", help="run only checks that create nothing")
    p.add_argument("--report-dir", metavar="DIR",
                   help="write junit.xml, results.json and report.html here")
    p.add_argument("--run-prefix", metavar="P", help="prefix of the images this run makes")
    p.add_argument("--origin-host", metavar="HOST",
                   help="an address of this machine that the server can reach (the suite "
                        "serves known bytes there for the http-location checks)")
    p.add_argument("--timeout", type=float, default=30.0, metavar="S",
                   help="seconds to wait for one answer [30]")
    p.add_argument("-k", metavar="EXPR", help="only tests whose name matches (pytest -k)")
    p.add_argument("-v", "--verbose", action="store_true", help="one line per test")
    p.add_argument("--list-clauses", action="store_true", help="print the clause table and exit")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return p


def _check_url(name, url):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _BadArguments(f"{name} must be an http(s) URL, got {url!r}")
    try:
        parts.port
    except ValueError as exc:
        raise _BadArguments(f"{name}: {exc}") from None


def probe(url, path, timeout, token=None):
    """The status `url` answers to GET `path`, or why it answers nothing."""
    parts = urlsplit(url)
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = cls(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request("GET", parts.path.rstrip("/") + path,
                     headers={"X-Auth-Token": token} if token else {})
        response = conn.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException) as exc:
        return f"{url} is unreachable: {exc}"
    finally:
        conn.close()


def preflight(ns):
    """None when the targets answer as a judgeable server, else why not."""
    for url in (ns.api_url, ns.registry_url):
        if url:
            answer = probe(url, "/versions", ns.timeout)
            if isinstance(answer, str):
                return answer
    if ns.api_url and not ns.auth_token and probe(ns.api_url, "/v1/images?limit=1",
                                                  ns.timeout) == 401:
        return (f"{ns.api_url} answers 401 to GET /v1/images: it wants a token "
                "(give --auth-token)")
    return None


def to_pytest(ns):
    args = []
    for opt in ("api_url", "registry_url", "paste_config", "auth_token",
                "registry_auth_token", "alt_auth_token", "report_dir", "run_prefix",
                "origin_host"):
        value = getattr(ns, opt)
        if value:
            args += ["--" + opt.replace("_", "-"), value]
    for area in ns.only or ():
        args += ["--only", area]
    if ns.read_only:
        args.append("--read-only")
    if ns.require_extensions:
        args.append("--require-extensions")
    args += ["--api-version", ns.api_version]
    args += ["--timeout", str(ns.timeout)]
    if ns.k:
        args += ["-k", ns.k]
    args += ["-v"] if ns.verbose else ["-q"]
    return args


def main(argv=None):
    try:
        ns = parser().parse_args(argv)
        if ns.list_clauses:
            for c in clauses.CLAUSES.values():
                print(f"{c.id:<12} {c.level:<9} {c.section:<24} {c.text}")
            return 0
        if bool(ns.api_url) == bool(ns.paste_config):
            raise _BadArguments("give exactly one of --api-url or --paste-config")
        if ns.paste_config and ns.registry_url:
            raise _BadArguments("--registry-url goes with --api-url; with --paste-config "
                                "the registry comes from the same file")
        for name in ("api_url", "registry_url"):
            if getattr(ns, name):
                _check_url("--" + name.replace("_", "-"), getattr(ns, name))
    except _BadArguments as exc:
        print(exc, file=sys.stderr)
        return EXIT_SUITE
    except SystemExit as exc:  # --help, --version
        return 0 if exc.code in (0, None) else EXIT_SUITE
    why = preflight(ns)
    if why:
        print(f"glance-conformance: {why}; nothing was checked.", file=sys.stderr)
        return EXIT_SUITE
    results, code = run(to_pytest(ns))
    if results is None or code in (3, 4):
        print(f"glance-conformance: the suite could not run (pytest exit {code}).",
              file=sys.stderr)
        return EXIT_SUITE
    if ns.report_dir:
        print(f"Reports: {ns.report_dir}/report.html, junit.xml, results.json")
    return results.exit_code()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
