"""Figures of the interpolation chapter (Winkler & Sauceda 2020). ``ax=None`` in, ``ax`` out."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np

from mdrepro.plots.style import axes_or_new

__all__ = [
    "plot_distributions",
    "plot_error_profiles",
    "plot_free_energy",
    "plot_interpolation_traces",
    "plot_loss_curves",
    "plot_spectra",
]

MODEL_COLOURS = {"ODE": "C0", "Hamiltonian": "C1", "RNN": "C2", "LSTM": "C3", "Hermite": "k"}


def _ax(ax):
    return axes_or_new(ax, figsize=(6, 3.6), layout="constrained")


def plot_interpolation_traces(
    time_fs: np.ndarray,
    truth: np.ndarray,
    predictions: Mapping[str, np.ndarray],
    segment_steps: int | None = None,
    ylabel: str = "coordinate (Å)",
    ax=None,
):
    """One coordinate against time: ground truth and interpolations.

    Parameters
    ----------
    time_fs : numpy.ndarray, shape (T,)
    truth : numpy.ndarray, shape (T,)
    predictions : mapping label -> numpy.ndarray, shape (T,)
    segment_steps : int, optional
        Mark the given end conditions every ``segment_steps`` frames.
    """
    ax = _ax(ax)
    ax.plot(time_fs, truth, color="k", lw=2, label="MD (ground truth)")
    for k, (label, y) in enumerate(predictions.items()):
        ax.plot(time_fs, y, lw=1.2, ls=["--", "-"][k % 2], label=label)
    if segment_steps:
        ax.plot(time_fs[::segment_steps], truth[::segment_steps], "ko", ms=4, label="given")
    ax.set_xlabel("time (fs)")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    return ax


def plot_distributions(
    samples: Mapping[str, np.ndarray], bins: int | np.ndarray = 80, xlabel: str = "", ax=None
):
    """Normalised histograms (step lines) of several samples, e.g. MD vs interpolated."""
    ax = _ax(ax)
    allv = np.concatenate([np.ravel(v) for v in samples.values()])
    if np.isscalar(bins):
        bins = np.linspace(np.nanmin(allv), np.nanmax(allv), int(bins) + 1)
    for label, v in samples.items():
        ax.hist(np.ravel(v), bins=bins, density=True, histtype="step", lw=1.5, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("density")
    ax.legend(fontsize=8)
    return ax


def plot_spectra(
    wavenumber: np.ndarray, spectra: Mapping[str, np.ndarray], max_cm1: float = 4000, ax=None
):
    """Vibrational spectra (velocity-autocorrelation Fourier transforms) against wavenumber."""
    ax = _ax(ax)
    sel = wavenumber <= max_cm1
    for label, s in spectra.items():
        ax.plot(wavenumber[sel], s[sel], lw=1.2, label=label)
    ax.set_xlabel("wavenumber (cm$^{-1}$)")
    ax.set_ylabel("VDOS (normalised)")
    ax.legend(fontsize=8)
    return ax


def plot_free_energy(
    F: np.ndarray, xedges: np.ndarray, yedges: np.ndarray, vmax: float = 6.0, ax=None, **labels
):
    """A 2-D free-energy surface in kT (empty bins blank)."""
    ax = _ax(ax)
    Fm = np.ma.masked_invalid(np.where(np.isfinite(F), F, np.nan))
    m = ax.pcolormesh(xedges, yedges, Fm.T, cmap="viridis", vmin=0, vmax=vmax, shading="flat")
    plt.colorbar(m, ax=ax, label="F (kT)")
    ax.set_xlabel(labels.get("xlabel", ""))
    ax.set_ylabel(labels.get("ylabel", ""))
    if "title" in labels:
        ax.set_title(labels["title"])
    return ax


def plot_error_profiles(
    time_fs: np.ndarray, profiles: Mapping[tuple[str, str], np.ndarray], ax=None
):
    """Position error against time in the segment, one colour per model, dashed uni, solid bi.

    Parameters
    ----------
    time_fs : numpy.ndarray, shape (T + 1,)
    profiles : mapping (model, mode) -> numpy.ndarray, shape (n_seeds, T + 1)
        Å; the line is the median over seeds, the band their range. Mode ``"ref"`` (a
        classical reference such as ``("Hermite", "ref")``) is drawn dotted.
    """
    ax = _ax(ax)
    for (model, mode), p in profiles.items():
        p = np.atleast_2d(p)
        c = MODEL_COLOURS.get(model)
        ls = {"bi": "-", "uni": "--"}.get(mode, ":")
        ax.plot(time_fs, np.median(p, 0), color=c, ls=ls, label=f"{model} ({mode})")
        if p.shape[0] > 1:
            ax.fill_between(time_fs, p.min(0), p.max(0), color=c, alpha=0.15, lw=0)
    ax.set_xlabel("time in segment (fs)")
    ax.set_ylabel("position RMSE (Å)")
    ax.set_yscale("log")
    ax.legend(fontsize=7, ncol=2)
    return ax


def plot_loss_curves(curves: Mapping[str, Mapping[str, np.ndarray]], ax=None):
    """Training (dashed) and validation (solid) loss per epoch, one colour per model.

    Parameters
    ----------
    curves : mapping model -> {"train": array (n_seeds, E + 1), "val": array (n_seeds, E + 1)}
        Entry 0 is the untrained model; the line is the median over seeds.
    """
    ax = _ax(ax)
    for model, d in curves.items():
        c = MODEL_COLOURS.get(model)
        for key, ls in (("train", "--"), ("val", "-")):
            y = np.atleast_2d(d.get(key, np.empty((0, 0))))
            if y.size == 0 or not np.isfinite(y).any():
                continue
            ep = np.arange(y.shape[1])
            ax.plot(ep, np.nanmedian(y, 0), color=c, ls=ls, label=f"{model} ({key})")
    ax.set_xlabel("epoch")
    ax.set_ylabel("MSE (standardised units)")
    ax.set_yscale("log")
    ax.legend(fontsize=7, ncol=2)
    return ax
