"""The checked claims of Winkler & Sauceda (2020), from typed :class:`InterpolationResults`.

Every check is registered with its tolerance and fixtures (:mod:`mdrepro.book.verdicts`);
:func:`interpolation` extracts the per-seed observations and records the verdicts. Orderings
become margins whose sign is the statement (``uni - bi > 0``), decided by the book's one rule.
"""

from __future__ import annotations

import math

import numpy as np

import mdrepro.papers.winkler2020 as paper_package
from mdrepro.book.claims import ClaimSet
from mdrepro.book.registry import provide_sizes, tolerance
from mdrepro.book.verdicts import (
    NOT_REPRODUCED,
    REPRODUCED,
    UNDECIDED,
    Check,
    min_over,
    register,
    smallest_step,
)
from mdrepro.papers.winkler2020 import params
from mdrepro.papers.winkler2020.study import InterpolationResults, mean_interior_error

#: Free-energy agreement criterion at 300 K, in kT (RMSE over bins populated in both): the
#: slides give no number; 0.5 kT is the usual "quantitative agreement" of free-energy surfaces.
DOC = "winkler2020"
FE_RMSE_KT = tolerance(DOC, "ch05.free-energy-300K")[1]
provide_sizes(
    DOC,
    lambda chapter, profile: params.resolve(chapter, profile),
    [ch.id for ch in paper_package.CHAPTERS],
)
SYSTEM = (
    "GFN2-xTB (tblite) Langevin MD of keto-malondialdehyde at 100/300/500 K and benzene, "
    "instead of the slides' ab initio MD"
)


def _rel_margin(obs) -> np.ndarray:
    """Per seed, ``(a - b) / a`` for ``obs = {"a": [...], "b": [...]}``: positive when b < a."""
    a, b = (np.asarray(obs[k], dtype=np.float64) for k in ("a", "b"))
    return (a - b) / a


def _lowest_margin(obs) -> np.ndarray:
    """Per seed, how much lower the model of interest's error is than the best other model's,
    relative to it: ``obs = {"own": [...], "others": {name: [...]}}``.
    """
    own = np.asarray(obs["own"], dtype=np.float64)
    best_other = min_over(obs["others"])
    return (best_other - own) / own


