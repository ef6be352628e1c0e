"""Fill in each step's status by checking every link of every chain against the definitions.

Every link is first checked to be defined on the whole stated domain (`domain.py`):
a side with no value is a failure, a side condition not shown is never proved.

Symbolic C: each link must be a symbolic identity (`prove_zero_symbolic`). A link
SymPy cannot prove is still searched for a counterexample at C = 1…6 (exactly); if
none is found the step is CHECKED, which is "not proved" (exit 4), never a pass.
Where a link needs C ≥ 2 (1 - p_j > 0), it is proved for C ≥ 2 and checked exactly
at C = 1.

Concrete C: each link is checked exactly at one representative per equality pattern
of its free indices (i = 0; (i, j) = (0, 0) or (0, 1)), and the rest follows from the
permutation symmetry of the definitions, itself checked under the two generators
of the symmetric group. The templates are written uniformly in i and j (a target
cannot name a class), so relabelling classes maps the checked instance onto every
other one. Where L is not symmetric (class weights fixed to different numbers), and
for C ≤ 2, every value of the free indices is checked. Up to `EXHAUSTIVE_MAX`
classes the sums are written out term by term; above, split into the checked
classes and the rest.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import cached_property
from itertools import product

from sympy import Abs, Expr, I, Integer, Pow, Rational, S, Symbol, sstr
from sympy.core.parameters import evaluate

from .batch import BatchChecker, refuted_link
from .concrete import NUMERIC_EXACT_MAX, ConcreteMeaning, SplitRefused, classes_named
from .context import Context
from .domain import Domain, has_no_value, parameter_values
from .model import Counterexample, Derivation, Line, Status, Step
from .semantics import (
    ASSUME_J_NE_I,
    ASSUME_LABEL_SUM,
    Outcome,
    free_indices,
    instantiate,
    meaning,
    nonnegative,
    prove_zero_symbolic,
)
from .undefined import (
    CRITICAL_CLASSES_MAX,
    MAX_CANDIDATES,
    Part,
    Point,
    PointSearch,
    critical_classes,
    fails,
    integer_points,
    sample_labels,
    written_parts,
)

EXHAUSTIVE_MAX = 8
SPECIAL_MAX = 8  # classes whose inputs differ from the rest's, each checked by itself
SIGN_METHOD = "nonnegative by structure: sums and products of nonnegative parts (squares, $@p_j > 0$, stated signs)"
FALLBACK_CLASSES = tuple(range(1, 7))
SEEDS = (1, 2, 3, 4, 5)
PRECISIONS = (90, 180)  # digits of a point's values; a counterexample must hold at both
MAX_NOISY_POINTS = 2  # points where the two precisions disagree before the search gives up (each is dear)
FAILING_PART = {"log": "a log of a number ≤ 0", "denominator": "a division by 0", "power": "a power with no real value"}


@dataclass
class LinkResult:
    status: Status
    method: str
    counterexample: Counterexample | None = None
    remark: str = ""


def _free_indices(step: Step, ctx: Context) -> list:
    free = set().union(*(free_indices(ln.expr, ctx.indices) for chain in step.chains for ln in chain))
    return [s for s in ctx.indices if s in free]


def _classes(ms: tuple[int, ...]) -> str:
    return "class " + str(ms[0]) if len(ms) == 1 else "classes " + ", ".join(map(str, ms))


def _describe(values: dict) -> str:
    return ", ".join(f"{k} = {v}" for k, v in values.items())


class ConcreteChecker:
    """Exact checks for one concrete number of classes."""

    def __init__(self, ctx: Context, labels: str, twin: Callable[[str], tuple[Context, Step] | None] | None = None):
        self.ctx = ctx
        self.labels = labels
        self.cm = ConcreteMeaning(ctx)
        self.twin = twin  # the same step for symbolic C, by key (None: not available)

    def splittable(self, step: Step) -> bool:
        """Can every link be evaluated with the classes split (D and the rest), at one representative?
        No where a sum runs over a derivative's own class or over two classes at once."""
        values, _ = self.instances(step)
        for a, b in step.links():
            for inst in values[:1]:
                sides = instantiate(a.expr, inst), instantiate(b.expr, inst)
                try:
                    shown = self.distinguished(*sides)
                    for side in sides:
                        self.cm.evaluate(side, shown)
                except SplitRefused:
                    return False
                except ValueError:
                    continue
        return True

    def proved_for_every_c(self, step: Step) -> LinkResult | None:
        """Many classes and a step whose sums cannot be split: every class would be written out
        (O(C²) terms and more). If the same step is proved for every C by the symbolic prover, it
        holds at this C; None where that is not so (then the step is checked here as usual)."""
        if self.twin is None or self.ctx.classes <= EXHAUSTIVE_MAX or self.splittable(step):
            return None
        found = self.twin(step.key)
        if found is None:
            return None
        ctx, twin_step = found
        if not _same_step(step, twin_step, {ctx.C: Integer(self.ctx.classes)}):
            return None
        res = SymbolicChecker(ctx, self.labels).check(twin_step)
        if res.status is not Status.PROVED:
            return None
        least = max(ctx.min_classes, 1)
        return LinkResult(
            Status.VERIFIED,
            f"proved for every $@C ≥ {least}$ (symbolic C: {res.method}), so for $@C = {self.ctx.classes}$",
        )

    @cached_property
    def groups(self) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
        """(the exchangeable group, the special classes), or None if there are too many specials.

        A per-class input fixed to a number (a class weight given with --param) is not
        renamed with its class. Classes whose inputs are all unknowns, or all the same
        numbers, may still be exchangeable: the largest such group is the one the symmetry
        argument uses; every other class is special, checked and written out by itself.
        """
        raw, C = self.cm.raw, self.ctx.classes
        kinds: dict[tuple, list[int]] = {}
        for m in range(C):
            kinds.setdefault(tuple(None if isinstance(v[m], Symbol) else v[m] for v in raw.values()), []).append(m)
        group = max(kinds.values(), key=lambda ms: (len(ms), -ms[0]))
        specials = tuple(sorted(m for ms in kinds.values() if ms is not group for m in ms))
        return (tuple(group), specials) if len(specials) <= SPECIAL_MAX else None

    @cached_property
    def symmetric(self) -> bool:
        """Is L unchanged by every relabelling of the group's classes (with S, which is too)?

        L is evaluated with only the special classes written out: every sum over the classes
        becomes Σ_{d special} T_d + Rest(T_g), and T_g may name its class only through its
        per-class inputs (evaluate refuses anything else), so Rest(T_g) is Σ over the group of
        T_g renamed, a symmetric function of the group's inputs. If no input of a group class
        is left outside those Rests, L is a function of the specials and of such sums only, so
        every permutation of the group leaves it unchanged: one component implies all of the
        group's. This covers a loss of several sums (poly-1) or of a function of sums (z-loss).
        """
        cm, C = self.cm, self.ctx.classes
        if C == 1:
            return True
        if self.groups is None:
            return False
        group, specials = self.groups
        if len(group) < 2:  # nothing to exchange: every class is checked by itself
            return True
        try:
            loss = cm.evaluate(self.ctx.L, specials)
        except (SplitRefused, ValueError):
            return False
        named = {raw[m] for raw in cm.raw.values() for m in group if isinstance(raw[m], Symbol)}
        return not (loss.free_symbols & named)

    def instances(self, step: Step) -> tuple[list[dict], str]:
        """The index values to check, and a phrase saying why they cover every case."""
        ctx, C = self.ctx, self.ctx.classes
        free = _free_indices(step, ctx)
        distinct = ASSUME_J_NE_I in step.assumptions
        if not free:
            return [{}], "no free index"
        if C <= 2 or not self.symmetric:
            values = [dict(zip(free, combo, strict=True)) for combo in product(range(C), repeat=len(free))]
            if distinct:
                values = [v for v in values if v[ctx.i] != v[ctx.j]]
            scope = " and ".join(f"every {s}" for s in free)
            return values, f"{scope} in 0…{C - 1}" + (" with $j ≠ i$" if distinct else "")
        group, specials = self.groups
        a, b = group[0], (group[1] if len(group) > 1 else None)
        firsts = sorted((*specials, a))
        if len(free) == 1:
            reps = [{free[0]: m} for m in firsts]
        else:  # (i, j): i one of the group (a) or a special; j the same, or b, a second class of the group
            reps = [
                {free[0]: x, free[1]: y}
                for x in firsts
                for y in sorted([*firsts, *([b] if x == a and b is not None else [])])
                if not (distinct and x == y)
            ]
        shown = "; ".join(_describe(r) for r in reps)
        if not specials:
            return reps, (
                f"at {shown}; every other index by the permutation symmetry of L and S "
                "(checked: L is a function of sums of one term per class)"
            )
        return reps, (
            f"at {shown}; every other index by the permutation symmetry of L and S among the classes whose "
            f"inputs are alike (all but {_classes(specials)}; checked: L is a function of those classes' inputs "
            "only through sums of one term per class)"
        )

    def distinguished(self, *exprs: Expr) -> tuple[int, ...] | None:
        """The classes written out for these instantiated expressions (both sides of a link:
        they must share them) and the special classes, the others kept as one generic class;
        None, i.e. write every class out, for C ≤ 2 (nothing to gain)."""
        if self.ctx.classes <= 2:
            return None
        specials = self.groups[1] if self.groups else ()
        return tuple(sorted(set(specials).union(*(classes_named(e, self.ctx) for e in exprs))))

    def check(self, step: Step) -> LinkResult:
        values, scope = self.instances(step)
        if values and (proved := self.proved_for_every_c(step)):
            return proved
        if not values:
            return LinkResult(
                Status.VERIFIED,
                f"vacuous: no index values satisfy $j ≠ i$ when $@C = {self.ctx.classes}$",
            )
        method, unproved = "", None
        for a, b in step.links():
            for inst in values:
                res = self.check_link(a, b, inst, step.assumptions)
                if res.status is Status.FAILED:
                    return res
                if res.status is Status.UNPROVED:
                    where = f" (at {_describe(inst)})" if inst else ""
                    unproved = unproved or replace(res, method=res.method + where)
                    break  # the other instances of this link add nothing: look for a refutation elsewhere
                method = res.method
        return unproved or LinkResult(Status.VERIFIED, f"{method}; {scope}")

    def check_link(self, a: Line, b: Line, inst: dict, assumptions: tuple[str, ...]) -> LinkResult:
        zero = lambda base: self.identically_zero(base, assumptions)  # noqa: E731
        a, b = (replace(ln, expr=zero_powers(ln.expr, inst, self.domain, zero)) for ln in (a, b))
        sides = instantiate(a.expr, inst), instantiate(b.expr, inst)
        undefined = self.undefined(a, b, sides, inst, assumptions)
        if undefined:
            return undefined
        if b.relation == "≥":
            return self.check_inequality(a, b, sides, inst, assumptions)
        left, right, shown = self.for_numbers(sides, split=True)
        early: list[Counterexample] = []

        def refuted_at_a_point() -> bool:  # a false link is answered before the costly expansion
            if shown is None:  # exact values only (written out, at most EXHAUSTIVE_MAX classes)
                early.extend(filter(None, [self.counterexample(a, b, left, right, inst, assumptions, points=1)]))
            return bool(early)

        before_expanding: Callable[[], bool] | None = refuted_at_a_point
        if shown is not None:
            out = self.cm.is_zero(left - right, assumptions, shown)
            if out.zero:  # zero with the other classes' power sums free: zero for every value of them
                return LinkResult(Status.VERIFIED, out.method)
            if self.ctx.classes <= EXHAUSTIVE_MAX:  # a few classes: the complete, exact test, all written out
                left, right, shown = self.for_numbers(sides, split=False)
                before_expanding = None  # the point is tried first: the split failed, so a false link is likely
                if refuted_at_a_point():
                    return LinkResult(Status.FAILED, "not an identity: the two sides differ at a point", early[0])
        if shown is None:
            out = self.cm.is_zero(left - right, assumptions, shown, before_expanding)
        if early:
            return LinkResult(Status.FAILED, "not an identity: the two sides differ at a point", early[0])
        if out.zero:
            return LinkResult(Status.VERIFIED, out.method)
        return self.refute(a, b, left, right, inst, assumptions, out.method, shown)

    def for_numbers(
        self, sides: tuple[Expr, Expr], split: bool | None = None
    ) -> tuple[Expr, Expr, tuple[int, ...] | None]:
        """Both sides evaluated: split into D and Rest where that is exact (for numbers, the Rest is
        summed numerically, O(C)), else every class written out (nested sums over the classes).

        By default the split is used above EXHAUSTIVE_MAX classes only: up to there, values at a
        point are exact, so a counterexample is never an artefact of rounding (a true claim
        times 10^90 would otherwise be refuted by a 1e-100 residue); a zero test asks for it."""
        if split is None:
            split = self.ctx.classes > EXHAUSTIVE_MAX
        shown = self.distinguished(*sides) if split else None
        try:
            left, right = (self.cm.evaluate(side, shown) for side in sides)
        except (SplitRefused, ValueError):
            shown = None
            left, right = (self.cm.evaluate(side) for side in sides)
        return left, right, shown

    def refute(
        self,
        a: Line,
        b: Line,
        left: Expr,
        right: Expr,
        inst: dict,
        assumptions: tuple[str, ...],
        method: str,
        shown: tuple[int, ...] | None = None,
        extra: list[dict] | None = None,
    ) -> LinkResult:
        """FAILED with a counterexample if one is found; otherwise not proved (never a pass)."""
        cex = self.counterexample(a, b, left, right, inst, assumptions, shown=shown, extra=extra)
        if cex:
            return LinkResult(Status.FAILED, method, cex)
        return LinkResult(
            Status.UNPROVED, f"not proved: {method}", remark="no counterexample was found at the sampled points either"
        )

    def undefined(
        self, a: Line, b: Line, sides: tuple[Expr, Expr], inst: dict, assumptions: tuple[str, ...]
    ) -> LinkResult | None:
        """None when both sides are shown defined on the domain; else FAILED (no value, or a
        counterexample) or UNPROVED naming the side condition that was not shown."""
        meanings = [meaning(side, self.ctx) for side in sides]
        if any(has_no_value(m) for m in meanings):
            return LinkResult(
                Status.FAILED,
                "a side has no value anywhere (0·∞, a division by zero or log 0)",
                self._no_value_anywhere(a, b, meanings, inst, assumptions),
            )
        unmet = [c for m in meanings for c in self.domain.conditions(m)]
        unmet += [c for line in (a, b) for c in self.domain.written_conditions(line.expr, inst)]
        if not unmet:
            return None
        search, parts = self.search((a, b), inst, assumptions)
        found = self.undefined_at_a_point(a, b, inst, assumptions, search, parts)
        if found:
            return found
        for line in (a, b):
            for part in Domain.zero_sensitive_parts(line.expr, inst):
                if self.identically_zero(part, assumptions):
                    return LinkResult(
                        Status.FAILED, f"a side has no value: {sstr(part)} is identically 0 (log 0 or a division by 0)"
                    )
        left, right, shown = self.for_numbers(sides)
        extra = search.parameter_values(parts[1] + parts[0]) if self.ctx.ranges else []
        return self.refute(
            a, b, left, right, inst, assumptions, f"not shown defined on the domain: {unmet[0]}", shown, extra
        )

    def _no_value_anywhere(
        self, a: Line, b: Line, meanings: list[Expr], inst: dict, assumptions: tuple[str, ...]
    ) -> Counterexample | None:
        """A point to show, when one side has no value anywhere and the other has one there."""
        if all(has_no_value(m) for m in meanings):
            return None
        defined = b if has_no_value(meanings[0]) else a
        point = self.random_point(SEEDS[0], dict(self.ctx.param_samples()), assumptions)
        return self._undefined_counterexample(a, b, defined, inst, point, assumptions)

    def search(self, lines: tuple[Line, ...], inst: dict, assumptions: tuple[str, ...]) -> tuple[PointSearch, list]:
        """The point search for these lines, and each line's written parts with their values
        written out over the raw inputs (a part naming a summation index, once per class)."""
        search = PointSearch(
            self.ctx,
            self.cm.raw,
            self._written_out,
            self._exact,
            ASSUME_LABEL_SUM in assumptions,
            set().union(*(classes_named(instantiate(ln.expr, inst), self.ctx) for ln in lines)),
        )
        per_line = []
        for line in lines:
            parts: list[Part] = []
            for part in written_parts(line.expr, self.ctx.last, inst):
                parts += self._per_class(part, search.classes())
            suspect = [p for p in parts if self.domain.written_conditions(p.node())]  # only these can fail
            per_line.append([p for p in suspect if self._written_out(p.base) is not None])
        return search, per_line

    def undefined_at_a_point(
        self, a: Line, b: Line, inst: dict, assumptions: tuple[str, ...], search: PointSearch, parts: list
    ) -> LinkResult | None:
        """FAILED with a point of the domain where one side has no value (a part as written is
        exactly 0 under a log or a division, or a log's argument is negative) and the other has one."""
        parts_a, parts_b = parts
        if not parts_a and not parts_b:
            return None
        evaluated = {e: self._written_out(e) for p in parts_a + parts_b for e in (p.base, p.exponent)}
        seen = 0
        for point in search.candidates(parts_b + parts_a):
            seen += 1
            if seen > MAX_CANDIDATES:
                return None
            bad_a, bad_b = search.failing(parts_a, point, evaluated), search.failing(parts_b, point, evaluated)
            if bool(bad_a) == bool(bad_b):
                continue
            defined, bad = (a, bad_b) if bad_b else (b, bad_a)
            cex = self._undefined_counterexample(a, b, defined, inst, point, assumptions)
            if cex:
                what = FAILING_PART[bad.kind]
                return LinkResult(
                    Status.FAILED,
                    f"not an identity: at a point of the domain one side has no value ({what}: {sstr(bad.base)})",
                    cex,
                )
        return None

    def _undefined_counterexample(
        self, a: Line, b: Line, defined: Line, inst: dict, point: Point, assumptions: tuple[str, ...]
    ) -> Counterexample | None:
        """The point, when the `defined` side has a value there (the other side has none) and the
        definitions have one too (`defined_at`)."""
        value = self._value_at(defined, inst, point, assumptions)
        if value is None or not self.defined_at(point, assumptions):
            return None
        values = (value, "undefined") if defined is a else ("undefined", value)
        return self._counterexample_at(a, b, inst, point, values)

    def _per_class(self, part: Part, classes: list[int]) -> list[Part]:
        """A part that names a summation index stands for one part per class."""
        ctx = self.ctx
        bound = [s for s in (ctx.i, ctx.j, ctx.k, ctx.n) if s in part.base.free_symbols | part.exponent.free_symbols]
        if not bound:
            return [part]
        out = []
        for combo in product(classes, repeat=len(bound)):
            values = dict(zip(bound, (Integer(m) for m in combo), strict=True))
            with evaluate(False):
                out.append(Part(part.kind, instantiate(part.base, values), instantiate(part.exponent, values)))
        return out[:64]

    def _written_out(self, e: Expr) -> Expr | None:
        """e over the raw inputs, every class written out; None where it cannot be (cached)."""
        cache = self.__dict__.setdefault("_written_cache", {})
        if e not in cache:
            try:
                cache[e] = self.cm.evaluate(e)
            except (ValueError, TypeError, ArithmeticError, RecursionError):
                cache[e] = None
        return cache[e]

    def _exact(self, e: Expr, point: Point) -> Expr:
        """e (written out) at the point, exactly: Z is the softmax sum of the point's e^{f_m}."""
        subs = {
            s: v
            for base, column in point.values.items()
            for s, v in zip(self.cm.raw[base], column, strict=True)
            if isinstance(s, Symbol)
        }
        subs |= point.params
        return e.xreplace({self.cm.Z: self.cm.explicit_sum}).xreplace(subs)

    def _value_at(self, line: Line, inst: dict, point: Point, assumptions: tuple[str, ...]) -> str | None:
        """The line's value at the point (15 digits) when it has one there; else None."""
        try:
            left, _, shown = self.for_numbers((instantiate(line.expr, inst),) * 2)
            v = _value(self.cm.numeric(left, point.values, point.params, shown, assumptions))
        except (ArithmeticError, TypeError, ValueError, RecursionError):
            return None
        return _shown(v) if v.is_finite else None

    def identically_zero(self, part: Expr, assumptions: tuple[str, ...]) -> bool:
        """Is this part of a line exactly 0 at every point (by the exact zero test)?"""
        if part.is_number:
            return part == 0
        try:  # a part inside a sum names its summation variable: not decided on its own
            left, _, shown = self.for_numbers((part, part), split=True)
            if self.cm.is_zero(left, assumptions, shown).zero:
                return True
            if shown is None or self.ctx.classes > EXHAUSTIVE_MAX:
                return False
            left, _, shown = self.for_numbers((part, part), split=False)  # a few classes: the complete test
        except ValueError:
            return False
        return self.cm.is_zero(left, assumptions, shown).zero

    @cached_property
    def domain(self) -> Domain:
        return Domain.of(self.ctx)

    def check_inequality(
        self, a: Line, b: Line, sides: tuple[Expr, Expr], inst: dict, assumptions: tuple[str, ...]
    ) -> LinkResult:
        """``a ≥ b``: a - b is nonnegative by its structure; else look for a point where it is not."""
        if nonnegative(meaning(sides[0], self.ctx) - meaning(sides[1], self.ctx), self.ctx, assumptions):
            return LinkResult(Status.VERIFIED, SIGN_METHOD)
        left, right, shown = self.for_numbers(sides)
        return self.refute(a, b, left, right, inst, assumptions, "not shown nonnegative by its structure", shown)

    def counterexample(
        self,
        a: Line,
        b: Line,
        left: Expr,
        right: Expr,
        inst: dict,
        assumptions: tuple[str, ...],
        points: int | None = None,
        shown: tuple[int, ...] | None = None,
        extra: list[dict] | None = None,
    ) -> Counterexample | None:
        """Seeded random rational inputs at which the two sides differ (or, for ≥, the left is smaller);
        the first `points` sample points only, when given; `extra` parameter values after them."""
        samples = self.sample_points()[:points] + [(SEEDS[0], p) for p in extra or []]
        noisy = 0
        for seed, params in samples:
            drawn = self.random_point(seed, params, assumptions)
            for point in self._candidates(drawn):  # the second only if the first is outside the definitions
                try:
                    first = self._difference(b, left, right, point, shown, assumptions, PRECISIONS[0])
                    if first is None:
                        break
                    # Confirmed at a higher precision: rounding noise (a zero that evalf cannot settle,
                    # times 10^200) changes with the precision, a real difference does not.
                    if not _same(first, self._difference(b, left, right, point, shown, assumptions)):
                        noisy += 1
                        if noisy >= MAX_NOISY_POINTS:  # the sides cannot be told apart by numbers here
                            return None
                        break
                except (ArithmeticError, TypeError, ValueError, RecursionError):  # SymPy could not evaluate here
                    break
                if self.defined_at(point, assumptions):
                    return self._counterexample_at(a, b, inst, point, first[2:])
        return None

    def _candidates(self, point: Point) -> Iterator[Point]:
        """The drawn point, then (built only if asked for) the point with every logit made ≥ 0, if
        that changes it: where a definition has no value at the drawn point (f^(1/3) at f < 0), the
        search goes on there rather than giving up."""
        yield point
        f = self.ctx.f
        if any(v < 0 for v in point.values[f]):
            moved = point.copy()
            moved.values[f] = [abs(v) for v in point.values[f]]
            yield moved

    def defined_at(self, point: Point, assumptions: tuple[str, ...]) -> bool:
        """Do the definitions of a loss of one's own have values at the point: each class's transformed
        logit u(f_m) (--logits-expr), and L itself? Where one has none, ∂L/∂f_i does not exist, so no
        claim is refuted there, even where SymPy has cancelled the undefined part away (at C = 1,
        p_0 = 1 whatever u_0 is: f^(1/3) at f < 0 made a true claim look wrong). The catalogue's
        losses have values on the whole domain."""
        ctx = self.ctx
        if getattr(ctx, "custom", None) is None:
            return True
        if getattr(ctx, "transform", None) is not None:  # u(f_j) at each distinct logit: one function
            for v in set(point.values[ctx.f]):
                try:
                    value = _value(ctx.transform.xreplace({ctx.f[ctx.j]: v}).xreplace(point.params))
                except (ArithmeticError, TypeError, ValueError, RecursionError):
                    return False
                if not value.is_finite:
                    return False
        # L at every class is O(C) work: where values are exact
        return ctx.classes > EXHAUSTIVE_MAX or self._value_at(Line(ctx.L), {}, point, assumptions) is not None

    def _difference(
        self,
        b: Line,
        left: Expr,
        right: Expr,
        point: Point,
        shown: tuple[int, ...] | None,
        assumptions: tuple[str, ...],
        digits: int = PRECISIONS[1],
    ) -> tuple | None:
        """None where the sides agree at the point (or, for ≥, the left is not smaller); else which
        sides are finite, their difference (None if a side is not finite) and both values shown."""
        exact = [self.cm.numeric(e, point.values, point.params, shown, assumptions, digits) for e in (left, right)]
        lv, rv = (_value(v, digits // 3) for v in exact)
        finite = lv.is_finite, rv.is_finite
        if finite == (True, True):
            tolerance = 1e-20 * (1 + Abs(lv))
            gap = lv - rv
            if shown is None and self.ctx.classes <= NUMERIC_EXACT_MAX:  # exact values: the gap to certain digits
                gap = _certain(exact[0] - exact[1], digits // 3)
                if gap is None:  # evalf cannot settle it (an exact zero, or noise a function saturates)
                    return None
            differs = (gap < -tolerance) if b.relation == "≥" else (Abs(gap) > tolerance)
        else:  # one side undefined (a division by zero) and the other not; both: no number to show
            differs = b.relation == "=" and True in finite
            gap = None
            if differs and any(_unchopped_finite(v, digits // 3) for v, f in zip(exact, finite, strict=True) if not f):
                return None  # log of 1e-122 chopped to log 0: rounding, not a missing value; no counterexample here
        return (finite, gap, _shown(lv), _shown(rv)) if differs else None

    def random_point(self, seed: int, params: dict, assumptions: tuple[str, ...]) -> Point:
        """Seeded rational inputs: logits, labels of the link's kind, nonnegative weights (zeros too)."""
        rng = random.Random(seed)
        ctx, C = self.ctx, self.ctx.classes
        values = {
            ctx.f: [Rational(Fraction(rng.randint(-20, 20), 10)) for _ in range(C)],
            ctx.y: sample_labels(ctx, rng, ASSUME_LABEL_SUM in assumptions, exact=seed % 2 == 0),
        }
        for base in self.cm.bases[2:]:  # class weights, a direction: nonnegative numbers, zeros too
            values[base] = [Rational(Fraction(rng.randint(0 if seed % 2 else 1, 20), 10)) for _ in range(C)]
        return Point(values, params)

    def _counterexample_at(self, a: Line, b: Line, inst: dict, point: Point, shown: tuple[str, str]) -> Counterexample:
        """The record a user can re-check: the point, both sides as written, their values."""
        ctx = self.ctx
        with evaluate(False):  # show both sides as written
            sides = [instantiate(a.expr, inst), instantiate(b.expr, inst)]
        return Counterexample(
            classes=ctx.classes,
            index={str(k): int(v) for k, v in inst.items()},
            f=[str(v) for v in point.values[ctx.f]],
            y=[str(v) for v in point.values[ctx.y]],
            others={
                str(base.label): [
                    str(v if isinstance(r, Symbol) else r) for r, v in zip(raw, point.values[base], strict=True)
                ]
                for base, raw in self.cm.raw.items()
                if base not in (ctx.f, ctx.y)
            },
            lhs=sides[0],
            rhs=sides[1],
            lhs_value=shown[0],
            rhs_value=shown[1],
            params={str(k): str(v) for k, v in point.params.items()},
        )

    def sample_points(self) -> list[tuple[int, dict]]:
        """(seed, parameter values) pairs: each seed at the parameters' samples, then every
        parameter's ends, first integers and middle (the others at their samples)."""
        samples = dict(self.ctx.param_samples())
        points = [(seed, samples) for seed in SEEDS]
        for symbol, interval in self.ctx.ranges.items():
            for n, value in enumerate(parameter_values(*interval)):
                if value != samples.get(symbol):
                    points.append((SEEDS[n % len(SEEDS)], samples | {symbol: value}))
        return points


class SymbolicChecker:
    """Symbolic proofs for every C, with an honest concrete fallback."""

    def __init__(self, ctx: Context, labels: str) -> None:
        self.ctx = ctx
        self.labels = labels

    def check(self, step: Step) -> LinkResult:
        methods: list[str] = []
        status = Status.PROVED
        for a, b in step.links():
            res = self.check_link(step, a, b)
            if res.status is Status.FAILED:
                return res
            if not res.status.passed:
                status = Status.UNPROVED if Status.UNPROVED in (status, res.status) else res.status
            methods.append(res.method)
        return LinkResult(status, "; ".join(dict.fromkeys(methods)))

    def check_link(self, step: Step, a: Line, b: Line) -> LinkResult:
        """Proved for every C of the domain, refuted at some C ≤ 6, or not proved."""
        ctx = self.ctx
        domain = Domain.of(ctx)

        def zero(base: Expr) -> bool:
            return prove_zero_symbolic(meaning(base, ctx), ctx, step.assumptions, domain.nonzero).zero

        a, b = (replace(ln, expr=zero_powers(ln.expr, {}, domain, zero)) for ln in (a, b))
        sides = meaning(a.expr, ctx), meaning(b.expr, ctx)
        if any(has_no_value(m) for m in sides):
            return LinkResult(Status.FAILED, "a side has no value anywhere (0·∞, a division by zero or log 0)")
        written = a.expr, b.expr
        unmet = _unmet(domain, sides, written)
        from_two = False
        if unmet and domain.classes_at_least < 2 and not ctx.batched:  # 1 - p_j > 0 needs two classes: C = 1 on its own
            two = Domain.of(ctx, 2)
            if not _unmet(two, sides, written):
                domain, unmet, from_two = two, [], True
        if unmet:
            far = self.undefined_at_large_classes(a, b, domain)
            if far:
                return far
            res = self.fallback(step, a, b)
            if res.status is Status.FAILED:
                return res
            return LinkResult(Status.UNPROVED, f"not shown defined on the domain: {unmet[0]}; {res.method}")
        difference = sides[0] - sides[1]
        if b.relation == "≥":
            out = Outcome(nonnegative(difference, ctx, step.assumptions), SIGN_METHOD)
        else:
            out = prove_zero_symbolic(difference, ctx, step.assumptions, domain.nonzero)
        if not out.zero:
            return self.fallback(step, a, b)
        if not from_two:
            return LinkResult(Status.PROVED, out.method)
        one = self.exactly_at(step, a, b, 1)
        if one.status is Status.FAILED:
            return replace(one, method=f"not an identity: refuted exactly at $@C = 1$ ({one.method})")
        if not one.status.passed:
            return LinkResult(Status.UNPROVED, f"{out.method} for $@C ≥ 2$; at $@C = 1$ {one.method}")
        return LinkResult(Status.PROVED, f"{out.method} for $@C ≥ 2$ (where $1 - @p_j > 0$); exact at $@C = 1$")

    def undefined_at_large_classes(self, a: Line, b: Line, domain: Domain) -> LinkResult | None:
        """FAILED where a part of one line that depends on C alone has no value at some C too large
        for an exact check (0/(C - 10^6)), the other line being shown defined on the whole domain."""
        ctx = self.ctx
        for line, other in ((b, a), (a, b)):
            if _unmet(domain, (meaning(other.expr, ctx),), (other.expr,)):
                continue
            for part in written_parts(line.expr, ctx.last):
                base, power = meaning(part.base, ctx), meaning(part.exponent, ctx)
                if not (base.free_symbols | power.free_symbols) <= {ctx.C}:
                    continue
                near = integer_points(base, ctx.C) + integer_points(power, ctx.C)
                for c in sorted({c for c in near if c > CRITICAL_CLASSES_MAX}):
                    at = {ctx.C: Integer(c)}
                    if fails(part.kind, base.xreplace(at), power.xreplace(at)):
                        return LinkResult(
                            Status.FAILED,
                            f"not an identity: at $@C = {c}$ (any logits and labels) one side has no value "
                            f"({FAILING_PART[part.kind]}: {sstr(part.base)}); the other is defined on the whole domain",
                        )
        return None

    def exactly_at(self, step: Step, a: Line, b: Line, c: int) -> LinkResult:
        """The link checked exactly with this derivation's definitions at C = c."""
        sizes = {self.ctx.C: Integer(c)}
        one = Step(
            step.key,
            step.title,
            step.justification,
            [[replace(a, expr=instantiate(a.expr, sizes)), replace(b, expr=instantiate(b.expr, sizes))]],
            step.assumptions,
        )
        return ConcreteChecker(self.ctx.at(c), self.labels).check(one)

    def fallback(self, step: Step, a: Line, b: Line) -> LinkResult:
        """Exact checks at C = 1…6, for a link SymPy could not prove for all C: a refutation,
        or CHECKED, which is not a proof (no finite list of C is)."""
        if self.ctx.batched:  # no exact check knows a matrix of logits: points only, never a pass
            refuted = refuted_link(self.ctx, self.labels, step, a, b)
            if refuted is not None:
                return refuted
            return LinkResult(
                Status.UNPROVED, "not proved for every $N$ and $@C$; no counterexample found at small N, C"
            )
        refuted = None
        sizes = [c for c in FALLBACK_CLASSES if c >= self.ctx.min_classes]
        extra = [
            c
            for c in critical_classes([a.expr, b.expr], self.ctx.C, self.ctx.min_classes, self.ctx.last)
            if c not in sizes
        ]
        sizes += extra
        for c in sizes:
            res = self.exactly_at(step, a, b, c)
            if res.status is Status.FAILED:
                res = replace(res, method=f"not an identity: refuted exactly at $@C = {c}$ ({res.method})")
                if res.counterexample:
                    return res
                refuted = refuted or res  # keep looking for a C with numbers to show
        if refuted:
            return refuted
        shown = f"{sizes[0]}…{FALLBACK_CLASSES[-1]}" + "".join(f", {c}" for c in extra)
        return LinkResult(Status.CHECKED, f"not proved for every $@C$; only checked exactly for $@C = {shown}$")


def zero_powers(display: Expr, inst: dict, domain: Domain, is_zero: Callable[[Expr], bool]) -> Expr:
    """The display line with each b^r whose base is shown identically 0 and whose exponent is shown
    > 0, both defined on the domain as written, replaced by 0: 0^r = 0 for r > 0, with its conditions.
    (√(1 - Σ_j p_j) is 0, though 1 - Σ_j p_j is not shown ≥ 0 by the sign rules.)"""
    ctx = domain.ctx
    zeroed = {}
    for x in display.atoms(Pow):
        if x.exp.is_Integer or (x.base.is_number and x.base.is_nonzero):
            continue
        base, power = instantiate(x.base, inst), instantiate(x.exp, inst)
        if any(domain.written_conditions(part, inst) for part in (x.base, x.exp)):
            continue  # a part of the base or of the exponent may have no value (1 + 0/(T - 1)): keep it
        if any(domain.conditions(meaning(part, ctx)) for part in (base, power)):
            continue
        if domain.positive(meaning(power, ctx)) and is_zero(base):
            zeroed[x] = Integer(0)
    if not zeroed:
        return display
    with evaluate(False):  # the rest as written
        return display.xreplace(zeroed)


def _unmet(domain: Domain, meanings: tuple[Expr, ...], written: tuple[Expr, ...]) -> list[str]:
    """Side conditions not shown, for the meanings and for each part as written."""
    return [c for m in meanings for c in domain.conditions(m)] + [
        c for w in written for c in domain.written_conditions(w)
    ]


def _same_step(step: Step, twin: Step, at: dict) -> bool:
    """Is `step` the symbolic `twin` with C given its value: the same assumptions, relations and
    lines, as SymPy trees (symbols with their assumptions)? Nothing is evaluated or rebuilt: the
    trees are walked side by side, where a sum or product of plain numbers compares by value
    (C - 1 at C = 30 is 29) and a factor of 1 is skipped (1·x is x). Evaluating more would let
    y_i/y_i or 0·log(y_i) vanish from one side."""
    if step.assumptions != twin.assumptions or [len(c) for c in step.chains] != [len(c) for c in twin.chains]:
        return False
    lines = [(a, b) for c1, c2 in zip(step.chains, twin.chains, strict=True) for a, b in zip(c1, c2, strict=True)]
    return all(a.relation == b.relation and _alike(a.expr, b.expr, at) for a, b in lines)


def _plain_number(e: Expr, at: dict) -> Expr | None:
    """The value of `e` if it is built of plain numbers (after `at`) by sums and products, else None."""
    if not e.args:
        value = at.get(e, e)
        return value if value.is_Number else None
    if e.is_Add or e.is_Mul:
        values = [_plain_number(a, at) for a in e.args]
        if all(v is not None for v in values):
            return e.func(*values)
    return None


def _factors(e: Expr) -> list[Expr]:
    """The arguments of `e`, a product's factors of 1 left out."""
    return [a for a in e.args if not (e.is_Mul and a == 1)]


def _alike(a: Expr, b: Expr, at: dict) -> bool:
    """Do `a` (concrete) and `b` (symbolic, `at` giving C its value) have the same tree?"""
    values = _plain_number(a, {}), _plain_number(b, at)
    if values != (None, None):
        return values[0] == values[1]
    while a.is_Mul and len(_factors(a)) == 1:
        a = _factors(a)[0]
    while b.is_Mul and len(_factors(b)) == 1:
        b = _factors(b)[0]
    if not a.args or not b.args:
        return a == at.get(b, b)
    if a.func != b.func:
        return False
    xs, ys = _factors(a), _factors(b)
    return len(xs) == len(ys) and all(_alike(x, y, at) for x, y in zip(xs, ys, strict=True))


def _same(first: tuple, second: tuple | None) -> bool:
    """Two looks at one point's difference agree: the same sides finite, the gap equal to 6 digits."""
    if second is None or first[0] != second[0]:
        return False
    if first[1] is None:
        return second[1] is None
    return bool(Abs(first[1] - second[1]) <= 1e-6 * Abs(second[1]))


def _certain(e: Expr, digits: int) -> Expr | None:
    """An exact number's value with `digits` digits that evalf guarantees (strict), or None where it
    cannot: 1/(1 + (10^300·(1 - Σp))²) is 1, but its noise saturates to 0 at both precisions."""
    from sympy.core.evalf import PrecisionExhausted

    try:
        v = e.evalf(digits, strict=True, maxn=10 * digits)
    except (PrecisionExhausted, ValueError):
        return None
    return None if v.has(I) or not v.is_number else v


def _value(e: Expr, digits: int = 30) -> Expr:
    """The value to `digits` digits, parts below that precision chopped (an exact 0 that evalf cannot
    recognise comes out as ±1e-70, and √ of it would look complex); NaN where it is not real."""
    v = e.evalf(digits, chop=True, maxn=4 * digits)  # noise past the working precision differs with it
    if v.has(I) or not v.is_number:
        return S.NaN
    return v


def _unchopped_finite(e: Expr, digits: int) -> bool:
    """Has `e` a finite real value when tiny parts are not chopped (p = e^{-280} under a log)?"""
    try:
        v = e.evalf(digits, maxn=8 * digits)
    except (ArithmeticError, TypeError, ValueError, RecursionError):
        return False
    return bool(v.is_number and not v.has(I) and v.is_finite)


def _shown(v: Expr) -> str:
    return str(v.evalf(15)) if v.is_finite else "undefined"


def checker_for(
    ctx: Context, labels: str, twin: Callable[[str], tuple[Context, Step] | None] | None = None
) -> ConcreteChecker | SymbolicChecker:
    """The checker that suits `ctx`: symbolic proofs for C, exact checks for a number (which may
    fall back on `twin`, the same step for symbolic C, where every class would be written out);
    a batch with a number of classes or samples, its proof for every N and C (`batch.py`)."""
    if ctx.batched and not (ctx.symbolic and ctx.N.is_Symbol):
        return BatchChecker(ctx, labels, twin)
    return SymbolicChecker(ctx, labels) if ctx.symbolic else ConcreteChecker(ctx, labels, twin)


def verify(
    derivation: Derivation,
    on_step: Callable[[Step], None] | None = None,
    symbolic: Callable[[], Derivation | None] | None = None,
) -> Derivation:
    """Check every step of `derivation` in place and return it. `symbolic` builds the same
    derivation for symbolic C (None if there is none, e.g. with weights given per class)."""
    twin = None
    if symbolic is not None:
        built: list[Derivation | None] = []

        def twin(key: str) -> tuple[Context, Step] | None:
            if not built:
                built.append(symbolic())
            other = built[0]
            found = next((s for s in other.all_steps if s.key == key), None) if other else None
            return (other.ctx, found) if found else None

    checker = checker_for(derivation.ctx, derivation.labels, twin)
    for step in derivation.all_steps:
        res = checker.check(step)
        step.status, step.method, step.counterexample = res.status, res.method, res.counterexample
        if res.remark:
            step.remarks.append(res.remark)
        if on_step:
            on_step(step)
    return derivation
