"""Measured speeds of this build, for the book's benchmark page.

Three sources, all written by the build itself (nothing here is typed in by hand):

* stage timings (``build/timings.json``, :mod:`mdrepro.book.timings`): install, each data set,
  each chapter, the HTML;
* data manifests (:mod:`mdrepro.data.cache`): engine, platform, simulated time and wall time of
  every built data set, hence ns/day;
* chapter records (``book/executed/benchmarks/<chapter>.json``, :func:`record`): e.g. training
  throughput of a model, written by the chapter notebook that measured it.

:func:`measured_markdown` turns them into the Markdown that ``mdrepro book`` writes to
``book/generated/benchmarks_measured.md``, which ``book/benchmarks.md`` includes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mdrepro.data.cache import atomic_write_text

FS_PER_NS = 1.0e6
SECONDS_PER_DAY = 86400.0


def ns_per_day(simulated_fs: float, wall_s: float) -> float:
    """Simulation speed in ns/day.

    Parameters
    ----------
    simulated_fs : float
        Simulated time, fs.
    wall_s : float
        Wall time it took, s (> 0).
    """
    if wall_s <= 0:
        raise ValueError(f"expected a positive wall time, found {wall_s}")
    return simulated_fs / FS_PER_NS / (wall_s / SECONDS_PER_DAY)


def simulated_fs(manifest: Mapping[str, Any]) -> float:
    """Total simulated production time of a data-set manifest, fs (all copies)."""
    p = manifest.get("params", {})
    dt = float(p.get("timestep_fs") or 0.0)
    if "steps_per_replica" in manifest:
        return float(manifest["steps_per_replica"]) * dt * int(manifest.get("n_replicas", 1))
    if "steps_per_copy" in manifest:
        return float(manifest["steps_per_copy"]) * dt * int(manifest.get("n_copies", 1))
    if "steps" in manifest:
        return float(manifest["steps"]) * dt
    if "frames" in manifest and p.get("frame_interval_fs"):
        return float(manifest["frames"]) * float(p["frame_interval_fs"])
    return 0.0


def data_rows(manifests: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per built data set: engine, platform, atoms, simulated time, wall time, ns/day.

    The wall time includes set-up and minimisation, so ns/day is a lower bound on the
    integrator's own speed.
    """
    rows = []
    for m in manifests:
        sim = simulated_fs(m)
        wall = float(m.get("wall_time_s", 0.0))
        p = m.get("params", {})
        rows.append(
            {
                "data set": m.get("name", "?"),
                "profile": m.get("profile", "?"),
                "engine": f"{m.get('engine', '?')} {m.get('engine_version', '')}".strip(),
                "platform": m.get("platform", "-"),
                "atoms": m.get("n_atoms", "-"),
                "model": (
                    f"{p['forcefield']} + {p['solvent']}"
                    if p.get("forcefield") and p.get("solvent")
                    else "-"
                ),
                "simulated (ps)": round(sim / 1000.0, 1) if sim else "-",
                "wall (s)": round(wall, 1),
                "ns/day": round(ns_per_day(sim, wall), 2) if sim and wall > 0 else "-",
            }
        )
    return rows


def record(chapter: str, rows: list[dict[str, Any]], directory: str | Path) -> Path:
    """Write a chapter's measured speeds to ``<directory>/<chapter>.json`` (atomically).

    Parameters
    ----------
    chapter : str
        Chapter id.
    rows : list of dict
        One dict per measurement, e.g. ``{"what": "LSTM training, ADK", "device": "cpu",
        "sequences/s": 1.2e5}``; all rows should share keys.
    directory : path
        Usually ``book/executed/benchmarks``.
    """
    path = Path(directory) / f"{chapter}.json"
    atomic_write_text(path, json.dumps({"chapter": chapter, "rows": rows}, indent=2, default=str))
    return path


def _md_table(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return []
    keys = list(rows[0])
    for r in rows[1:]:
        keys += [k for k in r if k not in keys]
    out = ["| " + " | ".join(keys) + " |", "| " + " | ".join("---" for _ in keys) + " |"]
    out += ["| " + " | ".join(str(r.get(k, "")) for k in keys) + " |" for r in rows]
    return out


def measured_markdown(
    stage_timings: Mapping[str, float],
    manifests: Iterable[Mapping[str, Any]],
    chapter_dir: str | Path | None = None,
) -> str:
    """The measured part of the benchmark page, as Markdown.

    Parameters
    ----------
    stage_timings : mapping
        Stage -> seconds (:func:`mdrepro.book.timings.load`).
    manifests : iterable of mapping
        Manifests of the built data sets.
    chapter_dir : path, optional
        Folder of chapter records written by :func:`record`.
    """
    out = ["## Stage timings of this build", ""]
    if stage_timings:
        rows = [
            {"stage": k, "seconds": f"{v:.0f}", "minutes": f"{v / 60:.1f}"}
            for k, v in stage_timings.items()
        ]
        tot = sum(stage_timings.values())
        rows.append({"stage": "**total**", "seconds": f"{tot:.0f}", "minutes": f"{tot / 60:.1f}"})
        out += _md_table(rows)
    else:
        out.append("*No stage timings recorded (the book was built without `make book`).*")
    out += ["", "## Simulation speed of the data sets in this build", ""]
    drows = data_rows(manifests)
    out += _md_table(drows) if drows else ["*No data set is built.*"]
    out += [
        "",
        "Wall time includes system set-up and minimisation, so ns/day is a lower bound on the "
        "integrator's own speed.",
    ]
    recs = sorted(Path(chapter_dir).glob("*.json")) if chapter_dir else []
    for f in recs:
        doc = json.loads(f.read_text())
        out += ["", f"## Chapter {doc['chapter']}: measured in the notebook", ""]
        out += _md_table(doc.get("rows", []))
    return "\n".join(out) + "\n"


def write_measured(path: str | Path, chapter_dir: str | Path, profile: str | None = None) -> Path:
    """Collect this checkout's timings, manifests and chapter records into ``path``."""
    from mdrepro import data
    from mdrepro.book import timings

    manifests, seen = [], set()
    for name in data.names():
        for prof in [profile] if profile else ["ci", "paper"]:
            ent = data.entry(name, prof)
            if ent.exists() and ent.path not in seen:  # profiles with equal params share one
                seen.add(ent.path)
                manifests.append(ent.manifest())
    text = measured_markdown(timings.load(), manifests, chapter_dir)
    atomic_write_text(Path(path), text)
    return Path(path)
