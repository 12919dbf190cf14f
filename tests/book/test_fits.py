"""mdrepro.book.fits: the one adequacy check of every fit, its gate and its table."""

import math

import numpy as np
import pytest

from mdrepro.book import fits
from mdrepro.book.claims import ClaimSet
from mdrepro.book.verdicts import NOT_REPRODUCED, REPRODUCED, UNDECIDED, Check, register
from mdrepro.training import TrainResult


def _tr(val, **kw):
    val = np.asarray(val, float)
    return TrainResult.from_epochs(val + 0.1, val, **kw)


def _decaying(n, rate):
    return np.exp(-rate * np.arange(n))


def test_a_fit_still_improving_at_its_cap_is_not_adequate():
    r = fits.assess(_tr(_decaying(40, 0.05)), "u", "mdn", cap=40)
    assert r.stop == "cap" and not r.adequate and "still improving" in r.why
    assert r.recent_abs > r.noise


def _plateau(n, seed=0):
    """A loss that decays, then fluctuates about a floor (noise 0.01)."""
    rng = np.random.default_rng(seed)
    return 1.0 + np.exp(-0.5 * np.arange(n)) + 0.01 * rng.standard_normal(n)


def test_a_plateaued_fit_at_its_cap_is_adequate():
    y = _plateau(60)
    best = int(np.argmin(y)) + 1
    assert best < 60
    r = fits.assess(_tr(y, best_epoch=best), "u", "mdn", cap=60)
    assert r.stop == "cap" and r.recent_abs <= r.noise and r.adequate and r.why == ""
    assert 0.005 < r.noise < 0.02  # the measured noise is the loss's own


def test_a_fit_whose_best_epoch_is_its_cap_is_not_converged():
    y = _plateau(60)
    y[-1] = y.min() - 0.001  # the last epoch is (barely) the best
    r = fits.assess(_tr(y, best_epoch=60), "u", "mdn", cap=60)
    assert not r.adequate and "best epoch is its cap" in r.why


def test_early_stopping_is_read_from_the_kept_epoch_and_the_cap():
    y = np.r_[_decaying(12, 0.5), np.full(8, 0.01)]
    r = fits.assess(_tr(y, best_epoch=12), "u", "srv", cap=40)
    assert r.stop == "early stopping" and r.adequate
    # the same history at its cap is judged on its plateau instead
    assert fits.assess(_tr(y, best_epoch=12), cap=20).stop == "cap"


def test_protocol_fits_skip_the_convergence_check_but_not_the_others():
    tr = _tr(_decaying(8, 0.05))
    assert not fits.assess(tr, cap=8).adequate
    assert fits.assess(tr, cap=8, protocol=True).adequate
    flat = fits.assess(_tr(np.r_[1.0, 1.2, 1.1]), protocol=True)
    assert not flat.adequate and "never fell" in flat.why
    worse = fits.assess(tr, protocol=True, baseline_ratio=1.2)
    assert not worse.adequate and "baseline" in worse.why


def test_a_learned_gate_asks_only_that_the_fit_trained():
    worse = fits.assess(_tr(_decaying(8, 0.05)), "u", protocol=True, baseline_ratio=1.2)
    flat = fits.assess(_tr(np.r_[1.0, 1.2, 1.1]), "v", protocol=True)
    assert worse.learned and not worse.adequate and not flat.learned
    assert fits.gate([worse], check="learned").passed
    assert not fits.gate([worse]).passed
    assert not fits.gate([worse, flat], check="learned").passed
    with pytest.raises(ValueError, match="check"):
        fits.gate([worse], check="converged")


def test_diverged_and_short_fits_fail():
    tr = _tr([1.0, 0.5, np.nan], diverged=True, diverged_epoch=3)
    r = fits.assess(tr)
    assert r.stop == "diverged" and not r.adequate and "diverged" in r.why
    short = fits.assess(_tr([1.0, 0.5, 0.4]), cap=3)
    assert not short.adequate and "too few" in short.why


def test_a_cwgan_is_judged_on_its_training_loss():
    tr = TrainResult.from_epochs(_plateau(60), -np.linspace(0, 9, 60))
    r = fits.assess(tr, monitor="train", cap=60)
    assert r.monitor == "train" and r.adequate


CHK = register(
    Check(
        id="ch09.test-fit-gated",
        document="winkler2020",
        where="Fig. 1",
        statement="s",
        paper="p",
        tol_lo=-math.inf,
        tol_hi=1.0,
        unit="kT",
        criterion="< 1 kT",
        fixtures={REPRODUCED: [0.5] * 3, NOT_REPRODUCED: [2.0] * 3, UNDECIDED: [0.5, 1.5, 1]},
        beyond_paper=True,
    )
)


def test_a_failed_fit_makes_the_chapters_claims_undecided():
    good = fits.assess(_tr(_plateau(60)), "a", "x", cap=60)
    bad = fits.assess(_tr(_decaying(40, 0.05)), "b", "x", cap=40)
    g = fits.gate([good, bad], "test fits")
    assert g.value == pytest.approx(0.5) and not g.passed and "b x: still improving" in g.decide_at
    cs = ClaimSet("ch09", "ci")
    cs.require(g)
    c = cs.check(CHK.id, [0.5, 0.5, 0.5], "m")
    assert c.verdict == UNDECIDED and "test fits" in c.gate
    ok = ClaimSet("ch09", "ci")
    ok.require(fits.gate([good]))
    assert ok.check(CHK.id, [0.5, 0.5, 0.5], "m").verdict == REPRODUCED


def test_table_and_html_say_what_failed():
    reps = [
        fits.assess(_tr(_plateau(60)), "a", "mdn", cap=60),
        fits.assess(_tr(_decaying(40, 0.05)), "b", "gan", cap=40),
    ]
    df = fits.table(reps)
    assert list(df["epochs"]) == [60, 40] and df["adequate"][0] == "yes"
    assert df["adequate"][1].startswith("NO: still improving")
    assert "1 not" in fits.html(reps)


def test_gates_by_claim_reach_only_the_claims_they_name():
    bad = fits.gate([fits.assess(_tr([1.0, 0.5]), "b", "x", protocol=True, baseline_ratio=2.0)])
    cs = ClaimSet("ch09", "ci")
    cs.require_by_claim(lambda cid: [bad] if cid == CHK.id else [])
    assert cs.check(CHK.id, [0.5, 0.5, 0.5], "m").verdict == UNDECIDED


def test_a_fit_without_best_epoch_selection_is_judged_on_its_plateau_only():
    """A cWGAN keeps its last weights: its 'best epoch' is always the last one."""
    y = _plateau(60)
    tr = TrainResult.from_epochs(y, -np.linspace(0, 9, 60), best_epoch=60)
    r = fits.assess(tr, monitor="train", cap=60)
    assert r.adequate and "best epoch" not in r.why
