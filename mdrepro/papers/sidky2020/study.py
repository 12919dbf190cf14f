"""The computations of Sidky, Chen & Ferguson (2020), cut into units of work.

Two units, each one seed:

* :func:`fourwell_unit` - Fig. 2: the analytic references on 100 bins (Boltzmann density, the
  paper's one-step kernel, the Smoluchowski rate matrix), the MDN propagator trained at lag
  ``tau`` on [0, 1]-scaled positions, 20 synthetic trajectories, implied timescales (analytic,
  Brownian MSM, MDN MSM), the stationary density's distance from Boltzmann and the transition
  matrices. Returns a :class:`FourWellResult`.
* :func:`trpcage_unit` - Figs 3-4, Table 1: SRV -> MDN -> cWGAN (the latent space simulator),
  100 latent trajectories generated in one batch, structures decoded, and every analysis of the
  chapter (free energy along psi_1 with block errors, implied timescales, TICA free energies,
  radius of gyration, folded RMSD, transitions). Returns a :class:`TrpcageResult`.

:func:`fourwell` and :func:`trpcage` run them through the results cache.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from mdrepro.analysis import (
    aligned_rmse,
    block_free_energy,
    block_timescales,
    count_transitions,
    free_energy_2d,
    kabsch_align,
    msm_timescales,
    pair_distances,
    radius_of_gyration,
    rmsd_to,
    split_blocks,
)
from mdrepro.errors import DataError
from mdrepro.results import STUDY_THREADS, Job, Store, Unit, run_jobs, timing
from mdrepro.simulate import fourwell as fourwell_potential
from mdrepro.units import A_PER_NM

PAPER = "sidky2020"
MODULES = ("mdrepro.papers.sidky2020.study",)


def store() -> Store:
    """The results cache of this paper's studies."""
    return Store(MODULES)


def _threads() -> int:
    import torch

    return int(torch.get_num_threads())


# ================================================================================= four-well
def fourwell_reference(a: float = 4.0, n_bins: int = 100, lo: float = -1.0, hi: float = 1.0):
    """Analytic four-well references on ``n_bins`` equal bins of ``[lo, hi]``.

    Returns
    -------
    dict
        ``edges (n_bins + 1,)``, ``centres``, ``V`` (kT at the centres), ``boltzmann``
        (density normalised on the bins, 1/length), ``paper_kernel`` (``(n_bins, n_bins)``
        row-stochastic ``p(j|i) = C_i exp(-(V_j - V_i))`` for ``|i - j| <= 1``, the paper's
        formula) and ``generator`` (the Smoluchowski rate matrix, unit diffusivity:
        ``k_{i->i+-1} = exp(-(V_j - V_i) / 2) / dx^2``, whose stationary law is Boltzmann).
    """
    edges = np.linspace(lo, hi, n_bins + 1)
    c = 0.5 * (edges[1:] + edges[:-1])
    dx = edges[1] - edges[0]
    V = fourwell_potential.potential(c, a)
    p = np.exp(-(V - V.min()))
    boltz = p / (p.sum() * dx)
    K = np.zeros((n_bins, n_bins))
    Q = np.zeros((n_bins, n_bins))
    for i in range(n_bins):
        for j in (i - 1, i, i + 1):
            if 0 <= j < n_bins:
                K[i, j] = np.exp(-(V[j] - V[i]))
                if j != i:
                    Q[i, j] = np.exp(-(V[j] - V[i]) / 2) / dx**2
    K /= K.sum(1, keepdims=True)
    Q -= np.diag(Q.sum(1))
    return {
        "edges": edges,
        "centres": c,
        "V": V,
        "boltzmann": boltz,
        "paper_kernel": K,
        "generator": Q,
    }


def analytic_timescales(generator: np.ndarray, k: int = 3) -> np.ndarray:
    """Leading ``k`` implied timescales ``-1 / lambda_i`` of a rate matrix (time units)."""
    ev = np.sort(np.linalg.eigvals(generator).real)[::-1]
    return -1.0 / ev[1 : k + 1]


def analytic_transition_matrix(generator: np.ndarray, tau: float) -> np.ndarray:
    """``exp(Q tau)``: bin-to-bin transition probabilities at lag ``tau`` (time units)."""
    from scipy.linalg import expm

    return expm(generator * tau)


def total_variation(p: np.ndarray, q: np.ndarray) -> float:
    """Total variation distance ``0.5 sum |p - q|`` of two histograms (normalised here)."""
    p, q = np.asarray(p, float), np.asarray(q, float)
    return 0.5 * float(np.abs(p / p.sum() - q / q.sum()).sum())


@dataclass
class FourWellFit:
    """An MDN fitted to a four-well trajectory (in memory only: it holds the network).

    Attributes
    ----------
    model : mdrepro.models.lss.MDN
    scaler : mdrepro.models.lss.MinMaxScaler
    lag : int
        Lag in frames.
    fit : mdrepro.training.TrainResult
    synthetic : numpy.ndarray, shape (n_synthetic, n_steps + 1)
        Generated trajectories (x units), one point per lag, each as long as the training
        trajectory, all started at its first frame and propagated in one batch.
    """

    model: object
    scaler: object
    lag: int
    fit: object
    synthetic: np.ndarray


