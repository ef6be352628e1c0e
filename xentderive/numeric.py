"""The second, independent witness: high-precision central differences of the definition.

The loss is evaluated by the derivation's own `numeric_loss` (plain mpmath, no
SymPy), differentiated by central differences at 60 digits, and compared with the
claim at seeded points of the stated domain: for symbolic C at C = 1, 2, 3, 5, 7, 8,
two seeded C between 9 and 63, and 64; every symbolic parameter at both ends of its
range (an open end approached), at integers inside and at random points; labels
with exact zeros (one-hot vectors for --labels onehot; any reals, negative and zero,
for --labels soft); class weights zero, equal and random. With h = 1e-20 the
difference quotient's error is about h² ≈ 1e-40 times the third derivative (at most
about 1e6 at T = 1/100), far below the tolerance of 1e-25 (relative for gradients
above 1), and far above what a wrong closed form could hide behind.

The claim is evaluated as written, not as the prover simplifies it: ``0*log(0)``
has no value here even though SymPy reads it as 0. It is compiled once per C into
an mpmath function of the index, the per-class inputs and the parameters (SymPy
evaluates what the compiler does not know); a sum that cancels to rounding, such as
``1 - sum_j(p_j)``, is exactly 0 there, so ``0^(1/10)`` is 0, not (1e-70)^(1/10). Where the
gradient exists but the claim has no value (0·∞, 0/0, a division by zero, log of a
non-positive number, a complex result), the witness fails, naming the point. Sizes
below a derivation's stated minimum (focal: C ≥ 2) are outside its domain and not sampled.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from mpmath import mp, mpc, mpf
from sympy import (
    Add,
    Expr,
    Float,
    Indexed,
    IndexedBase,
    Integer,
    KroneckerDelta,
    Mul,
    Pow,
    Rational,
    S,
    Sum,
    Symbol,
    exp,
    log,
    tanh,
)
from sympy.core.parameters import evaluate

from .claims import parse_claim, vocabulary
from .context import Context, SumExcept
from .derivations import spec_for
from .params import Param
from .semantics import instantiate

DIGITS = 60
STEP = mpf("1e-20")
TOLERANCE = mpf("1e-25")  # absolute; relative to |∂L/∂f_i| where that is above 1
POINTS = 4  # at least this many points per C; more when a parameter has more sample values
SYMBOLIC_SAMPLES = (1, 2, 3, 5, 7, 8)  # symbolic C: these, RANDOM_SIZES seeded C in 9 … 63, and LARGEST
RANDOM_SIZES = 2
LARGEST = 64
MAX_COMPONENTS = 12  # every component up to this C; above it i = 0, 1, C//2, C-1
MAX_MATRIX = 5  # every entry of a matrix claim up to this C; above it i, j each in 0, 1, C//2, C-1
LARGE_MATRIX = 1000  # above this C, four entries of a matrix: (0, 0), (0, 1), (C/2, C/2), (C-1, C/2)
BUDGET = 2048  # points × components × C at one C, at most: a loss evaluation costs O(C)
MIN_POINTS = 3  # …but never fewer points than this (a large concrete C, a large matrix)
SNAP = mpf(10) ** -(DIGITS - 5)  # a sum below this share of its largest term is rounding: exactly 0
NEAR = Rational(1, 100)  # an open end of a range is approached this close (T > 0: T = 1/100)
FAR = 100  # an unbounded range is sampled this far out (T = 100)


@dataclass
class NumericResult:
    """Whether the claim matched the differentiated definition everywhere it was sampled.

    On a failure the fields name the point: C, i (and j for a matrix), f, y, the
    parameter values and other per-class inputs (class weights, a direction x).
    """

    agreed: bool
    detail: str
    classes: int | None = None
    index: int | None = None
    f: list[str] | None = None
    y: list[str] | None = None
    claimed: str | None = None
    measured: str | None = None
    j: int | None = None  # the column, for a claim about a matrix
    params: dict[str, str] | None = None  # parameter values at the point (sampled or given)
    inputs: dict[str, list[str]] | None = None  # other per-class inputs at the point (w, x)
    checked: int = 0  # components compared (claim defined, gradient finite)


def symbolic_sizes(seed: int) -> tuple[int, ...]:
    """The C a symbolic-C claim is sampled at: the fixed small ones, seeded ones up to 64, and 64."""
    rng = random.Random(f"sizes:{seed}")
    return (*SYMBOLIC_SAMPLES, *sorted(rng.sample(range(SYMBOLIC_SAMPLES[-1] + 1, LARGEST), RANDOM_SIZES)), LARGEST)


def describe(seed: int, loss: str | None = None, params: dict[str, str] | None = None) -> str:
    """What the witness samples, in one line: precision, step, tolerance, seed, C, parameters, inputs.

    With `loss` (and the given `params`) the sampled values of its parameters are listed.
    """
    sizes = ", ".join(map(str, symbolic_sizes(seed)))
    text = (
        f"mpmath {DIGITS} digits, central differences h = 1e-20, tolerance 1e-25 (relative above 1), "
        f"seeded points (seed {seed}); symbolic C sampled at C = {sizes} (every component up to C = "
        f"{MAX_COMPONENTS}, every matrix entry up to C = {MAX_MATRIX}, else i, j = 0, 1, C/2, C-1, "
        f"above C = {LARGE_MATRIX} four entries); each symbolic "
        f"parameter at both ends of its range (an open end approached: {NEAR}, {FAR}), at integers inside and at "
        "random points; labels one-hot, "
        "with zeros and random (onehot), any reals with zeros and negatives (soft); class weights zero, "
        "equal and random"
    )
    if loss is not None:
        spec = spec_for(loss)
        shown = [
            f"{p.name} = {', '.join(map(str, _param_values(p, seed)))}"
            for p in spec.params
            if not p.per_class and p.name not in (params or {})
        ]
        text += "".join(f"; {s}" for s in shown)
    return text


# --- sample points ---------------------------------------------------------------


def _param_values(p: Param, seed: int) -> list[Rational]:
    """A scalar parameter's samples: both ends (an open one approached), integers inside, random points."""
    low, high, low_open, high_open = p.interval()
    lo = low if low is not None else (min(high, 0) - FAR if high is not None else Rational(-FAR))
    hi = high if high is not None else max(lo, 0) + FAR
    near = min(hi - lo, 1) * NEAR
    out = [lo + near if low_open else lo, hi - near if high_open else hi]  # an unbounded side: ∓FAR itself
    inside = [n for n in range(int(lo) - 1, int(lo) + 3) if lo < n < hi]  # the integers nearest the low end
    rng = random.Random(f"{p.name}:{seed}")
    span = hi - lo if high is not None else 10
    if high is not None and int(hi) - int(lo) > 3:
        inside.append(rng.randint(int(lo) + 1, int(hi) - 1))
    out += [Rational(n) for n in inside]
    out += [lo + span * Rational(rng.randint(1, 999), 1000) for _ in range(2)]
    out.append(Rational(p.sample))
    seen: list[Rational] = []
    for v in out:
        if v not in seen and p.valid(v):
            seen.append(v)
    return seen


