"""Chunked, checkpointed OpenMM production runs.

A run records one or more *streams* (an atom selection saved every ``every`` frames) plus
per-frame scalars returned by a hook. Frames are buffered in memory and written to the build's
scratch folder in chunks; after each chunk the run saves an OpenMM checkpoint. The checkpoint is
written last, so it marks the chunk complete: an interrupted run resumes from the last complete
chunk and, on the same platform, continues bit for bit: OpenMM checkpoints hold the integrator's
random state, and every chunk, resumed or not, starts from a freshly created context.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mdrepro.data.cache import atomic_write_bytes, atomic_write_text


@dataclass(frozen=True)
class Stream:
    """An atom selection recorded every ``every`` frames.

    Attributes
    ----------
    name : str
        File stem of the stream's chunks and final trajectory.
    atom_indices : sequence of int or None
        Atoms to record (None: all atoms).
    every : int
        Record frames ``0, every, 2 every, ...`` (counted in frames, not steps).
    """

    name: str
    atom_indices: Sequence[int] | None = None
    every: int = 1


#: A hook called before each frame's steps: ``hook(simulation, frame, time_ps)``; it may move
#: a steering restraint. It returns a dict of per-frame scalars (or None), recorded after the
#: frame's steps are done.
FrameHook = Callable[[object, int, float], "dict[str, float] | None"]


class SimulationInterrupted(RuntimeError):
    """Raised by ``stop_after`` to emulate a killed run (used by tests)."""


def _save_npy(path: Path, array: np.ndarray) -> None:
    buf = io.BytesIO()
    np.save(buf, array)
    atomic_write_bytes(path, buf.getvalue())


def run_frames(
    simulation,
    n_frames: int,
    steps_per_frame: int,
    scratch: Path,
    tag: str,
    streams: Sequence[Stream],
    before_frame: FrameHook | None = None,
    after_frame: FrameHook | None = None,
    chunk_frames: int = 1000,
    progress: bool = True,
    stop_after: int | None = None,
) -> dict[str, np.ndarray]:
    """Run ``n_frames`` frames of ``steps_per_frame`` steps, resumable.

    Parameters
    ----------
    simulation : openmm.app.Simulation
        Ready to run: positions and velocities set. On resume its state is replaced by the
        checkpoint.
    n_frames : int
        Frames to produce. Frame ``i`` is the state after ``(i + 1) * steps_per_frame`` steps.
    steps_per_frame : int
        MD steps between frames.
    scratch : Path
        Folder for chunks and checkpoints (a cache entry's scratch folder).
    tag : str
        Prefix of this run's files in ``scratch`` (e.g. ``copy0``), so several runs share it.
    streams : sequence of Stream
        What to record.
    before_frame, after_frame : callable, optional
        Hooks ``f(simulation, frame, time_ps)``; ``before_frame`` runs before the frame's steps
        (``time_ps`` is the time at the start), ``after_frame`` after them (time at the end) and
        may return a dict of scalars to record for every frame.
    chunk_frames : int
        Frames per chunk (and per checkpoint).
    progress : bool
        Show a tqdm progress bar.
    stop_after : int, optional
        Raise :class:`SimulationInterrupted` once this many frames exist (tests).

    Returns
    -------
    dict
        ``stream name -> (n_recorded, n_atoms, 3)`` float32 positions in nm, and
        ``"scalars" -> structured record array`` if ``after_frame`` returned scalars,
        and ``"time_ps" -> (n_frames,)``.
    """
    from openmm import unit
    from tqdm.auto import tqdm

    if n_frames < 1 or steps_per_frame < 1 or chunk_frames < 1:
        raise ValueError(
            f"expected positive n_frames, steps_per_frame and chunk_frames, found "
            f"{n_frames}, {steps_per_frame}, {chunk_frames}"
        )
    scratch = Path(scratch)
    scratch.mkdir(parents=True, exist_ok=True)
    dt_ps = simulation.integrator.getStepSize().value_in_unit(unit.picosecond)
    n_chunks = -(-n_frames // chunk_frames)

    def ckpt(c: int) -> Path:
        return scratch / f"{tag}_chunk{c:05d}.chk"

    def data(c: int) -> Path:
        return scratch / f"{tag}_chunk{c:05d}.npz"

    done = 0
    while done < n_chunks and ckpt(done).is_file() and data(done).is_file():
        done += 1
    if done:
        with open(ckpt(done - 1), "rb") as fh:
            simulation.context.loadCheckpoint(fh.read())
    start_frame = min(done * chunk_frames, n_frames)
    t0_ps = simulation.context.getState().getTime().value_in_unit(unit.picosecond)
    # time of frame i's start, measured from the start of this run (frame 0)
    base_ps = t0_ps - start_frame * steps_per_frame * dt_ps

    bar = tqdm(
        total=n_frames,
        initial=start_frame,
        desc=f"MD {tag}",
        unit="frame",
        disable=not progress,
        mininterval=1.0,
    )
    try:
        for c in range(done, n_chunks):
            # Every chunk starts from a freshly created platform context holding exactly the
            # state of the last checkpoint, whether this process wrote that checkpoint or
            # loaded it after an interruption: cached platform data (the CPU platform's
            # neighbour list, built at whatever step the atoms last moved far enough) would
            # otherwise change the order of the force sums, and a resumed run would drift
            # from an uninterrupted one (1e-9 nm at the resume frame, 0.3 nm 2000 frames
            # later with a 1.2 nm cutoff).
            simulation.context.reinitialize(preserveState=True)
            lo, hi = c * chunk_frames, min((c + 1) * chunk_frames, n_frames)
            bufs: dict[str, list[np.ndarray]] = {s.name: [] for s in streams}
            scal: list[dict[str, float]] = []
            for frame in range(lo, hi):
                t_start = base_ps + frame * steps_per_frame * dt_ps
                if before_frame is not None:
                    before_frame(simulation, frame, t_start)
                simulation.step(steps_per_frame)
                t_end = t_start + steps_per_frame * dt_ps
                want = [s for s in streams if frame % s.every == 0]
                if want:
                    pos = simulation.context.getState(getPositions=True).getPositions(asNumpy=True)
                    xyz = np.asarray(pos.value_in_unit(unit.nanometer), dtype=np.float32)
                    for s in want:
                        sel = xyz if s.atom_indices is None else xyz[np.asarray(s.atom_indices)]
                        bufs[s.name].append(sel)
                if after_frame is not None:
                    rec = after_frame(simulation, frame, t_end)
                    if rec:
                        scal.append(rec)
                bar.update(1)
                if stop_after is not None and frame + 1 >= stop_after:
                    raise SimulationInterrupted(f"stopped after {frame + 1} frames (test)")
            arrays = {
                name: np.stack(v) if v else np.zeros((0, 0, 3), np.float32)
                for name, v in bufs.items()
            }
            if scal:
                keys = sorted(scal[0])
                arrays["__scalars__"] = np.array([[r[k] for k in keys] for r in scal])
                arrays["__scalar_names__"] = np.array(keys)
            buf = io.BytesIO()
            np.savez(buf, **arrays)
            atomic_write_bytes(data(c), buf.getvalue())
            atomic_write_bytes(ckpt(c), simulation.context.createCheckpoint())
    finally:
        bar.close()
    return collect_chunks(scratch, tag, n_chunks, streams, n_frames, steps_per_frame * dt_ps)


def collect_chunks(
    scratch: Path,
    tag: str,
    n_chunks: int,
    streams: Sequence[Stream],
    n_frames: int,
    frame_ps: float,
) -> dict[str, np.ndarray]:
    """Concatenate a finished run's chunks (see :func:`run_frames` for the returned dict)."""
    out: dict[str, list[np.ndarray]] = {s.name: [] for s in streams}
    scal, names = [], None
    for c in range(n_chunks):
        with np.load(Path(scratch) / f"{tag}_chunk{c:05d}.npz") as z:
            for s in streams:
                if z[s.name].size:
                    out[s.name].append(z[s.name])
            if "__scalars__" in z.files:
                scal.append(z["__scalars__"])
                names = [str(n) for n in z["__scalar_names__"]]
    result: dict[str, np.ndarray] = {k: np.concatenate(v) for k, v in out.items()}
    result["time_ps"] = (np.arange(n_frames) + 1) * frame_ps
    if scal:
        table = np.concatenate(scal)
        result["scalars"] = np.rec.fromarrays(table.T, names=names)
    return result


def write_json(path: Path, obj) -> None:
    """Atomically write ``obj`` as indented JSON."""
    atomic_write_text(Path(path), json.dumps(obj, indent=2, default=str))
