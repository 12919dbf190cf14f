"""Chapter 1 logic: the two MD data sets of Gupta, Cava et al. (2020), Figs 2-5.

The notebook narrates and plots; everything it computes comes from :func:`analyse_set` and is
judged by :func:`check_claims`, both unit-tested.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mdrepro import analysis
from mdrepro.claims import ClaimSet, monotone_increasing, relative_change_ok

#: Lead times of the paper's Fig. 3 (ADK), in fs; Fig. 5 uses the same lead *steps* on the
#: SMD characterisation set, whose frames are 500x further apart in the paper.
PAPER_LEADS_FS = (10, 50, 100, 300, 600, 1200)
PAPER_ADK_FRAME_FS = 10.0
#: The paper's ratios (Fig. 4D/E text; Fig. 5 vs Fig. 3, "about 10x" in the issue summary).
PAPER_RMSD_RATIO = 10.0
PAPER_DECORRELATION_RATIO = 100.0


@dataclass
class SetAnalysis:
    """Everything Figs 2-5 need from one data set.

    Attributes
    ----------
    name : str
    frame_fs : float
        Frame interval of the analysed frames, fs.
    rmsd_to_first : list of ndarray
        Per copy, ``(T,)`` Eq. 1 RMSD to frame 0, nm.
    fast_regions : list of ndarray
        Per copy, ``(M, 2)`` start/end times (fs) of fast evolution.
    kurtosis : ndarray
        ``(N, 3)`` excess kurtosis of x, y, z per particle (first copy).
    kurtosis_classes : object
        Result of :func:`mdrepro.analysis.kurtosis_classes`.
    leads : dict
        Lead (fs) -> ``(n,)`` static-model RMSD, nm (all copies pooled).
    lead_steps : list of int
        The leads in frames.
    shape_series : list of ndarray
        Per copy, the shape observable (radius of gyration or end-to-end distance), nm.
    acf : ndarray
        Autocorrelation of the shape observable (copies averaged), from lag 0.
    tau_fs : float
        Decorrelation time of ``acf`` (first 1/e crossing), fs.
    """

    name: str
    frame_fs: float
    rmsd_to_first: list = field(default_factory=list)
    fast_regions: list = field(default_factory=list)
    kurtosis: np.ndarray | None = None
    kurtosis_classes: object = None
    leads: dict = field(default_factory=dict)
    lead_steps: list = field(default_factory=list)
    shape_series: list = field(default_factory=list)
    acf: np.ndarray | None = None
    tau_fs: float = float("nan")

    def median_lead_rmsd(self) -> np.ndarray:
        """Median static-model RMSD per lead, nm."""
        return np.array([np.median(v) for v in self.leads.values()])


def analyse_set(
    name: str,
    xyz: list[np.ndarray],
    frame_fs: float,
    lead_steps: list[int],
    shape: str,
    fast_window: int = 25,
    acf_max_lag_fraction: float = 0.5,
) -> SetAnalysis:
    """Run every Fig. 2-5 analysis on one data set.

    Parameters
    ----------
    name : str
        Label.
    xyz : list of ndarray
        Per copy, ``(T, N, 3)`` coordinates in nm.
    frame_fs : float
        Time between frames, fs.
    lead_steps : list of int
        Static-model leads, in frames.
    shape : {"rg", "end_to_end"}
        Shape observable whose autocorrelation is analysed.
    fast_window : int
        Smoothing window (frames) of the fast-region detector.
    acf_max_lag_fraction : float
        Largest ACF lag as a fraction of the trajectory length.
    """
    res = SetAnalysis(name=name, frame_fs=frame_fs, lead_steps=list(lead_steps))
    for x in xyz:
        r = analysis.rmsd_to_first(x)
        res.rmsd_to_first.append(r)
        res.fast_regions.append(analysis.fast_regions(r, frame_fs, window=fast_window))
    res.kurtosis = analysis.excess_kurtosis(xyz[0])
    res.kurtosis_classes = analysis.kurtosis_classes(res.kurtosis)
    for step in lead_steps:
        res.leads[step * frame_fs] = analysis.static_model_rmsd_multi(xyz, step)
    if shape == "rg":
        series = [analysis.radius_of_gyration(x) for x in xyz]
    elif shape == "end_to_end":
        series = [analysis.end_to_end_distance(x) for x in xyz]
    else:
        raise ValueError(f"expected shape 'rg' or 'end_to_end', found {shape!r}")
    res.shape_series = series
    n = min(len(s) for s in series)
    max_lag = max(2, int(acf_max_lag_fraction * n))
    res.acf = np.mean([analysis.autocorrelation(s, max_lag=max_lag) for s in series], axis=0)
    res.tau_fs = float(analysis.decorrelation_time(res.acf, frame_fs))
    return res


def check_claims(adk: SetAnalysis, smd: SetAnalysis, profile: str) -> ClaimSet:
    """The chapter's claims, measured vs the paper, each with its criterion and verdict."""
    cs = ClaimSet("ch01", profile)
    for res, fig in ((adk, "Fig. 3"), (smd, "Fig. 5")):
        med = res.median_lead_rmsd() * 10  # Å
        leads = list(res.leads)
        cs.add(
            f"ch01.static-error-grows.{res.name}",
            fig,
            f"Static-model error grows with lead time ({res.name})",
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
    n_eff = {r.name: effective_samples(r) for r in (adk, smd)}

    def sampling_note(res: SetAnalysis) -> str:
        n = n_eff[res.name]
        text = (
            f"{res.name}: about {n:.0f} decorrelated samples per particle (run length / "
            f"2 x decorrelation time)"
        )
        if n < 100:
            text += "; a kurtosis from so few samples is dominated by noise and drift"
        return text

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
        note=sampling_note(adk),
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
        note=sampling_note(smd),
    )
    return cs


