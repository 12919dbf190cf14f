"""Profiles and device resolution.

A *profile* fixes the sizes of every data set and chapter: ``ci`` is the CPU-feasible scale that
CI runs on two cores, ``paper`` the documents' own protocols, meant for a CUDA GPU, and
``extended`` (only where a paper declares it) ci with larger sizes for claims that two cores
can decide in an hour or two. All run the same code paths; only numbers differ. The numbers
live with each paper (``mdrepro/papers/<paper>/params.py`` and ``datasets.py``), the paper's
protocol written once and ci (and extended) as overrides of it (:mod:`mdrepro.profiles`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from mdrepro.errors import UnknownNameError
from mdrepro.profiles import PROFILES

__all__ = ["DEVICES", "PROFILES", "Config", "check_profile", "resolve", "resolve_device"]

DEVICES = ("auto", "cpu", "cuda")


@dataclass(frozen=True)
class Config:
    """A resolved run configuration.

    Attributes
    ----------
    profile : str
        ``"ci"``, ``"extended"`` or ``"paper"``.
    device : str
        ``"cpu"`` or ``"cuda"`` (never ``"auto"`` once resolved).
    threads : int
        CPU threads for OpenMM and torch on the CPU.
    """

    profile: str
    device: str
    threads: int = field(default=2)

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
    profile : {"ci", "extended", "paper"}
    device : {"auto", "cpu", "cuda"}
    threads : int, optional
        CPU threads; default ``MDREPRO_THREADS`` or all cores.
    """
    check_profile(profile)
    if threads is None:
        threads = int(os.environ.get("MDREPRO_THREADS", os.cpu_count() or 1))
    return Config(profile=profile, device=resolve_device(device), threads=threads)
