"""Data sets of Gupta, Cava et al. (2020): ADK equilibrium MD and 100-alanine steered MD.

The recipes are registered in the shared registry (:mod:`mdrepro.data.registry`) with the
paper's protocol as the ``paper`` profile and the ci overrides; the loaders return the arrays
the chapters need, from the built-in sets or from a user's own files.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from mdrepro.data.registry import DatasetSpec, register
from mdrepro.profiles import derive

# ----------------------------------------------------------------------------------- recipes
_ADK_PAPER = {
    "forcefield": "ff14SBonlysc",
    "solvent": "gbn2",
    "cutoff_nm": None,
    "temperature_K": 310.0,
    "timestep_fs": 1.0,
    "frame_interval_fs": 10.0,
    "friction_per_ps": 1.0,
    "n_copies": 5,
    "n_frames": 10_000,
    "equilibration_ps": 0.0,
    "seed": 2020,
    "chunk_frames": 1000,
    "cpu_threads": 1,  # OpenMM's CPU platform repeats bit for bit only on one thread
}
#: ci: the native OBC implicit solvent runs 8x faster on a CPU than the CustomGBForce GBn2;
#: 2 fs with HBonds constraints; a 1.2 nm cutoff (1.7x faster than 2.0 nm: 84 vs 144 ms per
#: step on one core); 3 copies of 5 ps, so that every per-copy statistic has three samples.
_ADK_CI = {
    "forcefield": "amber99sbildn",
    "solvent": "obc",
    "cutoff_nm": 1.2,
    "timestep_fs": 2.0,
    "n_copies": 3,
    "n_frames": 500,
    "chunk_frames": 100,
}

_SMD_PAPER = {
    "n_residues": 100,
    "forcefield": "ff14SBonlysc",
    "solvent": "gbn2",
    "cutoff_nm": None,
    "temperature_K": 300.0,
    "timestep_fs": 1.0,
    "frame_interval_fs": 10.0,
    "friction_per_ps": 1.0,
    "spring_k_kcal_per_A2": 7.0,
    "speed_A_per_ps": 0.2,
    "n_frames": 1_000_000,
    "n_copies": 5,
    "allatom_every": 500,
    "restraint_k_kcal_per_A2": 50.0,
    "equilibration_ps": 10.0,
    "seed": 2020,
    "chunk_frames": 10_000,
    "cpu_threads": 1,
}
#: ci: native OBC, 2 fs, 1.2 nm cutoff, 10x faster pulling over 40 ps (the helix still
#: unfolds); 3 independent pulls.
_SMD_CI = {
    "forcefield": "amber99sbildn",
    "solvent": "obc",
    "cutoff_nm": 1.2,
    "n_copies": 3,
    "timestep_fs": 2.0,
    "speed_A_per_ps": 2.0,
    "n_frames": 4000,
    "allatom_every": 10,
    "equilibration_ps": 2.0,
    "chunk_frames": 500,
}

ADK = register(
    DatasetSpec(
        name="adk-equilibrium",
        title="Adenylate kinase (open, 4AKE), equilibrium Langevin MD at 310 K, implicit solvent",
        recipe="build_adk_equilibrium",
        version=2,  # 2: DCD headers without a time stamp, one CPU thread
        source=(
            "Gupta, Cava et al. (2020): OpenMM, ff14SBonlysc + GBn2, 310 K, 1 fs steps, frames "
            "every 10 fs (the public script saves every 20 fs), 5 copies x 10^4 frames."
        ),
        # the extended tier trains longer on the same data: its set is ci's (same key)
        params={
            "paper": _ADK_PAPER,
            "ci": derive(_ADK_PAPER, _ADK_CI),
            "extended": derive(_ADK_PAPER, _ADK_CI),
        },
    )
)

SMD = register(
    DatasetSpec(
        name="ala100-smd",
        title="100-alanine alpha-helix, constant-velocity steered MD (helix -> coil), 300 K",
        recipe="build_ala100_smd",
        version=3,  # 3: n_copies independent pulls; 2: DCD headers without a time stamp
        source=(
            "Gupta, Cava et al. (2020): NAMD SMD-CV, CHARMM36m + GBIS, 300 K, 1 fs, "
            "k = 7 kcal/mol/Å^2, v = 0.2 Å/ps, 10^7 fs, frames every 10 fs (LSTM set) and every "
            "5000 fs (2000 frames, characterisation)."
        ),
        # the extended tier trains longer on the same data: its set is ci's (same key)
        params={
            "paper": _SMD_PAPER,
            "ci": derive(_SMD_PAPER, _SMD_CI),
            "extended": derive(_SMD_PAPER, _SMD_CI),
        },
    )
)


# ----------------------------------------------------------------------------------- loaders
class _PerSet(Mapping):
    """A read-only ``{"adk": ..., "smd": ...}`` that loads a set on first access of its key."""

    def __init__(self, inputs, get):
        self._inputs, self._get, self._cache = inputs, get, {}

    def __getitem__(self, key):
        if key not in ("adk", "smd"):
            raise KeyError(key)
        if key not in self._cache:
            self._cache[key] = self._get(self._inputs._load(key))
        return self._cache[key]

    def __iter__(self):
        return iter(("adk", "smd"))

    def __len__(self) -> int:
        return 2


class Inputs:
    """The two data sets of a chapter, opened on first use.

    Parameters
    ----------
    ctx : mdrepro.book.chapter.ChapterContext
    adk, smd : tuple (trajectory, topology, frame_fs)
        A user's files instead of a built-in set (``trajectory`` None: built in).
    selection : str
        mdtraj selection (the paper's low-dimensional set: C-alpha atoms).
    smd_part : {"characterisation", "lstm"}
        Which recorded part of the SMD set.

    Attributes
    ----------
    adk, smd : mdrepro.data.TrajectorySet
        Loaded (and built, if needed) on first access.
    """

    def __init__(self, ctx, adk=None, smd=None, selection="name CA", smd_part="characterisation"):
        self.ctx = ctx
        self.files = {"adk": tuple(adk or (None, None, None)), "smd": tuple(smd or (None,) * 3)}
        self.selection = selection
        self.parts = {"adk": None, "smd": smd_part}
        self._sets: dict = {}
        for key in ("adk", "smd"):
            if self.files[key][0] is None:  # a built-in set: known without loading it
                ctx.use_data(NAMES[key], self.fingerprint(key))

    def _load(self, key: str):
        from mdrepro import data

        if key not in self._sets:
            ts = data.open_set(
                NAMES[key],
                self.ctx.profile,
                *self.files[key],
                selection=self.selection,
                part=self.parts[key],
            )
            self.ctx.use_data(ts.name, ts.fingerprint())
            self._sets[key] = ts
        return self._sets[key]

    @property
    def adk(self):
        """The ADK copies (:class:`~mdrepro.data.TrajectorySet`)."""
        return self._load("adk")

    @property
    def smd(self):
        """The 100-alanine SMD trajectory (:class:`~mdrepro.data.TrajectorySet`)."""
        return self._load("smd")

    def fingerprint(self, key: str) -> str:
        """Identity of one input; a built-in set's is known without loading it."""
        from mdrepro import data

        if self.files[key][0] is None:
            return data.fingerprint(NAMES[key], self.ctx.profile, self.parts[key], self.selection)
        return self._load(key).fingerprint()

    @property
    def fingerprints(self) -> dict[str, str]:
        """``{"adk": ..., "smd": ...}``: see :meth:`fingerprint`."""
        return {k: self.fingerprint(k) for k in ("adk", "smd")}

    @property
    def xyz(self) -> Mapping[str, list[np.ndarray]]:
        """``{"adk": [copies], "smd": [copies]}``, each ``(T, N, 3)`` nm; a set is loaded
        (and built) only when its key is read, so a unit of work on one set never touches the
        other.
        """
        return _PerSet(self, lambda ts: ts.xyz())

    @property
    def frame_fs(self) -> Mapping[str, float]:
        """Time between frames of each set, fs (loaded per key, as :attr:`xyz`)."""
        return _PerSet(self, lambda ts: ts.frame_interval_fs)

    def table(self):
        """One row per data set: what it holds and how it was made."""
        import pandas as pd

        return pd.DataFrame([describe(self.adk), describe(self.smd)]).set_index("data set")

    def pulling_forces(self) -> list[np.ndarray]:
        """Spring force along each SMD pull (one array per copy), pN (empty for a user's files)."""
        tab = self.smd.tables.get("pulling")
        if tab is None:
            return []
        if "replica" not in (tab.dtype.names or ()):
            return [np.asarray(tab["force_pN"], dtype=np.float64)]
        rep = np.asarray(tab["replica"])
        return [np.asarray(tab["force_pN"][rep == r], dtype=np.float64) for r in np.unique(rep)]

    def pulling_summary(self) -> str:
        """Mean and peak spring force of the SMD pull (the paper quotes about 1 nN)."""
        if "pulling" not in self.smd.tables:
            return "user data: no pulling record"
        forces = self.pulling_forces()
        f = np.concatenate(forces)
        return (
            f"{len(forces)} pull(s): mean force {np.mean(f):.0f} pN, peak {np.max(f):.0f} pN "
            f"(the paper quotes about 1000 pN = 1 nN)"
        )

    def differences_html(self) -> str:
        """HTML table of where our data differ from the paper's protocol."""
        return differences_html(self.adk, self.smd)


#: Registry names of the two inputs.
NAMES = {"adk": "adk-equilibrium", "smd": "ala100-smd"}


def load(
    ctx,
    adk: tuple | None = None,
    smd: tuple | None = None,
    selection: str = "name CA",
    smd_part: str = "characterisation",
) -> Inputs:
    """The two data sets of a chapter (opened on first use; see :class:`Inputs`)."""
    return Inputs(ctx, adk, smd, selection, smd_part)


def load_all_atoms(ctx, name: str, files: tuple | None = None, part: str | None = None):
    """All protein atoms of one set (for the 3-D views), from the cache or a user's files."""
    from mdrepro import data

    return data.open_set(
        name, ctx.profile, *(files or (None, None, None)), selection="protein", part=part
    )


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


def differences(ts) -> list[tuple[str, str, str]]:
    """(item, paper, here) rows where our data set differs from the paper's protocol."""
    from mdrepro.papers.gupta2020.params import PAPER_PROTOCOL

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
