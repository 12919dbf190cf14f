"""The figures of Sidky, Chen & Ferguson (2020), one function per paper figure."""

from __future__ import annotations

import matplotlib.pyplot as plt

from mdrepro import plots
from mdrepro.papers.sidky2020.params import PAPER_FES_RMSE_KT
from mdrepro.papers.sidky2020.study import FourWellResult, TrpcageResult

_TITLES = {"srv": "SRV (-VAMP-2)", "mdn": "MDN (NLL)", "gan": "cWGAN (W estimate)"}


def _skipped():
    return plots.note_axes("four-well section not run (FOURWELL = False)")


def fig2(fw: FourWellResult | None):
    """Fig. 2: (a) stationary density, (b) trajectories, (c, d) transition densities."""
    if fw is None:
        return _skipped()
    ref = fw.reference
    fig, axes = plt.subplots(2, 2, figsize=(11, 9), layout="constrained")
    plots.plot_density_1d(
        ref["centres"],
        ref["boltzmann"],
        {},
        ref["edges"],
        ax=axes[0, 0],
        densities={"Brownian dynamics": fw.density_brownian, "MDN": fw.density_mdn},
    )
    axes[0, 0].set_title(f"(a) stationary density, a = {fw.a:g}")
    plots.plot_traces(
        {
            "Brownian dynamics": (fw.trace_t, fw.trace_brownian),
            "MDN": (fw.trace_t, fw.trace_mdn),
        },
        ax=axes[0, 1],
    )
    axes[0, 1].set_title(r"(b) trajectories, one point per $\tau$")
    lag_t = fw.lag * fw.dt
    plots.plot_transition_matrix(
        fw.p_analytic,
        ref["edges"],
        ax=axes[1, 0],
        title=rf"(c) analytic (Smoluchowski), $\tau$ = {lag_t:g}",
    )
    plots.plot_transition_matrix(fw.p_mdn, ref["edges"], ax=axes[1, 1], title="(d) learned (MDN)")
    return fig


def fig2_timescales(fw: FourWellResult | None):
    """The paper's one-step kernel, and the implied timescales: analytic, Brownian, MDN."""
    if fw is None:
        return _skipped()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    plots.plot_transition_matrix(
        fw.reference["paper_kernel"],
        fw.reference["edges"],
        ax=axes[0],
        title="paper's 100-bin kernel (one step)",
    )
    ts = fw.timescales
    plots.plot_timescale_bars(
        {"analytic": ts["analytic"], "Brownian MSM": ts["brownian"], "MDN MSM": ts["mdn"]},
        ax=axes[1],
        unit="time units",
    )
    return fig


def training(res: TrpcageResult):
    """Loss curves of the three networks of the LSS."""
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.4), layout="constrained")
    for ax, (k, f) in zip(axes, res.fits.items(), strict=True):
        ax.plot(f.epoch_numbers(), f.train_loss, label="train")
        ax.plot(
            f.epoch_numbers(),
            f.val_loss,
            label="validation" if k != "gan" else "generator",
        )
        ax.set_title(_TITLES[k])
        ax.set_xlabel("epoch")
        ax.legend(frameon=False)
    return fig


def _trace(ax, res: TrpcageResult, s) -> None:
    plots.plot_ca_trace(res.native, ax=ax, label="native", color="0.7")
    plots.plot_ca_trace(s.xyz, ax=ax, label=s.source, ref_nm=res.native)


def fig3(res: TrpcageResult):
    """Fig. 3: free energy along psi_1, MD vs LSS, with folded and unfolded structures."""
    fig = plt.figure(figsize=(12, 4.2), layout="constrained")
    gs = fig.add_gridspec(2, 4)
    ax = fig.add_subplot(gs[:, :2])
    plots.plot_fes_1d(
        res.fes_centres,
        {"MD": (res.fes_md, res.fes_md_se), "LSS": (res.fes_lss, res.fes_lss_se)},
        ax=ax,
    )
    ax.set_title(f"RMSE {res.fes_rmse:.2f} kT (paper {PAPER_FES_RMSE_KT} kT)")
    for col, name in enumerate(["folded", "unfolded"]):
        for row, src in enumerate(["MD", "LSS"]):
            s = next(x for x in res.structures if x.label == name and x.source == src)
            axs = fig.add_subplot(gs[row, 2 + col])
            _trace(axs, res, s)
            axs.set_title(f"{src}, {name}", fontsize=9)
    return fig


