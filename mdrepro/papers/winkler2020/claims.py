"""The checked claims of Winkler & Sauceda (2020), from typed :class:`InterpolationResults`."""

from __future__ import annotations

import numpy as np

from mdrepro.book.claims import ClaimSet, monotone_increasing, spread
from mdrepro.papers.winkler2020.study import END_TOL, InterpolationResults

#: Free-energy agreement criterion at 300 K, in kT (RMSE over bins populated in both).
FE_RMSE_KT = 0.5


def interpolation(res: InterpolationResults, profile: str) -> ClaimSet:
    """Judge the slides' statements on the chapter's results."""
    cs = ClaimSet("ch05", profile)
    err = res.errors()
    models = sorted({k[0] for k in err})
    seeds = sorted({k[2] for k in err})

    def med(m, mode):
        return float(np.median([err[(m, mode, s)] for s in seeds]))

    bi_better = {m: med(m, "bi") < med(m, "uni") for m in models}
    per_seed = all(err[(m, "bi", s)] < err[(m, "uni", s)] for m in models for s in seeds)
    cs.add(
        "ch05.bi-beats-uni",
        "error vs time in segment",
        "Bi-directional interpolation has a lower error than uni-directional, for every model.",
        "bi < uni for ODE, Hamiltonian, RNN and LSTM",
        "; ".join(f"{m}: bi {med(m, 'bi'):.3g} Å vs uni {med(m, 'uni'):.3g} Å" for m in models),
        "median over seeds of the mean interior position RMSE, bi < uni for every model",
        all(bi_better.values()),
        note=(
            "holds for every seed as well"
            if per_seed
            else "the medians decide; at least one seed has bi >= uni for some model"
        ),
        spread="; ".join(f"{m} bi {spread(err[(m, 'bi', s)] for s in seeds)[1]}" for m in models),
    )
    bi = {m: med(m, "bi") for m in models}
    best = min(bi, key=bi.get)
    cs.add(
        "ch05.lstm-best",
        "error vs time in segment",
        "The LSTM interpolates with the lowest error of the four models.",
        "LSTM lowest",
        ", ".join(f"{m} {v:.3g} Å" for m, v in sorted(bi.items(), key=lambda kv: kv[1])),
        "LSTM has the lowest median bi-directional error",
        best == "LSTM",
        note=f"lowest: {best}",
        spread=spread(err[("LSTM", "bi", s)] for s in seeds)[1] if "LSTM" in models else "",
    )
    e = res.end_error
    cs.add(
        "ch05.bi-end-conditions",
        "adiabatic connection",
        "Bi-directional interpolation reproduces both end conditions exactly.",
        "exact",
        f"max deviation {e:.2g} (Å, Å/fs)",
        f"<= {END_TOL:g}",
        e <= END_TOL,
        note="lambda is exactly 0 at t0 and 1 at t1",
    )
    fe = np.asarray(res.fe_rmse, float)
    cs.add(
        "ch05.free-energy-300K",
        "free energy, 300 K",
        "The interpolated trajectory reproduces the free-energy surface of the MD at 300 K.",
        "predicted and ground-truth surfaces agree",
        f"RMSE {np.median(fe):.3g} kT (median over seeds)",
        f"<= {FE_RMSE_KT} kT over bins with >= 5 samples in both",
        bool(np.isfinite(fe).all() and np.median(fe) <= FE_RMSE_KT),
        spread=spread(fe)[1],
    )
    terr = res.temperature_errors()
    temps = sorted({k[0] for k in terr})
    tseeds = sorted({k[1] for k in terr})
    tmed = [float(np.median([terr[(T, s)] for s in tseeds])) for T in temps]
    cs.add(
        "ch05.error-grows-with-T",
        "MDA at 100/300/500 K",
        "Interpolation is harder at higher temperature: the error grows with temperature.",
        "error(100 K) < error(300 K) < error(500 K)",
        ", ".join(f"{T:g} K: {v:.3g} Å" for T, v in zip(temps, tmed, strict=True)),
        "strictly increasing median bi-directional error",
        monotone_increasing(tmed),
        note=f"model: {res.params.get('temperature_model', '?')}",
        spread="; ".join(f"{T:g} K {spread(terr[(T, s)] for s in tseeds)[1]}" for T in temps),
    )
    return cs
