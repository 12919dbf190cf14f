"""Built-in molecular systems, force fields, minimisation and seeded Langevin runs (OpenMM).

Systems
-------
:func:`adk_open`, :func:`adk_closed`
    *E. coli* adenylate kinase (214 residues) from the MDAnalysisTests data files (4AKE and 1AKE
    with CHARMM names); the hydrogens are removed and rebuilt for Amber at pH 7.
:func:`polyalanine_helix`
    An ideal alpha-helix of ``n`` alanines (phi = -57 deg, psi = -47 deg), zwitterionic termini.

Force fields
------------
A :class:`SystemSpec` names a protein force field, a solvent model and a cutoff; its
:meth:`SystemSpec.describe` is what a data manifest records. Supported combinations:

================  ============  ================================================================
force field       solvent       OpenMM files
================  ============  ================================================================
``ff14SBonlysc``  ``gbn2``      ``amber/protein.ff14SBonlysc.xml`` (openmmforcefields) +
                                ``implicit/gbn2.xml`` (a ``CustomGBForce``: slow on CPU)
``amber99sbildn`` ``obc``       ``amber99sbildn.xml`` + ``amber99_obc.xml`` (native
                                ``GBSAOBCForce``: fast on CPU)
either            ``vacuum``    the force-field file alone
================  ============  ================================================================

Units: positions in nm, time in ps, energies in kJ/mol, temperatures in K.
"""

from __future__ import annotations

import functools
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from mdrepro.errors import UnknownNameError

#: Protein force fields: name -> OpenMM force-field file.
FORCEFIELDS: dict[str, str] = {
    "amber99sbildn": "amber99sbildn.xml",
    "ff14SBonlysc": "amber/protein.ff14SBonlysc.xml",
}

#: Solvent models: name -> {force field name -> extra OpenMM file (None: nothing extra)}.
SOLVENTS: dict[str, dict[str, str | None]] = {
    "obc": {"amber99sbildn": "amber99_obc.xml"},
    "gbn2": {"ff14SBonlysc": "implicit/gbn2.xml"},
    "vacuum": {"amber99sbildn": None, "ff14SBonlysc": None},
}

#: Constraint names accepted by :class:`SystemSpec`.
CONSTRAINTS = ("None", "HBonds", "AllBonds", "HAngles")

#: OpenMM platform names accepted by :func:`get_platform` (besides ``"auto"``).
PLATFORMS = ("CUDA", "OpenCL", "CPU", "Reference")

#: Solvent models implemented with a ``CustomGBForce`` (slow on the CPU platform).
CUSTOM_GB_SOLVENTS = ("gbn2",)

_HELIX_PHI_DEG = -57.0
_HELIX_PSI_DEG = -47.0


class UnknownModelError(UnknownNameError, ValueError):
    """An unknown force field, solvent, constraint or platform name (a ``ValueError``)."""


# --------------------------------------------------------------------------------------------
# Molecules
# --------------------------------------------------------------------------------------------


def _as_nm_array(positions) -> np.ndarray:
    """Positions (Quantity or array in nm) -> float64 array of shape (n_atoms, 3) in nm."""
    from openmm import unit

    if unit.is_quantity(positions):
        positions = positions.value_in_unit(unit.nanometer)
    xyz = np.asarray(positions, dtype=np.float64)
    if xyz.ndim != 2 or xyz.shape[1] != 3:
        raise ValueError(f"expected positions of shape (n_atoms, 3), found shape {xyz.shape}")
    return xyz


def _relax_hydrogens(topology, xyz: np.ndarray, max_iterations: int = 500) -> np.ndarray:
    """Minimise the hydrogens only (heavy atoms fixed), in vacuum, amber99sbildn, 1 nm cutoff.

    ``Modeller.addHydrogens`` places hydrogens roughly (methyl and amide angles off by up to
    25 deg); this puts them where the force field wants them without moving any heavy atom.
    """
    import openmm
    from openmm import app, unit

    system = _forcefield(("amber99sbildn.xml",)).createSystem(
        topology,
        nonbondedMethod=app.CutoffNonPeriodic,
        nonbondedCutoff=1.0 * unit.nanometer,
        constraints=None,
        removeCMMotion=False,
    )
    for atom in topology.atoms():
        if atom.element != app.element.hydrogen:
            system.setParticleMass(atom.index, 0.0)
    # one CPU thread: the built structure is then the same on every machine (several threads
    # or a GPU change the round-off and with it the minimiser's path)
    if _platform_works("CPU"):
        plat, props = get_platform("CPU", threads=1)
    else:  # pragma: no cover - the CPU platform ships with OpenMM
        plat, props = get_platform("Reference")
    context = openmm.Context(system, openmm.VerletIntegrator(0.001), plat, props)
    context.setPositions(xyz * unit.nanometer)
    openmm.LocalEnergyMinimizer.minimize(context, 1.0, max_iterations)
    out = context.getState(getPositions=True).getPositions(asNumpy=True)
    return np.asarray(out.value_in_unit(unit.nanometer))