def fig3_structures(res: TrpcageResult):
    """Representative MD and LSS structures at the 5th, 50th, 95th percentile of psi_1."""
    fig, axes = plt.subplots(2, 3, figsize=(11, 6.5), layout="constrained")
    for col, name in enumerate(["folded", "intermediate", "unfolded"]):
        for row, src in enumerate(["MD", "LSS"]):
            s = next(x for x in res.structures if x.label == name and x.source == src)
            _trace(axes[row, col], res, s)
            axes[row, col].set_title(f"{src}, {name} (psi_1 = {s.psi1:.2f})", fontsize=9)
    axes[0, 0].legend(frameon=False)
    return fig


def table1(res: TrpcageResult, ax=None):
    """Table 1 as bars: implied timescales t_1..t_m, MD vs LSS, with block errors."""
    ax = plots.axes_or_new(ax, figsize=(6, 4), layout="constrained")
    return plots.plot_timescale_bars(
        {"MD": res.t_md, "LSS": res.t_lss}, {"MD": res.se_md, "LSS": res.se_lss}, ax=ax, unit="ns"
    )


def fig4(res: TrpcageResult):
    """Fig. 4: free energy on pairs of the leading three TICA coordinates, MD and LSS."""
    fig, axes = plt.subplots(2, 3, figsize=(14, 8), layout="constrained")
    for col, ((i, j), (bx, by)) in enumerate(zip(res.tica_pairs, res.tica_edges, strict=True)):
        for row, (F, lab) in enumerate(
            [(res.tica_fes_md[col], "MD"), (res.tica_fes_lss[col], "LSS")]
        ):
            plots.plot_free_energy(
                F,
                bx,
                by,
                ax=axes[row, col],
                title=lab,
                xlabel=f"TIC {i + 1}",
                ylabel=f"TIC {j + 1}",
            )
    return fig


def structures(res: TrpcageResult):
    """Radius of gyration and folded RMSD to native, MD vs decoded LSS structures."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    plots.plot_distributions(
        {"MD": res.rg_values_md, "LSS": res.rg_values_lss},
        bins=60,
        xlabel="radius of gyration (Å)",
        ax=axes[0],
    )
    plots.plot_distributions(
        {"MD": res.rmsd_folded_md, "LSS": res.rmsd_folded_lss},
        bins=60,
        xlabel="folded C-alpha RMSD to native (Å)",
        ax=axes[1],
    )
    return fig


# ============================================================================ reproduce
def _fw(ctx):
    from mdrepro.papers.sidky2020 import study

    return study.fourwell(ctx)


def _trp(ctx):
    from mdrepro.papers.sidky2020 import datasets, study

    return study.trpcage(ctx, datasets.load_trpcage(ctx))


#: Every figure of chapter 4 by name: a function of the chapter's context that computes (or
#: loads) the results on the built-in data and draws it (``mdrepro figure ch04-fig3``).
FIGURES = {
    "ch04": {
        "fig2": lambda ctx: fig2(_fw(ctx)),
        "fig2_timescales": lambda ctx: fig2_timescales(_fw(ctx)),
        "training": lambda ctx: training(_trp(ctx)),
        "fig3": lambda ctx: fig3(_trp(ctx)),
        "fig3_structures": lambda ctx: fig3_structures(_trp(ctx)),
        "table1": lambda ctx: table1(_trp(ctx)),
        "fig4": lambda ctx: fig4(_trp(ctx)),
        "structures": lambda ctx: structures(_trp(ctx)),
    }
}
