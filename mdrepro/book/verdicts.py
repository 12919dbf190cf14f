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
  number of samples at which the interval would clear the nearest tolerance bound, or what the
  failed gate needs.

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
    """

    verdict: str
    value: float
    lo: float
    hi: float
    n: int
    gate: str = ""
    decide_at: str = ""


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
        )
    point = tol_lo == tol_hi  # an exact value (e.g. a count): its bounds belong to it
    inside = (tol_lo <= lo and hi <= tol_hi) if point else (tol_lo < lo and hi < tol_hi)
    if inside:
        return Decision(REPRODUCED, mean, lo, hi, n)
    if hi < tol_lo or lo > tol_hi:
        return Decision(NOT_REPRODUCED, mean, lo, hi, n)
    m = samples_to_decide(samples, tol_lo, tol_hi, level)
    return Decision(
        UNDECIDED,
        mean,
        lo,
        hi,
        n,
        decide_at=(
            f"about {m} {unit} (the interval straddles a bound at the present spread)"
            if m
            else "not decidable by more samples: the mean sits on a tolerance bound"
        ),
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
        Tolerance interval of the measured value (one side may be infinite).
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
        What one sample is (``"seeds"``, ``"replicas"``).
    """

    id: str
    document: str
    where: str
    statement: str
    paper: str
    tol_lo: float
    tol_hi: float
    unit: str
    criterion: str
    fixtures: Mapping[str, Any] = field(repr=False, default_factory=dict)
    measure: Callable[[Any], np.ndarray] = identity
    paper_value: float | None = None
    beyond_paper: bool = False
    family: str = ""
    sample_unit: str = "seeds"

    def samples(self, obs: Any) -> np.ndarray:
        """The samples of ``obs`` (:attr:`measure`)."""
        return np.asarray(self.measure(obs), dtype=np.float64).ravel()

    def evaluate(self, obs: Any, gates: Sequence[Gate] = ()) -> Decision:
        """:func:`decide` on the samples of ``obs`` with this check's tolerance."""
        return decide(self.samples(obs), self.tol_lo, self.tol_hi, gates, self.sample_unit)


#: Every check of the book, by claim id.
CHECKS: dict[str, Check] = {}


def register(check: Check) -> Check:
    """Add a check to :data:`CHECKS` (an id registered twice must be the same check)."""
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
