"""Chapter 2 logic: LSTM forecasting of MD (Gupta, Cava et al. 2020, Sect. 5, Figs 6-8, Table 1).

The notebook narrates and plots; every number it shows comes from here:

* :class:`ForecastStudy` trains one LSTM per :class:`RunSpec` (data set, history, lead,
  learning rate, layout, seed) on the training part of each trajectory, forecasts the test part
  and scores the forecast and the static model on the **same** test windows with the per-frame
  RMSD of Eq. 1 (:func:`mdrepro.analysis.rmsd_eq1`);
* :func:`plan` lists the runs of the paper's studies (history, lead, learning rate, layout);
* :func:`run_arima` is the ARIMA baseline of Fig. 8C;
* :func:`runs_frame` summarises the runs, :func:`recommend` derives Table 1 from them, and
  :func:`check_claims` judges the paper's statements.

Modelling choices (stated in the chapter as well)
-------------------------------------------------
* **Output.** As in the paper, the network outputs the absolute position at ``t + lead``
  through a linear layer (``target="position"``); ``target="displacement"`` (the network
  predicts ``x(t + lead) - x(t)``) is available as an alternative.
* **Standardisation.** The paper trains on raw coordinates. We standardise inputs and
  position targets with the mean and standard deviation of the **training frames** (per
  Cartesian coordinate pooled over particles for the Kirchhoff layout, per feature for the
  whole structure). It changes the conditioning of the optimisation, not what is predicted.
* **Evaluation.** The paper's public script scores its forecasts on the frames it trained on.
  We split each trajectory in time (train, validation, test), train on the first part and
  score on the last; the in-sample scores on the training windows are kept as well
  (``rmsd_lstm_fit``) to show what the paper's protocol would report.
* **Losses** are mean squared errors in standardised units.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import torch

from mdrepro.analysis import rmsd_eq1
from mdrepro.claims import ClaimSet
from mdrepro.errors import DataError
from mdrepro.models.forecast import LSTMForecaster, count_parameters, predict_rows
from mdrepro.models.windows import LAYOUTS, WindowData, build_splits, split_bounds
from mdrepro.training import TrainResult, flush_denormals, train

__all__ = [
    "PAPER",
    "ArimaResult",
    "ForecastStudy",
    "RunResult",
    "RunSpec",
    "check_claims",
    "classify_learning_rates",
    "is_unstable",
    "lead_sweep_table",
    "loss_curves",
    "make_study",
    "plan",
    "recommend",
    "rmsd_distributions",
    "run_arima",
    "runs_frame",
    "throughput_table",
]

A_PER_NM = 10.0

#: The paper's settings and recommendations (Sect. 5.2, Table 1).
PAPER = {
    "hidden": 32,
    "histories": (1, 5, 10),
    "history_leads": (15, 120),
    "leads": (1, 5, 15, 60, 120),
    "lrs": (1.0, 0.1, 0.01, 0.001, 0.0001),
    "history": 5,
    "lr": 0.01,
    "lead": 15,
    "table1": {
        "lead time": "> 15 steps",
        "history size": "5",
        "learning rate": "0.01",
        "hidden units": "32",
    },
}

#: Display names of the data sets.
NAMES = {"adk": "ADK", "smd": "100-alanine SMD"}

#: Instability: some epoch's loss exceeds this multiple of the lowest loss reached before it.
UNSTABLE_JUMP = 2.0
#: Slow convergence: a stable run whose final training loss exceeds this multiple of the best
#: stable learning rate's (same data set and seed, same epoch budget).
SLOW_FACTOR = 1.5
#: "Never beats the static model": the LSTM/static ratio of median RMSDs stays above this.
NOT_BEATEN_RATIO = 0.98


# ---------------------------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, order=True)
class RunSpec:
    """One training run.

    Attributes
    ----------
    dataset : str
        Key of the study's data (``"adk"`` or ``"smd"``).
    history : int
        Input frames per window.
    lead : int
        Frames from the last input to the forecast frame.
    lr : float
        Adam learning rate.
    layout : {"kirchhoff", "whole"}
    seed : int
    target : {"position", "displacement"}
    """

    dataset: str
    history: int
    lead: int
    lr: float
    layout: str = "kirchhoff"
    seed: int = 0
    target: str = "position"

    @property
    def windows_key(self) -> tuple:
        """The fields that decide the windows (runs differing only in lr/seed share them)."""
        return (self.dataset, self.history, self.lead, self.layout, self.target)


@dataclass
class RunResult:
    """A trained run, scored on its test windows.

    Attributes
    ----------
    spec : RunSpec
    train : TrainResult
        Loss history, divergence flag and throughput.
    rmsd_lstm, rmsd_static : numpy.ndarray, shape (n_test,)
        Per-frame Eq. 1 RMSD of the LSTM forecast and of the static model, nm, on the same test
        windows (NaN for a diverged run's LSTM).
    rmsd_lstm_fit, rmsd_static_fit : numpy.ndarray, shape (n_fit,)
        The same on (a subset of) the training windows: in-sample scores, as the paper's
        script reports them.
    n_train_windows, n_test_windows : int
    n_params : int
    frame_fs : float
        Time between frames, fs.
    """

    spec: RunSpec
    train: TrainResult
    rmsd_lstm: np.ndarray
    rmsd_static: np.ndarray
    rmsd_lstm_fit: np.ndarray
    rmsd_static_fit: np.ndarray
    n_train_windows: int
    n_test_windows: int
    n_params: int
    frame_fs: float = float("nan")

    @property
    def ratio(self) -> float:
        """Median LSTM RMSD over median static RMSD on the test windows (< 1: LSTM better)."""
        return _median(self.rmsd_lstm) / _median(self.rmsd_static)

    @property
    def ratio_fit(self) -> float:
        """The same ratio in-sample (training windows)."""
        return _median(self.rmsd_lstm_fit) / _median(self.rmsd_static_fit)

    def row(self) -> dict:
        """A flat summary (one row of :func:`runs_frame`)."""
        tr, s = self.train, self.spec
        vl = tr.val_loss
        return {
            "dataset": s.dataset,
            "layout": s.layout,
            "target": s.target,
            "history": s.history,
            "lead": s.lead,
            "lead_fs": s.lead * self.frame_fs,
            "lr": s.lr,
            "seed": s.seed,
            "epochs": tr.epochs,
            "steps": tr.steps,
            "diverged": tr.diverged,
            "initial_train_loss": float(tr.train_loss[0]),
            "final_train_loss": tr.final_train_loss,
            "initial_val_loss": float(vl[0]),
            "final_val_loss": tr.final_val_loss,
            "max_jump": float(np.nanmax([max_jump(tr.train_loss), max_jump(vl)])),
            "unstable": is_unstable(tr),
            "median_lstm_A": _median(self.rmsd_lstm) * A_PER_NM,
            "median_static_A": _median(self.rmsd_static) * A_PER_NM,
            "ratio": self.ratio,
            "ratio_fit": self.ratio_fit,
            "n_train_windows": self.n_train_windows,
            "n_test_windows": self.n_test_windows,
            "n_params": self.n_params,
            "seq_per_s": tr.sequences_per_s,
            "train_time_s": tr.train_time_s,
            "device": tr.device,
        }


def _median(a) -> float:
    a = np.asarray(a, dtype=np.float64)
    if a.size == 0 or not np.isfinite(a).all():
        return float("nan")
    return float(np.median(a))


def max_jump(loss) -> float:
    """Largest ``loss[e] / min(loss[:e])`` over the epochs (inf for a non-finite loss)."""
    v = np.asarray(loss, dtype=np.float64)
    if v.size == 0 or np.isnan(v).all():
        return float("nan")
    if not np.isfinite(v).all():
        return float("inf")
    if v.size < 2:
        return 1.0
    running_min = np.minimum.accumulate(v)[:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.max(v[1:] / running_min))


def is_unstable(tr: TrainResult) -> bool:
    """Whether a run was unstable.

    A run is *unstable* if (a) a loss became NaN or infinite (it diverged), or (b) its training
    loss (mean over an epoch's batches) or its validation loss at some epoch exceeds
    :data:`UNSTABLE_JUMP` (2) times the lowest value of the same curve before that epoch,
    the untrained model's included: the optimiser threw the model away from where it was.
    """
    if tr.diverged:
        return True
    jumps = [max_jump(c) for c in (tr.train_loss, tr.val_loss) if np.isfinite(c).any()]
    return any(not (j <= UNSTABLE_JUMP) for j in jumps)


def _per(value, key):
    """``value[key]`` for a mapping, else ``value``."""
    return value[key] if isinstance(value, Mapping) else value


@dataclass
class ForecastStudy:
    """Trains and scores LSTM forecasters on a collection of data sets; caches every run.

    Parameters
    ----------
    data : mapping of str to list of ndarray
        Data-set key -> independent copies, each ``(T_k, N, 3)`` in nm.
    frame_fs : float or mapping
        Time between frames, fs (per data set if a mapping).
    epochs : int or mapping
        Training epochs.
    batch_windows : int or mapping
        Windows per optimizer step (a Kirchhoff batch holds ``batch_windows * N`` sequences;
        a whole-structure batch ``batch_windows`` sequences: both see the same frames per step).
    fractions : sequence of 3 floats, or mapping
        Train / validation / test fractions of each copy, in time order.
    train_stride : int or mapping
        Keep every ``train_stride``-th training and validation window (consecutive windows
        overlap almost entirely); the test split keeps every window.
    hidden : int
        LSTM units.
    device : str
        ``"cpu"`` or ``"cuda"``.
    max_fit_windows : int
        Training windows (evenly spaced) on which the in-sample scores are computed.
    progress : bool
        Progress bars (one per run).
    """

    data: Mapping[str, list]
    frame_fs: float | Mapping = 10.0
    epochs: int | Mapping = 20
    batch_windows: int | Mapping = 64
    fractions: Sequence[float] | Mapping = (0.7, 0.1, 0.2)
    train_stride: int | Mapping = 1
    hidden: int = 32
    device: str = "cpu"
    max_fit_windows: int = 2000
    progress: bool = False
    results: dict = field(default_factory=dict)
    _splits_key: tuple | None = field(default=None, repr=False)
    _splits: dict | None = field(default=None, repr=False)

    def __post_init__(self):
        for name, copies in self.data.items():
            if isinstance(copies, np.ndarray) and copies.ndim == 3:
                self.data = {**self.data, name: [copies]}

    def splits(self, spec: RunSpec) -> dict[str, WindowData]:
        """The windows of ``spec`` (the last set built is cached)."""
        if spec.dataset not in self.data:
            raise DataError(f"expected a data set in {sorted(self.data)}, found {spec.dataset!r}")
        if spec.windows_key != self._splits_key:
            self._splits = None  # free the previous tensors first
            self._splits = build_splits(
                self.data[spec.dataset],
                spec.history,
                spec.lead,
                layout=spec.layout,
                fractions=_per(self.fractions, spec.dataset),
                train_stride=_per(self.train_stride, spec.dataset),
                target=spec.target,
                device=self.device,
            )
            self._splits_key = spec.windows_key
        return self._splits

    def run(self, spec: RunSpec) -> RunResult:
        """Train, forecast and score one run (cached by ``spec``)."""
        if spec in self.results:
            return self.results[spec]
        with flush_denormals(self.device == "cpu"):
            self.results[spec] = self._run(spec)
        return self.results[spec]

    def _run(self, spec: RunSpec) -> RunResult:
        sp = self.splits(spec)
        tr_data, val, test = sp["train"], sp["val"], sp["test"]
        torch.manual_seed(spec.seed)
        model = LSTMForecaster(tr_data.n_features, self.hidden)
        desc = (
            f"{spec.dataset} h={spec.history} lead={spec.lead} lr={spec.lr:g} "
            f"{spec.layout} seed={spec.seed}"
        )
        tr = train(
            model,
            tr_data,
            val,
            epochs=int(_per(self.epochs, spec.dataset)),
            lr=spec.lr,
            batch_size=int(_per(self.batch_windows, spec.dataset)),
            seed=spec.seed,
            device=self.device,
            progress=self.progress,
            desc=desc,
        )
        bw = 4 * int(_per(self.batch_windows, spec.dataset))
        fit = _subset(tr_data, self.max_fit_windows)
        res = RunResult(
            spec=spec,
            train=tr,
            rmsd_lstm=_score(model, test, bw),
            rmsd_static=rmsd_eq1(test.last_input_nm(), test.truth_nm()),
            rmsd_lstm_fit=_score(model, fit, bw),
            rmsd_static_fit=rmsd_eq1(fit.last_input_nm(), fit.truth_nm()),
            n_train_windows=len(tr_data),
            n_test_windows=len(test),
            n_params=count_parameters(model),
            frame_fs=float(_per(self.frame_fs, spec.dataset)),
        )
        return res

    def run_all(self, specs: Iterable[RunSpec], progress: bool | None = None) -> list[RunResult]:
        """Run every spec (duplicates once), grouped so runs sharing windows are adjacent.

        Returns the results in the order of ``specs``.
        """
        from tqdm.auto import tqdm

        specs = list(specs)
        todo = sorted(set(specs) - set(self.results), key=lambda s: (s.windows_key, s.lr, s.seed))
        show = self.progress if progress is None else progress
        for s in tqdm(todo, desc="runs", disable=not show):
            self.run(s)
        return [self.results[s] for s in specs]

    def frame(self) -> pd.DataFrame:
        """:func:`runs_frame` of every run so far."""
        return runs_frame(self.results.values())


def make_study(
    data: Mapping[str, list],
    params: Mapping,
    frame_fs: float | Mapping = 10.0,
    device: str = "cpu",
    progress: bool = True,
) -> ForecastStudy:
    """A :class:`ForecastStudy` with the sizes of a chapter profile (``cfg.chapter("ch02")``)."""
    return ForecastStudy(
        data,
        frame_fs=frame_fs,
        epochs=params["epochs"],
        batch_windows=params["batch_windows"],
        fractions=params["fractions"],
        train_stride=params["train_stride"],
        hidden=params["hidden"],
        device=device,
        max_fit_windows=params["max_fit_windows"],
        progress=progress,
    )


def _subset(data: WindowData, max_windows: int) -> WindowData:
    """At most ``max_windows`` evenly spaced windows of ``data`` (shares its tensors)."""
    n = len(data)
    if n <= max_windows:
        return data
    keep = np.unique(np.linspace(0, n - 1, max_windows).round().astype(np.int64))
    return replace(
        data,
        origins=data.origins[torch.as_tensor(keep, device=data.origins.device)],
        copy_index=data.copy_index[keep],
        local_origin=data.local_origin[keep],
    )


def _score(model, data: WindowData, batch_windows: int) -> np.ndarray:
    """Per-frame Eq. 1 RMSD of the model's forecasts (NaN everywhere if any is not finite)."""
    out = predict_rows(model, data, batch_windows)
    if not torch.isfinite(out).all():
        return np.full(len(data), np.nan)
    pred = data.to_frames_nm(out)
    if not np.isfinite(pred).all():
        return np.full(len(data), np.nan)
    return rmsd_eq1(pred, data.truth_nm())


def runs_frame(results: Iterable[RunResult]) -> pd.DataFrame:
    """One row per run (see :meth:`RunResult.row`); median RMSDs in Å, losses standardised."""
    return pd.DataFrame([r.row() for r in results])


# ---------------------------------------------------------------------------------------------
# The studies of the paper
# ---------------------------------------------------------------------------------------------
def plan(
    params: Mapping, datasets: Sequence[str] = ("adk", "smd"), seeds: Sequence[int] | None = None
) -> dict[str, list[RunSpec]]:
    """The runs of each study, from a chapter's parameters.

    Parameters
    ----------
    params : mapping
        ``histories``, ``history_leads``, ``leads``, ``lrs``, ``history``, ``lead``, ``lr``,
        ``layouts``, ``lr_sets`` (data sets of the learning-rate study), ``seeds``, ``target``
        and, optionally, ``variant_target``: the lead sweep again with that target.
    datasets : sequence of str
    seeds : sequence of int, optional
        Overrides ``params["seeds"]``.

    Returns
    -------
    dict
        ``{"history": [...], "lead": [...], "lr": [...], "layout": [...]}`` (and ``"variant"``);
        the same spec can appear in several studies (the study object trains it once).
    """
    seeds = list(params["seeds"] if seeds is None else seeds)
    h0, l0, lr0 = params["history"], params["lead"], params["lr"]
    tgt = params.get("target", "position")
    variant = params.get("variant_target")
    out: dict[str, list[RunSpec]] = {"history": [], "lead": [], "lr": [], "layout": []}
    if variant:
        out["variant"] = []
    for d in datasets:
        for s in seeds:
            for lead in params["history_leads"]:
                for h in params["histories"]:
                    out["history"].append(RunSpec(d, h, lead, lr0, "kirchhoff", s, tgt))
            for lead in params["leads"]:
                out["lead"].append(RunSpec(d, h0, lead, lr0, "kirchhoff", s, tgt))
                if variant:
                    out["variant"].append(RunSpec(d, h0, lead, lr0, "kirchhoff", s, variant))
            if d in params.get("lr_sets", datasets):
                for lr in params["lrs"]:
                    out["lr"].append(RunSpec(d, h0, l0, lr, "kirchhoff", s, tgt))
            for layout in params.get("layouts", LAYOUTS):
                out["layout"].append(RunSpec(d, h0, l0, lr0, layout, s, tgt))
    return out


@dataclass
class ArimaResult:
    """ARIMA baseline on the test origins of one run (Fig. 8C).

    Attributes
    ----------
    rmsd_arima, rmsd_static : numpy.ndarray, shape (n,)
        Per-frame Eq. 1 RMSD (nm) over the particles used, same origins.
    order : tuple
    n_atoms : int
        Particles used.
    wall_s : float
    """

    rmsd_arima: np.ndarray
    rmsd_static: np.ndarray
    order: tuple
    n_atoms: int
    wall_s: float

    @property
    def ratio(self) -> float:
        """Median ARIMA RMSD over median static RMSD."""
        return _median(self.rmsd_arima) / _median(self.rmsd_static)


def run_arima(
    copies: Sequence[np.ndarray],
    history: int,
    lead: int,
    fractions: Sequence[float] = (0.7, 0.1, 0.2),
    order=(2, 1, 0),
    max_atoms: int | None = None,
    max_origins: int | None = None,
    max_fit_frames: int | None = None,
    progress: bool = False,
) -> ArimaResult:
    """ARIMA per coordinate, fitted on each copy's training frames, on the LSTM's test windows.

    The test origins are those of :func:`mdrepro.models.build_splits` with the same
    ``history``, ``lead`` and ``fractions``, so the RMSDs are comparable frame by frame with the
    LSTM's and the static model's (over the particles used, all by default).
    """
    from mdrepro.models.arima import arima_forecast_frames
    from mdrepro.models.windows import window_origins

    if isinstance(copies, np.ndarray) and copies.ndim == 3:
        copies = [copies]
    ra, rs, wall, n_atoms = [], [], 0.0, 0
    for x in copies:
        b = split_bounds(x.shape[0], fractions)
        o = window_origins(x.shape[0], history, lead, *b["test"])
        fc = arima_forecast_frames(
            x,
            b["train"],
            o,
            lead,
            order=order,
            max_atoms=max_atoms,
            max_origins=max_origins,
            max_fit_frames=max_fit_frames,
            progress=progress,
        )
        ra.append(rmsd_eq1(fc.forecast, fc.truth))
        rs.append(rmsd_eq1(fc.last, fc.truth))
        wall += fc.wall_s
        n_atoms = fc.atoms.size
    return ArimaResult(np.concatenate(ra), np.concatenate(rs), tuple(order), n_atoms, wall)


# ---------------------------------------------------------------------------------------------
# Tables and figure data
# ---------------------------------------------------------------------------------------------
def _select(results: Iterable[RunResult], **fields) -> list[RunResult]:
    out = []
    for r in results:
        if all(getattr(r.spec, k) == v for k, v in fields.items()):
            out.append(r)
    return sorted(out, key=lambda r: r.spec)


def loss_curves(
    results: Iterable[RunResult], by: str, which: str = "train", **fields
) -> dict[str, list[np.ndarray]]:
    """Loss histories grouped by one field (e.g. ``by="history"``), one array per seed.

    Parameters
    ----------
    results : iterable of RunResult
    by : str
        RunSpec field whose values label the curves (``"history"``, ``"lr"``, ...).
    which : {"train", "val"}
    **fields
        Filters on the other RunSpec fields (``dataset="smd", lead=15``...).

    Returns
    -------
    dict of str to list of numpy.ndarray
        ``{"history 5": [loss per epoch, seed 0], ...}`` in increasing order of ``by``.
    """
    out: dict[str, list[np.ndarray]] = {}
    sel = _select(results, **fields)
    for value in sorted({getattr(r.spec, by) for r in sel}):
        key = f"{by} {value:g}" if isinstance(value, float) else f"{by} {value}"
        out[key] = [
            r.train.train_loss if which == "train" else r.train.val_loss
            for r in sel
            if getattr(r.spec, by) == value
        ]
    return out


def rmsd_distributions(results: Iterable[RunResult], **fields) -> dict[str, np.ndarray]:
    """Test-set RMSDs (nm) of the LSTM and the static model, pooled over seeds.

    ``fields`` must select runs with one configuration (they may differ in seed only).
    """
    sel = _select(results, **fields)
    if not sel:
        raise DataError(f"expected runs matching {fields}, found none")
    if len({replace(r.spec, seed=0) for r in sel}) > 1:
        raise DataError(f"expected runs of one configuration for {fields}, found several")
    return {
        "LSTM": np.concatenate([r.rmsd_lstm for r in sel]),
        "static": sel[0].rmsd_static,
    }


def _spread(values) -> tuple[float, str]:
    """Median over seeds and a text with the seed range."""
    v = np.asarray(list(values), dtype=np.float64)
    if v.size == 0:
        return float("nan"), "no runs"
    med = float(np.median(v))
    if v.size == 1:
        return med, "1 seed"
    return med, f"seeds: {np.min(v):.3g}-{np.max(v):.3g}, n={v.size}"


def lead_sweep_table(
    df: pd.DataFrame, dataset: str, history: int, lr: float, target: str | None = None
) -> pd.DataFrame:
    """Per lead: median (over seeds) of the median test RMSDs and of the LSTM/static ratio.

    Runs of the Kirchhoff layout with the given history and learning rate (and ``target``,
    when given).

    Returns
    -------
    pandas.DataFrame
        Index ``lead``; columns ``lead_fs``, ``lstm_A``, ``lstm_A_min``, ``lstm_A_max``,
        ``static_A``, ``ratio``, ``ratio_min``, ``ratio_max``, ``n_seeds``.
    """
    sel = df[
        (df.dataset == dataset)
        & (df.history == history)
        & np.isclose(df.lr, lr)
        & (df.layout == "kirchhoff")
    ]
    if target is not None:
        sel = sel[sel.target == target]
    g = sel.groupby("lead")
    return pd.DataFrame(
        {
            "lead_fs": g.lead_fs.first(),
            "lstm_A": g.median_lstm_A.median(),
            "lstm_A_min": g.median_lstm_A.min(),
            "lstm_A_max": g.median_lstm_A.max(),
            "static_A": g.median_static_A.median(),
            "ratio": g.ratio.median(),
            "ratio_min": g.ratio.min(),
            "ratio_max": g.ratio.max(),
            "n_seeds": g.seed.nunique(),
        }
    )


def classify_learning_rates(df: pd.DataFrame, history: int, lead: int) -> pd.DataFrame:
    """Stable / unstable / slow for every run of the learning-rate study.

    *Unstable*: see :func:`is_unstable`. *Slow*: stable, but the final training loss exceeds
    :data:`SLOW_FACTOR` (1.5) times the lowest final training loss of the stable learning rates
    of the same data set and seed (same epoch budget).

    Returns
    -------
    pandas.DataFrame
        The learning-rate runs with added columns ``best_stable_loss``, ``slow`` and
        ``verdict`` (``"unstable"``, ``"slow"`` or ``"converged"``).
    """
    sel = df[(df.history == history) & (df.lead == lead) & (df.layout == "kirchhoff")].copy()
    if sel.empty:
        return sel.assign(best_stable_loss=[], slow=[], verdict=[])
    stable = sel[~sel.unstable]
    best = stable.groupby(["dataset", "seed"]).final_train_loss.min()
    sel["best_stable_loss"] = [
        best.get((d, s), np.nan) for d, s in zip(sel.dataset, sel.seed, strict=True)
    ]
    sel["slow"] = ~sel.unstable & (sel.final_train_loss > SLOW_FACTOR * sel.best_stable_loss)
    sel["verdict"] = np.where(sel.unstable, "unstable", np.where(sel.slow, "slow", "converged"))
    return sel.sort_values(["dataset", "lr", "seed"], ascending=[True, False, True])


def throughput_table(df: pd.DataFrame) -> pd.DataFrame:
    """Training throughput (sequences per second) by data set, layout and history."""
    g = df.groupby(["dataset", "layout", "history", "device"])
    return pd.DataFrame(
        {
            "runs": g.size(),
            "median seq/s": g.seq_per_s.median().round(0),
            "median train time (s)": g.train_time_s.median().round(2),
            "steps per run": g.steps.median(),
        }
    )


def recommend(df: pd.DataFrame, params: Mapping) -> pd.DataFrame:
    """Table 1 derived from the runs (never copied from the paper).

    Rules, per data set:

    * **lead time**: the smallest lead of the sweep from which the LSTM beats the static model
      (median ratio over seeds < 1) at that lead and every longer one; "none" otherwise;
    * **history size**: the history with the lowest median final validation loss at the
      reference lead (training loss if there is no validation data);
    * **learning rate**: the stable learning rate (majority of seeds) with the lowest median
      final validation loss;
    * **hidden units**: not varied here (the paper's 32).
    """
    h0, l0, lr0 = params["history"], params["lead"], params["lr"]
    df = df[df.target == params.get("target", "position")]
    rows = {
        "lead time": {},
        "history size": {},
        "learning rate": {},
        "hidden units": {},
    }
    for d in sorted(df.dataset.unique()):
        name = NAMES.get(d, d)
        sweep = lead_sweep_table(df, d, h0, lr0)
        text = "none (LSTM never beats static)"
        for lead in sweep.index:
            if (sweep.loc[sweep.index >= lead, "ratio"] < 1).all():
                text = f">= {lead} steps ({sweep.loc[lead, 'lead_fs']:g} fs)"
                break
        rows["lead time"][name] = text
        hist = df[
            (df.dataset == d)
            & (df.lead == l0)
            & np.isclose(df.lr, lr0)
            & (df.layout == "kirchhoff")
            & df.history.isin(params["histories"])
        ]
        if not hist.empty:
            col = "final_val_loss" if hist.final_val_loss.notna().all() else "final_train_loss"
            best_h = hist.groupby("history")[col].median().idxmin()
            rows["history size"][name] = str(int(best_h))
        else:
            rows["history size"][name] = "-"
        lrs = classify_learning_rates(df[df.dataset == d], h0, l0)
        lrs = lrs[lrs.lr.isin(params["lrs"])]
        if not lrs.empty:
            agg = lrs.groupby("lr").agg(
                unstable=("unstable", "mean"), val=("final_val_loss", "median")
            )
            ok = agg[agg.unstable < 0.5]
            rows["learning rate"][name] = f"{ok.val.idxmin():g}" if not ok.empty else "none"
        else:
            rows["learning rate"][name] = "-"
        rows["hidden units"][name] = f"{params.get('hidden', 32)} (not varied)"
    table = pd.DataFrame(rows).T
    table.insert(0, "paper", [PAPER["table1"][k] for k in table.index])
    table["rule"] = [
        "smallest lead from which median LSTM/static RMSD ratio < 1 at all longer leads",
        f"lowest median validation loss at lead {l0}",
        "stable lr with the lowest median validation loss",
        "-",
    ]
    table.index.name = "hyper-parameter"
    return table


# ---------------------------------------------------------------------------------------------
# Claims
# ---------------------------------------------------------------------------------------------
def _ratios(df: pd.DataFrame, dataset: str, lead: int, history: int, lr: float) -> np.ndarray:
    sel = df[
        (df.dataset == dataset)
        & (df.lead == lead)
        & (df.history == history)
        & np.isclose(df.lr, lr)
        & (df.layout == "kirchhoff")
    ]
    return sel.sort_values("seed").ratio.to_numpy(dtype=np.float64)


def _range(lo: float, hi: float) -> str:
    return "" if lo == hi else f" [{lo:.3g}-{hi:.3g}]"


def _fmt_ratio(lead: int, values) -> tuple[float, str]:
    med, spread = _spread(values)
    return med, f"lead {lead}: {med:.3g} ({spread})"


def _lead_claims(
    cs: ClaimSet,
    df: pd.DataFrame,
    params: Mapping,
    arima: ArimaResult | None,
    tag: str = "",
    note_target: str = "",
) -> None:
    """The LSTM-vs-static claims over lead times, for the runs in ``df`` (one output target)."""
    h0, lr0 = params["history"], params["lr"]
    sets = set(df.dataset)
    note_eval = "test split (last part of each trajectory, never trained on)"
    if "smd" in sets:
        parts, meds = [], {}
        for lead in (1, 5):
            meds[lead], txt = _fmt_ratio(lead, _ratios(df, "smd", lead, h0, lr0))
            parts.append(txt)
        cs.add(
            f"ch02.smd.lstm-worse-short-leads{tag}",
            "Sect. 5.2",
            "SMD: at leads of 1 and 5 steps the LSTM errs more than the static model",
            "LSTM loss higher than static at leads 1 and 5",
            "LSTM/static median RMSD ratio " + "; ".join(parts),
            "median ratio over seeds > 1 at both leads",
            all(meds[k] > 1 for k in (1, 5)),
            note=note_eval + note_target,
        )
        med15, txt15 = _fmt_ratio(15, _ratios(df, "smd", 15, h0, lr0))
        extra = ""
        if arima is not None:
            extra = f"; ARIMA{arima.order}/static {arima.ratio:.3g}"
        cs.add(
            f"ch02.smd.lstm-better-lead-15{tag}",
            "Fig. 8C",
            "SMD: at a lead of 15 steps the LSTM beats the static model",
            "LSTM better than static at lead 15",
            "LSTM/static median RMSD ratio " + txt15 + extra,
            "median ratio over seeds < 1",
            med15 < 1,
            note=note_eval + note_target,
        )
        m60, t60 = _fmt_ratio(60, _ratios(df, "smd", 60, h0, lr0))
        m120, t120 = _fmt_ratio(120, _ratios(df, "smd", 120, h0, lr0))
        cs.add(
            f"ch02.smd.gain-grows{tag}",
            "Sect. 5.2, Fig. 8D",
            "SMD: the LSTM's gain over the static model grows at leads 60 and 120",
            "improvement increased further at leads 60 and 120",
            f"ratio {txt15}; {t60}; {t120}",
            "median ratios at 60 and 120 both below the ratio at 15, and below 1",
            (m60 < med15) and (m120 < med15) and m60 < 1 and m120 < 1,
            note="gain = 1 - ratio" + note_target,
        )
    if "adk" in sets:
        parts, worst = [], math.inf
        for lead in params["leads"]:
            m, txt = _fmt_ratio(lead, _ratios(df, "adk", lead, h0, lr0))
            parts.append(txt)
            worst = min(worst, m) if math.isfinite(m) else -math.inf
        cs.add(
            f"ch02.adk.never-beats-static{tag}",
            "Fig. 6C, D",
            "ADK: the LSTM never beats the static model at leads of 1 to 120 steps",
            "LSTM loss never below static for leads 1-120",
            "LSTM/static median RMSD ratio " + "; ".join(parts),
            f"median ratio over seeds >= {NOT_BEATEN_RATIO} at every lead (not better by more "
            f"than {100 * (1 - NOT_BEATEN_RATIO):.0f}%)",
            worst >= NOT_BEATEN_RATIO,
            note=note_eval + note_target,
        )


def check_claims(
    df: pd.DataFrame, params: Mapping, profile: str, arima: ArimaResult | None = None
) -> ClaimSet:
    """The chapter's claims, measured vs the paper, each with its criterion and verdict.

    Every ratio is (median per-frame test RMSD of the LSTM) / (that of the static model) on the
    same test windows, per seed; a claim uses the median over seeds and reports the seed range.

    Parameters
    ----------
    df : pandas.DataFrame
        :func:`runs_frame` of the chapter's runs.
    params : mapping
        The chapter parameters (reference ``history``, ``lead``, ``lr``, the lists of
        ``histories``, ``history_leads``, ``leads``, ``lrs``).
    profile : str
    arima : ArimaResult, optional
        Reported alongside the SMD lead-15 claim.
    """
    cs = ClaimSet("ch02", profile)
    h0, l0, lr0 = params["history"], params["lead"], params["lr"]
    df_all = df
    df = df[df.target == params.get("target", "position")]
    sets = set(df.dataset)

    _lead_claims(cs, df, params, arima)
    variant = params.get("variant_target")
    if variant and variant != params.get("target", "position"):
        # The same claims for the network that outputs the displacement x(t+L) - x(t): reported
        # next to the paper's formulation, never instead of it (see the chapter's discussion).
        _lead_claims(
            cs,
            df_all[df_all.target == variant],
            params,
            None,
            tag=f".{variant}",
            note_target=f"; output target: {variant} (our variant, not the paper's)",
        )
    for d in sorted(sets):
        parts, ok = [], True
        for lead in params["history_leads"]:
            sel = df[
                (df.dataset == d)
                & (df.lead == lead)
                & np.isclose(df.lr, lr0)
                & (df.layout == "kirchhoff")
                & df.history.isin(params["histories"])
            ]
            if sel.empty:
                ok = False
                continue
            g = sel.groupby("history").final_train_loss
            med, lo, hi = g.median(), g.min(), g.max()
            hs = sorted(med.index)
            if len(hs) < 2:
                ok = False
            vals = [med[h] for h in hs]
            ok &= (
                all(b < a for a, b in zip(vals, vals[1:], strict=False))
                and np.isfinite(vals).all()
            )
            parts.append(
                f"lead {lead}: "
                + ", ".join(f"h={h} {med[h]:.3g}{_range(lo[h], hi[h])}" for h in hs)
            )
        cs.add(
            f"ch02.{d}.history-lowers-loss",
            "Figs 6A, B" if d == "adk" else "Figs 8A, B",
            f"{NAMES.get(d, d)}: a longer history lowers the training loss",
            "training error falls with history 1 -> 5 -> 10",
            "final training loss (standardised MSE, median over seeds [range]): "
            + "; ".join(parts),
            "strictly decreasing with history at every lead studied",
            ok,
        )
    lr_df = classify_learning_rates(df, h0, l0)
    for d in sorted(set(lr_df.dataset)) if not lr_df.empty else []:
        sub = lr_df[lr_df.dataset == d]
        frac_unstable = sub.groupby("lr").unstable.mean()
        frac_slow = sub.groupby("lr").slow.mean()
        n_seeds = sub.seed.nunique()

        def share(series, lr):
            return float(series.get(lr, np.nan))

        hi = [lr for lr in params["lrs"] if lr >= 0.1]
        lo = [lr for lr in params["lrs"] if lr <= 1e-3]
        cs.add(
            f"ch02.{d}.lr-high-unstable",
            "Fig. 7",
            f"{NAMES.get(d, d)}: learning rates 1.0 and 0.1 are unstable",
            "1.0 and 0.1 unstable",
            ", ".join(f"lr {lr:g}: unstable in {share(frac_unstable, lr):.0%}" for lr in hi)
            + f" of {n_seeds} seed(s)",
            f"unstable (a non-finite loss, or a training or validation loss above "
            f"{UNSTABLE_JUMP:g}x the lowest reached before it) in a majority of seeds, for each",
            all(share(frac_unstable, lr) > 0.5 for lr in hi) and bool(hi),
            note="the paper shows SMD; it says ADK behaved alike" if d == "adk" else "",
        )
        cs.add(
            f"ch02.{d}.lr-low-slow",
            "Fig. 7",
            f"{NAMES.get(d, d)}: learning rates 0.001 and 0.0001 converge too slowly",
            "0.001 and 0.0001 too slow to converge",
            ", ".join(f"lr {lr:g}: slow in {share(frac_slow, lr):.0%}" for lr in lo)
            + f" of {n_seeds} seed(s)",
            f"stable, with a final training loss > {SLOW_FACTOR:g}x the best stable learning "
            "rate's after the same epochs, in a majority of seeds, for each",
            all(share(frac_slow, lr) > 0.5 for lr in lo) and bool(lo),
        )
    for d in sorted(sets):
        sel = df[(df.dataset == d) & (df.history == h0) & (df.lead == l0) & np.isclose(df.lr, lr0)]
        k = sel[sel.layout == "kirchhoff"].set_index("seed").median_lstm_A
        w = sel[sel.layout == "whole"].set_index("seed").median_lstm_A
        common = sorted(set(k.index) & set(w.index))
        if not common:
            continue
        r = np.array([k[s] / w[s] for s in common])
        med, spread = _spread(r)
        cs.add(
            f"ch02.{d}.kirchhoff-beats-whole",
            "Sect. 5.2",
            f"{NAMES.get(d, d)}: the Kirchhoff decomposition beats the whole-structure model",
            "per-particle series boosted performance significantly",
            f"Kirchhoff/whole median test RMSD ratio {med:.3g} ({spread}); Kirchhoff "
            f"{np.median(k[common]):.3g} Å, whole {np.median(w[common]):.3g} Å",
            "median ratio over seeds < 1",
            bool(med < 1),
            note=f"history {h0}, lead {l0}, lr {lr0:g}",
        )
    return cs


def _fmt_per(value) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{NAMES.get(k, k)}: {_fmt_per(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "/".join(f"{v:g}" for v in value)
    return str(value)


def differences(params: Mapping, frames: Mapping[str, Sequence[int]]) -> list[tuple[str, str]]:
    """(item, paper, here) rows of how this chapter's protocol differs from the paper's.

    Parameters
    ----------
    params : mapping
        Chapter parameters.
    frames : mapping
        Data-set key -> frames per copy.
    """
    rows = [
        (
            "evaluation",
            "scored on the frames it trained on (public script)",
            f"train / validation / test split in time {_fmt_per(params['fractions'])}; scored "
            "on the test part",
        ),
        (
            "inputs",
            "raw coordinates, Å",
            "coordinates standardised with training-frame statistics",
        ),
        ("output", "absolute position, linear layer", f"{params.get('target', 'position')}"),
        (
            "training budget",
            "not stated (TF1, batch 214000 sequences)",
            f"{_fmt_per(params['epochs'])} epochs, {_fmt_per(params['batch_windows'])} windows "
            f"per step, every {_fmt_per(params['train_stride'])}-th training window",
        ),
        ("seeds", "one run per setting", f"{len(params['seeds'])} seed(s) per setting"),
    ]
    for d, n in frames.items():
        paper = "5 x 10^4 frames (5 copies)" if d == "adk" else "10^6 frames"
        rows.append((f"{NAMES.get(d, d)} frames", paper, " + ".join(str(v) for v in n)))
    return rows
