"""Constant-velocity pulling and position restraints against hand computations."""

import numpy as np
import pytest

openmm = pytest.importorskip("openmm")
from openmm import unit  # noqa: E402

from mdrepro.simulate import steering as st  # noqa: E402

REF = openmm.Platform.getPlatformByName("Reference")


def particles(n=3, mass=12.0):
    system = openmm.System()
    for _ in range(n):
        system.addParticle(mass)
    return system


def context_for(system, xyz):
    ctx = openmm.Context(system, openmm.VerletIntegrator(0.001), REF)
    ctx.setPositions(np.asarray(xyz) * unit.nanometer)
    return ctx


def energy_forces(ctx):
    state = ctx.getState(getEnergy=True, getForces=True)
    e = state.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole)
    f = state.getForces(asNumpy=True).value_in_unit(unit.kilojoule_per_mole / unit.nanometer)
    return e, np.asarray(f)


R0 = np.array([0.3, -0.2, 0.5])
N_RAW = np.array([1.0, 2.0, -2.0])  # normalised: (1, 2, -2) / 3
K = 2928.8  # 7 kcal/mol/A^2
V = 0.02  # 0.2 A/ps


def test_unit_conversions():
    assert st.kcal_per_mol_A2_to_kj_per_mol_nm2(7.0) == pytest.approx(2928.8)
    assert st.angstrom_per_ps_to_nm_per_ps(0.2) == pytest.approx(0.02)
    assert st.kj_per_mol_nm_to_pn(1.0) == pytest.approx(1.66054, rel=1e-5)
    assert st.pn_to_kj_per_mol_nm(st.kj_per_mol_nm_to_pn(3.7)) == pytest.approx(3.7)
    # independent: 1 kcal/mol/A^2 = 4.184 kJ/mol / (0.1 nm)^2
    assert st.kcal_per_mol_A2_to_kj_per_mol_nm2(1.0) == pytest.approx(4.184 / 0.01)
    np.testing.assert_allclose(st.angstrom_per_ps_to_nm_per_ps([1.0, 2.0]), [0.1, 0.2])


def test_pulling_energy_and_gradient_match_hand_computation():
    system = particles(3)
    puller = st.add_constant_velocity_pulling(system, 1, N_RAW, K, V, R0)
    n = N_RAW / 3.0
    xyz = np.array([[0.0, 0.0, 0.0], R0 + [0.01, 0.03, 0.02], [1.0, 1.0, 1.0]])
    ctx = context_for(system, xyz)
    for t in (0.0, 1.5, 4.0):
        puller.set_time(ctx, t)
        e, f = energy_forces(ctx)
        s = V * t - (xyz[1] - R0) @ n
        assert e == pytest.approx(0.5 * K * s**2, rel=1e-9, abs=1e-9)
        np.testing.assert_allclose(f[1], K * s * n, rtol=1e-9, atol=1e-9)  # -dU/dR
        np.testing.assert_allclose(f[[0, 2]], 0.0, atol=1e-12)  # other atoms untouched
        assert puller.force(xyz, t) == pytest.approx(K * s)
        assert puller.energy(xyz, t) == pytest.approx(e)
        assert puller.force_pn(xyz, t) == pytest.approx(K * s * 1.66053907, rel=1e-6)


def test_spring_acts_along_direction_only():
    system = particles(1)
    puller = st.add_constant_velocity_pulling(system, 0, [0, 0, 1], K, V, [0, 0, 0])
    ctx = context_for(system, [[0.4, -0.3, 0.0]])  # perpendicular displacement
    assert energy_forces(ctx)[0] == pytest.approx(0.0, abs=1e-12)
    puller.set_time(ctx, 10.0)  # centre 0.2 nm along z
    e, f = energy_forces(ctx)
    assert e == pytest.approx(0.5 * K * 0.2**2)
    np.testing.assert_allclose(f[0], [0.0, 0.0, K * 0.2], atol=1e-9)


def test_moving_the_centre_changes_energy_as_expected():
    system = particles(2)
    puller = st.add_constant_velocity_pulling(system, 0, [1, 0, 0], K, V, [0, 0, 0])
    ctx = context_for(system, [[0.05, 0, 0], [1, 0, 0]])
    energies = []
    for t in (0.0, 2.5, 5.0):
        puller.set_time(ctx, t)
        energies.append(energy_forces(ctx)[0])
    # centre at 0, 0.05, 0.1 nm; atom at 0.05 nm
    np.testing.assert_allclose(energies, 0.5 * K * np.array([0.05, 0.0, 0.05]) ** 2, atol=1e-9)
    assert ctx.getParameter("smd_displacement") == pytest.approx(0.1)


def test_before_frame_hook_sets_the_frame_midpoint():
    system = particles(1)
    puller = st.add_constant_velocity_pulling(system, 0, [1, 0, 0], K, V, [0, 0, 0])

    class Sim:  # the runner passes a Simulation; the hook only needs .context
        context = context_for(system, [[0, 0, 0]])

    puller.before_frame_hook(0.02)(Sim, 3, 1.0)
    assert Sim.context.getParameter("smd_displacement") == pytest.approx(V * 1.01)


def test_two_pullers_coexist_and_describe():
    system = particles(2)
    a = st.add_constant_velocity_pulling(system, 0, [1, 0, 0], K, V, [0, 0, 0], name="a")
    b = st.add_constant_velocity_pulling(system, 1, [0, 1, 0], K, -V, [1, 0, 0], name="b")
    assert (a.force_index, b.force_index) == (0, 1)
    d = a.describe()
    assert d["k_kj_mol_nm2"] == K and d["speed_nm_ps"] == V and d["pulled_atom"] == 0


