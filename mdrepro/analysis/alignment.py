"""Optimal superposition of frames on a reference, and RMSD after superposition (mdtraj).

Both functions take plain coordinate arrays and hand them to mdtraj's superposition (the QCP
method, float32), so any set of points can be aligned without a topology of its own.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from mdrepro.errors import DataError

__all__ = ["kabsch_align", "rmsd_to"]


@lru_cache(maxsize=8)
def _points(n_atoms: int):
    """An mdtraj topology of ``n_atoms`` unbonded points (one per residue)."""
    import mdtraj as md

    top = md.Topology()
    chain = top.add_chain()
    carbon = md.element.get_by_symbol("C")
    for i in range(n_atoms):
        top.add_atom("CA", carbon, top.add_residue("ALA", chain, resSeq=i + 1))
    return top


def _trajectories(xyz, ref):
    import mdtraj as md

    X = np.asarray(xyz, dtype=np.float32)
    R = np.asarray(ref, dtype=np.float32)
    if X.ndim != 3 or X.shape[2] != 3 or R.shape != X.shape[1:]:
        raise DataError(
            f"expected frames (n, N, 3) and a reference (N, 3), found {X.shape} and {R.shape}"
        )
    top = _points(X.shape[1])
    return md.Trajectory(X.copy(), top), md.Trajectory(R[None], top)


def kabsch_align(xyz: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Superpose every frame on ``ref`` (unit weights), both centred
    (:meth:`mdtraj.Trajectory.superpose`).

    Parameters
    ----------
    xyz : numpy.ndarray, shape (n, N, 3)
    ref : numpy.ndarray, shape (N, 3)

    Returns
    -------
    numpy.ndarray, shape (n, N, 3)
        Each frame centred and rotated onto the centred ``ref`` (proper rotations only),
        float64 of float32 precision.
    """
    t, r = _trajectories(xyz, ref)
    t.superpose(r)
    return t.xyz.astype(np.float64) - r.xyz[0].astype(np.float64).mean(0)


def rmsd_to(xyz: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """RMSD per frame after optimal superposition on ``ref`` (:func:`mdtraj.rmsd`: the input's
    units, divided by ``N``).
    """
    import mdtraj as md

    t, r = _trajectories(xyz, ref)
    return md.rmsd(t, r).astype(np.float64)
