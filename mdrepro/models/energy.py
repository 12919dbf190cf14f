r"""Differentiable bonded energy of a backbone frame, with parameters from an OpenMM System.

The three bonded terms of TorchMD's force-field evaluation (Doerr et al. 2021), written here in
plain torch so that no extra dependency is needed, with the functional forms of OpenMM's
``HarmonicBondForce``, ``HarmonicAngleForce`` and ``PeriodicTorsionForce``:

.. math::

    V_\mathrm{bonds} = \sum \tfrac{k_b}{2} (r - r_0)^2, \quad
    V_\mathrm{angles} = \sum \tfrac{k_\theta}{2} (\theta - \theta_0)^2, \quad
    V_\mathrm{torsions} = \sum k_\phi \left[1 + \cos(n\phi - \phi_0)\right].

The parameters are read from the *same* System that produced the data: every term whose atoms
all lie in the chosen selection (the 40 backbone atoms N, CA, C, O of deca-alanine) is kept,
torsions only when they are proper (atoms 1-2, 2-3 and 3-4 bonded; Amber's impropers live in
the same ``PeriodicTorsionForce`` and are dropped). Units: nm, radians, kJ/mol.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from mdrepro.errors import DataError

__all__ = ["TERMS", "BondedEnergy", "backbone_energy", "dihedrals", "terms_system"]

#: Names of the energy terms, in the order of :meth:`BondedEnergy.forward`'s dict.
TERMS = ("bonds", "angles", "torsions")


def _check_xyz(xyz: torch.Tensor, n_atoms: int) -> torch.Tensor:
    if xyz.ndim == 2:
        xyz = xyz[None]
    if xyz.ndim != 3 or xyz.shape[1:] != (n_atoms, 3):
        raise DataError(
            f"expected coordinates of shape (B, {n_atoms}, 3), found {tuple(xyz.shape)}"
        )
    return xyz


def bond_lengths(xyz: torch.Tensor, pairs: torch.Tensor) -> torch.Tensor:
    """Distances of atom pairs, shape (B, n_pairs), in the unit of ``xyz``.

    Parameters
    ----------
    xyz : torch.Tensor
        Shape (B, n_atoms, 3).
    pairs : torch.Tensor
        Integer tensor of shape (n_pairs, 2).
    """
    return torch.linalg.vector_norm(xyz[:, pairs[:, 1]] - xyz[:, pairs[:, 0]], dim=-1)


def bond_angles(xyz: torch.Tensor, triples: torch.Tensor) -> torch.Tensor:
    """Angles i-j-k (vertex j), shape (B, n_triples), radians, via atan2 (stable gradients).

    Parameters
    ----------
    xyz : torch.Tensor
        Shape (B, n_atoms, 3).
    triples : torch.Tensor
        Integer tensor of shape (n_triples, 3).
    """
    u = xyz[:, triples[:, 0]] - xyz[:, triples[:, 1]]
    v = xyz[:, triples[:, 2]] - xyz[:, triples[:, 1]]
    cross = torch.linalg.vector_norm(torch.linalg.cross(u, v, dim=-1), dim=-1)
    return torch.atan2(cross, (u * v).sum(-1))


def dihedrals(xyz: torch.Tensor, quads: torch.Tensor) -> torch.Tensor:
    """Dihedral angles i-j-k-l (IUPAC sign convention, as OpenMM and mdtraj), radians.

    Parameters
    ----------
    xyz : torch.Tensor
        Shape (B, n_atoms, 3).
    quads : torch.Tensor
        Integer tensor of shape (n_quads, 4).

    Returns
    -------
    torch.Tensor
        Shape (B, n_quads), in (-pi, pi].
    """
    b1 = xyz[:, quads[:, 1]] - xyz[:, quads[:, 0]]
    b2 = xyz[:, quads[:, 2]] - xyz[:, quads[:, 1]]
    b3 = xyz[:, quads[:, 3]] - xyz[:, quads[:, 2]]
    n1 = torch.linalg.cross(b1, b2, dim=-1)
    n2 = torch.linalg.cross(b2, b3, dim=-1)
    y = torch.linalg.vector_norm(b2, dim=-1) * (b1 * n2).sum(-1)
    x = (n1 * n2).sum(-1)
    return torch.atan2(y, x)


class BondedEnergy(nn.Module):
    """Bonds, angles and proper torsions of a fixed set of atoms, batched over frames.

    Parameters
    ----------
    bonds : array of shape (n_bonds, 2) int, and r0 (nm), k (kJ/mol/nm^2)
    angles : array of shape (n_angles, 3) int, and theta0 (rad), k (kJ/mol/rad^2)
    torsions : array of shape (n_torsions, 4) int, and periodicity, phase (rad), k (kJ/mol)
    n_atoms : int
        Atoms per frame (indices above refer to this numbering).

    Notes
    -----
    Parameters are buffers (float64); :meth:`forward` computes in the input's dtype.
    """

    def __init__(
        self,
        bonds,
        bond_r0,
        bond_k,
        angles,
        angle_theta0,
        angle_k,
        torsions,
        torsion_n,
        torsion_phase,
        torsion_k,
        n_atoms: int,
    ):
        super().__init__()
        self.n_atoms = int(n_atoms)

        def idx(a, width):
            t = torch.as_tensor(np.asarray(a, dtype=np.int64).reshape(-1, width))
            if t.numel() and (t.min() < 0 or t.max() >= self.n_atoms):
                raise DataError(
                    f"expected atom indices in [0, {self.n_atoms}), found {t.min()}..{t.max()}"
                )
            return t

        def par(a):
            return torch.as_tensor(np.asarray(a, dtype=np.float64).reshape(-1))

        self.register_buffer("bonds", idx(bonds, 2))
        self.register_buffer("bond_r0", par(bond_r0))
        self.register_buffer("bond_k", par(bond_k))
        self.register_buffer("angles", idx(angles, 3))
        self.register_buffer("angle_theta0", par(angle_theta0))
        self.register_buffer("angle_k", par(angle_k))
        self.register_buffer("torsions", idx(torsions, 4))
        self.register_buffer("torsion_n", par(torsion_n))
        self.register_buffer("torsion_phase", par(torsion_phase))
        self.register_buffer("torsion_k", par(torsion_k))

    @property
    def counts(self) -> dict[str, int]:
        """Number of terms of each kind."""
        return {
            "bonds": int(self.bonds.shape[0]),
            "angles": int(self.angles.shape[0]),
            "torsions": int(self.torsions.shape[0]),
        }

    @classmethod
    def from_openmm(cls, system, atom_indices: Sequence[int]) -> BondedEnergy:
        """Collect the bonded terms of ``system`` whose atoms are all in ``atom_indices``.

        Parameters
        ----------
        system : openmm.System
            The System that made the data (``HarmonicBondForce``, ``HarmonicAngleForce``,
            ``PeriodicTorsionForce``).
        atom_indices : sequence of int
            The selection, in the order of the model's atoms (e.g. the 40 backbone atoms).

        Returns
        -------
        BondedEnergy
            Indices renumbered to positions in ``atom_indices``; torsions proper only.
        """
        import openmm

        sel = [int(i) for i in atom_indices]
        if len(set(sel)) != len(sel) or not sel:
            raise DataError(
                f"expected distinct atom indices, found {len(sel)} ({len(set(sel))} distinct)"
            )
        pos = {a: i for i, a in enumerate(sel)}
        graph: set[frozenset] = set()
        for i in range(system.getNumConstraints()):
            a, b, _ = system.getConstraintParameters(i)
            graph.add(frozenset((a, b)))
        b_idx, b_r0, b_k, a_idx, a_t0, a_k, t_idx, t_n, t_ph, t_k = ([] for _ in range(10))
        forces = system.getForces()
        for f in forces:
            if isinstance(f, openmm.HarmonicBondForce):
                for i in range(f.getNumBonds()):
                    a, b, r0, k = f.getBondParameters(i)
                    graph.add(frozenset((a, b)))
                    if a in pos and b in pos:
                        b_idx.append((pos[a], pos[b]))
                        b_r0.append(r0.value_in_unit(openmm.unit.nanometer))
                        b_k.append(
                            k.value_in_unit(
                                openmm.unit.kilojoule_per_mole / openmm.unit.nanometer**2
                            )
                        )
        for f in forces:
            if isinstance(f, openmm.HarmonicAngleForce):
                for i in range(f.getNumAngles()):
                    a, b, c, t0, k = f.getAngleParameters(i)
                    if all(x in pos for x in (a, b, c)):
                        a_idx.append((pos[a], pos[b], pos[c]))
                        a_t0.append(t0.value_in_unit(openmm.unit.radian))
                        a_k.append(
                            k.value_in_unit(openmm.unit.kilojoule_per_mole / openmm.unit.radian**2)
                        )
            elif isinstance(f, openmm.PeriodicTorsionForce):
                for i in range(f.getNumTorsions()):
                    a, b, c, d, n, ph, k = f.getTorsionParameters(i)
                    proper = all(frozenset(p) in graph for p in ((a, b), (b, c), (c, d)))
                    if proper and all(x in pos for x in (a, b, c, d)):
                        t_idx.append((pos[a], pos[b], pos[c], pos[d]))
                        t_n.append(n)
                        t_ph.append(ph.value_in_unit(openmm.unit.radian))
                        t_k.append(k.value_in_unit(openmm.unit.kilojoule_per_mole))
        if not b_idx:
            raise DataError("expected bonded terms among the selected atoms, found no bonds")
        return cls(b_idx, b_r0, b_k, a_idx, a_t0, a_k, t_idx, t_n, t_ph, t_k, n_atoms=len(sel))

    def geometry(self, xyz: torch.Tensor) -> dict[str, torch.Tensor]:
        """Bond lengths (B, n_bonds) in nm, angles (B, n_angles) and torsions (B, n_torsions) in
        radians, of frames ``xyz`` of shape (B, n_atoms, 3) in nm.
        """
        xyz = _check_xyz(xyz, self.n_atoms)
        return {
            "bonds": bond_lengths(xyz, self.bonds),
            "angles": bond_angles(xyz, self.angles),
            "torsions": dihedrals(xyz, self.torsions),
        }

    def forward(self, xyz: torch.Tensor) -> dict[str, torch.Tensor]:
        """Energy of each term per frame.

        Parameters
        ----------
        xyz : torch.Tensor
            Shape (B, n_atoms, 3) (or (n_atoms, 3)), nm.

        Returns
        -------
        dict of str to torch.Tensor
            ``"bonds"``, ``"angles"``, ``"torsions"``: shape (B,), kJ/mol.
        """
        g = self.geometry(xyz)
        dt = g["bonds"].dtype
        e_b = 0.5 * self.bond_k.to(dt) * (g["bonds"] - self.bond_r0.to(dt)) ** 2
        e_a = 0.5 * self.angle_k.to(dt) * (g["angles"] - self.angle_theta0.to(dt)) ** 2
        phi = g["torsions"]
        e_t = self.torsion_k.to(dt) * (
            1 + torch.cos(self.torsion_n.to(dt) * phi - self.torsion_phase.to(dt))
        )
        return {"bonds": e_b.sum(-1), "angles": e_a.sum(-1), "torsions": e_t.sum(-1)}

    def total(self, xyz: torch.Tensor) -> torch.Tensor:
        """Sum of the three terms, shape (B,), kJ/mol."""
        e = self(xyz)
        return e["bonds"] + e["angles"] + e["torsions"]


def terms_system(energy: BondedEnergy, terms: Sequence[str] = TERMS):
    """An OpenMM System holding only ``energy``'s terms (for independent checks).

    Parameters
    ----------
    energy : BondedEnergy
    terms : sequence of {"bonds", "angles", "torsions"}

    Returns
    -------
    system : openmm.System
        ``energy.n_atoms`` particles of mass 12; one force per term, force group 0, 1, 2 in
        the order bonds, angles, torsions.
    """
    import openmm

    system = openmm.System()
    for _ in range(energy.n_atoms):
        system.addParticle(12.0)
    if "bonds" in terms:
        f = openmm.HarmonicBondForce()
        for (a, b), r0, k in zip(
            energy.bonds.tolist(), energy.bond_r0.tolist(), energy.bond_k.tolist(), strict=True
        ):
            f.addBond(a, b, r0, k)
        f.setForceGroup(0)
        system.addForce(f)
    if "angles" in terms:
        f = openmm.HarmonicAngleForce()
        for (a, b, c), t0, k in zip(
            energy.angles.tolist(),
            energy.angle_theta0.tolist(),
            energy.angle_k.tolist(),
            strict=True,
        ):
            f.addAngle(a, b, c, t0, k)
        f.setForceGroup(1)
        system.addForce(f)
    if "torsions" in terms:
        f = openmm.PeriodicTorsionForce()
        for (a, b, c, d), n, ph, k in zip(
            energy.torsions.tolist(),
            energy.torsion_n.tolist(),
            energy.torsion_phase.tolist(),
            energy.torsion_k.tolist(),
            strict=True,
        ):
            f.addTorsion(a, b, c, d, int(round(n)), ph, k)
        f.setForceGroup(2)
        system.addForce(f)
    return system


def backbone_energy(
    n_residues: int = 10,
    forcefield: str = "amber99sbildn",
    solvent: str = "obc",
    selection: str = "backbone and name N CA C O",
) -> BondedEnergy:
    """Bonded backbone energy of a poly-alanine of ``n_residues`` under a force field.

    Builds the System exactly as :func:`mdrepro.data.recipes.build_decaala_smd` does
    (:func:`mdrepro.simulate.systems.polyalanine_helix` + :class:`SystemSpec`) and keeps the
    terms among the selected atoms (in mdtraj's order: N, CA, C, O per residue).

    Parameters
    ----------
    n_residues : int
    forcefield, solvent : str
        As in :class:`mdrepro.simulate.systems.SystemSpec` (the solvent does not change the
        bonded terms, but it selects the same files as the data).
    selection : str
        mdtraj selection of the model's atoms.

    Returns
    -------
    BondedEnergy
    """
    import mdtraj as md

    from mdrepro.simulate import systems

    topology, _ = systems.polyalanine_helix(n_residues)
    system = systems.SystemSpec(forcefield, solvent, None).create(topology)
    atoms = md.Topology.from_openmm(topology).select(selection)
    return BondedEnergy.from_openmm(system, atoms)
