"""Single-particle non-Gaussianity: excess kurtosis and its classes (Figs. 2C and 4B).

The paper reads Fig. 2C (equilibrium ADK) as "relatively uniform" kurtosis, all particles
Gaussian-like, and Fig. 4B (steered 100-alanine) as non-Gaussian; :func:`kurtosis_classes`
turns "how many kinds of particles does this plot show" into a model-selection question.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.stats

from mdrepro.analysis._checks import as_frames, as_int, as_real_array, block_rows
from mdrepro.errors import DataError

__all__ = ["excess_kurtosis", "kurtosis_classes", "KurtosisClasses"]


def excess_kurtosis(X) -> np.ndarray:
    """Excess (Fisher) kurtosis of each particle's x, y and z position over time.

    .. math::

        \\kappa_{i\\alpha} = \\frac{m_4}{m_2^2} - 3, \\qquad
        m_p = \\frac{1}{T}\\sum_t \\left(x_{i\\alpha}(t) - \\bar x_{i\\alpha}\\right)^p,

    the plain moment ratio (no small-sample correction), computed by
    ``scipy.stats.kurtosis(X, axis=0, fisher=True, bias=True)`` a block of particles at a time.
    A Gaussian gives 0, heavier tails a positive value, a uniform distribution -1.2 and a
    two-state jump -2.

    Parameters
    ----------
    X : array_like, shape (T, N, 3)
        Trajectory, nm (the result has no unit), ``T >= 2``.

    Returns
    -------
    numpy.ndarray, shape (N, 3)
        Excess kurtosis per particle and axis. NaN where the coordinate is the same in every
        frame (a fixed atom): the kurtosis of a constant is undefined. (scipy tests the
        variance against round-off instead and can return -2 for a constant.)

    Raises
    ------
    ValueError
        If ``X`` is not a finite ``(T, N, 3)`` array with at least 2 frames.
    """
    X = as_frames(X, "X", min_frames=2)
    n_frames, n_atoms = X.shape[:2]
    out = np.empty((n_atoms, 3), dtype=np.float64)
    step = block_rows(3 * n_frames)
    for s in range(0, n_atoms, step):
        x = X[:, s : s + step].astype(np.float64)
        constant = x.max(axis=0) == x.min(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # constant columns: NaN below
            k = scipy.stats.kurtosis(x, axis=0, fisher=True, bias=True)
        out[s : s + step] = np.where(constant, np.nan, k)
    return out


@dataclass(frozen=True)
class KurtosisClasses:
    """Classes of particles by kurtosis, as chosen by :func:`kurtosis_classes`.

    Attributes
    ----------
    n_classes : int
        Number of classes with the lowest BIC.
    labels : numpy.ndarray, shape (N,)
        Class of each particle, ``0 .. n_classes - 1``, classes ordered by increasing mean
        kurtosis (averaged over the axes): class 0 is the most Gaussian-like.
    means : numpy.ndarray, shape (n_classes, D)
        Mean kurtosis of each class (``D = 3`` for x, y, z input, 1 for ``(N,)`` input).
    weights : numpy.ndarray, shape (n_classes,)
        Mixture weights of the classes.
    bic : dict of int to float
        Bayesian information criterion of the most likely admissible fit with ``c``
        components, for every ``c`` tried (lower is better; ``inf`` if none was admissible).
    separation : dict of int to float
        Smallest Ashman D between two components of that fit (``inf`` for ``c = 1``, NaN if
        there was no admissible fit).
    """

    n_classes: int
    labels: np.ndarray
    means: np.ndarray
    weights: np.ndarray
    bic: dict[int, float]
    separation: dict[int, float]


#: Ashman D above which two mixture components count as distinct classes (Ashman et al. 1994).
MIN_SEPARATION = 2.0
#: Fewest particles (summed responsibilities) a class may hold.
MIN_CLASS_SIZE = 3.0


def kurtosis_classes(k, max_classes: int = 4, seed: int = 0) -> KurtosisClasses:
    """How many classes of particles a kurtosis plot shows, by BIC over Gaussian mixtures.

    Method: for ``c = 1 .. max_classes``, fit mixtures of ``c`` Gaussians with diagonal
    covariances to the points (one per particle, ``D = 3`` coordinates for ``(N, 3)`` input,
    ``D = 1`` for ``(N,)``) with scikit-learn's :class:`~sklearn.mixture.GaussianMixture`
    (expectation-maximisation from k-means++ starts, ``n_init`` seeded starts), and score the
    most likely *admissible* fit by

    .. math:: \\mathrm{BIC}(c) = -2 \\ln \\hat L_c + p_c \\ln N, \\qquad p_c = 2Dc + c - 1.

    The ``c`` with the lowest BIC is the number of classes; particles go to the component of
    highest posterior probability.

    A mixture can lower the BIC without describing distinct classes of particles: a component
    sitting on one or two outlying points (the likelihood diverges as its variance shrinks),
    or two components with nearly the same mean and different widths (one heavy-tailed
    cloud). A fit with ``c > 1`` is therefore admissible only if every component holds at
    least :data:`MIN_CLASS_SIZE` particles (summed posterior probabilities) and every pair of
    components ``a, b`` is separated in the sense of Ashman's D,

    .. math:: D_{ab} = \\sqrt{2 \\sum_{j=1}^{D} \\frac{(\\mu_{aj} - \\mu_{bj})^2}
                                        {\\sigma_{aj}^2 + \\sigma_{bj}^2}} > 2

    (Ashman, Bird & Zepf 1994, AJ 108, 2348: in one dimension ``D > 2`` is the usual condition
    for a clean separation of two Gaussians). If no start of a given ``c`` gives an admissible
    fit, that ``c`` is not a candidate (BIC reported as ``inf``); ``c = 1`` always is.

    The data are standardised per axis before fitting (the BIC values reported are those of
    the unstandardised data, so choices are unaffected), with a variance floor
    (``reg_covar``) of ``1e-6`` in standardised units. The result depends only on the input
    and ``seed``.

    Parameters
    ----------
    k : array_like, shape (N, 3) or (N,)
        Per-particle kurtosis (e.g. :func:`excess_kurtosis`); must be finite.
    max_classes : int, optional
        Largest number of classes tried, ``>= 1``; needs ``N >= 2 * max_classes``.
    seed : int, optional
        Seed of the random starts.

    Returns
    -------
    KurtosisClasses
        Number of classes, labels, class means and weights, and the BIC and separation of
        every ``c``.

    Raises
    ------
    ValueError
        If ``k`` is not ``(N,)`` or ``(N, 3)``, holds NaN (drop particles whose kurtosis is
        undefined first), or has fewer than ``2 * max_classes`` particles.
    """
    data = as_real_array(k, "k").astype(np.float64)
    if data.ndim == 1:
        data = data[:, None]
    if data.ndim != 2 or data.shape[1] not in (1, 3):
        raise DataError(f"expected kurtosis of shape (N,) or (N, 3), found shape {np.shape(k)}")
    max_classes = as_int(max_classes, "max_classes", minimum=1)
    n = data.shape[0]
    if n < 2 * max_classes:
        raise DataError(
            f"max_classes={max_classes} needs at least {2 * max_classes} particles, found {n}"
        )
    bad = ~np.isfinite(data).all(axis=1)
    if bad.any():
        raise DataError(
            f"expected finite kurtosis values, found {int(bad.sum())} particles with NaN or "
            "infinity (drop constant coordinates first)"
        )
    centre = data.mean(axis=0)
    scale = data.std(axis=0)
    scale[scale == 0] = 1.0
    z = (data - centre) / scale
    log_jacobian = n * np.log(scale).sum()  # ln L(data) = ln L(z) - N * sum(ln scale)

    d = z.shape[1]
    fits, bic, separation = {}, {}, {}
    for c in range(1, max_classes + 1):
        fit = _best_gmm(z, c, seed)
        n_params = 2 * d * c + c - 1
        if fit is None:
            bic[c], separation[c] = float(np.inf), float("nan")
            continue
        fits[c] = fit
        ll = float(fit.score(z)) * n
        bic[c] = float(-2.0 * (ll - log_jacobian) + n_params * np.log(n))
        separation[c] = _min_separation(fit.means_, fit.covariances_)
    best = min(fits, key=lambda c: (bic[c], c))
    gmm = fits[best]
    mu, resp = gmm.means_, gmm.predict_proba(z)
    order = np.argsort(mu.mean(axis=1), kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(best)
    labels = rank[np.argmax(resp, axis=1)]
    means = mu[order] * scale + centre
    return KurtosisClasses(
        n_classes=best,
        labels=labels,
        means=means,
        weights=gmm.weights_[order],
        bic=bic,
        separation=separation,
    )


#: Variance floor of the mixture components, standardised units.
_VAR_FLOOR = 1e-6
#: Seeded EM starts per number of components.
N_INIT = 5


def _min_separation(mu: np.ndarray, var: np.ndarray) -> float:
    """Smallest Ashman D over pairs of components (``inf`` for one component)."""
    if mu.shape[0] < 2:
        return float(np.inf)
    ratio = (mu[:, None, :] - mu[None]) ** 2 / (var[:, None, :] + var[None])
    dist = np.sqrt(2.0 * ratio.sum(axis=2))
    return float(dist[np.triu_indices(mu.shape[0], 1)].min())


def _best_gmm(z: np.ndarray, c: int, seed: int):
    """Most likely admissible :class:`~sklearn.mixture.GaussianMixture` of :data:`N_INIT`
    seeded starts, or None if none is admissible.

    A fit is admissible if every component holds at least :data:`MIN_CLASS_SIZE` particles
    (summed responsibilities) and every pair is separated by more than
    :data:`MIN_SEPARATION`.
    """
    from sklearn.mixture import GaussianMixture

    best, best_ll = None, -np.inf
    for i in range(1 if c == 1 else N_INIT):
        gmm = GaussianMixture(
            n_components=c,
            covariance_type="diag",
            reg_covar=_VAR_FLOOR,
            max_iter=300,
            tol=1e-5,
            init_params="k-means++",
            random_state=seed * 1000 + 17 * c + i,
        ).fit(z)
        if c > 1:
            sizes = gmm.predict_proba(z).sum(axis=0)
            if sizes.min() < MIN_CLASS_SIZE or (
                _min_separation(gmm.means_, gmm.covariances_) <= MIN_SEPARATION
            ):
                continue
        ll = float(gmm.score(z))
        if best is None or ll > best_ll:
            best, best_ll = gmm, ll
    return best
