"""Checking a derivation over a batch (per-sample data f_{n,i}): by the proof for every N and C.

The exact checks for a concrete C (`concrete.py`) know one vector of logits; a batch has a
matrix of them. A batch step at a number of classes or of samples is therefore VERIFIED only
through the same step built for symbolic N and C, proved there, reading exactly like this one
with N and C given their values. A link is refuted by evaluating both sides exactly at points
of the domain (written out for a few small N and C), with the difference confirmed at two
precisions; anything else is "not proved".
"""

from __future__ import annotations

import random
from collections.abc import Callable
from itertools import product

from sympy import Derivative, Expr, Indexed, Integer, Rational, Sum, log, sstr
from sympy.core.parameters import evaluate

from .context import Context
from .model import Counterexample, Line, Status, Step
from .semantics import ASSUME_J_NE_I, free_indices, instantiate, meaning

SIZES = ((1, 1), (1, 2), (2, 2), (2, 3), (3, 2))  # (N, C) tried for a counterexample at symbolic N and C
DIGITS = (50, 100)


def twin_verdict(
    ctx: Context, step: Step, twin: Callable[[str], tuple[Context, Step] | None] | None, check: Callable
) -> tuple[Status, str] | None:
    """VERIFIED if the symbolic twin of `step` is proved and reads like it with N and C given; else None."""
    from .verify import _same_step

    found = twin(step.key) if twin is not None else None
    if found is None:
        return None
    tctx, tstep = found
    at = {}
    if not ctx.symbolic:
        at[tctx.C] = ctx.C
    if not ctx.N.is_Symbol:
        at[tctx.N] = ctx.N
    if not tctx.symbolic or not tctx.N.is_Symbol or not _same_step(step, tstep, at):
        return None
    res = check(tctx, tstep)
    if res.status is not Status.PROVED:
        return None
    where = ", ".join(f"${k} = {v}$" for k, v in (("N", ctx.N), ("@C", ctx.C)) if v.is_Integer)
    status = Status.PROVED if ctx.symbolic else Status.VERIFIED  # every C at this N: a proof
    return status, f"proved for every $N$ and $@C$ (symbolic: {res.method}), so for {where}"


def refute(ctx: Context, labels: str, step: Step, a: Line, b: Line) -> Counterexample | None:
    """A point of the domain where the two sides differ, or None (which proves nothing)."""
    sizes = [(n, c) for n, c in SIZES if c >= ctx.min_classes]
    if ctx.N.is_Integer or not ctx.symbolic:
        n0 = [int(ctx.N)] if ctx.N.is_Integer else [1, 2, 3]
        c0 = [int(ctx.C)] if not ctx.symbolic else [c for c in (1, 2, 3) if c >= ctx.min_classes]
        sizes = [(n, c) for n in n0 for c in c0 if n * c <= 60]
    rng = random.Random(7)
    for samples, classes in sizes:
        for every_kept in (True, False):  # two points per size: all samples kept, then some ignored
            point = _point(rng, samples, classes, labels, ctx, every_kept)
            for values in _indices(ctx, step, a, b, samples, classes):
                found = _differ(ctx, a, b, samples, classes, values, point)
                if found is not None:
                    return found
    return None


def refuted_link(ctx: Context, labels: str, step: Step, a: Line, b: Line):
    """A FAILED link result with its counterexample, or None where no point refutes the link."""
    from .verify import LinkResult

    found = refute(ctx, labels, step, a, b)
    return (
        None if found is None else LinkResult(Status.FAILED, "not an identity: the two sides differ at a point", found)
    )


def _indices(ctx: Context, step: Step, a: Line, b: Line, samples: int, classes: int) -> list[dict]:
    """Values of the link's free indices: the first and last sample and class, j = 0 or 1."""
    free = free_indices(a.expr, ctx.indices) | free_indices(b.expr, ctx.indices)
    choices = {ctx.n: {0, samples - 1}, ctx.i: {0, classes - 1}, ctx.j: {0, min(1, classes - 1)}}
    names = [s for s in ctx.indices if s in free]
    out = []
    for combo in product(*(sorted(choices[s]) for s in names)):
        values = dict(zip(names, map(Integer, combo), strict=True))
        if ASSUME_J_NE_I in step.assumptions and values.get(ctx.i) == values.get(ctx.j) is not None:
            continue
        out.append(values)
    return out


