"""The data set of Cava et al.: deca-alanine pulled by a moving End2End restraint.

Registered in the shared registry (:mod:`mdrepro.data.registry`); :func:`load` opens it (or a
user's own replicas), centres the backbone frames, holds the last replicas out and builds the
bonded-energy model from the force field that made the data.
"""

from __future__ import annotations

import numpy as np

from mdrepro.data.registry import DatasetSpec, register
from mdrepro.profiles import derive

_PAPER = {
    "n_residues": 10,
    "forcefield": "ff14SBonlysc",
    "solvent": "gbn2",
    "cutoff_nm": None,
    "temperature_K": 300.0,
    "timestep_fs": 1.0,
    "frame_interval_fs": 1000.0,
    "friction_per_ps": 1.0,
    "spring_k_kcal_per_A2": 1.0,
    "start_A": 12.0,
    "end_A": 34.0,
    "n_replicas": 50,
    "n_frames": 1000,
    "allatom_every": 1,
    "equilibration_ps": 10.0,
    "seed": 2022,
    "chunk_frames": 250,
    "cpu_threads": 1,  # OpenMM's CPU platform repeats bit for bit only on one thread
}
#: ci: native OBC implicit solvent, 2 fs, 12 replicas of a 40 ps pull (the paper's: 1 ns).
_CI = {
    "forcefield": "amber99sbildn",
    "solvent": "obc",
    "timestep_fs": 2.0,
    "frame_interval_fs": 200.0,
    "n_replicas": 12,
    "n_frames": 200,
    "equilibration_ps": 2.0,
    "chunk_frames": 100,
}

DECAALA = register(
    DatasetSpec(
        name="decaala-smd",
        title="Deca-alanine stretched by a moving End2End distance restraint, 300 K, replicas",
        recipe="build_decaala_smd",
        version=2,  # 2: DCD headers without a time stamp, one CPU thread
        source=(
            "Cava et al. (LSTM-VAE latent generation): NAMD, CHARMM + GBIS, 300 K; colvars "
            "harmonic bias on the C-alpha(1)-C-alpha(10) distance, centre moved 12 -> 34 Å, "
            "k = 1 kcal/mol/Å^2; many independent replicas (the authors' repository holds "
            "dozens); backbone (N, CA, C, O: 40 atoms) as model input."
        ),
        params={"paper": _PAPER, "ci": derive(_PAPER, _CI)},
    )
)

#: mdtraj selection of the model's atoms (N, CA, C, O of every residue).
BACKBONE = "backbone and name N CA C O"


class Inputs:
    """What chapter 3 trains on, opened on first use.

    Parameters
    ----------
    ctx : mdrepro.book.chapter.ChapterContext
    files : tuple (trajectory, topology, frame_fs), optional
        A user's replicas instead of the built-in set (``trajectory`` None: built in).

    Attributes
    ----------
    set : mdrepro.data.TrajectorySet
        The backbone frames as loaded.
    frames : mdrepro.papers.cava.study.Frames
        Centred frames, training and held-out replicas.
    energy : mdrepro.models.energy.BondedEnergy
        Bonded backbone energy of the force field that made the data.
    user : bool
        Whether the frames are a user's files.
    """

    def __init__(self, ctx, files: tuple | None = None):
        self.ctx = ctx
        self.files = tuple(files or (None, None, None))
        self.user = self.files[0] is not None
        self._cache: dict = {}
        if not self.user:
            ctx.use_data(DECAALA.name, self.fingerprint)

    @property
    def set(self):
        """The backbone frames (:class:`~mdrepro.data.TrajectorySet`), loaded once."""
        from mdrepro import data

        if "set" not in self._cache:
            ts = data.open_set(
                DECAALA.name, self.ctx.profile, *self.files, selection=BACKBONE, part="backbone"
            )
            self.ctx.use_data(ts.name, ts.fingerprint())
            self._cache["set"] = ts
        return self._cache["set"]

    def pulling_work(self) -> list[float]:
        """Work done by the pulling spring on each replica, kJ/mol (sum of force x spring
        displacement over the pull; empty for a user's files without a pulling table).
        """
        tab = self.set.tables.get("pulling") if hasattr(self.set, "tables") else None
        if tab is None:
            return []
        out = []
        for r in np.unique(tab["replica"]):
            t = tab[tab["replica"] == r]
            t = t[np.argsort(t["time_ps"])]
            out.append(
                float(
                    np.sum(
                        0.5
                        * (t["force_kj_mol_nm"][1:] + t["force_kj_mol_nm"][:-1])
                        * np.diff(t["centre_nm"])
                    )
                )
            )
        return out

    @property
    def frames(self):
        """Centred frames split into training and held-out replicas."""
        from mdrepro.papers.cava.study import prepare

        if "frames" not in self._cache:
            self._cache["frames"] = prepare(self.set, self.ctx.params["n_test_replicas"])
        return self._cache["frames"]

    @property
    def energy(self):
        """The bonded backbone energy of the force field that made the data."""
        from mdrepro.papers.cava.study import energy_model

        if "energy" not in self._cache:
            self._cache["energy"] = energy_model(
                self.frames,
                None if self.user else self.set.meta,
                DECAALA.params_for(self.ctx.profile),
            )
        return self._cache["energy"]

    @property
    def fingerprint(self) -> str:
        """Identity of the input frames (a built-in set's without loading it)."""
        from mdrepro import data

        if not self.user:
            return data.fingerprint(DECAALA.name, self.ctx.profile, "backbone", BACKBONE)
        return self.set.fingerprint()

    @property
    def data_params(self) -> dict | None:
        """Recipe parameters of the built-in set (None for user files)."""
        return None if self.user else self.set.meta.get("params")

    def summary(self) -> str:
        """The set, the replica split and the force-field terms, in a few lines."""
        f = self.frames
        shared = " (one trajectory: used for both)" if f.shared else ""
        return (
            f"{self.set}\n{len(f.train)} training and {len(f.test)} held-out trajectories"
            f"{shared}\nbackbone terms from the force field: {self.energy.counts}"
        )


def load(ctx, files: tuple | None = None) -> Inputs:
    """The deca-alanine replicas (or a user's files) for chapter 3, opened on first use."""
    return Inputs(ctx, files)
