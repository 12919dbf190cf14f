"""Smoke runs of the chapter notebooks through papermill, at the smallest size.

The notebooks take users' own trajectories as parameters; here they get tiny synthetic ones
(written to DCD + PDB like a user's files), so every cell runs in seconds without a simulation.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]


def _peptide_topology(n_res: int):
    import mdtraj as md

    top = md.Topology()
    chain = top.add_chain()
    for i in range(n_res):
        res = top.add_residue("ALA", chain, resSeq=i + 1)
        for name, sym in [("N", "N"), ("CA", "C"), ("C", "C"), ("O", "O"), ("CB", "C")]:
            top.add_atom(name, md.element.get_by_symbol(sym), res)
    return top


def _write(tmp: Path, stem: str, xyz: np.ndarray, top) -> tuple[str, str]:
    import mdtraj as md

    traj = md.Trajectory(xyz.astype(np.float32), top)
    traj[0].save_pdb(str(tmp / f"{stem}.pdb"))
    traj.save_dcd(str(tmp / f"{stem}.dcd"))
    return str(tmp / f"{stem}.dcd"), str(tmp / f"{stem}.pdb")


def _tiny_sets(tmp: Path, n_frames: int = 300, n_res: int = 12):
    """An 'equilibrium' peptide (2 copies, AR(1) jiggle) and a 'pulled' one, in nm."""
    rng = np.random.default_rng(0)
    top = _peptide_topology(n_res)
    n = top.n_atoms
    base = np.c_[np.arange(n) * 0.08, 0.05 * np.sin(np.arange(n)), np.zeros(n)]
    eq = []
    for k in range(2):
        x = np.zeros((n_frames, n, 3))
        for t in range(1, n_frames):
            x[t] = 0.97 * x[t - 1] + 0.01 * rng.standard_normal((n, 3))
        eq.append(_write(tmp, f"eq{k}", base + x, top))
    ramp = np.linspace(0, 1, n_frames)[:, None] * np.clip(np.arange(n) / n - 0.5, 0, None)
    pulled = base[None] + 0.005 * rng.standard_normal((n_frames, n, 3))
    pulled[..., 0] += 4.0 * ramp
    smd = _write(tmp, "smd", pulled, top)
    return eq, smd


@pytest.mark.slow
def test_ch01_runs_end_to_end_on_user_files(tmp_path):
    pm = pytest.importorskip("papermill")
    eq, smd = _tiny_sets(tmp_path)
    out_dir = tmp_path / "executed"
    pm.execute_notebook(
        str(REPO / "notebooks" / "ch01_md_datasets.ipynb"),
        str(tmp_path / "ch01.ipynb"),
        parameters={
            "PROFILE": "ci",
            "DEVICE": "cpu",
            "OUTPUT_DIR": str(out_dir),
            "ADK_TRAJECTORY": [e[0] for e in eq],
            "ADK_TOPOLOGY": eq[0][1],
            "ADK_FRAME_FS": 10.0,
            "SMD_TRAJECTORY": smd[0],
            "SMD_TOPOLOGY": smd[1],
            "SMD_FRAME_FS": 100.0,
        },
        kernel_name="python3",
        cwd=str(REPO / "notebooks"),
        progress_bar=False,
    )
    claims = json.loads((out_dir / "claims" / "ch01.json").read_text())
    assert claims["chapter"] == "ch01" and len(claims["claims"]) == 16
    figs = {p.stem for p in (out_dir / "figures").glob("*.png")}
    assert {"ch01_fig2a", "ch01_fig2c", "ch01_fig3_fig5", "ch01_fig4b", "ch01_fig4de"} <= figs


# ----------------------------------------------------------------- notebooks narrate and call
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
#: The headings every chapter has, in this order (level 2).
HEADINGS = [
    "Aim",
    "Theory",
    "Practice",
    "Claims",
    "What differs from the",
    "Discussion",
    "Provenance",
]
#: Syntax a notebook cell must not hold: logic belongs in mdrepro, with tests.
FORBIDDEN = {
    ast.FunctionDef: "a def",
    ast.AsyncFunctionDef: "a def",
    ast.ClassDef: "a class",
    ast.Lambda: "a lambda",
    ast.For: "a loop",
    ast.While: "a loop",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a comprehension",
}
MAX_LINES = 15


def _cells(path):
    nb = json.loads(path.read_text())
    return nb["cells"]


def _code(cell) -> str:
    return "".join(cell["source"])


def problems(path) -> list[str]:
    """Every rule a notebook breaks, one line each (empty: the notebook only narrates)."""
    out = []
    cells = _cells(path)
    params = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(params) != 1:
        out.append(f"expected one cell tagged 'parameters', found {len(params)}")
    for i, c in enumerate(cells):
        if c["cell_type"] != "code":
            continue
        if c.get("outputs") or c.get("execution_count") is not None:
            out.append(f"cell {i}: stored with outputs")
        if c in params:
            continue
        src = _code(c)
        lines = [x for x in src.splitlines() if x.strip() and not x.strip().startswith("#")]
        if len(lines) > MAX_LINES:
            out.append(f"cell {i}: {len(lines)} lines of code (at most {MAX_LINES})")
        tree = ast.parse(src.replace("%matplotlib", "# %matplotlib"))
        for node in ast.walk(tree):
            kind = next((v for k, v in FORBIDDEN.items() if isinstance(node, k)), None)
            if kind:
                out.append(f"cell {i} line {node.lineno}: {kind}")
            if isinstance(node, ast.Constant) and type(node.value) in (int, float, complex):
                out.append(f"cell {i} line {node.lineno}: a numeric literal {node.value!r}")
            name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)
            if isinstance(name, str) and name.startswith("_") and not name.startswith("__"):
                out.append(f"cell {i} line {node.lineno}: a private name {name}")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "figure"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "ctx"
            ):
                arg = node.args[0] if node.args else None
                ok = (
                    isinstance(arg, ast.Call)
                    and isinstance(arg.func, ast.Attribute)
                    and isinstance(arg.func.value, ast.Name)
                    and arg.func.value.id == "figures"
                )
                if not ok:
                    out.append(f"cell {i}: ctx.figure must take one call of figures.<name>")
    code = "\n".join(_code(c) for c in cells if c["cell_type"] == "code")
    if code.count("papers.setup(") != 1:
        out.append("expected exactly one papers.setup(...) call")
    heads = [
        line[3:].strip()
        for c in cells
        if c["cell_type"] == "markdown"
        for line in _code(c).splitlines()
        if line.startswith("## ")
    ]
    found = [next((h for h in heads if h.startswith(want)), None) for want in HEADINGS]
    if None in found:
        missing = [w for w, f in zip(HEADINGS, found, strict=True) if f is None]
        out.append(f"missing headings: {missing}")
    elif [heads.index(f) for f in found] != sorted(heads.index(f) for f in found):
        out.append(f"headings out of order: {heads}")
    return out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_only_narrates_and_calls(path):
    assert problems(path) == []


def test_the_rules_catch_logic(tmp_path):
    bad = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {"tags": ["parameters"]},
                "source": ["X = 1\n"],
                "outputs": [],
                "execution_count": None,
            },
            {
                "cell_type": "code",
                "metadata": {},
                "outputs": [],
                "execution_count": None,
                "source": [
                    "def f(x):\n",
                    "    return [v * 2.5 for v in x]\n",
                    "ctx.figure(plt.gcf(), 'x')\n",
                    "y = obj._private\n",
                ],
            },
            {"cell_type": "markdown", "metadata": {}, "source": ["## Aim\n"]},
        ]
    }
    p = tmp_path / "bad.ipynb"
    p.write_text(json.dumps(bad))
    text = "\n".join(problems(p))
    for what in (
        "a def",
        "a comprehension",
        "numeric literal 2.5",
        "private name _private",
        "figures.<name>",
        "papers.setup",
        "missing headings",
    ):
        assert what in text, what


def _figure_names(path) -> list[str]:
    names = []
    for c in _cells(path):
        if c["cell_type"] != "code":
            continue
        for node in ast.walk(ast.parse(_code(c))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "figure"
                and len(node.args) == 2
                and isinstance(node.args[1], ast.Constant)
            ):
                names.append(node.args[1].value)
    return names


def test_every_figure_of_a_notebook_can_be_reproduced_by_name():
    from mdrepro import papers

    for path in NOTEBOOKS:
        ch = papers.get_chapter(path.stem)
        names = _figure_names(path)
        assert names, path
        registry = papers.module(ch, "figures").FIGURES[ch.id]
        assert sorted(n.removeprefix(f"{ch.id}_") for n in names) == sorted(registry), path


#: The verdict words, as the rule cells define them (italic): the only place prose may use them.
_DEFINED = re.compile(r"\*(not reproduced|reproduced|undecided)\*")
_VERDICT_WORD = re.compile(r"\b(reproduced|undecided)\b", re.IGNORECASE)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_hard_coded_verdict_in_the_prose(path):
    """Verdicts reach a page only from the claims JSON: a notebook's prose may define the
    verdict words (in italics) but never state one, in a status table or a sentence.
    """
    cells = json.loads(path.read_text())["cells"]
    found = []
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        text = _DEFINED.sub("", "".join(cell["source"]))
        found += [f"cell {i}: {m.group(0)}" for m in _VERDICT_WORD.finditer(text)]
    assert not found, "; ".join(found)


def test_the_verdict_word_test_can_fail():
    assert _VERDICT_WORD.search(_DEFINED.sub("", "| Fig. 2 | ... | reproduced |"))
    assert not _VERDICT_WORD.search(_DEFINED.sub("", "*reproduced* when the interval ..."))
