"""The registry of data sets: a recipe and its parameters per profile.

Each data set is built by a *recipe* (a function in :mod:`mdrepro.data.recipes`) from the
parameters of one profile. Parameters, not code, decide the cache key: bump ``version`` when a
recipe changes what it writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mdrepro.config import check_profile
from mdrepro.errors import UnknownNameError


@dataclass(frozen=True)
class DatasetSpec:
    """A data set: what it is, how it is made, at which sizes.

    Attributes
    ----------
    name : str
        Registry name (``mdrepro data build NAME``).
    title : str
        One line for listings.
    recipe : str
        Function name in :mod:`mdrepro.data.recipes`.
    version : int
        Recipe version; part of the cache key.
    params : mapping
        Profile name -> recipe parameters.
    source : str
        What the original data were and where the documents say they came from.
    """

    name: str
    title: str
    recipe: str
    version: int
    params: Mapping[str, Mapping[str, Any]]
    source: str = ""
    chapters: tuple[str, ...] = field(default_factory=tuple)

    def params_for(self, profile: str) -> dict[str, Any]:
        """Parameters of ``profile`` (raises for an unknown profile)."""
        check_profile(profile)
        return dict(self.params[profile])


KCAL_PER_A2_TO_KJ_PER_NM2 = 418.4  # 1 kcal/mol/Å^2 in kJ/mol/nm^2

DATASETS: dict[str, DatasetSpec] = {}


def _register(spec: DatasetSpec) -> DatasetSpec:
    DATASETS[spec.name] = spec
    return spec


_register(
    DatasetSpec(
        name="adk-equilibrium",
        title="Adenylate kinase (open, 4AKE), equilibrium Langevin MD at 310 K, implicit solvent",
        recipe="build_adk_equilibrium",
        version=1,
        chapters=("ch01", "ch02"),
        source=(
            "Gupta, Cava et al. (2020): OpenMM, ff14SBonlysc + GBn2, 310 K, 1 fs steps, frames "
            "every 10 fs (the public script saves every 20 fs), 5 copies x 10^4 frames."
        ),
        params={
            "paper": {
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
            },
            "ci": {
                "forcefield": "amber99sbildn",
                "solvent": "obc",
                "cutoff_nm": 2.0,
                "temperature_K": 310.0,
                "timestep_fs": 2.0,
                "frame_interval_fs": 10.0,
                "friction_per_ps": 1.0,
                "n_copies": 2,
                "n_frames": 500,
                "equilibration_ps": 0.0,
                "seed": 2020,
                "chunk_frames": 100,
            },
        },
    )
)

_register(
    DatasetSpec(
        name="ala100-smd",
        title="100-alanine alpha-helix, constant-velocity steered MD (helix -> coil), 300 K",
        recipe="build_ala100_smd",
        version=1,
        chapters=("ch01", "ch02"),
        source=(
            "Gupta, Cava et al. (2020): NAMD SMD-CV, CHARMM36m + GBIS, 300 K, 1 fs, "
            "k = 7 kcal/mol/Å^2, v = 0.2 Å/ps, 10^7 fs, frames every 10 fs (LSTM set) and every "
            "5000 fs (2000 frames, characterisation)."
        ),
        params={
            "paper": {
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
                "allatom_every": 500,
                "restraint_k_kcal_per_A2": 50.0,
                "equilibration_ps": 10.0,
                "seed": 2020,
                "chunk_frames": 10_000,
            },
            "ci": {
                "n_residues": 100,
                "forcefield": "amber99sbildn",
                "solvent": "obc",
                "cutoff_nm": 2.0,
                "temperature_K": 300.0,
                "timestep_fs": 2.0,
                "frame_interval_fs": 10.0,
                "friction_per_ps": 1.0,
                "spring_k_kcal_per_A2": 7.0,
                "speed_A_per_ps": 2.0,
                "n_frames": 4000,
                "allatom_every": 10,
                "restraint_k_kcal_per_A2": 50.0,
                "equilibration_ps": 2.0,
                "seed": 2020,
                "chunk_frames": 500,
            },
        },
    )
)


def get(name: str) -> DatasetSpec:
    """The spec of data set ``name`` (raises :class:`UnknownNameError` listing valid names)."""
    try:
        return DATASETS[name]
    except KeyError:
        raise UnknownNameError("data set", name, DATASETS) from None


def names() -> list[str]:
    """Registered data-set names, sorted."""
    return sorted(DATASETS)
