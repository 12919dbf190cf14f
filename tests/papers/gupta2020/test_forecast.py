"""gupta2020 chapter 2: runs scored against the static model, the studies, Table 1, claims."""

import copy

import numpy as np
import pandas as pd
import pytest

from mdrepro import analysis
from mdrepro.papers.gupta2020 import claims, study
from mdrepro.papers.gupta2020.params import resolve
from mdrepro.training import TrainResult

LEADS = (1, 5, 15, 60, 120)
LRS = (1.0, 0.1, 0.01, 0.001, 0.0001)


def tiny_params(**kw):
    p = resolve("ch02", "ci")
    p.update(
        seeds=[0],
        hidden=4,
        epochs={"adk": 2, "smd": 2},
        batch_windows={"adk": 64, "smd": 64},
        train_stride={"adk": 4, "smd": 4},
        fractions={"adk": [0.4, 0.3, 0.3], "smd": [0.4, 0.3, 0.3]},
        max_fit_windows=50,
    )
    p.update(kw)
    return p


def drifting(T=480, N=4, seed=0):
    rng = np.random.default_rng(seed)
    base = np.c_[np.arange(N) * 0.4, np.zeros(N), np.zeros(N)]
    drift = np.linspace(0, 1, T)[:, None, None] * np.array([1.0, 0.0, 0.0])
    return base + drift * (np.arange(N) / N)[None, :, None] + 0.01 * rng.standard_normal((T, N, 3))


def test_run_scores_lstm_and_static_on_the_same_test_windows():
    x = drifting()
    st = study.ForecastStudy(
        {"smd": [x]},
        epochs=2,
        batch_windows=32,
        hidden=4,
        fractions=(0.5, 0.2, 0.3),
        max_fit_windows=20,
    )
    spec = study.RunSpec("smd", history=5, lead=7, lr=0.01)
    res = st.run(spec)
    test = st.splits(spec)["test"]
    o = test.origins.numpy()
    # the static baseline is exactly analysis.static_model_rmsd at the test origins
    np.testing.assert_allclose(res.rmsd_static, analysis.static_model_rmsd(x, 7)[o])
    assert res.rmsd_lstm.shape == res.rmsd_static.shape == (len(test),)
    assert np.isfinite(res.rmsd_lstm).all()
    assert res.rmsd_lstm_fit.shape == (20,)
    assert o.min() - 4 >= 336 and o.max() + 7 <= 479  # inside the test frames
    row = res.row()
    assert row["ratio"] == pytest.approx(np.median(res.rmsd_lstm) / np.median(res.rmsd_static))
    assert row["median_static_A"] == pytest.approx(10 * np.median(res.rmsd_static))
    assert row["lead_fs"] == 70.0


def test_plan_lists_every_study_and_shares_runs():
    p = tiny_params(seeds=[0, 1])
    pl = study.plan(p)
    assert set(pl) == {"history", "lead", "lr", "layout", "variant"}
    assert len(pl["history"]) == 2 * 2 * 3 * 2
    assert len(pl["lead"]) == 2 * 2 * 5 and len(pl["lr"]) == 2 * 2 * 5
    assert {s.target for s in pl["variant"]} == {"displacement"}
    unique = {s for v in pl.values() for s in v}
    # per set and seed: 6 history + 3 more leads + 5 lrs (raw-Å inputs) + 1 whole + 5 variant
    assert len(unique) == 2 * 2 * 20
    assert {s.inputs for s in pl["lr"]} == {"angstrom"}
    assert {s.inputs for k in ("history", "lead", "layout") for s in pl[k]} == {"atom"}
    assert {s.inputs for s in pl["variant"]} == {"standard"}  # displacement: pooled, as before
    std = study.plan(tiny_params(seeds=[0, 1], lr_inputs="atom"))
    assert len({s for v in std.values() for s in v}) == 2 * 2 * 19  # lr 0.01 shared
    assert "variant" not in study.plan(tiny_params(variant_target=None))


