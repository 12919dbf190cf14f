"""Same recipe, same parameters -> the same bytes: two builds of a small steered-MD data set,
one of them killed with SIGKILL half-way and resumed, give identical sha256 for every file."""

import multiprocessing as mp
import os
import signal
import time

import pytest

from mdrepro import data
from mdrepro.data.registry import DATASETS, DatasetSpec

pytestmark = pytest.mark.slow

SMALL = {
    "n_residues": 12,
    "forcefield": "amber99sbildn",
    "solvent": "obc",
    "cutoff_nm": None,
    "temperature_K": 300.0,
    "timestep_fs": 2.0,
    "frame_interval_fs": 10.0,
    "friction_per_ps": 1.0,
    "spring_k_kcal_per_A2": 7.0,
    "speed_A_per_ps": 20.0,
    "n_frames": 600,
    "allatom_every": 5,
    "restraint_k_kcal_per_A2": 50.0,
    "equilibration_ps": 0.1,
    "seed": 11,
    "chunk_frames": 50,
    "cpu_threads": 1,
}


def _build(root):
    os.environ["MDREPRO_DATA_DIR"] = str(root)
    data.build("small-smd", "ci", progress=False, platform_name="CPU")


@pytest.fixture
def small_smd(monkeypatch):
    spec = DatasetSpec("small-smd", "test", "build_ala100_smd", 1, {"ci": SMALL, "paper": SMALL})
    monkeypatch.setitem(DATASETS, "small-smd", spec)
    return spec


def test_killed_and_resumed_build_is_byte_identical(small_smd, tmp_path, monkeypatch):
    a, b = tmp_path / "a", tmp_path / "b"
    _build(a)
    monkeypatch.setenv("MDREPRO_DATA_DIR", str(b))
    ent = data.entry("small-smd", "ci")
    child = mp.get_context("fork").Process(target=_build, args=(b,))
    child.start()
    deadline = time.time() + 120
    while not list(ent.scratch.glob("smd0_chunk00001.chk")) and time.time() < deadline:
        time.sleep(0.01)
    killed = child.is_alive()
    os.kill(child.pid, signal.SIGKILL)
    child.join()
    assert killed and not ent.exists(), "the build finished before it could be killed"
    _build(b)  # resumes from the last checkpoint
    monkeypatch.setenv("MDREPRO_DATA_DIR", str(a))
    files_a = data.verify("small-smd", "ci")["files"]
    monkeypatch.setenv("MDREPRO_DATA_DIR", str(b))
    files_b = data.verify("small-smd", "ci")["files"]
    assert files_a == files_b  # name -> sha256 and size, every file
