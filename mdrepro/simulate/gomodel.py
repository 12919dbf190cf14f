"""A C-alpha structure-based (Go-type) model of the Trp-cage miniprotein in OpenMM.

The native structure is PDB 1L2Y model 1 (Neidigh, Fesinmeyer & Andersen 2002,
Nat. Struct. Biol. 9, 425; NMR ensemble, model 1), from which :data:`TRPCAGE_CA_A` holds the
C-alpha coordinates. The energy function follows the Clementi-Nymeyer-Onuchic C-alpha model
(Clementi et al. 2000, J. Mol. Biol. 298, 937), with everything set from the native structure:

* harmonic bonds between consecutive C-alpha atoms, ``K_b = 100 eps / Å^2`` at the native
  lengths;
* harmonic angles, ``K_theta = 20 eps / rad^2`` at the native angles;
* pseudo-torsions ``eps [1 - cos(phi - phi0)] + eps/2 [1 - cos 3(phi - phi0)]``;
* native contacts (pairs ``|i - j| >= 3`` closer than ``CONTACT_CUTOFF_A`` in the native
  structure) with the 12-10 potential ``eps [5 (s/r)^12 - 6 (s/r)^10]``, ``s`` the native
  distance (minimum ``-eps`` at ``r = s``);
* every other pair ``|i - j| >= 3`` repels with ``eps (4 Å / r)^12``.

``eps`` is :data:`EPSILON_KJ` kJ/mol; the folding temperature is found by a scan of the
fraction of native contacts (:func:`fraction_native`).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "CONTACT_CUTOFF_A",
    "EPSILON_KJ",
    "TRPCAGE_CA_A",
    "TRPCAGE_SEQUENCE",
    "build_go_system",
    "fraction_native",
    "go_energy_terms",
    "native_contacts",
    "native_nm",
]

#: Trp-cage TC5b sequence (1L2Y), one-letter codes.
TRPCAGE_SEQUENCE = "NLYIQWLKDGGPSSGRPPPS"

#: C-alpha coordinates of PDB 1L2Y, model 1 (Neidigh et al. 2002), Å, residues 1-20 in order.
#: Derived from the deposited file (ATOM records named CA of MODEL 1); see
#: tests/simulate/test_gomodel.py for the check against a reference copy.
TRPCAGE_CA_A = np.array(
    [
        (-8.608, 3.135, -1.618),  # ASN 1
        (-4.923, 4.002, -2.452),  # LEU 2
        (-3.690, 2.738, 0.981),  # TYR 3
        (-5.857, -0.449, 0.613),  # ILE 4
        (-4.122, -1.167, -2.743),  # GLN 5
        (-0.716, -0.631, -0.993),  # TRP 6
        (-1.641, -2.932, 1.963),  # LEU 7
        (-3.024, -5.791, -0.269),  # LYS 8
        (0.466, -6.016, -1.905),  # ASP 9
        (2.060, -6.618, 1.593),  # GLY 10
        (2.626, -2.967, 2.723),  # GLY 11
        (6.333, -2.533, 3.806),  # PRO 12
        (7.049, -6.179, 2.704),  # SER 13
        (6.389, -5.315, -1.015),  # SER 14
        (9.451, -3.116, -1.870),  # GLY 15
        (7.289, 0.084, -2.054),  # ARG 16
        (6.782, 3.088, 0.345),  # PRO 17
        (3.287, 4.031, 1.686),  # PRO 18
        (1.185, 6.543, -0.353),  # PRO 19
        (0.852, 10.027, 1.285),  # SER 20
    ]
)

#: Energy scale of the Go model, kJ/mol.
EPSILON_KJ = 2.5
#: Native-contact cutoff between C-alpha atoms, Å.
CONTACT_CUTOFF_A = 8.0
#: Repulsion radius of non-native pairs, Å.
REPULSION_A = 4.0
#: Mass of each bead, amu (mean residue mass of Trp-cage).
BEAD_MASS = 110.0


def native_nm() -> np.ndarray:
    """Native C-alpha coordinates, ``(20, 3)`` nm."""
    return TRPCAGE_CA_A * 0.1


def native_contacts(xyz_nm: np.ndarray | None = None, cutoff_A: float = CONTACT_CUTOFF_A):
    """Native contact pairs and their native distances.

    Parameters
    ----------
    xyz_nm : numpy.ndarray, shape (n, 3), optional
        Structure (default the native one), nm.
    cutoff_A : float
        Contact cutoff, Å.

    Returns
    -------
    pairs : numpy.ndarray of int, shape (n_contacts, 2)
    r0_nm : numpy.ndarray, shape (n_contacts,)
    """
    x = native_nm() if xyz_nm is None else np.asarray(xyz_nm)
    i, j = np.triu_indices(len(x), 3)
    d = np.linalg.norm(x[i] - x[j], axis=-1)
    keep = d < cutoff_A * 0.1
    return np.stack([i[keep], j[keep]], 1), d[keep]


def fraction_native(xyz_nm: np.ndarray, tolerance: float = 1.2) -> np.ndarray:
    """Fraction of native contacts ``Q`` per frame (a contact counts when ``r < 1.2 r0``).

    Parameters
    ----------
    xyz_nm : numpy.ndarray, shape (n_frames, 20, 3)
        C-alpha coordinates, nm.

    Returns
    -------
    numpy.ndarray, shape (n_frames,)
    """
    pairs, r0 = native_contacts()
    x = np.asarray(xyz_nm)
    d = np.linalg.norm(x[:, pairs[:, 0]] - x[:, pairs[:, 1]], axis=-1)
    return (d < tolerance * r0).mean(1)


def _angles(x):
    a, b, c = x[:-2], x[1:-1], x[2:]
    u, v = a - b, c - b
    cos = (u * v).sum(-1) / np.linalg.norm(u, axis=-1) / np.linalg.norm(v, axis=-1)
    return np.arccos(np.clip(cos, -1, 1))


def _torsions(x):
    b0, b1, b2 = x[1:-2] - x[:-3], x[2:-1] - x[1:-2], x[3:] - x[2:-1]
    n1, n2 = np.cross(b0, b1), np.cross(b1, b2)
    m = np.cross(b1 / np.linalg.norm(b1, axis=-1, keepdims=True), n1)
    return np.arctan2((m * n2).sum(-1), (n1 * n2).sum(-1))


def build_go_system(eps_kj: float = EPSILON_KJ):
    """The OpenMM system and topology of the C-alpha Go model of Trp-cage.

    Parameters
    ----------
    eps_kj : float
        Energy scale ``eps``, kJ/mol.

    Returns
    -------
    topology : openmm.app.Topology
        One chain of 20 ``CA`` atoms (residue names from 1L2Y).
    system : openmm.System
    positions : numpy.ndarray, shape (20, 3)
        Native positions, nm.
    """
    import openmm
    from openmm import app

    three = {
        "N": "ASN",
        "L": "LEU",
        "Y": "TYR",
        "I": "ILE",
        "Q": "GLN",
        "W": "TRP",
        "K": "LYS",
        "D": "ASP",
        "G": "GLY",
        "P": "PRO",
        "S": "SER",
        "R": "ARG",
    }
    x = native_nm()
    n = len(x)
    top = app.Topology()
    chain = top.addChain()
    atoms = []
    for k, aa in enumerate(TRPCAGE_SEQUENCE):
        res = top.addResidue(three[aa], chain, id=str(k + 1))
        atoms.append(top.addAtom("CA", app.element.carbon, res))
    for k in range(n - 1):
        top.addBond(atoms[k], atoms[k + 1])
    system = openmm.System()
    for _ in range(n):
        system.addParticle(BEAD_MASS)
    bonds = openmm.HarmonicBondForce()
    kb = 100.0 * eps_kj * 100.0 * 2  # 100 eps/Å^2 in E = K (r - r0)^2 -> OpenMM's k/2 form
    for k in range(n - 1):
        bonds.addBond(k, k + 1, float(np.linalg.norm(x[k + 1] - x[k])), kb)
    system.addForce(bonds)
    angles = openmm.HarmonicAngleForce()
    for k, th in enumerate(_angles(x)):
        angles.addAngle(k, k + 1, k + 2, float(th), 20.0 * eps_kj * 2)
    system.addForce(angles)
    tors = openmm.PeriodicTorsionForce()
    for k, ph in enumerate(_torsions(x)):
        # eps [1 - cos(phi - phi0)] = eps + eps cos(phi - phi0 - pi)
        tors.addTorsion(k, k + 1, k + 2, k + 3, 1, float(ph + np.pi), eps_kj)
        tors.addTorsion(k, k + 1, k + 2, k + 3, 3, float(3 * ph + np.pi), 0.5 * eps_kj)
    system.addForce(tors)
    pairs, r0 = native_contacts(x)
    contact = openmm.CustomBondForce("eps*(5*(s/r)^12 - 6*(s/r)^10)")
    contact.addGlobalParameter("eps", eps_kj)
    contact.addPerBondParameter("s")
    for (i, j), s in zip(pairs, r0, strict=True):
        contact.addBond(int(i), int(j), [float(s)])
    system.addForce(contact)
    native = {(int(i), int(j)) for i, j in pairs}
    rep = openmm.CustomBondForce("eps_rep*(srep/r)^12")
    rep.addGlobalParameter("eps_rep", eps_kj)
    rep.addGlobalParameter("srep", REPULSION_A * 0.1)
    for i, j in zip(*np.triu_indices(n, 3), strict=True):
        if (int(i), int(j)) not in native:
            rep.addBond(int(i), int(j), [])
    system.addForce(rep)
    return top, system, x


def go_energy_terms(system, xyz_nm: np.ndarray) -> np.ndarray:
    """Potential energy of each force of ``system`` at ``xyz_nm`` (Reference platform), kJ/mol.

    Returns
    -------
    numpy.ndarray, shape (n_forces,)
    """
    import openmm
    from openmm import unit

    for k, f in enumerate(system.getForces()):
        f.setForceGroup(k)
    ctx = openmm.Context(
        system, openmm.VerletIntegrator(0.001), openmm.Platform.getPlatformByName("Reference")
    )
    ctx.setPositions(np.asarray(xyz_nm) * unit.nanometer)
    out = [
        ctx.getState(getEnergy=True, groups={k})
        .getPotentialEnergy()
        .value_in_unit(unit.kilojoule_per_mole)
        for k in range(system.getNumForces())
    ]
    return np.array(out)
