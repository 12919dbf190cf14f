"""Brownian dynamics on the 1-D four-well potential of Prinz et al. (2011).

``V(x) = a (x^8 + 0.8 e^(-80 x^2) + 0.2 e^(-80 (x-0.5)^2) + 0.5 e^(-40 (x+0.5)^2))`` in units of
``kT`` with unit diffusivity: ``dx = -V'(x) dt + sqrt(2) dW``. deeptime's ``prinz_potential``
integrates the ``a = 4`` case in C++ (Euler-Maruyama). Another prefactor is the same process at
a rescaled temperature and time: with ``s = a / 4``, ``x_a(t) = x_4(s t)`` at ``kT' = 1 / s``,
so a step ``h`` of the ``a`` system is a step ``s h`` of deeptime's system at
``temperature_factor = 1 / s``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["potential", "simulate"]


def potential(x, a: float = 4.0) -> np.ndarray:
    """Four-well potential ``V(x)`` in kT (array in, array out)."""
    x = np.asarray(x, dtype=float)
    return a * (
        x**8
        + 0.8 * np.exp(-80 * x**2)
        + 0.2 * np.exp(-80 * (x - 0.5) ** 2)
        + 0.5 * np.exp(-40 * (x + 0.5) ** 2)
    )


def simulate(
    a: float = 4.0, n_steps: int = 5_000_000, h: float = 1e-5, save_every: int = 10, seed: int = 0
) -> np.ndarray:
    """Overdamped Brownian trajectory from ``x = 0``, saved every ``save_every`` steps.

    Parameters
    ----------
    a : float
        Potential prefactor (4 in deeptime and the authors' code; the paper's text writes 2).
    n_steps : int
        Integration steps of size ``h`` (dimensionless time).
    save_every : int
        Steps between saved frames.
    seed : int

    Returns
    -------
    numpy.ndarray, shape (n_steps // save_every,)
        Positions; frame ``k`` is at time ``(k + 1) * save_every * h``.
    """
    from deeptime.data import prinz_potential

    if a <= 0 or h <= 0 or save_every < 1 or n_steps < save_every:
        raise ValueError(
            f"expected a > 0, h > 0, 1 <= save_every <= n_steps; found a={a}, h={h}, "
            f"save_every={save_every}, n_steps={n_steps}"
        )
    s = a / 4.0
    system = prinz_potential(h=h * s, n_steps=save_every, temperature_factor=1.0 / s)
    x = system.trajectory(np.zeros((1, 1)), n_steps // save_every + 1, seed=seed)
    return np.asarray(x[1:, 0], dtype=float)
