"""Radius of gyration and end-to-end distance against mdtraj and explicit loops."""

import math

import numpy as np
import pytest

from mdrepro.analysis import end_to_end_distance, radius_of_gyration


def _traj(T=6, N=5, seed=0):
    return np.random.default_rng(seed).normal(size=(T, N, 3)).astype(np.float32)


def _rg_loop(frame, masses):
    total = sum(masses)
    centre = [
        sum(m * float(r[k]) for m, r in zip(masses, frame, strict=True)) / total for k in range(3)
    ]
    s = sum(
        m * sum((float(r[k]) - centre[k]) ** 2 for k in range(3))
        for m, r in zip(masses, frame, strict=True)
    )
    return math.sqrt(s / total)


def test_rg_unweighted_matches_mdtraj_or_loop():
    X = _traj()
    got = radius_of_gyration(X)
    assert got.shape == (6,) and got.dtype == np.float64
    try:
        import mdtraj
    except ImportError:
        ref = [_rg_loop(f, [1.0] * 5) for f in X]
    else:
        top = mdtraj.Topology()
        res = top.add_residue("ALA", top.add_chain())
        for _ in range(5):
            top.add_atom("CA", mdtraj.element.carbon, res)
        ref = mdtraj.compute_rg(mdtraj.Trajectory(X, top))
    np.testing.assert_allclose(got, ref, rtol=1e-5)  # mdtraj works in float32
    np.testing.assert_allclose(got, [_rg_loop(f, [1.0] * 5) for f in X], rtol=1e-12)


def test_rg_weighted_matches_loop():
    X = _traj(seed=1)
    m = np.array([12.0, 14.0, 16.0, 1.0, 32.0])
    np.testing.assert_allclose(
        radius_of_gyration(X, masses=m), [_rg_loop(f, m) for f in X], rtol=1e-12
    )


@pytest.mark.parametrize(
    ("masses", "match"),
    [
        (np.ones(4), r"masses of shape \(5,\)"),
        (np.array([1.0, -1.0, 1.0, 1.0, 1.0]), "non-negative"),
        (np.zeros(5), "positive sum"),
        (np.array([1.0, np.nan, 1.0, 1.0, 1.0]), "finite"),
    ],
)
def test_rg_mass_errors(masses, match):
    with pytest.raises(ValueError, match=match):
        radius_of_gyration(_traj(), masses=masses)


def test_rg_rejects_bad_coordinates():
    X = _traj()
    X[0, 0, 0] = np.inf
    with pytest.raises(ValueError, match="finite"):
        radius_of_gyration(X)
    with pytest.raises(ValueError, match=r"shape \(T, N, 3\)"):
        radius_of_gyration(np.zeros((4, 3)))


def test_end_to_end_matches_loop():
    X = _traj(seed=2)
    np.testing.assert_allclose(
        end_to_end_distance(X), [math.dist(f[0], f[-1]) for f in X], rtol=1e-6
    )
    np.testing.assert_allclose(
        end_to_end_distance(X, 1, 3), [math.dist(f[1], f[3]) for f in X], rtol=1e-6
    )


@pytest.mark.parametrize(
    ("i", "j", "match"),
    [(0, 5, r"j in \[-5, 4\]"), (0, -5, "different particles"), (0.0, 1, "integer")],
)
def test_end_to_end_errors(i, j, match):
    with pytest.raises(ValueError, match=match):
        end_to_end_distance(_traj(), i, j)
