"""Figures of the MD characterisation chapter (Gupta, Cava et al. 2020, Figs. 2-5).

Every function takes ``ax=None`` (a new figure is created if None) and returns the Axes it
drew on. Lengths arrive in nm, as :mod:`mdrepro.analysis` returns them, and are plotted in
Angstrom (the paper's unit); every axis label names its unit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from scipy.stats import gaussian_kde

from mdrepro.errors import DataError
from mdrepro.plots.style import ANGSTROM_PER_NM, FAST_REGION_COLOR, axes_or_new

__all__ = [
    "plot_rmsd_time",
    "plot_kurtosis",
    "plot_lead_distributions",
    "plot_autocorrelation",
    "plot_pulling",
    "save_figure",
]

#: Most points a KDE is evaluated from; longer series are thinned by an even stride.
KDE_MAX_POINTS = 20_000


def _series(x, name: str, length: int | None = None) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 1:
        raise DataError(f"expected a 1-D array {name}, found shape {arr.shape}")
    if length is not None and arr.shape[0] != length:
        raise DataError(f"expected {length} values in {name}, found {arr.shape[0]}")
    return arr


def plot_rmsd_time(t_fs, rmsd_nm, regions=None, ax: Axes | None = None, label=None) -> Axes:
    """RMSD against time, with the regions of fast evolution shaded blue (Figs. 2A, 4C).

    Parameters
    ----------
    t_fs : array_like, shape (T,)
        Time of each frame, fs.
    rmsd_nm : array_like, shape (T,)
        RMSD per frame, nm (e.g. :func:`mdrepro.analysis.rmsd_to_first`); plotted in Angstrom.
    regions : array_like, shape (M, 2), optional
        ``[start, end]`` times in fs (e.g. :func:`mdrepro.analysis.fast_regions`). Each band
        is widened by half a frame interval on both sides so one-frame regions show.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.
    label : str, optional
        Legend label of the RMSD line.

    Returns
    -------
    matplotlib.axes.Axes
    """
    t = _series(t_fs, "t_fs")
    y = _series(rmsd_nm, "rmsd_nm", len(t)) * ANGSTROM_PER_NM
    ax = axes_or_new(ax)
    ax.plot(t, y, lw=0.8, label=label)
    if regions is not None:
        reg = np.asarray(regions, dtype=np.float64).reshape(-1, 2) if np.size(regions) else []
        half = 0.5 * float(np.median(np.diff(t))) if len(t) > 1 else 0.0
        for i, (start, end) in enumerate(reg):
            ax.axvspan(
                start - half,
                end + half,
                color=FAST_REGION_COLOR,
                alpha=0.2,
                lw=0,
                label="fast evolution" if i == 0 else None,
            )
    ax.set_xlabel("time (fs)")
    ax.set_ylabel("RMSD to first frame, Eq. 1 (Å)")
    if label is not None or (regions is not None and np.size(regions)):
        ax.legend(loc="best")
    return ax


_AXIS_MARKERS = {"x": "o", "y": "s", "z": "^"}


def plot_kurtosis(k, ax: Axes | None = None, labels=None) -> Axes:
    """Excess kurtosis of each particle's x, y and z position (Figs. 2C, 4B).

    Parameters
    ----------
    k : array_like, shape (N, 3) or (N,)
        Excess kurtosis per particle (and axis), e.g. :func:`mdrepro.analysis.excess_kurtosis`;
        NaN entries are left out.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.
    labels : array_like of int, shape (N,), optional
        Class of each particle (e.g. ``kurtosis_classes(k).labels``): points are coloured by
        class, and the marker shows the axis (circle x, square y, triangle z).

    Returns
    -------
    matplotlib.axes.Axes
    """
    data = np.asarray(k, dtype=np.float64)
    if data.ndim == 1:
        data = data[:, None]
    if data.ndim != 2 or data.shape[1] not in (1, 3):
        raise DataError(f"expected kurtosis of shape (N,) or (N, 3), found shape {np.shape(k)}")
    n = data.shape[0]
    idx = np.arange(n)
    names = ["x", "y", "z"] if data.shape[1] == 3 else ["all"]
    ax = axes_or_new(ax)
    ax.axhline(0.0, color="0.5", ls=":", lw=1)
    if labels is None:
        for j, name in enumerate(names):
            ax.plot(idx, data[:, j], ls="", marker=_AXIS_MARKERS.get(name, "o"), ms=3, label=name)
        if len(names) > 1:
            ax.legend(title="axis", loc="best")
    else:
        lab = np.asarray(labels)
        if lab.shape != (n,) or lab.dtype.kind not in "iu":
            raise DataError(f"expected {n} integer class labels, found shape {lab.shape}")
        classes = np.unique(lab)
        colours = {c: f"C{i % 10}" for i, c in enumerate(classes)}
        point_colours = [colours[c] for c in lab]
        for j, name in enumerate(names):
            ax.scatter(idx, data[:, j], c=point_colours, marker=_AXIS_MARKERS.get(name, "o"), s=10)
        handles = [Patch(color=colours[c], label=f"class {c}") for c in classes]
        if len(names) > 1:
            handles += [
                Line2D([], [], ls="", marker=_AXIS_MARKERS[nm], color="0.4", label=nm)
                for nm in names
            ]
        ax.legend(handles=handles, loc="best")
    ax.set_xlabel("particle index")
    ax.set_ylabel("excess kurtosis (Gaussian = 0)")
    return ax


def plot_lead_distributions(
    table: Mapping, ax: Axes | None = None, kind: str = "kde", cmap: str = "viridis"
) -> Axes:
    """Distributions of static-model errors, one curve per lead time (Figs. 3, 5).

    Parameters
    ----------
    table : mapping of float to array_like
        ``{lead_fs: errors_nm}`` as :func:`mdrepro.analysis.lead_time_table` returns; errors
        are plotted in Angstrom, the legend gives the leads in fs.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.
    kind : {"kde", "hist"}, optional
        Gaussian kernel density estimate (Scott's bandwidth; from at most
        :data:`KDE_MAX_POINTS` points, thinned by an even stride), or a density histogram
        drawn as a step line. A lead whose errors are all equal is drawn as a vertical line.
    cmap : str, optional
        Colormap over the leads (in the order of ``table``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    if kind not in ("kde", "hist"):
        raise DataError(f"expected kind 'kde' or 'hist', found {kind!r}")
    if not len(table):
        raise DataError("expected at least one lead time in table, found none")
    ax = axes_or_new(ax)
    colours = plt.get_cmap(cmap)(np.linspace(0.0, 0.9, len(table)))
    for colour, (lead, values) in zip(colours, table.items(), strict=True):
        v = _series(values, f"table[{lead}]") * ANGSTROM_PER_NM
        label = f"{float(lead):g} fs"
        if v.size == 0 or not np.isfinite(v).all():
            raise DataError(f"expected finite errors for lead {lead}, found NaN or none")
        if v.size < 2 or np.ptp(v) == 0:
            ax.axvline(v[0], color=colour, label=label)
        elif kind == "hist":
            ax.hist(v, bins=50, density=True, histtype="step", color=colour, label=label)
        else:
            sample = v[:: max(1, -(-v.size // KDE_MAX_POINTS))]
            kde = gaussian_kde(sample)
            pad = 3.0 * float(np.sqrt(kde.covariance[0, 0]))
            grid = np.linspace(max(0.0, v.min() - pad), v.max() + pad, 256)
            ax.plot(grid, kde(grid), color=colour, label=label)
    ax.set_xlabel("static-model RMSD, Eq. 1 (Å)")
    ax.set_ylabel("density (1/Å)")
    ax.legend(title="lead time", loc="best")
    return ax


def plot_autocorrelation(
    lag_fs,
    acf,
    tau_fs=None,
    ax: Axes | None = None,
    label=None,
    logx: bool = False,
    threshold: float = 1.0 / np.e,
) -> Axes:
    """Autocorrelation function against lag, with the decorrelation time marked (Figs. 4D, 4E).

    Parameters
    ----------
    lag_fs : array_like, shape (L,)
        Lags, fs.
    acf : array_like, shape (L,)
        Normalised autocorrelation (e.g. :func:`mdrepro.analysis.autocorrelation`).
    tau_fs : float, optional
        Decorrelation time, fs (e.g. :func:`mdrepro.analysis.decorrelation_time`): a dashed
        vertical line, plus a dotted line at ``threshold``. Not drawn if infinite.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.
    label : str, optional
        Legend label of the curve.
    logx : bool, optional
        Logarithmic lag axis (lag 0 is then left out).
    threshold : float, optional
        Level that defines ``tau_fs``, drawn with it; default 1/e.

    Returns
    -------
    matplotlib.axes.Axes
    """
    lag = _series(lag_fs, "lag_fs")
    c = _series(acf, "acf", len(lag))
    ax = axes_or_new(ax)
    keep = lag > 0 if logx else np.ones(len(lag), dtype=bool)
    (line,) = ax.plot(lag[keep], c[keep], label=label)
    if tau_fs is not None and np.isfinite(tau_fs):
        ax.axhline(threshold, color="0.5", ls=":", lw=1)
        ax.axvline(
            float(tau_fs), color=line.get_color(), ls="--", lw=1, label=f"τ = {tau_fs:.3g} fs"
        )
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel("lag (fs)")
    ax.set_ylabel("autocorrelation")
    if label is not None or (tau_fs is not None and np.isfinite(tau_fs)):
        ax.legend(loc="best")
    return ax


def plot_pulling(t_ps, force_pN, work_kcal=None, ax: Axes | None = None) -> Axes:
    """Steered-MD pulling force against time, and the work on a twin axis.

    Parameters
    ----------
    t_ps : array_like, shape (T,)
        Time, ps.
    force_pN : array_like, shape (T,)
        Pulling force, pN.
    work_kcal : array_like, shape (T,), optional
        Accumulated work, kcal/mol, drawn against a right-hand axis (a twin Axes; it is the
        last entry of ``ax.figure.axes`` afterwards).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.

    Returns
    -------
    matplotlib.axes.Axes
        The force axes.
    """
    t = _series(t_ps, "t_ps")
    f = _series(force_pN, "force_pN", len(t))
    ax = axes_or_new(ax)
    handles = ax.plot(t, f, color="C0", lw=0.8, label="force")
    ax.set_xlabel("time (ps)")
    ax.set_ylabel("pulling force (pN)")
    if work_kcal is not None:
        w = _series(work_kcal, "work_kcal", len(t))
        twin = ax.twinx()
        handles += twin.plot(t, w, color="C3", lw=1.2, label="work")
        twin.set_ylabel("work (kcal/mol)")
        twin.spines["right"].set_visible(True)
        ax.legend(handles=handles, loc="upper left")
    return ax


def save_figure(fig, name: str, directory) -> Path:
    """Save a figure as ``directory/name.png`` at 150 dpi (directory created if needed).

    Parameters
    ----------
    fig : matplotlib.figure.Figure, matplotlib.axes.Axes or array of Axes
        The figure (or Axes of it, as plot functions return them).
    name : str
        File name without extension: letters, digits, ``-``, ``_`` and ``.``.
    directory : str or pathlib.Path
        Output folder.

    Returns
    -------
    pathlib.Path
        The path of the PNG written.
    """
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_.\-]+", name):
        raise DataError(f"expected a plain file name (letters, digits, -_.), found {name!r}")
    if isinstance(fig, np.ndarray | list | tuple):
        fig = np.ravel(fig)[0]
    figure = fig.figure if isinstance(fig, Axes) else fig
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name.removesuffix('.png')}.png"
    figure.savefig(path, dpi=150, bbox_inches="tight")
    return path
