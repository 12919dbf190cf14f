"""Users' own trajectories: the happy path and every error as one clear message."""

import mdtraj as md
import numpy as np
import pytest

from mdrepro.data import TrajectorySet, load_user
from mdrepro.errors import DataError


def peptide(n_res=4, n_frames=12, seed=0):
    """A toy trajectory: residues of N, CA, C atoms on a line, jittered (nm)."""
    top = md.Topology()
    chain = top.add_chain()
    for i in range(n_res):
        res = top.add_residue("ALA", chain, resSeq=i + 1)
        for name, el in (("N", "N"), ("CA", "C"), ("C", "C")):
            top.add_atom(name, md.element.get_by_symbol(el), res)
    rng = np.random.default_rng(seed)
    base = np.c_[np.arange(3 * n_res) * 0.15, np.zeros(3 * n_res), np.zeros(3 * n_res)]
    xyz = base + 0.01 * rng.standard_normal((n_frames, 3 * n_res, 3))
    return md.Trajectory(xyz.astype(np.float32), top, time=np.arange(n_frames) * 0.01)


@pytest.fixture
def files(tmp_path):
    t = peptide()
    t[0].save_pdb(str(tmp_path / "top.pdb"))
    t.save_dcd(str(tmp_path / "traj.dcd"))
    return tmp_path, t


def test_loads_selection_as_trajectory_set(files):
    d, t = files
    ts = load_user(d / "traj.dcd", d / "top.pdb", selection="name CA", frame_interval_fs=10)
    assert isinstance(ts, TrajectorySet)
    assert ts.n_atoms == 4 and ts.n_frames == [12]
    np.testing.assert_allclose(ts.xyz()[0], t.xyz[:, 1::3], atol=1e-3)  # DCD stores Å
    np.testing.assert_allclose(ts.time_fs()[:3], [0, 10, 20])


def test_several_copies(files):
    d, _ = files
    ts = load_user([d / "traj.dcd", d / "traj.dcd"], d / "top.pdb", frame_interval_fs=10)
    assert ts.n_copies == 2


def test_frame_interval_from_time_stamps(tmp_path):
    t = peptide()
    t.save_xtc(str(tmp_path / "t.xtc"))  # XTC frames carry their times (ps)
    t[0].save_pdb(str(tmp_path / "top.pdb"))
    ts = load_user(tmp_path / "t.xtc", tmp_path / "top.pdb")
    assert ts.frame_interval_fs == pytest.approx(10.0)


def test_missing_file(files):
    d, _ = files
    with pytest.raises(DataError, match="file not found: .*nope.dcd"):
        load_user(d / "nope.dcd", d / "top.pdb", frame_interval_fs=10)


def test_atom_count_mismatch(files, tmp_path):
    d, _ = files
    peptide(n_res=5)[0].save_pdb(str(tmp_path / "big.pdb"))
    with pytest.raises(DataError, match="has 12 atoms per frame but topology .* has 15"):
        load_user(d / "traj.dcd", tmp_path / "big.pdb", frame_interval_fs=10)


def test_empty_selection(files):
    d, _ = files
    with pytest.raises(DataError, match="matched no atoms"):
        load_user(d / "traj.dcd", d / "top.pdb", selection="name CB", frame_interval_fs=10)


def test_invalid_selection(files):
    d, _ = files
    with pytest.raises(DataError, match="not valid mdtraj syntax"):
        load_user(d / "traj.dcd", d / "top.pdb", selection="name ==", frame_interval_fs=10)


def test_nan_coordinates(tmp_path):
    t = peptide()
    t.xyz[5, 2, 0] = np.nan
    t.save_dcd(str(tmp_path / "t.dcd"))
    t[0].save_pdb(str(tmp_path / "top.pdb"))
    with pytest.raises(DataError, match="NaN/inf in 1 frame.*frame 5"):
        load_user(tmp_path / "t.dcd", tmp_path / "top.pdb", selection="all", frame_interval_fs=1)


def test_too_few_frames(files, tmp_path):
    d, t = files
    t[:1].save_dcd(str(tmp_path / "one.dcd"))
    with pytest.raises(DataError, match="at least 2 frames, found 1"):
        load_user(tmp_path / "one.dcd", d / "top.pdb", frame_interval_fs=10)


def test_unknown_interval(files):
    d, _ = files
    with pytest.raises(DataError, match="frame interval unknown"):
        load_user(d / "traj.dcd", d / "top.pdb")
