"""Stage timings of a book build, one small JSON file per stage in ``build/timings/``.

Every stage (install, each data set, each unit of work, each chapter, the HTML) records its
wall time and whether its result was reused (found in a cache) rather than made. Jobs of a
workflow run side by side, so each writes its own file (no two jobs write the same one). A build
marks its start (:func:`start_run`, or the Makefile writing ``build/run-started``); the table
then shows this run's stages only, so a second build does not add up stale numbers. Stages named
``"<group> | <item>"`` (``"study: ch02 | adk-h5-l15-..."``) are summed per group in the table.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from contextlib import contextmanager
from pathlib import Path

from mdrepro.data.cache import atomic_write_text

ROOT = Path(__file__).resolve().parents[2]
#: ``$MDREPRO_TIMINGS_DIR``, else ``build/timings`` of the checkout.
TIMINGS = Path(os.environ.get("MDREPRO_TIMINGS_DIR") or ROOT / "build" / "timings")


def _started_file(folder: Path) -> Path:
    return Path(folder).parent / "run-started"


def start_run(folder: Path = TIMINGS) -> float:
    """Mark now as the start of a build; stages recorded before it are not this run's."""
    now = time.time()
    atomic_write_text(_started_file(folder), f"{now:.3f}\n")
    return now


def run_started(folder: Path = TIMINGS) -> float:
    """When this run started (0 if no run was marked: every stage counts)."""
    try:
        return float(_started_file(folder).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0


def _file(folder: Path, stage: str) -> Path:
    """One file per stage and caches: a run with other data or results folders never
    overwrites this one's timings.
    """
    slug = "".join(c if c.isalnum() or c in "-_." else "_" for c in stage)[:60]
    caches = _caches()
    ident = (
        stage if caches == _DEFAULT_CACHES else f"{stage}\0{caches['data']}\0{caches['results']}"
    )
    return Path(folder) / f"{slug}-{hashlib.sha256(ident.encode()).hexdigest()[:8]}.json"


def _caches() -> dict[str, str]:
    """The data and results folders this process works with (a stage's context)."""
    from mdrepro.data.cache import cache_root
    from mdrepro.results import results_root

    return {"data": str(cache_root()), "results": str(results_root())}


#: The checkout's own caches: their stages keep the file names they always had.
_DEFAULT_CACHES = {
    "data": str(ROOT / "data" / "cache"),
    "results": str(ROOT / "build" / "results"),
}


def record(stage: str, seconds: float, folder: Path = TIMINGS, reused: bool = False) -> None:
    """Record (overwrite) one stage's wall time, whether its result was reused, and the data
    and results folders it used (a table shows only stages that used its own).
    """
    doc = {
        "stage": stage,
        "seconds": round(float(seconds), 1),
        "at": round(time.time(), 3),
        "reused": bool(reused),
        **_caches(),
    }
    atomic_write_text(_file(folder, stage), json.dumps(doc))


def stages(folder: Path = TIMINGS) -> dict[str, dict]:
    """Stages of this run: name -> ``{"seconds", "at", "reused"}``, in the order recorded.

    A stage counts when it was recorded after the run started and with the same data and
    results folders as this process (a test's or a reader's run elsewhere does not mix in).
    """
    t0 = run_started(folder)
    here = _caches()
    docs = []
    for f in Path(folder).glob("*.json"):
        try:
            doc = json.loads(f.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        if doc.get("at", 0) >= t0 and all(doc.get(k, v) == v for k, v in here.items()):
            docs.append(doc)
    docs.sort(key=lambda d: d["at"])
    return {d["stage"]: d for d in docs}


def grouped(folder: Path = TIMINGS) -> dict[str, dict]:
    """:func:`stages` with ``"<group> | <item>"`` stages summed per group.

    Returns
    -------
    dict
        Name -> ``{"seconds", "reused", "items", "reused_items"}``; a group is reused when
        every item was.
    """
    out: dict[str, dict] = {}
    for name, d in stages(folder).items():
        group = name.split(" | ")[0]
        g = out.setdefault(group, {"seconds": 0.0, "items": 0, "reused_items": 0})
        g["seconds"] += float(d["seconds"])
        g["items"] += 1
        g["reused_items"] += int(bool(d.get("reused")))
    for g in out.values():
        g["reused"] = g["reused_items"] == g["items"]
    return out


def load(folder: Path = TIMINGS) -> dict[str, float]:
    """Seconds per stage (groups summed) of this run."""
    return {k: round(v["seconds"], 1) for k, v in grouped(folder).items()}


@contextmanager
def timed(stage: str, folder: Path = TIMINGS):
    """Context manager that records the wall time of its block, even on failure."""
    t0 = time.perf_counter()
    try:
        yield
    finally:
        record(stage, time.perf_counter() - t0, folder)


def table(folder: Path = TIMINGS, wall_s: float | None = None) -> str:
    """A plain-text table of this run's stages; reused ones are marked.

    Parameters
    ----------
    folder : path
    wall_s : float, optional
        Wall time of the whole build; jobs that ran side by side sum to more than it.
    """
    doc = grouped(folder)
    if not doc:
        return "(no stage timings recorded in this run)"
    names = {}
    for k, v in doc.items():
        label = k
        if v["items"] > 1:
            label += f" ({v['items']} jobs" + (
                f", {v['reused_items']} reused)" if v["reused_items"] else ")"
            )
        elif v["reused"]:
            label += " (reused)"
        names[k] = label
    w = max(len(n) for n in names.values()) + 2
    lines = [f"{'stage':<{w}}{'seconds':>10}{'minutes':>10}", "-" * (w + 20)]
    for k, v in doc.items():
        s = float(v["seconds"])
        lines.append(f"{names[k]:<{w}}{s:>10.1f}{s / 60:>10.2f}")
    tot = sum(float(v["seconds"]) for v in doc.values())
    lines += ["-" * (w + 20), f"{'sum of stages':<{w}}{tot:>10.1f}{tot / 60:>10.2f}"]
    if wall_s is not None:
        lines.append(f"{'wall time of the build':<{w}}{wall_s:>10.1f}{wall_s / 60:>10.2f}")
    return "\n".join(lines)
