"""The checked claims of chapter 3 (Cava et al.), from a typed :class:`GenerationResults`.

Every check is registered with its tolerance and fixtures (:mod:`mdrepro.book.verdicts`);
:func:`generation` extracts the per-seed observations and records the verdicts.
"""

from __future__ import annotations

import math

import numpy as np

import mdrepro.papers.cava as paper_package
from mdrepro.book.claims import ClaimSet
from mdrepro.book.registry import provide_sizes, tolerance
from mdrepro.book.verdicts import NOT_REPRODUCED, REPRODUCED, UNDECIDED, Check, register
from mdrepro.models.energy import TERMS
from mdrepro.papers.cava import params
from mdrepro.papers.cava.study import GenerationResults

DOC = "cava"
provide_sizes(
    DOC,
    lambda chapter, profile: params.resolve(chapter, profile),
    [ch.id for ch in paper_package.CHAPTERS],
)
SYSTEM = (
    "deca-alanine (103 atoms, charged uncapped termini) in implicit solvent, pulled by an "
    "OpenMM constant-velocity restraint, for the paper's 104-atom SMD runs"
)
#: End2End change that counts as stretching, Å: about 4 thermal standard deviations of the
#: restrained End2End distance (sqrt(kT/k) = 0.8 Å).
MIN_STRETCH_A = tolerance("cava", "ch03.generated-stretches")[0]


def _in_interval(obs) -> np.ndarray:
    """Per seed, where the median generated energy lies in the MD interval, scaled so that the
    interval is [0, 1]: ``obs = {"lo": float, "hi": float, "values": [...]}``.
    """
    lo, hi = float(obs["lo"]), float(obs["hi"])
    return (np.asarray(obs["values"], dtype=np.float64) - lo) / (hi - lo)


STRETCHES = register(
    Check(
        id="ch03.generated-stretches",
        document=DOC,
        where="Fig. 3",
        statement="The generated sequence changes its End2End distance: the molecule stretches.",
        paper="End2End changes along the generated sequence",
        unit="Å",
        criterion=f"End2End(last generated) - End2End(decoded start), median over held-out "
        f"starts, per seed, > {MIN_STRETCH_A:g} Å (4 thermal standard deviations)",
        fixtures={
            REPRODUCED: [8.0, 9.0, 8.5],
            NOT_REPRODUCED: [0.1, 0.2, 0.0],
            UNDECIDED: [1.0, 6.0, 3.0],
        },
        family="generation",
    )
)
ENERGY_IN_MD = register(
    Check(
        id="ch03.generated-energy-in-md",
        document=DOC,
        where="Sect. 3",
        statement="Frames generated with the energy loss have bonded energies like MD frames.",
        paper="the generated sequence could be considered a trajectory (qualitative)",
        unit="position in the MD interval",
        criterion="median total bonded energy of generated frames, per seed, inside the MD "
        "frames' central 95 % interval (scaled to [0, 1])",
        measure=_in_interval,
        fixtures={
            REPRODUCED: {"lo": 100, "hi": 200, "values": [140, 150, 160]},
            NOT_REPRODUCED: {"lo": 100, "hi": 200, "values": [900, 1000, 950]},
            UNDECIDED: {"lo": 100, "hi": 200, "values": [150, 250, 200]},
        },
        family="generation",
    )
)
BOND_DEVIATION = register(
    Check(
        id="ch03.energy-loss-lowers-bond-deviation",
        document=DOC,
        where="beyond the paper (Sect. 2.3, its motivation for the energy loss)",
        statement="Training with the energy loss lowers the bond-length deviation of "
        "reconstructed frames compared with the same VAE trained without it.",
        paper="(no ablation in the paper)",
        unit="ratio",
        criterion="RMS bond deviation with / without the energy loss, per seed, < 1",
        fixtures={
            REPRODUCED: [0.5, 0.6, 0.55],
            NOT_REPRODUCED: [1.5, 1.6, 1.4],
            UNDECIDED: [0.5, 1.5, 1.0],
        },
        beyond_paper=True,
        family="generation",
    )
)

