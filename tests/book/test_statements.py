"""Each document's statements.yaml: well-formed, quoting the document, tied to real checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from mdrepro.book import statements
from mdrepro.book.verdicts import all_checks
from mdrepro.papers import PAPERS

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
#: Source text of each document (../shared/seeds, never committed; the test skips without it).
SOURCES = {
    "gupta2020": "000_c0ac1fdfa6303a3e.txt",
    "cava": "001_16bfdd30f4be2bb1.txt",
    "sidky2020": "002_2319dbbc072d38a8.txt",
    "winkler2020": "003_63ebc791f7e0e91a.txt",
}
CHECKS = all_checks()


@pytest.mark.parametrize("paper", PAPERS)
def test_every_paper_has_a_valid_statements_file(paper):
    st = statements.load(paper)
    assert st.items, paper
    assert all(s.id.startswith(f"{paper}.") for s in st.items)
    for s in st.items:
        assert len(s.quote) <= 200, s.id
        assert s.checkable or s.reason, f"{s.id}: not checkable without a reason"
        assert s.claims or s.reason or s.proposal, f"{s.id}: unchecked without a reason"


@pytest.mark.parametrize("paper", PAPERS)
def test_statements_name_only_registered_checks_of_their_paper(paper):
    for s in statements.load(paper).items:
        for cid in s.claims:
            assert cid in CHECKS, f"{s.id} names {cid!r}, which no claims.py registers"
            assert CHECKS[cid].document == paper, (s.id, cid)


def test_every_paper_claim_quotes_a_statement():
    """A check that is not beyond the paper must test a statement the document makes."""
    quoted = {cid for p in PAPERS for s in statements.load(p).items for cid in s.claims}
    missing = [
        c.id
        for c in CHECKS.values()
        if not c.beyond_paper and c.id not in quoted and not c.id.startswith("ch09")
    ]
    assert not missing, f"checks that quote no statement of their document: {missing}"


@pytest.mark.parametrize("paper", PAPERS)
def test_quotes_are_the_documents_words(paper):
    src = SEEDS / SOURCES[paper]
    if not src.is_file():
        pytest.skip(f"source text {src} absent")
    text = statements.normalise(src.read_text(encoding="utf-8", errors="replace"))
    for s in statements.load(paper).items:
        assert statements.normalise(s.quote) in text, f"{s.id}: quote not found in {src.name}"


def test_a_malformed_file_is_one_clear_error(tmp_path, monkeypatch):
    d = tmp_path / "winkler2020"
    d.mkdir()
    (d / "statements.yaml").write_text(
        "document: x\nstatements:\n- id: winkler2020.s01\n  where: a\n  quote: b\n"
        "  kind: guess\n  checkable: true\n"
    )
    monkeypatch.setattr(statements, "PAPERS_DIR", tmp_path)
    statements.load.cache_clear()
    try:
        with pytest.raises(ValueError, match="expected kind in"):
            statements.load("winkler2020")
    finally:
        statements.load.cache_clear()
