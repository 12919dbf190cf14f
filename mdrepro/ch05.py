"""Chapter 5 logic: bi-directional interpolation of MD trajectories (Winkler & Sauceda 2020).

Every number of the notebook comes from here:

* :func:`prepare` turns a :class:`~mdrepro.data.phasespace.PhaseSpaceSet` into standardised
  phase-space segments of ``T`` steps (centre of mass removed; one scale for all position
  coordinates, one for all velocities, from the training frames), split in time into
  training and test segments;
* :func:`fit` trains one dynamics model (:mod:`mdrepro.models.interpolation`) on the training
  segments with the book's training loop;
* :func:`interpolate_segments` interpolates every test segment uni- or bi-directionally and
  returns the prediction in nm and nm/ps; :func:`error_profile` the position error per time in
  the segment;
* :func:`hermite_segments` - the classical reference: cubic Hermite interpolation of every test
  segment from the same end positions and velocities the bi-directional models get;
* analysis: :func:`pair_distances`, :func:`vdos` (vibrational spectrum from the velocity
  autocorrelation), :func:`dihedral`, :func:`free_energy_2d`;
* :func:`check_claims` judges the slides' statements.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from mdrepro.claims import ClaimSet, monotone_increasing
from mdrepro.data.phasespace import PhaseSpaceSet
from mdrepro.errors import DataError
from mdrepro.models.interpolation import (
    SegmentObjective,
    hermite_interpolate,
    interpolate,
    make_model,
)
from mdrepro.training import TensorPairs, train

__all__ = [
    "MASSES",
    "SegmentData",
    "check_claims",
    "dihedral",
    "error_profile",
    "fit",
    "free_energy_2d",
    "free_energy_rmse",
    "hermite_segments",
    "interpolate_segments",
    "pair_distances",
    "prepare",
    "stitch",
    "vdos",
]

A_PER_NM = 10.0
#: Atomic masses, amu.
MASSES = {1: 1.008, 6: 12.011, 7: 14.007, 8: 15.999, 9: 18.998, 16: 32.06}
#: cm^-1 per THz (1 / ps).
CM1_PER_THZ = 33.35641
#: Free-energy agreement criterion at 300 K, in kT (RMSE over bins populated in both).
FE_RMSE_KT = 0.5
#: Exact end conditions: largest allowed deviation, Å and Å/fs (float32 states).
END_TOL = 1e-6


@dataclass
class SegmentData:
    """Standardised phase-space segments of one trajectory.

    Attributes
    ----------
    set : PhaseSpaceSet
        The data, centre of mass removed.
    n_steps : int
        Steps per segment ``T`` (a segment has ``T + 1`` frames).
    train : numpy.ndarray, shape (n_train, T + 1, D)
        Training segments (standardised, float32), start frames ``stride`` apart.
    test : numpy.ndarray, shape (n_test, T + 1, D)
        Consecutive test segments sharing their end frames (they tile the test part).
    test_start : int
        Frame index of the first test frame.
    scale : tuple of float
        Position scale (nm) and velocity scale (nm/ps).
    val : numpy.ndarray, shape (n_val, T + 1, D)
        Validation segments: consecutive segments tiling the last ``val_fraction`` of the
        training frames, which no training segment touches (empty without a split).
    """

    set: PhaseSpaceSet
    n_steps: int
    train: np.ndarray
    test: np.ndarray
    test_start: int
    scale: tuple[float, float]
    info: dict = field(default_factory=dict)
    val: np.ndarray | None = None

    @property
    def dim(self) -> int:
        return int(self.train.shape[-1])

    @property
    def kinetic_scale(self) -> float:
        """Standardised position change per frame of a unit standardised velocity."""
        return self.scale[1] * self.set.frame_interval_fs * 1e-3 / self.scale[0]

    def to_physical(self, states: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Standardised states ``(..., D)`` -> positions (nm) and velocities (nm/ps),
        each ``(..., N, 3)``."""
        n = self.dim // 2
        q = states[..., :n] * self.scale[0]
        v = states[..., n:] * self.scale[1]
        return q.reshape(*q.shape[:-1], -1, 3), v.reshape(*v.shape[:-1], -1, 3)

    def test_truth(self) -> tuple[np.ndarray, np.ndarray]:
        """Positions and velocities of the test frames, ``(n_test * T + 1, N, 3)``."""
        return stitch(self.to_physical(self.test)[0]), stitch(self.to_physical(self.test)[1])


