"""The workflow's plan (mdrepro.workflow) and a Snakemake dry run of it."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from mdrepro import papers, workflow


@pytest.fixture(scope="module")
def plan():
    return workflow.plan("ci", "cpu")


def test_one_job_per_unit_of_work(plan):
    units = plan.units["ch02"]
    specs = papers.module("ch02", "study").unique_runs(papers.context("ch02").params)
    params = papers.context("ch02").params
    n_controls = len(params["seeds"])  # untrained networks, per seed
    n_diag = len(papers.module("ch02", "study").diagnosis_specs(params))
    # every run, ARIMA, negative controls, the diagnosis's own runs
    assert len(units) == len(specs) + 1 + n_controls + n_diag
    assert len({t.path for t in units}) == len(units)
    assert {t.datasets for t in units} == {("adk-equilibrium",), ("ala100-smd",)}
    n = {c: len(papers.context(c).params["seeds"]) for c in ("ch03", "ch04", "ch05")}
    assert [len(plan.units[c]) for c in ("ch01", "ch03", "ch04", "ch05")] == [
        2,
        3 * n["ch03"],  # energy + ablation + control per seed
        3 * n["ch04"],  # four-well, Trp-cage and the shuffled-frames control per seed
        9 * n["ch05"],  # seven fits, the forward-only ablation, the untrained control per seed
    ]


def test_chapter_depends_on_its_results_data_notebook_and_drawing_code(plan):
    inputs = plan.chapter_inputs("ch04")
    assert any(i.endswith("notebooks/ch04_latent_space_simulators.ipynb") for i in inputs)
    assert any(i.endswith("papers/sidky2020/figures.py") for i in inputs)
    assert not any(i.endswith("papers/sidky2020/study.py") for i in inputs)  # via result keys
    assert all(str(t.path) in inputs for t in plan.units["ch04"])
    assert str(plan.stamp("ch04")).endswith("build/stamps/ci/ch04.done")


def test_partial_plans():
    p = workflow.plan(
        "ci",
        "cpu",
        chapters=["ch04"],
        params={"ch04": {"overrides": {"seeds": [0, 1, 2]}}},
        units="sidky2020/fourwell/",
    )
    assert list(p.units) == ["ch04"]
    assert [t.id for t in p.units["ch04"]] == ["s0", "s1", "s2"]
    assert set(p.data) == {"fourwell-bd", "trpcage-go"}


def test_dry_run_lists_every_unit_of_chapter_2_and_why(tmp_path):
    env = dict(
        os.environ,
        MDREPRO_DATA_DIR=str(tmp_path / "data"),
        MDREPRO_RESULTS_DIR=str(tmp_path / "results"),
    )
    cmd = workflow.snakemake_command(
        targets=[str(workflow.Plan("ci", "cpu").stamp("ch02"))], dry_run=True, cores=2
    )
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=workflow.ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    counts = dict(re.findall(r"^(\w+)\s+(\d+)$", out.stdout, re.M))
    ch02 = papers.context("ch02").params
    st = papers.module("ch02", "study")
    n_runs = len(st.unique_runs(ch02)) + 1 + len(ch02["seeds"]) + len(st.diagnosis_specs(ch02))
    assert counts["unit"] == str(n_runs) and counts["data"] == "2" and counts["chapter"] == "1"
    assert "reason: Missing output files" in out.stdout