def test_restraint_energy_and_it_holds_an_atom():
    system = particles(2)
    ref = np.array([[0.1, 0.2, 0.3], [1.0, 0.0, 0.0]])
    idx = st.add_position_restraint(system, [0], ref, k=1.0e4)
    assert idx == 0
    xyz = ref + [[0.01, -0.02, 0.03], [0, 0, 0]]
    ctx = context_for(system, xyz)
    e, f = energy_forces(ctx)
    assert e == pytest.approx(0.5 * 1.0e4 * (0.01**2 + 0.02**2 + 0.03**2))
    np.testing.assert_allclose(f[0], -1.0e4 * np.array([0.01, -0.02, 0.03]), atol=1e-9)

    # dynamics: a restrained atom pulled by a 1000 kJ/mol/nm constant force stays within
    # F/k + thermal noise of its reference position; the free atom drifts away
    system = particles(2)
    st.add_position_restraint(system, [0], ref[:1], k=1.0e5)
    push = openmm.CustomExternalForce("-1000*x")
    push.addParticle(0, [])
    push.addParticle(1, [])
    system.addForce(push)
    integ = openmm.LangevinMiddleIntegrator(300, 5.0, 0.002)
    integ.setRandomNumberSeed(3)
    ctx = openmm.Context(system, integ, REF)
    ctx.setPositions(ref * unit.nanometer)
    integ.step(500)
    pos = ctx.getState(getPositions=True).getPositions(asNumpy=True).value_in_unit(unit.nanometer)
    assert np.linalg.norm(pos[0] - ref[0]) < 0.01 + 0.03
    assert pos[1][0] - ref[1][0] > 0.5


def test_work_of_constant_force_is_force_times_distance():
    t = np.linspace(0.0, 50.0, 11)
    w = st.cumulative_work(np.full(11, 300.0), t, V)
    np.testing.assert_allclose(w, 300.0 * V * t)
    assert w[-1] == pytest.approx(300.0 * 1.0)  # d = v T = 1 nm
    # linear force: trapezoid is exact, W = k v^2 T^2 / 2
    w = st.cumulative_work(K * V * t, t, V)
    assert w[-1] == pytest.approx(0.5 * K * V**2 * 50.0**2)


def test_puller_work_from_positions():
    puller = st.ConstantVelocityPuller(0, [0, 0, 2], K, V, [0, 0, 0])
    t = np.linspace(0.0, 10.0, 21)
    # the atom lags the centre by a constant 0.01 nm: constant force k * 0.01
    xyz = np.zeros((21, 2, 3))
    xyz[:, 0, 2] = V * t - 0.01
    np.testing.assert_allclose(puller.force(xyz, t), K * 0.01)
    np.testing.assert_allclose(puller.extension(xyz), V * t - 0.01)
    w = puller.accumulate_work(xyz, t)
    assert w[-1] == pytest.approx(K * 0.01 * V * 10.0)
    # a stream holding only some atoms: the pulled atom is at position 1 there
    sub = xyz[:, ::-1]
    np.testing.assert_allclose(puller.force(sub, t, atom_index=1), K * 0.01)


def test_end_to_end_direction():
    xyz = np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [1.0, 1.0, 3.0]])
    np.testing.assert_allclose(st.end_to_end_direction(xyz, 0, 2), [0, 0, 1])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"direction": [0, 0, 0]}, "direction"),
        ({"direction": [1, 0]}, "direction"),
        ({"k": -1.0}, "spring constant"),
        ({"speed": float("nan")}, "speed"),
        ({"r0": [0, 0]}, "r0"),
        ({"pulled_atom": 5}, "pulled atom index"),
        ({"pulled_atom": 1.5}, "pulled_atom"),
        ({"name": "bad name"}, "identifier"),
    ],
)
def test_pulling_bad_input(kwargs, match):
    args = {"pulled_atom": 0, "direction": [1, 0, 0], "k": K, "speed": V, "r0": [0, 0, 0]}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        st.add_constant_velocity_pulling(particles(2), **args)


def test_pulling_refuses_cm_motion_remover():
    system = particles(2)
    system.addForce(openmm.CMMotionRemover())
    with pytest.raises(ValueError, match="CMMotionRemover"):
        st.add_constant_velocity_pulling(system, 0, [1, 0, 0], K, V, [0, 0, 0])


def test_puller_added_twice_raises():
    puller = st.add_constant_velocity_pulling(particles(1), 0, [1, 0, 0], K, V, [0, 0, 0])
    with pytest.raises(ValueError, match="not yet added"):
        puller.add_to(particles(1))


def test_restraint_bad_input():
    with pytest.raises(ValueError, match="restrained atom index"):
        st.add_position_restraint(particles(2), [2], np.zeros((2, 3)))
    with pytest.raises(ValueError, match="reference positions"):
        st.add_position_restraint(particles(3), [0], np.zeros((2, 3)))
    with pytest.raises(ValueError, match="at least one atom"):
        st.add_position_restraint(particles(3), [], np.zeros((3, 3)))
    with pytest.raises(ValueError, match="restraint constant"):
        st.add_position_restraint(particles(3), [0], np.zeros((3, 3)), k=0.0)


def test_work_bad_input():
    with pytest.raises(ValueError, match="same shape"):
        st.cumulative_work([1.0, 2.0], [0.0], V)
    with pytest.raises(ValueError, match="increasing"):
        st.cumulative_work([1.0, 2.0], [1.0, 1.0], V)
    with pytest.raises(ValueError, match="finite forces"):
        st.cumulative_work([1.0, np.nan], [0.0, 1.0], V)
    with pytest.raises(ValueError, match="frame length"):
        st.ConstantVelocityPuller(0, [1, 0, 0], K, V, [0, 0, 0]).before_frame_hook(0.0)
