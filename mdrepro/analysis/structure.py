"""Per-frame shape descriptors: radius of gyration and end-to-end distance (Figs. 4D, 4E)."""

from __future__ import annotations

import numbers

import numpy as np

from mdrepro.analysis._checks import as_frames, as_real_array, block_rows, check_finite
from mdrepro.errors import DataError

__all__ = ["end_to_end_distance", "pair_distances", "radius_of_gyration"]


def radius_of_gyration(X, masses=None) -> np.ndarray:
    """Radius of gyration of every frame.

    .. math::

        R_g(t) = \\sqrt{\\frac{\\sum_i m_i \\lVert r_i(t) - r_c(t) \\rVert^2}{\\sum_i m_i}},
        \\qquad r_c(t) = \\frac{\\sum_i m_i r_i(t)}{\\sum_i m_i}.

    With ``masses=None`` all weights are equal, as in :func:`mdtraj.compute_rg`.

    Parameters
    ----------
    X : array_like, shape (T, N, 3)
        Trajectory, nm.
    masses : array_like, shape (N,), optional
        Non-negative weights (e.g. atomic masses in Da) with a positive sum; their unit cancels.

    Returns
    -------
    numpy.ndarray, shape (T,)
        Radius of gyration per frame, nm.

    Raises
    ------
    ValueError
        If ``X`` is not a finite ``(T, N, 3)`` array or ``masses`` is not a finite,
        non-negative ``(N,)`` array with a positive sum.
    """
    X = as_frames(X, "X")
    n_frames, n_atoms = X.shape[:2]
    if masses is None:
        w = np.full(n_atoms, 1.0 / n_atoms)
    else:
        m = as_real_array(masses, "masses").astype(np.float64)
        if m.shape != (n_atoms,):
            raise DataError(f"expected masses of shape ({n_atoms},), found shape {m.shape}")
        check_finite(m, "masses")
        if (m < 0).any() or not m.sum() > 0:
            raise DataError("expected non-negative masses with a positive sum, found otherwise")
        w = m / m.sum()
    out = np.empty(n_frames, dtype=np.float64)
    step = block_rows(3 * n_atoms)
    for s in range(0, n_frames, step):
        x = X[s : s + step].astype(np.float64)
        centre = np.einsum("i,tij->tj", w, x)
        d = x - centre[:, None, :]
        out[s : s + step] = np.einsum("i,tij,tij->t", w, d, d)
    return np.sqrt(out)


def end_to_end_distance(X, i: int = 0, j: int = -1) -> np.ndarray:
    """Distance between two particles in every frame (default: first and last).

    Parameters
    ----------
    X : array_like, shape (T, N, 3)
        Trajectory, nm.
    i, j : int, optional
        Particle indices (negative indices count from the end); they must name different
        particles.

    Returns
    -------
    numpy.ndarray, shape (T,)
        :math:`\\lVert r_j(t) - r_i(t) \\rVert`, nm.

    Raises
    ------
    ValueError
        If ``X`` is malformed, an index is out of range, or ``i`` and ``j`` name one particle.
    """
    X = as_frames(X, "X")
    n_atoms = X.shape[1]
    idx = []
    for name, v in (("i", i), ("j", j)):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise DataError(f"expected an integer particle index {name}, found {v!r}")
        if not -n_atoms <= v < n_atoms:
            raise DataError(f"expected {name} in [{-n_atoms}, {n_atoms - 1}], found {v}")
        idx.append(int(v) % n_atoms)
    if idx[0] == idx[1]:
        raise DataError(f"expected two different particles, found i={i} and j={j} (the same)")
    d = np.subtract(X[:, idx[1]], X[:, idx[0]], dtype=np.float64)
    return np.sqrt(np.einsum("tj,tj->t", d, d))


def pair_distances(X) -> np.ndarray:
    """All interparticle distances in every frame.

    Parameters
    ----------
    X : array_like, shape (T, N, 3)
        Coordinates (any length unit).

    Returns
    -------
    numpy.ndarray, shape (T, N (N - 1) / 2)
        Distances of the pairs ``i < j`` in the order of :func:`numpy.triu_indices`, in the
        input's unit.
    """
    X = np.asarray(X)
    i, j = np.triu_indices(X.shape[1], 1)
    return np.linalg.norm(X[:, i] - X[:, j], axis=-1)
