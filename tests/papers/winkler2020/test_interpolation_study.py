"""winkler2020 (chapter 5): segments, the Hermite reference, claims, a notebook smoke run."""

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from mdrepro import analysis
from mdrepro.data.phasespace import PhaseSpaceSet
from mdrepro.errors import DataError
from mdrepro.papers.winkler2020 import claims, study

REPO = Path(__file__).resolve().parents[3]


def _oscillating_mda(T=240, amp=0.03, seed=0):
    """Keto-MDA geometry with atoms oscillating harmonically (positions Å, velocities Å/fs)."""
    from mdrepro.simulate.xtb import keto_malondialdehyde

    _, pos = keto_malondialdehyde()
    rng = np.random.default_rng(seed)
    w = rng.uniform(0.1, 0.4, size=(1, 9, 3))  # rad/fs
    ph = rng.uniform(0, 2 * np.pi, size=(1, 9, 3))
    t = np.arange(T)[:, None, None] * 0.5
    R = pos[None] + amp * np.sin(w * t + ph)
    V = amp * w * np.cos(w * t + ph)
    return R, V


def test_prepare_segments_tile_the_test_part_and_round_trip_units():
    R, V = _oscillating_mda()
    ps = PhaseSpaceSet("x", R * 0.1, V * 100, np.array([6, 6, 6, 8, 8, 1, 1, 1, 1]), 0.5)
    seg = study.prepare(ps, 20, 0.5, 5)
    assert seg.train.shape[1:] == (21, 54) and seg.test.shape[1:] == (21, 54)
    q, v = seg.test_truth()
    assert q.shape == (len(seg.test) * 20 + 1, 9, 3)
    # centre of mass removed, otherwise the positions are the input's
    ref = seg.set.positions[seg.test_start : seg.test_start + len(q)]
    np.testing.assert_allclose(q, ref, atol=1e-6)


def test_validation_split_is_disjoint_from_training_and_hermite_reference_is_pinned():
    R, V = _oscillating_mda()
    ps = PhaseSpaceSet("x", R * 0.1, V * 100, np.array([6, 6, 6, 8, 8, 1, 1, 1, 1]), 0.5)
    seg = study.prepare(ps, 20, 0.6, 5, val_fraction=0.2)
    n_train = int(240 * 0.6)
    n_fit = n_train - int(n_train * 0.2)
    assert len(seg.val) == (n_train - n_fit - 1) // 20 and seg.val.shape[1:] == (21, 54)
    # the last training segment ends before the first validation frame
    assert (len(seg.train) - 1) * 5 + 20 < n_fit
    assert seg.info["n_val_segments"] == len(seg.val)
    assert len(study.prepare(ps, 20, 0.6, 5).val) == 0
    with pytest.raises(DataError):
        study.prepare(ps, 20, 0.6, 5, val_fraction=0.05)  # 7 frames hold no segment
    # Hermite reference: exact end conditions, small error on smooth oscillations
    h = study.hermite_segments(seg)
    assert h.shape == seg.test.shape
    assert study.end_condition_error(seg, h) <= study.END_TOL
    prof = study.error_profile(seg, h)
    assert prof[0] == prof[-1] == 0 and 0 < study.mean_interior_error(prof) < 0.1


def test_untrained_control_is_scored_like_a_fit_and_fails_the_ranking():
    R, V = _oscillating_mda()
    ps = PhaseSpaceSet("x", R * 0.1, V * 100, np.array([6, 6, 6, 8, 8, 1, 1, 1, 1]), 0.5)
    seg = study.prepare(ps, 20, 0.5, 5)
    c = [study.score_untrained("LSTM", seg, {"hidden": 8}, s, "300K") for s in (0, 1, 2)]
    assert all(np.isfinite(x["bi"]) and x["bi"] > 0 for x in c)
    assert c[0] == study.score_untrained("LSTM", seg, {"hidden": 8}, 0, "300K")  # seeded
    big = [dict(x, bi=10.0 + x["seed"]) for x in c]
    cs = claims.interpolation(_results(), "ci", controls=big)
    assert [k.ok for k in cs.controls] == [True] and cs.controls[0].id == "ch05.lstm-best"


