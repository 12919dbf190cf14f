"""The computations of Winkler & Sauceda (2020), cut into units of work.

* :func:`prepare` turns a :class:`~mdrepro.data.phasespace.PhaseSpaceSet` into standardised
  phase-space segments of ``T`` steps (centre of mass removed; one scale for all position
  coordinates, one for all velocities, from the training frames), split in time into training,
  validation and test segments.
* One unit of work (:func:`fit_and_score`) trains one dynamics model on one set with one seed
  and interpolates every test segment uni- and bi-directionally: a :class:`FitScore`.
* :func:`analyse` gathers the units into :class:`InterpolationResults`: error profiles, the
  cubic Hermite reference, distance and velocity distributions and vibrational spectra per
  temperature, the free energy at 300 K, end-condition errors.

:func:`interpolation` runs every unit of the chapter through the results cache.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mdrepro.analysis import free_energy_2d, free_energy_rmse, pair_distances, vdos
from mdrepro.data.phasespace import PhaseSpaceSet
from mdrepro.errors import DataError
from mdrepro.results import STUDY_THREADS, Job, Store, Unit, run_jobs
from mdrepro.training import TrainResult, stack_histories
from mdrepro.units import (
    A_PER_FS_PER_NM_PER_PS,
    A_PER_NM,
    EV_PER_AMU_A2_PER_FS2,
    KB_EV_PER_K,
    MASSES_AMU,
)

PAPER = "winkler2020"
MODULES = ("mdrepro.papers.winkler2020.study",)
#: Exact end conditions: largest allowed deviation, Å and Å/fs (float32 states).
END_TOL = 1e-6
#: The dihedral and the distance of the free-energy surface at 300 K (atom indices of the
#: O1=C1-C2-C3 dihedral, and of O1 and the aldehyde hydrogen on C3).
FE_DIHEDRAL = (3, 0, 1, 2)
FE_DISTANCE = (3, 6)
#: Atoms and Cartesian components of the benzene traces (a carbon's x, a hydrogen's y).
BENZENE_TRACES = ((0, 0), (6, 1))
#: Test segments shown in the benzene traces.
BENZENE_SEGMENTS = 6


def store() -> Store:
    """The results cache of this paper's study."""
    return Store(MODULES)


def masses_of(z: np.ndarray) -> np.ndarray:
    """Masses (amu) of atomic numbers ``z``."""
    try:
        return np.array([MASSES_AMU[int(k)] for k in z])
    except KeyError as exc:
        raise DataError(f"no mass for atomic number {exc.args[0]}") from None


def kinetic_temperature(velocities_nm_ps: np.ndarray, masses_amu: np.ndarray) -> np.ndarray:
    """Instantaneous kinetic temperature per frame, K (3N degrees of freedom).

    Parameters
    ----------
    velocities_nm_ps : numpy.ndarray, shape (T, N, 3)
    masses_amu : numpy.ndarray, shape (N,)
    """
    v = velocities_nm_ps * A_PER_FS_PER_NM_PER_PS  # Å/fs
    e_kin = 0.5 * (v**2 * masses_amu[None, :, None]).sum((1, 2)) * EV_PER_AMU_A2_PER_FS2
    return e_kin / (1.5 * velocities_nm_ps.shape[1] * KB_EV_PER_K)


