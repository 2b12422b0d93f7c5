"""Checks that name their clause: the vocabulary every conformance test speaks.

`Verifier.check(clause, condition, message)` records a broken MUST as a
violation and a broken SHOULD as a warning; the level comes from
`conformance.clauses`, never from the test.  Violations are collected (so one
test can report every clause it saw broken) and raised together when the
test ends; `require` raises at once when the test cannot go on.
"""

from conformance import clauses


class Violation:
    def __init__(self, clause, message, exchange=None):
        self.clause = clause
        self.message = message
        self.exchange = exchange  # index of the latest exchange when it was seen

    def __str__(self):
        return f"[{self.clause}] {self.message}"

    def as_dict(self):
        return {"clause": self.clause, "message": self.message, "exchange": self.exchange}


class ContractViolation(AssertionError):
    """The server broke one or more MUST clauses."""

    def __init__(self, violations):
        self.violations = list(violations)
        super().__init__("; ".join(str(v) for v in self.violations))


class Verifier:
    def __init__(self, log=None):
        self.log = log if log is not None else []
        self.violations = []
        self.warnings = []
        self.checked = set()

    def check(self, clause, condition, message):
        """Record `message` against `clause` unless `condition` holds; return `condition`."""
        level = clauses.get(clause).level  # KeyError on a typo, on purpose
        self.checked.add(clause)
        if condition:
            return True
        seen = Violation(clause, message, len(self.log) - 1 if self.log else None)
        (self.violations if level == clauses.MUST else self.warnings).append(seen)
        return False

    def require(self, clause, condition, message):
        """Like `check`, but stop the test at once when a MUST is broken."""
        if not self.check(clause, condition, message) and clauses.get(clause).is_must:
            self.raise_if_violated()
        return condition

    def fail(self, clause, message):
        self.require(clause, False, message)

    def raise_if_violated(self):
        if self.violations:
            violations, self.violations = self.violations, []
            raise ContractViolation(violations)
