"""sidky2020 (chapter 4): four-well references, the users' all-atom path, the LSS fit, claims,
and a papermill smoke run on tiny user files."""

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from mdrepro import analysis
from mdrepro.papers.sidky2020 import claims, study
from mdrepro.papers.sidky2020.params import resolve


def _ar1(n, tau, seed=0, n_traj=None):
    """AR(1) with autocorrelation exp(-k / tau) at lag k frames."""
    rng = np.random.default_rng(seed)
    phi = np.exp(-1.0 / tau)
    shape = (n,) if n_traj is None else (n_traj, n)
    e = rng.normal(size=shape) * np.sqrt(1 - phi**2)
    x = np.zeros(shape)
    x[..., 0] = rng.normal(size=shape[:-1])
    for t in range(1, n):
        x[..., t] = phi * x[..., t - 1] + e[..., t]
    return x


def test_fourwell_reference_is_consistent():
    ref = study.fourwell_reference(4.0, 100)
    Q = ref["generator"]
    np.testing.assert_allclose(Q.sum(1), 0, atol=1e-9)
    # the Smoluchowski matrix has the Boltzmann stationary law
    pi = ref["boltzmann"] / ref["boltzmann"].sum()
    np.testing.assert_allclose(pi @ Q, 0, atol=1e-8 * np.abs(Q).max())
    np.testing.assert_allclose(ref["paper_kernel"].sum(1), 1)
    ts = study.analytic_timescales(Q, 3)
    assert ts[0] > ts[1] > ts[2] > 0
    P = study.analytic_transition_matrix(Q, 0.01)
    np.testing.assert_allclose(P.sum(1), 1, atol=1e-9)


def test_featurize_go_model_trajectory():
    import mdtraj as md

    from mdrepro.simulate import gomodel

    top, _, x = gomodel.build_go_system()
    t = md.Trajectory(np.repeat(x[None], 3, 0).astype(np.float32), md.Topology.from_openmm(top))
    F, kinds = study.featurize(t)
    assert F.shape == (3, 2 * 17 + 190) and kinds[0].startswith("C-alpha pseudo")


def _allatom_trpcage(tmp_path, n_frames=60, every=5):
    """Trp-cage built from its sequence (PeptideBuilder), OpenMM vacuum Langevin: PDB + DCD."""
    import mdtraj as md
    import openmm
    import PeptideBuilder
    from Bio.PDB import PDBIO
    from openmm import app, unit

    from mdrepro.simulate.gomodel import TRPCAGE_SEQUENCE

    st = PeptideBuilder.make_structure(TRPCAGE_SEQUENCE, [-60.0] * 19, [-45.0] * 19)
    PeptideBuilder.add_terminal_OXT(st)
    io = PDBIO()
    io.set_structure(st)
    raw = tmp_path / "raw.pdb"
    io.save(str(raw))
    pdb = app.PDBFile(str(raw))
    ff = app.ForceField("amber14-all.xml")
    mod = app.Modeller(pdb.topology, pdb.positions)
    mod.addHydrogens(ff)
    system = ff.createSystem(mod.topology, nonbondedMethod=app.NoCutoff, constraints=app.HBonds)
    integ = openmm.LangevinMiddleIntegrator(
        300 * unit.kelvin, 5 / unit.picosecond, 0.002 * unit.picosecond
    )
    integ.setRandomNumberSeed(1)
    sim = app.Simulation(
        mod.topology, system, integ, openmm.Platform.getPlatformByName("CPU"), {"Threads": "1"}
    )
    sim.context.setPositions(mod.positions)
    sim.minimizeEnergy(maxIterations=100)
    sim.context.setVelocitiesToTemperature(300 * unit.kelvin, 1)
    xyz = []
    for _ in range(n_frames):
        sim.step(every)
        xyz.append(
            sim.context.getState(getPositions=True)
            .getPositions(asNumpy=True)
            .value_in_unit(unit.nanometer)
        )
    mdtop = md.Topology.from_openmm(mod.topology)
    t = md.Trajectory(np.array(xyz, dtype=np.float32), mdtop)
    t[0].save_pdb(str(tmp_path / "top.pdb"))
    t.save_dcd(str(tmp_path / "traj.dcd"))
    return tmp_path / "traj.dcd", tmp_path / "top.pdb"