def _point(rng: random.Random, samples: int, classes: int, labels: str, ctx: Context, every_kept: bool) -> dict:
    """Exact values: f = log r (so e^f is rational), probability-vector labels (one-hot) or any rationals;
    every sample kept, or sample 0 kept and the others at random."""
    values: dict = {}
    for m in range(samples):
        for k in range(classes):
            values[ctx.f[m, k]] = log(Rational(rng.randint(1, 12), rng.randint(1, 12)))
        raw = [Rational(rng.randint(0, 6), 1) for _ in range(classes)]
        if labels == "onehot":
            raw = raw if sum(raw) else [Integer(1)] * classes
            total = sum(raw)
            raw = [v / total for v in raw]
        else:
            raw = [v - 3 for v in raw]
        for k in range(classes):
            values[ctx.y[m, k]] = raw[k]
        values[ctx.kept[m]] = Integer(1) if every_kept or not m else Integer(rng.choice([0, 1]))  # Σ kept > 0
    for symbol, sample in ctx.param_samples().items():
        values[symbol] = sample
    return values


def _value(ctx: Context, line: Line, samples: int, classes: int, index: dict, point: dict) -> Expr | None:
    sizes = {ctx.N: Integer(samples), ctx.C: Integer(classes)}
    e = meaning(instantiate(line.expr, index), ctx).xreplace(sizes)
    try:
        with evaluate(True):
            e = e.replace(lambda x: isinstance(x, Sum), lambda s: s.doit())
            e = e.replace(lambda x: isinstance(x, Derivative), lambda d: d.doit())
            if e.has(Indexed) and not all(x in point for x in e.atoms(Indexed)):
                return None
            return e.xreplace(point)
    except (ArithmeticError, TypeError, ValueError):
        return None


def _differ(ctx: Context, a: Line, b: Line, samples: int, classes: int, index: dict, point: dict):
    left, right = (_value(ctx, ln, samples, classes, index, point) for ln in (a, b))
    if left is None or right is None:
        return None
    gaps = []
    for digits in DIGITS:
        try:
            gap = (left - right).evalf(digits)
        except (ArithmeticError, TypeError, ValueError):
            return None
        if not gap.is_number or not gap.is_finite or gap.has(log) or not gap.is_real:
            return None
        gaps.append(gap)
    if any(abs(g) < Rational(1, 10**30) for g in gaps) or abs(gaps[0] - gaps[1]) > abs(gaps[1]) / 1000:
        return None
    rows = lambda base: [  # noqa: E731
        "(" + ", ".join(sstr(point[base[m, k]]) for k in range(classes)) + ")" for m in range(samples)
    ]
    return Counterexample(
        classes,
        {str(k): int(v) for k, v in index.items()},
        rows(ctx.f),
        rows(ctx.y),
        a.expr,
        b.expr,
        sstr(left.evalf(15)),
        sstr(right.evalf(15)),
        others={"kept": [sstr(point[ctx.kept[m]]) for m in range(samples)]},
        params={"N": str(samples)},
    )


class BatchChecker:
    """A batch at a number of classes or of samples: its proof for every N and C, or a refutation."""

    def __init__(self, ctx: Context, labels: str, twin: Callable[[str], tuple[Context, Step] | None] | None = None):
        self.ctx, self.labels, self.twin = ctx, labels, twin

    def check(self, step: Step):
        from .verify import LinkResult, SymbolicChecker

        verdict = twin_verdict(self.ctx, step, self.twin, lambda c, s: SymbolicChecker(c, self.labels).check(s))
        if verdict is not None:
            return LinkResult(*verdict)
        for a, b in step.links():
            refuted = refuted_link(self.ctx, self.labels, step, a, b)
            if refuted is not None:
                return refuted
        return LinkResult(
            Status.UNPROVED,
            "not proved: a batch at a number of classes or samples is verified by the same step proved for every "
            "$N$ and $@C$, and this step has no such twin; no counterexample found either",
        )
