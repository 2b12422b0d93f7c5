"""The outcome of a run as plain data: per test, per clause, and the verdict.

The pytest plugin fills a `RunResults`; the report writers and the CLI only
read it.  Statuses: passed, failed (the server broke a MUST), warned (a
SHOULD), skipped (an optional capability is absent, with the reason), error
(the suite itself could not judge), not-run (deselected by --only or
--read-only).  An EXTENSION clause the server does not do is "not offered":
listed apart, it never changes the verdict (unless --require-extensions made
it a MUST, when it fails like one).
"""

import time
from dataclasses import dataclass, field

from conformance import clauses

EXIT_OK, EXIT_FAILED, EXIT_SUITE = 0, 1, 2
# How bad each status is, for rolling tests up into a clause's status.
SEVERITY = {"failed": 8, "error": 7, "warned": 6, "not offered": 5, "not reached": 4,
            "passed": 3, "not judged": 2, "skipped": 1, "not run": 0, "untested": 0}


@dataclass
class TestResult:
    nodeid: str
    name: str
    area: str
    doc: str
    clauses: list
    status: str = "not run"
    message: str = ""
    violations: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    not_offered: list = field(default_factory=list)
    checked: list = field(default_factory=list)
    exchanges: list = field(default_factory=list)
    duration: float = 0.0

    def cell(self, cid):
        """This test's status for one clause (see the module docstring)."""
        if any(x["clause"] == cid for x in self.violations):
            return "failed"
        if any(x["clause"] == cid for x in self.warnings):
            return "warned"
        if any(x["clause"] == cid for x in self.not_offered):
            return "not offered"
        if self.status in ("skipped", "not run", "error"):
            return self.status
        if cid in self.checked:
            return "passed"
        if self.status == "failed":
            return "not reached"
        # A test that ran through without checking a clause it names found it
        # not applicable (e.g. ERR-3 on an answer without the ERR-2 shape).
        return "not judged" if self.checked else "passed"

    def all_clauses(self):
        seen = list(self.clauses)
        for cid in self.checked + [x["clause"] for x in
                                   self.violations + self.warnings + self.not_offered]:
            if cid not in seen:
                seen.append(cid)
        return seen

    def as_dict(self, with_exchanges):
        d = {k: getattr(self, k) for k in ("nodeid", "name", "area", "doc", "clauses",
                                             "status", "message", "violations",
                                             "warnings", "not_offered", "checked",
                                             "duration")}
        if with_exchanges:
            d["exchanges"] = self.exchanges
        return d


@dataclass
class RunResults:
    target: dict = field(default_factory=dict)
    prefix: str = ""
    started: float = field(default_factory=time.time)
    finished: float = 0.0
    tests: dict = field(default_factory=dict)
    leftovers: list = field(default_factory=list)
    suite_errors: list = field(default_factory=list)
    capabilities: object = None  # conformance.capabilities.Capabilities

    def capability_rows(self):
        return self.capabilities.as_list() if self.capabilities is not None else []

    def counts(self):
        out = {s: 0 for s in ("passed", "failed", "warned", "skipped", "error", "not run")}
        for t in self.tests.values():
            status = "warned" if t.status == "passed" and t.warnings else t.status
            out[status] = out.get(status, 0) + 1
        out["total"] = len(self.tests)
        return out

    def matrix(self):
        """[(clause, status, [(test, cell status, declared)])] for every clause.

        `declared` is true when the test names the clause; other tests checked
        it in passing (e.g. JSON-1 on every JSON answer they read).
        """
        rows = []
        by_clause = {cid: [] for cid in clauses.CLAUSES}
        for t in self.tests.values():
            for cid in t.all_clauses():
                if cid in by_clause:
                    by_clause[cid].append((t, t.cell(cid), cid in t.clauses))
        for cid, cells in by_clause.items():
            status = max((c for _, c, _ in cells), key=SEVERITY.__getitem__) if cells \
                else "untested"
            rows.append((clauses.get(cid), status, cells))
        return rows

    def failed_clauses(self):
        return sorted({x["clause"] for t in self.tests.values() for x in t.violations})

    def failures(self):
        """{(test nodeid, clause)} of every broken MUST (or required extension)."""
        return {(t.nodeid, x["clause"]) for t in self.tests.values() for x in t.violations}

    def extensions(self):
        """[(clause, "offered" | "not offered" | "not judged", evidence)] of EXTENSION clauses."""
        rows = []
        for clause, status, cells in self.matrix():
            if not clause.is_extension:
                continue
            seen = [x["message"] for t, _, _ in cells for x in t.not_offered + t.violations
                    if x["clause"] == clause.id]
            checked = any(clause.id in t.checked for t, _, _ in cells)
            if seen or status in ("not offered", "failed"):
                rows.append((clause, "not offered", seen[0] if seen else ""))
            elif status == "passed" and checked:
                rows.append((clause, "offered", ""))
            else:
                rows.append((clause, "not judged", status))
        return rows

    def exit_code(self):
        counts = self.counts()
        if self.suite_errors or counts["error"]:
            return EXIT_SUITE
        if counts["failed"]:
            return EXIT_FAILED
        if not any(t.status in ("passed", "failed", "skipped") for t in self.tests.values()):
            return EXIT_SUITE  # nothing was judged: the suite did not run
        return EXIT_OK

    def verdict(self):
        return {EXIT_OK: "PASS", EXIT_FAILED: "FAIL", EXIT_SUITE: "SUITE ERROR"}[self.exit_code()]

    def as_dict(self):
        return {
            "verdict": self.verdict(),
            "exit_code": self.exit_code(),
            "target": self.target,
            "run_prefix": self.prefix,
            "started": self.started,
            "finished": self.finished,
            "counts": self.counts(),
            "failed_clauses": self.failed_clauses(),
            "capabilities": self.capability_rows(),
            "extensions": [{"id": c.id, "status": status, "evidence": why}
                           for c, status, why in self.extensions()],
            "suite_errors": self.suite_errors,
            "leftovers": self.leftovers,
            "clauses": [
                {"id": c.id, "section": c.section, "level": c.level, "text": c.text,
                 "status": status,
                 "tests": [{"nodeid": t.nodeid, "status": cell, "names_clause": declared}
                           for t, cell, declared in cells]}
                for c, status, cells in self.matrix()
            ],
            "not_observable": [{"section": s, "text": t} for s, t in clauses.NOT_OBSERVABLE],
            "tests": [t.as_dict(t.status in ("failed", "error") or bool(t.warnings)
                                or bool(t.not_offered))
                      for t in self.tests.values()],
        }
