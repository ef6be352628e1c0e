"""The suite's configuration: `[tool.xentderive]` in pyproject.toml, or a file given with --config.

Every error names the file, the key and where it is, and is an InputError (exit 2).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputError
from .limits import MAX_CLASSES

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
