"""Test a gradient *implementation* against the proven closed form, evaluated exactly.

`check_gradient(fn, loss=...)` calls ``fn(logits, targets) -> grad`` (NumPy arrays of shape
(N, C); targets (N, C) probabilities or (N,) class indices) on inputs chosen to find bugs,
and compares each component with the loss's closed form, proved for every C by `derive`
and evaluated at 30 digits (103 bits) from the very inputs `fn` received (rounded to the
tested dtype), so the reference's own error is far below one ULP of any tested dtype.

The arithmetic is gmpy2's if gmpy2 is importable (MPFR: each operation correctly rounded to
103 bits, e^x finite and nonzero for |x| up to 7e8 at least), else mpmath's at the same 30
digits. A row where MPFR would leave its finite range or the reals (a division by zero, log 0,
an overflow, an underflow, a NaN) is trapped and evaluated again in mpmath, so such a row is
judged exactly as mpmath alone would judge it.

Errors are measured in ULPs of the row's scale (the largest component of the exact
gradient of that row): an implementation is judged by what its dtype can represent.
`assert_gradient` raises AssertionError with the worst input as a copy-paste reproducer.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product

from mpmath import libmp, mp, mpf
from sympy import Expr, Integer, Rational, Symbol

try:  # optional (the impl extra): MPFR at the same precision, several times faster than mpmath's objects
    import gmpy2
except ImportError:  # pragma: no cover - exercised where gmpy2 is not installed
    gmpy2 = None

DTYPES = ("float64", "float32", "bfloat16")
TOLERANCE_ULPS = {"float64": 64, "float32": 64, "bfloat16": 4}
"""Default tolerance in ULPs of the row's scale: what a careful implementation reaches (max-subtraction,
a sum accumulated in the dtype with pairwise or better summation), with room for log and exp's own rounding."""
DIGITS = 30  # the reference's relative error ~1e-30: far below one ULP of float64 (1e-16)
BITS = libmp.dps_to_prec(DIGITS)  # 103: mpmath's precision at DIGITS, and gmpy2's
IGNORE_INDEX = -100  # PyTorch's default ignore_index, for targets="index" with reduction="mean"
MAX_CLASSES = 10**5
FAMILIES = ("random", "large", "huge", "equal", "dominant")


@dataclass
class Worst:
    """The component with the largest error, and the batch that produced it."""

    ulps: float
    relative: float
    classes: int
    family: str
    row: int
    column: int
    got: float
    want: str
    logits: list
    targets: list
    params: dict
    keywords: dict = field(default_factory=dict)  # the parameters fn was given (those left symbolic)


@dataclass
class GradientReport:
    """What `check_gradient` found: counts, the worst component, and whether it is within tolerance."""

    loss: str
    dtype: str
    targets: str
    reduction: str
    tolerance_ulps: float
    components: int = 0
    batches: int = 0
    failures: int = 0  # components beyond the tolerance (NaN and inf included)
    worst: Worst | None = None
    families: dict[str, int] = field(default_factory=dict)  # components checked per input family
    problems: list[str] = field(default_factory=list)  # fn raised, or returned no array of the right shape
    skipped: int = 0  # rows where the exact reference itself has no value at 30 digits (p = 1 to that precision)

    @property
    def passed(self) -> bool:
        return self.failures == 0 and self.components > 0 and not self.problems

    def summary(self) -> str:
        head = f"{self.loss} ({self.dtype}, targets={self.targets}, reduction={self.reduction})"
        if self.worst is None:
            return f"{head}: nothing compared"
        w = self.worst
        if self.problems:
            return f"{head}: FAILED: {self.problems[0]}" + (
                f" (and {len(self.problems) - 1} more)" if self.problems[1:] else ""
            )
        verdict = "passed" if self.passed else f"FAILED at {self.failures} of {self.components} components"
        if self.skipped:
            verdict += f" ({self.skipped} rows skipped: the exact reference has no value there at {DIGITS} digits)"
        return (
            f"{head}: {verdict}; worst {_shown(w.ulps)} ULPs of the row's scale (tolerance {self.tolerance_ulps:g}), "
            f"relative {w.relative:.3g}, at C = {w.classes}, {w.family} inputs, row {w.row}, class {w.column}: "
            f"got {w.got!r}, exact {w.want}"
        )

    def reproducer(self, fn_name: str = "fn") -> str:
        """Python that calls the function on the worst input and prints it beside the exact value: the
        worst row alone for a sum (rows are independent), the whole batch for a mean."""
        if self.worst is None:
            return ""
        w = self.worst
        dtype = "float32" if self.dtype == "bfloat16" else self.dtype
        rows, at = (w.logits, w.row) if self.reduction == "mean" else ([w.logits[w.row]], 0)
        labels = w.targets if self.reduction == "mean" else [w.targets[w.row]]
        kind = "" if self.targets == "index" else f", dtype=np.{dtype}"
        params = "".join(f", {k} = {v}" for k, v in w.params.items())
        keywords = "".join(f", {k}={v!r}" for k, v in w.keywords.items())
        return (
            "import numpy as np\n"
            f"logits = np.array({rows!r}, dtype=np.{dtype})\n"
            f"targets = np.array({labels!r}{kind})\n"
            f"grad = {fn_name}(logits, targets{keywords})\n"
            f"print(grad[{at}, {w.column}], 'exact:', {w.want!r})  # {self.loss}{params}, reduction={self.reduction}"
        )


