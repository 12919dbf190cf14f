"""Execute a chapter notebook with papermill without ever damaging a good page.

A run writes into a staging folder and is *published* (moved into place) only when every
cell ran: a failed run leaves the previous notebook, figures and claims where they were, keeps
its own half-executed notebook under ``build/failed/`` for inspection, and reports failure.

Where a run publishes:

* the **book build** - the ``ci`` profile, seed 0, no notebook parameters - publishes into
  ``book/executed/``, the pages the book renders;
* **any other run** (other parameters, another profile or seed) publishes into its
  ``OUTPUT_DIR`` (``-p OUTPUT_DIR path``), by default ``runs/<chapter>-<hash of its
  parameters>/``; the book's pages are never touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mdrepro.book.chapter import ROOT, Chapter

EXECUTED = ROOT / "book" / "executed"
RUNS = ROOT / "runs"
FAILED = ROOT / "build" / "failed"
#: Locks of chapter runs (one run per chapter and output folder at a time).
LOCKS = ROOT / "build" / "locks"
#: The sub-folders a chapter writes below its OUTPUT_DIR.
OUTPUT_PARTS = ("figures", "claims", "benchmarks")


@dataclass
class RunPlan:
    """Where one chapter run executes and publishes.

    Attributes
    ----------
    chapter : Chapter
    params : dict
        Notebook parameters (OUTPUT_DIR excluded; it is set per plan).
    target : pathlib.Path
        Where the executed notebook and its outputs are published.
    book : bool
        Whether this is the book build (publishes into ``book/executed``).
    """

    chapter: Chapter
    params: dict
    target: Path
    book: bool

    @property
    def staging(self) -> Path:
        """The folder the run writes into before it is published."""
        return self.target / ".staging" / f"{self.chapter.id}-{os.getpid()}"

    @property
    def notebook(self) -> Path:
        """The published notebook."""
        return self.target / f"{self.chapter.stem}.ipynb"


def params_hash(params: dict) -> str:
    """8 hex digits of sha256 of the parameters (canonical JSON)."""
    doc = json.dumps(params, sort_keys=True, default=str)
    return hashlib.sha256(doc.encode()).hexdigest()[:8]


def plan(
    chapter: Chapter,
    profile: str,
    device: str,
    seed: int,
    extra: dict[str, Any],
    cwd: Path | None = None,
) -> RunPlan:
    """Decide where a run of ``chapter`` executes and publishes (see the module docstring)."""
    params = {"PROFILE": profile, "DEVICE": device, "SEED": seed}
    user = {k: v for k, v in extra.items() if k != "OUTPUT_DIR"}
    params.update(user)
    book = profile == "ci" and seed == 0 and not extra
    if book:
        target = EXECUTED
    elif "OUTPUT_DIR" in extra:
        out = Path(str(extra["OUTPUT_DIR"])).expanduser()
        target = out if out.is_absolute() else (cwd or Path.cwd()) / out
    else:
        target = RUNS / f"{chapter.id}-{params_hash(params)}"
    return RunPlan(chapter, params, target.resolve(), book)


def _relative_to_notebook(path: Path, chapter: Chapter) -> str:
    """A path as the notebook (run in its own folder) should see it: relative inside the
    checkout (no build paths in the HTML), absolute outside.
    """
    try:
        path.relative_to(ROOT)
    except ValueError:
        return str(path)
    return os.path.relpath(path, chapter.notebook.parent)


def publish(staging: Path, target: Path, chapter: Chapter) -> Path:
    """Move a finished run's outputs from ``staging`` into ``target``; the notebook last.

    Figures of the chapter that the new run no longer makes are removed, so a page never shows
    a stale picture.
    """
    target.mkdir(parents=True, exist_ok=True)
    for part in OUTPUT_PARTS:
        src, dst = staging / part, target / part
        if not src.is_dir():
            continue
        dst.mkdir(parents=True, exist_ok=True)
        new = {f.name for f in src.iterdir()}
        if part == "figures":
            for old in dst.glob(f"{chapter.id}_*"):
                if old.name not in new:
                    old.unlink()
        for f in src.iterdir():
            os.replace(f, dst / f.name)
    nb = target / f"{chapter.stem}.ipynb"
    os.replace(staging / f"{chapter.stem}.ipynb", nb)
    shutil.rmtree(staging, ignore_errors=True)
    try:
        (staging.parent).rmdir()
    except OSError:
        pass
    return nb


class ChapterFailed(Exception):
    """A chapter's notebook stopped with an error (the message says where)."""


