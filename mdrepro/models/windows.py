"""Forecasting windows cut from MD trajectories, and time-ordered splits without leakage.

Conventions
-----------
A trajectory is an array ``x`` of shape ``(T, N, 3)``: ``T`` frames, ``N`` particles (C-alpha
atoms), Cartesian coordinates in nm. A *window* is identified by its **origin** ``t``, the index
of its last input frame:

* inputs: the ``history`` frames ``t - history + 1, ..., t`` (``history = h``);
* target: the single frame ``t + lead`` (a prediction window of one step).

So ``target_frame - last_input_frame == lead`` exactly, and the static model of the paper
forecasts ``x[t + lead]`` by ``x[t]``, the last input. A window exists for
``h - 1 <= t <= T - 1 - lead``.

Two layouts (Sect. 5.2 of Gupta, Cava et al. 2020):

``"kirchhoff"``
    The "Kirchhoff decomposition": every particle is an independent 3-D series, and one shared
    model sees all of them. Windows of all particles are stacked into one batch: inputs
    ``(n_windows * N, h, 3)``, targets ``(n_windows * N, 3)``, window-major (rows
    ``w * N .. w * N + N - 1`` are the ``N`` particles of window ``w``).
``"whole"``
    The whole structure is one vector: inputs ``(n_windows, h, 3 N)``, targets
    ``(n_windows, 3 N)``, the ``3 N`` features ordered particle-major (``x0, y0, z0, x1, ...``).

Splits are contiguous ranges of frames in time, per copy: train first, then validation, then
test. A window belongs to a split only if **all** its input frames **and** its target frame lie
inside that split's frame range; windows that straddle a boundary are dropped, so no frame of a
later split ever feeds (as input or target) a window of an earlier one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from numpy.lib.stride_tricks import sliding_window_view

from mdrepro.analysis._checks import as_frames, as_int
from mdrepro.errors import DataError

__all__ = [
    "LAYOUTS",
    "SPLITS",
    "TARGETS",
    "Scaler",
    "WindowData",
    "build_splits",
    "frames_from_rows",
    "make_windows",
    "split_bounds",
    "window_origins",
]

LAYOUTS = ("kirchhoff", "whole")
SPLITS = ("train", "val", "test")
#: What the network outputs: the (standardised) position at ``t + lead``, or the displacement
#: ``x[t + lead] - x[t]`` (scaled by its train-split standard deviation).
TARGETS = ("position", "displacement")


def _check_layout(layout: str) -> str:
    if layout not in LAYOUTS:
        raise DataError(f"expected layout 'kirchhoff' or 'whole', found {layout!r}")
    return layout


def split_bounds(n_frames: int, fractions: Sequence[float] = (0.7, 0.1, 0.2)) -> dict:
    """Contiguous train / validation / test frame ranges of one trajectory.

    Parameters
    ----------
    n_frames : int
        Frames ``T`` of the trajectory.
    fractions : sequence of 3 floats
        Fractions of the frames for train, validation and test, in time order; each ``>= 0``,
        train and test ``> 0``, summing to 1 (within 1e-6).

    Returns
    -------
    dict
        ``{"train": (0, a), "val": (a, b), "test": (b, T)}``: half-open ``[start, stop)``
        frame ranges with ``a = round(f_train T)`` and ``b = round((f_train + f_val) T)``.

    Raises
    ------
    ValueError
        For fractions that are not three non-negative numbers summing to 1.
    """
    n = as_int(n_frames, "n_frames", minimum=1)
    f = np.asarray(fractions, dtype=np.float64)
    if f.shape != (3,) or not np.all(np.isfinite(f)) or np.any(f < 0):
        raise DataError(f"expected three non-negative split fractions, found {fractions!r}")
    if abs(f.sum() - 1.0) > 1e-6 or f[0] == 0 or f[2] == 0:
        raise DataError(
            f"expected split fractions summing to 1 with train and test > 0, found {fractions!r}"
        )
    a = int(round(f[0] * n))
    b = int(round((f[0] + f[1]) * n))
    return {"train": (0, a), "val": (a, b), "test": (b, n)}


def window_origins(
    n_frames: int,
    history: int,
    lead: int,
    start: int = 0,
    stop: int | None = None,
    stride: int = 1,
) -> np.ndarray:
    """Origins (last input frames) of the windows that lie entirely in ``[start, stop)``.

    Parameters
    ----------
    n_frames : int
        Frames ``T`` of the trajectory.
    history : int
        Input frames per window, ``h >= 1``.
    lead : int
        Frames from the last input to the target, ``>= 1``.
    start, stop : int
        Half-open frame range (default the whole trajectory).
    stride : int
        Keep every ``stride``-th origin (consecutive windows overlap almost entirely; a stride
        thins them without changing what a window is).

    Returns
    -------
    numpy.ndarray of int64, shape (n_windows,)
        Origins ``t`` with ``start <= t - h + 1`` and ``t + lead <= stop - 1``, increasing;
        empty if the range is shorter than ``h + lead`` frames.
    """
    n = as_int(n_frames, "n_frames", minimum=1)
    h = as_int(history, "history (frames)", minimum=1)
    lead = as_int(lead, "lead (frames)", minimum=1)
    stride = as_int(stride, "stride", minimum=1)
    stop = n if stop is None else as_int(stop, "stop", minimum=0)
    start = as_int(start, "start", minimum=0)
    if stop > n or start > stop:
        raise DataError(f"expected 0 <= start <= stop <= {n}, found start={start}, stop={stop}")
    first, last = start + h - 1, stop - 1 - lead
    if last < first:
        return np.zeros(0, dtype=np.int64)
    return np.arange(first, last + 1, stride, dtype=np.int64)


def make_windows(
    x, history: int, lead: int, layout: str = "kirchhoff", origins=None
) -> tuple[np.ndarray, np.ndarray]:
    """Materialise the windows of one trajectory as arrays (stride tricks, no Python loops).

    Parameters
    ----------
    x : array_like, shape (T, N, 3)
        Trajectory (nm, or standardised units).
    history, lead : int
        Input frames per window and frames from the last input to the target.
    layout : {"kirchhoff", "whole"}
        See the module docstring.
    origins : array_like of int, optional
        Origins (last input frames) to keep; default every valid origin
        (:func:`window_origins`).

    Returns
    -------
    inputs : numpy.ndarray
        ``(n_windows * N, h, 3)`` (kirchhoff) or ``(n_windows, h, 3 N)`` (whole).
    targets : numpy.ndarray
        ``(n_windows * N, 3)`` (kirchhoff) or ``(n_windows, 3 N)`` (whole).

    Notes
    -----
    :class:`WindowData` gathers the same windows lazily, a batch at a time, for data sets too
    large to materialise (10^6 frames x 100 particles x 10 frames of history is 12 GB).
    """
    x = as_frames(x, "x")
    _check_layout(layout)
    t_frames, n_atoms = x.shape[0], x.shape[1]
    h = as_int(history, "history (frames)", minimum=1)
    lead = as_int(lead, "lead (frames)", minimum=1)
    valid = window_origins(t_frames, h, lead)
    o = valid if origins is None else np.asarray(origins, dtype=np.int64).reshape(-1)
    if o.size and (o.min() < h - 1 or o.max() > t_frames - 1 - lead):
        raise DataError(
            f"expected origins in [{h - 1}, {t_frames - 1 - lead}] for T={t_frames}, h={h}, "
            f"lead={lead}, found [{o.min()}, {o.max()}]"
        )
    # view (T - h + 1, N, 3, h): element [s, i, c, k] = x[s + k, i, c]; window with origin t
    # starts at s = t - h + 1
    view = sliding_window_view(x, h, axis=0)[o - h + 1]
    targets = x[o + lead]
    if layout == "kirchhoff":
        inputs = view.transpose(0, 1, 3, 2).reshape(len(o) * n_atoms, h, 3)
        return inputs, targets.reshape(len(o) * n_atoms, 3)
    inputs = view.transpose(0, 3, 1, 2).reshape(len(o), h, 3 * n_atoms)
    return inputs, targets.reshape(len(o), 3 * n_atoms)


def frames_from_rows(rows, n_atoms: int, layout: str) -> np.ndarray:
    """Reshape model outputs or targets back into frames.

    Parameters
    ----------
    rows : array_like
        ``(n_windows * N, 3)`` (kirchhoff) or ``(n_windows, 3 N)`` (whole).
    n_atoms : int
        ``N``.
    layout : {"kirchhoff", "whole"}

    Returns
    -------
    numpy.ndarray, shape (n_windows, N, 3)
    """
    _check_layout(layout)
    a = np.asarray(rows)
    width = 3 if layout == "kirchhoff" else 3 * n_atoms
    if a.ndim != 2 or a.shape[1] != width or (layout == "kirchhoff" and a.shape[0] % n_atoms):
        raise DataError(f"expected rows of width {width} for {layout}, found shape {a.shape}")
    return a.reshape(-1, n_atoms, 3)


@dataclass
class Scaler:
    """Standardisation ``(x - mean) / std`` with statistics of the training frames.

    Attributes
    ----------
    mean, std : numpy.ndarray
        ``(3,)`` per Cartesian coordinate, pooled over particles (kirchhoff: one model for all
        particles), or ``(N, 3)`` per feature (whole), nm. ``std`` is floored at 1e-6 nm.
    """

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, frames: Sequence[np.ndarray], layout: str) -> Scaler:
        """Statistics of the given training frames (list of ``(T_k, N, 3)`` arrays, nm)."""
        _check_layout(layout)
        x = np.concatenate([np.asarray(f, dtype=np.float64) for f in frames])
        if x.shape[0] == 0:
            raise DataError("expected at least one training frame to standardise with, found 0")
        axes = (0, 1) if layout == "kirchhoff" else (0,)
        return cls(x.mean(axis=axes), np.maximum(x.std(axis=axes), 1e-6))

    def transform(self, x: np.ndarray) -> np.ndarray:
        """``(x - mean) / std`` for ``(..., N, 3)`` arrays."""
        return (x - self.mean) / self.std

    def inverse(self, z: np.ndarray) -> np.ndarray:
        """``z * std + mean`` for ``(..., N, 3)`` arrays (back to nm)."""
        return z * self.std + self.mean


@dataclass
class WindowData:
    """The windows of one split, gathered lazily from the frames of every copy.

    One object per split; all splits of one set of trajectories share the ``frames`` tensor,
    the ``raw`` array and the ``scaler``. Build them with :func:`build_splits`.

    Attributes
    ----------
    frames : torch.Tensor, shape (F, N, 3), float32
        All copies concatenated in time, standardised with ``scaler``; on the training device.
    raw : numpy.ndarray, shape (F, N, 3)
        The same frames in nm (host memory), for truths, the static model and RMSDs.
    origins : torch.Tensor of int64, shape (n_windows,)
        Global origins (last input frame, index into ``frames``); on the training device.
    copy_index : numpy.ndarray of int64, shape (n_windows,)
        Copy of each window; ``local_origin`` is the origin within its copy.
    local_origin : numpy.ndarray of int64, shape (n_windows,)
    history, lead : int
        Input frames and lead, frames.
    layout : {"kirchhoff", "whole"}
    target : {"position", "displacement"}
    scaler : Scaler
    target_scale : torch.Tensor
        Divisor of displacement targets (standardised units), ``(3,)`` or ``(N, 3)``; ones for
        position targets.
    """

    frames: torch.Tensor
    raw: np.ndarray
    origins: torch.Tensor
    copy_index: np.ndarray
    local_origin: np.ndarray
    history: int
    lead: int
    layout: str
    target: str
    scaler: Scaler
    target_scale: torch.Tensor

    @property
    def n_atoms(self) -> int:
        """Particles per frame, ``N``."""
        return int(self.frames.shape[1])

    @property
    def n_features(self) -> int:
        """Input and output width of the model: 3 (kirchhoff) or ``3 N`` (whole)."""
        return 3 if self.layout == "kirchhoff" else 3 * self.n_atoms

    @property
    def rows_per_window(self) -> int:
        """Sequences (model rows) per window: ``N`` (kirchhoff) or 1 (whole)."""
        return self.n_atoms if self.layout == "kirchhoff" else 1

    def __len__(self) -> int:
        return int(self.origins.shape[0])

    @property
    def device(self) -> torch.device:
        """Where the frames live."""
        return self.frames.device

    def batch(self, idx) -> tuple[torch.Tensor, torch.Tensor]:
        """Inputs and targets of the windows ``idx``, gathered on the device.

        Parameters
        ----------
        idx : torch.Tensor of int64, shape (B,)
            Window indices (into this split).

        Returns
        -------
        x : torch.Tensor
            ``(B * N, h, 3)`` (kirchhoff) or ``(B, h, 3 N)`` (whole), standardised.
        y : torch.Tensor
            ``(B * N, 3)`` or ``(B, 3 N)``: standardised positions at ``t + lead``, or
            displacements ``(z[t + lead] - z[t]) / target_scale``.
        """
        o = self.origins[idx.to(self.origins.device)]
        b, n, h = o.shape[0], self.n_atoms, self.history
        steps = torch.arange(-h + 1, 1, device=o.device)
        x = self.frames[o[:, None] + steps[None, :]]  # (B, h, N, 3)
        y = self.frames[o + self.lead]  # (B, N, 3)
        if self.target == "displacement":
            y = (y - self.frames[o]) / self.target_scale
        if self.layout == "kirchhoff":
            return x.permute(0, 2, 1, 3).reshape(b * n, h, 3), y.reshape(b * n, 3)
        return x.reshape(b, h, 3 * n), y.reshape(b, 3 * n)

    def all_indices(self) -> torch.Tensor:
        """``arange(len(self))`` on the device."""
        return torch.arange(len(self), device=self.origins.device)

    def _np_origins(self) -> np.ndarray:
        return self.origins.cpu().numpy()

    def truth_nm(self) -> np.ndarray:
        """Target frames ``x[t + lead]`` of every window, ``(n_windows, N, 3)`` nm."""
        return self.raw[self._np_origins() + self.lead]

    def last_input_nm(self) -> np.ndarray:
        """Last input frames ``x[t]``, the static model's forecast, ``(n_windows, N, 3)`` nm."""
        return self.raw[self._np_origins()]

    def to_frames_nm(self, out, idx=None) -> np.ndarray:
        """Model outputs of the windows ``idx`` (default all) as forecast frames in nm.

        Parameters
        ----------
        out : torch.Tensor or numpy.ndarray
            ``(B * N, 3)`` or ``(B, 3 N)`` model outputs (standardised units).
        idx : array_like of int, optional
            The windows the outputs belong to (needed for displacement targets).

        Returns
        -------
        numpy.ndarray, shape (B, N, 3)
            Forecast positions at ``t + lead``, nm (float64).
        """
        if isinstance(out, torch.Tensor):
            out = out.detach().cpu().numpy()
        z = frames_from_rows(out, self.n_atoms, self.layout).astype(np.float64)
        if self.target == "displacement":
            o = self._np_origins() if idx is None else self._np_origins()[np.asarray(idx)]
            start = self.scaler.transform(self.raw[o].astype(np.float64))
            z = start + z * self.target_scale.cpu().numpy()
        return self.scaler.inverse(z)