def _shown(x: float) -> str:
    return "inf" if math.isinf(x) else f"{x:.3g}"


# --- the exact reference ----------------------------------------------------------


class _Mpmath:
    """mpmath at DIGITS: the fallback, and the judge of any row gmpy2 traps."""

    name = "mpmath"
    errors: tuple = ()  # what it raises is the row's own outcome (no value there: skipped)
    zero = mpf(0)

    def context(self):
        return mp.workdps(DIGITS)

    def numbers(self, values: list) -> list:
        return [mpf(v) for v in values]  # a float is exact in mpf

    def rational(self, r: Rational):
        return mpf(r.p) / r.q

    def compile(self, expr: Expr, ctx, bases: tuple, scalars: tuple, cache: dict):
        from .numeric import compile_expression

        def cached_exp(x):
            value = cache.get(x)
            if value is None:
                value = cache[x] = mp.exp(x)
            return value

        plain = {"ADD": _plain_sum, "EXP": cached_exp}
        return compile_expression(expr, ctx, bases, scalars, plain, vector=True, plus=True)

    def text(self, x) -> str:
        return mp.nstr(x, 17)


class _Gmpy2:
    """gmpy2 (MPFR) at BITS, each operation correctly rounded; a sum is rounded once (mpfr_sum).
    Division by zero, invalid operations (NaN, log or a root of a negative number), overflow and
    underflow raise instead of giving ±inf, NaN or 0: such rows go to mpmath."""

    name = "gmpy2"

    def __init__(self) -> None:
        wide = {"emax": gmpy2.get_emax_max(), "emin": gmpy2.get_emin_min()}  # e^±7e8 at least (then: trapped)
        traps = {"trap_divzero": True, "trap_invalid": True, "trap_overflow": True, "trap_underflow": True}
        self.work = gmpy2.context(precision=BITS, **wide, **traps)
        self.wider = gmpy2.context(precision=BITS + 33, **wide, **traps)  # constants at 40 digits, as mpmath's
        self.errors = (
            gmpy2.DivisionByZeroError,
            gmpy2.InvalidOperationError,
            gmpy2.OverflowResultError,
            gmpy2.UnderflowResultError,
        )
        with self.work:
            self.zero = gmpy2.mpfr(0)

    def context(self):
        return self.work

    def numbers(self, values: list) -> list:
        zero = self.zero
        return [zero + v for v in values]  # exact (a float has 53 bits), and far faster than mpfr(v)

    def rational(self, r: Rational):
        return gmpy2.mpfr(r.p) / r.q

    def _constant(self, e: Expr):
        if e.is_Rational:
            return gmpy2.mpfr(int(e.p)) / int(e.q)
        return gmpy2.mpfr(str(e.evalf(DIGITS + 20)))  # a Float or a number symbol (π, E)

    def compile(self, expr: Expr, ctx, bases: tuple, scalars: tuple, cache: dict):
        from .numeric import compile_expression

        exp = gmpy2.exp

        def cached_exp(x):
            value = cache.get(x)
            if value is None:
                value = cache[x] = exp(x)
            return value

        with self.wider:
            one, zero = gmpy2.mpfr(1), gmpy2.mpfr(0)
            functions = {
                "ADD": _rounded_sum,
                "EXP": cached_exp,
                "LOG": gmpy2.log,
                "TANH": gmpy2.tanh,
                "ONE": one,
                "ZERO": zero,
            }
            return compile_expression(expr, ctx, bases, scalars, functions, self._constant, vector=True, plus=True)

    def text(self, x) -> str:
        man, exp = x.as_mantissa_exp()
        with mp.workprec(BITS + 64):  # exact: the mantissa has at most BITS bits
            value = mpf((int(man), int(exp)))
        return mp.nstr(value, 17)


