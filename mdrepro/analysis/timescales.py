"""Relaxation times of slow coordinates: exponential fits of autocorrelations, block errors,
Markov-state-model implied timescales, and transition counts between two cores.
"""

from __future__ import annotations

import numpy as np

from mdrepro.analysis.timeseries import autocorrelation
from mdrepro.errors import DataError

__all__ = [
    "acf_timescale",
    "block_timescales",
    "count_transitions",
    "msm_timescales",
    "split_blocks",
]


def acf_timescale(series, lags) -> float:
    """Exponential fit ``exp(-t / t_i)`` of the normalised autocorrelation.

    Parameters
    ----------
    series : numpy.ndarray, shape (n,) or (n_traj, n)
        One trajectory or several (their autocorrelations, :func:`autocorrelation` with
        ``adjusted=True``, are averaged).
    lags : array_like of int
        Lags (in frames of ``series``) to fit over; the timescale comes out in these units.

    Returns
    -------
    float
        ``t_i`` by least squares in ``t`` on ``C(lag)`` (NaN if the fit fails).
    """
    from scipy.optimize import curve_fit

    s = np.atleast_2d(np.asarray(series, float))
    lags = np.asarray(lags, dtype=int)
    c = np.mean([autocorrelation(row, int(lags.max()), adjusted=True)[lags] for row in s], 0)
    guess = max(1.0, float(np.interp(np.exp(-1), c[::-1], lags[::-1])))
    try:
        (t,), _ = curve_fit(lambda t, tau: np.exp(-t / tau), lags, c, p0=[guess], maxfev=5000)
    except RuntimeError:
        return float("nan")
    return float(t)


def block_timescales(blocks, lags) -> tuple[float, float, np.ndarray]:
    """:func:`acf_timescale` on all data and on each of ``K`` blocks.

    Returns
    -------
    t : float
        From all blocks (autocorrelations averaged over them).
    se : float
        Standard error ``std(t_k, ddof=1) / sqrt(K)``.
    per_block : numpy.ndarray, shape (K,)
    """
    per = np.array([acf_timescale(b, lags) for b in blocks])
    t = acf_timescale(np.concatenate([np.atleast_2d(b) for b in blocks]), lags)
    return t, float(np.nanstd(per, ddof=1) / np.sqrt(np.isfinite(per).sum())), per


def split_blocks(x, k: int = 5) -> list[np.ndarray]:
    """``k`` contiguous blocks of equal length along the first axis (the rest dropped)."""
    x = np.asarray(x)
    n = len(x) // k
    if n < 2:
        raise DataError(f"expected at least {2 * k} items for {k} blocks, found {len(x)}")
    return [x[i * n : (i + 1) * n] for i in range(k)]


def count_transitions(x, lo: float, hi: float) -> int:
    """Core-to-core transitions of a 1-D series between ``x <= lo`` and ``x >= hi``.

    A transition is a visit to one core after the last visit to the other; excursions into
    the middle that return to the same core do not count.
    """
    state = np.where(np.asarray(x) <= lo, 0, np.where(np.asarray(x) >= hi, 1, -1))
    s = state[state >= 0]
    return int(np.count_nonzero(np.diff(s)))


def msm_timescales(x, edges, lag: int, k: int = 3) -> np.ndarray:
    """Implied timescales (in frames) of a maximum-likelihood reversible MSM on 1-D bins
    (deeptime).

    Parameters
    ----------
    x : numpy.ndarray, shape (n,) or list of such
        Trajectories.
    edges : numpy.ndarray
        Bin edges (values outside go to the end bins).
    lag : int
        Lag in frames.
    k : int
        Number of timescales.
    """
    from deeptime.markov import TransitionCountEstimator
    from deeptime.markov.msm import MaximumLikelihoodMSM

    xs = [x] if isinstance(x, np.ndarray) and x.ndim == 1 else list(x)
    n = len(edges) - 1
    dtrajs = [
        np.clip(np.digitize(np.asarray(t), edges) - 1, 0, n - 1).astype(np.int32) for t in xs
    ]
    counts = TransitionCountEstimator(lag, "sliding").fit_fetch(dtrajs).submodel_largest()
    msm = MaximumLikelihoodMSM(reversible=True).fit_fetch(counts)
    return np.asarray(msm.timescales(k), dtype=float)
