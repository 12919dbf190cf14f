"""cava (chapter 3): preparation, units, analysis, claims; a papermill smoke run on user files."""

import numpy as np
import pytest
import torch

from mdrepro.data.trajset import TrajectorySet
from mdrepro.errors import DataError
from mdrepro.papers.cava import claims, study
from mdrepro.papers.cava.datasets import BACKBONE
from mdrepro.papers.cava.params import resolve

TINY = dict(
    resolve("ch03", "ci"),
    seeds=[0],
    vae_epochs=1,
    lstm_epochs=1,
    rotations_per_frame=1,
    seq_stride=2,
    seq_length=3,
    gen_steps=4,
)


def _helix_backbone():
    import mdtraj as md
    from openmm import unit

    from mdrepro.simulate import systems

    top, pos = systems.polyalanine_helix(10)
    mdtop = md.Topology.from_openmm(top)
    bb = mdtop.select(BACKBONE)
    return np.asarray(pos.value_in_unit(unit.nanometer))[bb], mdtop.subset(bb)


def _stretched(n_frames, seed, x0):
    """A helix whose atoms drift apart along x with time, plus noise: (n, 40, 3) nm."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, n_frames)[:, None, None]
    drift = np.zeros_like(x0)
    drift[:, 0] = 0.03 * np.arange(len(x0))
    x = x0[None] + t * drift[None] + 0.01 * rng.normal(size=(n_frames, *x0.shape))
    return x.astype(np.float32)


@pytest.fixture(scope="module")
def tiny_set():
    import mdtraj as md

    x0, top = _helix_backbone()
    trajs = [md.Trajectory(_stretched(30, s, x0), top) for s in range(3)]
    return TrajectorySet("tiny", trajs, 200.0, BACKBONE)


def test_prepare_centres_and_holds_out(tiny_set):
    fr = study.prepare(tiny_set, 1)
    assert len(fr.train) == 2 and len(fr.test) == 1 and not fr.shared
    assert fr.n_residues == 10 and fr.e2e_atoms == (1, 37)
    masses = np.array([a.element.mass for a in fr.topology.atoms])
    com = (fr.test[0] * masses[:, None]).sum(1) / masses.sum()
    np.testing.assert_allclose(com, 0, atol=1e-5)
    one = TrajectorySet("one", tiny_set.trajectories[:1], 200.0)
    assert study.prepare(one, 2).shared
    bad = TrajectorySet("bad", [t.atom_slice(range(39)) for t in tiny_set.trajectories], 1.0)
    with pytest.raises(DataError, match="backbone"):
        study.prepare(bad)


def test_deviation_of_md_reference_is_thermal_scale(tiny_set):
    fr = study.prepare(tiny_set, 1)
    en = study.energy_model(fr, None, {"forcefield": "amber99sbildn", "solvent": "obc"})
    d = study.deviations(en, fr.test_xyz, fr.test_xyz)
    assert d["bonds"].shape == (30,) and d["angles"].shape == (30,)
    # a frame identical to the per-bond means deviates by zero
    mean_frame = fr.test_xyz[:1]
    assert study.deviations(en, mean_frame, mean_frame)["bonds"][0] == pytest.approx(0, abs=1e-9)
    e = study.energies(en, fr.test_xyz)
    np.testing.assert_allclose(e["total"], e["bonds"] + e["angles"] + e["torsions"])


def test_study_and_claims_run_and_are_deterministic(tiny_set):
    fr = study.prepare(tiny_set, 1)
    en = study.energy_model(fr, None, {"forcefield": "amber99sbildn", "solvent": "obc"})
    torch.set_num_threads(1)
    a = [study.run_seed(fr, en, TINY, 0, v) for v in study.VARIANTS]
    b = [study.run_seed(fr, en, TINY, 0, v) for v in study.VARIANTS]
    assert [r.variant for r in a] == ["energy", "ablation"]
    assert a[0].generated.shape == (1, 5, 40, 3) and a[0].truth.shape == (1, 5, 40, 3)
    np.testing.assert_allclose(
        study.e2e_A(fr.e2e_atoms, a[0].truth[0]),
        10 * np.linalg.norm(fr.test[0][:9:2, 37] - fr.test[0][:9:2, 1], axis=-1),
        rtol=1e-6,
    )
    np.testing.assert_array_equal(a[0].generated, b[0].generated)
    np.testing.assert_array_equal(a[1].reconstructed, b[1].reconstructed)
    res = study.analyse(a, fr, en, TINY)
    ctrl = [study.run_untrained(fr, TINY, s) for s in (0, 1, 2)]
    assert ctrl[0] == study.run_untrained(fr, TINY, 0)  # seeded
    assert all(abs(c["stretch"]) < 3.0 for c in ctrl), ctrl  # an untrained generator stays put
    cs = claims.generation(res, "ci", controls=ctrl)
    assert cs.controls[0].ok, cs.controls[0]
    ids = [c.id for c in cs.claims]
    assert ids == [
        "ch03.generated-stretches",
        "ch03.generated-energy-in-md",
        "ch03.md-stretches",
        "ch03.e2e-jump-then-plateau",
        "ch03.generated-reaches-end",
        "ch03.reconstruction-physical",
        "ch03.energy-term-necessary",
        "ch03.not-rotation-invariant",
        "ch03.energy-cv-tradeoff",
        "ch03.energy-loss-lowers-bond-deviation",
    ]
    assert all(c.spread.startswith("n=1: ") for c in cs.claims)
    assert a[0].rotation_sensitivity > 0.1  # a Cartesian encoder sees orientation
    table = res.validity_table()
    assert set(table.source) == {"MD", "reconstructed", "generated"}
    rows = study.differences(TINY, None, fr)
    assert any(r[0] == "energy loss" for r in rows)


def test_claim_verdicts_follow_the_numbers(tiny_set):
    """Hand-made results: a perfect generator passes every claim, a broken one fails."""
    fr = study.prepare(tiny_set, 1)
    en = study.energy_model(fr, None, {"forcefield": "amber99sbildn", "solvent": "obc"})
    truth = fr.test[0][None, ::2][:, :10]

    def res(seed, variant, gen, rec, rot=0.9):
        return study.SeedResult(seed, variant, None, None, rec, gen, truth, rot + 0.01 * seed)

    noisy = fr.test_xyz + 0.02 * np.random.default_rng(0).normal(size=fr.test_xyz.shape)
    seeds = (0, 1, 2)  # three seeds: the fewest from which the rule draws a verdict
    good = [
        r
        for s in seeds
        for r in (
            res(s, "energy", truth, fr.test_xyz),
            res(s, "ablation", truth, noisy.astype(np.float32)),
        )
    ]
    params = dict(TINY, seeds=list(seeds))
    cs = claims.generation(study.analyse(good, fr, en, params), "ci")
    v = cs.verdicts()
    by_id = {c.id: c for c in cs.claims}

    def inside(cid):  # reproduced, or inside its tolerance but still without a null
        c = by_id[cid]
        return v[cid] == "reproduced" or c.gate.startswith("no negative control")

    stretch = float(np.median(truth[:, -1] - truth[:, 0]))  # nm -> the claim's Å below
    assert inside("ch03.generated-energy-in-md")
    assert inside("ch03.energy-loss-lowers-bond-deviation")
    assert v["ch03.generated-stretches"] in ("reproduced", "not reproduced"), stretch
    assert v["ch03.not-rotation-invariant"] == "reproduced"  # construction: no control needed
    flat = np.repeat(truth[:, :1], truth.shape[1], axis=1) * 1.3  # no stretch, bad bonds
    bad = [
        r
        for s in seeds
        for r in (
            res(s, "energy", flat, noisy.astype(np.float32), rot=1e-6),
            res(s, "ablation", flat, fr.test_xyz),
        )
    ]
    vb = claims.generation(study.analyse(bad, fr, en, params), "ci").verdicts()
    for cid in (
        "ch03.generated-stretches",
        "ch03.generated-energy-in-md",
        "ch03.energy-loss-lowers-bond-deviation",
        "ch03.reconstruction-physical",
        "ch03.not-rotation-invariant",
    ):
        assert vb[cid] == "not reproduced", (cid, vb[cid])
    assert vb["ch03.energy-term-necessary"] == "undecided"  # identical frames: no difference
    assert vb["ch03.md-stretches"] == "undecided"  # one held-out replica: too few
    w = claims.generation(study.analyse(good, fr, en, params), "ci", work=[100.0, 110, 90, 105])
    assert w.verdicts()["ch03.stretching-costs-work"] == "reproduced"
    one = claims.generation(study.analyse(good[:2], fr, en, dict(TINY, seeds=[0])), "ci")
    assert set(one.verdicts().values()) == {"undecided"}


@pytest.mark.slow
def test_notebook_runs_end_to_end_on_user_files(tmp_path):
    import json
    from pathlib import Path

    import mdtraj as md

    pm = pytest.importorskip("papermill")
    repo = Path(__file__).resolve().parents[3]
    x0, top = _helix_backbone()
    paths = []
    for s in range(2):
        traj = md.Trajectory(_stretched(120, s, x0), top)
        traj.save_dcd(str(tmp_path / f"rep{s}.dcd"))
        paths.append(str(tmp_path / f"rep{s}.dcd"))
    traj[0].save_pdb(str(tmp_path / "top.pdb"))
    out = tmp_path / "executed"
    pm.execute_notebook(
        str(repo / "notebooks" / "ch03_lstm_vae.ipynb"),
        str(tmp_path / "ch03.ipynb"),
        parameters={
            "PROFILE": "ci",
            "DEVICE": "cpu",
            "OUTPUT_DIR": str(out),
            "SEEDS": [0],
            "EPOCHS": [1, 1],
            "TRAJECTORY": paths,
            "TOPOLOGY": str(tmp_path / "top.pdb"),
            "FRAME_FS": 200.0,
        },
        kernel_name="python3",
        cwd=str(repo / "notebooks"),
        progress_bar=False,
    )
    claims = json.loads((out / "claims" / "ch03.json").read_text())
    assert claims["chapter"] == "ch03" and len(claims["claims"]) == 10
    figs = {p.stem for p in (out / "figures").glob("*.png")}
    assert {"ch03_fig2", "ch03_fig3", "ch03_geometry", "ch03_energies", "ch03_training"} <= figs
