"""Claim records: one statement of a document, measured on our data, with a three-way verdict.

A chapter's ``claims.py`` extracts per-seed observations from typed results and calls
:meth:`ClaimSet.check` with the id of a registered :class:`~mdrepro.book.verdicts.Check`; the
check's measure and the book's one rule (:func:`mdrepro.book.verdicts.decide`) give the verdict:
``reproduced``, ``not reproduced`` or ``undecided``. The set is shown as a table and written as
JSON; ``mdrepro book`` turns every chapter's JSON into the scorecard. A claim that is not
reproduced is kept, with its reason: it is never tuned away.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from mdrepro.book.registry import registry_hash
from mdrepro.book.verdicts import (
    CHECKS,
    NO_LEAN,
    NOT_REPRODUCED,
    REPRODUCED,
    TOWARD_NOT_REPRODUCED,
    TOWARD_REPRODUCED,
    UNDECIDED,
    VERDICTS,
    Gate,
    _inside,
    identity,
)
from mdrepro.data.cache import atomic_write_text

#: Colour-blind-safe colours (Okabe-Ito) and marker shapes of the three verdicts.
VERDICT_STYLE = {
    REPRODUCED: ("#0072B2", "o", "✔"),
    NOT_REPRODUCED: ("#D55E00", "X", "✘"),
    UNDECIDED: ("#E69F00", "D", "?"),
}


def _finite(x: Any) -> float | None:
    """A float for JSON, None for NaN, infinities and None."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


@dataclass
class Claim:
    """One checked statement: the record every chapter writes (one schema for the book).

    Attributes
    ----------
    id : str
        Stable identifier, e.g. ``"ch01.static-error-grows.adk"``.
    chapter : str
        Chapter id.
    document : str
        The paper package that states it (``"gupta2020"``).
    where : str
        Section, figure or table of the document.
    quote : str
        The document's words (from its ``statements.yaml``; empty for ``beyond_paper``).
    statement : str
        What is checked, in our words.
    system : str
        What we ran instead of the paper's system.
    paper : str
        The document's value or qualitative statement (text).
    measured : str
        What we measured, formatted with units.
    value : float or None
        Mean of the samples (one per seed or replica).
    paper_value : float or None
        The document's number, when it gives one.
    tol_lo, tol_hi : float or None
        Tolerance interval of ``value`` (None: unbounded on that side).
    unit : str
        Unit of ``value``.
    criterion : str
        The rule in words and where the tolerance comes from.
    verdict : str
        ``reproduced``, ``not reproduced`` or ``undecided``.
    gate : str
        Why the claim is undecided by a gate (empty otherwise).
    decide_at : str
        What would decide an undecided claim.
    beyond_paper : bool
        The document does not make this statement.
    profile : str
        ``ci`` or ``paper``.
    seeds : list of int
        Seeds (or replica indices) of the samples.
    n : int
        Number of finite samples.
    interval : list of float or None
        95 % confidence interval of the mean ``[lo, hi]``.
    spread : str
        Every sample, ``"n=3: a, b, c"``.
    note : str
        Anything else a reader needs (data substitution, scale).
    check_class : str
        ``claim``, ``setup`` or ``construction`` (the registry's class; JSON field ``class``).
        Only a ``claim`` is counted.
    class_reason : str
        Why a ``setup`` or ``construction`` check is one.
    registry_hash : str
        :func:`mdrepro.book.registry.registry_hash` of the document and profile: its checks'
        classes and tolerances and its chapters' sizes when the record was made.
    lean : str
        For an undecided record, which way it leans (:func:`mdrepro.book.verdicts.lean`).
    n_inside, n_outside : int
        Samples inside and outside the tolerance.
    sample_unit : str
        What one sample is (:data:`mdrepro.book.verdicts.SAMPLE_UNITS`).
    rule_verdict : str
        The verdict of the numbers alone (:func:`mdrepro.book.verdicts.decide` with the
        gates), before :meth:`ClaimSet.settle` asks for controls both ways.
    control : str
        For a decided claim, the control that shows it could have come out the other way
        (:meth:`ClaimSet.settle`): for *reproduced*, a negative control or null on real data
        that landed *not reproduced*, with its margin to the tolerance; for *not reproduced*, a
        positive control that landed *reproduced* through the same gates.
    """

    id: str
    chapter: str
    document: str
    where: str
    quote: str
    statement: str
    system: str
    paper: str
    measured: str
    value: float | None
    paper_value: float | None
    tol_lo: float | None
    tol_hi: float | None
    unit: str
    criterion: str
    verdict: str
    gate: str = ""
    decide_at: str = ""
    beyond_paper: bool = False
    profile: str = "ci"
    seeds: list = field(default_factory=list)
    n: int = 0
    interval: list = field(default_factory=lambda: [None, None])
    spread: str = ""
    note: str = ""
    check_class: str = "claim"
    class_reason: str = ""
    registry_hash: str = ""
    lean: str = ""
    n_inside: int = 0
    n_outside: int = 0
    sample_unit: str = ""
    control: str = ""
    rule_verdict: str = ""

    @property
    def counted(self) -> bool:
        """Whether the record is a ``claim`` of the document: the only kind that is counted."""
        return self.check_class == "claim" and not self.beyond_paper

    @property
    def decided(self) -> bool:
        """Reproduced or not reproduced."""
        return self.verdict in (REPRODUCED, NOT_REPRODUCED)

    def to_dict(self) -> dict:
        """The JSON record (``check_class`` is written as ``class``)."""
        d = asdict(self)
        d["class"] = d.pop("check_class")
        return d

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(
                f"verdict of {self.id!r}: expected one of {VERDICTS}, found {self.verdict!r}"
            )


