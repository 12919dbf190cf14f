"""The computations of Gupta, Cava et al. (2020), cut into independent units of work.

Chapter 1, study ``characterise``: one unit per data set (:func:`characterise_set`) returns a
:class:`SetAnalysis` (RMSD to the first frame, fast regions, per-particle kurtosis and its
classes, static-model errors per lead, the shape observable's autocorrelation).

Chapter 2, study ``forecast``: one unit per training run (:class:`RunSpec`: data set, history,
lead, learning rate, layout, seed, output target) returns a :class:`RunResult`, scored on the
test part of each trajectory against the static model on the same windows; one more unit fits
the ARIMA baseline (:func:`run_arima`). :func:`forecast` runs the plan of the paper's studies
(:func:`plan`) through the results cache and returns a :class:`ForecastResults`, which derives
every table of the chapter.

Modelling choices of chapter 2 (stated in the chapter as well)
-------------------------------------------------------------
* **Output.** As in the paper, the network outputs the absolute position at ``t + lead``
  through a linear layer (``target="position"``); ``target="displacement"`` (the network
  predicts ``x(t + lead) - x(t)``) is run as a variant next to it.
* **Standardisation.** The learning-rate study feeds raw coordinates in Å, as the paper's
  script does (``lr_inputs``): which rates are stable depends on the input scale. Every other
  study standardises inputs and position targets with the training frames'
  mean and standard deviation (per Cartesian coordinate pooled over particles for the
  Kirchhoff layout, per feature for the whole structure).
* **Evaluation.** The paper's public script scores forecasts on the frames it trained on. We
  split each trajectory in time (train, validation, test), train on the first part and score
  on the last; in-sample scores on the training windows are kept too (``rmsd_lstm_fit``).
* **Losses** are mean squared errors in standardised units.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from mdrepro import analysis
from mdrepro.errors import DataError
from mdrepro.models.windows import LAYOUTS, WindowData, build_splits, split_bounds
from mdrepro.results import STUDY_THREADS, Job, Store, Unit, run_jobs, timing
from mdrepro.training import TrainResult, flush_denormals, train
from mdrepro.units import A_PER_NM

PAPER = "gupta2020"
#: Modules whose code decides this paper's results (their imports are followed).
MODULES = ("mdrepro.papers.gupta2020.study",)

#: Display names of the data sets.
NAMES = {"adk": "ADK", "smd": "100-alanine SMD"}
#: Registry names of the data sets.
DATA = {"adk": "adk-equilibrium", "smd": "ala100-smd"}
#: Instability: some epoch's loss exceeds this multiple of the lowest loss reached before it.
UNSTABLE_JUMP = 2.0
#: Slow convergence: a stable run whose final training loss exceeds this multiple of the best
#: stable learning rate's (same data set and seed, same epoch budget).
SLOW_FACTOR = 1.5


def store() -> Store:
    """The results cache of this paper's studies."""
    return Store(MODULES)


def _threads() -> int:
    import torch

    return int(torch.get_num_threads())


# ==================================================================== chapter 1: characterise
@dataclass
class SetAnalysis:
    """Everything Figs 2-5 need from one data set.

    Attributes
    ----------
    name : str
        ``"adk"`` or ``"smd"``.
    frame_fs : float
        Frame interval of the analysed frames, fs.
    rmsd_to_first : list of numpy.ndarray
        Per copy, ``(T,)`` Eq. 1 RMSD to frame 0, nm.
    fast_regions : list of numpy.ndarray
        Per copy, ``(M, 2)`` start/end times (fs) of fast evolution.
    kurtosis : numpy.ndarray
        ``(N, 3)`` excess kurtosis of x, y, z per particle (first copy).
    kurtosis_classes : mdrepro.analysis.KurtosisClasses
    leads : dict of float to numpy.ndarray
        Lead (fs) -> static-model RMSD, nm (all copies pooled).
    lead_steps : list of int
        The leads in frames that the data could serve.
    dropped_lead_steps : list of int
        Leads asked for that are longer than the shortest copy allows.
    shape_series : list of numpy.ndarray
        Per copy, the shape observable (radius of gyration or end-to-end distance), nm.
    acf : numpy.ndarray
        Autocorrelation of the shape observable (copies averaged), from lag 0.
    tau_fs : float
        Decorrelation time of ``acf`` (first 1/e crossing), fs.
    lead_medians_copies : dict of float to list of float
        Lead (fs) -> median static-model RMSD of each copy, nm (the per-replica samples of the
        claims).
    pooled_rms_copies : dict of float to list of float
        Per copy, the static-model error pooled as the authors' ``Analysis/LSTM.py`` scores its
        "Naive_loss": the root of the mean over every frame pair and all 3N coordinates (Eq. 1,
        no superposition), nm, keyed by the time between the compared frames in fs
        (:data:`AUTHORS_GAPS_FS` that are whole multiples of the frame interval).
    kurtosis_copies : list of numpy.ndarray, each of shape (N, 3)
        Per copy, the excess kurtosis of every particle's x, y, z (the samples of the
        kurtosis claims: one value per independent copy).
    shuffled_lead_medians_copies : dict of float to list of float
        As ``lead_medians_copies``, on each copy with its frames in a seeded random order: the
        null of the growth claims (time correlation removed, every frame kept).
    tau_fs_copies : list of float
        Decorrelation time of each copy's shape observable, fs.
    n_classes_copies : list of int
        Kurtosis classes found in each copy.
    effective_samples_copies : list of float
        Each copy's run length / (2 x its decorrelation time).
    """

    name: str
    frame_fs: float
    rmsd_to_first: list = field(default_factory=list)
    fast_regions: list = field(default_factory=list)
    kurtosis: np.ndarray | None = None
    kurtosis_classes: object = None
    leads: dict = field(default_factory=dict)
    lead_steps: list = field(default_factory=list)
    dropped_lead_steps: list = field(default_factory=list)
    shape_series: list = field(default_factory=list)
    acf: np.ndarray | None = None
    tau_fs: float = float("nan")
    lead_medians_copies: dict = field(default_factory=dict)
    pooled_rms_copies: dict = field(default_factory=dict)
    shuffled_lead_medians_copies: dict = field(default_factory=dict)
    kurtosis_copies: list = field(default_factory=list)
    tau_fs_copies: list = field(default_factory=list)
    n_classes_copies: list = field(default_factory=list)
    effective_samples_copies: list = field(default_factory=list)

    def median_lead_rmsd(self) -> np.ndarray:
        """Median static-model RMSD per lead, nm."""
        return np.array([np.median(v) for v in self.leads.values()])

    def effective_samples(self) -> float:
        """Decorrelated samples in the first copy: run length / (2 x decorrelation time).

        The usual estimate of the number of independent samples in a correlated series
        (with the 1/e time standing in for the integrated autocorrelation time); NaN when the
        series never decorrelated within the run.
        """
        length_fs = len(self.rmsd_to_first[0]) * self.frame_fs
        if not np.isfinite(self.tau_fs) or self.tau_fs <= 0:
            return float("nan")
        return length_fs / (2.0 * self.tau_fs)

    def lead_table(self):
        """Median static-model RMSD per lead, Å (a table for the chapter)."""
        import pandas as pd

        return pd.DataFrame(
            {
                "lead (frames)": self.lead_steps,
                "lead (fs)": list(self.leads),
                "median RMSD (Å)": self.median_lead_rmsd() * A_PER_NM,
            }
        ).set_index("lead (frames)")