@pytest.mark.slow
def test_users_allatom_path_gives_paper_features(tmp_path):
    from mdrepro.data import load_user

    traj, top = _allatom_trpcage(tmp_path, n_frames=10)
    ts = load_user(str(traj), str(top), selection="all", frame_interval_fs=10.0)
    F, kinds = study.featurize(ts.trajectories[0])
    assert kinds == ["phi", "psi", "chi1", "C-alpha pair distances"]
    n_chi1 = 17  # every residue but the three glycines has a chi1 (mdtraj counts Pro)
    assert F.shape == (10, 2 * (19 + 19 + n_chi1) + 190)


def _results(good: bool, seeds: int = 3):
    ts = np.array([1.0, 0.2, 0.1])
    fws, trps = [], []
    for i in range(seeds):
        jitter = 1 + 0.01 * i
        fws.append(
            SimpleNamespace(
                a=4.0,
                timescales={
                    "analytic": ts,
                    "brownian": ts,
                    "mdn": ts * (1.05 if good else 0.5) * jitter,
                },
                tv_mdn=(0.03 if good else 0.3) * jitter,
                tv_brownian=0.02,
                reference={"boltzmann": np.ones(2)},
                p_analytic=np.eye(2),
                p_brownian=np.array([[0.9, 0.1], [0.1, 0.9]]),
                p_mdn=np.array([[0.9, 0.1], [0.1, 0.9]]) * jitter
                + (0 if good else np.array([[-0.5, 0.5], [0.5, -0.5]])),
            )
        )
        trps.append(
            SimpleNamespace(
                fes_rmse=(0.5 if good else 2.0) * jitter,
                t_md=[2.0, 1.0, 0.5],
                se_md=[0.2, 0.1, 0.05],
                t_lss=[2.1 * jitter, 1.0, 0.5] if good else [5.0 * jitter, 1.0, 0.5],
                se_lss=[0.02 * jitter, 0.01, 0.005] if good else [0.5, 0.3 * jitter, 0.2],
                rg_md=(7.0, 0.1),
                rg_lss=(7.05 + 0.005 * i, 0.05) if good else (9.0 * jitter, 0.05),
                trans_md=20,
                trans_lss=(2000 if good else 200) + i,
                md_ns=1.0,
                sim_ns=100.0,
                novelty_nm=(0.1 * jitter if good else 0.001, 0.1),
                **_profiles(good, i),
            )
        )
    return fws, trps


def _profiles(good: bool, i: int) -> dict:
    """Free-energy profiles, spectra, losses and structures of one hand-made seed."""
    x = np.linspace(0, 1, 40)
    F = 3 * np.cos(2 * np.pi * x) ** 2 + 2 * x  # folded and unfolded basins, a barrier
    jitter = 0.01 * i
    F_ls = F + jitter if good else 0.2 * F
    se_md = np.full(40, 0.3)
    se_ls = se_md / 10 * (1 + jitter) if good else se_md
    g2 = np.add.outer(F, F)
    g2_ls = g2 + jitter if good else np.full_like(g2, 1.0)
    if not good:
        g2 = g2.copy()
        g2[:, :20] = np.nan  # the LSS visits half a plane the MD never saw
    noise = np.random.default_rng(i).normal(0, 0.01, 10)
    loss = np.r_[np.linspace(5, 1, 20), 1 + noise]
    return dict(
        fes_md=F,
        fes_lss=F_ls,
        fes_md_se=se_md,
        fes_lss_se=se_ls,
        m_gap=3 if good else 1,
        srv_eigenvalues=np.array([0.99, 0.95, 0.9, 0.3, 0.2]),
        fits={"gan": SimpleNamespace(train_loss=loss if good else np.linspace(5, 1, 30))},
        rmsd_folded_md=np.full(10, 2.0),
        rmsd_folded_lss=np.full(10, 2.4 + jitter if good else 6.0),
        rg_std_md=1.6,
        rg_std_lss=(1.5 + jitter) if good else 4.0,
        tica_fes_md=[g2],
        tica_fes_lss=[g2_ls],
    )


