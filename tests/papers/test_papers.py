"""The paper packages: registry, parameters (every key read, ci as overrides), data sets."""

import ast
import importlib
from pathlib import Path

import pytest

from mdrepro import papers
from mdrepro.data import registry
from mdrepro.profiles import flat_keys

PKG = Path(papers.__file__).parent


def test_every_chapter_has_a_paper_and_a_notebook():
    chs = papers.chapters()
    assert list(chs) == ["ch01", "ch02", "ch03", "ch04", "ch05"]
    for ch in chs.values():
        assert ch.paper in papers.PAPERS and ch.notebook.is_file()
        for part in ("params", "datasets", "study", "figures", "claims"):
            assert (PKG / ch.paper / f"{part}.py").is_file(), (ch.paper, part)


def test_each_data_set_is_registered_by_one_paper_and_used_by_its_chapters():
    used = {d: ch.paper for ch in papers.chapters().values() for d in ch.datasets}
    assert sorted(used) == registry.names()
    for name, paper in used.items():
        src = (PKG / paper / "datasets.py").read_text()
        assert f'name="{name}"' in src


def _literals(paper: str) -> set[str]:
    out = set()
    for part in ("datasets", "study", "figures", "claims"):
        tree = ast.parse((PKG / paper / f"{part}.py").read_text())
        out |= {
            n.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
        }
    return out


@pytest.mark.parametrize("chapter", ["ch01", "ch02", "ch03", "ch04", "ch05"])
def test_every_parameter_key_is_read(chapter):
    ch = papers.get_chapter(chapter)
    params = papers.module(ch, "params").resolve(chapter, "paper")
    read = _literals(ch.paper)
    unread = [k for k in flat_keys(params) if k.split(".")[-1] not in read]
    unread = [k for k in unread if k.split(".")[-1] not in ("adk", "smd")]  # per-set values
    assert unread == [], f"{chapter}: parameters never read: {unread}"


@pytest.mark.parametrize("paper", papers.PAPERS)
def test_every_quoted_fact_is_used(paper):
    params = importlib.import_module(f"mdrepro.papers.{paper}.params")
    facts = [n for n in vars(params) if n.startswith("PAPER_")]
    text = "".join(p.read_text() for p in (PKG / paper).glob("*.py"))
    for name in facts:
        assert text.count(name) >= 2, f"{paper}: {name} is defined but never used"


@pytest.mark.parametrize("chapter", ["ch01", "ch02", "ch03", "ch04", "ch05"])
def test_ci_only_overrides_known_parameters_and_the_paper_profile_is_the_base(chapter):
    ch = papers.get_chapter(chapter)
    mod = papers.module(ch, "params")
    paper, ci = mod.resolve(chapter, "paper"), mod.resolve(chapter, "ci")
    assert set(flat_keys(ci)) == set(flat_keys(paper))


def test_notebook_overrides():
    p = papers.module("ch02", "params").resolve("ch02", "ci", seed=10, epochs=3)
    assert p["seeds"] == [10, 11, 12] and p["epochs"] == {"adk": 3, "smd": 3}
    p = papers.module("ch03", "params").resolve("ch03", "ci", seeds=[5], epochs=(1, 2))
    assert p["seeds"] == [5] and (p["vae_epochs"], p["lstm_epochs"]) == (1, 2)
    p = papers.module("ch04", "params").resolve("ch04", "ci", overrides={"fourwell": {"lag": 7}})
    assert p["fourwell"]["lag"] == 7 and p["fourwell"]["n_kernels"] == 8
    with pytest.raises(Exception, match="known parameter"):
        papers.module("ch04", "params").resolve("ch04", "ci", overrides={"lagg": 1})
    p = papers.module("ch01", "params").resolve("ch01", "ci", lead_steps=[1, 2])
    assert p["lead_steps"] == [1, 2]


def test_unknown_chapter_and_paper():
    with pytest.raises(KeyError, match="valid names"):
        papers.get_chapter("ch99")
    with pytest.raises(KeyError, match="valid names"):
        papers.paper("nobody2020")


def test_papers_import_nothing_heavy():
    import subprocess
    import sys

    code = (
        "import sys, mdrepro.papers, mdrepro.data.registry as r; r.names(); "
        "print(any(m in sys.modules for m in ('torch', 'openmm', 'mdtraj')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
