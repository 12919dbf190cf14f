"""Loaders of phase-space data: MD17 npz and separate position/velocity npz."""

import numpy as np
import pytest

from mdrepro.data.phasespace import finite_difference_velocities, load_md17, load_posvel
from mdrepro.errors import DataError


def _traj(T=50, N=4, dt=0.5):
    t = np.arange(T)[:, None, None] * dt
    R = np.ones((T, N, 3)) + 0.1 * np.sin(0.2 * t + np.arange(N)[None, :, None])
    V = 0.1 * 0.2 * np.cos(0.2 * t + np.arange(N)[None, :, None]) * np.ones((1, 1, 3))  # Å/fs
    return R, V


def test_md17_loader_converts_units_and_estimates_velocities(tmp_path):
    R, V = _traj()
    f = tmp_path / "md17.npz"
    np.savez(f, R=R, z=np.array([6, 6, 8, 1]), E=np.zeros((50, 1)), F=np.zeros_like(R))
    ps = load_md17(f, 0.5)
    assert ps.velocities_estimated and ps.n_frames == 50 and ps.symbols == ["C", "C", "O", "H"]
    np.testing.assert_allclose(ps.positions, R * 0.1)
    # central differences: second-order accurate inside the trajectory (nm/ps = 100 Å/fs)
    np.testing.assert_allclose(ps.velocities[1:-1], V[1:-1] * 100, atol=5e-3)
    assert ps.states().shape == (50, 24)


def test_posvel_loader_reads_two_files_and_flat_layouts(tmp_path):
    R, V = _traj()
    np.savez(tmp_path / "pos.npz", R.reshape(50, -1))
    np.savez(tmp_path / "vel.npz", V=V)
    ps = load_posvel(tmp_path / "pos.npz", tmp_path / "vel.npz", 0.5, z=[6, 6, 8, 1])
    assert not ps.velocities_estimated
    np.testing.assert_allclose(ps.velocities, V * 100)


@pytest.mark.parametrize(
    "content, match",
    [
        ({"z": np.ones(4)}, "missing R"),
        ({"R": np.zeros((5, 4)), "z": np.ones(4)}, "expected shape"),
        ({"R": np.full((5, 4, 3), np.nan), "z": np.ones(4)}, "finite"),
        ({"R": np.zeros((5, 4, 3)), "z": np.ones(3)}, "atomic numbers"),
        ({"R": np.zeros((5, 4, 3)), "z": np.ones(4), "F": np.zeros((5, 3, 3))}, "expected F"),
    ],
)
def test_md17_loader_errors_on_malformed_files(tmp_path, content, match):
    f = tmp_path / "bad.npz"
    np.savez(f, **content)
    with pytest.raises(DataError, match=match):
        load_md17(f, 0.5)


def test_loader_errors_on_missing_unreadable_and_mismatched_files(tmp_path):
    with pytest.raises(DataError, match="found none"):
        load_md17(tmp_path / "absent.npz", 0.5)
    (tmp_path / "junk.npz").write_text("not a zip")
    with pytest.raises(DataError, match="not a readable npz"):
        load_md17(tmp_path / "junk.npz", 0.5)
    R, V = _traj()
    np.savez(tmp_path / "pos.npz", R=R)
    np.savez(tmp_path / "vel.npz", V=V[:, :3])
    with pytest.raises(DataError, match="expected 4 atoms"):
        load_posvel(tmp_path / "pos.npz", tmp_path / "vel.npz", 0.5)
    np.savez(tmp_path / "vel2.npz", a=V, b=V)
    with pytest.raises(DataError, match="one array or a key"):
        load_posvel(tmp_path / "pos.npz", tmp_path / "vel2.npz", 0.5)
    with pytest.raises(DataError, match="time step"):
        load_md17(tmp_path / "pos.npz", None)


def test_finite_differences_are_exact_for_linear_motion():
    x = np.arange(10.0)[:, None] * 3.0
    np.testing.assert_allclose(finite_difference_velocities(x, 0.5), 6.0)