def fit_fourwell(x, params: dict, seed: int = 0, device: str = "cpu") -> FourWellFit:
    """Train the four-well MDN at lag ``params["lag"]`` frames and generate trajectories of
    ``len(x) // lag`` steps (as long as the training data), starting at ``x[0]``.

    ``params`` keys: ``lag``, ``n_kernels``, ``hidden``, ``lr``, ``batch_size``, ``epochs``,
    ``patience``, ``pair_stride`` (every ``pair_stride``-th pair trains), ``n_synthetic``.
    """
    from mdrepro.models import lss

    x = np.asarray(x, dtype=float)
    lag = int(params["lag"])
    if len(x) <= 2 * lag:
        raise DataError(f"expected more than {2 * lag} frames for lag {lag}, found {len(x)}")
    sc = lss.MinMaxScaler.fit(x[:, None])
    s = sc.transform(x[:, None])
    st = int(params.get("pair_stride", 1))
    model, res = lss.fit_mdn(
        s[:-lag:st],
        s[lag::st],
        n_kernels=params["n_kernels"],
        hidden=params["hidden"],
        lr=params["lr"],
        batch_size=params["batch_size"],
        epochs=params["epochs"],
        patience=params["patience"],
        seed=seed,
        device=device,
        lr_decay=params.get("lr_decay", 1.0),
    )
    n_syn = int(params.get("n_synthetic", 1))
    syn = model.simulate(np.repeat(s[:1], n_syn, 0), len(x) // lag, seed=seed)
    return FourWellFit(model, sc, lag, res, sc.inverse(syn.reshape(-1, 1)).reshape(n_syn, -1))


def empirical_transition_matrix(x, edges: np.ndarray, lag: int) -> np.ndarray:
    """Bin-to-bin transition probabilities of a trajectory at ``lag`` frames (rows normalised;
    a bin never left has a zero row).
    """
    x = np.asarray(x, dtype=float).ravel()
    c, _, _ = np.histogram2d(x[:-lag], x[lag:], [edges, edges])
    rows = c.sum(axis=1, keepdims=True)
    return np.divide(c, rows, out=np.zeros_like(c), where=rows > 0)


def kernel_distance(p: np.ndarray, q: np.ndarray, weights: np.ndarray) -> float:
    """Stationary-weighted total-variation distance between two transition matrices."""
    w = np.asarray(weights, dtype=float)
    w = w / w.sum()
    return float(np.sum(w * 0.5 * np.abs(np.asarray(p) - np.asarray(q)).sum(axis=1)))


def mdn_transition_matrix(fit: FourWellFit, edges: np.ndarray) -> np.ndarray:
    """Learned bin-to-bin transition probabilities at the MDN's lag: the MDN density from each
    bin centre integrated over each bin (midpoint rule), rows normalised.
    """
    import torch

    c = 0.5 * (edges[1:] + edges[:-1])
    sc = fit.scaler
    s_c = torch.as_tensor(sc.transform(c[:, None]), dtype=torch.float32)
    dev = next(fit.model.parameters()).device
    with torch.no_grad():
        n = len(c)
        xi = s_c.repeat_interleave(n, 0).to(dev)
        yj = s_c.repeat(n, 1).to(dev)
        p = fit.model.log_prob(xi, yj).exp().cpu().numpy().reshape(n, n)
    p = np.maximum(p, 0)
    return p / np.maximum(p.sum(1, keepdims=True), 1e-300)


#: Points of the trajectory traces shown in Fig. 2b.
TRACE_POINTS = 400


@dataclass
class FourWellResult:
    """Fig. 2 and the four-well claims.

    Attributes
    ----------
    a : float
        Prefactor of the potential.
    dt : float
        Time between data frames (reduced units).
    lag : int
        MDN lag, frames.
    n_frames : int
        Frames of the Brownian trajectory.
    reference : dict
        :func:`fourwell_reference` (bins, Boltzmann, the paper's kernel, the rate matrix).
    timescales : dict of str to numpy.ndarray
        ``"analytic"``, ``"brownian"``, ``"mdn"``: leading three implied timescales (time units).
    tv_mdn, tv_brownian : float
        Total variation distance of the MDN's and the Brownian data's histograms from Boltzmann.
    density_brownian, density_mdn : numpy.ndarray, shape (n_bins,)
        Histogram densities on the reference bins.
    trace_t, trace_brownian, trace_mdn : numpy.ndarray
        The first :data:`TRACE_POINTS` points, one per lag, of the Brownian data and of one
        MDN trajectory.
    p_analytic, p_mdn : numpy.ndarray, shape (n_bins, n_bins)
        Transition matrices at the MDN's lag: ``exp(Q tau)`` and the learned one.
    fit : mdrepro.training.TrainResult
    wall_s : float
        Training and generation time.
    p_brownian : numpy.ndarray, shape (n_bins, n_bins)
        The Brownian data's own transition matrix at the MDN's lag (its sampling floor).
    """

    a: float
    dt: float
    lag: int
    n_frames: int
    reference: dict
    timescales: dict
    tv_mdn: float
    tv_brownian: float
    density_brownian: np.ndarray
    density_mdn: np.ndarray
    trace_t: np.ndarray
    trace_brownian: np.ndarray
    trace_mdn: np.ndarray
    p_analytic: np.ndarray
    p_mdn: np.ndarray
    fit: object
    wall_s: float = timing()
    p_brownian: np.ndarray | None = None

    def timescale_table(self):
        """The three sets of implied timescales (analytic, Brownian MSM, MDN MSM)."""
        import pandas as pd

        return pd.DataFrame(self.timescales, index=["t1", "t2", "t3"]).round(4)

    def summary(self) -> str:
        """Data size, MDN epochs and wall time in one line."""
        return (
            f"a = {self.a}; {self.n_frames} frames, dt = {self.dt}; MDN: {self.fit.epochs} "
            f"epochs (best {self.fit.best_epoch}), {self.wall_s:.0f} s incl. generation"
        )


def fourwell_unit(x, dt: float, a: float, params: dict, seed: int, device: str) -> FourWellResult:
    """Fig. 2's computation for one seed (one unit of work)."""
    ref = fourwell_reference(a, params["msm_bins"])
    t0 = time.perf_counter()
    fw = fit_fourwell(x, params, seed=seed, device=device)
    wall = time.perf_counter() - t0
    lag_t = fw.lag * dt
    ts = {
        "analytic": analytic_timescales(ref["generator"], 3),
        "brownian": msm_timescales(x, ref["edges"], fw.lag, 3) * dt,
        "mdn": msm_timescales(list(fw.synthetic), ref["edges"], 1, 3) * lag_t,
    }
    h_m, _ = np.histogram(fw.synthetic, ref["edges"])
    h_b, _ = np.histogram(x, ref["edges"])
    n_show = min(len(fw.synthetic[0]), TRACE_POINTS)
    return FourWellResult(
        a=float(a),
        dt=float(dt),
        lag=fw.lag,
        n_frames=len(x),
        reference=ref,
        timescales=ts,
        tv_mdn=total_variation(h_m, ref["boltzmann"]),
        tv_brownian=total_variation(h_b, ref["boltzmann"]),
        density_brownian=np.histogram(np.ravel(x), ref["edges"], density=True)[0],
        density_mdn=np.histogram(np.ravel(fw.synthetic), ref["edges"], density=True)[0],
        trace_t=np.arange(n_show) * lag_t,
        trace_brownian=np.asarray(x)[:: fw.lag][:n_show],
        trace_mdn=fw.synthetic[0][:n_show],
        p_analytic=analytic_transition_matrix(ref["generator"], lag_t),
        p_brownian=empirical_transition_matrix(x, ref["edges"], fw.lag),
        p_mdn=mdn_transition_matrix(fw, ref["edges"]),
        fit=fw.fit,
        wall_s=wall,
    )


def fourwell_control(x, dt: float, a: float, params: dict, seed: int, device: str) -> dict:
    """Negative control: the MDN trained on the same Brownian frames in shuffled order (their
    kinetics destroyed, their density kept), its implied timescales against the Brownian MSM's.

    Returns
    -------
    dict
        ``{"seed", "mdn", "brownian"}``: leading three implied timescales (time units).
    """
    ref = fourwell_reference(a, params["msm_bins"])
    x = np.asarray(x)
    shuffled = x[np.random.default_rng(10_000 + seed).permutation(len(x))]
    fw = fit_fourwell(shuffled, params, seed=seed, device=device)
    return {
        "seed": int(seed),
        "mdn": msm_timescales(list(fw.synthetic), ref["edges"], 1, 3) * fw.lag * dt,
        "brownian": msm_timescales(x, ref["edges"], fw.lag, 3) * dt,
    }


def control_jobs(ctx) -> list[Job]:
    """The negative-control units (:func:`fourwell_control`), one per seed."""
    from mdrepro.papers.sidky2020.datasets import fourwell_fingerprint, load_fourwell

    p = dict(ctx.params["fourwell"])
    jobs = []
    for seed in ctx.params["seeds"]:
        unit = Unit(
            PAPER,
            "control",
            f"fourwell-shuffled-s{seed}",
            params={**p, "seed": seed, "device": ctx.device, "threads": STUDY_THREADS},
            data={"fourwell-bd": fourwell_fingerprint(ctx.profile)},
        )

        def compute(seed=seed):
            d = load_fourwell(ctx)
            return fourwell_control(d.x, d.dt, d.a, p, seed, ctx.device)

        jobs.append(Job(unit, compute))
    return jobs


def controls(ctx, run: bool = True) -> list[dict]:
    """The negative-control results (empty when the four-well section is not run)."""
    if not run:
        return []
    out = run_jobs(control_jobs(ctx), store(), desc="controls")
    return list(out.values())


def fourwell_jobs(ctx) -> list[Job]:
    """Fig. 2's units of work, one per seed; the data are built and loaded when one runs."""
    from mdrepro.papers.sidky2020.datasets import fourwell_fingerprint, load_fourwell

    p = dict(ctx.params["fourwell"])
    jobs = []
    for seed in ctx.params["seeds"]:
        unit = Unit(
            PAPER,
            "fourwell",
            f"s{seed}",
            params={**p, "seed": seed, "device": ctx.device, "threads": STUDY_THREADS},
            data={"fourwell-bd": fourwell_fingerprint(ctx.profile)},
        )

        def compute(seed=seed):
            d = load_fourwell(ctx)
            return fourwell_unit(d.x, d.dt, d.a, p, seed, ctx.device)

        jobs.append(Job(unit, compute))
    return jobs


def fourwell(ctx, run: bool = True) -> FourWellResult | None:
    """Fig. 2's result, from the results cache or computed (None when ``run`` is False).

    Parameters
    ----------
    ctx : mdrepro.book.chapter.ChapterContext
    run : bool
        Whether the chapter runs the four-well section (the data set is built on first use).
    """
    seeds = fourwell_seeds(ctx, run)
    return seeds[0] if seeds else None


def fourwell_seeds(ctx, run: bool = True) -> list[FourWellResult]:
    """Fig. 2's result for every seed of the profile (empty when ``run`` is False)."""
    if not run:
        return []
    jobs = fourwell_jobs(ctx)
    out = run_jobs(jobs, store(), desc="four-well")
    return [out[j.unit.id] for j in jobs]


# ============================================================================ featurisation
def featurize(traj) -> tuple[np.ndarray, list[str]]:
    """The paper's features: torsions (sin, cos) plus C-alpha pair distances (nm).

    All-atom trajectories give backbone phi, psi and side-chain chi1 torsions; C-alpha-only
    ones (the Go model) give the C-alpha pseudo-torsions instead.

    Parameters
    ----------
    traj : mdtraj.Trajectory

    Returns
    -------
    features : numpy.ndarray, shape (n_frames, n_features)
    kinds : list of str
        What the features are, for the chapter's table.
    """
    import mdtraj as md

    ca = traj.topology.select("name CA")
    if len(ca) < 4:
        raise DataError(f"expected a protein with >= 4 C-alpha atoms, found {len(ca)}")
    xyz = traj.xyz[:, ca]
    if traj.n_atoms > len(ca):
        angles = [md.compute_phi(traj)[1], md.compute_psi(traj)[1], md.compute_chi1(traj)[1]]
        kinds = ["phi", "psi", "chi1"]
        tors = np.concatenate([a for a in angles if a.size], 1)
    else:
        q = np.arange(len(ca) - 3)
        tors = md.compute_dihedrals(traj.atom_slice(ca), np.stack([q, q + 1, q + 2, q + 3], 1))
        kinds = ["C-alpha pseudo-torsions"]
    d = pair_distances(xyz)
    feats = np.concatenate([np.sin(tors), np.cos(tors), d], 1)
    return feats.astype(np.float32), [*kinds, "C-alpha pair distances"]


# ====================================================================================== LSS
@dataclass
class LSS:
    """A trained latent space simulator (in memory only: it holds the networks).

    Attributes
    ----------
    srv : mdrepro.models.lss.SRVEncoder
    mdn : mdrepro.models.lss.MDN
    gan : mdrepro.models.lss.CWGAN
    m : int
        Latent dimension.
    lag : int
        Lag in frames (the MDN's step).
    psi : numpy.ndarray, shape (n_frames, m)
        MD projected into the latent space (sign: psi_1 grows with RMSD to the native).
    scaler : mdrepro.models.lss.MinMaxScaler
        Latent -> [0, 1] for the MDN.
    x_mean, x_std : float
        Standardisation of the aligned C-alpha coordinates (nm).
    n_atoms : int
    fits : dict
        Training history of each network.
    """

    srv: object
    mdn: object
    gan: object
    m: int
    lag: int
    psi: np.ndarray
    scaler: object
    x_mean: float
    x_std: float
    n_atoms: int
    fits: dict = field(default_factory=dict)

    def decode(self, psi: np.ndarray, seed: int = 0) -> np.ndarray:
        """Latent rows ``(n, m)`` -> C-alpha coordinates ``(n, N, 3)`` nm."""
        x = self.gan.decode(np.asarray(psi, dtype=np.float32), seed=seed)
        return (x * self.x_std + self.x_mean).reshape(len(x), self.n_atoms, 3)


def choose_m(eigenvalues: np.ndarray, max_m: int = 5) -> int:
    """Latent dimension from the largest gap among the leading ``max_m`` eigenvalues."""
    lam = np.asarray(eigenvalues)[: max_m + 1]
    return int(np.argmax(lam[:-1] - lam[1:]) + 1)


def fit_lss(features, ca_nm, native_nm, params: dict, seed: int = 0, device: str = "cpu") -> LSS:
    """Train SRV, then the latent MDN, then the cWGAN decoder.

    Parameters
    ----------
    features : numpy.ndarray, shape (n_frames, d)
        :func:`featurize` output of one continuous trajectory.
    ca_nm : numpy.ndarray, shape (n_frames, N, 3)
        C-alpha coordinates, nm (aligned here to ``native_nm``).
    native_nm : numpy.ndarray, shape (N, 3)
    params : dict
        Chapter parameters (``lag``, ``m``, ``srv_*``, ``mdn_*``, ``gan_*``).
    """
    import torch

    from mdrepro.models import lss

    lag = int(params["lag"])
    F = np.asarray(features, dtype=np.float32)
    if len(F) <= 3 * lag:
        raise DataError(f"expected more than {3 * lag} frames for lag {lag}, found {len(F)}")
    srv, f_srv = lss.fit_srv(
        F[:-lag],
        F[lag:],
        n_out=params["srv_outputs"],
        hidden=params["srv_hidden"],
        lr=params["srv_lr"],
        batch_size=params["srv_batch"],
        epochs=params["srv_epochs"],
        patience=params["patience"],
        seed=seed,
        device=device,
    )
    m = int(params["m"])
    psi = srv.transform(F, m)
    rms = rmsd_to(ca_nm, native_nm)
    if np.corrcoef(psi[:, 0], rms)[0, 1] < 0:
        with torch.no_grad():
            srv.rotation[:, 0] *= -1
        psi[:, 0] *= -1
    sc = lss.MinMaxScaler.fit(psi)
    s = sc.transform(psi)
    mdn, f_mdn = lss.fit_mdn(
        s[:-lag],
        s[lag:],
        n_kernels=params["mdn_kernels"],
        hidden=params["mdn_hidden"],
        lr=params["mdn_lr"],
        batch_size=params["mdn_batch"],
        epochs=params["mdn_epochs"],
        patience=params["patience"],
        seed=seed,
        device=device,
        lr_decay=params.get("mdn_lr_decay", 1.0),
    )
    A = kabsch_align(ca_nm, native_nm).reshape(len(ca_nm), -1)
    mu, sd = float(A.mean()), float(A.std())
    gan, f_gan = lss.fit_cwgan(
        (A - mu) / sd,
        psi,
        noise=params["gan_noise"],
        hidden=params["gan_hidden"],
        lr=params["gan_lr"],
        batch_size=params["gan_batch"],
        epochs=params["gan_epochs"],
        n_critic=params["gan_critic_steps"],
        penalty=params["gan_penalty"],
        seed=seed,
        device=device,
        max_steps=params.get("gan_max_steps"),
        optimizer=params.get("gan_optimizer", "rmsprop"),
    )
    return LSS(
        srv,
        mdn,
        gan,
        m,
        lag,
        psi,
        sc,
        mu,
        sd,
        ca_nm.shape[1],
        {"srv": f_srv, "mdn": f_mdn, "gan": f_gan},
    )


def generate(model: LSS, n_traj: int, n_steps: int, seed: int = 0) -> dict:
    """Propagate ``n_traj`` latent trajectories of ``n_steps`` MDN steps in one batch.

    Starts are MD frames drawn at random. Returns ``psi`` ``(n_traj, n_steps + 1, m)``, the
    wall time ``seconds`` and ``frames_per_s`` (latent frames generated per second).
    """
    rng = np.random.default_rng(seed)
    start = model.scaler.transform(model.psi[rng.integers(0, len(model.psi), n_traj)])
    t0 = time.perf_counter()
    s = model.mdn.simulate(start, n_steps, seed=seed)
    wall = time.perf_counter() - t0
    psi = model.scaler.inverse(s.reshape(-1, model.m)).reshape(s.shape)
    return {"psi": psi, "seconds": wall, "frames_per_s": n_traj * n_steps / max(wall, 1e-9)}


@dataclass
class Structure:
    """One representative structure: C-alpha coordinates superposed on the native, nm."""

    source: str
    label: str
    psi1: float
    xyz: np.ndarray


@dataclass
class TrpcageResult:
    """Figs 3-4, Table 1 and the Trp-cage claims.

    Attributes
    ----------
    lag : int
        MDN lag, frames.
    dt_ns : float
        Time between data frames, ns.
    m : int
        Latent dimension used.
    m_gap : int
        Latent dimension suggested by the largest eigenvalue gap.
    srv_eigenvalues, tica_eigenvalues : numpy.ndarray
        SRV spectrum and TICA's (deeptime, same features and lag).
    fits : dict of str to mdrepro.training.TrainResult
    train_s : float
        Training time of the three networks.
    n_traj, n_steps : int
        Latent trajectories generated and MDN steps each.
    gen_seconds, gen_frames_per_s : float
    decode_seconds : float
    fes_centres : numpy.ndarray
    fes_md, fes_md_se, fes_lss, fes_lss_se : numpy.ndarray
        Free energy along psi_1 (kT) with five-block standard errors; the LSS profile is shifted
        onto the MD one.
    fes_rmse : float
        kT.
    t_md, se_md, t_lss, se_lss : numpy.ndarray, shape (m,)
        Implied timescales of psi_1..psi_m and block errors, ns.
    tica_edges : list of (numpy.ndarray, numpy.ndarray)
    tica_fes_md, tica_fes_lss : list of numpy.ndarray
        2-D free energies on the pairs of the leading TICA coordinates.
    rg_md, rg_lss : (float, float)
        Mean radius of gyration and its block error, Å.
    rg_std_md, rg_std_lss : float
    rg_values_md, rg_values_lss : numpy.ndarray
        Radius of gyration of every MD frame and decoded LSS structure, Å.
    rmsd_folded_md, rmsd_folded_lss : numpy.ndarray
        C-alpha RMSD to native of frames in the folded core, Å.
    trans_md, trans_lss : int
        Core-to-core transitions along psi_1.
    sim_ns, md_ns : float
        Simulated time of the LSS trajectories and of the MD.
    structures : list of Structure
        MD and LSS frames at the 5th, 50th and 95th percentile of psi_1.
    native : numpy.ndarray, shape (N, 3)
    core_q : (float, float) or None
        Mean fraction of native contacts of MD frames in the folded and unfolded psi_1 cores
        (Go model only).
    novelty_nm : (float, float)
        :func:`novelty`: median nearest-neighbour distance of decoded LSS structures to the MD,
        and of held-out MD frames, nm.
    """

    lag: int
    dt_ns: float
    m: int
    m_gap: int
    srv_eigenvalues: np.ndarray
    tica_eigenvalues: np.ndarray
    fits: dict
    train_s: float = timing()
    n_traj: int
    n_steps: int
    gen_seconds: float = timing()
    gen_frames_per_s: float = timing()
    decode_seconds: float = timing()
    n_decoded: int
    fes_centres: np.ndarray
    fes_md: np.ndarray
    fes_md_se: np.ndarray
    fes_lss: np.ndarray
    fes_lss_se: np.ndarray
    fes_rmse: float
    t_md: np.ndarray
    se_md: np.ndarray
    t_lss: np.ndarray
    se_lss: np.ndarray
    tica_pairs: list
    tica_edges: list
    tica_fes_md: list
    tica_fes_lss: list
    rg_md: tuple
    rg_lss: tuple
    rg_std_md: float
    rg_std_lss: float
    rg_values_md: np.ndarray
    rg_values_lss: np.ndarray
    rmsd_folded_md: np.ndarray
    rmsd_folded_lss: np.ndarray
    trans_md: int
    trans_lss: int
    sim_ns: float
    md_ns: float
    core_bounds: tuple
    structures: list
    native: np.ndarray
    core_q: tuple | None = None
    novelty_nm: tuple = (float("nan"), float("nan"))

    def spectrum_table(self):
        """SRV and TICA eigenvalues and implied timescales."""
        import pandas as pd

        def its(lam):
            return -self.lag * self.dt_ns / np.log(np.clip(lam, 1e-9, 0.999999))

        lam_s, lam_t = self.srv_eigenvalues, self.tica_eigenvalues
        return pd.DataFrame(
            {
                "SRV eigenvalue": lam_s,
                "SRV t_i (ns)": its(lam_s),
                "TICA eigenvalue": lam_t,
                "TICA t_i (ns)": its(lam_t),
            },
            index=[f"psi_{i + 1}" for i in range(len(lam_s))],
        ).round(3)

    def training_summary(self) -> str:
        """Training time, latent dimension, epochs."""
        fits = {k: (f.epochs, f.best_epoch) for k, f in self.fits.items()}
        return (
            f"trained in {self.train_s:.0f} s; m from the largest eigenvalue gap: {self.m_gap}; "
            f"m used: {self.m}\n{fits} (epochs run, best epoch)"
        )

    def generation_summary(self) -> str:
        """Generation speed, simulated time and decoding time."""
        return (
            f"{self.n_traj} x {self.n_steps} latent steps in {self.gen_seconds:.2f} s: "
            f"{self.gen_frames_per_s:.3g} frames/s, {self.sim_ns:.3g} ns of simulated time "
            f"({self.sim_ns / max(self.gen_seconds, 1e-9):.3g} ns/s; paper: ~5 s per 208 µs on "
            f"a GTX 1080 Ti)\ndecoded {self.n_decoded} structures in {self.decode_seconds:.1f} s"
        )

    def timescale_table(self):
        """Table 1: implied timescales of MD and LSS with block errors, ns."""
        import pandas as pd

        rows = [
            {
                "mode": f"t{i + 1}",
                "MD (ns)": f"{self.t_md[i]:.3g} ± {self.se_md[i]:.2g}",
                "LSS (ns)": f"{self.t_lss[i]:.3g} ± {self.se_lss[i]:.2g}",
            }
            for i in range(len(self.t_md))
        ]
        return pd.DataFrame(rows).set_index("mode")

    def structure_table(self):
        """Radius of gyration, folded RMSD, transitions and simulated time, MD vs LSS."""
        import pandas as pd

        return pd.DataFrame(
            {
                "Rg mean (Å)": [self.rg_md[0], self.rg_lss[0]],
                "Rg block s.e. (Å)": [self.rg_md[1], self.rg_lss[1]],
                "Rg spread (std, Å)": [self.rg_std_md, self.rg_std_lss],
                "folded RMSD to native, median (Å)": [
                    np.median(self.rmsd_folded_md),
                    np.median(self.rmsd_folded_lss),
                ],
                "transitions": [self.trans_md, self.trans_lss],
                "simulated time (ns)": [self.md_ns, self.sim_ns],
            },
            index=["MD", "LSS"],
        ).round(3)

    def core_summary(self) -> str:
        """Which basin each psi_1 core lies in (Go model: mean Q of its MD frames)."""
        lo, hi = self.core_bounds
        if self.core_q is None:
            return f"cores: psi_1 <= {lo:.3g} and psi_1 >= {hi:.3g}"
        return (
            f"mean Q of MD frames: psi_1 <= {lo:.3g} (folded core) {self.core_q[0]:.2f}, "
            f"psi_1 >= {hi:.3g} (unfolded core) {self.core_q[1]:.2f}"
        )


#: Structures compared by the novelty measure (nearest neighbours), per side.
NOVELTY_SAMPLES = 1000


def novelty(d_md: np.ndarray, d_lss: np.ndarray, seed: int = 0) -> tuple[float, float]:
    """Median nearest-neighbour distance (C-alpha pair-distance space, nm) of decoded LSS
    structures to the MD frames of the first 80 % of the run, and the same for MD frames of the
    last 20 % (held out: the floor of "a new sample of the same ensemble").

    Returns
    -------
    (float, float)
        LSS and held-out MD medians, nm.
    """
    from sklearn.neighbors import NearestNeighbors

    rng = np.random.default_rng(seed)
    cut = int(0.8 * len(d_md))
    ref = d_md[:cut]
    nn = NearestNeighbors(n_neighbors=1).fit(ref)

    def med(x):
        pick = rng.choice(len(x), size=min(NOVELTY_SAMPLES, len(x)), replace=False)
        return float(np.median(nn.kneighbors(x[np.sort(pick)])[0]))

    return med(d_lss), med(d_md[cut:])


def trpcage_unit(data, params: dict, seed: int, device: str) -> TrpcageResult:
    """Figs 3-4 and Table 1 for one seed (one unit of work).

    Parameters
    ----------
    data : mdrepro.papers.sidky2020.datasets.TrpcageData
    params : dict
        Chapter parameters.
    seed : int
    device : str
    """
    from deeptime.decomposition import TICA

    feat, ca, native, dt_ns = data.features, data.ca, data.native, data.dt_ns
    lag = int(params["lag"])
    t0 = time.perf_counter()
    ls = fit_lss(feat, ca, native, params, seed=seed, device=device)
    train_s = time.perf_counter() - t0
    lam_srv = ls.srv.eigenvalues.cpu().numpy()
    tica_feat = TICA(lagtime=lag).fit(feat).fetch_model()
    lam_tica = tica_feat.singular_values[: len(lam_srv)]

    n_steps = len(feat) // lag
    n_traj = int(params["n_traj"])
    gen = generate(ls, n_traj, n_steps, seed=seed)
    psi_l = gen["psi"]  # (n_traj, n_steps + 1, m)
    sim_ns = n_traj * n_steps * lag * dt_ns
    psi_dec = psi_l[:, :: params["decode_stride"]].reshape(-1, ls.m)
    t0 = time.perf_counter()
    xyz_l = ls.decode(psi_dec, seed=seed)
    decode_s = time.perf_counter() - t0
    psi_md = ls.psi

    # Fig. 3: free energy along psi_1 with block errors
    k = params["n_blocks"]
    lo, hi = np.quantile(psi_md[:, 0], [0.001, 0.999])
    pad = 0.1 * (hi - lo)
    edges = np.linspace(lo - pad, hi + pad, params["fes_bins"] + 1)
    cent = 0.5 * (edges[1:] + edges[:-1])
    F_md, se_md = block_free_energy(split_blocks(psi_md[:, 0], k), edges)
    F_ls, se_ls = block_free_energy([g[..., 0] for g in split_blocks(psi_l, k)], edges)
    shift = np.nanmean(F_ls - F_md)
    fes_rmse = aligned_rmse(F_md, F_ls)

    # structures at the 5th, 50th and 95th percentile of psi_1
    psi_dec1 = psi_dec[:, 0]
    structures = []
    for q, name in zip([0.05, 0.5, 0.95], ["folded", "intermediate", "unfolded"], strict=True):
        target = np.quantile(psi_md[:, 0], q)
        for xyz, p, lab in [(ca, psi_md[:, 0], "MD"), (xyz_l, psi_dec1, "LSS")]:
            i = int(np.argmin(np.abs(p - target)))
            aligned = kabsch_align(xyz[i][None], native)[0] + native.mean(0)
            structures.append(Structure(lab, name, float(p[i]), aligned))

    # Table 1: implied timescales from the autocorrelation of each psi_i
    lags = np.arange(params["acf_max_steps"] + 1)
    step_ns = lag * dt_ns
    t_md, s_md, t_ls, s_ls = [], [], [], []
    for i in range(ls.m):
        a, sa, _ = block_timescales(split_blocks(psi_md[::lag, i], k), lags)
        b, sb, _ = block_timescales([g[..., i] for g in split_blocks(psi_l, k)], lags)
        t_md.append(a * step_ns)
        s_md.append(sa * step_ns)
        t_ls.append(b * step_ns)
        s_ls.append(sb * step_ns)

    # Fig. 4: free energy on the leading TICA coordinates of the C-alpha distances
    d_md = pair_distances(ca)
    tica = TICA(lagtime=lag, dim=params["tica_dim"]).fit(d_md).fetch_model()
    y_md = tica.transform(d_md)
    y_ls = tica.transform(pair_distances(xyz_l))
    pairs = [(0, 1), (0, 2), (1, 2)]
    tica_edges, f_md2, f_ls2 = [], [], []
    for i, j in pairs:
        bx = np.linspace(*np.quantile(y_md[:, i], [0.001, 0.999]), 41)
        by = np.linspace(*np.quantile(y_md[:, j], [0.001, 0.999]), 41)
        tica_edges.append((bx, by))
        f_md2.append(free_energy_2d(y_md[:, i], y_md[:, j], bx, by))
        f_ls2.append(free_energy_2d(y_ls[:, i], y_ls[:, j], bx, by))

    # structures and transitions
    rg_md = radius_of_gyration(ca) * A_PER_NM
    rg_ls = radius_of_gyration(xyz_l) * A_PER_NM
    rg_ls_blocks = split_blocks(rg_ls.reshape(n_traj, -1), k)
    rg_md_se = float(np.std([b.mean() for b in split_blocks(rg_md, k)], ddof=1) / np.sqrt(k))
    rg_ls_se = float(np.std([b.mean() for b in rg_ls_blocks], ddof=1) / np.sqrt(k))
    qlo, qhi = np.quantile(psi_md[:, 0], params["core_quantiles"])
    rmsd_md = rmsd_to(ca[psi_md[:, 0] <= qlo], native) * A_PER_NM
    folded_l = psi_dec1 <= qlo
    rmsd_ls = rmsd_to(xyz_l[folded_l], native) * A_PER_NM if folded_l.any() else np.array([np.nan])
    core_q = None
    if data.is_go_model:
        from mdrepro.simulate import gomodel

        q_md = gomodel.fraction_native(ca)
        core_q = (
            float(q_md[psi_md[:, 0] <= qlo].mean()),
            float(q_md[psi_md[:, 0] >= qhi].mean()),
        )
    return TrpcageResult(
        lag=lag,
        dt_ns=float(dt_ns),
        m=ls.m,
        m_gap=choose_m(lam_srv),
        srv_eigenvalues=lam_srv,
        tica_eigenvalues=np.asarray(lam_tica),
        fits=ls.fits,
        train_s=train_s,
        n_traj=n_traj,
        n_steps=n_steps,
        gen_seconds=float(gen["seconds"]),
        gen_frames_per_s=float(gen["frames_per_s"]),
        decode_seconds=decode_s,
        n_decoded=len(xyz_l),
        fes_centres=cent,
        fes_md=F_md,
        fes_md_se=se_md,
        fes_lss=F_ls - shift,
        fes_lss_se=se_ls,
        fes_rmse=fes_rmse,
        t_md=np.array(t_md),
        se_md=np.array(s_md),
        t_lss=np.array(t_ls),
        se_lss=np.array(s_ls),
        tica_pairs=pairs,
        tica_edges=tica_edges,
        tica_fes_md=f_md2,
        tica_fes_lss=f_ls2,
        rg_md=(float(rg_md.mean()), rg_md_se),
        rg_lss=(float(rg_ls.mean()), rg_ls_se),
        rg_std_md=float(rg_md.std()),
        rg_std_lss=float(rg_ls.std()),
        rg_values_md=rg_md,
        rg_values_lss=rg_ls,
        rmsd_folded_md=rmsd_md,
        rmsd_folded_lss=rmsd_ls,
        trans_md=count_transitions(psi_md[::lag, 0], qlo, qhi),
        trans_lss=int(sum(count_transitions(p[:, 0], qlo, qhi) for p in psi_l)),
        sim_ns=float(sim_ns),
        md_ns=float(len(psi_md) * dt_ns),
        core_bounds=(float(qlo), float(qhi)),
        structures=structures,
        native=np.asarray(native),
        core_q=core_q,
        novelty_nm=novelty(d_md, pair_distances(xyz_l), seed),
    )


def trpcage_jobs(ctx, data) -> list[Job]:
    """Figs 3-4 and Table 1, one unit of work per seed.

    Parameters
    ----------
    ctx : mdrepro.book.chapter.ChapterContext
    data : mdrepro.papers.sidky2020.datasets.TrpcageData
    """
    p = {k: v for k, v in ctx.params.items() if k not in ("fourwell", "seeds")}
    return [
        Job(
            Unit(
                PAPER,
                "trpcage",
                f"s{seed}",
                params={**p, "seed": seed, "device": ctx.device, "threads": STUDY_THREADS},
                data={"trpcage-go": data.fingerprint},
            ),
            lambda seed=seed: trpcage_unit(data, p, seed, ctx.device),
        )
        for seed in ctx.params["seeds"]
    ]


def trpcage(ctx, data) -> TrpcageResult:
    """Figs 3-4 and Table 1, from the results cache or computed.

    Parameters
    ----------
    ctx : mdrepro.book.chapter.ChapterContext
    data : mdrepro.papers.sidky2020.datasets.TrpcageData
    """
    return trpcage_seeds(ctx, data)[0]


def trpcage_seeds(ctx, data) -> list[TrpcageResult]:
    """Figs 3-4 and Table 1 for every seed of the profile (the chapter shows the first)."""
    jobs = trpcage_jobs(ctx, data)
    out = run_jobs(jobs, store(), desc="LSS")
    return [out[j.unit.id] for j in jobs]


def chapter_jobs(ctx) -> list[Job]:
    """Every unit of work of chapter 4 on its built-in data (what the workflow runs)."""
    from mdrepro.papers.sidky2020.datasets import load_trpcage

    return fourwell_jobs(ctx) + trpcage_jobs(ctx, load_trpcage(ctx)) + control_jobs(ctx)


def fourwell_summary(fw: FourWellResult | None) -> str:
    """One paragraph on the four-well fit and its implied timescales (or that it was not run)."""
    if fw is None:
        return "four-well section not run (FOURWELL = False)"
    return f"{fw.summary()}\n{fw.timescale_table().to_string()}"