def build_splits(
    trajs,
    history: int,
    lead: int,
    layout: str = "kirchhoff",
    fractions: Sequence[float] = (0.7, 0.1, 0.2),
    train_stride: int = 1,
    target: str = "position",
    device: str | torch.device = "cpu",
    require: Sequence[str] = ("train", "test"),
) -> dict[str, WindowData]:
    """Windows of every copy, split in time into train / validation / test.

    Each copy is split on its own with :func:`split_bounds` (train first), windows never cross
    a split boundary or the end of a copy, and the windows of all copies are pooled per split.
    Inputs and targets are standardised with the statistics of the **training frames only**
    (:class:`Scaler`), so nothing of the validation or test frames reaches the model.

    Parameters
    ----------
    trajs : sequence of array_like, each (T_k, N, 3), or one (T, N, 3) array
        Independent copies, nm.
    history, lead : int
        Input frames per window, and frames from the last input to the target.
    layout : {"kirchhoff", "whole"}
    fractions : sequence of 3 floats
        Train, validation and test fractions of each copy.
    train_stride : int
        Keep every ``train_stride``-th training and validation window (the test split keeps
        every window).
    target : {"position", "displacement"}
        What the model is trained to output (see :data:`TARGETS`).
    device : str or torch.device
        Where the frames tensor lives (the training device).
    require : sequence of str
        Splits that must hold at least one window (else :class:`DataError`).

    Returns
    -------
    dict of str to WindowData
        ``{"train": ..., "val": ..., "test": ...}``.
    """
    if isinstance(trajs, np.ndarray) and trajs.ndim == 3:
        trajs = [trajs]
    copies = [as_frames(x, f"copy {k}") for k, x in enumerate(trajs)]
    if not copies:
        raise DataError("expected at least one trajectory, found none")
    if len({c.shape[1] for c in copies}) > 1:
        raise DataError(
            f"expected copies with the same number of particles, found "
            f"{sorted({c.shape[1] for c in copies})}"
        )
    _check_layout(layout)
    if target not in TARGETS:
        raise DataError(f"expected target 'position' or 'displacement', found {target!r}")
    h = as_int(history, "history (frames)", minimum=1)
    lead = as_int(lead, "lead (frames)", minimum=1)
    bounds = [split_bounds(c.shape[0], fractions) for c in copies]
    scaler = Scaler.fit(
        [c[slice(*b["train"])] for c, b in zip(copies, bounds, strict=True)], layout
    )
    offsets = np.cumsum([0] + [c.shape[0] for c in copies[:-1]])
    raw = np.concatenate(copies)
    z = scaler.transform(raw.astype(np.float64))
    frames = torch.as_tensor(z, dtype=torch.float32, device=device)

    per_split = {}
    for name in SPLITS:
        loc, cid = [], []
        for k, (c, b) in enumerate(zip(copies, bounds, strict=True)):
            o = window_origins(
                c.shape[0], h, lead, *b[name], stride=train_stride if name != "test" else 1
            )
            loc.append(o)
            cid.append(np.full(o.shape, k, dtype=np.int64))
        per_split[name] = (np.concatenate(loc), np.concatenate(cid))
        if name in require and per_split[name][0].size == 0:
            lengths = [b[name][1] - b[name][0] for b in bounds]
            raise DataError(
                f"expected at least one {name} window of {h + lead} frames (history {h} + lead "
                f"{lead}), found {name} ranges of {lengths} frames; use longer trajectories or "
                f"other split fractions"
            )

    ones = torch.ones(3 if layout == "kirchhoff" else (copies[0].shape[1], 3))
    tscale = ones.to(device)
    if target == "displacement":
        o, cid = per_split["train"]
        g = o + offsets[cid]
        d = z[g + lead] - z[g]
        axes = (0, 1) if layout == "kirchhoff" else (0,)
        tscale = torch.as_tensor(
            np.maximum(d.std(axis=axes), 1e-6), dtype=torch.float32, device=device
        )

    out = {}
    for name, (o, cid) in per_split.items():
        out[name] = WindowData(
            frames=frames,
            raw=raw,
            origins=torch.as_tensor(o + offsets[cid], dtype=torch.int64, device=device),
            copy_index=cid,
            local_origin=o,
            history=h,
            lead=lead,
            layout=layout,
            target=target,
            scaler=scaler,
            target_scale=tscale,
        )
    return out
