"""Where a line has no value: a point of the stated domain at which a written part fails.

A log needs a positive argument, a denominator a nonzero one, a fractional power a base
≥ 0 (0 only with an exponent ≥ 0). When the domain check (`domain.py`) could not show
such a condition for every point, this module looks for a point where it fails: the
line has no value there, and if the other side of the link has one, the two are not
equal (exit 1 with that point). The candidates are exact: e^{f_m} is a rational r_m
(f_m = log r_m), labels and weights are rationals (exact one-hot vertices, zeros),
parameters are rationals of their range, and along one variable at a time the roots of
the part are solved for exactly. A part is called failing only when its value is shown
exactly 0 (or negative) at the point, so a reported point is a proof of undefinedness.

For symbolic C, `critical_classes` names the C where a part that depends on C alone
vanishes, changes sign, or where a polynomial in C written in a line stops vanishing
((C-1)…(C-7) is 0 for C ≤ 7 only): the fallback checks those C exactly too.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sympy import (
    CRootOf,
    Derivative,
    Dummy,
    Expr,
    Integer,
    Poly,
    Pow,
    Rational,
    S,
    Sum,
    Symbol,
    floor,
    log,
    together,
)
from sympy.core.parameters import evaluate

from .context import Context, SumExcept
from .semantics import instantiate

MAX_ROOT_DEGREE = 16  # a part's numerator of higher degree in one variable is not solved for
MAX_CANDIDATES = 400  # points tried per link: the search is bounded whatever the claim
MAX_SOLVED_CLASSES = 64  # above this many classes, per-class inputs are not solved for (O(C) each)
MAX_EXTRA_CLASSES = 6  # critical C values tried beyond the fallback's list
TINY = Rational(1, 10**30)  # below this at 50 digits, a number is taken for nonzero only with an exact proof
CRITICAL_CLASSES_MAX = 200  # the largest critical C checked exactly (an exact check at C costs O(C))


@dataclass(frozen=True)
class Part:
    """A log's argument, a denominator's or a power's base (with its exponent), as written."""

    kind: str  # "log", "denominator" or "power"
    base: Expr
    exponent: Expr = S.One

    def node(self) -> Expr:
        """The part as a log or a power again, for the domain's check."""
        if self.kind == "log":
            return log(self.base, evaluate=False)
        return Pow(self.base, self.exponent, evaluate=False)


def written_parts(display: Expr, last: Expr, values: dict | None = None) -> list[Part]:
    """The parts of a display line with a side condition, free indices at `values`. Parts inside
    a derivative are the definitions' own (the derivative is evaluated before it is compared);
    parts inside a sum over fewer than every class 0…`last` (Σ_{j≠i}) are left out, since a part
    naming a summation index is then tried once per class."""
    found: list[Part] = []

    def walk(x: Expr) -> None:
        if isinstance(x, (Derivative, SumExcept)):
            return
        if isinstance(x, Sum) and any((lo, hi) != (0, last) for _, lo, hi in x.limits):
            return
        if isinstance(x, log):
            found.append(Part("log", x.args[0]))
        elif isinstance(x, Pow) and x.exp.is_Integer and x.exp.is_negative:
            found.append(Part("denominator", x.base, x.exp))
        elif isinstance(x, Pow) and not x.exp.is_Integer:
            found.append(Part("power", x.base, x.exp))
        for a in x.args:
            if isinstance(a, Expr):
                walk(a)

    walk(display)
    parts = list(dict.fromkeys(found))
    if not values:
        return parts
    with evaluate(False):  # 0·log(…) keeps its log
        return [Part(p.kind, instantiate(p.base, values), instantiate(p.exponent, values)) for p in parts]


def _approximate(v: Expr) -> Expr | None:
    """v to 50 digits (never SymPy's sign assumptions: on sums of radicals they compute minimal
    polynomials, which can run for minutes); None where it cannot be evaluated."""
    try:
        n = v.evalf(50)
    except (ArithmeticError, TypeError, ValueError, RecursionError):
        return None
    return n if n.is_number else None


