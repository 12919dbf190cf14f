"""mdrepro.book.execute: where a run publishes, and that a failed run never damages a page."""

import json
from types import SimpleNamespace

import pytest

from mdrepro.book import execute

pytestmark = pytest.mark.slow  # runs a (tiny) notebook through papermill


def _notebook(path, fail: bool):
    code = (
        "from pathlib import Path\n"
        "out = Path(OUTPUT_DIR)\n"
        "(out / 'figures').mkdir(parents=True, exist_ok=True)\n"
        "(out / 'claims').mkdir(parents=True, exist_ok=True)\n"
        "(out / 'figures' / f'chx_fig{VERSION}.png').write_text(str(VERSION))\n"
        "(out / 'claims' / 'chx.json').write_text(str(VERSION))\n"
    )
    cells = [
        {
            "cell_type": "code",
            "metadata": {"tags": ["parameters"]},
            "outputs": [],
            "execution_count": None,
            "source": "OUTPUT_DIR = '.'\nVERSION = 0\n",
        },
        {
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": code,
        },
    ]
    if fail:
        cells.append(
            {
                "cell_type": "code",
                "metadata": {},
                "outputs": [],
                "execution_count": None,
                "source": "raise ValueError('lead 120 needs 121 frames')",
            }
        )
    nb = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "P", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb))


def test_plan_book_build_vs_own_runs(tmp_path):
    ch = SimpleNamespace(id="ch01", stem="x")
    book = execute.plan(ch, "ci", "cpu", 0, {})
    assert book.book and book.target == execute.EXECUTED.resolve()
    mine = execute.plan(ch, "ci", "cpu", 0, {"ADK_FRAME_FS": 10}, cwd=tmp_path)
    assert not mine.book and mine.target.parent == execute.RUNS.resolve()
    assert mine.target.name.startswith("ch01-")
    assert execute.plan(ch, "ci", "cpu", 0, {"ADK_FRAME_FS": 10}).target == mine.target
    given = execute.plan(ch, "ci", "cpu", 0, {"OUTPUT_DIR": "out"}, cwd=tmp_path)
    assert given.target == (tmp_path / "out").resolve() and not given.book
    assert not execute.plan(ch, "paper", "cpu", 0, {}).book
    assert not execute.plan(ch, "ci", "cpu", 3, {}).book


def test_a_failed_run_keeps_the_last_good_page(tmp_path, monkeypatch):
    monkeypatch.setattr(execute, "FAILED", tmp_path / "failed")
    good, bad = tmp_path / "good.ipynb", tmp_path / "bad.ipynb"
    _notebook(good, fail=False)
    _notebook(bad, fail=True)
    target = tmp_path / "book"
    ch = SimpleNamespace(id="chx", stem="chx", notebook=good)
    run = execute.RunPlan(ch, {"VERSION": 1}, target, book=True)
    nb = execute.execute(run, progress=False)
    assert nb == target / "chx.ipynb" and nb.is_file()
    assert (target / "claims" / "chx.json").read_text() == "1"
    assert not (target / ".staging").exists()

    ch_bad = SimpleNamespace(id="chx", stem="chx", notebook=bad)
    before = nb.read_bytes()
    with pytest.raises(execute.ChapterFailed, match="chx failed in cell .*lead 120 needs 121"):
        execute.execute(execute.RunPlan(ch_bad, {"VERSION": 2}, target, True), progress=False)
    assert nb.read_bytes() == before  # the page is untouched
    assert (target / "claims" / "chx.json").read_text() == "1"
    assert sorted(p.name for p in (target / "figures").iterdir()) == ["chx_fig1.png"]
    assert len(list((tmp_path / "failed").glob("chx.*.ipynb"))) == 1

    execute.execute(execute.RunPlan(ch, {"VERSION": 3}, target, True), progress=False)
    # the new run's figures replace the chapter's old ones
    assert sorted(p.name for p in (target / "figures").iterdir()) == ["chx_fig3.png"]


def test_a_failed_first_run_leaves_nothing_and_names_the_kept_notebook(tmp_path, monkeypatch):
    monkeypatch.setattr(execute, "FAILED", tmp_path / "failed")
    bad = tmp_path / "bad.ipynb"
    _notebook(bad, fail=True)
    target = tmp_path / "mine"
    ch = SimpleNamespace(id="chx", stem="chx", notebook=bad)
    with pytest.raises(execute.ChapterFailed) as err:
        execute.execute(execute.RunPlan(ch, {"VERSION": 1}, target, False), progress=False)
    kept = next((tmp_path / "failed").glob("chx.*.ipynb"))
    assert f"(the executed part: {kept})" in str(err.value)
    assert not target.exists()  # no empty OUTPUT_DIR, no .staging


def test_an_output_folder_that_cannot_be_written_is_refused_before_a_kernel_starts(tmp_path):
    import os

    ch = SimpleNamespace(id="chx", stem="chx", notebook=tmp_path / "none.ipynb")
    (tmp_path / "file").write_text("x")
    with pytest.raises(execute.ChapterFailed, match="to be writable, found .*not a folder"):
        execute.execute(execute.RunPlan(ch, {}, tmp_path / "file" / "out", False))
    if os.geteuid() != 0:  # root writes into read-only folders
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        with pytest.raises(execute.ChapterFailed, match="to be writable, found .*read-only"):
            execute.execute(execute.RunPlan(ch, {}, ro / "out", False), progress=False)


def test_staging_folders_of_killed_runs_are_removed(tmp_path, capsys):
    import os

    stage = tmp_path / ".staging"
    dead, live = stage / "ch01-4194000", stage / f"ch02-{os.getpid()}"
    for d in (dead, live):
        d.mkdir(parents=True)
    assert execute.clean_stale_staging(tmp_path) == [dead]
    assert live.is_dir() and not dead.exists()
    assert "left by a run that was killed (pid 4194000)" in capsys.readouterr().out


def test_two_runs_of_one_chapter_into_one_folder_are_refused(tmp_path, monkeypatch):
    import hashlib

    from mdrepro.locks import Lock, LockedError

    monkeypatch.setattr(execute, "LOCKS", tmp_path / "locks")
    target = tmp_path / "out"
    nb = tmp_path / "good.ipynb"
    _notebook(nb, fail=False)
    ch = SimpleNamespace(id="chx", stem="chx", notebook=nb)
    digest = hashlib.sha256(str(target.resolve()).encode()).hexdigest()[:12]
    with Lock(tmp_path / "locks" / f"run-chx-{digest}.lock", "a run"):
        with pytest.raises(LockedError, match="a run of chx into .* is running"):
            execute.execute(execute.RunPlan(ch, {"VERSION": 1}, target, False), progress=False)
    assert not (target / "chx.ipynb").exists()
    # another folder is not locked
    other = execute.execute(execute.RunPlan(ch, {"VERSION": 1}, tmp_path / "o2", False), False)
    assert other.is_file()