def masses_of(z: np.ndarray) -> np.ndarray:
    """Masses (amu) of atomic numbers ``z``."""
    try:
        return np.array([MASSES[int(k)] for k in z])
    except KeyError as exc:
        raise DataError(f"no mass for atomic number {exc.args[0]}") from None


def remove_com(ps: PhaseSpaceSet) -> PhaseSpaceSet:
    """The set with centre-of-mass position and velocity removed in every frame."""
    m = masses_of(ps.z)
    w = m / m.sum()
    q = ps.positions - np.einsum("tni,n->ti", ps.positions, w)[:, None]
    v = ps.velocities - np.einsum("tni,n->ti", ps.velocities, w)[:, None]
    return PhaseSpaceSet(
        name=ps.name,
        positions=q,
        velocities=v,
        z=ps.z,
        frame_interval_fs=ps.frame_interval_fs,
        temperature_K=ps.temperature_K,
        energy=ps.energy,
        velocities_estimated=ps.velocities_estimated,
        meta=ps.meta,
    )


def prepare(
    ps: PhaseSpaceSet,
    n_steps: int = 20,
    train_fraction: float = 0.6,
    train_stride: int = 5,
    max_test_segments: int | None = None,
    val_fraction: float = 0.0,
) -> SegmentData:
    """Cut a trajectory into standardised training and test segments.

    Parameters
    ----------
    ps : PhaseSpaceSet
    n_steps : int
        Steps per segment (the slides interpolate over 20).
    train_fraction : float
        Leading fraction of the frames used for training; the test part follows it.
    train_stride : int
        Frames between the starts of consecutive (overlapping) training segments.
    max_test_segments : int, optional
        Keep at most this many test segments.
    val_fraction : float
        Trailing fraction of the training frames held out for validation (early-stopping-free
        monitoring of convergence): the training segments end before it, the validation
        segments tile it. The scales come from the remaining training frames only.
    """
    if n_steps < 2:
        raise DataError(f"expected segments of at least 2 steps, found {n_steps}")
    ps = remove_com(ps)
    T = ps.n_frames
    n_train = int(T * train_fraction)
    if n_train < n_steps + 1 or T - n_train < n_steps + 1:
        raise DataError(
            f"{ps.name}: expected at least {2 * (n_steps + 1)} frames for training and test "
            f"segments of {n_steps} steps, found {T}"
        )
    if not 0.0 <= val_fraction < 1.0:
        raise DataError(f"expected 0 <= val_fraction < 1, found {val_fraction}")
    n_val = int(n_train * val_fraction)
    if n_val and n_val < n_steps + 1:
        raise DataError(
            f"{ps.name}: a validation part of {n_val} frames holds no segment of {n_steps} steps"
        )
    n_fit = n_train - n_val
    if n_fit < n_steps + 1:
        raise DataError(f"{ps.name}: no training segment left after the validation split")
    q_scale = float(ps.positions[:n_fit].std())
    v_scale = float(ps.velocities[:n_fit].std())
    X = np.concatenate(
        [
            ps.positions.reshape(T, -1) / q_scale,
            ps.velocities.reshape(T, -1) / v_scale,
        ],
        axis=1,
    ).astype(np.float32)
    starts = np.arange(0, n_fit - n_steps, train_stride)
    train = np.stack([X[s : s + n_steps + 1] for s in starts])
    val_starts = np.arange(n_fit, n_train - n_steps, n_steps)
    val = (
        np.stack([X[s : s + n_steps + 1] for s in val_starts])
        if len(val_starts)
        else np.zeros((0, n_steps + 1, X.shape[1]), np.float32)
    )
    test_starts = np.arange(n_train, T - n_steps, n_steps)
    if max_test_segments is not None:
        test_starts = test_starts[:max_test_segments]
    test = np.stack([X[s : s + n_steps + 1] for s in test_starts])
    return SegmentData(
        set=ps,
        n_steps=n_steps,
        train=train,
        test=test,
        test_start=int(n_train),
        scale=(q_scale, v_scale),
        info={
            "n_train_segments": len(train),
            "n_val_segments": len(val),
            "n_test_segments": len(test),
        },
        val=val,
    )


