"""The one type every loader returns: a set of trajectories of one system."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np


def builtin_fingerprint(
    name: str, key: str, part: str | None, selection: str, stride: int | None = None
) -> str:
    """Identity of frames loaded from a built-in data set, without loading them.

    Parameters
    ----------
    name : str
        Data-set name.
    key : str
        Its cache key (which the manifest's checksums belong to).
    part : str or None
        The part asked for (None: the set's first part).
    selection : str
        The atom selection.
    stride : int, optional
        A subsampling stride applied after loading.
    """
    doc = f"{name}|{key}|{part}|{selection}|{stride}"
    return hashlib.sha256(doc.encode()).hexdigest()[:16]


@dataclass
class TrajectorySet:
    """Trajectories of one system, built in or brought by the user.

    Attributes
    ----------
    name : str
        Data-set name (or a label for user data).
    trajectories : list of mdtraj.Trajectory
        One per independent copy, restricted to the requested atom selection.
    frame_interval_fs : float
        Time between consecutive frames, in fs.
    selection : str
        The mdtraj atom selection that was applied.
    meta : dict
        Provenance: the cache manifest, or the user's file names.
    tables : dict of str to numpy.ndarray
        Per-frame side data, e.g. ``"pulling"`` (record array with ``time_ps``, ``force_pN``,
        ``work_kcal``, ...) for steered MD.
    """

    name: str
    trajectories: list
    frame_interval_fs: float
    selection: str = "all"
    meta: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, np.ndarray] = field(default_factory=dict)
    part: str | None = None

    def fingerprint(self) -> str:
        """Identity of the loaded frames, 16 hex digits.

        A built-in set: sha256 of its cache key (which its manifest's checksums belong to),
        the part and the selection. A user's files: sha256 of the coordinates and the frame
        interval, so that a result computed from them is never confused with another's.
        """
        key = self.meta.get("key")
        if key and self.meta.get("source") != "user":
            return builtin_fingerprint(
                self.name, key, self.part, self.selection, self.meta.get("stride")
            )
        h = hashlib.sha256()
        h.update(f"user|{self.frame_interval_fs!r}|{self.selection}".encode())
        for x in self.xyz():
            x = np.ascontiguousarray(x)
            h.update(f"{x.dtype.str}{x.shape}".encode())
            h.update(x.tobytes())
        return h.hexdigest()[:16]

    @property
    def n_copies(self) -> int:
        """Number of independent trajectories."""
        return len(self.trajectories)

    @property
    def n_atoms(self) -> int:
        """Atoms per frame (after selection)."""
        return self.trajectories[0].n_atoms

    @property
    def n_frames(self) -> list[int]:
        """Frames of each copy."""
        return [t.n_frames for t in self.trajectories]

    def xyz(self) -> list[np.ndarray]:
        """Coordinates of each copy, ``(n_frames, n_atoms, 3)`` float32 in nm."""
        return [t.xyz for t in self.trajectories]

    def time_fs(self, copy: int = 0) -> np.ndarray:
        """Times of the frames of one copy, ``(n_frames,)`` in fs, starting at 0."""
        return np.arange(self.trajectories[copy].n_frames) * self.frame_interval_fs

    def subsample(self, stride: int) -> TrajectorySet:
        """Every ``stride``-th frame of each copy (a new set; tables are strided too)."""
        if stride < 1:
            raise ValueError(f"expected a stride >= 1, found {stride}")
        return TrajectorySet(
            name=self.name,
            trajectories=[t[::stride] for t in self.trajectories],
            frame_interval_fs=self.frame_interval_fs * stride,
            selection=self.selection,
            meta=dict(self.meta, stride=stride),
            tables={k: v[::stride] for k, v in self.tables.items()},
            part=self.part,
        )

    def __repr__(self) -> str:
        return (
            f"TrajectorySet({self.name!r}, copies={self.n_copies}, atoms={self.n_atoms}, "
            f"frames={self.n_frames}, every {self.frame_interval_fs:g} fs, "
            f"selection={self.selection!r})"
        )
