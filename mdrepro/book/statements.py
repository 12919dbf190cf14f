"""The checkable statements of each document (``mdrepro/papers/<paper>/statements.yaml``).

Each document's statements were collected sentence by sentence and figure by figure: where,
a short quote, whether the book can check it on its own data, and the id of the claim that
does (or why not). The scorecard counts them; a claim record takes its quote from here.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

PAPERS_DIR = Path(__file__).resolve().parents[1] / "papers"
#: Kinds of statement.
KINDS = ("value", "ordering", "shape", "qualitative")


@dataclass(frozen=True)
class Statement:
    """One statement of a document.

    Attributes
    ----------
    id : str
        ``<paper>.sNN``.
    where : str
        Section, figure or table.
    quote : str
        The document's words (a short exact quote).
    kind : str
        One of :data:`KINDS`.
    checkable : bool
        Whether the book can test it on its own (substitute) data.
    claims : tuple of str
        Ids of the claims that check it (the YAML field ``claim``: an id, a list or null).
    reason : str
        Why it is not checkable or not yet checked.
    proposal : str
        How it could be checked, when it is checkable but unchecked.
    """

    id: str
    where: str
    quote: str
    kind: str
    checkable: bool
    claims: tuple[str, ...] = ()
    reason: str = ""
    proposal: str = ""


@dataclass(frozen=True)
class Statements:
    """A document's statements."""

    paper: str
    document: str
    chapters: tuple[str, ...]
    items: tuple[Statement, ...]

    @property
    def checkable(self) -> list[Statement]:
        """The statements the book could check."""
        return [s for s in self.items if s.checkable]

    @property
    def checked(self) -> list[Statement]:
        """Checkable statements that a claim checks."""
        return [s for s in self.checkable if s.claims]

    def coverage(self) -> float:
        """Share of the checkable statements that are checked (NaN without any)."""
        n = len(self.checkable)
        return len(self.checked) / n if n else float("nan")


def path(paper: str) -> Path:
    """``mdrepro/papers/<paper>/statements.yaml``."""
    return PAPERS_DIR / paper / "statements.yaml"


@functools.cache
def load(paper: str) -> Statements:
    """Read and validate a document's ``statements.yaml``.

    Raises
    ------
    ValueError
        On a malformed entry (one line: which file, which entry, what was expected).
    FileNotFoundError
        When the paper has no statements file.
    """
    p = path(paper)
    doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    items = []
    seen = set()
    for i, e in enumerate(doc.get("statements") or []):
        for key in ("id", "where", "quote", "kind", "checkable"):
            if key not in e:
                raise ValueError(f"{p}: statement {i + 1}: expected a {key!r} field, found none")
        if e["kind"] not in KINDS:
            raise ValueError(f"{p}: {e['id']}: expected kind in {KINDS}, found {e['kind']!r}")
        if e["id"] in seen:
            raise ValueError(f"{p}: statement id {e['id']!r} appears twice")
        seen.add(e["id"])
        items.append(
            Statement(
                id=str(e["id"]),
                where=str(e["where"]),
                quote=str(e["quote"]),
                kind=str(e["kind"]),
                checkable=bool(e["checkable"]),
                claims=_ids(e.get("claim")),
                reason=str(e.get("reason") or ""),
                proposal=str(e.get("proposal") or ""),
            )
        )
    return Statements(
        paper=paper,
        document=str(doc.get("document", paper)),
        chapters=tuple(doc.get("chapters") or ()),
        items=tuple(items),
    )


def _ids(value) -> tuple[str, ...]:
    if not value:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def available(paper: str) -> bool:
    """Whether the paper has a statements file."""
    return path(paper).is_file()


def quotes_for(paper: str, claim_id: str) -> list[tuple[str, str]]:
    """``(where, quote)`` of every statement of ``paper`` that ``claim_id`` checks."""
    if not available(paper):
        return []
    return [(s.where, s.quote) for s in load(paper).items if claim_id in s.claims]


def normalise(text: str) -> str:
    """Runs of white space collapsed to one space (to compare quotes with a source text)."""
    return re.sub(r"\s+", " ", text).strip()