def _combinations(specs: tuple[Param, ...], values: dict[str, Expr], seed: int) -> list[dict[str, Rational]]:
    """Parameter values to sample: the symbolic ones cycled together (kept small), the given ones as given."""
    lists = {
        p.name: _param_values(p, seed)
        for p in specs
        if not p.per_class and p.name in values and isinstance(values[p.name], Symbol)
    }
    count = max((len(v) for v in lists.values()), default=1)
    return [{name: vs[(m + k) % len(vs)] for k, (name, vs) in enumerate(lists.items())} for m in range(count)]


def _number(v: Rational) -> mpf:
    return mpf(v.p) / v.q


F_KINDS = ("random", "zeros", "equal", "dominant")
ONEHOT_KINDS = ("one-hot", "probabilities with zeros", "probabilities", "uniform")
SOFT_KINDS = ("reals", "reals with zeros", "one-hot", "negative", "zeros")
WEIGHT_KINDS = ("random", "zeros", "equal", "some zeros")


@dataclass
class _Point:
    f: list[mpf]
    y: list[mpf]
    data: dict[IndexedBase, list[mpf]]  # other per-class inputs: class weights, a direction x
    params: dict[str, mpf]  # every scalar parameter, sampled or given
    note: str = ""
    shown: dict[str, str] = field(default_factory=dict)  # the sampled parameters, exact, for details
    exact: dict[str, str] = field(default_factory=dict)  # every scalar parameter, exact


