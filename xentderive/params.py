"""Parameters of a derivation (eps, T, …): symbolic unless a value is given, and validated."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sympy import Expr, Rational, Symbol

from .errors import InputError


@dataclass(frozen=True)
class Param:
    """A parameter: symbolic (so the proof holds for every valid value) unless --param gives one."""

    name: str
    description: str
    rule: str  # the valid range, said when a value is outside it, e.g. "0 ≤ eps ≤ 1"
    valid: Callable[[Rational], bool]
    sample: str  # an exact value where numbers are needed (counterexamples, the numeric witness)
    positive: bool = False


def resolve(specs: tuple[Param, ...], given: dict[str, str], loss: str) -> tuple[dict[str, Expr], dict[Expr, Expr]]:
    """Parameter values (numbers given, symbols otherwise) and exact samples for the symbols."""
    known = {p.name: p for p in specs}
    unknown = sorted(set(given) - set(known))
    if unknown:
        names = ", ".join(known) or "none"
        raise InputError(f"--param {unknown[0]}: {loss} has no such parameter (its parameters: {names})")
    values: dict[str, Expr] = {}
    samples: dict[Expr, Expr] = {}
    for spec in specs:
        if spec.name in given:
            text = given[spec.name].strip()
            try:
                if len(text) > 40:
                    raise ValueError
                value = Rational(text)
            except (TypeError, ValueError, ZeroDivisionError):
                raise InputError(f"--param {spec.name}={text!r} is not a number") from None
            if not spec.valid(value):
                raise InputError(f"--param {spec.name}={text} is out of range: {spec.rule}")
            values[spec.name] = value
        else:
            symbol = Symbol(spec.name, positive=True) if spec.positive else Symbol(spec.name, real=True)
            values[spec.name] = symbol
            samples[symbol] = Rational(spec.sample)
    return values, samples


def parse_assignments(items: tuple[str, ...]) -> dict[str, str]:
    """``("eps=0.1", "T=2")`` → {"eps": "0.1", "T": "2"}; InputError on anything else."""
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise InputError(f"--param expects NAME=VALUE (got {item!r})")
        out[name.strip()] = value.strip()
    return out
