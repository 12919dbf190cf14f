"""Semi-empirical (GFN2-xTB) molecular dynamics of small molecules with tblite through ASE.

Used by the interpolation chapter (Winkler & Sauceda 2020): keto-malondialdehyde and benzene,
positions and velocities recorded at every integration step.

Protocol (:func:`run_md`): the starting geometry (:func:`keto_malondialdehyde`,
:func:`benzene`: idealised coordinates written here, then GFN2-xTB optimised by
:func:`optimise`) gets Maxwell-Boltzmann velocities at the target temperature, is equilibrated
with ASE's Langevin integrator (``fixcm=False``: ASE's default ``fixcm=True`` overheats small
molecules) and then run in the microcanonical ensemble (velocity Verlet, NVE). Production is
NVE because the models of the chapter learn deterministic, time-reversible Hamiltonian dynamics:
a stochastic thermostat during production would add noise that no model of the phase-space
flow can predict, and would break the time-reversal symmetry that bi-directional interpolation
relies on. The price is that the temperature of one small molecule fluctuates strongly around
its mean (standard deviation about ``T sqrt(2 / 3N)``).

Units: ASE works in Å, eV and its own time unit; everything returned here is in Å, Å/fs, eV
and fs (the recipes convert to nm and nm/ps when they write the cache).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mdrepro.errors import DataError

__all__ = [
    "MDChunk",
    "benzene",
    "engine_version",
    "keto_malondialdehyde",
    "kinetic_temperature",
    "make_atoms",
    "optimise",
    "run_md",
]

#: Boltzmann constant, eV/K (CODATA 2018).
KB_EV = 8.617333262e-5
#: Atomic masses used for temperatures outside ASE (ASE's standard values), amu.
_AMU_EV_FS2_A2 = 103.642697  # 1 amu Å^2/fs^2 in eV


def keto_malondialdehyde() -> tuple[str, np.ndarray]:
    """Idealised keto-malondialdehyde (propanedial, OHC-CH2-CHO), before optimisation.

    Standard bond lengths (C-C 1.51 Å, C=O 1.21 Å, aldehyde C-H 1.11 Å, methylene C-H
    1.09 Å) and angles (C-C-C 110°, C-C=O 124°, C-C-H 115°) in the heavy-atom plane, the
    two methylene H above and below it (Allen et al., "Tables of bond lengths determined by
    X-ray and neutron diffraction", J. Chem. Soc. Perkin Trans. 2, 1987, for typical values).

    Returns
    -------
    symbols : str
        ``"CCCOOHHHH"`` order: C1 (aldehyde), C2 (methylene), C3 (aldehyde), O1 (on C1),
        O3 (on C3), H1 (on C1), H3 (on C3), H2a, H2b (on C2).
    positions : numpy.ndarray, shape (9, 3)
        Å.
    """

    def unit(deg):
        r = np.deg2rad(deg)
        return np.array([np.cos(r), np.sin(r), 0.0])

    c2 = np.zeros(3)
    c1 = c2 + 1.51 * unit(180 - 35)  # C1-C2-C3 = 110 degrees
    c3 = c2 + 1.51 * unit(35)
    # C2-C1=O1 = C2-C3=O3 = 124 degrees (carbonyls pointing outwards), C2-C-H = 115 degrees
    o1 = c1 + 1.21 * unit(-35 - 124)
    h1 = c1 + 1.11 * unit(-35 + 115)
    o3 = c3 + 1.21 * unit(215 + 124)
    h3 = c3 + 1.11 * unit(215 - 115)
    h2a = c2 + 1.09 * np.array([0.0, -0.58, 0.92]) / np.linalg.norm([0.0, -0.58, 0.92])
    h2b = c2 + 1.09 * np.array([0.0, -0.58, -0.92]) / np.linalg.norm([0.0, -0.58, -0.92])
    return "CCCOOHHHH", np.array([c1, c2, c3, o1, o3, h1, h3, h2a, h2b])


def benzene() -> tuple[str, np.ndarray]:
    """Idealised benzene (D6h), before optimisation.

    Regular hexagon with C-C 1.39 Å and radial C-H 1.09 Å (the experimental gas-phase values,
    rounded).

    Returns
    -------
    symbols : str
        ``"C6H6"`` (carbons 0-5, hydrogen ``6 + i`` on carbon ``i``).
    positions : numpy.ndarray, shape (12, 3)
        Å.
    """
    phi = np.arange(6) * np.pi / 3
    ring = np.c_[np.cos(phi), np.sin(phi), np.zeros(6)]
    return "C6H6", np.r_[1.39 * ring, (1.39 + 1.09) * ring]


MOLECULES: dict[str, Callable[[], tuple[str, np.ndarray]]] = {
    "keto-malondialdehyde": keto_malondialdehyde,
    "benzene": benzene,
}


def engine_version() -> str:
    """Version of the tblite Python package (``"?"`` when it does not say)."""
    import importlib.metadata as im

    try:
        return im.version("tblite")
    except im.PackageNotFoundError:  # pragma: no cover - tblite is a dependency
        return "?"


def make_atoms(symbols: str, positions: np.ndarray, method: str = "GFN2-xTB"):
    """An :class:`ase.Atoms` with a tblite calculator attached.

    Parameters
    ----------
    symbols : str
        Chemical symbols (``"C6H6"``).
    positions : numpy.ndarray, shape (N, 3)
        Å.
    method : str
        tblite method name.
    """
    from ase import Atoms
    from tblite.ase import TBLite

    atoms = Atoms(symbols, positions=np.asarray(positions, dtype=float))
    atoms.calc = TBLite(method=method, verbosity=0)
    return atoms


def optimise(atoms, fmax_eV_per_A: float = 0.01, steps: int = 500) -> float:
    """Relax ``atoms`` in place with BFGS; returns the final potential energy, eV."""
    from ase.optimize import BFGS

    BFGS(atoms, logfile=None).run(fmax=fmax_eV_per_A, steps=steps)
    return float(atoms.get_potential_energy())


def kinetic_temperature(velocities: np.ndarray, masses: np.ndarray) -> np.ndarray:
    """Instantaneous kinetic temperature with ``3N`` degrees of freedom.

    Parameters
    ----------
    velocities : numpy.ndarray, shape (..., N, 3)
        Å/fs.
    masses : numpy.ndarray, shape (N,)
        amu.

    Returns
    -------
    numpy.ndarray, shape (...)
        K.
    """
    v = np.asarray(velocities, dtype=float)
    ke = 0.5 * np.einsum("...ni,n->...", v**2, np.asarray(masses, float)) * _AMU_EV_FS2_A2
    return 2 * ke / (3 * v.shape[-2] * KB_EV)


@dataclass
class MDChunk:
    """Recorded production steps.

    Attributes
    ----------
    positions : numpy.ndarray, shape (T, N, 3)
        Å.
    velocities : numpy.ndarray, shape (T, N, 3)
        Å/fs.
    energy : numpy.ndarray, shape (T,)
        Potential energy, eV.
    """

    positions: np.ndarray
    velocities: np.ndarray
    energy: np.ndarray


def _save_chunk(path: Path, chunk: MDChunk) -> None:
    import io

    from mdrepro.data.cache import atomic_write_bytes

    buf = io.BytesIO()
    np.savez(buf, R=chunk.positions, V=chunk.velocities, E=chunk.energy)
    atomic_write_bytes(path, buf.getvalue())


def _load_chunk(path: Path) -> MDChunk:
    with np.load(path) as f:
        return MDChunk(f["R"], f["V"], f["E"])


def run_md(
    symbols: str,
    positions: np.ndarray,
    *,
    temperature_K: float,
    timestep_fs: float,
    equilibration_steps: int,
    production_steps: int,
    friction_per_fs: float = 0.01,
    seed: int = 0,
    production: str = "nve",
    scratch: Path | None = None,
    tag: str = "md",
    chunk_steps: int = 2000,
    progress: bool = False,
    stop_after: int | None = None,
) -> tuple[MDChunk, dict]:
    """Langevin equilibration, then production recording every step; resumable.

    Parameters
    ----------
    symbols : str
    positions : numpy.ndarray, shape (N, 3)
        Starting geometry, Å (usually optimised).
    temperature_K : float
    timestep_fs : float
    equilibration_steps, production_steps : int
    friction_per_fs : float
        Langevin friction, 1/fs (equilibration, and production when ``production="langevin"``).
    seed : int
        Seed of the initial velocities and of the Langevin noise.
    production : {"nve", "langevin"}
    scratch : Path, optional
        Folder for checkpoints: the equilibrated state and every production chunk of
        ``chunk_steps`` steps (npz). A rerun skips finished chunks and continues from the last
        chunk's final positions and velocities.
    tag : str
        File-name prefix of the checkpoints.
    stop_after : int, optional
        Stop (raise KeyboardInterrupt) after this many new chunks: lets tests interrupt a run.

    Returns
    -------
    MDChunk
        ``production_steps`` recorded steps (the state *after* each step).
    dict
        Summary: mean and std of the kinetic temperature (equilibration tail and production),
        total-energy drift over production (eV).
    """
    from ase import units
    from ase.md.langevin import Langevin
    from ase.md.velocitydistribution import MaxwellBoltzmannDistribution
    from ase.md.verlet import VelocityVerlet

    if production not in ("nve", "langevin"):
        raise DataError(f"expected production 'nve' or 'langevin', found {production!r}")
    if production_steps < 1:
        raise DataError(f"expected production_steps >= 1, found {production_steps}")
    atoms = make_atoms(symbols, positions)
    masses = atoms.get_masses()
    rng = np.random.default_rng(seed)
    fs = units.fs
    eq_file = scratch / f"{tag}_equilibrated.npz" if scratch is not None else None
    eq_T = np.array([np.nan])
    if eq_file is not None and eq_file.is_file():
        with np.load(eq_file) as f:
            atoms.set_positions(f["R"])
            atoms.set_velocities(f["V"] / fs)
            eq_T = f["T"]
    else:
        MaxwellBoltzmannDistribution(atoms, temperature_K=temperature_K, rng=rng)
        dyn = Langevin(
            atoms,
            timestep_fs * fs,
            temperature_K=temperature_K,
            friction=friction_per_fs / fs,
            fixcm=False,
            rng=rng,
        )
        temps = []
        for _ in range(equilibration_steps):
            dyn.run(1)
            temps.append(atoms.get_temperature())
        eq_T = np.asarray(temps) if temps else eq_T
        if eq_file is not None:
            import io

            from mdrepro.data.cache import atomic_write_bytes

            buf = io.BytesIO()
            np.savez(buf, R=atoms.get_positions(), V=atoms.get_velocities() * fs, T=eq_T)
            atomic_write_bytes(eq_file, buf.getvalue())

    n_chunks = -(-production_steps // chunk_steps)
    chunks: list[MDChunk] = []
    new = 0
    from tqdm.auto import tqdm

    bar = tqdm(total=production_steps, desc=tag, disable=not progress, leave=False)
    for c in range(n_chunks):
        f = scratch / f"{tag}_chunk{c:05d}.npz" if scratch is not None else None
        n = min(chunk_steps, production_steps - c * chunk_steps)
        if f is not None and f.is_file():
            chunks.append(_load_chunk(f))
            bar.update(n)
            continue
        last = chunks[-1] if chunks else None
        if last is not None:
            atoms.set_positions(last.positions[-1])
            atoms.set_velocities(last.velocities[-1] / fs)
        if production == "nve":
            dyn = VelocityVerlet(atoms, timestep_fs * fs)
        else:
            dyn = Langevin(
                atoms,
                timestep_fs * fs,
                temperature_K=temperature_K,
                friction=friction_per_fs / fs,
                fixcm=False,
                rng=np.random.default_rng([seed, c + 1]),
            )
        R = np.empty((n, len(atoms), 3))
        V = np.empty_like(R)
        E = np.empty(n)
        for i in range(n):
            dyn.run(1)
            R[i] = atoms.get_positions()
            V[i] = atoms.get_velocities() * fs
            E[i] = atoms.get_potential_energy()
        chunk = MDChunk(R, V, E)
        if f is not None:
            _save_chunk(f, chunk)
        chunks.append(chunk)
        bar.update(n)
        new += 1
        if stop_after is not None and new >= stop_after and c < n_chunks - 1:
            bar.close()
            raise KeyboardInterrupt(f"stopped after {new} chunk(s) on request")
    bar.close()
    out = MDChunk(
        np.concatenate([c.positions for c in chunks]),
        np.concatenate([c.velocities for c in chunks]),
        np.concatenate([c.energy for c in chunks]),
    )
    T = kinetic_temperature(out.velocities, masses)
    ke = T * 1.5 * len(atoms) * KB_EV
    etot = out.energy + ke
    tail = eq_T[len(eq_T) // 2 :]
    summary = {
        "equilibration_T_mean_K": float(np.mean(tail)),
        "production_T_mean_K": float(T.mean()),
        "production_T_std_K": float(T.std()),
        "energy_drift_eV": float(etot[-1] - etot[0]),
        "energy_fluctuation_eV": float(etot.std()),
        "masses_amu": masses.tolist(),
    }
    return out, summary
