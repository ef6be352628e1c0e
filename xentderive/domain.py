"""The stated domain, and what the prover may conclude from it: signs and definedness.

A link is proved only where both sides are defined on the whole stated domain (every
C the derivation is stated for, real logits, the labels' stated signs, each
parameter's range with its ends). `Domain.conditions` lists what could not be shown
(a log of something not shown positive, a denominator not shown nonzero, a
fractional power of something not shown nonnegative); a link with such a condition
is never proved, only refuted at a point or left "not proved".

The sign rules are sufficient tests, each an elementary fact:
* e^x > 0 for real x; p_j > 0; T > 0 and other parameters by their stated range;
* a sum of positive terms over a non-empty range is positive;
* sums and products of nonnegative (positive) parts are nonnegative (positive);
* b^r > 0 for b > 0 and real r; b^n ≥ 0 for real b and even n;
* 1 - p_x = Σ_{k≠x} e^{f_k} / Σ_k e^{f_k} > 0 when there are at least two classes;
* one-hot / probability labels are ≥ 0 and Σ_j y_j = 1 (stated), class weights are ≥ 0 (stated);
* log b ≠ 0 for 0 < b < 1 and for b > 1.
"""

from __future__ import annotations

from dataclasses import dataclass

from sympy import (
    Add,
    Derivative,
    DiracDelta,
    Expr,
    Heaviside,
    I,
    Indexed,
    Integer,
    Max,
    Min,
    Mul,
    Pow,
    Sum,
    ceiling,
    exp,
    expand,
    floor,
    log,
    nan,
    oo,
    sign,
    sstr,
    together,
    zoo,
)
from sympy import (
    Poly as _Poly,
)

from .context import Context

UNDEFINED_ATOMS = (nan, zoo, oo, -oo)
NOT_SMOOTH = (sign, Heaviside, DiracDelta, Max, Min, floor, ceiling)  # parts with a value only off a kink


def has_no_value(e: Expr) -> bool:
    """True when evaluation produced ∞, ∞̃ or NaN: the expression has no value (0·∞, 1/0, log 0)."""
    return any(e.has(a) for a in UNDEFINED_ATOMS)


