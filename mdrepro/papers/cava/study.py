"""The computation of chapter 3 (Cava et al.), cut into independent units of work.

One unit (:func:`run_seed`) trains, for one seed and one variant (with the paper's energy loss,
or without it: the ablation), the VAE on the backbone frames of the training replicas and the
latent LSTM on their encodings, then reconstructs the held-out frames and generates a stretched
sequence from each held-out replica's first frame. It returns a :class:`SeedResult` (histories
and frames, no network). :func:`analyse` measures how physical the frames are (End2End
distance, bond and angle deviations, bonded energies) and :func:`generation` runs everything
through the results cache and returns a :class:`GenerationResults`.

Units: nm and kJ/mol inside; Angstrom and degrees in tables and claims (the paper's units).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from mdrepro.errors import DataError
from mdrepro.models.energy import TERMS, BondedEnergy, backbone_energy
from mdrepro.papers.cava.datasets import BACKBONE
from mdrepro.results import STUDY_THREADS, Job, Store, Unit, run_jobs
from mdrepro.training import TrainResult
from mdrepro.units import A_PER_NM

PAPER = "cava"
MODULES = ("mdrepro.papers.cava.study",)
#: Held-out frames (evenly spaced) whose encodings are tested under 20 random rotations.
ROTATION_FRAMES = 50

#: The two variants trained per seed.
VARIANTS = ("energy", "ablation")


def store() -> Store:
    """The results cache of this paper's study."""
    return Store(MODULES)


@dataclass
class Frames:
    """Centred backbone frames of the replicas, split into training and held-out replicas.

    Attributes
    ----------
    train, test : list of numpy.ndarray
        One (n_frames, n_atoms, 3) array per replica, nm, centre of mass removed.
    topology : mdtraj.Topology
        Of the backbone atoms.
    e2e_atoms : (int, int)
        Backbone indices of the first and last C-alpha.
    n_residues : int
    shared : bool
        True when there was a single trajectory, used for both training and testing.
    """

    train: list
    test: list
    topology: object
    e2e_atoms: tuple[int, int]
    n_residues: int
    shared: bool = False

    @property
    def train_xyz(self) -> np.ndarray:
        """All training frames stacked, (n, n_atoms, 3)."""
        return np.concatenate(self.train)

    @property
    def test_xyz(self) -> np.ndarray:
        """All held-out frames stacked, (n, n_atoms, 3)."""
        return np.concatenate(self.test)


def prepare(ts, n_test: int = 2) -> Frames:
    """Centre the frames of a backbone :class:`~mdrepro.data.TrajectorySet`, hold replicas out.

    Parameters
    ----------
    ts : TrajectorySet
        Loaded with the backbone selection (4 atoms per residue, N CA C O).
    n_test : int
        Replicas held out (the last ones). With a single trajectory it serves both roles
        (``shared`` is set and the chapter says so).
    """
    from mdrepro.models.vae import center

    top = ts.trajectories[0].topology
    ca = top.select("name CA")
    if len(ca) < 2 or top.n_atoms != 4 * top.n_residues:
        raise DataError(
            f"expected a backbone of N, CA, C, O per residue, found {top.n_atoms} atoms in "
            f"{top.n_residues} residues ({len(ca)} C-alpha)"
        )
    masses = np.array([a.element.mass for a in top.atoms])
    xyz = [center(x.astype(np.float64), masses).astype(np.float32) for x in ts.xyz()]
    if len(xyz) >= 2:
        n_test = int(min(max(n_test, 1), len(xyz) - 1))
        train, test, shared = xyz[:-n_test], xyz[-n_test:], False
    else:
        train, test, shared = xyz, xyz, True
    return Frames(train, test, top, (int(ca[0]), int(ca[-1])), top.n_residues, shared)


