"""Exact evaluation and zero tests for a concrete number of classes.

The softmax denominator is a positive placeholder Z whose derivative comes from its
definition: ∂g/∂f_m = ∂g/∂f_m|_Z + ∂g/∂Z · ∂S/∂f_m with S = Σ_k e^{f_k}. An
identity that holds with Z free holds at Z = S.

Two ways to evaluate a sum over the classes:
* written out, term by term (small C, and counterexamples);
* split into the terms of the distinguished classes D (the index values being
  checked) and the rest, evaluated once at a generic class g and kept as `Rest(...)`.
  The zero test turns Σ_{m∉D} c·φ(class m) into c·Φ, with Φ a symbol per
  monomial φ, except where the definitions fix it: Σ_{m∉D} 1 = C - |D|,
  Σ_{m∉D} s_m = Z - Σ_{d∈D} s_d for the softmax sum's terms s_m (e^{f_m}), and, with labels summing to one,
  Σ_{m∉D} y_m = 1 - Σ_{d∈D} y_d. Treating the other Φ as free is a sufficient
  condition for zero, so a pass is a proof; the cost no longer grows with C.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property, lru_cache

from sympy import (
    Add,
    Derivative,
    Dummy,
    Expr,
    Function,
    Indexed,
    Integer,
    KroneckerDelta,
    Mul,
    Sum,
    Symbol,
    diff,
    expand,
    log,
)
from sympy.core.parameters import global_parameters

from .context import Context
from .semantics import (
    ASSUME_LABEL_SUM,
    Outcome,
    cleared_numerator,
    instantiate,
    meaning,
    rational_zero,
    split_symbolic_powers,
)

GENERIC = Symbol("g", integer=True, nonnegative=True)
ZS_EXPANSION_MAX_CLASSES = 8  # above this, Z = S is written out only where the degree in Z is small
NUMERIC_EXACT_MAX = 8  # up to this many classes counterexamples keep the softmax sum exact


class SplitRefused(ValueError):
    """The split into D and Rest would not be exact here; write every class out instead."""


class Rest(Function):
    """Σ over the classes outside D of a term written at the generic class g."""

    nargs = 1

    def _eval_derivative(self, s: Expr) -> Expr:  # a finite sum: differentiate term by term
        return Rest(self.args[0].diff(s))


class ConcreteMeaning:
    """Meanings of instantiated display expressions over e^{f_m}, y_m and Z."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        C = ctx.classes
        self.bases = ctx.class_inputs()
        fixed = ctx.fixed_inputs()
        self.raw = {b: [Symbol(f"{b.label}{m}", **_kind(b)) for m in range(C)] for b in self.bases}
        for entry, value in fixed.items():  # numbers given for some classes (never an Indexed per class: slow)
            self.raw[entry.base][int(entry.indices[0])] = value
        self.generic_raw = {b: Symbol(f"{b.label}_g", **_kind(b)) for b in self.bases}
        self.fs, self.ys = self.raw[ctx.f], self.raw[ctx.y]
        self.fg, self.yg = self.generic_raw[ctx.f], self.generic_raw[ctx.y]
        self.Z = Dummy("Z", positive=True)
        self._dS = lru_cache(maxsize=None)(self._sum_derivative)
        self._phi: dict[Expr, Dummy] = {}
        self._generic = lru_cache(maxsize=None)(self._generic_values_of)  # per set of checked classes
        self._evaluated = lru_cache(maxsize=256)(self._evaluate)

    @cached_property
    def generic_sum_term(self) -> Expr:
        """The softmax sum's term for the generic class g, raw (e^{f_g}, or e^{f_g/T}, …)."""
        ctx = self.ctx
        term = instantiate(ctx.S.function, {ctx.k: GENERIC}).xreplace({ctx.f[GENERIC]: self.fg})
        if term.has(Indexed):  # the sum must name its class only through f: then renaming is exact
            raise ValueError(f"softmax sum term {term} depends on its class other than through f")
        return term

    def _sum_term(self, m: int) -> Expr:
        return self.generic_sum_term.xreplace({self.fg: self.fs[m]})

    @cached_property
    def explicit_sum(self) -> Expr:
        """S written out: Σ_m of its term, the generic term renamed class by class."""
        return Add(*(self._sum_term(m) for m in range(self.ctx.classes)))

    def _sum_derivative(self, v: Expr) -> Expr:
        """∂S/∂v: for one class's logit, the derivative of that class's term alone (each term names
        its class only through its own logit, checked in generic_sum_term); else of the whole sum."""
        if v in self._class_of_logit:
            return diff(self._sum_term(self._class_of_logit[v]), v)
        return diff(self.explicit_sum, v)

    @cached_property
    def _class_of_logit(self) -> dict:
        return {f: m for m, f in enumerate(self.fs) if isinstance(f, Symbol)}

    def _raw(self, classes) -> dict:
        return {b[m]: self.raw[b][m] for b in self.bases for m in classes}

    def evaluate(self, expr: Expr, distinguished: tuple[int, ...] | None = None) -> Expr:
        """Written out when `distinguished` is None, else split into D and Rest(...). Cached: the
        checker asks for the same side more than once (whether a step splits, then the link); the
        key holds SymPy's evaluate flag, on which the result depends."""
        return self._evaluated(expr, distinguished, global_parameters.evaluate)

    def _evaluate(self, expr: Expr, distinguished: tuple[int, ...] | None, evaluating: bool) -> Expr:
        ctx = self.ctx
        e = meaning(expr, ctx).xreplace({ctx.S: self.Z})
        if distinguished is None:
            e = e.replace(lambda x: isinstance(x, Sum), _write_out).xreplace(self._raw(range(ctx.classes)))
        else:
            present = {int(v) for x in expr.atoms(Indexed) for v in x.indices if v.is_Integer}
            if not present <= set(distinguished):  # g must stand only for classes outside D
                raise ValueError(f"classes {sorted(present)} are not all among {distinguished}")
            e = e.replace(lambda x: isinstance(x, Sum), lambda s: self._split(s, distinguished))
            e = e.xreplace(self._raw(distinguished) | self._generic_values(distinguished))
        if e.has(Indexed):  # an index left symbolic would make ∂/∂f_i silently zero
            raise ValueError(f"uninstantiated index in {e}")
        return e.replace(lambda x: isinstance(x, Derivative), self._derivative)

    def _generic_values(self, distinguished: tuple[int, ...]) -> dict:
        """What the generic class g holds for each per-class input: its symbol where the classes
        outside D are unknowns, or their common number where they were all given one (every
        class weight 2); given numbers that differ cannot share one g, so the split is refused."""
        return self._generic(distinguished)

    def _generic_values_of(self, distinguished: tuple[int, ...]) -> dict:
        out = {}
        chosen = set(distinguished)
        for b, g in self.generic_raw.items():
            outside = {v for m, v in enumerate(self.raw[b]) if m not in chosen}
            if all(isinstance(v, Symbol) for v in outside):
                out[b[GENERIC]] = g
            elif len(outside) == 1:
                out[b[GENERIC]] = next(iter(outside))
            else:
                raise SplitRefused(f"the classes outside {distinguished} have different values of {b.label}")
        return out

    def generic(self, classes: tuple[int, ...]) -> dict:
        """The renaming that turns the generic class g into class m, for each m in `classes`."""
        return {m: {g: self.raw[b][m] for b, g in self.generic_raw.items()} for m in classes}

    def _split(self, s: Sum, distinguished: tuple[int, ...]) -> Expr:
        if len(s.limits) > 1:  # Σ_i Σ_j: one generic class cannot stand for two
            raise SplitRefused("a double sum over the classes")
        ((var, lo, hi),) = s.limits
        if (lo, hi) != (0, self.ctx.classes - 1):
            return _write_out(s)
        terms = [instantiate(s.function, {var: Integer(d)}) for d in distinguished]
        if self.ctx.classes > len(distinguished):
            # One generic class stands for every class outside D only if nothing else is
            # bound to g already: an inner sum over the same classes (its Rest) or a
            # derivative with respect to the summed class would conflate two classes.
            inner = [r for r in s.function.atoms(Rest) if r.has(var)]
            moving = [d for d in s.function.atoms(Derivative) if any(v.has(var) for v in d.variables)]
            if inner or moving:
                raise SplitRefused(f"the sum over {var} nests a sum or a derivative over its own class")
            generic = instantiate(s.function, {var: GENERIC}).replace(
                lambda x: isinstance(x, KroneckerDelta) and GENERIC in x.args, lambda x: self._apart(x, distinguished)
            )
            terms.append(Rest(generic))
        return Add(*terms)

    @staticmethod
    def _apart(delta: KroneckerDelta, distinguished: tuple[int, ...]) -> Expr:
        """δ(g, d) = 0 for d in D, since g stands for a class outside D; anything else is refused."""
        (other,) = [a for a in delta.args if a != GENERIC] or [GENERIC]
        if other.is_Integer and int(other) in distinguished:
            return Integer(0)
        raise ValueError(f"{delta}: the term names class {other}, which must be among the checked classes")

    def _derivative(self, d: Derivative) -> Expr:
        g = d.expr
        if any(v in self.generic_raw.values() for v in d.variables):  # guarded in _split: a bug if reached
            raise SplitRefused(f"derivative with respect to a generic class: {d}")
        for v, count in d.variable_count:
            for _ in range(count):
                g = diff(g, v) + diff(g, self.Z) * self._dS(v)
        return g

    def is_zero(
        self,
        e: Expr,
        assumptions: tuple[str, ...] = (),
        distinguished: tuple[int, ...] | None = None,
        before_expanding: Callable[[], bool] | None = None,
    ) -> Outcome:
        """Exact zero test of an evaluated difference: with Z free, then (dearer) with Z = S written out.

        `before_expanding` runs between the two and may stop the test (a counterexample found)."""
        notes = ["derivatives through $S = Σ_k e^{@f_k}$"]
        e = split_symbolic_powers(e, self.nonzero)
        label_sum = ASSUME_LABEL_SUM in assumptions
        if label_sum:
            notes.append("$Σ_j @y_j = 1$")
        if e.has(Rest):
            notes.append("classes outside the checked indices as power sums")
            e = _merge_rests(expand(e)).replace(
                lambda x: isinstance(x, Rest), lambda r: self._power_sums(r, distinguished, label_sum)
            )
        elif label_sum:
            e = e.xreplace({self.ys[-1]: 1 - Add(*self.ys[:-1])})
        if rational_zero(e):
            return Outcome(True, f"exact identity ({'; '.join(notes)})")
        if before_expanding and before_expanding():
            return Outcome(False, f"not an exact identity ({'; '.join(notes)})")
        numerator = cleared_numerator(e)
        # Z = S: the numerator (a polynomial in Z) vanishes there exactly when the
        # expression does, and is far cheaper to expand than the expression with S inside.
        if distinguished is None and self._cheap_at_S(numerator) and expand(numerator.xreplace(self._at_S)) == 0:
            return Outcome(True, f"exact identity ({'; '.join([*notes, '$S$ written out'])})")
        return Outcome(False, f"not an exact identity ({'; '.join(notes)})")

    @property
    def _at_S(self) -> dict:
        return {self.Z: self.explicit_sum}

    def _cheap_at_S(self, numerator: Expr) -> bool:
        """Writing S out for Z costs C^degree terms: only for a few classes, or Z to the first power or so."""
        if self.ctx.classes <= ZS_EXPANSION_MAX_CLASSES:
            return True
        degree = max((t.as_powers_dict().get(self.Z, 0) for t in Add.make_args(numerator)), default=0)
        return degree <= 2 and self.ctx.classes <= 100

    def _power_sums(self, rest: Rest, distinguished: tuple[int, ...], label_sum: bool) -> Expr:
        total = []
        for term in Add.make_args(expand(rest.args[0])):
            coeff, dep = term.as_independent(*self.generic_raw.values(), as_Add=False)
            if dep == 1:
                total.append(coeff * (self.ctx.classes - len(distinguished)))
            elif dep == self.generic_sum_term:
                total.append(coeff * (self.Z - Add(*(self._sum_term(d) for d in distinguished))))
            elif dep == self.yg and label_sum:
                total.append(coeff * (1 - Add(*(self.ys[d] for d in distinguished))))
            else:
                total.append(coeff * self._phi.setdefault(dep, Dummy("Φ")))
        return Add(*total)

    def nonzero(self, base: Expr) -> bool:
        """A power base shown nonzero at every point (Z = S): SymPy's signs, or 1 - (some classes' share of Z)."""
        if base.is_positive or base.is_negative:
            return True
        if isinstance(base, Mul):
            return all(self.nonzero(a) for a in base.args)
        if base.is_Pow:
            return self.nonzero(base.base)
        return self._positive_share_left(base)

    def _positive_share_left(self, base: Expr) -> bool:
        """(Z - Σ_{m∈M} s_m)/Z > 0 when M is a set of classes smaller than all of them (s_m > 0)."""
        rest = expand(base * self.Z)
        if not rest.has(self.Z):
            return False
        taken = expand(self.Z - rest)
        terms = Add.make_args(taken)
        classes = set()
        for t in terms:
            named = [v for v in t.free_symbols if v in self._f_index]
            if len(named) != 1 or t != self._sum_term_of(named[0]):
                return False
            classes.add(named[0])
        return len(classes) == len(terms) and len(classes) < self.ctx.classes

    @cached_property
    def _f_index(self) -> set:
        return {s for s in self.fs if isinstance(s, Symbol)} | {self.fg}

    def _sum_term_of(self, f: Symbol) -> Expr:
        return self.generic_sum_term.xreplace({self.fg: f})

    def numeric(
        self,
        e: Expr,
        values: dict,
        params: dict | None = None,
        distinguished: tuple[int, ...] | None = None,
        assumptions: tuple[str, ...] = (),
        digits: int = 100,
    ) -> Expr:
        """`e` at concrete per-class inputs ({base: values}): exact (e^{f} kept exact) when written out;
        each Rest(term) of a split `e` (classes outside `distinguished`) summed as `digits`-digit
        numbers. Symbolic parameters at `params` (default: their samples)."""
        e = self._exact_zeros(e, assumptions, distinguished)
        subs = {s: v for b, vs in values.items() for s, v in zip(self.raw[b], vs, strict=True) if isinstance(s, Symbol)}
        subs |= self.ctx.param_samples() if params is None else params
        total = self.explicit_sum.xreplace(subs)
        # Exact for a few classes; for many, one 100-digit number: the sum pasted into each of
        # the O(C) places Z stands would make O(C²) work (and an exact 0 still chops to 0).
        subs[self.Z] = total if self.ctx.classes <= NUMERIC_EXACT_MAX else total.evalf(digits)
        if e.has(Rest):
            outside = [m for m in range(self.ctx.classes) if m not in (distinguished or ())]
            e = e.replace(lambda x: isinstance(x, Rest), lambda r: self._rest_value(r, subs, values, outside, digits))
        return e.xreplace(subs)

    def _exact_zeros(self, e: Expr, assumptions: tuple[str, ...], distinguished: tuple[int, ...] | None) -> Expr:
        """A fractional power or a log whose base is identically zero (shown by the exact zero test)
        gets an exact 0 for its base: at a point, 1 - Σ_j p_j comes out as ±1e-70, and
        (1e-70)^(1/100) is not small, so a true claim would seem refuted."""

        def fix(x: Expr) -> Expr:
            base = x.args[0]
            if base.is_number or not self.is_zero(base, assumptions, distinguished).zero:
                return x
            return x.func(Integer(0), *x.args[1:])

        return e.replace(lambda x: (x.is_Pow and not x.exp.is_Integer) or isinstance(x, log), fix)

    def _rest_value(self, rest: Rest, subs: dict, values: dict, outside: list[int], digits: int = 100) -> Expr:
        """Σ_{m ∉ D} term(m) as a number: the term compiled once (mpmath, `digits` digits) and summed."""
        import mpmath
        from sympy import Float, lambdify

        generic = list(self.generic_raw.values())
        body = rest.args[0].xreplace({k: v for k, v in subs.items() if k not in generic})
        fn = lambdify(generic, body, modules="mpmath")
        with mpmath.workdps(digits):
            per_class = [values.get(b, self.raw[b]) for b in self.bases]
            total = mpmath.fsum(
                fn(*(mpmath.mpf(str(column[m].evalf(digits))) for column in per_class)) for m in outside
            )
        return Float(total, digits)


