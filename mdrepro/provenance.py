"""Provenance of an executed chapter: versions, commit, profile, device, seed, wall time."""

from __future__ import annotations

import importlib.metadata as im
import os
import platform
import subprocess
import time
from pathlib import Path

PACKAGES = (
    "mdrepro",
    "numpy",
    "scipy",
    "torch",
    "openmm",
    "mdtraj",
    "matplotlib",
    "nglview",
    "papermill",
    "deeptime",
    "statsmodels",
)


def git_commit(path: str | Path | None = None) -> str:
    """Short commit hash of the checkout (with ``-dirty`` if it has changes), or ``unknown``."""
    cwd = Path(path) if path else Path(__file__).resolve().parents[1]
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        return rev + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def versions(packages=PACKAGES) -> dict[str, str]:
    """Installed versions of ``packages`` (``-`` where absent)."""
    out = {"python": platform.python_version()}
    for p in packages:
        try:
            out[p] = im.version(p)
        except im.PackageNotFoundError:
            out[p] = "-"
    return out


def hardware(device: str = "cpu") -> dict[str, str]:
    """CPU, core count and, for CUDA runs, the GPU name."""
    info = {
        "platform": platform.platform(),
        "cpu": platform.processor() or platform.machine(),
        "cores": str(os.cpu_count()),
        "device": device,
    }
    if device == "cuda":
        try:
            import torch

            info["gpu"] = torch.cuda.get_device_name(0)
        except Exception:  # pragma: no cover - GPU only
            info["gpu"] = "?"
    return info


class Provenance:
    """Start a clock at the top of a chapter; :meth:`report` at its end.

    Parameters
    ----------
    chapter : str
    profile : str
    device : str
    seed : int
    """

    def __init__(self, chapter: str, profile: str, device: str, seed: int):
        self.chapter, self.profile, self.device, self.seed = chapter, profile, device, seed
        self.started = time.time()
        self._t0 = time.perf_counter()

    def collect(self) -> dict:
        """All provenance as a flat-ish dict."""
        return {
            "chapter": self.chapter,
            "profile": self.profile,
            "device": self.device,
            "seed": self.seed,
            "git_commit": git_commit(),
            "started": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.started)),
            "wall_time_s": round(time.perf_counter() - self._t0, 1),
            "versions": versions(),
            "hardware": hardware(self.device),
        }

    def report(self, data: dict | None = None):
        """A pandas DataFrame of the provenance (rendered as a table in the book).

        Parameters
        ----------
        data : dict, optional
            Data-set name -> fingerprint of the inputs the chapter used.
        """
        import pandas as pd

        doc = self.collect()
        rows = [(k, str(v)) for k, v in doc.items() if not isinstance(v, dict)]
        rows += [(f"data: {k}", v) for k, v in sorted((data or {}).items())]
        rows += [(f"version: {k}", v) for k, v in doc["versions"].items()]
        rows += [(k, v) for k, v in doc["hardware"].items()]
        return pd.DataFrame(rows, columns=["item", "value"]).set_index("item")
