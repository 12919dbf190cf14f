"""Trp-cage C-alpha Go model: the native derivation and energy sanity."""

from pathlib import Path

import numpy as np
import pytest

from mdrepro.simulate import fourwell, gomodel

REF = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "1l2y_model1.pdb"


def test_native_ca_matches_reference_pdb():
    if not REF.is_file():
        pytest.skip(f"reference file {REF} absent")
    import mdtraj as md

    t = md.load(str(REF))
    ca = t.topology.select("name CA")
    np.testing.assert_allclose(t.xyz[0, ca] * 10, gomodel.TRPCAGE_CA_A, atol=1e-3)
    seq = "".join(r.code for r in t.topology.residues)
    assert seq == gomodel.TRPCAGE_SEQUENCE


def test_native_is_a_minimum_with_expected_energy_terms():
    import openmm
    from openmm import unit

    top, system, x = gomodel.build_go_system(2.5)
    pairs, _ = gomodel.native_contacts()
    e = gomodel.go_energy_terms(system, x)
    # bonds, angles, torsions at their minima; every contact at -eps; repulsion small;
    # the many-body term at its minimum -eps_mb N_c (Q_s = 1)
    np.testing.assert_allclose(e[:3], 0, atol=1e-6)
    assert e[3] == pytest.approx(-2.5 * len(pairs), rel=1e-6)
    assert 0 <= e[4] < 0.1
    assert e[5] == pytest.approx(-2.5 * gomodel.MANY_BODY_SCALE * len(pairs), rel=1e-6)
    assert (np.abs(np.diff(pairs, axis=1)) >= gomodel.MIN_SEPARATION).all()
    assert gomodel.fraction_native(x[None])[0] == 1.0
    # the force vanishes at the native structure; perturbations raise the energy
    ctx = openmm.Context(
        system, openmm.VerletIntegrator(0.001), openmm.Platform.getPlatformByName("Reference")
    )
    ctx.setPositions(x * unit.nanometer)
    st = ctx.getState(getForces=True, getEnergy=True)
    f = st.getForces(asNumpy=True).value_in_unit(unit.kilojoule_per_mole / unit.nanometer)
    assert np.abs(f).max() < 0.05  # only the weak non-native repulsion remains
    e0 = st.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole)
    rng = np.random.default_rng(0)
    for _ in range(5):
        ctx.setPositions((x + 0.01 * rng.normal(size=x.shape)) * unit.nanometer)
        e1 = (
            ctx.getState(getEnergy=True)
            .getPotentialEnergy()
            .value_in_unit(unit.kilojoule_per_mole)
        )
        assert e1 > e0


@pytest.mark.slow
def test_q_distribution_is_bimodal_near_the_midpoint():
    """Two-state folding: at 390 K (near the ci build's midpoint) a 4 ns run has an unfolded
    and a folded peak in Q separated by a dip of at least 1 kT, and crosses between the cores
    (Q <= 0.3, Q >= 0.7) many times."""
    from openmm import unit

    from mdrepro.simulate import systems

    top, system, x = gomodel.build_go_system()
    sim = systems.langevin_simulation(top, system, x, 390.0, 10.0, 1.0, "Reference", seed=3)
    sim.step(10_000)
    qs = []
    for _ in range(4000):
        sim.step(100)
        pos = sim.context.getState(getPositions=True).getPositions(asNumpy=True)
        qs.append(gomodel.fraction_native(pos.value_in_unit(unit.nanometer)[None])[0])
    c = gomodel.q_cooperativity(qs)
    assert c["q_unfolded"] < 0.4 and c["q_folded"] > 0.8
    assert c["q_unfolded"] < c["q_dip"] < c["q_folded"]
    assert c["barrier_kT"] >= 1.0
    assert c["transitions"] >= 10
    assert 0.2 < c["fraction_folded"] < 0.8


def test_q_cooperativity_on_a_synthetic_two_state_series():
    rng = np.random.default_rng(0)
    u, f = rng.normal(0.2, 0.05, 1000), rng.normal(0.88, 0.06, 1000)
    q = np.concatenate([u[:500], f[:500], u[500:], f[500:], rng.uniform(0.31, 0.69, 100)])
    c = gomodel.q_cooperativity(q.clip(0, 1))
    assert c["q_unfolded"] < 0.3 and c["q_folded"] > 0.8 and c["barrier_kT"] > 3
    assert c["transitions"] == 3
    assert gomodel.q_cooperativity(rng.uniform(0, 1, 5))["barrier_kT"] is None


def test_fourwell_potential_and_prefactor_scaling():
    x = np.array([-0.5, 0.0, 0.5])
    np.testing.assert_allclose(fourwell.potential(x, 2.0) * 2, fourwell.potential(x, 4.0))
    tr = fourwell.simulate(4.0, 20000, 1e-5, 10, seed=0)
    assert tr.shape == (2000,) and np.isfinite(tr).all()
    with pytest.raises(ValueError):
        fourwell.simulate(-1.0)
