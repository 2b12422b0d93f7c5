"""The conformance suite catches single-fault mutants of our own servers.

Each mutant (see `mutants.py`) wraps our API or registry app and breaks one
contract clause.  The suite, run in-process on the mutant's areas with every
extension required, must report a failure of that clause that the
unmutated servers do not have (`baseline`: the same check, the same
clause).  While our servers do not keep a clause yet (`known_failures.py`),
a mutant of that clause may be indistinguishable from them: it is then an
expected failure naming the missing feature, until the feature lands.
"""

import pytest

from conformance.runner import run
from tests.conformance.known_failures import KNOWN_FAILURES
from tests.conformance.mutants import MUTANTS


def judge(apps, areas, api=None, registry=None, prefix=None):
    args = ["--require-extensions"]
    for area in areas:
        args += ["--only", area]
    if prefix:
        args += ["--run-prefix", prefix]
    return run(args, api_app=api or apps[0], registry_app=registry or apps[1], quiet=True)


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_mutant_is_caught(our_apps, baseline, mutant):
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
    new = {(test, cid) for test, cid in results.failures() - baseline.failures()
           if cid == mutant.clause}
    excuse = next((c for c in (mutant.clause, *mutant.needs) if c in KNOWN_FAILURES), None)
    if not new and excuse:
        pytest.xfail(f"{excuse} fails on our server already: {KNOWN_FAILURES[excuse]}")
    assert results.exit_code() == 1, "the mutant passed the suite"
    assert new, (f"expected a new failure naming {mutant.clause}, got "
                 f"{sorted(results.failures() - baseline.failures())[:10]}")


def test_enough_mutants():
    """The harness keeps at least 90 distinct single-fault mutants over 85 clauses, 40 of
    them of Images API v2."""
    assert len({m.name for m in MUTANTS}) == len(MUTANTS) >= 90
    assert len({m.clause for m in MUTANTS}) >= 85
    assert len({m.clause for m in MUTANTS if m.clause.startswith("V2-")}) >= 40


def test_every_area_has_a_mutant():
    from conformance.plugin import AREAS
    covered = {a for m in MUTANTS for a in m.areas}
    # The access areas need two tenants' tokens; the mutants run without auth.
    assert set(AREAS) - covered <= {"auth", "v2_access"}, set(AREAS) - covered
