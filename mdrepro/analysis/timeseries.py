"""Time-series characterisation of MD trajectories (Gupta, Cava et al. 2020, Sects. 3-5).

Conventions
-----------
A trajectory ``X`` is an array of shape ``(T, N, 3)``: ``T`` frames, ``N`` particles (C-alpha
atoms), Cartesian coordinates in **nm**; frames are ``dt`` apart (fs unless stated). Results are
float64 in the units of the input (nm, and the units of ``dt``); plots convert nm to Angstrom.

Every function checks its input and raises :class:`mdrepro.errors.DataError`, a
:class:`ValueError`, with one sentence saying what was expected and what was found.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from scipy.ndimage import uniform_filter1d

from mdrepro.analysis._checks import (
    as_frames,
    as_int,
    as_positive,
    as_real_array,
    as_series,
    block_rows,
    check_finite,
    check_lead,
)
from mdrepro.errors import DataError

__all__ = [
    "rmsd_eq1",
    "rmsd_to_first",
    "static_model_rmsd",
    "static_model_rmsd_multi",
    "lead_time_table",
    "fast_regions",
    "autocorrelation",
    "decorrelation_time",
]


# --------------------------------------------------------------------------------------------
# RMSD (Eq. 1) and the static model
# --------------------------------------------------------------------------------------------
def _rmsd_rows(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Eq. 1 RMSD of ``A[t]`` to ``B[t]`` (or to ``B`` if it is one frame), in blocks.

    The float64 difference is formed a block of frames at a time, so float32 trajectories of
    millions of frames do not need a float64 copy.
    """
    n_frames, n_atoms = A.shape[0], A.shape[1]
    out = np.empty(n_frames, dtype=np.float64)
    step = block_rows(3 * n_atoms)
    for s in range(0, n_frames, step):
        e = min(s + step, n_frames)
        ref = B if B.ndim == 2 else B[s:e]
        d = np.subtract(A[s:e], ref, dtype=np.float64)
        out[s:e] = np.einsum("tij,tij->t", d, d)
    return np.sqrt(out / (3.0 * n_atoms))


def rmsd_eq1(a, b) -> np.ndarray:
    """Root mean square deviation exactly as Eq. 1 of Gupta, Cava et al. (2020).

    .. math::

        \\mathrm{RMSD}(A, B) = \\sqrt{\\frac{1}{3N} \\sum_{i=1}^{N}
        (x^B_i - x^A_i)^2 + (y^B_i - y^A_i)^2 + (z^B_i - z^A_i)^2}

    The mean runs over the ``3N`` Cartesian components, **not** over the ``N`` atoms, and the
    structures are compared as they are, **without superposition**. The value is therefore the
    usual per-atom RMSD divided by :math:`\\sqrt{3}`, and it differs from :func:`mdtraj.rmsd`,
    which first superposes the structures (optimal rotation and translation) and divides by
    ``N``.

    Parameters
    ----------
    a, b : array_like, shape (..., N, 3)
        Coordinates in nm. Leading dimensions broadcast against each other (one reference
        frame ``(N, 3)`` against a trajectory ``(T, N, 3)``, say); ``N`` must be equal.

    Returns
    -------
    numpy.ndarray, shape (...)
        RMSD in nm (float64); a 0-d array for two single frames.

    Raises
    ------
    ValueError
        If a shape is not ``(..., N, 3)``, the ``N`` differ, the leading dimensions do not
        broadcast, or a value is NaN or infinite.
    """
    a = as_real_array(a, "a")
    b = as_real_array(b, "b")
    for name, arr in (("a", a), ("b", b)):
        if arr.ndim < 2 or arr.shape[-1] != 3 or arr.shape[-2] < 1:
            raise DataError(f"expected {name} with shape (..., N, 3), found shape {arr.shape}")
    if a.shape[-2] != b.shape[-2]:
        raise DataError(
            f"expected a and b with the same number of particles, found {a.shape[-2]} and "
            f"{b.shape[-2]}"
        )
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise DataError(
            f"expected shapes of a and b that broadcast, found {a.shape} and {b.shape}"
        ) from None
    check_finite(a, "a")
    check_finite(b, "b")
    d = np.subtract(a, b, dtype=np.float64)
    return np.sqrt(np.einsum("...ij,...ij->...", d, d) / (3.0 * a.shape[-2]))


