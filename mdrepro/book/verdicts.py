"""One rule for every verdict: reproduced, not reproduced or undecided, with measured gates.

A claim measures one number per seed or independent replica (its *samples*) and compares it
with a tolerance interval ``[tol_lo, tol_hi]`` that comes from the document's own numbers or
from the data's measured noise, stated with the claim and never tuned to a result. The rule,
shared by every claim (:func:`decide`):

* the **interval** of the measured value is the two-sided 95 % Student-t confidence interval of
  the mean over the samples (``n >= 3``);
* ``reproduced`` when the interval lies inside the tolerance (strictly: an interval that
  touches a bound is not inside, unless the tolerance is a single value); ``not reproduced``
  when it lies outside (no overlap); ``undecided`` otherwise, or when fewer than three
  samples exist, or when a *gate* measured on the data fails (too few decorrelated samples
  for the statistic, a fit that failed its adequacy check);
* an undecided claim says what would decide it (``decide_at``): from the measured spread, the
  number of samples at which the interval would clear the nearest tolerance bound (above
  :data:`MAX_SAMPLES` it says "at the tolerance bound" instead of a number), or what the failed
  gate needs;
* an undecided claim also says which way it **leans** (:func:`lean`), by a rule fixed here
  before any result: the side of the tolerance on which the one-sided 80 % Student-t bounds of
  the mean both lie (``toward reproduced`` when both lie inside, ``toward not reproduced`` when
  both lie outside on one side, ``none`` otherwise or with fewer than two samples), with the
  number of samples on each side of the tolerance. A lean is never a verdict: it does not count.

Ordering statements (A < B, grows with T) become a number too: a margin whose sign is the
statement (e.g. ``error(500 K) - error(300 K) > 0``), so the same rule applies.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

REPRODUCED = "reproduced"
NOT_REPRODUCED = "not reproduced"
UNDECIDED = "undecided"
VERDICTS = (REPRODUCED, NOT_REPRODUCED, UNDECIDED)
#: Fewest samples (seeds, replicas) from which a verdict is drawn.
MIN_SAMPLES = 3
#: Confidence level of the interval of the mean.
LEVEL = 0.95
#: Level of the one-sided bounds of the mean that give an undecided claim its lean.
LEAN_LEVEL = 0.80
#: Beyond this many seeds or replicas, ``decide_at`` says "at the tolerance bound".
MAX_SAMPLES = 50
TOWARD_REPRODUCED = "toward reproduced"
TOWARD_NOT_REPRODUCED = "toward not reproduced"
NO_LEAN = "none"
#: What one sample is, for a reader (the sample unit of a check).
SAMPLE_UNITS = {
    "seeds": "seeds: networks retrained on one data set (data noise left out)",
    "replicas": "replicas: independent trajectories",
    "data sets": "data sets: independent simulations",
}


@dataclass(frozen=True)
class Gate:
    """A condition on the data that a claim's statistic needs (measured, not assumed).

    Attributes
    ----------
    name : str
        What is measured, e.g. ``"decorrelated samples per particle"``.
    value : float
        The measured value.
    minimum : float
        The value it needs.
    decide_at : str
        What would pass the gate (e.g. ``"runs 4x longer"``), shown when it fails.
    """

    name: str
    value: float
    minimum: float
    decide_at: str = ""

    @property
    def passed(self) -> bool:
        """Whether the measured value reaches the minimum (NaN fails)."""
        return bool(np.isfinite(self.value) and self.value >= self.minimum)

    def text(self) -> str:
        """``"<name> <value> < <minimum>"`` for a failed gate, else empty."""
        if self.passed:
            return ""
        return f"{self.name} {self.value:.3g} < {self.minimum:.3g} needed"


@dataclass(frozen=True)
class Decision:
    """The outcome of :func:`decide`.

    Attributes
    ----------
    verdict : str
        One of :data:`VERDICTS`.
    value : float
        Mean of the samples (NaN without any).
    lo, hi : float
        The confidence interval of the mean (NaN with fewer than two samples).
    n : int
        Number of finite samples.
    gate : str
        Why the claim is undecided by a gate (empty otherwise).
    decide_at : str
        What would decide an undecided claim (empty otherwise).
    lean : str
        For an undecided claim, :func:`lean` (empty for a decided one).
    n_inside, n_outside : int
        Samples inside and outside the tolerance.
    """

    verdict: str
    value: float
    lo: float
    hi: float
    n: int
    gate: str = ""
    decide_at: str = ""
    lean: str = ""
    n_inside: int = 0
    n_outside: int = 0


def t_quantile(n: int, level: float = LEVEL) -> float:
    """Two-sided Student-t quantile for ``n`` samples (``n - 1`` degrees of freedom)."""
    from scipy.stats import t

    return float(t.ppf(0.5 + level / 2, n - 1))


def interval(samples: Sequence[float], level: float = LEVEL) -> tuple[float, float, float, int]:
    """Mean, the confidence interval of the mean, and the number of finite samples."""
    x = np.asarray([v for v in np.ravel(samples) if np.isfinite(v)], dtype=np.float64)
    n = int(x.size)
    if n == 0:
        return float("nan"), float("nan"), float("nan"), 0
    mean = float(x.mean())
    if n < 2:
        return mean, float("nan"), float("nan"), n
    half = t_quantile(n, level) * float(x.std(ddof=1)) / math.sqrt(n)
    return mean, mean - half, mean + half, n


def samples_to_decide(
    samples: Sequence[float], tol_lo: float, tol_hi: float, level: float = LEVEL
) -> int | None:
    """Samples at which the interval of the mean would clear the nearest tolerance bound,
    assuming the mean and spread stay what they are (None if it never would).
    """
    mean, _, _, n = interval(samples, level)
    x = np.asarray([v for v in np.ravel(samples) if np.isfinite(v)], dtype=np.float64)
    if n < 2 or not np.isfinite(mean):
        return None
    s = float(x.std(ddof=1))
    dist = min(abs(mean - b) for b in (tol_lo, tol_hi) if np.isfinite(b))
    if s == 0:
        return max(n, MIN_SAMPLES)
    if dist == 0:
        return None
    for m in range(max(n, MIN_SAMPLES), 10_000):
        if t_quantile(m, level) * s / math.sqrt(m) < dist:
            return m
    return None


def _inside(x, tol_lo: float, tol_hi: float) -> np.ndarray:
    """Whether each value lies inside the tolerance (its bounds belong to a one-value one)."""
    x = np.asarray(x, dtype=np.float64)
    if tol_lo == tol_hi:
        return (x >= tol_lo) & (x <= tol_hi)
    return (x > tol_lo) & (x < tol_hi)


def lean(samples: Sequence[float], tol_lo: float, tol_hi: float) -> str:
    """Which way an undecided claim leans: the rule of the module docstring.

    The one-sided :data:`LEAN_LEVEL` Student-t bounds of the mean, ``mean -/+ t s / sqrt(n)``
    with ``t`` the ``LEAN_LEVEL`` quantile for ``n - 1`` degrees of freedom, are compared with
    the tolerance: both inside gives :data:`TOWARD_REPRODUCED`, both beyond one bound
    :data:`TOWARD_NOT_REPRODUCED`, anything else (or fewer than two samples) :data:`NO_LEAN`.
    """
    x = np.asarray([v for v in np.ravel(samples) if np.isfinite(v)], dtype=np.float64)
    n = int(x.size)
    if n < 2:
        return NO_LEAN
    from scipy.stats import t

    mean = float(x.mean())
    half = float(t.ppf(LEAN_LEVEL, n - 1)) * float(x.std(ddof=1)) / math.sqrt(n)
    lo, hi = mean - half, mean + half
    if bool(_inside([lo, hi], tol_lo, tol_hi).all()):
        return TOWARD_REPRODUCED
    if hi < tol_lo or lo > tol_hi:
        return TOWARD_NOT_REPRODUCED
    return NO_LEAN


def decide(
    samples: Sequence[float],
    tol_lo: float = -math.inf,
    tol_hi: float = math.inf,
    gates: Sequence[Gate] = (),
    unit: str = "samples",
    level: float = LEVEL,
) -> Decision:
    """The verdict of a claim: the one rule of the module docstring.

    Parameters
    ----------
    samples : sequence of float
        One measured value per seed or independent replica (non-finite values are dropped:
        a diverged run counts as no sample).
    tol_lo, tol_hi : float
        The tolerance interval (one side may be infinite).
    gates : sequence of Gate
        Conditions the statistic needs; any failed gate makes the claim undecided.
    unit : str
        What a sample is, for ``decide_at`` ("seeds", "replicas").
    level : float
        Confidence level of the interval.

    Returns
    -------
    Decision
    """
    if not tol_lo <= tol_hi:
        raise ValueError(f"expected tol_lo <= tol_hi, found {tol_lo} and {tol_hi}")
    mean, lo, hi, n = interval(samples, level)
    finite = [v for v in np.ravel(samples) if np.isfinite(v)]
    n_in = int(_inside(finite, tol_lo, tol_hi).sum())
    sides = {"n_inside": n_in, "n_outside": n - n_in}
    failed = [g for g in gates if not g.passed]
    if failed:
        return Decision(
            UNDECIDED,
            mean,
            lo,
            hi,
            n,
            gate="; ".join(g.text() for g in failed),
            decide_at="; ".join(g.decide_at for g in failed if g.decide_at),
            lean=lean(finite, tol_lo, tol_hi),
            **sides,
        )
    if n < MIN_SAMPLES:
        return Decision(
            UNDECIDED,
            mean,
            lo,
            hi,
            n,
            gate=f"{n} {unit} < {MIN_SAMPLES} needed",
            decide_at=f"{MIN_SAMPLES} {unit}",
            lean=lean(finite, tol_lo, tol_hi),
            **sides,
        )
    if bool(_inside([lo, hi], tol_lo, tol_hi).all()):
        return Decision(REPRODUCED, mean, lo, hi, n, **sides)
    if hi < tol_lo or lo > tol_hi:
        return Decision(NOT_REPRODUCED, mean, lo, hi, n, **sides)
    m = samples_to_decide(samples, tol_lo, tol_hi, level)
    if m and m <= MAX_SAMPLES:
        at = f"about {m} {unit} (the interval straddles a bound at the present spread)"
    else:
        at = (
            f"at the tolerance bound: the mean is too close to a bound for {MAX_SAMPLES} {unit} "
            "to decide at the present spread"
        )
    return Decision(
        UNDECIDED, mean, lo, hi, n, decide_at=at, lean=lean(finite, tol_lo, tol_hi), **sides
    )


def identity(samples: Any) -> np.ndarray:
    """The samples themselves (one measured value per seed or replica)."""
    return np.asarray(samples, dtype=np.float64).ravel()


def min_over(obs: Mapping[Any, Sequence[float]]) -> np.ndarray:
    """Per sample, the smallest of several measured values (``{name: per-seed values}``):
    "holds at every lead" becomes "the worst lead holds".
    """
    rows = [np.asarray(v, dtype=np.float64) for v in obs.values()]
    if not rows:
        return np.array([], dtype=np.float64)
    return np.min(np.vstack(rows), axis=0)


def max_over(obs: Mapping[Any, Sequence[float]]) -> np.ndarray:
    """Per sample, the largest of several measured values (``{name: per-seed values}``)."""
    rows = [np.asarray(v, dtype=np.float64) for v in obs.values()]
    if not rows:
        return np.array([], dtype=np.float64)
    return np.max(np.vstack(rows), axis=0)


def smallest_step(obs: Sequence[Sequence[float]]) -> np.ndarray:
    """Per sample (one row each), the smallest increase between consecutive values: positive
    exactly when the row increases strictly.
    """
    out = []
    for row in obs:
        r = np.asarray(row, dtype=np.float64)
        out.append(float(np.min(np.diff(r))) if r.size >= 2 else float("nan"))
    return np.asarray(out, dtype=np.float64)


@dataclass(frozen=True)
class Check:
    """A registered check: one statement's measure, tolerance and fixtures.

    The chapter's ``claims.py`` extracts the *observations* (per-seed numbers) from typed
    results and calls :meth:`evaluate`; ``tests/book/test_verdicts.py`` calls the same method on
    :attr:`fixtures`, one set per verdict, so a check that cannot fail (or cannot pass) is a
    failing test.

    Attributes
    ----------
    id : str
        The claim id (``"ch04.fes-rmse"``).
    document : str
        Paper package that states it (``"sidky2020"``).
    where : str
        Section, figure or table of the document.
    statement : str
        What the document says, in our words.
    paper : str
        The document's value or qualitative statement (text).
    paper_value : float or None
        The document's number when it gives one (None for orderings).
    tol_lo, tol_hi : float
        Tolerance interval of the measured value (one side may be infinite). For a check of a
        paper they come from its ``registry.yaml`` (:mod:`mdrepro.book.registry`), never from
        code: :func:`register` fills them in.
    unit : str
        Unit of the measured value (``"kT"``, ``"ratio"``, ``"Å"``).
    criterion : str
        The rule in words, with where the tolerance comes from.
    measure : callable
        Observations -> samples (one value per seed or replica).
    fixtures : dict
        Verdict -> observations for which :meth:`evaluate` must return that verdict.
    beyond_paper : bool
        The document does not make this statement (our own check, shown apart).
    family : str
        Family of claims for the negative controls (``"forecast-vs-static"``).
    sample_unit : str
        What one sample is (``"seeds"``, ``"replicas"``, ``"data sets"``).
    klass : str
        ``claim``, ``setup`` or ``construction`` (from the registry; only ``claim`` counts).
    reason : str
        Why a ``setup`` or ``construction`` check is one.
    basis : str
        The document's words that allow a wide tolerance (from the registry).
    """

    id: str
    document: str
    where: str
    statement: str
    paper: str
    unit: str
    criterion: str
    fixtures: Mapping[str, Any] = field(repr=False, default_factory=dict)
    measure: Callable[[Any], np.ndarray] = identity
    paper_value: float | None = None
    beyond_paper: bool = False
    family: str = ""
    sample_unit: str = "seeds"
    tol_lo: float | None = None
    tol_hi: float | None = None
    klass: str = "claim"
    reason: str = ""
    basis: str = ""

    def samples(self, obs: Any) -> np.ndarray:
        """The samples of ``obs`` (:attr:`measure`)."""
        return np.asarray(self.measure(obs), dtype=np.float64).ravel()

    def evaluate(self, obs: Any, gates: Sequence[Gate] = ()) -> Decision:
        """:func:`decide` on the samples of ``obs`` with this check's tolerance."""
        return decide(self.samples(obs), self.tol_lo, self.tol_hi, gates, self.sample_unit)


