"""Helpers shared by the recipes: atomic, time-stamp-free writers and OpenMM provenance."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np

from mdrepro.data.cache import CacheEntry, atomic_write_bytes

#: What replaces the DCD plugin's "REMARKS Created <date> at <time>" title.
DCD_TITLE = b"REMARKS written by mdrepro (no time stamp)"


def save_npy(path: Path, arr: np.ndarray) -> None:
    """Save an array as ``.npy`` atomically (no time stamp)."""
    buf = io.BytesIO()
    np.save(buf, arr)
    atomic_write_bytes(path, buf.getvalue())


def save_traj(traj, path: Path) -> None:
    """Save an mdtraj trajectory (DCD or PDB by suffix) atomically, without a time stamp."""
    tmp = path.with_name(f".{path.name}.tmp{path.suffix}")
    if path.suffix == ".pdb":
        traj.save_pdb(str(tmp))
    else:
        traj.save_dcd(str(tmp))
        strip_dcd_timestamp(tmp)
    tmp.replace(path)


#: What replaces the DCD plugin's "REMARKS Created <date> at <time>" title.


def strip_dcd_timestamp(path: Path) -> None:
    """Replace the creation-date title of a DCD header in place.

    The VMD DCD plugin behind mdtraj's writer stamps ``REMARKS Created <date> at <time>`` into
    the second 80-byte title record and leaves the rest of that record uninitialised, so two
    writes of the same frames differ. The title is replaced by :data:`DCD_TITLE` padded with
    zero bytes; frames are untouched.

    Raises
    ------
    DataError
        If the file does not start with the DCD header records this expects.
    """
    import struct

    from mdrepro.errors import DataError

    with open(path, "r+b") as fh:
        head = fh.read(4 + 84 + 4 + 8)
        (n1,) = struct.unpack("<i", head[:4])
        if n1 != 84 or head[4:8] != b"CORD":
            raise DataError(f"{path}: expected a little-endian DCD header, found {head[:8]!r}")
        start = 4 + 84 + 4
        _, n_titles = struct.unpack("<ii", head[start : start + 8])
        for k in range(n_titles):
            off = start + 8 + 80 * k
            fh.seek(off)
            if fh.read(15) == b"REMARKS Created":
                fh.seek(off)
                fh.write(DCD_TITLE.ljust(80, b"\0"))


def engine_meta(simulation, params: dict[str, Any], spec) -> dict[str, Any]:
    """OpenMM provenance of a run: engine, version, platform and its properties, system."""
    import openmm

    return {
        "engine": "OpenMM",
        "engine_version": openmm.__version__,
        "platform": simulation.context.getPlatform().getName(),
        "platform_properties": {
            k: simulation.context.getPlatform().getPropertyValue(simulation.context, k)
            for k in simulation.context.getPlatform().getPropertyNames()
        },
        "system": spec.describe(),
        "temperature_K": params["temperature_K"],
        "timestep_fs": params["timestep_fs"],
        "save_interval_fs": params["frame_interval_fs"],
        "seed": params["seed"],
    }


def steps_per_frame(params: dict[str, Any]) -> int:
    """Integration steps between saved frames (the frame interval must be a multiple)."""
    spf = params["frame_interval_fs"] / params["timestep_fs"]
    if abs(spf - round(spf)) > 1e-9:
        raise ValueError(
            f"frame interval {params['frame_interval_fs']} fs is not a multiple of the time "
            f"step {params['timestep_fs']} fs"
        )
    return int(round(spf))


def copy_simulation(topology, system, positions, params: dict[str, Any], copy: int, platform_name):
    """A Langevin simulation of one independent copy (replica) of a recipe: the recipe's
    temperature, time step, friction and CPU threads, seed ``params["seed"] + copy``.

    Parameters
    ----------
    topology, system, positions
        OpenMM topology, system and starting positions (shared by every copy).
    params : dict
        The recipe's parameters (``temperature_K``, ``timestep_fs``, ``friction_per_ps``,
        ``seed``, optionally ``cpu_threads``).
    copy : int
        Index of the copy: its velocities and noise derive from ``seed + copy``.
    platform_name : str or None
        OpenMM platform (None: the fastest available).
    """
    from mdrepro.simulate import systems

    return systems.langevin_simulation(
        topology,
        system,
        positions,
        temperature_K=params["temperature_K"],
        timestep_fs=params["timestep_fs"],
        friction_per_ps=params["friction_per_ps"],
        platform=platform_name or "auto",
        threads=params.get("cpu_threads"),
        seed=params["seed"] + copy,
    )


def minimised(ent: CacheEntry, topology, positions, spec, platform_name, threads=None):
    """Minimise once and keep the result in scratch, so that a resumed build reuses it."""
    from openmm import unit

    from mdrepro.simulate import systems

    f = ent.scratch / "minimised.npy"
    if f.is_file():
        return np.load(f) * unit.nanometer
    pos = systems.minimize(
        topology, positions, spec, platform=platform_name or "auto", threads=threads
    )
    save_npy(f, np.asarray(pos.value_in_unit(unit.nanometer)))
    return pos


def json_bytes(obj) -> bytes:
    """Indented JSON as bytes."""
    import json

    return json.dumps(obj, indent=2).encode()


def package_version(package: str) -> str:
    """Installed version of ``package`` (``-`` if absent)."""
    import importlib.metadata as im

    try:
        return im.version(package)
    except im.PackageNotFoundError:  # pragma: no cover
        return "-"
