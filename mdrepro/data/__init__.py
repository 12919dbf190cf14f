"""Data sets: registry, content-addressed cache, builders and loaders.

>>> from mdrepro import data
>>> data.names()                                   # doctest: +SKIP
['adk-equilibrium', 'ala100-smd']
>>> adk = data.load("adk-equilibrium", "ci")        # builds once, then verifies and loads
"""

from __future__ import annotations

import platform
import time
from pathlib import Path
from typing import Any

from mdrepro.data.cache import CacheEntry, cache_root, entry_key
from mdrepro.data.quiet import c_output_silenced
from mdrepro.data.registry import DATASETS, DatasetSpec, get, names
from mdrepro.data.trajset import TrajectorySet
from mdrepro.data.user import load_user, select_atoms
from mdrepro.errors import DataError

__all__ = [
    "DATASETS",
    "DatasetSpec",
    "TrajectorySet",
    "build",
    "cache_root",
    "entry",
    "fingerprint",
    "get",
    "load",
    "load_user",
    "names",
    "open_set",
    "select_atoms",
    "verify",
]


def entry(name: str, profile: str) -> CacheEntry:
    """The cache entry of data set ``name`` under ``profile`` (it may not exist yet).

    Its key hashes the name, the recipe version, the profile's parameters and the source of
    the recipe's code (:func:`mdrepro.data.recipes.code_hash`): a change to any of them builds
    a new entry and never reuses old files.
    """
    from mdrepro.data import recipes

    spec = get(name)
    code = recipes.code_hash(spec.recipe)
    return CacheEntry(name, entry_key(name, spec.version, spec.params_for(profile), code))


def build(
    name: str,
    profile: str = "ci",
    force: bool = False,
    progress: bool = True,
    platform_name: str | None = None,
    **recipe_kwargs: Any,
) -> Path:
    """Build data set ``name`` at ``profile`` sizes unless it is cached; resume a partial build.

    Parameters
    ----------
    name : str
        Registered name (:func:`names`).
    profile : {"ci", "paper"}
    force : bool
        Rebuild even if a verified entry exists.
    progress : bool
        Show progress bars.
    platform_name : str, optional
        OpenMM platform (``CUDA``, ``CPU``, ``Reference``); default the fastest available.
    **recipe_kwargs
        Passed to the recipe (tests use ``stop_after`` to interrupt a build).

    Returns
    -------
    Path
        The published cache folder.
    """
    spec = get(name)
    params = spec.params_for(profile)
    ent = entry(name, profile)
    if ent.exists() and not force:
        return ent.path
    with ent.locked():
        if ent.exists() and not force:  # built by another process while this one waited
            return ent.path
        return _build_locked(
            name, profile, spec, params, ent, progress, platform_name, recipe_kwargs
        )


def _build_locked(
    name, profile, spec, params, ent, progress, platform_name, recipe_kwargs
) -> Path:
    from mdrepro.data import recipes

    ent.begin()
    earlier = _previous_wall(ent)  # spent by interrupted attempts of this build
    t0 = time.perf_counter()
    recipe = recipes.get(spec.recipe)
    try:
        meta = recipe(params, ent, progress=progress, platform_name=platform_name, **recipe_kwargs)
    except BaseException:
        _record_wall(ent, earlier + time.perf_counter() - t0)
        raise
    wall = earlier + time.perf_counter() - t0
    manifest = {
        "profile": profile,
        "recipe": spec.recipe,
        "recipe_version": spec.version,
        "recipe_code": recipes.code_hash(spec.recipe),
        "params": params,
        "source": spec.source,
        "host": {"machine": platform.machine(), "python": platform.python_version()},
        "wall_time_s": round(wall, 2),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        **meta,
    }
    return ent.publish(manifest)


def _record_wall(ent: CacheEntry, seconds: float) -> None:
    """Remember the wall time of an interrupted attempt (the scratch folder survives it)."""
    from mdrepro.data.cache import atomic_write_text

    atomic_write_text(ent.scratch / "wall_time_s", f"{seconds:.3f}")


