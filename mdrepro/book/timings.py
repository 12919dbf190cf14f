"""Stage timings of a book build, kept in ``build/timings.json``.

Every stage (install, each data set, each study, each chapter, the HTML) records its wall time
and whether its result was reused (found in a cache) rather than made. ``make book`` marks the
start of a run (:func:`start_run`, or the Makefile writing ``build/run-started``); the table
then shows this run's stages only, so a second build does not add up stale numbers.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from pathlib import Path

from mdrepro.data.cache import atomic_write_text

ROOT = Path(__file__).resolve().parents[2]
TIMINGS = ROOT / "build" / "timings.json"


def _started_file(path: Path) -> Path:
    return Path(path).with_name("run-started")


def start_run(path: Path = TIMINGS) -> float:
    """Mark now as the start of a build; stages recorded before it are not this run's."""
    now = time.time()
    atomic_write_text(_started_file(path), f"{now:.3f}\n")
    return now


def run_started(path: Path = TIMINGS) -> float:
    """When this run started (0 if no run was marked: every stage counts)."""
    try:
        return float(_started_file(path).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0


def _doc(path: Path) -> dict:
    try:
        doc = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError):
        return {}
    return {k: v for k, v in doc.items() if isinstance(v, dict)}


def stages(path: Path = TIMINGS) -> dict[str, dict]:
    """Stages of this run: name -> ``{"seconds", "at", "reused"}``, in the order recorded."""
    t0 = run_started(path)
    doc = _doc(path)
    items = [(k, v) for k, v in doc.items() if v.get("at", 0) >= t0]
    return dict(sorted(items, key=lambda kv: kv[1].get("at", 0)))


def load(path: Path = TIMINGS) -> dict[str, float]:
    """Seconds per stage of this run (reused stages count their time to check the cache)."""
    return {k: float(v["seconds"]) for k, v in stages(path).items()}


def record(stage: str, seconds: float, path: Path = TIMINGS, reused: bool = False) -> None:
    """Record (overwrite) one stage's wall time, and whether its result was reused."""
    doc = _doc(path)
    doc.pop(stage, None)
    doc[stage] = {
        "seconds": round(float(seconds), 1),
        "at": round(time.time(), 3),
        "reused": bool(reused),
    }
    atomic_write_text(Path(path), json.dumps(doc, indent=2))


@contextmanager
def timed(stage: str, path: Path = TIMINGS):
    """Context manager that records the wall time of its block, even on failure."""
    t0 = time.perf_counter()
    try:
        yield
    finally:
        record(stage, time.perf_counter() - t0, path)


def table(path: Path = TIMINGS) -> str:
    """A plain-text table of this run's stages and their total; reused ones are marked."""
    doc = stages(path)
    if not doc:
        return "(no stage timings recorded in this run)"
    names = {k: k + (" (reused)" if v.get("reused") else "") for k, v in doc.items()}
    w = max(len(n) for n in names.values()) + 2
    lines = [f"{'stage':<{w}}{'seconds':>10}{'minutes':>10}", "-" * (w + 20)]
    for k, v in doc.items():
        s = float(v["seconds"])
        lines.append(f"{names[k]:<{w}}{s:>10.1f}{s / 60:>10.2f}")
    tot = sum(float(v["seconds"]) for v in doc.values())
    lines += ["-" * (w + 20), f"{'total (this run)':<{w}}{tot:>10.1f}{tot / 60:>10.2f}"]
    return "\n".join(lines)
