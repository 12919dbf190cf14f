"""Checked claims: measured vs paper, with a tolerance and a verdict, feeding the scorecard.

A chapter collects its claims in a :class:`ClaimSet`, shows them as a table and writes them as
JSON; ``mdrepro book`` turns every chapter's JSON into the scorecard page. A claim that fails is
kept, with its reason: the book reports it, it is never tuned away.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mdrepro.data.cache import atomic_write_text


@dataclass
class Claim:
    """One quantitative statement of a paper, checked against our data.

    Attributes
    ----------
    id : str
        Short stable identifier, e.g. ``"ch01.static-error-grows.adk"``.
    chapter : str
        Chapter id.
    figure : str
        Paper figure or section, e.g. ``"Fig. 3"``.
    statement : str
        What the paper says, in our words.
    paper : str
        The paper's value or qualitative statement.
    measured : str
        What we measured (formatted, with units).
    tolerance : str
        The criterion applied.
    passed : bool
        The verdict.
    note : str
        Why it passed or failed, or what differs (data substitution, scale).
    spread : str
        Seed or copy spread of the measured value, when there is one.
    """

    id: str
    chapter: str
    figure: str
    statement: str
    paper: str
    measured: str
    tolerance: str
    passed: bool
    note: str = ""
    spread: str = ""


@dataclass
class ClaimSet:
    """The claims of one chapter and one run."""

    chapter: str
    profile: str
    claims: list[Claim] = field(default_factory=list)

    def add(
        self,
        id: str,
        figure: str,
        statement: str,
        paper: str,
        measured: str,
        tolerance: str,
        passed: bool,
        note: str = "",
        spread: str = "",
    ) -> Claim:
        """Record a claim (``passed`` is coerced to bool; ids must be unique)."""
        if any(c.id == id for c in self.claims):
            raise ValueError(f"claim id {id!r} is already in this set")
        c = Claim(
            id=id,
            chapter=self.chapter,
            figure=figure,
            statement=statement,
            paper=paper,
            measured=measured,
            tolerance=tolerance,
            passed=bool(passed),
            note=note,
            spread=spread,
        )
        self.claims.append(c)
        return c

    @property
    def n_passed(self) -> int:
        """Number of claims that hold."""
        return sum(c.passed for c in self.claims)

    def to_json(self) -> str:
        """JSON document of the set."""
        return json.dumps(
            {
                "chapter": self.chapter,
                "profile": self.profile,
                "claims": [asdict(c) for c in self.claims],
            },
            indent=2,
        )

    def write(self, directory: str | Path) -> Path:
        """Write ``<directory>/<chapter>.json`` atomically and return its path."""
        path = Path(directory) / f"{self.chapter}.json"
        atomic_write_text(path, self.to_json())
        return path

    def _repr_html_(self) -> str:
        return claims_html(self.claims)

    def __repr__(self) -> str:
        lines = [f"{self.chapter} ({self.profile}): {self.n_passed}/{len(self.claims)} hold"]
        lines += [
            f"  [{'PASS' if c.passed else 'FAIL'}] {c.id}: {c.measured}" for c in self.claims
        ]
        return "\n".join(lines)


def claims_html(claims: Iterable[Claim]) -> str:
    """An HTML table of claims with a coloured verdict column."""
    rows = []
    for c in claims:
        verdict = (
            '<span style="color:#1a7f37;font-weight:600">✔ pass</span>'
            if c.passed
            else '<span style="color:#cf222e;font-weight:600">✘ fail</span>'
        )
        cells = [c.figure, c.statement, c.paper, c.measured, c.tolerance, verdict, c.note]
        rows.append(
            "<tr>"
            + "".join(f"<td>{x if x is verdict else html.escape(str(x))}</td>" for x in cells)
            + "</tr>"
        )
    head = "".join(
        f"<th>{h}</th>"
        for h in ["figure", "claim", "paper", "measured", "criterion", "verdict", "note"]
    )
    return (
        '<table class="mdrepro-claims"><thead><tr>'
        + head
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def load_claims(directory: str | Path) -> list[ClaimSet]:
    """Read every ``*.json`` claim file in ``directory`` (sorted by chapter)."""
    sets = []
    for f in sorted(Path(directory).glob("*.json")):
        doc = json.loads(f.read_text())
        sets.append(
            ClaimSet(
                chapter=doc["chapter"],
                profile=doc.get("profile", "?"),
                claims=[Claim(**c) for c in doc["claims"]],
            )
        )
    return sets


def scorecard_markdown(sets: list[ClaimSet], chapter_titles: dict[str, str] | None = None) -> str:
    """The scorecard page: a summary line per chapter and every claim with its verdict."""
    titles = chapter_titles or {}
    total = sum(len(s.claims) for s in sets)
    passed = sum(s.n_passed for s in sets)
    out = [
        "# Scorecard",
        "",
        "Every figure of the book ends in claims checked in code: the paper's statement, what we "
        "measured on our own simulated data, the criterion, and the verdict. Failed claims are "
        "listed with their reason; none is tuned away. This page is generated by `mdrepro book` "
        "from the claims that the executed chapters wrote.",
        "",
    ]
    if not sets:
        out.append("*No chapter has been executed yet: run `mdrepro run` first.*")
        return "\n".join(out) + "\n"
    out += [f"**{passed} of {total} claims hold.**", "", "| chapter | profile | hold | fail |"]
    out.append("| --- | --- | --- | --- |")
    for s in sets:
        out.append(
            f"| {titles.get(s.chapter, s.chapter)} | {s.profile} | {s.n_passed} | "
            f"{len(s.claims) - s.n_passed} |"
        )
    for s in sets:
        out += ["", f"## {titles.get(s.chapter, s.chapter)}", ""]
        out.append("```{raw} html")
        out.append(claims_html(s.claims))
        out.append("```")
    return "\n".join(out) + "\n"


def relative_change_ok(measured: float, target: float, factor: float) -> bool:
    """Whether ``measured`` is within a multiplicative ``factor`` of ``target`` (both > 0)."""
    if measured <= 0 or target <= 0 or not math.isfinite(measured):
        return False
    return 1 / factor <= measured / target <= factor


def monotone_increasing(values: Iterable[float], strict: bool = True) -> bool:
    """Whether a sequence increases (strictly by default)."""
    v = list(values)
    return all((b > a) if strict else (b >= a) for a, b in zip(v, v[1:], strict=False))


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
