"""Dynamics models and the adiabatic connection of the interpolation chapter."""

import math

import numpy as np
import pytest
import torch

from mdrepro.errors import DataError
from mdrepro.models.interpolation import (
    MODELS,
    HamiltonianNetwork,
    ODENetwork,
    SegmentObjective,
    adiabatic_connection,
    cubic_hermite,
    hermite_interpolate,
    interpolate,
    linear_lambda,
    make_model,
)

torch.set_num_threads(1)


def test_adiabatic_connection_hits_both_endpoints_exactly_and_is_linear_in_lambda():
    g = torch.Generator().manual_seed(0)
    fwd = torch.randn(3, 21, 8, generator=g)
    bwd = torch.randn(3, 21, 8, generator=g)
    out = adiabatic_connection(fwd, bwd)
    assert torch.equal(out[:, 0], fwd[:, 0]) and torch.equal(out[:, -1], bwd[:, -1])
    lam = linear_lambda(20)
    expected = fwd + lam.view(1, -1, 1) * (bwd - fwd)
    torch.testing.assert_close(out, expected, atol=1e-6, rtol=0)
    # linear in lambda: the second difference along lambda vanishes for constant fwd, bwd
    const = adiabatic_connection(fwd[:, :1].expand(-1, 21, -1), bwd[:, :1].expand(-1, 21, -1))
    torch.testing.assert_close(
        const[:, 2:] - 2 * const[:, 1:-1] + const[:, :-2], torch.zeros(3, 19, 8), atol=1e-6, rtol=0
    )


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_bidirectional_interpolation_reproduces_both_end_conditions(kind):
    torch.manual_seed(0)
    model = make_model(kind, 12, hidden=8)
    x0, x1 = torch.randn(4, 12), torch.randn(4, 12)
    with torch.no_grad():
        bi = interpolate(model, x0, x1, 20, "bi")
        uni = interpolate(model, x0, x1, 20, "uni")
    assert bi.shape == (4, 21, 12)
    assert torch.equal(bi[:, 0], x0) and torch.equal(bi[:, -1], x1)
    assert torch.equal(uni[:, 0], x0) and not torch.equal(uni[:, -1], x1)
    with pytest.raises(DataError):
        interpolate(model, x0, x1, 20, "sideways")


def _harmonic_energy(x):
    return 0.5 * (x**2).sum(-1)


def test_hamiltonian_leapfrog_conserves_a_harmonic_oscillator_better_than_euler():
    half = lambda y: 0.5 * (y * y).sum(-1)  # noqa: E731
    hnn = HamiltonianNetwork(2, kinetic=half, potential=half, dt=0.1)
    x0 = torch.tensor([[1.0, 0.0]])
    traj = hnn.rollout(x0, 1000)
    drift_leapfrog = (_harmonic_energy(traj) - 0.5).abs().max().item()
    # explicit Euler on the same vector field
    x, euler = x0.clone(), [x0]
    for _ in range(1000):
        x = x + 0.1 * torch.cat([x[:, 1:], -x[:, :1]], 1)
        euler.append(x)
    drift_euler = (_harmonic_energy(torch.stack(euler, 1)) - 0.5).abs().max().item()
    assert drift_leapfrog < 0.01 < drift_euler
    # time reversible: backward from the end returns to the start
    back = hnn.rollout(traj[:, -1], 1000, -1)[:, -1]
    torch.testing.assert_close(back, x0, atol=1e-3, rtol=0)


def test_ode_network_integrates_a_linear_system():
    A = torch.tensor([[0.0, 1.0], [-1.0, -0.1]])
    ode = ODENetwork(2, vector_field=lambda x: x @ A.T, dt=0.05)
    x0 = torch.tensor([[1.0, 0.0]], dtype=torch.float64)
    A = A.double()
    traj = ode.rollout(x0, 200)
    exact = torch.linalg.matrix_exp(A * 10.0) @ x0[0]
    torch.testing.assert_close(traj[0, -1], exact, atol=1e-6, rtol=0)
    back = ode.rollout(traj[:, -1], 200, -1)[:, -1]
    torch.testing.assert_close(back, x0, atol=1e-6, rtol=0)


def test_lstm_learns_a_tiny_rotation_problem():
    # states on a slowly rotating circle: the segment objective must fall well below its start
    from mdrepro.training import TensorPairs, train

    torch.manual_seed(0)
    t = torch.arange(400) * 0.1
    X = torch.stack([torch.cos(t), torch.sin(t)], 1)  # (q, v) of a unit oscillator
    seg = torch.stack([X[s : s + 11] for s in range(0, 380, 2)])
    model = make_model("LSTM", 2, hidden=16)
    res = train(
        SegmentObjective(model),
        TensorPairs(seg, SegmentObjective.targets(seg)),
        epochs=15,
        lr=1e-2,
        batch_size=32,
        progress=False,
    )
    assert res.final_train_loss < 0.1 * res.train_loss[0]


