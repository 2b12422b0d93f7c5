"""The clause table: well-formed, every clause checked by a test, the docs in step."""

import re
from pathlib import Path

from conformance import clauses

ROOT = Path(__file__).resolve().parents[2]
CHECKS = ROOT / "conformance" / "checks"
ID = re.compile(r"^[A-Z]+(-[A-Z]+)?-\d+$")


def test_ids_and_levels():
    for cid, clause in clauses.CLAUSES.items():
        assert ID.match(cid) and clause.id == cid
        assert clause.level in (clauses.MUST, clauses.SHOULD)
        assert clause.text and clause.section.startswith("§")


def test_every_clause_is_named_by_a_test():
    source = "\n".join(p.read_text(encoding="utf-8") for p in CHECKS.glob("check_*.py"))
    named = set(re.findall(r'"([A-Z]+(?:-[A-Z]+)?-\d+)"', source))
    assert named - set(clauses.CLAUSES) == set(), "tests name clauses that do not exist"
    assert set(clauses.CLAUSES) - named == set(), "clauses no test checks"


def test_docs_table_is_up_to_date(tmp_path):
    docs = ROOT / "docs" / "conformance.rst"
    copy = tmp_path / "conformance.rst"
    copy.write_text(docs.read_text(encoding="utf-8"), encoding="utf-8")
    assert clauses.update_docs(str(copy)) is False, (
        "docs/conformance.rst is stale: python -m conformance.clauses --update-docs "
        "docs/conformance.rst")
    for cid in clauses.CLAUSES:
        assert f"``{cid}``" in docs.read_text(encoding="utf-8")