# --------------------------------------------------------------------------- synthetic frames
def frame(smd_ratio, adk_ratio, hist_loss, lr_unstable, lr_loss, whole_A, seeds=(0, 1, 2)):
    """A runs frame as runs_frame would give it, from a few knobs (one row per spec)."""
    rows = {}

    def put(d, h, lead, lr, layout, s, **vals):
        key = (d, h, lead, lr, layout, s)
        row = rows.setdefault(
            key,
            {
                "dataset": d,
                "history": h,
                "lead": lead,
                "lr": lr,
                "layout": layout,
                "seed": s,
                "target": "position",
                "lead_fs": 10.0 * lead,
                "unstable": False,
                "final_train_loss": 0.1,
                "final_val_loss": 0.1,
                "median_static_A": 1.0,
                "median_lstm_A": 1.0,
                "ratio": 1.0,
                "seq_per_s": 1e5,
                "train_time_s": 1.0,
                "steps": 10,
                "device": "cpu",
            },
        )
        row.update(vals)

    for s in seeds:
        jitter = 1 + 0.01 * s
        for d, ratios in (("smd", smd_ratio), ("adk", adk_ratio)):
            for lead in LEADS:
                r = ratios[lead] * jitter
                put(d, 5, lead, 0.01, "kirchhoff", s, ratio=r, median_lstm_A=r)
            for lead in (15, 120):
                for h in (1, 5, 10):
                    put(
                        d,
                        h,
                        lead,
                        0.01,
                        "kirchhoff",
                        s,
                        final_train_loss=hist_loss[h] * jitter,
                        final_val_loss=hist_loss[h] * jitter,
                    )
            for lr in LRS:  # lr 0.01 is the history study's h=5 run: its losses stay
                loss = (
                    {}
                    if lr == 0.01
                    else {
                        "final_train_loss": lr_loss[lr] * jitter,
                        "final_val_loss": lr_loss[lr] * jitter,
                    }
                )
                put(d, 5, 15, lr, "kirchhoff", s, unstable=lr_unstable[lr], **loss)
            put(d, 5, 15, 0.01, "whole", s, median_lstm_A=whole_A)
    return pd.DataFrame(list(rows.values()))


PAPER_LIKE = {
    "smd_ratio": {1: 1.5, 5: 1.1, 15: 0.9, 60: 0.7, 120: 0.5},
    "adk_ratio": {1: 1.6, 5: 1.3, 15: 1.1, 60: 1.05, 120: 1.2},
    "hist_loss": {1: 0.3, 5: 0.2, 10: 0.15},
    "lr_unstable": {1.0: True, 0.1: True, 0.01: False, 0.001: False, 0.0001: False},
    "lr_loss": {1.0: 5.0, 0.1: 1.0, 0.001: 0.5, 0.0001: 0.9},
    "whole_A": 3.0,
}


#: Claims whose inputs the hand-made frame below controls (the others read columns it fills
#: with constants: the whole-structure ratio, test RMSD per history).
CONTROLLED = {
    "lstm-worse-short-leads",
    "lstm-better-lead-15",
    "gain-grows",
    "never-beats-static",
    "history-lowers-loss",
    "lr-high-unstable",
    "lr-low-slow",
    "kirchhoff-beats-whole",
}


def verdicts(df, params, only_controlled=True):
    v = claims.forecast_from_frame(df, params, "ci").verdicts(settled=False)
    if not only_controlled:
        return v
    return {k: x for k, x in v.items() if k.split(".")[-1] in CONTROLLED or ".displacement" in k}


def test_claims_hold_on_paper_like_results():
    v = verdicts(frame(**PAPER_LIKE), tiny_params())
    assert len(v) == 12
    assert set(v.values()) == {"reproduced"}, v


def test_claims_fail_on_contrary_results():
    bad = copy.deepcopy(PAPER_LIKE)
    bad["smd_ratio"].update({1: 0.9, 15: 1.2, 120: 1.3})
    bad["adk_ratio"][60] = 0.8
    bad["hist_loss"] = {1: 0.2, 5: 0.25, 10: 0.3}
    bad["lr_unstable"][0.1] = False
    bad["lr_loss"][0.001] = 0.21
    bad["whole_A"] = 0.5
    v = verdicts(frame(**bad), tiny_params())
    assert set(v.values()) == {"not reproduced"}, v