def rmsd_to_first(X) -> np.ndarray:
    """Eq. 1 RMSD of every frame to the first frame (Figs. 2A and 4C of the paper).

    Parameters
    ----------
    X : array_like, shape (T, N, 3)
        Trajectory, nm.

    Returns
    -------
    numpy.ndarray, shape (T,)
        RMSD (nm) of frame ``t`` to frame 0, without superposition; the first value is 0.

    Raises
    ------
    ValueError
        If ``X`` is not ``(T, N, 3)`` with ``T >= 1`` or holds NaN or infinity.

    See Also
    --------
    rmsd_eq1 : the definition (3N in the denominator, no superposition).
    """
    X = as_frames(X, "X", min_frames=1)
    return _rmsd_rows(X, X[0])


def static_model_rmsd(X, lead) -> np.ndarray:
    """Errors of the paper's "static model" baseline at one lead time.

    The static model forecasts that nothing moves, :math:`\\hat x(t + \\ell) = x(t)`; its error
    at lead :math:`\\ell` is the Eq. 1 RMSD between the frames ``t + lead`` and ``t`` for every
    ``t`` that has a frame ``lead`` later (Sect. 5.1, Figs. 3 and 5).

    Parameters
    ----------
    X : array_like, shape (T, N, 3)
        One trajectory, nm.
    lead : int
        Lead time in frames, ``>= 1`` (the lead in fs is ``lead * dt``).

    Returns
    -------
    numpy.ndarray, shape (T - lead,)
        ``rmsd_eq1(X[t + lead], X[t])`` for ``t = 0 .. T - lead - 1``, nm.

    Raises
    ------
    ValueError
        If ``lead`` is not an integer ``>= 1``, ``X`` has fewer than ``lead + 1`` frames, or
        ``X`` is malformed (shape, NaN).
    """
    X = as_frames(X, "X")
    lead = check_lead(lead, X.shape[0], "X")
    return _rmsd_rows(X[lead:], X[:-lead])


def static_model_rmsd_multi(trajs: Sequence | np.ndarray, lead) -> np.ndarray:
    """Static-model errors of several independent copies, pooled.

    Each copy is windowed on its own and the per-copy errors are concatenated in the order of
    the copies; no window ever spans the end of one copy and the start of the next.

    Parameters
    ----------
    trajs : sequence of array_like, each of shape (T_k, N, 3)
        Independent copies (same ``N``; the ``T_k`` may differ), nm. A single ``(T, N, 3)``
        array counts as one copy and a ``(K, T, N, 3)`` array as ``K`` copies.
    lead : int
        Lead time in frames, ``>= 1``.

    Returns
    -------
    numpy.ndarray, shape (sum_k (T_k - lead),)
        The pooled errors, nm.

    Raises
    ------
    ValueError
        If there is no copy, a copy is malformed or has fewer than ``lead + 1`` frames, or the
        copies have different numbers of particles.
    """
    copies = _as_copies(trajs)
    lead = as_int(lead, "lead (frames)", minimum=1)
    out = [_static_checked(X, lead, f"copy {k}") for k, X in enumerate(copies)]
    return np.concatenate(out)


def _static_checked(X: np.ndarray, lead: int, name: str) -> np.ndarray:
    """:func:`static_model_rmsd` of an already checked ``(T, N, 3)`` array."""
    lead = check_lead(lead, X.shape[0], name)
    return _rmsd_rows(X[lead:], X[:-lead])


def _as_copies(trajs) -> list[np.ndarray]:
    """Check a collection of independent trajectories with a common number of particles."""
    if isinstance(trajs, np.ndarray):
        if trajs.ndim == 3:
            trajs = [trajs]
        elif trajs.ndim != 4:
            raise DataError(
                f"expected a list of (T, N, 3) arrays or one (K, T, N, 3) array, found an "
                f"array of shape {trajs.shape}"
            )
    copies = [as_frames(X, f"copy {k}") for k, X in enumerate(trajs)]
    if not copies:
        raise DataError("expected at least one trajectory, found none")
    n_atoms = {X.shape[1] for X in copies}
    if len(n_atoms) > 1:
        raise DataError(
            f"expected copies with the same number of particles, found {sorted(n_atoms)}"
        )
    return copies


