"""mdrepro.costs: step counts, the table, and that the committed table covers every stage."""

import math

import pytest

from mdrepro import costs, data


def test_data_steps_follow_the_paper_profile():
    p = data.get("adk-equilibrium").params_for("paper")
    per, pieces, text = costs.data_steps("adk-equilibrium", p)
    # 10,000 frames every 10 fs at 1 fs, no equilibration: 100,000 steps per copy
    assert (per, pieces) == (100_000, 5) and "5 copies x 100 ps at 1 fs" in text
    p = data.get("decaala-smd").params_for("paper")
    per, pieces, _ = costs.data_steps("decaala-smd", p)
    assert (per, pieces) == (1_010_000, 50)  # 10 ps + 1 ns at 1 fs, 50 replicas
    p = data.get("mda-xtb").params_for("paper")
    assert costs.data_steps("mda-xtb", p)[:2] == (510_000, 3)
    with pytest.raises(KeyError):
        costs.data_steps("nothing", {})
    p = data.get("ala100-smd").params_for("paper")
    assert costs.data_steps("ala100-smd", p)[1] == 5  # five pulls, as the paper


def test_a_study_cost_needs_ci_units_computed_in_this_build(monkeypatch):
    from mdrepro.errors import DataError

    monkeypatch.setattr(costs, "_stage_seconds", lambda chapter: 0.0)
    with pytest.raises(DataError, match="only reused ones"):
        costs.study_cost("ch02")


def test_table_round_trip_and_parallel_hours(tmp_path):
    a = costs.StageCost("data: x", "probe", "w", "p", 130.0, "1 steps/s", 5.0, 10.0, 5, "n")
    b = costs.StageCost("study: ch09", "model", "w", estimate_h=3.0)
    assert a.on_cores(2) == 5.0 and b.on_cores(2) == 3.0
    path = costs.write([a, b], tmp_path / "c.json")
    back = costs.load(path)
    assert [c.stage for c in back] == ["data: x", "study: ch09"]
    md = costs.markdown(back)
    assert "| **all** | | | | | **13** | **8** |" in md and "- data: x: n" in md
    assert "No paper-profile cost" in costs.markdown([])


@pytest.mark.skipif(not costs.COSTS.is_file(), reason="no committed cost table")
def test_committed_cost_table_covers_every_paper_stage():
    from mdrepro.papers import chapters

    have = {c.stage: c for c in costs.load()}
    want = {f"data: {n}" for n in data.names()} | {f"study: {c}" for c in chapters()}
    assert want <= set(have), sorted(want - set(have))
    for c in have.values():
        assert math.isfinite(c.estimate_h) and c.estimate_h > 0, c.stage
        if c.method == "probe":
            assert c.probe_s >= costs.MIN_PROBE_S, c.stage
