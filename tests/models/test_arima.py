"""ARIMA per coordinate: fitted parameters, forecasts equal to statsmodels', beats static."""

import warnings

import numpy as np
import pytest
from statsmodels.tsa.arima.model import ARIMA

from mdrepro.models.arima import arima_forecast_frames, fit_arima, forecast_arima


def ar1(n, phi, cols, seed=0):
    rng = np.random.default_rng(seed)
    x = np.zeros((n, cols))
    for t in range(1, n):
        x[t] = phi * x[t - 1] + rng.standard_normal(cols)
    return x


def test_fit_recovers_ar1():
    x = ar1(3000, 0.8, 2) + 5.0
    fit = fit_arima(x, order=(1, 0, 0))
    np.testing.assert_allclose(fit.ar[:, 0], 0.8, atol=0.05)
    np.testing.assert_allclose(fit.mean, 5.0, atol=0.3)
    assert fit.method == "burg" and fit.n_fit == 3000


def test_beats_static_at_lead_1_and_relaxes_to_the_mean():
    x = ar1(2000, 0.6, 3, seed=1)
    fit = fit_arima(x[:1500], order=(1, 0, 0))
    o = np.arange(1500, 1999)
    pred = forecast_arima(fit, x, o, 1)
    err = np.sqrt(np.mean((pred - x[o + 1]) ** 2))
    static = np.sqrt(np.mean((x[o] - x[o + 1]) ** 2))
    assert err < 0.95 * static
    far = forecast_arima(fit, x, o, 200)  # phi^200 = 0: the forecast is the mean
    np.testing.assert_allclose(far, fit.mean[None, :].repeat(len(o), 0), atol=1e-8)


def sm_forecast(y, order, trend, origin, lead, fit_on):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ARIMA(y[:fit_on], order=order, trend=trend).fit(
            method="burg" if order[2] == 0 else "hannan_rissanen"
        )
        return res.apply(y[: origin + 1]).forecast(lead)[-1]


@pytest.mark.parametrize(("order", "trend"), [((2, 1, 0), "t"), ((2, 0, 0), "c")])
def test_forecasts_equal_statsmodels_for_pure_ar(order, trend):
    d = ar1(800, 0.5, 1, seed=4)[:, 0]
    y = np.cumsum(d + 0.2) if order[1] else d + 3.0
    fit = fit_arima(y[:600, None], order=order)
    for origin in (620, 700, 780):
        for lead in (1, 5, 15):
            if origin + lead >= len(y):
                continue
            ours = forecast_arima(fit, y[:, None], [origin], lead)[0, 0]
            ref = sm_forecast(y, order, trend, origin, lead, 600)
            assert ours == pytest.approx(ref, rel=1e-6, abs=1e-8), (origin, lead)


def test_forecasts_with_ma_terms_match_statsmodels_far_from_the_start():
    rng = np.random.default_rng(5)
    e = rng.standard_normal(1200)
    y = e.copy()
    y[1:] += 0.5 * e[:-1]  # MA(1)
    fit = fit_arima(y[:900, None], order=(1, 0, 1))
    ours = forecast_arima(fit, y[:, None], [1000], 2)[0, 0]
    ref = sm_forecast(y, (1, 0, 1), "c", 1000, 2, 900)
    assert ours == pytest.approx(ref, abs=1e-3)


def test_frames_wrapper_shapes_and_caps():
    rng = np.random.default_rng(6)
    drift = np.linspace(0, 1, 400)[:, None, None] * np.ones((1, 10, 3))
    x = drift + 0.01 * rng.standard_normal((400, 10, 3))
    fc = arima_forecast_frames(x, (0, 300), np.arange(320, 380), 15, max_atoms=4, max_origins=7)
    assert fc.forecast.shape == (7, 4, 3) and fc.truth.shape == (7, 4, 3)
    assert fc.atoms.tolist() == [0, 3, 6, 9]
    np.testing.assert_array_equal(fc.truth, x[fc.origins + 15][:, fc.atoms])
    # a drifting series: ARIMA with drift beats the static model
    err = np.sqrt(np.mean((fc.forecast - fc.truth) ** 2))
    static = np.sqrt(np.mean((fc.last - fc.truth) ** 2))
    assert err < 0.5 * static


def test_errors():
    x = ar1(100, 0.5, 2)
    with pytest.raises(ValueError, match="d of 0 or 1"):
        fit_arima(x, order=(1, 2, 0))
    fit = fit_arima(x, order=(2, 1, 0))
    with pytest.raises(ValueError, match="origins"):
        forecast_arima(fit, x, [1], 3)
    with pytest.raises(ValueError, match=r"\(T, 2\)"):
        forecast_arima(fit, x[:, :1], [50], 3)
    with pytest.raises(ValueError, match="frames to fit"):
        fit_arima(x[:4], order=(2, 1, 0))
    with pytest.raises(ValueError, match="origins \\+ lead"):
        arima_forecast_frames(
            np.zeros((50, 2, 3)) + np.arange(50)[:, None, None], (0, 40), [45], 10
        )
