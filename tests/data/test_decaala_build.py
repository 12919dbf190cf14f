"""A tiny deca-alanine End2End-restraint build on the Reference platform: interrupt, resume."""

import numpy as np
import pytest

from mdrepro import data
from mdrepro.data.registry import DATASETS, DatasetSpec, get
from mdrepro.simulate.runner import SimulationInterrupted

TINY = dict(get("decaala-smd").params["ci"])
TINY.update(
    n_residues=4,
    solvent="vacuum",
    frame_interval_fs=20.0,
    n_replicas=2,
    n_frames=12,
    equilibration_ps=0.02,
    chunk_frames=5,
    allatom_every=3,
    start_A=8.0,
    end_A=20.0,
)


@pytest.mark.slow
def test_tiny_build_resumes_and_records_the_pull(tmp_path, monkeypatch):
    monkeypatch.setenv("MDREPRO_DATA_DIR", str(tmp_path))
    spec = DatasetSpec("tiny-decaala", "test", "build_decaala_smd", 1, {"ci": TINY, "paper": TINY})
    monkeypatch.setitem(DATASETS, "tiny-decaala", spec)
    ent = data.entry("tiny-decaala", "ci")
    with pytest.raises(SimulationInterrupted):
        data.build("tiny-decaala", "ci", progress=False, platform_name="Reference", stop_after=7)
    assert not ent.exists() and (ent.scratch / "rep000_chunk00000.chk").is_file()
    data.build("tiny-decaala", "ci", progress=False, platform_name="Reference")
    doc = data.verify("tiny-decaala", "ci")
    assert doc["n_replicas"] == 2 and doc["platform"] == "Reference"
    bb = data.load("tiny-decaala", "ci", part="backbone", selection="backbone and name N CA C O")
    assert bb.n_atoms == 16 and bb.n_frames == [12, 12] and bb.frame_interval_fs == 20.0
    allat = data.load("tiny-decaala", "ci", part="all", selection="all")
    assert allat.n_frames == [4, 4] and allat.n_atoms == 43
    tab = bb.tables["pulling"]
    assert tab.shape == (24,)
    np.testing.assert_array_equal(tab["replica"], np.repeat([0, 1], 12))
    # the centre moves linearly from start_A to end_A (middle of each frame)
    np.testing.assert_allclose(tab["centre_nm"][:12], 0.8 + 1.2 * (np.arange(12) + 0.5) / 12)
    # the recorded End2End distance is that of the saved backbone frames (DCD: float32 in Å)
    ca = bb.trajectories[0].topology.select("name CA")
    xyz = bb.xyz()[0]
    e2e = np.linalg.norm(xyz[:, ca[-1]] - xyz[:, ca[0]], axis=1)
    np.testing.assert_allclose(tab["end_to_end_nm"][:12], e2e, atol=2e-4)
    # two replicas with different seeds differ
    assert not np.allclose(bb.xyz()[0], bb.xyz()[1])
