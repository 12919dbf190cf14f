"""Built-in systems, force-field combinations, minimisation and seeded Langevin runs."""

import json

import numpy as np
import pytest

openmm = pytest.importorskip("openmm")
md = pytest.importorskip("mdtraj")
from openmm import unit  # noqa: E402

from mdrepro.simulate import systems as S  # noqa: E402


def forces_of(system):
    return {type(f).__name__ for f in system.getForces()}


def nonbonded(system):
    return next(f for f in system.getForces() if isinstance(f, openmm.NonbondedForce))


def to_mdtraj(topology, positions):
    xyz = np.asarray(positions.value_in_unit(unit.nanometer))[None]
    return md.Trajectory(xyz, md.Topology.from_openmm(topology))


@pytest.fixture(scope="module")
def ala100():
    return S.polyalanine_helix(100)


@pytest.fixture(scope="module")
def ala5():
    return S.polyalanine_helix(5)


@pytest.fixture(scope="module")
def adk():
    return S.adk_open()


# --- molecules ---------------------------------------------------------------------------------


def test_ala100_counts_and_termini(ala100):
    top, pos = ala100
    assert top.getNumAtoms() == 1003  # the paper's count
    assert pos.shape == (1003, 3)
    assert len(S.ca_indices(top)) == 100
    residues = list(top.residues())
    assert {r.name for r in residues} == {"ALA"}
    first = {a.name for a in residues[0].atoms()}
    last = {a.name for a in residues[-1].atoms()}
    assert {"H", "H2", "H3"} <= first  # NH3+
    assert "OXT" in last  # COO-
    system = S.create_system(top, solvent="vacuum")  # keep it alive while its force is used
    nb = nonbonded(system)
    charge = sum(nb.getParticleParameters(i)[0]._value for i in range(1003))
    assert charge == pytest.approx(0.0, abs=1e-6)  # zwitterion


def test_ala100_is_an_ideal_helix(ala100):
    traj = to_mdtraj(*ala100)
    _, phi = md.compute_phi(traj)
    _, psi = md.compute_psi(traj)
    assert phi.shape == (1, 99) and psi.shape == (1, 99)
    np.testing.assert_allclose(np.degrees(phi), -57.0, atol=1.0)
    np.testing.assert_allclose(np.degrees(psi), -47.0, atol=1.0)
    dssp = md.compute_dssp(traj)[0]
    assert (dssp[1:-1] == "H").all()
    # 1.5 A rise per residue: first to last C-alpha about 99 x 0.15 nm
    ca = S.ca_indices(ala100[0])
    e2e = np.linalg.norm(traj.xyz[0, ca[-1]] - traj.xyz[0, ca[0]])
    assert e2e == pytest.approx(99 * 0.15, rel=0.05)


def test_hydrogens_are_relaxed(ala5):
    """addHydrogens' rough hydrogens are minimised: no strained bond angles remain."""
    top, pos = ala5
    system = S.create_system(top, solvent="vacuum", constraints=None)
    angles = next(f for f in system.getForces() if isinstance(f, openmm.HarmonicAngleForce))
    angles.setForceGroup(1)
    ctx = openmm.Context(
        system, openmm.VerletIntegrator(0.001), openmm.Platform.getPlatformByName("Reference")
    )
    ctx.setPositions(pos)
    e = ctx.getState(getEnergy=True, groups={1}).getPotentialEnergy()._value
    assert e / angles.getNumAngles() < 1.0  # kJ/mol per angle (unrelaxed: about 10)


@pytest.mark.slow
def test_adk_open_builds(adk):
    top, pos = adk
    assert len(S.ca_indices(top)) == 214
    assert top.getNumResidues() == 214
    assert top.getNumAtoms() == 3341
    assert pos.shape == (3341, 3)
    names = {r.name for r in top.residues()}
    assert "HSD" not in names and "HID" not in names  # Amber templates pick the variant
    system = S.create_system(top)
    assert system.getNumParticles() == 3341
    assert "GBSAOBCForce" in forces_of(system)
    n_h = sum(1 for a in top.atoms() if a.element.symbol == "H")
    assert system.getNumConstraints() == n_h  # HBonds
    e = S.potential_energy(S.create_system(top, cutoff_nm=2.0), pos, "CPU", threads=2)
    assert np.isfinite(e) and e < 0  # no clashes after rebuilding hydrogens


