"""A C-alpha structure-based (Go-type) model of the Trp-cage miniprotein in OpenMM.

The native structure is PDB 1L2Y model 1 (Neidigh, Fesinmeyer & Andersen 2002,
Nat. Struct. Biol. 9, 425; NMR ensemble, model 1), from which :data:`TRPCAGE_CA_A` holds the
C-alpha coordinates. The energy function follows the Clementi-Nymeyer-Onuchic C-alpha model
(Clementi et al. 2000, J. Mol. Biol. 298, 937), with everything set from the native structure:

* harmonic bonds between consecutive C-alpha atoms, ``K_b = 100 eps / Å^2`` at the native
  lengths;
* harmonic angles, ``K_theta = 20 eps / rad^2`` at the native angles;
* pseudo-torsions ``eps [1 - cos(phi - phi0)] + eps/2 [1 - cos 3(phi - phi0)]``;
* native contacts (pairs ``|i - j| >= 4``, i.e. ``|i - j| > 3`` as in Clementi et al., closer
  than ``CONTACT_CUTOFF_A`` in the native structure) with the 12-10 potential
  ``eps [5 (s/r)^12 - 6 (s/r)^10]``, ``s`` the native distance (minimum ``-eps`` at ``r = s``);
* every other pair ``|i - j| >= 4`` repels with ``eps (4 Å / r)^12`` (``i, i + 3`` pairs feel
  only the pseudo-torsions, as in Clementi et al.);
* a many-body (non-additive) native term ``-eps_mb N_c Q_s^p`` on a smooth fraction of native
  contacts ``Q_s`` (each contact counts 1 up to its native distance ``s`` and decays as a
  Gaussian beyond, reaching 1/2 at ``1.2 s``, the tolerance of :func:`fraction_native`), with
  ``eps_mb = MANY_BODY_SCALE * eps`` and ``p = MANY_BODY_POWER``. Pairwise C-alpha Go models of
  a 20-residue chain are barely cooperative (a broad, single-peaked ``Q`` distribution); a
  term whose energy is concave in ``Q`` rewards contacts only once many are formed. Such
  non-additive many-body terms are the usual way to make structure-based models
  two-state-like (e.g. Kaya & Chan 2003, Proteins 52, 524; three-body terms: Ejtehadi,
  Avall & Plotkin 2004, PNAS 101, 15088); this ``Q^p`` form is our simple choice. It is flat
  (zero force) at the native structure.

``eps`` is :data:`EPSILON_KJ` kJ/mol; the folding temperature is found by a scan of the
fraction of native contacts (:func:`fraction_native`).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "CONTACT_CUTOFF_A",
    "EPSILON_KJ",
    "MANY_BODY_POWER",
    "MANY_BODY_SCALE",
    "MIN_SEPARATION",
    "TRPCAGE_CA_A",
    "TRPCAGE_SEQUENCE",
    "build_go_system",
    "fraction_native",
    "go_energy_terms",
    "native_contacts",
    "native_nm",
    "q_cooperativity",
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
#: Smallest sequence separation ``|i - j|`` of a native contact (Clementi et al.: ``> 3``).
MIN_SEPARATION = 4
#: Strength of the many-body native term relative to ``eps``.
MANY_BODY_SCALE = 1.0
#: Exponent ``p`` of the many-body native term ``-eps_mb N_c Q_s^p``.
MANY_BODY_POWER = 4
#: Width of the Gaussian tail of a smooth contact, in units of its native distance
#: (1/2 at ``r = 1.2 s``).
SMOOTH_CONTACT_WIDTH = 0.2 / np.sqrt(2 * np.log(2))
#: Repulsion radius of non-native pairs, Å.
REPULSION_A = 4.0
#: Mass of each bead, amu (mean residue mass of Trp-cage).
BEAD_MASS = 110.0


def native_nm() -> np.ndarray:
    """Native C-alpha coordinates, ``(20, 3)`` nm."""
    return TRPCAGE_CA_A * 0.1


def native_contacts(
    xyz_nm: np.ndarray | None = None,
    cutoff_A: float = CONTACT_CUTOFF_A,
    min_sep: int = MIN_SEPARATION,
):
    """Native contact pairs and their native distances.

    Parameters
    ----------
    xyz_nm : numpy.ndarray, shape (n, 3), optional
        Structure (default the native one), nm.
    cutoff_A : float
        Contact cutoff, Å.
    min_sep : int
        Smallest sequence separation ``|i - j|``.

    Returns
    -------
    pairs : numpy.ndarray of int, shape (n_contacts, 2)
    r0_nm : numpy.ndarray, shape (n_contacts,)
    """
    x = native_nm() if xyz_nm is None else np.asarray(xyz_nm)
    i, j = np.triu_indices(len(x), min_sep)
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


def q_cooperativity(q, lo: float = 0.3, hi: float = 0.7, n_bins: int = 20) -> dict:
    """Two-state diagnostics of a series of ``Q`` values.

    The histogram of ``Q`` on ``n_bins`` bins of [0, 1] gives ``F = -ln p`` (kT). The
    unfolded and folded minima are the lowest ``F`` below and above ``Q = 0.5``; the dip is the
    highest ``F`` between them, and ``barrier_kT`` is the dip minus the higher of the two minima
    (the smaller of the two barriers; 0 when there is no dip, None when a bin is empty).
    Transitions are counted core to core between ``Q <= lo`` and ``Q >= hi``.

    Returns
    -------
    dict
        ``hist`` (counts), ``q_unfolded``, ``q_folded``, ``q_dip`` (bin centres),
        ``barrier_kT``, ``transitions``, ``fraction_folded`` (``Q >= 0.5``), ``lo``, ``hi``.
    """
    q = np.asarray(q, dtype=float)
    edges = np.linspace(0, 1, n_bins + 1)
    h, _ = np.histogram(q, edges)
    cent = 0.5 * (edges[1:] + edges[:-1])
    with np.errstate(divide="ignore"):
        F = -np.log(h / h.sum())
    half = n_bins // 2
    iu = int(np.argmin(F[:half]))
    jf = half + int(np.argmin(F[half:]))
    kd = iu + int(np.argmax(F[iu : jf + 1]))
    ok = np.isfinite(F[[iu, jf, kd]]).all()
    barrier = max(0.0, float(F[kd] - max(F[iu], F[jf]))) if ok else None
    state = np.where(q <= lo, 0, np.where(q >= hi, 1, -1))
    s = state[state >= 0]
    return {
        "hist": h.tolist(),
        "q_unfolded": float(cent[iu]),
        "q_folded": float(cent[jf]),
        "q_dip": float(cent[kd]),
        "barrier_kT": barrier,
        "transitions": int(np.count_nonzero(np.diff(s))),
        "fraction_folded": float((q >= 0.5).mean()),
        "lo": lo,
        "hi": hi,
    }


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


def build_go_system(
    eps_kj: float = EPSILON_KJ,
    many_body_scale: float = MANY_BODY_SCALE,
    many_body_power: float = MANY_BODY_POWER,
):
    """The OpenMM system and topology of the C-alpha Go model of Trp-cage.

    Parameters
    ----------
    eps_kj : float
        Energy scale ``eps``, kJ/mol.
    many_body_scale, many_body_power : float
        ``eps_mb / eps`` and ``p`` of the many-body native term (scale 0: the purely pairwise
        model, without that force).

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
    for i, j in zip(*np.triu_indices(n, MIN_SEPARATION), strict=True):
        if (int(i), int(j)) not in native:
            rep.addBond(int(i), int(j), [])
    system.addForce(rep)
    if many_body_scale:
        qs = openmm.CustomBondForce("select(step(r - s), exp(-(r - s)^2 / (2*(w*s)^2)), 1) / nc")
        qs.addGlobalParameter("w", float(SMOOTH_CONTACT_WIDTH))
        qs.addGlobalParameter("nc", float(len(pairs)))
        qs.addPerBondParameter("s")
        for (i, j), s in zip(pairs, r0, strict=True):
            qs.addBond(int(i), int(j), [float(s)])
        mb = openmm.CustomCVForce("-eps_mb * n_c * Qs^p")
        mb.addGlobalParameter("eps_mb", float(many_body_scale * eps_kj))
        mb.addGlobalParameter("n_c", float(len(pairs)))
        mb.addGlobalParameter("p", float(many_body_power))
        mb.addCollectiveVariable("Qs", qs)
        system.addForce(mb)
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
