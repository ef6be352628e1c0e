"""`xentderive check`: a suite of cases (loss × labels × classes × target), run with two witnesses.

Cases come from flags, from `--config FILE`, or from `[tool.xentderive]` in the
nearest pyproject.toml (flags win); with none of these, the smoke suite: every known
derivation with one-hot labels at C = 3 and symbolic C. `--all` is the full catalogue:
every derivation with each kind of labels, at C = 1, 2, 3, 10 and symbolic C.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from .config import LABELS, Case, DocumentCase, find_pyproject, load_config, parse_classes
from .isolation import Finished, Limits, run_many
from .limits import DEFAULT_MEMORY, DEFAULT_TIMEOUT

DEFAULT_CLASSES: tuple[int | None, ...] = (1, 2, 3, 10, None)
SMOKE_CLASSES: tuple[int | None, ...] = (3, None)
"""A repository with no configuration gets the smoke suite: every derivation once concretely and
once for every C, fast enough for a commit hook; `check --all` runs the full catalogue."""
__all__ = ["Case", "find_pyproject", "load_config", "parse_classes"]  # re-exported for the CLI
STATUSES = ("passed", "failed", "unproved", "timeout", "memory", "error")


@dataclass
class Settings:
    """What the run needs besides the cases: witnesses, limits per case, and what counts as a pass."""

    numeric: bool = True
    timeout: float = DEFAULT_TIMEOUT
    memory: int = DEFAULT_MEMORY
    seed: int = 0
    allow_unproved: bool = False  # count "not proved" (exit 4) as a pass
    jobs: int | str = "auto"  # cases at once; auto: the cores available

    @property
    def limits(self) -> Limits:
        return Limits(self.timeout, self.memory)


@dataclass
class Witness:
    name: str
    status: str  # "passed" | "failed" | "skipped"
    detail: str


@dataclass
class CaseResult:
    case: Case
    status: str  # one of STATUSES
    seconds: float
    witnesses: list[Witness] = field(default_factory=list)
    steps: list[dict[str, str]] = field(default_factory=list)
    counterexample: str = ""
    message: str = ""


@dataclass
class SuiteResult:
    results: list[CaseResult]
    seconds: float
    settings: Settings
    command: str = "xentderive check"  # the reports' title (check-impl reuses them)
    note: str | None = None  # the text report's last words on method; None: the numeric witness's description

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def exit_code(self) -> int:
        """1 a case failed; 70 an internal error; 3 a limit was hit; 4 a case is not proved; else 0."""
        if self.count("failed"):
            return 1
        if self.count("error"):
            return 70
        if self.count("timeout") or self.count("memory"):
            return 3
        if self.count("unproved") and not self.settings.allow_unproved:
            return 4
        return 0


def build_cases(
    claims: list[tuple[Case, tuple[int | None, ...] | None]] | None, classes: tuple[int | None, ...] | None
) -> list[Case]:
    """Claims × classes; with no claims, every derivation with each kind of labels.

    A size below a derivation's minimum (focal needs C ≥ 2) is skipped here: one asked for
    by name was already refused (config.validate_cases).
    """
    from .derivations import REGISTRY, spec_for

    if claims is None:
        claims = [(Case(loss, labels, None), None) for loss in REGISTRY for labels in LABELS]
    cases = []
    for claim, own in claims:
        spec = spec_for(claim.loss)
        least = spec.min_classes[0] if spec else 1
        for size in own or classes or DEFAULT_CLASSES:
            if size is not None and size < least:
                continue
            case = Case(claim.loss, claim.labels, size, claim.target, claim.params)
            if case not in cases:
                cases.append(case)
    return cases


def smoke_claims() -> list[tuple[Case, tuple[int | None, ...] | None]]:
    """Every derivation with one-hot labels (sizes: --classes, else SMOKE_CLASSES)."""
    from .derivations import REGISTRY

    return [(Case(loss, "onehot", None), None) for loss in REGISTRY]


# --- running ---------------------------------------------------------------------


def check_document(case: DocumentCase, settings: Settings) -> CaseResult:
    """A configured document (`verify = [...]`): every link of it, as `xentderive verify` checks it."""
    from .errors import InputError
    from .output import describe_error
    from .userdoc.check import verify_file
    from .userdoc.formats import WORDS, counterexample_line, summary

    try:
        data = case.path.read_bytes()
    except OSError as err:
        raise InputError(f"{case.target}: cannot read: {describe_error(err)}") from None
    report = verify_file(case.target or "", data, None, case.labels)
    statuses = {v.status for v in report.links}
    status = "failed" if statuses & {"wrong", "not-understood"} else "passed" if report.ok else "unproved"
    engine = {"proved": "proved", "verified": "verified", "wrong": "failed", "not-understood": "failed"}
    result = CaseResult(case, status, 0.0, [Witness("symbolic", status, summary(report))])
    result.witnesses.append(Witness("numeric", "skipped", "a document: each link is checked by the prover"))
    result.steps = [
        {
            "key": f"line-{v.line}",
            "title": v.written[:200],
            "status": engine.get(v.status, "unproved"),
            "method": f"{WORDS[v.status]}: {v.reason}" if v.reason else WORDS[v.status],
        }
        for v in report.links
    ]
    first = report.first_wrong or next((v for v in report.links if v.status == "not-proved"), None)
    if first is not None:
        result.message = f"line {first.line}: {WORDS[first.status]}: {first.written[:200]}"
        if first.hint or first.reason:
            result.message += f" ({first.hint or first.reason})"
        if first.counterexample:
            result.counterexample = counterexample_line(first)
    return result


def check_case(case: Case, settings: Settings) -> CaseResult:
    """Derive and verify one case, then (if asked) compare with the numeric witness; in-process."""
    if isinstance(case, DocumentCase):
        return check_document(case, settings)
    from .api import derive
    from .model import Outcome
    from .numeric import witness
    from .printing.common import RenderOptions, Words
    from .printing.text import counterexample

    given = dict(case.params)
    d = derive(case.classes, labels=case.labels, target=case.target, loss=case.loss, params=given)
    words = Words(RenderOptions())
    status = {Outcome.PASSED: "passed", Outcome.FAILED: "failed", Outcome.UNPROVED: "unproved"}[d.outcome]
    symbolic = Witness("symbolic", "passed" if d.ok else "failed", words.summary(d))
    result = CaseResult(case, status, 0.0, [symbolic])
    result.steps = [
        {"key": s.key, "title": words(s.title), "status": s.status.value, "method": words(s.method)}
        for s in d.all_steps
    ]
    worst = next((s for s in d.all_steps if s.status.value == "failed"), None)
    worst = worst or next((s for s in d.all_steps if not s.status.passed), None)
    if worst is not None:
        verb = "failed" if worst.status.value == "failed" else "is not proved"
        result.message = f"step '{words(worst.title)}' {verb}: {words(worst.method)}"
        result.message += "".join(f" {r}" for r in words.remarks(worst))
        if worst.counterexample:
            result.counterexample = counterexample(worst.counterexample, words)
    if not settings.numeric:
        result.witnesses.append(Witness("numeric", "skipped", "--no-numeric"))
        return result
    if d.ctx.batched:  # the witness differentiates one vector of logits; a batch is a matrix of them
        result.witnesses.append(Witness("numeric", "skipped", "a batch: the witness takes one sample at a time"))
        return result
    if case.target is None and not _readable(d):  # a derived closed form may hold sign(x) from |x|, say
        result.witnesses.append(Witness("numeric", "skipped", "the derived closed form is outside the claim syntax"))
        return result
    num = witness(case.loss, case.labels, d.target, case.classes, settings.seed, given)
    result.witnesses.append(Witness("numeric", "passed" if num.agreed else "failed", num.detail))
    if not num.agreed:  # a symbolic pass that the numbers contradict is a failure
        result.status = "failed"
        disagrees = f"the numeric witness disagrees: {num.detail}"
        result.message = f"{result.message}; {disagrees}" if result.message else disagrees
        if not result.counterexample and num.classes is not None and num.f:
            result.counterexample = (
                f"C = {num.classes}, i = {num.index}, f = ({', '.join(num.f or [])}), "
                f"y = ({', '.join(num.y or [])}): claimed {num.claimed}, central difference {num.measured}"
            )
    return result


def _readable(d) -> bool:
    """Can the witness read the derivation's target (in the claim syntax)?"""
    from .claims import ClaimError, parse_claim, vocabulary

    try:
        parse_claim(d.target, vocabulary(d.ctx), trusted=True)
    except ClaimError:
        return False
    return True


