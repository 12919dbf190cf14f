"""Checks before any computation: writable folders with room, intact caches, honest stamps.

* :func:`check_folder` - a folder that a stage will write into exists (or can be made), takes a
  file, and has room for an estimate of the output; otherwise one line says what was expected
  and what was found, before minutes of work are lost at the save;
* :func:`verify_results` / :func:`verify_data` - re-hash the results cache and the data cache
  against their recorded checksums (``mdrepro verify``); with ``repair`` a damaged result or
  data set is moved aside (``.damaged/``) so that the next build recomputes it;
* :func:`prepare_workflow` - what ``mdrepro build`` runs first: the checks above for the
  plan's own files, and a chapter stamp dropped when one of its units' results is missing
  (Snakemake does not rerun a finished chapter for a missing intermediate file).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from mdrepro.errors import MdreproError
from mdrepro.results import StorageError

__all__ = [
    "Damage",
    "StorageError",
    "check_folder",
    "estimate_data_bytes",
    "prepare_workflow",
    "verify_data",
    "verify_results",
]

#: Room a missing result of a unit of work is assumed to need when none is cached yet, bytes.
UNIT_BYTES = 4 << 20
#: Room a data set is assumed to need when no entry of it was ever built here, bytes (the
#: largest ci set is 60 MB; paper sets run to a few GB).
DATA_BYTES = {"ci": 64 << 20, "extended": 64 << 20, "paper": 4 << 30}
#: Headroom kept free besides the estimate, bytes.
MARGIN_BYTES = 16 << 20


def format_bytes(n: float) -> str:
    """A size in bytes as people read it (``512 MB``, ``1.5 TB``)."""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024:
            return f"{n:.0f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"


def check_folder(folder: str | Path, need_bytes: int = 0, what: str = "output") -> Path:
    """Make sure ``folder`` can take ``need_bytes`` more bytes of ``what``.

    Parameters
    ----------
    folder : path-like
        Created (with its parents) when missing.
    need_bytes : int
        Estimated size of what will be written, bytes; :data:`MARGIN_BYTES` more must be free.
    what : str
        What goes there, for the message (``"the results cache"``).

    Raises
    ------
    StorageError
        One line: the folder cannot be created or written, or has too little room.
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".mdrepro-write-probe.")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise StorageError(
            f"expected {what} at {folder} to be writable, found {exc.strerror or exc}; free it "
            "or point the stage elsewhere (MDREPRO_DATA_DIR, MDREPRO_RESULTS_DIR)"
        ) from None
    free = shutil.disk_usage(folder).free
    if need_bytes and free < need_bytes + MARGIN_BYTES:
        need, margin = format_bytes(need_bytes + MARGIN_BYTES), format_bytes(MARGIN_BYTES)
        raise StorageError(
            f"expected at least {need} free for {what} at {folder} (an estimate of what this "
            f"run writes, plus {margin}), found {format_bytes(free)}"
        )
    return folder


def estimate_data_bytes(name: str, profile: str) -> int:
    """Bytes a build of data set ``name`` will write: 0 when it is built, else the size of the
    largest entry of the same set and profile built here before (another key), else
    :data:`DATA_BYTES`.
    """
    import json

    from mdrepro import data

    ent = data.entry(name, profile)
    if ent.exists():
        return 0
    sizes = []
    for mf in (ent.root / name).glob("*/manifest.json"):
        try:
            doc = json.loads(mf.read_text())
        except (OSError, ValueError):
            continue
        if doc.get("profile") == profile:
            sizes.append(sum(f.get("bytes", 0) for f in doc.get("files", {}).values()))
    return max(sizes) if sizes else DATA_BYTES.get(profile, DATA_BYTES["paper"])


def _mean_result_bytes(root: Path) -> int:
    sizes = [f.stat().st_size for f in list(Path(root).rglob("*.npz"))[:200]]
    return int(sum(sizes) / len(sizes)) if sizes else UNIT_BYTES


# ---------------------------------------------------------------------------- verification
@dataclass
class Damage:
    """What :func:`verify_results` / :func:`verify_data` found.

    Attributes
    ----------
    checked : int
        Files (results) or data sets checked.
    damaged : list of str
        One line per damaged file or set: what, why, and what happens to it.
    moved : list of Path
        Where damaged items were moved (with ``repair``).
    ok : list of str
        Data sets found intact (``name/key (profile)``).
    """

    checked: int = 0
    damaged: list = field(default_factory=list)
    moved: list = field(default_factory=list)
    ok: list = field(default_factory=list)


def _aside(path: Path, root: Path) -> Path:
    dest = root / ".damaged" / time.strftime("%Y%m%dT%H%M%S") / path.relative_to(root)
    dest.parent.mkdir(parents=True, exist_ok=True)
    os.replace(path, dest)
    return dest


