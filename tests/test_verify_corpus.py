"""The corpus: 16 derivations written the ways people write them, each with single-slip copies.

Written and checked independently of the tool (tests/verify_corpus/check_truth.py evaluates
every link numerically from the document's own definitions). Every correct file passes; every
slip is caught as wrong at the slip's own line (the first wrong link). The manifest says which.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xentderive.userdoc.check import verify_file

ROOT = Path(__file__).parent / "verify_corpus"
MANIFEST = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
PASSING = ("proved", "verified", "not-checked")


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_corpus(entry):
    report = verify_file(entry["file"], (ROOT / entry["file"]).read_bytes())
    if entry["expect"] == "pass":
        assert [(v.line, v.status, v.reason) for v in report.verdicts if v.status not in PASSING] == []
        assert report.ok and report.links
    elif entry["expect"] == "wrong":
        first = report.first_wrong
        assert first is not None, "the slip was not caught"
        assert (first.line, first.status) == (entry["line"], "wrong"), entry["slip"]
        assert first.counterexample is not None
    else:  # the seed: its slips are wrong or not understood, each at its line
        flagged = {v.line for v in report.verdicts if v.status in ("wrong", "not-understood")}
        assert set(entry["lines"]) <= flagged


def test_every_correct_file_has_at_least_two_slips_and_the_kinds_the_issue_names():
    bases = [e["file"] for e in MANIFEST if e["expect"] == "pass"]
    slips = [e for e in MANIFEST if e["expect"] == "wrong"]
    assert len(bases) >= 12
    assert all(sum(s["base"] == b for s in slips) >= 2 for b in bases)
    kinds = {s["file"].split(".slip-")[1].split(".")[0] for s in slips}
    assert {"sign", "factor", "sum", "case", "twoclass"} <= kinds


def test_the_corpus_truth_checker_agrees_with_the_manifest():
    """The independent evaluator (numerical derivatives of each document's own definitions) still
    says what the manifest says: every correct link holds, every slip breaks exactly one."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, str(ROOT / "check_truth.py")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "every slip makes exactly one link false" in done.stdout
