"""The figures of Gupta, Cava et al. (2020), one function per paper figure.

Each function takes typed results (or, for structure pictures, a trajectory set) and returns
the Figure; single-panel ones take ``ax=None`` and return the Axes. Lengths arrive in nm and
are drawn in Angstrom, as in the paper.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from mdrepro import plots, viz
from mdrepro.papers.gupta2020.study import (
    HYPOTHESES,
    NAMES,
    Characterisation,
    Diagnosis,
    ForecastResults,
)
from mdrepro.units import PS_PER_FS


# ============================================================================ chapter 1
def fig2a(res: Characterisation):
    """Fig. 2A: ADK RMSD to the first frame per copy, fast regions shaded."""
    adk = res.adk
    n = len(adk.rmsd_to_first)
    fig, axes = plt.subplots(1, n, figsize=(4.2 * n, 3.2), sharey=True, squeeze=False)
    for k, ax in enumerate(axes[0]):
        r = adk.rmsd_to_first[k]
        plots.plot_rmsd_time(
            np.arange(len(r)) * adk.frame_fs,
            r,
            regions=adk.fast_regions[k],
            ax=ax,
            label=f"copy {k}",
        )
        ax.set_title(f"ADK copy {k}")
    return fig


def snapshots(ts, n: int = viz.DEFAULT_N_FRAMES):
    """Figs 2B and 4A: static projections of frames spread over the first copy."""
    traj = ts.trajectories[0]
    frames = viz.default_frames(traj.n_frames, n)
    return viz.static_snapshots(traj, frames, times_ps=frames * ts.frame_interval_fs * PS_PER_FS)


def view(ts, n: int = viz.DEFAULT_N_FRAMES):
    """Figs 2B and 4A, interactive: an NGL view of frames spread over the first copy."""
    traj = ts.trajectories[0]
    return viz.trajectory_view(traj, frames=viz.default_frames(traj.n_frames, n))


def kurtosis(res: Characterisation, dataset: str, ax=None):
    """Figs 2C (ADK) and 4B (SMD): per-particle kurtosis, coloured by class."""
    r = getattr(res, dataset)
    ax = plots.plot_kurtosis(r.kurtosis, labels=r.kurtosis_classes.labels, ax=ax)
    n = r.kurtosis_classes.n_classes
    if dataset == "adk":
        ax.set_title(f"ADK: {n} class(es) of particles")
    else:
        ax.set_title(f"100-alanine SMD: {n} classes of particles")
    return ax


def pulling(ts, ax=None):
    """The pulling record of the SMD set: spring force and work (not a figure of the paper)."""
    if "pulling" not in ts.tables:
        return plots.note_axes("no pulling record in these data", ax=ax)
    pull = ts.tables["pulling"]
    if "replica" not in (pull.dtype.names or ()):
        return plots.plot_pulling(pull["time_ps"], pull["force_pN"], pull["work_kcal"], ax=ax)
    reps = np.unique(pull["replica"])
    first = pull[pull["replica"] == reps[0]]
    ax = plots.plot_pulling(first["time_ps"], first["force_pN"], first["work_kcal"], ax=ax)
    for k, r in enumerate(reps[1:]):
        other = pull[pull["replica"] == r]
        ax.plot(
            other["time_ps"],
            other["force_pN"],
            color="0.55",
            lw=0.5,
            label="force, other copies" if k == 0 else None,
        )
    if len(reps) > 1:
        ax.set_title(f"{len(reps)} pulls; work of the first")
    return ax


def fig4c(res: Characterisation, ax=None):
    """Fig. 4C: SMD RMSD to the first frame."""
    smd = res.smd
    r = smd.rmsd_to_first[0]
    ax = plots.plot_rmsd_time(
        np.arange(len(r)) * smd.frame_fs, r, regions=smd.fast_regions[0], ax=ax
    )
    ax.set_title("100-alanine SMD")
    return ax


def fig3_fig5(res: Characterisation):
    """Figs 3 and 5: static-model RMSD at growing lead times, ADK and SMD."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.6))
    plots.plot_lead_distributions(res.adk.leads, ax=a)
    a.set_title("ADK, static model (Fig. 3)")
    plots.plot_lead_distributions(res.smd.leads, ax=b)
    b.set_title("100-alanine SMD, static model (Fig. 5)")
    return fig


def fig4de(res: Characterisation, ax=None):
    """Fig. 4D, E: autocorrelation of ADK's radius of gyration and SMD's end-to-end distance."""
    ax = plots.axes_or_new(ax, figsize=(6, 3.6))
    for r, label in ((res.adk, "ADK: radius of gyration"), (res.smd, "SMD: end-to-end distance")):
        lag = np.arange(len(r.acf)) * r.frame_fs
        plots.plot_autocorrelation(lag[1:], r.acf[1:], tau_fs=r.tau_fs, ax=ax, label=label)
    ax.set_xscale("log")
    return ax


