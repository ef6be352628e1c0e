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

One test item per claim, so that pytest-xdist can run them in parallel (``-n 2``). Proving a
configuration's steps (loss, labels, C, parameters) once proves them for every claim made about
it, so the test checks each configuration's steps once per test process and each claim alone,
both in a forked worker bounded like the CLI's, and combines them into the exit code the CLI
gives (`library_exit_code`); every tenth claim, and every claim outside the syntax, also runs
through the CLI, which must give the same code (`test_the_cli_gives_the_code_the_library_gives`).
`test_verdict_table` prints the corpus per family (run with ``-s``); ``python tests/test_corpus.py
[JOBS]`` runs every claim through the CLI in subprocesses and prints the table of exit codes per
family and the violations.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from xentderive.cli import EXIT_FAILED, EXIT_INTERNAL, EXIT_LIMIT, EXIT_OK, EXIT_UNPROVED, EXIT_USAGE

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


def _build(claim: dict, target: str | None):
    """The derivation the CLI builds for `claim` (with `target`, or the loss's own closed form)."""
    from xentderive.api import build
    from xentderive.params import parse_assignments

    values = parse_assignments(tuple(f"{k}={v}" for k, v in claim.get("params", {}).items()))
    return build(
        None if claim["classes"] == "C" else claim["classes"],
        labels=claim["labels"],
        target=target,
        loss=claim["loss"],
        params=values,
    )


def _isolated(work) -> tuple[int, str]:
    """(exit code, message) of `work()`, a Status or outcome code, run as the CLI runs a proof:
    in a forked worker within --timeout and the default memory limit."""
    from xentderive.isolation import Limits, run_isolated

    done = run_isolated(work, Limits(seconds=TIMEOUT))
    if done.kind == "done":
        return done.value, ""
    code = {"input": EXIT_USAGE, "timeout": EXIT_LIMIT, "memory": EXIT_LIMIT}.get(done.kind, EXIT_INTERNAL)
    message = done.message if code != EXIT_INTERNAL else f"Traceback (most recent call last): {done.message}"
    return code, message


def _code(statuses) -> int:
    """The CLI's exit code for these step statuses (`Derivation.outcome`, then `_exit_for`)."""
    from xentderive.model import Status

    statuses = list(statuses)
    if Status.FAILED in statuses:
        return EXIT_FAILED
    return EXIT_OK if all(s.passed for s in statuses) else EXIT_UNPROVED


@functools.cache
def steps_code(loss: str, labels: str, classes, params: tuple) -> tuple[int, str]:
    """The exit code the configuration's steps alone call for, proved once per test process."""
    claim = {"loss": loss, "labels": labels, "classes": classes, "params": dict(params)}

    def work() -> int:
        from xentderive.api import check

        derivation = check(_build(claim, None))  # with the loss's own closed form as its claim
        return _code(s.status for s in derivation.steps)

    return _isolated(work)


def claim_code(claim: dict) -> tuple[int, str]:
    """The exit code for the claim alone, checked as `api.check` checks it (with the same
    symbolic twin for a concrete C), on a derivation whose other steps are left out."""

    def work() -> int:
        from xentderive.api import check

        derivation = dataclasses.replace(_build(claim, claim["target"]), steps=[])
        return _code(s.status for s in check(derivation).all_steps)

    return _isolated(work)


def library_exit_code(claim: dict) -> tuple[int, str]:
    """The CLI's exit code for `claim`: bad input (2) and limits (3) first, then the worst of
    the configuration's steps and the claim (1 over 4 over 0)."""
    code, message = claim_code(claim)
    if code in (EXIT_USAGE, EXIT_LIMIT, EXIT_INTERNAL):
        return code, message
    steps, steps_message = steps_code(*_config(claim))
    if steps in (EXIT_USAGE, EXIT_LIMIT, EXIT_INTERNAL):
        return steps, steps_message
    return (EXIT_FAILED if EXIT_FAILED in (code, steps) else max(code, steps)), ""


def _config(claim: dict) -> tuple:
    return claim["loss"], claim["labels"], claim["classes"], tuple(sorted(claim.get("params", {}).items()))


IN_SYNTAX = [c for c in CLAIMS if not c.get("expect_usage")]
END_TO_END = [c for c in CLAIMS if c.get("expect_usage")] + IN_SYNTAX[::20]


QUICK_EVERY = 24  # the quick tier (tests/conftest.py) runs every 24th claim of each family and truth


def _quick(claims: list[dict]) -> set[str]:
    """Ids the quick tier runs: each family's true and false claims, evenly thinned."""
    kinds = collections.defaultdict(list)
    for c in claims:
        kinds[c["family"], c["truth"]].append(c["id"])
    return {i for ids in kinds.values() for i in ids[::QUICK_EVERY]}


def _quick_end_to_end() -> set[str]:
    sampled = [c for c in END_TO_END if not c.get("expect_usage")]
    one_each = {next(c["id"] for c in sampled if c["truth"] is truth) for truth in (True, False)}
    return {c["id"] for c in END_TO_END if c.get("expect_usage")} | one_each


def _grouped(claims: list[dict], quick: set[str]) -> list:
    """The claims as test items, those about one configuration in one xdist group (``--dist
    loadgroup``, set in pyproject.toml): its steps are then proved once, not once per process."""
    return [
        pytest.param(
            c,
            id=c["id"],
            marks=[pytest.mark.xdist_group("corpus" + repr(_config(c)))]
            + ([pytest.mark.quick] if c["id"] in quick else []),
        )
        for c in claims
    ]


@pytest.mark.parametrize("claim", _grouped(IN_SYNTAX, _quick(IN_SYNTAX)))
def test_claim_keeps_the_exit_code_contract(claim: dict) -> None:
    code, output = library_exit_code(claim)
    problem = violation(claim, code, output)
    assert problem is None, f"{describe(claim)}\n{problem}\n{output[-1500:]}"


# quick: every claim outside the syntax (refused before any proof), and one in it of each truth
@pytest.mark.parametrize("claim", _grouped(END_TO_END, _quick_end_to_end()))
def test_the_cli_gives_the_code_the_library_gives(claim: dict) -> None:
    """The CLI keeps the contract, and for a claim in the syntax gives the code computed above:
    the steps-once shortcut answers as the real command does."""
    code, output = run_in_process(claim)
    problem = violation(claim, code, output)
    assert problem is None, f"{describe(claim)}\n{problem}\n{output[-1500:]}"
    if not claim.get("expect_usage"):
        assert code == library_exit_code(claim)[0], f"{describe(claim)}\nthe CLI exited {code}\n{output[-1500:]}"


def test_a_false_claim_combined_with_proved_steps_fails() -> None:
    """The twin of the shortcut: a wrong closed form on a configuration whose steps are all proved
    exits 1, and the same configuration with its true closed form exits 0."""
    base = {"family": "twin", "loss": "softmax-ce", "labels": "onehot", "classes": "C", "why": "twin"}
    assert library_exit_code(base | {"target": "p_i - y_i", "truth": True})[0] == EXIT_OK
    assert library_exit_code(base | {"target": "p_i - 2*y_i", "truth": False})[0] == EXIT_FAILED
    assert library_exit_code(base | {"target": "p_i -", "truth": False})[0] == EXIT_USAGE


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
