"""mdrepro.book.claims: the claim record, its JSON and table; mdrepro.book.scorecard."""

import json
import math

import numpy as np
import pytest

from mdrepro.book import claims, scorecard
from mdrepro.book.verdicts import NOT_REPRODUCED, REPRODUCED, UNDECIDED, Check, register

CHK = register(
    Check(
        id="ch09.test-claim",
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


def test_claim_record_round_trip_with_every_field(tmp_path):
    cs = claims.ClaimSet("ch09", "ci", system="a toy")
    c = cs.check(CHK.id, [0.5, 0.6, 0.55], "RMSE 0.55 kT", seeds=[0, 1, 2], note="n")
    with pytest.raises(ValueError, match="already"):
        cs.check(CHK.id, [0.5], "m")
    with pytest.raises(KeyError, match="registered check"):
        cs.check("ch09.nothing", [0.5], "m")
    assert c.verdict == REPRODUCED and c.tol_lo is None and c.tol_hi == 1.0
    assert c.n == 3 and c.interval[0] < 0.55 < c.interval[1] and c.seeds == [0, 1, 2]
    assert c.spread == "n=3: 0.5, 0.6, 0.55" and c.system == "a toy" and c.beyond_paper
    path = cs.write(tmp_path)
    doc = json.loads(path.read_text())
    assert set(doc["claims"][0]) == set(claims.CLAIM_FIELDS)
    back = claims.load_claims(tmp_path)[0]
    assert back.claims == cs.claims
    assert "reproduced" in cs._repr_html_() and "1 beyond the paper" in cs.summary()


def test_a_record_without_a_field_is_one_clear_error(tmp_path):
    cs = claims.ClaimSet("ch09", "ci")
    cs.check(CHK.id, [2.0, 2.1, 2.2], "m")
    doc = json.loads(cs.to_json())
    del doc["claims"][0]["verdict"]
    (tmp_path / "ch09.json").write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="missing verdict"):
        claims.load_claims(tmp_path)


def test_invalid_verdict_is_rejected():
    with pytest.raises(ValueError, match="expected one of"):
        claims.Claim(*["x"] * 9, None, None, None, None, "", "", "maybe")


def test_spread_formatter():
    assert claims.spread([0.9, 1.1, 1.0]) == (1.0, "n=3: 0.9, 1.1, 1")
    assert claims.spread([2.0]) == (2.0, "n=1: 2")
    assert np.isnan(claims.spread([])[0])


def test_scorecard_counts_figure_and_changes(tmp_path):
    cs = claims.ClaimSet("ch09", "ci")
    cs.check(CHK.id, [2.0, 2.1, 2.2], "m")
    dc = {d.paper: d for d in scorecard.counts([cs])}
    assert dc["winkler2020"].beyond_paper == 1 and dc["winkler2020"].not_reproduced == 0
    c = cs.claims[0]
    assert scorecard.position(c, 1.0) == pytest.approx(1.0)
    assert scorecard.position(c, 2.1) > 1.0
    page = scorecard.write([cs], tmp_path, recorded={CHK.id: REPRODUCED})
    text = page.read_text()
    assert "# Scorecard" in text and "scorecard.png" in text
    assert (tmp_path / "scorecard.png").stat().st_size > 1000
    changes = (tmp_path / "verdict-changes.md").read_text()
    assert "ch09.test-claim" in changes and "not reproduced" in changes
    same = scorecard.verdict_changes([cs], {CHK.id: NOT_REPRODUCED})
    assert "are those recorded" in same


def test_controls_both_ways_decide_what_counts():
    from mdrepro.book.verdicts import all_checks

    chk = all_checks()["ch04.fes-rmse"]  # a claim: reproduced only with a landed null
    cs = claims.ClaimSet("ch04", "ci")
    cs.check(chk.id, [0.4, 0.5, 0.45], "m")
    cs.settle()
    c = cs.claims[0]
    assert c.verdict == UNDECIDED and c.rule_verdict == REPRODUCED
    assert c.gate.startswith("no negative control") and c.lean == "toward reproduced"
    cs.control(chk.id, [3.0, 3.2, 3.1], "null: frames shuffled")
    cs.settle()  # a null that lands restores the verdict, with its margin
    c = cs.claims[0]
    assert c.verdict == REPRODUCED and "frames shuffled" in c.control and c.gate == ""
    bad = claims.ClaimSet("ch04", "ci")
    bad.check(chk.id, [3.0, 3.2, 3.1], "m")
    bad.settle()  # not reproduced: a positive control (the paper's 0.91 kT) must pass
    assert bad.claims[0].verdict == NOT_REPRODUCED
    assert "the document's own value 0.91" in bad.claims[0].control
    assert [k.kind for k in bad.controls] == ["positive"] and bad.controls[0].ok