#: The shape observable of each data set (Fig. 4D: ADK's radius of gyration; 4E: SMD's
#: end-to-end distance).
SHAPES = {"adk": "rg", "smd": "end_to_end"}


#: Times between compared frames (fs) at which the static model is also scored the authors'
#: way (:attr:`SetAnalysis.pooled_rms_copies`): the gaps that the paper's leads of 10 and 50 fs
#: imply under each reading of their code and README (``registry.yaml`` of gupta2020, check
#: ``ch01.adk-short-lead-rmsd``): 20/60 fs (10 fs frames, lead L compares frames L + 1 apart),
#: 40/120 fs (20 fs frames as run_ADK.py saves them), 400/1200 fs (every 10th frame).
AUTHORS_GAPS_FS = (20.0, 40.0, 60.0, 120.0, 400.0, 1200.0)
#: Seed of the frame permutations of the growth claims' null (plus the copy index).
SHUFFLE_SEED = 20201207


def characterise_set(
    name: str,
    xyz: list[np.ndarray],
    frame_fs: float,
    lead_steps: Sequence[int],
    shape: str,
    fast_window: int = 25,
    acf_max_lag_fraction: float = 0.5,
) -> SetAnalysis:
    """Every Fig. 2-5 analysis of one data set (one unit of work).

    Parameters
    ----------
    name : str
        Label (``"adk"``, ``"smd"``).
    xyz : list of numpy.ndarray
        Per copy, ``(T, N, 3)`` coordinates in nm.
    frame_fs : float
        Time between frames, fs.
    lead_steps : sequence of int
        Static-model leads, in frames; those longer than the shortest copy allows are dropped
        (and listed in :attr:`SetAnalysis.dropped_lead_steps`).
    shape : {"rg", "end_to_end"}
        Shape observable whose autocorrelation is analysed.
    fast_window : int
        Smoothing window (frames) of the fast-region detector.
    acf_max_lag_fraction : float
        Largest ACF lag as a fraction of the trajectory length.
    """
    if shape not in ("rg", "end_to_end"):
        raise DataError(f"expected shape 'rg' or 'end_to_end', found {shape!r}")
    shortest = min(len(x) for x in xyz)
    fits = [int(s) for s in lead_steps if int(s) < shortest]
    if not fits:
        raise DataError(
            f"{name}: expected copies longer than the shortest lead ({min(lead_steps)} frames), "
            f"found {shortest} frames"
        )
    res = SetAnalysis(
        name=name,
        frame_fs=float(frame_fs),
        lead_steps=fits,
        dropped_lead_steps=[int(s) for s in lead_steps if int(s) >= shortest],
    )
    for x in xyz:
        r = analysis.rmsd_to_first(x)
        res.rmsd_to_first.append(r)
        res.fast_regions.append(analysis.fast_regions(r, frame_fs, window=fast_window))
    res.kurtosis = analysis.excess_kurtosis(xyz[0])
    res.kurtosis_classes = analysis.kurtosis_classes(res.kurtosis)
    for step in fits:
        res.leads[step * float(frame_fs)] = analysis.static_model_rmsd_multi(xyz, step)
    if shape == "rg":
        series = [analysis.radius_of_gyration(x) for x in xyz]
    else:
        series = [analysis.end_to_end_distance(x) for x in xyz]
    res.shape_series = series
    n = min(len(s) for s in series)
    max_lag = max(2, int(acf_max_lag_fraction * n))
    res.acf = np.mean([analysis.autocorrelation(s, max_lag=max_lag) for s in series], axis=0)
    res.tau_fs = float(analysis.decorrelation_time(res.acf, frame_fs))
    # per copy (independent replicas): the samples of the chapter's claims
    for step in fits:
        res.lead_medians_copies[step * float(frame_fs)] = [
            float(np.median(analysis.static_model_rmsd_multi([x], step))) for x in xyz
        ]
    shuffled = [
        x[np.random.default_rng(SHUFFLE_SEED + k).permutation(len(x))] for k, x in enumerate(xyz)
    ]
    for step in fits:
        res.shuffled_lead_medians_copies[step * float(frame_fs)] = [
            float(np.median(analysis.static_model_rmsd_multi([x], step))) for x in shuffled
        ]
    for gap_fs in AUTHORS_GAPS_FS:
        step = gap_fs / float(frame_fs)
        if abs(step - round(step)) > 1e-9 or not 1 <= round(step) < shortest:
            continue
        res.pooled_rms_copies[float(gap_fs)] = [
            float(np.sqrt(np.mean(analysis.static_model_rmsd_multi([x], round(step)) ** 2)))
            for x in xyz
        ]
    for x, s in zip(xyz, series, strict=True):
        tau = float(
            analysis.decorrelation_time(analysis.autocorrelation(s, max_lag=max_lag), frame_fs)
        )
        res.tau_fs_copies.append(tau)
        res.effective_samples_copies.append(
            len(s) * float(frame_fs) / (2.0 * tau) if np.isfinite(tau) and tau > 0 else math.nan
        )
        res.kurtosis_copies.append(analysis.excess_kurtosis(x))
        res.n_classes_copies.append(
            int(analysis.kurtosis_classes(res.kurtosis_copies[-1]).n_classes)
        )
    return res


@dataclass
class Characterisation:
    """Chapter 1's results: one :class:`SetAnalysis` per data set."""

    adk: SetAnalysis
    smd: SetAnalysis

    def lead_table(self):
        """Median static-model RMSD per lead step of both sets, Å."""
        import pandas as pd

        return (
            pd.DataFrame(
                {
                    "ADK lead (fs)": pd.Series(list(self.adk.leads), index=self.adk.lead_steps),
                    "ADK median RMSD (Å)": pd.Series(
                        self.adk.median_lead_rmsd() * A_PER_NM, index=self.adk.lead_steps
                    ),
                    "SMD lead (fs)": pd.Series(list(self.smd.leads), index=self.smd.lead_steps),
                    "SMD median RMSD (Å)": pd.Series(
                        self.smd.median_lead_rmsd() * A_PER_NM, index=self.smd.lead_steps
                    ),
                }
            )
            .rename_axis("lead (frames)")
            .round(4)
        )

    def dropped_leads(self) -> str:
        """A sentence on the leads that the data could not serve (empty if none)."""
        parts = [
            f"{NAMES[r.name]}: {r.dropped_lead_steps} frames"
            for r in (self.adk, self.smd)
            if r.dropped_lead_steps
        ]
        return (
            ("leads dropped (longer than the shortest copy): " + "; ".join(parts)) if parts else ""
        )

    def decorrelation_summary(self) -> str:
        """The two decorrelation times in one line."""
        return f"decorrelation times: ADK {self.adk.tau_fs:.4g} fs, SMD {self.smd.tau_fs:.4g} fs"


