"""Publish a finished run of a chapter above ci into ``results/<tier>/<chapter>/``.

The tiers are ``paper`` (the documents' protocols, ``results/paper/``) and ``extended`` (ci
with a paper's extended overrides, ``results/extended/``). ``mdrepro publish CHAPTER
[--profile extended]`` is the only way results enter either folder. It

1. refuses a working tree with uncommitted changes to tracked files (the commit it records
   must be the code that ran);
2. plans the chapter's units of work under the tier's profile, with no overrides, and
   requires every one of them in the results cache. A unit's cache key hashes its parameters,
   its data fingerprints and its study's code hash, so a unit run with other parameters, other
   data or other code is simply not found: this is the check that nothing differs from the
   tier's profile;
3. stores each unit as a small typed summary (:func:`compact`: per-frame distributions longer
   than :data:`COMPACT_MIN` values become :data:`N_QUANTILES` quantiles, which keep the
   median and the extremes exact), and refuses if the claims computed from the summaries
   differ from the claims computed from the full results;
4. writes the claims (with the current claims code), the chapter's figures (regenerated from
   the cached units through the paper's figure registry) and ``provenance.json``: commit, code
   hash and the sha256 of every module's source, params hash, lock-file hash, CPU/GPU,
   threads, wall times, the data manifests' checksums and the sha256 of every published file;
5. refuses more than :data:`LIMIT_BYTES`, and replaces the chapter's folder in one rename
   (nothing half-written is ever left in ``results/paper``).

:mod:`mdrepro.book.paper_scale` reads, verifies and renders what this module writes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import platform
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from mdrepro.errors import DataError

__all__ = [
    "COMPACT_MIN",
    "LIMIT_BYTES",
    "N_QUANTILES",
    "PAPER_RESULTS",
    "RESULTS",
    "TIERS",
    "compact",
    "params_hash",
    "publish",
    "rejudge",
]

ROOT = Path(__file__).resolve().parents[1]
#: Where published results live, one folder per tier (committed with the book).
RESULTS = ROOT / "results"
#: The tiers that are published (ci is built by every CI run and never published).
TIERS = ("extended", "paper")
#: Where published paper-scale results live.
PAPER_RESULTS = RESULTS / "paper"
#: Most bytes one chapter may publish.
LIMIT_BYTES = 5 * 1024 * 1024
#: 1-D arrays longer than this are stored as quantiles.
COMPACT_MIN = 4096
#: Quantiles kept of a compacted array (odd: the middle one is the median).
N_QUANTILES = 1001


# ------------------------------------------------------------------------------ summaries
def compact(obj: Any, path: str = "result") -> tuple[Any, list[str]]:
    """A small copy of a typed result: every 1-D float array longer than :data:`COMPACT_MIN`
    becomes its :data:`N_QUANTILES` quantiles (probabilities ``0, 0.001, ..., 1``).

    The median, minimum and maximum of such an array are unchanged (the median of the
    quantiles is the 0.5 quantile), and histograms of it keep their shape; its mean and
    standard deviation are approximate, so a claim that needs them must store them as numbers.

    Parameters
    ----------
    obj : dataclass instance, list, tuple, dict, array or scalar
    path : str
        Name of ``obj`` in the notes.

    Returns
    -------
    compacted : same type as ``obj``
    notes : list of str
        ``"result.rg_values_md: 400000 values -> 1001 quantiles"``, one per compacted array.
    """
    notes: list[str] = []

    def walk(x: Any, where: str) -> Any:
        if dataclasses.is_dataclass(x) and not isinstance(x, type):
            changes = {
                f.name: walk(getattr(x, f.name), f"{where}.{f.name}")
                for f in dataclasses.fields(x)
                if f.init
            }
            return dataclasses.replace(x, **changes)
        if isinstance(x, np.ndarray):
            if x.ndim == 1 and x.dtype.kind == "f" and x.size > COMPACT_MIN:
                q = np.quantile(x, np.linspace(0.0, 1.0, N_QUANTILES)).astype(x.dtype)
                notes.append(f"{where}: {x.size} values -> {N_QUANTILES} quantiles")
                return q
            return x
        if isinstance(x, list):
            return [walk(v, f"{where}[{i}]") for i, v in enumerate(x)]
        if isinstance(x, tuple):
            return tuple(walk(v, f"{where}[{i}]") for i, v in enumerate(x))
        if isinstance(x, dict):
            return {k: walk(v, f"{where}[{k!r}]") for k, v in x.items()}
        return x

    return walk(obj, path), notes


def params_hash(params: Mapping[str, Any]) -> str:
    """sha256 (16 hex) of a chapter's resolved parameters (canonical JSON)."""
    from mdrepro.data.cache import canonical_json

    return hashlib.sha256(canonical_json(params).encode()).hexdigest()[:16]