def energy_model(frames: Frames, manifest: Mapping | None, profile_params: Mapping):
    """The bonded backbone energy from the force field that made the data.

    Parameters
    ----------
    frames : Frames
    manifest : mapping or None
        The data set's manifest (its ``params`` name the force field); None for user data.
    profile_params : mapping
        The registry parameters of the profile (used when ``manifest`` has none).

    Returns
    -------
    BondedEnergy
        Of a poly-alanine with as many residues as the frames.
    """
    params = (manifest or {}).get("params") or profile_params
    return backbone_energy(frames.n_residues, params["forcefield"], params["solvent"], BACKBONE)


@dataclass
class SeedResult:
    """One seed and variant: training histories and evaluated frames (nm).

    Attributes
    ----------
    seed : int
    variant : {"energy", "ablation"}
    vae_history, lstm_history : mdrepro.training.TrainResult
        Per-epoch losses and their components.
    reconstructed : numpy.ndarray, shape (n_test_frames, n_atoms, 3)
        Held-out frames through the VAE.
    generated : numpy.ndarray, shape (n_test, gen_steps + 1, n_atoms, 3)
        From each held-out replica's first frame: the decoded start, then the generated frames.
    truth : numpy.ndarray, shape (n_test, gen_steps + 1, n_atoms, 3)
        The held-out replicas at the same steps.
    rotation_sensitivity : float
        :func:`mdrepro.models.vae.rotation_sensitivity` of the trained VAE on up to
        :data:`ROTATION_FRAMES` held-out frames (0: the encoding ignores orientation).
    """

    seed: int
    variant: str
    vae_history: TrainResult
    lstm_history: TrainResult
    reconstructed: np.ndarray
    generated: np.ndarray
    truth: np.ndarray
    rotation_sensitivity: float = float("nan")


def run_seed(
    frames: Frames,
    energy: BondedEnergy,
    params: Mapping,
    seed: int,
    variant: str = "energy",
    device: str = "cpu",
    progress: bool = False,
) -> SeedResult:
    """Train the VAE and the latent LSTM for one seed and variant; reconstruct and generate.

    Parameters
    ----------
    frames : Frames
    energy : BondedEnergy
    params : mapping
        Chapter parameters (``latent``, ``hidden``, ``dropout``, ``vae_epochs``,
        ``lstm_epochs``, ``batch_size``, ``lr``, ``rotations_per_frame``, ``seq_length``,
        ``seq_stride``, ``gen_steps``, ``lstm_hidden``).
    seed : int
    variant : {"energy", "ablation"}
        ``ablation`` trains without the energy terms (same seed, data and budget).
    device : str
    progress : bool
    """
    import torch

    from mdrepro.models.vae import (
        LatentLSTM,
        MoleculeVAE,
        encode_frames,
        generate,
        latent_windows,
        reconstruct,
        rotation_sensitivity,
        train_lstm,
        train_vae,
    )

    if variant not in VARIANTS:
        raise DataError(f"expected a variant in {VARIANTS}, found {variant!r}")
    torch.manual_seed(seed)
    n_atoms = frames.topology.n_atoms
    vae = MoleculeVAE(n_atoms, params["hidden"], params["latent"], params["dropout"])
    lstm = LatentLSTM(params["latent"], params["lstm_hidden"])
    vh = train_vae(
        vae,
        frames.train_xyz,
        energy,
        frames.e2e_atoms,
        epochs=params["vae_epochs"],
        batch_size=params["batch_size"],
        lr=params["lr"],
        rotations_per_frame=params["rotations_per_frame"],
        use_energy=variant == "energy",
        seed=seed,
        device=device,
        progress=progress,
    )
    z = [encode_frames(vae, x, device) for x in frames.train]
    stride = params["seq_stride"]
    windows = latent_windows(z, params["seq_length"], stride)
    lh = train_lstm(
        lstm,
        windows,
        epochs=params["lstm_epochs"],
        batch_size=params["batch_size"],
        lr=params["lr"],
        seed=seed,
        device=device,
        progress=progress,
    )
    vae.cpu()
    lstm.cpu()
    steps = gen_steps(frames, params)
    starts = np.stack([x[0] for x in frames.test])
    gen = generate(vae, lstm, starts, steps)
    truth = np.stack([x[: steps * stride + 1 : stride] for x in frames.test])
    rec = reconstruct(vae, frames.test_xyz)
    test = frames.test_xyz
    pick = np.unique(np.linspace(0, len(test) - 1, min(ROTATION_FRAMES, len(test))).astype(int))
    rot = rotation_sensitivity(vae, test[pick], n_rotations=20, seed=seed)
    return SeedResult(seed, variant, vh, lh, rec, gen, truth, rot)


