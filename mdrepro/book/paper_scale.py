"""Results above ci published with the book: read, verify, render beside the ci ones.

Two tiers are published: ``paper`` (the documents' protocols) and ``extended`` (ci with a
paper's extended overrides). ``mdrepro publish CHAPTER [--profile extended]``
(:mod:`mdrepro.publish`) writes ``results/<tier>/<chapter>/``:
``claims.json``, ``provenance.json``, ``units/<study>/<id>.npz`` (compact typed summaries) and
``figures/*.png``. This module

* :func:`load` - the published result of a chapter (None when there is none);
* :meth:`Published.stale` - why the result no longer matches the code: a module that computes
  the units (the study's import closure less presentation: plots, book pages, CLI) differs from
  its recorded sha256, or the tier profile's params hash differs (the units would now be
  computed differently). A stale result is shown, marked stale, and not re-checked;
* :meth:`Published.verify` - what CI runs: every file's sha256 against the provenance, the
  size limit, and the verdicts and values recomputed from the stored units with the current
  claims code against ``claims.json``. A mismatch that is not stale fails the tests;
* :func:`beside` / :func:`show` - the chapter page's table of ci and paper-scale verdicts and
  the paper-scale figures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from mdrepro.book.claims import ClaimSet, load_claims, verdict_html

ROOT = Path(__file__).resolve().parents[2]
#: Modules that present results rather than compute them: a change to them leaves published
#: units current (prefixes of module names).
PRESENTATION = (
    "mdrepro.plots",
    "mdrepro.viz",
    "mdrepro.cli",
    "mdrepro.book.benchmarks",
    "mdrepro.book.timings",
    "mdrepro.book.scorecard",
)
#: Modules that store results rather than compute them (the archive codec, atomic writes,
#: checksums). A change to one of them leaves published units current only while every stored
#: unit decodes and re-encodes to its own bytes with the current code (checked by
#: :meth:`Published.stale`): the change then cannot have altered what the units hold.
STORAGE = ("mdrepro.results", "mdrepro.data.cache")
#: Modules that resolve a profile name into parameters (the profile list, the override rule,
#: the run configuration). They reach a unit only through its resolved parameters, which the
#: params hash checks: a change to them alone leaves published units current while the
#: chapter's resolved parameters hash as published (adding the extended tier changed them).
RESOLVING = ("mdrepro.profiles", "mdrepro.config")
#: Published results, one folder per tier and chapter.
RESULTS = ROOT / "results"
#: The published tiers, smallest first.
TIERS = ("extended", "paper")
#: Published paper-scale results, one folder per chapter.
PAPER_RESULTS = RESULTS / "paper"
#: How a page names each tier.
TIER_NAMES = {"extended": "extended tier", "paper": "paper scale"}


@dataclass
class Published:
    """One chapter's published results at one tier.

    Attributes
    ----------
    folder : pathlib.Path
        ``results/<tier>/<chapter>``.
    provenance : dict
        ``provenance.json``.
    claims : mdrepro.book.claims.ClaimSet
        ``claims.json``.
    """

    folder: Path
    provenance: dict
    claims: ClaimSet

    @property
    def chapter(self) -> str:
        """Chapter id."""
        return self.provenance["chapter"]

    @property
    def tier(self) -> str:
        """``paper`` or ``extended`` (the profile it ran under)."""
        return self.provenance.get("profile", "paper")

    @property
    def status(self) -> str:
        """``complete`` or ``partial``."""
        return self.provenance.get("status", "?")

    @cached_property
    def _current(self) -> tuple[dict, str]:
        from mdrepro import papers, results
        from mdrepro.publish import params_hash, sha256_file

        study = papers.module(self.chapter, "study")
        modules = {
            m: sha256_file(results._module_file(m))[:16]
            for m in results.module_closure(study.MODULES)
            if not m.startswith(PRESENTATION) and results._module_file(m)
        }
        params = papers.module(self.chapter, "params").resolve(self.chapter, self.tier)
        return modules, params_hash(params)

    def stale(self) -> list[str]:
        """Why the published units no longer match the code (empty: they match).

        The units are stale when a module that computes them changed: every module of the
        study's import closure, less presentation (:data:`PRESENTATION`: plots, the book's
        pages, the command line), must have the sha256 recorded in the provenance's
        ``modules``. A change to a figure or a page leaves them current; ``mdrepro.book.chapter``
        (seeds, threads, the chapter context) is not presentation and counts. A change to
        storage code alone (:data:`STORAGE`) leaves them current while every stored unit
        decodes and re-encodes to its own bytes (:attr:`storage_note` says so); a change to
        profile-resolving code (:data:`RESOLVING`) while the params hash is unchanged.
        """
        modules, params = self._current
        recorded = self.provenance.get("modules", {})
        out = []
        changed = sorted(m for m, h in modules.items() if recorded.get(m) != h)
        if params == self.provenance["params_hash"]:
            changed = [m for m in changed if m not in RESOLVING]
        storage = [m for m in changed if m in STORAGE]
        if storage and len(storage) == len(changed) and self._round_trips():
            changed = []
        if changed:
            more = f" and {len(changed) - 4} more" if len(changed) > 4 else ""
            out.append("study code changed since publication: " + ", ".join(changed[:4]) + more)
        if params != self.provenance["params_hash"]:
            out.append(
                f"{self.tier} params hash {params} differs from the published "
                f"{self.provenance['params_hash']}"
            )
        return out

    @cached_property
    def storage_note(self) -> str:
        """One line when storage code (:data:`STORAGE`) changed since publication and the
        stored units still round-trip byte for byte (empty otherwise).
        """
        modules, _ = self._current
        recorded = self.provenance.get("modules", {})
        changed = sorted(m for m in STORAGE if m in modules and recorded.get(m) != modules[m])
        if not changed or not self._round_trips():
            return ""
        return (
            f"storage code changed since publication ({', '.join(changed)}); all "
            f"{len(self.provenance['units'])} stored units re-encode to their own bytes"
        )

    def _round_trips(self) -> bool:
        """Whether every stored unit decodes and re-encodes to its stored bytes."""
        from mdrepro import results

        try:
            for d in self.provenance["units"]:
                data = (self.folder / d["file"]).read_bytes()
                if results.to_bytes(results.from_bytes(data)) != data:
                    return False
        except Exception:  # noqa: BLE001 - a unit that does not decode does not round-trip
            return False
        return True

    def units(self) -> tuple[list, list]:
        """The stored units (:class:`mdrepro.results.Unit`-like records) and their results,
        in publication order.
        """
        from types import SimpleNamespace

        from mdrepro import results

        docs = self.provenance["units"]
        res = [results.from_bytes((self.folder / d["file"]).read_bytes()) for d in docs]
        return [SimpleNamespace(study=d["study"], id=d["id"]) for d in docs], res

    def recompute(self) -> ClaimSet:
        """The claims recomputed from the stored units with the current claims code."""
        from mdrepro.publish import by_study, chapter_claims

        units, res = self.units()
        return chapter_claims(
            self.chapter, by_study(units, res), self.tier, self.provenance["seeds"]
        )

    def verify(self) -> list[str]:
        """Problems CI fails on (empty: none). Checksums and size always; the verdicts only
        when the result is not :meth:`stale`.
        """
        from mdrepro.publish import LIMIT_BYTES, _same_claims, sha256_file

        out = []
        files = self.provenance.get("files", {})
        on_disk = sorted(
            p.relative_to(self.folder).as_posix()
            for p in self.folder.rglob("*")
            if p.is_file() and p.name != "provenance.json"
        )
        for f in sorted(set(files) | set(on_disk)):
            if f not in files:
                out.append(f"{f}: not listed in provenance.json")
            elif f not in on_disk:
                out.append(f"{f}: listed in provenance.json but missing")
            elif sha256_file(self.folder / f) != files[f]:
                out.append(f"{f}: sha256 differs from provenance.json")
        size = sum(p.stat().st_size for p in self.folder.rglob("*") if p.is_file())
        if size > LIMIT_BYTES:
            out.append(f"{size / 2**20:.1f} MiB published, more than the limit")
        if out or self.stale():
            return out
        for diff in _same_claims(self.claims, self.recompute()):
            out.append(f"claims.json vs recomputed: {diff}")
        return out

    def figure_files(self) -> list[Path]:
        """The published PNG figures."""
        return [self.folder / f for f in self.provenance.get("figures", [])]

    def header(self) -> str:
        """One paragraph: what ran, where, from which commit; stale or not."""
        p = self.provenance
        m = p.get("machine", {})
        wall = sum(d.get("wall_time_s") or 0 for d in p.get("data", {}).values())
        units = sum(unit_seconds(u.get("timings_s", {})) for u in p.get("units", []))
        stale = self.stale()
        text = (
            f"{self.tier.capitalize()} profile ({p['status']}), seeds "
            f"{', '.join(map(str, p['seeds']))}; commit "
            f"{p['commit'][:12]}; code {p['code_hash']}, params {p['params_hash']}; "
            f"{m.get('cpu', '?')}, {m.get('cores', '?')} cores, GPU {m.get('gpu', 'none')}; "
            f"data built in {wall / 60:.1f} min, units' own timers {units / 60:.1f} min. "
        )
        if stale:
            text += "**STALE**: " + "; ".join(stale) + "."
        else:
            text += "Matches this code (not stale)."
        return text


def unit_seconds(timings: dict) -> float:
    """A unit's wall time from its recorded timers (``result.wall_s``, else the sum of its
    top-level ``*_s`` / ``*_seconds`` timers, else of its parts' ``result.<part>.wall_s``;
    throughputs ``*_per_s`` are not times).
    """
    if "result.wall_s" in timings:
        return float(timings["result.wall_s"])

    def total(keep) -> float:
        return float(
            sum(
                v
                for k, v in timings.items()
                if keep(k)
                and k.endswith(("_s", "_seconds"))
                and not k.endswith("per_s")
                and isinstance(v, (int, float))
            )
        )

    top = total(lambda k: k.count(".") == 1)
    return top or total(lambda k: k.count(".") == 2 and k.endswith(".wall_s"))


def load(chapter: str, root: str | Path | None = None, tier: str = "paper") -> Published | None:
    """The published result of ``chapter`` at ``tier`` (None when none is published);
    ``root`` replaces ``results/<tier>``.
    """
    folder = Path(root or RESULTS / tier) / chapter
    prov = folder / "provenance.json"
    if not prov.is_file():
        return None
    sets = load_claims(folder / "claims.json")[0]
    return Published(folder, json.loads(prov.read_text()), sets)


def published(root: str | Path | None = None, tier: str = "paper") -> list[Published]:
    """Every chapter's published result at ``tier``, by chapter."""
    folder = Path(root or RESULTS / tier)
    if not folder.is_dir():
        return []
    out = [load(p.name, folder) for p in sorted(folder.iterdir()) if p.is_dir()]
    return [p for p in out if p is not None]


