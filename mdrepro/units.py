"""Unit conversion factors, written once.

Inside mdrepro lengths are in nm, times in ps (fs where the papers count frames in fs), energies
in kJ/mol, as in OpenMM and mdtraj. The papers speak Angstrom, fs, kcal/mol and cm^-1: convert
at the edge (a plot, a table, a claim) with these factors, and say so in the label.

>>> 1.2 * A_PER_NM   # 1.2 nm in Angstrom
12.0
"""

from __future__ import annotations

#: Angstrom per nm.
A_PER_NM = 10.0
#: nm per Angstrom.
NM_PER_A = 0.1
#: fs per ps.
FS_PER_PS = 1000.0
#: ps per fs.
PS_PER_FS = 1.0e-3
#: fs per ns.
FS_PER_NS = 1.0e6
#: ns per fs.
NS_PER_FS = 1.0e-6
#: Seconds per day (for ns/day).
SECONDS_PER_DAY = 86400.0
#: kJ per kcal (thermochemical calorie).
KJ_PER_KCAL = 4.184
#: 1 kcal/mol/Angstrom^2 in kJ/mol/nm^2.
KJ_PER_NM2_PER_KCAL_PER_A2 = 418.4
#: Wavenumber (cm^-1) of a frequency of 1 THz (1/ps): 1e12 / c with c in cm/s.
CM1_PER_THZ = 33.35641
#: Angstrom/fs per nm/ps.
A_PER_FS_PER_NM_PER_PS = A_PER_NM * PS_PER_FS
#: pN per kJ/mol/nm (1 kJ/mol/nm = 1.66054 pN).
PN_PER_KJ_PER_MOL_NM = 1.66053907


def nm_to_angstrom(x):
    """Lengths in nm -> Angstrom (arrays welcome)."""
    return x * A_PER_NM


def fs_to_ns(x):
    """Times in fs -> ns."""
    return x * NS_PER_FS


#: Atomic masses by atomic number, amu.
MASSES_AMU = {1: 1.008, 6: 12.011, 7: 14.007, 8: 15.999, 9: 18.998, 16: 32.06}
#: Kinetic energy in eV of 1 amu moving at 1 Angstrom/fs (1/2 m v^2 with m v^2 = 103.64 eV).
EV_PER_AMU_A2_PER_FS2 = 103.642697
#: Boltzmann constant, eV/K.
KB_EV_PER_K = 8.617333262e-5
