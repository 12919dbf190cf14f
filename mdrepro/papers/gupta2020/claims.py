"""The checked claims of Gupta, Cava et al. (2020), computed from typed results.

:func:`characterise` judges chapter 1's statements on a
:class:`~mdrepro.papers.gupta2020.study.Characterisation`; :func:`forecast` chapter 2's on a
:class:`~mdrepro.papers.gupta2020.study.ForecastResults`. Neither recomputes anything heavy:
they compare numbers the studies measured with the paper's, by criteria stated in each claim.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from mdrepro.book.claims import ClaimSet, monotone_increasing, relative_change_ok, spread
from mdrepro.papers.gupta2020.params import PAPER_DECORRELATION_RATIO, PAPER_RMSD_RATIO
from mdrepro.papers.gupta2020.study import (
    NAMES,
    SLOW_FACTOR,
    UNSTABLE_JUMP,
    Characterisation,
    ForecastResults,
    SetAnalysis,
    classify_learning_rates,
)
from mdrepro.units import A_PER_NM

#: "Never beats the static model": the LSTM/static ratio of median RMSDs stays above this.
NOT_BEATEN_RATIO = 0.98


# ======================================================================== chapter 1
def _sampling_note(res: SetAnalysis) -> str:
    n = res.effective_samples()
    text = (
        f"{res.name}: about {n:.0f} decorrelated samples per particle (run length / "
        f"2 x decorrelation time)"
    )
    if n < 100:
        text += "; a kurtosis from so few samples is dominated by noise and drift"
    return text


def characterise(res: Characterisation, profile: str) -> ClaimSet:
    """Chapter 1's claims, measured vs the paper, each with its criterion and verdict."""
    adk, smd = res.adk, res.smd
    cs = ClaimSet("ch01", profile)
    for r, fig in ((adk, "Fig. 3"), (smd, "Fig. 5")):
        med = r.median_lead_rmsd() * A_PER_NM
        leads = list(r.leads)
        cs.add(
            f"ch01.static-error-grows.{r.name}",
            fig,
            f"Static-model error grows with lead time ({r.name})",
            "higher lead -> larger RMSD",
            ", ".join(f"{lead:g} fs: {m:.3f} Å" for lead, m in zip(leads, med, strict=True)),
            "median RMSD strictly increasing over the leads",
            monotone_increasing(med),
        )
    common = [s for s in adk.lead_steps if s in smd.lead_steps]
    ratios = np.array(
        [
            np.median(smd.leads[s * smd.frame_fs]) / np.median(adk.leads[s * adk.frame_fs])
            for s in common
        ]
    )
    gmean = float(np.exp(np.mean(np.log(ratios))))
    cs.add(
        "ch01.smd-rmsd-10x-adk",
        "Figs 3, 5",
        "At the same lead steps, SMD static-model RMSD is about 10x ADK's",
        f"about {PAPER_RMSD_RATIO:g}x",
        f"{gmean:.1f}x (geometric mean over lead steps {common}; range "
        f"{ratios.min():.1f}-{ratios.max():.1f}x)",
        "within a factor 3 of 10x",
        relative_change_ok(gmean, PAPER_RMSD_RATIO, 3.0),
        note=f"SMD frames every {smd.frame_fs:g} fs, ADK every {adk.frame_fs:g} fs",
    )
    ratio = smd.tau_fs / adk.tau_fs if np.isfinite(smd.tau_fs) else float("inf")
    cs.add(
        "ch01.smd-decorrelates-100x-slower",
        "Fig. 4D, E",
        "The SMD end-to-end distance decorrelates about 100x more slowly than ADK's Rg",
        "2 orders of magnitude (ADK about 10^5 fs)",
        f"ADK {adk.tau_fs:.3g} fs, SMD {smd.tau_fs:.3g} fs: {ratio:.3g}x",
        "ratio within half a decade of 100x (32-316x)",
        relative_change_ok(ratio, PAPER_DECORRELATION_RATIO, 10**0.5),
        note="decorrelation time = first 1/e crossing of the autocorrelation; it grows with "
        "the trajectory length when the series drifts",
    )
    kc = adk.kurtosis_classes
    cs.add(
        "ch01.adk-kurtosis-uniform",
        "Fig. 2C",
        "ADK per-particle kurtosis is uniform (one class of particles)",
        "uniform, near-Gaussian",
        f"{kc.n_classes} class(es); excess kurtosis median {np.median(adk.kurtosis):.2f}, "
        f"IQR {np.subtract(*np.percentile(adk.kurtosis, [75, 25])):.2f}",
        "BIC-selected Gaussian mixture finds 1 class",
        kc.n_classes == 1,
        note=_sampling_note(adk),
    )
    kc = smd.kurtosis_classes
    cs.add(
        "ch01.smd-kurtosis-classes",
        "Fig. 4B",
        "SMD shows at least two classes of particles by kurtosis",
        ">= 2 classes",
        f"{kc.n_classes} classes; class means {np.round(np.ravel(kc.means), 2).tolist()}",
        "BIC-selected Gaussian mixture finds >= 2 classes",
        kc.n_classes >= 2,
        note=_sampling_note(smd),
    )
    return cs