def test_dihedral_and_vdos_against_independent_values():
    p = np.array([[[1, 0, 0], [0, 0, 0], [0, 1, 0], [0, 1, 1]]], float)
    assert study.dihedral(p, (0, 1, 2, 3))[0] == pytest.approx(-90.0)
    t = np.arange(4096) * 0.5  # fs
    v = np.cos(2 * np.pi * 0.1 * t)[:, None, None] * np.ones((1, 1, 3))  # 0.1 / fs = 3335.6 cm-1
    wn, s = analysis.vdos(v, np.ones(1), 0.5)
    assert wn[np.argmax(s)] == pytest.approx(3335.6, abs=10)


def _results(bi_better=True, lstm_best=True, grows=True, seeds=(0, 1, 2)):
    err = {}
    for s in seeds:
        j = 1 + 0.01 * s  # a little seed-to-seed spread
        for k, m in enumerate(["ODE", "Hamiltonian", "RNN", "LSTM"]):
            base = (0.1 * (k + 1) if not lstm_best else 0.1 * (4 - k)) * j
            err[(m, "uni", s)] = base * 2
            err[(m, "bi", s)] = base if bi_better else base * 3
    t = {
        (T, s): (T if grows else 600 - T) / 1000 * (1 + 0.01 * s)
        for T in (100.0, 300.0, 500.0)
        for s in seeds
    }

    def get(key, model, seed):
        return SimpleNamespace(error={mode: err[(model, mode, seed)] for mode in ("uni", "bi")})

    return SimpleNamespace(
        errors=lambda: err,
        temperature_errors=lambda: t,
        get=get,
        seeds=list(seeds),
        params={
            "temperature_model": "LSTM",
            "benzene_model": "LSTM",
            "models": ["ODE", "Hamiltonian", "RNN", "LSTM"],
        },
        hermite={"300K": np.array([0.0, 1.0, 1.0, 0.0])},
        end_error=0.0,
        fe_rmse=[0.2 + 0.01 * s for s in seeds],
    )


def test_claims_follow_the_data():
    ok = claims.interpolation(_results(), "ci").verdicts(settled=False)
    assert ok == {
        "ch05.bi-beats-uni": "reproduced",
        "ch05.bi-beats-uni.all-models": "reproduced",
        "ch05.lstm-best": "reproduced",
        "ch05.networks-beat-hermite": "reproduced",
        "ch05.free-energy-300K": "reproduced",
        "ch05.error-grows-with-T": "reproduced",
    }
    bad = claims.interpolation(_results(False, False, False), "ci").verdicts(settled=False)
    for cid in ("ch05.bi-beats-uni", "ch05.lstm-best", "ch05.error-grows-with-T"):
        assert bad[cid] == "not reproduced"
    two = claims.interpolation(_results(seeds=(0, 1)), "ci")
    assert {c.verdict for c in two.claims} == {"undecided"}
    assert "n=2: " in two.claims[0].spread


def test_forward_only_ablation_follows_the_errors():
    # uni error of the LSTM in _results(): 0.2 x (1 + 0.01 s); forward-only fits worse or better
    worse = [SimpleNamespace(seed=s, error={"uni": 0.4 * (1 + 0.01 * s)}) for s in (0, 1, 2)]
    better = [SimpleNamespace(seed=s, error={"uni": 0.1 * (1 + 0.02 * s)}) for s in (0, 1, 2)]
    v = claims.interpolation(_results(), "ci", ablation=worse).verdicts(settled=False)
    assert v["ch05.bi-training-helps"] == "reproduced"
    v = claims.interpolation(_results(), "ci", ablation=better).verdicts(settled=False)
    assert v["ch05.bi-training-helps"] == "not reproduced"
    assert "ch05.bi-training-helps" not in claims.interpolation(_results(), "ci").verdicts(
        settled=False
    )


def test_forward_only_fit_trains_on_forward_rollouts_only():
    R, V = _oscillating_mda()
    ps = PhaseSpaceSet("x", R * 0.1, V * 100, np.array([6, 6, 6, 8, 8, 1, 1, 1, 1]), 0.5)
    seg = study.prepare(ps, 20, 0.5, 5)
    p = {"hidden": 8, "epochs": 2, "lr": 1e-3, "batch_size": 8}
    fwd = study.fit_and_score("LSTM", seg, p, 0, key="benzene", backward=False)
    both = study.fit_and_score("LSTM", seg, p, 0, key="benzene")
    assert fwd.train.epochs == both.train.epochs == 2
    # same seed and data, different objective: different weights, so different errors
    assert fwd.error["uni"] != both.error["uni"]