def characterise_jobs(ctx, inputs) -> list[Job]:
    """One unit of work per data set (chapter 1).

    Parameters
    ----------
    ctx : mdrepro.book.chapter.ChapterContext
    inputs : mdrepro.papers.gupta2020.datasets.Inputs
    """
    p = dict(ctx.params)
    jobs = []
    for name in ("adk", "smd"):
        unit = Unit(
            PAPER,
            "characterise",
            name,
            params={**p, "shape": SHAPES[name]},
            data={DATA[name]: inputs.fingerprint(name)},
        )

        def compute(name=name):
            ts = getattr(inputs, name)
            return characterise_set(
                name,
                ts.xyz(),
                ts.frame_interval_fs,
                p["lead_steps"],
                SHAPES[name],
                fast_window=p["fast_window"],
                acf_max_lag_fraction=p["acf_max_lag_fraction"],
            )

        jobs.append(Job(unit, compute))
    return jobs


def characterisation(ctx, inputs) -> Characterisation:
    """Chapter 1's results, loaded from the results cache or computed (one unit per set).

    Parameters
    ----------
    ctx : mdrepro.book.chapter.ChapterContext
    inputs : mdrepro.papers.gupta2020.datasets.Inputs
    """
    out = run_jobs(characterise_jobs(ctx, inputs), store(), desc="data sets")
    return Characterisation(out["adk"], out["smd"])