def describe(ps: PhaseSpaceSet, label: str) -> dict:
    """One row of the data table: size, target and mean kinetic temperature, shortest O-H."""
    t_kin = kinetic_temperature(ps.velocities, masses_of(ps.z))
    d = pair_distances(ps.positions) * A_PER_NM
    i, j = np.triu_indices(ps.n_atoms, 1)
    oh = np.array([{ps.z[a], ps.z[b]} == {1, 8} for a, b in zip(i, j, strict=True)])
    oh_min = float(d[:, oh].min()) if oh.any() else np.nan
    return {
        "set": label,
        "atoms": ps.n_atoms,
        "frames": ps.n_frames,
        "frame (fs)": ps.frame_interval_fs,
        "target T (K)": ps.temperature_K,
        "mean kinetic T (K)": round(float(t_kin.mean()), 1),
        "shortest O–H (Å)": round(oh_min, 2),
        "velocities": "finite differences" if ps.velocities_estimated else "recorded",
    }


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
        """State dimension ``D = 6N``."""
        return int(self.train.shape[-1])

    @property
    def kinetic_scale(self) -> float:
        """Standardised position change per frame of a unit standardised velocity."""
        return self.scale[1] * self.set.frame_interval_fs * 1e-3 / self.scale[0]

    def to_physical(self, states: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Standardised states ``(..., D)`` -> positions (nm) and velocities (nm/ps),
        each ``(..., N, 3)``.
        """
        n = self.dim // 2
        q = states[..., :n] * self.scale[0]
        v = states[..., n:] * self.scale[1]
        return q.reshape(*q.shape[:-1], -1, 3), v.reshape(*v.shape[:-1], -1, 3)

    def test_truth(self) -> tuple[np.ndarray, np.ndarray]:
        """Positions and velocities of the test frames, ``(n_test * T + 1, N, 3)``."""
        return stitch(self.to_physical(self.test)[0]), stitch(self.to_physical(self.test)[1])


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
    """Cut a trajectory into standardised training, validation and test segments.

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
        Trailing fraction of the training frames held out for validation: the training
        segments end before it, the validation segments tile it. The scales come from the
        remaining training frames only.
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


def segments(inputs, params) -> dict[str, SegmentData]:
    """:func:`prepare` every set of the chapter (keys ``"100K"``, ..., ``"benzene"``)."""
    split = {
        "train_fraction": params["train_fraction"],
        "train_stride": params["train_stride"],
        "val_fraction": params["val_fraction"],
    }
    return {k: prepare(ps, params["n_steps"], **split) for k, ps in inputs.sets().items()}


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
    backward: bool = True,
):
    """Train a dynamics model of ``kind`` on the training segments.

    With validation segments, the model returned holds the weights of the epoch with the
    lowest validation loss (:func:`mdrepro.training.train` with ``restore_best``), and
    training stops after ``patience`` epochs without improvement. ``backward=False`` trains
    on the forward rollouts only (the ablation of the slides' "additional bidirectional
    training").

    Returns
    -------
    model : DynamicsModel
        Trained, in eval mode, on ``device``.
    result : TrainResult
        Losses are the MSE of the forward and backward rollouts in standardised units, per
        epoch on the training segments and (if ``seg`` has any) on the validation segments.
    """
    import torch

    from mdrepro.models.interpolation import SegmentObjective, make_model
    from mdrepro.training import TensorPairs, train

    torch.manual_seed(seed)
    model = make_model(kind, seg.dim, hidden=hidden, kinetic_scale=seg.kinetic_scale)
    obj = SegmentObjective(model, backward=backward)
    x = torch.as_tensor(seg.train)
    data = TensorPairs(x, SegmentObjective.targets(x, backward), device=device)
    val = None
    if seg.val is not None and len(seg.val):
        xv = torch.as_tensor(seg.val)
        val = TensorPairs(xv, SegmentObjective.targets(xv, backward), device=device)
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
    import torch

    from mdrepro.models.interpolation import interpolate

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
    from mdrepro.models.interpolation import hermite_interpolate

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
    conditions (positions in Å, velocities in Å/fs, whichever is larger).
    """
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


def mean_interior_error(profile: np.ndarray) -> float:
    """Mean of an error profile over the interior times (end frames excluded)."""
    return float(np.mean(profile[1:-1]))


@dataclass
class FitScore:
    """One trained model on one set, scored on the test segments (one unit of work).

    Attributes
    ----------
    set : str
        ``"100K"``, ``"300K"``, ``"500K"`` or ``"benzene"``.
    model : str
    seed : int
    train : mdrepro.training.TrainResult
    pred : dict of str to numpy.ndarray
        ``"uni"``, ``"bi"`` -> interpolated test segments (standardised states).
    profile : dict of str to numpy.ndarray
        Mode -> position error per time in the segment, Å.
    error : dict of str to float
        Mode -> mean interior position error, Å.
    """

    set: str
    model: str
    seed: int
    train: TrainResult
    pred: dict
    profile: dict
    error: dict


def fit_and_score(
    kind, seg: SegmentData, params, seed, device="cpu", key: str = "", backward: bool = True
) -> FitScore:
    """Train one model and score it uni- and bi-directionally on the test segments
    (``backward=False``: trained on forward rollouts only, :func:`fit`).
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
        backward=backward,
    )
    out = FitScore(key, kind, int(seed), res, {}, {}, {})
    for mode in ("uni", "bi"):
        pred = interpolate_segments(model, seg, mode)
        prof = error_profile(seg, pred)
        out.pred[mode], out.profile[mode] = pred, prof
        out.error[mode] = mean_interior_error(prof)
    return out


