"""Data sets of Winkler & Sauceda (2020): GFN2-xTB phase-space trajectories.

The slides integrate with DFT at 0.2 fs; ci uses 0.5 fs (the MD17 step) and a few ps per
temperature. Production is NVE after a Langevin equilibration (:mod:`mdrepro.simulate.xtb`).
:func:`load` opens the built-in sets or a user's MD17 / position-velocity files.
"""

from __future__ import annotations

from mdrepro.data.registry import DatasetSpec, register
from mdrepro.profiles import derive

_XTB_PAPER = {
    "timestep_fs": 0.2,
    "equilibration_steps": 10_000,
    "friction_per_fs": 0.01,
    "production": "nve",
    "chunk_steps": 20_000,
    "optimise_fmax_eV_per_A": 0.005,
    "cpu_threads": 1,  # tblite's OpenMP reductions repeat bit for bit only on one thread
}
#: ci: the MD17 step (0.5 fs), a shorter equilibration.
_XTB_CI = {"timestep_fs": 0.5, "equilibration_steps": 2000, "chunk_steps": 2000}

_MDA = {
    "molecule": "keto-malondialdehyde",
    "temperatures_K": [100.0, 300.0, 500.0],
    "production_steps": 500_000,
    "seed": 2020,
    **_XTB_PAPER,
}
_BENZENE = {
    "molecule": "benzene",
    "temperatures_K": [300.0],
    "production_steps": 500_000,
    "seed": 2021,
    **_XTB_PAPER,
}

MDA = register(
    DatasetSpec(
        name="mda-xtb",
        title="Keto-malondialdehyde, GFN2-xTB MD at 100, 300 and 500 K (positions + velocities)",
        recipe="build_xtb_md",
        version=2,  # 2: one OpenMP thread
        source=(
            "Winkler & Sauceda (2020): DFT MD of keto-malondialdehyde at 100, 300 and 500 K, "
            "0.2 fs steps, positions and velocities at every step. Here: GFN2-xTB (tblite) "
            "through ASE, Langevin equilibration then NVE production."
        ),
        # ci: 4 ps per temperature
        params={"paper": _MDA, "ci": derive(_MDA, {**_XTB_CI, "production_steps": 8000})},
    )
)

BENZENE = register(
    DatasetSpec(
        name="benzene-xtb",
        title="Benzene, GFN2-xTB MD at 300 K (positions + velocities)",
        recipe="build_xtb_md",
        version=2,  # 2: one OpenMP thread
        source=(
            "Winkler & Sauceda (2020): benzene MD (MD17-like, 0.5 fs). Here: GFN2-xTB (tblite) "
            "through ASE at 300 K, Langevin equilibration then NVE production."
        ),
        # ci: 3 ps
        params={"paper": _BENZENE, "ci": derive(_BENZENE, {**_XTB_CI, "production_steps": 6000})},
    )
)

#: The malondialdehyde temperatures by part name.
TEMPERATURES = {"100K": 100.0, "300K": 300.0, "500K": 500.0}


#: Set keys of the chapter: the malondialdehyde temperatures and benzene.
KEYS = (*TEMPERATURES, "benzene")


