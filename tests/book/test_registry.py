"""mdrepro.book.registry: classes, tolerances and sizes in a data file per paper, hashed."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import pytest
import yaml

from mdrepro.book import registry
from mdrepro.book.verdicts import all_checks
from mdrepro.papers import PAPERS

CHECKS = all_checks()
PAPERS_DIR = Path(registry.__file__).resolve().parents[1] / "papers"


@pytest.mark.parametrize("paper", PAPERS)
def test_every_check_of_a_paper_is_in_its_registry_and_vice_versa(paper):
    ids = {cid for cid, c in CHECKS.items() if c.document == paper and cid[:4] != "ch09"}
    assert ids == set(registry.load(paper)), paper


@pytest.mark.parametrize("paper", PAPERS)
def test_tolerances_live_only_in_the_registry(paper):
    """No claims module passes a tolerance: the registry is the only place it lives."""
    tree = ast.parse((PAPERS_DIR / paper / "claims.py").read_text())
    given = [
        kw.arg
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Check"
        for kw in node.keywords
        if kw.arg in ("tol_lo", "tol_hi")
    ]
    assert given == []


def test_registered_checks_carry_the_registry_values():
    for cid, c in CHECKS.items():
        e = registry.entry(c.document, cid)
        if e is None:
            continue
        assert (c.tol_lo, c.tol_hi, c.klass, c.reason) == (e.tol_lo, e.tol_hi, e.klass, e.reason)


def test_non_claims_say_why():
    non = {cid: c for cid, c in CHECKS.items() if c.klass != registry.CLAIM}
    assert non, "expected some setup or construction checks"
    assert all(c.reason for c in non.values())
    assert CHECKS["ch03.stretching-costs-work"].klass == registry.CONSTRUCTION
    assert CHECKS["ch01.smd-force-1nN"].klass == registry.SETUP


def _copy_registry(tmp_path, monkeypatch, paper="winkler2020"):
    root = tmp_path / "papers"
    (root / paper).mkdir(parents=True)
    text = (PAPERS_DIR / paper / "registry.yaml").read_text()
    (root / paper / "registry.yaml").write_text(text)
    monkeypatch.setattr(registry, "PAPERS_DIR", root)
    registry.load.cache_clear()
    registry.registry_hash.cache_clear()
    return root / paper / "registry.yaml"


@pytest.fixture
def fresh_cache():
    yield
    registry.load.cache_clear()
    registry.registry_hash.cache_clear()


def test_hash_changes_when_a_tolerance_or_class_changes(tmp_path, monkeypatch, fresh_cache):
    f = _copy_registry(tmp_path, monkeypatch)
    before = registry.registry_hash("winkler2020", "ci")
    doc = yaml.safe_load(f.read_text())
    cid = sorted(doc["checks"])[0]
    doc["checks"][cid]["tolerance"][1] = 99.0
    f.write_text(yaml.safe_dump(doc))
    registry.load.cache_clear()
    registry.registry_hash.cache_clear()
    after = registry.registry_hash("winkler2020", "ci")
    assert after != before and registry.entry("winkler2020", cid).tol_hi == 99.0


def test_hash_changes_when_a_size_changes(monkeypatch, fresh_cache):
    from mdrepro.papers.winkler2020 import params

    before = registry.registry_hash("winkler2020", "ci")
    real = params.resolve

    def more_seeds(chapter, profile, **kw):
        p = dict(real(chapter, profile, **kw))
        p["seeds"] = [*p.get("seeds", []), 99]
        return p

    monkeypatch.setattr(params, "resolve", more_seeds)
    registry.registry_hash.cache_clear()
    assert registry.registry_hash("winkler2020", "ci") != before
    assert registry.registry_hash("winkler2020", "paper") != before


def test_profiles_hash_apart():
    ci, paper = (registry.registry_hash("sidky2020", p) for p in ("ci", "paper"))
    assert ci != paper


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"class": "guess", "tolerance": [0, 1]}, "expected class in"),
        ({"class": "claim", "tolerance": [2, 1]}, "expected lo <= hi"),
        ({"class": "claim", "tolerance": [0]}, "expected tolerance"),
        ({"class": "setup", "tolerance": [0, 1]}, "needs a one-line 'reason'"),
        ({"class": "claim", "tolerance": ["x", 1]}, "expected a number"),
        ({"class": "claim", "tolerance": [1, 10]}, "needs a 'basis'"),
    ],
)
def test_a_bad_entry_is_one_clear_line(tmp_path, monkeypatch, fresh_cache, entry, message):
    f = _copy_registry(tmp_path, monkeypatch)
    f.write_text(yaml.safe_dump({"checks": {"ch05.x": entry}}))
    registry.load.cache_clear()
    with pytest.raises(ValueError, match=message):
        registry.load("winkler2020")


def test_wide_tolerances_cite_the_document():
    wide = [e for p in PAPERS for e in registry.load(p).values() if e.basis]
    assert {e.id for e in wide} >= {"ch01.smd-rmsd-10x-adk", "ch01.adk-decorrelation-time"}
    assert all('"' in e.basis for e in wide)  # a quote of the document's words


def test_tolerances_are_finite_or_open():
    for paper in PAPERS:
        for e in registry.load(paper).values():
            assert not math.isnan(e.tol_lo) and not math.isnan(e.tol_hi)


def test_a_tier_lists_only_registered_claims_and_says_what_sized_it(tmp_path, monkeypatch):
    good = registry.tiers("gupta2020")["extended"]
    assert good.claims and good.cost and good.basis
    f = tmp_path / "registry.yaml"
    f.write_text(
        "checks:\n  a.b:\n    class: claim\n    tolerance: [0, 1]\n"
        "tiers:\n  extended:\n    chapters: [ch02]\n    sizes: {epochs: 4}\n"
        "    claims: [a.c]\n    cost: x\n    basis: y\n"
    )
    monkeypatch.setattr(registry, "path", lambda paper: f)
    with pytest.raises(ValueError, match=r"tier extended: expected claims of the registry"):
        registry.tiers("x")
