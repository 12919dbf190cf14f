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


def cpu_model() -> tuple[str, str]:
    """The CPU's model name and a hash of its instruction-set flags (``/proc/cpuinfo``).

    Results on the CPU can depend on the instruction set (vector widths, FMA); two machines
    with the same flags run the same code paths.
    """
    import hashlib

    model, flags = platform.processor() or platform.machine(), ""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return model, "-"
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name" and value.strip():
            model = value.strip()
        elif key.strip() == "flags" and not flags:
            flags = " ".join(sorted(value.split()))
    return model, hashlib.sha256(flags.encode()).hexdigest()[:12] if flags else "-"


def lock_hash(path: str | Path | None = None) -> str:
    """sha256 (16 hex) of the environment's lock file, ``requirements.lock`` (``-`` if absent)."""
    import hashlib

    f = Path(path) if path else Path(__file__).resolve().parents[1] / "requirements.lock"
    try:
        return hashlib.sha256(f.read_bytes()).hexdigest()[:16]
    except OSError:
        return "-"


def hardware(device: str = "cpu") -> dict[str, str]:
    """CPU model, instruction-set flags hash, core count and, for CUDA runs, the GPU name."""
    model, flags = cpu_model()
    info = {
        "platform": platform.platform(),
        "cpu": model,
        "cpu flags (sha256)": flags,
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
            "environment lock (sha256)": lock_hash(),
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