PULL_COSTS = register(
    Check(
        id="ch03.stretching-costs-work",
        document=DOC,
        where="Sect. 2.1",
        statement="Stretching the molecule along End2End is uphill: the pulling spring does "
        "positive work on every replica.",
        paper="traversing the End2End distance CV is not normally energetically favorable",
        unit="kJ/mol",
        criterion="work of the pulling spring over the pull, per replica, > 0",
        fixtures={
            REPRODUCED: [300.0, 320.0, 310.0],
            NOT_REPRODUCED: [-300.0, -320.0, -310.0],
            UNDECIDED: [-100.0, 300.0, 100.0],
        },
        family="generation",
        sample_unit="replicas",
    )
)
MD_STRETCHES = register(
    Check(
        id="ch03.md-stretches",
        document=DOC,
        where="Sect. 2.1",
        statement="The steered MD stretches the molecule from its unstretched start.",
        paper="biased forces stretch it from an initial unstretched conformation",
        unit="Å",
        criterion=f"End2End change over the held-out replica, per replica, > {MIN_STRETCH_A:g} Å",
        fixtures={
            REPRODUCED: [20.0, 21.0, 20.5],
            NOT_REPRODUCED: [0.1, 0.2, 0.0],
            UNDECIDED: [1.0, 6.0, 3.0],
        },
        family="generation",
        sample_unit="replicas",
    )
)
JUMP_THEN_FLAT = register(
    Check(
        id="ch03.e2e-jump-then-plateau",
        document=DOC,
        where="Sect. 3, Fig. 3",
        statement="Along a generated sequence the End2End distance jumps between frames 1 and 2, "
        "then stays about constant.",
        paper="a difference between Frame 1 to 2, and then stays relatively constant",
        unit="Å",
        criterion="first-step End2End change minus the End2End range over the later frames, "
        "median over held-out starts, per seed, > 0",
        fixtures={
            REPRODUCED: [5.0, 6.0, 5.5],
            NOT_REPRODUCED: [-5.0, -6.0, -5.5],
            UNDECIDED: [-1.0, 2.0, 0.5],
        },
        family="generation",
    )
)
REACHES_END = register(
    Check(
        id="ch03.generated-reaches-end",
        document=DOC,
        where="Sect. 3",
        statement="The generated sequence goes from the start frame A to the end state B: its "
        "last End2End distance is the MD's.",
        paper="generate a sequence from a starting frame A to an ending frame B",
        unit="Å",
        criterion=f"|End2End(last generated) - End2End(last MD frame)|, median over held-out "
        f"starts, per seed, <= {MIN_STRETCH_A:g} Å",
        fixtures={
            REPRODUCED: [1.0, 1.2, 1.1],
            NOT_REPRODUCED: [10.0, 12.0, 11.0],
            UNDECIDED: [1.0, 5.0, 3.0],
        },
        family="generation",
    )
)
RECONSTRUCTION = register(
    Check(
        id="ch03.reconstruction-physical",
        document=DOC,
        where="Sect. 3",
        statement="The latent representation keeps the molecule's geometry: reconstructed bond "
        "lengths deviate no more than thermal motion does.",
        paper="learn latent representations (of the frames)",
        unit="ratio",
        criterion="median RMS bond deviation of reconstructed held-out frames over the 95th "
        "percentile of the MD frames' own, per seed, <= 1",
        fixtures={
            REPRODUCED: [0.5, 0.6, 0.55],
            NOT_REPRODUCED: [5.0, 6.0, 5.5],
            UNDECIDED: [0.5, 1.5, 1.0],
        },
        family="generation",
    )
)
ENERGY_NECESSARY = register(
    Check(
        id="ch03.energy-term-necessary",
        document=DOC,
        where="Sect. 2.3",
        statement="Without the energy loss, generated frames have higher bonded energies.",
        paper="a linear combination of reconstruction, potential energy and CV loss is necessary",
        unit="MD interval widths",
        criterion="median bonded energy of generated frames without minus with the energy loss, "
        "in widths of the MD frames' central 95 % interval, per seed, > 0",
        fixtures={
            REPRODUCED: [2.0, 2.5, 2.2],
            NOT_REPRODUCED: [-2.0, -2.5, -2.2],
            UNDECIDED: [-1.0, 2.0, 0.5],
        },
        family="generation",
    )
)
TRADEOFF = register(
    Check(
        id="ch03.energy-cv-tradeoff",
        document=DOC,
        where="Sect. 3",
        statement="The energy and End2End losses compete: with the energy loss, the End2End "
        "loss ends higher.",
        paper="competing losses of minimizing potential energy and the MSE of the CV",
        unit="ratio",
        criterion="final-epoch End2End (CV) loss with / without the energy loss, per seed, > 1",
        fixtures={
            REPRODUCED: [1.5, 1.6, 1.4],
            NOT_REPRODUCED: [0.5, 0.6, 0.55],
            UNDECIDED: [0.8, 1.2, 1.0],
        },
        family="generation",
    )
)


