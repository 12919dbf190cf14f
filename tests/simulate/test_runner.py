"""The chunked runner: recording, chunking, and bit-exact resume after an interruption."""

import numpy as np
import pytest

openmm = pytest.importorskip("openmm")
from openmm import app, unit  # noqa: E402

from mdrepro.simulate.runner import SimulationInterrupted, Stream, run_frames  # noqa: E402


def toy_simulation(seed=7):
    """Eight LJ particles on harmonic springs, Langevin, Reference platform."""
    n = 8
    system = openmm.System()
    top = app.Topology()
    chain = top.addChain()
    for _ in range(n):
        system.addParticle(12.0)
        res = top.addResidue("AR", chain)
        top.addAtom("AR", app.element.argon, res)
    bonds = openmm.HarmonicBondForce()
    for i in range(n - 1):
        bonds.addBond(i, i + 1, 0.4, 500.0)
    system.addForce(bonds)
    lj = openmm.NonbondedForce()
    for _ in range(n):
        lj.addParticle(0.0, 0.34, 0.9)
    system.addForce(lj)
    integ = openmm.LangevinMiddleIntegrator(120 * unit.kelvin, 1 / unit.picosecond, 0.002)
    integ.setRandomNumberSeed(seed)
    sim = app.Simulation(top, system, integ, openmm.Platform.getPlatformByName("Reference"))
    pos = np.c_[np.arange(n) * 0.4, np.zeros(n), np.zeros(n)]
    sim.context.setPositions(pos * unit.nanometer)
    sim.context.setVelocitiesToTemperature(120 * unit.kelvin, seed)
    return sim


STREAMS = [Stream("all"), Stream("ends", atom_indices=[0, 7], every=3)]


def energy_hook(sim, frame, t):
    e = sim.context.getState(getEnergy=True).getPotentialEnergy()
    return {"epot": e.value_in_unit(unit.kilojoule_per_mole), "t": t}


def run(sim, path, **kw):
    return run_frames(
        sim,
        10,
        5,
        path,
        "a",
        STREAMS,
        after_frame=energy_hook,
        chunk_frames=4,
        progress=False,
        **kw,
    )


def test_records_streams_and_scalars(tmp_path):
    out = run(toy_simulation(), tmp_path)
    assert out["all"].shape == (10, 8, 3)
    assert out["ends"].shape == (4, 2, 3)  # frames 0, 3, 6, 9
    np.testing.assert_array_equal(out["ends"], out["all"][::3][:, [0, 7]])
    assert out["scalars"].epot.shape == (10,)
    np.testing.assert_allclose(out["time_ps"], (np.arange(10) + 1) * 0.01)
    np.testing.assert_allclose(out["scalars"].t, out["time_ps"])


def test_interrupted_run_resumes_bit_exact(tmp_path):
    ref = run(toy_simulation(), tmp_path / "ref")
    with pytest.raises(SimulationInterrupted):
        run(toy_simulation(), tmp_path / "cut", stop_after=6)
    # chunk 0 (frames 0-3) is complete; chunk 1 was cut at frame 5 and is redone
    assert sorted(p.name for p in (tmp_path / "cut").glob("*.chk")) == ["a_chunk00000.chk"]
    fresh = toy_simulation(seed=99)  # another seed: the checkpoint must restore everything
    res = run(fresh, tmp_path / "cut")
    np.testing.assert_array_equal(res["all"], ref["all"])
    np.testing.assert_array_equal(res["ends"], ref["ends"])
    np.testing.assert_array_equal(res["scalars"].epot, ref["scalars"].epot)
    np.testing.assert_allclose(res["scalars"].t, ref["scalars"].t)


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="positive"):
        run_frames(toy_simulation(), 0, 5, tmp_path, "a", STREAMS, progress=False)
