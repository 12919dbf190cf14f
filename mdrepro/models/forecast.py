"""The LSTM forecaster of Gupta, Cava et al. (2020), Sect. 5.2.

One LSTM layer (32 units in the paper) reads a window of ``h`` input vectors; a linear layer
maps its last hidden state to the forecast. Trained with the mean squared error and Adam
(:func:`mdrepro.training.train`).

* Kirchhoff decomposition: input and output width ``d = 3`` (one particle's x, y, z); one model
  is shared by all particles, whose windows are stacked in the batch dimension.
* Whole structure: ``d = 3 N``, one window per frame.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from mdrepro.errors import DataError

__all__ = ["LSTMForecaster", "count_parameters", "predict_rows", "forecast_frames"]


class LSTMForecaster(nn.Module):
    """LSTM followed by a linear read-out of the last hidden state.

    Parameters
    ----------
    n_features : int
        Width ``d`` of each input vector and of the output (3 for the Kirchhoff layout,
        ``3 N`` for the whole structure).
    hidden : int
        LSTM units (the paper: 32).
    n_layers : int
        Stacked LSTM layers (the paper: 1).

    Notes
    -----
    ``forward`` maps ``(B, h, d)`` to ``(B, d)``: the linear head's activation is the identity,
    as in the paper ("the output layer used linear activation"), so outputs are unbounded.
    """

    def __init__(self, n_features: int = 3, hidden: int = 32, n_layers: int = 1):
        super().__init__()
        if n_features < 1 or hidden < 1 or n_layers < 1:
            raise DataError(
                f"expected n_features, hidden and n_layers >= 1, found {n_features}, {hidden}, "
                f"{n_layers}"
            )
        self.n_features = int(n_features)
        self.hidden = int(hidden)
        self.lstm = nn.LSTM(n_features, hidden, num_layers=n_layers, batch_first=True)
        self.head = nn.Linear(hidden, n_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Forecast from a batch of windows.

        Parameters
        ----------
        x : torch.Tensor, shape (B, h, d)
            Input windows, oldest frame first.

        Returns
        -------
        torch.Tensor, shape (B, d)
        """
        if x.ndim != 3 or x.shape[-1] != self.n_features:
            raise DataError(
                f"expected input of shape (B, h, {self.n_features}), found {tuple(x.shape)}"
            )
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


def count_parameters(model: nn.Module) -> int:
    """Trainable parameters of ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


@torch.no_grad()
def predict_rows(model: nn.Module, data, batch_windows: int = 1024) -> torch.Tensor:
    """Model outputs for every window of ``data`` (in order), in batches, on the host.

    Parameters
    ----------
    model : torch.nn.Module
        Maps ``(rows, h, d)`` to ``(rows, d)``; moved to ``data``'s device.
    data : mdrepro.models.windows.WindowData
        The windows.
    batch_windows : int
        Windows per forward pass.

    Returns
    -------
    torch.Tensor, shape (len(data) * rows_per_window, d)
        Outputs in standardised units, float32, on the CPU.
    """
    model = model.to(data.device)
    was_training = model.training
    model.eval()
    idx = data.all_indices()
    outs = [
        model(data.batch(idx[s : s + batch_windows])[0]).cpu()
        for s in range(0, len(data), batch_windows)
    ]
    model.train(was_training)
    if not outs:
        return torch.zeros(0, data.n_features)
    return torch.cat(outs)


def forecast_frames(model: nn.Module, data, batch_windows: int = 1024) -> np.ndarray:
    """Forecast frames ``x[t + lead]`` for every window of ``data``, in nm.

    Returns
    -------
    numpy.ndarray, shape (len(data), N, 3)
        Forecast positions, nm (float64).
    """
    return data.to_frames_nm(predict_rows(model, data, batch_windows))