def plan(params) -> list[tuple[str, str, int]]:
    """(set, model, seed) of every fit: the four models on MDA 300 K, the temperature model at
    100 and 500 K, the benzene model.
    """
    out = []
    for s in params["seeds"]:
        out += [("300K", m, s) for m in params["models"]]
        out += [(k, params["temperature_model"], s) for k in ("100K", "500K")]
        out.append(("benzene", params["benzene_model"], s))
    return out


# ----------------------------------------------------------------------------- aggregation
@dataclass
class TemperatureAnalysis:
    """MD vs interpolated (temperature model, first seed) test frames at one temperature.

    Attributes
    ----------
    distances_md, distances_interp : numpy.ndarray
        All interatomic distances per frame, Å.
    velocities_md, velocities_interp : numpy.ndarray
        Velocity components, Å/fs.
    wavenumber, vdos_md, vdos_interp : numpy.ndarray
        Vibrational spectra (cm^-1, unit area).
    """

    distances_md: np.ndarray
    distances_interp: np.ndarray
    velocities_md: np.ndarray
    velocities_interp: np.ndarray
    wavenumber: np.ndarray
    vdos_md: np.ndarray
    vdos_interp: np.ndarray


@dataclass
class InterpolationResults:
    """Chapter 5's results.

    Attributes
    ----------
    fits : list of FitScore
    params : dict
    frame_fs : dict of str to float
        Time between frames of each set, fs.
    hermite : dict of str to numpy.ndarray
        Error profile of the cubic Hermite reference per set, Å.
    temperatures : dict of str to TemperatureAnalysis
    fe_bins : (numpy.ndarray, numpy.ndarray)
        Edges of the 300 K free-energy surface (dihedral, deg; distance, Å).
    fe_md, fe_interp : numpy.ndarray
        Free energy of the MD test frames and of the interpolated ones (first seed), kT.
    fe_rmse : list of float
        Free-energy RMSE at 300 K per seed, kT.
    end_error : float
        Largest end-condition deviation of every bi-directional interpolation.
    benzene_t_fs, benzene_truth, benzene_uni, benzene_bi : numpy.ndarray
        Traces of :data:`BENZENE_TRACES` over the first test segments, Å.
    benzene_labels : list of str
    distributions : dict of str to dict
        Per temperature, :func:`distribution_scores` of every seed (default empty).
    """

    fits: list
    params: dict
    frame_fs: dict
    hermite: dict
    temperatures: dict
    fe_bins: tuple
    fe_md: np.ndarray
    fe_interp: np.ndarray
    fe_rmse: list
    end_error: float
    benzene_t_fs: np.ndarray
    benzene_truth: np.ndarray
    benzene_uni: np.ndarray
    benzene_bi: np.ndarray
    benzene_labels: list
    distributions: dict = field(default_factory=dict)

    def get(self, key: str, model: str, seed: int) -> FitScore:
        """The fit of one set, model and seed."""
        return next(f for f in self.fits if f.set == key and f.model == model and f.seed == seed)

    @property
    def seeds(self) -> list[int]:
        """Training seeds."""
        return list(self.params["seeds"])

    def errors(self) -> dict:
        """(model, mode, seed) -> mean interior position error on MDA 300 K, Å."""
        return {
            (m, mode, s): self.get("300K", m, s).error[mode]
            for m in self.params["models"]
            for mode in ("uni", "bi")
            for s in self.seeds
        }

    def temperature_errors(self) -> dict:
        """(temperature K, seed) -> bi-directional error of the temperature model, Å."""
        from mdrepro.papers.winkler2020.datasets import TEMPERATURES

        tm = self.params["temperature_model"]
        return {
            (T, s): self.get(k, tm, s).error["bi"]
            for k, T in TEMPERATURES.items()
            for s in self.seeds
        }

    def fit_table(self):
        """Every fit: epochs, losses, uni and bi errors."""
        import pandas as pd

        rows = [
            {
                "set": f.set,
                "model": f.model,
                "seed": f.seed,
                "epochs": f.train.epochs,
                "final train loss": f.train.final_train_loss,
                "final val loss": float(f.train.val_loss[-1]),
                "uni error (Å)": f.error["uni"],
                "bi error (Å)": f.error["bi"],
            }
            for f in self.fits
        ]
        return pd.DataFrame(rows).set_index(["set", "model", "seed"])

    def convergence_table(self):
        """Every fit: epochs run, early stop, the epoch kept and its validation loss."""
        import pandas as pd

        rows = [
            {
                "set": f.set,
                "model": f.model,
                "seed": f.seed,
                "epochs run": f.train.epochs,
                "stopped early": f.train.stopped_early,
                "epoch kept (lowest val loss)": f.train.best_epoch,
                "val loss kept": float(np.nanmin(f.train.val_loss)),
            }
            for f in self.fits
        ]
        return pd.DataFrame(rows).set_index(["set", "model", "seed"])

    def training_summary(self) -> str:
        """How many fits, training time, early stops."""
        conv = self.convergence_table()
        wall = sum(f.train.wall_s for f in self.fits)
        return (
            f"{len(self.fits)} models trained ({wall:.0f} s in training); cap "
            f"{self.params['epochs']} epochs, patience {self.params['patience']}: "
            f"{int(conv['stopped early'].sum())} of {len(conv)} fits stopped early"
        )

    def loss_curves(self, keys) -> dict:
        """Label -> {"train", "val"} loss histories stacked over seeds, for (set, model) keys."""
        out = {}
        for key in keys:
            label = key[1] if key[0] == "300K" else f"{key[1]} {key[0]}"
            runs = [self.get(*key, s).train for s in self.seeds]
            out[label] = {
                "train": stack_histories([r.train_loss for r in runs]),
                "val": stack_histories([r.val_loss for r in runs]),
            }
        return out

    def profiles(self) -> dict:
        """(model, mode) -> error profiles stacked over seeds on MDA 300 K, with the Hermite
        reference as ("Hermite", "ref").
        """
        prof = {
            (m, mode): np.stack([self.get("300K", m, s).profile[mode] for s in self.seeds])
            for m in self.params["models"]
            for mode in ("uni", "bi")
        }
        prof[("Hermite", "ref")] = self.hermite["300K"][None]
        return prof

    def error_table(self, digits: int | None = 4):
        """Median uni and bi errors per model on MDA 300 K, with the Hermite reference
        (rounded to ``digits`` decimals; None: unrounded).
        """
        import pandas as pd

        h_ref = mean_interior_error(self.hermite["300K"])
        rows = [
            {
                "model": m,
                "uni error (Å)": float(
                    np.median([self.get("300K", m, s).error["uni"] for s in self.seeds])
                ),
                "bi error (Å)": float(
                    np.median([self.get("300K", m, s).error["bi"] for s in self.seeds])
                ),
            }
            for m in self.params["models"]
        ]
        rows.append(
            {"model": "Hermite (reference)", "uni error (Å)": np.nan, "bi error (Å)": h_ref}
        )
        t = pd.DataFrame(rows).set_index("model")
        t["bi / Hermite"] = t["bi error (Å)"] / h_ref
        return t if digits is None else t.round(digits)

    def hermite_summary(self) -> str:
        """The Hermite reference's mean interior error per set, and each network vs it."""
        lines = [
            "Hermite mean interior error (Å): "
            + ", ".join(f"{k} {mean_interior_error(p):.4f}" for k, p in self.hermite.items())
        ]
        t = self.error_table(None).drop(index="Hermite (reference)")
        for m, row in t.iterrows():
            r = row["bi / Hermite"]
            verdict = "better than" if r < 1 else "worse than"
            lines.append(
                f"{m}: bi {row['bi error (Å)']:.4f} Å, {r:.2g} x Hermite ({verdict} the reference)"
            )
        return "\n".join(lines)


