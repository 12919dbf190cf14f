"""Chapter 3: LSTM-VAE latent generation of deca-alanine steered MD, with bonded energies.

The chapter logic behind ``notebooks/ch03_lstm_vae.ipynb``: prepare the backbone frames of the
``decaala-smd`` replicas, train the VAE (with and without the energy loss, same seeds and budget)
and the latent LSTM, generate stretched sequences from held-out start frames, measure how
physical the frames are, and check the paper's statements.

Units: nm and kJ/mol inside; Å and degrees in tables and claims (the paper's units).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from mdrepro.claims import ClaimSet
from mdrepro.errors import DataError
from mdrepro.models.energy import TERMS, BondedEnergy, backbone_energy
from mdrepro.models.vae import (
    LatentLSTM,
    MoleculeVAE,
    TrainHistory,
    center,
    encode_frames,
    end_to_end,
    generate,
    latent_windows,
    reconstruct,
    train_lstm,
    train_vae,
)

#: mdtraj selection of the model's atoms (N, CA, C, O of every residue).
BACKBONE = "backbone and name N CA C O"
#: The two variants trained per seed.
VARIANTS = ("energy", "ablation")


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
        Loaded with :data:`BACKBONE` (4 atoms per residue, N CA C O).
    n_test : int
        Replicas held out (the last ones). With a single trajectory it serves both roles
        (``shared`` is set and the notebook says so).

    Returns
    -------
    Frames
    """
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
    """One seed and variant: trained models, histories and evaluated frames (nm)."""

    seed: int
    variant: str
    vae: MoleculeVAE
    lstm: LatentLSTM
    vae_history: TrainHistory
    lstm_history: TrainHistory
    reconstructed: np.ndarray
    generated: np.ndarray
    truth: np.ndarray
    extras: dict = field(default_factory=dict)


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

    Returns
    -------
    SeedResult
        ``generated`` and ``truth`` have shape (n_test, gen_steps + 1, n_atoms, 3).
    """
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
    return SeedResult(seed, variant, vae, lstm, vh, lh, rec, gen, truth)


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


def run_study(
    frames: Frames,
    energy: BondedEnergy,
    params: Mapping,
    seeds: Sequence[int],
    device: str = "cpu",
    progress: bool = False,
) -> list[SeedResult]:
    """:func:`run_seed` for every seed and both variants (energy loss, ablation)."""
    return [
        run_seed(frames, energy, params, s, v, device, progress) for s in seeds for v in VARIANTS
    ]


# ----------------------------------------------------------------------------- analysis
def geometry(energy: BondedEnergy, xyz: np.ndarray) -> dict[str, np.ndarray]:
    """Bond lengths (n, n_bonds) in Å and angles (n, n_angles) in degrees of frames in nm."""
    x = torch.as_tensor(np.asarray(xyz, dtype=np.float64).reshape(-1, energy.n_atoms, 3))
    with torch.no_grad():
        g = energy.geometry(x)
    return {"bonds": 10 * g["bonds"].numpy(), "angles": np.degrees(g["angles"].numpy())}


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
    x = torch.as_tensor(np.asarray(xyz, dtype=np.float64).reshape(-1, energy.n_atoms, 3))
    with torch.no_grad():
        e = {k: v.numpy() for k, v in energy(x).items()}
    e["total"] = sum(e[t] for t in TERMS)
    return e


def e2e_A(frames: Frames, xyz: np.ndarray) -> np.ndarray:
    """End2End distance in Å of frames (..., n_atoms, 3) in nm."""
    return 10 * end_to_end(np.asarray(xyz), *frames.e2e_atoms)


def validity_table(results: Sequence[SeedResult], frames: Frames, energy: BondedEnergy):
    """Median bond and angle deviations and bonded energies: MD, reconstructed, generated.

    Returns
    -------
    pandas.DataFrame
        One row per (source, variant, seed); MD test frames as source ``MD`` (seed -1).
    """
    import pandas as pd

    md = frames.test_xyz
    rows = []

    def row(source, variant, seed, xyz):
        d = deviations(energy, xyz, md)
        e = energies(energy, xyz)
        rows.append(
            {
                "source": source,
                "variant": variant,
                "seed": seed,
                "bond_rms_dev_A": float(np.median(d["bonds"])),
                "angle_rms_dev_deg": float(np.median(d["angles"])),
                **{f"E_{k}_kJ": float(np.median(v)) for k, v in e.items()},
            }
        )

    row("MD", "-", -1, md)
    for r in results:
        row("reconstructed", r.variant, r.seed, r.reconstructed)
        row("generated", r.variant, r.seed, r.generated)
    return pd.DataFrame(rows)


def _spread(values) -> str:
    v = np.asarray(values, dtype=float)
    return f"seeds: {', '.join(f'{x:.3g}' for x in v)} (range {v.min():.3g}-{v.max():.3g})"


def check_claims(
    results: Sequence[SeedResult],
    frames: Frames,
    energy: BondedEnergy,
    params: Mapping,
    profile: str,
) -> ClaimSet:
    """The chapter's claims, computed from the trained models' outputs.

    1. ``ch03.generated-stretches``: the End2End distance of the generated sequence (energy
       variant) changes from start to end by more than ``min_stretch_A`` (median over seeds
       of the median over held-out starts).
    2. ``ch03.generated-energy-in-md``: the median total bonded energy of generated frames lies
       inside the central ``energy_interval`` (e.g. 95 %) of the MD frames' energies, for the
       median over seeds.
    3. ``ch03.energy-loss-lowers-bond-deviation``: the median RMS bond-length deviation of
       reconstructed held-out frames is lower with the energy loss than without it (median over
       seeds of the per-seed ratio below 1).
    """
    cs = ClaimSet("ch03", profile)
    by = {(r.seed, r.variant): r for r in results}
    seeds = sorted({r.seed for r in results})
    md_e = energies(energy, frames.test_xyz)["total"]

    # 1. stretching
    stretch, truth = [], []
    for s in seeds:
        r = by[(s, "energy")]
        d = e2e_A(frames, r.generated)  # (n_test, steps + 1)
        t = e2e_A(frames, r.truth)
        stretch.append(float(np.median(d[:, -1] - d[:, 0])))
        truth.append(float(np.median(t[:, -1] - t[:, 0])))
    thr = float(params["min_stretch_A"])
    med = float(np.median(stretch))
    cs.add(
        "ch03.generated-stretches",
        "Fig. 3",
        "The generated sequence changes its End2End distance (the molecule stretches).",
        "End2End changes between frames 1 and 2, then stays about constant",
        f"generated change {med:.2f} Å over {r.generated.shape[1] - 1} steps "
        f"(ground truth {np.median(truth):.2f} Å)",
        f"median over seeds > {thr:g} Å",
        med > thr,
        note=(
            "Change = End2End(last generated frame) - End2End(decoded start), median over "
            "held-out start frames; the threshold is about 4 thermal standard deviations of "
            "the restrained End2End distance (sqrt(kT/k) = 0.8 Å)."
        ),
        spread=_spread(stretch),
    )

    # 2. bonded energies of generated frames inside the MD distribution
    q = float(params["energy_interval"])
    lo, hi = np.percentile(md_e, [50 - q / 2, 50 + q / 2])
    meds, fracs, terms = [], [], {t: [] for t in TERMS}
    md_terms = energies(energy, frames.test_xyz)
    for s in seeds:
        ge = energies(energy, by[(s, "energy")].generated[:, 1:])
        g = ge["total"]
        meds.append(float(np.median(g)))
        fracs.append(float(np.mean((g >= lo) & (g <= hi))))
        for t in TERMS:
            terms[t].append(float(np.median(ge[t])))
    m = float(np.median(meds))
    per_term = ", ".join(
        f"{t} {np.median(terms[t]):.0f} vs MD {np.median(md_terms[t]):.0f}" for t in TERMS
    )
    cs.add(
        "ch03.generated-energy-in-md",
        "Sect. 2.3",
        "Frames generated with the energy loss have bonded energies like those of MD frames.",
        "the energy loss keeps generated frames biophysically plausible (qualitative)",
        f"median total bonded energy {m:.0f} kJ/mol; MD {q:g} % interval [{lo:.0f}, {hi:.0f}]; "
        f"{100 * np.median(fracs):.0f} % of generated frames inside",
        f"median over seeds inside the MD central {q:g} % interval",
        lo <= m <= hi,
        note="Bonds + angles + proper torsions of the 40 backbone atoms, same force field as "
        "the MD; MD reference: the held-out replicas' frames. Median per term, generated vs MD "
        f"(kJ/mol): {per_term}."
        + (
            ""
            if lo <= m <= hi
            else " Fails: the decoded frames' bond lengths and angles deviate from the force "
            "field's far more than thermal motion does (see the deviation plots); stiff bonds "
            "turn sub-Ångström errors into large energies."
        ),
        spread=_spread(meds),
    )

    # 3. energy loss vs ablation, bond-length deviation of reconstructions
    md = frames.test_xyz
    ratios, dev_e, dev_a = [], [], []
    for s in seeds:
        de = float(np.median(deviations(energy, by[(s, "energy")].reconstructed, md)["bonds"]))
        da = float(np.median(deviations(energy, by[(s, "ablation")].reconstructed, md)["bonds"]))
        dev_e.append(de)
        dev_a.append(da)
        ratios.append(de / da)
    rmed = float(np.median(ratios))
    cs.add(
        "ch03.energy-loss-lowers-bond-deviation",
        "beyond the paper",
        "Training with the energy loss lowers the bond-length deviation of reconstructed "
        "frames compared with the same VAE trained without it.",
        "(not tested in the paper; its motivation for the energy loss)",
        f"median RMS bond deviation {np.median(dev_e):.3f} Å with vs {np.median(dev_a):.3f} Å "
        f"without; ratio {rmed:.2f}",
        "median over seeds of the per-seed ratio < 1",
        rmed < 1,
        note=f"Same seeds, data and budget; {sum(x < 1 for x in ratios)} of {len(ratios)} seeds "
        "lower with the energy loss. Deviation: per-frame RMS over the 39 backbone bonds from "
        "their MD mean lengths, on held-out frames.",
        spread=_spread(ratios),
    )
    return cs


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
