"""Data sets of Sidky, Chen & Ferguson (2020): the four-well potential and Trp-cage.

The four-well set is cheap in both profiles (deeptime's C++ integrator). The Trp-cage set
replaces the DESRES all-atom 208 us trajectory, which is not public, by a C-alpha Go model of
1L2Y near its folding midpoint (:mod:`mdrepro.simulate.gomodel`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mdrepro.data.registry import DatasetSpec, register
from mdrepro.profiles import derive
from mdrepro.units import NS_PER_FS, PS_PER_FS

_FOURWELL = {"a": 4.0, "n_steps": 5_000_000, "h": 1e-5, "save_every": 10, "seed": 2020}

FOURWELL = register(
    DatasetSpec(
        name="fourwell-bd",
        title="1-D four-well potential, overdamped Brownian dynamics (kT = 1), a = 4",
        recipe="build_fourwell_bd",
        version=1,
        source=(
            "Sidky, Chen & Ferguson (2020): 5 x 10^6 Brownian dynamics steps on "
            "V = a (x^8 + 0.8 e^(-80 x^2) + 0.2 e^(-80 (x-0.5)^2) + 0.5 e^(-40 (x+0.5)^2)); the "
            "text writes a = 2, the authors' code and deeptime use a = 4."
        ),
        params={"paper": _FOURWELL, "ci": dict(_FOURWELL)},
    )
)

_TRPCAGE = {
    "eps_kj": 2.5,
    "timestep_fs": 10.0,
    "frame_interval_fs": 5000.0,
    "friction_per_ps": 1.0,
    "scan_temperatures_K": [350.0, 370.0, 390.0, 410.0, 430.0],
    "q_mid": 0.5,
    "equilibration_ps": 100.0,
    "platform": "Reference",
    "scan_ps": 5000.0,
    "n_frames": 400_000,
    "seed": 2020,
    "chunk_frames": 20_000,
}
#: ci: 60 ns instead of 2 us of Go-model MD, and a shorter temperature scan.
_TRPCAGE_CI = {"scan_ps": 2000.0, "n_frames": 12_000, "chunk_frames": 2000}

TRPCAGE = register(
    DatasetSpec(
        name="trpcage-go",
        title="Trp-cage (1L2Y) C-alpha Go model, Langevin MD at its folding midpoint",
        recipe="build_trpcage_go",
        version=2,
        source=(
            "Sidky, Chen & Ferguson (2020): the DESRES 208 us all-atom Trp-cage trajectory at "
            "290 K (Lindorff-Larsen et al. 2011), frames every 200 ps; not public. Here: a "
            "Clementi-type C-alpha structure-based model of PDB 1L2Y model 1 in OpenMM."
        ),
        params={"paper": _TRPCAGE, "ci": derive(_TRPCAGE, _TRPCAGE_CI)},
    )
)


@dataclass
class FourWellData:
    """The Brownian four-well trajectory.

    Attributes
    ----------
    x : numpy.ndarray, shape (n_frames,)
        Positions.
    dt : float
        Time between frames (reduced units).
    a : float
        Prefactor of the potential.
    fingerprint : str
    """

    x: np.ndarray
    dt: float
    a: float
    fingerprint: str


def load_fourwell(ctx) -> FourWellData:
    """Build (if needed), verify and load the four-well trajectory."""
    from mdrepro import data
    from mdrepro.results import fingerprint_arrays

    path = data.build("fourwell-bd", ctx.profile, progress=False)
    meta = data.verify("fourwell-bd", ctx.profile)
    x = np.load(path / "x.npy")
    fp = meta.get("key") or fingerprint_arrays(x)
    ctx.use_data("fourwell-bd", fp)
    return FourWellData(
        x, float(meta["parts"]["x"]["frame_interval"]), float(meta["params"]["a"]), fp
    )


@dataclass
class TrpcageData:
    """Trp-cage frames and the paper's features.

    Attributes
    ----------
    set : mdrepro.data.TrajectorySet
    features : numpy.ndarray, shape (n_frames, n_features)
        Torsions (sin, cos) and C-alpha pair distances (:func:`study.featurize`).
    kinds : list of str
        What the features are.
    ca : numpy.ndarray, shape (n_frames, N, 3)
        C-alpha coordinates, nm.
    native : numpy.ndarray, shape (N, 3)
        The native structure (1L2Y model 1 for the Go model; the first frame otherwise), nm.
    dt_ns : float
        Time between frames, ns.
    user : bool
    """

    set: Any
    features: np.ndarray
    kinds: list
    ca: np.ndarray
    native: np.ndarray
    dt_ns: float
    user: bool = False

    @property
    def is_go_model(self) -> bool:
        """Whether these are the built-in Go-model frames (20 C-alpha atoms of 1L2Y)."""
        return not self.user and self.ca.shape[1] == 20

    def table(self, lag: int):
        """What the data hold, with the Go model's temperature scan and cooperativity."""
        import pandas as pd

        traj = self.set.trajectories[0]
        info: dict[str, Any] = {
            "frames": traj.n_frames,
            "frame interval (ps)": self.set.frame_interval_fs * PS_PER_FS,
            "length (ns)": traj.n_frames * self.dt_ns,
            "features": self.features.shape[1],
            "kinds": ", ".join(self.kinds),
            "lag (ns)": lag * self.dt_ns,
        }
        meta = self.set.meta
        if not self.user:
            scan = meta["temperature_scan"]
            info.update(
                {
                    "temperature (K)": meta["temperature_K"],
                    "mean Q": round(meta["mean_Q"], 3),
                    "scan <Q>(T)": dict(
                        zip(scan["temperatures_K"], np.round(scan["mean_Q"], 3), strict=True)
                    ),
                }
            )
            coop = meta.get("Q_cooperativity")
            if coop:
                info.update(
                    {
                        "Q minima (unfolded, folded)": (
                            round(coop["q_unfolded"], 3),
                            round(coop["q_folded"], 3),
                        ),
                        "barrier along Q (kT)": coop["barrier_kT"]
                        and round(coop["barrier_kT"], 2),
                        f"transitions Q <= {coop['lo']:g} / >= {coop['hi']:g}": coop[
                            "transitions"
                        ],
                    }
                )
        return pd.Series(info, name="Trp-cage data").to_frame()


def load_trpcage(ctx, files: tuple | None = None) -> TrpcageData:
    """The Go-model Trp-cage set (or a user's trajectory) with the paper's features."""
    from mdrepro import data
    from mdrepro.papers.sidky2020.study import featurize
    from mdrepro.simulate import gomodel

    files = files or (None, None, None)
    user = files[0] is not None
    ts = data.open_set(
        "trpcage-go",
        ctx.profile,
        trajectory=files[0],
        topology=files[1],
        frame_interval_fs=files[2],
        selection="all" if user else "name CA",
    )
    ctx.use_data(ts.name, ts.fingerprint())
    traj = ts.trajectories[0]
    feat, kinds = featurize(traj)
    ca = traj.xyz[:, traj.topology.select("name CA")]
    native = gomodel.native_nm() if ca.shape[1] == 20 else ca[0]
    return TrpcageData(ts, feat, kinds, ca, native, ts.frame_interval_fs * NS_PER_FS, user)