def fit(
    kind: str,
    seg: SegmentData,
    *,
    hidden: int = 64,
    epochs: int = 10,
    lr: float = 1e-3,
    batch_size: int = 32,
    seed: int = 0,
    device: str = "cpu",
    progress: bool = False,
    patience: int | None = None,
):
    """Train a dynamics model of ``kind`` on the training segments.

    With validation segments, the model returned holds the weights of the epoch with the
    lowest validation loss (:func:`mdrepro.training.train` with ``restore_best``), and
    training stops after ``patience`` epochs without improvement.

    Returns
    -------
    model : DynamicsModel
        Trained, in eval mode, on ``device``.
    result : TrainResult
        Losses are the MSE of the forward and backward rollouts in standardised units, per
        epoch on the training segments and (if ``seg`` has any) on the validation segments.
    """
    torch.manual_seed(seed)
    model = make_model(kind, seg.dim, hidden=hidden, kinetic_scale=seg.kinetic_scale)
    obj = SegmentObjective(model)
    x = torch.as_tensor(seg.train)
    data = TensorPairs(x, SegmentObjective.targets(x), device=device)
    val = None
    if seg.val is not None and len(seg.val):
        xv = torch.as_tensor(seg.val)
        val = TensorPairs(xv, SegmentObjective.targets(xv), device=device)
    res = train(
        obj,
        data,
        val,
        epochs=epochs,
        lr=lr,
        batch_size=batch_size,
        seed=seed,
        device=device,
        progress=progress,
        desc=f"{kind} (seed {seed})",
        grad_clip=1.0,
        patience=patience,
        restore_best=True,
    )
    model.eval()
    return model, res


def interpolate_segments(
    model, seg: SegmentData, mode: str = "bi", batch_size: int = 256
) -> np.ndarray:
    """Interpolate every test segment between its first and last frame.

    Returns
    -------
    numpy.ndarray, shape (n_test, T + 1, D)
        Standardised states (use :meth:`SegmentData.to_physical`).
    """
    dev = next(model.parameters()).device
    out = []
    with torch.no_grad():
        for s in range(0, len(seg.test), batch_size):
            x = torch.as_tensor(seg.test[s : s + batch_size], device=dev)
            out.append(interpolate(model, x[:, 0], x[:, -1], seg.n_steps, mode).cpu().numpy())
    return np.concatenate(out)


def hermite_segments(seg: SegmentData) -> np.ndarray:
    """Cubic Hermite interpolation of every test segment between its end states (positions
    and velocities at both ends; no learning) - the classical reference of the models.

    Returns
    -------
    numpy.ndarray, shape (n_test, T + 1, D)
        Standardised states, like :func:`interpolate_segments`.
    """
    x = seg.test.astype(np.float64)
    out = hermite_interpolate(x[:, 0], x[:, -1], seg.n_steps, seg.kinetic_scale)
    return out.astype(np.float32)


def error_profile(seg: SegmentData, pred: np.ndarray) -> np.ndarray:
    """Position RMSE (over atoms and Cartesian components) per time in the segment, Å.

    Parameters
    ----------
    seg : SegmentData
    pred : numpy.ndarray, shape (n_test, T + 1, D)

    Returns
    -------
    numpy.ndarray, shape (T + 1,)
    """
    q_pred = seg.to_physical(pred)[0]
    q_true = seg.to_physical(seg.test)[0]
    return np.sqrt(((q_pred - q_true) ** 2).mean(axis=(0, 2, 3))) * A_PER_NM


def end_condition_error(seg: SegmentData, pred: np.ndarray) -> float:
    """Largest deviation of the interpolation's first and last frames from the given end
    conditions (positions in Å, velocities in Å/fs, whichever is larger)."""
    q_p, v_p = seg.to_physical(pred[:, [0, -1]])
    q_t, v_t = seg.to_physical(seg.test[:, [0, -1]])
    dq = np.abs(q_p - q_t).max() * A_PER_NM
    dv = np.abs(v_p - v_t).max() * A_PER_NM / 1000.0  # nm/ps -> Å/fs
    return float(max(dq, dv))


def stitch(segments: np.ndarray) -> np.ndarray:
    """Join consecutive segments that share end frames into one trajectory.

    Parameters
    ----------
    segments : numpy.ndarray, shape (S, T + 1, ...)

    Returns
    -------
    numpy.ndarray, shape (S * T + 1, ...)
    """
    parts = [segments[:, :-1].reshape(-1, *segments.shape[2:]), segments[-1, -1:]]
    return np.concatenate(parts)


def pair_distances(positions: np.ndarray) -> np.ndarray:
    """All interatomic distances per frame, Å.

    Parameters
    ----------
    positions : numpy.ndarray, shape (T, N, 3)
        nm.

    Returns
    -------
    numpy.ndarray, shape (T, N (N - 1) / 2)
    """
    i, j = np.triu_indices(positions.shape[1], 1)
    return np.linalg.norm(positions[:, i] - positions[:, j], axis=-1) * A_PER_NM


