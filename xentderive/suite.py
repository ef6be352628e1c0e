"""`xentderive check`: a suite of cases (loss × labels × classes × target), run with two witnesses.

Cases come from flags, from `--config FILE`, or from `[tool.xentderive]` in the
nearest pyproject.toml (flags win); with none of these, the default suite is every
known derivation with each kind of labels, at C = 1, 2, 3, 10 and symbolic C.
"""

from __future__ import annotations

import re
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError
from .limits import MAX_CLASSES
from .timing import TimeLimit, time_limit

DEFAULT_CLASSES: tuple[int | None, ...] = (1, 2, 3, 10, None)
LABELS = ("onehot", "soft")
CONFIG_KEYS = {"classes", "numeric", "timeout", "seed", "claims"}
CLAIM_KEYS = {"loss", "labels", "target", "classes", "params"}


@dataclass(frozen=True)
class Case:
    """One check: is dL/df_i of `loss` equal to `target` (None: the loss's closed form)?"""

    loss: str
    labels: str
    classes: int | None
    target: str | None = None
    params: tuple[tuple[str, str], ...] = ()

    @property
    def name(self) -> str:
        size = "C" if self.classes is None else str(self.classes)
        given = "".join(f" {k}={v}" for k, v in self.params)
        return f"{self.loss} [{self.labels}] C={size}{given} target={self.target or 'default'}"


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


# --- configuration ---------------------------------------------------------------


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above `start` that has a [tool.xentderive] table."""
    for folder in [start, *start.parents]:
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and "tool" in (data := _read(candidate)) and "xentderive" in data["tool"]:
            return candidate
    return None


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"{path}: not valid TOML: {err}") from None
    except OSError as err:
        raise InputError(f"{path}: cannot be read: {err.strerror}") from None


def _line_of(path: Path, key: str) -> int | None:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if re.match(rf"\s*{re.escape(key)}\s*=", line):
            return number
    return None


def _bad(path: Path, key: str, problem: str) -> InputError:
    line = _line_of(path, key.split(".")[-1])
    where = f" (line {line})" if line else ""
    return InputError(f"{path}: {key}{where}: {problem}")


def parse_classes(values: Any, path: Path | None = None, key: str = "classes") -> tuple[int | None, ...]:
    """A list of class counts: whole numbers 1…MAX_CLASSES or "C" (symbolic)."""
    items = values.split(",") if isinstance(values, str) else values
    if not isinstance(items, list | tuple) or not items:
        problem = 'expected a non-empty list of whole numbers and "C"'
        raise _bad(path, key, problem) if path else InputError(f"--classes: {problem}")
    out: list[int | None] = []
    for item in items:
        text = str(item).strip()
        if text == "C":
            out.append(None)
        elif text.isdigit() and not isinstance(item, bool) and 1 <= int(text) <= MAX_CLASSES:
            out.append(int(text))
        else:
            problem = f'{item!r} is not a whole number from 1 to {MAX_CLASSES} or "C"'
            raise _bad(path, key, problem) if path else InputError(f"--classes: {problem}")
    return tuple(out)


def load_config(path: Path) -> tuple[list[Case] | None, tuple[int | None, ...] | None, dict]:
    """Claims, classes and settings from a config file: `[tool.xentderive]` or a bare table."""
    from .derivations import REGISTRY

    data = _read(path)
    if "xentderive" in data.get("tool", {}):
        table, prefix = data["tool"]["xentderive"], "tool.xentderive."
    elif path.name == "pyproject.toml":
        raise InputError(f"{path}: has no [tool.xentderive] table")
    else:
        table, prefix = data, ""
    unknown = set(table) - CONFIG_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise _bad(path, prefix + key, f"unknown key (known: {', '.join(sorted(CONFIG_KEYS))})")
    classes = parse_classes(table["classes"], path, prefix + "classes") if "classes" in table else None
    settings: dict = {}
    if "numeric" in table:
        if not isinstance(table["numeric"], bool):
            raise _bad(path, prefix + "numeric", "expected true or false")
        settings["numeric"] = table["numeric"]
    if "timeout" in table:
        if isinstance(table["timeout"], bool) or not isinstance(table["timeout"], int | float) or table["timeout"] <= 0:
            raise _bad(path, prefix + "timeout", "expected a positive number of seconds")
        settings["timeout"] = float(table["timeout"])
    if "seed" in table:
        if isinstance(table["seed"], bool) or not isinstance(table["seed"], int):
            raise _bad(path, prefix + "seed", "expected a whole number")
        settings["seed"] = table["seed"]
    claims = None
    if "claims" in table:
        if not isinstance(table["claims"], list) or not all(isinstance(c, dict) for c in table["claims"]):
            raise _bad(path, prefix + "claims", "expected [[tool.xentderive.claims]] tables")
        claims = []
        for claim in table["claims"]:
            unknown = sorted(set(claim) - CLAIM_KEYS)
            if unknown:
                known = ", ".join(sorted(CLAIM_KEYS))
                raise _bad(path, f"{prefix}claims.{unknown[0]}", f"unknown key (known: {known})")
            loss = claim.get("loss", "softmax-ce")
            if loss not in REGISTRY:
                raise _bad(path, f"{prefix}claims.loss", f"unknown loss {loss!r} (known: {', '.join(REGISTRY)})")
            labels = claim.get("labels", "onehot")
            if labels not in LABELS:
                raise _bad(path, f"{prefix}claims.labels", f"expected one of {', '.join(LABELS)}")
            target = claim.get("target")
            if target is not None and not isinstance(target, str):
                raise _bad(path, f"{prefix}claims.target", "expected a string")
            sizes = parse_classes(claim["classes"], path, f"{prefix}claims.classes") if "classes" in claim else None
            given = claim.get("params", {})
            if not isinstance(given, dict):
                raise _bad(path, f"{prefix}claims.params", "expected a table such as { eps = 0.1 }")
            pairs = tuple(sorted((str(k), str(v)) for k, v in given.items()))
            claims.append((Case(loss, labels, None, target, pairs), sizes))
    return claims, classes, settings


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
