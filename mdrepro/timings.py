"""Stage timings of a book build (install, data, run, book), kept in ``build/timings.json``."""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from pathlib import Path

from mdrepro.chapters import ROOT
from mdrepro.data.cache import atomic_write_text

TIMINGS = ROOT / "build" / "timings.json"


def load(path: Path = TIMINGS) -> dict[str, float]:
    """Recorded stage -> seconds."""
    try:
        return json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError):
        return {}


def record(stage: str, seconds: float, path: Path = TIMINGS) -> None:
    """Record (overwrite) one stage's wall time."""
    doc = load(path)
    doc[stage] = round(float(seconds), 1)
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
    """A plain-text table of the recorded stages and their total."""
    doc = load(path)
    if not doc:
        return "(no stage timings recorded)"
    w = max(len(k) for k in doc) + 2
    lines = [f"{'stage':<{w}}{'seconds':>10}{'minutes':>10}", "-" * (w + 20)]
    for k, v in doc.items():
        lines.append(f"{k:<{w}}{v:>10.1f}{v / 60:>10.2f}")
    tot = sum(doc.values())
    lines += ["-" * (w + 20), f"{'total':<{w}}{tot:>10.1f}{tot / 60:>10.2f}"]
    return "\n".join(lines)