#: Seed of the random start positions of hydrogens added by ``Modeller.addHydrogens``.
HYDROGEN_SEED = 2020


def _rebuild_hydrogens(topology, positions, ph: float, relax: bool = True):
    """Delete all hydrogens, add them back for Amber at ``ph`` and optionally relax them."""
    from openmm import app, unit

    modeller = app.Modeller(topology, positions)
    hydrogens = [a for a in modeller.topology.atoms() if a.element == app.element.hydrogen]
    modeller.delete(hydrogens)
    # Modeller places new hydrogens at positions drawn from Python's global `random` and then
    # minimises them on the fastest platform it finds: both change from run to run. A fixed
    # seed (the caller's random state is restored) and the Reference platform repeat exactly.
    import random

    import openmm

    state = random.getstate()
    random.seed(HYDROGEN_SEED)
    try:
        modeller.addHydrogens(pH=ph, platform=openmm.Platform.getPlatformByName("Reference"))
    finally:
        random.setstate(state)
    xyz = _as_nm_array(modeller.getPositions())
    if relax:
        xyz = _relax_hydrogens(modeller.topology, xyz)
    return modeller.topology, unit.Quantity(xyz, unit.nanometer)


def _adk(path: str, ph: float):
    from openmm import app

    pdb = app.PDBFile(path)
    topology, positions = _rebuild_hydrogens(pdb.topology, pdb.positions, ph)
    n_ca = sum(1 for a in topology.atoms() if a.name == "CA")
    if n_ca != 214:
        raise ValueError(f"expected 214 C-alpha atoms in {path}, found {n_ca}")
    return topology, positions


def adk_open(ph: float = 7.0):
    """Adenylate kinase, open form (PDB 4AKE chain A), with Amber hydrogens.

    Reads ``adk_open.pdb`` of MDAnalysisTests (``MDAnalysisTests.datafiles.PDB_small``;
    CHARMM names), deletes its hydrogens and adds them back with ``Modeller.addHydrogens`` at
    ``ph`` (histidines are protonated by hydrogen-bonding analysis: at pH 7 all three are HID).

    Parameters
    ----------
    ph : float
        pH for the protonation states.

    Returns
    -------
    topology : openmm.app.Topology
        3341 atoms, 214 residues (214 C-alpha atoms), one chain, bonds included.
    positions : openmm.unit.Quantity
        Array of shape (n_atoms, 3) in nm.
    """
    from MDAnalysisTests.datafiles import PDB_small

    return _adk(PDB_small, ph)


def adk_closed(ph: float = 7.0):
    """Adenylate kinase, closed form (PDB 1AKE chain A, ``adk_closed.pdb``), as :func:`adk_open`.

    Parameters
    ----------
    ph : float
        pH for the protonation states.

    Returns
    -------
    topology : openmm.app.Topology
        214 residues.
    positions : openmm.unit.Quantity
        Array of shape (n_atoms, 3) in nm.
    """
    from MDAnalysisTests.datafiles import PDB_closed

    return _adk(PDB_closed, ph)


