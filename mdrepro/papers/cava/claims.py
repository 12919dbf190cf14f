"""The checked claims of chapter 3 (Cava et al.), from a typed :class:`GenerationResults`."""

from __future__ import annotations

import numpy as np

from mdrepro.book.claims import ClaimSet, spread
from mdrepro.models.energy import TERMS
from mdrepro.papers.cava.study import GenerationResults


def generation(res: GenerationResults, profile: str) -> ClaimSet:
    """The chapter's claims, computed from the trained models' outputs.

    1. ``ch03.generated-stretches``: the End2End distance of the generated sequence (energy
       variant) changes from start to end by more than ``min_stretch_A`` (median over seeds
       of the median over held-out starts).
    2. ``ch03.generated-energy-in-md``: the median total bonded energy of generated frames lies
       inside the central ``energy_interval`` (e.g. 95 %) of the MD frames' energies, for the
       median over seeds.
    3. ``ch03.energy-loss-lowers-bond-deviation``: the median RMS bond-length deviation of
       reconstructed held-out frames is lower with the energy loss than without it (median over
       seeds of the per-seed ratio below 1).
    """
    params = res.params
    cs = ClaimSet("ch03", profile)
    seeds = res.seeds
    md_e = res.md_energy["total"]

    # 1. stretching
    stretch, truth = [], []
    for s in seeds:
        a = res.analysis(s, "energy")
        d, t = a.e2e_generated, a.e2e_truth  # (n_test, steps + 1)
        stretch.append(float(np.median(d[:, -1] - d[:, 0])))
        truth.append(float(np.median(t[:, -1] - t[:, 0])))
    n_steps = res.run(seeds[-1], "energy").generated.shape[1] - 1
    thr = float(params["min_stretch_A"])
    med = float(np.median(stretch))
    cs.add(
        "ch03.generated-stretches",
        "Fig. 3",
        "The generated sequence changes its End2End distance (the molecule stretches).",
        "End2End changes between frames 1 and 2, then stays about constant",
        f"generated change {med:.2f} Å over {n_steps} steps "
        f"(ground truth {np.median(truth):.2f} Å)",
        f"median over seeds > {thr:g} Å",
        med > thr,
        note=(
            "Change = End2End(last generated frame) - End2End(decoded start), median over "
            "held-out start frames; the threshold is about 4 thermal standard deviations of "
            "the restrained End2End distance (sqrt(kT/k) = 0.8 Å)."
        ),
        spread=spread(stretch)[1],
    )

    # 2. bonded energies of generated frames inside the MD distribution
    q = float(params["energy_interval"])
    lo, hi = np.percentile(md_e, [50 - q / 2, 50 + q / 2])
    meds, fracs, terms = [], [], {t: [] for t in TERMS}
    for s in seeds:
        ge = res.analysis(s, "energy").energy_generated_steps
        g = ge["total"]
        meds.append(float(np.median(g)))
        fracs.append(float(np.mean((g >= lo) & (g <= hi))))
        for t in TERMS:
            terms[t].append(float(np.median(ge[t])))
    m = float(np.median(meds))
    per_term = ", ".join(
        f"{t} {np.median(terms[t]):.0f} vs MD {np.median(res.md_energy[t]):.0f}" for t in TERMS
    )
    cs.add(
        "ch03.generated-energy-in-md",
        "Sect. 2.3",
        "Frames generated with the energy loss have bonded energies like those of MD frames.",
        "the energy loss keeps generated frames biophysically plausible (qualitative)",
        f"median total bonded energy {m:.0f} kJ/mol; MD {q:g} % interval [{lo:.0f}, {hi:.0f}]; "
        f"{100 * np.median(fracs):.0f} % of generated frames inside",
        f"median over seeds inside the MD central {q:g} % interval",
        lo <= m <= hi,
        note="Bonds + angles + proper torsions of the 40 backbone atoms, same force field as "
        "the MD; MD reference: the held-out replicas' frames. Median per term, generated vs MD "
        f"(kJ/mol): {per_term}."
        + (
            ""
            if lo <= m <= hi
            else " Fails: the decoded frames' bond lengths and angles deviate from the force "
            "field's far more than thermal motion does (see the deviation plots); stiff bonds "
            "turn sub-Ångström errors into large energies."
        ),
        spread=spread(meds)[1],
    )

    # 3. energy loss vs ablation, bond-length deviation of reconstructions
    ratios, dev_e, dev_a = [], [], []
    for s in seeds:
        de = float(np.median(res.analysis(s, "energy").deviation_reconstructed["bonds"]))
        da = float(np.median(res.analysis(s, "ablation").deviation_reconstructed["bonds"]))
        dev_e.append(de)
        dev_a.append(da)
        ratios.append(de / da)
    rmed = float(np.median(ratios))
    cs.add(
        "ch03.energy-loss-lowers-bond-deviation",
        "beyond the paper",
        "Training with the energy loss lowers the bond-length deviation of reconstructed "
        "frames compared with the same VAE trained without it.",
        "(not tested in the paper; its motivation for the energy loss)",
        f"median RMS bond deviation {np.median(dev_e):.3f} Å with vs {np.median(dev_a):.3f} Å "
        f"without; ratio {rmed:.2f}",
        "median over seeds of the per-seed ratio < 1",
        rmed < 1,
        note=f"Same seeds, data and budget; {sum(x < 1 for x in ratios)} of {len(ratios)} seeds "
        "lower with the energy loss. Deviation: per-frame RMS over the 39 backbone bonds from "
        "their MD mean lengths, on held-out frames.",
        spread=spread(ratios)[1],
    )
    return cs