# ======================================================================= chapter 2: forecast
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
    inputs : {"standard", "atom", "centred", "angstrom"}
        Standardised coordinates (pooled over particles, or per particle), centred per
        particle only, or raw coordinates in Å as the paper's script feeds them
        (:data:`INPUTS`, :func:`atom_inputs`, :func:`angstrom_inputs`).
    """

    dataset: str
    history: int
    lead: int
    lr: float
    layout: str = "kirchhoff"
    seed: int = 0
    target: str = "position"
    inputs: str = "standard"

    @property
    def windows_key(self) -> tuple:
        """The fields that decide the windows (runs differing only in lr/seed share them)."""
        return (self.dataset, self.history, self.lead, self.layout, self.target, self.inputs)

    @property
    def id(self) -> str:
        """Unit id, e.g. ``adk-h5-l15-lr0.01-kirchhoff-atom-position-s0`` (inputs other than
        ``standard`` are named before the target).
        """
        raw = "" if self.inputs == "standard" else f"-{self.inputs}"
        return (
            f"{self.dataset}-h{self.history}-l{self.lead}-lr{self.lr:g}-{self.layout}{raw}-"
            f"{self.target}-s{self.seed}"
        )


@dataclass
class RunResult:
    """A trained run, scored on its test windows.

    Attributes
    ----------
    spec : RunSpec
    train : mdrepro.training.TrainResult
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
        """A flat summary (one row of :meth:`ForecastResults.frame`)."""
        tr, s = self.train, self.spec
        vl = tr.val_loss
        return {
            "dataset": s.dataset,
            "layout": s.layout,
            "target": s.target,
            "inputs": s.inputs,
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
    """Trains and scores LSTM forecasters on a collection of data sets (in one process).

    Keeps the windows of the last run, so that runs sharing them (same data set, history,
    lead, layout and target) do not rebuild them.

    Parameters
    ----------
    data : mapping of str to list of numpy.ndarray
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
    precision : {"float32", "float64"}
        Floating-point type of the network and its inputs (the diagnosis trains in both).
    init : {"torch", "authors"}
        PyTorch's default initialisation, or the authors' script's (TensorFlow 1
        ``BasicLSTMCell``, forget-gate bias +1; read-out weights and bias drawn from N(0, 1)).
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
    precision: str = "float32"
    init: str = "torch"
    _splits_key: tuple | None = field(default=None, repr=False)
    _splits: dict | None = field(default=None, repr=False)

    def __post_init__(self):
        if not isinstance(self.data, dict):  # a lazy mapping: sets load when a run reads them
            return
        for name, copies in self.data.items():
            if isinstance(copies, np.ndarray) and copies.ndim == 3:
                self.data = {**self.data, name: [copies]}

    @classmethod
    def from_params(
        cls, data: Mapping[str, list], params: Mapping, frame_fs, device: str = "cpu"
    ) -> ForecastStudy:
        """A study with the sizes of a chapter profile."""
        return cls(
            data,
            frame_fs=frame_fs,
            epochs=params["epochs"],
            batch_windows=params["batch_windows"],
            fractions=params["fractions"],
            train_stride=params["train_stride"],
            hidden=params["hidden"],
            device=device,
            max_fit_windows=params["max_fit_windows"],
        )

    def run_params(self, spec: RunSpec) -> dict:
        """What decides the result of ``spec`` besides the data (the unit's parameters)."""
        d = spec.dataset
        extra = {} if self.precision == "float32" else {"precision": self.precision}
        if self.init != "torch":
            extra["init"] = self.init
        return {
            **extra,
            "epochs": int(_per(self.epochs, d)),
            "batch_windows": int(_per(self.batch_windows, d)),
            "fractions": [float(f) for f in _per(self.fractions, d)],
            "train_stride": int(_per(self.train_stride, d)),
            "hidden": int(self.hidden),
            "max_fit_windows": int(self.max_fit_windows),
            "device": self.device,
        }

    def splits(self, spec: RunSpec) -> dict[str, WindowData]:
        """The windows of ``spec`` (the last set built is kept)."""
        if spec.dataset not in self.data:
            raise DataError(f"expected a data set in {sorted(self.data)}, found {spec.dataset!r}")
        if spec.inputs not in INPUTS:
            raise DataError(f"expected inputs in {list(INPUTS)}, found {spec.inputs!r}")
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
            if spec.inputs == "angstrom":
                self._splits = angstrom_inputs(self._splits)
            elif spec.inputs in ("atom", "centred"):
                self._splits = atom_inputs(
                    self._splits,
                    self.data[spec.dataset],
                    _per(self.fractions, spec.dataset),
                    scale="atom" if spec.inputs == "atom" else "pooled",
                )
            self._splits_key = spec.windows_key
        return self._splits

    def run(self, spec: RunSpec) -> RunResult:
        """Train, forecast and score one run (one unit of work)."""
        with flush_denormals(self.device == "cpu"):
            return self._run(spec)

    def _run(self, spec: RunSpec) -> RunResult:
        import torch

        from mdrepro.models.forecast import LSTMForecaster, count_parameters

        sp = self.splits(spec)
        if self.precision not in ("float32", "float64"):
            raise DataError(f"expected precision float32 or float64, found {self.precision!r}")
        if self.precision == "float64":
            f64 = sp["train"].frames.double()
            sp = {k: replace(d, frames=f64) for k, d in sp.items()}
        tr_data, val, test = sp["train"], sp["val"], sp["test"]
        torch.manual_seed(spec.seed)
        model = LSTMForecaster(tr_data.n_features, self.hidden)
        if self.init == "authors":
            authors_init(model)
        elif self.init != "torch":
            raise DataError(f"expected init 'torch' or 'authors', found {self.init!r}")
        if self.precision == "float64":
            model = model.double()
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
        return RunResult(
            spec=spec,
            train=tr,
            rmsd_lstm=_score(model, test, bw),
            rmsd_static=analysis.rmsd_eq1(test.last_input_nm(), test.truth_nm()),
            rmsd_lstm_fit=_score(model, fit, bw),
            rmsd_static_fit=analysis.rmsd_eq1(fit.last_input_nm(), fit.truth_nm()),
            n_train_windows=len(tr_data),
            n_test_windows=len(test),
            n_params=count_parameters(model),
            frame_fs=float(_per(self.frame_fs, spec.dataset)),
        )

    def untrained(self, spec: RunSpec) -> dict:
        """Negative control: the run's network with its initial weights, scored on the same
        test windows as :meth:`run` (no training).

        Returns
        -------
        dict
            ``{"id", "seed", "ratio"}``: LSTM / static median test RMSD.
        """
        import torch

        from mdrepro.models.forecast import LSTMForecaster

        with flush_denormals(self.device == "cpu"):
            test = self.splits(spec)["test"]
            torch.manual_seed(spec.seed)
            model = LSTMForecaster(test.n_features, self.hidden).to(self.device).eval()
            bw = 4 * int(_per(self.batch_windows, spec.dataset))
            lstm = _score(model, test, bw)
            static = analysis.rmsd_eq1(test.last_input_nm(), test.truth_nm())
        return {"id": spec.id, "seed": int(spec.seed), "ratio": _median(lstm) / _median(static)}


def authors_init(model) -> None:
    """Re-initialise an :class:`~mdrepro.models.forecast.LSTMForecaster` (one layer) as the
    authors' script does: TensorFlow 1's ``BasicLSTMCell`` adds 1 to the forget gate's bias,
    and the read-out's weights and bias are drawn from a standard normal distribution.
    Draws from torch's global generator (seed it first).
    """
    import torch

    h = model.hidden
    with torch.no_grad():
        model.lstm.bias_ih_l0[h : 2 * h] += 1.0  # gate order i, f, g, o
        model.head.weight.normal_(0.0, 1.0)
        model.head.bias.normal_(0.0, 1.0)


#: How coordinates reach the network: ``"standard"``, standardised with the training frames'
#: mean and standard deviation per Cartesian coordinate pooled over particles (Kirchhoff
#: layout; per feature for the whole structure); ``"atom"``, centred and scaled per particle
#: with its own training frames' mean and standard deviation (each particle's series
#: standardised on its own; the same as ``"standard"`` for the whole structure);
#: ``"centred"``, centred per particle but scaled by the pooled standard deviation of
#: ``"standard"`` (the diagnosis separates centring from scaling); or ``"angstrom"``, raw
#: Cartesian coordinates in Å as the authors' script feeds them.
INPUTS = ("standard", "atom", "centred", "angstrom")


def atom_inputs(
    splits: Mapping[str, WindowData],
    copies: Sequence[np.ndarray],
    fractions: Sequence[float],
    scale: str = "atom",
) -> dict[str, WindowData]:
    """The same windows with every particle centred and scaled by its own training frames.

    Parameters
    ----------
    splits : mapping of str to WindowData
        Splits of :func:`mdrepro.models.windows.build_splits` (sharing one frames tensor).
    copies : sequence of numpy.ndarray, each (T_k, N, 3)
        The copies the splits were cut from, nm.
    fractions : sequence of 3 floats
        Their train / validation / test fractions.
    scale : {"atom", "pooled"}
        Divide by each particle's own standard deviation, or by the splits' own scaler's
        (pooled over particles for the Kirchhoff layout): centring only.

    Returns
    -------
    dict of str to WindowData
        The splits with ``frames = (raw - mean_i) / std_i`` (``mean_i``, ``std_i``: particle
        ``i``'s per-coordinate mean and standard deviation over the training frames of every
        copy, ``(N, 3)`` nm) and the matching scaler; displacement targets are rescaled by
        their training standard deviation in these units.

    Notes
    -----
    Only the training frames decide the statistics, as for ``"standard"`` inputs. The target
    is still the position at ``t + lead`` (or the displacement, for that target): scaling is an
    invertible affine map per particle, and forecasts are scored in nm.
    """
    import torch

    from mdrepro.models.windows import Scaler

    first = next(iter(splits.values()))
    train_frames = [
        np.asarray(c)[slice(*split_bounds(len(c), fractions)["train"])] for c in copies
    ]
    scaler = Scaler.fit(train_frames, "whole")  # per feature: (N, 3)
    if scale == "pooled":
        scaler = Scaler(scaler.mean, np.broadcast_to(first.scaler.std, scaler.mean.shape).copy())
    elif scale != "atom":
        raise DataError(f"expected scale 'atom' or 'pooled', found {scale!r}")
    z = scaler.transform(first.raw.astype(np.float64))
    frames = torch.as_tensor(z, dtype=torch.float32, device=first.frames.device)
    tscale = first.target_scale
    if first.target == "displacement":
        tr = splits["train"]
        o = tr.origins.cpu().numpy()
        d = z[o + tr.lead] - z[o]
        axes = (0, 1) if tr.layout == "kirchhoff" else (0,)
        tscale = torch.as_tensor(
            np.maximum(d.std(axis=axes), 1e-6), dtype=torch.float32, device=first.frames.device
        )
    return {
        k: replace(d, frames=frames, scaler=scaler, target_scale=tscale) for k, d in splits.items()
    }


def angstrom_inputs(splits: Mapping[str, WindowData]) -> dict[str, WindowData]:
    """The same windows with raw coordinates in Å as inputs and position targets (no
    standardisation), as the script of Gupta, Cava et al. (2020) trains.

    Parameters
    ----------
    splits : mapping of str to WindowData
        Position-target splits of :func:`mdrepro.models.windows.build_splits` (sharing one
        frames tensor).

    Returns
    -------
    dict of str to WindowData
        The splits with ``frames = raw / 0.1 nm`` and a scaler that maps Å back to nm.
    """
    import torch

    from mdrepro.models.windows import Scaler

    first = next(iter(splits.values()))
    if any(d.target != "position" for d in splits.values()):
        raise DataError("expected position targets for raw-Å inputs, found displacement")
    frames = torch.as_tensor(first.raw * A_PER_NM, dtype=torch.float32, device=first.frames.device)
    scaler = Scaler(np.zeros(3), np.full(3, 1.0 / A_PER_NM))
    return {k: replace(d, frames=frames, scaler=scaler) for k, d in splits.items()}


def _subset(data: WindowData, max_windows: int) -> WindowData:
    """At most ``max_windows`` evenly spaced windows of ``data`` (shares its tensors)."""
    import torch

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
    import torch

    from mdrepro.models.forecast import predict_rows

    out = predict_rows(model, data, batch_windows)
    if not torch.isfinite(out).all():
        return np.full(len(data), np.nan)
    pred = data.to_frames_nm(out)
    if not np.isfinite(pred).all():
        return np.full(len(data), np.nan)
    return analysis.rmsd_eq1(pred, data.truth_nm())


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
        the same spec can appear in several studies (it is trained once).
    """
    seeds = list(params["seeds"] if seeds is None else seeds)
    h0, l0, lr0 = params["history"], params["lead"], params["lr"]
    tgt = params.get("target", "position")
    lr_inputs = params.get("lr_inputs", "standard")
    inp = params.get("inputs", "standard")
    var_inp = params.get("variant_inputs", inp)
    variant = params.get("variant_target")
    out: dict[str, list[RunSpec]] = {"history": [], "lead": [], "lr": [], "layout": []}
    if variant:
        out["variant"] = []
    for d in datasets:
        for s in seeds:
            for lead in params["history_leads"]:
                for h in params["histories"]:
                    out["history"].append(RunSpec(d, h, lead, lr0, "kirchhoff", s, tgt, inp))
            for lead in params["leads"]:
                out["lead"].append(RunSpec(d, h0, lead, lr0, "kirchhoff", s, tgt, inp))
                if variant:
                    out["variant"].append(
                        RunSpec(d, h0, lead, lr0, "kirchhoff", s, variant, var_inp)
                    )
            if d in params.get("lr_sets", datasets):
                for lr in params["lrs"]:
                    out["lr"].append(RunSpec(d, h0, l0, lr, "kirchhoff", s, tgt, lr_inputs))
            for layout in params.get("layouts", LAYOUTS):
                out["layout"].append(RunSpec(d, h0, l0, lr0, layout, s, tgt, inp))
    return out


def unique_runs(params: Mapping) -> list[RunSpec]:
    """Every run of :func:`plan` once, grouped so that runs sharing windows are adjacent."""
    specs = {s for v in plan(params).values() for s in v}
    return sorted(specs, key=lambda s: (s.windows_key, s.lr, s.seed))


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
    lead : int
        Lead in frames.
    """

    rmsd_arima: np.ndarray
    rmsd_static: np.ndarray
    order: tuple
    n_atoms: int
    wall_s: float = timing()
    lead: int = 15

    @property
    def ratio(self) -> float:
        """Median ARIMA RMSD over median static RMSD."""
        return _median(self.rmsd_arima) / _median(self.rmsd_static)

    def summary(self) -> str:
        """One line: order, particles, wall time and median RMSDs."""
        return (
            f"ARIMA{self.order} on {self.n_atoms} particles: {self.wall_s:.1f} s; median RMSD "
            f"{A_PER_NM * np.median(self.rmsd_arima):.3f} Å vs static "
            f"{A_PER_NM * np.median(self.rmsd_static):.3f} Å"
        )


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
        ra.append(analysis.rmsd_eq1(fc.forecast, fc.truth))
        rs.append(analysis.rmsd_eq1(fc.last, fc.truth))
        wall += fc.wall_s
        n_atoms = fc.atoms.size
    return ArimaResult(
        np.concatenate(ra), np.concatenate(rs), tuple(order), n_atoms, wall, int(lead)
    )


@dataclass
class ForecastResults:
    """Chapter 2's results: every run, the ARIMA baseline, and the parameters.

    Attributes
    ----------
    runs : list of RunResult
    arima : ArimaResult or None
    params : dict
        The chapter's parameters.
    frames : dict of str to list of int
        Frames per copy of each data set.
    wall_s : dict of str to float
        Training wall time per study (cached runs count their original time).
    """

    runs: list
    arima: ArimaResult | None
    params: dict
    frames: dict = field(default_factory=dict)
    wall_s: dict = field(default_factory=dict)

    @property
    def lr_inputs(self) -> str:
        """The inputs of the learning-rate study (``"angstrom"``: the paper's raw coordinates)."""
        return self.params.get("lr_inputs", "standard")

    @property
    def inputs(self) -> str:
        """The inputs of every study but the learning-rate one (:data:`INPUTS`)."""
        return self.params.get("inputs", "standard")

    def inputs_for(self, target: str) -> str:
        """The inputs of the runs with output ``target``: :attr:`inputs`, or
        ``params["variant_inputs"]`` for the variant target.
        """
        if target == self.params.get("variant_target") and target != self.target:
            return self.params.get("variant_inputs", self.inputs)
        return self.inputs

    def frame(self, inputs: str | None = ""):
        """One row per run (see :meth:`RunResult.row`); median RMSDs in Å.

        Parameters
        ----------
        inputs : str or None
            Only the runs on these inputs (:data:`INPUTS`); "" (default): every study's own
            inputs but the learning-rate study's (:meth:`inputs_for` each run's target);
            None: every run. The learning-rate study runs on :attr:`lr_inputs`.
        """
        import pandas as pd

        if inputs == "":
            runs = [r for r in self.runs if r.spec.inputs == self.inputs_for(r.spec.target)]
            return pd.DataFrame([r.row() for r in runs])

        runs = [r for r in self.runs if inputs is None or r.spec.inputs == inputs]
        return pd.DataFrame([r.row() for r in runs])

    @property
    def target(self) -> str:
        """The paper's output target (``"position"``)."""
        return self.params.get("target", "position")

    def select(self, **fields) -> list[RunResult]:
        """Runs whose spec matches ``fields``, sorted by spec (on the inputs of their target,
        :meth:`inputs_for`, unless ``inputs`` is given).
        """
        fields.setdefault("inputs", self.inputs_for(fields.get("target", self.target)))
        out = [r for r in self.runs if all(getattr(r.spec, k) == v for k, v in fields.items())]
        return sorted(out, key=lambda r: r.spec)

    def loss_curves(self, by: str, which: str = "train", **fields) -> dict[str, list]:
        """Loss histories grouped by one spec field, one array per seed.

        Parameters
        ----------
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
        sel = self.select(**fields)
        for value in sorted({getattr(r.spec, by) for r in sel}):
            key = f"{by} {value:g}" if isinstance(value, float) else f"{by} {value}"
            out[key] = [
                r.train.train_loss if which == "train" else r.train.val_loss
                for r in sel
                if getattr(r.spec, by) == value
            ]
        return out

    def rmsd_distributions(self, **fields) -> dict[str, np.ndarray]:
        """Test-set RMSDs (nm) of the LSTM and the static model, pooled over seeds.

        ``fields`` must select runs with one configuration (they may differ in seed only).
        """
        sel = self.select(**fields)
        if not sel:
            raise DataError(f"expected runs matching {fields}, found none")
        if len({replace(r.spec, seed=0) for r in sel}) > 1:
            raise DataError(f"expected runs of one configuration for {fields}, found several")
        return {
            "LSTM": np.concatenate([r.rmsd_lstm for r in sel]),
            "static": sel[0].rmsd_static,
        }

    def lead_sweep(self, dataset: str, target: str | None = None):
        """:func:`lead_sweep_table` at the reference history and learning rate."""
        return lead_sweep_table(
            self.frame(), dataset, self.params["history"], self.params["lr"], target=target
        )

    def lead_sweep_tables(self):
        """The lead sweep of both data sets and both output targets, one table."""
        import pandas as pd

        tables = {}
        for d in ("adk", "smd"):
            for tgt in [self.target, self.params.get("variant_target")]:
                if tgt:
                    tables[(NAMES[d], tgt)] = self.lead_sweep(d, tgt)
        cols = ["lead_fs", "lstm_A", "static_A", "ratio", "ratio_min", "ratio_max", "n_seeds"]
        return pd.concat(tables, names=["data set", "output"])[cols].round(3)

    def in_sample_table(self):
        """LSTM/static ratios on the test windows and in-sample, per lead (medians)."""
        df = self.frame()
        cols = ["dataset", "target", "lead", "seed", "ratio", "ratio_fit"]
        sweep = df[
            (df.history == self.params["history"])
            & np.isclose(df.lr, self.params["lr"])
            & (df.layout == "kirchhoff")
        ]
        return (
            sweep[cols]
            .groupby(["dataset", "target", "lead"])[["ratio", "ratio_fit"]]
            .median()
            .round(3)
            .rename(columns={"ratio": "LSTM/static, test", "ratio_fit": "LSTM/static, in-sample"})
        )

    def learning_rates(self):
        """:func:`classify_learning_rates` of the paper-target runs (on :attr:`lr_inputs`)."""
        df = self.frame(self.lr_inputs)
        return classify_learning_rates(
            df[df.target == self.target], self.params["history"], self.params["lead"]
        )

    def learning_rate_table(self):
        """The learning-rate runs with their verdicts (the table under Fig. 7)."""
        cols = [
            "dataset",
            "lr",
            "seed",
            "diverged",
            "max_jump",
            "final_train_loss",
            "final_val_loss",
            "verdict",
        ]
        return self.learning_rates()[cols].round(4)

    def layout_table(self):
        """Median RMSDs, parameters and throughput of the two layouts at the reference run."""
        df = self.frame()
        p = self.params
        sel = df[
            (df.history == p["history"])
            & (df.lead == p["lead"])
            & np.isclose(df.lr, p["lr"])
            & (df.target == self.target)
        ]
        cols = ["median_lstm_A", "median_static_A", "n_params", "seq_per_s"]
        return sel.groupby(["dataset", "layout"])[cols].median().round(3)

    def table1(self):
        """Table 1 derived from the runs (:func:`recommend`)."""
        return recommend(self.frame(None), self.params)

    def throughput(self):
        """Training throughput table (:func:`throughput_table`)."""
        return throughput_table(self.frame(None))

    def throughput_rows(self, threads: int) -> list[dict]:
        """Rows for the benchmark page."""
        tp = self.throughput()
        return [
            {
                "what": f"LSTM training, {d}, {lay}, history {h}",
                "device": dev,
                "threads": threads,
                **row,
            }
            for (d, lay, h, dev), row in tp.to_dict("index").items()
        ]

    def throughput_summary(self, threads: int) -> str:
        """Median sequences/s and optimiser steps per ADK epoch, in one line."""
        df = self.frame()
        kir = df[df.layout == "kirchhoff"]
        adk_steps = int(
            np.ceil(
                df[df.dataset == "adk"].n_train_windows.max() / self.params["batch_windows"]["adk"]
            )
        )
        dev = kir.device.iat[0] if len(kir) else "?"
        return (
            f"device {dev} ({threads} CPU threads): median {kir.seq_per_s.median():,.0f} "
            f"sequences/s (Kirchhoff, all histories); optimiser steps per ADK epoch: {adk_steps}"
        )

    def training_summary(self) -> str:
        """How many runs, and the training time of each study."""
        return f"{len(self.runs)} runs; training time " + ", ".join(
            f"{k} {v:.0f} s" for k, v in self.wall_s.items()
        )

    def differences(self):
        """How this chapter's protocol differs from the paper's, as a table."""
        import pandas as pd

        return pd.DataFrame(
            differences(self.params, self.frames), columns=["item", "paper", "here"]
        ).set_index("item")


def forecast_jobs(ctx, inputs) -> list[Job]:
    """One unit of work per training run of :func:`plan`, and one for the ARIMA baseline
    (chapter 2). Runs sharing windows share them in a process (:class:`ForecastStudy`).

    Parameters
    ----------
    ctx : mdrepro.book.chapter.ChapterContext
    inputs : mdrepro.papers.gupta2020.datasets.Inputs
        Uses the ``lstm`` part of the SMD set.
    """
    p = dict(ctx.params)
    shared: dict = {}

    def study() -> ForecastStudy:
        if "study" not in shared:
            shared["study"] = ForecastStudy.from_params(
                inputs.xyz, p, inputs.frame_fs, device=ctx.device
            )
        return shared["study"]

    sizes = ForecastStudy({}, **{k: p[k] for k in _RUN_SIZES}, device=ctx.device)
    jobs = [
        Job(
            Unit(
                PAPER,
                "forecast",
                s.id,
                params={**sizes.run_params(s), "threads": STUDY_THREADS},
                data={DATA[s.dataset]: inputs.fingerprint(s.dataset)},
            ),
            lambda s=s: study().run(s),
        )
        for s in unique_runs(p)
    ]
    h0, lead = p["history"], p["lead"]
    arima = Unit(
        PAPER,
        "forecast",
        f"arima-smd-h{h0}-l{lead}",
        params={
            "order": list(p["arima_order"]),
            "fractions": list(_per(p["fractions"], "smd")),
            "max_origins": p["arima_max_origins"],
            "max_fit_frames": p["arima_max_fit_frames"],
        },
        data={DATA["smd"]: inputs.fingerprint("smd")},
    )
    jobs.append(
        Job(
            arima,
            lambda: run_arima(
                inputs.xyz["smd"],
                h0,
                lead,
                _per(p["fractions"], "smd"),
                order=tuple(p["arima_order"]),
                max_origins=p["arima_max_origins"],
                max_fit_frames=p["arima_max_fit_frames"],
            ),
        )
    )
    return jobs


#: The parameters of a run besides its spec (:meth:`ForecastStudy.run_params`).
_RUN_SIZES = ("epochs", "batch_windows", "fractions", "train_stride", "hidden", "max_fit_windows")


def control_specs(params: Mapping) -> list[RunSpec]:
    """The negative-control runs: the SMD lead-15 network of the lead study, untrained."""
    return [
        RunSpec(
            "smd",
            params["history"],
            15,
            params["lr"],
            "kirchhoff",
            s,
            params.get("target", "position"),
            params.get("inputs", "standard"),
        )
        for s in params["seeds"]
    ]


def control_jobs(ctx, inputs) -> list[Job]:
    """One unit per seed of :func:`control_specs` (untrained: scored only)."""
    p = dict(ctx.params)
    shared: dict = {}

    def study() -> ForecastStudy:
        if "study" not in shared:
            shared["study"] = ForecastStudy.from_params(
                inputs.xyz, p, inputs.frame_fs, device=ctx.device
            )
        return shared["study"]

    sizes = ForecastStudy({}, **{k: p[k] for k in _RUN_SIZES}, device=ctx.device)
    return [
        Job(
            Unit(
                PAPER,
                "control",
                f"untrained-{s.id}",
                params={**sizes.run_params(s), "threads": STUDY_THREADS},
                data={DATA[s.dataset]: inputs.fingerprint(s.dataset)},
            ),
            lambda s=s: study().untrained(s),
        )
        for s in control_specs(p)
    ]


# ------------------------------------------------------------------ chapter 2: diagnosis
@dataclass(frozen=True)
class Hypothesis:
    """One change to the pooled-standardisation position runs, tested on its own.

    Attributes
    ----------
    key : str
        Short name (unit ids, tables).
    question : str
        What the variant tests.
    inputs : str
        :data:`INPUTS` of its runs.
    epochs_factor : int
        Multiple of the profile's epochs.
    precision, init : str
        See :class:`ForecastStudy`.
    """

    key: str
    question: str
    inputs: str = "standard"
    epochs_factor: int = 1
    precision: str = "float32"
    init: str = "torch"


#: The hypotheses of the diagnosis, each a change of one thing from ``pooled`` (the chapter's
#: inputs before the diagnosis). An exploratory look at
#: seed 0 came first (verdict log, "7 December 2026 (evening)"). ``atom`` and ``angstrom`` are
#: the chapter's own runs.
HYPOTHESES = (
    Hypothesis("pooled", "reference: standardised per coordinate, pooled over particles"),
    Hypothesis("float64", "precision: the same in float64", precision="float64"),
    Hypothesis("steps-x10", "optimiser steps: 10x the epochs", epochs_factor=10),
    Hypothesis(
        "authors-init",
        "initialisation: the authors' (forget bias 1, N(0,1) read-out)",
        init="authors",
    ),
    Hypothesis(
        "centred", "dynamic range: centred per particle, the same pooled scale", inputs="centred"
    ),
    Hypothesis("atom", "centred and scaled per particle (the chapter's inputs)", inputs="atom"),
    Hypothesis("angstrom", "the authors' script: raw coordinates in Å", inputs="angstrom"),
)


def _diagnosis_runs(params: Mapping) -> list[tuple[Hypothesis, RunSpec, bool]]:
    """Every run of the diagnosis: each hypothesis of :data:`HYPOTHESES` at the reference
    history, lead and learning rate, on both data sets and every seed, Kirchhoff layout,
    position target; the flag says whether it is a run of the chapter's own studies (same
    spec, trained the same way), read from there.
    """
    h0, l0, lr0 = params["history"], params["lead"], params["lr"]
    own = {s for v in plan(params).values() for s in v}
    out = []
    for hyp in HYPOTHESES:
        as_chapter = (hyp.epochs_factor, hyp.precision, hyp.init) == (1, "float32", "torch")
        for d in ("adk", "smd"):
            for seed in params["seeds"]:
                spec = RunSpec(d, h0, l0, lr0, "kirchhoff", seed, "position", hyp.inputs)
                out.append((hyp, spec, as_chapter and spec in own))
    return out


def diagnosis_specs(params: Mapping) -> list[tuple[Hypothesis, RunSpec]]:
    """The runs of the diagnosis that are not runs of the chapter's studies
    (:func:`_diagnosis_runs`): its own units of work.
    """
    return [(h, s) for h, s, shared in _diagnosis_runs(params) if not shared]


def diagnosis_jobs(ctx, inputs) -> list[Job]:
    """One unit per run of :func:`diagnosis_specs` (study ``diagnosis``)."""
    p = dict(ctx.params)
    studies: dict = {}

    def study(hyp: Hypothesis) -> ForecastStudy:
        key = (hyp.epochs_factor, hyp.precision, hyp.init)
        if key not in studies:
            epochs = {d: int(_per(p["epochs"], d)) * hyp.epochs_factor for d in ("adk", "smd")}
            st = ForecastStudy.from_params(inputs.xyz, p, inputs.frame_fs, device=ctx.device)
            studies[key] = replace(st, epochs=epochs, precision=hyp.precision, init=hyp.init)
        return studies[key]

    jobs = []
    for hyp, spec in diagnosis_specs(p):
        sizes = {k: p[k] for k in _RUN_SIZES}
        sizes["epochs"] = {
            d: int(_per(p["epochs"], d)) * hyp.epochs_factor for d in ("adk", "smd")
        }
        probe = ForecastStudy(
            {}, **sizes, device=ctx.device, precision=hyp.precision, init=hyp.init
        )
        jobs.append(
            Job(
                Unit(
                    PAPER,
                    "diagnosis",
                    f"{hyp.key}-{spec.id}",
                    params={**probe.run_params(spec), "threads": STUDY_THREADS},
                    data={DATA[spec.dataset]: inputs.fingerprint(spec.dataset)},
                ),
                lambda hyp=hyp, spec=spec: study(hyp).run(spec),
            )
        )
    return jobs


@dataclass
class Diagnosis:
    """The diagnosis of position fits: one row per hypothesis, data set and seed.

    Attributes
    ----------
    rows : list of dict
        ``hypothesis``, ``question``, ``dataset``, ``seed``, ``ratio_fit`` (in-sample LSTM /
        static median RMSD), ``ratio`` (test split), ``final_train_loss`` (in the run's own
        input units), ``steps``, ``train_time_s``.
    """

    rows: list

    def frame(self):
        """The rows as a DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.rows)

    def table(self):
        """Per hypothesis and data set: median in-sample and test ratios over the seeds, and
        how many seeds beat the static model in-sample (the fit check's baseline test).
        """
        df = self.frame()
        order = {h.key: i for i, h in enumerate(HYPOTHESES)}
        g = df.groupby(["dataset", "hypothesis"], sort=False)
        out = g.agg(
            question=("question", "first"),
            in_sample=("ratio_fit", "median"),
            test=("ratio", "median"),
            beat_in_sample=("ratio_fit", lambda v: f"{int((v < 1).sum())}/{len(v)}"),
            steps=("steps", "median"),
        ).reset_index()
        out["_o"] = out.hypothesis.map(order)
        out = out.sort_values(["dataset", "_o"]).drop(columns="_o")
        out = out.rename(
            columns={
                "in_sample": "LSTM/static in-sample",
                "test": "LSTM/static test",
                "beat_in_sample": "seeds < 1 in-sample",
            }
        )
        return out.set_index(["dataset", "hypothesis"]).round(3)

    def ratio(self, dataset: str, hypothesis: str, which: str = "ratio_fit") -> np.ndarray:
        """Per-seed ratios of one hypothesis (seed order)."""
        df = self.frame()
        sel = df[(df.dataset == dataset) & (df.hypothesis == hypothesis)].sort_values("seed")
        return sel[which].to_numpy(dtype=np.float64)