# ============================================================================ chapter 2
def _history(res: ForecastResults, dataset: str):
    p = res.params
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
    for ax, lead in zip(axes, p["history_leads"], strict=True):
        curves = res.loss_curves(
            "history",
            dataset=dataset,
            lead=lead,
            lr=p["lr"],
            layout="kirchhoff",
            target=res.target,
        )
        plots.plot_loss_curves(curves, ax=ax, legend_title="history (frames)")
        frame_fs = res.select(dataset=dataset)[0].frame_fs
        ax.set_title(f"{NAMES[dataset]}, lead {lead} frames ({lead * frame_fs:g} fs)")
    return fig


def fig6ab(res: ForecastResults):
    """Fig. 6A, B: ADK training loss for histories 1, 5, 10 at leads 15 and 120."""
    return _history(res, "adk")


def fig8ab(res: ForecastResults):
    """Fig. 8A, B: SMD training loss for histories 1, 5, 10 at leads 15 and 120."""
    return _history(res, "smd")


def _rmsd_panels(res: ForecastResults, dataset: str, extra=None):
    p = res.params
    leads = p["history_leads"]
    fig, axes = plt.subplots(1, len(leads), figsize=(5 * len(leads), 3.6), layout="constrained")
    for ax, lead in zip(np.atleast_1d(axes), leads, strict=True):
        dist = res.rmsd_distributions(
            dataset=dataset,
            history=p["history"],
            lead=lead,
            lr=p["lr"],
            layout="kirchhoff",
            target=res.target,
        )
        if extra and lead in extra:
            dist["ARIMA"] = extra[lead]
        plots.plot_rmsd_comparison(dist, ax=ax)
        frame_fs = res.select(dataset=dataset)[0].frame_fs
        ax.set_title(f"{NAMES[dataset]}, lead {lead} frames ({lead * frame_fs:g} fs)")
    return fig


def fig6cd(res: ForecastResults):
    """Fig. 6C, D: ADK per-frame RMSD of the LSTM and the static model, leads 15 and 120."""
    return _rmsd_panels(res, "adk")


def fig8cd(res: ForecastResults):
    """Fig. 8C, D: SMD per-frame RMSD, LSTM vs static (and ARIMA at lead 15)."""
    extra = {res.arima.lead: res.arima.rmsd_arima} if res.arima is not None else None
    return _rmsd_panels(res, "smd", extra)


def fig7(res: ForecastResults):
    """Fig. 7: loss curves of the learning-rate study, SMD and ADK, with each rate's verdict."""
    p = res.params
    lr_table = res.learning_rates()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
    for ax, d in zip(axes, ["smd", "adk"], strict=True):
        if d not in set(lr_table.dataset):
            ax.set_visible(False)
            continue
        sub = lr_table[lr_table.dataset == d]
        verdicts = {
            f"lr {lr:g}": sub[sub.lr == lr].verdict.mode().iat[0] for lr in sub.lr.unique()
        }
        curves = res.loss_curves(
            "lr",
            dataset=d,
            history=p["history"],
            lead=p["lead"],
            layout="kirchhoff",
            target=res.target,
            inputs=res.lr_inputs,
        )
        curves = dict(sorted(curves.items(), key=lambda kv: -float(kv[0].split()[1])))
        plots.plot_lr_curves(curves, ax=ax, verdicts=verdicts)
        inputs = "raw Å inputs" if res.lr_inputs == "angstrom" else "standardised inputs"
        if res.lr_inputs == "angstrom":
            ax.set_ylabel("training loss (MSE, Å²)")
        ax.set_title(f"{NAMES[d]}, history {p['history']}, lead {p['lead']}, {inputs}")
    return fig


def lead_sweep(res: ForecastResults):
    """Sect. 5.2 (no figure in the paper): LSTM vs static over leads 1-120, both outputs."""
    variant = res.params.get("variant_target")
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
    for ax, d in zip(axes, ["adk", "smd"], strict=True):
        t = res.lead_sweep(d, res.target)
        plots.plot_lead_sweep(
            t.lead_fs,
            t.lstm_A,
            t.static_A,
            t.lstm_A_min,
            t.lstm_A_max,
            ax=ax,
            label=f"LSTM ({res.target})",
            logy=True,
        )
        if variant:
            v = res.lead_sweep(d, variant)
            plots.plot_lead_sweep(
                v.lead_fs,
                v.lstm_A,
                v.static_A,
                v.lstm_A_min,
                v.lstm_A_max,
                ax=ax,
                label=f"LSTM ({variant})",
                colour="tab:green",
            )
        ax.set_title(NAMES[d])
    return fig