def test_table1_claims_follow_the_recommendations():
    v = verdicts(frame(**PAPER_LIKE), tiny_params(), only_controlled=False)
    assert v["ch02.table1-lr"] == v["ch02.table1-lead"] == "reproduced"
    assert v["ch02.table1-history"] == "not reproduced"  # h=10 has the lowest loss here
    assert len(v) == 12 + 2 + 2 + 3


def test_two_seeds_are_undecided():
    df = frame(**PAPER_LIKE)
    v = verdicts(df[df.seed < 2], tiny_params())
    assert set(v.values()) == {"undecided"}, v


def test_claims_report_the_seed_spread():
    cs = claims.forecast_from_frame(frame(**PAPER_LIKE), tiny_params(), "ci")
    c = next(c for c in cs.claims if c.id == "ch02.smd.lstm-better-lead-15")
    assert "lead 15: 0.909" in c.measured and c.spread == "n=3: 0.9, 0.909, 0.918"
    assert c.tol_hi == 1.0 and c.interval[0] < 0.909 < c.interval[1]


def test_claims_ignore_runs_of_the_variant_target():
    df = frame(**PAPER_LIKE)
    other = df.assign(target="displacement", ratio=5.0)
    both = verdicts(pd.concat([df, other]), tiny_params())
    base = {k: x for k, x in both.items() if not k.endswith(".displacement")}
    assert base == verdicts(df, tiny_params())


def test_variant_target_gets_its_own_lead_claims():
    df = frame(**PAPER_LIKE)
    other = df.assign(target="displacement", ratio=5.0)  # the variant never beats static
    p = dict(tiny_params(), variant_target="displacement")
    v = verdicts(pd.concat([df, other]), p)
    assert v["ch02.smd.lstm-better-lead-15"] == "reproduced"
    assert v["ch02.smd.lstm-better-lead-15.displacement"] == "not reproduced"
    assert v["ch02.adk.never-beats-static.displacement"] == "reproduced"  # ratio 5 >= 0.98
    base = {k: x for k, x in v.items() if not k.endswith(".displacement")}
    assert base == verdicts(df, tiny_params())


def test_table1_follows_the_data():
    p = tiny_params()
    t = study.recommend(frame(**PAPER_LIKE), p)
    assert list(t.index) == ["lead time", "history size", "learning rate", "hidden units"]
    assert t.loc["lead time", "100-alanine SMD"].startswith(">= 15 steps")
    assert t.loc["lead time", "ADK"].startswith("none")
    assert t.loc["history size", "ADK"] == "10"
    assert t.loc["learning rate", "ADK"] == "0.01"
    alt = copy.deepcopy(PAPER_LIKE)
    alt["smd_ratio"][15] = 1.05
    alt["hist_loss"] = {1: 0.3, 5: 0.1, 10: 0.15}
    alt["lr_loss"][0.001] = 0.09
    t2 = study.recommend(frame(**alt), p)
    assert t2.loc["lead time", "100-alanine SMD"].startswith(">= 60 steps")
    assert t2.loc["history size", "ADK"] == "5"
    assert t2.loc["learning rate", "ADK"] == "0.001"


def tr(train, val, diverged=False):
    return TrainResult(np.array(train, float), np.array(val, float), diverged=diverged)


def test_instability_and_slowness_definitions():
    assert not study.is_unstable(tr([1, 0.5, 0.3], [1, 0.6, 0.4]))
    assert study.is_unstable(tr([1, 0.5, np.nan], [1, 0.6, np.nan], diverged=True))
    assert study.is_unstable(tr([1, 3.0, 0.5], [1, 0.9, 0.8]))  # training loss blew up
    assert study.is_unstable(tr([1, 0.5, 0.4], [1, 0.2, 0.5]))  # validation jumped 2.5x
    assert not study.is_unstable(tr([1, 0.5, 0.4], [np.nan] * 3))
    assert study.max_jump([1.0, 0.5, 0.9]) == pytest.approx(1.8)
    df = frame(**PAPER_LIKE)
    c = study.classify_learning_rates(df[df.seed == 0], 5, 15)
    verdict = dict(zip(c[c.dataset == "smd"].lr, c[c.dataset == "smd"].verdict, strict=True))
    assert verdict == {
        1.0: "unstable",
        0.1: "unstable",
        0.01: "converged",
        0.001: "slow",
        0.0001: "slow",
    }


