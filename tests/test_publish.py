"""mdrepro.publish: compact summaries, refusals (dirty tree, missing units)."""

from dataclasses import dataclass

import numpy as np
import pytest

from mdrepro import publish
from mdrepro.errors import DataError


@dataclass
class _Inner:
    values: np.ndarray


@dataclass
class _Result:
    long: np.ndarray
    short: np.ndarray
    ints: np.ndarray
    nested: list
    label: str = "x"


def test_compact_keeps_median_and_extremes_and_leaves_small_arrays():
    rng = np.random.default_rng(0)
    long = rng.gamma(2.0, size=20_000)
    inner = rng.normal(size=publish.COMPACT_MIN + 2)  # even length: median between two values
    r = _Result(long, np.arange(5.0), np.arange(10_000), [_Inner(inner)])
    small, notes = publish.compact(r, "u")
    assert small.long.size == publish.N_QUANTILES
    assert np.median(small.long) == pytest.approx(np.median(long), rel=1e-12)
    assert (small.long[0], small.long[-1]) == (long.min(), long.max())
    assert np.all(np.diff(small.long) >= 0)
    assert np.median(small.nested[0].values) == pytest.approx(np.median(inner), rel=1e-12)
    assert small.short is r.short and small.ints is r.ints and small.label == "x"
    assert notes == [
        f"u.long: 20000 values -> {publish.N_QUANTILES} quantiles",
        f"u.nested[0].values: {publish.COMPACT_MIN + 2} values -> {publish.N_QUANTILES} quantiles",
    ]
    # the input is not modified
    assert r.long.size == 20_000


def test_params_hash_is_canonical():
    assert publish.params_hash({"a": 1, "b": [1, 2]}) == publish.params_hash({"b": [1, 2], "a": 1})
    assert publish.params_hash({"a": 1}) != publish.params_hash({"a": 2})


def test_dirty_tree_is_refused_in_one_line(monkeypatch):
    def fake_git(*args):
        return " M mdrepro/training.py\n M README.md" if args[0] == "status" else "abc"

    monkeypatch.setattr(publish, "_git", fake_git)
    with pytest.raises(DataError, match="expected a clean working tree.*mdrepro/training.py"):
        publish.clean_commit()
    with pytest.raises(DataError, match="clean working tree"):
        publish.publish("ch04", out_root="/nonexistent")


def test_missing_paper_units_are_refused(tmp_path):
    # the tests' results cache is empty: no paper-profile unit of ch04 is there
    with pytest.raises(DataError, match=r"expected all 9 units of ch04 under the paper profile"):
        publish.publish("ch04", out_root=tmp_path, require_clean=False)
    assert not any(tmp_path.iterdir())


def test_a_chapter_without_from_units_cannot_be_published():
    with pytest.raises(DataError, match="from_units"):
        publish.chapter_claims("ch05", {}, "paper", [0])


def test_only_tiers_above_ci_are_published(tmp_path):
    with pytest.raises(DataError, match=r"expected a tier to publish \(extended, paper\)"):
        publish.publish("ch02", out_root=tmp_path, require_clean=False, profile="ci")
    assert not any(tmp_path.iterdir())


def test_chapter_2_claims_from_units_name_what_they_expected():
    from mdrepro.papers.gupta2020 import claims

    with pytest.raises(DataError, match=r"runs and the ARIMA baseline .* found 2 results"):
        claims.from_units({"forecast": [1, 2]}, "extended", [0, 1, 2])


def test_a_tier_keeps_its_build_stage_times_after_another_build_started(tmp_path):
    from mdrepro.book import timings

    folder = tmp_path / "timings"
    folder.mkdir()
    timings.record("study: ch02 | forecast/a-s0 (extended)", 5.0, folder=folder)
    timings.record("study: ch02 | forecast/a-s0", 3.0, folder=folder)  # the ci build's
    timings.record("study: ch04 | fourwell/s0 (extended)", 7.0, folder=folder)
    timings.start_run(folder)  # a later build: its own table starts afresh
    got = publish._timings("ch02", [], "extended", folder=folder)
    assert got == [
        {"stage": "study: ch02 | forecast/a-s0 (extended)", "seconds": 5.0, "reused": False}
    ]
