"""The figures of Winkler & Sauceda (2020), one function per slide figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from mdrepro import plots
from mdrepro.papers.winkler2020.study import InterpolationResults
from mdrepro.plots.interpolation import plot_loss_curves


def training(res: InterpolationResults):
    """Loss curves of every fit (median over seeds): the four models, then the others."""
    p = res.params
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
    plot_loss_curves(res.loss_curves([("300K", m) for m in p["models"]]), ax=axes[0])
    axes[0].set_title("MDA 300 K, four models")
    tm = p["temperature_model"]
    other = [("100K", tm), ("500K", tm), ("benzene", p["benzene_model"])]
    plot_loss_curves(res.loss_curves(other), ax=axes[1])
    for line, c in zip(axes[1].get_lines(), np.repeat(["C4", "C5", "C6"], 2), strict=False):
        line.set_color(c)
    axes[1].legend(fontsize=7, ncol=2)
    axes[1].set_title("temperature and benzene models")
    return fig


def benzene(res: InterpolationResults):
    """Benzene: two coordinates over test segments, MD vs uni- and bi-directional."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.6), layout="constrained")
    for k, ax in enumerate(axes):
        plots.plot_interpolation_traces(
            res.benzene_t_fs,
            res.benzene_truth[:, k],
            {"uni-directional": res.benzene_uni[:, k], "bi-directional": res.benzene_bi[:, k]},
            segment_steps=res.params["n_steps"],
            ylabel=res.benzene_labels[k],
            ax=ax,
        )
        ax.set_title(f"benzene, {res.params['benzene_model']}")
    return fig


def temperatures(res: InterpolationResults):
    """MDA at 100, 300, 500 K: distances, velocities and spectra, MD vs interpolated."""
    fig, axes = plt.subplots(3, 3, figsize=(13, 9.5), layout="constrained")
    for row, (k, t) in enumerate(res.temperatures.items()):
        plots.plot_distributions(
            {"MD": t.distances_md, "interpolated": t.distances_interp},
            bins=120,
            xlabel="interatomic distance (Å)",
            ax=axes[row, 0],
        )
        plots.plot_distributions(
            {"MD": t.velocities_md, "interpolated": t.velocities_interp},
            bins=80,
            xlabel="velocity (Å/fs)",
            ax=axes[row, 1],
        )
        plots.plot_spectra(
            t.wavenumber, {"MD": t.vdos_md, "interpolated": t.vdos_interp}, ax=axes[row, 2]
        )
        axes[row, 0].set_title(f"MDA {k}")
    return fig


def free_energy(res: InterpolationResults):
    """Free energy at 300 K: ground truth vs interpolated (temperature model, first seed)."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    lab = {"xlabel": "dihedral O1=C1–C2–C3 (deg)", "ylabel": "O1···H(C3) distance (Å)"}
    tm = res.params["temperature_model"]
    plots.plot_free_energy(
        res.fe_md, *res.fe_bins, ax=axes[0], title="MD (ground truth), 300 K", **lab
    )
    plots.plot_free_energy(
        res.fe_interp, *res.fe_bins, ax=axes[1], title=f"interpolated ({tm}, bi), 300 K", **lab
    )
    return fig


def error_vs_time(res: InterpolationResults, ax=None):
    """Position error over the segment: four models, uni and bi, and the Hermite reference."""
    ax = plots.axes_or_new(ax, figsize=(7, 4.2), layout="constrained")
    t = np.arange(res.params["n_steps"] + 1) * res.frame_fs["300K"]
    prof = {k: np.maximum(v, 1e-6) for k, v in res.profiles().items()}
    plots.plot_error_profiles(t, prof, ax=ax)
    ax.set_title("MDA 300 K")
    return ax


# ============================================================================ reproduce
def _ch05(ctx):
    from mdrepro.papers.winkler2020 import datasets, study

    return study.interpolation(ctx, datasets.load(ctx), progress=False)


#: Every figure of chapter 5 by name: a function of the chapter's context that computes (or
#: loads) the results on the built-in data and draws it (``mdrepro figure ch05-benzene_uni_bi``).
FIGURES = {
    "ch05": {
        "training": lambda ctx: training(_ch05(ctx)),
        "benzene_uni_bi": lambda ctx: benzene(_ch05(ctx)),
        "mda_temperatures": lambda ctx: temperatures(_ch05(ctx)),
        "free_energy_300K": lambda ctx: free_energy(_ch05(ctx)),
        "error_vs_time": lambda ctx: error_vs_time(_ch05(ctx)),
    }
}
