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
        version=3,  # 3: DCD headers without a time stamp
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


def fourwell_fingerprint(profile: str) -> str:
    """Identity of the four-well data (its cache key), known before they are built."""
    from mdrepro import data

    return data.entry(FOURWELL.name, profile).key


def load_fourwell(ctx) -> FourWellData:
    """Build (if needed), verify and load the four-well trajectory."""
    from mdrepro import data

    path = data.build(FOURWELL.name, ctx.profile, progress=False)
    meta = data.verify(FOURWELL.name, ctx.profile)
    x = np.load(path / "x.npy")
    ctx.use_data(FOURWELL.name, meta["key"])
    return FourWellData(
        x, float(meta["parts"]["x"]["frame_interval"]), float(meta["params"]["a"]), meta["key"]
    )


class TrpcageData:
    """Trp-cage frames and the paper's features, loaded on first use.

    Parameters
    ----------
    ctx : mdrepro.book.chapter.ChapterContext
    files : tuple (trajectory, topology, frame_fs), optional
        A user's trajectory instead of the Go model (any protein; all-atom files get the
        paper's backbone and chi1 torsions).

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

    def __init__(self, ctx, files: tuple | None = None):
        self.ctx = ctx
        self.files = tuple(files or (None, None, None))
        self.user = self.files[0] is not None
        self.selection = "all" if self.user else "name CA"
        self._cache: dict = {}
        if not self.user:
            ctx.use_data(TRPCAGE.name, self.fingerprint)

    def _loaded(self) -> dict:
        from mdrepro import data
        from mdrepro.papers.sidky2020.study import featurize
        from mdrepro.simulate import gomodel

        if not self._cache:
            ts = data.open_set(
                TRPCAGE.name,
                self.ctx.profile,
                trajectory=self.files[0],
                topology=self.files[1],
                frame_interval_fs=self.files[2],
                selection=self.selection,
            )
            self.ctx.use_data(ts.name, ts.fingerprint())
            traj = ts.trajectories[0]
            feat, kinds = featurize(traj)
            ca = traj.xyz[:, traj.topology.select("name CA")]
            native = gomodel.native_nm() if ca.shape[1] == 20 else ca[0]
            self._cache.update(
                set=ts,
                features=feat,
                kinds=kinds,
                ca=ca,
                native=native,
                dt_ns=ts.frame_interval_fs * NS_PER_FS,
            )
        return self._cache

    set = property(lambda self: self._loaded()["set"], doc="The loaded trajectory set.")
    features = property(lambda self: self._loaded()["features"], doc="The paper's features.")
    kinds = property(lambda self: self._loaded()["kinds"], doc="What the features are.")
    ca = property(lambda self: self._loaded()["ca"], doc="C-alpha coordinates, nm.")
    native = property(lambda self: self._loaded()["native"], doc="Native structure, nm.")
    dt_ns = property(lambda self: self._loaded()["dt_ns"], doc="Time between frames, ns.")

    @property
    def fingerprint(self) -> str:
        """Identity of the input frames (the Go model's without loading it)."""
        from mdrepro import data

        if not self.user:
            return data.fingerprint(TRPCAGE.name, self.ctx.profile, None, self.selection)
        return self.set.fingerprint()

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
    """The Go-model Trp-cage set (or a user's trajectory) with the paper's features, opened on
    first use.
    """
    return TrpcageData(ctx, files)