def _diagnosis_row(hyp: Hypothesis, r: RunResult) -> dict:
    return {
        "hypothesis": hyp.key,
        "question": hyp.question,
        "dataset": r.spec.dataset,
        "seed": int(r.spec.seed),
        "ratio_fit": float(r.ratio_fit),
        "ratio": float(r.ratio),
        "final_train_loss": float(r.train.final_train_loss),
        "steps": int(r.train.steps),
        "train_time_s": float(r.train.train_time_s),
    }


def diagnosis(ctx, inputs, res: ForecastResults, progress: bool = True) -> Diagnosis:
    """Why position LSTMs lose to persistence: every hypothesis of :data:`HYPOTHESES`, its
    own runs (:func:`diagnosis_jobs`) and the chapter's runs it shares (``atom``, and the
    learning-rate study's raw-Å runs for ``angstrom``).
    """
    p = dict(ctx.params)
    jobs = diagnosis_jobs(ctx, inputs)
    out = run_jobs(jobs, store(), progress=progress, desc="diagnosis")
    own = {r.spec: r for r in res.runs}
    rows = [
        _diagnosis_row(h, own[s] if shared else out[f"{h.key}-{s.id}"])
        for h, s, shared in _diagnosis_runs(p)
    ]
    return Diagnosis(rows)


