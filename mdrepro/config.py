"""Profiles and device resolution.

A *profile* fixes the sizes of every data set and chapter: ``ci`` is the CPU-feasible scale that
CI runs on two cores, ``paper`` the documents' own protocols, meant for a CUDA GPU. Both run the
same code paths; only numbers differ. Data-set sizes live in :mod:`mdrepro.data.registry`,
chapter sizes here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from mdrepro.errors import UnknownNameError

PROFILES = ("ci", "paper")
DEVICES = ("auto", "cpu", "cuda")

#: Chapter parameters per profile. Keys are chapter ids (see :mod:`mdrepro.chapters`).
CHAPTER_PARAMS: dict[str, dict[str, dict[str, Any]]] = {
    "ch01": {
        # Static-model leads in frames: the paper's 10-1200 fs for ADK (frames every 10 fs),
        # and the same steps on the SMD characterisation set (Fig. 5).
        "ci": {"lead_steps": [1, 5, 10, 30, 60, 120], "acf_max_lag_fraction": 0.5},
        "paper": {"lead_steps": [1, 5, 10, 30, 60, 120], "acf_max_lag_fraction": 0.5},
    },
    # LSTM forecasting (Sect. 5 of the first document). Per-data-set values are keyed "adk" /
    # "smd". Windows are counted in frames (10 fs apart in both sets). ci: one seed, a few
    # hundred Adam steps per run, every 4th (ADK) / 8th (SMD) training window; the chapter runs
    # in about 4-5 minutes on 2 CPU cores. paper: the paper's sizes, 3 seeds, meant for CUDA.
    "ch02": {
        "ci": {
            "seeds": [0, 1],
            "hidden": 32,
            "epochs": {"adk": 10, "smd": 10},
            "batch_windows": {"adk": 8, "smd": 16},
            "train_stride": {"adk": 4, "smd": 8},
            "fractions": {"adk": [0.4, 0.3, 0.3], "smd": [0.7, 0.1, 0.2]},
            "histories": [1, 5, 10],
            "history_leads": [15, 120],
            "leads": [1, 5, 15, 60, 120],
            "lrs": [1.0, 0.1, 0.01, 0.001, 0.0001],
            "history": 5,
            "lead": 15,
            "lr": 0.01,
            "layouts": ["kirchhoff", "whole"],
            "lr_sets": ["smd", "adk"],
            "target": "position",
            "variant_target": "displacement",
            "max_fit_windows": 500,
            "arima_order": [2, 1, 0],
            "arima_max_fit_frames": 2000,
            "arima_max_origins": None,
        },
        "paper": {
            "seeds": [0, 1, 2],
            "hidden": 32,
            "epochs": {"adk": 100, "smd": 5},
            "batch_windows": {"adk": 1000, "smd": 2000},
            "train_stride": {"adk": 1, "smd": 1},
            "fractions": {"adk": [0.7, 0.1, 0.2], "smd": [0.7, 0.1, 0.2]},
            "histories": [1, 5, 10],
            "history_leads": [15, 120],
            "leads": [1, 5, 15, 60, 120],
            "lrs": [1.0, 0.1, 0.01, 0.001, 0.0001],
            "history": 5,
            "lead": 15,
            "lr": 0.01,
            "layouts": ["kirchhoff", "whole"],
            "lr_sets": ["smd", "adk"],
            "target": "position",
            "variant_target": "displacement",
            "max_fit_windows": 2000,
            "arima_order": [2, 1, 0],
            "arima_max_fit_frames": 20000,
            "arima_max_origins": 20000,
        },
    },
    # LSTM-VAE latent generation (third document). Architecture and epochs are the paper's in
    # both profiles; ci augments every frame with 12 random rotations per epoch (about half the
    # paper's optimiser samples from 25 times fewer frames) and generates 19 steps 10 frames
    # apart (the whole 12 -> 34 Å pull).
    "ch03": {
        "ci": {
            "seeds": [0, 1, 2],
            "n_test_replicas": 2,
            "latent": 60,
            "hidden": 100,
            "dropout": 0.05,
            "vae_epochs": 8,
            "lstm_epochs": 22,
            "lstm_hidden": 100,
            "batch_size": 64,
            "lr": 1e-3,
            "rotations_per_frame": 12,
            "seq_length": 10,
            "seq_stride": 10,
            "gen_steps": 19,
            "min_stretch_A": 3.0,
            "energy_interval": 95.0,
        },
        "paper": {
            "seeds": [0, 1, 2],
            "n_test_replicas": 5,
            "latent": 60,
            "hidden": 100,
            "dropout": 0.05,
            "vae_epochs": 8,
            "lstm_epochs": 22,
            "lstm_hidden": 100,
            "batch_size": 64,
            "lr": 1e-3,
            "rotations_per_frame": 1,
            "seq_length": 10,
            "seq_stride": 50,
            "gen_steps": 19,
            "min_stretch_A": 3.0,
            "energy_interval": 95.0,
        },
    },
    # Latent space simulators (Sidky, Chen & Ferguson 2020). Four-well: the paper's MDN (8
    # kernels, 2 x 100 ReLU, lag 100 frames) on every 2nd pair (ci) or all pairs (paper); 20
    # synthetic trajectories as long as the training one. Trp-cage (C-alpha Go model): SRV
    # (2 x 100 tanh + batch norm, Adam 0.01), latent MDN (24 kernels), cWGAN-GP (3 x 200 swish,
    # noise 50, 5 critic steps, penalty 10; RMSprop 5e-5 in paper; Adam 5e-4 in ci, which
    # converges in the few generator steps ci affords); lag in frames of the data (5 ps apart
    # in trpcage-go); 100 LSS trajectories.
    "ch04": {
        "ci": {
            "fourwell": {
                "lag": 100,
                "n_kernels": 8,
                "hidden": [100, 100],
                "lr": 2e-3,
                "lr_decay": 0.9,
                "batch_size": 512,
                "epochs": 30,
                "patience": 8,
                "pair_stride": 2,
                "n_synthetic": 20,
                "msm_bins": 100,
            },
            "lag": 2,
            "m": 3,
            "srv_outputs": 5,
            "srv_hidden": [100, 100],
            "srv_lr": 0.01,
            "srv_batch": 2000,
            "srv_epochs": 40,
            "patience": 6,
            "mdn_kernels": 24,
            "mdn_hidden": [100, 100],
            "mdn_lr": 2e-3,
            "mdn_lr_decay": 0.9,
            "mdn_batch": 512,
            "mdn_epochs": 40,
            "gan_noise": 50,
            "gan_hidden": [200, 200, 200],
            "gan_lr": 5e-4,
            "gan_batch": 128,
            "gan_epochs": 60,
            "gan_critic_steps": 5,
            "gan_penalty": 10.0,
            "gan_max_steps": None,
            "gan_optimizer": "adam",
            "n_traj": 100,
            "n_blocks": 5,
            "acf_max_steps": 10,
            "fes_bins": 40,
            "decode_stride": 20,
            "tica_dim": 3,
            "core_quantiles": [0.15, 0.85],
        },
        "paper": {
            "fourwell": {
                "lag": 100,
                "n_kernels": 8,
                "hidden": [100, 100],
                "lr": 1e-3,
                "lr_decay": 0.95,
                "batch_size": 1000,
                "epochs": 100,
                "patience": 10,
                "pair_stride": 1,
                "n_synthetic": 20,
                "msm_bins": 100,
            },
            "lag": 4,
            "m": 3,
            "srv_outputs": 5,
            "srv_hidden": [100, 100],
            "srv_lr": 0.01,
            "srv_batch": 200_000,
            "srv_epochs": 200,
            "patience": 10,
            "mdn_kernels": 24,
            "mdn_hidden": [100, 100],
            "mdn_lr": 1e-3,
            "mdn_lr_decay": 0.97,
            "mdn_batch": 1000,
            "mdn_epochs": 100,
            "gan_noise": 50,
            "gan_hidden": [200, 200, 200],
            "gan_lr": 5e-5,
            "gan_batch": 256,
            "gan_epochs": 52,
            "gan_critic_steps": 5,
            "gan_penalty": 10.0,
            "gan_max_steps": None,
            "gan_optimizer": "rmsprop",
            "n_traj": 100,
            "n_blocks": 5,
            "acf_max_steps": 10,
            "fes_bins": 50,
            "decode_stride": 50,
            "tica_dim": 3,
            "core_quantiles": [0.15, 0.85],
        },
    },
    # Bi-directional interpolation (Winkler & Sauceda 2020). Segments of 20 steps; the four
    # models on MDA 300 K, the temperature study with `temperature_model`, benzene with the
    # LSTM. ci: 2 seeds, a few epochs (the chapter incl. xTB data in about 5 min on 2 cores).
    "ch05": {
        "ci": {
            "seeds": [0, 1],
            "n_steps": 20,
            "train_fraction": 0.6,
            "train_stride": 5,
            "val_fraction": 0.2,  # trailing training frames held out to monitor convergence
            "hidden": 64,
            # Training length. A 40-epoch study (seed 0, all 7 fits) showed the validation loss
            # bottoming out at epochs 2-5 (RNN 12, benzene LSTM 16) and then rising while the
            # training loss falls: the models overfit the early part of the trajectory. So every
            # fit keeps the weights of its lowest validation loss (model selection on held-out
            # training frames, never on test data) and stops after `patience` epochs without
            # improvement; `epochs` is the cap set by the budget (<= 3 min of training on 2 CPU
            # cores for the whole chapter); the cap cuts the slowest fits (RNN, benzene LSTM).
            "epochs": 12,
            "patience": 3,
            "lr": 2e-3,
            "batch_size": 32,
            "models": ["ODE", "Hamiltonian", "RNN", "LSTM"],
            "temperature_model": "LSTM",
            "benzene_model": "LSTM",
            "fe_bins": 24,
        },
        "paper": {
            "seeds": [0, 1, 2],
            "n_steps": 20,
            "train_fraction": 0.6,
            "train_stride": 1,
            "val_fraction": 0.2,
            "hidden": 256,
            "epochs": 50,
            "patience": 8,
            "lr": 1e-3,
            "batch_size": 128,
            "models": ["ODE", "Hamiltonian", "RNN", "LSTM"],
            "temperature_model": "LSTM",
            "benzene_model": "LSTM",
            "fe_bins": 40,
        },
    },
}


@dataclass(frozen=True)
class Config:
    """A resolved run configuration.

    Attributes
    ----------
    profile : str
        ``"ci"`` or ``"paper"``.
    device : str
        ``"cpu"`` or ``"cuda"`` (never ``"auto"`` once resolved).
    threads : int
        CPU threads for OpenMM and torch on the CPU.
    """

    profile: str
    device: str
    threads: int = field(default=2)

    def chapter(self, chapter: str) -> dict[str, Any]:
        """Parameters of one chapter under this profile."""
        if chapter not in CHAPTER_PARAMS:
            raise UnknownNameError("chapter", chapter, CHAPTER_PARAMS)
        return dict(CHAPTER_PARAMS[chapter][self.profile])

    @property
    def openmm_platform(self) -> str:
        """OpenMM platform name for this device (``CUDA`` or ``CPU``)."""
        return "CUDA" if self.device == "cuda" else "CPU"


def check_profile(profile: str) -> str:
    """Return ``profile`` if it is known, else raise :class:`UnknownNameError`."""
    if profile not in PROFILES:
        raise UnknownNameError("profile", profile, PROFILES)
    return profile


def cuda_available() -> bool:
    """Whether a CUDA device is usable by torch (False if torch is absent)."""
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a dependency
        return False
    return bool(torch.cuda.is_available())


def resolve_device(device: str = "auto") -> str:
    """Resolve ``auto`` to ``cuda`` when a GPU is usable, else ``cpu``.

    Raises
    ------
    UnknownNameError
        For a name other than auto, cpu or cuda.
    mdrepro.errors.MdreproError
        When ``cuda`` is asked for and no CUDA device is usable.
    """
    if device not in DEVICES:
        raise UnknownNameError("device", device, DEVICES)
    if device == "auto":
        return "cuda" if cuda_available() else "cpu"
    if device == "cuda" and not cuda_available():
        from mdrepro.errors import MdreproError

        raise MdreproError("device 'cuda' was asked for, but torch finds no usable CUDA device")
    return device


def resolve(profile: str = "ci", device: str = "auto", threads: int | None = None) -> Config:
    """Resolve a profile and a device into a :class:`Config`.

    Parameters
    ----------
    profile : {"ci", "paper"}
    device : {"auto", "cpu", "cuda"}
    threads : int, optional
        CPU threads; default ``MDREPRO_THREADS`` or all cores.
    """
    check_profile(profile)
    if threads is None:
        threads = int(os.environ.get("MDREPRO_THREADS", os.cpu_count() or 1))
    return Config(profile=profile, device=resolve_device(device), threads=threads)