#: Rotation sensitivity that counts as "not invariant": a rotation moves the encoding by at least
#: a tenth of what a change of conformation does (an invariant encoder gives 0 up to rounding).
#: Fixed before the first measurement; the paper gives no number.
MIN_ROTATION_SENSITIVITY = tolerance("cava", "ch03.not-rotation-invariant")[0]

NOT_ROTATION_INVARIANT = register(
    Check(
        id="ch03.not-rotation-invariant",
        document=DOC,
        where="Sect. 3",
        statement="The VAE's encoding is not invariant to rotations of the molecule.",
        paper="lack of invariance to rotation and translation",
        unit="ratio",
        criterion="RMS move of a held-out frame's encoding under 20 random rotations / RMS spread "
        f"of encodings across held-out frames, per seed (energy variant), > "
        f"{MIN_ROTATION_SENSITIVITY}",
        fixtures={
            REPRODUCED: [0.8, 0.9, 1.0],
            NOT_REPRODUCED: [1e-6, 2e-6, 1e-6],
            UNDECIDED: [0.01, 0.5, 0.2],
        },
        family="generation",
    )
)


def _final_cv(run) -> float:
    """Final-epoch End2End (CV) loss of a run's VAE (NaN without a history)."""
    h = run.vae_history
    if h is None or "cv" not in h.components or not len(h.components["cv"]):
        return math.nan
    return float(h.components["cv"][-1])


def fit_reports(res: GenerationResults) -> list:
    """The adequacy report of every VAE and latent-LSTM fit (:mod:`mdrepro.book.fits`).

    The document fixes the epochs (8 for the VAE, 22 for the LSTM), so no convergence check:
    each fit must stay finite and lower its loss.
    """
    from mdrepro.book import fits

    p = res.params
    return [
        fits.assess(
            getattr(r, f"{net}_history"),
            f"{r.variant}-s{r.seed}",
            net,
            p.get(f"{net}_epochs"),
            protocol=True,
        )
        for r in res.runs
        for net in ("vae", "lstm")
        if fits.is_fit(getattr(r, f"{net}_history", None))
    ]