def test_polyalanine_bad_n():
    for bad in (1, 0, 2.5, True, "10"):
        with pytest.raises(ValueError, match="number of residues"):
            S.polyalanine_helix(bad)


# --- force fields ------------------------------------------------------------------------------

COMBOS = [
    ("amber99sbildn", "obc", "GBSAOBCForce"),
    ("ff14SBonlysc", "gbn2", "CustomGBForce"),
    ("amber99sbildn", "vacuum", None),
    ("ff14SBonlysc", "vacuum", None),
]
BASE = {
    "HarmonicBondForce",
    "HarmonicAngleForce",
    "PeriodicTorsionForce",
    "NonbondedForce",
    "CMMotionRemover",
}


@pytest.mark.parametrize("cutoff", [None, 2.0])
@pytest.mark.parametrize("ff, solvent, gb", COMBOS)
def test_create_system_combinations(ala5, ff, solvent, gb, cutoff):
    top, pos = ala5
    system = S.create_system(top, ff, solvent, cutoff_nm=cutoff)
    assert forces_of(system) == BASE | ({gb} if gb else set())
    nb = nonbonded(system)
    if cutoff is None:
        assert nb.getNonbondedMethod() == openmm.NonbondedForce.NoCutoff
    else:
        assert nb.getNonbondedMethod() == openmm.NonbondedForce.CutoffNonPeriodic
        assert nb.getCutoffDistance().value_in_unit(unit.nanometer) == pytest.approx(cutoff)
        assert nb.getReactionFieldDielectric() == pytest.approx(1.0)
    n_h = sum(1 for a in top.atoms() if a.element.symbol == "H")
    assert system.getNumConstraints() == n_h
    e = S.potential_energy(system, pos, "Reference")
    assert np.isfinite(e)


def test_spec_options_and_describe(ala5):
    top, _ = ala5
    spec = S.SystemSpec("ff14SBonlysc", "gbn2", 1.5, None, remove_cm_motion=False)
    system = spec.create(top)
    assert system.getNumConstraints() == 0
    assert "CMMotionRemover" not in forces_of(system)
    d = spec.describe()
    json.dumps(d)
    assert d["files"] == ["amber/protein.ff14SBonlysc.xml", "implicit/gbn2.xml"]
    assert d["nonbonded_method"] == "CutoffNonPeriodic" and d["cutoff_nm"] == 1.5
    assert S.SystemSpec().describe()["files"] == ["amber99sbildn.xml", "amber99_obc.xml"]
    assert S.SystemSpec().describe()["nonbonded_method"] == "NoCutoff"
    assert spec.custom_gb and not S.SystemSpec().custom_gb


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"forcefield": "charmm36"}, "unknown force field 'charmm36'; valid names: amber99sbildn"),
        ({"solvent": "tip3p"}, "unknown solvent model 'tip3p'; valid names: gbn2, obc, vacuum"),
        ({"forcefield": "amber99sbildn", "solvent": "gbn2"}, "not supported"),
        ({"forcefield": "ff14SBonlysc", "solvent": "obc"}, "supported combinations"),
        ({"cutoff_nm": 0.0}, "positive number"),
        ({"cutoff_nm": "2"}, "positive number"),
        ({"constraints": "hbonds"}, "unknown constraint type"),
    ],
)
def test_bad_names_raise_value_error(ala5, kwargs, match):
    with pytest.raises(ValueError, match=match):
        S.create_system(ala5[0], **kwargs)


# --- platforms, minimisation, dynamics --------------------------------------------------------