#: Wavenumber above which a vibrational spectrum counts as high-frequency (C-H stretches), cm^-1.
HIGH_FREQUENCY_CM = 2000.0
#: Bins of the interatomic-distance histograms compared between MD and interpolation.
DISTANCE_BINS = 120


def js_divergence(a, b, edges) -> float:
    """Jensen-Shannon divergence (nats) between the histograms of samples ``a`` and ``b``."""
    p, _ = np.histogram(np.ravel(a), edges)
    q, _ = np.histogram(np.ravel(b), edges)
    p = p / max(p.sum(), 1)
    q = q / max(q.sum(), 1)
    m = 0.5 * (p + q)

    def kl(x):
        ok = x > 0
        return float(np.sum(x[ok] * np.log(x[ok] / m[ok])))

    return 0.5 * kl(p) + 0.5 * kl(q)


def high_frequency_share(wavenumber, spectrum) -> float:
    """Share of a (unit-area) spectrum above :data:`HIGH_FREQUENCY_CM`."""
    w, s = np.asarray(wavenumber), np.asarray(spectrum)
    total = float(s.sum())
    return float(s[w > HIGH_FREQUENCY_CM].sum() / total) if total > 0 else float("nan")


def distribution_scores(seg: SegmentData, preds: dict) -> dict:
    """Per seed, how the interpolated frames' distance distribution and spectrum compare with
    the MD test frames' (the first seed's frames are also kept in :class:`TemperatureAnalysis`).

    Parameters
    ----------
    seg : SegmentData
    preds : dict of int to numpy.ndarray
        Seed -> bi-directional prediction (standardised, as :attr:`FitScore.pred`).

    Returns
    -------
    dict
        ``js``: seed -> Jensen-Shannon divergence of the pair-distance histograms; ``js_floor``:
        the same between the two halves of the MD test frames (the sampling floor);
        ``hf``: seed -> high-frequency share of the interpolated VDOS; ``hf_md``: the MD's.
    """
    q_t, v_t = seg.test_truth()
    d_t = pair_distances(q_t) * A_PER_NM
    edges = np.linspace(d_t.min() * 0.9, d_t.max() * 1.1, DISTANCE_BINS + 1)
    half = len(d_t) // 2
    m = masses_of(seg.set.z)
    wn, s_t = vdos(v_t, m, seg.set.frame_interval_fs)
    out = {
        "js": {},
        "js_floor": js_divergence(d_t[:half], d_t[half:], edges),
        "hf": {},
        "hf_md": high_frequency_share(wn, s_t),
    }
    for seed, pred in preds.items():
        q_p, v_p = (stitch(x) for x in seg.to_physical(pred))
        out["js"][int(seed)] = js_divergence(pair_distances(q_p) * A_PER_NM, d_t, edges)
        wn_p, s_p = vdos(v_p, m, seg.set.frame_interval_fs)
        out["hf"][int(seed)] = high_frequency_share(wn_p, s_p)
    return out


