"""Loading users' own trajectories (any topology + trajectory format that mdtraj reads)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from mdrepro.data.quiet import c_output_silenced
from mdrepro.data.trajset import TrajectorySet
from mdrepro.errors import DataError

#: Formats whose frames carry real time stamps (mdtraj numbers DCD and PDB frames 0, 1, 2, ...).
TIMED_FORMATS = {".xtc", ".trr", ".nc", ".ncdf", ".netcdf", ".h5", ".lh5", ".dtr"}


def select_atoms(topology, selection: str, source: str = "topology") -> np.ndarray:
    """Atom indices of an mdtraj selection; a clear :class:`DataError` when it matches none.

    Parameters
    ----------
    topology : mdtraj.Topology
    selection : str
        mdtraj selection language, e.g. ``"name CA"``.
    source : str
        Where the topology came from, for the message.
    """
    try:
        idx = topology.select(selection)
    except Exception as exc:  # mdtraj raises several types for a bad expression
        raise DataError(f"selection {selection!r} is not valid mdtraj syntax ({exc})") from exc
    if idx.size == 0:
        names = sorted({a.name for a in topology.atoms})[:8]
        raise DataError(
            f"selection {selection!r} matched no atoms in {source} "
            f"({topology.n_atoms} atoms; atom names include {', '.join(names)})"
        )
    return idx


def check_coordinates(xyz: np.ndarray, source: str) -> None:
    """Raise :class:`DataError` if coordinates contain NaN or infinity."""
    bad = ~np.isfinite(xyz).all(axis=(1, 2))
    if bad.any():
        frames = np.flatnonzero(bad)
        raise DataError(
            f"{source}: expected finite coordinates, found NaN/inf in {frames.size} frame(s), "
            f"first at frame {int(frames[0])}"
        )


def load_user(
    trajectory: str | Path | Sequence[str | Path],
    topology: str | Path | None = None,
    selection: str = "name CA",
    frame_interval_fs: float | None = None,
    name: str = "user",
    min_frames: int = 2,
) -> TrajectorySet:
    """Load one's own trajectories as a :class:`TrajectorySet`.

    Parameters
    ----------
    trajectory : path or sequence of paths
        One file per independent copy (DCD, XTC, TRR, NetCDF, HDF5, multi-model PDB, ...).
    topology : path, optional
        Topology file (PDB, PSF, PRMTOP, GRO, ...); not needed for self-describing formats.
    selection : str
        mdtraj atom selection applied to every copy (default: C-alpha atoms).
    frame_interval_fs : float, optional
        Time between frames in fs; default: read from the file's time stamps, else an error.
    name : str
        Label of the set.
    min_frames : int
        Fewest frames a copy may have.

    Raises
    ------
    DataError
        A missing file, an atom-count mismatch between topology and trajectory, an empty
        selection, NaN coordinates, too few frames or an unknown frame interval.
    """
    import mdtraj as md

    paths = [trajectory] if isinstance(trajectory, str | Path) else list(trajectory)
    if not paths:
        raise DataError("expected at least one trajectory file, found none")
    for p in [*paths, *([topology] if topology is not None else [])]:
        if not Path(p).is_file():
            raise DataError(f"file not found: {p}")
    top = None
    if topology is not None:
        try:
            top = md.load_topology(str(topology))
        except Exception as exc:
            raise DataError(f"{topology}: mdtraj cannot read it as a topology ({exc})") from exc
    trajs = []
    intervals = []
    for p in paths:
        try:
            if top is not None:
                n_file = _atoms_in_file(p)
                if n_file is not None and n_file != top.n_atoms:
                    raise DataError(
                        f"{p} has {n_file} atoms per frame but topology {topology} has "
                        f"{top.n_atoms}"
                    )
                with c_output_silenced():
                    t = md.load(str(p), top=top)
            else:
                with c_output_silenced():
                    t = md.load(str(p))
        except DataError:
            raise
        except Exception as exc:
            raise DataError(f"{p}: mdtraj cannot read it ({exc})") from exc
        idx = select_atoms(t.topology, selection, source=str(topology or p))
        t = t.atom_slice(idx)
        check_coordinates(t.xyz, str(p))
        if t.n_frames < min_frames:
            raise DataError(f"{p}: expected at least {min_frames} frames, found {t.n_frames}")
        timed = Path(p).suffix.lower() in TIMED_FORMATS
        if timed and t.n_frames > 1 and t.time is not None and np.ptp(t.time) > 0:
            intervals.append(float(np.median(np.diff(t.time))) * 1000.0)  # ps -> fs
        trajs.append(t)
    if frame_interval_fs is None:
        if not intervals:
            raise DataError(
                "frame interval unknown: the files carry no time stamps (DCD and PDB do not); "
                "pass frame_interval_fs"
            )
        frame_interval_fs = intervals[0]
    if frame_interval_fs <= 0:
        raise DataError(f"expected a positive frame interval in fs, found {frame_interval_fs}")
    return TrajectorySet(
        name=name,
        trajectories=trajs,
        frame_interval_fs=float(frame_interval_fs),
        selection=selection,
        meta={"source": "user", "trajectory": [str(p) for p in paths], "topology": str(topology)},
    )


def _atoms_in_file(path: str | Path) -> int | None:
    """Atoms per frame stored in a trajectory file, where the format says it cheaply."""
    import mdtraj as md

    suffix = Path(path).suffix.lower()
    try:
        if suffix == ".dcd":
            with c_output_silenced(), md.formats.DCDTrajectoryFile(str(path)) as fh:
                return int(fh.read(n_frames=1)[0].shape[1])
        if suffix == ".xtc":
            with md.formats.XTCTrajectoryFile(str(path)) as fh:
                return int(fh.read(n_frames=1)[0].shape[1])
    except Exception:
        return None
    return None
