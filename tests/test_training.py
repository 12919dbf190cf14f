"""The training loop: determinism, divergence, throughput, early stopping, errors."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from mdrepro.models import LSTMForecaster, build_splits
from mdrepro.training import TensorPairs, evaluate, train


def ar1_windows(seed=0):
    rng = np.random.default_rng(seed)
    x = np.zeros((300, 4, 3))
    for t in range(1, 300):
        x[t] = 0.9 * x[t - 1] + 0.1 * rng.standard_normal((4, 3))
    return build_splits([x], 3, 2, fractions=(0.6, 0.2, 0.2))


def run(seed=0, **kw):
    sp = ar1_windows()
    torch.manual_seed(seed)
    model = LSTMForecaster(3, hidden=8)
    res = train(
        model,
        sp["train"],
        sp["val"],
        epochs=3,
        lr=1e-2,
        batch_size=16,
        seed=seed,
        progress=False,
        **kw,
    )
    return model, res


def test_same_seed_same_numbers_on_cpu():
    m1, r1 = run(0)
    m2, r2 = run(0)
    np.testing.assert_array_equal(r1.train_loss, r2.train_loss)
    np.testing.assert_array_equal(r1.val_loss, r2.val_loss)
    for a, b in zip(m1.parameters(), m2.parameters(), strict=True):
        assert torch.equal(a, b)
    _, r3 = run(1)
    assert not np.array_equal(r1.train_loss, r3.train_loss)


def test_history_bookkeeping_and_throughput():
    sp = ar1_windows()
    _, res = run(0)
    n = len(sp["train"])
    assert res.train_loss.shape == (4,) and res.val_loss.shape == (4,)  # untrained + 3 epochs
    assert res.steps == 3 * math.ceil(n / 16)
    assert res.sequences == 3 * n * 4  # Kirchhoff: 4 particles -> 4 sequences per window
    assert res.sequences_per_s > 0 and res.train_time_s > 0
    assert res.final_val_loss < res.val_loss[0]
    assert not res.diverged and res.device == "cpu"


def test_divergence_is_caught_not_raised():
    # inputs of 1e20: the first forward pass overflows float32, whatever the learning rate
    torch.manual_seed(0)
    data = TensorPairs(torch.randn(64, 4) * 1e20, torch.randn(64, 1))
    res = train(nn.Linear(4, 1), data, epochs=5, lr=1.0, batch_size=16, progress=False)
    assert res.diverged and res.diverged_epoch == 1 and res.epochs == 1
    assert math.isnan(res.final_train_loss)


def test_lr_one_on_an_lstm_does_not_crash():
    sp = ar1_windows()
    torch.manual_seed(0)
    res = train(
        LSTMForecaster(3, 8),
        sp["train"],
        sp["val"],
        epochs=3,
        lr=1.0,
        batch_size=16,
        progress=False,
    )
    assert res.epochs == 3 or res.diverged
    assert res.train_loss.shape[0] == res.epochs + 1


def test_no_validation_and_early_stopping():
    torch.manual_seed(0)
    x = torch.randn(200, 3)
    data = TensorPairs(x, x.sum(1, keepdim=True))
    res = train(nn.Linear(3, 1), data, epochs=2, lr=1e-2, batch_size=50, progress=False)
    assert np.isnan(res.val_loss).all()
    res = train(
        nn.Linear(3, 1),
        data,
        TensorPairs(x, torch.zeros(200, 1)),
        epochs=50,
        lr=0.1,
        batch_size=50,
        patience=2,
        progress=False,
    )
    assert res.stopped_early and res.epochs < 50


def test_evaluate_is_the_mse_over_all_items():
    torch.manual_seed(0)
    x, y = torch.randn(101, 3), torch.randn(101, 2)
    m = nn.Linear(3, 2)
    with torch.no_grad():
        ref = float(((m(x) - y) ** 2).mean())
    assert evaluate(m, TensorPairs(x, y), batch_size=7) == pytest.approx(ref, rel=1e-5)


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"epochs": 0}, "epochs"),
        ({"lr": -1.0}, "learning rate"),
        ({"lr": float("nan")}, "learning rate"),
    ],
)
def test_bad_arguments(kw, match):
    data = TensorPairs(torch.zeros(4, 2), torch.zeros(4, 1))
    args = {"epochs": 1, "lr": 0.1, **kw}
    with pytest.raises(ValueError, match=match):
        train(nn.Linear(2, 1), data, progress=False, **args)
    with pytest.raises(ValueError, match="at least one training item"):
        train(nn.Linear(2, 1), TensorPairs(torch.zeros(0, 2), torch.zeros(0, 1)), progress=False)
    with pytest.raises(ValueError, match="as many inputs"):
        TensorPairs(torch.zeros(4, 2), torch.zeros(3, 1))


def test_flush_denormals_nests_and_restores():
    from mdrepro.training import flush_denormals

    tiny = torch.tensor([1e-39], dtype=torch.float32)  # a float32 denormal
    if not torch.set_flush_denormal(False):
        pytest.skip("this CPU cannot flush denormals")
    with flush_denormals():
        with flush_denormals():
            assert float(tiny * 1.0) == 0.0
        assert float(tiny * 1.0) == 0.0  # still on: the outer block holds it
    assert float(tiny * 1.0) > 0.0  # restored
    with flush_denormals(enabled=False):
        assert float(tiny * 1.0) > 0.0


def test_restore_best_keeps_the_weights_of_the_lowest_validation_loss():
    # training pulls the model towards y = sum(x); validation wants y = 0: the untrained-like
    # early weights validate best, and restore_best must hand exactly those back
    torch.manual_seed(0)
    x = torch.randn(200, 3)
    data = TensorPairs(x, x.sum(1, keepdim=True))
    val = TensorPairs(x, torch.zeros(200, 1))
    model = nn.Linear(3, 1)
    res = train(
        model, data, val, epochs=8, lr=0.1, batch_size=50, restore_best=True, progress=False
    )
    assert res.best_epoch == int(np.nanargmin(res.val_loss))
    assert evaluate(model, val, 200) == pytest.approx(np.nanmin(res.val_loss), rel=1e-6)
    # without it, the model ends at the last epoch's (worse) weights
    torch.manual_seed(0)
    model2 = nn.Linear(3, 1)
    res2 = train(model2, data, val, epochs=8, lr=0.1, batch_size=50, progress=False)
    assert res2.best_epoch is None
    assert evaluate(model2, val, 200) == pytest.approx(res2.val_loss[-1], rel=1e-6)
    assert res2.val_loss[-1] > np.nanmin(res2.val_loss)


def test_stack_histories_pads_runs_that_stopped_early():
    from mdrepro.training import stack_histories

    out = stack_histories([[3.0, 2.0, 1.0], [3.0, 2.5]])
    assert out.shape == (2, 3)
    np.testing.assert_array_equal(out[0], [3.0, 2.0, 1.0])
    assert out[1, 1] == 2.5 and np.isnan(out[1, 2])
    with pytest.raises(ValueError, match="at least one loss history"):
        stack_histories([])


def test_history_recorded_from_epoch_one():
    from mdrepro.training import TrainResult

    r = TrainResult.from_epochs([3.0, 2.0, 1.5], components={"kl": [1, 1, 1]}, best_epoch=3)
    assert r.first_epoch == 1 and r.epochs == 3 and r.best_epoch == 3
    np.testing.assert_array_equal(r.epoch_numbers(), [1, 2, 3])
    assert np.isnan(r.val_loss).all() and r.components["kl"].dtype == np.float64
    assert TrainResult(np.array([1.0, 0.5]), np.array([1.0, 0.4])).epoch_numbers().tolist() == [
        0,
        1,
    ]
