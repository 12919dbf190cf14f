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
from mdrepro.data.quiet import c_output_silenced
from mdrepro.units import KJ_PER_KCAL, KJ_PER_NM2_PER_KCAL_PER_A2


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
    k_pull = params["spring_k_kcal_per_A2"] * KJ_PER_NM2_PER_KCAL_PER_A2
    speed = params["speed_A_per_ps"] * 0.1  # nm/ps
    steering.add_position_restraint(
        system, [n_ca], xyz0, params["restraint_k_kcal_per_A2"] * KJ_PER_NM2_PER_KCAL_PER_A2
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
            work_kj / KJ_PER_KCAL,
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
    pos = _minimised(ent, topology, positions, spec, platform_name)
    xyz_min = np.asarray(pos.value_in_unit(unit.nanometer), dtype=np.float32)[None]
    _save_traj(md.Trajectory(xyz_min, mdtop), ent.partial / "topology.pdb")
    _save_traj(
        md.Trajectory(xyz_min[:, backbone], mdtop.subset(backbone)), ent.partial / "backbone.pdb"
    )
    spf = _steps_per_frame(params)
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
            sim = systems.langevin_simulation(
                topology,
                system,
                pos,
                temperature_K=params["temperature_K"],
                timestep_fs=params["timestep_fs"],
                friction_per_ps=params["friction_per_ps"],
                platform=platform_name or "auto",
                seed=params["seed"] + r,
            )
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
            _save_traj(md.Trajectory(rec["backbone"], bb_top, time=rec["time_ps"]), bb_out)
            t_all = rec["time_ps"][::every]
            _save_traj(md.Trajectory(rec["all"], mdtop, time=t_all), all_out)
            _save_npy(tab_out, table)  # last: marks the replica complete
        tables.append(np.load(tab_out))
    table = np.concatenate(tables).view(np.recarray)
    _save_npy(ent.partial / "pulling.npy", table)
    meta = (
        _engine_meta(sim, params, spec)
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


def build_xtb_md(
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
        atomic_write_bytes(ent.partial / f"{label}_summary.json", _json_bytes(summary))
    for label in parts:
        if label not in summaries:
            import json

            f = ent.partial / f"{label}_summary.json"
            summaries[label] = json.loads(f.read_text()) if f.is_file() else {}
    steps = params["equilibration_steps"] + params["production_steps"]
    return {
        "engine": "tblite (GFN2-xTB) through ASE",
        "engine_version": xtb.engine_version(),
        "ase_version": _version("ase"),
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


def _json_bytes(obj) -> bytes:
    import json

    return json.dumps(obj, indent=2).encode()


def _version(package: str) -> str:
    import importlib.metadata as im

    try:
        return im.version(package)
    except im.PackageNotFoundError:  # pragma: no cover
        return "-"


def build_fourwell_bd(
    params: dict[str, Any],
    ent: CacheEntry,
    progress: bool = True,
    platform_name: str | None = None,
) -> dict[str, Any]:
    """Overdamped Brownian dynamics on the four-well potential (deeptime's C++ integrator).

    Writes ``x.npy``: ``(n_frames,)`` float64 positions every ``save_every`` steps of size
    ``h`` (dimensionless units, ``kT = 1``, unit diffusivity), prefactor ``a`` (see
    :func:`mdrepro.simulate.fourwell.simulate`).
    """
    from mdrepro.simulate import fourwell

    out = ent.partial / "x.npy"
    if not out.is_file():
        x = fourwell.simulate(
            params["a"], params["n_steps"], params["h"], params["save_every"], params["seed"]
        )
        _save_npy(out, x)
    x = np.load(out)
    return {
        "engine": "deeptime prinz_potential (C++ Euler-Maruyama)",
        "engine_version": _version("deeptime"),
        "a": params["a"],
        "steps": params["n_steps"],
        "frames": int(len(x)),
        "seed": params["seed"],
        "parts": {"x": {"array": "x.npy", "frame_interval": params["h"] * params["save_every"]}},
    }


def build_trpcage_go(
    params: dict[str, Any],
    ent: CacheEntry,
    progress: bool = True,
    platform_name: str | None = None,
    stop_after: int | None = None,
) -> dict[str, Any]:
    """Cooperative C-alpha Go model of Trp-cage (1L2Y) at its folding midpoint, Langevin MD.

    The temperature is chosen by a scan: short runs at ``scan_temperatures_K`` (each
    ``scan_ps``) give the mean fraction of native contacts ``<Q>(T)``, and the production
    temperature is where the linear interpolation of ``<Q>(T)`` crosses ``q_mid`` (the scan
    result is kept in the manifest). Then one production run of ``n_frames`` frames through the
    resumable runner. Writes ``topology.pdb`` (20 C-alpha beads, native positions) and
    ``traj.dcd``; the manifest keeps the ``Q`` histogram, the barrier along ``Q`` in kT and the
    core-to-core (``Q <= 0.3`` / ``Q >= 0.7``) transition count
    (:func:`mdrepro.simulate.gomodel.q_cooperativity`).
    """
    import json

    import mdtraj as md
    from openmm import unit

    from mdrepro.simulate import gomodel, systems
    from mdrepro.simulate.runner import Stream, run_frames

    plat = params.get("platform") or platform_name or "auto"
    top, system, x0 = gomodel.build_go_system(params["eps_kj"])
    mdtop = md.Topology.from_openmm(top)
    scan_file = ent.scratch / "scan.json"
    if scan_file.is_file():
        scan = json.loads(scan_file.read_text())
    else:
        q_mean = []
        spf_scan = 100
        n_scan = int(round(params["scan_ps"] * 1000 / params["timestep_fs"] / spf_scan))
        for k, T in enumerate(params["scan_temperatures_K"]):
            sim = systems.langevin_simulation(
                top,
                system,
                x0,
                T,
                params["timestep_fs"],
                params["friction_per_ps"],
                platform=plat,
                seed=params["seed"] + 1000 + k,
            )
            qs = []
            for _ in range(n_scan):
                sim.step(spf_scan)
                pos = sim.context.getState(getPositions=True).getPositions(asNumpy=True)
                qs.append(gomodel.fraction_native(pos.value_in_unit(unit.nanometer)[None])[0])
            q_mean.append(float(np.mean(qs[n_scan // 5 :])))
        temps = np.asarray(params["scan_temperatures_K"], dtype=float)
        q = np.asarray(q_mean)
        order = np.argsort(q)
        t_mid = float(np.interp(params["q_mid"], q[order], temps[order]))
        scan = {"temperatures_K": temps.tolist(), "mean_Q": q_mean, "midpoint_K": t_mid}
        atomic_write_bytes(scan_file, _json_bytes(scan))
    T = round(scan["midpoint_K"], 1)
    _save_traj(md.Trajectory(x0[None].astype(np.float32), mdtop), ent.partial / "topology.pdb")
    out = ent.partial / "traj.dcd"
    spf = _steps_per_frame(params)
    if not out.is_file():
        sim = systems.langevin_simulation(
            top,
            system,
            x0,
            T,
            params["timestep_fs"],
            params["friction_per_ps"],
            platform=plat,
            seed=params["seed"],
        )
        n_eq = int(round(params["equilibration_ps"] * 1000 / params["timestep_fs"]))
        if n_eq and not (ent.scratch / "prod_chunk00000.chk").is_file():
            sim.step(n_eq)
        rec = run_frames(
            sim,
            params["n_frames"],
            spf,
            ent.scratch,
            "prod",
            [Stream("ca", None, 1)],
            chunk_frames=params["chunk_frames"],
            progress=progress,
            stop_after=stop_after,
        )
        _save_traj(md.Trajectory(rec["ca"], mdtop, time=rec["time_ps"]), out)
    with c_output_silenced():
        traj = md.load(str(out), top=str(ent.partial / "topology.pdb"))
    q = gomodel.fraction_native(traj.xyz)
    coop = gomodel.q_cooperativity(q)
    return {
        "engine": "OpenMM",
        "engine_version": _version("openmm"),
        "platform": plat,
        "system": "C-alpha Go model of 1L2Y model 1 (mdrepro.simulate.gomodel)",
        "temperature_K": T,
        "temperature_scan": scan,
        "temperature_rule": (
            f"linear interpolation of the scan's mean Q(T) at Q = {params['q_mid']:g} "
            "(two-state model: about equal folded and unfolded populations)"
        ),
        "many_body": {"scale": gomodel.MANY_BODY_SCALE, "power": gomodel.MANY_BODY_POWER},
        "timestep_fs": params["timestep_fs"],
        "save_interval_fs": params["frame_interval_fs"],
        "seed": params["seed"],
        "frames": params["n_frames"],
        "mean_Q": float(q.mean()),
        "Q_cooperativity": coop,
        "parts": {
            "ca": {
                "topology": "topology.pdb",
                "trajectories": ["traj.dcd"],
                "frame_interval_fs": params["frame_interval_fs"],
            }
        },
    }