def polyalanine_helix(
    n: int = 100, phi_deg: float = _HELIX_PHI_DEG, psi_deg: float = _HELIX_PSI_DEG
):
    """An ideal poly-alanine helix built from its sequence, with Amber hydrogens.

    The backbone is built by PeptideBuilder with every phi and psi set (trans peptide bonds,
    omega = 180 deg), an OXT atom is added to the last residue and hydrogens are added by
    ``Modeller.addHydrogens`` at pH 7, so both termini are charged (NH3+, COO-) and uncapped.
    ``n = 100`` gives the 1003 atoms of the paper's 100-alanine. The first residue has no phi and
    the last no psi; the last carbonyl is placed as if psi were ``psi_deg``.

    Parameters
    ----------
    n : int
        Number of residues, at least 2.
    phi_deg, psi_deg : float
        Backbone torsions in degrees (alpha-helix by default).

    Returns
    -------
    topology : openmm.app.Topology
        ``10 n + 3`` atoms, one chain ``A``.
    positions : openmm.unit.Quantity
        Array of shape (10 n + 3, 3) in nm.
    """
    import io

    import PeptideBuilder
    from Bio.PDB import PDBIO
    from openmm import app
    from PeptideBuilder import Geometry

    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"expected an integer number of residues n >= 2, found {n!r}")
    geos = []
    for _ in range(int(n)):
        geo = Geometry.geometry("A")
        geo.phi = float(phi_deg)
        geo.psi_im1 = float(psi_deg)
        geo.omega = 180.0
        # places this residue's O trans to the next N, i.e. as if its own psi were psi_deg
        geo.N_CA_C_O_diangle = float(psi_deg) + 180.0
        geos.append(geo)
    structure = PeptideBuilder.make_structure_from_geos(geos)
    PeptideBuilder.add_terminal_OXT(structure)
    out = PDBIO()
    out.set_structure(structure)
    buf = io.StringIO()
    out.save(buf)
    pdb = app.PDBFile(io.StringIO(buf.getvalue()))
    return _rebuild_hydrogens(pdb.topology, pdb.positions, 7.0)


def ca_indices(topology) -> np.ndarray:
    """Indices of the C-alpha atoms, in residue order.

    Parameters
    ----------
    topology : openmm.app.Topology

    Returns
    -------
    numpy.ndarray
        Integer array of shape (n_ca,).
    """
    return np.array([a.index for a in topology.atoms() if a.name == "CA"], dtype=np.int64)


# --------------------------------------------------------------------------------------------
# Force fields
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _forcefield(files: tuple[str, ...]):
    from openmm import app

    return app.ForceField(*files)