def test_get_platform():
    plat, props = S.get_platform("reference")
    assert plat.getName() == "Reference" and props == {}
    plat, props = S.get_platform("cpu", threads=2)
    assert plat.getName() == "CPU" and props == {"Threads": "2"}
    assert S.get_platform("auto")[0].getName() in ("CUDA", "CPU", "Reference")
    with pytest.raises(ValueError, match="unknown OpenMM platform 'metal'"):
        S.get_platform("metal")
    with pytest.raises(ValueError, match="threads"):
        S.get_platform("cpu", threads=0)


def test_openmm_seed():
    assert S.openmm_seed(0) == 1 and S.openmm_seed(41) == 42
    with pytest.raises(ValueError, match="non-negative integer seed"):
        S.openmm_seed(-1)


def test_minimize_lowers_energy(ala5):
    top, pos = ala5
    spec = S.SystemSpec(cutoff_nm=None)
    system = spec.create(top)
    e0 = S.potential_energy(system, pos, "Reference")
    new = S.minimize(top, pos, spec, max_iterations=50, platform="Reference")
    assert new.shape == (top.getNumAtoms(), 3)
    assert S.potential_energy(system, new, "Reference") < e0


def test_minimize_stages_custom_gb(ala5):
    """A gbn2 spec is pre-minimised with native OBC and then (here 20 steps) in gbn2 itself."""
    top, pos = ala5
    spec = S.SystemSpec("ff14SBonlysc", "gbn2")
    target = spec.create(top)
    e0 = S.potential_energy(target, pos, "Reference")
    pre = S.minimize(top, pos, spec, max_iterations=50, platform="Reference")  # OBC only
    both = S.minimize(
        top, pos, spec, max_iterations=50, target_iterations=20, platform="Reference"
    )
    e_pre = S.potential_energy(target, pre, "Reference")
    assert e_pre < e0
    assert S.potential_energy(target, both, "Reference") < e_pre


def test_minimize_bad_input(ala5):
    top, pos = ala5
    with pytest.raises(ValueError, match="SystemSpec"):
        S.minimize(top, pos, "amber99sbildn")
    with pytest.raises(ValueError, match="positions for"):
        S.minimize(top, np.zeros((3, 3)), S.SystemSpec())
    with pytest.raises(ValueError, match="max_iterations"):
        S.minimize(top, pos, S.SystemSpec(), max_iterations=-1)


def run_positions(top, system, pos, seed, platform="Reference", threads=None):
    sim = S.langevin_simulation(
        top, system, pos, 300.0, 2.0, platform=platform, seed=seed, threads=threads
    )
    sim.step(20)
    state = sim.context.getState(getPositions=True)
    return state.getPositions(asNumpy=True).value_in_unit(unit.nanometer)


def test_langevin_simulation_is_seeded(ala5):
    top, pos = ala5
    system = S.create_system(top, solvent="vacuum")
    a = run_positions(top, system, pos, seed=0)
    b = run_positions(top, system, pos, seed=0)
    c = run_positions(top, system, pos, seed=1)
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 1e-3
    d = run_positions(top, system, pos, seed=0, platform="CPU", threads=1)
    e = run_positions(top, system, pos, seed=0, platform="CPU", threads=1)
    np.testing.assert_array_equal(d, e)


def test_langevin_simulation_settings(ala5):
    top, pos = ala5
    system = S.create_system(top, solvent="vacuum")
    sim = S.langevin_simulation(
        top, system, pos, 310.0, 1.0, friction_per_ps=2.0, platform="Reference", seed=5
    )
    integ = sim.integrator
    assert integ.getStepSize().value_in_unit(unit.femtosecond) == pytest.approx(1.0)
    assert integ.getTemperature().value_in_unit(unit.kelvin) == pytest.approx(310.0)
    assert integ.getFriction().value_in_unit(unit.picosecond**-1) == pytest.approx(2.0)
    assert integ.getRandomNumberSeed() == 6
    with pytest.raises(ValueError, match="positive timestep_fs"):
        S.langevin_simulation(top, system, pos, 300.0, 0.0)
    with pytest.raises(ValueError, match="particles"):
        S.langevin_simulation(top, system, pos[:5], 300.0, 2.0)
