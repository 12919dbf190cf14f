"""The moving End2End distance restraint against hand computations."""

import numpy as np
import pytest

openmm = pytest.importorskip("openmm")
from openmm import unit  # noqa: E402

from mdrepro.simulate import steering as st  # noqa: E402

REF = openmm.Platform.getPlatformByName("Reference")


def _system(n=3):
    system = openmm.System()
    for _ in range(n):
        system.addParticle(12.0)
    return system


def _state(ctx):
    s = ctx.getState(getEnergy=True, getForces=True)
    e = s.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole)
    f = s.getForces(asNumpy=True).value_in_unit(unit.kilojoule_per_mole / unit.nanometer)
    return e, np.asarray(f)


def test_energy_force_and_moving_centre():
    system = _system()
    r = st.MovingDistanceRestraint(0, 2, k=418.4, start_nm=1.2, end_nm=3.4)
    idx = r.add_to(system)
    assert idx == 0 and r.force_index == 0
    xyz = np.array([[0.0, 0, 0], [0.5, 0.5, 0], [1.5, 0, 0]])
    ctx = openmm.Context(system, openmm.VerletIntegrator(0.001), REF)
    ctx.setPositions(xyz * unit.nanometer)
    e, f = _state(ctx)
    np.testing.assert_allclose(e, 0.5 * 418.4 * (1.5 - 1.2) ** 2, rtol=1e-10)
    np.testing.assert_allclose(f[2], [-418.4 * 0.3, 0, 0], rtol=1e-10)  # pulls the ends together
    np.testing.assert_allclose(f[1], 0, atol=1e-12)
    np.testing.assert_allclose(r.energy(xyz, 1.2), e, rtol=1e-10)
    # the centre moves linearly, set for the middle of each frame
    n = 10
    np.testing.assert_allclose(
        r.frame_centre(np.arange(n), n), 1.2 + 2.2 * (np.arange(n) + 0.5) / n
    )
    np.testing.assert_allclose(r.centre([0, 0.5, 1, 2]), [1.2, 2.3, 3.4, 3.4])
    hook = r.before_frame_hook(n)

    class Sim:
        context = ctx

    hook(Sim, 9, 0.0)
    assert ctx.getParameter(r.centre_parameter) == pytest.approx(1.2 + 2.2 * 0.95)
    e, f = _state(ctx)
    np.testing.assert_allclose(e, 0.5 * 418.4 * (1.5 - 3.29) ** 2, rtol=1e-10)
    np.testing.assert_allclose(r.distance(xyz), 1.5)


def test_bad_input():
    with pytest.raises(ValueError, match="two different atoms"):
        st.MovingDistanceRestraint(1, 1, 1.0, 1.0, 2.0)
    with pytest.raises(ValueError, match="positive"):
        st.MovingDistanceRestraint(0, 1, -1.0, 1.0, 2.0)
    with pytest.raises(ValueError, match="integer"):
        st.MovingDistanceRestraint(0.5, 1, 1.0, 1.0, 2.0)
    r = st.MovingDistanceRestraint(0, 5, 1.0, 1.0, 2.0)
    with pytest.raises(ValueError, match="index"):
        r.add_to(_system(3))
    r = st.MovingDistanceRestraint(0, 1, 1.0, 1.0, 2.0)
    r.add_to(_system(3))
    with pytest.raises(ValueError, match="not yet added"):
        r.add_to(_system(3))
    with pytest.raises(ValueError, match="n_frames"):
        r.before_frame_hook(0)
