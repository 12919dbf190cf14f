"""One seeded, device-aware training loop for the book's regression models.

The loop trains with Adam on the mean squared error in large batches, records the training and
validation loss per epoch, measures throughput, and stops (never crashes) when the loss becomes
NaN or infinite. On the CPU, a fixed ``seed`` (model initialisation by the caller under
:func:`torch.manual_seed`, shuffling by :func:`train`) gives identical numbers run after run.

Data
----
Training and validation data are any objects with ``len(data)`` (number of *items*, e.g.
windows), ``data.batch(idx) -> (x, y)`` for a tensor of item indices (tensors on the training
device), and ``data.device``. :class:`mdrepro.models.WindowData` is one (an item is a window,
which yields ``N`` rows in the Kirchhoff layout); :class:`TensorPairs` wraps plain tensors.
"""

from __future__ import annotations

import copy
import math
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from mdrepro.errors import DataError
from mdrepro.results import timing

__all__ = ["TensorPairs", "TrainResult", "evaluate", "flush_denormals", "train"]


_FLUSH_DEPTH = 0


@contextmanager
def flush_denormals(enabled: bool = True):
    """Treat denormal floats as zero on the CPU inside the block (restored to off after).

    Saturated LSTM gates (after a too-large learning rate) produce denormal numbers, which
    make CPU arithmetic many times slower; flushing them to zero changes losses by less than
    1e-38 and speeds such runs up about fivefold. Off is torch's default, restored when the
    outermost block exits (blocks nest).
    """
    global _FLUSH_DEPTH
    if not enabled:
        yield
        return
    if _FLUSH_DEPTH == 0:
        torch.set_flush_denormal(True)
    _FLUSH_DEPTH += 1
    try:
        yield
    finally:
        _FLUSH_DEPTH -= 1
        if _FLUSH_DEPTH == 0:
            torch.set_flush_denormal(False)


