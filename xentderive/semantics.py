"""From display expressions to their meaning, and exact tests that a meaning is zero.

A derivation step is written in the seed's notation (p_j, L_j, ∂L/∂f_i, Σ_{j≠i}).
`meaning` replaces each of those by its definition and evaluates the derivatives
with SymPy, so every printed line is checked against the definitions, never
against another line's say-so.

Two exact zero tests follow. For symbolic C, derivatives of the Sum definitions
give KroneckerDelta and index-range Piecewise terms; `prove_zero_symbolic` resolves
them with the stated index assumption (0 ≤ i, j ≤ C-1) and rewrites sums into a
canonical linear form, each rewrite an identity. For a concrete C, the softmax
denominator is kept as a positive placeholder Z whose derivative comes from its
definition (chain rule through Z), which keeps expressions small.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from sympy import (
    Add,
    And,
    Basic,
    Derivative,
    Dummy,
    Expr,
    Function,
    Indexed,
    KroneckerDelta,
    Mul,
    Piecewise,
    Pow,
    Sum,
    Symbol,
    expand,
    expand_mul,
    floor,
    log,
)
from sympy.core.parameters import evaluate, global_parameters
from sympy.core.relational import Relational
from sympy.logic.boolalg import BooleanFalse, BooleanTrue
from sympy.polys.fields import sfield
from sympy.polys.polyerrors import CoercionFailed, GeneratorsError, PolynomialError

from .context import Context, FixedPartial, SumExcept

ASSUME_J_NE_I = "j != i"
ASSUME_LABEL_SUM = "sum_j y_j = 1"
ASSUME_LABELS_NONNEGATIVE = "y_j >= 0"


@dataclass(frozen=True)
class Outcome:
    """What a zero test found: `zero` True when proved, and a short method note."""

    zero: bool
    method: str


def meaning(expr: Expr, ctx: Context) -> Expr:
    """Replace L, L_j, p_j and Σ_{j≠i} by their definitions; evaluate ∂/∂p.

    Derivatives with respect to f are left for the zero tests, which evaluate them
    symbolically (general C) or through the placeholder Z (concrete C).
    """
    # Numbers first: rebuilding a parent evaluated would drop a term 0·log 0 (coefficient 0)
    # before anyone saw that log 0 has no value.
    e = _evaluate_numbers(expr).replace(lambda x: isinstance(x, SumExcept), lambda x: x.as_sum())
    # L_j before L: the IndexedBase L_j's label is the symbol L itself.
    e = e.replace(lambda x: isinstance(x, Indexed) and x.base == ctx.Lj, lambda x: ctx.loss_term(x.indices[0]))
    e = e.xreplace({ctx.L: ctx.loss()})
    e = e.replace(
        lambda x: isinstance(x, Derivative) and _is_p(x.variables[0], ctx),
        lambda x: _picked(x.doit(deep=False), x.variables, ctx),
    )
    e = e.replace(lambda x: isinstance(x, FixedPartial), lambda x: x.expr.diff(x.var))  # before p is replaced
    extra = ctx.extra_meanings()
    if extra:
        e = e.replace(lambda x: isinstance(x, Indexed) and x.base in extra, lambda x: extra[x.base](*x.indices))
    e = e.replace(lambda x: isinstance(x, Indexed) and x.base == ctx.p, lambda x: ctx.softmax(*x.indices))
    return _evaluate_numbers(e)


def _picked(e: Expr, variables: tuple, ctx: Context) -> Expr:
    """Σ_v δ(v, a) g(v) = g(a) in a derivative by p_a: a is a class, so it lies in the sum's range 0…C-1.

    ∂/∂p_a of a sum over the classes (a loss of one's own, Σ_n b(p_n)) comes out of SymPy as such a
    sum; picking its term keeps the meaning one term, not a sum over every class (C² at a number of classes).
    """
    targets = {x.indices[0] for x in variables if _is_p(x, ctx) and len(x.indices) == 1}

    def pick(s: Sum) -> Expr:
        if len(s.limits) != 1 or s.limits[0][1:] != (0, ctx.last):
            return s
        var = s.limits[0][0]
        picked, rest = [], []
        for term in Add.make_args(s.function):
            factors = Mul.make_args(term)
            delta = next(
                (
                    f
                    for f in factors
                    if isinstance(f, KroneckerDelta) and var in f.args and (set(f.args) - {var}) & targets
                ),
                None,
            )
            if delta is None:
                rest.append(term)
                continue
            (a,) = set(delta.args) - {var}
            picked.append(Mul(*(f for f in factors if f is not delta)).xreplace({var: a}))
        if not picked:
            return s
        return Add(*picked) + (Sum(Add(*rest), s.limits[0]) if rest else 0)

    return e.replace(lambda x: isinstance(x, Sum), pick) if targets else e


def _evaluate_numbers(e: Expr) -> Expr:
    """Display lines are built unevaluated: with a parameter given (gamma = 2), an exponent
    gamma - 1 stays the sum 2 + (-1). Rebuilt here, numbers are numbers, and log 0 or 0/0
    written in a claim become zoo and nan, so such a claim has no value."""
    if not e.args:
        return e
    return _numbers_evaluated(e, global_parameters.evaluate)


@lru_cache(maxsize=8192)
def _numbers_evaluated(e: Expr, evaluating: bool) -> Expr:
    """`_evaluate_numbers`, cached: the same display lines are met link after link (the result
    depends on whether SymPy evaluates, hence the flag in the key)."""
    args = [_evaluate_numbers(a) if isinstance(a, Expr) else a for a in e.args]
    if isinstance(e, (Add, Mul, Pow, Function)) and e.is_number:
        return _rebuild(e, args)
    if all(a is b for a, b in zip(args, e.args, strict=True)):
        return e
    return _rebuild(e, args)


def instantiate(expr: Expr, values: dict) -> Expr:
    """Give free indices values, leaving summation variables alone.

    `subs` misses the index inside a derivative's variable (∂/∂f_i under a Sum) and
    `xreplace` also renames bound variables, so this walks the tree itself. Numbers are
    evaluated first: a parent rebuilt evaluated would silently drop a term 0·log 0.
    """
    if not values:
        return expr
    return _instantiated(expr, frozenset(values.items()), global_parameters.evaluate)


@lru_cache(maxsize=8192)
def _instantiated(expr: Expr, values: frozenset, evaluating: bool) -> Expr:
    return _instantiate(_evaluate_numbers(expr), dict(values))


def _instantiate(expr: Expr, values: dict) -> Expr:
    if expr in values:
        return values[expr]
    if not expr.args:
        return expr
    if isinstance(expr, Sum):
        bound = {lim[0] for lim in expr.limits}
        values = {k: v for k, v in values.items() if k not in bound}
    elif isinstance(expr, SumExcept):
        values = {k: v for k, v in values.items() if k != expr.var}
    args = [_instantiate(a, values) for a in expr.args]
    if all(a is b for a, b in zip(args, expr.args, strict=True)):
        return expr
    return _rebuild(expr, args)


def _rebuild(expr: Expr, args: list) -> Expr:
    """expr's node over new args, evaluated, unless that would lose a written part
    (0·log(…), y_0/y_0, e^(log a + log b)) or hide a base (√-3 = i√3): then as written."""
    rebuilt = expr.func(*args)  # evaluated, unless the caller asked otherwise (a counterexample's display)
    if _sensitive(args) - _sensitive([rebuilt]) or _not_real(expr, args):
        with evaluate(False):
            return expr.func(*args)
    return rebuilt


def _not_real(expr: Expr, args: list) -> bool:
    """A log or a fractional power of a negative number: kept as written (evaluated, √-3 = i√3
    would hide the base a point search looks at)."""
    if not (isinstance(expr, log) or (isinstance(expr, Pow) and not args[1].is_Integer)):
        return False
    return args[0].is_number and args[0].is_negative is True


def _sensitive(exprs: list) -> set[Expr]:
    """The logs and the negative or fractional powers in `exprs`: the parts with side conditions."""
    return set().union(*(_sensitive_in(e) for e in exprs if isinstance(e, Basic)))


@lru_cache(maxsize=8192)
def _sensitive_in(e: Basic) -> frozenset:
    """Cached per subexpression: instantiation asks again for the same parts, link after link."""
    return frozenset(x for x in e.atoms(log, Pow) if isinstance(x, log) or not x.exp.is_Integer or x.exp.is_negative)


def free_indices(expr: Expr, candidates: tuple[Symbol, ...]) -> set[Symbol]:
    """The candidate index symbols that occur free in `expr`.

    Unlike `free_symbols`, this counts the index of a derivative's variable (i in
    ∂L/∂f_i: SymPy leaves it out) and skips summation variables.
    """
    found: set[Symbol] = set()

    def walk(e: Expr, bound: frozenset) -> None:
        if e in candidates and e not in bound:
            found.add(e)
        if isinstance(e, Sum):
            bound = bound | {lim[0] for lim in e.limits}
        elif isinstance(e, SumExcept):
            bound = bound | {e.var}
        for arg in e.args:
            walk(arg, bound)

    walk(expr, frozenset())
    return found


def _is_p(v: Expr, ctx: Context) -> bool:
    return isinstance(v, Indexed) and v.base == ctx.p


# --- symbolic C ------------------------------------------------------------------


def resolve_index_ranges(expr: Expr, ctx: Context) -> Expr:
    """Decide Piecewise conditions such as ``i <= C - 1`` from 0 ≤ idx ≤ C-1.

    Each relation mentioning one index and C is decided by writing C = idx + 1 + m
    with m ≥ 0 (an exact restatement of idx ≤ C-1); SymPy then evaluates it.
    """
    m = Symbol("m", integer=True, nonnegative=True)

    def decide(rel: Relational):
        for idx, size in ctx.index_bounds():
            if rel.has(idx) and rel.has(size):
                val = rel.subs(size, idx + 1 + m)
                if isinstance(val, (BooleanTrue, BooleanFalse)):
                    return val
        return rel

    def fix(pw: Piecewise) -> Expr:
        pieces = []
        for value, cond in pw.args:
            cond = cond.replace(lambda x: isinstance(x, Relational), decide)
            if isinstance(cond, And):
                cond = And(*cond.args)
            pieces.append((value, cond))
        return Piecewise(*pieces)

    return expr.replace(lambda x: isinstance(x, Piecewise), fix)


def _canonical_var(var: Symbol, depth: int) -> Symbol:
    return Symbol(f"_s{depth}", **{k: v for k, v in var.assumptions0.items() if k in ("integer", "nonnegative")})


def _sum_depth(e: Expr) -> int:
    return max((1 + _sum_depth(s.function) for s in e.atoms(Sum)), default=0)


def linearize_sums(expr: Expr, ctx: Context) -> Expr:
    """Rewrite every Sum as Σ (j-free factor) · Σ_j (j-dependent monomial).

    Uses only sum identities: linearity, constants out of a sum, Σ_j c = C·c, the
    Kronecker delta sum (evaluated by SymPy, its range condition resolved), and
    renaming the dummy to a canonical one so equal sums compare equal.
    """

    def split(s: Sum) -> Expr:
        if len(s.limits) > 1:  # SymPy folds Σ_i Σ_j into one Sum, innermost limit first
            *inner, last = s.limits
            return split_one(split(Sum(s.function, *inner)), *last)
        return split_one(s.function, *s.limits[0])

    def split_one(function: Expr, var: Symbol, lo: Expr, hi: Expr) -> Expr:
        total = []
        for term in Add.make_args(expand(function, power_base=False, power_exp=False, log=False)):
            coeff, dep = term.as_independent(var, as_Add=False)
            if dep == 1:
                total.append(coeff * (hi - lo + 1))
            elif dep.has(KroneckerDelta):
                total.append(coeff * resolve_index_ranges(Sum(dep, (var, lo, hi)).doit(), ctx))
            else:
                canon = _canonical_var(var, _sum_depth(dep))
                total.append(coeff * Sum(dep.xreplace({var: canon}), (canon, lo, hi)))
        return Add(*total)

    return expr.replace(lambda x: isinstance(x, Sum), split)


def merge_sums(expr: Expr) -> Expr:
    """Drop groups of sums over one range whose merged body is zero.

    The same sum can come out of SymPy in rationally equal forms (1/(S - e) beside
    e/(S² - eS) + 1/S) that compare unequal term by term. By linearity Σ_k c_k·Σ_v a_k(v)
    = Σ_v Σ_k c_k a_k(v) (each c_k is outside its sum, so free of v); when that merged
    body is zero the group is zero. Otherwise the terms stay as they were.
    """
    v = Dummy("v", integer=True, nonnegative=True)
    groups: dict[tuple, list[tuple[Expr, Expr]]] = {}
    kept = []
    for term in Add.make_args(expand(expr)):
        sums = [f for f in Mul.make_args(term) if isinstance(f, Sum) and len(f.limits) == 1]
        if len(sums) != 1:
            kept.append(term)
            continue
        (s,) = sums
        var, lo, hi = s.limits[0]
        coeff = Mul(*(f for f in Mul.make_args(term) if f is not s))
        groups.setdefault((lo, hi), []).append((term, coeff * s.function.xreplace({var: v})))
    for group in groups.values():
        if len(group) > 1 and rational_zero(Add(*(body for _, body in group))):
            continue
        kept.extend(term for term, _ in group)
    return Add(*kept)


def identify_delta_indices(expr: Expr, ctx: Context) -> Expr:
    """δ_ij·φ(j) = δ_ij·φ(i): in a term with the factor δ_ij, write i for the free j.

    Exact (both sides vanish unless i = j). Summation variables are canonical by now
    (`linearize_sums`), so every j left in a term is the free index.
    """
    pair = {ctx.i, ctx.j}

    def identify(term: Expr) -> Expr:
        factors = Mul.make_args(term)
        deltas = [f for f in factors if isinstance(f, KroneckerDelta) and set(f.args) == pair]
        if not deltas:
            return term
        rest = Mul(*(f for f in factors if f not in deltas))
        return Mul(*deltas) * rest.xreplace({ctx.j: ctx.i})  # the delta itself keeps both indices

    return Add(*(identify(t) for t in Add.make_args(expand(expr))))


def _drop_cross_deltas(expr: Expr, ctx: Context) -> Expr:
    """Under the case assumption j ≠ i, δ_ij = 0."""
    pair = {ctx.i, ctx.j}
    return expr.replace(
        lambda x: isinstance(x, KroneckerDelta) and set(x.args) == pair,
        lambda x: 0,
    )


class SymbolicPower(Function):
    """``base**r`` for a symbolic exponent r (γ), kept apart from integer powers of the base.

    SymPy merges (1 - p)**γ / (1 - p) into (1 - p)**(γ - 1), so equal expressions
    can differ in form. Writing base**(r + c) as SymbolicPower(base, r) · base**c (c the
    integer part) is an identity only for base ≠ 0 (0^0 = 1 but 0^1·0^-1 has no value),
    so `split_symbolic_powers` splits only bases its caller has shown nonzero. It is a
    function of its base, so a summation variable inside stays visible to sum rules.
    """

    nargs = 2


def split_symbolic_powers(e: Expr, nonzero: Callable[[Expr], bool]) -> Expr:
    """Rewrite base**q as SymbolicPower(base, r) · base**c, with c an integer, for every
    exponent that is not an integer (gamma - 1: r = gamma, c = -1; -1/2: r = 1/2, c = -1),
    where `nonzero(base)` holds; other powers are left as they are."""

    def split(pw: Expr) -> Expr:
        if not nonzero(pw.base):
            return pw
        if pw.exp.is_Rational:
            c = floor(pw.exp)
            return SymbolicPower(pw.base, pw.exp - c) * pw.base**c
        c, r = Add(*Add.make_args(pw.exp)).as_coeff_Add()  # re-sorted: display exponents are unevaluated
        if not c.is_Integer:  # gamma + 1/2: keep the fraction with the symbol
            r, c = r + c - floor(c), floor(c)
        return SymbolicPower(pw.base, r) * pw.base**c

    return e.replace(lambda x: x.is_Pow and not x.exp.is_Integer and (x.exp.is_Rational or not x.exp.is_number), split)


def rational_zero(e: Expr) -> bool:
    """Is `e` identically zero as a rational function of its atoms?

    SymPy's sparse rational-function field (`sfield`) decides it, treating every atom that is
    not a rational operation (e^{f_k}, a Sum, log, a fractional power) as an independent
    generator: zero there is zero for any values of the atoms, so a yes is a proof. Several
    times faster than expanding; the expansion is kept for what the field cannot take.
    """
    try:
        return sfield(e)[1] == 0
    except (PolynomialError, GeneratorsError, CoercionFailed, NotImplementedError):
        return cleared_numerator(e) == 0


def cleared_numerator(e: Expr) -> Expr:
    """`e` times a common denominator, expanded: zero exactly when `e` is.

    Expand, then clear denominators term by term: each term times the common
    denominator keeps only the powers of each base it lacked (SymPy combines powers
    of equal bases), so a base such as Σ_k e^{f_k} is expanded only where a term needs
    it, with no common-denominator blow-up; then expand again.
    """
    e = expand(e)
    if e == 0:
        return e
    terms = Add.make_args(e)
    depth: dict[Expr, int] = {}
    for term in terms:
        for base, power in _denominators(term).items():
            depth[base] = max(depth.get(base, 0), power)
    if not depth:
        return e
    if any(_denominators(f) for base in depth for f in Add.make_args(expand(base))):
        # A denominator holds a fraction itself (1 - 1/(1 + e^{-f}) from a sigmoid): one
        # numerator over one denominator; costly, but only such expressions get here.
        numerator, _ = e.as_numer_denom()
        return expand(numerator)
    common = Mul(*(base**power for base, power in depth.items()))
    return expand(Add(*(term * common for term in terms)))


def _denominators(term: Expr) -> dict[Expr, int]:
    return {f.base: -int(f.exp) for f in Mul.make_args(term) if f.is_Pow and f.exp.is_Integer and f.exp < 0}


def prove_zero_symbolic(
    expr: Expr, ctx: Context, assumptions: tuple[str, ...] = (), nonzero: Callable[[Expr], bool] | None = None
) -> Outcome:
    """Prove `expr` (a meaning) is zero for every C in the domain and 0 ≤ i, j ≤ C-1.

    `nonzero` decides which power bases may be split (see SymbolicPower); by default none.
    """
    # Evaluate derivatives only (deep=False): a full doit() would also try to sum
    # Σ y_j or Σ e^{f_k} in closed form (Gosper, hypergeometric), slowly and in vain.
    # Kronecker-delta sums are evaluated in linearize_sums.
    e = expr.replace(lambda x: isinstance(x, Derivative), lambda d: d.doit(deep=False))
    e = e.replace(lambda x: isinstance(x, KroneckerDelta), lambda d: KroneckerDelta(*d.args))  # δ_ii = 1
    e = split_symbolic_powers(e, nonzero or (lambda base: False))
    e = resolve_index_ranges(e, ctx)
    if ASSUME_J_NE_I in assumptions:
        e = _drop_cross_deltas(e, ctx)
    e = linearize_sums(e, ctx)
    if ASSUME_J_NE_I in assumptions:
        e = _drop_cross_deltas(e, ctx)
    e = identify_delta_indices(merge_sums(e), ctx)
    notes = ["SymPy diff of the Sum definitions", f"index ranges by {ctx.index_note}", "sum linearity"]
    if ASSUME_LABEL_SUM in assumptions:
        e = e.xreplace({linearize_sums(ctx.label_sum(), ctx): 1})
        notes.append("$Σ_j @y_j = 1$")
    if ASSUME_J_NE_I in assumptions:
        notes.append("$δ_{ij} = 0$ for $j ≠ i$")
    return Outcome(rational_zero(e), f"symbolic identity for every $@C$ ({'; '.join(notes)})")


# --- signs -----------------------------------------------------------------------


def nonnegative(e: Expr, ctx: Context, assumptions: tuple[str, ...] = ()) -> bool:
    """Is the meaning `e` ≥ 0 on the whole domain? A sufficient test, by structure (see `domain.py`);
    a step that assumes y_j ≥ 0 may use it even where the labels are not stated to be a probability vector."""
    from .domain import Domain

    domain = replace(
        Domain.of(ctx), labels_nonnegative=ctx.nonnegative_labels or ASSUME_LABELS_NONNEGATIVE in assumptions
    )
    e = e.replace(lambda x: isinstance(x, Derivative), lambda d: d.doit(deep=False))
    return domain.nonnegative(expand_mul(e)) or domain.nonnegative(e)
