"""Dynamics models on phase-space states and bi-directional interpolation (Winkler & Sauceda).

A *state* is one frame's positions and velocities, flattened and standardised:
``x = [q, v]`` of shape ``(D,) = (6N,)``. Every model maps a batch of start states to a rollout,

    ``model.rollout(x0, n_steps, direction=+1) -> (B, n_steps + 1, D)``

(entry 0 is ``x0``), forward in time for ``direction=+1`` and backward for ``-1``, with the
*same* learned dynamics:

* :class:`ODENetwork` - a learned vector field ``dx/dt = f_theta(x)`` integrated with classical
  Runge-Kutta (RK4); backward = integrating with ``-dt``.
* :class:`HamiltonianNetwork` - a learned, separable Hamiltonian ``H(q, p) = K_theta(p) +
  V_theta(q)``; its gradients (autograd) give ``dq/dt = dH/dp``, ``dp/dt = -dH/dq``, integrated
  with the symplectic, time-reversible Stormer-Verlet (leapfrog) scheme; backward = ``-dt``.
  Separability is our choice: it makes leapfrog explicit and exactly symplectic.
* :class:`RNNDynamics`, :class:`LSTMDynamics` - recurrent cells that read the current state and
  output the increment to the next one (their hidden state is initialised from ``x0``). A
  discrete recurrent map has no ``-dt``: backward in time uses the physical time reversal of
  Hamiltonian dynamics, flip the velocities, run forward, flip back.

Interpolation between an initial state ``x(t0)`` and a final state ``x(t1)`` over ``T`` steps:

* uni-directional - the forward rollout from ``x(t0)`` (it ignores ``x(t1)``);
* bi-directional - the forward rollout from ``x(t0)`` and the backward rollout from ``x(t1)``,
  combined by the adiabatic connection ``x(t) = (1 - lambda(t)) x_fwd(t) + lambda(t) x_bwd(t)``
  with ``lambda`` going linearly from 0 at ``t0`` to 1 at ``t1`` (:func:`adiabatic_connection`),
  so that both end conditions are met exactly.

Classical reference (:func:`cubic_hermite`, :func:`hermite_interpolate`): the cubic Hermite
polynomial through the same information the bi-directional models get, positions and velocities
at both ends of the segment. No learning; it is exact when the positions are cubic in time.

Training (:class:`SegmentObjective`) fits the forward rollout from a segment's first frame and
the backward rollout from its last frame to the segment: one trained model then serves both the
uni- and the bi-directional interpolation.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from mdrepro.errors import DataError

__all__ = [
    "MODELS",
    "DynamicsModel",
    "HamiltonianNetwork",
    "LSTMDynamics",
    "ODENetwork",
    "RNNDynamics",
    "SegmentObjective",
    "adiabatic_connection",
    "cubic_hermite",
    "hermite_interpolate",
    "interpolate",
    "linear_lambda",
    "make_model",
]


def _mlp(d_in: int, hidden: int, d_out: int, layers: int = 2) -> nn.Sequential:
    mods: list[nn.Module] = []
    d = d_in
    for _ in range(layers):
        mods += [nn.Linear(d, hidden), nn.Tanh()]
        d = hidden
    mods.append(nn.Linear(d, d_out))
    return nn.Sequential(*mods)


class DynamicsModel(nn.Module):
    """Base class: a learned dynamics on states of dimension ``dim`` (positions first, then
    velocities, ``dim // 2`` each).

    Parameters
    ----------
    dim : int
        State dimension ``D = 6N`` (must be even).
    """

    name = "base"

    def __init__(self, dim: int):
        super().__init__()
        if dim < 2 or dim % 2:
            raise DataError(f"expected an even state dimension >= 2, found {dim}")
        self.dim = dim

    def flip(self, x: torch.Tensor) -> torch.Tensor:
        """Time reversal of a state: velocities change sign, shape preserved."""
        h = self.dim // 2
        return torch.cat([x[..., :h], -x[..., h:]], dim=-1)

    def rollout(self, x0: torch.Tensor, n_steps: int, direction: int = 1) -> torch.Tensor:
        """Roll the dynamics out from ``x0``.

        Parameters
        ----------
        x0 : torch.Tensor, shape (B, D)
        n_steps : int
        direction : {1, -1}
            Forward or backward in time.

        Returns
        -------
        torch.Tensor, shape (B, n_steps + 1, D)
            Entry ``k`` is the state ``k`` steps after (or before) ``x0``.
        """
        raise NotImplementedError


class ODENetwork(DynamicsModel):
    """Learned vector field ``dx/dt = f(x)`` (an MLP), integrated with RK4.

    Parameters
    ----------
    dim : int
    hidden : int
        Width of the two hidden layers.
    dt : float
        Integration step in units of the frame interval (1: one RK4 step per frame).
    vector_field : callable, optional
        Use this fixed ``f(x) -> dx/dt`` instead of a network (tests).
    """

    name = "ODE"

    def __init__(self, dim: int, hidden: int = 128, dt: float = 1.0, vector_field=None):
        super().__init__(dim)
        self.dt = dt
        self.f = vector_field if vector_field is not None else _mlp(dim, hidden, dim)

    def step(self, x: torch.Tensor, h: float) -> torch.Tensor:
        """One RK4 step of size ``h`` (frame units). ``x``: (B, D)."""
        k1 = self.f(x)
        k2 = self.f(x + 0.5 * h * k1)
        k3 = self.f(x + 0.5 * h * k2)
        k4 = self.f(x + h * k3)
        return x + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)

    def rollout(self, x0, n_steps, direction=1):
        """See :meth:`DynamicsModel.rollout`."""
        out = [x0]
        x = x0
        for _ in range(n_steps):
            x = self.step(x, direction * self.dt)
            out.append(x)
        return torch.stack(out, dim=1)


class HamiltonianNetwork(DynamicsModel):
    """Learned separable Hamiltonian ``H = K(p) + V(q)``, Stormer-Verlet (leapfrog) steps.

    Parameters
    ----------
    dim : int
        ``2 n``: ``q = x[..., :n]``, ``p = x[..., n:]``.
    hidden : int
    dt : float
        Step in frame units.
    kinetic, potential : callable, optional
        Fixed ``K(p) -> (B,)`` and ``V(q) -> (B,)`` instead of networks (tests). The network
        kinetic term is ``K(p) = kinetic_scale p.p / 2 + MLP(p)`` (a free particle plus a
        learned correction), the potential an MLP.
    kinetic_scale : float
        ``v_scale dt / q_scale`` for standardised states: makes ``dq = p dt`` the free-particle
        drift per frame before any training.
    """

    name = "Hamiltonian"

    def __init__(
        self,
        dim: int,
        hidden: int = 128,
        dt: float = 1.0,
        kinetic=None,
        potential=None,
        kinetic_scale: float = 1.0,
    ):
        super().__init__(dim)
        self.kinetic_scale = kinetic_scale
        n = dim // 2
        self.dt = dt
        self._K = kinetic
        self._V = potential
        if kinetic is None:
            self.k_net = _mlp(n, hidden, 1)
        if potential is None:
            self.v_net = _mlp(n, hidden, 1)

    def kinetic(self, p: torch.Tensor) -> torch.Tensor:
        """``K(p)``, shape (B,)."""
        if self._K is not None:
            return self._K(p)
        return 0.5 * self.kinetic_scale * (p * p).sum(-1) + self.k_net(p).squeeze(-1)

    def potential(self, q: torch.Tensor) -> torch.Tensor:
        """``V(q)``, shape (B,)."""
        if self._V is not None:
            return self._V(q)
        return self.v_net(q).squeeze(-1)

    def hamiltonian(self, x: torch.Tensor) -> torch.Tensor:
        """``H(x)``, shape (B,)."""
        n = self.dim // 2
        return self.kinetic(x[..., n:]) + self.potential(x[..., :n])

    def _grad(self, fn, y: torch.Tensor) -> torch.Tensor:
        with torch.enable_grad():
            if not y.requires_grad:
                y = y.detach().requires_grad_(True)
            (g,) = torch.autograd.grad(fn(y).sum(), y, create_graph=self.training)
        return g

    def step(self, x: torch.Tensor, h: float) -> torch.Tensor:
        """One leapfrog step of size ``h``: half kick, drift, half kick. ``x``: (B, D)."""
        n = self.dim // 2
        q, p = x[..., :n], x[..., n:]
        p = p - 0.5 * h * self._grad(self.potential, q)
        q = q + h * self._grad(self.kinetic, p)
        p = p - 0.5 * h * self._grad(self.potential, q)
        return torch.cat([q, p], dim=-1)

    def rollout(self, x0, n_steps, direction=1):
        """See :meth:`DynamicsModel.rollout`."""
        out = [x0]
        x = x0
        for _ in range(n_steps):
            x = self.step(x, direction * self.dt)
            out.append(x)
        return torch.stack(out, dim=1)


class _RecurrentDynamics(DynamicsModel):
    """Shared rollout of the recurrent models: increments from the hidden state."""

    cell_type: type[nn.Module] = nn.RNNCell

    def __init__(self, dim: int, hidden: int = 128):
        super().__init__(dim)
        self.hidden = hidden
        self.cell = self.cell_type(dim, hidden)
        self.init_h = nn.Linear(dim, hidden)
        self.out = nn.Linear(hidden, dim)

    def _init_state(self, x0):
        return torch.tanh(self.init_h(x0))

    def _cell(self, x, state):
        h = self.cell(x, state)
        return h, h

    def _forward_rollout(self, x0, n_steps):
        out = [x0]
        x, state = x0, self._init_state(x0)
        for _ in range(n_steps):
            h, state = self._cell(x, state)
            x = x + self.out(h)
            out.append(x)
        return torch.stack(out, dim=1)

    def rollout(self, x0, n_steps, direction=1):
        if direction == 1:
            return self._forward_rollout(x0, n_steps)
        return self.flip(self._forward_rollout(self.flip(x0), n_steps))


class RNNDynamics(_RecurrentDynamics):
    """Elman RNN (tanh) dynamics: ``x_{k+1} = x_k + W h_k``, ``h_k = RNNCell(x_k, h_{k-1})``.

    Parameters
    ----------
    dim : int
    hidden : int
    """

    name = "RNN"
    cell_type = nn.RNNCell


class LSTMDynamics(_RecurrentDynamics):
    """LSTM dynamics: like :class:`RNNDynamics` with an LSTM cell (hidden and cell state
    initialised from ``x0``).
    """

    name = "LSTM"
    cell_type = nn.LSTMCell

    def __init__(self, dim: int, hidden: int = 128):
        super().__init__(dim, hidden)
        self.init_c = nn.Linear(dim, hidden)

    def _init_state(self, x0):
        return torch.tanh(self.init_h(x0)), self.init_c(x0)

    def _cell(self, x, state):
        h, c = self.cell(x, state)
        return h, (h, c)


MODELS: dict[str, type[DynamicsModel]] = {
    "ODE": ODENetwork,
    "Hamiltonian": HamiltonianNetwork,
    "RNN": RNNDynamics,
    "LSTM": LSTMDynamics,
}


def make_model(
    kind: str, dim: int, hidden: int = 128, kinetic_scale: float = 1.0
) -> DynamicsModel:
    """A model by name (``"ODE"``, ``"Hamiltonian"``, ``"RNN"``, ``"LSTM"``);
    ``kinetic_scale`` is passed to :class:`HamiltonianNetwork` only.
    """
    if kind not in MODELS:
        from mdrepro.errors import UnknownNameError

        raise UnknownNameError("interpolation model", kind, MODELS)
    if kind == "Hamiltonian":
        return HamiltonianNetwork(dim, hidden=hidden, kinetic_scale=kinetic_scale)
    return MODELS[kind](dim, hidden=hidden)


def linear_lambda(n_steps: int, device=None, dtype=torch.float32) -> torch.Tensor:
    """``lambda(t_k) = k / n_steps`` for ``k = 0 .. n_steps``, shape (n_steps + 1,)."""
    return torch.arange(n_steps + 1, device=device, dtype=dtype) / n_steps


def adiabatic_connection(
    x_fwd: torch.Tensor, x_bwd: torch.Tensor, lam: torch.Tensor | None = None
) -> torch.Tensor:
    """``(1 - lambda) x_fwd + lambda x_bwd`` along the time axis.

    Parameters
    ----------
    x_fwd, x_bwd : torch.Tensor, shape (B, T + 1, D)
        Forward solution from ``x(t0)`` and backward solution from ``x(t1)``, both in time
        order (entry ``T`` of ``x_bwd`` is ``x(t1)``).
    lam : torch.Tensor, shape (T + 1,), optional
        Default :func:`linear_lambda` (0 at ``t0``, 1 at ``t1``).

    Returns
    -------
    torch.Tensor, shape (B, T + 1, D)
    """
    if x_fwd.shape != x_bwd.shape:
        raise DataError(f"expected equal shapes, found {tuple(x_fwd.shape)}, {tuple(x_bwd.shape)}")
    if lam is None:
        lam = linear_lambda(x_fwd.shape[1] - 1, x_fwd.device, x_fwd.dtype)
    lam = lam.to(x_fwd).view(1, -1, 1)
    return (1 - lam) * x_fwd + lam * x_bwd


def interpolate(
    model: DynamicsModel, x0: torch.Tensor, x1: torch.Tensor, n_steps: int, mode: str = "bi"
) -> torch.Tensor:
    """Interpolate ``n_steps`` steps between initial states ``x0`` and final states ``x1``.

    Parameters
    ----------
    model : DynamicsModel
    x0, x1 : torch.Tensor, shape (B, D)
    n_steps : int
    mode : {"bi", "uni"}

    Returns
    -------
    torch.Tensor, shape (B, n_steps + 1, D)
        In time order; for ``"bi"`` entry 0 equals ``x0`` and entry ``n_steps`` equals ``x1``.
    """
    fwd = model.rollout(x0, n_steps, 1)
    if mode == "uni":
        return fwd
    if mode != "bi":
        raise DataError(f"expected mode 'uni' or 'bi', found {mode!r}")
    bwd = model.rollout(x1, n_steps, -1).flip(1)
    # lambda is exactly 0 at t0 and 1 at t1, so both end conditions hold to the last bit
    return adiabatic_connection(fwd, bwd)


class SegmentObjective(nn.Module):
    """Training wrapper for :func:`mdrepro.training.train`: segment in, rollouts out.

    ``forward(seg)`` with ``seg`` of shape ``(B, T + 1, D)`` returns ``(B, 2T, D)``: the forward
    rollout from ``seg[:, 0]`` (times 1..T) and the backward rollout from ``seg[:, T]``
    (times 0..T-1). With ``backward=False`` (the forward-only ablation) it returns the forward
    rollout alone, ``(B, T, D)``. The matching targets are :meth:`targets`.
    """

    def __init__(self, model: DynamicsModel, backward: bool = True):
        super().__init__()
        self.model = model
        self.backward = bool(backward)

    def forward(self, seg: torch.Tensor) -> torch.Tensor:
        """Forward (and backward) rollouts of segments ``(B, T + 1, D)``, concatenated."""
        T = seg.shape[1] - 1
        fwd = self.model.rollout(seg[:, 0], T, 1)[:, 1:]
        if not self.backward:
            return fwd
        bwd = self.model.rollout(seg[:, -1], T, -1).flip(1)[:, :-1]
        return torch.cat([fwd, bwd], dim=1)

    @staticmethod
    def targets(seg: torch.Tensor, backward: bool = True) -> torch.Tensor:
        """``(B, 2T, D)`` targets of :meth:`forward` (``(B, T, D)`` without ``backward``)."""
        if not backward:
            return seg[:, 1:]
        return torch.cat([seg[:, 1:], seg[:, :-1]], dim=1)


def cubic_hermite(q0, v0, q1, v1, t, t0: float = 0.0, t1: float = 1.0):
    """Cubic Hermite interpolation on ``[t0, t1]`` from end values and end derivatives.

    ``q(t) = h00(s) q0 + h10(s) h v0 + h01(s) q1 + h11(s) h v1`` with ``h = t1 - t0``,
    ``s = (t - t0) / h`` and the Hermite basis ``h00 = 2s^3 - 3s^2 + 1``, ``h10 = s^3 - 2s^2 + s``,
    ``h01 = -2s^3 + 3s^2``, ``h11 = s^3 - s^2``; ``q(t0) = q0``, ``q(t1) = q1``, ``q'(t0) = v0``,
    ``q'(t1) = v1``, and every cubic polynomial in ``t`` is reproduced exactly.

    Parameters
    ----------
    q0, v0, q1, v1 : numpy.ndarray or torch.Tensor, shape (..., D)
        End values and their time derivatives (``v`` in units of ``q`` per unit of ``t``).
    t : array-like, shape (K,)
        Times at which to evaluate.
    t0, t1 : float
        The interval (``t1 != t0``).

    Returns
    -------
    q, v : numpy.ndarray or torch.Tensor, shape (..., K, D)
        Values and time derivatives at ``t`` (the type of ``q0``).
    """
    h = float(t1) - float(t0)
    if h == 0:
        raise DataError("expected t1 != t0 for Hermite interpolation")
    s = (np.asarray(t, dtype=float) - t0) / h
    basis = np.stack([2 * s**3 - 3 * s**2 + 1, (s**3 - 2 * s**2 + s) * h, -2 * s**3 + 3 * s**2])
    basis = np.concatenate([basis, [(s**3 - s**2) * h]])  # (4, K): q0, v0, q1, v1
    dbasis = np.stack(
        [
            (6 * s**2 - 6 * s) / h,
            3 * s**2 - 4 * s + 1,
            (-6 * s**2 + 6 * s) / h,
            3 * s**2 - 2 * s,
        ]
    )
    if isinstance(q0, torch.Tensor):
        ends = torch.stack([q0, v0, q1, v1], dim=-2)  # (..., 4, D)
        b = torch.as_tensor(basis, dtype=q0.dtype, device=q0.device)
        db = torch.as_tensor(dbasis, dtype=q0.dtype, device=q0.device)
        return torch.einsum("ck,...cd->...kd", b, ends), torch.einsum("ck,...cd->...kd", db, ends)
    ends = np.stack([np.asarray(a) for a in (q0, v0, q1, v1)], axis=-2)
    return (
        np.einsum("ck,...cd->...kd", basis.astype(ends.dtype), ends),
        np.einsum("ck,...cd->...kd", dbasis.astype(ends.dtype), ends),
    )


def hermite_interpolate(x0, x1, n_steps: int, kinetic_scale: float = 1.0):
    """Cubic Hermite interpolation between phase-space states, the classical reference of
    :func:`interpolate` (same inputs: positions and velocities at both ends).

    Parameters
    ----------
    x0, x1 : numpy.ndarray or torch.Tensor, shape (B, D)
        States ``[q, v]`` (positions first).
    n_steps : int
        Frames between ``x0`` and ``x1``.
    kinetic_scale : float
        Position change per frame of a unit velocity (``dq/dframe = kinetic_scale * v``; for
        standardised states :attr:`mdrepro.papers.winkler2020.study.SegmentData.kinetic_scale`).

    Returns
    -------
    numpy.ndarray or torch.Tensor, shape (B, n_steps + 1, D)
        States at frames ``0 .. n_steps``; positions from the Hermite polynomial, velocities
        from its derivative. Entries 0 and ``n_steps`` are ``x0`` and ``x1`` up to rounding.
    """
    if n_steps < 1 or kinetic_scale <= 0:
        raise DataError(
            f"expected n_steps >= 1 and kinetic_scale > 0, found {n_steps}, {kinetic_scale}"
        )
    n = x0.shape[-1] // 2
    q0, v0, q1, v1 = x0[..., :n], x0[..., n:], x1[..., :n], x1[..., n:]
    t = np.arange(n_steps + 1)
    q, dq = cubic_hermite(q0, v0 * kinetic_scale, q1, v1 * kinetic_scale, t, 0, n_steps)
    v = dq / kinetic_scale
    if isinstance(q, torch.Tensor):
        return torch.cat([q, v], dim=-1)
    return np.concatenate([q, v], axis=-1)