def _logits(rng: random.Random, size: int, kind: str) -> list[mpf]:
    grid = [mpf(rng.randint(-48, 48)) / 16 for _ in range(size)]  # multiples of 1/16 in [-3, 3]
    if kind == "zeros":
        return [v if m % 2 else mpf(0) for m, v in enumerate(grid)]
    if kind == "equal":
        return [grid[0]] * size
    if kind == "dominant":
        top = rng.randrange(size)
        return [mpf(3) if m == top else -2 - abs(v) / 3 for m, v in enumerate(grid)]
    return grid


def _labels(rng: random.Random, size: int, labels: str, kind: str, hot: int) -> list[mpf]:
    if kind == "one-hot":
        return [mpf(1) if m == hot else mpf(0) for m in range(size)]
    if labels == "onehot":  # a probability vector: y_j ≥ 0, Σ_j y_j = 1
        if kind == "uniform":
            return [mpf(1) / size] * size
        raw = [rng.randint(0 if kind == "probabilities with zeros" else 1, 9) for _ in range(size)]
        if kind == "probabilities with zeros":
            raw = [0 if m % 2 == hot % 2 and m != hot else v for m, v in enumerate(raw)]
            raw[hot] = raw[hot] or 1
        return [mpf(v) / sum(raw) for v in raw]
    if kind == "zeros":  # soft labels: no assumption on y at all
        return [mpf(0)] * size
    if kind == "negative":
        return [-mpf(rng.randint(1, 16)) / 8 for _ in range(size)]
    reals = [mpf(rng.randint(-16, 16)) / 8 for _ in range(size)]
    if kind == "reals with zeros":
        return [mpf(0) if m % 2 == hot % 2 else v for m, v in enumerate(reals)]
    return reals


def _class_data(rng: random.Random, size: int, spec: Param | None, kind: str) -> list[mpf]:
    """Per-class data: a per-class parameter (weights) from its range, zeros and equal included; else reals."""
    if spec is None:  # a direction x, or other data with no stated range
        reals = [mpf(rng.randint(-16, 16)) / 8 for _ in range(size)]
        return [mpf(0) if m % 3 == 0 and kind != "random" else v for m, v in enumerate(reals)]
    low, high, _, _ = spec.interval()
    lo = low if low is not None else Rational(-2)
    hi = high if high is not None else lo + 3

    def draw() -> mpf:
        return _number(lo + (hi - lo) * Rational(rng.randint(1, 24), 24))

    if kind == "zeros" and spec.valid(Rational(0)):
        return [mpf(0)] * size
    if kind == "equal":
        value = draw()
        return [value] * size
    if kind == "some zeros" and spec.valid(Rational(0)):
        return [mpf(0) if m % 2 else draw() for m in range(size)]
    return [draw() for _ in range(size)]