MPMATH = _Mpmath()
BACKENDS = (_Gmpy2(), MPMATH) if gmpy2 is not None else (MPMATH,)
"""Tried in order for each row: gmpy2 if importable, mpmath for the rows it traps (or alone)."""


def _rounded_sum(*terms):
    """The terms' sum rounded once to the working precision (MPFR's mpfr_sum): never worse than _plain_sum."""
    return gmpy2.fsum(terms)


@dataclass
class Reference:
    """The closed form of `loss`, proved for every C, as a function of one row (gmpy2 or mpmath numbers)."""

    loss: str
    params: dict[str, str]
    loss_expr: str | None = None
    logits_expr: str | None = None

    def __post_init__(self) -> None:
        from .api import derive
        from .derivations import spec_for
        from .errors import InputError

        spec = spec_for(self.loss) if not self.loss_expr else None
        if spec is not None and spec.free_j:
            raise InputError(f"{self.loss} is a matrix, not a gradient: nothing to compare with fn(logits, targets)")
        if self.loss == "batch-mean" and not self.loss_expr:
            raise InputError("batch-mean is a reduction: test the per-sample loss with reduction='mean'")
        kwargs = {"loss_expr": self.loss_expr, "logits_expr": self.logits_expr} if self.loss_expr else {}
        name = self.loss if not self.loss_expr else "softmax-ce"
        # The closed form for any labels (soft): rounded probability rows do not sum to exactly 1, and
        # sigmoid-bce's multi-label targets need not; the one-hot form only where the soft one is not proved.
        d = derive(None, loss=name, params=self.params, labels="soft", **kwargs)
        if not d.ok:
            d = derive(None, loss=name, params=self.params, **kwargs)
        if not d.ok:
            raise InputError(f"{self.loss}: the closed form is not proved for every C ({d.outcome.value})")
        self.ctx = d.ctx
        self.rhs = d.claim.chains[0][1].expr
        self.cache: dict = {}
        # parameters left symbolic: proved for every value, and given to fn at its range's ends and inside
        self.symbols = tuple(v for v in d.ctx.params.values() if isinstance(v, Symbol))
        self.has_weights = len(d.ctx.class_inputs()) > 2
        spec = spec_for(d.loss)
        self.specs = {p.name: p for p in spec.params if not p.per_class} if spec else {}

    def _compiled(self, classes: int):
        """(probabilities, gradient) at C = classes, each subexpression that does not involve i computed
        once per row."""
        if classes in self.cache:
            return self.cache[classes]
        ctx = self.ctx.at(classes)
        sizes = {self.ctx.C: Integer(classes)}
        data = ctx.class_inputs()[2:]
        prob = _Rowwise(ctx.softmax(ctx.i).xreplace(sizes), ctx, (ctx.f, ctx.y, *data), self.symbols)
        grad = _Rowwise(self.rhs.xreplace(sizes), ctx, (ctx.f, ctx.y, ctx.p, *data), self.symbols)
        self.cache[classes] = prob, grad
        return prob, grad

    def row(self, f: list, y: list, extra: list, values: dict | None = None, backends: tuple | None = None):
        """The exact probabilities and gradient of one row (at DIGITS digits), from its logits, labels
        and other per-class data (floats, exact in either arithmetic), and the arithmetic that gave them;
        `values` gives the symbolic parameters (by name) a value; `backends` the arithmetics to try, in
        order (BACKENDS). Raises where the reference has no value."""
        prob, grad = self._compiled(len(f))
        trapped: Exception = ValueError("no arithmetic compiles this closed form")
        for backend in BACKENDS if backends is None else backends:
            if prob.compiled(backend) is None or grad.compiled(backend) is None:
                continue  # a node only mpmath knows (NaN, ∞, the imaginary unit): the next arithmetic
            try:
                with backend.context():
                    scalars = [backend.rational(Rational(str((values or {})[str(s)]))) for s in self.symbols]
                    lists = [backend.numbers(v) for v in (f, y, *extra)]
                    p = prob.values(backend, lists, scalars)
                    return p, grad.values(backend, [lists[0], lists[1], p, *lists[2:]], scalars), backend
            except backend.errors as err:  # trapped by gmpy2 (no finite real value in its range): mpmath says
                trapped = err
        raise trapped  # only when mpmath was not among `backends` (a test of one arithmetic alone)

    def grid(self) -> list[dict]:
        """Values of the symbolic parameters to try: each range's ends (an open end approached) and middle."""
        choices = []
        for symbol in self.symbols:
            low, high, low_open, high_open = self.specs[str(symbol)].interval()
            lo = Rational(-2) if low is None else low
            hi = lo + 4 if high is None else high
            near = (hi - lo) / 100
            ends = [lo + near if low_open else lo, hi - near if high_open else hi]
            choices.append([str(v) for v in dict.fromkeys([*ends, (lo + hi) / 2])])
        combos = [dict(zip(map(str, self.symbols), combo, strict=True)) for combo in product(*choices)]
        return combos[:9] or [{}]