@dataclass
class Control:
    """A negative control: a registered check run on deliberately broken inputs from the real
    data (an untrained network, shuffled frames), which must come out ``not reproduced``.

    Attributes
    ----------
    id : str
        The check that was run.
    chapter : str
    family : str
        The family of claims it guards (the check's ``family``).
    what : str
        What was broken, e.g. ``"untrained network (0 epochs)"``.
    measured : str
    value : float or None
    interval : list of float or None
    n : int
    verdict : str
        The check's verdict on the control's inputs.
    ok : bool
        Whether it landed where it must: ``not reproduced`` for a negative control,
        ``reproduced`` for a positive one.
    kind : str
        ``negative`` (inputs with the effect removed or broken) or ``positive`` (an input with
        the effect: the paper's own value, or the check's registered synthetic set).
    margin : float or None
        How far the control's 95 % interval lies beyond the tolerance bound it crossed (in the
        claim's unit; negative: it did not cross).
    """

    id: str
    chapter: str
    family: str
    what: str
    measured: str
    value: float | None
    interval: list
    n: int
    verdict: str
    ok: bool
    kind: str = "negative"
    margin: float | None = None


#: Every field a claims record must have (as written to JSON: ``check_class`` is ``class``).
CLAIM_FIELDS = tuple("class" if f.name == "check_class" else f.name for f in fields(Claim))


def _margin_outside(lo: float, hi: float, tol_lo, tol_hi) -> float:
    """How far the interval ``[lo, hi]`` lies outside the tolerance (positive) or how far it
    is from leaving it (negative); NaN without an interval.
    """
    tl = -math.inf if tol_lo is None else tol_lo
    th = math.inf if tol_hi is None else tol_hi
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return float("nan")
    return max(tl - hi, lo - th)


def _quote(check) -> tuple[str, str]:
    """The first quoted statement of the check's document that this claim checks."""
    if check.beyond_paper:
        return check.where, ""
    from mdrepro.book.statements import quotes_for

    found = quotes_for(check.document, check.id)
    if not found:
        return check.where, ""
    where, quote = found[0]
    return where, quote