BI_BEATS_UNI = register(
    Check(
        id="ch05.bi-beats-uni",
        document=DOC,
        where="slide: results, benzene",
        statement="Bi-directional interpolation errs less than uni-directional (benzene, LSTM).",
        paper="bi-directional below uni-directional along the segment",
        unit="relative error margin",
        criterion="(uni - bi) / uni of the mean interior position error, per seed, > 0",
        measure=_rel_margin,
        fixtures={
            REPRODUCED: {"a": [1.0, 1.1, 0.9], "b": [0.5, 0.6, 0.45]},
            NOT_REPRODUCED: {"a": [0.5, 0.6, 0.45], "b": [1.0, 1.1, 0.9]},
            UNDECIDED: {"a": [1.0, 1.0, 1.0], "b": [0.5, 1.5, 0.9]},
        },
        family="interpolation",
    )
)
BI_BEATS_UNI_ALL = register(
    Check(
        id="ch05.bi-beats-uni.all-models",
        document=DOC,
        where="beyond the slides",
        statement="Bi-directional beats uni-directional for every model on malondialdehyde "
        "at 300 K.",
        paper="(the slides show benzene with the LSTM only)",
        unit="relative error margin",
        criterion="smallest (uni - bi) / uni over the four models, per seed, > 0",
        measure=lambda obs: min_over({m: _rel_margin(v) for m, v in obs.items()}),
        fixtures={
            REPRODUCED: {"ODE": {"a": [1, 1, 1], "b": [0.5, 0.6, 0.55]}},
            NOT_REPRODUCED: {"ODE": {"a": [0.5, 0.6, 0.55], "b": [1, 1, 1]}},
            UNDECIDED: {"ODE": {"a": [1, 1, 1], "b": [0.5, 1.5, 0.9]}},
        },
        beyond_paper=True,
        family="interpolation",
    )
)
BI_TRAINING_HELPS = register(
    Check(
        id="ch05.bi-training-helps",
        document=DOC,
        where="slide: bi-directional interpolation, benzene",
        statement="Training on forward and backward rollouts lowers the error of the benzene "
        "LSTM against the same model trained forward only.",
        paper="additional bidirectional training smooths trajectories",
        unit="relative error margin",
        criterion="(forward-only - bidirectionally trained) / forward-only uni-directional mean "
        "interior position error, per seed, > 0 (same data, seed, architecture and budget)",
        measure=_rel_margin,
        fixtures={
            REPRODUCED: {"a": [1.0, 1.1, 0.9], "b": [0.5, 0.6, 0.45]},
            NOT_REPRODUCED: {"a": [0.5, 0.6, 0.45], "b": [1.0, 1.1, 0.9]},
            UNDECIDED: {"a": [1.0, 1.0, 1.0], "b": [0.5, 1.5, 0.9]},
        },
        family="interpolation",
    )
)
LSTM_BEST = register(
    Check(
        id="ch05.lstm-best",
        document=DOC,
        where="slide: model comparison",
        statement="The LSTM interpolates with the lowest error of the four models.",
        paper="LSTM best performing",
        unit="relative error margin",
        criterion="(best other model's bi error - LSTM's) / LSTM's, per seed, > 0",
        measure=_lowest_margin,
        fixtures={
            REPRODUCED: {"own": [0.5, 0.5, 0.5], "others": {"ODE": [1, 1.1, 0.9]}},
            NOT_REPRODUCED: {"own": [1, 1.1, 0.9], "others": {"ODE": [0.5, 0.5, 0.5]}},
            UNDECIDED: {"own": [1, 1, 1], "others": {"ODE": [0.5, 1.5, 1.1]}},
        },
        family="interpolation",
    )
)
NETWORKS_BEAT_HERMITE = register(
    Check(
        id="ch05.networks-beat-hermite",
        document=DOC,
        where="beyond the slides",
        statement="The best network (bi-directional) beats the parameter-free cubic Hermite "
        "interpolation between the same end positions and velocities.",
        paper="(the slides show no parameter-free baseline)",
        unit="relative error margin",
        criterion="(Hermite error - best network's bi error) / best network's, per seed, > 0",
        measure=_lowest_margin,
        fixtures={
            REPRODUCED: {"own": [0.5, 0.5, 0.5], "others": {"Hermite": [1, 1, 1]}},
            NOT_REPRODUCED: {"own": [1, 1.1, 0.9], "others": {"Hermite": [0.5, 0.5, 0.5]}},
            UNDECIDED: {"own": [1, 0.6, 1.4], "others": {"Hermite": [1, 1, 1]}},
        },
        beyond_paper=True,
        family="interpolation",
    )
)
FREE_ENERGY = register(
    Check(
        id="ch05.free-energy-300K",
        document=DOC,
        where="slide: free energy, 300 K",
        statement="The interpolated trajectory reproduces the MD's free-energy surface at 300 K.",
        paper="predicted and ground-truth surfaces agree",
        unit="kT",
        criterion=f"RMSE over bins with >= 5 samples in both, per seed, <= {FE_RMSE_KT} kT "
        "(the slides give no number)",
        fixtures={
            REPRODUCED: [0.2, 0.25, 0.22],
            NOT_REPRODUCED: [1.2, 1.3, 1.1],
            UNDECIDED: [0.3, 0.7, 0.5],
        },
        family="interpolation",
    )
)
#: Interpolated and MD distance distributions agree when their divergence is at most this
#: many times the MD's own split-half divergence (the sampling floor; our choice).
JS_FACTOR = tolerance(DOC, "ch05.distributions-match.300K")[1]
#: High-frequency spectral share of the interpolation within this factor of the MD's (ours).
HF_FACTOR = float(np.exp(tolerance(DOC, "ch05.high-frequency-kept")[1]))
for _T in ("100K", "300K", "500K"):
    register(
        Check(
            id=f"ch05.distributions-match.{_T}",
            document=DOC,
            where=f"slide: analysis of interpolations, {_T}",
            statement=f"The interpolated frames have the MD's interatomic-distance distribution "
            f"(malondialdehyde, {_T[:-1]} K).",
            paper="distance distributions of interpolation and MD shown together",
            unit="split-half floor",
            criterion=f"Jensen-Shannon divergence of the pair-distance histograms, interpolated "
            f"vs MD, over the MD's own split-half divergence, per seed, <= {JS_FACTOR:g}",
            fixtures={
                REPRODUCED: [1.0, 1.2, 1.1],
                NOT_REPRODUCED: [10.0, 12.0, 11.0],
                UNDECIDED: [1.0, 3.0, 2.0],
            },
            family="interpolation",
        )
    )
