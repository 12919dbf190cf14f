"""mdrepro.analysis.timeseries against explicit loops and closed forms."""

import math

import numpy as np
import pytest
from scipy.signal import lfilter

import mdrepro.analysis._checks as checks
from mdrepro.analysis import (
    autocorrelation,
    decorrelation_time,
    fast_regions,
    lead_time_table,
    rmsd_eq1,
    rmsd_to_first,
    static_model_rmsd,
    static_model_rmsd_multi,
)


def _traj(T=40, N=7, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return (np.cumsum(rng.normal(scale=0.01, size=(T, N, 3)), axis=0) + 1.0).astype(dtype)


def _rmsd_loop(a, b):
    """Eq. 1 by explicit sums over atoms and components."""
    total = 0.0
    for i in range(len(a)):
        for k in range(3):
            total += (float(b[i][k]) - float(a[i][k])) ** 2
    return math.sqrt(total / (3 * len(a)))


# ------------------------------------------------------------------------------------ RMSD
def test_rmsd_eq1_matches_loop_and_is_standard_rmsd_over_sqrt3():
    X = _traj(T=2, N=5)
    got = rmsd_eq1(X[0], X[1])
    assert got.shape == ()
    assert got == pytest.approx(_rmsd_loop(X[0], X[1]), rel=1e-12)
    per_atom = np.sqrt(np.mean(np.sum((X[0] - X[1]) ** 2, axis=1)))
    assert got == pytest.approx(per_atom / np.sqrt(3), rel=1e-12)


def test_rmsd_eq1_does_not_superpose_and_broadcasts():
    X = _traj(T=5, N=4)
    shifted = X[0] + np.array([0.3, 0.0, 0.4])  # a rigid shift of 0.5 nm
    assert rmsd_eq1(X[0], shifted) == pytest.approx(0.5 / np.sqrt(3), rel=1e-12)
    got = rmsd_eq1(X, X[0])
    assert got.shape == (5,)
    np.testing.assert_allclose(got, [_rmsd_loop(X[0], x) for x in X], rtol=1e-12)


@pytest.mark.parametrize(
    ("a", "b", "match"),
    [
        (np.zeros((4, 2)), np.zeros((4, 3)), r"shape \(\.\.\., N, 3\)"),
        (np.zeros((4, 3)), np.zeros((5, 3)), "same number of particles"),
        (np.zeros((2, 4, 3)), np.zeros((3, 4, 3)), "broadcast"),
        (np.full((4, 3), np.nan), np.zeros((4, 3)), "finite"),
        (np.array([["a"] * 3] * 2), np.zeros((2, 3)), "real numbers"),
    ],
)
def test_rmsd_eq1_errors(a, b, match):
    with pytest.raises(ValueError, match=match):
        rmsd_eq1(a, b)


def test_rmsd_to_first_matches_loop_float32():
    X = _traj(T=12, N=6, dtype=np.float32)
    got = rmsd_to_first(X)
    assert got.dtype == np.float64 and got.shape == (12,)
    assert got[0] == 0.0
    np.testing.assert_allclose(got, [_rmsd_loop(X[0], x) for x in X], rtol=1e-12)


@pytest.mark.parametrize(
    "X", [np.zeros((5, 4)), np.zeros((5, 4, 2)), np.zeros((0, 4, 3)), np.zeros((5, 0, 3))]
)
def test_rmsd_to_first_rejects_bad_shapes(X):
    with pytest.raises(ValueError, match="expected"):
        rmsd_to_first(X)


def test_rmsd_to_first_rejects_nan():
    X = _traj(T=5, N=3)
    X[2, 1, 0] = np.nan
    with pytest.raises(ValueError, match="found 1 NaN or infinite"):
        rmsd_to_first(X)


# ---------------------------------------------------------------------------- static model
@pytest.mark.parametrize("lead", [1, 3, 39])
def test_static_model_matches_loop(lead):
    X = _traj(T=40, N=5)
    got = static_model_rmsd(X, lead)
    ref = [_rmsd_loop(X[t], X[t + lead]) for t in range(40 - lead)]
    assert got.shape == (40 - lead,)
    np.testing.assert_allclose(got, ref, rtol=1e-12)


def test_static_model_blocks_give_same_result(monkeypatch):
    X = _traj(T=50, N=6, dtype=np.float32)
    whole = static_model_rmsd(X, 4)
    monkeypatch.setattr(checks, "BLOCK_ELEMENTS", 40)  # two frames per block
    np.testing.assert_array_equal(static_model_rmsd(X, 4), whole)
    np.testing.assert_array_equal(rmsd_to_first(X), rmsd_eq1(X, X[0]))


def test_static_model_too_few_frames_message():
    X = np.zeros((500, 2, 3))
    with pytest.raises(ValueError, match="lead=600 frames needs at least 601 frames, found 500"):
        static_model_rmsd(X, 600)


@pytest.mark.parametrize(("lead", "match"), [(0, "lead"), (1.5, "integer"), (True, "integer")])
def test_static_model_bad_lead(lead, match):
    with pytest.raises(ValueError, match=match):
        static_model_rmsd(_traj(T=10, N=2), lead)


def test_static_model_integral_float_lead_is_accepted():
    X = _traj(T=10, N=2)
    np.testing.assert_array_equal(static_model_rmsd(X, 2.0), static_model_rmsd(X, 2))


def test_static_model_multi_never_crosses_copies():
    copies = [_traj(T=T, N=4, seed=s) for s, T in enumerate((20, 13, 9))]
    lead = 5
    got = static_model_rmsd_multi(copies, lead)
    ref = [_rmsd_loop(X[t], X[t + lead]) for X in copies for t in range(len(X) - lead)]
    assert got.shape == (15 + 8 + 4,)
    np.testing.assert_allclose(got, ref, rtol=1e-12)
    stacked = np.stack([copies[0][:9], copies[1][:9]])  # (K, T, N, 3)
    assert static_model_rmsd_multi(stacked, lead).shape == (2 * 4,)
    np.testing.assert_array_equal(
        static_model_rmsd_multi(copies[0], lead), static_model_rmsd(copies[0], lead)
    )


@pytest.mark.parametrize(
    ("trajs", "match"),
    [
        ([], "at least one trajectory"),
        ([np.zeros((10, 4, 3)), np.zeros((10, 5, 3))], "same number of particles"),
        (
            [np.zeros((10, 4, 3)), np.zeros((3, 4, 3))],
            "needs at least 6 frames, found 3 in copy 1",
        ),
        (np.zeros((10, 3)), r"list of \(T, N, 3\) arrays"),
    ],
)
def test_static_model_multi_errors(trajs, match):
    with pytest.raises(ValueError, match=match):
        static_model_rmsd_multi(trajs, 5)


def test_lead_time_table():
    copies = [_traj(T=30, N=3, seed=1), _traj(T=25, N=3, seed=2)]
    table = lead_time_table(copies, [1, 5, 20], dt=10.0)
    assert list(table) == [10.0, 50.0, 200.0]
    for lead in (1, 5, 20):
        np.testing.assert_array_equal(table[10 * lead], static_model_rmsd_multi(copies, lead))
    assert list(lead_time_table(copies, np.array([2]), dt=2.5)) == [5.0]


@pytest.mark.parametrize(
    ("leads", "dt", "match"),
    [([], 10.0, "at least one lead"), ([1, 1], 10.0, "distinct"), ([1], 0.0, "dt > 0")],
)
def test_lead_time_table_errors(leads, dt, match):
    with pytest.raises(ValueError, match=match):
        lead_time_table([_traj(T=10, N=2)], leads, dt)


# ---------------------------------------------------------------------------- fast regions
def _fast_regions_loop(v, dt, window, q):
    T = len(v)
    rate = []
    for t in range(T):
        if t == 0:
            r = (v[1] - v[0]) / dt
        elif t == T - 1:
            r = (v[T - 1] - v[T - 2]) / dt
        else:
            r = (v[t + 1] - v[t - 1]) / (2 * dt)
        rate.append(abs(r))
    smooth = []
    for t in range(T):
        lo = t - window // 2
        vals = [rate[min(max(s, 0), T - 1)] for s in range(lo, lo + window)]
        smooth.append(sum(vals) / window)
    thr = np.quantile(smooth, q)
    out, start = [], None
    for t in range(T):
        if smooth[t] > thr and start is None:
            start = t
        if start is not None and (smooth[t] <= thr or t == T - 1):
            end = t if smooth[t] > thr else t - 1
            out.append([start * dt, end * dt])
            start = None
    return np.array(out).reshape(-1, 2)


@pytest.mark.parametrize("window", [1, 4, 7])
def test_fast_regions_matches_loop(window):
    v = np.cumsum(np.random.default_rng(3).normal(size=120))
    got = fast_regions(v, dt=10.0, window=window, quantile=0.8)
    np.testing.assert_allclose(got, _fast_regions_loop(v, 10.0, window, 0.8), rtol=1e-12)


def test_fast_regions_finds_a_ramp():
    T, dt = 1000, 10.0
    t = np.arange(T)
    v = 0.001 * t + np.clip(t - 400, 0, 100) * 0.05  # steep between frames 400 and 500
    v += np.random.default_rng(0).normal(scale=1e-4, size=T)
    regions = fast_regions(v, dt=dt, window=11, quantile=0.9)
    assert regions.shape == (1, 2)
    start, end = regions[0] / dt
    assert 390 <= start <= 410 and 490 <= end <= 510


def test_fast_regions_constant_series_has_none():
    assert fast_regions(np.ones(50), dt=1.0, window=5).shape == (0, 2)


@pytest.mark.parametrize(
    ("values", "kw", "match"),
    [
        (np.zeros((5, 2)), {}, "1-D series"),
        (np.zeros(1), {}, "at least 2 points"),
        (np.zeros(10), {"window": 11}, "window <= 10"),
        (np.zeros(10), {"quantile": 1.0}, "quantile"),
        (np.zeros(10), {"dt": -1.0}, "dt > 0"),
        (np.array([0.0, np.nan, 1.0]), {}, "finite"),
    ],
)
def test_fast_regions_errors(values, kw, match):
    args = {"dt": 1.0, "window": 3} | kw
    with pytest.raises(ValueError, match=match):
        fast_regions(values, **args)


# ------------------------------------------------------------------------- autocorrelation
def _acf_loop(x, max_lag, adjusted=False):
    d = x - x.mean()
    c0 = np.sum(d * d) / len(x)
    out = []
    for k in range(max_lag + 1):
        ck = np.sum(d[: len(x) - k] * d[k:]) / ((len(x) - k) if adjusted else len(x))
        out.append(ck / c0)
    return np.array(out)


@pytest.mark.parametrize("adjusted", [False, True])
def test_autocorrelation_matches_loop(adjusted):
    x = np.cumsum(np.random.default_rng(5).normal(size=301))
    got = autocorrelation(x, max_lag=150, adjusted=adjusted)
    assert got.shape == (151,) and got[0] == pytest.approx(1.0)
    np.testing.assert_allclose(got, _acf_loop(x, 150, adjusted), rtol=1e-9, atol=1e-12)
    full = autocorrelation(x)
    assert full.shape == (301,)
    np.testing.assert_allclose(full, _acf_loop(x, 300), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(
    ("x", "max_lag", "match"),
    [
        (np.ones(10), None, "constant"),
        (np.arange(10.0), 10, "max_lag <= 9"),
        (np.arange(10.0), -1, "max_lag"),
        (np.arange(10.0).reshape(5, 2), None, "1-D"),
        (np.array([1.0, np.inf, 2.0]), None, "finite"),
    ],
)
def test_autocorrelation_errors(x, max_lag, match):
    with pytest.raises(ValueError, match=match):
        autocorrelation(x, max_lag=max_lag)


def test_decorrelation_time_of_an_exponential():
    dt, tau = 2.0, 150.0  # fs
    acf = np.exp(-np.arange(1000) * dt / tau)
    # linear interpolation of a convex curve: error ~ (dt/tau)^2, here < 1e-4 relative
    assert decorrelation_time(acf, dt) == pytest.approx(tau, rel=1e-4)
    assert decorrelation_time(acf, dt, threshold=0.5) == pytest.approx(tau * np.log(2), rel=1e-4)


def test_decorrelation_time_interpolates_linearly():
    acf = np.array([1.0, 0.5, 0.0, -0.5])
    assert decorrelation_time(acf, dt=10.0, threshold=0.25) == pytest.approx(15.0)


def test_decorrelation_time_of_an_ar1_series():
    """x_t = phi x_{t-1} + e_t has C(k) = phi^k, so tau = -dt / ln(phi)."""
    n, tau_frames, dt = 50_000, 20.0, 10.0
    phi = np.exp(-1.0 / tau_frames)
    noise = np.random.default_rng(11).normal(size=n + 1000)
    x = lfilter([1.0], [1.0, -phi], noise)[1000:]  # drop the start-up transient
    acf = autocorrelation(x, max_lag=200)
    tau = decorrelation_time(acf, dt)
    # Bartlett's variance of the sample ACF of an AR(1) at lag k, divided by the slope of
    # phi^k there, gives the standard error of the crossing lag (~0.8 frames here).
    k = tau_frames
    var_r = ((1 + phi**2) * (1 - phi ** (2 * k)) / (1 - phi**2) - 2 * k * phi ** (2 * k)) / n
    se_frames = np.sqrt(var_r) / (-np.log(phi) * phi**k)
    assert abs(tau / dt - tau_frames) < 4 * se_frames
    assert 4 * se_frames < 0.25 * tau_frames  # the test is informative


def test_decorrelation_time_never_crossing_is_inf():
    assert decorrelation_time(np.linspace(1.0, 0.5, 20), dt=1.0) == np.inf


@pytest.mark.parametrize(
    ("acf", "dt", "match"),
    [
        (np.array([0.2, 0.1]), 1.0, "above the threshold"),
        (np.array([1.0, 0.1]), 0.0, "dt > 0"),
        (np.array([]), 1.0, "at least 1"),
        (np.array([1.0, np.nan]), 1.0, "finite"),
    ],
)
def test_decorrelation_time_errors(acf, dt, match):
    with pytest.raises(ValueError, match=match):
        decorrelation_time(acf, dt)
