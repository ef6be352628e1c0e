"""Parameters of a derivation (eps, T, …): symbolic unless a value is given, and validated."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from sympy import Expr, Rational, Symbol

from .errors import InputError

# 2, -0.5, 1e-3, 3/7, in ASCII digits only (\d would take ٣)
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?(/[0-9]+)?")
MAX_PARAM = 10**12  # a value such as 1e5000 would be a 5000-digit integer in every expression


@dataclass(frozen=True)
class Param:
    """A parameter: symbolic (so the proof holds for every valid value) unless --param gives one."""

    name: str
    description: str
    rule: str  # the valid range, said when a value is outside it, e.g. "0 ≤ eps ≤ 1"
    valid: Callable[[Rational], bool]
    sample: str  # an exact value where numbers are needed (counterexamples, the numeric witness)
    positive: bool = False
    per_class: bool = False  # one value per class, named name0 … name{C-1}; unset ones stay unknowns
    low: str | None = None  # the range as numbers, for the prover and the witness: None is unbounded
    high: str | None = None
    low_open: bool = False  # True: the end itself is excluded (T > 0)
    high_open: bool = False

    def interval(self) -> tuple[Rational | None, Rational | None, bool, bool]:
        """(low, high, low_open, high_open), exact: the stated range the prover may use, ends included."""
        low = None if self.low is None else Rational(self.low)
        high = None if self.high is None else Rational(self.high)
        return low, high, self.low_open, self.high_open

    def label(self) -> str:
        """How `list` and errors name it: ``w0…w{C-1}`` for a per-class parameter."""
        return f"{self.name}0…{self.name}{{C-1}}" if self.per_class else self.name


def resolve(
    specs: tuple[Param, ...], given: dict[str, str], loss: str, classes: int | None
) -> tuple[dict[str, Expr], dict[Expr, Expr]]:
    """Parameter values (numbers given, symbols otherwise) and exact samples for the symbols.

    A per-class parameter's given entries (``w0=2``) are numbers under their own names;
    the others are no symbol here but the derivation's per-class unknowns.
    """
    known = {p.name: p for p in specs if not p.per_class}  # a per-class one is given entry by entry
    owner = {name: known.get(name) or _per_class_owner(specs, name, loss, classes) for name in given}
    values: dict[str, Expr] = {}
    samples: dict[Expr, Expr] = {}
    for name, spec in owner.items():
        if spec.per_class:
            values[name] = _number(spec, name, given[name])
    for spec in specs:
        if spec.per_class:
            continue
        if spec.name in given:
            values[spec.name] = _number(spec, spec.name, given[spec.name])
        else:
            symbol = Symbol(spec.name, positive=True) if spec.positive else Symbol(spec.name, real=True)
            values[spec.name] = symbol
            samples[symbol] = Rational(spec.sample)
    return values, samples


def _per_class_owner(specs: tuple[Param, ...], name: str, loss: str, classes: int | None) -> Param:
    """The per-class parameter that `name` (e.g. ``w3``) is an entry of; InputError if none."""
    for spec in specs:
        if spec.per_class and name == spec.name:
            raise InputError(f"--param {name}: give one value per class, e.g. --param {name}0=1 --param {name}1=2")
        suffix = name.removeprefix(spec.name)
        if spec.per_class and suffix != name and suffix.isdigit() and suffix.isascii():
            if classes is None:
                raise InputError(f"--param {name}: per-class values need a number of classes (--classes N)")
            if int(suffix) >= classes:
                raise InputError(
                    f"--param {name}: there are only {classes} classes ({spec.name}0…{spec.name}{classes - 1})"
                )
            return spec
    names = ", ".join(p.label() for p in specs) or "none"
    raise InputError(f"--param {name}: {loss} has no such parameter (its parameters: {names})")


def _number(spec: Param, name: str, text: str) -> Rational:
    """A given value as an exact number within the parameter's range; InputError otherwise."""
    value = exact_number(f"--param {name}", text)
    if not spec.valid(value):
        raise InputError(f"--param {name}={text.strip()} is out of range: {spec.rule}")
    return value


def exact_number(label: str, text: str) -> Rational:
    """``2``, ``-0.5``, ``1e-3``, ``3/7`` as an exact number of bounded size; InputError naming `label` otherwise."""
    text = text.strip()
    if len(text) > 40 or not _NUMBER.fullmatch(text):
        raise InputError(f"{label}={text!r} is not a number")
    power = text.lower().partition("e")[2].partition("/")[0]
    if power and abs(int(power)) > 12:  # Rational("1e10000000000") would build that integer first
        raise InputError(f"{label}={text}: numerators and denominators may be at most 10^12")
    try:
        value = Rational(text)
    except (TypeError, ValueError, ZeroDivisionError):
        raise InputError(f"{label}={text!r} is not a number") from None
    if abs(value.p) > MAX_PARAM or value.q > MAX_PARAM:
        raise InputError(f"{label}={text}: numerators and denominators may be at most 10^12")
    return value


def parse_assignments(items: tuple[str, ...], option: str = "--param", bare: bool = False) -> dict:
    """``("eps=0.1", "T=2")`` → {"eps": "0.1", "T": "2"}; InputError on anything else.

    With `bare`, a name alone (``beta``: a custom loss's symbolic parameter) maps to None.
    """
    out: dict = {}
    for item in items:
        name, sep, value = item.partition("=")
        if bare and not sep and name.strip():
            if name.strip() in out:
                raise InputError(f"{option} {name.strip()} is given twice")
            out[name.strip()] = None
            continue
        if not sep or not name.strip() or not value.strip():
            raise InputError(f"{option} expects NAME=VALUE (got {item!r})")
        if name.strip() in out:
            raise InputError(f"{option} {name.strip()} is given twice")
        out[name.strip()] = value.strip()
    return out