@lru_cache(maxsize=8)
def _reference(loss: str, params: tuple, loss_expr: str | None, logits_expr: str | None) -> Reference:
    """One Reference per loss and parameters: check-impl asks once per class count, and each would
    otherwise derive and prove the closed form again (an error is raised, not cached)."""
    return Reference(loss, dict(params), loss_expr, logits_expr)


class _Rowwise:
    """An expression in the free index i over per-class lists, compiled for each arithmetic (on first use)
    as one function of a row returning the list over i: each sum that does not involve i, and each other
    subexpression free of i outside the sums, is computed once per row, so a row costs O(C), not O(C²)."""

    def __init__(self, expr: Expr, ctx, bases: tuple, scalars: tuple) -> None:
        self.expr, self.ctx, self.bases, self.scalars = expr, ctx, bases, scalars
        self.cache: dict = {}  # e^x by x, for one row: the softmax sum and each p_i ask for the same ones
        self.fns: dict = {}

    def compiled(self, backend):
        """The function for this arithmetic, or None if the expression has a node it cannot compile."""
        from .numeric import _Unsupported

        if backend.name not in self.fns:
            try:
                self.fns[backend.name] = backend.compile(self.expr, self.ctx, self.bases, self.scalars, self.cache)
            except _Unsupported:
                if backend is MPMATH:
                    raise
                self.fns[backend.name] = None
        return self.fns[backend.name]

    def values(self, backend, lists: list, scalars: list) -> list:
        self.cache.clear()
        return self.fns[backend.name](len(lists[0]), 0, *lists, *scalars)


def _plain_sum(*terms):
    """Terms added in order at the working precision: 30 digits leave 1e-30 where float64 has 1e-16."""
    total = terms[0]
    for term in terms[1:]:
        total += term
    return total


# --- inputs -----------------------------------------------------------------------


def _round(values, dtype: str):
    import numpy as np

    if dtype == "bfloat16":  # bfloat16 as float32 with the low 16 bits of the mantissa rounded away
        a = np.asarray(values, dtype=np.float32)
        bits = a.view(np.uint32).astype(np.uint64)
        bits = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16) << 16
        return bits.astype(np.uint32).view(np.float32)
    return np.asarray(values, dtype=getattr(np, dtype))


