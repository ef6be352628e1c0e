"""Every verification has a twin: mutate the input, and the check must fail at that step."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sympy import Derivative, Mul, Sum
from sympy.core.parameters import evaluate

from xentderive.api import build, check
from xentderive.model import Line, Status, Step
from xentderive.verify import checker_for

MODES = [None, 3, 12]  # symbolic C; written out; split into checked classes and power sums
MUTATIONS = {"doubled": lambda e: Mul(2, e), "negated": lambda e: -e}


def _lines(classes):
    d = build(classes)
    return [(step.key, c, k) for step in d.all_steps for c, chain in enumerate(step.chains) for k in range(len(chain))]


def _mutated(step: Step, chain: int, line: int, mutation) -> Step:
    chains = [list(ch) for ch in step.chains]
    old = chains[chain][line]
    with evaluate(False):
        chains[chain][line] = Line(mutation(old.expr), old.note)
    return replace(step, chains=chains)


def _step(d, key):
    return next(s for s in d.all_steps if s.key == key)


@pytest.mark.parametrize("classes", MODES, ids=["symbolic", "C=3", "C=12"])
@pytest.mark.parametrize("name", MUTATIONS)
def test_every_mutated_line_is_caught_and_its_twin_passes(classes, name):
    d = build(classes)
    checker = checker_for(d.ctx, d.labels)
    for key, chain, line in _lines(classes):
        step = _step(d, key)
        assert checker.check(step).status.passed, f"twin {key} should pass"
        result = checker.check(_mutated(step, chain, line, MUTATIONS[name]))
        assert result.status is Status.FAILED, f"{name} {key} chain {chain} line {line} was not caught"


@pytest.mark.parametrize("classes", MODES, ids=["symbolic", "C=3", "C=12"])
@pytest.mark.parametrize("key", [s.key for s in build(None).all_steps])
def test_a_mutated_step_fails_at_that_step_only(classes, key):
    d = build(classes)
    index = [s.key for s in d.all_steps].index(key)
    step = d.all_steps[index]
    mutated = _mutated(step, 0, len(step.chains[0]) - 1, MUTATIONS["doubled"])
    if key == "claim":
        d.claim = mutated
    else:
        d.steps[index] = mutated
    check(d)
    statuses = {s.key: s.status for s in d.all_steps}
    assert statuses.pop(key) is Status.FAILED
    assert all(s.passed for s in statuses.values())
    assert not d.ok


def _slip(classes, key, line, build_expr):
    d = build(classes)
    step = _step(d, key)
    with evaluate(False):
        bad = build_expr(d.ctx)
    return checker_for(d.ctx, d.labels).check(_mutated(step, 0, line, lambda _e: bad))


@pytest.mark.parametrize("classes", MODES, ids=["symbolic", "C=3", "C=12"])
def test_the_seeds_sum_from_j_equals_i_slip_is_caught(classes):
    """The seed writes the single j = i term as Σ_{j=i}^{C-1}; that double-counts j > i."""

    def seed_split(ctx):
        i, j, p, f, Lj = ctx.i, ctx.j, ctx.p, ctx.f, ctx.Lj
        term = Derivative(Lj[j], p[j], evaluate=False) * Derivative(p[j], f[i], evaluate=False)
        return Sum(term, (j, i, ctx.last)) + ctx.sum_except(term, j, i)

    assert _slip(classes, "combine", 2, seed_split).status is Status.FAILED


@pytest.mark.parametrize("classes", MODES, ids=["symbolic", "C=3", "C=12"])
def test_a_lost_sign_in_the_j_ne_i_case_is_caught(classes):
    result = _slip(classes, "case-j-ne-i", -1, lambda ctx: ctx.p[ctx.i] * ctx.p[ctx.j])
    assert result.status is Status.FAILED


@pytest.mark.parametrize("classes", MODES, ids=["symbolic", "C=3", "C=12"])
def test_dropping_the_label_sum_before_using_it_is_caught(classes):
    result = _slip(classes, "combine", -1, lambda ctx: ctx.p[ctx.i] - ctx.y[ctx.i])
    assert result.status is Status.FAILED
    assert result.counterexample is not None


@pytest.mark.parametrize("classes", [3, 9])
def test_symmetry_is_checked_not_assumed(monkeypatch, classes):
    """A loss that weights class 0 twice is not symmetric: every index is then checked."""
    from sympy import KroneckerDelta

    from xentderive.context import Context
    from xentderive.verify import ConcreteChecker

    ctx = Context(classes)
    assert ConcreteChecker(ctx, "onehot").symmetric
    plain = ctx.loss
    monkeypatch.setattr(
        ctx, "loss", lambda: Sum((1 + KroneckerDelta(ctx.n, 0)) * plain().function, (ctx.n, 0, ctx.last))
    )
    checker = ConcreteChecker(ctx, "onehot")
    assert not checker.symmetric
    values, scope = checker.instances(build(classes).claim)
    assert len(values) == classes and scope.startswith("every i")


def test_a_group_that_hides_a_class_with_its_own_weight_is_not_taken_as_symmetric(monkeypatch):
    """The twin of the grouping by fixed weights: were class 5 (w = 3) counted with the unknown
    weights, the split would meet a class outside the checked ones that is not like the others,
    and the symmetry check refuses (every index is checked instead)."""
    from xentderive.verify import ConcreteChecker

    d = build(12, loss="weighted-ce", params={"w5": "3"})
    honest = ConcreteChecker(d.ctx, "onehot")
    assert honest.groups[1] == (5,) and honest.symmetric
    hiding = ConcreteChecker(d.ctx, "onehot")
    monkeypatch.setattr(ConcreteChecker, "groups", (tuple(range(12)), ()))
    assert not hiding.symmetric