@pytest.fixture
def reference_ts(monkeypatch):
    """The toy results' timescales stand in for the converged four-well reference."""
    ref = SimpleNamespace(timescales=np.array([1.0, 0.2, 0.1]), text=lambda: "toy", change=0.0)
    ref.rtol, ref.converged = 1e-4, True
    monkeypatch.setattr(claims, "fourwell_reference_timescales", lambda a: ref)


def test_settled_claims_need_a_landed_null(reference_ts):
    """Rule verdicts pass everywhere on good results; only claims with a null that lands stay
    reproduced once settled (the memoryless-kernel null of the four-well kernel)."""
    good = claims.lss(*_results(True), "ci")
    v = good.verdicts()
    assert v["ch04.fourwell-kernel"] == "reproduced"
    kern = {c.id: c for c in good.claims}["ch04.fourwell-kernel"]
    assert "memoryless kernel" in kern.control
    assert v["ch04.fes-rmse"] == "undecided"  # inside, but no null on real data
    bad = claims.lss(*_results(False), "ci")
    ctl = [k for k in bad.controls if k.kind == "positive"]
    assert ctl and all(k.ok for k in ctl)  # each not-reproduced claim can pass


def test_claim_verdicts_follow_the_numbers(reference_ts):
    good = claims.lss(*_results(True), "ci")
    bad = claims.lss(*_results(False), "ci")
    assert good.verdicts(settled=False) == {c.id: "reproduced" for c in good.claims}
    assert bad.verdicts(settled=False) == {c.id: "not reproduced" for c in bad.claims}
    assert len(good.claims) == 18  # the toy results hold no structures: 19 with them
    one = claims.lss(*_results(True, seeds=1), "ci")
    assert all(c.verdict == "undecided" and "1 seeds < 3" in c.gate for c in one.claims)
    skipped = claims.lss(None, _results(True)[1], "ci")
    assert skipped.claims[0].verdict == "undecided" and skipped.claims[0].n == 0
    few = _results(True)[1]
    for t in few:
        t.trans_md = 3
    gated = {c.id: c for c in claims.lss(None, few, "ci").claims}["ch04.transition-rate"]
    assert gated.verdict == "undecided" and "MD transitions 3 < 10" in gated.gate


def test_fit_lss_and_generate_tiny():
    torch.set_num_threads(1)
    from mdrepro.simulate import gomodel

    rng = np.random.default_rng(0)
    x0 = gomodel.native_nm()
    s = _ar1(300, 10.0, seed=3)
    xyz = x0[None] * (1 + 0.05 * s[:, None, None]) + 0.01 * rng.normal(size=(300, 20, 3))
    i, j = np.triu_indices(20, 1)
    feats = np.linalg.norm(xyz[:, i] - xyz[:, j], axis=-1).astype(np.float32)
    p = dict(
        resolve("ch04", "ci"),
        lag=1,
        srv_epochs=2,
        mdn_epochs=2,
        gan_epochs=1,
        srv_batch=100,
        mdn_batch=100,
        gan_batch=100,
    )
    model = study.fit_lss(feats, xyz, x0, p, seed=0)
    assert model.psi.shape == (300, 3)
    assert np.corrcoef(model.psi[:, 0], analysis.rmsd_to(xyz, x0))[0, 1] > 0
    gen = study.generate(model, 4, 10, seed=0)
    assert gen["psi"].shape == (4, 11, 3) and gen["frames_per_s"] > 0
    assert model.decode(gen["psi"][0]).shape == (11, 20, 3)


