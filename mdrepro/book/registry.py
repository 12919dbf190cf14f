"""The registry of checks: class and tolerance of every check, in a data file per paper.

``mdrepro/papers/<paper>/registry.yaml`` lists every check of the paper's chapters:

* ``class`` - what kind of check it is (:data:`CLASSES`):

  - ``claim``: a statement of the document whose outcome was open, given our data and
    protocol. Only these enter *reproduced / not reproduced / undecided* and the counts;
  - ``setup``: a property of our own data or protocol (data QA: still run and shown);
  - ``construction``: true by physics, mathematics or the architecture (also shown apart);

* ``tolerance`` - ``[lo, hi]`` of the measured value (``.inf`` for an open side);
* ``reason`` - for a ``setup`` or ``construction`` check, one line that says why it is one;
* ``reading`` - optional: how the document's number is read (convention, definitions), written
  before the check is computed that way;
* ``basis`` - for a tolerance wider than a factor of 3 either way (``hi / lo >= 9`` with both
  bounds positive, :data:`WIDE`), the document's words that allow it (statement id and quote).

The file is the only place a tolerance lives: :func:`mdrepro.book.verdicts.register` fills each
check's tolerance and class from it. :func:`registry_hash` hashes the paper's checks together
with the resolved sizes of its chapters (seeds, replicas, epochs, caps: each chapter's
``params.resolve(chapter, profile)``) per ``(paper, profile)``; every claims record carries it,
so a size or tolerance changed after results were seen shows in the record, and the change
belongs in ``book/verdict-log.md`` with the verdicts before and after.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

import yaml

from mdrepro.errors import DataError

PAPERS_DIR = Path(__file__).resolve().parents[1] / "papers"
CLAIM = "claim"
SETUP = "setup"
CONSTRUCTION = "construction"
#: The classes of a check; only :data:`CLAIM` is counted.
CLASSES = (CLAIM, SETUP, CONSTRUCTION)
#: A two-sided positive tolerance at least this wide (hi / lo) must cite the document's words.
WIDE = 9.0


@dataclass(frozen=True)
class Entry:
    """One check's registry entry.

    Attributes
    ----------
    id : str
        The claim id.
    klass : str
        One of :data:`CLASSES`.
    tol_lo, tol_hi : float
        Tolerance interval (one side may be infinite).
    reason : str
        Why a ``setup`` or ``construction`` check is one (empty for a ``claim``).
    basis : str
        The document's words that allow a wide tolerance (empty when not needed).
    reading : str
        How the document's number is read (convention, definitions), when that needs saying.
    """

    id: str
    klass: str
    tol_lo: float
    tol_hi: float
    reason: str = ""
    basis: str = ""
    reading: str = ""


def path(paper: str) -> Path:
    """``mdrepro/papers/<paper>/registry.yaml``."""
    return PAPERS_DIR / paper / "registry.yaml"


def _bound(x, where: str) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: expected a number or .inf, found {x!r}") from None
    if math.isnan(v):
        raise ValueError(f"{where}: expected a number or .inf, found NaN")
    return v


@functools.cache
def load(paper: str) -> dict[str, Entry]:
    """Every entry of ``paper``'s registry, by check id (empty when the paper has none).

    Raises
    ------
    ValueError
        One line naming the file and entry, when an entry is malformed.
    """
    f = path(paper)
    if not f.is_file():
        return {}
    doc = yaml.safe_load(f.read_text()) or {}
    out = {}
    for cid, e in (doc.get("checks") or {}).items():
        where = f"{f.name} of {paper}, check {cid}"
        if not isinstance(e, dict) or "class" not in e or "tolerance" not in e:
            raise ValueError(f"{where}: expected 'class' and 'tolerance', found {e!r}")
        klass = e["class"]
        if klass not in CLASSES:
            raise ValueError(f"{where}: expected class in {CLASSES}, found {klass!r}")
        tol = e["tolerance"]
        if not isinstance(tol, list) or len(tol) != 2:
            raise ValueError(f"{where}: expected tolerance [lo, hi], found {tol!r}")
        lo, hi = (_bound(x, where) for x in tol)
        if not lo <= hi:
            raise ValueError(f"{where}: expected lo <= hi, found [{lo}, {hi}]")
        reason = str(e.get("reason") or "").strip()
        if klass != CLAIM and not reason:
            raise ValueError(f"{where}: a {klass} check needs a one-line 'reason', found none")
        basis = str(e.get("basis") or "").strip()
        if lo > 0 and math.isfinite(hi) and hi / lo >= WIDE * (1 - 1e-12) and not basis:
            raise ValueError(
                f"{where}: a tolerance wider than a factor of 3 either way ([{lo:g}, {hi:g}]) "
                "needs a 'basis' that quotes the document's words allowing it, found none"
            )
        reading = str(e.get("reading") or "").strip()
        out[cid] = Entry(cid, klass, lo, hi, reason, basis, reading)
    return out


@dataclass(frozen=True)
class Tier:
    """A tier above ci as a paper's registry declares it, before any of its results.

    Attributes
    ----------
    name : str
        ``"extended"``.
    chapters : tuple of str
        The chapters that run at this tier.
    sizes : dict
        The parameters it changes from ci (the paper's extended overrides).
    claims : tuple of str
        The undecided ci claims it is meant to decide.
    cost, basis, not_for : str
        The estimate it was sized by, why these sizes, and what it is not for.
    """

    name: str
    chapters: tuple[str, ...]
    sizes: dict
    claims: tuple[str, ...]
    cost: str
    basis: str
    not_for: str = ""


def tiers(paper: str) -> dict[str, Tier]:
    """The tiers above ci that ``paper``'s registry declares (``tiers:``), by name.

    Raises
    ------
    ValueError
        One line naming the file and tier, when a tier lacks its chapters, sizes, claims or
        cost, or lists a claim the registry does not hold.
    """
    f = path(paper)
    if not f.is_file():
        return {}
    doc = yaml.safe_load(f.read_text()) or {}
    checks = doc.get("checks") or {}
    out = {}
    for name, t in (doc.get("tiers") or {}).items():
        where = f"{f.name} of {paper}, tier {name}"
        missing = [k for k in ("chapters", "sizes", "claims", "cost", "basis") if not t.get(k)]
        if missing:
            raise ValueError(f"{where}: expected {', '.join(missing)}, found none")
        unknown = [c for c in t["claims"] if c not in checks]
        if unknown:
            raise ValueError(f"{where}: expected claims of the registry, found {unknown}")
        out[name] = Tier(
            name,
            tuple(t["chapters"]),
            dict(t["sizes"]),
            tuple(t["claims"]),
            str(t["cost"]),
            str(t["basis"]),
            str(t.get("not_for") or ""),
        )
    return out


def entry(paper: str, check_id: str) -> Entry | None:
    """The registry entry of one check (None when the registry does not list it)."""
    return load(paper).get(check_id)


def tolerance(paper: str, check_id: str) -> tuple[float, float]:
    """``(lo, hi)`` of a registered check: what a claims module quotes in its criterion text,
    read from the registry so that the text cannot drift from the tolerance.

    Raises
    ------
    KeyError
        One line, when the registry does not list the check.
    """
    e = entry(paper, check_id)
    if e is None:
        raise KeyError(f"expected {check_id!r} in {path(paper)}, found no entry")
    return e.tol_lo, e.tol_hi


#: paper -> (resolve(chapter, profile) -> params, chapter ids): what each paper's claims module
#: provides (:func:`provide_sizes`), so that this layer never imports a paper package.
_SIZES: dict[str, tuple] = {}


def provide_sizes(paper: str, resolve, chapters) -> None:
    """Called by a paper's ``claims`` module: how to resolve its chapters' sizes (seeds,
    replicas, epochs, caps) under a profile, for :func:`registry_hash`.

    Parameters
    ----------
    paper : str
    resolve : callable
        ``resolve(chapter, profile) -> dict`` (the paper's ``params.resolve``).
    chapters : iterable of str
        The paper's chapter ids.
    """
    _SIZES[paper] = (resolve, tuple(chapters))
    registry_hash.cache_clear()


def _sizes(paper: str, profile: str) -> dict:
    """The resolved parameters of every chapter of ``paper`` (empty when none are provided)."""
    if paper not in _SIZES:
        return {}
    resolve, chapters = _SIZES[paper]
    out = {}
    for ch in chapters:
        try:
            out[ch] = resolve(ch, profile)
        except DataError:  # a chapter without this tier (extended)
            continue
    return out


def canonical(obj) -> str:
    """Canonical JSON (sorted keys, no spaces; infinities as strings) of ``obj``."""

    def fix(x):
        if isinstance(x, float) and not math.isfinite(x):
            return repr(x)
        if isinstance(x, dict):
            return {str(k): fix(v) for k, v in x.items()}
        if isinstance(x, list | tuple):
            return [fix(v) for v in x]
        return x

    return json.dumps(fix(obj), sort_keys=True, separators=(",", ":"), default=str)


@functools.cache
def registry_hash(paper: str, profile: str) -> str:
    """sha256 (16 hex) of ``paper``'s registry entries and its chapters' resolved sizes under
    ``profile``: what every claims record of the paper carries.
    """
    checks = {
        cid: [e.klass, e.tol_lo, e.tol_hi, e.reason, e.basis, e.reading]
        for cid, e in sorted(load(paper).items())
    }
    doc = {"checks": checks, "sizes": _sizes(paper, profile) if profile else {}}
    return hashlib.sha256(canonical(doc).encode()).hexdigest()[:16]