HIGH_FREQUENCY = register(
    Check(
        id="ch05.high-frequency-kept",
        document=DOC,
        where="slide: time-reversible decomposition",
        statement="The interpolation keeps the MD's high-frequency vibrations (spectral weight "
        "above 2000 cm^-1), at every temperature.",
        paper="the adiabatic connection frees the model to model high-frequency signals",
        unit="|log ratio|",
        criterion=f"largest |log(high-frequency share, interpolated / MD)| over 100/300/500 K, "
        f"per seed, <= log {HF_FACTOR:g} (our band)",
        fixtures={
            REPRODUCED: [0.05, 0.06, 0.04],
            NOT_REPRODUCED: [1.0, 1.2, 1.1],
            UNDECIDED: [0.05, 0.4, 0.2],
        },
        family="interpolation",
    )
)
NVE = register(
    Check(
        id="ch05.nve-energy-conserved",
        document=DOC,
        where="slide: molecular dynamics, requirements",
        statement="The MD time step integrates the equations of motion accurately: over the "
        "NVE production the total energy drifts by less than it fluctuates.",
        paper="a small time step is required for accurate integration",
        unit="fluctuation",
        criterion="|total-energy drift| over the NVE production / its standard deviation, per "
        "data set (MDA 100/300/500 K, benzene), <= 1",
        fixtures={
            REPRODUCED: [0.2, 0.3, 0.25],
            NOT_REPRODUCED: [3.0, 3.5, 4.0],
            UNDECIDED: [0.5, 1.5, 1.0],
        },
        family="interpolation",
        sample_unit="data sets",
    )
)
ERROR_GROWS_WITH_T = register(
    Check(
        id="ch05.error-grows-with-T",
        document=DOC,
        where="beyond the slides (MDA at 100/300/500 K)",
        statement="Interpolation is harder at higher temperature: the error grows with it.",
        paper="(the slides show the three temperatures without ranking them)",
        unit="Å",
        criterion="smallest increase of the bi error from 100 to 300 to 500 K, per seed, > 0",
        measure=smallest_step,
        fixtures={
            REPRODUCED: [[0.1, 0.2, 0.3], [0.1, 0.21, 0.33], [0.12, 0.2, 0.31]],
            NOT_REPRODUCED: [[0.3, 0.2, 0.1], [0.33, 0.21, 0.1], [0.31, 0.2, 0.12]],
            UNDECIDED: [[0.1, 0.2, 0.3], [0.3, 0.2, 0.1], [0.1, 0.2, 0.3]],
        },
        beyond_paper=True,
        family="interpolation",
    )
)


def fit_reports(res: InterpolationResults, ablation: list | None = None) -> list:
    """The adequacy report of every interpolation network's fit (:mod:`mdrepro.book.fits`).

    The slides give no epoch count: each fit runs to its early-stopping rule (lowest
    validation loss, ``patience``) or its cap, and must show it converged.
    """
    from mdrepro.book import fits

    cap = res.params.get("epochs")
    return [
        fits.assess(f.train, f"{f.set}-{f.model}-s{f.seed}", tag, cap)
        for tag, group in (("fit", getattr(res, "fits", [])), ("forward-only", ablation or []))
        for f in group
        if fits.is_fit(getattr(f, "train", None))
    ]


