"""Optimal superposition (Kabsch) of frames on a reference, and RMSD after superposition."""

from __future__ import annotations

import numpy as np

__all__ = ["kabsch_align", "rmsd_to"]


def kabsch_align(xyz: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Superpose every frame on ``ref`` (unit weights), both centred.

    Parameters
    ----------
    xyz : numpy.ndarray, shape (n, N, 3)
    ref : numpy.ndarray, shape (N, 3)

    Returns
    -------
    numpy.ndarray, shape (n, N, 3)
        Each frame centred and rotated onto the centred ``ref`` (proper rotations only).
    """
    X = np.asarray(xyz, dtype=float)
    R = np.asarray(ref, dtype=float) - np.asarray(ref).mean(0)
    Xc = X - X.mean(1, keepdims=True)
    H = np.einsum("nki,kj->nij", Xc, R)
    U, _, Vt = np.linalg.svd(H)
    d = np.sign(np.linalg.det(np.einsum("nij,njk->nik", U, Vt)))
    D = np.ones((len(X), 3))
    D[:, 2] = d
    rot = np.einsum("nij,nj,njk->nik", U, D, Vt)
    return np.einsum("nki,nij->nkj", Xc, rot)


def rmsd_to(xyz: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """RMSD per frame after optimal superposition on ``ref`` (the input's units; divided by
    ``N``, as :func:`mdtraj.rmsd`).
    """
    A = kabsch_align(xyz, ref)
    R = np.asarray(ref) - np.asarray(ref).mean(0)
    return np.sqrt(((A - R) ** 2).sum(-1).mean(-1))