def analyse(fits: list[FitScore], segs: dict[str, SegmentData], params) -> InterpolationResults:
    """Gather the fits into :class:`InterpolationResults` (the aggregation step)."""
    from mdrepro.papers.winkler2020.datasets import TEMPERATURES

    by = {(f.set, f.model, f.seed): f for f in fits}
    s0 = params["seeds"][0]
    tm = params["temperature_model"]
    temps = {}
    for k in TEMPERATURES:
        seg = segs[k]
        pred = by[(k, tm, s0)].pred["bi"]
        q_t, v_t = seg.test_truth()
        q_p = stitch(seg.to_physical(pred)[0])
        v_p = stitch(seg.to_physical(pred)[1])
        m = masses_of(seg.set.z)
        wn, s_t = vdos(v_t, m, seg.set.frame_interval_fs)
        _, s_p = vdos(v_p, m, seg.set.frame_interval_fs)
        temps[k] = TemperatureAnalysis(
            distances_md=pair_distances(q_t) * A_PER_NM,
            distances_interp=pair_distances(q_p) * A_PER_NM,
            velocities_md=v_t * A_PER_FS_PER_NM_PER_PS,
            velocities_interp=v_p * A_PER_FS_PER_NM_PER_PS,
            wavenumber=wn,
            vdos_md=s_t,
            vdos_interp=s_p,
        )
    # free energy at 300 K: dihedral O1=C1-C2-C3 and the O1...H(C3) distance
    seg = segs["300K"]
    q_t, _ = seg.test_truth()

    def coords(q):
        return dihedral(q, FE_DIHEDRAL), np.linalg.norm(
            q[:, FE_DISTANCE[0]] - q[:, FE_DISTANCE[1]], axis=-1
        ) * A_PER_NM

    a_t, b_t = coords(q_t)
    nb = params["fe_bins"]
    bins = (
        np.linspace(-180, 180, nb + 1),
        np.linspace(b_t.min() - 0.05, b_t.max() + 0.05, nb + 1),
    )
    F_t, H_t = free_energy_2d(a_t, b_t, *bins, return_counts=True)
    fe_rmse, F_show = [], None
    for s in params["seeds"]:
        q_p = stitch(seg.to_physical(by[("300K", tm, s)].pred["bi"])[0])
        F_p, H_p = free_energy_2d(*coords(q_p), *bins, return_counts=True)
        fe_rmse.append(free_energy_rmse(F_t, H_t, F_p, H_p))
        if s == s0:
            F_show = F_p
    # benzene traces over the first test segments
    sb = segs["benzene"]
    rb = by[("benzene", params["benzene_model"], s0)]
    n_show = min(BENZENE_SEGMENTS, len(sb.test))
    truth_q = stitch(sb.to_physical(sb.test[:n_show])[0])
    uni_q = stitch(sb.to_physical(rb.pred["uni"][:n_show])[0])
    bi_q = stitch(sb.to_physical(rb.pred["bi"][:n_show])[0])
    idx = tuple(np.array(v) for v in zip(*BENZENE_TRACES, strict=True))
    labels = [f"{sb.set.symbols[a]}{a} {'xyz'[c]} (Å)" for a, c in BENZENE_TRACES]
    return InterpolationResults(
        fits=list(fits),
        params=dict(params),
        frame_fs={k: float(s.set.frame_interval_fs) for k, s in segs.items()},
        hermite={k: error_profile(sg, hermite_segments(sg)) for k, sg in segs.items()},
        temperatures=temps,
        distributions={
            k: distribution_scores(
                segs[k], {s: by[(k, tm, s)].pred["bi"] for s in params["seeds"]}
            )
            for k in TEMPERATURES
        },
        fe_bins=bins,
        fe_md=F_t,
        fe_interp=F_show,
        fe_rmse=fe_rmse,
        end_error=max(end_condition_error(segs[f.set], f.pred["bi"]) for f in fits),
        benzene_t_fs=np.arange(len(truth_q)) * sb.set.frame_interval_fs,
        benzene_truth=truth_q[:, idx[0], idx[1]] * A_PER_NM,
        benzene_uni=uni_q[:, idx[0], idx[1]] * A_PER_NM,
        benzene_bi=bi_q[:, idx[0], idx[1]] * A_PER_NM,
        benzene_labels=labels,
    )