def dihedral(positions: np.ndarray, idx: tuple[int, int, int, int]) -> np.ndarray:
    """Dihedral angle of atoms ``idx`` per frame, degrees in (-180, 180].

    Parameters
    ----------
    positions : numpy.ndarray, shape (T, N, 3)
    idx : 4 ints
    """
    p0, p1, p2, p3 = (positions[:, k] for k in idx)
    b0, b1, b2 = p0 - p1, p2 - p1, p3 - p2
    b1n = b1 / np.linalg.norm(b1, axis=-1, keepdims=True)
    v = b0 - (b0 * b1n).sum(-1, keepdims=True) * b1n
    w = b2 - (b2 * b1n).sum(-1, keepdims=True) * b1n
    x = (v * w).sum(-1)
    y = (np.cross(b1n, v) * w).sum(-1)
    return np.degrees(np.arctan2(y, x))


def vdos(velocities: np.ndarray, masses: np.ndarray, frame_interval_fs: float):
    """Vibrational density of states: Fourier transform of the mass-weighted velocity
    autocorrelation (Wiener-Khinchin, via the power spectrum of the velocities).

    Parameters
    ----------
    velocities : numpy.ndarray, shape (T, N, 3)
    masses : numpy.ndarray, shape (N,)
    frame_interval_fs : float

    Returns
    -------
    wavenumber : numpy.ndarray, shape (T // 2 + 1,)
        cm^-1.
    spectrum : numpy.ndarray, shape (T // 2 + 1,)
        Normalised to unit area on the wavenumber grid.
    """
    v = velocities - velocities.mean(axis=0)
    T = v.shape[0]
    window = np.hanning(T)[:, None, None]
    power = np.abs(np.fft.rfft(v * window, axis=0)) ** 2
    spec = np.einsum("fni,n->f", power, masses)
    freq_thz = np.fft.rfftfreq(T, d=frame_interval_fs * 1e-3)
    wn = freq_thz * CM1_PER_THZ
    area = np.trapezoid(spec, wn)
    return wn, spec / area if area > 0 else spec


