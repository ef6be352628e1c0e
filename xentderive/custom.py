"""Losses given as text (--loss-expr, [tool.xentderive.losses.NAME]): their parameters, and the registry.

A custom loss's parameters are declared where it is: a value (``--param beta=0.1``) fixes
one, a range (``--param-range beta=0..1``) makes it a symbol the proof holds for on that
whole range. A name used in the loss but declared nowhere is an unknown name (exit 2).
"""

from __future__ import annotations

import re

from sympy import Rational

from .derivations import CUSTOM, REGISTRY
from .derivations.engine import CustomLoss, spec_of
from .errors import InputError
from .params import Param, exact_number, resolve

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_RESERVED = {"C", "i", "j", "k", "n", "L", "p", "y", "f", "u", "log", "exp", "tanh", "sum_j", "delta_ij"}
_RANGE = re.compile(r"\s*([\[(]?)\s*([^.\[\]()]*?)\s*\.\.\s*([^.\[\]()]*?)\s*([\])]?)\s*")
CUSTOM_NAME = "custom"  # the name of the loss given with --loss-expr


def parse_range(name: str, text: str) -> tuple[Rational | None, Rational | None, bool, bool]:
    """``0..1``, ``(0..10]``, ``0..`` (no upper end), ``..inf``: (low, high, low_open, high_open)."""
    m = _RANGE.fullmatch(text)
    if not m:
        raise InputError(f"--param-range {name}={text!r}: expected LO..HI, e.g. 0..1, (0..10] or 0.. for no upper end")
    opening, lo, hi, closing = m.groups()

    def end(value: str, infinite: str) -> Rational | None:
        if value in ("", infinite, "inf" if infinite == "+inf" else "-inf"):
            return None
        return exact_number(f"--param-range {name}", value)

    low, high = end(lo, "-inf"), end(hi, "+inf")
    if low is not None and high is not None and low > high:
        raise InputError(f"--param-range {name}={text}: the low end is above the high end")
    low_open, high_open = opening == "(", closing == ")"
    if low is not None and low == high and (low_open or high_open):
        raise InputError(f"--param-range {name}={text}: the range is empty")
    return low, high, low_open, high_open


def _param(name: str, bounds: tuple[Rational | None, Rational | None, bool, bool] | None) -> Param:
    """A declared parameter: its rule, validity test, sample point and the range the prover may use."""
    low, high, low_open, high_open = bounds or (None, None, False, False)

    def valid(v: Rational) -> bool:
        above = low is None or (v > low if low_open else v >= low)
        below = high is None or (v < high if high_open else v <= high)
        return above and below

    if low is None and high is None:
        rule, sample = f"{name} real", Rational(1, 2)
    else:
        parts = []
        if low is not None:
            parts.append(f"{low} {'<' if low_open else '≤'} ")
        parts.append(name)
        if high is not None:
            parts.append(f" {'<' if high_open else '≤'} {high}")
        rule = "".join(parts)
        ends = [end for end in (low, high) if end is not None]
        sample = sum(ends) / 2 if len(ends) == 2 else (low + 1 if low is not None else high - 1)
    positive = low is not None and (low > 0 or (low == 0 and low_open))
    return Param(
        name,
        "a parameter of the custom loss",
        rule,
        valid,
        str(sample),
        positive=positive,
        low=None if low is None else str(low),
        high=None if high is None else str(high),
        low_open=low_open,
        high_open=high_open,
    )


def declare(
    loss: str,
    logits: str | None = None,
    values: dict[str, str | None] | None = None,
    ranges: dict[str, str] | None = None,
    name: str = CUSTOM_NAME,
    target: str | None = None,
    min_classes: int = 1,
) -> tuple[str, dict[str, str]]:
    """Register a loss given as text under `name`; returns the name and the parameter values given.

    `values` maps a parameter to its number, or to None for one declared without a value (it then
    needs a range); `ranges` maps a parameter to its range text. `min_classes` states the smallest
    C the loss is meant for (2 for a focal-style (1 - p_j)^gamma, whose derivative has no value at C = 1).
    """
    if not 1 <= min_classes <= 1000:
        raise InputError(f"--min-classes must be from 1 to 1000 (got {min_classes})")
    values, ranges = dict(values or {}), dict(ranges or {})
    if name in REGISTRY:
        raise InputError(f"the loss name {name!r} is taken by the catalogue; choose another")
    params = []
    for key in sorted(set(values) | set(ranges)):
        if not _NAME.fullmatch(key) or key in _RESERVED:
            reason = "a name the loss syntax uses" if key in _RESERVED else "not a name of letters and digits"
            raise InputError(f"--param {key}: {reason}; choose another name for the parameter")
        if values.get(key) is None and key not in ranges:
            raise InputError(
                f"--param {key} has no value and no range: give --param {key}=VALUE, "
                f"or --param-range {key}=LO..HI for a proof over the range"
            )
        params.append(_param(key, parse_range(key, ranges[key]) if key in ranges else None))
    least = (min_classes, f"the loss is stated for C ≥ {min_classes}") if min_classes > 1 else (1, "")
    custom = CustomLoss(loss, logits, tuple(params), name=name, target=target, min_classes=least)
    given = {k: v for k, v in values.items() if v is not None}
    spec = spec_of(custom)
    numbers, samples = resolve(custom.params, given, name, None)
    spec.make_context(None, numbers, samples)  # reads the texts: a bad one is refused here, once
    CUSTOM[name] = spec
    return name, given
