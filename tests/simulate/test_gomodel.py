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
    # bonds, angles, torsions at their minima; every contact at -eps; repulsion small
    np.testing.assert_allclose(e[:3], 0, atol=1e-6)
    assert e[3] == pytest.approx(-2.5 * len(pairs), rel=1e-6)
    assert 0 <= e[4] < 0.1
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


def test_fourwell_potential_and_prefactor_scaling():
    x = np.array([-0.5, 0.0, 0.5])
    np.testing.assert_allclose(fourwell.potential(x, 2.0) * 2, fourwell.potential(x, 4.0))
    tr = fourwell.simulate(4.0, 20000, 1e-5, 10, seed=0)
    assert tr.shape == (2000,) and np.isfinite(tr).all()
    with pytest.raises(ValueError):
        fourwell.simulate(-1.0)
