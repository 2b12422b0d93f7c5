"""Fault injection, concurrency and hostile input against the real servers.

Every test here records its figures (requests tried, crashes injected,
invariant violations) with the `figures` fixture; they are printed at the
end of the run (docs/reliability.rst quotes them) and, when
GLANCE_RELIABILITY_REPORT names a file, written there as JSON lines.
"""

import json
import os

import pytest

FIGURES = []


@pytest.fixture
def figures(request):
    """figures(**numbers) records one line of figures for this test."""
    def record(**numbers):
        FIGURES.append({"test": request.node.name, **numbers})
    return record


def pytest_terminal_summary(terminalreporter):
    if not FIGURES:
        return
    terminalreporter.section("reliability figures")
    for line in FIGURES:
        terminalreporter.write_line(
            f"{line['test']}: " + ", ".join(f"{k}={v}" for k, v in line.items() if k != "test"))
    path = os.environ.get("GLANCE_RELIABILITY_REPORT")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            for line in FIGURES:
                f.write(json.dumps(line) + "\n")