def is_exact_zero(v: Expr) -> bool:
    """v (a number) is exactly 0, as shown by exact arithmetic; False when that cannot tell."""
    if v.free_symbols:
        return False
    if v.is_Rational:
        return v == 0
    n = _approximate(v)
    if n is None or n.has(S.NaN, S.ComplexInfinity) or not n.is_finite or abs(n) > TINY or v.count_ops() > 400:
        return False
    try:
        return together(v).as_numer_denom()[0].expand() == 0
    except (ArithmeticError, TypeError, ValueError, RecursionError):
        return False


def is_negative(v: Expr) -> bool:
    """v (a real number) is shown < 0: exactly for a rational, else by 50 digits clearly below 0."""
    if v.free_symbols:
        return False
    if v.is_Rational:
        return bool(v < 0)
    n = _approximate(v)
    return n is not None and n.is_real is True and n.is_finite is True and bool(n < -TINY)


def fails(kind: str, base: Expr, exponent: Expr) -> bool:
    """Does this part have no real value, given the exact numbers at a point?"""
    if base.free_symbols or not base.is_number:
        return False
    if kind == "log":
        return is_exact_zero(base) or is_negative(base)
    if kind == "denominator":
        return is_exact_zero(base)
    if exponent.free_symbols or not exponent.is_number:
        return False
    # A fractional power of a negative number is not real; with an integer exponent at the point
    # ((y - 1/2)^(T/T) is a power with exponent 1) it is.
    if not exponent.is_Integer and is_negative(base):
        return True
    return is_exact_zero(base) and is_negative(exponent)


@dataclass
class Point:
    """Exact values for every input: e^{f_m} (as r_m), per-class inputs, parameters."""

    values: dict  # IndexedBase → list of values (f as log(r))
    params: dict

    def copy(self) -> Point:
        return Point({b: list(v) for b, v in self.values.items()}, dict(self.params))


@dataclass
class Region:
    """Where a variable may go: an interval, ends open or closed (None: unbounded)."""

    low: Expr | None = None
    high: Expr | None = None
    low_open: bool = False
    high_open: bool = False

    def holds(self, v: Expr) -> bool:
        if not (v.is_real and v.is_number):
            return False
        if self.low is not None and (v < self.low or (self.low_open and v == self.low)):
            return False
        return not (self.high is not None and (v > self.high or (self.high_open and v == self.high)))


def roots_in(e: Expr, t: Symbol, region: Region, beside: bool) -> list[Expr]:
    """Exact real roots of e's numerator in t inside `region` (explicit ones: rationals and
    radicals), and points just beside each (`beside`, where a sign matters)."""
    try:
        numerator = together(e).as_numer_denom()[0]
        if not numerator.has(t):
            return []
        poly = Poly(numerator, t)
        if poly.degree() > MAX_ROOT_DEGREE or not poly.domain.is_Numerical:
            return []
        found = [r for r in dict.fromkeys(poly.real_roots()) if not r.has(CRootOf)]
    except Exception:  # not a polynomial in t (an exp or a log of it): nothing solved for
        return []
    out = list(found)
    if beside:
        for r in found:
            near = Rational(floor(r * 1000), 1000) if not r.is_Rational else r
            out += [near - Rational(1, 1000), near + Rational(1, 1000)]
    return [r for r in out if region.holds(r)]