def test_end_to_end_on_tiny_data():
    p = tiny_params()
    data = {"smd": [drifting(480)], "adk": [drifting(480, seed=1), drifting(480, seed=2)]}
    st = study.ForecastStudy.from_params(data, p, 10.0)
    specs = study.unique_runs(p)
    assert len(specs) == 2 * 20
    res = study.ForecastResults([st.run(s) for s in specs], None, p)
    df = res.frame(None)
    assert len(df) == 2 * 20 and len(res.frame()) == 2 * 15
    assert np.isfinite(df.seq_per_s).all()
    ctrl = [st.untrained(s) for s in study.control_specs(dict(p, seeds=[0, 1, 2]))]
    assert [c["seed"] for c in ctrl] == [0, 1, 2] and all(c["ratio"] > 0 for c in ctrl)
    assert ctrl[0] == st.untrained(study.control_specs(p)[0])  # seeded
    cs = claims.forecast(res, "ci", controls=ctrl)
    untrained = [c for c in cs.controls if c.id == "ch02.smd.lstm-better-lead-15"]
    assert len(untrained) == 1 and untrained[0].n == 3
    # and, where their fit gates pass, the in-sample controls of the whole-structure claims
    allowed = {"ch02.smd.lstm-better-lead-15"} | {
        f"ch02.{d}.{c}"
        for d in ("adk", "smd")
        for c in ("whole-worse-than-static", "kirchhoff-beats-whole")
    }
    assert {c.id for c in cs.controls} <= allowed
    # 4 lead claims again for the variant; whole-structure, test RMSD per history, Table 1 rows
    assert len(cs.claims) == 12 + 4 + 7
    assert all(c.verdict in ("reproduced", "not reproduced", "undecided") for c in cs.claims)
    t1 = study.recommend(df, p)
    assert t1.shape[0] == 4
    curves = res.loss_curves(
        "history", dataset="smd", lead=15, lr=0.01, layout="kirchhoff", target="position"
    )
    assert list(curves) == ["history 1", "history 5", "history 10"]
    assert curves["history 5"][0].shape == (3,)
    lrc = res.loss_curves(
        "lr",
        dataset="adk",
        history=5,
        lead=15,
        layout="kirchhoff",
        target="position",
        inputs=res.lr_inputs,
    )
    assert list(lrc)[0] == "lr 0.0001"
    dist = res.rmsd_distributions(
        dataset="smd", history=5, lead=15, lr=0.01, layout="kirchhoff", target="position"
    )
    assert dist["LSTM"].shape == dist["static"].shape
    with pytest.raises(ValueError, match="one configuration"):
        res.rmsd_distributions(dataset="smd", lead=15)
    sweep = study.lead_sweep_table(df, "smd", 5, 0.01, target="position")
    assert list(sweep.index) == list(LEADS)
    assert not study.throughput_table(df).empty
    ar = study.run_arima(data["smd"], 5, 15, p["fractions"]["smd"], order=(1, 1, 0))
    assert ar.rmsd_arima.shape == ar.rmsd_static.shape == dist["static"].shape
    np.testing.assert_allclose(ar.rmsd_static, dist["static"])
    rows = study.differences(p, {"adk": [480, 480], "smd": [480]})
    assert any(r[0] == "evaluation" for r in rows)


def test_a_run_is_reproduced_exactly_and_round_trips(tmp_path):
    from mdrepro import results

    p = tiny_params()
    data = {"smd": [drifting(480)]}
    spec = study.RunSpec("smd", 5, 15, 0.01)
    a = study.ForecastStudy.from_params(data, p, 10.0).run(spec)
    b = study.ForecastStudy.from_params(data, p, 10.0).run(spec)
    np.testing.assert_array_equal(a.rmsd_lstm, b.rmsd_lstm)
    np.testing.assert_array_equal(a.train.train_loss, b.train.train_loss)
    back = results.load(results.save(a, tmp_path / "run.npz"))
    assert back.spec == spec
    np.testing.assert_array_equal(back.rmsd_lstm, a.rmsd_lstm)
    assert back.row()["ratio"] == a.row()["ratio"]