@dataclass
class ClaimSet:
    """The claims of one chapter and one run.

    Parameters
    ----------
    chapter : str
    profile : str
    system : str
        Default substitute system of the chapter's claims.
    """

    chapter: str
    profile: str
    claims: list[Claim] = field(default_factory=list)
    system: str = ""
    controls: list[Control] = field(default_factory=list)
    required: list[Gate] = field(default_factory=list, repr=False)
    gates_for: Any = field(default=None, repr=False)
    _settled: bool = field(default=False, repr=False, compare=False)

    def require(self, *gates: Gate) -> None:
        """Gates that every claim checked from now on needs as well (e.g. that every fit of
        the chapter is adequate, :func:`mdrepro.book.fits.gate`).
        """
        self.required.extend(gates)

    def require_by_claim(self, gates_for) -> None:
        """``gates_for(claim_id)`` -> the gates that claim needs as well (e.g. the adequacy of
        the fits it reads).
        """
        self.gates_for = gates_for

    def control(self, id: str, obs: Any, what: str, measured: str = "") -> Control:
        """Run the registered check ``id`` on broken inputs and record the negative control.

        Parameters
        ----------
        id : str
            Id of a check in :data:`mdrepro.book.verdicts.CHECKS`.
        obs
            Observations computed from the broken inputs.
        what : str
            What was broken.
        measured : str
            What was measured, formatted for a reader.
        """
        if id not in CHECKS:
            raise KeyError(f"control of {id!r}: expected a registered check, found none")
        chk = CHECKS[id]
        d = chk.evaluate(obs)
        c = Control(
            id=id,
            chapter=self.chapter,
            family=chk.family,
            what=what,
            measured=measured or spread(chk.samples(obs))[1],
            value=_finite(d.value),
            interval=[_finite(d.lo), _finite(d.hi)],
            n=d.n,
            verdict=d.verdict,
            ok=d.verdict == NOT_REPRODUCED,
            kind="negative",
            margin=_finite(_margin_outside(d.lo, d.hi, chk.tol_lo, chk.tol_hi)),
        )
        self.controls.append(c)
        self._settled = False
        return c

    def settle(self) -> None:
        """Make every decided claim show that it could have come out the other way (once;
        called before a set is written, shown or counted).

        * A *reproduced* claim needs a negative control or null of the same check, on real
          data, that landed *not reproduced* (:meth:`control`); it names it, with its margin to
          the tolerance. Without one it is not counted as reproduced: it becomes *undecided*
          (gate: no null), leaning toward reproduced, and says what would decide it.
        * A *not reproduced* claim gets a positive control through the same check (its data
          gates passed, or it would be undecided): the document's own value fed through the
          check where the check reads that value directly and it lies strictly inside the
          tolerance, else the check's registered synthetic observations with the effect built
          in (an observation-level control). It must land *reproduced*; if it does not, the
          claim is *undecided* (a defect).
        """
        if self._settled:
            return
        for i, c in enumerate(self.claims):
            if c.check_class != "claim":
                continue
            if (c.rule_verdict or c.verdict) == REPRODUCED:
                landed = [
                    k for k in self.controls if k.id == c.id and k.kind == "negative" and k.ok
                ]
                if landed:
                    k = landed[0]
                    self.claims[i] = replace(
                        c,
                        verdict=REPRODUCED,
                        gate="",
                        decide_at="",
                        lean="",
                        control=f"negative control: {k.what}: {k.verdict}, "
                        f"{_fmt(k.margin)} {c.unit} beyond the tolerance".strip(),
                    )
                else:
                    self.claims[i] = replace(
                        c,
                        verdict=UNDECIDED,
                        gate="no negative control or null on real data has landed on the other "
                        "side: not counted as reproduced",
                        decide_at="a null from the same data that removes the effect (e.g. "
                        "shuffled frames, a surrogate), landing not reproduced",
                        lean=TOWARD_REPRODUCED,
                    )
            elif c.verdict == NOT_REPRODUCED and not c.control:
                self.claims[i] = self._positive_control(c)
        self._settled = True

    def _positive_control(self, c: Claim) -> Claim:
        chk = CHECKS.get(c.id)
        if chk is None:
            return c
        n = max(c.n, 3)
        direct = (
            chk.measure is identity
            and chk.paper_value is not None
            and bool(_inside([chk.paper_value], chk.tol_lo, chk.tol_hi).all())
        )  # the document's value on or beyond a bound cannot serve: use the synthetic set
        if direct:
            obs, what = (
                [float(chk.paper_value)] * n,
                f"the document's own value {chk.paper_value:g}",
            )
        else:
            obs, what = chk.fixtures.get(REPRODUCED), "the check's synthetic set with the effect"
        if obs is None:
            return c
        d = chk.evaluate(obs)
        ok = d.verdict == REPRODUCED
        self.controls.append(
            Control(
                id=c.id,
                chapter=self.chapter,
                family=chk.family,
                what=f"positive control: {what}",
                measured=spread(chk.samples(obs))[1],
                value=_finite(d.value),
                interval=[_finite(d.lo), _finite(d.hi)],
                n=d.n,
                verdict=d.verdict,
                ok=ok,
                kind="positive",
            )
        )
        if ok:
            return replace(c, control=f"positive control: {what}: reproduced")
        return replace(
            c,
            verdict=UNDECIDED,
            gate="its positive control did not land reproduced: the check may be unable to pass",
            decide_at="a positive control that lands reproduced through the same check",
            lean=NO_LEAN,
            control=f"positive control: {what}: {d.verdict}",
        )

    def check(
        self,
        id: str,
        obs: Any,
        measured: str,
        gates: Sequence[Gate] = (),
        seeds: Sequence[int] = (),
        note: str = "",
        system: str | None = None,
    ) -> Claim:
        """Judge the registered check ``id`` on its observations and record the claim.

        Parameters
        ----------
        id : str
            Id of a check in :data:`mdrepro.book.verdicts.CHECKS`.
        obs
            The check's observations (per-seed values; see the check's ``measure``).
        measured : str
            What was measured, formatted for a reader.
        gates : sequence of Gate
            Conditions on the data that the statistic needs.
        seeds : sequence of int
            Seeds or replicas of the samples.
        note, system : str
        """
        if id not in CHECKS:
            raise KeyError(f"claim {id!r}: expected a registered check, found none")
        if any(c.id == id for c in self.claims):
            raise ValueError(f"claim id {id!r} is already in this set")
        chk = CHECKS[id]
        samples = chk.samples(obs)
        extra = list(self.gates_for(id)) if self.gates_for is not None else []
        d = chk.evaluate(obs, [*gates, *self.required, *extra])
        where, quote = _quote(chk)
        c = Claim(
            id=id,
            chapter=self.chapter,
            document=chk.document,
            where=where,
            quote=quote,
            statement=chk.statement,
            system=self.system if system is None else system,
            paper=chk.paper,
            measured=measured,
            value=_finite(d.value),
            paper_value=_finite(chk.paper_value),
            tol_lo=_finite(chk.tol_lo),
            tol_hi=_finite(chk.tol_hi),
            unit=chk.unit,
            criterion=chk.criterion + (f" (tolerance: {chk.basis})" if chk.basis else ""),
            verdict=d.verdict,
            gate=d.gate,
            decide_at=d.decide_at,
            beyond_paper=chk.beyond_paper,
            profile=self.profile,
            seeds=[int(s) for s in seeds],
            n=d.n,
            interval=[_finite(d.lo), _finite(d.hi)],
            spread=spread(samples)[1],
            note=note,
            check_class=chk.klass,
            class_reason=chk.reason,
            registry_hash=registry_hash(chk.document, self.profile),
            lean=d.lean,
            n_inside=d.n_inside,
            n_outside=d.n_outside,
            sample_unit=chk.sample_unit,
            rule_verdict=d.verdict,
        )
        self.claims.append(c)
        self._settled = False
        return c

    def verdicts(self, settled: bool = True) -> dict[str, str]:
        """The verdict of every claim, by id: settled (:meth:`settle`), or ``settled=False``
        the verdict of the numbers alone (``rule_verdict``).
        """
        if not settled:
            return {c.id: c.rule_verdict or c.verdict for c in self.claims}
        self.settle()
        return {c.id: c.verdict for c in self.claims}

    def to_json(self) -> str:
        """JSON document of the set (settled first: :meth:`settle`)."""
        self.settle()
        return json.dumps(
            {
                "chapter": self.chapter,
                "profile": self.profile,
                "claims": [c.to_dict() for c in self.claims],
                "controls": [asdict(c) for c in self.controls],
            },
            indent=2,
            ensure_ascii=False,
        )

    def write(self, directory: str | Path) -> Path:
        """Write ``<directory>/<chapter>.json`` atomically and return its path."""
        path = Path(directory) / f"{self.chapter}.json"
        atomic_write_text(path, self.to_json())
        return path

    def _repr_html_(self) -> str:
        self.settle()
        out = claims_html(self.claims)
        if self.controls:
            out += (
                "<p><b>Controls</b> (a negative control or null must be <i>not reproduced</i>, "
                "a positive control <i>reproduced</i>)</p>"
            )
            out += controls_html(self.controls)
        return out

    def count(self, verdict: str, counted: bool | None = None) -> int:
        """Number of records with ``verdict`` (``counted``: only claims of the document, or
        only the rest; None: all), after :meth:`settle`.
        """
        self.settle()
        return sum(
            c.verdict == verdict and (counted is None or c.counted == counted) for c in self.claims
        )

    def summary(self) -> str:
        """``"claims of the document: 2 reproduced, 1 not reproduced, 3 undecided (2 leaning
        toward not reproduced); 1 beyond the paper; 2 checks of our own set-up"``.
        """
        self.settle()
        counted = [c for c in self.claims if c.counted]
        leans = [c.lean for c in counted if c.verdict == UNDECIDED]
        lean_text = ", ".join(
            f"{leans.count(x)} {x}"
            for x in (TOWARD_REPRODUCED, TOWARD_NOT_REPRODUCED)
            if x in leans
        )
        beyond = sum(c.beyond_paper and c.check_class == "claim" for c in self.claims)
        setup = sum(c.check_class != "claim" for c in self.claims)
        return (
            f"claims of the document: {self.count(REPRODUCED, True)} reproduced, "
            f"{self.count(NOT_REPRODUCED, True)} not reproduced, "
            f"{self.count(UNDECIDED, True)} undecided"
            + (f" ({lean_text})" if lean_text else "")
            + f"; {beyond} beyond the paper; {setup} checks of our own set-up"
        )

    def __repr__(self) -> str:
        lines = [f"{self.chapter} ({self.profile}): {self.summary()}"]
        lines += [f"  [{c.verdict}] {c.id}: {c.measured}" for c in self.claims]
        return "\n".join(lines)


