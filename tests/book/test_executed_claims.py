"""The built book's claims: every record complete, every check called, every control failing.

Runs after `make book` (`make test-browser` requires it); skipped before a book is built.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mdrepro.book.claims import CLAIM_FIELDS, load_claims
from mdrepro.book.verdicts import NOT_REPRODUCED, REPRODUCED, UNDECIDED, VERDICTS, all_checks

CLAIMS = Path(__file__).resolve().parents[2] / "book" / "executed" / "claims"
pytestmark = pytest.mark.book


@pytest.fixture(scope="module")
def sets():
    if not any(CLAIMS.glob("*.json")):
        if os.environ.get("MDREPRO_REQUIRE_BROWSER") == "1":
            pytest.fail(f"expected the built book's claims in {CLAIMS}, found none")
        pytest.skip(f"no built book at {CLAIMS} (run `make book`)")
    return load_claims(CLAIMS)


def test_every_record_has_every_field_and_a_valid_verdict(sets):
    for f in CLAIMS.glob("*.json"):
        for c in json.loads(f.read_text())["claims"]:
            assert set(CLAIM_FIELDS) <= set(c), (f.name, c["id"])
            assert c["verdict"] in VERDICTS and (c["verdict"] != "undecided" or c["decide_at"])


def test_every_registered_check_is_called_by_a_chapter(sets):
    called = {c.id for s in sets for c in s.claims}
    checks = {k for k in all_checks() if not k.startswith("ch09")}
    assert checks <= called, f"registered but never called: {sorted(checks - called)}"


def test_negative_controls_fail_as_they_must(sets):
    controls = [k for s in sets for k in s.controls if k.kind == "negative"]
    assert controls, "no negative control in the book"
    assert all(k.verdict == NOT_REPRODUCED for k in controls), [
        (k.id, k.verdict) for k in controls if k.verdict != NOT_REPRODUCED
    ]
    positive = [k for s in sets for k in s.controls if k.kind == "positive"]
    assert all(k.verdict == REPRODUCED for k in positive), [
        (k.id, k.verdict) for k in positive if k.verdict != REPRODUCED
    ]
    families = {c.family for c in all_checks().values() if c.document and c.family}
    guarded = {k.family for k in controls}
    missing = families - guarded - {"characterisation"}  # ch01: needs >= 3 replicas at ci
    assert not missing, f"families without a negative control: {sorted(missing)}"


def test_records_say_what_counts_which_way_they_lean_and_their_control(sets):
    for s in sets:
        for c in s.claims:
            assert c.check_class in ("claim", "setup", "construction") and c.registry_hash
            if c.verdict == UNDECIDED:
                assert c.lean and c.sample_unit and c.n_inside + c.n_outside == c.n, c.id
            if c.check_class != "claim":
                assert c.class_reason, c.id
            elif c.verdict == REPRODUCED:
                assert c.control.startswith("negative control"), c.id
            elif c.verdict == NOT_REPRODUCED:
                assert c.control.startswith("positive control"), c.id
