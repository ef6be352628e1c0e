"""Mutation helpers shared by the tests: a line changed so that a sound checker must catch it."""

from __future__ import annotations

from dataclasses import replace

from sympy import Add, Integer, Mul
from sympy.core.parameters import evaluate


def doubled_plus_one(e):
    return Add(Mul(2, e), Integer(1))  # 2e + 1: unlike 2e, it also moves a line whose value is 0


def mutated(step, chain: int = 0, line: int = -1, change=doubled_plus_one):
    """`step` with one line changed (under evaluate(False): as written)."""
    chains = [list(ch) for ch in step.chains]
    with evaluate(False):
        chains[chain][line] = replace(chains[chain][line], expr=change(chains[chain][line].expr))
    return replace(step, chains=chains)


def assert_every_line_caught(checker, steps, name: str) -> None:
    """Each step passes as written (the twin), and each line of it changed is a failure."""
    from xentderive.model import Status

    for step in steps:
        assert checker.check(step).status.passed, f"twin {step.key}"
        for c, chain in enumerate(step.chains):
            for k in range(len(chain)):
                status = checker.check(mutated(step, c, k)).status
                assert status is Status.FAILED, f"{name} {step.key} chain {c} line {k} not caught"