@pytest.mark.slow
def test_ch05_notebook_runs_end_to_end_on_user_files(tmp_path):
    pm = pytest.importorskip("papermill")
    z = np.array([6, 6, 6, 8, 8, 1, 1, 1, 1])
    pos, vel = {}, {}
    for k, (label, amp) in enumerate([("100K", 0.01), ("300K", 0.02), ("500K", 0.03)]):
        R, V = _oscillating_mda(amp=amp, seed=k)
        pos[label], vel[label] = str(tmp_path / f"p{label}.npz"), str(tmp_path / f"v{label}.npz")
        np.savez(pos[label], R=R, z=z)
        np.savez(vel[label], V=V)
    ring = np.r_[np.c_[np.cos(np.arange(6) * np.pi / 3), np.sin(np.arange(6) * np.pi / 3)]]
    base = np.c_[np.r_[1.39 * ring, 2.48 * ring], np.zeros(12)]
    t = np.arange(240)[:, None, None] * 0.5
    Rb = base[None] + 0.02 * np.sin(0.3 * t + np.arange(36).reshape(1, 12, 3))
    md17 = tmp_path / "benzene.npz"
    np.savez(md17, R=Rb, z=np.r_[[6] * 6, [1] * 6], E=np.zeros(240), F=np.zeros_like(Rb))
    out = tmp_path / "executed"
    pm.execute_notebook(
        str(REPO / "notebooks" / "ch05_interpolation.ipynb"),
        str(tmp_path / "ch05.ipynb"),
        parameters={
            "PROFILE": "ci",
            "DEVICE": "cpu",
            "OUTPUT_DIR": str(out),
            "SEEDS": [0],
            "EPOCHS": 1,
            "HIDDEN": 8,
            "MDA_POSITIONS": pos,
            "MDA_VELOCITIES": vel,
            "BENZENE_MD17": str(md17),
            "USER_FRAME_FS": 0.5,
        },
        kernel_name="python3",
        cwd=str(REPO / "notebooks"),
        progress_bar=False,
    )
    doc = json.loads((out / "claims" / "ch05.json").read_text())
    assert doc["chapter"] == "ch05" and len(doc["claims"]) == 11
    figs = {p.stem for p in (out / "figures").glob("*.png")}
    assert {
        "ch05_benzene_uni_bi",
        "ch05_mda_temperatures",
        "ch05_free_energy_300K",
        "ch05_error_vs_time",
    } <= figs


def test_js_divergence_and_high_frequency_share_against_hand_values():
    edges = np.linspace(0, 2, 3)
    assert study.js_divergence([0.5] * 10, [0.5] * 10, edges) == pytest.approx(0.0)
    assert study.js_divergence([0.5] * 10, [1.5] * 10, edges) == pytest.approx(np.log(2))
    wn = np.array([1000.0, 1500.0, 2500.0, 3000.0])
    assert study.high_frequency_share(wn, np.array([1, 1, 1, 1.0])) == pytest.approx(0.5)


def test_distribution_claims_follow_the_scores():
    res = _results()
    res.distributions = {
        "300K": {
            "js": {0: 0.01, 1: 0.011, 2: 0.012},
            "js_floor": 0.01,
            "hf": {0: 0.2, 1: 0.21, 2: 0.2},
            "hf_md": 0.2,
        },
    }
    v = claims.interpolation(res, "ci").verdicts(settled=False)
    assert v["ch05.distributions-match.300K"] == "reproduced"
    assert v["ch05.high-frequency-kept"] == "reproduced"
    res.distributions["300K"]["js"] = {0: 0.5, 1: 0.55, 2: 0.6}
    res.distributions["300K"]["hf"] = {0: 0.02, 1: 0.021, 2: 0.02}
    v = claims.interpolation(res, "ci").verdicts(settled=False)
    assert v["ch05.distributions-match.300K"] == "not reproduced"
    assert v["ch05.high-frequency-kept"] == "not reproduced"


def test_nve_claim_follows_the_run_summaries():
    ok = {
        k: {"energy_drift_eV": 0.001, "energy_fluctuation_eV": 0.01, "timestep_fs": 0.2}
        for k in ("100K", "300K", "500K")
    }
    bad = {k: dict(v, energy_drift_eV=0.1) for k, v in ok.items()}
    v = claims.interpolation(_results(), "ci", summaries=ok).verdicts(settled=False)
    assert v["ch05.nve-energy-conserved"] == "reproduced"
    v = claims.interpolation(_results(), "ci", summaries=bad).verdicts(settled=False)
    assert v["ch05.nve-energy-conserved"] == "not reproduced"
