"""ARIMA baselines per coordinate (Fig. 8C of Gupta, Cava et al. 2020), fitted with statsmodels.

Each Cartesian coordinate of each particle is its own univariate series. An
``ARIMA(p, d, q)`` model (``d`` in {0, 1}) with a constant (``d = 0``) or a drift (``d = 1``) is
fitted **once per coordinate** on the training frames with
:class:`statsmodels.tsa.arima.model.ARIMA`; the fitted parameters then produce ``lead``-step
forecasts from every test origin ``t`` using only frames ``<= t``. The forecasts are computed
by the ARMA recursion vectorised over origins and coordinates (a loop over the ``lead`` steps
only), which gives the same numbers as statsmodels' own forecasts for pure AR models and,
for ``q > 0``, the same up to the start-up of the innovations (conditional residuals set to 0
before the first frame instead of the Kalman filter's exact start).

The model in terms of :math:`w_t` (``d = 0``: :math:`w_t = x_t - \\mu`; ``d = 1``:
:math:`w_t = \\Delta x_t - \\delta` with drift :math:`\\delta`):

.. math::

    w_t = \\sum_{i=1}^{p} \\phi_i w_{t-i} + \\varepsilon_t + \\sum_{j=1}^{q} \\theta_j
    \\varepsilon_{t-j}.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from mdrepro.analysis._checks import as_frames, as_int
from mdrepro.errors import DataError

__all__ = ["ArimaFit", "fit_arima", "forecast_arima", "arima_forecast_frames"]


@dataclass
class ArimaFit:
    """Fitted ARIMA parameters of ``C`` coordinates.

    Attributes
    ----------
    order : tuple of int
        ``(p, d, q)``.
    mean : numpy.ndarray, shape (C,)
        Constant :math:`\\mu` (``d = 0``) or drift :math:`\\delta` per frame (``d = 1``), in
        the units of the series (0 when fitted without trend).
    ar : numpy.ndarray, shape (C, p)
    ma : numpy.ndarray, shape (C, q)
    sigma2 : numpy.ndarray, shape (C,)
        Innovation variance.
    method : str
        statsmodels fitting method.
    n_fit : int
        Frames each model was fitted on.
    """

    order: tuple[int, int, int]
    mean: np.ndarray
    ar: np.ndarray
    ma: np.ndarray
    sigma2: np.ndarray
    method: str
    n_fit: int


def _default_method(order) -> str:
    return "burg" if order[2] == 0 else "hannan_rissanen"


def fit_arima(
    series,
    order=(2, 1, 0),
    trend: bool = True,
    method: str | None = None,
    max_fit_frames: int | None = None,
    progress: bool = False,
) -> ArimaFit:
    """Fit one ARIMA model per column with statsmodels.

    Parameters
    ----------
    series : array_like, shape (T, C)
        ``C`` univariate series (e.g. the 3 N coordinates of the training frames, nm).
    order : tuple of int
        ``(p, d, q)`` with ``d`` in {0, 1}.
    trend : bool
        Fit a constant (``d = 0``) or a drift (``d = 1``); pulled molecules drift.
    method : str, optional
        statsmodels' fitting method; default ``"burg"`` for pure AR (``q = 0``, fast and
        stable) and ``"hannan_rissanen"`` otherwise.
    max_fit_frames : int, optional
        Fit on the last ``max_fit_frames`` frames only (cheaper; the most recent dynamics).
    progress : bool
        tqdm bar over the columns.

    Returns
    -------
    ArimaFit
    """
    from statsmodels.tsa.arima.model import ARIMA
    from tqdm.auto import tqdm

    y = np.asarray(series, dtype=np.float64)
    if y.ndim != 2 or not np.isfinite(y).all():
        raise DataError(f"expected a finite (T, C) array of series, found shape {y.shape}")
    p, d, q = (as_int(v, "ARIMA order", minimum=0) for v in order)
    if d not in (0, 1):
        raise DataError(f"expected an ARIMA differencing order d of 0 or 1, found {d}")
    if max_fit_frames is not None:
        y = y[-as_int(max_fit_frames, "max_fit_frames", minimum=1) :]
    if y.shape[0] < p + q + d + 3:
        raise DataError(
            f"expected at least {p + q + d + 3} frames to fit ARIMA{(p, d, q)}, found {y.shape[0]}"
        )
    method = method or _default_method((p, d, q))
    tr = ("c" if d == 0 else "t") if trend else "n"
    n_c = y.shape[1]
    mean, ar, ma, s2 = np.zeros(n_c), np.zeros((n_c, p)), np.zeros((n_c, q)), np.zeros(n_c)
    for c in tqdm(range(n_c), desc="ARIMA fits", disable=not progress, leave=False):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter on near-constant series
            res = ARIMA(y[:, c], order=(p, d, q), trend=tr).fit(method=method)
        par = np.asarray(res.params, dtype=np.float64)
        k_trend = len(par) - p - q - 1
        mean[c] = par[0] if k_trend else 0.0
        ar[c] = par[k_trend : k_trend + p]
        ma[c] = par[k_trend + p : k_trend + p + q]
        s2[c] = par[-1]
    return ArimaFit((p, d, q), mean, ar, ma, s2, method, int(y.shape[0]))


def _w_series(fit: ArimaFit, y: np.ndarray) -> np.ndarray:
    """The stationary series ``w`` (length T; for d = 1, ``w[0]`` is undefined and set to 0)."""
    if fit.order[1] == 0:
        return y - fit.mean
    w = np.zeros_like(y)
    w[1:] = np.diff(y, axis=0) - fit.mean
    return w


def forecast_arima(fit: ArimaFit, series, origins, lead: int) -> np.ndarray:
    """``lead``-step-ahead forecasts from each origin with fixed, fitted parameters.

    Parameters
    ----------
    fit : ArimaFit
        Parameters for the ``C`` columns of ``series``.
    series : array_like, shape (T, C)
        The full series (training and later frames); only frames ``<= t`` are used for the
        forecast from origin ``t``.
    origins : array_like of int, shape (n,)
        Last observed frame of each forecast, ``max(p, q) + d <= t <= T - 1``.
    lead : int
        Steps ahead, ``>= 1``.

    Returns
    -------
    numpy.ndarray, shape (n, C)
        Forecasts of ``series[t + lead]``.
    """
    y = np.asarray(series, dtype=np.float64)
    if y.ndim != 2 or y.shape[1] != fit.mean.shape[0]:
        raise DataError(
            f"expected a (T, {fit.mean.shape[0]}) series for this fit, found shape {y.shape}"
        )
    lead = as_int(lead, "lead (frames)", minimum=1)
    o = np.asarray(origins, dtype=np.int64).reshape(-1)
    p, d, q = fit.order
    lo = max(p, q) + d
    if o.size and (o.min() < lo or o.max() > y.shape[0] - 1):
        raise DataError(
            f"expected origins in [{lo}, {y.shape[0] - 1}], found [{o.min()}, {o.max()}]"
        )
    w = _w_series(fit, y)
    # conditional innovations over the whole series (time loop, vectorised over columns)
    eps = np.zeros_like(w)
    if q:
        for t in range(d, w.shape[0]):
            pred = np.zeros(w.shape[1])
            for i in range(1, p + 1):
                if t - i >= d:
                    pred += fit.ar[:, i - 1] * w[t - i]
            for j in range(1, q + 1):
                if t - j >= d:
                    pred += fit.ma[:, j - 1] * eps[t - j]
            eps[t] = w[t] - pred
    # recursion from every origin at once: buffers hold the last max(p, q) values
    m = max(p, q, 1)
    lags = np.arange(m)  # lag k -> frame t - k
    idx = o[:, None] - lags[None, :]  # (n, m)
    w_buf = w[np.clip(idx, 0, None)][:, :p] if p else np.zeros((o.size, 0, w.shape[1]))
    e_buf = eps[np.clip(idx, 0, None)][:, :q] if q else np.zeros((o.size, 0, w.shape[1]))
    w_hat_sum = np.zeros((o.size, w.shape[1]))
    w_hat = np.zeros((o.size, w.shape[1]))
    for _ in range(lead):
        w_hat = np.einsum("nkc,ck->nc", w_buf, fit.ar) + np.einsum("nkc,ck->nc", e_buf, fit.ma)
        w_hat_sum += w_hat
        if p:
            w_buf = np.concatenate([w_hat[:, None], w_buf[:, :-1]], axis=1)
        if q:
            e_buf = np.concatenate([np.zeros_like(w_hat)[:, None], e_buf[:, :-1]], axis=1)
    if d == 0:
        return w_hat + fit.mean
    return y[o] + w_hat_sum + lead * fit.mean


@dataclass
class ArimaForecast:
    """Forecast frames of an ARIMA baseline.

    Attributes
    ----------
    forecast : numpy.ndarray, shape (n, N', 3)
        Forecasts of ``x[t + lead]`` for the particles ``atoms``, nm.
    truth : numpy.ndarray, shape (n, N', 3)
    last : numpy.ndarray, shape (n, N', 3)
        ``x[t]``, the static model's forecast.
    origins : numpy.ndarray, shape (n,)
    atoms : numpy.ndarray, shape (N',)
    fit : ArimaFit
    wall_s : float
        Fit and forecast time, s.
    """

    forecast: np.ndarray
    truth: np.ndarray
    last: np.ndarray
    origins: np.ndarray
    atoms: np.ndarray
    fit: ArimaFit
    wall_s: float


def arima_forecast_frames(
    x,
    fit_range: tuple[int, int],
    origins,
    lead: int,
    order=(2, 1, 0),
    trend: bool = True,
    method: str | None = None,
    max_atoms: int | None = None,
    max_origins: int | None = None,
    max_fit_frames: int | None = None,
    progress: bool = False,
) -> ArimaForecast:
    """Fit ARIMA per coordinate on ``x[fit_range]`` and forecast ``x[t + lead]`` per origin.

    Parameters
    ----------
    x : array_like, shape (T, N, 3)
        One trajectory, nm.
    fit_range : (int, int)
        Half-open frame range to fit on (the training frames).
    origins : array_like of int
        Forecast origins (e.g. the test windows' last input frames).
    lead : int
        Steps ahead.
    order, trend, method, max_fit_frames
        See :func:`fit_arima`.
    max_atoms : int, optional
        Use at most this many particles, evenly spaced along the chain (cost cap).
    max_origins : int, optional
        Use at most this many origins, evenly spaced (cost cap).
    progress : bool

    Returns
    -------
    ArimaForecast
    """
    import time

    t0 = time.perf_counter()
    x = as_frames(x, "x")
    n_atoms = x.shape[1]
    atoms = np.arange(n_atoms)
    if max_atoms is not None and max_atoms < n_atoms:
        atoms = np.unique(np.linspace(0, n_atoms - 1, max_atoms).round().astype(int))
    o = np.asarray(origins, dtype=np.int64).reshape(-1)
    if max_origins is not None and max_origins < o.size:
        o = o[np.unique(np.linspace(0, o.size - 1, max_origins).round().astype(int))]
    if o.size and o.max() + lead > x.shape[0] - 1:
        raise DataError(f"expected origins + lead <= {x.shape[0] - 1}, found {o.max() + lead}")
    sub = x[:, atoms].reshape(x.shape[0], -1).astype(np.float64)
    start, stop = fit_range
    fit = fit_arima(
        sub[start:stop],
        order,
        trend=trend,
        method=method,
        max_fit_frames=max_fit_frames,
        progress=progress,
    )
    pred = forecast_arima(fit, sub, o, lead).reshape(o.size, atoms.size, 3)
    return ArimaForecast(
        forecast=pred,
        truth=x[o + lead][:, atoms].astype(np.float64),
        last=x[o][:, atoms].astype(np.float64),
        origins=o,
        atoms=atoms,
        fit=fit,
        wall_s=time.perf_counter() - t0,
    )
