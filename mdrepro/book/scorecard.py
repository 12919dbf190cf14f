"""The scorecard: every claim of the book at a glance, per document.

Per document it counts the three verdicts of the paper's own statements (claims that test a
statement the document does not make are counted apart, as ``beyond_paper``) and the statements
that cannot be checked here; one figure shows every claim against its tolerance; a table per
chapter follows. When paper-scale claims exist (``results/paper/<chapter>/``), their verdicts stand
beside the ci ones and a disagreement is marked.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mdrepro.book.claims import VERDICT_STYLE, Claim, ClaimSet, claims_html, controls_html
from mdrepro.book.verdicts import NOT_REPRODUCED, REPRODUCED, UNDECIDED

#: Horizontal range of the overview figure, in tolerance units (0 and 1 are the bounds).
CLIP = (-2.0, 3.0)


@dataclass
class DocumentCounts:
    """What the scorecard says about one document.

    Attributes
    ----------
    paper : str
        Paper package.
    document : str
        Bibliographic name.
    reproduced, not_reproduced, undecided : int
        Verdicts of claims that test the document's own statements.
    beyond_paper : int
        Claims that test statements the document does not make.
    statements, checkable, checked, not_checkable : int
        From the document's ``statements.yaml`` (0 when it has none).
    """

    paper: str
    document: str
    reproduced: int = 0
    not_reproduced: int = 0
    undecided: int = 0
    beyond_paper: int = 0
    statements: int = 0
    checkable: int = 0
    checked: int = 0
    not_checkable: int = 0

    @property
    def coverage(self) -> float:
        """Share of the checkable statements that a claim checks."""
        return self.checked / self.checkable if self.checkable else float("nan")


def counts(sets: Sequence[ClaimSet]) -> list[DocumentCounts]:
    """Verdict and statement counts per document, in the book's order."""
    from mdrepro.book import statements
    from mdrepro.papers import PAPERS, paper

    out = []
    claims = [c for s in sets for c in s.claims]
    for name in PAPERS:
        doc = getattr(paper(name), "DOCUMENT", name)
        dc = DocumentCounts(name, doc)
        for c in claims:
            if c.document != name:
                continue
            if c.beyond_paper:
                dc.beyond_paper += 1
            elif c.verdict == REPRODUCED:
                dc.reproduced += 1
            elif c.verdict == NOT_REPRODUCED:
                dc.not_reproduced += 1
            else:
                dc.undecided += 1
        if statements.available(name):
            st = statements.load(name)
            dc.statements = len(st.items)
            dc.checkable = len(st.checkable)
            dc.checked = len(st.checked)
            dc.not_checkable = dc.statements - dc.checkable
        out.append(dc)
    return out


def position(c: Claim, x: float | None) -> float:
    """Where ``x`` lies relative to the claim's tolerance: 0 and 1 are its bounds (a one-sided
    tolerance is scaled by the larger of its bound and the distance of the value from it).
    """
    if x is None or not math.isfinite(x):
        return float("nan")
    lo, hi = c.tol_lo, c.tol_hi
    if lo is not None and hi is not None:
        return (x - lo) / (hi - lo) if hi > lo else (0.5 if x == lo else 0.5 + (x - lo))
    bound = lo if lo is not None else hi
    if bound is None:
        return 0.5
    ref = [abs(bound)] + [abs(v - bound) for v in (c.value, *c.interval) if v is not None]
    scale = max(max(ref), 1e-12)
    return (x - bound) / scale if lo is not None else 1.0 + (x - bound) / scale


