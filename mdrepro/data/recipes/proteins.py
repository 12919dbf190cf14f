"""Recipes of the OpenMM protein data sets: ADK at equilibrium, 100-alanine and deca-alanine
steered MD.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mdrepro.data.cache import CacheEntry
from mdrepro.data.recipes.common import (
    copy_simulation,
    engine_meta,
    minimised,
    save_npy,
    save_traj,
    steps_per_frame,
)
from mdrepro.units import KJ_PER_KCAL, KJ_PER_NM2_PER_KCAL_PER_A2


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
    pos = minimised(ent, topology, positions, spec, platform_name, params.get("cpu_threads"))
    mdtop = md.Topology.from_openmm(topology)
    top_path = ent.partial / "topology.pdb"
    if not top_path.is_file():
        from openmm import unit

        xyz = np.asarray(pos.value_in_unit(unit.nanometer), dtype=np.float32)[None]
        save_traj(md.Trajectory(xyz, mdtop), top_path)
    spf = steps_per_frame(params)
    files = []
    sim = None
    for c in range(params["n_copies"]):
        out = ent.partial / f"copy{c}.dcd"
        files.append(out.name)
        if out.is_file():
            continue
        sim = copy_simulation(topology, system, pos, params, c, platform_name)
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
        save_traj(md.Trajectory(rec["all"], mdtop, time=rec["time_ps"]), out)
    meta = engine_meta(sim, params, spec) if sim is not None else {"engine": "OpenMM"}
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
    """Poly-alanine helix pulled at constant velocity (NAMD-style SMD-CV), ``n_copies`` times.

    The N-terminal C-alpha is held by a stiff harmonic restraint; a spring of constant ``k``
    whose centre moves at ``speed`` along the initial end-to-end direction pulls the C-terminal
    C-alpha. Every copy pulls from the same minimised helix with its own velocities and noise
    (seed ``seed + copy``). Writes ``ca.pdb``/``ca<k>.dcd`` (C-alpha, every frame: the LSTM
    set), ``topology.pdb``/``all<k>.dcd`` (all atoms every ``allatom_every`` frames: the
    characterisation set) and ``pulling.npy`` (replica, time, spring centre, extension, force,
    work; the copies concatenated in order).
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
    pos = minimised(ent, topology, positions, spec, platform_name, params.get("cpu_threads"))
    xyz0 = np.asarray(pos.value_in_unit(unit.nanometer))
    axis = xyz0[c_ca] - xyz0[n_ca]
    direction = axis / np.linalg.norm(axis)
    k_pull = params["spring_k_kcal_per_A2"] * KJ_PER_NM2_PER_KCAL_PER_A2
    speed = params["speed_A_per_ps"] * 0.1  # nm/ps
    steering.add_position_restraint(
        system, [n_ca], xyz0, params["restraint_k_kcal_per_A2"] * KJ_PER_NM2_PER_KCAL_PER_A2
    )
    puller = steering.ConstantVelocityPuller(
        pulled_atom=c_ca, direction=direction, k=k_pull, speed=speed, r0=xyz0[c_ca]
    )
    puller.add_to(system)
    n_eq = int(round(params["equilibration_ps"] * 1000 / params["timestep_fs"]))
    spf = steps_per_frame(params)
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

    ca_top = mdtop.subset(ca)
    n_copies = int(params.get("n_copies", 1))
    tables, ca_files, all_files = [], [], []
    sim = None
    for c in range(n_copies):
        tab_out = ent.partial / f"pulling{c}.npy"
        ca_out, all_out = ent.partial / f"ca{c}.dcd", ent.partial / f"all{c}.dcd"
        ca_files.append(ca_out.name)
        all_files.append(all_out.name)
        if tab_out.is_file():  # written last: the copy is complete (a resumed build)
            tables.append(np.load(tab_out))
            continue
        # every copy pulls from the same minimised helix with its own velocities and noise
        sim = copy_simulation(topology, system, pos, params, c, platform_name)
        puller.set_time(sim.context, 0.0)
        if n_eq and not (ent.scratch / f"smd{c}_chunk00000.chk").is_file():
            sim.step(n_eq)  # spring centre at rest on the pulled atom
        streams = [Stream("ca", ca, 1), Stream("all", None, params["allatom_every"])]
        rec = run_frames(
            sim,
            params["n_frames"],
            spf,
            ent.scratch,
            f"smd{c}",
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
                np.full(len(sc.time_ps), c, dtype=np.int64),
                sc.time_ps,
                sc.centre_nm,
                sc.extension_nm,
                sc.force_pN,
                sc.end_to_end_nm,
                work_kj / KJ_PER_KCAL,
            ],
            names=[
                "replica",
                "time_ps",
                "centre_nm",
                "extension_nm",
                "force_pN",
                "end_to_end_nm",
                "work_kcal",
            ],
        )
        if c == 0:
            save_traj(md.Trajectory(rec["ca"][:1], ca_top), ent.partial / "ca.pdb")
        save_traj(md.Trajectory(rec["ca"], ca_top, time=rec["time_ps"]), ca_out)
        t_all = rec["time_ps"][:: params["allatom_every"]]
        save_traj(md.Trajectory(rec["all"], mdtop, time=t_all), all_out)
        save_npy(tab_out, table)  # last: marks the copy complete
        tables.append(table)
    pulling = np.concatenate(tables).view(np.recarray)
    save_npy(ent.partial / "pulling.npy", pulling)
    for c in range(n_copies):
        (ent.partial / f"pulling{c}.npy").unlink()
    xyz_min = np.asarray(pos.value_in_unit(unit.nanometer), dtype=np.float32)[None]
    save_traj(md.Trajectory(xyz_min, mdtop), ent.partial / "topology.pdb")
    last = pulling[pulling.replica == 0]
    meta = engine_meta(sim, params, spec) if sim is not None else {"engine": "OpenMM"}
    meta.update(
        {
            "n_copies": n_copies,
            "steps": params["n_frames"] * spf,
            "frames": params["n_frames"],
            "n_atoms": mdtop.n_atoms,
            "pulled_atom": c_ca,
            "restrained_atom": n_ca,
            "pull_direction": direction.round(6).tolist(),
            "spring_k_kJ_per_mol_nm2": k_pull,
            "speed_nm_per_ps": speed,
            "final_extension_nm": float(last.extension_nm[-1]),
            "max_force_pN": float(pulling.force_pN.max()),
            "total_work_kcal": float(last.work_kcal[-1]),
            "parts": {
                "characterisation": {
                    "topology": "topology.pdb",
                    "trajectories": all_files,
                    "frame_interval_fs": params["frame_interval_fs"] * params["allatom_every"],
                    "table_stride": params["allatom_every"],
                },
                "lstm": {
                    "topology": "ca.pdb",
                    "trajectories": ca_files,
                    "frame_interval_fs": params["frame_interval_fs"],
                },
            },
            "tables": {"pulling": "pulling.npy"},
        }
    )
    return meta


