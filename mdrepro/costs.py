"""What the ``paper`` profile costs on this machine, stage by stage, from timed probes.

Most paper-profile stages take days on a 2-core CPU (all-atom proteins in GBn2 implicit
solvent). This module measures each one with a short run of its *own engine and settings* and
extrapolates linearly in the number of integration steps (data sets) or in the amount of
training work (studies):

* **OpenMM data sets** (``adk-equilibrium``, ``ala100-smd``, ``decaala-smd``): the paper's
  system (same builder, force field, solvent, cutoff, time step, one CPU thread as the recipe
  uses) is minimised briefly and integrated for at least ``seconds``; steps/s gives the
  production cost of every copy or replica. Set-up (minimisation) is reported apart.
* **GFN2-xTB data sets** (``mda-xtb``, ``benzene-xtb``): :func:`mdrepro.simulate.xtb.run_md`
  at the paper's time step for at least ``seconds``.
* **Data sets already built at paper scale** (``trpcage-go``, ``fourwell-bd``): their measured
  wall time from the manifest, nothing extrapolated.
* **Studies**: the ci stage's measured wall time (from the last build's stage timings) scaled
  by the ratio of training work, paper over ci (frames x epochs x units, from the two
  profiles' parameters); a published paper-scale study reports its measured time instead.

The probes write ``results/paper/costs.json`` (:func:`write`); the benchmarks page renders it
(:func:`markdown`). These are estimates for planning, labelled as such, never results.
"""

from __future__ import annotations

import json
import math
import platform
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mdrepro.errors import DataError

__all__ = ["StageCost", "data_steps", "markdown", "probe", "write"]

ROOT = Path(__file__).resolve().parents[1]
COSTS = ROOT / "results" / "paper" / "costs.json"
#: Shortest probe the issue allows, s.
MIN_PROBE_S = 120.0


@dataclass
class StageCost:
    """The cost of one paper-profile stage on the probing machine.

    Attributes
    ----------
    stage : str
        ``"data: adk-equilibrium"`` or ``"study: ch02"``.
    method : str
        ``"probe"`` (timed short run, extrapolated), ``"measured"`` (ran to the end) or
        ``"model"`` (ci time x work ratio).
    work : str
        What the paper profile asks for (e.g. ``"5 copies x 100 ps at 1 fs"``).
    probe : str
        What was timed (e.g. ``"1 copy, 152 steps in 121 s"``).
    probe_s : float
        Wall time of the timed run, s.
    rate : str
        The measured rate (steps/s, ns/day).
    setup_s : float
        One-off set-up measured (minimisation), s.
    estimate_h : float
        Estimated wall time of the stage on one core, hours.
    parallel : int
        Independent pieces (copies, replicas, temperatures, units) that could run side by side.
    note : str
    """

    stage: str
    method: str
    work: str
    probe: str = ""
    probe_s: float = math.nan
    rate: str = ""
    setup_s: float = 0.0
    estimate_h: float = math.nan
    parallel: int = 1
    note: str = ""

    def on_cores(self, cores: int = 2) -> float:
        """Estimated hours with ``cores`` independent pieces running side by side."""
        return self.estimate_h / min(max(cores, 1), max(self.parallel, 1))


# --------------------------------------------------------------------------- data sets
def data_steps(name: str, params: dict) -> tuple[int, int, str]:
    """Integration steps of a data set at ``params``: (steps per piece, pieces, description)."""
    if name == "adk-equilibrium":
        per = _openmm_steps(params)
        return (
            per,
            params["n_copies"],
            (
                f"{params['n_copies']} copies x "
                f"{params['n_frames'] * params['frame_interval_fs'] / 1000:g} ps at "
                f"{params['timestep_fs']:g} fs ({params['forcefield']}, {params['solvent']})"
            ),
        )
    if name == "ala100-smd":
        n = int(params.get("n_copies", 1))
        return (
            _openmm_steps(params),
            n,
            (
                f"{n} pull(s) of {params['n_frames'] * params['frame_interval_fs'] / 1e6:g} ns at "
                f"{params['timestep_fs']:g} fs ({params['forcefield']}, {params['solvent']})"
            ),
        )
    if name == "decaala-smd":
        return (
            _openmm_steps(params),
            params["n_replicas"],
            (
                f"{params['n_replicas']} replicas x "
                f"{params['n_frames'] * params['frame_interval_fs'] / 1e6:g} ns at "
                f"{params['timestep_fs']:g} fs ({params['forcefield']}, {params['solvent']})"
            ),
        )
    if name in ("mda-xtb", "benzene-xtb"):
        temps = params["temperatures_K"]
        per = params["equilibration_steps"] + params["production_steps"]
        return (
            per,
            len(temps),
            (
                f"{len(temps)} temperature(s) x {per} steps at {params['timestep_fs']:g} fs "
                f"({params['production_steps'] * params['timestep_fs'] / 1000:g} ps recorded)"
            ),
        )
    raise KeyError(name)