def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.3g}"


def tolerance_text(c: Claim) -> str:
    """``"[0.8, 1.2] kT"``, ``"> 1"``, ``"< 0.5 kT"``."""
    u = f" {c.unit}" if c.unit and c.unit not in ("ratio", "fraction", "") else ""
    if c.tol_lo is not None and c.tol_hi is not None:
        return f"[{_fmt(c.tol_lo)}, {_fmt(c.tol_hi)}]{u}"
    if c.tol_lo is not None:
        return f"> {_fmt(c.tol_lo)}{u}"
    if c.tol_hi is not None:
        return f"< {_fmt(c.tol_hi)}{u}"
    return "any"


#: How a check of our own set-up (class ``setup`` or ``construction``) reads: it holds or not.
SETUP_WORDS = {REPRODUCED: "holds", NOT_REPRODUCED: "does not hold", UNDECIDED: "open"}
#: Colour of a lean (lighter than the verdict it leans to; never a verdict).
LEAN_STYLE = {
    TOWARD_REPRODUCED: "#56B4E9",
    TOWARD_NOT_REPRODUCED: "#F0A582",
    NO_LEAN: "#999999",
}


def verdict_html(verdict: str, klass: str = "claim", lean: str = "") -> str:
    """A coloured verdict label (colour and symbol, so it reads without colour too). A check of
    our own set-up reads "holds" / "does not hold"; an undecided claim shows its lean.
    """
    colour, _, symbol = VERDICT_STYLE[verdict]
    word = verdict if klass == "claim" else f"{SETUP_WORDS[verdict]} ({klass})"
    out = f'<span style="color:{colour};font-weight:600">{symbol} {word}</span>'
    if verdict == UNDECIDED and lean:
        out += (
            f'<br><small style="color:{LEAN_STYLE.get(lean, "#999999")}">'
            f"leans: {html.escape(lean)}</small>"
        )
    return out


