"""Chapter 4 logic: molecular latent space simulators (Sidky, Chen & Ferguson 2020).

Every number of the notebook comes from here.

Four-well validation (Fig. 2): :func:`fourwell_reference` (analytic Boltzmann density, the
paper's 100-bin transition formula, and the Smoluchowski rate matrix on the same bins, whose
eigenvalues are the analytic implied timescales), :func:`fit_fourwell` (the MDN on [0, 1]-scaled
positions at lag ``tau``), :func:`mdn_transition_matrix`, :func:`msm_timescales`.

Trp-cage (Figs. 3-4, Table 1): :func:`featurize` (C-alpha pair distances plus torsions),
:func:`kabsch_align`, :func:`fit_lss` (SRV -> MDN -> cWGAN), :func:`generate`,
:func:`free_energy_1d`, :func:`block_free_energy`, :func:`aligned_rmse`,
:func:`acf_timescale`, :func:`block_timescales`, :func:`count_transitions`, and the claims.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import torch

from mdrepro.claims import ClaimSet
from mdrepro.errors import DataError
from mdrepro.models import lss
from mdrepro.simulate import fourwell

__all__ = [
    "LSS",
    "acf_timescale",
    "aligned_rmse",
    "block_free_energy",
    "block_timescales",
    "check_claims",
    "count_transitions",
    "featurize",
    "fit_fourwell",
    "fit_lss",
    "fourwell_reference",
    "free_energy_1d",
    "free_energy_2d",
    "generate",
    "kabsch_align",
    "mdn_transition_matrix",
    "msm_timescales",
    "rmsd_to",
]

#: Largest allowed deviation of the MDN's leading implied timescales from the Brownian MSM's
#: (relative).
FW_TS_REL_TOL = 0.3
#: The MDN's stationary density may be at most this many times further from Boltzmann (total
#: variation distance) than the Brownian training data themselves, whose distance is the
#: finite-sampling floor of the comparison.
FW_TV_FACTOR = 2.0
#: Free-energy agreement along psi_1, kT.
FES_RMSE_KT = 1.0
#: Factor by which the LSS must out-count the MD's folding/unfolding transitions.
TRANSITION_FACTOR = 10.0


# ---------------------------------------------------------------------------------- four-well
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
    V = fourwell.potential(c, a)
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


def msm_timescales(x, edges, lag: int, k: int = 3) -> np.ndarray:
    """Implied timescales (in frames) of a maximum-likelihood reversible MSM on 1-D bins.

    Parameters
    ----------
    x : numpy.ndarray, shape (n,) or list of such
        Trajectories.
    edges : numpy.ndarray
        Bin edges (values outside go to the end bins).
    lag : int
        Lag in frames.
    """
    from deeptime.markov import TransitionCountEstimator
    from deeptime.markov.msm import MaximumLikelihoodMSM

    xs = [x] if isinstance(x, np.ndarray) and x.ndim == 1 else list(x)
    n = len(edges) - 1
    dtrajs = [
        np.clip(np.digitize(np.asarray(t), edges) - 1, 0, n - 1).astype(np.int32) for t in xs
    ]
    counts = TransitionCountEstimator(lag, "sliding").fit_fetch(dtrajs).submodel_largest()
    msm = MaximumLikelihoodMSM(reversible=True).fit_fetch(counts)
    return np.asarray(msm.timescales(k), dtype=float)


@dataclass
class FourWellFit:
    """An MDN fitted to a four-well trajectory.

    Attributes
    ----------
    model : mdrepro.models.lss.MDN
    scaler : mdrepro.models.lss.MinMaxScaler
    lag : int
        Lag in frames.
    fit : mdrepro.models.lss.FitResult
    synthetic : numpy.ndarray, shape (n_synthetic, n_steps + 1)
        Generated trajectories (x units), one point per lag, each as long as the training
        trajectory, all started at its first frame and propagated in one batch.
    """

    model: lss.MDN
    scaler: lss.MinMaxScaler
    lag: int
    fit: lss.FitResult
    synthetic: np.ndarray


def fit_fourwell(x, params: dict, seed: int = 0, device: str = "cpu") -> FourWellFit:
    """Train the four-well MDN at lag ``params["lag"]`` frames and generate a trajectory of
    ``len(x) // lag`` steps (as long as the training data), starting at ``x[0]``.

    ``params`` keys: ``lag``, ``n_kernels``, ``hidden``, ``lr``, ``batch_size``, ``epochs``,
    ``patience``, ``pair_stride`` (every ``pair_stride``-th pair trains), ``n_synthetic``.
    """
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


def mdn_transition_matrix(fit: FourWellFit, edges: np.ndarray) -> np.ndarray:
    """Learned bin-to-bin transition probabilities at the MDN's lag: the MDN density from each
    bin centre integrated over each bin (midpoint rule), rows normalised."""
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


def total_variation(p: np.ndarray, q: np.ndarray) -> float:
    """Total variation distance ``0.5 sum |p - q|`` of two histograms (normalised here)."""
    p, q = np.asarray(p, float), np.asarray(q, float)
    return 0.5 * float(np.abs(p / p.sum() - q / q.sum()).sum())


# ----------------------------------------------------------------------------- featurisation
def kabsch_align(xyz: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Superpose every frame on ``ref`` (unit weights, centred), ``(n, N, 3)`` -> same."""
    X = np.asarray(xyz, dtype=float)
    R = np.asarray(ref, dtype=float) - np.asarray(ref).mean(0)
    Xc = X - X.mean(1, keepdims=True)
    H = np.einsum("nki,kj->nij", Xc, R)
    U, _, Vt = np.linalg.svd(H)
    d = np.sign(np.linalg.det(np.einsum("nij,njk->nik", U, Vt)))
    D = np.ones((len(X), 3))
    D[:, 2] = d
    rot = np.einsum("nij,nj,njk->nik", U, D, Vt)
    return np.einsum("nki,nij->nkj", Xc, rot)


