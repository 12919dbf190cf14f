"""Data sets of Winkler & Sauceda (2020): GFN2-xTB phase-space trajectories.

The slides integrate with DFT at 0.2 fs; ci uses 0.5 fs (the MD17 step) and a few ps per
temperature. Production is NVE after a Langevin equilibration (:mod:`mdrepro.simulate.xtb`).
:func:`load` opens the built-in sets or a user's MD17 / position-velocity files.
"""

from __future__ import annotations

from dataclasses import dataclass

from mdrepro.data.registry import DatasetSpec, register
from mdrepro.profiles import derive

_XTB_PAPER = {
    "timestep_fs": 0.2,
    "equilibration_steps": 10_000,
    "friction_per_fs": 0.01,
    "production": "nve",
    "chunk_steps": 20_000,
    "optimise_fmax_eV_per_A": 0.005,
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
        version=1,
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
        version=1,
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


@dataclass
class Inputs:
    """The chapter's phase-space sets.

    Attributes
    ----------
    mda : dict of str to mdrepro.data.phasespace.PhaseSpaceSet
        Malondialdehyde by temperature (``"100K"``, ``"300K"``, ``"500K"``).
    benzene : mdrepro.data.phasespace.PhaseSpaceSet
    """

    mda: dict
    benzene: object

    def sets(self) -> dict:
        """Every set by key: the three temperatures and ``"benzene"``."""
        return {**self.mda, "benzene": self.benzene}

    def table(self):
        """One row per set: size, temperatures (target and mean kinetic), shortest O-H."""
        import pandas as pd

        from mdrepro.papers.winkler2020.study import describe

        rows = [
            describe(ps, label)
            for label, ps in [*self.mda.items(), ("benzene 300K", self.benzene)]
        ]
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
    """The built-in sets, or a user's files (dicts keyed by temperature for malondialdehyde).

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
    from mdrepro.data import phasespace

    def open_one(md17, pos, vel, key, T):
        name = "benzene-xtb" if key == "benzene" else "mda-xtb"
        return phasespace.open_phase_space(
            name,
            ctx.profile,
            part="300K" if key == "benzene" else key,
            md17=_pick(md17, key),
            positions=_pick(pos, key),
            velocities=_pick(vel, key),
            frame_interval_fs=user_frame_fs,
            temperature_K=T,
        )

    mda = {
        k: open_one(mda_md17, mda_positions, mda_velocities, k, T) for k, T in TEMPERATURES.items()
    }
    benz = open_one(benzene_md17, benzene_positions, benzene_velocities, "benzene", 300.0)
    for ps in [*mda.values(), benz]:
        ctx.use_data(ps.name, ps.fingerprint())
    return Inputs(mda, benz)
