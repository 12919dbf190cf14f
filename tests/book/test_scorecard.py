"""mdrepro.book.scorecard: decided statements first, headline tiers, set-up checks apart."""

from __future__ import annotations

from dataclasses import replace

from mdrepro.book import scorecard, statements
from mdrepro.book.claims import ClaimSet
from mdrepro.book.verdicts import NOT_REPRODUCED, REPRODUCED, UNDECIDED, all_checks

CHECKS = all_checks()


def _set(profile: str, verdicts: dict[str, list[float]], chapter: str = "ch04") -> ClaimSet:
    cs = ClaimSet(chapter, profile)
    for cid, samples in verdicts.items():
        cs.check(cid, samples if not callable(samples) else samples(), "m")
    return cs


def _fixture(cid: str, verdict: str):
    return CHECKS[cid].fixtures[verdict]


def test_setup_checks_are_shown_but_not_counted():
    cid = "ch04.lss-errors-smaller"  # construction: 100x the simulated time
    cs = _set("ci", {cid: _fixture(cid, REPRODUCED)})
    dc = {d.paper: d for d in scorecard.counts([cs])}["sidky2020"]
    assert dc.reproduced == 0 and dc.setup == 1
    assert "holds (construction)" in cs._repr_html_()
    assert "checks of our own set-up" in cs.summary()


def test_headline_comes_from_the_largest_fresh_tier_never_the_best():
    cid = "ch04.fes-rmse"
    ci = _set("ci", {cid: _fixture(cid, REPRODUCED)})
    paper = _set("paper", {cid: _fixture(cid, NOT_REPRODUCED)})
    head = scorecard.headline([ci], [[paper]])
    assert head[0].claims[0].verdict == NOT_REPRODUCED and head[0].claims[0].profile == "paper"
    assert any(k.kind == "positive" for k in head[0].controls)  # the paper tier's control
    stale = scorecard.headline([ci], [[paper]], stale={"ch04"})
    assert stale[0].claims[0].profile == "ci" and stale[0].claims[0].rule_verdict == REPRODUCED


def test_extended_and_paper_tiers_stand_side_by_side_and_a_stale_tier_is_skipped():
    cid = "ch04.fes-rmse"
    ci = _set("ci", {cid: _fixture(cid, REPRODUCED)})
    ext = _set("extended", {cid: _fixture(cid, NOT_REPRODUCED)})
    paper = _set("paper", {cid: _fixture(cid, REPRODUCED)})
    assert scorecard.headline([ci], [[ext]])[0].claims[0].profile == "extended"
    assert scorecard.headline([ci], [[paper, ext]])[0].claims[0].profile == "paper"
    # paper is stale: the extended tier is the headline, not ci and not the stale paper one
    head = scorecard.headline([ci], [[ext, paper]], stale={("paper", "ch04")})
    assert head[0].claims[0].profile == "extended"
    page = scorecard.markdown([ci], paper_sets=[ext, paper], stale={("paper", "ch04")})
    assert "| claim | ci | extended tier | paper scale |" in page
    assert "Tiers in the headline: **ci, extended**" in page
    row = next(line for line in page.splitlines() if line.startswith(f"| `{cid}`"))
    assert "not reproduced ⚠ differs" in row and "(stale:" in row.split("|")[4]


def test_a_statement_is_decided_only_when_every_claim_on_it_is():
    st = statements.load("sidky2020")
    item = next(i for i in st.checkable if len(i.claims) >= 2)
    ids = [c for c in item.claims if CHECKS[c].klass == "claim"]
    assert ids, item.id
    decided = {c: _fixture(c, NOT_REPRODUCED) for c in item.claims}  # decided both ways
    base = scorecard.counts([_set("ci", decided)])
    one_open = dict(decided, **{ids[0]: _fixture(ids[0], UNDECIDED)})
    less = scorecard.counts([_set("ci", one_open)])
    d0 = {d.paper: d for d in base}["sidky2020"]
    d1 = {d.paper: d for d in less}["sidky2020"]
    sharing = sum(ids[0] in i.claims for i in st.checkable)  # statements that use the claim
    assert d0.decided == d1.decided + sharing
    assert d0.checkable == d1.checkable == len(st.checkable)  # fixed denominators


def test_the_page_leads_with_decided_and_states_the_chance_failures(tmp_path):
    cid = "ch04.fes-rmse"
    cs = _set("ci", {cid: _fixture(cid, REPRODUCED), "ch04.gan-converged": [4.25, 0.51, 2.11]})
    page = scorecard.write([cs], tmp_path).read_text()
    assert page.index("decided") < page.index("statements checked")
    assert "on the wrong side by chance alone" in page
    assert (tmp_path / "scorecard-headline.png").stat().st_size > 1000
    dc = {d.paper: d for d in scorecard.counts([cs])}["sidky2020"]
    # fes-rmse is inside its tolerance but has no null: undecided, leaning toward reproduced
    assert dc.undecided == 2 and dc.toward_not_reproduced == 1 and dc.toward_reproduced == 1


def test_expected_chance_failures_count_only_decided_claims():
    cid = "ch04.fes-rmse"
    cs = _set("ci", {cid: _fixture(cid, REPRODUCED)})
    n, e = scorecard.expected_chance_failures([cs])
    assert n == 1 and e == scorecard.WRONG_SIDE
    cs.claims[0] = replace(cs.claims[0], check_class="setup")
    assert scorecard.expected_chance_failures([cs])[0] == 0
