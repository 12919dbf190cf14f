"""The checked claims of Sidky, Chen & Ferguson (2020), from typed results.

:func:`lss` judges the four-well statements on a :class:`FourWellResult` (None when the
four-well section was skipped: its claims then report NaN and fail) and the Trp-cage ones on a
:class:`TrpcageResult`.
"""

from __future__ import annotations

import numpy as np

from mdrepro.book.claims import ClaimSet
from mdrepro.papers.sidky2020.params import PAPER_FES_RMSE_KT
from mdrepro.papers.sidky2020.study import FourWellResult, TrpcageResult

#: Largest allowed deviation of the MDN's leading implied timescales from the Brownian MSM's
#: (relative).
FW_TS_REL_TOL = 0.3
#: The MDN's stationary density may be at most this many times further from Boltzmann (total
#: variation distance) than the Brownian training data themselves, whose distance is the
#: finite-sampling floor of the comparison.
FW_TV_FACTOR = 2.0
#: Free-energy agreement along psi_1, kT.
FES_RMSE_KT = 1.0
#: Factor by which the LSS must out-count the MD's folding/unfolding transitions.
TRANSITION_FACTOR = 10.0


def lss(fw: FourWellResult | None, trp: TrpcageResult, profile: str) -> ClaimSet:
    """Judge the paper's statements on the measured results."""
    cs = ClaimSet("ch04", profile)
    if fw is None:
        nan3 = np.full(3, np.nan)
        ts = {"analytic": nan3, "brownian": nan3, "mdn": nan3}
        tv, tv_bd = np.nan, np.nan
    else:
        ts, tv, tv_bd = fw.timescales, fw.tv_mdn, fw.tv_brownian
    ts_a, ts_b, ts_m = (np.asarray(ts[k]) for k in ("analytic", "brownian", "mdn"))
    rel = np.abs(ts_m - ts_b) / ts_b
    cs.add(
        "ch04.fourwell-timescales",
        "Fig. 2",
        "The MDN propagator reproduces the four-well kinetics (leading implied timescales).",
        "excellent accord with analytic and Brownian dynamics",
        "t1..t3 MDN "
        + ", ".join(f"{v:.3g}" for v in ts_m)
        + "; Brownian "
        + ", ".join(f"{v:.3g}" for v in ts_b)
        + "; analytic "
        + ", ".join(f"{v:.3g}" for v in ts_a),
        f"|MDN - Brownian| / Brownian <= {FW_TS_REL_TOL} for t1 and t2",
        bool((rel[:2] <= FW_TS_REL_TOL).all()),
        note="MSM on 100 bins at the MDN's lag; relative deviations "
        + ", ".join(f"{v:.2f}" for v in rel),
    )
    cs.add(
        "ch04.fourwell-density",
        "Fig. 2a",
        "The MDN trajectory has the Boltzmann stationary density.",
        "excellent accord",
        f"total variation distance {tv:.3f} (Brownian: {tv_bd:.3f})",
        f"TV(MDN, Boltzmann) <= {FW_TV_FACTOR:g} x TV(Brownian, Boltzmann) = "
        f"{FW_TV_FACTOR * tv_bd:.3f}",
        tv <= FW_TV_FACTOR * tv_bd,
        note="the tolerance scales with the sampling error of the training data",
    )
    cs.add(
        "ch04.fes-rmse",
        "Fig. 3",
        "LSS and MD free energies along psi_1 agree.",
        f"RMSE {PAPER_FES_RMSE_KT} kT",
        f"RMSE {trp.fes_rmse:.2f} kT",
        f"< {FES_RMSE_KT} kT",
        trp.fes_rmse < FES_RMSE_KT,
    )
    t_md, se_md = np.asarray(trp.t_md), np.asarray(trp.se_md)
    t_ls, se_ls = np.asarray(trp.t_lss), np.asarray(trp.se_lss)
    within = np.abs(t_ls - t_md) <= 2 * se_md
    cs.add(
        "ch04.timescales-within-errors",
        "Table 1",
        "LSS implied timescales t1-t3 agree with MD within its error bars.",
        "excellent agreement",
        "MD "
        + ", ".join(f"{a:.3g}±{b:.2g}" for a, b in zip(t_md, se_md, strict=True))
        + "; LSS "
        + ", ".join(f"{a:.3g}±{b:.2g}" for a, b in zip(t_ls, se_ls, strict=True))
        + " ns",
        "|t_LSS - t_MD| <= 2 sigma_MD for every i",
        bool(within.all()),
        note="within: " + ", ".join(str(bool(w)) for w in within),
    )
    smaller = se_ls < se_md
    cs.add(
        "ch04.lss-errors-smaller",
        "Table 1",
        "LSS standard errors are smaller than the MD's (about 10-fold in the paper).",
        "~10x smaller",
        "ratios sigma_MD / sigma_LSS "
        + ", ".join(f"{a / b:.2g}" for a, b in zip(se_md, se_ls, strict=True)),
        "sigma_LSS < sigma_MD for every i",
        bool(smaller.all()),
    )
    rg_md, rg_ls = trp.rg_md, trp.rg_lss
    d = abs(rg_ls[0] - rg_md[0])
    tol = 2 * np.hypot(rg_md[1], rg_ls[1])
    cs.add(
        "ch04.rg-agrees",
        "Sect. 3.2",
        "Radius of gyration of LSS structures agrees with MD.",
        "agree within errors",
        f"MD {rg_md[0]:.2f}±{rg_md[1]:.2f} Å, LSS {rg_ls[0]:.2f}±{rg_ls[1]:.2f} Å",
        "|difference| <= 2 combined block standard errors",
        d <= tol,
    )
    cs.add(
        "ch04.more-transitions",
        "Sect. 3.2",
        "LSS trajectories contain many more folding/unfolding transitions than the MD.",
        "orders of magnitude more",
        f"MD {trp.trans_md}, LSS {trp.trans_lss}",
        f"LSS >= {TRANSITION_FACTOR:g} x MD (and MD > 0)",
        trp.trans_md > 0 and trp.trans_lss >= TRANSITION_FACTOR * trp.trans_md,
    )
    return cs