def sha256_file(path: str | Path) -> str:
    """sha256 (64 hex) of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=30
    ).stdout.strip()


def clean_commit() -> str:
    """The full commit hash of HEAD; raises :class:`DataError` if tracked files changed."""
    dirty = _git("status", "--porcelain", "--untracked-files=no")
    if dirty:
        files = [line[3:] for line in dirty.splitlines()]
        more = f" and {len(files) - 5} more" if len(files) > 5 else ""
        raise DataError(
            "expected a clean working tree to publish from (the commit must be the code that "
            f"ran), found uncommitted changes in {', '.join(files[:5])}{more}"
        )
    return _git("rev-parse", "HEAD")


# -------------------------------------------------------------------------------- helpers
def by_study(units: Sequence, results: Sequence) -> dict[str, list]:
    """Results grouped by study, in the order of ``units`` (the seeds' order)."""
    out: dict[str, list] = {}
    for u, r in zip(units, results, strict=True):
        out.setdefault(u.study, []).append(r)
    return out


def chapter_claims(chapter: str, grouped: Mapping[str, list], profile: str, seeds):
    """The chapter's claims from its units' results, with the current claims code (the
    paper's ``claims.from_units``).
    """
    from mdrepro import papers

    mod = papers.module(chapter, "claims")
    if not hasattr(mod, "from_units"):
        raise DataError(
            f"expected {mod.__name__}.from_units (claims from a chapter's units) to publish "
            f"{chapter}, found none: this chapter cannot be published yet"
        )
    return mod.from_units(grouped, profile, list(seeds))


def _same_claims(a, b) -> list[str]:
    """Differences between two claim sets: verdicts, and values beyond 1e-9 relative."""
    out = []
    va = {c.id: c for c in a.claims}
    vb = {c.id: c for c in b.claims}
    for cid in sorted(set(va) | set(vb)):
        ca, cb = va.get(cid), vb.get(cid)
        if ca is None or cb is None:
            out.append(f"{cid}: present in only one")
            continue
        if ca.verdict != cb.verdict:
            out.append(f"{cid}: verdict {ca.verdict} vs {cb.verdict}")
        if (ca.check_class, ca.lean) != (cb.check_class, cb.lean):
            out.append(
                f"{cid}: class / lean {ca.check_class} / {ca.lean} vs {cb.check_class} / {cb.lean}"
            )
        x, y = ca.value, cb.value
        if x is None or y is None:
            if (x is None) != (y is None):
                out.append(f"{cid}: value {x} vs {y}")
        elif not (math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)):
            out.append(f"{cid}: value {x} vs {y}")
    return out


