r"""Constant-velocity steered MD (SMD-CV), as in NAMD, and harmonic position restraints.

NAMD's constant-velocity SMD couples one atom to a dummy atom that moves at constant speed
``v`` along a unit vector ``n``, through a spring of constant ``k`` that acts along ``n`` only:

.. math::

    U(R, t) = \frac{k}{2}\left[v t - (R(t) - R_0)\cdot n\right]^2, \qquad
    F(t) = k\left[v t - (R(t) - R_0)\cdot n\right],

with :math:`R_0` the pulled atom's position at :math:`t = 0` and :math:`F` the force
on it along ``n``. The external work is :math:`W(t) = \int_0^t F(t')\, v\, dt'`.

Here the spring is an OpenMM ``CustomExternalForce`` whose centre displacement ``v t`` is one
global context parameter: moving the spring costs one ``Context.setParameter`` call and no
reinitialisation. The centre moves in steps (each :meth:`ConstantVelocityPuller.set_time`
call, e.g. once per saved frame); at the paper's 0.02 nm/ps and 10 fs frames a step is
0.0002 nm, against thermal spring fluctuations of sqrt(kT/k) ~ 0.03 nm.

The fixed end is held by a stiff harmonic restraint (:func:`add_position_restraint`), not by
zero mass, which OpenMM forbids for atoms in constraints (HBonds).

Units: nm, ps, kJ/mol; converters to the papers' Angstrom, kcal/mol and pN are provided.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mdrepro.units import KJ_PER_NM2_PER_KCAL_PER_A2, PN_PER_KJ_PER_MOL_NM

#: 1 kcal/mol/A^2 in kJ/mol/nm^2.
KCAL_PER_MOL_A2_IN_KJ_PER_MOL_NM2 = KJ_PER_NM2_PER_KCAL_PER_A2


def kcal_per_mol_A2_to_kj_per_mol_nm2(k):
    """Convert a spring constant from kcal/mol/A^2 to kJ/mol/nm^2 (x 418.4).

    Parameters
    ----------
    k : float or array_like

    Returns
    -------
    float or numpy.ndarray
    """
    return np.asarray(k, dtype=np.float64) * KCAL_PER_MOL_A2_IN_KJ_PER_MOL_NM2 + 0.0


def angstrom_per_ps_to_nm_per_ps(v):
    """Convert a speed from A/ps to nm/ps (x 0.1).

    Parameters
    ----------
    v : float or array_like

    Returns
    -------
    float or numpy.ndarray
    """
    return np.asarray(v, dtype=np.float64) * 0.1 + 0.0


def kj_per_mol_nm_to_pn(f):
    """Convert a force from kJ/mol/nm (per molecule) to pN (x 1.66054).

    Parameters
    ----------
    f : float or array_like

    Returns
    -------
    float or numpy.ndarray
    """
    return np.asarray(f, dtype=np.float64) * PN_PER_KJ_PER_MOL_NM + 0.0


def pn_to_kj_per_mol_nm(f):
    """Convert a force from pN to kJ/mol/nm (/ 1.66054).

    Parameters
    ----------
    f : float or array_like

    Returns
    -------
    float or numpy.ndarray
    """
    return np.asarray(f, dtype=np.float64) / PN_PER_KJ_PER_MOL_NM + 0.0


def _as_nm(positions) -> np.ndarray:
    """Quantity or array-like (nm) -> float64 array."""
    try:
        from openmm import unit
    except ImportError:  # pragma: no cover - openmm is a dependency
        unit = None
    if unit is not None and unit.is_quantity(positions):
        positions = positions.value_in_unit(unit.nanometer)
    return np.asarray(positions, dtype=np.float64)


def _unit_vector(direction) -> np.ndarray:
    n = np.asarray(direction, dtype=np.float64)
    if n.shape != (3,) or not np.all(np.isfinite(n)) or not np.linalg.norm(n) > 0:
        raise ValueError(f"expected a finite, non-zero 3-vector direction, found {direction!r}")
    return n / np.linalg.norm(n)


def _positive(name: str, value) -> float:
    if isinstance(value, bool) or not np.isscalar(value) or not np.isfinite(value) or value <= 0:
        raise ValueError(f"expected a positive finite {name}, found {value!r}")
    return float(value)


def _check_atom(system, index, what: str) -> int:
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
        raise ValueError(f"expected an integer {what} index, found {index!r}")
    n = system.getNumParticles()
    if not 0 <= index < n:
        raise ValueError(f"expected {what} index in [0, {n}), found {index}")
    return int(index)


def end_to_end_direction(positions, first: int, last: int) -> np.ndarray:
    """Unit vector from atom ``first`` to atom ``last``.

    Parameters
    ----------
    positions : Quantity or array of shape (n_atoms, 3)
        In nm when a plain array.
    first, last : int
        Atom indices (e.g. the first and last C-alpha).

    Returns
    -------
    numpy.ndarray
        Shape (3,), unit length.
    """
    xyz = _as_nm(positions)
    if xyz.ndim != 2 or xyz.shape[1] != 3:
        raise ValueError(f"expected positions of shape (n_atoms, 3), found shape {xyz.shape}")
    return _unit_vector(xyz[last] - xyz[first])


def cumulative_work(forces, times_ps, speed: float) -> np.ndarray:
    """External work ``W(t) = int F v dt`` by the trapezoid rule over recorded frames.

    Parameters
    ----------
    forces : array_like of shape (n_frames,)
        Spring force along the pulling direction, kJ/mol/nm.
    times_ps : array_like of shape (n_frames,)
        Strictly increasing times in ps.
    speed : float
        Pulling speed in nm/ps.

    Returns
    -------
    numpy.ndarray
        Shape (n_frames,), kJ/mol; ``W[0] = 0`` (work counted from the first frame).
    """
    f = np.asarray(forces, dtype=np.float64)
    t = np.asarray(times_ps, dtype=np.float64)
    if f.ndim != 1 or t.shape != f.shape:
        raise ValueError(
            f"expected forces and times of the same shape (n_frames,), found {f.shape} and "
            f"{t.shape}"
        )
    if f.size and not np.all(np.isfinite(f)):
        raise ValueError("expected finite forces, found NaN or infinity")
    if f.size > 1 and not np.all(np.diff(t) > 0):
        raise ValueError("expected strictly increasing times")
    if not np.isfinite(speed):
        raise ValueError(f"expected a finite speed, found {speed!r}")
    increments = 0.5 * (f[1:] + f[:-1]) * np.diff(t) * float(speed)
    return np.concatenate([[0.0], np.cumsum(increments)]) if f.size else f.copy()


@dataclass
class ConstantVelocityPuller:
    """The moving spring of constant-velocity SMD on one atom.

    Attributes
    ----------
    pulled_atom : int
        Index of the pulled atom.
    direction : numpy.ndarray
        Unit vector ``n`` of shape (3,) (normalised on construction).
    k : float
        Spring constant, kJ/mol/nm^2 (the paper's 7 kcal/mol/A^2 is 2928.8).
    speed : float
        Speed ``v`` of the spring centre, nm/ps (the paper's 0.2 A/ps is 0.02).
    r0 : numpy.ndarray
        Reference position ``R0`` of the pulled atom, shape (3,), nm.
    name : str
        Prefix of the context's global parameters ``{name}_k`` and ``{name}_displacement``.
    force_index : int or None
        Index of the force in the System once added (:meth:`add_to`).
    """

    pulled_atom: int
    direction: np.ndarray
    k: float
    speed: float
    r0: np.ndarray
    name: str = "smd"
    force_index: int | None = field(default=None, compare=False)

    def __post_init__(self):
        if isinstance(self.pulled_atom, bool) or not isinstance(
            self.pulled_atom, (int, np.integer)
        ):
            raise ValueError(f"expected an integer pulled_atom, found {self.pulled_atom!r}")
        self.pulled_atom = int(self.pulled_atom)
        self.direction = _unit_vector(self.direction)
        self.k = _positive("spring constant k (kJ/mol/nm^2)", self.k)
        if (
            isinstance(self.speed, bool)
            or not np.isscalar(self.speed)
            or not np.isfinite(self.speed)
        ):
            raise ValueError(f"expected a finite speed in nm/ps, found {self.speed!r}")
        self.speed = float(self.speed)
        r0 = _as_nm(self.r0)
        if r0.shape != (3,) or not np.all(np.isfinite(r0)):
            raise ValueError(f"expected r0 a finite 3-vector in nm, found {self.r0!r}")
        self.r0 = r0
        if not self.name.isidentifier():
            raise ValueError(
                f"expected a parameter prefix that is an identifier, found {self.name!r}"
            )

    # parameters ------------------------------------------------------------------------------

    @property
    def k_parameter(self) -> str:
        """Name of the spring-constant global parameter."""
        return f"{self.name}_k"

    @property
    def displacement_parameter(self) -> str:
        """Name of the global parameter holding the centre displacement ``v t`` (nm)."""
        return f"{self.name}_displacement"

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description (units in the keys)."""
        return {
            "protocol": "constant-velocity SMD (NAMD-style, spring along n only)",
            "pulled_atom": self.pulled_atom,
            "direction": [float(x) for x in self.direction],
            "k_kj_mol_nm2": self.k,
            "speed_nm_ps": self.speed,
            "r0_nm": [float(x) for x in self.r0],
        }

    # OpenMM ----------------------------------------------------------------------------------

    def add_to(self, system) -> int:
        """Add the spring to ``system`` as a ``CustomExternalForce``.

        Parameters
        ----------
        system : openmm.System
            Must not contain a ``CMMotionRemover``, which would cancel the pulling.

        Returns
        -------
        int
            The force's index in ``system`` (also stored in :attr:`force_index`).
        """
        import openmm

        if self.force_index is not None:
            raise ValueError(f"expected a puller not yet added, found force {self.force_index}")
        _check_atom(system, self.pulled_atom, "pulled atom")
        if any(isinstance(f, openmm.CMMotionRemover) for f in system.getForces()):
            raise ValueError(
                "expected a System without CMMotionRemover (it cancels the pulling); "
                "build it with remove_cm_motion=False"
            )
        force = openmm.CustomExternalForce(
            f"0.5*{self.k_parameter}*({self.displacement_parameter}"
            " - ((x-x0)*nx + (y-y0)*ny + (z-z0)*nz))^2"
        )
        force.addGlobalParameter(self.k_parameter, self.k)
        force.addGlobalParameter(self.displacement_parameter, 0.0)
        for p in ("x0", "y0", "z0", "nx", "ny", "nz"):
            force.addPerParticleParameter(p)
        force.addParticle(self.pulled_atom, [*self.r0.tolist(), *self.direction.tolist()])
        force.setName(f"{self.name} constant-velocity pulling")
        self.force_index = system.addForce(force)
        return self.force_index

    def displacement(self, t_ps):
        """Centre displacement ``v t`` in nm at time ``t_ps`` (scalar or array)."""
        return self.speed * np.asarray(t_ps, dtype=np.float64) + 0.0

    def set_time(self, context, t_ps: float) -> None:
        """Move the spring centre to ``R0 + v t n`` (one context-parameter update).

        Parameters
        ----------
        context : openmm.Context
        t_ps : float
            Pulling time in ps.
        """
        context.setParameter(self.displacement_parameter, float(self.displacement(t_ps)))

    def before_frame_hook(self, frame_ps: float):
        """A ``before_frame`` hook for :func:`mdrepro.simulate.runner.run_frames`.

        The hook sets the centre for the middle of each frame, so the staircase centre is never
        more than half a frame (``v frame_ps / 2``) from the ideal ``v t``.

        Parameters
        ----------
        frame_ps : float
            Length of a frame (steps per frame x time step), ps.

        Returns
        -------
        callable
            ``hook(simulation, frame, time_ps)`` with ``time_ps`` the frame's start time.
        """
        half = 0.5 * _positive("frame length frame_ps", frame_ps)

        def hook(simulation, frame, time_ps):
            self.set_time(simulation.context, time_ps + half)

        return hook

    # analysis --------------------------------------------------------------------------------

    def _pulled_xyz(self, positions, atom_index) -> np.ndarray:
        xyz = _as_nm(positions)
        if xyz.ndim < 2 or xyz.shape[-1] != 3:
            raise ValueError(
                f"expected positions of shape (..., n_atoms, 3), found shape {xyz.shape}"
            )
        i = self.pulled_atom if atom_index is None else int(atom_index)
        if not 0 <= i < xyz.shape[-2]:
            raise ValueError(f"expected atom index in [0, {xyz.shape[-2]}), found {i}")
        return xyz[..., i, :]

    def extension(self, positions, atom_index: int | None = None) -> np.ndarray:
        """Projection ``(R - R0) . n`` of the pulled atom's displacement, nm.

        Parameters
        ----------
        positions : Quantity or array of shape (..., n_atoms, 3)
            All atoms (nm), one frame or a trajectory.
        atom_index : int, optional
            Position of the pulled atom along the atom axis when ``positions`` holds a subset
            (e.g. a C-alpha stream); default :attr:`pulled_atom`.

        Returns
        -------
        numpy.ndarray
            Shape ``positions.shape[:-2]``.
        """
        return (self._pulled_xyz(positions, atom_index) - self.r0) @ self.direction

    def force(self, positions, t_ps, atom_index: int | None = None) -> np.ndarray:
        """Spring force on the pulled atom along ``n``, ``k (v t - (R - R0) . n)``, kJ/mol/nm.

        Parameters
        ----------
        positions : Quantity or array of shape (..., n_atoms, 3)
            nm.
        t_ps : float or array of shape ``positions.shape[:-2]``
            Times in ps.
        atom_index : int, optional
            See :meth:`extension`.

        Returns
        -------
        numpy.ndarray
            Shape ``positions.shape[:-2]``; positive when the spring pulls along ``+n``.
        """
        return self.k * (self.displacement(t_ps) - self.extension(positions, atom_index))

    def force_pn(self, positions, t_ps, atom_index: int | None = None) -> np.ndarray:
        """:meth:`force` in pN."""
        return kj_per_mol_nm_to_pn(self.force(positions, t_ps, atom_index))

    def energy(self, positions, t_ps, atom_index: int | None = None) -> np.ndarray:
        """Spring energy ``k/2 (v t - (R - R0) . n)^2``, kJ/mol, shape ``positions.shape[:-2]``."""
        s = self.displacement(t_ps) - self.extension(positions, atom_index)
        return 0.5 * self.k * s**2

    def accumulate_work(self, positions, times_ps, atom_index: int | None = None) -> np.ndarray:
        """Cumulative external work over recorded frames (trapezoid rule), kJ/mol.

        Parameters
        ----------
        positions : Quantity or array of shape (n_frames, n_atoms, 3)
            nm.
        times_ps : array of shape (n_frames,)
            Pulling times of the frames, ps, strictly increasing.
        atom_index : int, optional
            See :meth:`extension`.

        Returns
        -------
        numpy.ndarray
            Shape (n_frames,), ``W[0] = 0``.
        """
        t = np.asarray(times_ps, dtype=np.float64)
        return cumulative_work(self.force(positions, t, atom_index), t, self.speed)


def add_constant_velocity_pulling(
    system, pulled_atom: int, direction, k: float, speed: float, r0, name: str = "smd"
) -> ConstantVelocityPuller:
    """Add a NAMD-style constant-velocity SMD spring to ``system``.

    Parameters
    ----------
    system : openmm.System
        Without a ``CMMotionRemover``.
    pulled_atom : int
        Index of the pulled atom (e.g. the C-terminal C-alpha).
    direction : array_like of shape (3,)
        Pulling direction (normalised here).
    k : float
        Spring constant, kJ/mol/nm^2 (see :func:`kcal_per_mol_A2_to_kj_per_mol_nm2`).
    speed : float
        Speed of the spring centre, nm/ps (see :func:`angstrom_per_ps_to_nm_per_ps`).
    r0 : Quantity or array of shape (3,)
        Position of the pulled atom at t = 0, nm.
    name : str
        Prefix of the global parameters (unique per puller in one System).

    Returns
    -------
    ConstantVelocityPuller
        With :attr:`~ConstantVelocityPuller.force_index` set; the centre starts at ``r0``
        (t = 0).
    """
    puller = ConstantVelocityPuller(pulled_atom, direction, k, speed, r0, name=name)
    puller.add_to(system)
    return puller


def add_position_restraint(system, atoms, positions, k: float = 1.0e5, name: str = "restraint"):
    """Hold ``atoms`` near reference positions with an isotropic harmonic spring.

    ``U = k/2 |r_i - r_i^0|^2`` for each atom. The default 1e5 kJ/mol/nm^2 (239 kcal/mol/A^2)
    lets a 1 nN pull move the atom by 0.006 nm and has a period of about 70 fs on a carbon,
    fine for 1-2 fs steps.

    Parameters
    ----------
    system : openmm.System
    atoms : sequence of int
        Atom indices.
    positions : Quantity or array of shape (n_atoms_total, 3) or (len(atoms), 3)
        Reference positions, nm: all of the system's atoms (indexed by ``atoms``) or one row
        per restrained atom.
    k : float
        Spring constant, kJ/mol/nm^2; stored as the global parameter ``{name}_k``.
    name : str
        Prefix of the global parameter.

    Returns
    -------
    int
        Index of the added ``CustomExternalForce``.
    """
    import openmm

    k = _positive("restraint constant k (kJ/mol/nm^2)", k)
    idx = [_check_atom(system, i, "restrained atom") for i in np.atleast_1d(atoms).tolist()]
    if not idx:
        raise ValueError("expected at least one atom to restrain, found none")
    if not name.isidentifier():
        raise ValueError(f"expected a parameter prefix that is an identifier, found {name!r}")
    xyz = _as_nm(positions)
    if xyz.ndim != 2 or xyz.shape[1] != 3:
        raise ValueError(f"expected positions of shape (n, 3), found shape {xyz.shape}")
    if xyz.shape[0] == system.getNumParticles():
        ref = xyz[idx]
    elif xyz.shape[0] == len(idx):
        ref = xyz
    else:
        raise ValueError(
            f"expected {system.getNumParticles()} or {len(idx)} reference positions, found "
            f"{xyz.shape[0]}"
        )
    force = openmm.CustomExternalForce(f"0.5*{name}_k*((x-x0)^2 + (y-y0)^2 + (z-z0)^2)")
    force.addGlobalParameter(f"{name}_k", k)
    for p in ("x0", "y0", "z0"):
        force.addPerParticleParameter(p)
    for i, r in zip(idx, ref, strict=True):
        force.addParticle(i, r.tolist())
    force.setName(f"{name} position restraint")
    return system.addForce(force)


@dataclass
class MovingDistanceRestraint:
    r"""A harmonic restraint on the distance of two atoms whose centre moves linearly.

    ``U = k/2 (|r_j - r_i| - d0)^2`` with the centre ``d0`` a global context parameter that
    moves from ``start_nm`` to ``end_nm`` over a run (the NAMD colvars "harmonic" bias with
    ``targetCenters`` and ``targetNumSteps`` on a ``distance`` colvar). Like
    :class:`ConstantVelocityPuller`, the centre moves in steps: :meth:`before_frame_hook` sets
    it once per frame, for the middle of the frame.

    Attributes
    ----------
    atom1, atom2 : int
        Atom indices (e.g. the C-alpha atoms of the first and last residue).
    k : float
        Spring constant, kJ/mol/nm^2 (1 kcal/mol/A^2 is 418.4).
    start_nm, end_nm : float
        Centre at the start and at the end of the run, nm.
    name : str
        Prefix of the global parameters ``{name}_k`` and ``{name}_centre``.
    force_index : int or None
        Index of the force in the System once added (:meth:`add_to`).
    """

    atom1: int
    atom2: int
    k: float
    start_nm: float
    end_nm: float
    name: str = "e2e"
    force_index: int | None = field(default=None, compare=False)

    def __post_init__(self):
        for what in ("atom1", "atom2"):
            v = getattr(self, what)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise ValueError(f"expected an integer {what}, found {v!r}")
            setattr(self, what, int(v))
        if self.atom1 == self.atom2:
            raise ValueError(f"expected two different atoms, found {self.atom1} twice")
        self.k = _positive("spring constant k (kJ/mol/nm^2)", self.k)
        self.start_nm = _positive("start centre start_nm", self.start_nm)
        self.end_nm = _positive("end centre end_nm", self.end_nm)
        if not self.name.isidentifier():
            raise ValueError(
                f"expected a parameter prefix that is an identifier, found {self.name!r}"
            )

    @property
    def centre_parameter(self) -> str:
        """Name of the global parameter holding the centre ``d0`` (nm)."""
        return f"{self.name}_centre"

    @property
    def k_parameter(self) -> str:
        """Name of the spring-constant global parameter."""
        return f"{self.name}_k"

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description (units in the keys)."""
        return {
            "protocol": "harmonic distance restraint, centre moved linearly (NAMD colvars)",
            "atoms": [self.atom1, self.atom2],
            "k_kj_mol_nm2": self.k,
            "start_nm": self.start_nm,
            "end_nm": self.end_nm,
        }

    def add_to(self, system) -> int:
        """Add the restraint to ``system`` as a ``CustomBondForce`` (centre at ``start_nm``).

        Parameters
        ----------
        system : openmm.System

        Returns
        -------
        int
            The force's index in ``system`` (also stored in :attr:`force_index`).
        """
        import openmm

        if self.force_index is not None:
            raise ValueError(f"expected a restraint not yet added, found force {self.force_index}")
        _check_atom(system, self.atom1, "first restrained atom")
        _check_atom(system, self.atom2, "second restrained atom")
        force = openmm.CustomBondForce(f"0.5*{self.k_parameter}*(r - {self.centre_parameter})^2")
        force.addGlobalParameter(self.k_parameter, self.k)
        force.addGlobalParameter(self.centre_parameter, self.start_nm)
        force.addBond(self.atom1, self.atom2, [])
        force.setName(f"{self.name} moving distance restraint")
        self.force_index = system.addForce(force)
        return self.force_index

    def centre(self, fraction):
        """Centre at ``fraction`` (0 to 1) of the run, nm (scalar or array; clipped to [0, 1])."""
        f = np.clip(np.asarray(fraction, dtype=np.float64), 0.0, 1.0)
        return self.start_nm + (self.end_nm - self.start_nm) * f + 0.0

    def frame_centre(self, frame, n_frames: int):
        """Centre during frame ``frame`` of ``n_frames`` (set for the frame's middle), nm."""
        if isinstance(n_frames, bool) or not isinstance(n_frames, (int, np.integer)):
            raise ValueError(f"expected an integer n_frames, found {n_frames!r}")
        if n_frames < 1:
            raise ValueError(f"expected n_frames >= 1, found {n_frames}")
        return self.centre((np.asarray(frame, dtype=np.float64) + 0.5) / n_frames)

    def set_centre(self, context, centre_nm: float) -> None:
        """Move the centre (one ``Context.setParameter`` call)."""
        context.setParameter(self.centre_parameter, float(centre_nm))

    def before_frame_hook(self, n_frames: int):
        """A ``before_frame`` hook for :func:`mdrepro.simulate.runner.run_frames`.

        Parameters
        ----------
        n_frames : int
            Frames of the run: the centre goes from ``start_nm`` (before frame 0) to
            ``end_nm`` (after the last frame), set for the middle of each frame.

        Returns
        -------
        callable
            ``hook(simulation, frame, time_ps)``.
        """
        self.frame_centre(0, n_frames)  # validates n_frames

        def hook(simulation, frame, time_ps):
            self.set_centre(simulation.context, self.frame_centre(frame, n_frames))

        return hook

    def distance(self, positions) -> np.ndarray:
        """Distance between the two atoms, nm; ``positions`` of shape (..., n_atoms, 3)."""
        xyz = _as_nm(positions)
        return np.linalg.norm(xyz[..., self.atom2, :] - xyz[..., self.atom1, :], axis=-1)

    def energy(self, positions, centre_nm) -> np.ndarray:
        """Restraint energy ``k/2 (d - d0)^2``, kJ/mol."""
        return 0.5 * self.k * (self.distance(positions) - np.asarray(centre_nm)) ** 2
