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


_register(
    DatasetSpec(
        name="decaala-smd",
        title="Deca-alanine stretched by a moving End2End distance restraint, 300 K, replicas",
        recipe="build_decaala_smd",
        version=1,
        chapters=("ch03",),
        source=(
            "Cava et al. (LSTM-VAE latent generation): NAMD, CHARMM + GBIS, 300 K; colvars "
            "harmonic bias on the C-alpha(1)-C-alpha(10) distance, centre moved 12 -> 34 Å, "
            "k = 1 kcal/mol/Å^2; many independent replicas (the authors' repository holds "
            "dozens); backbone (N, CA, C, O: 40 atoms) as model input."
        ),
        params={
            "paper": {
                "n_residues": 10,
                "forcefield": "ff14SBonlysc",
                "solvent": "gbn2",
                "cutoff_nm": None,
                "temperature_K": 300.0,
                "timestep_fs": 1.0,
                "frame_interval_fs": 1000.0,
                "friction_per_ps": 1.0,
                "spring_k_kcal_per_A2": 1.0,
                "start_A": 12.0,
                "end_A": 34.0,
                "n_replicas": 50,
                "n_frames": 1000,
                "allatom_every": 1,
                "equilibration_ps": 10.0,
                "seed": 2022,
                "chunk_frames": 250,
            },
            "ci": {
                "n_residues": 10,
                "forcefield": "amber99sbildn",
                "solvent": "obc",
                "cutoff_nm": None,
                "temperature_K": 300.0,
                "timestep_fs": 2.0,
                "frame_interval_fs": 200.0,
                "friction_per_ps": 1.0,
                "spring_k_kcal_per_A2": 1.0,
                "start_A": 12.0,
                "end_A": 34.0,
                "n_replicas": 12,
                "n_frames": 200,
                "allatom_every": 1,
                "equilibration_ps": 2.0,
                "seed": 2022,
                "chunk_frames": 100,
            },
        },
    )
)


# GFN2-xTB phase-space trajectories of the interpolation chapter (Winkler & Sauceda 2020): the
# slides integrate with DFT at 0.2 fs; ci uses 0.5 fs (the MD17 step) and a few ps per
# temperature. Production is NVE after a Langevin equilibration (see mdrepro.simulate.xtb).
_XTB_CI = {
    "timestep_fs": 0.5,
    "equilibration_steps": 2000,
    "friction_per_fs": 0.01,
    "production": "nve",
    "chunk_steps": 2000,
    "optimise_fmax_eV_per_A": 0.005,
}
_XTB_PAPER = {
    "timestep_fs": 0.2,
    "equilibration_steps": 10_000,
    "friction_per_fs": 0.01,
    "production": "nve",
    "chunk_steps": 20_000,
    "optimise_fmax_eV_per_A": 0.005,
}

_register(
    DatasetSpec(
        name="mda-xtb",
        title="Keto-malondialdehyde, GFN2-xTB MD at 100, 300 and 500 K (positions + velocities)",
        recipe="build_xtb_md",
        version=1,
        chapters=("ch05",),
        source=(
            "Winkler & Sauceda (2020): DFT MD of keto-malondialdehyde at 100, 300 and 500 K, "
            "0.2 fs steps, positions and velocities at every step. Here: GFN2-xTB (tblite) "
            "through ASE, Langevin equilibration then NVE production."
        ),
        params={
            "paper": {
                "molecule": "keto-malondialdehyde",
                "temperatures_K": [100.0, 300.0, 500.0],
                "production_steps": 500_000,
                "seed": 2020,
                **_XTB_PAPER,
            },
            "ci": {
                "molecule": "keto-malondialdehyde",
                "temperatures_K": [100.0, 300.0, 500.0],
                "production_steps": 8000,
                "seed": 2020,
                **_XTB_CI,
            },
        },
    )
)

_register(
    DatasetSpec(
        name="benzene-xtb",
        title="Benzene, GFN2-xTB MD at 300 K (positions + velocities)",
        recipe="build_xtb_md",
        version=1,
        chapters=("ch05",),
        source=(
            "Winkler & Sauceda (2020): benzene MD (MD17-like, 0.5 fs). Here: GFN2-xTB (tblite) "
            "through ASE at 300 K, Langevin equilibration then NVE production."
        ),
        params={
            "paper": {
                "molecule": "benzene",
                "temperatures_K": [300.0],
                "production_steps": 500_000,
                "seed": 2021,
                **_XTB_PAPER,
            },
            "ci": {
                "molecule": "benzene",
                "temperatures_K": [300.0],
                "production_steps": 6000,
                "seed": 2021,
                **_XTB_CI,
            },
        },
    )
)

# Latent space simulators (Sidky, Chen & Ferguson 2020). The four-well set is cheap in both
# profiles (deeptime's C++ integrator); the Trp-cage set replaces the DESRES all-atom 208 us
# trajectory by a C-alpha Go model near its folding midpoint (mdrepro.simulate.gomodel).
_register(
    DatasetSpec(
        name="fourwell-bd",
        title="1-D four-well potential, overdamped Brownian dynamics (kT = 1), a = 4",
        recipe="build_fourwell_bd",
        version=1,
        chapters=("ch04",),
        source=(
            "Sidky, Chen & Ferguson (2020): 5 x 10^6 Brownian dynamics steps on "
            "V = a (x^8 + 0.8 e^(-80 x^2) + 0.2 e^(-80 (x-0.5)^2) + 0.5 e^(-40 (x+0.5)^2)); the "
            "text writes a = 2, the authors' code and deeptime use a = 4."
        ),
        params={
            "paper": {"a": 4.0, "n_steps": 5_000_000, "h": 1e-5, "save_every": 10, "seed": 2020},
            "ci": {"a": 4.0, "n_steps": 5_000_000, "h": 1e-5, "save_every": 10, "seed": 2020},
        },
    )
)

_TRPCAGE_GO = {
    "eps_kj": 2.5,
    "timestep_fs": 10.0,
    "frame_interval_fs": 5000.0,
    "friction_per_ps": 1.0,
    "scan_temperatures_K": [350.0, 370.0, 390.0, 410.0, 430.0],
    "q_mid": 0.5,
    "equilibration_ps": 100.0,
    "platform": "Reference",
}

_register(
    DatasetSpec(
        name="trpcage-go",
        title="Trp-cage (1L2Y) C-alpha Go model, Langevin MD at its folding midpoint",
        recipe="build_trpcage_go",
        version=2,
        chapters=("ch04",),
        source=(
            "Sidky, Chen & Ferguson (2020): the DESRES 208 us all-atom Trp-cage trajectory at "
            "290 K (Lindorff-Larsen et al. 2011), frames every 200 ps; not public. Here: a "
            "Clementi-type C-alpha structure-based model of PDB 1L2Y model 1 in OpenMM."
        ),
        params={
            "paper": {
                **_TRPCAGE_GO,
                "scan_ps": 5000.0,
                "n_frames": 400_000,
                "seed": 2020,
                "chunk_frames": 20_000,
            },
            "ci": {
                **_TRPCAGE_GO,
                "scan_ps": 2000.0,
                "n_frames": 12_000,
                "seed": 2020,
                "chunk_frames": 2000,
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