class _Segments:
    """The prepared segments of each set, built once on first use (jobs share them)."""

    def __init__(self, inputs, params):
        self.inputs, self.params, self._segs = inputs, params, {}

    def __call__(self, key: str) -> SegmentData:
        if key not in self._segs:
            split = {k: self.params[k] for k in ("train_fraction", "train_stride", "val_fraction")}
            self._segs[key] = prepare(self.inputs.get(key), self.params["n_steps"], **split)
        return self._segs[key]


def _shared_params(ctx) -> dict:
    """The parameters every unit of chapter 5 is keyed on."""
    shared = {k: v for k, v in ctx.params.items() if k not in ("seeds", "models")}
    shared.update(device=ctx.device, threads=STUDY_THREADS)
    return shared


def interpolation_jobs(ctx, inputs) -> list[Job]:
    """One unit of work per (set, model, seed) of :func:`plan`.

    Parameters
    ----------
    ctx : mdrepro.book.chapter.ChapterContext
    inputs : mdrepro.papers.winkler2020.datasets.Inputs
    """
    p = dict(ctx.params)
    segment = _Segments(inputs, p)
    return [
        Job(
            Unit(
                PAPER,
                "interpolation",
                f"{key}-{m}-s{s}",
                params=_shared_params(ctx),
                data={inputs.dataset(key): inputs.fingerprint(key)},
            ),
            lambda key=key, m=m, s=s: fit_and_score(m, segment(key), p, s, ctx.device, key),
        )
        for key, m, s in plan(p)
    ]