def rmsd_to(xyz: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """RMSD after optimal superposition on ``ref``, per frame, in the input units."""
    A = kabsch_align(xyz, ref)
    R = np.asarray(ref) - np.asarray(ref).mean(0)
    return np.sqrt(((A - R) ** 2).sum(-1).mean(-1))


def ca_distances(xyz: np.ndarray) -> np.ndarray:
    """All C-alpha pair distances ``(n, N, 3)`` -> ``(n, N (N - 1) / 2)`` (input units)."""
    i, j = np.triu_indices(xyz.shape[1], 1)
    return np.linalg.norm(xyz[:, i] - xyz[:, j], axis=-1)


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
        What the features are, for the notebook's table.
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
    d = ca_distances(xyz)
    feats = np.concatenate([np.sin(tors), np.cos(tors), d], 1)
    return feats.astype(np.float32), [*kinds, "C-alpha pair distances"]


# --------------------------------------------------------------------------------------- LSS
@dataclass
class LSS:
    """A trained latent space simulator.

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
        FitResult of each network.
    """

    srv: lss.SRVEncoder
    mdn: lss.MDN
    gan: lss.CWGAN
    m: int
    lag: int
    psi: np.ndarray
    scaler: lss.MinMaxScaler
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


# ------------------------------------------------------------------------------------ analysis
def free_energy_1d(x, edges) -> np.ndarray:
    """``F = -ln p`` (kT) on the bins, minimum 0; NaN where a bin is empty."""
    h, _ = np.histogram(np.asarray(x).ravel(), edges, density=True)
    with np.errstate(divide="ignore"):
        F = -np.log(h)
    F[~np.isfinite(F)] = np.nan
    return F - np.nanmin(F)


def block_free_energy(blocks, edges) -> tuple[np.ndarray, np.ndarray]:
    """Free energy from all blocks together and its block standard error.

    Parameters
    ----------
    blocks : list of array_like
        ``K`` contiguous blocks (or groups of trajectories).

    Returns
    -------
    F : numpy.ndarray, shape (n_bins,)
        From the pooled data, kT, minimum 0.
    se : numpy.ndarray, shape (n_bins,)
        ``std_k(F_k) / sqrt(K)`` after shifting each block's ``F_k`` onto ``F`` (NaN where
        fewer than two blocks populate a bin).
    """
    F = free_energy_1d(np.concatenate([np.ravel(b) for b in blocks]), edges)
    Fk = []
    for b in blocks:
        f = free_energy_1d(b, edges)
        ok = np.isfinite(f) & np.isfinite(F)
        Fk.append(f - np.mean(f[ok] - F[ok]) if ok.any() else f)
    Fk = np.array(Fk)
    n = np.isfinite(Fk).sum(0)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # bins populated by < 2 blocks
        se = np.nanstd(Fk, 0, ddof=1) / np.sqrt(n)
    se[n < 2] = np.nan
    return F, se


def free_energy_2d(a, b, xedges, yedges) -> np.ndarray:
    """``F = -ln p`` (kT) on a 2-D grid, minimum 0, NaN where empty (all NaN if no sample
    falls on the grid)."""
    H, _, _ = np.histogram2d(np.ravel(a), np.ravel(b), [xedges, yedges])
    F = np.full(H.shape, np.nan)
    ok = H > 0
    if ok.any():
        F[ok] = -np.log(H[ok] / H.sum())
        F -= F[ok].min()
    return F


def aligned_rmse(F1, F2) -> float:
    """RMSE of two free-energy profiles over bins finite in both, after the optimal constant
    shift (kT)."""
    F1, F2 = np.asarray(F1), np.asarray(F2)
    ok = np.isfinite(F1) & np.isfinite(F2)
    if ok.sum() < 2:
        return float("nan")
    d = F1[ok] - F2[ok]
    return float(np.sqrt(np.mean((d - d.mean()) ** 2)))


def _acf(x: np.ndarray, max_lag: int) -> np.ndarray:
    x = np.asarray(x, float)
    x = x - x.mean()
    v = (x * x).mean()
    return np.array([(x[: len(x) - k] * x[k:]).mean() / v for k in range(max_lag + 1)])


def acf_timescale(series, lags) -> float:
    """Exponential fit ``exp(-t / t_i)`` of the normalised autocorrelation.

    Parameters
    ----------
    series : numpy.ndarray, shape (n,) or (n_traj, n)
        One trajectory or several (their autocorrelations are averaged).
    lags : array_like of int
        Lags (in frames of ``series``) to fit over; the timescale comes out in these units.

    Returns
    -------
    float
        ``t_i`` by least squares in ``t`` on ``C(lag)`` (NaN if the fit fails).
    """
    from scipy.optimize import curve_fit

    s = np.atleast_2d(np.asarray(series, float))
    lags = np.asarray(lags, dtype=int)
    c = np.mean([_acf(row, int(lags.max()))[lags] for row in s], 0)
    guess = max(1.0, float(np.interp(np.exp(-1), c[::-1], lags[::-1])))
    try:
        (t,), _ = curve_fit(lambda t, tau: np.exp(-t / tau), lags, c, p0=[guess], maxfev=5000)
    except RuntimeError:
        return float("nan")
    return float(t)


def block_timescales(blocks, lags) -> tuple[float, float, np.ndarray]:
    """:func:`acf_timescale` on all data and on each of ``K`` blocks.

    Returns
    -------
    t : float
        From all blocks (autocorrelations averaged over them).
    se : float
        Standard error ``std(t_k, ddof=1) / sqrt(K)``.
    per_block : numpy.ndarray, shape (K,)
    """
    per = np.array([acf_timescale(b, lags) for b in blocks])
    t = acf_timescale(np.concatenate([np.atleast_2d(b) for b in blocks]), lags)
    return t, float(np.nanstd(per, ddof=1) / np.sqrt(np.isfinite(per).sum())), per


def split_blocks(x, k: int = 5) -> list[np.ndarray]:
    """``k`` contiguous blocks of equal length along the first axis (the rest dropped)."""
    x = np.asarray(x)
    n = len(x) // k
    if n < 2:
        raise DataError(f"expected at least {2 * k} items for {k} blocks, found {len(x)}")
    return [x[i * n : (i + 1) * n] for i in range(k)]


def count_transitions(x, lo: float, hi: float) -> int:
    """Core-to-core transitions of a 1-D series between ``x <= lo`` and ``x >= hi``."""
    state = np.where(np.asarray(x) <= lo, 0, np.where(np.asarray(x) >= hi, 1, -1))
    s = state[state >= 0]
    return int(np.count_nonzero(np.diff(s)))


# -------------------------------------------------------------------------------------- claims
def check_claims(r: dict, profile: str) -> ClaimSet:
    """Judge the paper's statements on measured results ``r`` (see the notebook for keys)."""
    cs = ClaimSet("ch04", profile)
    ts_a, ts_b, ts_m = (np.asarray(r["fw_ts"][k]) for k in ("analytic", "brownian", "mdn"))
    rel = np.abs(ts_m - ts_b) / ts_b
    cs.add(
        "ch04.fourwell-timescales",
        "Fig. 2",
        "The MDN propagator reproduces the four-well kinetics (leading implied timescales).",
        "excellent accord with analytic and Brownian dynamics",
        "t1..t3 MDN "
        + ", ".join(f"{v:.3g}" for v in ts_m)
        + "; Brownian "
        + ", ".join(f"{v:.3g}" for v in ts_b)
        + "; analytic "
        + ", ".join(f"{v:.3g}" for v in ts_a),
        f"|MDN - Brownian| / Brownian <= {FW_TS_REL_TOL} for t1 and t2",
        bool((rel[:2] <= FW_TS_REL_TOL).all()),
        note="MSM on 100 bins at the MDN's lag; relative deviations "
        + ", ".join(f"{v:.2f}" for v in rel),
    )
    cs.add(
        "ch04.fourwell-density",
        "Fig. 2a",
        "The MDN trajectory has the Boltzmann stationary density.",
        "excellent accord",
        f"total variation distance {r['fw_tv']:.3f} (Brownian: {r['fw_tv_bd']:.3f})",
        f"TV(MDN, Boltzmann) <= {FW_TV_FACTOR:g} x TV(Brownian, Boltzmann) = "
        f"{FW_TV_FACTOR * r['fw_tv_bd']:.3f}",
        r["fw_tv"] <= FW_TV_FACTOR * r["fw_tv_bd"],
        note="the tolerance scales with the sampling error of the training data",
    )
    cs.add(
        "ch04.fes-rmse",
        "Fig. 3",
        "LSS and MD free energies along psi_1 agree.",
        "RMSE 0.91 kT",
        f"RMSE {r['fes_rmse']:.2f} kT",
        f"< {FES_RMSE_KT} kT",
        r["fes_rmse"] < FES_RMSE_KT,
    )
    t_md, se_md = np.asarray(r["t_md"]), np.asarray(r["se_md"])
    t_ls, se_ls = np.asarray(r["t_lss"]), np.asarray(r["se_lss"])
    within = np.abs(t_ls - t_md) <= 2 * se_md
    cs.add(
        "ch04.timescales-within-errors",
        "Table 1",
        "LSS implied timescales t1-t3 agree with MD within its error bars.",
        "excellent agreement",
        "MD "
        + ", ".join(f"{a:.3g}±{b:.2g}" for a, b in zip(t_md, se_md, strict=True))
        + "; LSS "
        + ", ".join(f"{a:.3g}±{b:.2g}" for a, b in zip(t_ls, se_ls, strict=True))
        + " ns",
        "|t_LSS - t_MD| <= 2 sigma_MD for every i",
        bool(within.all()),
        note="within: " + ", ".join(str(bool(w)) for w in within),
    )
    smaller = se_ls < se_md
    cs.add(
        "ch04.lss-errors-smaller",
        "Table 1",
        "LSS standard errors are smaller than the MD's (about 10-fold in the paper).",
        "~10x smaller",
        "ratios sigma_MD / sigma_LSS "
        + ", ".join(f"{a / b:.2g}" for a, b in zip(se_md, se_ls, strict=True)),
        "sigma_LSS < sigma_MD for every i",
        bool(smaller.all()),
    )
    d = abs(r["rg_lss"][0] - r["rg_md"][0])
    tol = 2 * np.hypot(r["rg_md"][1], r["rg_lss"][1])
    cs.add(
        "ch04.rg-agrees",
        "Sect. 3.2",
        "Radius of gyration of LSS structures agrees with MD.",
        "agree within errors",
        f"MD {r['rg_md'][0]:.2f}±{r['rg_md'][1]:.2f} Å, "
        f"LSS {r['rg_lss'][0]:.2f}±{r['rg_lss'][1]:.2f} Å",
        "|difference| <= 2 combined block standard errors",
        d <= tol,
    )
    cs.add(
        "ch04.more-transitions",
        "Sect. 3.2",
        "LSS trajectories contain many more folding/unfolding transitions than the MD.",
        "orders of magnitude more",
        f"MD {r['trans_md']}, LSS {r['trans_lss']}",
        f"LSS >= {TRANSITION_FACTOR:g} x MD (and MD > 0)",
        r["trans_md"] > 0 and r["trans_lss"] >= TRANSITION_FACTOR * r["trans_md"],
    )
    return cs