# ======================================================================== chapter 2
def _ratios(df, dataset: str, lead: int, history: int, lr: float) -> np.ndarray:
    sel = df[
        (df.dataset == dataset)
        & (df.lead == lead)
        & (df.history == history)
        & np.isclose(df.lr, lr)
        & (df.layout == "kirchhoff")
    ]
    return sel.sort_values("seed").ratio.to_numpy(dtype=np.float64)


def _range(lo: float, hi: float) -> str:
    return "" if lo == hi else f" [{lo:.3g}-{hi:.3g}]"


def _fmt_ratio(lead: int, values) -> tuple[float, str]:
    med, text = spread(values)
    return med, f"lead {lead}: {med:.3g} ({text})"


def _lead_claims(
    cs: ClaimSet,
    df,
    params: Mapping,
    arima,
    tag: str = "",
    note_target: str = "",
) -> None:
    """The LSTM-vs-static claims over lead times, for the runs in ``df`` (one output target)."""
    h0, lr0 = params["history"], params["lr"]
    sets = set(df.dataset)
    note_eval = "test split (last part of each trajectory, never trained on)"
    if "smd" in sets:
        parts, meds = [], {}
        for lead in (1, 5):
            meds[lead], txt = _fmt_ratio(lead, _ratios(df, "smd", lead, h0, lr0))
            parts.append(txt)
        cs.add(
            f"ch02.smd.lstm-worse-short-leads{tag}",
            "Sect. 5.2",
            "SMD: at leads of 1 and 5 steps the LSTM errs more than the static model",
            "LSTM loss higher than static at leads 1 and 5",
            "LSTM/static median RMSD ratio " + "; ".join(parts),
            "median ratio over seeds > 1 at both leads",
            all(meds[k] > 1 for k in (1, 5)),
            note=note_eval + note_target,
        )
        med15, txt15 = _fmt_ratio(15, _ratios(df, "smd", 15, h0, lr0))
        extra = ""
        if arima is not None:
            extra = f"; ARIMA{arima.order}/static {arima.ratio:.3g}"
        cs.add(
            f"ch02.smd.lstm-better-lead-15{tag}",
            "Fig. 8C",
            "SMD: at a lead of 15 steps the LSTM beats the static model",
            "LSTM better than static at lead 15",
            "LSTM/static median RMSD ratio " + txt15 + extra,
            "median ratio over seeds < 1",
            med15 < 1,
            note=note_eval + note_target,
        )
        m60, t60 = _fmt_ratio(60, _ratios(df, "smd", 60, h0, lr0))
        m120, t120 = _fmt_ratio(120, _ratios(df, "smd", 120, h0, lr0))
        cs.add(
            f"ch02.smd.gain-grows{tag}",
            "Sect. 5.2, Fig. 8D",
            "SMD: the LSTM's gain over the static model grows at leads 60 and 120",
            "improvement increased further at leads 60 and 120",
            f"ratio {txt15}; {t60}; {t120}",
            "median ratios at 60 and 120 both below the ratio at 15, and below 1",
            (m60 < med15) and (m120 < med15) and m60 < 1 and m120 < 1,
            note="gain = 1 - ratio" + note_target,
        )
    if "adk" in sets:
        parts, worst = [], math.inf
        for lead in params["leads"]:
            m, txt = _fmt_ratio(lead, _ratios(df, "adk", lead, h0, lr0))
            parts.append(txt)
            worst = min(worst, m) if math.isfinite(m) else -math.inf
        cs.add(
            f"ch02.adk.never-beats-static{tag}",
            "Fig. 6C, D",
            "ADK: the LSTM never beats the static model at leads of 1 to 120 steps",
            "LSTM loss never below static for leads 1-120",
            "LSTM/static median RMSD ratio " + "; ".join(parts),
            f"median ratio over seeds >= {NOT_BEATEN_RATIO} at every lead (not better by more "
            f"than {100 * (1 - NOT_BEATEN_RATIO):.0f}%)",
            worst >= NOT_BEATEN_RATIO,
            note=note_eval + note_target,
        )


def forecast(res: ForecastResults, profile: str) -> ClaimSet:
    """Chapter 2's claims, measured vs the paper, each with its criterion and verdict.

    Every ratio is (median per-frame test RMSD of the LSTM) / (that of the static model) on the
    same test windows, per seed; a claim uses the median over seeds and reports the seed range.
    """
    params = res.params
    df_all = res.frame()
    return forecast_from_frame(df_all, params, profile, res.arima)