def _openmm_steps(params: dict) -> int:
    ts = params["timestep_fs"]
    eq = params.get("equilibration_ps", 0.0) * 1000 / ts
    return int(round(eq + params["n_frames"] * params["frame_interval_fs"] / ts))


def _openmm_probe(name: str, params: dict, seconds: float) -> tuple[dict, float, float]:
    """(info, setup_s, steps/s) of the paper system on one CPU thread."""
    from openmm import LocalEnergyMinimizer, unit

    from mdrepro.data.recipes.common import copy_simulation
    from mdrepro.simulate import systems

    t0 = time.perf_counter()
    if name == "adk-equilibrium":
        topology, positions = systems.adk_open()
    else:
        topology, positions = systems.polyalanine_helix(params["n_residues"])
    spec = systems.SystemSpec(
        forcefield=params["forcefield"], solvent=params["solvent"], cutoff_nm=params["cutoff_nm"]
    )
    system = spec.create(topology)
    positions = _ci_start(name, topology.getNumAtoms()) or positions
    sim = copy_simulation(topology, system, positions, {"cpu_threads": 1, **params}, 0, "CPU")
    # a short minimisation: the probe needs a stable system, not the recipe's minimum (which
    # for ADK in GBn2 took over 30 minutes on one core and is reported apart)
    LocalEnergyMinimizer.minimize(sim.context, 10.0, 50)
    setup = time.perf_counter() - t0
    sim.step(10)  # first steps build kernels
    steps, t1, block = 0, time.perf_counter(), 10
    while time.perf_counter() - t1 < seconds:
        sim.step(block)
        steps += block
        el = time.perf_counter() - t1
        block = max(10, min(2000, int(steps / max(el, 1e-3) * 5)))
    el = time.perf_counter() - t1
    state = sim.context.getState(getEnergy=True)
    e = state.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole)
    if not math.isfinite(e):
        raise RuntimeError(f"{name}: the probe's energy became {e}")
    return {"atoms": topology.getNumAtoms(), "steps": steps, "seconds": el}, setup, steps / el


def _ci_start(name: str, n_atoms: int):
    """Minimised positions of the ci build of ``name`` (same atoms, another force field), as
    a stable start for a speed probe; None when it is not built.
    """
    from mdrepro import data

    pdb = data.entry(name, "ci").path / "topology.pdb"
    if not pdb.is_file():
        return None
    from openmm.app import PDBFile

    f = PDBFile(str(pdb))
    return f.positions if f.topology.getNumAtoms() == n_atoms else None


def _xtb_probe(params: dict, seconds: float) -> tuple[dict, float, float]:
    from mdrepro.simulate import xtb

    symbols, pos0 = xtb.MOLECULES[params["molecule"]]()
    t0 = time.perf_counter()
    atoms = xtb.make_atoms(symbols, pos0)
    xtb.optimise(atoms, params["optimise_fmax_eV_per_A"])
    pos = atoms.get_positions()
    setup = time.perf_counter() - t0
    kw = dict(
        temperature_K=float(params["temperatures_K"][-1]),
        timestep_fs=params["timestep_fs"],
        equilibration_steps=0,
        friction_per_fs=params["friction_per_fs"],
        seed=params["seed"],
        production=params["production"],
    )
    with tempfile.TemporaryDirectory() as tmp:
        t1 = time.perf_counter()
        xtb.run_md(symbols, pos, production_steps=200, scratch=Path(tmp) / "a", **kw)
        cal = 200 / (time.perf_counter() - t1)
        n_chunk = max(200, int(cal * 30))
        n, k, t2 = 0, 0, time.perf_counter()
        while time.perf_counter() - t2 < seconds:  # chunks until the probe lasted long enough
            xtb.run_md(
                symbols,
                pos,
                production_steps=n_chunk,
                scratch=Path(tmp) / f"b{k}",
                chunk_steps=n_chunk + 1,
                **kw,
            )
            n, k = n + n_chunk, k + 1
        el = time.perf_counter() - t2
    return {"atoms": len(pos), "steps": n, "seconds": el}, setup, n / el


