"""The clause table: well-formed, every clause checked by a test, the docs in step."""

import re
from pathlib import Path

from conformance import clauses

ROOT = Path(__file__).resolve().parents[2]
CHECKS = ROOT / "conformance" / "checks"
ID = re.compile(r"^(V2-)?[A-Z]+(-[A-Z]+)?-\d+$")  # V2-: Images API v2


def test_ids_and_levels():
    for cid, clause in clauses.CLAUSES.items():
        assert ID.match(cid) and clause.id == cid
        assert clause.level in (clauses.MUST, clauses.SHOULD, clauses.EXTENSION)
        assert clause.text and clause.section.startswith("§")


def test_sections_are_revision_2():
    """§1–§10 of CONTRACT.md revision 2 (revision 1 had no §9, §10)."""
    for clause in clauses.CLAUSES.values():
        for number in re.findall(r"§(\d+)", clause.section):
            assert 1 <= int(number) <= 10, clause.id


def test_extensions_say_why():
    """Every extension clause records how real Glance behaves, unless it is one of the
    founding docs' features that Glance never had at all."""
    founding = {"IMG-4", "HDR-10", "FLT-8", "VAL-10", "LOC-5", "LOC-6"}
    for clause in clauses.CLAUSES.values():
        if clause.is_extension and clause.id not in founding:
            assert "Glance" in clause.note, clause.id


def test_verifier_levels():
    """A broken MUST is a violation, a SHOULD a warning, an EXTENSION "not offered"
    (a violation when extensions are required)."""
    from conformance.verdict import ExtensionNotOffered, Verifier
    v = Verifier()
    v.check("API-POST-1", False, "must")
    v.check("API-HEAD-3", False, "should")
    v.check("VER-8", False, "extension")
    assert [x.clause for x in v.violations] == ["API-POST-1"]
    assert [x.clause for x in v.warnings] == ["API-HEAD-3"]
    assert [x.clause for x in v.not_offered] == ["VER-8"]
    strict = Verifier(require_extensions=True)
    strict.check("VER-8", False, "extension")
    assert [x.clause for x in strict.violations] == ["VER-8"]
    import pytest
    with pytest.raises(ExtensionNotOffered):
        Verifier().require("VER-8", False, "cannot go on")


def test_every_clause_is_named_by_a_test():
    source = "\n".join(p.read_text(encoding="utf-8") for p in CHECKS.glob("check_*.py"))
    named = set(re.findall(r'"((?:V2-)?[A-Z]+(?:-[A-Z]+)?-\d+)"', source))
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