def _spacing(scale: float, dtype: str) -> float:
    import numpy as np

    if dtype == "bfloat16":
        return 2.0 ** (math.floor(math.log2(scale)) - 7) if scale > 0 else 2.0**-133
    return float(np.spacing(getattr(np, dtype)(scale)))


def _batch(rng: random.Random, family: str, classes: int, rows: int) -> list[list[float]]:
    out = []
    for r in range(rows):
        if family == "random":
            row = [rng.gauss(0, 3) for _ in range(classes)]
        elif family == "large":  # e^80 overflows float32: only max-subtraction survives
            row = [80 + rng.gauss(0, 2) for _ in range(classes)]
        elif family == "huge":  # ±1e4: overflows every dtype without max-subtraction
            row = [rng.choice((-1, 1)) * 1e4 + rng.gauss(0, 1) for _ in range(classes)]
        elif family == "equal":
            row = [rng.gauss(0, 5)] * classes
        else:  # one dominant logit: p near 1 for it, tiny for the others
            row = [rng.gauss(0, 1) for _ in range(classes)]
            row[r % classes] += 30
        out.append(row)
    return out


def _labels(rng: random.Random, targets: str, classes: int, rows: int, ignore: bool, independent: bool = False) -> list:
    """Class indices (one ignored row in three, never all, when `ignore`), or probability rows:
    one-hot, soft, and one-hot written as probabilities with every other class exactly 0; for
    `independent` labels (sigmoid-bce, multi-label) each entry in [0, 1] on its own."""
    if independent and targets == "probs":
        return [[rng.choice((0.0, 1.0, rng.random())) for _ in range(classes)] for _ in range(rows)]
    if targets == "index":
        out = [rng.randrange(classes) for _ in range(rows)]
        if ignore:
            kept = rng.randrange(rows)
            out = [IGNORE_INDEX if (n != kept and (n % 3 == 0 or rows <= 3)) else v for n, v in enumerate(out)]
        return out
    out = []
    for r in range(rows):
        if r % 3 == 0:
            row = [0.0] * classes
            row[rng.randrange(classes)] = 1.0
        else:
            raw = [rng.random() ** 3 for _ in range(classes)]
            total = sum(raw)
            row = [v / total for v in raw]
        out.append(row)
    return out


# --- the check -----------------------------------------------------------------------


