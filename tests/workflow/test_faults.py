"""A killed workflow recovers with no manual step, and a damaged or deleted result is
recomputed by the next build, which then equals an uninterrupted one byte for byte.

Real ``mdrepro build`` processes (the command ``make book`` runs) on a small grid of chapter 4
(three seeds of the four-well MDN on the real Brownian data set), each in its own working,
data, results and timings folders.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from small_grid import GRID  # noqa: E402

pytestmark = [pytest.mark.faults, pytest.mark.slow]


def _env(tmp: Path, name: str) -> dict:
    return dict(
        os.environ,
        MDREPRO_DATA_DIR=str(DATA or tmp / "data"),
        MDREPRO_RESULTS_DIR=str(tmp / f"{name}-results"),
        MDREPRO_TIMINGS_DIR=str(tmp / f"{name}-timings"),
        MDREPRO_WORKDIR=str(tmp / f"{name}-work"),
        MDREPRO_WORKFLOW_PARAMS=json.dumps(GRID),
    )


def _cmd() -> list[str]:
    return [
        sys.executable,
        "-m",
        "mdrepro.cli",
        "build",
        "ch04",
        "--units-only",
        "--cores",
        "2",
        "--units",
        "sidky2020/fourwell/",
    ]


def _build(tmp: Path, name: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """One ``mdrepro build``; on a timeout its whole process group is killed (no orphans)."""
    proc = subprocess.Popen(
        _cmd(), env=_env(tmp, name), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True,
    )  # fmt: skip
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _results(tmp: Path, name: str) -> dict[str, bytes]:
    root = tmp / f"{name}-results"
    return {
        f.relative_to(root).as_posix(): f.read_bytes()
        for f in sorted(root.rglob("*.npz"))
        if ".damaged" not in f.parts
    }


#: One data cache for every build here (the data set is built once; loads verify it).
DATA: Path | None = None


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    global DATA
    tmp = tmp_path_factory.mktemp("faults")
    DATA = tmp / "data"
    proc = _build(tmp, "clean")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    got = _results(tmp, "clean")
    assert len(got) == 3, sorted(got)
    return got


def test_a_killed_build_recovers_and_damage_is_recomputed(clean, tmp_path):
    env = _env(tmp_path, "killed")
    proc = subprocess.Popen(
        _cmd(), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    results = tmp_path / "killed-results"
    deadline = time.time() + 300
    while time.time() < deadline and not list(results.rglob("*.npz")):
        time.sleep(0.2)
    assert proc.poll() is None, "the build ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)  # mdrepro, snakemake and its jobs: all at once
    proc.wait()
    work = tmp_path / "killed-work" / ".snakemake"
    assert list((work / "locks").glob("*.lock")), "snakemake left no lock to clear"
    # a second build at once: no --unlock by hand
    again = _build(tmp_path, "killed")
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert "cleared a stale lock" in again.stderr
    assert "cleared Snakemake's lock" in again.stderr
    assert _results(tmp_path, "killed") == clean  # as if never interrupted
    # then one result damaged (a flipped byte) and one deleted: both recomputed, the same bytes
    files = sorted((tmp_path / "killed-results").rglob("*.npz"))
    damaged, deleted = files[0], files[1]
    raw = bytearray(damaged.read_bytes())
    raw[len(raw) // 3] ^= 0x55
    damaged.write_bytes(bytes(raw))
    deleted.unlink()
    fixed = _build(tmp_path, "killed")
    assert fixed.returncode == 0, fixed.stderr[-3000:]
    assert f"{damaged}: sha256" in fixed.stderr and "moved to" in fixed.stderr
    assert _results(tmp_path, "killed") == clean


def test_a_second_build_is_refused_while_one_runs(tmp_path):
    from mdrepro.locks import Lock

    env = _env(tmp_path, "busy")
    lock = Path(env["MDREPRO_WORKDIR"]) / ".snakemake" / "mdrepro-workflow.lock"
    with Lock(lock, "a workflow"):
        proc = _build(tmp_path, "busy")
    assert proc.returncode == 2
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1 and f"by pid {os.getpid()}" in err[0] and "is running" in err[0]