def _kind(base) -> dict:
    """Assumptions for one class's raw variable: those of its base (labels ≥ 0 where stated)."""
    return {"nonnegative": True} if base.is_nonnegative or base.label.is_nonnegative else {"real": True}


def _merge_rests(e: Expr) -> Expr:
    """c₁·Rest(a) + c₂·Rest(b) as Rest(c₁a + c₂b) (the c free of g: a sum is linear), and
    dropped when that body is zero: equal sums written in two forms then cancel exactly."""
    single, others = [], []
    for term in Add.make_args(e):
        coeff, rests = term.as_independent(Rest, as_Add=False)
        (single if isinstance(rests, Rest) else others).append((coeff, rests))
    if not single:
        return e
    body = Add(*(coeff * rest.args[0] for coeff, rest in single))
    merged = Integer(0) if rational_zero(body) else Rest(body)
    return Add(merged, *(coeff * rest for coeff, rest in others))


def classes_named(expr: Expr, ctx: Context) -> set[int]:
    """The concrete classes an instantiated expression names, as written and in its definitions
    (a class may vanish from the meaning, as y_0 in (1 - eps)·y_0 at eps = 1)."""
    e = meaning(expr, ctx)
    named = {v for x in e.atoms(Indexed) | expr.atoms(Indexed) for v in x.indices}
    named |= {a for d in e.atoms(KroneckerDelta) for a in d.args}
    return {int(v) for v in named if v.is_Integer}


def _write_out(s: Sum) -> Expr:
    """A Sum with numeric limits as an Add of its terms (cheaper than Sum.doit's subs).

    SymPy folds Σ_i Σ_j into one Sum with two limits, innermost first: written out here
    from the outside in.
    """
    *inner, (var, lo, hi) = s.limits
    body = _write_out(Sum(s.function, *inner)) if inner else s.function
    return Add(*(instantiate(body, {var: Integer(n)}) for n in range(int(lo), int(hi) + 1)))