def free_energy_2d(
    a: np.ndarray, b: np.ndarray, bins: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Free energy ``-ln p`` (kT) on a 2-D histogram, minimum shifted to 0.

    Returns
    -------
    F : numpy.ndarray, shape (len(bins[0]) - 1, len(bins[1]) - 1)
        kT; ``inf`` in empty bins.
    counts : numpy.ndarray
        Histogram counts.
    """
    H, _, _ = np.histogram2d(a, b, bins=bins)
    with np.errstate(divide="ignore"):
        F = -np.log(H / H.sum())
    F -= F[np.isfinite(F)].min()
    return F, H


def free_energy_rmse(F_true, H_true, F_pred, H_pred, min_count: int = 5) -> float:
    """RMSE (kT) between two free-energy surfaces over bins with at least ``min_count``
    samples in both, after aligning their means over those bins (the surfaces are defined up
    to a constant)."""
    ok = (H_true >= min_count) & (H_pred >= min_count)
    if not ok.any():
        return float("nan")
    d = F_pred[ok] - F_true[ok]
    return float(np.sqrt(((d - d.mean()) ** 2).mean()))


# ---------------------------------------------------------------------------------------------
# Claims
# ---------------------------------------------------------------------------------------------
def _spread(values) -> str:
    v = np.asarray(list(values), float)
    return f"seeds: {', '.join(f'{x:.3g}' for x in v)} (range {v.min():.3g}-{v.max():.3g})"


def check_claims(results: dict, profile: str) -> ClaimSet:
    """Judge the slides' statements on the chapter's results.

    Parameters
    ----------
    results : dict
        ``"errors"``: dict (model, mode, seed) -> mean interior position RMSE (Å) on MDA 300 K;
        ``"temperature_errors"``: dict (temperature_K, seed) -> the same for the temperature
        model, bi-directional; ``"temperature_model"``: its name; ``"end_error"``: largest
        end-condition deviation of every bi-directional interpolation; ``"fe_rmse"``: list of
        free-energy RMSEs (kT) at 300 K, one per seed.
    profile : str
    """
    cs = ClaimSet("ch05", profile)
    err = results["errors"]
    models = sorted({k[0] for k in err})
    seeds = sorted({k[2] for k in err})

    def med(m, mode):
        return float(np.median([err[(m, mode, s)] for s in seeds]))

    bi_better = {m: med(m, "bi") < med(m, "uni") for m in models}
    per_seed = all(err[(m, "bi", s)] < err[(m, "uni", s)] for m in models for s in seeds)
    cs.add(
        "ch05.bi-beats-uni",
        "error vs time in segment",
        "Bi-directional interpolation has a lower error than uni-directional, for every model.",
        "bi < uni for ODE, Hamiltonian, RNN and LSTM",
        "; ".join(f"{m}: bi {med(m, 'bi'):.3g} Å vs uni {med(m, 'uni'):.3g} Å" for m in models),
        "median over seeds of the mean interior position RMSE, bi < uni for every model",
        all(bi_better.values()),
        note=(
            "holds for every seed as well"
            if per_seed
            else "the medians decide; at least one seed has bi >= uni for some model"
        ),
        spread="; ".join(f"{m} bi {_spread(err[(m, 'bi', s)] for s in seeds)}" for m in models),
    )
    bi = {m: med(m, "bi") for m in models}
    best = min(bi, key=bi.get)
    cs.add(
        "ch05.lstm-best",
        "error vs time in segment",
        "The LSTM interpolates with the lowest error of the four models.",
        "LSTM lowest",
        ", ".join(f"{m} {v:.3g} Å" for m, v in sorted(bi.items(), key=lambda kv: kv[1])),
        "LSTM has the lowest median bi-directional error",
        best == "LSTM",
        note=f"lowest: {best}",
        spread=_spread(err[("LSTM", "bi", s)] for s in seeds) if "LSTM" in models else "",
    )
    e = results["end_error"]
    cs.add(
        "ch05.bi-end-conditions",
        "adiabatic connection",
        "Bi-directional interpolation reproduces both end conditions exactly.",
        "exact",
        f"max deviation {e:.2g} (Å, Å/fs)",
        f"<= {END_TOL:g}",
        e <= END_TOL,
        note="lambda is exactly 0 at t0 and 1 at t1",
    )
    fe = np.asarray(results["fe_rmse"], float)
    cs.add(
        "ch05.free-energy-300K",
        "free energy, 300 K",
        "The interpolated trajectory reproduces the free-energy surface of the MD at 300 K.",
        "predicted and ground-truth surfaces agree",
        f"RMSE {np.median(fe):.3g} kT (median over seeds)",
        f"<= {FE_RMSE_KT} kT over bins with >= 5 samples in both",
        bool(np.isfinite(fe).all() and np.median(fe) <= FE_RMSE_KT),
        spread=_spread(fe),
    )
    terr = results["temperature_errors"]
    temps = sorted({k[0] for k in terr})
    tseeds = sorted({k[1] for k in terr})
    tmed = [float(np.median([terr[(T, s)] for s in tseeds])) for T in temps]
    cs.add(
        "ch05.error-grows-with-T",
        "MDA at 100/300/500 K",
        "Interpolation is harder at higher temperature: the error grows with temperature.",
        "error(100 K) < error(300 K) < error(500 K)",
        ", ".join(f"{T:g} K: {v:.3g} Å" for T, v in zip(temps, tmed, strict=True)),
        "strictly increasing median bi-directional error",
        monotone_increasing(tmed),
        note=f"model: {results.get('temperature_model', '?')}",
        spread="; ".join(f"{T:g} K {_spread(terr[(T, s)] for s in tseeds)}" for T in temps),
    )
    return cs


def mean_interior_error(profile: np.ndarray) -> float:
    """Mean of an error profile over the interior times (end frames excluded)."""
    return float(np.mean(profile[1:-1]))


def fit_and_score(kind, seg, params, seed, device="cpu"):
    """Train one model and score it uni- and bi-directionally on the test segments.

    Returns
    -------
    dict
        ``model``, ``train`` (TrainResult), ``pred`` (mode -> predicted segments),
        ``profile`` (mode -> error profile, Å), ``error`` (mode -> mean interior error, Å).
    """
    model, res = fit(
        kind,
        seg,
        hidden=params["hidden"],
        epochs=params["epochs"],
        lr=params["lr"],
        batch_size=params["batch_size"],
        seed=seed,
        device=device,
        patience=params.get("patience"),
    )
    out = {"model": model, "train": res, "pred": {}, "profile": {}, "error": {}}
    for mode in ("uni", "bi"):
        pred = interpolate_segments(model, seg, mode)
        prof = error_profile(seg, pred)
        out["pred"][mode], out["profile"][mode] = pred, prof
        out["error"][mode] = mean_interior_error(prof)
    return out