#: Every check of the book, by claim id.
CHECKS: dict[str, Check] = {}


def register(check: Check) -> Check:
    """Add a check to :data:`CHECKS` and return it with its registry entry filled in: tolerance,
    class and reason from ``mdrepro/papers/<document>/registry.yaml``. An id registered twice
    must be the same check.

    A check without a registry entry must carry its own tolerance (a test's check); every
    check of the papers' claims modules has an entry (``tests/book/test_registry.py``).

    Raises
    ------
    ValueError
        When a check has neither a registry entry nor a tolerance, when code gives a
        tolerance that differs from the registry's, or when an id is registered twice with
        other tolerances.
    """
    from dataclasses import replace

    from mdrepro.book import registry

    ent = registry.entry(check.document, check.id)
    if ent is not None:
        given = (check.tol_lo, check.tol_hi)
        if given != (None, None) and given != (ent.tol_lo, ent.tol_hi):
            raise ValueError(
                f"check {check.id!r} is registered twice with different tolerances: "
                f"code {list(given)}, {registry.path(check.document).name} "
                f"{[ent.tol_lo, ent.tol_hi]}"
            )
        check = replace(
            check,
            tol_lo=ent.tol_lo,
            tol_hi=ent.tol_hi,
            klass=ent.klass,
            reason=ent.reason,
            basis=ent.basis,
        )
    elif check.tol_lo is None or check.tol_hi is None:
        raise ValueError(
            f"check {check.id!r}: expected an entry in {registry.path(check.document)}, found none"
        )
    old = CHECKS.get(check.id)
    if old is not None and (old.tol_lo, old.tol_hi, old.document) != (
        check.tol_lo,
        check.tol_hi,
        check.document,
    ):
        raise ValueError(f"check {check.id!r} is registered twice with different tolerances")
    if not check.tol_lo <= check.tol_hi:
        raise ValueError(
            f"check {check.id!r}: expected tol_lo <= tol_hi, found {check.tol_lo}, {check.tol_hi}"
        )
    CHECKS[check.id] = check
    return check


def all_checks() -> dict[str, Check]:
    """Every registered check, after importing every paper's ``claims`` module."""
    import importlib

    from mdrepro.papers import PAPERS

    for paper in PAPERS:
        importlib.import_module(f"mdrepro.papers.{paper}.claims")
    return dict(CHECKS)