def execute(run: RunPlan, progress: bool = True, timeout_s: float | None = None) -> Path:
    """Execute a planned run; publish it on success and return the published notebook.

    Parameters
    ----------
    run : RunPlan
    progress : bool
        papermill's progress bar.
    timeout_s : float, optional
        Time limit of each cell (a hang fails fast, naming the chapter).

    Raises
    ------
    ChapterFailed
        With one line: the chapter, the cell and the error. Nothing was published; the
        executed part of the notebook is kept in ``build/failed/``.
    mdrepro.locks.LockedError
        Another run of the same chapter into the same folder is going on (two would race to
        publish); it is named.

    Staging folders of killed runs are removed first (:func:`clean_stale_staging`).
    """
    from mdrepro.locks import Lock

    digest = hashlib.sha256(str(run.target.resolve()).encode()).hexdigest()[:12]
    lock = Lock(
        LOCKS / f"run-{run.chapter.id}-{digest}.lock",
        f"a run of {run.chapter.id} into {run.target}",
    )
    with lock:
        clean_stale_staging(run.target)
        return _execute(run, progress, timeout_s)


def clean_stale_staging(target: Path) -> list[Path]:
    """Remove ``target/.staging/<chapter>-<pid>`` folders whose process is gone (a run that
    was killed), with one line each; returns them.
    """
    gone = []
    for d in sorted((Path(target) / ".staging").glob("*-*")):
        pid = d.name.rpartition("-")[2]
        if not (d.is_dir() and pid.isdigit()) or int(pid) == os.getpid() or _alive(int(pid)):
            continue
        shutil.rmtree(d, ignore_errors=True)
        gone.append(d)
        print(f"mdrepro: removed {d}, left by a run that was killed (pid {pid})", flush=True)
    return gone


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _execute(run: RunPlan, progress: bool, timeout_s: float | None) -> Path:
    import papermill as pm

    ch = run.chapter
    _check_writable(run.target, ch)
    created = not run.target.exists()
    shutil.rmtree(run.staging, ignore_errors=True)
    run.staging.mkdir(parents=True)
    params = dict(run.params, OUTPUT_DIR=_relative_to_notebook(run.staging, ch))
    out = run.staging / f"{ch.stem}.ipynb"
    try:
        pm.execute_notebook(
            str(ch.notebook),
            str(out),
            parameters=params,
            kernel_name="python3",
            cwd=str(ch.notebook.parent),
            progress_bar=progress,
            request_save_on_cell_execute=True,
            execution_timeout=timeout_s,
        )
    except pm.PapermillExecutionError as exc:
        kept = _keep_failed(out, ch, run.target, created)
        raise ChapterFailed(
            f"{ch.id} failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue}{kept}"
        ) from None
    except BaseException as exc:
        kept = _keep_failed(out, ch, run.target, created)
        if isinstance(exc, Exception):
            raise ChapterFailed(f"{ch.id} failed: {type(exc).__name__}: {exc}{kept}") from None
        raise
    return publish(run.staging, run.target, ch)


def _check_writable(target: Path, ch: Chapter) -> None:
    """Refuse, in one line and before a kernel starts, an output folder that cannot be written
    (the folder itself, or the nearest existing folder above it when it does not exist yet).
    """
    here = target
    while not here.exists() and here != here.parent:
        here = here.parent
    if not (here.is_dir() and os.access(here, os.W_OK | os.X_OK)):
        raise ChapterFailed(
            f"expected the output folder of {ch.id} ({target}) to be writable, found "
            f"{here} {'read-only' if here.is_dir() else 'not a folder'}"
        )


def _keep_failed(out: Path, ch: Chapter, target: Path, created: bool) -> str:
    """Keep the executed part of a failed notebook in ``build/failed/`` and leave nothing else
    behind (the staging folder, and the output folder when this run created it); returns the
    clause that names where the notebook was kept (empty when none was written).
    """
    kept = ""
    if out.is_file():
        FAILED.mkdir(parents=True, exist_ok=True)
        dst = FAILED / f"{ch.stem}.{time.strftime('%Y%m%d-%H%M%S')}.ipynb"
        os.replace(out, dst)
        kept = f" (the executed part: {dst})"
    shutil.rmtree(out.parent, ignore_errors=True)
    for empty in (out.parent.parent, target) if created else (out.parent.parent,):
        try:
            empty.rmdir()  # only when empty
        except OSError:
            pass
    return kept