# ----------------------------------------------------------------------- notebook smoke run
def _write_user_files(tmp, n_res=6):
    """Tiny 'user' trajectories (DCD + PDB): two jiggling copies and one pulled chain, nm."""
    import mdtraj as md

    top = md.Topology()
    chain = top.add_chain()
    for i in range(n_res):
        res = top.add_residue("ALA", chain, resSeq=i + 1)
        for name, sym in [("N", "N"), ("CA", "C"), ("C", "C")]:
            top.add_atom(name, md.element.get_by_symbol(sym), res)
    n = top.n_atoms
    paths = {}
    for stem, x in (
        ("adk0", drifting(500, n, seed=1) * 0.1 + np.arange(n)[None, :, None] * 0.1),
        ("adk1", drifting(500, n, seed=2) * 0.1 + np.arange(n)[None, :, None] * 0.1),
        ("smd", drifting(700, n, seed=3)),
    ):
        traj = md.Trajectory(x.astype(np.float32), top)
        traj[0].save_pdb(str(tmp / f"{stem}.pdb"))
        traj.save_dcd(str(tmp / f"{stem}.dcd"))
        paths[stem] = (str(tmp / f"{stem}.dcd"), str(tmp / f"{stem}.pdb"))
    return paths


@pytest.mark.slow
def test_notebook_runs_end_to_end_on_user_files(tmp_path):
    import json
    from pathlib import Path

    pm = pytest.importorskip("papermill")
    repo = Path(__file__).resolve().parents[3]
    f = _write_user_files(tmp_path)
    out = tmp_path / "executed"
    pm.execute_notebook(
        str(repo / "notebooks" / "ch02_lstm_forecasting.ipynb"),
        str(tmp_path / "ch02.ipynb"),
        parameters={
            "PROFILE": "ci",
            "DEVICE": "cpu",
            "OUTPUT_DIR": str(out),
            "SEEDS": [0],
            "EPOCHS": 1,
            "ADK_TRAJECTORY": [f["adk0"][0], f["adk1"][0]],
            "ADK_TOPOLOGY": f["adk0"][1],
            "ADK_FRAME_FS": 10.0,
            "SMD_TRAJECTORY": f["smd"][0],
            "SMD_TOPOLOGY": f["smd"][1],
            "SMD_FRAME_FS": 10.0,
        },
        kernel_name="python3",
        cwd=str(repo / "notebooks"),
        progress_bar=False,
    )
    claims = json.loads((out / "claims" / "ch02.json").read_text())
    assert claims["chapter"] == "ch02" and len(claims["claims"]) == 12 + 4 + 7
    figs = {p.stem for p in (out / "figures").glob("*.png")}
    assert {
        "ch02_fig6ab",
        "ch02_fig6cd",
        "ch02_fig7",
        "ch02_fig8ab",
        "ch02_fig8cd",
        "ch02_lead_sweep",
        "ch02_kirchhoff_vs_whole",
        "ch02_diagnosis",
    } <= figs


def test_angstrom_inputs_are_the_raw_coordinates_in_angstrom():
    from mdrepro.models.windows import build_splits

    rng = np.random.default_rng(3)
    x = 2.0 + np.cumsum(rng.normal(scale=0.01, size=(80, 4, 3)), axis=0)
    std = build_splits([x], 3, 2, fractions=(0.6, 0.2, 0.2))
    raw = study.angstrom_inputs(std)
    np.testing.assert_allclose(raw["train"].frames.numpy(), 10.0 * x, rtol=1e-6)  # nm -> Å
    assert abs(float(std["train"].frames.mean())) < 0.5  # standardised: centred
    for k in ("train", "test"):
        np.testing.assert_allclose(raw[k].truth_nm(), std[k].truth_nm())  # same windows
        _, y = raw[k].batch(raw[k].all_indices())
        np.testing.assert_allclose(raw[k].to_frames_nm(y), raw[k].truth_nm(), atol=1e-6)
    disp = build_splits([x], 3, 2, fractions=(0.6, 0.2, 0.2), target="displacement")
    with pytest.raises(ValueError, match="position targets"):
        study.angstrom_inputs(disp)
    st = study.ForecastStudy({"adk": [x]}, fractions=(0.6, 0.2, 0.2))
    with pytest.raises(ValueError, match="expected inputs"):
        st.splits(study.RunSpec("adk", 3, 2, 0.01, inputs="raw"))