def check_gradient(
    fn: Callable,
    loss: str = "softmax-ce",
    params: dict | None = None,
    classes: Iterable[int] = (2, 3, 10, 1000),
    dtype: str = "float64",
    targets: str = "probs",
    reduction: str = "sum",
    samples: int = 6,
    seed: int = 0,
    ulps: float | None = None,
    framework: str = "numpy",
    loss_expr: str | None = None,
    logits_expr: str | None = None,
) -> GradientReport:
    """Compare ``fn(logits, targets)`` with the exact gradient of `loss` on inputs that find bugs.

    `classes`: the class counts (up to 10^5); `samples`: rows per batch; `targets`: "probs"
    (rows of probabilities) or "index" (class indices; with reduction "mean", some rows are
    ignore_index = -100 and the mean is over the kept rows); `reduction`: "sum" (each row's
    gradient) or "mean" (divided by the number of kept rows). `params` gives the loss's
    parameters (a class weight vector as "w": [...]). `ulps` overrides the dtype's tolerance.
    `framework="torch"` converts the arrays to and from torch tensors around `fn`.
    """
    import numpy as np

    from .errors import InputError

    if dtype not in DTYPES:
        raise InputError(f"dtype must be one of {', '.join(DTYPES)} (got {dtype!r})")
    if targets not in ("probs", "index"):
        raise InputError(f"targets must be probs or index (got {targets!r})")
    if reduction not in ("sum", "mean"):
        raise InputError(f"reduction must be sum or mean (got {reduction!r})")
    sizes = list(classes)
    if not sizes or any(not isinstance(c, int) or not 1 <= c <= MAX_CLASSES for c in sizes):
        raise InputError(f"classes must be whole numbers from 1 to {MAX_CLASSES} (got {sizes!r})")
    if not 1 <= samples <= 1000:
        raise InputError(f"samples must be from 1 to 1000 (got {samples})")
    given = {k: v for k, v in (params or {}).items()}
    weights = given.pop("w", None)
    reference = _reference(loss, tuple(sorted((k, str(v)) for k, v in given.items())), loss_expr, logits_expr)
    if weights is not None and not reference.has_weights:
        raise InputError(f"{loss_expr or loss} has no class weights w")
    if weights is not None and not all(isinstance(v, int | float) and math.isfinite(v) and v >= 0 for v in weights):
        raise InputError("class weights w must be finite numbers ≥ 0")
    if ulps is not None and not (math.isfinite(ulps) and ulps >= 0):
        raise InputError(f"ulps must be a finite number ≥ 0 (got {ulps})")
    grid = reference.grid()
    if reference.symbols and not _takes(fn, [str(s) for s in reference.symbols]):
        names = ", ".join(map(str, reference.symbols))
        raise InputError(
            f"{loss_expr or loss}: give a value for {names} (params={{...}}), or let fn take it as a keyword"
        )
    call = _framework(fn, framework, dtype)
    tolerance = TOLERANCE_ULPS[dtype] if ulps is None else ulps
    report = GradientReport(loss_expr or loss, dtype, targets, reduction, tolerance)
    rng = random.Random(seed)
    for size in sizes:
        extra = _class_data(reference, weights, size)
        rows = samples if size <= 1000 else 2
        for values in grid:
            for family in FAMILIES:
                logits = _round(_batch(rng, family, size, rows), dtype)
                labels = _labels(
                    rng, targets, size, rows, ignore=reduction == "mean", independent=loss == "sigmoid-bce"
                )
                target_array = np.asarray(labels) if targets == "index" else _round(labels, dtype)
                keywords = {name: float(Rational(v)) for name, v in values.items()}
                shown = given | keywords
                report.batches += 1
                got, problem = _called(call, logits, target_array, keywords, dtype)
                if problem is not None:  # reported with the input, as a failure of every component
                    report.problems.append(f"{problem} (C = {size}, {family} inputs)")
                    report.failures += logits.size
                    report.components += logits.size
                    if report.worst is None or not math.isinf(report.worst.ulps):
                        batch = logits.astype(np.float64).tolist()
                        report.worst = Worst(
                            math.inf,
                            math.inf,
                            size,
                            family,
                            0,
                            0,
                            math.nan,
                            problem,
                            batch,
                            target_array.tolist(),
                            dict(shown),
                            keywords,
                        )
                    continue
                _compare(report, reference, logits, labels, target_array, got, extra, size, family, shown, values)
    return report


def _called(call: Callable, logits, targets, keywords: dict, dtype: str):
    """fn's gradient as float64, or None and what went wrong: it raised, or gave no array of the shape
    and dtype of the logits (a kernel's result is checked as it is, never converted silently)."""
    import contextlib
    import sys

    import numpy as np

    try:  # copies: a function that changes its inputs in place must not change the reference's
        with contextlib.redirect_stdout(sys.stderr):  # what it prints must not corrupt a JSON report
            out = call(logits.copy(), targets.copy(), **keywords)
    except (Exception, SystemExit) as err:  # the function under test: anything it raises is its result
        return None, f"fn raised {type(err).__name__}: {' '.join(str(err).split())[:200]}"
    if not hasattr(out, "shape") or not hasattr(out, "dtype"):
        return None, f"fn returned {type(out).__name__}, not an array"
    if tuple(out.shape) != logits.shape:
        return None, f"fn returned shape {tuple(out.shape)} for logits of shape {logits.shape}"
    if str(out.dtype) != str(logits.dtype):
        return None, f"fn returned {out.dtype} for {dtype} inputs ({logits.dtype} arrays)"
    return np.asarray(out, dtype=np.float64), None