def build_decaala_smd(
    params: dict[str, Any],
    ent: CacheEntry,
    progress: bool = True,
    platform_name: str | None = None,
    stop_after: int | None = None,
) -> dict[str, Any]:
    """Deca-alanine stretched by a moving End2End distance restraint, independent replicas.

    A harmonic restraint of constant ``k`` on the distance between the C-alpha atoms of the
    first and last residue (a ``CustomBondForce``) has its centre moved linearly from
    ``start_A`` to ``end_A`` over each replica's ``n_frames`` frames (set once per frame), after
    ``equilibration_ps`` with the centre at ``start_A``. Every replica starts from the same
    minimised helix with its own velocities and noise (seed ``seed + replica``). Writes
    ``backbone.pdb`` and ``rep<r>_backbone.dcd`` (N, CA, C, O, every frame), ``topology.pdb``
    and ``rep<r>_all.dcd`` (all atoms every ``allatom_every`` frames) and ``pulling.npy``
    (replica, frame, time, restraint centre, End2End distance, restraint force), all replicas
    concatenated in replica order.
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
    )
    system = spec.create(topology)
    mdtop = md.Topology.from_openmm(topology)
    ca = mdtop.select("name CA")
    backbone = mdtop.select("backbone and name N CA C O")
    first, last = int(ca[0]), int(ca[-1])
    k = params["spring_k_kcal_per_A2"] * KJ_PER_NM2_PER_KCAL_PER_A2
    restraint = steering.MovingDistanceRestraint(
        first, last, k, params["start_A"] * 0.1, params["end_A"] * 0.1
    )
    restraint.add_to(system)
    pos = minimised(ent, topology, positions, spec, platform_name, params.get("cpu_threads"))
    xyz_min = np.asarray(pos.value_in_unit(unit.nanometer), dtype=np.float32)[None]
    save_traj(md.Trajectory(xyz_min, mdtop), ent.partial / "topology.pdb")
    save_traj(
        md.Trajectory(xyz_min[:, backbone], mdtop.subset(backbone)), ent.partial / "backbone.pdb"
    )
    spf = steps_per_frame(params)
    n_frames = params["n_frames"]
    n_eq = int(round(params["equilibration_ps"] * 1000 / params["timestep_fs"]))
    every = params["allatom_every"]
    bb_files, all_files, tables = [], [], []
    sim = None
    for r in range(params["n_replicas"]):
        bb_out, all_out = (
            ent.partial / f"rep{r:03d}_backbone.dcd",
            ent.partial / f"rep{r:03d}_all.dcd",
        )
        tab_out = ent.scratch / f"rep{r:03d}_pulling.npy"
        bb_files.append(bb_out.name)
        all_files.append(all_out.name)
        if not (bb_out.is_file() and all_out.is_file() and tab_out.is_file()):
            sim = copy_simulation(topology, system, pos, params, r, platform_name)
            tag = f"rep{r:03d}"
            restraint.set_centre(sim.context, restraint.start_nm)
            if n_eq and not (ent.scratch / f"{tag}_chunk00000.chk").is_file():
                sim.step(n_eq)  # centre at rest at start_A

            def after(simulation, frame, t_ps):
                x = simulation.context.getState(getPositions=True).getPositions(asNumpy=True)
                d = float(restraint.distance(x.value_in_unit(unit.nanometer)))
                c = float(restraint.frame_centre(frame, n_frames))
                return {"centre_nm": c, "end_to_end_nm": d, "force_kj_mol_nm": k * (c - d)}

            rec = run_frames(
                sim,
                n_frames,
                spf,
                ent.scratch,
                tag,
                [Stream("backbone", backbone, 1), Stream("all", None, every)],
                before_frame=restraint.before_frame_hook(n_frames),
                after_frame=after,
                chunk_frames=params["chunk_frames"],
                progress=progress,
                stop_after=stop_after,
            )
            sc = rec["scalars"]
            table = np.rec.fromarrays(
                [
                    np.full(n_frames, r, dtype=np.int64),
                    np.arange(n_frames, dtype=np.int64),
                    rec["time_ps"],
                    sc.centre_nm,
                    sc.end_to_end_nm,
                    sc.force_kj_mol_nm,
                ],
                names=[
                    "replica",
                    "frame",
                    "time_ps",
                    "centre_nm",
                    "end_to_end_nm",
                    "force_kj_mol_nm",
                ],
            )
            bb_top = mdtop.subset(backbone)
            save_traj(md.Trajectory(rec["backbone"], bb_top, time=rec["time_ps"]), bb_out)
            t_all = rec["time_ps"][::every]
            save_traj(md.Trajectory(rec["all"], mdtop, time=t_all), all_out)
            save_npy(tab_out, table)  # last: marks the replica complete
        tables.append(np.load(tab_out))
    table = np.concatenate(tables).view(np.recarray)
    save_npy(ent.partial / "pulling.npy", table)
    meta = (
        engine_meta(sim, params, spec)
        if sim is not None
        else {"engine": "OpenMM", "system": spec.describe()}
    )
    meta.update(
        {
            "n_replicas": params["n_replicas"],
            "frames_per_replica": n_frames,
            "steps_per_replica": n_frames * spf + n_eq,
            "n_atoms": mdtop.n_atoms,
            "n_backbone_atoms": int(len(backbone)),
            "termini": "charged, uncapped (NH3+ and COO-)",
            "restraint": restraint.describe(),
            "restraint_atoms": [first, last],
            "end_to_end_first_last_A": [
                float(10 * table.end_to_end_nm[table.frame == 0].mean()),
                float(10 * table.end_to_end_nm[table.frame == n_frames - 1].mean()),
            ],
            "parts": {
                "backbone": {
                    "topology": "backbone.pdb",
                    "trajectories": bb_files,
                    "frame_interval_fs": params["frame_interval_fs"],
                },
                "all": {
                    "topology": "topology.pdb",
                    "trajectories": all_files,
                    "frame_interval_fs": params["frame_interval_fs"] * every,
                },
            },
            "tables": {"pulling": "pulling.npy"},
        }
    )
    return meta