def probe_data(name: str, seconds: float = MIN_PROBE_S) -> StageCost:
    """Time data set ``name``'s paper-profile engine for at least ``seconds`` and
    extrapolate (or report the measured wall time of a paper-scale build).
    """
    from mdrepro import data

    spec = data.get(name)
    params = spec.params_for("paper")
    ent = data.entry(name, "paper")
    if ent.exists():
        meta = json.loads((ent.path / "manifest.json").read_text())
        return StageCost(
            f"data: {name}",
            "measured",
            _built_work(name, meta),
            probe="the whole paper-profile build",
            probe_s=float(meta["wall_time_s"]),
            estimate_h=float(meta["wall_time_s"]) / 3600,
            note=f"built {meta.get('built_at', '?')}",
        )
    per, pieces, work = data_steps(name, params)
    if name.endswith("-xtb"):
        info, setup, rate = _xtb_probe(params, seconds)
    else:
        info, setup, rate = _openmm_probe(name, params, seconds)
    ns_day = rate * params["timestep_fs"] * 86400 / 1e6
    hours = (per * pieces / rate + setup) / 3600
    return StageCost(
        f"data: {name}",
        "probe",
        work,
        probe=f"{info['steps']} steps of {info['atoms']} atoms in {info['seconds']:.0f} s",
        probe_s=info["seconds"],
        rate=f"{rate:.3g} steps/s = {ns_day:.3g} ns/day",
        setup_s=setup,
        estimate_h=hours,
        parallel=pieces,
        note=(
            "GFN2-xTB through tblite, one thread; set-up = the geometry optimisation"
            if name.endswith("-xtb")
            else "OpenMM CPU platform, one thread per copy as the recipe runs; set-up = system "
            "+ a 50-iteration minimisation from the ci build's minimised structure where there "
            "is one (the recipe minimises to convergence: for ADK in GBn2 a probe had not "
            "finished that after 30 min, which this estimate leaves out)"
        ),
    )


def _built_work(name: str, meta: dict) -> str:
    if name == "trpcage-go":
        return (
            f"{meta.get('frames')} frames every {meta['params']['frame_interval_fs'] / 1000:g} ps"
        )
    if name == "fourwell-bd":
        return f"{meta.get('steps')} Brownian steps"
    return name


# ----------------------------------------------------------------------------- studies
def _stage_seconds(chapter: str) -> float:
    """Wall time of the ci study stage of ``chapter`` in the last build (sum over its units)."""
    from mdrepro.book import timings

    return sum(
        d["seconds"]
        for s, d in timings.stages().items()
        if s.startswith(f"study: {chapter} | ")
        and "/" in s.partition(" | ")[2]  # "<study>/<unit>": this naming, not older records
        and not s.endswith(")")
        and not d["reused"]
    )


def _work(chapter: str, profile: str) -> tuple[float, str]:
    """Training work of a chapter's study under ``profile`` (arbitrary units, linear model)
    and what it counts.
    """
    from mdrepro import data, papers

    p = papers.module(chapter, "params").resolve(chapter, profile)
    seeds = len(p.get("seeds", [0]))
    if chapter == "ch01":
        d = data.get("adk-equilibrium").params_for(profile)
        s = data.get("ala100-smd").params_for(profile)
        frames = d["n_copies"] * d["n_frames"] + s.get("n_copies", 1) * s["n_frames"]
        return float(frames), f"{frames} frames analysed"
    if chapter == "ch02":
        jobs = papers.jobs(chapter, profile)
        frames = {
            "adk": _frames("adk-equilibrium", profile),
            "smd": _frames("ala100-smd", profile),
        }
        work, parts = 0.0, []
        for ds in ("adk", "smd"):
            n = sum(j.unit.id.startswith(f"{ds}-") for j in jobs)
            per = frames[ds] * p["fractions"][ds][0] / p["train_stride"][ds]
            work += n * per * p["epochs"][ds]
            parts.append(f"{n} {ds} fits x {per:.0f} windows x {p['epochs'][ds]} epochs")
        return work, "; ".join(parts)
    if chapter == "ch03":
        d = data.get("decaala-smd").params_for(profile)
        frames = (d["n_replicas"] - p["n_test_replicas"]) * d["n_frames"]
        vae = frames * p["rotations_per_frame"] * p["vae_epochs"]
        lstm = frames / p["seq_stride"] * p["lstm_epochs"]
        return float(seeds * (vae + lstm)), (
            f"{seeds} seeds x ({frames} frames x {p['rotations_per_frame']} rotations x "
            f"{p['vae_epochs']} VAE epochs + {frames / p['seq_stride']:.0f} sequences x "
            f"{p['lstm_epochs']} LSTM epochs)"
        )
    if chapter == "ch05":
        n = len(papers.jobs(chapter, profile))
        m = data.get("mda-xtb").params_for(profile)["production_steps"]
        per = m / p["train_stride"]
        width = (p["hidden"] / 64) ** 2
        return float(n * per * p["epochs"] * width), (
            f"{n} fits x {per:.0f} frames x {p['epochs']} epochs x (hidden {p['hidden']} / 64)^2"
        )
    raise KeyError(chapter)