def test_each_claim_is_gated_by_the_fits_it_reads():
    from mdrepro.book import fits

    good = TrainResult.from_epochs(np.linspace(1, 0.1, 5) + 0.1, np.linspace(1, 0.1, 5))
    flat = TrainResult.from_epochs(np.r_[1.0, 1.2, 1.1], np.r_[1.0, 1.2, 1.1])

    def rep(unit, tr, ratio):
        return fits.assess(tr, unit, "lstm", 5, protocol=True, baseline_ratio=ratio)

    reports = [
        rep("adk-h5-l1-lr0.01-kirchhoff-displacement-s0", good, 1.001),  # trained, not better
        rep("smd-h5-l1-lr0.01-kirchhoff-displacement-s0", good, 0.9),
        rep("smd-h5-l15-lr0.01-kirchhoff-position-s0", good, 1.5),
        rep("adk-h5-l15-lr0.01-kirchhoff-position-s0", flat, 0.9),  # never learned
    ]
    g = claims.claim_gates(reports, "ci")
    # the ADK displacement fit gates the ADK claim, not the SMD ones
    assert not g("ch02.adk.never-beats-static.displacement")[0].passed
    assert g("ch02.smd.lstm-better-lead-15.displacement")[0].passed
    # position forecasts against the static model need adequate fits
    assert not g("ch02.smd.lstm-better-lead-15")[0].passed
    assert "PROFILE=paper" in g("ch02.smd.gain-grows")[0].decide_at
    # claims on the training loss need fits that trained: SMD yes, ADK no, Table 1 both
    assert g("ch02.smd.history-lowers-loss")[0].passed
    assert not g("ch02.adk.history-lowers-loss")[0].passed
    assert not g("ch02.table1-history")[0].passed
    # the learning-rate claims measure the fits themselves
    assert g("ch02.smd.lr-high-unstable") == [] and g("ch02.table1-lr") == []


def test_atom_inputs_standardise_each_particle_with_its_training_frames():
    from mdrepro.models.windows import build_splits

    rng = np.random.default_rng(4)
    # particles far apart (40 Å) that each move 0.1 Å per frame: pooled standardisation leaves
    # the motion tiny against the range; per particle it is of order one
    x = np.arange(4)[None, :, None] * 4.0 + np.cumsum(rng.normal(0, 0.01, (80, 4, 3)), axis=0)
    fr = (0.5, 0.25, 0.25)
    std = build_splits([x], 3, 2, fractions=fr)
    atom = study.atom_inputs(std, [x], fr)
    tr = x[:40]
    z = atom["train"].frames.numpy()
    np.testing.assert_allclose(z[:40].mean(axis=0), 0.0, atol=1e-5)  # training frames only
    np.testing.assert_allclose(z[:40].std(axis=0), 1.0, atol=1e-4)
    np.testing.assert_allclose(atom["train"].scaler.mean, tr.mean(axis=0))
    assert np.abs(z[40:].mean(axis=0)).max() > 1e-3  # the test frames are not used
    for k in ("train", "test"):  # same windows, same truths; outputs map back to nm
        np.testing.assert_allclose(atom[k].truth_nm(), std[k].truth_nm())
        _, y = atom[k].batch(atom[k].all_indices())
        np.testing.assert_allclose(atom[k].to_frames_nm(y), atom[k].truth_nm(), atol=1e-5)
    cen = study.atom_inputs(std, [x], fr, scale="pooled")
    np.testing.assert_allclose(
        cen["train"].scaler.std, np.broadcast_to(std["train"].scaler.std, (4, 3))
    )
    np.testing.assert_allclose(cen["train"].frames.numpy()[:40].mean(axis=0), 0.0, atol=1e-5)
    with pytest.raises(ValueError, match="expected scale"):
        study.atom_inputs(std, [x], fr, scale="box")
    disp = build_splits([x], 3, 2, fractions=fr, target="displacement")
    d = study.atom_inputs(disp, [x], fr)
    _, y = d["train"].batch(d["train"].all_indices())
    assert float(y.std()) == pytest.approx(1.0, rel=0.05)  # rescaled in the new units
    np.testing.assert_allclose(
        d["test"].to_frames_nm(d["test"].batch(d["test"].all_indices())[1]),
        d["test"].truth_nm(),
        atol=1e-5,
    )
    # a study run on atom inputs trains and scores
    st = study.ForecastStudy({"adk": [x]}, epochs=1, batch_windows=8, fractions=fr, hidden=4)
    r = st.run(study.RunSpec("adk", 3, 2, 0.01, inputs="atom"))
    assert r.spec.id == "adk-h3-l2-lr0.01-kirchhoff-atom-position-s0"
    assert np.isfinite(r.ratio) and np.isfinite(r.ratio_fit)