@dataclass(frozen=True)
class SystemSpec:
    """A force field, a solvent model and a nonbonded treatment.

    Attributes
    ----------
    forcefield : str
        A key of :data:`FORCEFIELDS`.
    solvent : str
        A key of :data:`SOLVENTS` supported for ``forcefield``.
    cutoff_nm : float or None
        None: no cutoff (``NoCutoff``); else ``CutoffNonPeriodic`` at this distance in nm (the
        reaction-field approximation is switched off, eps_rf = 1, so Coulomb is shifted to zero
        at the cutoff, as OpenMM does itself for GB).
    constraints : str or None
        ``"HBonds"`` (default), ``"AllBonds"``, ``"HAngles"`` or None / ``"None"``.
    remove_cm_motion : bool
        Add a ``CMMotionRemover``. Must be False for steered (pulled) systems.

    Raises
    ------
    ValueError
        For an unknown name (:class:`UnknownModelError`), an unsupported combination or a
        non-positive cutoff.
    """

    forcefield: str = "amber99sbildn"
    solvent: str = "obc"
    cutoff_nm: float | None = None
    constraints: str | None = "HBonds"
    remove_cm_motion: bool = True

    def __post_init__(self):
        if self.forcefield not in FORCEFIELDS:
            raise UnknownModelError("force field", self.forcefield, FORCEFIELDS)
        if self.solvent not in SOLVENTS:
            raise UnknownModelError("solvent model", self.solvent, SOLVENTS)
        if self.forcefield not in SOLVENTS[self.solvent]:
            combos = ", ".join(f"{f}+{s}" for s, fs in SOLVENTS.items() for f in fs)
            raise ValueError(
                f"solvent {self.solvent!r} is not supported with force field "
                f"{self.forcefield!r}; supported combinations: {combos}"
            )
        if self.cutoff_nm is not None:
            c = self.cutoff_nm
            if (
                isinstance(c, bool)
                or not isinstance(c, numbers.Real)
                or not np.isfinite(c)
                or c <= 0
            ):
                raise ValueError(f"expected cutoff_nm None or a positive number, found {c!r}")
        if str(self.constraints) not in CONSTRAINTS:
            raise UnknownModelError("constraint type", str(self.constraints), CONSTRAINTS)

    @property
    def files(self) -> tuple[str, ...]:
        """OpenMM force-field files, in loading order."""
        extra = SOLVENTS[self.solvent][self.forcefield]
        return (FORCEFIELDS[self.forcefield],) + ((extra,) if extra else ())

    @property
    def custom_gb(self) -> bool:
        """Whether the solvent model is a (slow on CPU) ``CustomGBForce``."""
        return self.solvent in CUSTOM_GB_SOLVENTS

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description for a data manifest.

        Returns
        -------
        dict
            ``forcefield``, ``solvent``, ``files``, ``nonbonded_method``, ``cutoff_nm``,
            ``constraints``, ``remove_cm_motion`` and ``openmm_version``.
        """
        import openmm

        return {
            "forcefield": self.forcefield,
            "solvent": self.solvent,
            "files": list(self.files),
            "nonbonded_method": "NoCutoff" if self.cutoff_nm is None else "CutoffNonPeriodic",
            "cutoff_nm": None if self.cutoff_nm is None else float(self.cutoff_nm),
            "constraints": str(self.constraints),
            "remove_cm_motion": bool(self.remove_cm_motion),
            "openmm_version": openmm.__version__,
        }

    def create(self, topology):
        """Build the OpenMM System for ``topology``.

        Parameters
        ----------
        topology : openmm.app.Topology
            With Amber-compatible residue and atom names and hydrogens.

        Returns
        -------
        openmm.System
        """
        import openmm
        from openmm import app, unit

        forcefield = _forcefield(self.files)
        constraints = {
            "None": None,
            "HBonds": app.HBonds,
            "AllBonds": app.AllBonds,
            "HAngles": app.HAngles,
        }[str(self.constraints)]
        if self.cutoff_nm is None:
            kwargs = {"nonbondedMethod": app.NoCutoff}
        else:
            kwargs = {
                "nonbondedMethod": app.CutoffNonPeriodic,
                "nonbondedCutoff": float(self.cutoff_nm) * unit.nanometer,
            }
        system = forcefield.createSystem(
            topology, constraints=constraints, removeCMMotion=self.remove_cm_motion, **kwargs
        )
        if self.cutoff_nm is not None:
            for force in system.getForces():
                if isinstance(force, openmm.NonbondedForce):
                    force.setReactionFieldDielectric(1.0)
        return system


def create_system(
    topology,
    forcefield: str = "amber99sbildn",
    solvent: str = "obc",
    cutoff_nm: float | None = None,
    constraints: str | None = "HBonds",
    remove_cm_motion: bool = True,
):
    """Build an OpenMM System; see :class:`SystemSpec` for the parameters.

    Parameters
    ----------
    topology : openmm.app.Topology
    forcefield : {"amber99sbildn", "ff14SBonlysc"}
    solvent : {"obc", "gbn2", "vacuum"}
        ``obc`` goes with amber99sbildn, ``gbn2`` with ff14SBonlysc, ``vacuum`` with either.
    cutoff_nm : float or None
        None for no cutoff, else a non-periodic cutoff in nm.
    constraints : {"HBonds", "AllBonds", "HAngles", None}
    remove_cm_motion : bool
        Add a ``CMMotionRemover`` (use False for steered MD).

    Returns
    -------
    openmm.System

    Raises
    ------
    ValueError
        For an unknown name or an unsupported combination.
    """
    spec = SystemSpec(forcefield, solvent, cutoff_nm, constraints, remove_cm_motion)
    return spec.create(topology)


# --------------------------------------------------------------------------------------------
# Platforms, minimisation, Langevin dynamics
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _platform_works(name: str) -> bool:
    """Whether a Context can be created on platform ``name`` (e.g. CUDA with no GPU: False)."""
    import openmm

    try:
        platform = openmm.Platform.getPlatformByName(name)
        system = openmm.System()
        system.addParticle(1.0)
        openmm.Context(system, openmm.VerletIntegrator(0.001), platform)
    except Exception:  # noqa: BLE001 - any failure means "not usable here"
        return False
    return True


def get_platform(platform: str = "auto", threads: int | None = None):
    """Resolve an OpenMM platform name and its properties.

    Parameters
    ----------
    platform : str
        ``"auto"`` (CUDA if a Context can be made on it, else CPU, else Reference), or one of
        :data:`PLATFORMS`, case-insensitive (``"cpu"`` and ``"cuda"`` as in
        :mod:`mdrepro.config` work too).
    threads : int, optional
        Threads of the CPU platform (None: OpenMM's default).

    Returns
    -------
    platform : openmm.Platform
    properties : dict of str to str
        ``{"Threads": ...}`` on CPU; ``{"Precision": "mixed", "DeterministicForces": "true"}``
        on CUDA and OpenCL.

    Raises
    ------
    ValueError
        For an unknown name, a platform this OpenMM lacks or a non-positive thread count.
    """
    import openmm

    by_lower = {p.lower(): p for p in PLATFORMS}
    if threads is not None and (
        isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or threads < 1
    ):
        raise ValueError(f"expected threads None or a positive integer, found {threads!r}")
    if platform.lower() == "auto":
        name = next((p for p in ("CUDA", "CPU", "Reference") if _platform_works(p)), "Reference")
    elif platform.lower() in by_lower:
        name = by_lower[platform.lower()]
        if not _platform_works(name):
            have = [
                openmm.Platform.getPlatform(i).getName()
                for i in range(openmm.Platform.getNumPlatforms())
            ]
            raise ValueError(
                f"OpenMM platform {name!r} is not usable here; available: {', '.join(have)}"
            )
    else:
        raise UnknownModelError("OpenMM platform", platform, ("auto",) + PLATFORMS)
    properties: dict[str, str] = {}
    if name == "CPU" and threads is not None:
        properties["Threads"] = str(int(threads))
    if name in ("CUDA", "OpenCL"):
        properties["Precision"] = "mixed"
        properties["DeterministicForces"] = "true"  # same forces bit for bit, run after run
    return openmm.Platform.getPlatformByName(name), properties


def openmm_seed(seed: int) -> int:
    """Map a user seed (>= 0) to a non-zero OpenMM random seed (OpenMM treats 0 as "random").

    Parameters
    ----------
    seed : int

    Returns
    -------
    int
        In ``[1, 2**31 - 1]``; distinct for seeds below ``2**31 - 1``.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"expected a non-negative integer seed, found {seed!r}")
    return int(seed) % (2**31 - 1) + 1


