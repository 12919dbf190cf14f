"""The book's one verdict rule, and every registered check on its three fixtures."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mdrepro.book import verdicts
from mdrepro.book.verdicts import (
    NOT_REPRODUCED,
    REPRODUCED,
    UNDECIDED,
    VERDICTS,
    Gate,
    all_checks,
    decide,
    samples_to_decide,
)

CHECKS = all_checks()


def test_rule_reproduced_not_reproduced_undecided():
    assert decide([1.0, 1.1, 0.9], 0.5, 1.5).verdict == REPRODUCED
    assert decide([3.0, 3.1, 2.9], 0.5, 1.5).verdict == NOT_REPRODUCED
    d = decide([1.0, 1.6, 1.3], 0.5, 1.5)
    assert d.verdict == UNDECIDED and "about" in d.decide_at


def test_bounds_are_strict_unless_the_tolerance_is_one_value():
    assert decide([0.0, 0.0, 0.0], 0.0, math.inf).verdict == UNDECIDED  # no difference at all
    assert decide([3, 3, 3], 3.0, 3.0).verdict == REPRODUCED  # an exact count


def test_interval_is_the_student_t_interval_of_the_mean():
    x = [1.0, 2.0, 3.0]
    d = decide(x, -math.inf, math.inf)
    half = 4.302652729911275 * np.std(x, ddof=1) / math.sqrt(3)  # t(0.975, 2 dof)
    assert d.lo == pytest.approx(2 - half) and d.hi == pytest.approx(2 + half)


def test_fewer_than_three_samples_are_undecided_and_say_so():
    d = decide([1.0, 1.0], 0.5, 1.5, unit="replicas")
    assert d.verdict == UNDECIDED and "2 replicas < 3" in d.gate and d.decide_at == "3 replicas"
    assert decide([float("nan"), 1.0, 1.0], 0.5, 1.5).n == 2  # a diverged run is no sample


def test_a_failed_gate_makes_any_claim_undecided():
    g = Gate("decorrelated samples", 12.0, 100.0, "runs 9x longer")
    d = decide([1.0, 1.0, 1.0], 0.5, 1.5, gates=[g])
    assert d.verdict == UNDECIDED and "12 < 100" in d.gate and d.decide_at == "runs 9x longer"
    assert not Gate("x", float("nan"), 1.0).passed


def test_samples_to_decide_grows_with_the_spread():
    few = samples_to_decide([1.2, 1.6, 1.4], 0.0, 1.0)
    many = samples_to_decide([0.9, 1.9, 1.4], 0.0, 1.0)
    assert few is not None and many is not None and many > few >= 3


def test_bad_tolerance_is_one_clear_error():
    with pytest.raises(ValueError, match="expected tol_lo <= tol_hi"):
        decide([1, 2, 3], 2.0, 1.0)


def test_every_paper_registers_checks():
    docs = {c.document for c in CHECKS.values()}
    assert docs == {"gupta2020", "cava", "sidky2020", "winkler2020"}


@pytest.mark.parametrize("check_id", sorted(CHECKS))
def test_every_check_can_give_each_verdict(check_id):
    """A check that cannot fail (or cannot pass, or cannot be undecided) is a defect."""
    chk = CHECKS[check_id]
    assert set(chk.fixtures) == set(VERDICTS), f"{check_id}: fixtures for {set(chk.fixtures)}"
    for verdict, obs in chk.fixtures.items():
        assert chk.evaluate(obs).verdict == verdict, (check_id, verdict, chk.samples(obs))


def test_a_control_records_whether_the_check_failed():
    from mdrepro.book.claims import ClaimSet

    cs = ClaimSet("ch04", "ci")
    bad = cs.control("ch04.fes-rmse", [2.0, 2.2, 2.1], "shuffled frames")
    weak = cs.control("ch04.fes-rmse", [0.5, 0.6, 0.55], "a control that did not break anything")
    assert bad.ok and bad.verdict == NOT_REPRODUCED and not weak.ok
    assert '"controls"' in cs.to_json() and "a defect" in cs._repr_html_()


def test_registering_an_id_twice_with_another_tolerance_fails():
    from dataclasses import replace

    chk = CHECKS["ch04.fes-rmse"]
    with pytest.raises(ValueError, match="registered twice"):
        verdicts.register(replace(chk, tol_hi=chk.tol_hi + 1.0))


def test_undecided_claims_lean_by_the_one_sided_80_percent_bounds():
    from mdrepro.book.verdicts import NO_LEAN, TOWARD_NOT_REPRODUCED, TOWARD_REPRODUCED, lean

    # the paper-scale values of ch04.gan-converged (tolerance <= 1): mean 2.29
    assert lean([4.25, 0.51, 2.11], -math.inf, 1.0) == TOWARD_NOT_REPRODUCED
    # ch04.fourwell-density (<= 2): mean 2.58, but the 80 % bound reaches 1.90
    assert lean([2.94, 3.46, 1.34], -math.inf, 2.0) == NO_LEAN
    assert lean([0.5, 0.9, 0.7], -math.inf, 1.0) == TOWARD_REPRODUCED
    assert lean([0.5], -math.inf, 1.0) == NO_LEAN  # one sample: no lean


def test_an_undecided_record_counts_samples_on_each_side_and_leans():
    d = decide([0.5, 1.5, 0.9], -math.inf, 1.0)
    assert d.verdict == UNDECIDED and (d.n_inside, d.n_outside) == (2, 1) and d.lean
    gated = decide([3.0, 3.1, 2.9], -math.inf, 1.0, gates=[Gate("fits", 0.0, 1.0)])
    assert gated.verdict == UNDECIDED and gated.lean == "toward not reproduced"
    assert decide([0.1, 0.2, 0.15], -math.inf, 1.0).lean == ""  # decided: no lean


def test_beyond_fifty_samples_decide_at_says_at_the_tolerance_bound():
    d = decide([0.9, 1.12, 1.0], -math.inf, 1.0)
    assert d.verdict == UNDECIDED and d.decide_at.startswith("at the tolerance bound")
    near = decide([1.2, 1.6, 1.4], 0.0, 1.0)
    assert "about" in near.decide_at or near.verdict != UNDECIDED