def forecast_from_frame(df_all, params: Mapping, profile: str, arima=None) -> ClaimSet:
    """:func:`forecast` on a runs table (one row per run, as :meth:`ForecastResults.frame`)."""
    cs = ClaimSet("ch02", profile)
    h0, l0, lr0 = params["history"], params["lead"], params["lr"]
    df = df_all[df_all.target == params.get("target", "position")]
    sets = set(df.dataset)

    _lead_claims(cs, df, params, arima)
    variant = params.get("variant_target")
    if variant and variant != params.get("target", "position"):
        # The same claims for the network that outputs the displacement x(t+L) - x(t): reported
        # next to the paper's formulation, never instead of it (see the chapter's discussion).
        _lead_claims(
            cs,
            df_all[df_all.target == variant],
            params,
            None,
            tag=f".{variant}",
            note_target=f"; output target: {variant} (our variant, not the paper's)",
        )
    for d in sorted(sets):
        parts, ok = [], True
        for lead in params["history_leads"]:
            sel = df[
                (df.dataset == d)
                & (df.lead == lead)
                & np.isclose(df.lr, lr0)
                & (df.layout == "kirchhoff")
                & df.history.isin(params["histories"])
            ]
            if sel.empty:
                ok = False
                continue
            g = sel.groupby("history").final_train_loss
            med, lo, hi = g.median(), g.min(), g.max()
            hs = sorted(med.index)
            if len(hs) < 2:
                ok = False
            vals = [med[h] for h in hs]
            ok &= (
                all(b < a for a, b in zip(vals, vals[1:], strict=False))
                and np.isfinite(vals).all()
            )
            parts.append(
                f"lead {lead}: "
                + ", ".join(f"h={h} {med[h]:.3g}{_range(lo[h], hi[h])}" for h in hs)
            )
        cs.add(
            f"ch02.{d}.history-lowers-loss",
            "Figs 6A, B" if d == "adk" else "Figs 8A, B",
            f"{NAMES.get(d, d)}: a longer history lowers the training loss",
            "training error falls with history 1 -> 5 -> 10",
            "final training loss (standardised MSE, median over seeds [range]): "
            + "; ".join(parts),
            "strictly decreasing with history at every lead studied",
            ok,
        )
    lr_df = classify_learning_rates(df, h0, l0)
    for d in sorted(set(lr_df.dataset)) if not lr_df.empty else []:
        sub = lr_df[lr_df.dataset == d]
        frac_unstable = sub.groupby("lr").unstable.mean()
        frac_slow = sub.groupby("lr").slow.mean()
        n_seeds = sub.seed.nunique()

        def share(series, lr):
            return float(series.get(lr, np.nan))

        hi = [lr for lr in params["lrs"] if lr >= 0.1]
        lo = [lr for lr in params["lrs"] if lr <= 1e-3]
        cs.add(
            f"ch02.{d}.lr-high-unstable",
            "Fig. 7",
            f"{NAMES.get(d, d)}: learning rates 1.0 and 0.1 are unstable",
            "1.0 and 0.1 unstable",
            ", ".join(f"lr {lr:g}: unstable in {share(frac_unstable, lr):.0%}" for lr in hi)
            + f" of {n_seeds} seed(s)",
            f"unstable (a non-finite loss, or a training or validation loss above "
            f"{UNSTABLE_JUMP:g}x the lowest reached before it) in a majority of seeds, for each",
            all(share(frac_unstable, lr) > 0.5 for lr in hi) and bool(hi),
            note="the paper shows SMD; it says ADK behaved alike" if d == "adk" else "",
        )
        cs.add(
            f"ch02.{d}.lr-low-slow",
            "Fig. 7",
            f"{NAMES.get(d, d)}: learning rates 0.001 and 0.0001 converge too slowly",
            "0.001 and 0.0001 too slow to converge",
            ", ".join(f"lr {lr:g}: slow in {share(frac_slow, lr):.0%}" for lr in lo)
            + f" of {n_seeds} seed(s)",
            f"stable, with a final training loss > {SLOW_FACTOR:g}x the best stable learning "
            "rate's after the same epochs, in a majority of seeds, for each",
            all(share(frac_slow, lr) > 0.5 for lr in lo) and bool(lo),
        )
    for d in sorted(sets):
        sel = df[(df.dataset == d) & (df.history == h0) & (df.lead == l0) & np.isclose(df.lr, lr0)]
        k = sel[sel.layout == "kirchhoff"].set_index("seed").median_lstm_A
        w = sel[sel.layout == "whole"].set_index("seed").median_lstm_A
        common = sorted(set(k.index) & set(w.index))
        if not common:
            continue
        r = np.array([k[s] / w[s] for s in common])
        med, text = spread(r)
        cs.add(
            f"ch02.{d}.kirchhoff-beats-whole",
            "Sect. 5.2",
            f"{NAMES.get(d, d)}: the Kirchhoff decomposition beats the whole-structure model",
            "per-particle series boosted performance significantly",
            f"Kirchhoff/whole median test RMSD ratio {med:.3g} ({text}); Kirchhoff "
            f"{np.median(k[common]):.3g} Å, whole {np.median(w[common]):.3g} Å",
            "median ratio over seeds < 1",
            bool(med < 1),
            note=f"history {h0}, lead {l0}, lr {lr0:g}",
        )
    return cs