def controls(ctx, inputs, progress: bool = True) -> list[dict]:
    """The negative-control results (:func:`control_jobs`), from the cache or computed."""
    out = run_jobs(control_jobs(ctx, inputs), store(), progress=progress, desc="controls")
    return list(out.values())


def forecast(ctx, inputs, progress: bool = True) -> ForecastResults:
    """Chapter 2's results: every run of :func:`plan` and the ARIMA baseline, each a unit of
    work loaded from the results cache or computed (see :func:`forecast_jobs`).

    Parameters
    ----------
    ctx : mdrepro.book.chapter.ChapterContext
    inputs : mdrepro.papers.gupta2020.datasets.Inputs
    progress : bool
        A progress bar over the runs to compute.
    """
    p = dict(ctx.params)
    jobs = forecast_jobs(ctx, inputs)
    out = run_jobs(jobs, store(), progress=progress, desc="runs")
    specs = unique_runs(p)
    results = {s: out[s.id] for s in specs}
    wall = {
        name: float(sum(results[s].train.wall_s for s in set(v))) for name, v in plan(p).items()
    }
    return ForecastResults(
        runs=[results[s] for s in specs],
        arima=out[jobs[-1].unit.id],
        params=p,
        frames={k: [len(x) for x in v] for k, v in inputs.xyz.items()},
        wall_s=wall,
    )


