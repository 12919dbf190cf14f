"""Free energies, timescales, transitions and alignment on processes whose answers are known."""

import numpy as np
import pytest

from mdrepro import analysis
from mdrepro.errors import DataError


def _ar1(n, tau, seed=0, n_traj=None):
    """AR(1) with autocorrelation exp(-k / tau) at lag k frames."""
    rng = np.random.default_rng(seed)
    phi = np.exp(-1.0 / tau)
    shape = (n,) if n_traj is None else (n_traj, n)
    e = rng.normal(size=shape) * np.sqrt(1 - phi**2)
    x = np.zeros(shape)
    x[..., 0] = rng.normal(size=shape[:-1])
    for t in range(1, n):
        x[..., t] = phi * x[..., t - 1] + e[..., t]
    return x


def test_acf_timescale_and_block_errors_on_ar1():
    x = _ar1(100_000, 8.0)
    lags = np.arange(25)
    assert analysis.acf_timescale(x, lags) == pytest.approx(8.0, rel=0.05)
    t, se, per = analysis.block_timescales(analysis.split_blocks(x, 5), lags)
    assert t == pytest.approx(8.0, rel=0.05) and len(per) == 5
    assert 0 < se < 0.5 and abs(t - 8.0) < 4 * se + 0.2
    # independent groups of trajectories (the LSS layout) give the same estimate
    many = _ar1(4000, 8.0, seed=1, n_traj=25)
    t2, se2, _ = analysis.block_timescales(analysis.split_blocks(many, 5), lags)
    assert t2 == pytest.approx(8.0, rel=0.05)
    with pytest.raises(DataError):
        analysis.split_blocks(np.zeros(7), 5)


def test_block_free_energy_of_gaussian_and_aligned_rmse():
    rng = np.random.default_rng(0)
    x = rng.normal(size=200_000)
    edges = np.linspace(-2, 2, 21)
    F, se = analysis.block_free_energy(analysis.split_blocks(x, 5), edges)
    c = 0.5 * (edges[1:] + edges[:-1])
    assert analysis.aligned_rmse(F, 0.5 * c**2) < 0.02
    assert np.nanmax(se) < 0.05
    assert analysis.aligned_rmse(F, F + 3.0) == pytest.approx(0.0, abs=1e-12)
    assert np.isnan(analysis.aligned_rmse([np.nan, 1.0], [0.0, np.nan]))
    e2 = np.linspace(-2, 2, 11)
    F2 = analysis.free_energy_2d(x[:50_000], x[50_000:100_000], e2, e2)
    assert np.nanmin(F2) == 0 and F2.shape == (10, 10)
    assert np.isnan(analysis.free_energy_2d([5.0], [5.0], e2, e2)).all()


def test_count_transitions_core_to_core():
    x = np.array([0, 0.5, 1, 1, 0.5, 0.9, 0, 0.2, 1])
    assert analysis.count_transitions(x, 0.1, 0.95) == 3


def test_msm_timescales_of_discretised_ar1():
    x = _ar1(200_000, 20.0, seed=2)
    ts = analysis.msm_timescales(x, np.linspace(-3, 3, 31), lag=10, k=1)
    assert ts[0] == pytest.approx(20.0, rel=0.15)


def _numpy_kabsch(X, ref):
    """An independent float64 Kabsch superposition (SVD), the reference of the mdtraj path."""
    R = ref - ref.mean(0)
    Xc = X - X.mean(1, keepdims=True)
    U, _, Vt = np.linalg.svd(np.einsum("nki,kj->nij", Xc, R))
    d = np.sign(np.linalg.det(np.einsum("nij,njk->nik", U, Vt)))
    D = np.ones((len(X), 3))
    D[:, 2] = d
    return np.einsum("nki,nij->nkj", Xc, np.einsum("nij,nj,njk->nik", U, D, Vt))


def test_kabsch_alignment_and_rmsd():
    from mdrepro.simulate import gomodel

    x = gomodel.native_nm()
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    q *= np.sign(np.linalg.det(q))
    moved = x @ q.T + 1.0
    np.testing.assert_allclose(analysis.rmsd_to(moved[None], x), 0, atol=1e-5)
    np.testing.assert_allclose(analysis.kabsch_align(moved[None], x)[0], x - x.mean(0), atol=1e-5)
    # noisy frames: mdtraj's superposition agrees with an independent SVD Kabsch
    frames = x[None] + 0.05 * rng.normal(size=(20, 20, 3))
    frames = np.einsum("nij,nkj->nki", np.linalg.qr(rng.normal(size=(20, 3, 3)))[0], frames)
    ref = _numpy_kabsch(frames, x)
    np.testing.assert_allclose(analysis.kabsch_align(frames, x), ref, atol=2e-5)
    rms = np.sqrt(((ref - (x - x.mean(0))) ** 2).sum(-1).mean(-1))
    np.testing.assert_allclose(analysis.rmsd_to(frames, x), rms, rtol=1e-4)
    with pytest.raises(DataError, match="reference"):
        analysis.rmsd_to(frames, x[:5])
