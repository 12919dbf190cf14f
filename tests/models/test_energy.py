"""The torch bonded energy against OpenMM's own energy of the same terms."""

import numpy as np
import openmm
import pytest
import torch
from openmm import unit

from mdrepro.errors import DataError
from mdrepro.models.energy import TERMS, BondedEnergy, backbone_energy, dihedrals, terms_system


@pytest.fixture(scope="module")
def energy():
    return backbone_energy(10, "amber99sbildn", "obc")


def _frames(energy, n=6, seed=0):
    """Helix backbone frames with random perturbations (0.005-0.05 nm), float64, nm."""
    import mdtraj as md

    from mdrepro.simulate import systems

    top, pos = systems.polyalanine_helix(10)
    bb = md.Topology.from_openmm(top).select("backbone and name N CA C O")
    x0 = np.asarray(pos.value_in_unit(unit.nanometer))[bb]
    rng = np.random.default_rng(seed)
    scales = np.linspace(0.005, 0.05, n)[:, None, None]
    return x0[None] + scales * rng.normal(size=(n, *x0.shape))


def test_backbone_terms_are_collected(energy):
    # 4 bonds per residue less the missing peptide bond at the end; proper torsions only
    assert energy.n_atoms == 40
    assert energy.counts["bonds"] == 39
    assert energy.counts["angles"] > 40 and energy.counts["torsions"] > 30
    # every torsion is a chain of bonds
    bonds = {frozenset(b) for b in energy.bonds.tolist()}
    for a, b, c, d in energy.torsions.tolist():
        assert {frozenset((a, b)), frozenset((b, c)), frozenset((c, d))} <= bonds


def test_each_term_matches_openmm(energy):
    xyz = _frames(energy)
    mine = energy(torch.as_tensor(xyz, dtype=torch.float64))
    system = terms_system(energy)
    ctx = openmm.Context(
        system, openmm.VerletIntegrator(0.001), openmm.Platform.getPlatformByName("Reference")
    )
    for i, x in enumerate(xyz):
        ctx.setPositions(x * unit.nanometer)
        for g, term in enumerate(TERMS):
            ref = (
                ctx.getState(getEnergy=True, groups={g})
                .getPotentialEnergy()
                .value_in_unit(unit.kilojoule_per_mole)
            )
            assert abs(float(mine[term][i]) - ref) <= 1e-4 * abs(ref), (term, i)


def test_energy_has_finite_gradients_and_float32(energy):
    x = torch.as_tensor(_frames(energy, 3), dtype=torch.float32).requires_grad_(True)
    total = energy.total(x).sum()
    total.backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0
    e64 = energy.total(x.detach().double())
    np.testing.assert_allclose(energy.total(x.detach()).numpy(), e64.numpy(), rtol=1e-4)


def test_dihedral_sign_matches_mdtraj():
    import mdtraj as md

    rng = np.random.default_rng(1)
    xyz = rng.normal(size=(5, 4, 3))
    top = md.Topology()
    ch = top.add_chain()
    res = top.add_residue("X", ch)
    for i in range(4):
        top.add_atom(f"C{i}", md.element.carbon, res)
    ref = md.compute_dihedrals(md.Trajectory(xyz.astype(np.float32), top), [[0, 1, 2, 3]])
    mine = dihedrals(torch.as_tensor(xyz), torch.tensor([[0, 1, 2, 3]]))
    np.testing.assert_allclose(mine.numpy(), ref, atol=1e-5)


def test_bad_input(energy):
    with pytest.raises(DataError, match="shape"):
        energy(torch.zeros(2, 39, 3))
    with pytest.raises(DataError, match="distinct"):
        BondedEnergy.from_openmm(openmm.System(), [0, 0])
