"""Recipes: how each registered data set is simulated.

A recipe gets the parameters of one profile and a :class:`~mdrepro.data.cache.CacheEntry`,
writes its files into ``entry.partial`` (scratch work into ``entry.scratch``), and returns the
provenance that goes into the manifest. It must be resumable: finished pieces are skipped, an
interrupted production run continues from its last checkpoint.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np

from mdrepro.data.cache import CacheEntry, atomic_write_bytes
from mdrepro.data.registry import KCAL_PER_A2_TO_KJ_PER_NM2


def _save_npy(path: Path, arr: np.ndarray) -> None:
    buf = io.BytesIO()
    np.save(buf, arr)
    atomic_write_bytes(path, buf.getvalue())


def _save_traj(traj, path: Path) -> None:
    """Save an mdtraj trajectory (DCD or PDB by suffix) atomically."""
    tmp = path.with_name(f".{path.name}.tmp{path.suffix}")
    if path.suffix == ".pdb":
        traj.save_pdb(str(tmp))
    else:
        traj.save_dcd(str(tmp))
    tmp.replace(path)


def _engine_meta(simulation, params: dict[str, Any], spec) -> dict[str, Any]:
    import openmm

    return {
        "engine": "OpenMM",
        "engine_version": openmm.__version__,
        "platform": simulation.context.getPlatform().getName(),
        "system": spec.describe(),
        "temperature_K": params["temperature_K"],
        "timestep_fs": params["timestep_fs"],
        "save_interval_fs": params["frame_interval_fs"],
        "seed": params["seed"],
    }


def _steps_per_frame(params: dict[str, Any]) -> int:
    spf = params["frame_interval_fs"] / params["timestep_fs"]
    if abs(spf - round(spf)) > 1e-9:
        raise ValueError(
            f"frame interval {params['frame_interval_fs']} fs is not a multiple of the time "
            f"step {params['timestep_fs']} fs"
        )
    return int(round(spf))


def _minimised(ent: CacheEntry, topology, positions, spec, platform_name):
    """Minimise once and keep the result in scratch, so that a resumed build reuses it."""
    from openmm import unit

    from mdrepro.simulate import systems

    f = ent.scratch / "minimised.npy"
    if f.is_file():
        return np.load(f) * unit.nanometer
    pos = systems.minimize(topology, positions, spec, platform=platform_name or "auto")
    _save_npy(f, np.asarray(pos.value_in_unit(unit.nanometer)))
    return pos


def build_adk_equilibrium(
    params: dict[str, Any],
    ent: CacheEntry,
    progress: bool = True,
    platform_name: str | None = None,
    stop_after: int | None = None,
) -> dict[str, Any]:
    """Adenylate kinase (open, 4AKE), independent Langevin copies at constant temperature.

    Writes ``topology.pdb`` (all atoms, minimised) and ``copy<k>.dcd`` (all atoms, a frame
    every ``frame_interval_fs``).
    """
    import mdtraj as md

    from mdrepro.simulate import systems
    from mdrepro.simulate.runner import Stream, run_frames

    topology, positions = systems.adk_open()
    spec = systems.SystemSpec(
        forcefield=params["forcefield"],
        solvent=params["solvent"],
        cutoff_nm=params["cutoff_nm"],
    )
    system = spec.create(topology)
    pos = _minimised(ent, topology, positions, spec, platform_name)
    mdtop = md.Topology.from_openmm(topology)
    top_path = ent.partial / "topology.pdb"
    if not top_path.is_file():
        from openmm import unit

        xyz = np.asarray(pos.value_in_unit(unit.nanometer), dtype=np.float32)[None]
        _save_traj(md.Trajectory(xyz, mdtop), top_path)
    spf = _steps_per_frame(params)
    files = []
    sim = None
    for c in range(params["n_copies"]):
        out = ent.partial / f"copy{c}.dcd"
        files.append(out.name)
        if out.is_file():
            continue
        sim = systems.langevin_simulation(
            topology,
            system,
            pos,
            temperature_K=params["temperature_K"],
            timestep_fs=params["timestep_fs"],
            friction_per_ps=params["friction_per_ps"],
            platform=platform_name or "auto",
            seed=params["seed"] + c,
        )
        n_eq = int(round(params["equilibration_ps"] * 1000 / params["timestep_fs"]))
        if n_eq and not (ent.scratch / f"copy{c}_chunk00000.chk").is_file():
            sim.step(n_eq)
        rec = run_frames(
            sim,
            params["n_frames"],
            spf,
            ent.scratch,
            f"copy{c}",
            [Stream("all")],
            chunk_frames=params["chunk_frames"],
            progress=progress,
            stop_after=stop_after,
        )
        _save_traj(md.Trajectory(rec["all"], mdtop, time=rec["time_ps"]), out)
    meta = _engine_meta(sim, params, spec) if sim is not None else {"engine": "OpenMM"}
    meta.update(
        {
            "n_copies": params["n_copies"],
            "steps_per_copy": params["n_frames"] * spf,
            "frames_per_copy": params["n_frames"],
            "n_atoms": mdtop.n_atoms,
            "parts": {
                "production": {
                    "topology": "topology.pdb",
                    "trajectories": files,
                    "frame_interval_fs": params["frame_interval_fs"],
                }
            },
        }
    )
    return meta


def build_ala100_smd(
    params: dict[str, Any],
    ent: CacheEntry,
    progress: bool = True,
    platform_name: str | None = None,
    stop_after: int | None = None,
) -> dict[str, Any]:
    """Poly-alanine helix pulled at constant velocity (NAMD-style SMD-CV).

    The N-terminal C-alpha is held by a stiff harmonic restraint; a spring of constant ``k``
    whose centre moves at ``speed`` along the initial end-to-end direction pulls the C-terminal
    C-alpha. Writes ``ca.pdb``/``ca.dcd`` (C-alpha, every frame: the LSTM set),
    ``topology.pdb``/``all.dcd`` (all atoms every ``allatom_every`` frames: the
    characterisation set) and ``pulling.npy`` (time, spring centre, extension, force, work).
    """
    import mdtraj as md
    from openmm import unit

    from mdrepro.simulate import steering, systems
    from mdrepro.simulate.runner import Stream, run_frames

    topology, positions = systems.polyalanine_helix(params["n_residues"])
    spec = systems.SystemSpec(
        forcefield=params["forcefield"],
        solvent=params["solvent"],
        cutoff_nm=params["cutoff_nm"],
        remove_cm_motion=False,  # a pulled molecule must keep its centre-of-mass motion
    )
    system = spec.create(topology)
    mdtop = md.Topology.from_openmm(topology)
    ca = mdtop.select("name CA")
    n_ca, c_ca = int(ca[0]), int(ca[-1])
    pos = _minimised(ent, topology, positions, spec, platform_name)
    xyz0 = np.asarray(pos.value_in_unit(unit.nanometer))
    axis = xyz0[c_ca] - xyz0[n_ca]
    direction = axis / np.linalg.norm(axis)
    k_pull = params["spring_k_kcal_per_A2"] * KCAL_PER_A2_TO_KJ_PER_NM2
    speed = params["speed_A_per_ps"] * 0.1  # nm/ps
    steering.add_position_restraint(
        system, [n_ca], xyz0, params["restraint_k_kcal_per_A2"] * KCAL_PER_A2_TO_KJ_PER_NM2
    )
    puller = steering.ConstantVelocityPuller(
        pulled_atom=c_ca, direction=direction, k=k_pull, speed=speed, r0=xyz0[c_ca]
    )
    puller.add_to(system)
    sim = systems.langevin_simulation(
        topology,
        system,
        pos,
        temperature_K=params["temperature_K"],
        timestep_fs=params["timestep_fs"],
        friction_per_ps=params["friction_per_ps"],
        platform=platform_name or "auto",
        seed=params["seed"],
    )
    n_eq = int(round(params["equilibration_ps"] * 1000 / params["timestep_fs"]))
    puller.set_time(sim.context, 0.0)
    if n_eq and not (ent.scratch / "smd_chunk00000.chk").is_file():
        sim.step(n_eq)  # spring centre at rest on the pulled atom
    spf = _steps_per_frame(params)
    dt_ps = params["timestep_fs"] / 1000

    half_ps = 0.5 * spf * dt_ps

    def centre_time(frame: int) -> float:
        # pulling time counts from the end of equilibration; the centre is set for the middle
        # of each frame, so the staircase is never more than half a frame from v t
        return frame * spf * dt_ps + half_ps

    def before(simulation, frame, _t):
        puller.set_time(simulation.context, centre_time(frame))

    def after(simulation, frame, _t):
        x = simulation.context.getState(getPositions=True).getPositions(asNumpy=True)
        x = np.asarray(x.value_in_unit(unit.nanometer))
        centre = float(puller.displacement(centre_time(frame)))
        ext = float(puller.extension(x))
        return {
            "time_ps": (frame + 1) * spf * dt_ps,
            "centre_nm": centre,
            "extension_nm": ext,
            "force_pN": float(steering.kj_per_mol_nm_to_pn(puller.k * (centre - ext))),
            "end_to_end_nm": float(np.linalg.norm(x[c_ca] - x[n_ca])),
        }

    streams = [Stream("ca", ca, 1), Stream("all", None, params["allatom_every"])]
    rec = run_frames(
        sim,
        params["n_frames"],
        spf,
        ent.scratch,
        "smd",
        streams,
        before_frame=before,
        after_frame=after,
        chunk_frames=params["chunk_frames"],
        progress=progress,
        stop_after=stop_after,
    )
    sc = rec["scalars"]
    work_kj = steering.cumulative_work(
        steering.pn_to_kj_per_mol_nm(sc.force_pN), sc.time_ps, speed
    )
    table = np.rec.fromarrays(
        [
            sc.time_ps,
            sc.centre_nm,
            sc.extension_nm,
            sc.force_pN,
            sc.end_to_end_nm,
            work_kj / 4.184,
        ],
        names=["time_ps", "centre_nm", "extension_nm", "force_pN", "end_to_end_nm", "work_kcal"],
    )
    _save_npy(ent.partial / "pulling.npy", table)
    ca_top = mdtop.subset(ca)
    _save_traj(md.Trajectory(rec["ca"][:1], ca_top), ent.partial / "ca.pdb")
    _save_traj(md.Trajectory(rec["ca"], ca_top, time=rec["time_ps"]), ent.partial / "ca.dcd")
    xyz_min = np.asarray(pos.value_in_unit(unit.nanometer), dtype=np.float32)[None]
    _save_traj(md.Trajectory(xyz_min, mdtop), ent.partial / "topology.pdb")
    t_all = rec["time_ps"][:: params["allatom_every"]]
    _save_traj(md.Trajectory(rec["all"], mdtop, time=t_all), ent.partial / "all.dcd")
    meta = _engine_meta(sim, params, spec)
    meta.update(
        {
            "steps": params["n_frames"] * spf,
            "frames": params["n_frames"],
            "n_atoms": mdtop.n_atoms,
            "pulled_atom": c_ca,
            "restrained_atom": n_ca,
            "pull_direction": direction.round(6).tolist(),
            "spring_k_kJ_per_mol_nm2": k_pull,
            "speed_nm_per_ps": speed,
            "final_extension_nm": float(sc.extension_nm[-1]),
            "max_force_pN": float(sc.force_pN.max()),
            "total_work_kcal": float(table.work_kcal[-1]),
            "parts": {
                "characterisation": {
                    "topology": "topology.pdb",
                    "trajectories": ["all.dcd"],
                    "frame_interval_fs": params["frame_interval_fs"] * params["allatom_every"],
                    "table_stride": params["allatom_every"],
                },
                "lstm": {
                    "topology": "ca.pdb",
                    "trajectories": ["ca.dcd"],
                    "frame_interval_fs": params["frame_interval_fs"],
                },
            },
            "tables": {"pulling": "pulling.npy"},
        }
    )
    return meta