def _result(case: Case, done: Finished) -> CaseResult:
    """The worker's ending as a case result."""
    if done.kind == "done":
        result = done.value
    elif done.kind in ("timeout", "memory"):
        result = CaseResult(case, done.kind, 0.0, message=done.message)
    elif done.kind == "input":
        result = CaseResult(case, "failed", 0.0, message=f"bad case: {done.message}")
    else:
        last = done.message.strip().splitlines()[-1] if done.message.strip() else "no detail"
        result = CaseResult(case, "error", 0.0, message=f"internal error (please report): {last}")
    result.seconds = done.seconds
    return result


def job_count(jobs: int | str, cases: int) -> int:
    """Workers to run at once: "auto" is the cores this process may use; never more than the cases,
    nor than the cores: a case's time limit is wall time, and more workers than cores would slow
    each case towards its limit, so the verdicts would depend on -j."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    wanted = cores if jobs == "auto" else int(jobs)
    return max(1, min(wanted, cases, cores))


def run_suite(
    cases: list[Case], settings: Settings, on_case: Callable[[CaseResult], None] | None = None
) -> SuiteResult:
    """Every case in its own worker process, `settings.jobs` at a time; results in the cases' order.

    A case's seconds are its own worker's wall time, so a case does not look slower for
    waiting behind another.
    """
    start = time.perf_counter()
    results: list[CaseResult] = []
    works = [partial(check_case, case, settings) for case in cases]
    runs = run_many(works, settings.limits, job_count(settings.jobs, len(cases)))
    try:
        for case, done in zip(cases, runs, strict=False):
            results.append(_result(case, done))
            if on_case:
                on_case(results[-1])
    finally:
        runs.close()
    return SuiteResult(results, time.perf_counter() - start, settings)
