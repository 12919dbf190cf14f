"""The LSTM forecaster: shapes, errors, and a periodic series it must learn."""

import numpy as np
import pytest
import torch

from mdrepro.analysis import rmsd_eq1
from mdrepro.models import LSTMForecaster, build_splits, count_parameters, forecast_frames
from mdrepro.training import train


def test_shapes_and_parameter_count():
    torch.manual_seed(0)
    m = LSTMForecaster(3, hidden=32)
    assert m(torch.zeros(7, 5, 3)).shape == (7, 3)
    # LSTM: 4 gates x (input + hidden + 2 biases); head: 32 x 3 + 3
    assert count_parameters(m) == 4 * 32 * (3 + 32 + 2) + 32 * 3 + 3
    assert LSTMForecaster(12, hidden=8)(torch.zeros(2, 1, 12)).shape == (2, 12)


def test_bad_input():
    m = LSTMForecaster(3, hidden=4)
    with pytest.raises(ValueError, match=r"shape \(B, h, 3\)"):
        m(torch.zeros(4, 3))
    with pytest.raises(ValueError, match=">= 1"):
        LSTMForecaster(0)


def sines(T=600, N=6, period=40.0, seed=0):
    """Each particle circles with its own phase and radius, nm: (T, N, 3)."""
    rng = np.random.default_rng(seed)
    t = np.arange(T)[:, None]
    phase = rng.uniform(0, 2 * np.pi, N)[None, :]
    r = rng.uniform(0.05, 0.15, N)[None, :]
    w = 2 * np.pi / period
    x = np.stack(
        [r * np.cos(w * t + phase), r * np.sin(w * t + phase), 0.02 * np.cos(2 * w * t + phase)],
        -1,
    )
    return x + rng.normal(0.0, 1e-3, x.shape)


def test_lstm_beats_static_on_a_periodic_series_at_a_long_lead():
    # a quarter period ahead: the static model is badly wrong, the motion is fully predictable
    x = sines()
    sp = build_splits([x], history=10, lead=10, fractions=(0.7, 0.1, 0.2))
    torch.manual_seed(0)
    model = LSTMForecaster(3, hidden=32)
    res = train(model, sp["train"], sp["val"], epochs=60, lr=1e-2, batch_size=32, progress=False)
    assert not res.diverged
    test = sp["test"]
    pred = forecast_frames(model, test)
    assert pred.shape == (len(test), 6, 3)
    lstm = np.median(rmsd_eq1(pred, test.truth_nm()))
    static = np.median(rmsd_eq1(test.last_input_nm(), test.truth_nm()))
    assert lstm < 0.5 * static, (lstm, static)