def test_forward_only_objective_returns_the_forward_rollout_and_its_targets():
    torch.manual_seed(0)
    model = make_model("LSTM", 4, hidden=8)
    seg = torch.randn(3, 6, 4)
    both, fwd = SegmentObjective(model), SegmentObjective(model, backward=False)
    out, out_fwd = both(seg), fwd(seg)
    assert out.shape == (3, 10, 4) and out_fwd.shape == (3, 5, 4)
    torch.testing.assert_close(out[:, :5], out_fwd)
    torch.testing.assert_close(SegmentObjective.targets(seg, backward=False), seg[:, 1:])
    assert SegmentObjective.targets(seg).shape == (3, 10, 4)


def test_make_model_rejects_unknown_names_and_odd_dimensions():
    with pytest.raises(KeyError):
        make_model("GRU", 4)
    with pytest.raises(DataError):
        make_model("ODE", 5)
    assert not math.isnan(
        float(make_model("Hamiltonian", 4).hamiltonian(torch.zeros(1, 4)).detach())
    )


def test_cubic_hermite_is_exact_for_cubics_and_meets_both_end_conditions():
    rng = np.random.default_rng(0)
    c = rng.normal(size=(4, 3, 5))  # cubic coefficients, batch 3, dimension 5
    t0, t1 = 0.7, 3.2

    def q(t):
        return c[0] + c[1] * t + c[2] * t**2 + c[3] * t**3

    def v(t):
        return c[1] + 2 * c[2] * t + 3 * c[3] * t**2

    t = np.linspace(t0, t1, 17)
    qh, vh = cubic_hermite(q(t0), v(t0), q(t1), v(t1), t, t0, t1)
    assert qh.shape == vh.shape == (3, 17, 5)
    expected_q = np.stack([q(s) for s in t], axis=1)
    expected_v = np.stack([v(s) for s in t], axis=1)
    np.testing.assert_allclose(qh, expected_q, atol=1e-10)
    np.testing.assert_allclose(vh, expected_v, atol=1e-10)
    # torch input gives the same, as tensors
    qt, vt = cubic_hermite(
        *(torch.as_tensor(a(s)) for a, s in [(q, t0), (v, t0), (q, t1), (v, t1)]), t, t0, t1
    )
    np.testing.assert_allclose(qt.numpy(), expected_q, atol=1e-10)
    np.testing.assert_allclose(vt.numpy(), expected_v, atol=1e-10)
    # a quartic is not reproduced: the reference is a cubic, not an oracle
    q4, _ = cubic_hermite(np.zeros(1), np.zeros(1), np.ones(1), np.full(1, 4.0), [0.5], 0, 1)
    assert abs(q4[0, 0] - 0.5**4) > 1e-3
    with pytest.raises(DataError):
        cubic_hermite(q(t0), v(t0), q(t1), v(t1), t, 1.0, 1.0)


@pytest.mark.parametrize("as_torch", [False, True])
def test_hermite_interpolate_hits_both_end_states_of_phase_space(as_torch):
    rng = np.random.default_rng(1)
    x0, x1 = rng.normal(size=(2, 4, 12))
    if as_torch:
        x0, x1 = torch.as_tensor(x0), torch.as_tensor(x1)
    out = hermite_interpolate(x0, x1, 20, kinetic_scale=0.3)
    assert out.shape == (4, 21, 12) and isinstance(out, type(x0))
    out = np.asarray(out)
    np.testing.assert_array_equal(out[:, 0, :6], np.asarray(x0)[:, :6])  # positions: exact
    np.testing.assert_array_equal(out[:, -1, :6], np.asarray(x1)[:, :6])
    np.testing.assert_allclose(out[:, 0, 6:], np.asarray(x0)[:, 6:], rtol=1e-12)
    np.testing.assert_allclose(out[:, -1, 6:], np.asarray(x1)[:, 6:], rtol=1e-12)
    # free particle (constant velocity, consistent ends) is reproduced exactly
    v = rng.normal(size=(1, 6))
    q0 = rng.normal(size=(1, 6))
    xa = np.c_[q0, v]
    xb = np.c_[q0 + 0.3 * 20 * v, v]
    free = hermite_interpolate(xa, xb, 20, kinetic_scale=0.3)
    k = np.arange(21)[None, :, None]
    np.testing.assert_allclose(free[..., :6], q0[:, None] + 0.3 * k * v[:, None], atol=1e-12)
    np.testing.assert_allclose(free[..., 6:], np.broadcast_to(v[:, None], (1, 21, 6)), atol=1e-12)
