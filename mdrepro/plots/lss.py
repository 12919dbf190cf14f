"""Figures of the latent-space-simulator chapter (four-well and Trp-cage).

Every function takes ``ax=None`` (a new figure if None) and returns the Axes. Lengths arrive in
nm and are shown in Å; free energies in kT.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes

from mdrepro.plots.style import ANGSTROM_PER_NM, axes_or_new

__all__ = [
    "plot_ca_trace",
    "plot_density_1d",
    "plot_fes_1d",
    "plot_timescale_bars",
    "plot_traces",
    "plot_transition_matrix",
]


def plot_density_1d(
    centres,
    reference,
    samples: Mapping[str, np.ndarray],
    edges,
    ax: Axes | None = None,
    densities: Mapping[str, np.ndarray] | None = None,
) -> Axes:
    """Stationary densities: a reference curve and histograms of trajectories (Fig. 2a).

    Parameters
    ----------
    centres, reference : numpy.ndarray, shape (n_bins,)
        Bin centres and the reference density (e.g. Boltzmann), 1/length.
    samples : mapping of str to numpy.ndarray
        Label -> positions; histogrammed on ``edges`` as densities.
    densities : mapping of str to numpy.ndarray, optional
        Label -> densities already histogrammed on ``edges``, shape (n_bins,).
    """
    ax = axes_or_new(ax)
    ax.plot(centres, reference, "k-", lw=2, label="Boltzmann (analytic)")
    hists = {k: np.histogram(np.ravel(x), edges, density=True)[0] for k, x in samples.items()}
    hists.update(densities or {})
    for label, h in hists.items():
        ax.step(centres, h, where="mid", label=label)
    ax.set_xlabel("x")
    ax.set_ylabel("density")
    ax.legend(frameon=False)
    return ax


def plot_traces(
    series: Mapping[str, tuple[np.ndarray, np.ndarray]], ax: Axes | None = None, ylabel: str = "x"
) -> Axes:
    """Time series, one per label: label -> (time, values) (Fig. 2b)."""
    ax = axes_or_new(ax)
    for label, (t, x) in series.items():
        ax.plot(t, x, lw=0.6, label=label)
    ax.set_xlabel("time")
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False, loc="upper right")
    return ax


def plot_transition_matrix(P, edges, ax: Axes | None = None, title: str = "") -> Axes:
    """Transition density ``p(x_{t+tau} | x_t)`` on bins as an image (Fig. 2c/d)."""
    ax = axes_or_new(ax)
    ax.pcolormesh(edges, edges, np.asarray(P).T, cmap="magma", shading="flat")
    ax.set_xlabel("$x_t$")
    ax.set_ylabel(r"$x_{t+\tau}$")
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)
    return ax


def plot_timescale_bars(
    values: Mapping[str, np.ndarray],
    errors: Mapping[str, np.ndarray] | None = None,
    ax: Axes | None = None,
    unit: str = "",
) -> Axes:
    """Grouped bars of leading implied timescales per source (log scale)."""
    ax = axes_or_new(ax)
    k = len(next(iter(values.values())))
    w = 0.8 / len(values)
    for n, (label, v) in enumerate(values.items()):
        err = None if errors is None or label not in errors else errors[label]
        ax.bar(np.arange(k) + n * w, v, w, yerr=err, label=label, capsize=3)
    ax.set_xticks(np.arange(k) + 0.4 - w / 2, [f"$t_{i + 1}$" for i in range(k)])
    ax.set_yscale("log")
    ax.set_ylabel(f"implied timescale{f' ({unit})' if unit else ''}")
    ax.legend(frameon=False)
    return ax


def plot_fes_1d(
    centres,
    profiles: Mapping[str, tuple[np.ndarray, np.ndarray]],
    ax: Axes | None = None,
    xlabel: str = r"$\psi_1$",
) -> Axes:
    """Free-energy profiles with standard-error bands: label -> (F, se), kT (Fig. 3)."""
    ax = axes_or_new(ax)
    for label, (F, se) in profiles.items():
        (line,) = ax.plot(centres, F, label=label)
        if se is not None:
            ax.fill_between(centres, F - se, F + se, color=line.get_color(), alpha=0.3, lw=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("F (kT)")
    ax.legend(frameon=False)
    return ax


def plot_ca_trace(
    xyz_nm, ax: Axes | None = None, label: str = "", color=None, ref_nm=None
) -> Axes:
    """A C-alpha trace projected on two principal axes, Å (representative structures).

    Parameters
    ----------
    xyz_nm : numpy.ndarray, shape (N, 3)
        Coordinates, nm.
    ref_nm : numpy.ndarray, shape (N, 3), optional
        Project on this structure's principal axes (and centre), so that several traces
        superposed on it share one view; default the trace's own.
    """
    ax = axes_or_new(ax)
    X = np.asarray(xyz_nm) * ANGSTROM_PER_NM
    R = X if ref_nm is None else np.asarray(ref_nm) * ANGSTROM_PER_NM
    centre = R.mean(0)
    _, _, vt = np.linalg.svd(R - centre, full_matrices=False)
    p = (X - centre) @ vt[:2].T
    ax.plot(p[:, 0], p[:, 1], "-o", ms=3, lw=1.2, label=label, color=color)
    ax.plot(p[:1, 0], p[:1, 1], "s", ms=5, color="k")
    ax.set_aspect("equal")
    ax.set_xlabel("PC1 (Å)")
    ax.set_ylabel("PC2 (Å)")
    return ax
