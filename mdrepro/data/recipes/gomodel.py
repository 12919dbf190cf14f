"""Recipe of the Trp-cage C-alpha Go-model trajectory (OpenMM, Reference platform)."""

from __future__ import annotations

from typing import Any

import numpy as np

from mdrepro.data.cache import CacheEntry, atomic_write_bytes
from mdrepro.data.quiet import c_output_silenced
from mdrepro.data.recipes.common import json_bytes, package_version, save_traj, steps_per_frame


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
        atomic_write_bytes(scan_file, json_bytes(scan))
    T = round(scan["midpoint_K"], 1)
    save_traj(md.Trajectory(x0[None].astype(np.float32), mdtop), ent.partial / "topology.pdb")
    out = ent.partial / "traj.dcd"
    spf = steps_per_frame(params)
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
        save_traj(md.Trajectory(rec["ca"], mdtop, time=rec["time_ps"]), out)
    with c_output_silenced():
        traj = md.load(str(out), top=str(ent.partial / "topology.pdb"))
    q = gomodel.fraction_native(traj.xyz)
    coop = gomodel.q_cooperativity(q)
    return {
        "engine": "OpenMM",
        "engine_version": package_version("openmm"),
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