def claims_html(claims: Iterable[Claim]) -> str:
    """An HTML table of claims with a coloured verdict column."""
    rows = []
    for c in claims:
        lo, hi = c.interval
        interval = f"{_fmt(c.value)} [{_fmt(lo)}, {_fmt(hi)}]" if c.value is not None else "–"
        sides = (
            f"{c.n_inside} inside / {c.n_outside} outside the tolerance ({c.sample_unit})"
            if c.verdict == UNDECIDED and c.n
            else ""
        )
        why = "; ".join(
            x
            for x in (
                c.class_reason,
                c.control,
                c.gate,
                sides,
                f"decide at: {c.decide_at}" if c.decide_at else "",
                c.note,
            )
            if x
        )
        quote = f"“{c.quote}”" if c.quote else ("(beyond the paper)" if c.beyond_paper else "")
        cells = [
            html.escape(c.where),
            html.escape(c.statement)
            + (f"<br><small>{html.escape(quote)}</small>" if quote else ""),
            html.escape(c.measured),
            html.escape(f"{interval} {c.unit}".strip() + f" ({c.spread})"),
            html.escape(f"{tolerance_text(c)}: {c.criterion}"),
            verdict_html(c.verdict, c.check_class, c.lean),
            html.escape(why),
        ]
        rows.append("<tr>" + "".join(f"<td>{x}</td>" for x in cells) + "</tr>")
    head = "".join(
        f"<th>{h}</th>"
        for h in ["where", "claim", "measured", "value [95 % CI]", "criterion", "verdict", "note"]
    )
    return (
        '<table class="mdrepro-claims"><thead><tr>'
        + head
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def controls_html(controls: Iterable[Control]) -> str:
    """An HTML table of negative controls."""
    rows = []
    for c in controls:
        cells = [
            html.escape(c.id),
            html.escape(c.what),
            html.escape(c.measured),
            verdict_html(c.verdict),
            "✔ as it must be"
            if c.ok
            else "✘ the check did not fail: a defect"
            if c.kind == "negative"
            else "✘ the check did not pass: a defect",
        ]
        rows.append("<tr>" + "".join(f"<td>{x}</td>" for x in cells) + "</tr>")
    head = "".join(
        f"<th>{h}</th>" for h in ["check", "control input", "measured", "verdict", "control"]
    )
    return (
        '<table class="mdrepro-claims"><thead><tr>'
        + head
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def load_claims(directory: str | Path) -> list[ClaimSet]:
    """Read every ``*.json`` claim file in ``directory`` (sorted by chapter), or the one file
    ``directory`` names.

    Raises
    ------
    ValueError
        When a record lacks a field of :class:`Claim` (one line: which file, which fields).
    """
    sets = []
    directory = Path(directory)
    files = [directory] if directory.is_file() else sorted(directory.glob("*.json"))
    for f in files:
        doc = json.loads(f.read_text())
        claims = []
        for c in doc["claims"]:
            missing = [k for k in CLAIM_FIELDS if k not in c]
            if missing:
                raise ValueError(
                    f"{f}: claim {c.get('id', '?')!r}: expected the fields of a claim record, "
                    f"missing {', '.join(missing)}"
                )
            rec = {k: c[k] for k in CLAIM_FIELDS}
            rec["check_class"] = rec.pop("class")
            claims.append(Claim(**rec))
        controls = [Control(**c) for c in doc.get("controls", [])]
        # written settled: its positive controls are already among its controls
        sets.append(
            ClaimSet(
                chapter=doc["chapter"],
                profile=doc.get("profile", "?"),
                claims=claims,
                controls=controls,
                _settled=True,
            )
        )
    return sets


def spread(values) -> tuple[float, str]:
    """Median over seeds (or replicas) and a text that lists every value: the one spread
    formatter of every claim.

    Returns
    -------
    median : float
        NaN when there is no value.
    text : str
        ``"n=3: 0.9, 0.909, 0.918"`` (3 significant digits), or ``"no runs"``.
    """
    v = np.asarray(list(values), dtype=np.float64)
    if v.size == 0:
        return float("nan"), "no runs"
    return float(np.median(v)), f"n={v.size}: " + ", ".join(f"{x:.3g}" for x in v)


def summary(value: Any, digits: int = 3) -> str:
    """Format a number with ``digits`` significant digits (strings pass through)."""
    if isinstance(value, str):
        return value
    return f"{value:.{digits}g}"
