"""`xentderive check`: a suite of cases (loss × labels × classes × target), run with two witnesses.

Cases come from flags, from `--config FILE`, or from `[tool.xentderive]` in the
nearest pyproject.toml (flags win); with none of these, the default suite is every
known derivation with each kind of labels, at C = 1, 2, 3, 10 and symbolic C.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .config import LABELS, Case, find_pyproject, load_config, parse_classes
from .errors import InputError
from .timing import TimeLimit, time_limit

DEFAULT_CLASSES: tuple[int | None, ...] = (1, 2, 3, 10, None)
__all__ = ["Case", "find_pyproject", "load_config", "parse_classes"]  # re-exported for the CLI


@dataclass
class Settings:
    """What the run needs besides the cases."""

    numeric: bool = True
    timeout: float | None = None
    seed: int = 0


@dataclass
class Witness:
    name: str
    status: str  # "passed" | "failed" | "skipped"
    detail: str


@dataclass
class CaseResult:
    case: Case
    status: str  # "passed" | "failed" | "timeout"
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

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def exit_code(self) -> int:
        """1 if anything failed, else 3 if anything timed out, else 0."""
        if self.count("failed"):
            return 1
        return 3 if self.count("timeout") else 0


def build_cases(
    claims: list[tuple[Case, tuple[int | None, ...] | None]] | None, classes: tuple[int | None, ...] | None
) -> list[Case]:
    """Claims × classes; with no claims, every derivation with each kind of labels."""
    from .derivations import REGISTRY

    if claims is None:
        claims = [(Case(loss, labels, None), None) for loss in REGISTRY for labels in LABELS]
    cases = []
    for claim, own in claims:
        for size in own or classes or DEFAULT_CLASSES:
            case = Case(claim.loss, claim.labels, size, claim.target, claim.params)
            if case not in cases:
                cases.append(case)
    return cases


# --- running ---------------------------------------------------------------------


def run_case(case: Case, settings: Settings) -> CaseResult:
    """Derive and verify one case, then (if asked) compare with the numeric witness."""
    from .api import derive
    from .numeric import witness
    from .printing.common import RenderOptions, Words
    from .printing.text import counterexample

    start = time.perf_counter()
    try:
        with time_limit(settings.timeout):
            given = dict(case.params)
            d = derive(case.classes, labels=case.labels, target=case.target, loss=case.loss, params=given)
            words = Words(RenderOptions())
            symbolic = Witness("symbolic", "passed" if d.ok else "failed", words.summary(d))
            result = CaseResult(case, "passed" if d.ok else "failed", 0.0, [symbolic])
            result.steps = [
                {"key": s.key, "title": words(s.title), "status": s.status.value, "method": words(s.method)}
                for s in d.all_steps
            ]
            failed = next((s for s in d.all_steps if not s.status.passed), None)
            if failed is not None:
                result.message = f"step '{words(failed.title)}' failed: {words(failed.method)}"
                result.message += "".join(f" {r}" for r in words.remarks(failed))
                if failed.counterexample:
                    result.counterexample = counterexample(failed.counterexample, words)
            if settings.numeric:
                num = witness(case.loss, case.labels, d.target, case.classes, settings.seed, given)
                result.witnesses.append(Witness("numeric", "passed" if num.agreed else "failed", num.detail))
                if not num.agreed:
                    result.status = "failed"
                    result.message = result.message or f"the numeric witness disagrees: {num.detail}"
                    if not result.counterexample:
                        result.counterexample = (
                            f"C = {num.classes}, i = {num.index}, f = ({', '.join(num.f)}), y = ({', '.join(num.y)}): "
                            f"claimed {num.claimed}, central difference {num.measured}"
                        )
            else:
                result.witnesses.append(Witness("numeric", "skipped", "--no-numeric"))
    except TimeLimit:
        result = CaseResult(case, "timeout", 0.0, message=f"time limit of {settings.timeout:g} s reached")
    except InputError as err:
        result = CaseResult(case, "failed", 0.0, message=f"bad case: {err}")
    result.seconds = time.perf_counter() - start
    return result


def run_suite(
    cases: list[Case], settings: Settings, on_case: Callable[[CaseResult], None] | None = None
) -> SuiteResult:
    start = time.perf_counter()
    results = []
    for case in cases:
        results.append(run_case(case, settings))
        if on_case:
            on_case(results[-1])
    return SuiteResult(results, time.perf_counter() - start, settings)