def generation(
    res: GenerationResults,
    profile: str,
    controls: list[dict] | None = None,
    work: list[float] | None = None,
) -> ClaimSet:
    """The chapter's claims, computed from the trained models' outputs; ``controls``
    (:func:`~mdrepro.papers.cava.study.controls`) are the untrained generator's stretches.
    """
    from mdrepro.book.fits import gate

    cs = ClaimSet("ch03", profile, system=SYSTEM)
    cs.require(gate(fit_reports(res), "VAE and latent-LSTM fits"))
    seeds = res.seeds
    md_e = res.md_energy["total"]

    stretch, truth = [], []
    for s in seeds:
        a = res.analysis(s, "energy")
        d, t = a.e2e_generated, a.e2e_truth  # (n_test, steps + 1)
        stretch.append(float(np.median(d[:, -1] - d[:, 0])))
        truth.append(float(np.median(t[:, -1] - t[:, 0])))
    n_steps = res.run(seeds[-1], "energy").generated.shape[1] - 1
    cs.check(
        STRETCHES.id,
        stretch,
        f"generated change {np.median(stretch):.2f} Å over {n_steps} steps (ground truth "
        f"{np.median(truth):.2f} Å)",
        seeds=seeds,
    )

    if controls:
        st = [c["stretch"] for c in sorted(controls, key=lambda c: c["seed"])]
        cs.control(
            STRETCHES.id,
            st,
            "the VAE and LSTM with their initial weights (untrained)",
            "End2End change " + ", ".join(f"{v:.2f}" for v in st) + " Å",
        )

    q = float(res.params["energy_interval"])
    lo, hi = np.percentile(md_e, [50 - q / 2, 50 + q / 2])
    meds, fracs, terms = [], [], {t: [] for t in TERMS}
    for s in seeds:
        ge = res.analysis(s, "energy").energy_generated_steps
        g = ge["total"]
        meds.append(float(np.median(g)))
        fracs.append(float(np.mean((g >= lo) & (g <= hi))))
        for t in TERMS:
            terms[t].append(float(np.median(ge[t])))
    per_term = ", ".join(
        f"{t} {np.median(terms[t]):.0f} vs MD {np.median(res.md_energy[t]):.0f}" for t in TERMS
    )
    cs.check(
        ENERGY_IN_MD.id,
        {"lo": lo, "hi": hi, "values": meds},
        f"median total bonded energy {np.median(meds):.0f} kJ/mol; MD {q:g} % interval "
        f"[{lo:.0f}, {hi:.0f}]; {100 * np.median(fracs):.0f} % of generated frames inside",
        seeds=seeds,
        note="Bonds + angles + proper torsions of the 40 backbone atoms, same force field as "
        "the MD; MD reference: the held-out replicas' frames. Median per term, generated vs MD "
        f"(kJ/mol): {per_term}.",
    )

    if work:
        cs.check(
            PULL_COSTS.id,
            work,
            f"work per replica: median {np.median(work):.0f} kJ/mol, range "
            f"{np.min(work):.0f}-{np.max(work):.0f} ({len(work)} replicas)",
            seeds=list(range(len(work))),
            note="trapezoidal sum of spring force x spring-centre displacement",
        )
    a0 = res.analysis(seeds[0], "energy")
    md = a0.e2e_truth[:, -1] - a0.e2e_truth[:, 0]
    cs.check(
        MD_STRETCHES.id,
        md,
        "End2End change of the held-out replicas " + ", ".join(f"{v:.1f}" for v in md) + " Å",
        seeds=list(range(len(md))),
    )
    jumps, ends = [], []
    for s in seeds:
        a = res.analysis(s, "energy")
        d, t = a.e2e_generated, a.e2e_truth
        later = d[:, 1:].max(axis=1) - d[:, 1:].min(axis=1) if d.shape[1] > 2 else 0.0 * d[:, 0]
        jumps.append(float(np.median((d[:, 1] - d[:, 0]) - later)))
        ends.append(float(np.median(np.abs(d[:, -1] - t[:, -1]))))
    cs.check(
        JUMP_THEN_FLAT.id,
        jumps,
        "first jump minus later range " + ", ".join(f"{v:.2f}" for v in jumps) + " Å",
        seeds=seeds,
    )
    cs.check(
        REACHES_END.id,
        ends,
        "|last generated - last MD| End2End " + ", ".join(f"{v:.2f}" for v in ends) + " Å",
        seeds=seeds,
    )
    p95 = float(np.percentile(res.md_deviation["bonds"], 95))
    rec = [
        float(np.median(res.analysis(s, "energy").deviation_reconstructed["bonds"]) / p95)
        for s in seeds
    ]
    cs.check(
        RECONSTRUCTION.id,
        rec,
        f"median reconstructed bond deviation / MD 95th percentile ({p95:.3f} Å) "
        + ", ".join(f"{v:.2f}" for v in rec),
        seeds=seeds,
    )
    width = float(hi - lo)
    diff = [
        float(
            np.median(res.analysis(s, "ablation").energy_generated_steps["total"])
            - np.median(res.analysis(s, "energy").energy_generated_steps["total"])
        )
        / width
        for s in seeds
    ]
    cs.check(
        ENERGY_NECESSARY.id,
        diff,
        "without - with, in MD interval widths ("
        + f"{width:.0f} kJ/mol) "
        + ", ".join(f"{v:.2f}" for v in diff),
        seeds=seeds,
    )
    rot = [float(res.run(s, "energy").rotation_sensitivity) for s in seeds]
    cs.check(
        NOT_ROTATION_INVARIANT.id,
        rot,
        "encoding move under rotation / spread across frames "
        + ", ".join(f"{v:.2f}" for v in rot),
        seeds=seeds,
        note="frames are centred before encoding, so translation invariance holds by construction",
    )
    cv = [_final_cv(res.run(s, "energy")) / _final_cv(res.run(s, "ablation")) for s in seeds]
    cs.check(
        TRADEOFF.id,
        cv,
        "final CV loss with / without the energy loss " + ", ".join(f"{v:.2f}" for v in cv),
        seeds=seeds,
    )

    ratios, dev_e, dev_a = [], [], []
    for s in seeds:
        de = float(np.median(res.analysis(s, "energy").deviation_reconstructed["bonds"]))
        da = float(np.median(res.analysis(s, "ablation").deviation_reconstructed["bonds"]))
        dev_e.append(de)
        dev_a.append(da)
        ratios.append(de / da)
    cs.check(
        BOND_DEVIATION.id,
        ratios,
        f"median RMS bond deviation {np.median(dev_e):.3f} Å with vs {np.median(dev_a):.3f} Å "
        "without",
        seeds=seeds,
        note="Same seeds, data and budget. Deviation: per-frame RMS over the 39 backbone bonds "
        "from their MD mean lengths, on held-out frames.",
    )
    cs.settle()  # controls both ways (mdrepro.book.claims.ClaimSet.settle)
    return cs
