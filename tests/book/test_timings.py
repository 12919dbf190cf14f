"""mdrepro.book.timings: this run's stages, reused ones marked, jobs grouped."""

import time

from mdrepro.book import timings


def test_table_shows_only_this_run_and_groups_jobs(tmp_path):
    folder = tmp_path / "timings"
    timings.record("data: old", 100.0, folder)
    time.sleep(0.01)
    timings.start_run(folder)
    time.sleep(0.01)
    timings.record("data: adk", 5.0, folder, reused=True)
    timings.record("study: ch02 | run-a", 2.0, folder)
    timings.record("study: ch02 | run-b", 3.0, folder, reused=True)
    timings.record("run: ch01", 12.0, folder)
    table = timings.table(folder, wall_s=20.0)
    assert "data: old" not in table
    assert "data: adk (reused)" in table and "run: ch01" in table
    assert "study: ch02 (2 jobs, 1 reused)" in table
    assert "22.0" in table and "wall time of the build" in table
    assert timings.load(folder) == {"data: adk": 5.0, "study: ch02": 5.0, "run: ch01": 12.0}


def test_without_a_run_mark_every_stage_counts(tmp_path):
    folder = tmp_path / "timings"
    timings.record("install", 60.0, folder)
    assert timings.load(folder) == {"install": 60.0}
    with timings.timed("block", folder):
        pass
    assert set(timings.load(folder)) == {"install", "block"}


def test_a_run_with_other_caches_neither_shows_nor_overwrites(tmp_path, monkeypatch):
    import os

    folder = tmp_path / "timings"
    timings.start_run(folder)
    timings.record("study: ch04 | fourwell/s0", 30.0, folder)
    before = os.environ.get("MDREPRO_RESULTS_DIR")
    monkeypatch.setenv("MDREPRO_RESULTS_DIR", str(tmp_path / "elsewhere"))
    timings.record("study: ch04 | fourwell/s0", 1.0, folder)  # a test's run, other results
    assert timings.load(folder) == {"study: ch04": 1.0}  # that run sees its own stage only
    if before is None:
        monkeypatch.delenv("MDREPRO_RESULTS_DIR")
    else:
        monkeypatch.setenv("MDREPRO_RESULTS_DIR", before)
    assert timings.load(folder) == {"study: ch04": 30.0}  # the book's stage is intact
    assert len(list(folder.glob("*.json"))) == 2
