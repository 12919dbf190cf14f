"""Same recipe, same parameters -> the same bytes: a steered-MD data set with the ci profile's
1.2 nm cutoff (the neighbour list is where a resumed run used to drift), built once without
interruption and once interrupted and resumed, gives identical sha256 for every file; the
interruption is a SIGKILL just after a chunk's checkpoint, or a stop inside a chunk."""

import json
import multiprocessing as mp
import os
import signal
import time

import pytest

from mdrepro import data
from mdrepro.data.registry import DATASETS, DatasetSpec
from mdrepro.simulate.runner import SimulationInterrupted

pytestmark = pytest.mark.slow

#: ci's pulling set (gupta2020.datasets) at ci's cutoff, time step, frame interval, spring and
#: speed, shortened to 30 residues and 400 frames.
SMALL = {
    "n_residues": 30,
    "forcefield": "amber99sbildn",
    "solvent": "obc",
    "cutoff_nm": 1.2,
    "temperature_K": 300.0,
    "timestep_fs": 2.0,
    "frame_interval_fs": 10.0,
    "friction_per_ps": 1.0,
    "spring_k_kcal_per_A2": 7.0,
    "speed_A_per_ps": 2.0,
    "n_frames": 400,
    "allatom_every": 5,
    "restraint_k_kcal_per_A2": 50.0,
    "equilibration_ps": 0.1,
    "seed": 11,
    "chunk_frames": 50,
    "cpu_threads": 1,
}


def _build(root, **kwargs):
    os.environ["MDREPRO_DATA_DIR"] = str(root)
    data.build("small-smd", "ci", progress=False, platform_name="CPU", **kwargs)


def _files(root, monkeypatch):
    monkeypatch.setenv("MDREPRO_DATA_DIR", str(root))
    return data.verify("small-smd", "ci")["files"]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    spec = DatasetSpec("small-smd", "test", "build_ala100_smd", 1, {"ci": SMALL, "paper": SMALL})
    DATASETS["small-smd"] = spec
    root = tmp_path_factory.mktemp("a")
    before = os.environ.get("MDREPRO_DATA_DIR")
    _build(root)
    if before is None:
        os.environ.pop("MDREPRO_DATA_DIR")
    else:
        os.environ["MDREPRO_DATA_DIR"] = before
    yield root
    DATASETS.pop("small-smd", None)


def test_killed_at_a_checkpoint_and_resumed_is_byte_identical(
    uninterrupted, tmp_path, monkeypatch
):
    b = tmp_path / "b"
    monkeypatch.setenv("MDREPRO_DATA_DIR", str(b))
    ent = data.entry("small-smd", "ci")
    child = mp.get_context("fork").Process(target=_build, args=(b,))
    child.start()
    deadline = time.time() + 120
    while not list(ent.scratch.glob("smd0_chunk00003.chk")) and time.time() < deadline:
        time.sleep(0.01)
    killed = child.is_alive()
    os.kill(child.pid, signal.SIGKILL)
    child.join()
    assert killed and not ent.exists(), "the build finished before it could be killed"
    time.sleep(1.0)
    _build(b)  # resumes from the last checkpoint
    assert _files(uninterrupted, monkeypatch) == _files(b, monkeypatch)
    # the killed attempt's time counts: its chunks took more than a second
    monkeypatch.setenv("MDREPRO_DATA_DIR", str(b))
    wall = json.loads((ent.path / "manifest.json").read_text())["wall_time_s"]
    monkeypatch.setenv("MDREPRO_DATA_DIR", str(uninterrupted))
    full = json.loads((data.entry("small-smd", "ci").path / "manifest.json").read_text())
    assert wall > 0.5 * full["wall_time_s"]


def test_stopped_inside_a_chunk_and_resumed_is_byte_identical(
    uninterrupted, tmp_path, monkeypatch
):
    b = tmp_path / "b"
    with pytest.raises(SimulationInterrupted):
        _build(b, stop_after=175)  # chunks of 50: stops in the middle of the fourth
    _build(b)
    assert _files(uninterrupted, monkeypatch) == _files(b, monkeypatch)