def _previous_wall(ent: CacheEntry) -> float:
    """Wall time already spent by interrupted attempts (recorded by recipes in scratch)."""
    f = ent.scratch / "wall_time_s"
    try:
        return float(f.read_text())
    except (OSError, ValueError):
        return 0.0


def verify(name: str, profile: str = "ci") -> dict:
    """Re-hash a built data set; returns its manifest or raises ChecksumError/DataError."""
    ent = entry(name, profile)
    if not ent.exists():
        raise DataError(
            f"{name} ({profile}) is not built; run `mdrepro data build {name} --profile {profile}`"
        )
    return ent.verify()


def load(
    name: str,
    profile: str = "ci",
    part: str | None = None,
    selection: str = "name CA",
    build_missing: bool = True,
    progress: bool = True,
) -> TrajectorySet:
    """Load a built-in data set as a :class:`TrajectorySet` (building it first if needed).

    Parameters
    ----------
    name : str
        Registered name.
    profile : {"ci", "paper"}
    part : str, optional
        Which recorded part, e.g. ``"lstm"`` or ``"characterisation"`` for ``ala100-smd``;
        default the data set's first part.
    selection : str
        mdtraj atom selection (default C-alpha atoms, the papers' low-dimensional set).
    build_missing : bool
        Build the set if it is not cached (else raise).

    Raises
    ------
    ChecksumError
        A cached file does not match its manifest.
    """
    import mdtraj as md
    import numpy as np

    ent = entry(name, profile)
    if not ent.exists():
        if not build_missing:
            raise DataError(f"{name} ({profile}) is not built and build_missing=False")
        build(name, profile, progress=progress)
    manifest = ent.verify()
    parts = manifest["parts"]
    requested = part
    if part is None:
        part = next(iter(parts))
    if part not in parts:
        from mdrepro.errors import UnknownNameError

        raise UnknownNameError(f"part of {name}", part, parts)
    info = parts[part]
    top = md.load_topology(str(ent.path / info["topology"]))
    idx = select_atoms(top, selection, source=f"{name}/{info['topology']}")
    with c_output_silenced():
        trajs = [
            md.load(str(ent.path / f), top=top, atom_indices=idx) for f in info["trajectories"]
        ]
    tables = {}
    for tname, fname in manifest.get("tables", {}).items():
        tables[tname] = np.load(ent.path / fname)
        if info.get("table_stride"):
            tables[tname] = tables[tname][:: info["table_stride"]]
    return TrajectorySet(
        name=name,
        trajectories=trajs,
        frame_interval_fs=float(info["frame_interval_fs"]),
        selection=selection,
        meta=manifest,
        tables=tables,
        part=requested,
    )


def fingerprint(
    name: str, profile: str, part: str | None = None, selection: str = "name CA"
) -> str:
    """What :meth:`TrajectorySet.fingerprint` of ``load(name, profile, part, selection)`` will
    be, computed without building or loading anything (a workflow plans with it).
    """
    from mdrepro.data.trajset import builtin_fingerprint

    return builtin_fingerprint(name, entry(name, profile).key, part, selection)


def open_set(
    name: str,
    profile: str = "ci",
    trajectory=None,
    topology=None,
    frame_interval_fs: float | None = None,
    selection: str = "name CA",
    part: str | None = None,
) -> TrajectorySet:
    """The built-in data set ``name``, or the user's files when ``trajectory`` is given.

    This is what chapter notebooks call with their ``*_TRAJECTORY`` / ``*_TOPOLOGY``
    parameters, so that a reader's own data flow through exactly the same analysis.

    Parameters
    ----------
    name : str
        Built-in data set to use when ``trajectory`` is None.
    profile : {"ci", "paper"}
    trajectory : path or list of paths, optional
        The user's trajectory file(s), one per copy.
    topology : path, optional
        The user's topology.
    frame_interval_fs : float, optional
        Time between the user's frames, fs (needed for formats without time stamps).
    selection : str
        mdtraj atom selection.
    part : str, optional
        Part of the built-in set (ignored for user data).
    """
    if trajectory is None:
        return load(name, profile, part=part, selection=selection)
    return load_user(
        trajectory,
        topology,
        selection=selection,
        frame_interval_fs=frame_interval_fs,
        name=f"{name} (user data)",
    )
