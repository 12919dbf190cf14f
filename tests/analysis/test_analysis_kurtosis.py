"""Excess kurtosis against scipy, and the number of kurtosis classes on known mixtures."""

import numpy as np
import pytest
from scipy.stats import kurtosis as scipy_kurtosis

from mdrepro.analysis import KurtosisClasses, excess_kurtosis, kurtosis_classes


def test_excess_kurtosis_matches_scipy(monkeypatch):
    rng = np.random.default_rng(0)
    X = np.concatenate(
        [
            rng.normal(size=(400, 3, 3)),
            rng.uniform(size=(400, 2, 3)),
            rng.laplace(size=(400, 2, 3)),
        ],
        axis=1,
    ).astype(np.float32)
    got = excess_kurtosis(X)
    ref = scipy_kurtosis(X.astype(np.float64), axis=0, fisher=True, bias=True)
    assert got.shape == (7, 3)
    np.testing.assert_allclose(got, ref, rtol=1e-10)
    assert np.all(np.abs(got[:3]) < 0.6)  # Gaussian: 0 +- ~sqrt(24/400)
    assert np.all(np.abs(got[3:5] + 1.2) < 0.3)  # uniform: -1.2
    assert np.all(got[5:] > 1.5)  # Laplace: +3
    import mdrepro.analysis._checks as checks

    monkeypatch.setattr(checks, "BLOCK_ELEMENTS", 2000)  # one particle per block
    np.testing.assert_allclose(excess_kurtosis(X), got, rtol=1e-12)


@pytest.mark.parametrize("value", [0.0, 0.7, 123.456])
def test_excess_kurtosis_constant_coordinate_is_nan(value):
    X = np.random.default_rng(1).normal(size=(50, 2, 3))
    X[:, 1, 2] = value  # 50 * 0.7 is inexact: the mean carries round-off
    got = excess_kurtosis(X)
    assert np.isnan(got[1, 2]) and np.isfinite(np.delete(got.ravel(), 5)).all()


@pytest.mark.parametrize(
    ("X", "match"),
    [(np.zeros((1, 4, 3)), "at least 2 frames"), (np.zeros((10, 4)), r"shape \(T, N, 3\)")],
)
def test_excess_kurtosis_errors(X, match):
    with pytest.raises(ValueError, match=match):
        excess_kurtosis(X)


def test_excess_kurtosis_rejects_nan():
    X = np.zeros((10, 2, 3))
    X[3, 0, 0] = np.nan
    with pytest.raises(ValueError, match="finite"):
        excess_kurtosis(X)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_single_gaussian_cloud_is_one_class(seed):
    k = np.random.default_rng(seed).normal(0.0, 0.1, size=(214, 3))
    res = kurtosis_classes(k, seed=seed)
    assert isinstance(res, KurtosisClasses)
    assert res.n_classes == 1
    assert res.labels.shape == (214,) and set(res.labels) == {0}
    assert res.means.shape == (1, 3)
    np.testing.assert_allclose(res.means[0], k.mean(axis=0), atol=1e-12)
    assert sorted(res.bic) == [1, 2, 3, 4]


def test_bimodal_set_is_two_classes_with_right_labels():
    rng = np.random.default_rng(3)
    k = np.concatenate([rng.normal(2.0, 0.3, (60, 3)), rng.normal(0.0, 0.1, (154, 3))])
    res = kurtosis_classes(k)
    assert res.n_classes == 2
    # class 0 is the lower-kurtosis (more Gaussian-like) one
    np.testing.assert_array_equal(res.labels, np.r_[np.ones(60), np.zeros(154)])
    np.testing.assert_allclose(res.means, [k[60:].mean(0), k[:60].mean(0)], atol=1e-6)
    np.testing.assert_allclose(res.weights, [154 / 214, 60 / 214], atol=1e-6)
    assert res.bic[2] < res.bic[1]
    again = kurtosis_classes(k)
    np.testing.assert_array_equal(again.labels, res.labels)
    assert again.bic == res.bic


def test_one_dimensional_input():
    rng = np.random.default_rng(4)
    assert kurtosis_classes(rng.normal(size=214)).n_classes == 1
    two = np.r_[rng.normal(0, 0.2, 100), rng.normal(3, 0.5, 114)]
    res = kurtosis_classes(two, max_classes=3)
    assert res.n_classes == 2 and res.means.shape == (2, 1)


def test_heavy_tails_alone_are_not_classes():
    # a scale mixture (same mean, different widths) lowers the BIC but is not separated
    rng = np.random.default_rng(5)
    k = np.r_[rng.normal(0, 0.1, (170, 3)), rng.normal(0, 1.0, (44, 3))]
    res = kurtosis_classes(k)
    assert res.n_classes == 1
    assert res.separation[1] == np.inf


@pytest.mark.parametrize(
    ("k", "kw", "match"),
    [
        (np.zeros((10, 2)), {}, r"shape \(N,\) or \(N, 3\)"),
        (np.zeros((7, 3)), {}, "max_classes=4 needs at least 8 particles, found 7"),
        (np.r_[np.zeros(9), np.nan], {}, "1 particles with NaN"),
        (np.zeros(10), {"max_classes": 0}, "max_classes >= 1"),
    ],
)
def test_kurtosis_classes_errors(k, kw, match):
    with pytest.raises(ValueError, match=match):
        kurtosis_classes(k, **kw)
