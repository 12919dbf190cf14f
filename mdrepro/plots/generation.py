"""Figures of the LSTM-VAE chapter: End2End along sequences, physical validity, training.

Every function takes ``ax=None`` (a new figure if None) and returns the Axes it drew on. Lengths
arrive in Å and angles in degrees (converted by :mod:`mdrepro.papers.cava.study`), energies in
kJ/mol.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes

from mdrepro.errors import DataError
from mdrepro.plots.style import axes_or_new

__all__ = [
    "plot_end_to_end_sequence",
    "plot_deviation_distributions",
    "plot_energy_distributions",
    "plot_training_history",
]


def plot_end_to_end_sequence(
    generated_A, truth_A, ax: Axes | None = None, spread_A=None, labels=("generated", "MD")
) -> Axes:
    """End2End distance along a generated sequence and a ground-truth sequence (Fig. 3).

    Parameters
    ----------
    generated_A : array_like of shape (n_steps + 1,)
        End2End distance of the generated frames (the decoded start first), Å.
    truth_A : array_like of shape (n_steps + 1,)
        Of the MD frames at the same steps, Å.
    ax : Axes, optional
    spread_A : (array_like, array_like), optional
        Lower and upper band of the generated curve (e.g. the seed range), Å.
    labels : (str, str)

    Returns
    -------
    Axes
    """
    g = np.asarray(generated_A, dtype=float)
    t = np.asarray(truth_A, dtype=float)
    if g.ndim != 1 or t.shape != g.shape:
        raise DataError(f"expected two series of the same length, found {g.shape} and {t.shape}")
    ax = axes_or_new(ax)
    steps = np.arange(1, g.size + 1)
    ax.plot(steps, g, "o-", color="tab:blue", label=labels[0])
    if spread_A is not None:
        ax.fill_between(steps, spread_A[0], spread_A[1], color="tab:blue", alpha=0.2, lw=0)
    ax.plot(steps, t, "s-", color="tab:orange", label=labels[1])
    ax.set_xlabel("frame of the sequence")
    ax.set_ylabel("End2End distance (Å)")
    ax.legend()
    return ax


def plot_deviation_distributions(
    values: Mapping[str, np.ndarray], ax: Axes | None = None, unit: str = "Å", what: str = "bond"
) -> Axes:
    """Box plots of per-frame RMS deviations (bond lengths or angles) by source.

    Parameters
    ----------
    values : mapping of str to array_like
        Label (e.g. "MD", "reconstructed", "generated, no energy loss") -> per-frame values.
    ax : Axes, optional
    unit : str
        Unit of the values (for the label).
    what : str
        "bond" or "angle" (for the label).

    Returns
    -------
    Axes
    """
    if not values:
        raise DataError("expected at least one series of deviations, found none")
    ax = axes_or_new(ax)
    labels = list(values)
    ax.boxplot([np.asarray(values[k], dtype=float) for k in labels], showfliers=False)
    ax.set_xticks(range(1, len(labels) + 1), labels, rotation=20, ha="right")
    ax.set_ylabel(f"RMS {what} deviation from MD mean ({unit})")
    ax.set_yscale("log")
    return ax


def plot_energy_distributions(
    values: Mapping[str, np.ndarray], ax: Axes | None = None, term: str = "total", bins: int = 40
) -> Axes:
    """Histograms of a bonded energy term by source, on a common log-spaced axis.

    Parameters
    ----------
    values : mapping of str to array_like
        Label -> per-frame energies, kJ/mol (positive).
    ax : Axes, optional
    term : str
        Name of the term (for the label).
    bins : int

    Returns
    -------
    Axes
    """
    if not values:
        raise DataError("expected at least one series of energies, found none")
    ax = axes_or_new(ax)
    allv = np.concatenate([np.asarray(v, dtype=float).ravel() for v in values.values()])
    allv = allv[np.isfinite(allv) & (allv > 0)]
    if allv.size == 0:
        raise DataError("expected positive finite energies, found none")
    edges = np.geomspace(allv.min(), allv.max() * 1.0001, bins + 1)
    for k, v in values.items():
        ax.hist(
            np.asarray(v, dtype=float).ravel(),
            bins=edges,
            histtype="step",
            lw=1.5,
            label=k,
            density=True,
        )
    ax.set_xscale("log")
    ax.set_xlabel(f"{term} bonded energy (kJ/mol)")
    ax.set_ylabel("density")
    ax.legend(fontsize="small")
    return ax


def plot_training_history(
    losses: Mapping[str, np.ndarray], ax: Axes | None = None, title: str | None = None
) -> Axes:
    """Loss components per epoch (one line each; band = seed range if 2-D).

    Parameters
    ----------
    losses : mapping of str to array_like
        Component -> (n_epochs,) or (n_seeds, n_epochs) values.
    ax : Axes, optional
    title : str, optional

    Returns
    -------
    Axes
    """
    ax = axes_or_new(ax)
    for k, v in losses.items():
        a = np.atleast_2d(np.asarray(v, dtype=float))
        ep = np.arange(1, a.shape[1] + 1)
        (line,) = ax.plot(ep, np.median(a, 0), label=k)
        if a.shape[0] > 1:
            ax.fill_between(ep, a.min(0), a.max(0), color=line.get_color(), alpha=0.2, lw=0)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_yscale("symlog", linthresh=1e-2)
    if title:
        ax.set_title(title)
    ax.legend(fontsize="small")
    return ax