def lead_time_table(trajs, leads_frames: Iterable, dt) -> dict[float, np.ndarray]:
    """Static-model errors for several lead times (the data of Figs. 3 and 5).

    Parameters
    ----------
    trajs : sequence of array_like, each (T_k, N, 3), or one (T, N, 3) array
        Independent copies, nm (see :func:`static_model_rmsd_multi`).
    leads_frames : iterable of int
        Lead times in frames, each ``>= 1``, no repeats.
    dt : float
        Time between frames, fs.

    Returns
    -------
    dict of float to numpy.ndarray
        ``{lead * dt: errors}`` in the order of ``leads_frames``; keys are lead times in fs
        (floats, so ``table[10]`` and ``table[10.0]`` both work), values the pooled 1-D
        static-model RMSDs in nm.

    Raises
    ------
    ValueError
        If no lead is given, a lead repeats or is not an integer ``>= 1``, ``dt`` is not
        positive, or a copy is too short for the longest lead.
    """
    copies = _as_copies(trajs)
    dt = as_positive(dt, "dt")
    raw = [leads_frames] if np.isscalar(leads_frames) else list(leads_frames)
    leads = [as_int(v, "lead (frames)", minimum=1) for v in raw]
    if not leads:
        raise DataError("expected at least one lead time, found none")
    if len(set(leads)) != len(leads):
        raise DataError(f"expected distinct lead times, found {leads}")
    table = {}
    for lead in leads:
        errs = [_static_checked(X, lead, f"copy {k}") for k, X in enumerate(copies)]
        table[lead * dt] = np.concatenate(errs)
    return table


