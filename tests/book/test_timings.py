"""mdrepro.book.timings: this run's stages, reused ones marked."""

import time

from mdrepro.book import timings


def test_table_shows_only_this_run(tmp_path):
    path = tmp_path / "timings.json"
    timings.record("data: old", 100.0, path)
    time.sleep(0.01)
    timings.start_run(path)
    time.sleep(0.01)
    timings.record("data: adk", 5.0, path, reused=True)
    timings.record("run: ch01", 12.0, path)
    table = timings.table(path)
    assert "data: old" not in table
    assert "data: adk (reused)" in table and "run: ch01" in table
    assert "17.0" in table.splitlines()[-1]
    assert timings.load(path) == {"data: adk": 5.0, "run: ch01": 12.0}


def test_without_a_run_mark_every_stage_counts(tmp_path):
    path = tmp_path / "timings.json"
    timings.record("install", 60.0, path)
    assert timings.load(path) == {"install": 60.0}
    with timings.timed("block", path):
        pass
    assert set(timings.load(path)) == {"install", "block"}