@pytest.mark.slow
def test_notebook_runs_end_to_end_on_user_files(tmp_path):
    import json
    from pathlib import Path

    pm = pytest.importorskip("papermill")
    repo = Path(__file__).resolve().parents[3]
    traj, top = _allatom_trpcage(tmp_path, n_frames=60)
    out = tmp_path / "executed"
    tiny = {
        "lag": 1,
        "srv_epochs": 2,
        "srv_batch": 50,
        "mdn_epochs": 2,
        "mdn_batch": 50,
        "gan_epochs": 1,
        "gan_batch": 50,
        "n_traj": 10,
        "acf_max_steps": 3,
        "fes_bins": 10,
        "decode_stride": 1,
    }
    pm.execute_notebook(
        str(repo / "notebooks" / "ch04_latent_space_simulators.ipynb"),
        str(tmp_path / "ch04.ipynb"),
        parameters={
            "PROFILE": "ci",
            "DEVICE": "cpu",
            "OUTPUT_DIR": str(out),
            "OVERRIDES": tiny,
            "TRAJECTORY": str(traj),
            "TOPOLOGY": str(top),
            "FRAME_FS": 10.0,
            "FOURWELL": False,
        },
        kernel_name="python3",
        cwd=str(repo / "notebooks"),
        progress_bar=False,
    )
    claims = json.loads((out / "claims" / "ch04.json").read_text())
    assert claims["chapter"] == "ch04" and len(claims["claims"]) == 19
    figs = {p.stem for p in (out / "figures").glob("*.png")}
    assert {"ch04_fig3", "ch04_table1", "ch04_fig4", "ch04_structures", "ch04_training"} <= figs


def test_fourwell_control_destroys_the_kinetics():
    """Negative control: an MDN trained on shuffled frames has no slow process to learn."""
    torch.set_num_threads(1)
    from mdrepro.simulate import fourwell

    x = fourwell.simulate(4.0, 400_000, 1e-5, 20, seed=1)  # 20000 frames
    p = {
        "lag": 20,
        "n_kernels": 4,
        "hidden": [16, 16],
        "lr": 3e-3,
        "batch_size": 512,
        "epochs": 3,
        "patience": 3,
        "pair_stride": 2,
        "n_synthetic": 2,
        "msm_bins": 40,
    }
    c = study.fourwell_control(x, 2e-4, 4.0, p, seed=0, device="cpu")
    assert c["seed"] == 0 and len(c["mdn"]) == 3 and len(c["brownian"]) == 3
    assert c["mdn"][0] < 0.5 * c["brownian"][0], c
    cs = claims.lss(None, _results(True)[1], "ci", controls=[c, c, c])
    assert cs.controls[0].ok, cs.controls[0]


def test_profile_measures_against_hand_values():
    good = SimpleNamespace(**_profiles(True, 0), md_ns=1.0, sim_ns=100.0)
    assert claims.basins_barrier(good) == pytest.approx(0.0)  # same profile up to a shift
    assert claims.tica_rmse(good) == pytest.approx(0.0, abs=1e-12)
    assert claims.new_state_probability(good) == 0.0
    assert claims.fes_error_ratio(good) == pytest.approx(1.0)  # 10x from 100x the data
    steady = SimpleNamespace(fits={"gan": SimpleNamespace(train_loss=np.linspace(5, 1, 30))})
    assert claims.gan_stability(steady) > 1e6  # a clean descent has not stabilised
    bad = SimpleNamespace(**_profiles(False, 0))
    assert 0.4 < claims.new_state_probability(bad) < 0.6


def test_transition_kernel_and_novelty_measures():
    x = np.array([0.1, 0.1, 0.9, 0.9, 0.1, 0.9])
    p = study.empirical_transition_matrix(x, np.array([0.0, 0.5, 1.0]), 1)
    np.testing.assert_allclose(p, [[1 / 3, 2 / 3], [0.5, 0.5]])
    assert study.kernel_distance(np.eye(2), np.eye(2), np.ones(2)) == 0.0
    assert study.kernel_distance(np.eye(2), np.eye(2)[::-1], np.ones(2)) == 1.0
    rng = np.random.default_rng(0)
    md = rng.normal(size=(4000, 5))
    same, held = study.novelty(md, rng.normal(size=(500, 5)))
    assert 0.8 < same / held < 1.25  # new samples of the same ensemble
    copies, _ = study.novelty(md, md[:500] + 1e-6)
    assert copies / held < 0.01  # copies of the training frames
