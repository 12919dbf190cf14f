"""mdrepro.book.benchmarks: ns/day arithmetic and the generated Markdown."""

import json

import pytest

from mdrepro.book import benchmarks


def test_ns_per_day_against_hand_arithmetic():
    # 1 ns simulated in half a day is 2 ns/day
    assert benchmarks.ns_per_day(1.0e6, 43200.0) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="positive wall time"):
        benchmarks.ns_per_day(1.0, 0.0)


def test_simulated_time_of_both_manifest_kinds():
    adk = {"params": {"timestep_fs": 2.0}, "steps_per_copy": 2500, "n_copies": 2}
    smd = {"params": {"timestep_fs": 2.0}, "steps": 20000}
    assert benchmarks.simulated_fs(adk) == 10000.0
    assert benchmarks.simulated_fs(smd) == 40000.0
    reps = {"params": {"timestep_fs": 2.0}, "steps_per_replica": 100, "n_replicas": 3}
    assert benchmarks.simulated_fs(reps) == 600.0
    framed = {"params": {"timestep_fs": 10.0, "frame_interval_fs": 5000.0}, "frames": 4}
    assert benchmarks.simulated_fs(framed) == 20000.0
    assert benchmarks.simulated_fs({}) == 0.0
    # no simulated time, no force field: dashes, not a fabricated speed
    row = benchmarks.data_rows([{"name": "fourwell-bd", "params": {}, "wall_time_s": 4.5}])[0]
    assert row["ns/day"] == "-" and row["simulated (ps)"] == "-" and row["model"] == "-"


def test_measured_markdown(tmp_path):
    man = {
        "name": "ala100-smd",
        "profile": "ci",
        "engine": "OpenMM",
        "engine_version": "8.6.1",
        "platform": "CPU",
        "n_atoms": 1003,
        "params": {"timestep_fs": 2.0, "forcefield": "amber99sbildn", "solvent": "obc"},
        "steps": 43200,
        "wall_time_s": 86.4,
    }
    benchmarks.record("ch02", [{"what": "LSTM", "sequences/s": 1000}], tmp_path)
    text = benchmarks.measured_markdown({"install": 60.0, "run: ch01": 120.0}, [man], tmp_path)
    assert "| install | 60 | 1.0 |" in text
    assert "| **total** | 180 | 3.0 |" in text
    # 86.4 ps in 86.4 s -> 86.4 ns/day
    assert "| 86.4 | 86.4 | 86.4 |" in text
    assert "## Chapter ch02" in text and "| LSTM | 1000 |" in text
    assert json.loads((tmp_path / "ch02.json").read_text())["chapter"] == "ch02"


def test_measured_markdown_when_nothing_was_recorded():
    text = benchmarks.measured_markdown({}, [])
    assert "No stage timings" in text and "No data set is built" in text
