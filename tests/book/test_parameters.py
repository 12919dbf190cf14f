"""mdrepro.book.parameters: a chapter's parameters from its notebook, a run's checked before
any kernel starts.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from mdrepro.book import parameters
from mdrepro.book.chapter import ROOT
from mdrepro.papers import chapters

CHAPTERS = chapters()


@pytest.mark.parametrize("ch", sorted(CHAPTERS))
def test_every_parameter_has_a_type_and_a_meaning(ch):
    found = parameters.read(CHAPTERS[ch].notebook)
    assert {"PROFILE", "DEVICE", "SEED", "OUTPUT_DIR"} <= {p.name for p in found}
    for p in found:
        assert p.annotation and p.doc, f"{ch}: {p.name} needs `NAME: type = default  # meaning`"
        assert p.accepts(p.default), f"{ch}: {p.name}'s default is not a {p.annotation}"


def _nb(tmp_path, source: str):
    f = tmp_path / "x.ipynb"
    cell = {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": source}
    f.write_text(json.dumps({"cells": [cell]}))
    return f


def test_typos_types_and_the_run_options_are_refused_in_one_line(tmp_path):
    nb = _nb(
        tmp_path,
        "TRAJECTORY: str | list[str] | None = None  # a path\n"
        "EPOCHS: int | None = None  # epochs\nRATE = 0.5  # no annotation: the default's type\n",
    )
    parameters.check("chX", nb, {"TRAJECTORY": ["a.dcd", "b.dcd"], "EPOCHS": 3, "RATE": 1})
    with pytest.raises(parameters.ParameterError, match="found 'TRAJ'; did you mean TRAJECTORY"):
        parameters.check("chX", nb, {"TRAJ": "a.dcd"})
    with pytest.raises(parameters.ParameterError, match=r"EPOCHS of chX to be int \| None, found"):
        parameters.check("chX", nb, {"EPOCHS": "x"})
    with pytest.raises(parameters.ParameterError, match="like its default 0.5"):
        parameters.check("chX", nb, {"RATE": "fast"})
    with pytest.raises(parameters.ParameterError, match="TRAJECTORY"):
        parameters.check("chX", nb, {"TRAJECTORY": ["a.dcd", 3]})
    with pytest.raises(parameters.ParameterError, match="option --seed"):
        parameters.check("chX", nb, {"SEED": 3})
    assert "TRAJECTORY  str | list[str] | None" in parameters.table(nb)


def _cli(*args, cwd=None):
    """``mdrepro ARGS`` in a subprocess, with its wall time (s)."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "mdrepro.cli", *args], capture_output=True, text=True, cwd=cwd
    )
    return proc, time.perf_counter() - t0


def test_a_mistyped_parameter_fails_in_under_2_s_and_leaves_nothing(tmp_path):
    before = sorted(p.name for p in (ROOT / "runs").glob("*")) if (ROOT / "runs").is_dir() else []
    proc, took = _cli("run", "ch01", "-p", "ADK_TRAJ", "x", cwd=tmp_path)
    assert proc.returncode == 2 and took < 2.0, (proc.returncode, took)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "ADK_TRAJECTORY" in lines[0], proc.stderr
    after = sorted(p.name for p in (ROOT / "runs").glob("*")) if (ROOT / "runs").is_dir() else []
    assert after == before and not any(tmp_path.iterdir())


def test_params_lists_a_chapter_parameters():
    proc, _ = _cli("params", "ch02")
    assert proc.returncode == 0
    assert "EPOCHS" in proc.stdout and "int | None" in proc.stdout


def test_input_files_are_checked_and_made_absolute_before_a_kernel_starts(tmp_path):
    (tmp_path / "a.dcd").write_bytes(b"x")
    got = parameters.resolve_files(
        "chX", {"TRAJECTORY": ["a.dcd"], "MDA_MD17": {"300K": "a.dcd"}, "EPOCHS": 3}, tmp_path
    )
    assert got["TRAJECTORY"] == [str(tmp_path / "a.dcd")] and got["EPOCHS"] == 3
    assert got["MDA_MD17"] == {"300K": str(tmp_path / "a.dcd")}
    with pytest.raises(parameters.ParameterError, match="TOPOLOGY of chX to name a readable"):
        parameters.resolve_files("chX", {"TOPOLOGY": "missing.pdb"}, tmp_path)
    with pytest.raises(parameters.ParameterError, match="found a folder"):
        parameters.resolve_files("chX", {"TRAJECTORY": "."}, tmp_path)
    proc, took = _cli("run", "ch01", "-p", "ADK_TRAJECTORY", "no.dcd", cwd=tmp_path)
    assert proc.returncode == 2 and took < 2.0
    assert proc.stderr.count("\n") == 1 and "no such file" in proc.stderr