def interpolation(
    res: InterpolationResults,
    profile: str,
    controls: list[dict] | None = None,
    summaries: dict | None = None,
    ablation: list | None = None,
) -> ClaimSet:
    """Judge the slides' statements on the chapter's results.

    Parameters
    ----------
    res : InterpolationResults
    profile : str
    controls : list of dict, optional
        :func:`~mdrepro.papers.winkler2020.study.controls`: the untrained model's errors,
        for the negative control of the model ranking.
    summaries : dict, optional
        Per data set, the MD run summary (energy drift and fluctuation) for the NVE check.
    ablation : list of FitScore, optional
        :func:`~mdrepro.papers.winkler2020.study.ablation`: the benzene model trained on
        forward rollouts only, for ``ch05.bi-training-helps``.
    """
    from mdrepro.book.fits import gate

    cs = ClaimSet("ch05", profile, system=SYSTEM)
    cs.require(gate(fit_reports(res, ablation), "interpolation fits"))
    err = res.errors()
    models = list(res.params["models"])
    seeds = res.seeds

    def per_seed(m, mode, key="300K"):
        if key == "300K":
            return [err[(m, mode, s)] for s in seeds]
        return [res.get(key, m, s).error[mode] for s in seeds]

    bm = res.params["benzene_model"]
    uni, bi = per_seed(bm, "uni", "benzene"), per_seed(bm, "bi", "benzene")
    cs.check(
        BI_BEATS_UNI.id,
        {"a": uni, "b": bi},
        f"benzene, {bm}: bi {np.median(bi):.3g} Å vs uni {np.median(uni):.3g} Å (median)",
        seeds=seeds,
    )
    if ablation:
        fwd = {f.seed: f.error["uni"] for f in ablation}
        aseeds = [s for s in seeds if s in fwd]
        a = [fwd[s] for s in aseeds]
        b = [res.get("benzene", bm, s).error["uni"] for s in aseeds]
        cs.check(
            BI_TRAINING_HELPS.id,
            {"a": a, "b": b},
            f"benzene, {bm}, uni-directional: forward-only trained {np.median(a):.3g} Å vs "
            f"bidirectionally trained {np.median(b):.3g} Å (median)",
            seeds=aseeds,
        )
    cs.check(
        BI_BEATS_UNI_ALL.id,
        {m: {"a": per_seed(m, "uni"), "b": per_seed(m, "bi")} for m in models},
        "; ".join(
            f"{m}: bi {np.median(per_seed(m, 'bi')):.3g} vs uni "
            f"{np.median(per_seed(m, 'uni')):.3g} Å"
            for m in models
        ),
        seeds=seeds,
    )
    bi300 = {m: per_seed(m, "bi") for m in models}
    if "LSTM" in bi300:
        cs.check(
            LSTM_BEST.id,
            {"own": bi300["LSTM"], "others": {m: v for m, v in bi300.items() if m != "LSTM"}},
            ", ".join(
                f"{m} {np.median(v):.3g} Å"
                for m, v in sorted(bi300.items(), key=lambda kv: np.median(kv[1]))
            ),
            seeds=seeds,
        )
    if "300K" in res.hermite:
        herm = mean_interior_error(np.asarray(res.hermite["300K"]))
        best = np.min(np.vstack(list(bi300.values())), axis=0)
        cs.check(
            NETWORKS_BEAT_HERMITE.id,
            {"own": best, "others": {"Hermite": [herm] * len(seeds)}},
            f"best network {np.median(best):.3g} Å vs cubic Hermite {herm:.3g} Å (MDA 300 K)",
            seeds=seeds,
            note="Hermite uses the end positions and velocities only: no training, no seed",
        )
    if controls and "LSTM" in bi300:
        by_seed = {c["seed"]: c["bi"] for c in controls}
        cseeds = [s for s in seeds if s in by_seed]
        own = [by_seed[s] for s in cseeds]
        cs.control(
            LSTM_BEST.id,
            {
                "own": own,
                "others": {m: [err[(m, "bi", s)] for s in cseeds] for m in models if m != "LSTM"},
            },
            "the LSTM with its initial weights (untrained) against the trained models",
            f"untrained LSTM {np.median(own):.3g} Å",
        )
    dist = getattr(res, "distributions", {}) or {}
    for T, d in sorted(dist.items()):
        r = [d["js"][s] / d["js_floor"] for s in seeds if s in d["js"]]
        cs.check(
            f"ch05.distributions-match.{T}",
            r,
            f"JS divergence / MD split-half floor ({d['js_floor']:.2g} nats): "
            + ", ".join(f"{v:.2g}" for v in r),
            seeds=seeds,
            note=f"model: {res.params.get('temperature_model', '?')}",
        )
    if dist:
        worst = [max(abs(math.log(d["hf"][s] / d["hf_md"])) for d in dist.values()) for s in seeds]
        cs.check(
            HIGH_FREQUENCY.id,
            worst,
            "high-frequency share, MD vs interpolated: "
            + "; ".join(
                f"{T} {d['hf_md']:.3f} vs {np.median(list(d['hf'].values())):.3f}"
                for T, d in sorted(dist.items())
            ),
            seeds=seeds,
        )
    if summaries:
        keys = sorted(summaries)
        r = [
            abs(summaries[k]["energy_drift_eV"]) / summaries[k]["energy_fluctuation_eV"]
            for k in keys
        ]
        cs.check(
            NVE.id,
            r,
            "; ".join(
                f"{k}: drift {summaries[k]['energy_drift_eV'] * 1000:.2g} meV, fluctuation "
                f"{summaries[k]['energy_fluctuation_eV'] * 1000:.2g} meV"
                for k in keys
            ),
            seeds=list(range(len(keys))),
            note="time step "
            + ", ".join(sorted({f"{summaries[k].get('timestep_fs')} fs" for k in keys}))
            + " (the slides use 0.2 fs); samples are the data sets, not replicas",
        )
    fe = [float(x) for x in res.fe_rmse]
    cs.check(
        FREE_ENERGY.id,
        fe,
        f"RMSE {np.median(fe):.3g} kT (median over seeds)",
        seeds=seeds,
    )
    terr = res.temperature_errors()
    temps = sorted({k[0] for k in terr})
    rows = [[terr[(T, s)] for T in temps] for s in seeds]
    cs.check(
        ERROR_GROWS_WITH_T.id,
        rows,
        ", ".join(f"{T:g} K: {np.median([terr[(T, s)] for s in seeds]):.3g} Å" for T in temps),
        seeds=seeds,
        note=f"model: {res.params.get('temperature_model', '?')}",
    )
    cs.settle()  # controls both ways (mdrepro.book.claims.ClaimSet.settle)
    return cs