@dataclass(frozen=True)
class Domain:
    """What the assumptions say, and nothing more: `classes_at_least` is the smallest C covered."""

    ctx: Context
    labels_nonnegative: bool
    classes_at_least: int = 1

    @classmethod
    def of(cls, ctx: Context, classes_at_least: int | None = None) -> Domain:
        low = ctx.min_classes if ctx.classes is None else ctx.classes
        return cls(ctx, ctx.nonnegative_labels, max(low, classes_at_least or 1))

    # --- signs -----------------------------------------------------------------

    def positive(self, x: Expr) -> bool:
        if x.is_positive or self.ctx.stated_positive(x):
            return True
        if x.is_number:
            return False
        if isinstance(x, exp):
            return x.args[0].is_extended_real is True
        if isinstance(x, Sum):
            (var, lo, hi), *more = x.limits
            if not more and (
                self._label_total(x.function, var, lo, hi) or self._label_weighted(x.function, var, lo, hi)
            ):
                return True
            return not more and self.positive(x.function) and (hi - lo).is_nonnegative is True
        if isinstance(x, Mul):
            return all(self.positive(a) for a in x.args)
        if isinstance(x, Add):
            if all(self.nonnegative(a) for a in x.args) and any(self.positive(a) for a in x.args):
                return True
            return self._one_minus_probability(x) or self._parameter_sign(x, strict=True) or self._over_one(x)
        if x.is_Pow:
            return self.positive(x.base) and x.exp.is_extended_real is True
        return self._parameter_sign(x, strict=True)

    def nonnegative(self, x: Expr) -> bool:
        if x.is_nonnegative or self.positive(x):
            return True
        if x.is_number:
            return False
        if isinstance(x, Indexed) and self.labels_nonnegative and x.base == self.ctx.y:
            return True
        if isinstance(x, Sum):
            return self.nonnegative(x.function)
        if isinstance(x, (Add, Mul)):
            if all(self.nonnegative(a) for a in x.args) or self._parameter_sign(x, strict=False):
                return True
            return isinstance(x, Add) and self._one_minus_probability(x, strict=False)
        if x.is_Pow:
            if x.exp.is_even and x.base.is_extended_real:
                return True
            return self.nonnegative(x.base) and (x.exp.is_positive is True or self.positive(x.exp))
        return self._parameter_sign(x, strict=False)

    def nonzero(self, x: Expr) -> bool:
        if isinstance(x, log):  # log b ≠ 0 for 0 < b < 1 and for b > 1
            b = x.args[0]
            return self.positive(b) and (self.positive(1 - b) or self.positive(b - 1))
        return x.is_nonzero is True or self.positive(x) or self.positive(-x)

    def _label_total(self, body: Expr, var: Expr, lo: Expr, hi: Expr) -> bool:
        """Σ_j y_j over every class: 1 where the labels are a probability vector (stated)."""
        ctx = self.ctx
        return self.labels_nonnegative and body == ctx.y[var] and lo == 0 and hi == ctx.last

    def _label_weighted(self, body: Expr, var: Expr, lo: Expr, hi: Expr) -> bool:
        """Σ_j y_j g_j > 0 over every class for g_j > 0, where the labels are stated to be a probability
        vector (y_j ≥ 0 and Σ_j y_j = 1, so some y_j > 0): e.g. Σ_j y_j p_j, the probability of the label."""
        ctx = self.ctx
        if not (ctx.nonnegative_labels and lo == 0 and hi == ctx.last and isinstance(body, Mul)):
            return False
        label = ctx.y[var]
        if label not in body.args:
            return False
        rest = Mul(*(a for a in body.args if a != label))
        return self.positive(rest)

    def _over_one(self, x: Add) -> bool:
        """A small sum over one denominator, n/d with n and d positive (1 - σ(f) = e^{-f}/(1 + e^{-f}))."""
        if x.count_ops() > 40 or x.has(Sum):
            return False
        numerator, denominator = together(x).as_numer_denom()
        if isinstance(numerator, Add) and numerator == x:
            return False
        return self.positive(numerator) and self.positive(denominator)

    def _one_minus_probability(self, x: Add, strict: bool = True) -> bool:
        """1 - p_m > 0 for C ≥ 2: the other classes' share of the softmax sum; 1 - p_m ≥ 0 for every C
        (`strict` False), since the sum holds the term e^{f_m} itself."""
        if (strict and self.classes_at_least < 2) or not x.has(exp):
            return False
        ctx = self.ctx
        for idx in {a.indices[0] for a in x.atoms(Indexed) if a.base == ctx.f}:
            if expand(x - (1 - ctx.softmax(idx))) == 0:
                return True
        return False

    def _parameter_sign(self, x: Expr, strict: bool) -> bool:
        """x > 0 (or ≥ 0) on a parameter's stated range, for x linear in one parameter."""
        free = x.free_symbols
        if len(free) != 1:
            return False
        (symbol,) = free
        if symbol not in self.ctx.ranges:
            return False
        try:
            poly = _Poly(x, symbol)
        except Exception:  # not a polynomial in the parameter: no sign by this rule
            return False
        if poly.degree() > 1 or not all(c.is_extended_real for c in poly.all_coeffs()):
            return False  # a complex coefficient ((-1)^(1/2) is I) has no sign
        low, high, low_open, high_open = self.ctx.ranges[symbol]
        slope = poly.nth(1)
        for end, is_open, direction in ((low, low_open, -1), (high, high_open, 1)):
            if end is None:  # unbounded: the sign at infinity is the slope's
                if slope * direction < 0 or (slope == 0 and not _signed(poly.nth(0), strict)):
                    return False
                continue
            value = poly.eval(end)
            if not (_signed(value, strict) or (is_open and value == 0 and slope * -direction > 0)):
                return False
        return True

    # --- definedness -----------------------------------------------------------

    def conditions(self, e: Expr) -> list[str]:
        """What must hold for `e` (a meaning) to have a value on the whole domain, and was not shown."""
        unmet: list[str] = []

        def walk(x: Expr) -> None:
            if x in UNDEFINED_ATOMS:
                unmet.append("a part has no value (0·∞, a division by zero or log 0)")
                return
            if isinstance(x, log) and not self.positive(x.args[0]):
                unmet.append(f"log({sstr(x.args[0])}) needs a positive argument")
            elif isinstance(x, NOT_SMOOTH) and not (len(x.args) == 1 and self.nonzero(x.args[0])):
                # SymPy writes sqrt(f²) as |f| and its derivative as sign(f), which it sets to 0 at f = 0,
                # where |f| has no derivative: such a part is a value only where its argument is shown nonzero
                unmet.append(f"{sstr(x)} is a derivative of |x| (or a step), which has no value where x = 0")
            elif x is I or (isinstance(x, Pow) and not (x.base.is_number and x.base.is_positive)):
                if x is I:
                    unmet.append("a part is not real")
                else:
                    self._power(x, unmet)
            if isinstance(x, Derivative):
                walk(x.expr)
                return
            for a in x.args:
                if isinstance(a, Expr):
                    walk(a)

        walk(e)
        return list(dict.fromkeys(unmet))

    def written_conditions(self, display: Expr, values: dict | None = None) -> list[str]:
        """The same conditions for each log and power as written in a display line (its free indices
        at `values`), each part by its meaning: the line's meaning alone may have lost a part, as
        0·log(1 - Σ_j p_j) evaluates to 0."""
        from .semantics import instantiate, meaning

        unmet: list[str] = []

        def walk(x: Expr) -> None:
            if isinstance(x, log) or (isinstance(x, Pow) and (not x.exp.is_Integer or x.exp.is_negative)):
                parts = [meaning(instantiate(a, values or {}), self.ctx) for a in x.args]
                if any(has_no_value(a) for a in parts):
                    unmet.append("a part has no value (0·∞, a division by zero or log 0)")
                elif isinstance(x, log):
                    if not self.positive(parts[0]):
                        unmet.append(f"log({sstr(parts[0])}) needs a positive argument")
                elif not (parts[0].is_number and parts[0].is_positive):
                    self._power(Pow(*parts, evaluate=False), unmet)
            for a in x.args:
                if isinstance(a, Expr) and not isinstance(a, Derivative):
                    walk(a)

        walk(display)
        return list(dict.fromkeys(unmet))

    @staticmethod
    def zero_sensitive_parts(display: Expr, values: dict | None = None) -> list[Expr]:
        """The parts of a display line, as written (free indices at `values`), that must not be 0:
        the argument of each log and the base of each negative power."""
        from .semantics import instantiate

        found = [
            x.args[0] for x in display.atoms(log, Pow) if isinstance(x, log) or (x.exp.is_number and x.exp.is_negative)
        ]
        return [instantiate(part, values or {}) for part in dict.fromkeys(found)]

    def _power(self, x: Pow, unmet: list[str]) -> None:
        base, power = x.base, x.exp
        if power.is_Integer:
            if power < 0 and not self.nonzero(base):
                unmet.append(f"{sstr(base)} must be nonzero (it is a denominator)")
            return
        if self.positive(base):
            return
        if self.nonnegative(base) and (power.is_positive is True or self.positive(power)):
            return
        unmet.append(f"{sstr(x)}: the power needs a base shown positive (or ≥ 0 with an exponent shown > 0)")


def _signed(value: Expr, strict: bool) -> bool:
    if value.is_extended_real is not True:
        return False
    return bool(value > 0) if strict else bool(value >= 0)


def parameter_values(low: Expr | None, high: Expr | None, low_open: bool, high_open: bool) -> list[Expr]:
    """Values of a parameter worth trying for a counterexample: both ends (just inside an open
    one), the integers inside, the middle, and a large value when there is no upper end."""
    lo = Integer(-3) if low is None else low
    hi = lo + 100 if high is None else high
    out: list[Expr] = [lo + Integer(1) / 100 if low is not None and low_open else lo]
    out.extend(Integer(n) for n in range(int(lo) + 1, int(lo) + 5) if lo < n < hi)  # the first few integers
    out.append((lo + hi) / 2)
    out.append(hi - Integer(1) / 100 if high is not None and high_open else hi)
    return list(dict.fromkeys(out))
