"""Checks that name their clause: the vocabulary every conformance test speaks.

`Verifier.check(clause, condition, message)` records a broken MUST as a
violation, a broken SHOULD as a warning and a broken EXTENSION as "not
offered" (or, with `require_extensions`, as a violation); the level comes
from `conformance.clauses`, never from the test.  Violations are collected
(so one test can report every clause it saw broken) and raised together when
the test ends; `require` raises at once when the test cannot go on.
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


class ExtensionNotOffered(Exception):
    """A test cannot go on because the server does not offer an extension it needs.

    The plugin reports the test as skipped with this reason; the extension is
    listed as not offered.
    """

    def __init__(self, seen):
        self.seen = seen
        super().__init__(f"extension {seen.clause} not offered: {seen.message}")


class Verifier:
    def __init__(self, log=None, require_extensions=False):
        self.log = log if log is not None else []
        self.require_extensions = require_extensions
        self.violations = []
        self.warnings = []
        self.not_offered = []
        self.checked = set()

    def binding(self, clause):
        """How a broken `clause` counts here: "must", "should" or "extension"."""
        level = clauses.get(clause).level  # KeyError on a typo, on purpose
        if level == clauses.EXTENSION:
            return "must" if self.require_extensions else "extension"
        return "must" if level == clauses.MUST else "should"

    def check(self, clause, condition, message):
        """Record `message` against `clause` unless `condition` holds; return `condition`."""
        binding = self.binding(clause)
        self.checked.add(clause)
        if condition:
            return True
        seen = Violation(clause, message, len(self.log) - 1 if self.log else None)
        {"must": self.violations, "should": self.warnings,
         "extension": self.not_offered}[binding].append(seen)
        return False

    def require(self, clause, condition, message):
        """Like `check`, but stop the test at once when the clause binds and is broken."""
        if not self.check(clause, condition, message):
            binding = self.binding(clause)
            if binding == "must":
                self.raise_if_violated()
            elif binding == "extension":
                self.raise_if_violated()
                raise ExtensionNotOffered(self.not_offered[-1])
        return condition

    def fail(self, clause, message):
        self.require(clause, False, message)

    def raise_if_violated(self):
        if self.violations:
            violations, self.violations = self.violations, []
            raise ContractViolation(violations)
