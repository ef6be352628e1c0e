"""The proof gate against an adversarial claim corpus whose truth comes from an independent oracle.

tests/corpus/claims.jsonl holds claims (traps that vanish only for small C, parameter end
points, undefined expressions, identities that need the stated assumptions, concrete and large
C, wrong and right closed forms, input outside the syntax). Each truth was decided by
tests/oracle.py, which uses only mpmath and never xentderive (regenerate the file with
`python tests/corpus/make_corpus.py`). Every claim runs the real CLI (in the test, through its
entry point in-process, the proof in a forked worker as always; in the table script, in a subprocess):

* a FALSE claim never exits 0 and a TRUE claim never exits 1;
* nothing exits 70 or prints a traceback; every exit code is in {0, 1, 2, 3, 4}
  (3, a resource limit, and 4, not proved, are acceptable for any claim);
* 2 (bad input) only for a claim marked ``expect_usage``, which must exit 2.

One test item per claim, so that pytest-xdist can run them in parallel (``-n 2``).
`test_verdict_table` prints the corpus per family (run with ``-s``); ``python tests/test_corpus.py
[JOBS]`` runs every claim and prints the table of exit codes per family and the violations.
"""

from __future__ import annotations

import collections
import json
import subprocess
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent / "corpus" / "claims.jsonl"
ROOT = Path(__file__).resolve().parent.parent
ALLOWED = {0, 1, 2, 3, 4}
TIMEOUT = 30  # --timeout for the engine; the subprocess itself gets more


def load() -> list[dict]:
    with open(CORPUS, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


CLAIMS = load()


def command(claim: dict) -> list[str]:
    cmd = [sys.executable, "-m", "xentderive", "derive", "--loss", claim["loss"], "--labels", claim["labels"]]
    cmd += ["-C", str(claim["classes"]), "--target", claim["target"], "--timeout", str(TIMEOUT)]
    for name, value in claim.get("params", {}).items():
        cmd += ["--param", f"{name}={value}"]
    return cmd


def run(claim: dict) -> tuple[int, str]:
    """(exit code, stderr) of the CLI on one claim; -1 if it outlives its own time limit."""
    try:
        proc = subprocess.run(
            command(claim), cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT + 60, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        return -1, "the process outlived --timeout by 60 s"
    return proc.returncode, proc.stderr + proc.stdout[-2000:]


def run_in_process(claim: dict) -> tuple[int, str]:
    """(exit code, output) of the same command through the CLI's own entry point in this process:
    the command line is parsed, checked and rendered here, and the proof runs in a forked worker
    bounded by --timeout, as in a subprocess; only the interpreter's start-up is saved. An
    exception escaping the CLI counts as a traceback."""
    from click.testing import CliRunner

    from xentderive.cli import main

    result = CliRunner().invoke(main, command(claim)[3:], prog_name="xentderive")
    output = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        output += "\nTraceback (most recent call last): " + repr(result.exception)
    return result.exit_code, output[-4000:]


def violation(claim: dict, code: int, output: str) -> str | None:
    """What breaks the contract, or None."""
    if "Traceback" in output:
        return f"printed a traceback (exit {code})"
    if code not in ALLOWED:
        return f"exit {code} is not in {sorted(ALLOWED)}"
    if claim.get("expect_usage"):
        return None if code == 2 else f"input outside the syntax exited {code}, not 2"
    if code == 2:
        return "a claim in the syntax was refused as bad input (exit 2)"
    if claim["truth"] and code == 1:
        return "a TRUE claim was called wrong (exit 1)"
    if not claim["truth"] and code == 0:
        return "a FALSE claim passed (exit 0)"
    return None


def describe(claim: dict) -> str:
    params = " ".join(f"--param {k}={v}" for k, v in claim.get("params", {}).items())
    return (
        f"{claim['id']} [{claim['family']}] --loss {claim['loss']} --labels {claim['labels']} "
        f"-C {claim['classes']} {params} --target {claim['target']!r}: truth {claim['truth']} ({claim['why']})"
    )


@pytest.mark.parametrize("claim", CLAIMS, ids=[c["id"] for c in CLAIMS])
def test_claim_keeps_the_exit_code_contract(claim: dict) -> None:
    code, output = run_in_process(claim)
    problem = violation(claim, code, output)
    assert problem is None, f"{describe(claim)}\n{problem}\n{output[-1500:]}"


def test_corpus_is_well_formed() -> None:
    ids = [c["id"] for c in CLAIMS]
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert len(CLAIMS) >= 350
    for c in CLAIMS:
        assert {"id", "family", "loss", "labels", "classes", "target", "truth", "why"} <= set(c), c["id"]
        assert isinstance(c["truth"], bool) and c["labels"] in ("onehot", "soft"), c["id"]
        assert c["classes"] == "C" or isinstance(c["classes"], int), c["id"]
    families = {c["family"] for c in CLAIMS}
    for family in ("small-C", "param-end", "undefined", "assumption", "concrete-C", "closed-form", "large-C"):
        assert family in families
        assert {True, False} <= {c["truth"] for c in CLAIMS if c["family"] == family}, family


def table(results: list[tuple[dict, int, str | None]]) -> str:
    """Per family: claims by truth, exit codes by truth, and violations."""
    rows = collections.defaultdict(lambda: collections.Counter())
    for claim, code, problem in results:
        kind = "usage" if claim.get("expect_usage") else ("T" if claim["truth"] else "F")
        rows[claim["family"]][(kind, code)] += 1
        rows[claim["family"]][kind] += 1
        rows[claim["family"]]["violations"] += problem is not None
    lines = [f"{'family':12} {'true':>5} {'false':>5} {'usage':>5}  exit codes (T/F/usage:code×n)  violations"]
    for family in sorted(rows):
        r = rows[family]
        codes = " ".join(f"{k}:{c}×{n}" for (k, c), n in sorted(((k, n) for k, n in r.items() if isinstance(k, tuple))))
        lines.append(f"{family:12} {r['T']:5} {r['F']:5} {r['usage']:5}  {codes}  {r['violations']}")
    return "\n".join(lines)


def test_verdict_table() -> None:
    """Prints the corpus by family and truth (run with -s); `python tests/test_corpus.py [JOBS]` runs
    every claim and prints the same table with the exit codes and the list of violations."""
    print("\n" + table([(c, "-", None) for c in CLAIMS]))
    assert sum(1 for c in CLAIMS if c.get("expect_usage")) >= 10


def main() -> int:
    from concurrent.futures import ThreadPoolExecutor

    jobs = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    with ThreadPoolExecutor(jobs) as pool:
        outcomes = list(pool.map(run, CLAIMS))
    results = [(c, code, violation(c, code, out)) for c, (code, out) in zip(CLAIMS, outcomes, strict=True)]
    print(table(results))
    bad = [(c, code, p) for c, code, p in results if p]
    print(f"\n{len(bad)} of {len(results)} claims violate the contract:")
    for c, code, p in bad:
        print(f"  exit {code}: {describe(c)} -> {p}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