@dataclass
class PointSearch:
    """Candidate points of the domain for one concrete number of classes (see the module doc).

    `evaluate` maps an instantiated display expression to its value written out over the raw
    per-class inputs (ConcreteMeaning.evaluate), `raw` names those inputs, `exact` puts a point's
    numbers into an evaluated expression exactly.
    """

    ctx: Context
    raw: dict  # IndexedBase → list of raw symbols (or fixed numbers), class by class
    evaluate: object
    exact: object
    sum_to_one: bool
    named: set[int] = field(default_factory=set)

    def classes(self) -> list[int]:
        """The classes whose inputs are varied: all for a few, else the named ones and one other."""
        C = self.ctx.classes
        if C <= 8:
            return list(range(C))
        others = [m for m in range(C) if m not in self.named][:1]
        return sorted(self.named | set(others))

    def base_points(self) -> list[Point]:
        ctx, C = self.ctx, self.ctx.classes
        params = dict(ctx.param_samples())
        points = []
        for seed in (1, 2, 3):
            rng = random.Random(seed)
            values = {ctx.f: [log(Rational(rng.randint(1, 40), 10)) for _ in range(C)]}
            values[ctx.y] = sample_labels(ctx, rng, self.sum_to_one, exact=seed == 2)
            for b in self.raw:
                if b not in values:
                    low = 0 if b.is_nonnegative or b.label.is_nonnegative else -20
                    values[b] = [Rational(rng.randint(low if seed != 1 else 0, 20), 10) for _ in range(C)]
            points.append(Point(values, params))
        special = points[0].copy()
        special.values[ctx.f] = [Integer(0)] * C  # every r_m = 1
        for b in self.raw:
            if b not in (ctx.f, ctx.y):
                special.values[b] = [Integer(0)] * C  # zero weights are allowed
        if not self.sum_to_one and not ctx.nonnegative_labels:
            special.values[ctx.y] = [Integer(0)] * C  # any reals: all labels 0
        points.append(special)
        if ctx.nonnegative_labels or self.sum_to_one:
            for h in self.classes():  # the one-hot vertices
                vertex = points[0].copy()
                vertex.values[ctx.y] = [Integer(int(m == h)) for m in range(C)]
                points.append(vertex)
        return points

    def variables(self, point: Point, expr: Expr) -> list[tuple]:
        """(kind, key, region) for each input `expr` depends on that may be solved for."""
        ctx = self.ctx
        out = []
        free = expr.free_symbols
        for symbol, interval in ctx.ranges.items():
            if symbol in free:
                out.append(("param", symbol, Region(*interval)))
        if ctx.classes > MAX_SOLVED_CLASSES:
            return out
        for b, column in self.raw.items():
            for m in self.classes():
                if column[m] not in free or not isinstance(column[m], Symbol):
                    continue
                if b == ctx.f:
                    out.append(("f", m, Region(Integer(0), None, True)))  # r_m = e^{f_m} > 0
                elif b == ctx.y:
                    out.append(("y", m, Region(Integer(0)) if ctx.nonnegative_labels or self.sum_to_one else Region()))
                else:
                    low = b.is_nonnegative or b.label.is_nonnegative
                    out.append((b, m, Region(Integer(0)) if low else Region()))
        return out

    def along(self, point: Point, kind, key, t: Symbol) -> Point:
        """The point with one input replaced by t (a label's change made up by another label,
        where the labels must sum to one)."""
        ctx = self.ctx
        moved = point.copy()
        if kind == "param":
            moved.params[key] = t
        elif kind == "f":
            moved.values[ctx.f][key] = log(t)
        elif kind == "y":
            ys = moved.values[ctx.y]
            if self.sum_to_one:
                if ctx.classes == 1:
                    return moved
                other = next(m for m in range(ctx.classes) if m != key)
                ys[other] = ys[other] + ys[key] - t
            ys[key] = t
        else:
            moved.values[kind][key] = t
        return moved

    def admissible(self, point: Point) -> bool:
        ys = point.values[self.ctx.y]
        if (self.ctx.nonnegative_labels or self.sum_to_one) and any(v.is_negative for v in ys):
            return False
        return all(v.is_finite is not False for column in point.values.values() for v in column)

    def candidates(self, parts: list[Part]):
        """Points to try for these parts: the base points, then, part by part, the points where
        one input solves the part's base (or exponent) for 0 exactly, with the others held."""
        bases = self.base_points()
        yield from bases
        t = Dummy("t", real=True)
        for part in parts:
            sides = [self.evaluate(part.base)]
            if part.kind == "power":
                sides.append(self.evaluate(part.exponent))
            for point in bases[:2]:
                for side in sides:
                    for kind, key, region in self.variables(point, side):
                        moved = self.along(point, kind, key, t)
                        restricted = self.exact(side, moved)
                        for r in roots_in(restricted, t, region, beside=part.kind != "denominator"):
                            found = self._put(moved, t, r)
                            if self.admissible(found):
                                yield found

    @staticmethod
    def _put(point: Point, t: Symbol, value: Expr) -> Point:
        out = point.copy()
        out.params = {k: v.xreplace({t: value}) for k, v in out.params.items()}
        out.values = {b: [v.xreplace({t: value}) for v in column] for b, column in out.values.items()}
        return out

    def failing(self, parts: list[Part], point: Point, evaluated: dict) -> Part | None:
        """The first part with no value at this point (exactly shown), if any."""
        for part in parts:
            base = self.exact(evaluated[part.base], point)
            exponent = self.exact(evaluated[part.exponent], point) if part.kind == "power" else Integer(1)
            if fails(part.kind, base, exponent):
                return part
        return None

    def parameter_values(self, parts: list[Part]) -> list[dict]:
        """Parameter values worth a value check: the roots of each part's base and exponent in one
        parameter (0^((eps - 1/3)^2) is 1 at eps = 1/3 only), the others at their samples."""
        point = self.base_points()[0]
        t = Dummy("t", real=True)
        out = []
        for part in parts:
            for side in (part.base, part.exponent):
                e = self.evaluate(side)
                for kind, key, region in self.variables(point, e):
                    if kind != "param":
                        continue
                    for r in roots_in(self.exact(e, self.along(point, kind, key, t)), t, region, beside=False):
                        out.append(point.params | {key: r})
        return out[:8]


