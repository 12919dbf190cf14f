"""Recipe of the GFN2-xTB (tblite) phase-space trajectories."""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from mdrepro.data.cache import CacheEntry, atomic_write_bytes
from mdrepro.data.recipes.common import json_bytes, package_version


def _build_xtb_md(
    params: dict[str, Any],
    ent: CacheEntry,
    progress: bool = True,
    platform_name: str | None = None,
    stop_after: int | None = None,
) -> dict[str, Any]:
    """GFN2-xTB (tblite + ASE) MD of a small molecule at one or more temperatures.

    The idealised geometry of ``params["molecule"]`` is optimised with GFN2-xTB, then every
    temperature gets a Langevin equilibration (``fixcm=False``) and an NVE production run
    recorded at every step (:func:`mdrepro.simulate.xtb.run_md`; production chunks are
    checkpointed in scratch, so an interrupted build resumes). Writes ``<T>K.npz`` per
    temperature with ``positions_nm`` ``(T, N, 3)``, ``velocities_nm_per_ps``,
    ``energy_kJ_per_mol`` ``(T,)`` and ``z`` ``(N,)``, and ``optimised.npz`` (the start
    geometry, Å, with its energy).
    """
    from mdrepro.data.phasespace import KJ_PER_EV, NM_PER_A, NMPS_PER_APFS
    from mdrepro.simulate import xtb

    symbols, pos0 = xtb.MOLECULES[params["molecule"]]()
    opt_file = ent.partial / "optimised.npz"
    if opt_file.is_file():
        with np.load(opt_file) as f:
            pos, e_opt = f["R"], float(f["E"])
    else:
        atoms = xtb.make_atoms(symbols, pos0)
        e_opt = xtb.optimise(atoms, params["optimise_fmax_eV_per_A"])
        pos = atoms.get_positions()
        buf = io.BytesIO()
        np.savez(buf, R=pos, E=e_opt, z=atoms.get_atomic_numbers())
        atomic_write_bytes(opt_file, buf.getvalue())
    z = xtb.make_atoms(symbols, pos).get_atomic_numbers()
    parts, summaries = {}, {}
    for k, T in enumerate(params["temperatures_K"]):
        label = f"{int(round(T))}K"
        out = ent.partial / f"{label}.npz"
        info = {
            "file": out.name,
            "temperature_K": float(T),
            "frame_interval_fs": params["timestep_fs"],
        }
        parts[label] = info
        if out.is_file():
            continue
        run, summary = xtb.run_md(
            symbols,
            pos,
            temperature_K=float(T),
            timestep_fs=params["timestep_fs"],
            equilibration_steps=params["equilibration_steps"],
            production_steps=params["production_steps"],
            friction_per_fs=params["friction_per_fs"],
            seed=params["seed"] + k,
            production=params["production"],
            scratch=ent.scratch,
            tag=label,
            chunk_steps=params["chunk_steps"],
            progress=progress,
            stop_after=stop_after,
        )
        summaries[label] = summary
        buf = io.BytesIO()
        np.savez(
            buf,
            positions_nm=(run.positions * NM_PER_A).astype(np.float32),
            velocities_nm_per_ps=(run.velocities * NMPS_PER_APFS).astype(np.float32),
            energy_kJ_per_mol=run.energy * KJ_PER_EV,
            z=z,
        )
        atomic_write_bytes(out, buf.getvalue())
        atomic_write_bytes(ent.partial / f"{label}_summary.json", json_bytes(summary))
    for label in parts:
        if label not in summaries:
            import json

            f = ent.partial / f"{label}_summary.json"
            summaries[label] = json.loads(f.read_text()) if f.is_file() else {}
    steps = params["equilibration_steps"] + params["production_steps"]
    return {
        "engine": "tblite (GFN2-xTB) through ASE",
        "engine_version": xtb.engine_version(),
        "ase_version": package_version("ase"),
        "molecule": params["molecule"],
        "method": "GFN2-xTB",
        "optimised_energy_eV": e_opt,
        "temperature_K": list(params["temperatures_K"]),
        "timestep_fs": params["timestep_fs"],
        "save_interval_fs": params["timestep_fs"],
        "seed": params["seed"],
        "steps": steps * len(parts),
        "frames": params["production_steps"] * len(parts),
        "production": params["production"],
        "run_summaries": summaries,
        "parts": parts,
    }


def build_xtb_md(params: dict[str, Any], ent: CacheEntry, **kwargs) -> dict[str, Any]:
    """:func:`_build_xtb_md` with tblite's OpenMP threads limited to ``params["cpu_threads"]``.

    GFN2-xTB is bit-reproducible on one thread; with more, OpenMP reductions may sum in a
    different order from run to run.
    """
    import tblite.interface  # noqa: F401 - load its OpenMP runtime before limiting it
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=params.get("cpu_threads")):
        return _build_xtb_md(params, ent, **kwargs)
