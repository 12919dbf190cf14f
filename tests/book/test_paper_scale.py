"""mdrepro.book.paper_scale: the published results (paper scale, extended tier) verify, and
tampering shows.
"""

import json
import shutil

import pytest

from mdrepro.book import paper_scale, scorecard

PUBLISHED = paper_scale.every_tier()
needs_published = pytest.mark.skipif(
    not PUBLISHED, reason="nothing is published in results/paper/ or results/extended/"
)


@needs_published
@pytest.mark.parametrize("p", PUBLISHED, ids=[f"{p.tier}-{p.chapter}" for p in PUBLISHED])
def test_published_results_verify_with_the_current_claims_code(p):
    """What CI checks: checksums, size, and (unless stale) the verdicts recomputed from the
    stored summaries equal the published ones.
    """
    assert p.verify() == []
    assert p.provenance["profile"] == p.tier == p.folder.parent.name
    assert not p.stale(), "CI refuses a stale published result"
    assert len(p.provenance["commit"]) == 40
    assert p.status in ("complete", "partial")
    for key in ("code_hash", "params_hash", "modules", "environment", "machine", "data"):
        assert p.provenance[key]
    assert all(f.is_file() for f in p.figure_files())


def _copy(tmp_path, chapter="ch04"):
    p = paper_scale.load(chapter)
    if p is None:
        pytest.skip(f"no paper-scale {chapter} is published")
    shutil.copytree(p.folder, tmp_path / chapter)
    return paper_scale.load(chapter, tmp_path)


def test_a_changed_verdict_in_claims_json_fails_verification(tmp_path):
    p = _copy(tmp_path)
    doc = json.loads((p.folder / "claims.json").read_text())
    c = doc["claims"][0]
    c["verdict"] = "reproduced" if c["verdict"] != "reproduced" else "not reproduced"
    (p.folder / "claims.json").write_text(json.dumps(doc))
    # the file no longer matches its checksum ...
    assert any("claims.json: sha256" in line for line in p.verify())
    # ... and with the checksum updated, the recomputed verdict still disagrees
    from mdrepro.publish import sha256_file

    p.provenance["files"]["claims.json"] = sha256_file(p.folder / "claims.json")
    fresh = paper_scale.load_claims(p.folder / "claims.json")[0]
    p = paper_scale.Published(p.folder, p.provenance, fresh)
    problems = p.verify()
    assert problems and all("recomputed" in line for line in problems)
    assert c["id"] in problems[0]


def test_a_damaged_unit_and_a_stray_file_fail_verification(tmp_path):
    p = _copy(tmp_path)
    unit = p.folder / p.provenance["units"][0]["file"]
    unit.write_bytes(unit.read_bytes() + b"\0")
    (p.folder / "extra.txt").write_text("x")
    problems = p.verify()
    assert any(p.provenance["units"][0]["file"] in line for line in problems)
    assert any("extra.txt: not listed" in line for line in problems)


def test_stale_results_are_marked_and_not_rechecked(tmp_path):
    p = _copy(tmp_path)
    p.provenance["modules"]["mdrepro.papers.sidky2020.study"] = "0" * 16
    assert p.stale() and "mdrepro.papers.sidky2020.study" in p.stale()[0]
    assert "STALE" in p.header()
    assert "(stale)" in paper_scale.beside(None, p)
    page = scorecard.markdown([p.claims], paper_sets=[p.claims], stale={p.chapter})
    assert "stale: code or params changed" in page


def test_profile_resolving_code_alone_leaves_units_current_only_while_params_hash_as_published(
    tmp_path,
):
    p = _copy(tmp_path)
    p.provenance["modules"]["mdrepro.profiles"] = "0" * 16
    assert p.stale() == []
    q = _copy(tmp_path / "q")
    q.provenance["modules"]["mdrepro.profiles"] = "0" * 16
    q.provenance["params_hash"] = "1" * 16
    assert len(q.stale()) == 2 and "mdrepro.profiles" in q.stale()[0]


def test_nothing_published_reads_as_none(tmp_path):
    assert paper_scale.load("ch04", tmp_path) is None
    assert paper_scale.published(tmp_path / "absent") == []


def test_unit_seconds_counts_times_not_throughputs():
    t = {"result.train_s": 10.0, "result.gen_frames_per_s": 1e6, "result.gen_seconds": 2.0}
    assert paper_scale.unit_seconds(t) == 12.0
    assert paper_scale.unit_seconds({"result.wall_s": 3.0, "result.fit.wall_s": 2.0}) == 3.0
    # a training run records its time one level down (chapter 2's result.train.wall_s)
    t = {"result.train.train_time_s": 0.9, "result.train.wall_s": 2.0}
    assert paper_scale.unit_seconds(t) == 2.0


def test_rejudging_rewrites_only_the_claims_and_records_why(tmp_path):
    from mdrepro import publish

    p = _copy(tmp_path)
    doc = json.loads((p.folder / "claims.json").read_text())
    doc["claims"][0]["verdict"] = "not a verdict"  # an old claims file: replaced, not trusted
    (p.folder / "claims.json").write_text(json.dumps(doc))
    p.provenance["files"]["claims.json"] = publish.sha256_file(p.folder / "claims.json")
    (p.folder / "provenance.json").write_text(json.dumps(p.provenance))
    units_before = {f: h for f, h in p.provenance["files"].items() if f.startswith("units/")}
    folder, changes = publish.rejudge("ch04", tmp_path, require_clean=False)
    assert any(doc["claims"][0]["id"] in c for c in changes)
    again = paper_scale.load("ch04", tmp_path)
    assert again.verify() == [] and again.provenance["rejudged"][-1]["changes"] == changes
    assert {f: h for f, h in again.provenance["files"].items() if f in units_before} == (
        units_before
    )
    assert all(c.registry_hash and c.check_class for c in again.claims.claims)


def test_rejudging_refuses_a_stale_or_damaged_result(tmp_path):
    from mdrepro import publish
    from mdrepro.errors import DataError

    p = _copy(tmp_path)
    unit = p.folder / p.provenance["units"][0]["file"]
    unit.write_bytes(unit.read_bytes() + b"\0")
    with pytest.raises(DataError, match="expected a current, intact published ch04"):
        publish.rejudge("ch04", tmp_path, require_clean=False)


def test_a_changed_figure_or_page_leaves_published_units_current(tmp_path):
    p = _copy(tmp_path)
    for m in ("mdrepro.plots.lss", "mdrepro.book.benchmarks"):  # in the study's closure
        p.provenance["modules"][m] = "f" * 16
    assert p.stale() == []
    p = _copy(tmp_path / "again")
    p.provenance["modules"]["mdrepro.book.chapter"] = "f" * 16  # seeds, threads: not a page
    assert p.stale()


def test_changed_storage_code_leaves_units_current_only_while_they_round_trip(tmp_path):
    import io
    import zipfile

    p = _copy(tmp_path)
    p.provenance["modules"]["mdrepro.results"] = "0" * 16
    assert p.stale() == [] and "re-encode to their own bytes" in p.storage_note
    # the same contents stored differently (no compression) no longer round-trip: stale
    p = _copy(tmp_path / "again")
    p.provenance["modules"]["mdrepro.results"] = "0" * 16
    unit = p.folder / p.provenance["units"][0]["file"]
    buf = io.BytesIO()
    with zipfile.ZipFile(unit) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as dst:
        for name in src.namelist():
            dst.writestr(name, src.read(name))
    unit.write_bytes(buf.getvalue())
    assert p.stale() and "mdrepro.results" in p.stale()[0]
