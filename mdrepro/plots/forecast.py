"""Figures of the LSTM forecasting chapter (Gupta, Cava et al. 2020, Figs. 6-8).

Every function takes ``ax=None`` (a new figure is created if None) and returns the Axes it
drew on. RMSDs arrive in nm, as :mod:`mdrepro.papers.gupta2020.study` returns them, and are
plotted in Angstrom; losses are plotted as given (mean squared errors in standardised units).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from mdrepro.errors import DataError
from mdrepro.plots.style import ANGSTROM_PER_NM, axes_or_new

__all__ = [
    "plot_loss_curves",
    "plot_lr_curves",
    "plot_rmsd_comparison",
    "plot_lead_sweep",
    "plot_layout_comparison",
]

#: The paper's colours for histories 1, 5 and 10 (black, red, blue).
HISTORY_COLOURS = ("black", "tab:red", "tab:blue")


def _curves(runs, name: str) -> list[np.ndarray]:
    """One or several 1-D loss curves (seeds) as a list of float arrays."""
    if isinstance(runs, np.ndarray) and runs.ndim == 1:
        runs = [runs]
    out = [np.asarray(r, dtype=np.float64) for r in runs]
    if not out or any(r.ndim != 1 or r.size == 0 for r in out):
        raise DataError(f"expected one or more 1-D loss curves for {name!r}")
    return out


def plot_loss_curves(
    curves: Mapping[str, Sequence],
    ax: Axes | None = None,
    logy: bool = True,
    colours: Sequence[str] | None = None,
    ylabel: str = "training loss (MSE, standardised units)",
    legend_title: str | None = None,
) -> Axes:
    """Loss against epoch, one colour per setting, a band over seeds (Figs. 6A/B, 8A/B).

    Parameters
    ----------
    curves : mapping of str to sequence of array_like
        Label -> loss curves of the seeds, each ``(epochs + 1,)`` (epoch 0 = untrained; NaN
        after a divergence). A single array counts as one seed.
    ax : matplotlib.axes.Axes, optional
    logy : bool
        Logarithmic loss axis.
    colours : sequence of str, optional
        One per label (default the paper's black, red, blue, then the colour cycle).
    ylabel : str
    legend_title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    The line is the median over seeds, the band spans the lowest to the highest seed; a
    diverged seed ends with a cross at its last finite epoch.
    """
    if not len(curves):
        raise DataError("expected at least one loss curve, found none")
    ax = axes_or_new(ax)
    cols = list(colours) if colours is not None else list(HISTORY_COLOURS)
    for i, (label, runs) in enumerate(curves.items()):
        rs = _curves(runs, label)
        n = max(r.size for r in rs)
        m = np.full((len(rs), n), np.nan)
        for k, r in enumerate(rs):
            m[k, : r.size] = r
        colour = cols[i] if i < len(cols) else f"C{i % 10}"
        ep = np.arange(n)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN epochs after divergence
            med = np.nanmedian(m, axis=0)
            lo, hi = np.nanmin(m, axis=0), np.nanmax(m, axis=0)
        med = np.where(np.isfinite(med), med, np.nan)
        ax.plot(ep, med, color=colour, label=label)
        if len(rs) > 1:
            ok = np.isfinite(lo) & np.isfinite(hi)
            ax.fill_between(ep[ok], lo[ok], hi[ok], color=colour, alpha=0.2, lw=0)
        for r in rs:
            bad = ~np.isfinite(r)
            if bad.any():
                good = np.flatnonzero(~bad)
                last = good[-1] if good.size else 0
                y = r[last] if good.size else np.nan
                ax.plot([last], [y], marker="x", color=colour, ms=8, ls="")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.legend(title=legend_title, loc="best")
    return ax


def plot_lr_curves(
    curves: Mapping[str, Sequence],
    ax: Axes | None = None,
    verdicts: Mapping[str, str] | None = None,
    ylabel: str = "training loss (MSE, standardised units)",
) -> Axes:
    """Loss against epoch for each learning rate (Fig. 7).

    Parameters
    ----------
    curves : mapping of str to sequence of array_like
        Label (e.g. ``"lr 0.01"``) -> loss curves of the seeds.
    ax : matplotlib.axes.Axes, optional
    verdicts : mapping of str to str, optional
        Label -> verdict (``"unstable"``, ``"slow"``, ``"converged"``), appended to the legend.
    ylabel : str

    Returns
    -------
    matplotlib.axes.Axes
    """
    labelled = {
        (f"{k} ({verdicts[k]})" if verdicts and k in verdicts else k): v for k, v in curves.items()
    }
    cmap = plt.get_cmap("viridis")
    colours = [cmap(x) for x in np.linspace(0.0, 0.9, len(labelled))]
    return plot_loss_curves(
        labelled, ax=ax, colours=colours, ylabel=ylabel, legend_title="learning rate"
    )


def plot_rmsd_comparison(
    dists: Mapping[str, np.ndarray],
    ax: Axes | None = None,
    kind: str = "violin",
    colours: Mapping[str, str] | None = None,
) -> Axes:
    """Distributions of per-frame RMSD of several forecasters (Figs. 6C/D, 8C/D).

    Parameters
    ----------
    dists : mapping of str to array_like
        Forecaster -> per-frame Eq. 1 RMSDs, nm (plotted in Å); non-finite values (a diverged
        run) are left out, and a forecaster without finite values is marked "n/a".
    ax : matplotlib.axes.Axes, optional
    kind : {"violin", "box"}
    colours : mapping of str to str, optional
        Forecaster -> colour (default: LSTM black, static grey, ARIMA red as in the paper).

    Returns
    -------
    matplotlib.axes.Axes
    """
    if kind not in ("violin", "box"):
        raise DataError(f"expected kind 'violin' or 'box', found {kind!r}")
    if not len(dists):
        raise DataError("expected at least one RMSD distribution, found none")
    default = {"LSTM": "black", "static": "0.6", "ARIMA": "tab:red"}
    colours = {**default, **(colours or {})}
    ax = axes_or_new(ax)
    labels = list(dists)
    for i, label in enumerate(labels):
        v = np.asarray(dists[label], dtype=np.float64).ravel() * ANGSTROM_PER_NM
        v = v[np.isfinite(v)]
        colour = colours.get(label, f"C{i % 10}")
        if v.size == 0:
            ax.text(i, 0.5, "n/a", transform=ax.get_xaxis_transform(), ha="center")
            continue
        if kind == "violin" and v.size > 1 and np.ptp(v) > 0:
            parts = ax.violinplot([v], positions=[i], showmedians=True, widths=0.8)
            for body in parts["bodies"]:
                body.set_facecolor(colour)
                body.set_edgecolor(colour)
                body.set_alpha(0.35)
            for key in ("cmedians", "cmins", "cmaxes", "cbars"):
                if key in parts:
                    parts[key].set_color(colour)
        else:
            ax.boxplot(
                [v],
                positions=[i],
                widths=0.5,
                showfliers=False,
                medianprops={"color": colour},
                boxprops={"color": colour},
                whiskerprops={"color": colour},
                capprops={"color": colour},
            )
    ax.set_xticks(range(len(labels)), labels)
    ax.set_xlim(-0.6, len(labels) - 0.4)
    ax.set_ylabel("per-frame RMSD, Eq. 1 (Å)")
    return ax


def plot_lead_sweep(
    lead_fs,
    lstm_A,
    static_A,
    lstm_lo_A=None,
    lstm_hi_A=None,
    ax: Axes | None = None,
    label: str = "LSTM",
    colour: str = "black",
    logy: bool = False,
) -> Axes:
    """Median test RMSD against lead time, LSTM vs static model, with the seed spread.

    Parameters
    ----------
    lead_fs : array_like, shape (L,)
        Lead times, fs (log axis).
    lstm_A, static_A : array_like, shape (L,)
        Median over seeds of each run's median per-frame RMSD, **Å** (as in
        :func:`mdrepro.papers.gupta2020.study.lead_sweep_table`).
    lstm_lo_A, lstm_hi_A : array_like, shape (L,), optional
        Lowest and highest seed, Å: drawn as a band.
    ax : matplotlib.axes.Axes, optional
    label, colour : str
        Legend label and colour of the LSTM line (call again on the same Axes to add a variant).
    logy : bool
        Logarithmic RMSD axis (when the forecasters differ by orders of magnitude).

    Returns
    -------
    matplotlib.axes.Axes
    """
    x = np.asarray(lead_fs, dtype=np.float64)
    y = np.asarray(lstm_A, dtype=np.float64)
    s = np.asarray(static_A, dtype=np.float64)
    if x.ndim != 1 or y.shape != x.shape or s.shape != x.shape:
        raise DataError(
            f"expected lead_fs, lstm_A and static_A of one length, found {x.shape}, {y.shape}, "
            f"{s.shape}"
        )
    ax = axes_or_new(ax)
    ax.plot(x, y, marker="o", color=colour, label=label)
    if lstm_lo_A is not None and lstm_hi_A is not None:
        lo, hi = np.asarray(lstm_lo_A, float), np.asarray(lstm_hi_A, float)
        if np.any(lo != hi):
            ax.fill_between(x, lo, hi, color=colour, alpha=0.2, lw=0)
    if not any(line.get_label() == "static model" for line in ax.get_lines()):
        ax.plot(x, s, marker="s", color="0.5", ls="--", label="static model")
    ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("lead time (fs)")
    ax.set_ylabel("median per-frame RMSD, Eq. 1 (Å)")
    ax.legend(loc="best")
    return ax


def plot_layout_comparison(
    values: Mapping[str, np.ndarray], ax: Axes | None = None, static=None
) -> Axes:
    """Kirchhoff decomposition vs whole-structure model: test RMSD distributions (box plot).

    Parameters
    ----------
    values : mapping of str to array_like
        Layout label -> per-frame RMSDs, nm (plotted in Å).
    ax : matplotlib.axes.Axes, optional
    static : array_like, optional
        Static-model RMSDs on the same frames, nm: drawn as a dashed median line.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = plot_rmsd_comparison(values, ax=ax, kind="box", colours={})
    if static is not None:
        s = np.asarray(static, dtype=np.float64) * ANGSTROM_PER_NM
        ax.axhline(float(np.median(s)), color="0.5", ls="--", lw=1, label="static model (median)")
        ax.legend(loc="best")
    return ax
