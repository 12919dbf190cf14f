"""Free energies from histograms: ``F = -kT ln p`` in 1-D and 2-D, block errors, and RMSEs.

All free energies are in units of kT, defined up to a constant: each is shifted so its minimum
is 0, and comparisons (:func:`aligned_rmse`) first remove the optimal constant shift. Empty
bins are NaN.
"""

from __future__ import annotations

import warnings

import numpy as np

__all__ = [
    "aligned_rmse",
    "block_free_energy",
    "free_energy_1d",
    "free_energy_2d",
    "free_energy_rmse",
]


def free_energy_1d(x, edges) -> np.ndarray:
    """``F = -ln p`` (kT) on the bins of ``edges``, minimum 0; NaN where a bin is empty.

    Parameters
    ----------
    x : array_like
        Samples (any shape; flattened).
    edges : array_like, shape (n_bins + 1,)

    Returns
    -------
    numpy.ndarray, shape (n_bins,)
    """
    h, _ = np.histogram(np.asarray(x).ravel(), edges, density=True)
    with np.errstate(divide="ignore"):
        F = -np.log(h)
    F[~np.isfinite(F)] = np.nan
    return F - np.nanmin(F)


def block_free_energy(blocks, edges) -> tuple[np.ndarray, np.ndarray]:
    """Free energy from all blocks together and its block standard error.

    Parameters
    ----------
    blocks : list of array_like
        ``K`` contiguous blocks (or groups of trajectories).
    edges : array_like, shape (n_bins + 1,)

    Returns
    -------
    F : numpy.ndarray, shape (n_bins,)
        From the pooled data, kT, minimum 0.
    se : numpy.ndarray, shape (n_bins,)
        ``std_k(F_k) / sqrt(K)`` after shifting each block's ``F_k`` onto ``F`` (NaN where
        fewer than two blocks populate a bin).
    """
    F = free_energy_1d(np.concatenate([np.ravel(b) for b in blocks]), edges)
    Fk = []
    for b in blocks:
        f = free_energy_1d(b, edges)
        ok = np.isfinite(f) & np.isfinite(F)
        Fk.append(f - np.mean(f[ok] - F[ok]) if ok.any() else f)
    Fk = np.array(Fk)
    n = np.isfinite(Fk).sum(0)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # bins populated by < 2 blocks
        se = np.nanstd(Fk, 0, ddof=1) / np.sqrt(n)
    se[n < 2] = np.nan
    return F, se


def free_energy_2d(a, b, xedges, yedges, return_counts: bool = False):
    """``F = -ln p`` (kT) on a 2-D grid, minimum 0, NaN where empty.

    Parameters
    ----------
    a, b : array_like
        The two coordinates of every sample (flattened).
    xedges, yedges : array_like
        Bin edges along ``a`` and ``b``.
    return_counts : bool
        Also return the histogram counts.

    Returns
    -------
    F : numpy.ndarray, shape (len(xedges) - 1, len(yedges) - 1)
        All NaN if no sample falls on the grid.
    counts : numpy.ndarray, same shape
        Only with ``return_counts``.
    """
    H, _, _ = np.histogram2d(np.ravel(a), np.ravel(b), [xedges, yedges])
    F = np.full(H.shape, np.nan)
    ok = H > 0
    if ok.any():
        F[ok] = -np.log(H[ok] / H.sum())
        F -= F[ok].min()
    return (F, H) if return_counts else F


def aligned_rmse(F1, F2, mask=None) -> float:
    """RMSE of two free-energy profiles or surfaces after the optimal constant shift, kT.

    Parameters
    ----------
    F1, F2 : array_like
        Same shape; NaN where undefined.
    mask : array_like of bool, optional
        Bins to compare (default: those finite in both).

    Returns
    -------
    float
        NaN if fewer than two bins are compared.
    """
    F1, F2 = np.asarray(F1), np.asarray(F2)
    ok = np.isfinite(F1) & np.isfinite(F2) if mask is None else np.asarray(mask, bool)
    if ok.sum() < 2:
        return float("nan")
    d = F1[ok] - F2[ok]
    return float(np.sqrt(np.mean((d - d.mean()) ** 2)))


def free_energy_rmse(F_true, H_true, F_pred, H_pred, min_count: int = 5) -> float:
    """:func:`aligned_rmse` over the bins with at least ``min_count`` samples in both."""
    return aligned_rmse(F_pred, F_true, mask=(H_true >= min_count) & (H_pred >= min_count))
