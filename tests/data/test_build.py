"""A real (tiny) steered-MD build through the registry: interrupt, resume, publish, verify."""

import time

import numpy as np
import pytest

from mdrepro import cli, data
from mdrepro.data.registry import DATASETS, DatasetSpec
from mdrepro.errors import ChecksumError
from mdrepro.simulate.runner import SimulationInterrupted

TINY = {
    "n_residues": 4,
    "forcefield": "amber99sbildn",
    "solvent": "vacuum",
    "cutoff_nm": None,
    "temperature_K": 300.0,
    "timestep_fs": 2.0,
    "frame_interval_fs": 10.0,
    "friction_per_ps": 1.0,
    "spring_k_kcal_per_A2": 7.0,
    "speed_A_per_ps": 20.0,
    "n_frames": 40,
    "n_copies": 2,
    "allatom_every": 5,
    "restraint_k_kcal_per_A2": 50.0,
    "equilibration_ps": 0.02,
    "seed": 3,
    "chunk_frames": 10,
}


@pytest.fixture
def tiny_smd(tmp_path, monkeypatch):
    monkeypatch.setenv("MDREPRO_DATA_DIR", str(tmp_path))
    spec = DatasetSpec("tiny-smd", "test", "build_ala100_smd", 1, {"ci": TINY, "paper": TINY})
    monkeypatch.setitem(DATASETS, "tiny-smd", spec)
    return spec


def test_interrupted_build_resumes_and_publishes(tiny_smd):
    ent = data.entry("tiny-smd", "ci")
    with pytest.raises(SimulationInterrupted):
        data.build("tiny-smd", "ci", progress=False, platform_name="Reference", stop_after=25)
    assert not ent.exists()  # nothing half-written is visible
    chunks = sorted(p.name for p in ent.scratch.glob("smd*_chunk*.chk"))
    assert chunks == ["smd0_chunk00000.chk", "smd0_chunk00001.chk"]
    first = float((ent.scratch / "wall_time_s").read_text())
    assert first > 0  # the interrupted attempt's wall time is kept for the manifest
    t0 = time.perf_counter()
    path = data.build("tiny-smd", "ci", progress=False, platform_name="Reference")
    second = time.perf_counter() - t0
    assert path == ent.path and ent.exists() and not ent.partial.exists()
    doc = data.verify("tiny-smd", "ci")
    assert set(doc["files"]) == {
        "ca.pdb",
        "ca0.dcd",
        "ca1.dcd",
        "topology.pdb",
        "all0.dcd",
        "all1.dcd",
        "pulling.npy",
    }
    for key in (
        "engine",
        "engine_version",
        "platform",
        "temperature_K",
        "timestep_fs",
        "save_interval_fs",
        "steps",
        "frames",
        "seed",
        "wall_time_s",
        "system",
    ):
        assert key in doc, key
    assert doc["system"]["solvent"] == "vacuum" and doc["platform"] == "Reference"
    # both attempts, each counted once
    assert first < doc["wall_time_s"] <= first + second + 0.01

    ca = data.load("tiny-smd", "ci", part="lstm")
    assert ca.n_atoms == 4 and ca.n_frames == [40, 40] and ca.frame_interval_fs == 10.0
    char = data.load("tiny-smd", "ci", part="characterisation", selection="all")
    assert char.n_frames == [8, 8] and char.frame_interval_fs == 50.0
    pull = char.tables["pulling"]
    assert pull.shape == (16,) and list(np.unique(pull["replica"])) == [0, 1]
    full_both = data.load("tiny-smd", "ci", part="lstm").tables["pulling"]
    assert full_both.shape == (80,) and doc["n_copies"] == 2
    # independent copies: own velocities and noise, same start
    a, b = ca.xyz()
    assert not np.allclose(a[-1], b[-1], atol=1e-4)
    full = full_both[full_both["replica"] == 0]
    # the pulled end moves along the pulling direction: the extension grows
    assert full["extension_nm"][-1] > full["extension_nm"][0]
    # the recorded C-alpha end-to-end distance matches the C-alpha trajectory
    xyz = ca.xyz()[0]
    e2e = np.linalg.norm(xyz[:, -1] - xyz[:, 0], axis=1)
    np.testing.assert_allclose(full["end_to_end_nm"], e2e, atol=2e-4)  # DCD float32 in Å
    np.testing.assert_allclose(full["work_kcal"][0], 0.0)


def test_tampered_file_is_detected_on_load(tiny_smd, capsys):
    data.build("tiny-smd", "ci", progress=False, platform_name="Reference")
    ent = data.entry("tiny-smd", "ci")
    with open(ent.path / "ca0.dcd", "r+b") as fh:
        fh.seek(-8, 2)
        fh.write(b"\x00" * 8)
    with pytest.raises(ChecksumError, match="ca0.dcd has sha256"):
        data.load("tiny-smd", "ci", part="lstm")
    assert cli.main(["data", "verify", "tiny-smd"]) == 1
    assert "FAILED" in capsys.readouterr().out


def test_unknown_part(tiny_smd):
    data.build("tiny-smd", "ci", progress=False, platform_name="Reference")
    with pytest.raises(KeyError, match="valid names: characterisation, lstm"):
        data.load("tiny-smd", "ci", part="nope")