def chapter_jobs(ctx) -> list[Job]:
    """Every unit of work of a chapter on its built-in data (what the workflow runs)."""
    from mdrepro.papers.gupta2020 import datasets

    if ctx.chapter.id == "ch01":
        return characterise_jobs(ctx, datasets.load(ctx))
    inputs = datasets.load(ctx, smd_part="lstm")
    return forecast_jobs(ctx, inputs) + control_jobs(ctx, inputs) + diagnosis_jobs(ctx, inputs)


# ------------------------------------------------------------------------ tables from runs
def lead_sweep_table(df, dataset: str, history: int, lr: float, target: str | None = None):
    """Per lead: median (over seeds) of the median test RMSDs and of the LSTM/static ratio.

    Runs of the Kirchhoff layout with the given history and learning rate (and ``target``,
    when given).

    Returns
    -------
    pandas.DataFrame
        Index ``lead``; columns ``lead_fs``, ``lstm_A``, ``lstm_A_min``, ``lstm_A_max``,
        ``static_A``, ``ratio``, ``ratio_min``, ``ratio_max``, ``n_seeds``.
    """
    import pandas as pd

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


def classify_learning_rates(df, history: int, lead: int):
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


def throughput_table(df):
    """Training throughput (sequences per second) by data set, layout and history."""
    import pandas as pd

    g = df.groupby(["dataset", "layout", "history", "device"])
    return pd.DataFrame(
        {
            "runs": g.size(),
            "median seq/s": g.seq_per_s.median().round(0),
            "median train time (s)": g.train_time_s.median().round(2),
            "steps per run": g.steps.median(),
        }
    )