def effective_samples(res: SetAnalysis) -> float:
    """Decorrelated samples in the first copy: run length / (2 x decorrelation time).

    The usual estimate of the number of independent samples in a correlated series (with the
    1/e time standing in for the integrated autocorrelation time); NaN when the series never
    decorrelated within the run.
    """
    length_fs = len(res.rmsd_to_first[0]) * res.frame_fs
    if not np.isfinite(res.tau_fs) or res.tau_fs <= 0:
        return float("nan")
    return length_fs / (2.0 * res.tau_fs)


def describe(ts) -> dict:
    """One row of the data table: what a :class:`~mdrepro.data.TrajectorySet` holds."""
    m = ts.meta
    p = m.get("params", {})
    return {
        "data set": ts.name,
        "source": "simulated here" if m.get("source") != "user" else "user files",
        "copies": ts.n_copies,
        "particles": ts.n_atoms,
        "frames per copy": ", ".join(str(n) for n in ts.n_frames),
        "frame interval (fs)": ts.frame_interval_fs,
        "engine": m.get("engine", "-"),
        "force field": p.get("forcefield", "-"),
        "solvent": p.get("solvent", "-"),
        "T (K)": p.get("temperature_K", "-"),
        "time step (fs)": p.get("timestep_fs", "-"),
        "build wall time (s)": m.get("wall_time_s", "-"),
    }


#: The paper's protocol for each data set, for the differences table.
PAPER_PROTOCOL = {
    "adk-equilibrium": {
        "engine": "OpenMM",
        "forcefield": "ff14SBonlysc",
        "solvent": "gbn2",
        "cutoff_nm": None,
        "temperature_K": 310.0,
        "timestep_fs": 1.0,
        "frame_interval_fs": 10.0,
        "n_copies": 5,
        "n_frames": 10_000,
    },
    "ala100-smd": {
        "engine": "NAMD",
        "forcefield": "CHARMM36m",
        "solvent": "GBIS",
        "cutoff_nm": 1.2,
        "temperature_K": 300.0,
        "timestep_fs": 1.0,
        "frame_interval_fs": 10.0,
        "speed_A_per_ps": 0.2,
        "spring_k_kcal_per_A2": 7.0,
        "n_frames": 1_000_000,
        "n_copies": 5,
    },
}


def differences(ts) -> list[tuple[str, str, str]]:
    """(item, paper, here) rows where our data set differs from the paper's protocol."""
    base = ts.name.replace(" (user data)", "")
    paper = PAPER_PROTOCOL.get(base, {})
    if ts.meta.get("source") == "user":
        return [
            (
                "data",
                "the paper's own simulation",
                "user files: " + ", ".join(ts.meta["trajectory"]),
            )
        ]
    here = dict(ts.meta.get("params", {}))
    here["engine"] = ts.meta.get("engine", "?")
    rows = []
    for key, pval in paper.items():
        hval = here.get(key, "-")
        if key == "n_copies" and base == "ala100-smd":
            hval = 1
        if str(pval) != str(hval):
            rows.append((key, str(pval), str(hval)))
    return rows


def differences_html(*sets) -> str:
    """HTML table of :func:`differences` for several data sets."""
    import html

    rows = []
    for ts in sets:
        for item, p, h in differences(ts):
            rows.append(
                f"<tr><td>{html.escape(ts.name)}</td><td>{html.escape(item)}</td>"
                f"<td>{html.escape(p)}</td><td>{html.escape(h)}</td></tr>"
            )
    if not rows:
        return "<p>No differences in protocol parameters.</p>"
    return (
        "<table><thead><tr><th>data set</th><th>parameter</th><th>paper</th><th>here</th>"
        "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )
