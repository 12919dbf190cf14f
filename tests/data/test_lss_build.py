"""Chapter 4 data sets through the registry: a tiny Trp-cage Go build (interrupt, resume,
temperature scan recorded) and a tiny four-well build."""

import numpy as np
import pytest

from mdrepro import data
from mdrepro.data.registry import DATASETS, DatasetSpec
from mdrepro.simulate.runner import SimulationInterrupted

TINY_GO = {
    "eps_kj": 2.5,
    "timestep_fs": 10.0,
    "frame_interval_fs": 100.0,
    "friction_per_ps": 1.0,
    "scan_temperatures_K": [200.0, 400.0],
    "q_mid": 0.5,
    "scan_ps": 5.0,
    "equilibration_ps": 1.0,
    "platform": "Reference",
    "n_frames": 30,
    "seed": 1,
    "chunk_frames": 10,
}
TINY_FW = {"a": 2.0, "n_steps": 20_000, "h": 1e-5, "save_every": 10, "seed": 0}


@pytest.fixture
def tiny_sets(tmp_path, monkeypatch):
    monkeypatch.setenv("MDREPRO_DATA_DIR", str(tmp_path))
    for name, recipe, p in [
        ("tiny-go", "build_trpcage_go", TINY_GO),
        ("tiny-fw", "build_fourwell_bd", TINY_FW),
    ]:
        monkeypatch.setitem(
            DATASETS, name, DatasetSpec(name, "test", recipe, 1, {"ci": p, "paper": p})
        )


def test_go_build_resumes_and_records_its_temperature(tiny_sets):
    ent = data.entry("tiny-go", "ci")
    with pytest.raises(SimulationInterrupted):
        data.build("tiny-go", "ci", progress=False, stop_after=15)
    assert not ent.exists() and (ent.scratch / "scan.json").is_file()
    data.build("tiny-go", "ci", progress=False)
    doc = data.verify("tiny-go", "ci")
    scan = doc["temperature_scan"]
    assert 200.0 <= doc["temperature_K"] <= 400.0 and len(scan["mean_Q"]) == 2
    ts = data.load("tiny-go", "ci")
    assert ts.n_atoms == 20 and ts.n_frames == [30] and ts.frame_interval_fs == 100.0


def test_fourwell_build(tiny_sets):
    path = data.build("tiny-fw", "ci", progress=False)
    x = np.load(path / "x.npy")
    doc = data.verify("tiny-fw", "ci")
    assert x.shape == (2000,) and doc["a"] == 2.0
    assert doc["parts"]["x"]["frame_interval"] == pytest.approx(1e-4)