class Inputs:
    """The chapter's phase-space sets, opened on first use.

    Parameters
    ----------
    ctx : mdrepro.book.chapter.ChapterContext
    user : dict
        ``mda_md17``, ``mda_positions``, ``mda_velocities`` (paths or dicts keyed by
        temperature), ``benzene_md17``, ``benzene_positions``, ``benzene_velocities``,
        ``user_frame_fs``: a user's files instead of the built-in sets.
    """

    def __init__(self, ctx, **user):
        self.ctx = ctx
        self.user = user
        self._sets: dict = {}
        for key in KEYS:
            if not self._is_user(key):
                ctx.use_data(self._name(key), self.fingerprint(key))

    def _files(self, key: str):
        pre = "benzene" if key == "benzene" else "mda"
        return [
            _pick(self.user.get(f"{pre}_{k}"), key) for k in ("md17", "positions", "velocities")
        ]

    def _is_user(self, key: str) -> bool:
        return any(f is not None for f in self._files(key))

    @staticmethod
    def _where(key: str) -> tuple[str, str]:
        return ("benzene-xtb", "300K") if key == "benzene" else ("mda-xtb", key)

    def dataset(self, key: str) -> str:
        """``"<registry name>/<part>"`` of set ``key`` (e.g. ``"mda-xtb/300K"``)."""
        return self._name(key)

    def _name(self, key: str) -> str:
        name, part = self._where(key)
        return f"{name}/{part}"

    def run_summaries(self) -> dict[str, dict]:
        """Per built-in set, the engine's run summary (NVE energy drift and fluctuation, eV;
        temperatures, K), read from the data set's manifest; empty for a user's files.
        """
        from mdrepro import data

        out = {}
        for key in KEYS:
            if self._is_user(key):
                continue
            name, part = self._where(key)
            self.get(key)  # built if needed
            man = data.entry(name, self.ctx.profile).manifest()
            summary = (man.get("run_summaries") or {}).get(part)
            if summary:
                out[key] = dict(summary, timestep_fs=man.get("timestep_fs"))
        return out

    def get(self, key: str):
        """The set ``key`` (``"100K"``, ``"300K"``, ``"500K"`` or ``"benzene"``)."""
        from mdrepro.data import phasespace

        if key not in self._sets:
            name, part = self._where(key)
            md17, pos, vel = self._files(key)
            ps = phasespace.open_phase_space(
                name,
                self.ctx.profile,
                part=part,
                md17=md17,
                positions=pos,
                velocities=vel,
                frame_interval_fs=self.user.get("user_frame_fs", 0.5),
                temperature_K=300.0 if key == "benzene" else TEMPERATURES[key],
            )
            self.ctx.use_data(ps.name, ps.fingerprint())
            self._sets[key] = ps
        return self._sets[key]

    def fingerprint(self, key: str) -> str:
        """Identity of one set (a built-in part's without loading it)."""
        from mdrepro.data import phasespace

        if not self._is_user(key):
            name, part = self._where(key)
            return phasespace.fingerprint(name, self.ctx.profile, part)
        return self.get(key).fingerprint()

    @property
    def mda(self) -> dict:
        """Malondialdehyde by temperature."""
        return {k: self.get(k) for k in TEMPERATURES}

    @property
    def benzene(self):
        """Benzene at 300 K."""
        return self.get("benzene")

    def sets(self) -> dict:
        """Every set by key: the three temperatures and ``"benzene"``."""
        return {k: self.get(k) for k in KEYS}

    def table(self):
        """One row per set: size, temperatures (target and mean kinetic), shortest O-H."""
        import pandas as pd

        from mdrepro.papers.winkler2020.study import describe

        labels = {**{k: k for k in TEMPERATURES}, "benzene": "benzene 300K"}
        rows = [describe(self.get(k), labels[k]) for k in KEYS]
        return pd.DataFrame(rows).set_index("set")


def _pick(value, key):
    return None if value is None else (value[key] if isinstance(value, dict) else value)


def load(
    ctx,
    mda_md17=None,
    mda_positions=None,
    mda_velocities=None,
    benzene_md17=None,
    benzene_positions=None,
    benzene_velocities=None,
    user_frame_fs: float = 0.5,
) -> Inputs:
    """The built-in sets, or a user's files (dicts keyed by temperature for malondialdehyde),
    opened on first use.

    Parameters
    ----------
    ctx : mdrepro.book.chapter.ChapterContext
    mda_md17, mda_positions, mda_velocities : path or dict of paths, optional
        MD17 npz files (R in Å, z, E, F; velocities are then estimated by finite differences)
        or separate position (Å) / velocity (Å/fs) npz files, keyed ``"100K"`` etc.
    benzene_md17, benzene_positions, benzene_velocities : path, optional
    user_frame_fs : float
        Time between the frames of the user's files, fs.
    """
    return Inputs(
        ctx,
        mda_md17=mda_md17,
        mda_positions=mda_positions,
        mda_velocities=mda_velocities,
        benzene_md17=benzene_md17,
        benzene_positions=benzene_positions,
        benzene_velocities=benzene_velocities,
        user_frame_fs=user_frame_fs,
    )