def every_tier(root: str | Path | None = None) -> list[Published]:
    """Every published result of every tier (``root`` replaces ``results/``), smallest tier
    first.
    """
    base = Path(root or RESULTS)
    return [p for t in TIERS for p in published(base / t)]


def beside(ci: ClaimSet | None, paper: Published) -> str:
    """HTML table: each claim's ci verdict beside the published tier's (and what was measured
    there); a disagreement is marked.
    """
    from html import escape

    name = TIER_NAMES.get(paper.tier, paper.tier)
    ci_v = {c.id: c for c in (ci.claims if ci else [])}
    stale = " (stale)" if paper.stale() else ""
    rows = [
        "<table class='claims'><thead><tr><th>claim</th><th>ci</th>"
        f"<th>{name}{stale}</th><th>measured at the {name}</th></tr></thead><tbody>"
    ]
    for c in paper.claims.claims:
        mine = ci_v.get(c.id)
        mark = " ⚠ differs" if mine is not None and mine.verdict != c.verdict else ""
        rows.append(
            f"<tr><td><code>{escape(c.id)}</code></td>"
            f"<td>{verdict_html(mine.verdict) if mine else 'not run'}</td>"
            f"<td>{verdict_html(c.verdict)}{mark}</td><td>{escape(c.measured)}</td></tr>"
        )
    rows.append("</tbody></table>")
    return "\n".join(rows)


def show(
    chapter: str, ci: ClaimSet | None = None, figures: bool = True, tier: str = "paper"
) -> Any:
    """Render the published result of ``chapter`` at ``tier`` in a notebook: provenance line,
    verdicts beside ``ci``, the figures. Says so plainly when nothing is published.
    """
    from IPython.display import HTML, Image, Markdown, display

    name = TIER_NAMES.get(tier, tier)
    paper = load(chapter, tier=tier)
    if paper is None:
        display(
            Markdown(
                f"*No {name} result of {chapter} is published yet "
                f"(`mdrepro build {chapter} --profile {tier}`, then "
                f"`mdrepro publish {chapter} --profile {tier}`).*"
            )
        )
        return None
    display(Markdown(paper.header()))
    display(Markdown(f"{name.capitalize()}: {paper.claims.summary()}."))
    display(HTML(beside(ci, paper)))
    if figures:
        for f in paper.figure_files():
            display(Markdown(f"**{f.stem}** ({name})"))
            display(Image(filename=str(f), width=720))
    return paper