def potential_energy(system, positions, platform: str = "auto", threads: int | None = None):
    """Potential energy of ``system`` at ``positions``, in kJ/mol.

    Parameters
    ----------
    system : openmm.System
    positions : Quantity or array of shape (n_atoms, 3)
        In nm when a plain array.
    platform : str
        As in :func:`get_platform`.
    threads : int, optional

    Returns
    -------
    float
    """
    import openmm
    from openmm import unit

    plat, props = get_platform(platform, threads)
    context = openmm.Context(system, openmm.VerletIntegrator(0.001), plat, props)
    context.setPositions(_as_nm_array(positions) * unit.nanometer)
    energy = context.getState(getEnergy=True).getPotentialEnergy()
    return energy.value_in_unit(unit.kilojoule_per_mole)


def _minimize_once(system, xyz, tolerance, max_iterations, platform, threads):
    import openmm
    from openmm import unit

    plat, props = get_platform(platform, threads)
    context = openmm.Context(system, openmm.VerletIntegrator(0.001), plat, props)
    context.setPositions(xyz * unit.nanometer)
    openmm.LocalEnergyMinimizer.minimize(context, tolerance, max_iterations)
    state = context.getState(getPositions=True)
    return np.asarray(state.getPositions(asNumpy=True).value_in_unit(unit.nanometer))


