#!/usr/bin/env python3
"""Compare two sets of chapter claims (``claims/*.json``) claim by claim.

    python scripts/compare_claims.py BEFORE_DIR AFTER_DIR

Prints, per chapter, the claims added, removed, whose verdict changed and whose measured text
changed (with both texts), and a one-line summary. Exit status 1 if an id or a verdict
differs, 0 otherwise (a changed measured text alone is reported, not failed on: numbers are
compared as printed).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _verdict(c: dict) -> str:
    if "verdict" in c:
        return str(c["verdict"])
    return "pass" if c.get("passed") else "fail"


def load(directory: Path) -> dict[str, dict[str, dict]]:
    """chapter -> claim id -> claim."""
    out = {}
    for f in sorted(Path(directory).glob("*.json")):
        doc = json.loads(f.read_text())
        out[doc["chapter"]] = {c["id"]: c for c in doc["claims"]}
    return out


def compare(before: Path, after: Path) -> int:
    a, b = load(before), load(after)
    bad = 0
    n_same = n_total = 0
    for ch in sorted(set(a) | set(b)):
        ca, cb = a.get(ch, {}), b.get(ch, {})
        lines = []
        for cid in sorted(set(ca) - set(cb)):
            lines.append(f"  removed  {cid}")
            bad += 1
        for cid in sorted(set(cb) - set(ca)):
            lines.append(f"  added    {cid}")
            bad += 1
        for cid in sorted(set(ca) & set(cb)):
            n_total += 1
            x, y = ca[cid], cb[cid]
            if _verdict(x) != _verdict(y):
                bad += 1
                lines.append(f"  VERDICT  {cid}: {_verdict(x)} -> {_verdict(y)}")
            if x.get("measured") != y.get("measured"):
                lines.append(
                    f"  measured {cid}:\n    before: {x.get('measured')}\n"
                    f"    after:  {y.get('measured')}"
                )
            elif _verdict(x) == _verdict(y):
                n_same += 1
        status = "identical" if not lines else f"{len(lines)} difference(s)"
        print(f"{ch}: {len(cb)} claims, {status}")
        print("\n".join(lines)) if lines else None
    print(
        f"{n_same} of {n_total} common claims identical in id, verdict and measured value; "
        f"{bad} id/verdict difference(s)"
    )
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(compare(Path(sys.argv[1]), Path(sys.argv[2])))
