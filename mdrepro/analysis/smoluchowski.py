"""Implied timescales of 1-D overdamped diffusion from its Smoluchowski operator, to grid
convergence: a reference computed without any simulated data.

For ``dx = -V'(x) dt + sqrt(2) dW`` (unit diffusivity, ``V`` in kT) the Fokker-Planck
(Smoluchowski) operator is discretised on ``n`` equal cells of ``[lo, hi]`` with reflecting ends
and the rates ``k(i -> i +- 1) = exp(-(V_{i+-1} - V_i) / 2) / dx^2``, which obey detailed balance
with respect to ``exp(-V_i)`` and converge to the continuum operator as ``dx -> 0`` (second order
for smooth ``V``). Symmetrised with ``exp(-V / 2)`` the rate matrix becomes a symmetric
tridiagonal matrix with off-diagonal ``1 / dx^2``, whose few largest eigenvalues
``0 > lambda_1 > lambda_2 > ...`` give the implied timescales ``t_i = -1 / lambda_i``.
:func:`converged_timescales` refines the grid until the leading timescales change by less
than a relative tolerance between the last two grids, and returns the whole table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["ConvergedTimescales", "converged_timescales", "grid_timescales"]


def grid_timescales(
    potential: Callable[[np.ndarray], np.ndarray], lo: float, hi: float, n: int, k: int = 3
) -> np.ndarray:
    """Leading ``k`` implied timescales of the Smoluchowski operator on ``n`` cells.

    Parameters
    ----------
    potential : callable
        ``V(x)`` in kT, vectorised.
    lo, hi : float
        Domain (reflecting ends; choose it so that ``V`` is many kT high at both ends).
    n : int
        Number of cells (>= k + 2).
    k : int
        Number of timescales.

    Returns
    -------
    numpy.ndarray, shape (k,)
        ``t_1 >= t_2 >= ...`` in the time unit of the dynamics (unit diffusivity).
    """
    from scipy.linalg import eigh_tridiagonal

    if n < k + 2 or not hi > lo:
        raise ValueError(f"expected n >= {k + 2} cells on lo < hi, found n={n}, [{lo}, {hi}]")
    dx = (hi - lo) / n
    x = lo + dx * (np.arange(n) + 0.5)
    V = np.asarray(potential(x), dtype=np.float64)
    dV = np.diff(V)
    up = np.exp(-dV / 2) / dx**2  # i -> i+1
    down = np.exp(dV / 2) / dx**2  # i+1 -> i
    diag = np.zeros(n)
    diag[:-1] -= up
    diag[1:] -= down
    off = np.full(n - 1, 1.0 / dx**2)
    ev = eigh_tridiagonal(
        diag, off, eigvals_only=True, select="i", select_range=(n - k - 1, n - 1)
    )
    ev = np.sort(ev)[::-1]  # 0, lambda_1, lambda_2, ...
    return -1.0 / ev[1 : k + 1]


@dataclass(frozen=True)
class ConvergedTimescales:
    """Implied timescales refined to grid convergence.

    Attributes
    ----------
    timescales : numpy.ndarray, shape (k,)
        On the finest grid.
    grids : list of int
        Cells of each grid, coarse to fine.
    table : numpy.ndarray, shape (len(grids), k)
        Timescales on each grid.
    change : float
        Largest relative change between the last two grids.
    rtol : float
        The tolerance it had to reach.
    domain : tuple of float
    """

    timescales: np.ndarray
    grids: list
    table: np.ndarray
    change: float
    rtol: float
    domain: tuple

    @property
    def converged(self) -> bool:
        """Whether the last refinement changed no timescale by more than ``rtol``."""
        return bool(self.change <= self.rtol)

    def text(self) -> str:
        """One line per grid, e.g. ``"n=400: t = 1.02, 0.312, 0.0874"``."""
        return "; ".join(
            f"n={g}: t = " + ", ".join(f"{v:.4g}" for v in row)
            for g, row in zip(self.grids, self.table, strict=True)
        )


def converged_timescales(
    potential: Callable[[np.ndarray], np.ndarray],
    lo: float,
    hi: float,
    k: int = 3,
    grids: Sequence[int] = (250, 500, 1000, 2000, 4000, 8000),
    rtol: float = 1e-3,
) -> ConvergedTimescales:
    """Refine the grid until the leading ``k`` timescales change by less than ``rtol``
    (relative) from one grid to the next, or the grids run out (then ``converged`` is False).
    """
    rows, used, change = [], [], float("inf")
    for n in grids:
        rows.append(grid_timescales(potential, lo, hi, int(n), k))
        used.append(int(n))
        if len(rows) >= 2:
            change = float(np.max(np.abs(rows[-1] - rows[-2]) / rows[-1]))
            if change <= rtol:
                break
    table = np.vstack(rows)
    return ConvergedTimescales(table[-1], used, table, change, rtol, (lo, hi))