def ablation_jobs(ctx, inputs) -> list[Job]:
    """The forward-only ablation: the benzene model trained on forward rollouts only, per seed
    (same data, seed, architecture and budget as its unit of :func:`interpolation_jobs`).
    """
    p = dict(ctx.params)
    segment = _Segments(inputs, p)
    m = p["benzene_model"]
    return [
        Job(
            Unit(
                PAPER,
                "ablation",
                f"benzene-{m}-forward-only-s{s}",
                params=_shared_params(ctx),
                data={inputs.dataset("benzene"): inputs.fingerprint("benzene")},
            ),
            lambda s=s: fit_and_score(m, segment("benzene"), p, s, ctx.device, "benzene", False),
        )
        for s in p["seeds"]
    ]


def ablation(ctx, inputs, progress: bool = True) -> list[FitScore]:
    """The forward-only fits (:func:`ablation_jobs`), from the cache or computed."""
    out = run_jobs(ablation_jobs(ctx, inputs), store(), progress=progress, desc="ablation")
    return list(out.values())


#: The model of the negative control (the ranking claim is about the LSTM).
CONTROL_MODEL = "LSTM"


def score_untrained(kind, seg: SegmentData, params, seed, key: str = "") -> dict:
    """Negative control: a model of ``kind`` with its initial (untrained) weights, scored
    bi-directionally like :func:`fit_and_score` (no training).

    Returns
    -------
    dict
        ``{"set", "model", "seed", "bi"}``: the mean interior position error, Å.
    """
    import torch

    from mdrepro.models.interpolation import make_model

    torch.manual_seed(seed)
    model = make_model(kind, seg.dim, hidden=params["hidden"], kinetic_scale=seg.kinetic_scale)
    model.eval()
    pred = interpolate_segments(model, seg, "bi")
    return {
        "set": key,
        "model": kind,
        "seed": int(seed),
        "bi": mean_interior_error(error_profile(seg, pred)),
    }


def control_jobs(ctx, inputs) -> list[Job]:
    """The negative-control units: the temperature model untrained, on MDA 300 K, per seed."""
    p = dict(ctx.params)
    segment = _Segments(inputs, p)
    m = CONTROL_MODEL
    return [
        Job(
            Unit(
                PAPER,
                "control",
                f"300K-{m}-untrained-s{s}",
                params=_shared_params(ctx),
                data={inputs.dataset("300K"): inputs.fingerprint("300K")},
            ),
            lambda s=s: score_untrained(m, segment("300K"), p, s, "300K"),
        )
        for s in p["seeds"]
    ]


def controls(ctx, inputs, progress: bool = True) -> list[dict]:
    """The negative-control results (:func:`control_jobs`), from the cache or computed."""
    out = run_jobs(control_jobs(ctx, inputs), store(), progress=progress, desc="controls")
    return list(out.values())


def interpolation(ctx, inputs, progress: bool = True) -> InterpolationResults:
    """Chapter 5's results: one unit per (set, model, seed), from the results cache or computed.

    Parameters
    ----------
    ctx : mdrepro.book.chapter.ChapterContext
    inputs : mdrepro.papers.winkler2020.datasets.Inputs
    progress : bool
    """
    p = dict(ctx.params)
    out = run_jobs(interpolation_jobs(ctx, inputs), store(), progress=progress, desc="fits")
    return analyse(list(out.values()), segments(inputs, p), p)


def chapter_jobs(ctx) -> list[Job]:
    """Every unit of work of chapter 5 on its built-in data (what the workflow runs)."""
    from mdrepro.papers.winkler2020 import datasets

    inputs = datasets.load(ctx)
    return interpolation_jobs(ctx, inputs) + ablation_jobs(ctx, inputs) + control_jobs(ctx, inputs)
