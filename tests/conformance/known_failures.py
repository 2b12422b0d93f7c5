"""Contract clauses our own servers do not keep yet, and the feature each one waits for.

The suite judges our servers with every extension required (as MUST).  A
clause listed here is expected to fail on them: `test_ours.py` marks its
check `xfail(strict=True)`, so the day the feature lands the clause passes,
the xfail fails loudly, and its line must go.  The same list excuses a
mutant whose clause our server already breaks (`test_mutants.py`): it cannot
be told apart from the server until the feature exists.  Every reason names
the contract section and what is missing.  The list shrinks to nothing as
contract revision 2 lands (issue 13); it never excuses a clause by weakening
it.
"""

KNOWN_FAILURES = {}

# The token-mode run (two tenants, one admin) breaks these as well.
KNOWN_FAILURES_TOKEN_MODE = {}