def kirchhoff_vs_whole(res: ForecastResults):
    """Sect. 5.2 (no figure in the paper): Kirchhoff decomposition vs the whole structure."""
    p = res.params
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
    for ax, d in zip(axes, ["adk", "smd"], strict=True):
        vals, static = {}, None
        for layout, label in (("kirchhoff", "Kirchhoff"), ("whole", "whole structure")):
            r = res.select(
                dataset=d,
                layout=layout,
                history=p["history"],
                lead=p["lead"],
                lr=p["lr"],
                target=res.target,
            )
            vals[label] = np.concatenate([x.rmsd_lstm for x in r])
            static = r[0].rmsd_static
        plots.plot_layout_comparison(vals, ax=ax, static=static)
        ax.set_title(f"{NAMES[d]}, history {p['history']}, lead {p['lead']}")
    return fig


def diagnosis(dg: Diagnosis):
    """Chapter 2's diagnosis: LSTM / static median RMSD per hypothesis, in-sample (filled) and
    on the test split (open), one marker per seed; below the dashed line the LSTM beats
    persistence.
    """
    df = dg.frame()
    keys = [h.key for h in HYPOTHESES if h.key in set(df.hypothesis)]
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained", sharey=True)
    for ax, d in zip(axes, ["adk", "smd"], strict=True):
        for i, key in enumerate(keys):
            fit, test = dg.ratio(d, key), dg.ratio(d, key, "ratio")
            jit = np.linspace(-0.12, 0.12, max(len(fit), 1))[: len(fit)]
            ax.scatter(
                i - 0.15 + jit,
                fit,
                color="C0",
                s=22,
                zorder=3,
                label="in-sample" if i == 0 else None,
            )
            ax.scatter(
                i + 0.15 + jit,
                test,
                facecolors="none",
                edgecolors="C3",
                s=22,
                zorder=3,
                label="test split" if i == 0 else None,
            )
        ax.axhline(1.0, color="k", ls="--", lw=1)
        ax.set_yscale("log")
        ax.set_xticks(range(len(keys)), keys, rotation=30, ha="right")
        ax.set_title(NAMES[d])
        ax.grid(axis="y", alpha=0.3, which="both")
    axes[0].set_ylabel("LSTM / static median RMSD")
    axes[0].legend(loc="upper right", fontsize=8)
    return fig


# ============================================================================ reproduce
def _ch01(ctx):
    from mdrepro.papers.gupta2020 import datasets, study

    data = datasets.load(ctx)
    return data, study.characterisation(ctx, data)


def _ch02(ctx):
    from mdrepro.papers.gupta2020 import datasets, study

    return study.forecast(ctx, datasets.load(ctx, smd_part="lstm"), progress=False)


def _diagnosis(ctx):
    from mdrepro.papers.gupta2020 import datasets, study

    inputs = datasets.load(ctx, smd_part="lstm")
    return study.diagnosis(ctx, inputs, study.forecast(ctx, inputs, progress=False), False)


def _all_atoms(ctx, name, part=None):
    from mdrepro.papers.gupta2020 import datasets

    return datasets.load_all_atoms(ctx, name, part=part)


#: Every figure of the chapters, by chapter and name: a function of the chapter's context that
#: computes (or loads) the results on the built-in data and draws the figure
#: (``mdrepro figure ch01-fig2a``).
FIGURES = {
    "ch01": {
        "fig2a": lambda ctx: fig2a(_ch01(ctx)[1]),
        "fig2b": lambda ctx: snapshots(_all_atoms(ctx, "adk-equilibrium")),
        "fig2c": lambda ctx: kurtosis(_ch01(ctx)[1], "adk"),
        "fig4a": lambda ctx: snapshots(_all_atoms(ctx, "ala100-smd", "characterisation")),
        "pulling": lambda ctx: pulling(_ch01(ctx)[0].smd),
        "fig4b": lambda ctx: kurtosis(_ch01(ctx)[1], "smd"),
        "fig4c": lambda ctx: fig4c(_ch01(ctx)[1]),
        "fig3_fig5": lambda ctx: fig3_fig5(_ch01(ctx)[1]),
        "fig4de": lambda ctx: fig4de(_ch01(ctx)[1]),
    },
    "ch02": {
        "fig6ab": lambda ctx: fig6ab(_ch02(ctx)),
        "fig6cd": lambda ctx: fig6cd(_ch02(ctx)),
        "fig7": lambda ctx: fig7(_ch02(ctx)),
        "fig8ab": lambda ctx: fig8ab(_ch02(ctx)),
        "fig8cd": lambda ctx: fig8cd(_ch02(ctx)),
        "lead_sweep": lambda ctx: lead_sweep(_ch02(ctx)),
        "kirchhoff_vs_whole": lambda ctx: kirchhoff_vs_whole(_ch02(ctx)),
        "diagnosis": lambda ctx: diagnosis(_diagnosis(ctx)),
    },
}