def _frames(name: str, profile: str) -> int:
    from mdrepro import data

    d = data.get(name).params_for(profile)
    return int(d.get("n_copies", 1) * d["n_frames"])


def study_cost(chapter: str) -> StageCost:
    """A chapter's paper-profile study: measured when published, else the ci stage's time
    scaled by the training-work ratio.
    """
    from mdrepro.book import paper_scale

    pub = paper_scale.load(chapter)
    if pub is not None:
        secs = sum(paper_scale.unit_seconds(u["timings_s"]) for u in pub.provenance["units"])
        return StageCost(
            f"study: {chapter}",
            "measured",
            f"{len(pub.provenance['units'])} units at paper scale",
            probe="the whole paper-profile study (published)",
            probe_s=secs,
            estimate_h=secs / 3600,
            parallel=len(pub.provenance["units"]),
        )
    ci_s = _stage_seconds(chapter)
    if not ci_s > 0:
        raise DataError(
            f"expected timings of the ci units of {chapter} computed in this build, found only "
            "reused ones; compute them first (e.g. a fresh `make book-units`)"
        )
    w_ci, d_ci = _work(chapter, "ci")
    w_p, d_p = _work(chapter, "paper")
    ratio = w_p / w_ci
    return StageCost(
        f"study: {chapter}",
        "model",
        d_p,
        probe=f"ci stage: {d_ci} in {ci_s:.0f} s",
        probe_s=ci_s,
        rate=f"work ratio paper / ci = {ratio:.3g}",
        estimate_h=ci_s * ratio / 3600,
        note="linear in frames x epochs x units; network sizes, sequence lengths and early "
        "stopping are not modelled"
        + ("" if ci_s >= MIN_PROBE_S else f"; the ci stage ran only {ci_s:.0f} s"),
    )


# ------------------------------------------------------------------------------ output
def probe(
    stages: list[str] | None = None,
    seconds: float = MIN_PROBE_S,
    log: Callable[[str], Any] = print,
) -> list[StageCost]:
    """Cost of every paper-profile stage (or of ``stages``: ``"data: <name>"``,
    ``"study: <chapter>"``).
    """
    from mdrepro import data

    todo = stages or [f"data: {n}" for n in data.names()] + [
        f"study: {c}" for c in ("ch01", "ch02", "ch03", "ch04", "ch05")
    ]
    out = []
    for st in todo:
        kind, _, name = st.partition(": ")
        t0 = time.perf_counter()
        c = probe_data(name, seconds) if kind == "data" else study_cost(name)
        out.append(c)
        took = time.perf_counter() - t0
        log(f"{st}: {c.method}, ~{c.estimate_h:.3g} h on one core (probe took {took:.0f} s)")
    return out


def write(costs: list[StageCost], path: Path = COSTS) -> Path:
    """Merge ``costs`` into ``results/paper/costs.json`` (by stage) with the machine."""
    from mdrepro import provenance
    from mdrepro.data.cache import atomic_write_text

    doc = json.loads(path.read_text()) if path.is_file() else {"stages": {}}
    for c in costs:
        doc["stages"][c.stage] = asdict(c)
    cpu, _ = provenance.cpu_model()
    doc["machine"] = {
        "cpu": cpu,
        "python": platform.python_version(),
        "commit": provenance.git_commit(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(doc, indent=1, sort_keys=True) + "\n")
    return path


def load(path: Path = COSTS) -> list[StageCost]:
    """The committed cost table (empty when none)."""
    if not path.is_file():
        return []
    doc = json.loads(path.read_text())
    return [StageCost(**v) for _, v in sorted(doc["stages"].items())]


def markdown(costs: list[StageCost], cores: int = 2) -> str:
    """The cost table as Markdown (hours on one core and on ``cores`` cores)."""
    if not costs:
        return "*No paper-profile cost has been measured (`mdrepro cost`).*\n"
    rows = [
        f"| stage | paper profile | how | timed run | rate | one core (h) | {cores} cores (h) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for c in costs:
        rows.append(
            f"| {c.stage} | {c.work} | {c.method} | {c.probe} | {c.rate or '-'} | "
            f"{c.estimate_h:.3g} | {c.on_cores(cores):.3g} |"
        )
    total1 = sum(c.estimate_h for c in costs)
    total2 = sum(c.on_cores(cores) for c in costs)
    rows.append(f"| **all** | | | | | **{total1:.3g}** | **{total2:.3g}** |")
    notes = [f"- {c.stage}: {c.note}" for c in costs if c.note]
    return "\n".join(rows) + "\n\n" + "\n".join(notes) + "\n"
