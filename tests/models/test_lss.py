"""The LSS networks: VAMP-2 against deeptime, MDN likelihood and learning, WGAN-GP penalty."""

import math

import numpy as np
import pytest
import torch

from mdrepro.errors import DataError
from mdrepro.models import lss


@pytest.fixture(autouse=True)
def _one_thread():
    torch.set_num_threads(1)


def _ar1_2d(n=20000, seed=0):
    rng = np.random.default_rng(seed)
    A = np.array([[0.9, 0.05], [0.0, 0.5]])
    x = np.zeros((n, 2))
    for t in range(1, n):
        x[t] = A @ x[t - 1] + rng.normal(size=2)
    return x


def test_vamp2_matches_deeptime_on_linear_features():
    from deeptime.decomposition import VAMP

    x = _ar1_2d()
    z0, z1 = torch.tensor(x[:-1]), torch.tensor(x[1:])
    ours = lss.vamp2_score(z0, z1, symmetric=False, eps=1e-12).item()
    ref = VAMP(lagtime=1).fit(x).fetch_model().score(2)  # includes the constant function
    assert ours + 1 == pytest.approx(ref, rel=1e-6)
    # symmetrised: equals the sum of squared TICA eigenvalues (deeptime TICA is reversible)
    from deeptime.decomposition import TICA

    sym = lss.vamp2_score(z0, z1, symmetric=True, eps=1e-12).item()
    lam = TICA(lagtime=1).fit(x).fetch_model().singular_values
    assert sym == pytest.approx(float((lam**2).sum()), rel=1e-3)


def test_srv_learns_slow_coordinate_and_orders_eigenvalues():
    x = _ar1_2d(6000, 1)
    model, res = lss.fit_srv(
        x[:-1], x[1:], n_out=2, hidden=(16, 16), epochs=15, patience=5, batch_size=1000
    )
    lam = model.eigenvalues.numpy()
    assert lam[0] >= lam[1] and lam[0] > 0.8  # slow AR coefficient 0.9
    psi = model.transform(x, 1)
    assert abs(np.corrcoef(psi[:, 0], x[:, 0])[0, 1]) > 0.9
    assert np.var(psi[:, 0]) == pytest.approx(1.0, rel=0.1)
    with pytest.raises(DataError):
        lss.fit_srv(x[:5], x[1:6])


def test_mdn_log_likelihood_of_one_gaussian_is_closed_form():
    torch.manual_seed(0)
    m = lss.MDN(1, 2, n_kernels=1, hidden=(4,))
    x = torch.rand(7, 1)
    y = torch.rand(7, 2)
    _, mu, sig = m(x)
    mu, sig = mu[:, 0], sig[:, 0]
    ref = (-0.5 * ((y - mu) / sig) ** 2 - torch.log(sig) - 0.5 * math.log(2 * math.pi)).sum(-1)
    torch.testing.assert_close(m.log_prob(x, y), ref)
    assert ((mu > 0) & (mu < 1)).all()  # sigmoid-bounded means


def test_mdn_recovers_two_state_markov_chain():
    rng = np.random.default_rng(0)
    T = np.array([[0.9, 0.1], [0.3, 0.7]])
    s = np.zeros(20000, dtype=int)
    for t in range(1, len(s)):
        s[t] = rng.choice(2, p=T[s[t - 1]])
    y = np.where(s == 0, 0.25, 0.75) + 0.02 * rng.normal(size=len(s))
    model, res = lss.fit_mdn(
        y[:-1], y[1:], n_kernels=2, hidden=(16,), lr=1e-2, epochs=20, batch_size=500, patience=5
    )
    traj = model.simulate(np.full((200, 1), 0.25), 100, seed=1)[..., 0]
    st = (traj > 0.5).astype(int)
    counts = np.zeros((2, 2))
    np.add.at(counts, (st[:, :-1].ravel(), st[:, 1:].ravel()), 1)
    P = counts / counts.sum(1, keepdims=True)
    np.testing.assert_allclose(P, T, atol=0.03)
    assert res.best_epoch >= 1 and res.epochs <= 20


def test_gradient_penalty_zero_for_unit_slope_critic_and_positive_otherwise():
    real, fake = torch.randn(64, 3), torch.randn(64, 3)
    cond = torch.zeros(64, 1)
    w = torch.tensor([0.6, 0.8, 0.0])  # |w| = 1: gradient norm 1 everywhere
    gp = lss.gradient_penalty(lambda x, c: x @ w, real, fake, cond)
    assert gp.item() == pytest.approx(0.0, abs=1e-10)
    gp2 = lss.gradient_penalty(lambda x, c: 3 * (x @ w), real, fake, cond)
    assert gp2.item() == pytest.approx(4.0, rel=1e-6)  # (3 - 1)^2


def test_cwgan_decodes_along_its_condition():
    rng = np.random.default_rng(0)
    c = rng.uniform(-1, 1, (2000, 1))
    x = np.concatenate([c, -c], 1) + 0.05 * rng.normal(size=(2000, 2))
    model, res = lss.fit_cwgan(
        x,
        c,
        noise=4,
        hidden=(32, 32),
        lr=1e-3,
        batch_size=100,
        epochs=100,
        n_critic=5,
        optimizer="adam",
    )
    probe = np.repeat(np.linspace(-0.8, 0.8, 5)[:, None], 100, 0)
    out = model.decode(probe)
    assert np.corrcoef(out[:, 0], probe[:, 0])[0, 1] > 0.6
    assert np.corrcoef(out[:, 1], probe[:, 0])[0, 1] < -0.6
    assert len(res.train_loss) == res.epochs == 100
    with pytest.raises(DataError):
        lss.fit_cwgan(x, c, optimizer="sgd")


def test_minmax_scaler_round_trip():
    y = np.random.default_rng(0).normal(size=(50, 3))
    sc = lss.MinMaxScaler.fit(y)
    s = sc.transform(y)
    assert s.min() >= 0.05 - 1e-12 and s.max() <= 0.95 + 1e-12
    np.testing.assert_allclose(sc.inverse(s), y)
