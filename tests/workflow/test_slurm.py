"""The workflow on a real (local, single-node) Slurm cluster.

Runs only with ``MDREPRO_SLURM_TEST=1`` (``.ci/run`` sets it; under ``CI=true`` a skip is a
failure): installs Debian's Slurm and munge if they are missing, starts a cluster whose
configuration, spool and state live in a temporary folder, runs a small grid of real units of
work (the four-well MDN of chapter 4 for three seeds, on the real Brownian data set, itself
built by a Slurm job) through ``snakemake-executor-plugin-slurm``, and checks that every result
records its Slurm job id and is byte for byte the result of a local run, with one core and with
two. Also submits a job through a (fake) GPU resource. Stops the daemons by their PIDs (munged
too, when the test started it). Every workflow runs in a temporary working folder with its own
data, results and timings folders: the checkout is not touched (checked).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import slurm_cluster  # noqa: E402
from small_grid import GRID  # noqa: E402

from mdrepro import workflow  # noqa: E402
from mdrepro.results import run_info_path  # noqa: E402

pytestmark = [pytest.mark.cluster, pytest.mark.slow]

CONFIG = {"chapters": "ch04", "units": "sidky2020/fourwell/", "units_only": "1"}


def _not_here(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"the Slurm test must run in CI, but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if os.environ.get("MDREPRO_SLURM_TEST") != "1":
        _not_here("MDREPRO_SLURM_TEST is not 1")
    if os.geteuid() != 0:
        _not_here("it needs root to start slurmctld and slurmd")
    if not slurm_cluster.available():
        slurm_cluster.install()
    c = slurm_cluster.Cluster(tmp_path_factory.mktemp("slurm"))
    c.start()
    yield c
    c.stop()


def _checkout_state() -> dict[str, float]:
    """Modification times of what a workflow could write in the checkout."""
    root = workflow.ROOT
    out = {}
    for sub in ("build/timings", "build/results", "build/stamps", "data/cache", ".snakemake"):
        for f in (root / sub).rglob("*") if (root / sub).is_dir() else []:
            if f.is_file() and "locks" not in f.parts:
                out[str(f)] = f.stat().st_mtime
    return out


@pytest.fixture(scope="module", autouse=True)
def checkout_untouched():
    """The test's workflows write only into their temporary folders."""
    before = _checkout_state()
    yield
    after = _checkout_state()
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    assert not changed, f"the Slurm test wrote into the checkout: {changed[:5]}"


def _run(tmp: Path, name: str, env: dict, **kwargs) -> dict[str, bytes]:
    """Run the grid in its own working folder, with its own data, results and timings
    folders; return unit -> result bytes.
    """
    work = tmp / f"{name}-work"
    work.mkdir(parents=True, exist_ok=True)
    data, results = tmp / f"{name}-data", tmp / f"{name}-results"
    env = dict(
        env,
        MDREPRO_DATA_DIR=str(data),
        MDREPRO_RESULTS_DIR=str(results),
        MDREPRO_TIMINGS_DIR=str(tmp / f"{name}-timings"),
        MDREPRO_WORKFLOW_PARAMS=json.dumps(GRID),
    )
    cmd = workflow.snakemake_command(config=CONFIG, workdir=work, **kwargs)
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=work)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    files = sorted(results.rglob("*.npz"))
    assert len(files) == 3, files
    return {f.parent.name: f.read_bytes() for f in files} | {
        f"{f.parent.name}.run": run_info_path(f).read_text() for f in files
    }


def test_grid_on_slurm_equals_local_runs(cluster, tmp_path):
    slurm = _run(
        tmp_path,
        "slurm",
        cluster.env,
        executor="slurm",
        extra=[
            "--slurm-init-seconds-before-status-checks",
            "2",
            "--seconds-between-status-checks",
            "2",
            "--slurm-logdir",
            str(tmp_path / "slurm-logs"),
            # the profile groups 20 units per submission; this node has 2 cores
            "--group-components",
            "units=2",
            # the jobs' environment: where the data, the results and the grid are, and the
            # cluster's configuration for the job steps' srun
            "--envvars",
            "SLURM_CONF",
            "MDREPRO_DATA_DIR",
            "MDREPRO_RESULTS_DIR",
            "MDREPRO_TIMINGS_DIR",
            "MDREPRO_WORKFLOW_PARAMS",
        ],
    )
    one = _run(tmp_path, "cores1", dict(os.environ), cores=1)
    two = _run(tmp_path, "cores2", dict(os.environ), cores=2)
    units = sorted(k for k in slurm if not k.endswith(".run"))
    assert units == ["s0", "s1", "s2"]
    for u in units:
        assert json.loads(slurm[f"{u}.run"])["slurm_job_id"], u  # computed by a Slurm job
        assert not json.loads(one[f"{u}.run"])["slurm_job_id"]
        assert slurm[u] == one[u] == two[u], u  # byte for byte
    assert slurm["s0"] != slurm["s1"]  # the seeds differ


def test_a_gpu_job_is_submitted_through_its_gres(cluster, tmp_path):
    out = subprocess.run(
        [
            "sbatch",
            "--parsable",
            "--wait",
            "--gres=gpu:1",
            "-o",
            str(tmp_path / "gpu.out"),
            "--wrap",
            "echo gpus=$SLURM_JOB_GPUS",
        ],
        env=cluster.env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "gpu.out").read_text().strip() == "gpus=0"
    # the workflow asks for that resource for every unit when the device is cuda
    plan = workflow.snakemake_command(device="cuda", dry_run=True, config=CONFIG, workdir=tmp_path)
    proc = subprocess.run(
        plan,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=dict(os.environ, MDREPRO_WORKFLOW_PARAMS=json.dumps(GRID)),
    )
    assert "gres=gpu:1" in proc.stdout, proc.stdout[-2000:]
