"""The figures of chapter 3 (Cava et al.), one function per paper figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from mdrepro import plots, viz
from mdrepro.papers.cava.study import VARIANTS, GenerationResults
from mdrepro.units import A_PER_NM

#: Loss components of the VAE, in the order plotted.
VAE_TERMS = ("recon", "kl", "bonds", "angles", "torsions", "cv")


def pulling(ts, ax=None):
    """End2End distance of every replica and the restraint centre against time."""
    if "pulling" not in ts.tables:
        return plots.note_axes("no pulling record in these data", ax=ax)
    tab = ts.tables["pulling"].view(np.recarray)
    ax = plots.axes_or_new(ax, figsize=(6, 3.4), layout="constrained")
    for r in np.unique(tab.replica):
        s = tab[tab.replica == r]
        ax.plot(s.time_ps, A_PER_NM * s.end_to_end_nm, lw=0.8, color="0.6")
    ax.plot(s.time_ps, A_PER_NM * s.centre_nm, color="k", lw=2, label="restraint centre")
    ax.set_xlabel("time (ps)")
    ax.set_ylabel("End2End distance (Å)")
    ax.legend()
    return ax


def training(res: GenerationResults):
    """Loss components of the VAE (both variants) and the latent LSTM's MSE per epoch."""
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.6), layout="constrained")
    for ax, variant in zip(axes[:2], VARIANTS, strict=True):
        runs = res.of_variant(variant)
        losses = {k: np.array([r.vae_history.components[k] for r in runs]) for k in VAE_TERMS}
        plots.plot_training_history(losses, ax=ax, title=f"VAE, {variant}")
    plots.plot_training_history(
        {
            v: np.array([r.lstm_history.components["mse"] for r in res.of_variant(v)])
            for v in VARIANTS
        },
        ax=axes[2],
        title="latent LSTM (MSE)",
    )
    return fig


def _first_sequence(res: GenerationResults):
    import mdtraj as md

    first = res.of_variant("energy")[0]
    traj = md.Trajectory(first.generated[0], res.topology)
    return traj, viz.default_frames(traj.n_frames)


def fig2_view(res: GenerationResults):
    """Fig. 2, interactive: frames of the sequence generated from the first held-out start."""
    traj, strip = _first_sequence(res)
    return viz.trajectory_view(traj, frames=strip, representation="licorice", opacity=0.8)


def fig2(res: GenerationResults):
    """Fig. 2: a static strip of generated frames, each titled with its End2End distance."""
    traj, strip = _first_sequence(res)
    e2e = res.analysis(res.seeds[0], "energy").e2e_generated[0]
    axes = viz.static_snapshots(traj, strip)
    for ax, i in zip(np.atleast_1d(axes), strip, strict=True):
        ax.set_title(f"frame {i + 1}: {e2e[i]:.1f} Å")
    return axes


def fig3(res: GenerationResults, n_show: int = 2):
    """Fig. 3: End2End along the generated sequence (median over seeds, band: range) and the
    MD replica it started from, for the first held-out replicas.
    """
    energy = [res.analysis(s, "energy") for s in res.seeds]
    n_show = min(n_show, energy[0].e2e_generated.shape[0])
    fig, axes = plt.subplots(
        1, n_show, figsize=(5.5 * n_show, 3.6), layout="constrained", squeeze=False
    )
    for j, ax in enumerate(axes[0]):
        g = np.array([a.e2e_generated[j] for a in energy])
        t = energy[0].e2e_truth[j]
        plots.plot_end_to_end_sequence(np.median(g, 0), t, ax=ax, spread_A=(g.min(0), g.max(0)))
        ax.set_title(f"held-out replica {j + 1}, steps {res.params['seq_stride']} frames apart")
    return fig


def geometry(res: GenerationResults):
    """Bond-length and angle deviations of MD, reconstructed and generated frames."""
    dev = res.pooled("deviation", "all")
    fig, axes = plt.subplots(1, 2, figsize=(12, 4), layout="constrained")
    plots.plot_deviation_distributions({k: v["bonds"] for k, v in dev.items()}, ax=axes[0])
    plots.plot_deviation_distributions(
        {k: v["angles"] for k, v in dev.items()}, ax=axes[1], unit="deg", what="angle"
    )
    return fig


def energies(res: GenerationResults):
    """Bonded energy terms of MD and generated frames (both variants)."""
    ene = res.pooled("energy", "generated")
    fig, axes = plt.subplots(1, 4, figsize=(18, 3.8), layout="constrained")
    for ax, term in zip(axes, ["bonds", "angles", "torsions", "total"], strict=True):
        plots.plot_energy_distributions({k: v[term] for k, v in ene.items()}, ax=ax, term=term)
    return fig


# ============================================================================ reproduce
def _ch03(ctx):
    from mdrepro.papers.cava import datasets, study

    data = datasets.load(ctx)
    return data, study.generation(ctx, data, progress=False)


#: Every figure of chapter 3 by name: a function of the chapter's context that computes (or
#: loads) the results on the built-in data and draws it (``mdrepro figure ch03-fig3``).
FIGURES = {
    "ch03": {
        "pulling": lambda ctx: pulling(_ch03(ctx)[0].set),
        "training": lambda ctx: training(_ch03(ctx)[1]),
        "fig2": lambda ctx: fig2(_ch03(ctx)[1]),
        "fig3": lambda ctx: fig3(_ch03(ctx)[1]),
        "geometry": lambda ctx: geometry(_ch03(ctx)[1]),
        "energies": lambda ctx: energies(_ch03(ctx)[1]),
    }
}