def test_precision_and_init_variants_change_only_what_they_name():
    import torch

    from mdrepro.models.forecast import LSTMForecaster

    torch.manual_seed(0)
    m = LSTMForecaster(3, 8)
    before = m.lstm.bias_ih_l0.detach().clone()
    study.authors_init(m)
    diff = (m.lstm.bias_ih_l0.detach() - before).numpy()
    np.testing.assert_allclose(diff[8:16], 1.0, rtol=1e-6)  # forget gate
    np.testing.assert_allclose(np.delete(diff, np.s_[8:16]), 0.0)
    assert float(m.head.weight.detach().std()) > 0.5  # N(0, 1), not torch's U(+-1/sqrt(8))
    x = drifting(T=120)
    kw = dict(epochs=1, batch_windows=16, fractions=(0.5, 0.25, 0.25), hidden=4)
    spec = study.RunSpec("adk", 3, 2, 0.01)
    f32 = study.ForecastStudy({"adk": [x]}, **kw)
    f64 = study.ForecastStudy({"adk": [x]}, **kw, precision="float64")
    assert (
        "precision" not in f32.run_params(spec) and f64.run_params(spec)["precision"] == "float64"
    )
    assert study.ForecastStudy({}, **kw, init="authors").run_params(spec)["init"] == "authors"
    a, b = f32.run(spec), f64.run(spec)
    assert np.isfinite(b.ratio) and abs(a.ratio - b.ratio) < 0.05 * a.ratio
    with pytest.raises(ValueError, match="precision"):
        study.ForecastStudy({"adk": [x]}, **kw, precision="float16").run(spec)
    with pytest.raises(ValueError, match="init"):
        study.ForecastStudy({"adk": [x]}, **kw, init="xavier").run(spec)


def test_diagnosis_runs_each_hypothesis_once_and_reuses_the_chapters_runs():
    p = tiny_params(seeds=[0, 1])
    specs = study.diagnosis_specs(p)
    own = {s for v in study.plan(p).values() for s in v}
    keys = {h.key for h, _ in specs}
    # atom and angstrom at the reference settings are runs of the chapter's own studies
    assert keys == {"pooled", "float64", "steps-x10", "authors-init", "centred"}
    assert len(specs) == 5 * 2 * 2 and not any(s in own for h, s in specs if h.key == "centred")
    assert {h.key for h in study.HYPOTHESES} >= keys | {"atom", "angstrom"}
    rows = [
        {
            "hypothesis": h,
            "question": "q",
            "dataset": d,
            "seed": s,
            "ratio_fit": rf,
            "ratio": 2 * rf,
            "final_train_loss": 1.0,
            "steps": 10,
            "train_time_s": 1.0,
        }
        for h, rfs in (("pooled", (1.3, 1.4)), ("atom", (0.9, 1.1)))
        for d in ("adk", "smd")
        for s, rf in enumerate(rfs)
    ]
    dg = study.Diagnosis(rows)
    t = dg.table()
    assert list(t.index.get_level_values("hypothesis")[:2]) == ["pooled", "atom"]  # registry order
    assert t.loc[("adk", "atom"), "seeds < 1 in-sample"] == "1/2"
    assert t.loc[("smd", "pooled"), "LSTM/static in-sample"] == pytest.approx(1.35)
    np.testing.assert_allclose(dg.ratio("adk", "atom"), [0.9, 1.1])
    np.testing.assert_allclose(dg.ratio("adk", "atom", "ratio"), [1.8, 2.2])