def _class_data(reference: Reference, weights, size: int) -> list:
    """Per-class data of the reference beyond f and y (class weights), as lists of floats."""
    bases = reference.ctx.class_inputs()[2:]
    if not bases:
        return []
    from .errors import InputError

    if weights is None or len(weights) != size:
        raise InputError(f"{reference.loss}: give params={{'w': [...]}} with one weight per class ({size})")
    return [[float(v) for v in weights]]


def _compare(report, reference, logits, labels, target_array, got, extra, size, family, params, values) -> None:
    import numpy as np

    rows = logits.shape[0]
    if report.targets == "index":
        kept = [0 if t == IGNORE_INDEX else 1 for t in labels]
        ys = [[1.0 if k == t else 0.0 for k in range(size)] for t in labels]
    else:
        kept = [1] * rows
        ys = [list(map(float, r)) for r in target_array.astype(np.float64)]
    if report.targets == "index" and extra:  # PyTorch's weighted mean: over Σ_n w[target_n] of the kept rows
        count = sum(extra[0][t] for t, k in zip(labels, kept, strict=True) if k) or 1
    else:
        count = max(sum(kept), 1)
    count = count if report.reduction == "mean" else 1
    for n in range(rows):
        try:
            p, want, backend = reference.row(logits[n].astype(np.float64).tolist(), ys[n], extra, values)
        except (ZeroDivisionError, ValueError, OverflowError):  # (1 - p)^(γ-1) with p = 1 to 30 digits
            report.skipped += 1
            continue
        share = count if report.reduction == "mean" else 1
        with backend.context():
            if not kept[n]:
                want = [backend.zero] * size
            if share != 1:
                want = [w / share for w in want]
        hi = np.array(list(map(float, want)))  # the exact value rounded once to float64
        probs = np.array(list(map(float, p)))
        # The row's scale: its largest gradient component, probability or label (over the count, for a mean):
        # p_i - y_i with p_i near 1 cannot be closer than one ULP of 1, whatever its own size; and its
        # sensitivity to the logits' own rounding: p_i = e^{f_i - lse} moves by p_i·|f|·eps when f is as
        # large as 1e4, whatever the implementation.
        labels_row = np.abs(np.asarray(ys[n], dtype=np.float64))
        reach = float(np.abs(logits[n].astype(np.float64)).max()) * float(probs.max())
        scale = max(float(np.abs(hi).max()), (max(float(probs.max()), float(labels_row.max()), reach)) / share)
        scale = scale or 2.0**-1022
        unit = _spacing(scale, report.dtype)
        row = got[n]
        with np.errstate(invalid="ignore", over="ignore"):
            gap = np.abs(row - hi)
        # hi is within half a float64 ULP of the exact value: where that could matter (near the tolerance,
        # or at the worst component) the rest, lo = exact - hi, is taken too, so the gap is a double-double's
        with np.errstate(over="ignore", invalid="ignore"):
            near = np.flatnonzero(np.isfinite(row) & (gap / unit > report.tolerance_ulps / 2))
        near = np.union1d(near, [int(np.argmax(np.where(np.isfinite(row), gap, -1.0)))])
        with backend.context():
            for k in near:
                lo = float(want[k] - float(hi[k]))  # exact: want and hi agree in their leading 53 bits
                gap[k] = abs((row[k] - hi[k]) - lo)
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            err = np.where(np.isfinite(row), gap / unit, np.inf)
        report.components += size
        report.families[family] = report.families.get(family, 0) + size
        report.failures += int(np.count_nonzero(~(err <= report.tolerance_ulps)))
        i = int(np.argmax(np.where(np.isnan(err), np.inf, err)))
        worst = float(err[i]) if not np.isnan(err[i]) else math.inf
        if report.worst is None or worst > report.worst.ulps:
            value = float(row[i])
            exact = float(abs(want[i]))
            rel = float(gap[i]) / exact if exact and math.isfinite(worst) else (0.0 if worst == 0 else math.inf)
            report.worst = Worst(
                worst,
                rel,
                size,
                family,
                n,
                i,
                value,
                backend.text(want[i]),
                logits.astype(np.float64).tolist(),
                target_array.tolist(),
                dict(params),
                {k: float(Rational(v)) for k, v in values.items()},
            )


