"""Run the conformance suite from Python: the CLI and the mutation harness use this.

`run(args)` runs the check modules under pytest with the conformance plugin
and returns `(RunResults or None, pytest exit code)`.  Give `api_app` (and
`registry_app`) to judge WSGI apps held in memory instead of a target named
by the options.
"""

import os

import pytest

from conformance.plugin import CHECKS_DIR, RESULTS, Injected


class _Catch:
    def __init__(self):
        self.results = None

    def pytest_unconfigure(self, config):
        self.results = config.stash.get(RESULTS, None)


def pytest_args(args, quiet=False):
    base = [str(CHECKS_DIR), "-p", "conformance.plugin", "-p", "no:cacheprovider",
            "-c", os.devnull, "--rootdir", str(CHECKS_DIR), "-o", "console_output_style=classic",
            "-W", "ignore::pytest.PytestAssertRewriteWarning"]
    if quiet:
        base += ["-qq", "--no-header", "--no-summary", "-p", "no:warnings"]
    return base + list(args)


def run(args=(), api_app=None, registry_app=None, quiet=False):
    catch = _Catch()
    plugins = [catch]
    if api_app is not None:
        plugins.append(Injected(api_app, registry_app))
    code = pytest.main(pytest_args(args, quiet), plugins=plugins)
    return catch.results, int(code)
