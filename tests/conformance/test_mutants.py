"""The conformance suite catches single-fault mutants of our own servers.

Each mutant (see `mutants.py`) wraps our API or registry app and breaks one
contract clause.  The suite, run in-process on the mutant's area, must
report a failure (exit status 1, not a suite error) that names that clause.
The unmutated apps must pass the whole suite.
"""

import pytest

from conformance.runner import run
from tests.conformance.mutants import MUTANTS


def judge(apps, areas, api=None, registry=None, prefix=None):
    args = []
    for area in areas:
        args += ["--only", area]
    if prefix:
        args += ["--run-prefix", prefix]
    results, code = run(args, api_app=api or apps[0], registry_app=registry or apps[1],
                        quiet=True)
    return results, code


def test_unmutated_apps_pass(our_apps):
    results, code = judge(our_apps, [])
    assert results is not None, f"the suite did not run (pytest exit {code})"
    problems = {t.nodeid: t.message for t in results.tests.values()
                if t.status in ("failed", "error")}
    assert problems == {}
    assert results.exit_code() == 0
    assert results.counts()["passed"] > 150


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_mutant_is_caught(our_apps, mutant):
    api, registry = our_apps
    if mutant.target == "api":
        api = mutant.wrap(api)
    else:
        registry = mutant.wrap(registry)
    results, code = judge(our_apps, mutant.areas, api=api, registry=registry,
                          prefix=f"mut{MUTANTS.index(mutant)}")
    assert results is not None, f"the suite did not run (pytest exit {code})"
    errors = {t.nodeid: t.message for t in results.tests.values() if t.status == "error"}
    assert errors == {}, "the suite broke instead of judging"
    assert results.exit_code() == 1, "the mutant passed the suite"
    assert mutant.clause in results.failed_clauses(), (
        f"expected a failure naming {mutant.clause}, got {results.failed_clauses()}")


def test_enough_mutants():
    """The harness keeps at least 20 distinct single-fault mutants."""
    assert len({m.name for m in MUTANTS}) == len(MUTANTS) >= 20
    assert len({m.clause for m in MUTANTS}) >= 20