def _points(spec, ctx: Context, labels: str, size: int, combos: list, numbers: dict, rows: list[int], seed: int):
    """The seeded sample points at one C."""
    kinds = ONEHOT_KINDS if labels == "onehot" else SOFT_KINDS
    count = max(len(combos), len(kinds), len(F_KINDS), POINTS)
    count = min(count, max(MIN_POINTS, BUDGET // (size * len(_entries(size, spec.free_j)))))
    per_class = {p.name: p for p in spec.params if p.per_class}
    fixed = ctx.fixed_inputs()
    rng = random.Random(seed * 1_000_003 + size)
    for m in range(count):
        combo = combos[m % len(combos)]
        label_kind, f_kind = kinds[m % len(kinds)], F_KINDS[(m + size) % len(F_KINDS)]
        hot = rows[(m // len(kinds) + size) % len(rows)]  # the class of a one-hot label: a checked one
        f = _logits(rng, size, f_kind)
        y = _labels(rng, size, labels, label_kind, hot)
        data, notes = {}, [f"{f_kind} f", f"{label_kind} y"]
        for b in ctx.class_inputs()[2:]:
            owner = per_class.get(str(b.label))
            data_kind = WEIGHT_KINDS[(m + size) % len(WEIGHT_KINDS)]
            vs = _class_data(rng, size, owner, data_kind)
            data[b] = [_number(Rational(fixed[b[k]])) if b[k] in fixed else vs[k] for k in range(size)]
            notes.append(f"{data_kind if owner else 'random'} {b.label}")
        params = {name: _number(v) for name, v in numbers.items()} | {name: _number(v) for name, v in combo.items()}
        shown = {name: str(v) for name, v in combo.items()}
        yield _Point(f, y, data, params, ", ".join(notes), shown, {name: str(v) for name, v in numbers.items()} | shown)


def _rows(size: int, matrix: bool = False) -> list[int]:
    if size <= (MAX_MATRIX if matrix else MAX_COMPONENTS):
        return list(range(size))
    return sorted({0, 1, size // 2, size - 1})


def _entries(size: int, matrix: bool) -> list[tuple[int, int]]:
    rows = _rows(size, matrix)
    if matrix and size > LARGE_MATRIX:  # each entry costs O(C) loss evaluations of O(C): a diagonal and off it
        return [(0, 0), (0, 1), (size // 2, size // 2), (size - 1, size // 2)]
    return [(i, j) for i in rows for j in rows] if matrix else [(i, 0) for i in rows]


# --- evaluating the claim --------------------------------------------------------


class _Unsupported(Exception):
    """The compiler does not know this node; the SymPy path evaluates the claim instead."""


class _Undefined(Exception):
    """The claim has no (real) value at the point; the message says why."""


def _written(claim: Expr, ctx: Context) -> Expr:
    """The claim with p_j (and display symbols) replaced by their definitions, kept as written.

    Unlike `meaning`, nothing is simplified: ``0*log(0)`` stays a product with log(0).
    """
    with evaluate(False):
        e = claim.replace(lambda x: isinstance(x, SumExcept), lambda x: x.as_sum())
        extra = ctx.extra_meanings()
        if extra:
            e = e.replace(lambda x: isinstance(x, Indexed) and x.base in extra, lambda x: extra[x.base](*x.indices))
        return e.replace(lambda x: isinstance(x, Indexed) and x.base == ctx.p, lambda x: ctx.softmax(x.indices[0]))


def _unroll(e: Expr) -> Expr:
    """Every sum with number limits written out term by term (under evaluate(False): as written)."""
    if not e.args:
        return e
    if isinstance(e, Sum) and len(e.limits) == 1 and e.limits[0][1].is_Integer and e.limits[0][2].is_Integer:
        var, first, last = e.limits[0]
        body = _unroll(e.function)
        return Add(*(instantiate(body, {var: Integer(k)}) for k in range(int(first), int(last) + 1)))
    return e.func(*(_unroll(a) for a in e.args))


def _add(*terms):
    """A sum, and exactly 0 where it cancels to rounding (``1 - Σ_j p_j``): a structural zero stays zero.

    Without this, ``(1 - sum_j(p_j))^(1/10)`` would be (1e-70)^(1/10) = 1e-7, not 0^(1/10) = 0.
    """
    total = mp.fsum(terms)
    if total and abs(total) <= SNAP * max(abs(t) for t in terms):
        return mpf(0)
    return total


def compile_expression(
    expr: Expr,
    ctx: Context,
    bases: tuple,
    scalars: tuple,
    functions: dict | None = None,
    number: Callable[[Expr], object] | None = None,
    vector: bool = False,
    plus: bool = False,
) -> Callable:
    """An mpmath function (i, j, *per-class lists, *parameters) of the expression, as written.

    A sum that depends on no enclosing summation variable (the softmax denominator) is
    computed once per call, not once per term of an outer sum. `functions` replaces ADD, EXP, …
    (a reference value, not a search for structural zeros, can take a plain sum and a cached exp),
    and `number` the conversion of a SymPy number (Rational or Float) to a constant, for another
    arithmetic (gmpy2) with its own ONE and ZERO in `functions`. With `vector` the function is
    (n, j, …) and returns the list over i in range(n), each subexpression outside the sums that is free
    of i computed once, before the loop: the same operations on the same values. With `plus` a sum of
    two terms is written a + b, for an ADD that rounds two terms as the operator does (one rounding).
    """
    names = {b: f"a{n}" for n, b in enumerate(bases)} | {s: f"q{n}" for n, s in enumerate(scalars)}
    names |= {ctx.i: "I", ctx.j: "J"}
    consts: dict[str, object] = {}
    hoisted: dict[Expr, str] = {}
    lines: list[str] = []
    loops: dict[Symbol, str] = {ctx.i: "I"} if vector else {}
    start = frozenset({ctx.i}) if vector else frozenset()

    def const(value) -> str:
        name = f"c{len(consts)}"
        consts[name] = value
        return name

    def code(e: Expr, bound: frozenset) -> str:
        if not vector or bound != start or not e.args or isinstance(e, Indexed | Sum) or e.free_symbols & bound:
            return build(e, bound)
        if e not in hoisted:  # outside every sum and free of i: once per call, before the loop over i
            text = build(e, bound)
            hoisted[e] = f"h{len(hoisted)}"
            lines.append(f"    {hoisted[e]} = {text}")
        return hoisted[e]

    def index(e: Expr, bound: frozenset) -> str:
        if e.is_Integer:
            return str(int(e))
        if e in bound:
            return loops[e]
        if e in (ctx.i, ctx.j):
            return names[e]
        if isinstance(e, Add):
            return "(" + " + ".join(index(a, bound) for a in e.args) + ")"
        if isinstance(e, Mul) and all(a.is_Integer or isinstance(a, Symbol) for a in e.args):
            return "(" + "*".join(index(a, bound) for a in e.args) + ")"
        raise _Unsupported(f"index {e}")

    def build(e: Expr, bound: frozenset) -> str:
        if e.is_Rational:
            return const(_number(e) if number is None else number(e))
        if e.is_Float:
            return const(mpf(str(e)) if number is None else number(e))
        if number is not None and e in (S.NaN, S.ComplexInfinity, S.Infinity, S.NegativeInfinity, S.ImaginaryUnit):
            raise _Unsupported(f"the number {e}")  # NaN, ∞ and i are mpmath's alone
        if e is S.NaN or e is S.ComplexInfinity:
            return const(mp.nan)
        if e is S.Infinity or e is S.NegativeInfinity:
            return const(mp.inf if e is S.Infinity else -mp.inf)
        if e is S.ImaginaryUnit:
            return const(mpc(0, 1))
        if e.is_NumberSymbol:
            return const(mpf(str(e.evalf(DIGITS + 20))) if number is None else number(e))
        if isinstance(e, Symbol):
            if e in bound:
                return loops[e]
            if e in names:
                return names[e]
            raise _Unsupported(f"symbol {e}")
        if isinstance(e, Indexed):
            if e.base not in names:
                raise _Unsupported(f"vector {e.base}")
            return f"{names[e.base]}[{', '.join(index(a, bound) for a in e.indices)}]"
        if isinstance(e, Add) and plus and len(e.args) == 2:
            return f"({code(e.args[0], bound)} + {code(e.args[1], bound)})"
        if isinstance(e, Add):
            return "ADD(" + ", ".join(code(a, bound) for a in e.args) + ")"
        if isinstance(e, Mul):
            return "(" + "*".join(code(a, bound) for a in e.args) + ")"
        if isinstance(e, Pow):
            return f"({code(e.base, bound)})**({code(e.exp, bound)})"
        if isinstance(e, exp):
            return f"EXP({code(e.args[0], bound)})"
        if isinstance(e, log) and len(e.args) == 1:
            return f"LOG({code(e.args[0], bound)})"
        if isinstance(e, tanh):
            return f"TANH({code(e.args[0], bound)})"
        if isinstance(e, KroneckerDelta):
            return f"(ONE if {index(e.args[0], bound)} == {index(e.args[1], bound)} else ZERO)"
        if isinstance(e, Sum) and len(e.limits) == 1:
            var, first, last = e.limits[0]
            loops.setdefault(var, f"v{len(loops)}")
            inner = code(e.function, bound | {var})
            text = f"ADD(*({inner} for {loops[var]} in range({index(first, bound)}, {index(last, bound)} + 1)))"
            if e.free_symbols & bound:  # depends on an enclosing summation variable: computed in place
                return text
            if e not in hoisted:
                hoisted[e] = f"s{len(hoisted)}"
                lines.append(f"    {hoisted[e]} = {text}")
            return hoisted[e]
        raise _Unsupported(type(e).__name__)

    with mp.workdps(DIGITS + 10):
        body = code(expr, start)
    args = ", ".join(["N" if vector else "I", "J", *(names[b] for b in bases), *(names[s] for s in scalars)])
    result = f"[{body} for I in range(N)]" if vector else body
    source = f"def claim({args}):\n" + "".join(line + "\n" for line in lines) + f"    return {result}\n"
    space = {"EXP": mp.exp, "LOG": mp.log, "TANH": mp.tanh, "ADD": _add, "ONE": mpf(1), "ZERO": mpf(0), **consts}
    space |= functions or {}
    exec(compile(source, "<claim>", "exec"), space)  # source built above from the claim's tree only
    return space["claim"]


def _value(number) -> mpf:
    """A real, finite value, or _Undefined saying why there is none."""
    if isinstance(number, mpc):
        if not mp.isfinite(number):
            raise _Undefined("no value (0·∞, 0/0 or ∞ - ∞)" if mp.isnan(number) else "an infinite value")
        if abs(number.imag) > TOLERANCE:  # rounding in a base that is exactly 0 leaves far less
            raise _Undefined(f"a complex value, {mp.nstr(number, 8)} (log or a fractional power of a negative number)")
        number = number.real
    if not isinstance(number, mpf):
        number = mpf(number)
    if mp.isnan(number):
        raise _Undefined("no value (0·∞, 0/0 or ∞ - ∞)")
    if mp.isinf(number):
        raise _Undefined("an infinite value")
    return number


_REASONS = {
    ZeroDivisionError: "a division by zero (or 0 to a negative power)",
    OverflowError: "an overflow",
    RecursionError: "nested too deeply to evaluate",
}


def _evaluator(claim: Expr, ctx: Context, scalars: dict[str, Symbol]) -> Callable[[int, int, _Point], mpf]:
    """The claim at one C as a function of (i, j, point): compiled when it can be, SymPy otherwise."""
    bases = ctx.class_inputs()
    written = _written(claim, ctx)
    try:
        fn = compile_expression(written, ctx, bases, tuple(scalars.values()))
    except MemoryError:  # the worker's limit, never a point without a value
        raise
    except Exception:
        fn = None

    def compiled(i: int, j: int, pt: _Point) -> mpf:
        lists = [pt.f, pt.y, *(pt.data[b] for b in bases[2:])]
        with mp.workdps(DIGITS + 10):
            return _value(fn(i, j, *lists, *(pt.params[name] for name in scalars)))

    def symbolic(i: int, j: int, pt: _Point) -> mpf:  # every claim the compiler does not know
        data = {ctx.f: pt.f, ctx.y: pt.y} | pt.data
        subs = {b[m]: Float(vs[m], DIGITS) for b, vs in data.items() for m in range(ctx.classes)}
        subs |= {s: Float(pt.params[name], DIGITS) for name, s in scalars.items()}
        with evaluate(False):  # numbers in first, as written; only then evaluated (0*log(0) stays no value)
            value = _unroll(instantiate(written, {ctx.i: i, ctx.j: j})).xreplace(subs)
        number = value.doit().evalf(DIGITS + 10)
        if not number.is_number or number.has(S.NaN, S.ComplexInfinity, S.Infinity, S.NegativeInfinity):
            raise _Undefined("no value (0·∞, 0/0, ∞ or a division by zero)")
        re, im = number.as_real_imag()
        return _value(mpc(str(re.evalf(DIGITS + 10)), str(im.evalf(DIGITS + 10))))

    run = compiled if fn is not None else symbolic

    def evaluate_at(i: int, j: int, pt: _Point) -> mpf:
        try:
            return run(i, j, pt)
        except (_Undefined, MemoryError):
            raise
        except Exception as err:
            raise _Undefined(_REASONS.get(type(err), f"{type(err).__name__}: {err}")) from None

    return evaluate_at


# --- the witness -----------------------------------------------------------------


def _short(values: list, n: int = 8) -> str:
    shown = ", ".join(mp.nstr(v, 6) for v in values[:n])
    return f"({shown}{', …' if len(values) > n else ''})"


@dataclass
class _Where:
    size: int
    i: int
    j: int
    point: _Point
    matrix: bool

    def text(self) -> str:
        out = f"C = {self.size}, i = {self.i}" + (f", j = {self.j}" if self.matrix else "")
        out += "".join(f", {name} = {v}" for name, v in self.point.shown.items())
        return out

    def inputs(self) -> str:
        out = f"f = {_short(self.point.f)}, y = {_short(self.point.y)}"
        out += "".join(f", {b.label} = {_short(vs)}" for b, vs in self.point.data.items())
        return f"{out} ({self.point.note})"

    def result(self, detail: str, claimed: str, measured: str, checked: int) -> NumericResult:
        pt = self.point
        return NumericResult(
            False,
            detail,
            self.size,
            self.i,
            [mp.nstr(v, 20) for v in pt.f],
            [mp.nstr(v, 20) for v in pt.y],
            claimed,
            measured,
            self.j if self.matrix else None,
            dict(pt.exact),
            {str(b.label): [mp.nstr(v, 20) for v in vs] for b, vs in pt.data.items()},
            checked,
        )


@dataclass
class _Tally:
    """What a scan has seen so far."""

    checked: int = 0  # components compared
    no_gradient: int = 0  # components where the loss itself has no value (skipped)
    undefined: tuple[_Where, str, mpf] | None = None  # the first point where the claim has no value


def _compare(spec, claim_at: Callable, where: _Where, tally: _Tally) -> NumericResult | None:
    """One component: a failure to report now, or None (agreed, or skipped, or undefined noted)."""
    pt, i, j = where.point, where.i, where.j
    given = pt.params | {str(b.label): vs for b, vs in pt.data.items()}
    extra = {"j": j} if spec.free_j else {}
    up, down = list(pt.f), list(pt.f)
    up[i] += STEP
    down[i] -= STEP
    try:
        rise = spec.numeric_loss(up, pt.y, given, **extra) - spec.numeric_loss(down, pt.y, given, **extra)
        measured = _value(rise / (2 * STEP))
    except MemoryError:  # the worker's limit, never a point without a value
        raise
    except Exception:  # no gradient here (the loss itself has no value): not the claim's fault
        tally.no_gradient += 1
        return None
    try:
        claimed = claim_at(i, j, pt)
    except _Undefined as err:
        if tally.undefined is None:
            tally.undefined = (where, str(err), measured)
        return _undefined(tally) if tally.checked else None  # defined elsewhere: report it now
    tally.checked += 1
    if abs(claimed - measured) <= TOLERANCE * max(1, abs(measured)):
        return _undefined(tally) if tally.undefined else None
    return where.result(
        f"differs at {where.text()}: claimed {mp.nstr(claimed, 15)}, central difference {mp.nstr(measured, 15)}; "
        f"{where.inputs()}",
        mp.nstr(claimed, 20),
        mp.nstr(measured, 20),
        tally.checked,
    )


def _undefined(tally: _Tally, sampled: str = "") -> NumericResult | None:
    """The failure for the first point where the claim had no value (None if there was none)."""
    if tally.undefined is None:
        return None
    where, reason, measured = tally.undefined
    if tally.checked:
        detail = f"claim undefined at {where.text()}: {reason}, where the gradient is {mp.nstr(measured, 15)}"
    else:
        detail = f"the claim cannot be evaluated at any sampled point ({sampled}); at {where.text()}: {reason}"
    return where.result(f"{detail}; {where.inputs()}", f"undefined: {reason}", mp.nstr(measured, 20), tally.checked)


def witness(
    loss: str, labels: str, target: str, classes: int | None, seed: int = 0, params: dict[str, str] | None = None
) -> NumericResult:
    """Compare the claimed dL/df_i with central differences of L at seeded points of the domain.

    Symbolic parameters take their sample values (ends, integers, random points); a
    claim about a matrix (∂p_j/∂f_i) is compared entry by entry, with the derivation's
    numeric function of j. Never raises for a claim it cannot evaluate: that is a result.
    """
    from .params import resolve

    spec = spec_for(loss)
    sizes = tuple(c for c in symbolic_sizes(seed) if c >= spec.min_classes[0]) if classes is None else (classes,)
    sampled = "C = " + ", ".join(map(str, sizes))
    values, samples = resolve(spec.params, params or {}, loss, classes)
    scalars = {name: v for name, v in values.items() if isinstance(v, Symbol)}
    numbers = {name: Rational(v) for name, v in values.items() if name not in scalars}  # given: exact
    combos = _combinations(spec.params, values, seed)
    tally = _Tally()
    with mp.workdps(DIGITS):
        for size in sizes:
            ctx = spec.make_context(size, values, samples)
            try:
                claim = parse_claim(target, vocabulary(ctx, None, spec.free_j), trusted=True)  # read once already
            except MemoryError:
                raise
            except Exception as err:  # a claim the parser refuses is a result, not a crash
                return NumericResult(False, f"the claim cannot be read at C = {size}: {err}", size)
            claim_at = _evaluator(claim, ctx, scalars)
            for pt in _points(spec, ctx, labels, size, combos, numbers, _rows(size, spec.free_j), seed):
                for i, j in _entries(size, spec.free_j):
                    failure = _compare(spec, claim_at, _Where(size, i, j, pt, spec.free_j), tally)
                    if failure is not None:
                        return failure
    failure = _undefined(tally, sampled)
    if failure is not None:
        return failure
    skipped = ""
    if tally.no_gradient:
        skipped += f"; {tally.no_gradient} components skipped where the loss itself has no value"
    if not tally.checked:
        return NumericResult(False, f"nothing could be compared at any sampled point ({sampled}){skipped}")
    detail = f"agreed at {tally.checked} components ({sampled}){skipped}: {describe(seed, loss, params)}"
    return NumericResult(True, detail, checked=tally.checked)