@dataclass
class TensorPairs:
    """Inputs and targets as two tensors with a common first dimension (the items).

    Parameters
    ----------
    x, y : torch.Tensor or numpy.ndarray
        ``(n, ...)`` inputs and ``(n, ...)`` targets; stored as float32 on ``device``.
    device : str or torch.device
    """

    x: torch.Tensor
    y: torch.Tensor
    device: torch.device = field(default=torch.device("cpu"))

    def __post_init__(self):
        self.device = torch.device(self.device)
        self.x = torch.as_tensor(self.x, dtype=torch.float32).to(self.device)
        self.y = torch.as_tensor(self.y, dtype=torch.float32).to(self.device)
        if self.x.shape[0] != self.y.shape[0]:
            raise DataError(
                f"expected as many inputs as targets, found {self.x.shape[0]} and "
                f"{self.y.shape[0]}"
            )

    def __len__(self) -> int:
        return int(self.x.shape[0])

    def batch(self, idx: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Items ``idx`` as ``(x, y)``."""
        idx = idx.to(self.device)
        return self.x[idx], self.y[idx]


@dataclass
class TrainResult:
    """What a training run did: the one training-history type of the book.

    :func:`train` fills every field; the specialised fits (the VAE and latent LSTM of
    :mod:`mdrepro.models.vae`, the SRV, MDN and cWGAN of :mod:`mdrepro.models.lss`) fill the
    losses, ``components``, ``best_epoch``, ``epochs`` and ``wall_s``, and record no epoch 0
    (``first_epoch = 1``).

    Attributes
    ----------
    train_loss : numpy.ndarray, shape (n_entries,)
        With ``first_epoch = 0`` (:func:`train`), entry 0 is the loss of the untrained model on
        the whole training set and entry ``e`` the mean training loss over the batches of epoch
        ``e``; with ``first_epoch = 1`` entry ``i`` belongs to epoch ``i + 1``. NaN from the
        epoch where a run diverged.
    val_loss : numpy.ndarray, shape (n_entries,)
        Validation loss on the same epochs (NaN when there is no validation data or after
        divergence; a cWGAN stores its generator loss here).
    diverged : bool
        A loss became NaN or infinite; training stopped there.
    diverged_epoch : int or None
        The epoch (1-based) in which it happened.
    stopped_early : bool
        Early stopping ended the run before ``epochs``.
    best_epoch : int or None
        With ``restore_best``: the epoch (0 = untrained) whose weights the model holds at the
        end, the one with the lowest validation loss.
    epochs : int
        Epochs completed.
    steps : int
        Optimizer steps taken.
    sequences : int
        Model rows (sequences) processed by training steps.
    train_time_s : float
        Wall time of the training steps (evaluation excluded), s.
    wall_s : float
        Wall time of the whole call, s.
    device : str
    components : dict of str to numpy.ndarray
        Per-epoch means of the parts of a composite loss (e.g. ``"recon"``, ``"kl"``,
        ``"bonds"`` of the VAE), each of shape (n_entries,).
    first_epoch : int
        Epoch number of entry 0 (0: the untrained model; 1: the first epoch).
    """

    train_loss: np.ndarray = field(default_factory=lambda: np.zeros(0))
    val_loss: np.ndarray = field(default_factory=lambda: np.zeros(0))
    diverged: bool = False
    diverged_epoch: int | None = None
    stopped_early: bool = False
    best_epoch: int | None = None
    epochs: int = 0
    steps: int = 0
    sequences: int = 0
    train_time_s: float = timing(default=0.0)
    wall_s: float = timing(default=0.0)
    device: str = "cpu"
    components: dict = field(default_factory=dict)
    first_epoch: int = 0

    @classmethod
    def from_epochs(
        cls,
        train_loss,
        val_loss=None,
        components: dict | None = None,
        **fields,
    ) -> TrainResult:
        """A history recorded from epoch 1 on (no untrained-model entry).

        Parameters
        ----------
        train_loss : sequence of float
            One value per epoch.
        val_loss : sequence of float, optional
            One value per epoch (NaN if absent).
        components : dict of str to sequence of float, optional
        **fields
            ``best_epoch``, ``epochs``, ``wall_s``, ... as in the class.
        """
        tl = np.asarray(train_loss, dtype=np.float64)
        vl = np.full(tl.shape, np.nan) if val_loss is None else np.asarray(val_loss, np.float64)
        comps = {k: np.asarray(v, dtype=np.float64) for k, v in (components or {}).items()}
        fields.setdefault("epochs", int(tl.size))
        return cls(tl, vl, components=comps, first_epoch=1, **fields)

    def epoch_numbers(self) -> np.ndarray:
        """The epoch of every entry of the loss histories."""
        return np.arange(len(self.train_loss)) + self.first_epoch

    @property
    def sequences_per_s(self) -> float:
        """Training throughput: sequences (rows) per second of training steps."""
        return self.sequences / self.train_time_s if self.train_time_s > 0 else float("nan")

    @property
    def final_train_loss(self) -> float:
        """Training loss of the last epoch (NaN if diverged)."""
        return float(self.train_loss[-1])

    @property
    def final_val_loss(self) -> float:
        """Validation loss after the last epoch (NaN if diverged or none)."""
        return float(self.val_loss[-1])


def _sync(device: torch.device) -> None:
    if device.type == "cuda":  # pragma: no cover - GPU only
        torch.cuda.synchronize(device)


@torch.no_grad()
def evaluate(model: nn.Module, data, batch_size: int = 1024, loss_fn=None) -> float:
    """Mean loss of ``model`` over every item of ``data`` (no gradient, eval mode).

    Parameters
    ----------
    model : torch.nn.Module
    data : dataset (see the module docstring)
    batch_size : int
        Items per forward pass.
    loss_fn : callable, optional
        ``loss_fn(pred, y)`` returning a mean; default MSE. Batches are weighted by their
        number of target elements, so the result is the MSE over the whole set.

    Returns
    -------
    float
        The loss (NaN for empty data).
    """
    loss_fn = loss_fn or nn.functional.mse_loss
    n = len(data)
    if n == 0:
        return float("nan")
    was_training = model.training
    model.eval()
    idx = torch.arange(n)
    total, count = 0.0, 0
    for s in range(0, n, batch_size):
        x, y = data.batch(idx[s : s + batch_size])
        total += float(loss_fn(model(x), y)) * y.numel()
        count += y.numel()
    model.train(was_training)
    return total / count


def train(
    model: nn.Module,
    train_data,
    val_data=None,
    *,
    epochs: int = 20,
    lr: float = 1e-2,
    batch_size: int = 128,
    seed: int = 0,
    device: str | torch.device | None = None,
    progress: bool = True,
    desc: str | None = None,
    patience: int | None = None,
    grad_clip: float | None = None,
    eval_batch_size: int | None = None,
    flush_denormal: bool | None = None,
    restore_best: bool = False,
) -> TrainResult:
    """Train ``model`` with Adam on the mean squared error; never raises on divergence.

    Parameters
    ----------
    model : torch.nn.Module
        Initialised by the caller (seed it with :func:`torch.manual_seed` first); moved to
        ``device`` and trained in place.
    train_data, val_data : dataset
        See the module docstring; ``val_data`` may be None or empty.
    epochs : int
        Passes over the training items.
    lr : float
        Adam learning rate.
    batch_size : int
        Items per optimizer step (windows for :class:`~mdrepro.models.WindowData`: a
        Kirchhoff batch holds ``batch_size * N`` sequences). Items are reshuffled every epoch
        with a generator seeded by ``seed``; an epoch is ``ceil(len(train_data) / batch_size)``
        steps.
    seed : int
        Seed of the shuffling generator.
    device : str or torch.device, optional
        Default the device of ``train_data``.
    progress : bool
        Show a tqdm bar over the epochs (with the current losses).
    desc : str, optional
        Label of the progress bar.
    patience : int, optional
        Stop when the validation loss has not improved for this many epochs (off by default).
    grad_clip : float, optional
        Clip the gradient norm (off by default, as in the paper).
    eval_batch_size : int, optional
        Items per evaluation pass (default ``4 * batch_size``).
    flush_denormal : bool, optional
        Flush denormal floats to zero while training (:func:`flush_denormals`); default on for
        the CPU.
    restore_best : bool
        End with the weights of the epoch with the lowest validation loss (epoch 0, the
        untrained model, included), i.e. model selection on the validation split, never on
        test data. Needs ``val_data``; ignored without it.

    Returns
    -------
    TrainResult
    """
    if epochs < 1 or batch_size < 1:
        raise DataError(f"expected epochs and batch_size >= 1, found {epochs}, {batch_size}")
    if not (lr > 0 and math.isfinite(lr)):
        raise DataError(f"expected a finite learning rate > 0, found {lr}")
    n = len(train_data)
    if n == 0:
        raise DataError("expected at least one training item, found none")
    dev = torch.device(device) if device is not None else torch.device(train_data.device)
    flush = dev.type == "cpu" if flush_denormal is None else flush_denormal
    with flush_denormals(flush):
        return _train(
            model,
            train_data,
            val_data,
            dev,
            epochs,
            lr,
            batch_size,
            seed,
            progress,
            desc,
            patience,
            grad_clip,
            eval_batch_size,
            restore_best,
        )


def _train(
    model,
    train_data,
    val_data,
    dev,
    epochs,
    lr,
    batch_size,
    seed,
    progress,
    desc,
    patience,
    grad_clip,
    eval_batch_size,
    restore_best=False,
) -> TrainResult:
    """The loop of :func:`train` (arguments checked)."""
    from tqdm.auto import tqdm

    n = len(train_data)
    t_call = time.perf_counter()
    model.to(dev)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(int(seed))
    eval_bs = eval_batch_size or 4 * batch_size
    has_val = val_data is not None and len(val_data) > 0

    train_hist = [evaluate(model, train_data, eval_bs)]
    val_hist = [evaluate(model, val_data, eval_bs) if has_val else float("nan")]
    res = TrainResult(device=str(dev))
    best, since_best = math.inf, 0
    keep = restore_best and has_val
    best_state, best_val = None, math.inf
    if keep and math.isfinite(val_hist[0]):
        best_state = copy.deepcopy(model.state_dict())
        best_val, res.best_epoch = val_hist[0], 0
    bar = tqdm(range(1, epochs + 1), desc=desc or "training", disable=not progress, leave=False)
    for epoch in bar:
        perm = torch.randperm(n, generator=gen)
        total, count = 0.0, 0
        _sync(dev)
        t0 = time.perf_counter()
        bad = False
        for s in range(0, n, batch_size):
            x, y = train_data.batch(perm[s : s + batch_size])
            loss = nn.functional.mse_loss(model(x), y)
            if not torch.isfinite(loss):
                bad = True
                break
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if grad_clip is not None:
                nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
            opt.step()
            total += float(loss.detach()) * y.numel()
            count += y.numel()
            res.steps += 1
            res.sequences += int(x.shape[0])
        _sync(dev)
        res.train_time_s += time.perf_counter() - t0
        if bad or not all(torch.isfinite(p).all() for p in model.parameters()):
            res.diverged, res.diverged_epoch = True, epoch
            train_hist.append(float("nan"))
            val_hist.append(float("nan"))
            res.epochs = epoch
            break
        train_hist.append(total / count)
        v = evaluate(model, val_data, eval_bs) if has_val else float("nan")
        val_hist.append(v)
        res.epochs = epoch
        if has_val and not math.isfinite(v):
            res.diverged, res.diverged_epoch = True, epoch
            break
        bar.set_postfix(train=f"{train_hist[-1]:.3g}", val=f"{v:.3g}")
        if keep and v < best_val:
            best_state, best_val, res.best_epoch = copy.deepcopy(model.state_dict()), v, epoch
        if patience is not None and has_val:
            if v < best:
                best, since_best = v, 0
            else:
                since_best += 1
                if since_best >= patience:
                    res.stopped_early = True
                    break
    bar.close()
    if keep and best_state is not None:
        model.load_state_dict(best_state)
    res.train_loss = np.asarray(train_hist, dtype=np.float64)
    res.val_loss = np.asarray(val_hist, dtype=np.float64)
    res.wall_s = time.perf_counter() - t_call
    return res


def stack_histories(histories) -> np.ndarray:
    """Loss histories of several runs as one array, NaN-padded after a run that stopped early.

    Parameters
    ----------
    histories : sequence of array_like
        Per run, shape ``(epochs_run + 1,)`` (e.g. :attr:`TrainResult.val_loss`).

    Returns
    -------
    numpy.ndarray, shape (n_runs, max epochs_run + 1)
    """
    rows = [np.asarray(h, dtype=np.float64) for h in histories]
    if not rows:
        raise DataError("expected at least one loss history, found none")
    out = np.full((len(rows), max(len(r) for r in rows)), np.nan)
    for i, r in enumerate(rows):
        out[i, : len(r)] = r
    return out