def sample_labels(ctx: Context, rng: random.Random, sum_to_one: bool, exact: bool = False) -> list[Rational]:
    """Labels for a point: a probability vector where the link assumes Σ_j y_j = 1 (an exact
    one-hot vector when `exact`), nonnegative where the domain says so, else any reals."""
    C = ctx.classes
    if exact and ctx.nonnegative_labels:
        hot = rng.randrange(C)
        return [Rational(int(m == hot)) for m in range(C)]
    low = 0 if ctx.nonnegative_labels or sum_to_one else -9
    raw = [Rational(rng.randint(low, 9)) for _ in range(C)]
    if sum_to_one:
        total = sum(raw)
        if total == 0:
            raw, total = [Rational(1)] * C, C
        return [v / total for v in raw]
    return [v / 10 for v in raw]


def critical_classes(lines: list[Expr], C: Symbol, low: int, last: Expr) -> list[int]:
    """Numbers of classes worth an exact check, smallest first within each kind: just past the
    integer roots of each largest part of a line in C alone (a polynomial (C-1)…(C-7) is 0 for
    C ≤ 7 only), then where a log's argument, a denominator or a power in C alone is 0 or changes
    sign (0/(C - 70)), then near the other roots; at most MAX_EXTRA_CLASSES of them."""
    past: set[int] = set()
    parts: set[int] = set()
    near: set[int] = set()

    def visit(x: Expr) -> None:
        if not isinstance(x, Expr) or not x.args:
            return
        if x.free_symbols == {C}:  # a largest part in C alone: its factors' roots are its own
            points = integer_points(x, C)
            if points:
                past.add(max(points) + 1)
                near.update(points)
                return
        for a in x.args:
            visit(a)

    for line in lines:
        visit(line)
        for part in written_parts(line, last):
            for side in (part.base, part.exponent):
                if side.free_symbols == {C}:
                    parts.update(integer_points(side, C))
    ordered = sorted(past) + sorted(parts) + sorted(near)
    return [c for c in dict.fromkeys(ordered) if low <= c <= CRITICAL_CLASSES_MAX][:MAX_EXTRA_CLASSES]


def integer_points(x: Expr, C: Symbol) -> list[int]:
    """Integers at and beside the real roots of x's numerator in C (degree ≤ 100)."""
    try:
        numerator = together(x).as_numer_denom()[0]
        poly = Poly(numerator, C)
        if poly.degree() > 100 or poly.degree() < 1 or not poly.domain.is_Numerical:
            return []
        out = []
        for (lo, hi), _ in poly.intervals():
            out += [int(floor(lo)), int(floor(lo)) + 1, int(floor(hi)), int(floor(hi)) + 1]
        return out
    except Exception:  # not a polynomial in C: no critical value from it
        return []