def minimize(
    topology,
    positions,
    spec: SystemSpec,
    tolerance: float = 10.0,
    max_iterations: int = 0,
    prestage: bool | None = None,
    target_iterations: int | None = None,
    platform: str = "auto",
    threads: int | None = None,
):
    """Minimise the energy, staging slow implicit-solvent models through a fast one.

    Minimising in a ``CustomGBForce`` model (gbn2) on the CPU is very slow (adenylate kinase:
    20 iterations took minutes), so by default such a spec is first minimised with the native
    ``GBSAOBCForce`` model (amber99sbildn + OBC, same cutoff and constraints), which removes the
    clashes, and then for at most ``target_iterations`` iterations in the spec itself.

    Parameters
    ----------
    topology : openmm.app.Topology
    positions : Quantity or array of shape (n_atoms, 3)
        Start positions (nm when a plain array).
    spec : SystemSpec
        The target model.
    tolerance : float
        Convergence criterion of OpenMM's L-BFGS minimiser: root-mean-square force in
        kJ/mol/nm.
    max_iterations : int
        Iteration limit of each stage (0: until converged).
    prestage : bool, optional
        Minimise with amber99sbildn + OBC first. None: only when ``spec`` is a custom GB model.
    target_iterations : int, optional
        Iteration limit of the stage in ``spec`` after a pre-stage (0 skips it). None: 0 for a
        custom GB model on a CPU or Reference platform, else ``max_iterations``.
    platform : str
        As in :func:`get_platform`.
    threads : int, optional
        CPU threads.

    Returns
    -------
    openmm.unit.Quantity
        Minimised positions, array of shape (n_atoms, 3) in nm.
    """
    from openmm import unit

    if not isinstance(spec, SystemSpec):
        raise ValueError(f"expected a SystemSpec, found {type(spec).__name__}")
    for name, value in (
        ("max_iterations", max_iterations),
        ("target_iterations", target_iterations),
    ):
        if value is not None and (not isinstance(value, (int, np.integer)) or value < 0):
            raise ValueError(f"expected {name} a non-negative integer, found {value!r}")
    if not tolerance > 0:
        raise ValueError(f"expected a positive tolerance in kJ/mol/nm, found {tolerance!r}")
    xyz = _as_nm_array(positions)
    if xyz.shape[0] != topology.getNumAtoms():
        raise ValueError(
            f"expected positions for {topology.getNumAtoms()} atoms, found {xyz.shape[0]}"
        )
    if prestage is None:
        prestage = spec.custom_gb
    if prestage:
        fast = SystemSpec("amber99sbildn", "obc", spec.cutoff_nm, spec.constraints)
        xyz = _minimize_once(
            fast.create(topology), xyz, tolerance, max_iterations, platform, threads
        )
        if target_iterations is None:
            slow_here = get_platform(platform, threads)[0].getName() in ("CPU", "Reference")
            target_iterations = 0 if (spec.custom_gb and slow_here) else max_iterations
    else:
        target_iterations = max_iterations
    if not prestage or target_iterations > 0:
        xyz = _minimize_once(
            spec.create(topology), xyz, tolerance, target_iterations, platform, threads
        )
    return unit.Quantity(xyz, unit.nanometer)


def langevin_simulation(
    topology,
    system,
    positions,
    temperature_K: float,
    timestep_fs: float,
    friction_per_ps: float = 1.0,
    platform: str = "auto",
    threads: int | None = None,
    seed: int = 0,
):
    """A ready-to-run Langevin simulation, reproducible from ``seed``.

    Uses ``LangevinMiddleIntegrator``; the integrator's random stream and the initial
    Maxwell-Boltzmann velocities both derive from ``seed`` (see :func:`openmm_seed`). Runs are
    bit-for-bit repeatable on the Reference platform and on CPU with ``threads=1``. With two or
    more CPU threads they are not (measured with OpenMM 8.6.1: 1e-8 to 3e-7 nm apart after 300
    steps, even with the platform's ``DeterministicForces``), so trajectories agree to round-off
    at first and then diverge chaotically: statistically equivalent, not identical.

    Parameters
    ----------
    topology : openmm.app.Topology
    system : openmm.System
    positions : Quantity or array of shape (n_atoms, 3)
        Start positions (nm when a plain array).
    temperature_K : float
        Bath temperature in K.
    timestep_fs : float
        Time step in fs.
    friction_per_ps : float
        Langevin friction coefficient in 1/ps.
    platform : str
        ``"auto"``, ``"CUDA"``, ``"CPU"``, ``"Reference"``, ... (see :func:`get_platform`).
    threads : int, optional
        CPU threads.
    seed : int
        Non-negative seed.

    Returns
    -------
    openmm.app.Simulation
        Positions set, velocities drawn at ``temperature_K``, time 0.
    """
    import openmm
    from openmm import app, unit

    for name, value in (
        ("temperature_K", temperature_K),
        ("timestep_fs", timestep_fs),
        ("friction_per_ps", friction_per_ps),
    ):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
            raise ValueError(f"expected a positive {name}, found {value!r}")
    xyz = _as_nm_array(positions)
    if xyz.shape[0] != system.getNumParticles():
        raise ValueError(
            f"expected positions for the system's {system.getNumParticles()} particles, "
            f"found {xyz.shape[0]}"
        )
    rng_seed = openmm_seed(seed)
    plat, props = get_platform(platform, threads)
    integrator = openmm.LangevinMiddleIntegrator(
        temperature_K * unit.kelvin,
        friction_per_ps / unit.picosecond,
        timestep_fs * unit.femtosecond,
    )
    integrator.setRandomNumberSeed(rng_seed)
    simulation = app.Simulation(topology, system, integrator, plat, props)
    simulation.context.setPositions(xyz * unit.nanometer)
    simulation.context.setVelocitiesToTemperature(temperature_K * unit.kelvin, rng_seed)
    return simulation
