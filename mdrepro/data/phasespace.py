"""Phase-space trajectories (positions *and* velocities) of small molecules, as arrays.

The interpolation chapter needs velocities, which mdtraj trajectories do not carry, so its data
come as a :class:`PhaseSpaceSet`: the same type for the built-in xTB data sets
(:func:`load_arrays`) and for a user's files in either of the two layouts of the original work:

* **MD17 npz** (:func:`load_md17`): keys ``R`` (positions, Å, shape ``(T, N, 3)``), ``z``
  (atomic numbers, ``(N,)``), ``E`` (energies, kcal/mol, ``(T,)`` or ``(T, 1)``) and ``F``
  (forces, ``(T, N, 3)``). MD17 stores no velocities: they are **estimated by central finite
  differences** of ``R`` (one-sided at the two ends), which needs the time between frames;
  :attr:`PhaseSpaceSet.velocities_estimated` records it.
* **separate position / velocity npz** (:func:`load_posvel`): one npz with the positions (Å) and
  one with the velocities (Å/fs), each holding an array of shape ``(T, N, 3)`` or ``(T, 3N)``
  (key ``R``/``pos``/``positions`` resp. ``V``/``vel``/``velocities``, or the file's only array).

Units inside: positions nm, velocities nm/ps, time fs for the frame interval (the slides' unit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mdrepro.errors import DataError
from mdrepro.units import KJ_PER_KCAL

__all__ = [
    "PhaseSpaceSet",
    "finite_difference_velocities",
    "load_arrays",
    "load_md17",
    "load_posvel",
    "open_phase_space",
]

NM_PER_A = 0.1
#: 1 Å/fs in nm/ps.
NMPS_PER_APFS = 100.0
KJ_PER_EV = 96.485332

_SYMBOLS = {1: "H", 6: "C", 7: "N", 8: "O", 9: "F", 16: "S"}


def builtin_fingerprint(name: str, key: str) -> str:
    """Identity of a part of a built-in phase-space set (``name`` is ``"<set>/<part>"``), the
    same as :meth:`PhaseSpaceSet.fingerprint` of the loaded part.
    """
    import hashlib

    return hashlib.sha256(f"{name}|{key}".encode()).hexdigest()[:16]


def fingerprint(name: str, profile: str, part: str) -> str:
    """:func:`builtin_fingerprint` of a part of a built-in set, without loading it."""
    from mdrepro import data

    return builtin_fingerprint(f"{name}/{part}", data.entry(name, profile).key)


@dataclass
class PhaseSpaceSet:
    """One trajectory in phase space.

    Attributes
    ----------
    name : str
    positions : numpy.ndarray, shape (T, N, 3)
        nm.
    velocities : numpy.ndarray, shape (T, N, 3)
        nm/ps.
    z : numpy.ndarray, shape (N,)
        Atomic numbers.
    frame_interval_fs : float
        Time between frames, fs.
    temperature_K : float or None
        Target temperature of the simulation, when known.
    energy : numpy.ndarray or None, shape (T,)
        Potential energy, kJ/mol, when known.
    velocities_estimated : bool
        Velocities were estimated from positions by finite differences.
    meta : dict
    """

    name: str
    positions: np.ndarray
    velocities: np.ndarray
    z: np.ndarray
    frame_interval_fs: float
    temperature_K: float | None = None
    energy: np.ndarray | None = None
    velocities_estimated: bool = False
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        self.positions = np.asarray(self.positions, dtype=np.float64)
        self.velocities = np.asarray(self.velocities, dtype=np.float64)
        self.z = np.asarray(self.z, dtype=np.int64)
        _check_xyz(self.positions, f"{self.name}: positions")
        _check_xyz(self.velocities, f"{self.name}: velocities")
        if self.velocities.shape != self.positions.shape:
            raise DataError(
                f"{self.name}: expected velocities of the positions' shape "
                f"{self.positions.shape}, found {self.velocities.shape}"
            )
        if self.z.shape != (self.positions.shape[1],):
            raise DataError(
                f"{self.name}: expected {self.positions.shape[1]} atomic numbers, found shape "
                f"{self.z.shape}"
            )
        if not (self.frame_interval_fs > 0 and np.isfinite(self.frame_interval_fs)):
            raise DataError(
                f"{self.name}: expected a frame interval > 0 fs, found {self.frame_interval_fs}"
            )

    @property
    def n_frames(self) -> int:
        """Frames in the trajectory."""
        return int(self.positions.shape[0])

    @property
    def n_atoms(self) -> int:
        """Atoms per frame."""
        return int(self.positions.shape[1])

    @property
    def symbols(self) -> list[str]:
        """Element symbols of the atoms."""
        return [_SYMBOLS.get(int(k), str(int(k))) for k in self.z]

    def fingerprint(self) -> str:
        """Identity of the data, 16 hex digits: the cache key and part of a built-in set, or
        sha256 of a user's arrays.
        """
        import hashlib

        key = self.meta.get("manifest_key")
        if key:
            return builtin_fingerprint(self.name, key)
        h = hashlib.sha256()
        h.update(f"user|{self.frame_interval_fs!r}|{self.temperature_K!r}".encode())
        for a in (self.positions, self.velocities, self.z):
            a = np.ascontiguousarray(a)
            h.update(f"{a.dtype.str}{a.shape}".encode())
            h.update(a.tobytes())
        return h.hexdigest()[:16]

    def states(self) -> np.ndarray:
        """Flattened phase-space states ``[positions, velocities]``, shape ``(T, 6N)``
        (nm and nm/ps).
        """
        T = self.n_frames
        return np.concatenate([self.positions.reshape(T, -1), self.velocities.reshape(T, -1)], 1)


def _check_xyz(arr: np.ndarray, what: str) -> None:
    if arr.ndim != 3 or arr.shape[-1] != 3:
        raise DataError(f"{what}: expected shape (frames, atoms, 3), found {arr.shape}")
    if arr.shape[0] < 2:
        raise DataError(f"{what}: expected at least 2 frames, found {arr.shape[0]}")
    if not np.isfinite(arr).all():
        raise DataError(f"{what}: expected finite values, found NaN or infinity")


def finite_difference_velocities(positions: np.ndarray, dt: float) -> np.ndarray:
    """Velocities from positions: central differences inside, one-sided at the ends.

    Parameters
    ----------
    positions : numpy.ndarray, shape (T, ...)
    dt : float
        Time between frames (the velocity unit is position unit / unit of ``dt``).

    Returns
    -------
    numpy.ndarray, shape (T, ...)
    """
    return np.gradient(np.asarray(positions, dtype=np.float64), dt, axis=0)


def _open_npz(path: str | Path, what: str):
    p = Path(path)
    if not p.is_file():
        raise DataError(f"{what}: expected an npz file at {p}, found none")
    try:
        return np.load(p, allow_pickle=False)
    except Exception as exc:  # zip/format errors of numpy come in several types
        raise DataError(f"{what}: {p} is not a readable npz file ({exc})") from exc


def _as_xyz(arr: np.ndarray, what: str, n_atoms: int | None = None) -> np.ndarray:
    arr = np.asarray(arr)
    if arr.ndim == 2 and arr.shape[1] % 3 == 0:
        arr = arr.reshape(arr.shape[0], -1, 3)
    if arr.ndim != 3 or arr.shape[-1] != 3:
        raise DataError(
            f"{what}: expected shape (frames, atoms, 3) or (frames, 3N), found {arr.shape}"
        )
    if n_atoms is not None and arr.shape[1] != n_atoms:
        raise DataError(f"{what}: expected {n_atoms} atoms, found {arr.shape[1]}")
    return arr.astype(np.float64)


def load_md17(
    path: str | Path,
    frame_interval_fs: float,
    name: str | None = None,
    temperature_K: float | None = None,
) -> PhaseSpaceSet:
    """Load an MD17-format npz; velocities by finite differences of ``R``.

    Parameters
    ----------
    path : path
        npz with keys ``R`` (Å, ``(T, N, 3)``), ``z`` (``(N,)``), ``E`` (kcal/mol) and ``F``.
        ``E`` and ``F`` are checked for shape when present but only ``E`` is kept.
    frame_interval_fs : float
        Time between the frames, fs (MD17 files do not store it; the published sets use
        0.5 fs).
    name : str, optional
    temperature_K : float, optional

    Raises
    ------
    DataError
        Missing file or key, wrong shapes, NaN, or no frame interval.
    """
    what = name or Path(path).name
    if frame_interval_fs is None:
        raise DataError(f"{what}: an MD17 file stores no time step; pass frame_interval_fs")
    with _open_npz(path, what) as f:
        missing = [k for k in ("R", "z") if k not in f.files]
        if missing:
            raise DataError(
                f"{what}: expected MD17 keys R, z, E, F; missing {', '.join(missing)} "
                f"(found {', '.join(f.files) or 'none'})"
            )
        R = _as_xyz(f["R"], f"{what}: R")
        z = np.asarray(f["z"]).ravel()
        E = np.asarray(f["E"], dtype=np.float64).ravel() if "E" in f.files else None
        if "F" in f.files and np.shape(f["F"]) != R.shape:
            raise DataError(f"{what}: expected F of shape {R.shape}, found {np.shape(f['F'])}")
    if E is not None and E.shape[0] != R.shape[0]:
        raise DataError(f"{what}: expected {R.shape[0]} energies, found {E.shape[0]}")
    _check_xyz(R, f"{what}: R")
    V = finite_difference_velocities(R, frame_interval_fs)  # Å/fs
    return PhaseSpaceSet(
        name=what,
        positions=R * NM_PER_A,
        velocities=V * NMPS_PER_APFS,
        z=z,
        frame_interval_fs=float(frame_interval_fs),
        temperature_K=temperature_K,
        energy=None if E is None else E * KJ_PER_KCAL,
        velocities_estimated=True,
        meta={"source": str(path), "format": "md17"},
    )


def _one_array(f, keys: tuple[str, ...], what: str) -> np.ndarray:
    for k in keys:
        if k in f.files:
            return f[k]
    if len(f.files) == 1:
        return f[f.files[0]]
    raise DataError(
        f"{what}: expected one array or a key among {', '.join(keys)}, found "
        f"{', '.join(f.files) or 'none'}"
    )


def load_posvel(
    positions: str | Path,
    velocities: str | Path,
    frame_interval_fs: float,
    z=None,
    name: str | None = None,
    temperature_K: float | None = None,
) -> PhaseSpaceSet:
    """Load the separate position (Å) and velocity (Å/fs) npz files of one trajectory.

    Parameters
    ----------
    positions, velocities : path
        npz files, each with one array of shape ``(T, N, 3)`` or ``(T, 3N)`` (or keys
        ``R``/``pos``/``positions`` and ``V``/``vel``/``velocities``). A ``z`` key in the
        positions file gives the atomic numbers.
    frame_interval_fs : float
    z : sequence of int, optional
        Atomic numbers (default: the positions file's ``z``, else all carbon).
    """
    what = name or Path(positions).stem
    if frame_interval_fs is None:
        raise DataError(f"{what}: position/velocity files store no time step; pass one")
    with _open_npz(positions, f"{what} positions") as f:
        R = _as_xyz(_one_array(f, ("R", "pos", "positions"), f"{what} positions"), what)
        if z is None and "z" in f.files:
            z = np.asarray(f["z"]).ravel()
    with _open_npz(velocities, f"{what} velocities") as f:
        V = _as_xyz(
            _one_array(f, ("V", "vel", "velocities"), f"{what} velocities"),
            f"{what} velocities",
            R.shape[1],
        )
    if V.shape[0] != R.shape[0]:
        raise DataError(f"{what}: expected {R.shape[0]} velocity frames, found {V.shape[0]}")
    z = np.full(R.shape[1], 6) if z is None else np.asarray(z).ravel()
    return PhaseSpaceSet(
        name=what,
        positions=R * NM_PER_A,
        velocities=V * NMPS_PER_APFS,
        z=z,
        frame_interval_fs=float(frame_interval_fs),
        temperature_K=temperature_K,
        meta={"source": [str(positions), str(velocities)], "format": "posvel"},
    )


def load_arrays(
    name: str, profile: str = "ci", part: str | None = None, build_missing: bool = True
) -> PhaseSpaceSet:
    """A part of a built-in phase-space data set (``mda-xtb``, ``benzene-xtb``).

    Builds the set first if needed, verifies its checksums and reads ``part`` (e.g.
    ``"300K"``; default the first part).
    """
    from mdrepro import data
    from mdrepro.errors import UnknownNameError

    ent = data.entry(name, profile)
    if not ent.exists():
        if not build_missing:
            raise DataError(f"{name} ({profile}) is not built and build_missing=False")
        data.build(name, profile, progress=False)
    manifest = ent.verify()
    parts = manifest["parts"]
    part = part or next(iter(parts))
    if part not in parts:
        raise UnknownNameError(f"part of {name}", part, parts)
    info = parts[part]
    with np.load(ent.path / info["file"]) as f:
        return PhaseSpaceSet(
            name=f"{name}/{part}",
            positions=f["positions_nm"],
            velocities=f["velocities_nm_per_ps"],
            z=f["z"],
            frame_interval_fs=float(info["frame_interval_fs"]),
            temperature_K=float(info["temperature_K"]),
            energy=f["energy_kJ_per_mol"],
            meta={"manifest_key": manifest["key"], **info},
        )


def open_phase_space(
    name: str,
    profile: str = "ci",
    part: str | None = None,
    md17=None,
    positions=None,
    velocities=None,
    frame_interval_fs: float | None = None,
    temperature_K: float | None = None,
) -> PhaseSpaceSet:
    """The built-in set, or the user's MD17 file, or the user's position/velocity files.

    What chapter notebooks call with their user-data parameters: one code path for both.
    """
    if md17 is not None:
        return load_md17(md17, frame_interval_fs, temperature_K=temperature_K)
    if positions is not None or velocities is not None:
        if positions is None or velocities is None:
            raise DataError("expected both a positions and a velocities file, found only one")
        return load_posvel(positions, velocities, frame_interval_fs, temperature_K=temperature_K)
    return load_arrays(name, profile, part)
