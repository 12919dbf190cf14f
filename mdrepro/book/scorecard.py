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
        Verdicts of the ``claim``-class checks of the document's own statements (the only ones
        counted), at each claim's headline tier (:func:`headline`).
    toward_reproduced, toward_not_reproduced : int
        Undecided claims that lean one way (:func:`mdrepro.book.verdicts.lean`); never counted
        as decided.
    beyond_paper : int
        Claims that test statements the document does not make.
    setup : int
        Checks of our own set-up (class ``setup`` or ``construction``): shown, not counted.
    statements, checkable, checked, not_checkable : int
        From the document's ``statements.yaml`` (0 when it has none).
    decided : int
        Checkable statements every one of whose ``claim``-class checks is decided
        (reproduced or not reproduced); a statement checked only by set-up checks is not.
    """

    paper: str
    document: str
    reproduced: int = 0
    not_reproduced: int = 0
    undecided: int = 0
    toward_reproduced: int = 0
    toward_not_reproduced: int = 0
    beyond_paper: int = 0
    setup: int = 0
    statements: int = 0
    checkable: int = 0
    checked: int = 0
    not_checkable: int = 0
    decided: int = 0

    @property
    def coverage(self) -> float:
        """Share of the checkable statements that a claim checks."""
        return self.checked / self.checkable if self.checkable else float("nan")

    @property
    def decided_share(self) -> float:
        """Share of the checkable statements that are decided."""
        return self.decided / self.checkable if self.checkable else float("nan")


#: Tiers of a result, smallest first: a claim's headline verdict comes from the largest tier at
#: which it was run (never the best of them).
TIERS = ("ci", "extended", "paper")
#: Chance of a wrong decided verdict per counted claim under the rule: a 95 % two-sided interval
#: leaves 2.5 % on each side, so a claim whose true value sits inside (or outside) its
#: tolerance is judged the other way with at most this probability.
WRONG_SIDE = 0.025


def is_stale(cs: ClaimSet, stale: Collection) -> bool:
    """Whether a larger tier's claims are stale: ``stale`` holds ``(tier, chapter)`` pairs, or
    chapter ids (stale at every tier).
    """
    return cs.chapter in stale or (cs.profile, cs.chapter) in stale


def headline(
    sets: Sequence[ClaimSet], tiers: Sequence[Sequence[ClaimSet]] = (), stale: Collection = ()
) -> list[ClaimSet]:
    """Each chapter's claims at their headline tier: a record of a larger, fresh tier replaces
    the ci record of the same claim; a stale tier (chapter in ``stale``) never counts.

    Parameters
    ----------
    sets : sequence of ClaimSet
        The ci claims of the build.
    tiers : sequence of sequences of ClaimSet
        Larger tiers (e.g. the published paper-scale claims), any order.
    stale : collection
        ``(tier, chapter)`` pairs (or chapter ids) whose larger-tier results are stale.
    """

    def rank(cs: ClaimSet) -> int:
        return TIERS.index(cs.profile) if cs.profile in TIERS else 0

    best: dict[str, tuple[int, Claim, ClaimSet]] = {}
    for group in tiers:
        for cs in group:
            if is_stale(cs, stale):
                continue
            cs.settle()
            for c in cs.claims:
                if c.id not in best or rank(cs) > best[c.id][0]:
                    best[c.id] = (rank(cs), c, cs)
    out = []
    for cs in sets:
        cs.settle()
        claims, controls = [], list(cs.controls)
        for c in cs.claims:
            b = best.get(c.id)
            if b is not None and b[0] > rank(cs):
                claims.append(b[1])
                controls += [k for k in b[2].controls if k.id == c.id and k not in controls]
            else:
                claims.append(c)
        # each record is already settled in its own tier, against its own tier's controls
        out.append(
            ClaimSet(
                chapter=cs.chapter,
                profile=cs.profile,
                claims=claims,
                system=cs.system,
                controls=controls,
                _settled=True,
            )
        )
    return out


def counts(sets: Sequence[ClaimSet]) -> list[DocumentCounts]:
    """Verdict and statement counts per document, in the book's order (pass the sets of
    :func:`headline` for headline counts).
    """
    from mdrepro.book import statements
    from mdrepro.book.verdicts import TOWARD_NOT_REPRODUCED, TOWARD_REPRODUCED
    from mdrepro.papers import PAPERS, paper

    out = []
    for s in sets:
        s.settle()
    claims = [c for s in sets for c in s.claims]
    by_id = {c.id: c for c in claims}
    for name in PAPERS:
        doc = getattr(paper(name), "DOCUMENT", name)
        dc = DocumentCounts(name, doc)
        for c in claims:
            if c.document != name:
                continue
            if c.check_class != "claim":
                dc.setup += 1
            elif c.beyond_paper:
                dc.beyond_paper += 1
            elif c.verdict == REPRODUCED:
                dc.reproduced += 1
            elif c.verdict == NOT_REPRODUCED:
                dc.not_reproduced += 1
            else:
                dc.undecided += 1
                dc.toward_reproduced += c.lean == TOWARD_REPRODUCED
                dc.toward_not_reproduced += c.lean == TOWARD_NOT_REPRODUCED
        if statements.available(name):
            st = statements.load(name)
            dc.statements = len(st.items)
            dc.checkable = len(st.checkable)
            dc.checked = len(st.checked)
            dc.not_checkable = dc.statements - dc.checkable
            for item in st.checkable:
                recs = [by_id[i] for i in item.claims if i in by_id]
                own = [c for c in recs if c.check_class == "claim"]
                if own and len(recs) == len(item.claims) and all(c.decided for c in own):
                    dc.decided += 1
        out.append(dc)
    return out


def expected_chance_failures(sets: Sequence[ClaimSet]) -> tuple[int, float]:
    """Decided counted claims and how many of them the rule expects on the wrong side by
    chance alone (at most :data:`WRONG_SIDE` each).
    """
    n = sum(c.counted and c.decided for s in sets for c in s.claims)
    return n, WRONG_SIDE * n


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
        if c.check_class != "claim":
            colour = "0.55"  # a check of our own set-up: shown, not counted
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
    ax.set_yticklabels(
        [
            c.id + (" †" if c.beyond_paper else "") + (" §" if c.check_class != "claim" else "")
            for c in claims
        ],
        fontsize=7,
    )
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
    handles.append(
        Line2D([], [], marker="o", color="0.55", ls="none", label="§ set-up check (not counted)")
    )
    height_in = ax.figure.get_size_inches()[1] * ax.get_position().height
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.6 / max(height_in, 1.0)),
        ncol=5,
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
    """Markdown table of the counts per document (also included in the introduction): decided
    of checkable statements first, then the verdicts of the counted claims with the leans of
    the undecided ones, then what was checked.
    """
    rows = [
        "| document | **decided** of checkable statements | reproduced | not reproduced | "
        "undecided (leaning: toward reproduced / toward not reproduced) | statements checked | "
        "beyond the paper | checks of our own set-up | not checkable here |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for d in dcs:
        if d.checkable:
            dec = f"**{d.decided} of {d.checkable} ({100 * d.decided_share:.0f} %)**"
            cov = f"{d.checked} of {d.checkable} ({100 * d.coverage:.0f} %)"
        else:
            dec = cov = "no statements file"
        rows.append(
            f"| {d.document} | {dec} | {d.reproduced} | {d.not_reproduced} | {d.undecided} "
            f"({d.toward_reproduced} / {d.toward_not_reproduced}) | {cov} | {d.beyond_paper} | "
            f"{d.setup} | {d.not_checkable} |"
        )
    return "\n".join(rows) + "\n"


def headline_figure(dcs: Sequence[DocumentCounts], ax=None):
    """Per document, the counted claims as one stacked bar: reproduced, not reproduced, and the
    undecided ones split by lean (lighter shades: a lean is never a verdict).

    Returns
    -------
    matplotlib.axes.Axes
    """
    from mdrepro.book.claims import LEAN_STYLE
    from mdrepro.book.verdicts import NO_LEAN, TOWARD_NOT_REPRODUCED, TOWARD_REPRODUCED
    from mdrepro.plots.style import axes_or_new

    ax = axes_or_new(ax, figsize=(8.5, 0.55 * max(len(dcs), 2) + 1.2))
    parts = [
        (REPRODUCED, VERDICT_STYLE[REPRODUCED][0], lambda d: d.reproduced),
        (NOT_REPRODUCED, VERDICT_STYLE[NOT_REPRODUCED][0], lambda d: d.not_reproduced),
        (
            "undecided, " + TOWARD_REPRODUCED,
            LEAN_STYLE[TOWARD_REPRODUCED],
            lambda d: d.toward_reproduced,
        ),
        (
            "undecided, " + TOWARD_NOT_REPRODUCED,
            LEAN_STYLE[TOWARD_NOT_REPRODUCED],
            lambda d: d.toward_not_reproduced,
        ),
        (
            "undecided, no lean",
            LEAN_STYLE[NO_LEAN],
            lambda d: d.undecided - d.toward_reproduced - d.toward_not_reproduced,
        ),
    ]
    y = np.arange(len(dcs))[::-1]
    left = np.zeros(len(dcs))
    for label, colour, get in parts:
        w = np.array([get(d) for d in dcs], dtype=float)
        ax.barh(y, w, left=left, color=colour, label=label, edgecolor="white", height=0.6)
        for yi, li, wi in zip(y, left, w, strict=True):
            if wi:
                ax.text(li + wi / 2, yi, f"{wi:.0f}", ha="center", va="center", fontsize=8)
        left += w
    ax.set_yticks(y)
    ax.set_yticklabels(
        [
            f"{d.paper}\n{d.decided} of {d.checkable} statements decided"
            if d.checkable
            else d.paper
            for d in dcs
        ],
        fontsize=8,
    )
    ax.set_xlabel("claims of the document (class `claim`), at their headline tier")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=3, frameon=False, fontsize=7)
    ax.set_title("Verdicts per document; undecided claims split by lean", fontsize=9)
    return ax


def _paper_scale_column(
    sets: Sequence[ClaimSet], paper_sets: Sequence[ClaimSet], stale: Collection = ()
) -> str:
    """One row per claim of a chapter published above ci: ci, then a column per published
    tier (extended, paper); a verdict that differs from ci's is marked.
    """
    tiers = [t for t in TIERS[1:] if any(s.profile == t for s in paper_sets)]
    verdicts = {
        (s.profile, c.id): (c.verdict, is_stale(s, stale)) for s in paper_sets for c in s.claims
    }
    chapters = {s.chapter for s in paper_sets}
    names = {"extended": "extended tier", "paper": "paper scale"}
    rows = [
        "| claim | ci | " + " | ".join(names[t] for t in tiers) + " |",
        "| --- | --- |" + " --- |" * len(tiers),
    ]
    for s in sets:
        if s.chapter not in chapters:
            continue
        for c in s.claims:
            cells = []
            for t in tiers:
                v, old = verdicts.get((t, c.id), (None, False))
                mark = "" if v is None or v == c.verdict else " ⚠ differs"
                if v is not None and old:
                    mark += " (stale: code or params changed since it was published)"
                cells.append(f"{v or 'not run'}{mark}")
            rows.append(f"| `{c.id}` | {c.verdict} | " + " | ".join(cells) + " |")
    unpublished = sorted({s.chapter for s in sets} - chapters)
    if unpublished:
        rows += [
            "",
            f"Nothing above ci is published yet for {', '.join(unpublished)} (see the "
            "cost table on the benchmarks page).",
        ]
    return "\n".join(rows)


def setup_table(sets: Sequence[ClaimSet]) -> str:
    """Markdown table of the checks of our own set-up (``setup`` and ``construction``): run and
    shown as data QA, never counted, each with the reason it is not a claim.
    """
    from mdrepro.book.claims import SETUP_WORDS

    rows = [
        "| check | class | outcome | measured | why it is not a claim |",
        "| --- | --- | --- | --- | --- |",
    ]
    for s in sets:
        for c in s.claims:
            if c.check_class == "claim":
                continue
            rows.append(
                f"| `{c.id}` | {c.check_class} | {SETUP_WORDS[c.verdict]} | {c.measured} | "
                f"{c.class_reason} |"
            )
    return "\n".join(rows) + "\n"


def markdown(
    sets: Sequence[ClaimSet],
    titles: Mapping[str, str] | None = None,
    figure_file: str | None = None,
    paper_sets: Sequence[ClaimSet] = (),
    stale: Collection[str] = (),
    headline_file: str | None = None,
) -> str:
    """The scorecard page; ``stale``: ``(tier, chapter)`` pairs whose published result is
    stale.
    """
    titles = titles or {}
    out = [
        "# Scorecard",
        "",
        "Every figure of the book ends in checks in code. Each measures one number per seed or "
        "independent replica and is decided by one rule (`mdrepro.book.verdicts.decide`): "
        "**reproduced** when the 95 % interval of the mean lies inside the tolerance, **not "
        "reproduced** when it lies outside, **undecided** when it straddles a bound, when fewer "
        "than three seeds or replicas exist, or when a gate measured on the data fails. An "
        "undecided claim says what would decide it and which way it **leans** (the one-sided "
        "80 % bounds of the mean, a rule fixed in code; a lean is never a verdict). Classes, "
        "tolerances and sizes live in each paper's `registry.yaml`, hashed into every record; "
        "only checks of class **claim** (a statement of the document whose outcome was open) "
        "are counted. Checks of our own set-up (a property of our data or protocol, or true by "
        "construction) are shown apart. Each claim's headline verdict comes from the largest "
        "fresh tier at which it ran (ci < extended < paper). This page is generated by "
        "`mdrepro book` from the executed chapters' claims.",
        "",
    ]
    if not sets:
        out.append("*No chapter has been executed yet: run `mdrepro run` first.*")
        return "\n".join(out) + "\n"
    head = headline(sets, [paper_sets], stale)
    dcs = counts(head)
    n_dec, expected = expected_chance_failures(head)
    tiers = sorted(
        {s.profile for s in sets} | {s.profile for s in paper_sets if not is_stale(s, stale)},
        key=TIERS.index,
    )
    out += [
        "## Decided, per document",
        "",
        f"Tiers in the headline: **{', '.join(tiers)}**.",
        "",
        counts_table(dcs),
        "",
    ]
    if headline_file:
        out += [f"![Verdicts per document, undecided split by lean]({headline_file})", ""]
    out += [
        f"Of the {n_dec} decided claims, the rule expects at most {expected:.1f} on the wrong "
        f"side by chance alone ({100 * WRONG_SIDE:.1f} % each: one tail of a 95 % interval).",
        "",
    ]
    if figure_file:
        out += [
            "## Every check against its tolerance",
            "",
            f"![Every claim against its tolerance]({figure_file})",
            "",
        ]
    if any(c.check_class != "claim" for s in head for c in s.claims):
        out += [
            "## Checks of our own set-up",
            "",
            "Properties of our own data or protocol (`setup`) and statements true by physics, "
            "mathematics or the architecture (`construction`): run and shown as data QA, not "
            "counted. Each says why it is not a claim (`registry.yaml`).",
            "",
            setup_table(head),
            "",
        ]
    controls = [c for s in head for c in s.controls if c.kind == "negative"]
    positive = [c for s in head for c in s.controls if c.kind == "positive"]
    if controls or positive:
        ok = sum(c.ok for c in controls)
        families = sorted({c.family for c in controls})
        unnulled = sum(
            c.counted and c.gate.startswith("no negative control") for s in head for c in s.claims
        )
        out += [
            "## Controls both ways",
            "",
            "A check that cannot fail is a defect. A claim counts as **reproduced** only when a "
            "negative control or null of the same check with the effect removed lands *not "
            "reproduced*: from the same data where the check reads data (frames in random "
            "order, equilibrium copies in place of pulled ones, a network trained on shuffled "
            "frames), analytic for the four-well checks (a memoryless kernel, a flat density); "
            f"**{ok} of {len(controls)} negative controls did** "
            f"(families: {', '.join(families) or 'none'}). **{unnulled}** claims whose "
            "interval lies inside the tolerance have no such control yet: they are undecided, "
            "leaning toward reproduced. A claim counts as **not reproduced** only when a "
            "positive control through the same check lands *reproduced* (the document's own "
            "value fed through, else the check's synthetic set with the effect built in): "
            f"**{sum(c.ok for c in positive)} of {len(positive)} did**.",
            "",
            "```{raw} html",
            controls_html(controls + positive),
            "```",
            "",
        ]
    if paper_sets:
        out += [
            "## ci, extended tier and paper scale",
            "",
            "Results above ci are published by `mdrepro publish` into `results/extended/` and "
            "`results/paper/` with their provenance, and re-checked by CI from the stored "
            "summaries. Where several exist, the largest fresh tier's verdict is the headline "
            "one; a stale one never counts.",
            "",
            _paper_scale_column(sets, paper_sets, stale),
            "",
        ]
    for s in head:
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
    fig_name = head_name = None
    head = headline(sets, [paper_sets], stale)
    if sets:
        import matplotlib.pyplot as plt

        ax = figure(head)
        save_figure(ax.figure, "scorecard", directory)
        plt.close(ax.figure)
        fig_name = "scorecard.png"
        ax = headline_figure(counts(head))
        save_figure(ax.figure, "scorecard-headline", directory)
        plt.close(ax.figure)
        head_name = "scorecard-headline.png"
    atomic_write_text(directory / "counts.md", counts_table(counts(head)))
    atomic_write_text(
        directory / "verdict-changes.md",
        verdict_changes(sets, recorded)
        if recorded is not None
        else "*No verdicts are recorded for this profile yet.*\n",
    )
    path = directory / "scorecard.md"
    atomic_write_text(path, markdown(sets, titles, fig_name, paper_sets, stale, head_name))
    return path