def gen_steps(frames: Frames, params: Mapping) -> int:
    """Generation length: ``gen_steps``, capped by the shortest held-out replica."""
    shortest = min(len(x) for x in frames.test)
    steps = min(int(params["gen_steps"]), (shortest - 1) // int(params["seq_stride"]))
    if steps < 1:
        raise DataError(
            f"expected held-out replicas longer than one step of {params['seq_stride']} frames, "
            f"found {shortest} frames"
        )
    return steps


# ----------------------------------------------------------------------------- analysis
def geometry(energy: BondedEnergy, xyz: np.ndarray) -> dict[str, np.ndarray]:
    """Bond lengths (n, n_bonds) in Å and angles (n, n_angles) in degrees of frames in nm."""
    import torch

    x = torch.as_tensor(np.asarray(xyz, dtype=np.float64).reshape(-1, energy.n_atoms, 3))
    with torch.no_grad():
        g = energy.geometry(x)
    return {"bonds": A_PER_NM * g["bonds"].numpy(), "angles": np.degrees(g["angles"].numpy())}


def deviations(energy: BondedEnergy, xyz: np.ndarray, reference: np.ndarray) -> dict:
    """Per-frame RMS deviation of bond lengths (Å) and angles (deg) from the MD means.

    Parameters
    ----------
    energy : BondedEnergy
        Defines the bonds and angles (those of the force field).
    xyz : numpy.ndarray
        Frames (..., n_atoms, 3), nm.
    reference : numpy.ndarray
        MD frames (n, n_atoms, 3), nm: the per-bond and per-angle means come from these.

    Returns
    -------
    dict
        ``"bonds"`` (n_frames,) Å and ``"angles"`` (n_frames,) degrees.
    """
    ref = {k: v.mean(0) for k, v in geometry(energy, reference).items()}
    g = geometry(energy, xyz)
    return {k: np.sqrt(((g[k] - ref[k]) ** 2).mean(-1)) for k in g}


def energies(energy: BondedEnergy, xyz: np.ndarray) -> dict[str, np.ndarray]:
    """Bonded energy terms and their total per frame, kJ/mol, of frames (..., n_atoms, 3) nm."""
    import torch

    x = torch.as_tensor(np.asarray(xyz, dtype=np.float64).reshape(-1, energy.n_atoms, 3))
    with torch.no_grad():
        e = {k: v.numpy() for k, v in energy(x).items()}
    e["total"] = sum(e[t] for t in TERMS)
    return e


def e2e_A(e2e_atoms: tuple[int, int], xyz: np.ndarray) -> np.ndarray:
    """End2End distance in Å of frames (..., n_atoms, 3) in nm."""
    from mdrepro.models.vae import end_to_end

    return A_PER_NM * end_to_end(np.asarray(xyz), *e2e_atoms)


@dataclass
class RunAnalysis:
    """How physical the frames of one seed and variant are.

    Attributes
    ----------
    seed : int
    variant : str
    e2e_generated, e2e_truth : numpy.ndarray, shape (n_test, steps + 1)
        End2End distance along the generated and the true sequences, Å.
    deviation_reconstructed, deviation_generated : dict of str to numpy.ndarray
        Per-frame RMS deviation of ``"bonds"`` (Å) and ``"angles"`` (deg) from the MD means.
    energy_reconstructed, energy_generated, energy_generated_steps : dict of str to ndarray
        Bonded energy terms and total per frame, kJ/mol: of the reconstructions, of every
        generated frame (the decoded start included), and of the generated steps only (start
        excluded).
    """

    seed: int
    variant: str
    e2e_generated: np.ndarray
    e2e_truth: np.ndarray
    deviation_reconstructed: dict
    deviation_generated: dict
    energy_reconstructed: dict
    energy_generated: dict
    energy_generated_steps: dict


def analyse_run(r: SeedResult, frames: Frames, energy: BondedEnergy) -> RunAnalysis:
    """:class:`RunAnalysis` of one :class:`SeedResult` against the held-out MD frames."""
    md = frames.test_xyz
    n_atoms = md.shape[1]
    gen = r.generated.reshape(-1, n_atoms, 3)
    return RunAnalysis(
        seed=r.seed,
        variant=r.variant,
        e2e_generated=e2e_A(frames.e2e_atoms, r.generated),
        e2e_truth=e2e_A(frames.e2e_atoms, r.truth),
        deviation_reconstructed=deviations(energy, r.reconstructed, md),
        deviation_generated=deviations(energy, gen, md),
        energy_reconstructed=energies(energy, r.reconstructed),
        energy_generated=energies(energy, gen),
        energy_generated_steps=energies(energy, r.generated[:, 1:]),
    )


@dataclass
class GenerationResults:
    """Chapter 3's results.

    Attributes
    ----------
    runs : list of SeedResult
        Every seed and variant.
    analyses : list of RunAnalysis
        In the order of ``runs``.
    md_deviation : dict of str to numpy.ndarray
        The held-out MD frames' own bond (Å) and angle (deg) deviations from their means.
    md_energy : dict of str to numpy.ndarray
        Bonded energies of the held-out MD frames, kJ/mol.
    params : dict
    topology : mdtraj.Topology or None
        Of the backbone (not stored; set when loaded for a chapter).
    """

    runs: list
    analyses: list
    md_deviation: dict
    md_energy: dict
    params: dict
    e2e_atoms: tuple = (0, 1)
    topology: object = field(default=None, repr=False)

    @property
    def seeds(self) -> list[int]:
        """The seeds, sorted."""
        return sorted({r.seed for r in self.runs})

    def run(self, seed: int, variant: str) -> SeedResult:
        """The run of one seed and variant."""
        return next(r for r in self.runs if r.seed == seed and r.variant == variant)

    def analysis(self, seed: int, variant: str) -> RunAnalysis:
        """The analysis of one seed and variant."""
        return next(a for a in self.analyses if a.seed == seed and a.variant == variant)

    def of_variant(self, variant: str) -> list[SeedResult]:
        """The runs of one variant, in seed order."""
        return [r for r in self.runs if r.variant == variant]

    def validity_table(self):
        """Median bond and angle deviations and bonded energies: MD, reconstructed, generated.

        One row per (source, variant, seed); the MD test frames as source ``MD`` (seed -1).
        """
        import pandas as pd

        rows = []

        def row(source, variant, seed, dev, ene):
            rows.append(
                {
                    "source": source,
                    "variant": variant,
                    "seed": seed,
                    "bond_rms_dev_A": float(np.median(dev["bonds"])),
                    "angle_rms_dev_deg": float(np.median(dev["angles"])),
                    **{f"E_{k}_kJ": float(np.median(v)) for k, v in ene.items()},
                }
            )

        row("MD", "-", -1, self.md_deviation, self.md_energy)
        for a in self.analyses:
            row(
                "reconstructed",
                a.variant,
                a.seed,
                a.deviation_reconstructed,
                a.energy_reconstructed,
            )
            row("generated", a.variant, a.seed, a.deviation_generated, a.energy_generated)
        return pd.DataFrame(rows).round(3)

    def pooled(self, kind: str, what: str) -> dict[str, dict]:
        """Arrays of every source, pooled over seeds, for the distribution plots.

        Parameters
        ----------
        kind : {"deviation", "energy"}
        what : {"reconstructed", "generated"} or "all"
        """
        md = self.md_deviation if kind == "deviation" else self.md_energy
        out = {"MD": md}
        for variant in VARIANTS:
            for source in ("reconstructed", "generated"):
                if what not in ("all", source):
                    continue
                sel = [a for a in self.analyses if a.variant == variant]
                parts = [getattr(a, f"{kind}_{source}") for a in sel]
                out[f"{source}, {variant}"] = {
                    k: np.concatenate([p[k] for p in parts]) for k in parts[0]
                }
        return out

    def training_summary(self) -> str:
        """How many VAE + LSTM pairs, and their training time."""
        wall = sum(r.vae_history.wall_s + r.lstm_history.wall_s for r in self.runs)
        return f"{len(self.runs)} VAE + LSTM pairs; training time {wall:.0f} s"

    def differences(self, data_params: Mapping | None, frames: Frames):
        """How this chapter's protocol differs from the paper's, as a table."""
        import pandas as pd

        return pd.DataFrame(
            differences(self.params, data_params, frames), columns=["item", "paper", "here"]
        ).set_index("item")


def analyse(
    runs: Sequence[SeedResult], frames: Frames, energy: BondedEnergy, params
) -> GenerationResults:
    """:class:`GenerationResults` of trained runs (the aggregation step)."""
    md = frames.test_xyz
    return GenerationResults(
        runs=list(runs),
        analyses=[analyse_run(r, frames, energy) for r in runs],
        md_deviation=deviations(energy, md, md),
        md_energy=energies(energy, md),
        params=dict(params),
        e2e_atoms=tuple(frames.e2e_atoms),
        topology=frames.topology,
    )


def generation_jobs(ctx, inputs) -> list[Job]:
    """One unit of work per (seed, variant).

    Parameters
    ----------
    ctx : mdrepro.book.chapter.ChapterContext
    inputs : mdrepro.papers.cava.datasets.Inputs
    """
    p = dict(ctx.params)
    unit_params = {k: v for k, v in p.items() if k != "seeds"}
    unit_params.update(device=ctx.device, threads=STUDY_THREADS)
    return [
        Job(
            Unit(
                PAPER,
                "generation",
                f"{v}-s{s}",
                params={**unit_params, "seed": s},
                data={"decaala-smd": inputs.fingerprint},
            ),
            lambda s=s, v=v: run_seed(inputs.frames, inputs.energy, p, s, v, ctx.device),
        )
        for s in p["seeds"]
        for v in VARIANTS
    ]


def generation(ctx, inputs, progress: bool = True) -> GenerationResults:
    """Chapter 3's results: one unit per (seed, variant), from the results cache or computed.

    Parameters
    ----------
    ctx : mdrepro.book.chapter.ChapterContext
    inputs : mdrepro.papers.cava.datasets.Inputs
    progress : bool
        A progress bar over the units to compute.
    """
    out = run_jobs(generation_jobs(ctx, inputs), store(), progress=progress, desc="VAE + LSTM")
    return analyse(list(out.values()), inputs.frames, inputs.energy, ctx.params)


def run_untrained(frames: Frames, params: Mapping, seed: int) -> dict:
    """Negative control: the VAE and latent LSTM with their initial (untrained) weights,
    generating from the held-out starts like :func:`run_seed`.

    Returns
    -------
    dict
        ``{"seed", "stretch"}``: End2End change from the decoded start to the last generated
        frame, median over held-out starts, Å.
    """
    import torch

    from mdrepro.models.vae import LatentLSTM, MoleculeVAE, generate

    torch.manual_seed(seed)
    vae = MoleculeVAE(frames.topology.n_atoms, params["hidden"], params["latent"], 0.0).eval()
    lstm = LatentLSTM(params["latent"], params["lstm_hidden"]).eval()
    starts = np.stack([x[0] for x in frames.test])
    gen = generate(vae, lstm, starts, gen_steps(frames, params))
    d = e2e_A(frames.e2e_atoms, gen)
    return {"seed": int(seed), "stretch": float(np.median(d[:, -1] - d[:, 0]))}


def control_jobs(ctx, inputs) -> list[Job]:
    """One negative-control unit per seed (:func:`run_untrained`)."""
    p = dict(ctx.params)
    unit_params = {k: v for k, v in p.items() if k != "seeds"}
    unit_params.update(device=ctx.device, threads=STUDY_THREADS)
    return [
        Job(
            Unit(
                PAPER,
                "control",
                f"untrained-s{s}",
                params={**unit_params, "seed": s},
                data={"decaala-smd": inputs.fingerprint},
            ),
            lambda s=s: run_untrained(inputs.frames, p, s),
        )
        for s in p["seeds"]
    ]


def controls(ctx, inputs, progress: bool = True) -> list[dict]:
    """The negative-control results (:func:`control_jobs`), from the cache or computed."""
    out = run_jobs(control_jobs(ctx, inputs), store(), progress=progress, desc="controls")
    return list(out.values())


def chapter_jobs(ctx) -> list[Job]:
    """Every unit of work of chapter 3 on its built-in data (what the workflow runs)."""
    from mdrepro.papers.cava import datasets

    inputs = datasets.load(ctx)
    return generation_jobs(ctx, inputs) + control_jobs(ctx, inputs)


def differences(params: Mapping, data_params: Mapping | None, frames: Frames) -> list[tuple]:
    """Rows (item, paper, here) of the "what differs" table."""
    dp = data_params or {}
    n_rep = len(frames.train) + (0 if frames.shared else len(frames.test))
    return [
        (
            "MD engine, force field",
            "NAMD, CHARMM + GBIS",
            f"OpenMM, {dp.get('forcefield', '?')} + {dp.get('solvent', '?')}",
        ),
        ("termini", "not stated (NAMD build)", "charged NH3+/COO-, uncapped"),
        (
            "replicas x length",
            ">= 50 x 1 ns (authors' repository)",
            f"{n_rep} x {dp.get('n_frames', '?')} frames of {dp.get('frame_interval_fs', '?')} fs",
        ),
        (
            "restraint",
            "colvars harmonic, End2End 12 -> 34 Å, k = 1 kcal/mol/Å^2",
            f"CustomBondForce, {dp.get('start_A', '?')} -> {dp.get('end_A', '?')} Å, "
            f"k = {dp.get('spring_k_kcal_per_A2', '?')} kcal/mol/Å^2",
        ),
        (
            "energy terms",
            "TorchMD bonds, angles, dihedrals",
            "torch re-implementation, "
            "parameters from the OpenMM System; proper torsions only (tested against OpenMM)",
        ),
        ("energy loss", "log of the MSE", "log(1 + MSE)"),
        ("KL and reconstruction", "not stated", "MSE per coordinate (Å^2) + KL / 3N"),
        (
            "augmentation",
            "random rotations",
            f"{params['rotations_per_frame']} random rotation(s) per frame and epoch",
        ),
        ("epochs", "VAE 8, LSTM 22", f"VAE {params['vae_epochs']}, LSTM {params['lstm_epochs']}"),
        (
            "LSTM units, learning rate, batch",
            "not stated",
            f"{params['lstm_hidden']}, Adam {params['lr']:g}, {params['batch_size']}",
        ),
        (
            "sequences",
            "10 frames",
            f"{params['seq_length']} steps, {params['seq_stride']} frames apart",
        ),
        ("seeds", "one run", f"{len(params['seeds'])} seeds"),
        ("evaluation", "one generated sequence, visual", "held-out replicas; claims in code"),
    ]