def split_inputs(df, params: Mapping):
    """``(main-input runs, learning-rate-study runs)`` of a runs table: every study runs on
    ``params["inputs"]`` but the study of learning rates, on ``params["lr_inputs"]`` (tables
    without an ``inputs`` column are all on the main inputs).
    """
    if "inputs" not in df.columns:
        return df, df
    main = params.get("inputs", "standard")
    return df[df.inputs == main], df[df.inputs == params.get("lr_inputs", "standard")]


def recommend(df, params: Mapping):
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
    import pandas as pd

    from mdrepro.papers.gupta2020.params import PAPER_TABLE1

    h0, l0, lr0 = params["history"], params["lead"], params["lr"]
    df = df[df.target == params.get("target", "position")]
    df, df_lr = split_inputs(df, params)
    rows: dict[str, dict] = {
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
        lrs = classify_learning_rates(df_lr[df_lr.dataset == d], h0, l0)
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
    table.insert(0, "paper", [PAPER_TABLE1[k] for k in table.index])
    table["rule"] = [
        "smallest lead from which median LSTM/static RMSD ratio < 1 at all longer leads",
        f"lowest median validation loss at lead {l0}",
        "stable lr with the lowest median validation loss",
        "-",
    ]
    table.index.name = "hyper-parameter"
    return table


def _fmt_per(value) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{NAMES.get(k, k)}: {_fmt_per(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "/".join(f"{v:g}" for v in value)
    return str(value)


def differences(
    params: Mapping, frames: Mapping[str, Sequence[int]]
) -> list[tuple[str, str, str]]:
    """(item, paper, here) rows of how chapter 2's protocol differs from the paper's.

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
            "coordinates standardised with training-frame statistics (history, lead and "
            "layout studies); raw Å in the learning-rate study, as the paper"
            if params.get("lr_inputs") == "angstrom"
            else "coordinates standardised with training-frame statistics",
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