def figure(sets: Sequence[ClaimSet], ax=None):
    """Every claim against its tolerance band: one row per claim, grouped by chapter.

    The shaded band is the tolerance (0 to 1; open to one side for one-sided criteria); the
    marker is the mean over seeds or replicas and the bar its 95 % interval. Colour and marker
    shape both give the verdict (colour-blind safe); beyond-paper claims are hollow.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from mdrepro.plots.style import axes_or_new

    claims = [c for s in sets for c in s.claims]
    ax = axes_or_new(ax, figsize=(8.5, 0.28 * max(len(claims), 4) + 1.2))
    y = np.arange(len(claims))[::-1]
    lo_clip, hi_clip = CLIP
    for yi, c in zip(y, claims, strict=True):
        left = 0.0 if c.tol_lo is not None else lo_clip
        right = 1.0 if c.tol_hi is not None else hi_clip
        ax.fill_between([left, right], yi - 0.35, yi + 0.35, color="0.88", lw=0, zorder=0)
        colour, marker, _ = VERDICT_STYLE[c.verdict]
        v = position(c, c.value)
        lo_ci, hi_ci = (position(c, x) for x in c.interval)
        if np.isfinite(lo_ci) and np.isfinite(hi_ci):
            ax.plot(np.clip([lo_ci, hi_ci], *CLIP), [yi, yi], color=colour, lw=1.6, zorder=2)
        if np.isfinite(v):
            ax.plot(
                np.clip(v, *CLIP),
                yi,
                marker=marker,
                ms=7,
                color=colour,
                mfc="white" if c.beyond_paper else colour,
                mew=1.5,
                zorder=3,
                ls="none",
            )
        else:
            ax.text(0.5, yi, "no samples", ha="center", va="center", fontsize=7, color="0.4")
    ax.set_yticks(y)
    ax.set_yticklabels([c.id + (" †" if c.beyond_paper else "") for c in claims], fontsize=7)
    ax.set_xlim(lo_clip - 0.1, hi_clip + 0.1)
    ax.set_ylim(-0.7, len(claims) - 0.3)
    ax.axvline(0, color="0.6", lw=0.6)
    ax.axvline(1, color="0.6", lw=0.6)
    ax.set_xlabel("measured value relative to the tolerance (grey band; 0 and 1 are its bounds)")
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], marker=VERDICT_STYLE[v][1], color=VERDICT_STYLE[v][0], ls="none", label=v)
        for v in (REPRODUCED, NOT_REPRODUCED, UNDECIDED)
    ]
    handles.append(
        Line2D([], [], marker="o", color="0.3", mfc="white", ls="none", label="† beyond the paper")
    )
    height_in = ax.figure.get_size_inches()[1] * ax.get_position().height
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.6 / max(height_in, 1.0)),
        ncol=4,
        frameon=False,
        fontsize=8,
    )
    chapters = [c.chapter for c in claims]
    for i in range(1, len(claims)):
        if chapters[i] != chapters[i - 1]:
            ax.axhline(y[i] + 0.5, color="0.3", lw=0.8)
    ax.set_title("Every claim: mean over seeds or replicas and its 95 % interval", fontsize=9)
    return ax


def counts_table(dcs: Sequence[DocumentCounts], chapters: Mapping[str, str] | None = None) -> str:
    """Markdown table of the counts per document (also included in the introduction)."""
    rows = [
        "| document | reproduced | not reproduced | undecided | beyond the paper | statements "
        "checked | not checkable here |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for d in dcs:
        cov = (
            f"{d.checked} of {d.checkable} ({100 * d.coverage:.0f} %)"
            if d.checkable
            else "no statements file"
        )
        rows.append(
            f"| {d.document} | {d.reproduced} | {d.not_reproduced} | {d.undecided} | "
            f"{d.beyond_paper} | {cov} | {d.not_checkable} |"
        )
    return "\n".join(rows) + "\n"


def _paper_scale_column(
    sets: Sequence[ClaimSet], paper_sets: Sequence[ClaimSet], stale: Collection[str] = ()
) -> str:
    paper_v = {c.id: c.verdict for s in paper_sets for c in s.claims}
    chapters = {s.chapter for s in paper_sets}
    rows = ["| claim | ci | paper scale |", "| --- | --- | --- |"]
    for s in sets:
        if s.chapter not in chapters:
            continue
        for c in s.claims:
            p = paper_v.get(c.id)
            mark = "" if p is None or p == c.verdict else " ⚠ differs"
            if p is not None and s.chapter in stale:
                mark += " (stale: code or params changed since it was published)"
            rows.append(f"| `{c.id}` | {c.verdict} | {p or 'not run'}{mark} |")
    unpublished = sorted({s.chapter for s in sets} - chapters)
    if unpublished:
        rows += [
            "",
            f"No paper-scale result is published yet for {', '.join(unpublished)} (see the "
            "cost table on the benchmarks page).",
        ]
    return "\n".join(rows)


def markdown(
    sets: Sequence[ClaimSet],
    titles: Mapping[str, str] | None = None,
    figure_file: str | None = None,
    paper_sets: Sequence[ClaimSet] = (),
    stale: Collection[str] = (),
) -> str:
    """The scorecard page; ``stale``: chapters whose paper-scale result is stale."""
    titles = titles or {}
    out = [
        "# Scorecard",
        "",
        "Every figure of the book ends in claims checked in code. Each claim measures one number "
        "per seed or independent replica and is decided by one rule "
        "(`mdrepro.book.verdicts.decide`): **reproduced** when the 95 % interval of the mean "
        "lies inside the tolerance, **not reproduced** when it lies outside, **undecided** when "
        "it straddles a bound, when fewer than three seeds or replicas exist, or when a gate "
        "measured on the data fails; an undecided claim says what would decide it. Tolerances "
        "come from the documents' own numbers or the data's noise and are never tuned to a "
        "result. Claims marked † test statements the document does not make; they are counted "
        "apart. This page is generated by `mdrepro book` from the executed chapters' claims.",
        "",
    ]
    if not sets:
        out.append("*No chapter has been executed yet: run `mdrepro run` first.*")
        return "\n".join(out) + "\n"
    profiles = sorted({s.profile for s in sets})
    out += [f"Profile: **{', '.join(profiles)}**.", "", counts_table(counts(sets)), ""]
    if figure_file:
        out += [f"![Every claim against its tolerance]({figure_file})", ""]
    controls = [c for s in sets for c in s.controls]
    if controls:
        ok = sum(c.ok for c in controls)
        families = sorted({c.family for c in controls})
        out += [
            "## Negative controls",
            "",
            f"A check that cannot fail is a defect: each family of claims is also run on "
            f"deliberately broken inputs from the same data (an untrained network, shuffled "
            f"frames), which must come out *not reproduced*. **{ok} of {len(controls)} "
            f"controls did** (families: {', '.join(families)}).",
            "",
            "```{raw} html",
            controls_html(controls),
            "```",
            "",
        ]
    if paper_sets:
        out += [
            "## ci and paper scale",
            "",
            "Paper-scale results are published by `mdrepro publish` into `results/paper/` with "
            "their provenance, and re-checked by CI from the stored summaries.",
            "",
            _paper_scale_column(sets, paper_sets, stale),
            "",
        ]
    for s in sets:
        out += ["", f"## {titles.get(s.chapter, s.chapter)}", "", s.summary() + ".", ""]
        out.append("```{raw} html")
        out.append(claims_html(s.claims))
        out.append("```")
    return "\n".join(out) + "\n"


def snapshot(sets: Sequence[ClaimSet]) -> dict[str, str]:
    """Claim id -> verdict of a build (what ``results/<profile>/verdicts.json`` records)."""
    return {c.id: c.verdict for s in sets for c in s.claims}


def verdict_changes(sets: Sequence[ClaimSet], recorded: Mapping[str, str]) -> str:
    """Markdown table of the claims whose verdict differs from a recorded snapshot (new and
    removed claims included); the reason belongs in the verdict log.
    """
    now = snapshot(sets)
    rows = []
    for cid in sorted(set(now) | set(recorded)):
        before, after = recorded.get(cid, "(no claim)"), now.get(cid, "(no claim)")
        if before != after:
            rows.append(f"| `{cid}` | {before} | {after} |")
    if not rows:
        return "*This build's verdicts are those recorded for the commit.*\n"
    return (
        "This build differs from the verdicts recorded for the commit "
        "(`results/ci/verdicts.json`):\n\n| claim | recorded | this build |\n| --- | --- | --- |\n"
        + "\n".join(rows)
        + "\n"
    )


def write(
    sets: Sequence[ClaimSet],
    directory: str | Path,
    titles: Mapping[str, str] | None = None,
    paper_sets: Sequence[ClaimSet] = (),
    recorded: Mapping[str, str] | None = None,
    stale: Collection[str] = (),
) -> Path:
    """Write ``scorecard.md``, ``scorecard.png``, ``counts.md`` and ``verdict-changes.md``
    into ``directory``.
    """
    from mdrepro.data.cache import atomic_write_text
    from mdrepro.plots import save_figure

    directory = Path(directory)
    fig_name = None
    if sets:
        ax = figure(sets)
        save_figure(ax.figure, "scorecard", directory)
        import matplotlib.pyplot as plt

        plt.close(ax.figure)
        fig_name = "scorecard.png"
    atomic_write_text(directory / "counts.md", counts_table(counts(sets)))
    atomic_write_text(
        directory / "verdict-changes.md",
        verdict_changes(sets, recorded)
        if recorded is not None
        else "*No verdicts are recorded for this profile yet.*\n",
    )
    path = directory / "scorecard.md"
    atomic_write_text(path, markdown(sets, titles, fig_name, paper_sets, stale))
    return path