def test_claims_are_gated_only_by_the_runs_they_read():
    from mdrepro.book import fits

    good = TrainResult.from_epochs(np.linspace(1, 0.1, 5) + 0.1, np.linspace(1, 0.1, 5))
    p = resolve("ch02", "ci")

    def rep(unit, ratio):
        return fits.assess(good, unit, "lstm", 5, protocol=True, baseline_ratio=ratio)

    reports = [
        rep("adk-h5-l1-lr0.01-kirchhoff-atom-position-s0", 1.02),  # lead 1: not adequate
        rep("adk-h5-l15-lr0.01-kirchhoff-atom-position-s0", 0.96),
        rep("adk-h5-l15-lr0.01-whole-atom-position-s0", 0.6),
        rep("adk-h1-l15-lr0.01-kirchhoff-atom-position-s0", 0.97),
        rep("adk-h10-l120-lr0.01-kirchhoff-atom-position-s0", 0.8),
    ]
    g = claims.claim_gates(reports, "ci", p)
    assert not g("ch02.adk.never-beats-static")[0].passed  # reads lead 1
    assert g("ch02.adk.whole-worse-than-static")[0].passed  # reads the whole run only
    assert g("ch02.adk.kirchhoff-beats-whole")[0].passed
    assert g("ch02.adk.history-improves-test")[0].passed
    assert "it reads" in g("ch02.adk.history-improves-test")[0].name
    # without the chapter's parameters: every fit of the data set and target, as before
    assert not claims.claim_gates(reports, "ci")("ch02.adk.whole-worse-than-static")[0].passed


def test_whole_structure_claims_get_an_in_sample_control_that_can_land_either_way():
    df = frame(**PAPER_LIKE)
    df["ratio_fit"] = 0.95
    whole = df.layout == "whole"
    df.loc[whole, "ratio"] = 3.0
    df.loc[whole, "ratio_fit"] = 0.6  # memorised its training windows
    cs = claims.forecast_from_frame(df, tiny_params(), "ci")
    ctl = {c.id: c for c in cs.controls}
    for d in ("adk", "smd"):
        w, k = ctl[f"ch02.{d}.whole-worse-than-static"], ctl[f"ch02.{d}.kirchhoff-beats-whole"]
        assert w.ok and w.verdict == "not reproduced" and "in-sample" in w.what
        assert k.ok and k.value == pytest.approx(0.95 / 0.6, rel=0.05)
    v = cs.verdicts()
    assert v["ch02.adk.whole-worse-than-static"] == "reproduced"  # settled with its control
    # a whole-structure network that loses in-sample too: the control does not land
    df.loc[whole, "ratio_fit"] = 2.0
    cs = claims.forecast_from_frame(df, tiny_params(), "ci")
    assert not any(c.ok for c in cs.controls if "whole" in c.id)
    assert cs.verdicts()["ch02.adk.whole-worse-than-static"] == "undecided"


def test_diagnosis_summary_states_each_hypothesis_against_the_reference():
    rows = [
        {
            "hypothesis": h,
            "question": "q",
            "dataset": "adk",
            "seed": s,
            "ratio_fit": rf,
            "ratio": rf,
            "final_train_loss": 1.0,
            "steps": 10,
            "train_time_s": 1.0,
        }
        for h, rf in (("pooled", 1.4), ("centred", 0.7))
        for s in range(3)
    ]
    text = claims.diagnosis_summary(study.Diagnosis(rows))
    assert "**ADK**" in text and "`pooled` 1.4" in text
    assert "`centred` 0.7 (0.50x the reference), 3/3 seeds below 1" in text


def test_in_sample_controls_run_only_for_claims_whose_fits_pass_their_gates():
    from mdrepro.book.verdicts import Gate

    df = frame(**PAPER_LIKE)
    df["ratio_fit"] = 0.95
    df.loc[df.layout == "whole", "ratio_fit"] = 0.6

    def gates_for(cid):
        return [Gate("fits", 1.0 if ".adk." in cid else 0.0, 1.0, "adequate fits")]

    cs = claims.forecast_from_frame(df, tiny_params(), "ci", gates_for=gates_for)
    assert {c.id for c in cs.controls if "whole" in c.id} == {
        "ch02.adk.whole-worse-than-static",
        "ch02.adk.kirchhoff-beats-whole",
    }
