"""mdrepro.book.claims: the claim set, its JSON and table, and the helpers claims use."""

import json

import numpy as np
import pytest

from mdrepro.book import claims


def test_claim_set_round_trip(tmp_path):
    cs = claims.ClaimSet("ch09", "ci")
    cs.add("ch09.a", "Fig. 1", "s", "p", "m", "t", np.bool_(True), note="n", spread="x")
    cs.add("ch09.b", "Fig. 2", "s", "p", "m", "t", False)
    with pytest.raises(ValueError, match="already"):
        cs.add("ch09.a", "Fig. 1", "s", "p", "m", "t", True)
    assert cs.n_passed == 1 and isinstance(cs.claims[0].passed, bool)
    path = cs.write(tmp_path)
    doc = json.loads(path.read_text())
    assert doc["chapter"] == "ch09" and [c["id"] for c in doc["claims"]] == ["ch09.a", "ch09.b"]
    back = claims.load_claims(tmp_path)[0]
    assert back.claims == cs.claims
    html = cs._repr_html_()
    assert "✔ pass" in html and "✘ fail" in html
    assert "1 of 2 claims hold" in claims.scorecard_markdown([back])


def test_helpers():
    assert claims.relative_change_ok(12.0, 10.0, 1.5)
    assert not claims.relative_change_ok(30.0, 10.0, 1.5)
    assert not claims.relative_change_ok(float("nan"), 10.0, 1.5)
    assert claims.monotone_increasing([1, 2, 3]) and not claims.monotone_increasing([1, 1, 2])
    assert claims.monotone_increasing([1, 1, 2], strict=False)
    assert claims.spread([0.9, 1.1, 1.0]) == (1.0, "n=3: 0.9, 1.1, 1")
    assert claims.spread([2.0]) == (2.0, "n=1: 2")
    assert np.isnan(claims.spread([])[0])
