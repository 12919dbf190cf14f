"""One call to seed every random number generator a chapter uses."""

from __future__ import annotations

import os
import random

import numpy as np


def seed_everything(seed: int, deterministic: bool = True) -> np.random.Generator:
    """Seed Python, NumPy and torch; make torch deterministic on the CPU.

    Parameters
    ----------
    seed : int
    deterministic : bool
        Ask torch for deterministic algorithms (``warn_only`` so that GPU kernels without a
        deterministic version still run).

    Returns
    -------
    numpy.random.Generator
        A generator seeded with ``seed`` for code that takes one.
    """
    random.seed(seed)
    np.random.seed(seed % 2**32)  # noqa: NPY002 - legacy global state used by some libraries
    os.environ.setdefault("PYTHONHASHSEED", str(seed))
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a dependency
        return np.random.default_rng(seed)
    torch.manual_seed(seed)
    if deterministic:
        torch.use_deterministic_algorithms(True, warn_only=True)
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    return np.random.default_rng(seed)
