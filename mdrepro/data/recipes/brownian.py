"""Recipe of the four-well Brownian dynamics trajectory (deeptime)."""

from __future__ import annotations

from typing import Any

import numpy as np

from mdrepro.data.cache import CacheEntry
from mdrepro.data.recipes.common import package_version, save_npy


def build_fourwell_bd(
    params: dict[str, Any],
    ent: CacheEntry,
    progress: bool = True,
    platform_name: str | None = None,
) -> dict[str, Any]:
    """Overdamped Brownian dynamics on the four-well potential (deeptime's C++ integrator).

    Writes ``x.npy``: ``(n_frames,)`` float64 positions every ``save_every`` steps of size
    ``h`` (dimensionless units, ``kT = 1``, unit diffusivity), prefactor ``a`` (see
    :func:`mdrepro.simulate.fourwell.simulate`).
    """
    from mdrepro.simulate import fourwell

    out = ent.partial / "x.npy"
    if not out.is_file():
        x = fourwell.simulate(
            params["a"], params["n_steps"], params["h"], params["save_every"], params["seed"]
        )
        save_npy(out, x)
    x = np.load(out)
    return {
        "engine": "deeptime prinz_potential (C++ Euler-Maruyama)",
        "engine_version": package_version("deeptime"),
        "a": params["a"],
        "steps": params["n_steps"],
        "frames": int(len(x)),
        "seed": params["seed"],
        "parts": {"x": {"array": "x.npy", "frame_interval": params["h"] * params["save_every"]}},
    }