def _framework(fn: Callable, framework: str, dtype: str) -> Callable:
    """fn itself for NumPy; for torch, tensors in (the tested dtype) and a NumPy array out."""
    if framework == "numpy":
        return fn
    if framework != "torch":
        from .errors import InputError

        raise InputError(f"framework must be numpy or torch (got {framework!r})")
    import torch  # an optional dependency: only imported when asked for

    def call(logits, targets, **keywords):
        kind = {"float64": torch.float64, "float32": torch.float32, "bfloat16": torch.bfloat16}[dtype]
        t_logits = torch.from_numpy(logits.astype("float32" if dtype == "bfloat16" else dtype)).to(kind)
        t_targets = torch.from_numpy(targets) if targets.dtype.kind in "iu" else torch.from_numpy(targets).to(kind)
        out = fn(t_logits, t_targets, **keywords)
        return out.detach().to(torch.float64).cpu().numpy()

    return call


def _takes(fn: Callable, names: list[str]) -> bool:
    """Does fn accept these keyword arguments (by name, or through **kwargs)?"""
    import inspect

    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return True
    return set(names) <= {p.name for p in params}


def assert_gradient(fn: Callable, **options) -> GradientReport:
    """`check_gradient`, raising AssertionError with the worst input as a reproducer if it fails."""
    report = check_gradient(fn, **options)
    if not report.passed:
        name = getattr(fn, "__name__", "fn")
        raise AssertionError(f"{report.summary()}\n\nReproduce:\n{report.reproducer(name)}")
    return report


# --- the command line: `xentderive check-impl MODULE:FUNCTION` -------------------------------


def load_function(spec: str) -> Callable:
    """``package.module:function`` imported from the current directory (and sys.path), or
    ``path/to/file.py:function``; InputError if it is not found."""
    import importlib
    import importlib.util
    import sys
    from pathlib import Path

    from .errors import InputError

    module_name, sep, attr = spec.rpartition(":")
    if not sep or not module_name or not attr.isidentifier():
        raise InputError(f"expected MODULE:FUNCTION or FILE.py:FUNCTION, e.g. mypkg.grads:ce_backward (got {spec!r})")
    if module_name.endswith(".py"):
        path = Path(module_name)
        if not path.is_file():
            raise InputError(f"cannot import {module_name}: no such file")
        found = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(found)
        try:
            found.loader.exec_module(module)
        except (Exception, SystemExit) as err:  # the user's module: whatever it raises on import
            raise InputError(
                f"cannot import {module_name}: {type(err).__name__}: {' '.join(str(err).split())}"
            ) from None
    else:
        if not all(part.isidentifier() for part in module_name.split(".")):
            raise InputError(f"expected MODULE:FUNCTION or FILE.py:FUNCTION (got {spec!r})")
        if str(Path.cwd()) not in sys.path:
            sys.path.insert(0, str(Path.cwd()))
        try:
            module = importlib.import_module(module_name)
        except (Exception, SystemExit) as err:  # the user's module: whatever it raises on import
            raise InputError(
                f"cannot import {module_name}: {type(err).__name__}: {' '.join(str(err).split())}"
            ) from None
    fn = getattr(module, attr, None)
    if not callable(fn):
        raise InputError(f"{module_name} has no function {attr}")
    return fn


def per_size(spec: str, options: dict, classes: Iterable[int]) -> list[tuple[GradientReport, float]]:
    """One report per class count, and its seconds, for the check-impl reports (one test case each)."""
    import time

    fn = load_function(spec)
    out = []
    for size in classes:
        start = time.perf_counter()
        report = check_gradient(fn, classes=(size,), **options)
        out.append((report, time.perf_counter() - start))
    return out


NOTE = (
    "reference: the closed form proved for every C, at 30 digits (gmpy2, else mpmath) from the inputs as rounded "
    "to the dtype; "
    "inputs: random, large (+80), huge (±1e4), equal and dominant logits, one-hot and soft labels; "
    "error in ULPs of each row's scale (its largest gradient component, probability or label)"
)