def _timings(
    chapter: str, data_names: Sequence[str], profile: str = "paper", folder: Path | None = None
) -> list[dict]:
    """Stage records of the ``profile`` build of ``chapter`` (``build/timings``): the latest
    record of each of its stages made with this checkout's caches, whenever that build ran (a
    later build of another profile, which starts a new timing run, does not hide them).
    """
    from mdrepro.book import timings
    from mdrepro.data.cache import cache_root
    from mdrepro.results import results_root

    here = {"data": str(cache_root()), "results": str(results_root())}
    out = []
    for f in sorted(Path(folder or timings.TIMINGS).glob("*.json")):
        try:
            doc = json.loads(f.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        stage = str(doc.get("stage", ""))
        if not stage.endswith(f"({profile})") or any(doc.get(k, v) != v for k, v in here.items()):
            continue
        if stage.startswith((f"study: {chapter} |", f"run: {chapter}")) or any(
            stage.startswith(f"data: {n}") for n in data_names
        ):
            out.append({"stage": stage, "seconds": doc["seconds"], "reused": doc["reused"]})
    return sorted(out, key=lambda d: d["stage"])


def _gpu(device: str) -> str:
    if device != "cuda":
        return "none"
    try:  # pragma: no cover - GPU only
        import torch

        return torch.cuda.get_device_name(0)
    except Exception:  # pragma: no cover
        return "?"


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


# -------------------------------------------------------------------------------- publish
def publish(
    chapter: str,
    device: str = "cpu",
    out_root: str | Path | None = None,
    figures: bool = True,
    require_clean: bool = True,
    profile: str = "paper",
) -> Path:
    """Publish the results of ``chapter`` at a tier above ci (see the module docstring).

    Parameters
    ----------
    chapter : str
        Chapter id, e.g. ``"ch04"``.
    device : str
        The device the units ran on (``"cpu"`` or ``"cuda"``; part of each unit's key).
    out_root : path, optional
        Default ``results/<profile>``.
    figures : bool
        Regenerate the chapter's figures from the cached units.
    require_clean : bool
        Refuse a dirty tree (tests turn this off).
    profile : {"paper", "extended"}
        The tier.

    Returns
    -------
    pathlib.Path
        ``<out_root>/<chapter>``.
    """
    if profile not in TIERS:
        raise DataError(f"expected a tier to publish ({', '.join(TIERS)}), found {profile!r}")
    from mdrepro import papers, plots, provenance, results
    from mdrepro.data import entry
    from mdrepro.data.cache import atomic_write_text

    commit = clean_commit() if require_clean else _git("rev-parse", "HEAD")
    ch = papers.get_chapter(chapter)
    params = papers.module(ch, "params").resolve(ch.id, profile)
    jobs = papers.jobs(ch.id, profile, device)
    study = papers.module(ch, "study")
    store = study.store()
    missing = [f"{j.unit.study}/{j.unit.id}" for j in jobs if not store.has(j.unit)]
    if missing:
        raise DataError(
            f"expected all {len(jobs)} units of {ch.id} under the {profile} profile (device "
            f"{device}) in the results cache with this code, found {len(missing)} missing "
            f"({', '.join(missing[:4])}); run `mdrepro build {ch.id} --profile {profile}` first"
        )
    units = [j.unit for j in jobs]
    full = [store.get(u) for u in units]
    pairs = [compact(r, f"{u.study}/{u.id}") for u, r in zip(units, full, strict=True)]
    small, notes = [s for s, _ in pairs], [n for _, n in pairs]
    seeds = params["seeds"]
    claims_full = chapter_claims(ch.id, by_study(units, full), profile, seeds)
    claims = chapter_claims(ch.id, by_study(units, small), profile, seeds)
    diff = _same_claims(claims_full, claims)
    if diff:
        raise DataError(
            f"expected the compact summaries of {ch.id} to give the same claims as the full "
            f"results, found differences: {'; '.join(diff[:3])}"
        )

    out_root = Path(out_root) if out_root is not None else RESULTS / profile
    out = out_root / ch.id
    staging = out_root / f".{ch.id}.staging"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        unit_docs = []
        for u, r, note in zip(units, small, notes, strict=True):
            rel = Path("units") / u.study / f"{u.id}.npz"
            dst = staging / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_bytes(results.to_bytes(r))
            info = results.run_info_path(store.path(u))
            run = json.loads(info.read_text()) if info.is_file() else {}
            unit_docs.append(
                {
                    "study": u.study,
                    "id": u.id,
                    "key": u.key(store.code),
                    "file": rel.as_posix(),
                    "compacted": list(note),
                    "timings_s": run.get("timings", {}),
                    "host_cpu": run.get("cpu", ""),
                }
            )
        atomic_write_text(staging / "claims.json", claims.to_json())
        fig_files = []
        if figures:
            plots.set_style()
            ctx = papers.context(ch.id, profile, device)
            registry = papers.module(ch, "figures").FIGURES.get(ch.id, {})
            for name, make in registry.items():
                p = plots.save_figure(make(ctx), f"{ch.id}_{name}", staging / "figures")
                fig_files.append(p.relative_to(staging).as_posix())
                import matplotlib.pyplot as plt

                plt.close("all")
        data_docs = {}
        for name in ch.datasets:
            ent = entry(name, profile)
            mf = ent.path / "manifest.json"
            if not mf.is_file():
                continue
            meta = json.loads(mf.read_text())
            data_docs[name] = {
                "key": ent.key,
                "wall_time_s": meta.get("wall_time_s"),
                "built_at": meta.get("built_at"),
                "manifest_sha256": sha256_file(mf),
                "files": meta.get("files", {}),
            }
        modules = sorted(
            set(
                results.module_closure(
                    [*study.MODULES, f"mdrepro.papers.{ch.paper}.claims"]
                    + ([f"mdrepro.papers.{ch.paper}.figures"] if figures else [])
                )
            )
        )
        cpu, flags = provenance.cpu_model()
        doc = {
            "chapter": ch.id,
            "paper": ch.paper,
            "profile": profile,
            "status": "complete",
            "commit": commit,
            "committed_at": _git("log", "-1", "--format=%cI", commit),
            "code_hash": store.code,
            "params_hash": params_hash(params),
            "params": json.loads(json.dumps(params, default=str)),
            "seeds": list(seeds),
            "modules": {
                m: sha256_file(results._module_file(m))[:16]
                for m in modules
                if results._module_file(m)
            },
            "environment": {
                "requirements.lock": provenance.lock_hash(),
                "python": platform.python_version(),
                "versions": {
                    k: v
                    for k, v in provenance.versions().items()
                    if k in ("torch", "numpy", "openmm", "deeptime", "scipy")
                },
            },
            "machine": {
                "cpu": cpu,
                "cpu_flags_sha256": flags,
                "cores": os.cpu_count(),
                "gpu": _gpu(device),
                "device": device,
                "study_threads": results.STUDY_THREADS,
            },
            "data": data_docs,
            "units": unit_docs,
            "stages": _timings(ch.id, ch.datasets, profile),
            "claims": claims.summary(),
            "figures": fig_files,
        }
        files = sorted(
            p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file()
        )
        doc["files"] = {f: sha256_file(staging / f) for f in files}
        atomic_write_text(staging / "provenance.json", json.dumps(doc, indent=1) + "\n")
        size = _size(staging)
        if size > LIMIT_BYTES:
            raise DataError(
                f"expected at most {LIMIT_BYTES / 2**20:.0f} MiB of published results for "
                f"{ch.id}, found {size / 2**20:.1f} MiB"
            )
        _swap_in(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out


def _swap_in(staging: Path, out: Path) -> None:
    """Replace the folder ``out`` by ``staging`` in renames (nothing half-written is left)."""
    if out.exists():
        old = out.parent / f".{out.name}.old"
        shutil.rmtree(old, ignore_errors=True)
        out.rename(old)
        staging.rename(out)
        shutil.rmtree(old)
    else:
        staging.rename(out)


def rejudge(
    chapter: str,
    out_root: str | Path | None = None,
    require_clean: bool = True,
    profile: str = "paper",
) -> tuple[Path, list[str]]:
    """Re-judge a published chapter with the current claims code, from its stored units.

    The units are not recomputed: they must still match the code and the tier's profile (the
    result is not stale) and every published file must match its recorded checksum. Only
    ``claims.json`` is rewritten (new record fields, a changed check class or tolerance from
    the registry), and ``provenance.json`` records the re-judging: commit, date and the
    verdicts that changed. The folder is replaced in one rename.

    Returns
    -------
    folder : pathlib.Path
    changes : list of str
        ``"<claim>: <before> -> <after>"`` for every verdict or class that changed.
    """
    from mdrepro.book.claims import ClaimSet
    from mdrepro.book.paper_scale import Published
    from mdrepro.data.cache import atomic_write_text

    commit = clean_commit() if require_clean else _git("rev-parse", "HEAD")
    out_root = Path(out_root) if out_root is not None else RESULTS / profile
    folder = out_root / chapter
    prov_file = folder / "provenance.json"
    if not prov_file.is_file():
        raise DataError(f"expected a published {chapter} in {out_root}, found no provenance.json")
    prov = json.loads(prov_file.read_text())
    pub = Published(folder, prov, ClaimSet(chapter, prov.get("profile", profile)))
    problems = [p for p in pub.verify() if not p.startswith("claims.json vs recomputed")]
    if pub.stale() or problems:
        raise DataError(
            f"expected a current, intact published {chapter} to re-judge, found: "
            + "; ".join(pub.stale() + problems)
        )
    old = json.loads((folder / "claims.json").read_text()).get("claims", [])
    before = {c["id"]: (c["verdict"], c.get("class", "claim")) for c in old}
    claims = pub.recompute()
    changes = [
        f"{c.id}: {' / '.join(before.get(c.id, ('(none)', '')))} -> {c.verdict} / {c.check_class}"
        for c in claims.claims
        if before.get(c.id) != (c.verdict, c.check_class)
    ]
    staging = out_root / f".{chapter}.staging"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        shutil.copytree(folder, staging)
        atomic_write_text(staging / "claims.json", claims.to_json())
        prov["claims"] = claims.summary()
        prov.setdefault("rejudged", []).append(
            {
                "commit": commit,
                "committed_at": _git("log", "-1", "--format=%cI", commit),
                "why": "claims code or registry changed; verdicts recomputed from the stored "
                f"units, which still match the code and the {pub.tier} profile",
                "changes": changes,
            }
        )
        files = sorted(
            p.relative_to(staging).as_posix()
            for p in staging.rglob("*")
            if p.is_file() and p.name != "provenance.json"
        )
        prov["files"] = {f: sha256_file(staging / f) for f in files}
        atomic_write_text(staging / "provenance.json", json.dumps(prov, indent=1) + "\n")
        _swap_in(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder, changes