# --------------------------------------------------------------------------------------------
# Regions of fast evolution
# --------------------------------------------------------------------------------------------
def fast_regions(values, dt, window, quantile: float = 0.9) -> np.ndarray:
    """Intervals in which a time series evolves fast (the blue bands of Figs. 2A and 4C).

    The paper highlights "regions of fast evolution" without defining them. Our operational
    definition:

    1. rate :math:`r_t = |\\mathrm{d}v/\\mathrm{d}t|`, by central differences
       (:func:`numpy.gradient`; one-sided at the two ends);
    2. smoothed rate :math:`\\bar r_t`, the moving average of ``r`` over ``window`` frames
       centred on ``t`` (edges padded with the end values; for an even ``window`` the window
       spans ``t - window//2 .. t + window//2 - 1``);
    3. frame ``t`` is *fast* if :math:`\\bar r_t` is strictly above the ``quantile`` quantile
       of :math:`\\bar r` over the whole series;
    4. runs of consecutive fast frames form the regions.

    The definition is relative: about ``1 - quantile`` of the frames are flagged whatever the
    absolute speed, and a series whose smoothed rate is constant has no region.

    Parameters
    ----------
    values : array_like, shape (T,)
        The series, e.g. :func:`rmsd_to_first` (any units).
    dt : float
        Time between points (e.g. fs); the regions are returned in these units.
    window : int
        Smoothing window in frames, ``1 <= window <= T`` (1: no smoothing).
    quantile : float, optional
        Quantile of the smoothed rate above which a frame is fast, ``0 < quantile < 1``.

    Returns
    -------
    numpy.ndarray, shape (M, 2)
        ``[start, end]`` of each region, the times ``index * dt`` of its first and last fast
        frames (equal for a one-frame region), in increasing order; ``(0, 2)`` if none.

    Raises
    ------
    ValueError
        If ``values`` is not a finite 1-D series of at least 2 points, or ``dt``, ``window`` or
        ``quantile`` is out of range.
    """
    v = as_series(values, "values", min_length=2)
    dt = as_positive(dt, "dt")
    window = as_int(window, "window (frames)", minimum=1)
    if window > v.shape[0]:
        raise DataError(f"expected window <= {v.shape[0]} frames (the series), found {window}")
    if not 0.0 < float(quantile) < 1.0:
        raise DataError(f"expected 0 < quantile < 1, found {quantile}")
    rate = np.abs(np.gradient(v.astype(np.float64), dt))
    smooth = uniform_filter1d(rate, size=window, mode="nearest")
    fast = smooth > np.quantile(smooth, float(quantile))
    edges = np.diff(np.concatenate(([0], fast.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1
    return np.column_stack((starts, ends)).astype(np.float64) * dt


# --------------------------------------------------------------------------------------------
# Autocorrelation and decorrelation time
# --------------------------------------------------------------------------------------------
def autocorrelation(x, max_lag=None, adjusted: bool = False) -> np.ndarray:
    """Normalised autocorrelation function of a 1-D series (Figs. 4D, 4E).

    With :math:`\\delta x_t = x_t - \\bar x` over the ``T`` points,

    .. math::

        C(k) = \\frac{\\frac{1}{T}\\sum_{t=0}^{T-1-k} \\delta x_t\\, \\delta x_{t+k}}
                    {\\frac{1}{T}\\sum_{t=0}^{T-1} \\delta x_t^2},
        \\qquad C(0) = 1.

    This is the standard ("biased") estimator, which damps long lags by ``(T - k) / T`` and is
    positive semi-definite; with ``adjusted=True`` the lag-``k`` sum is divided by ``T - k``
    instead of ``T`` (unbiased for a known mean, noisy at long lags). Computed by
    :func:`statsmodels.tsa.stattools.acf` (FFT, zero-padded: no circular wrap-around).

    Parameters
    ----------
    x : array_like, shape (T,)
        The series, e.g. radius of gyration per frame.
    max_lag : int, optional
        Last lag in frames, ``0 <= max_lag <= T - 1``; default ``T - 1``.
    adjusted : bool, optional
        Divide by ``T - k`` rather than ``T`` (see above).

    Returns
    -------
    numpy.ndarray, shape (max_lag + 1,)
        ``C(0) .. C(max_lag)``; the lag of entry ``k`` is ``k * dt``.

    Raises
    ------
    ValueError
        If ``x`` is not a finite 1-D series of at least 2 points, is constant (``C`` is then
        undefined), or ``max_lag`` is out of range.
    """
    x = as_series(x, "x", min_length=2).astype(np.float64)
    n = x.shape[0]
    max_lag = n - 1 if max_lag is None else as_int(max_lag, "max_lag (frames)", minimum=0)
    if max_lag > n - 1:
        raise DataError(f"expected max_lag <= {n - 1} for {n} points, found {max_lag}")
    d = x - x.mean()
    var = np.dot(d, d)
    if not var > (np.finfo(np.float64).eps * max(1.0, float(np.abs(x).max()))) ** 2 * n:
        raise DataError("expected a series that varies, found a constant one")
    from statsmodels.tsa.stattools import acf

    return np.asarray(acf(x, adjusted=adjusted, nlags=max_lag, fft=True), dtype=np.float64)


def decorrelation_time(acf, dt, threshold: float = 1.0 / np.e) -> float:
    """Time at which an autocorrelation function first drops below a threshold.

    Let ``k`` be the first lag with ``acf[k] < threshold``. The crossing is interpolated
    linearly between lags ``k - 1`` and ``k``:

    .. math::

        \\tau = \\Delta t \\left(k - 1 + \\frac{C_{k-1} - c}{C_{k-1} - C_k}\\right).

    For :math:`C(t) = e^{-t/\\tau}` and the default :math:`c = 1/e` this recovers
    :math:`\\tau` (up to the interpolation error, second order in :math:`\\Delta t / \\tau`).

    Parameters
    ----------
    acf : array_like, shape (L,)
        Autocorrelation at lags ``0 .. L - 1`` (e.g. from :func:`autocorrelation`); ``acf[0]``
        must be above ``threshold``.
    dt : float
        Time between lags (e.g. fs); the result is in these units.
    threshold : float, optional
        Level :math:`c`, default :math:`1/e`.

    Returns
    -------
    float
        The decorrelation time, or ``numpy.inf`` if the ACF never drops below ``threshold``
        within the ``L`` lags given (compute more lags or use a longer series).

    Raises
    ------
    ValueError
        If ``acf`` is not a finite 1-D array of at least 1 value, ``dt`` is not positive, or
        ``acf[0] <= threshold``.
    """
    c = as_series(acf, "acf", min_length=1).astype(np.float64)
    dt = as_positive(dt, "dt")
    threshold = float(threshold)
    if not np.isfinite(threshold):
        raise DataError(f"expected a finite threshold, found {threshold}")
    if not c[0] > threshold:
        raise DataError(f"expected acf[0] above the threshold {threshold:.4g}, found {c[0]:.4g}")
    below = np.flatnonzero(c < threshold)
    if below.size == 0:
        return float(np.inf)
    k = int(below[0])
    frac = (c[k - 1] - threshold) / (c[k - 1] - c[k])
    return float((k - 1 + frac) * dt)