def verify_results(root: str | Path | None = None, repair: bool = False, paths=None) -> Damage:
    """Re-hash result files against the sha256 recorded when they were saved.

    Parameters
    ----------
    root : path-like, optional
        The results cache (default :func:`mdrepro.results.results_root`).
    repair : bool
        Move damaged files (and their side files) to ``<root>/.damaged/``; the next build or
        ``study run`` recomputes them.
    paths : iterable of path-like, optional
        Only these result files (default: every ``.npz`` under ``root``).
    """
    from mdrepro import results

    root = Path(root) if root is not None else results.results_root()
    out = Damage()
    files = (
        sorted(Path(p) for p in paths if Path(p).is_file())
        if paths is not None
        else sorted(f for f in root.rglob("*.npz") if ".damaged" not in f.parts)
    )
    for f in files:
        out.checked += 1
        why = results.check(f)
        if why is None:
            continue
        if repair:
            side = results.run_info_path(f)
            dest = _aside(f, root)
            if side.is_file():
                os.replace(side, results.run_info_path(dest))
            out.moved.append(dest)
            out.damaged.append(f"{f}: {why}; moved to {dest}, the next build recomputes it")
        else:
            out.damaged.append(f"{f}: {why}; `mdrepro verify --repair` moves it aside")
    return out


def verify_data(profile: str | None = None, repair: bool = False, names=None) -> Damage:
    """Re-hash built data sets against their manifests.

    Parameters
    ----------
    profile : str, optional
        Only sets built for this profile (default: every profile).
    repair : bool
        Move a damaged set's folder to ``<cache>/.damaged/``; the next build simulates it again.
    names : iterable of str, optional
        Only the current entries (this code's keys) of these sets; default: every entry in the
        cache, whatever its key.
    """
    import json

    from mdrepro import data
    from mdrepro.data.cache import CacheEntry, cache_root

    out = Damage()
    if names is not None:
        entries = [data.entry(n, profile or "ci") for n in names]
        entries = [e for e in entries if e.exists()]
    else:
        entries = []
        for mf in sorted(cache_root().glob("*/*/manifest.json")):
            if ".damaged" in mf.parts:
                continue
            try:
                prof = json.loads(mf.read_text()).get("profile")
            except (OSError, ValueError):
                prof = None  # an unreadable manifest is damage: verify() says so
            if profile is None or prof in (profile, None):
                entries.append(CacheEntry(mf.parent.parent.name, mf.parent.name))
    for ent in entries:
        out.checked += 1
        try:
            doc = ent.verify()
        except MdreproError as exc:
            label = f"{ent.name}/{ent.key}"
            if repair:
                dest = _aside(ent.path, ent.root)
                out.moved.append(dest)
                out.damaged.append(f"{label}: {exc}; moved to {dest}, the next build rebuilds it")
            else:
                out.damaged.append(f"{label}: {exc}; `mdrepro verify --repair` moves it aside")
            continue
        out.ok.append(f"{ent.name}/{ent.key} ({doc.get('profile', '?')})")
    return out


# ------------------------------------------------------------------------------- workflow
def prepare_workflow(plan, say=print, chapters: bool = True) -> list[str]:
    """Everything ``mdrepro build`` checks before Snakemake starts (see the module docstring).

    Parameters
    ----------
    plan : mdrepro.workflow.Plan
    say : callable
        Where the one-line reports go.
    chapters : bool
        Whether this build runs the chapters (False for ``--units-only``).

    Returns
    -------
    list of str
        Files the workflow must make besides its usual targets: every missing unit result and
        (when ``chapters``) every missing chapter stamp. Snakemake does not remake a missing
        intermediate file while the final page is up to date ("Nothing to be done"), so they
        are named as targets.

    Raises
    ------
    StorageError
        A folder the build writes into is read-only or too full for the missing outputs.
    """
    from mdrepro import results
    from mdrepro.data.cache import cache_root

    data_need = sum(estimate_data_bytes(n, plan.profile) for n in plan.data)
    check_folder(cache_root(), data_need, "the data cache")
    res_root = results.results_root()
    targets = [t for ts in plan.units.values() for t in ts]
    missing = [t for t in targets if not t.path.is_file()]
    check_folder(res_root, len(missing) * _mean_result_bytes(res_root), "the results cache")
    if plan.chapters:
        check_folder(plan.stamp(next(iter(plan.chapters))).parent, 0, "the chapter stamps")
    dmg = verify_results(res_root, repair=True, paths=[t.path for t in targets])
    for line in dmg.damaged:
        say(f"mdrepro: {line}")
    bad = verify_data(plan.profile, repair=True, names=list(plan.data))
    for line in bad.damaged:
        say(f"mdrepro: {line}")
    targets: list[str] = []
    for chapter, units in plan.units.items():
        stamp = plan.stamp(chapter)
        gone = [t for t in units if not t.path.is_file()]
        targets += [str(t.path) for t in gone]
        if gone and stamp.is_file():
            stamp.unlink()
            say(
                f"mdrepro: {chapter}: {len(gone)} unit result(s) missing (e.g. "
                f"{gone[0].study}/{gone[0].id}); they are recomputed and the chapter reruns"
            )
        if chapters and not stamp.is_file():
            targets.append(str(stamp))
    return targets


def os_error_line(exc: OSError) -> str:
    """One line for an ``OSError`` that reached the command line."""
    import errno

    where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
    hint = ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM):
        hint = " (a full disk or a read-only folder?)"
    return f"could not access{where}: {exc.strerror or exc}{hint}"
