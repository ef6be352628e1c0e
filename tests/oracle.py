"""An independent truth oracle for xentderive's gradient claims (standard library and mpmath only).

It never imports xentderive. It parses a claim in the tool's claim syntax with `ast` against
its own whitelist, defines every catalogue loss again in plain mpmath, differentiates it
numerically (``mpmath.diff`` at 50 and, to confirm, 100 digits), and compares the claim with
the derivative at many sampled points of the stated domain, boundary points included.

Domains (what a claim must hold on):

* classes: a concrete C, or "C": every C ≥ 1 (sampled: 1…12, four random C in 13…64, 97, 150, and
  the C where a part of the claim in C alone is zero or undefined); focal's domain starts at C = 2
  (its catalogue entry: with one class the loss is identically 0), so -C 1 is bad input there;
  every index i (and j for the two matrices) in 0…C-1;
* labels ``onehot``: a probability vector (y_j ≥ 0, Σ y_j = 1), exact one-hot vectors and exact
  zeros included; ``soft``: any real labels (negative, above one, all zero);
* parameters not fixed by ``params``: every value of their range, both ends included
  (eps ∈ [0, 1], gamma ∈ [0, 10], T > 0 small and large, class weights w_m ≥ 0 with zeros).

A claim is TRUE when, at every sampled point, it is defined and equal to the derivative; FALSE
when it differs or is undefined (division by zero, log of zero or of a negative number, a
negative base to a fractional power, 0 to a negative power) at some point. 0^0 is 1, as in
SymPy and Python.

Exactness. The logits are mostly sampled as f_k = T·log(r_k) with rational r_k, so that every
probability p_k is an exact rational; numbers in a claim and labels are exact too. Values carry
an exact `Fraction` while they can, so structural zeros such as ``1 - sum_j(p_j)`` are exactly
0 (and ``0^(1 - eps)`` at eps = 1 is exactly 0^0 = 1). Where a value is only known numerically
(``exp(log(p_i))``), a sum that cancels to within 2^-(prec-24) of its largest part counts as an
exact 0; every verdict is then confirmed at 100 digits, so a true difference hidden below
50 digits still shows.
"""

from __future__ import annotations

import ast
import random
import zlib
from dataclasses import dataclass, field
from fractions import Fraction

import mpmath
from mpmath import mp, mpf

MAX_LENGTH = 500
MAX_DEPTH = 40
MAX_EXPONENT = 100
DPS = 50
CONFIRM_DPS = 100
SYMBOLIC_SMALL = tuple(range(1, 13))
SYMBOLIC_LARGE = (97, 150)


class ClaimSyntaxError(ValueError):
    """The claim is outside the claim syntax (the CLI should exit 2)."""


class Undefined(ArithmeticError):
    """The claim has no (real) value at this point."""


# ---------------------------------------------------------------------------------------------
# The catalogue, restated: parameters with their ranges and end points, and the kind of claim.


@dataclass(frozen=True)
class ParamSpec:
    name: str
    low: Fraction | None
    high: Fraction | None
    low_open: bool
    high_open: bool
    samples: tuple[Fraction, ...]  # both ends (where closed), near-ends and inner values


def _fr(*values: str) -> tuple[Fraction, ...]:
    return tuple(Fraction(v) for v in values)


EPS = ParamSpec(
    "eps", Fraction(0), Fraction(1), False, False, _fr("0", "1", "1/2", "1/10", "999/1000", "1/1000", "3/7")
)
TEMP = ParamSpec("T", Fraction(0), None, True, False, _fr("1", "1/1000", "1000", "1/3", "5/2", "3/2", "1/20", "40"))
GAMMA = ParamSpec(
    "gamma", Fraction(0), Fraction(10), False, False, _fr("0", "10", "1", "1/2", "2", "3", "1/1000", "9999/1000", "7/3")
)


@dataclass(frozen=True)
class LossSpec:
    name: str
    params: tuple[ParamSpec, ...] = ()
    weights: bool = False  # per-class weights w_m ≥ 0 (weighted-ce)
    matrix: bool = False  # the claim is a matrix entry: j is free like i
    sigmoid: bool = False  # p_k = σ(f_k), no softmax
    temperature: bool = False  # p = softmax(f/T)
    min_classes: int = 1  # the smallest C in the loss's domain (focal: 2, as the catalogue states)


LOSSES: dict[str, LossSpec] = {
    spec.name: spec
    for spec in (
        LossSpec("softmax-ce"),
        LossSpec("log-softmax-nll"),
        LossSpec("label-smoothing", (EPS,)),
        LossSpec("temperature", (TEMP,), temperature=True),
        LossSpec("weighted-ce", weights=True),
        LossSpec("sigmoid-bce", sigmoid=True),
        LossSpec("focal", (GAMMA,), min_classes=2),
        LossSpec("softmax-jacobian", matrix=True),
        LossSpec("ce-hessian", matrix=True),
    )
}


def _softmax(f: list, T=1) -> list:
    z = [mpmath.exp(v / T) for v in f]
    s = mpmath.fsum(z)
    return [v / s for v in z]


def loss_value(loss: str, f: list, y: list, par: dict, w: list, j: int = 0, z: list | None = None):
    """The loss (or, for softmax-jacobian, p_j) from its definition, in mpmath.

    `z` may hold the exponentials e^{f_k/T} (e^{-f_k} for the sigmoid) already computed; a term
    whose label factor is exactly 0 is 0 (p_k > 0, so log p_k is finite) and is left out.
    """
    C = len(f)
    T = par.get("T", 1)
    if z is None:
        z = [mpmath.exp(-v) for v in f] if loss == "sigmoid-bce" else [mpmath.exp(v / T) for v in f]
    if loss == "sigmoid-bce":
        # σ(v) = 1/(1 + e^{-v}) and 1 - σ(v) = e^{-v}/(1 + e^{-v}), the latter without the cancellation 1 - σ
        return -mpmath.fsum(
            yk * mpmath.log(1 / (1 + zk)) + (1 - yk) * mpmath.log(zk / (1 + zk)) for yk, zk in zip(y, z, strict=True)
        )
    total = mpmath.fsum(z)
    if loss == "softmax-jacobian":
        return z[j] / total
    if loss == "log-softmax-nll":  # log_softmax(f)_k = f_k - log Σ e^{f}
        lse = mpmath.log(total)
        return -mpmath.fsum(yk * (fk - lse) for yk, fk in zip(y, f, strict=True) if yk != 0)
    if loss in ("softmax-ce", "ce-hessian", "temperature"):
        coef = y
    elif loss == "label-smoothing":
        eps = par["eps"]
        coef = [(1 - eps) * yk + eps / C for yk in y]
    elif loss == "weighted-ce":
        coef = [wk * yk for wk, yk in zip(w, y, strict=True)]
    elif loss == "focal":
        gamma = par["gamma"]
        terms = []
        for k in range(C):
            if y[k] == 0:
                continue
            rest = mpmath.fsum(z[:k] + z[k + 1 :]) / total  # 1 - p_k, without the cancellation near p_k = 1
            terms.append(y[k] * rest**gamma * mpmath.log(z[k] / total))
        return -mpmath.fsum(terms)
    else:
        raise KeyError(loss)
    return -mpmath.fsum(ck * mpmath.log(zk / total) for ck, zk in zip(coef, z, strict=True) if ck != 0)


# ---------------------------------------------------------------------------------------------
# Parsing: ast with a whitelist, into a small tuple tree.


@dataclass(frozen=True)
class Vocab:
    free: frozenset[str]
    bound: frozenset[str]
    symbols: frozenset[str]  # parameters left symbolic (allowed in exponents)
    numbers: dict  # names with a known exact value at parse time (C if concrete, fixed params)
    j_free: bool


def vocabulary(loss: str, classes, fixed: dict[str, Fraction]) -> Vocab:
    spec = LOSSES[loss]
    free = {"p_i", "y_i", "f_i", "C"}
    bound = {"p_j", "y_j", "f_j", "delta_ij"}
    symbols = set()
    numbers: dict[str, Fraction] = {}
    if classes != "C":
        numbers["C"] = Fraction(int(classes))
    for ps in spec.params:
        free.add(ps.name)
        if ps.name in fixed:
            numbers[ps.name] = fixed[ps.name]
        else:
            symbols.add(ps.name)
    if spec.weights:
        free.add("w_i")
        bound.add("w_j")
        for name, value in fixed.items():  # given class weights are names too: w0, w3, ...
            if name.startswith("w") and name[1:].isdigit():
                free.add(name)
                numbers[name] = value
    return Vocab(frozenset(free), frozenset(bound), frozenset(symbols), numbers, spec.matrix)


def parse(text: str, vocab: Vocab):
    """The claim as a tuple tree; ClaimSyntaxError for anything outside the syntax."""
    if not text.strip():
        raise ClaimSyntaxError("empty")
    if len(text) > MAX_LENGTH:
        raise ClaimSyntaxError("too long")
    try:
        tree = ast.parse(text.replace("^", "**").strip(), mode="eval")
    except SyntaxError as err:
        raise ClaimSyntaxError(f"malformed: {err.msg}") from None
    return _walk(tree.body, vocab, 0, False)


def _walk(node, vocab: Vocab, depth: int, in_sum: bool):
    if depth > MAX_DEPTH:
        raise ClaimSyntaxError("too deep")
    d = depth + 1
    if isinstance(node, ast.BinOp):
        ops = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
        op = ops.get(type(node.op))
        if op is None:
            raise ClaimSyntaxError(f"operator {type(node.op).__name__}")
        left, right = _walk(node.left, vocab, d, in_sum), _walk(node.right, vocab, d, in_sum)
        if op == "div" and right == ("num", Fraction(0)):
            raise ClaimSyntaxError("division by zero")
        if op == "pow":
            _check_exponent(right, vocab)
        return (op, left, right)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _walk(node.operand, vocab, d, in_sum)
        if isinstance(node.op, ast.UAdd):
            return inner
        if inner[0] == "num":
            return ("num", -inner[1])
        return ("neg", inner)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ClaimSyntaxError(f"literal {node.value!r}")
        return ("num", Fraction(node.value) if isinstance(node.value, int) else Fraction(repr(node.value)))
    if isinstance(node, ast.Name):
        if node.id in vocab.free:
            return ("name", node.id)
        if node.id in vocab.bound:
            if not (in_sum or vocab.j_free):
                raise ClaimSyntaxError(f"{node.id} outside sum_j")
            return ("name", node.id)
        raise ClaimSyntaxError(f"unknown name {node.id}")
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in ("log", "exp", "sum_j"):
            raise ClaimSyntaxError("unknown function")
        if node.keywords or len(node.args) != 1:
            raise ClaimSyntaxError("one argument")
        if node.func.id == "sum_j" and in_sum:
            raise ClaimSyntaxError("nested sum_j")
        arg = _walk(node.args[0], vocab, depth, in_sum or node.func.id == "sum_j")
        return ({"log": "log", "exp": "exp", "sum_j": "sum"}[node.func.id], arg)
    raise ClaimSyntaxError(f"unsupported {type(node).__name__}")


def _names(tree) -> set[str]:
    if tree[0] == "name":
        return {tree[1]}
    if tree[0] == "num":
        return set()
    return set().union(*(_names(t) for t in tree[1:]))


def _has_fn(tree) -> bool:
    if tree[0] in ("num", "name"):
        return False
    return tree[0] in ("log", "exp", "sum") or any(_has_fn(t) for t in tree[1:])


def _check_exponent(tree, vocab: Vocab) -> None:
    """A number in [-100, 100], or an expression in the symbolic parameters and numbers only."""
    names = _names(tree)
    if names - set(vocab.numbers) - vocab.symbols:
        raise ClaimSyntaxError("exponent names something other than a parameter")
    if names & vocab.symbols:
        if _has_fn(tree):
            raise ClaimSyntaxError("exponent has a function")
        return
    try:
        value = _const(tree, vocab.numbers)
    except (ZeroDivisionError, Undefined, OverflowError):
        raise ClaimSyntaxError("exponent is not a number") from None
    if value is None or abs(value) > MAX_EXPONENT:
        raise ClaimSyntaxError("exponent out of range")


def _const(tree, numbers) -> Fraction | None:
    """An exact rational value of a name-free (or fixed-name) tree, or None if not rational."""
    kind = tree[0]
    if kind == "num":
        return tree[1]
    if kind == "name":
        return numbers[tree[1]]
    if kind in ("log", "exp", "sum"):
        return None
    if kind == "neg":
        v = _const(tree[1], numbers)
        return None if v is None else -v
    a, b = _const(tree[1], numbers), _const(tree[2], numbers)
    if a is None or b is None:
        return None
    if kind == "add":
        return a + b
    if kind == "sub":
        return a - b
    if kind == "mul":
        return a * b
    if kind == "div":
        return a / b
    if b.denominator == 1 and abs(b) <= 10 * MAX_EXPONENT and abs(a.numerator).bit_length() < 4000:
        return a**b.numerator if not (a == 0 and b < 0) else None
    r = _exact_root(a, b)
    return r


# ---------------------------------------------------------------------------------------------
# Values: an exact Fraction while possible, else an mpf; exact zeros detected by cancellation.


class Val:
    """An exact rational `q`, or a number `x` known to within the absolute error bound `e`.

    A numeric value that its error bound cannot tell from 0 (|x| ≤ 16·e) is an exact 0: that is
    how structural zeros such as exp(log(p_i)) - p_i come out exact.
    """

    __slots__ = ("e", "q", "x")

    def __init__(self, q: Fraction | None = None, x=None, e=None):
        if q is not None and max(q.numerator.bit_length(), q.denominator.bit_length()) > 30000:
            x, q = mpf(q.numerator) / q.denominator, None
        if q is None:
            if not mpmath.isfinite(x):
                raise Undefined("not finite")
            e = _ulp(x) if e is None else e + _ulp(x)
            if abs(x) <= 16 * e:
                q, x, e = Fraction(0), None, None
        self.q = q
        if q is not None:
            self.x, self.e = mpf(q.numerator) / q.denominator, mpf(0)
        else:
            self.x, self.e = x, e

    def __repr__(self) -> str:
        return f"Val({self.q})" if self.q is not None else f"Val({mpmath.nstr(self.x, 20)} ± {mpmath.nstr(self.e, 3)})"


def _ulp(x):
    return abs(x) * mpf(2) ** (1 - mp.prec)


ZERO, ONE = Val(Fraction(0)), Val(Fraction(1))


def v_neg(a: Val) -> Val:
    return Val(-a.q) if a.q is not None else Val(None, -a.x, a.e)


def v_add(a: Val, b: Val, sign: int = 1) -> Val:
    if a.q is not None and b.q is not None:
        return Val(a.q + sign * b.q)
    return Val(None, a.x + sign * b.x, a.e + b.e)


def v_sum(terms: list[Val]) -> Val:
    if all(v.q is not None for v in terms):
        return Val(sum((v.q for v in terms), Fraction(0)))
    x = mpmath.fsum(v.x for v in terms)
    return Val(None, x, mpmath.fsum(v.e for v in terms) + len(terms) * _ulp(max(abs(v.x) for v in terms)))


def v_mul(a: Val, b: Val) -> Val:
    if a.q is not None and b.q is not None:
        return Val(a.q * b.q)
    if a.q == 0 or b.q == 0:
        return ZERO
    return Val(None, a.x * b.x, abs(a.x) * b.e + abs(b.x) * a.e + a.e * b.e)


def v_div(a: Val, b: Val) -> Val:
    if b.q == 0:
        raise Undefined("division by zero")
    if a.q is not None and b.q is not None:
        return Val(a.q / b.q)
    if a.q == 0:
        return ZERO
    x = a.x / b.x
    return Val(None, x, (a.e + abs(x) * b.e) / (abs(b.x) - b.e))


def _rel(a: Val):
    return a.e / abs(a.x)


def _iroot(n: int, k: int) -> int | None:
    if n < 0:
        return None
    r = round(n ** (1.0 / k)) if n.bit_length() < 1000 else int(mpmath.nint(mpmath.root(n, k)))
    for c in (r - 1, r, r + 1):
        if c >= 0 and c**k == n:
            return c
    return None


def _exact_root(a: Fraction, e: Fraction) -> Fraction | None:
    """a^e exactly when it is rational (a ≥ 0), else None."""
    if a < 0:
        return None
    if a == 0:
        return Fraction(0) if e > 0 else (Fraction(1) if e == 0 else None)
    k = e.denominator
    if k > 64 or max(a.numerator.bit_length(), a.denominator.bit_length()) > 4000:
        return None
    rn, rd = _iroot(a.numerator, k), _iroot(a.denominator, k)
    if rn is None or rd is None:
        return None
    base = Fraction(rn, rd)
    if abs(e.numerator) > 10 * MAX_EXPONENT:
        return None
    return base**e.numerator


def v_pow(a: Val, b: Val) -> Val:
    if b.q is not None and b.q.denominator == 1:  # an integer exponent
        n = b.q.numerator
        if a.q == 0:
            if n < 0:
                raise Undefined("0 to a negative power")
            return ONE if n == 0 else ZERO
        if a.q is not None and abs(n) <= 10 * MAX_EXPONENT:
            return Val(a.q**n)
        x = a.x**n
        r = _rel(a)
        grow = (1 + r) ** abs(n) - 1 if n >= 0 else (1 / (1 - r)) ** abs(n) - 1
        return Val(None, x, abs(x) * grow)
    # a non-integer exponent
    if a.q == 0:
        if b.x > 0:
            return ZERO
        raise Undefined("0 to a negative power")
    if a.x < 0:
        raise Undefined("negative base to a fractional power (complex)")
    if a.q is not None and b.q is not None:
        r = _exact_root(a.q, b.q)
        if r is not None:
            return Val(r)
    if a.q == 1:
        return ONE
    x = mpmath.power(a.x, b.x)
    e = abs(x) * (abs(b.x) * _rel(a) + abs(mpmath.log(a.x)) * b.e) * mpf("1.01")
    return Val(None, x, e)


def v_log(a: Val) -> Val:
    if a.q is not None:
        if a.q <= 0:
            raise Undefined("log of a number ≤ 0")
        if a.q == 1:
            return ZERO
    elif a.x <= 0:
        raise Undefined("log of a number ≤ 0")
    return Val(None, mpmath.log(a.x), a.e / (abs(a.x) - a.e))


def v_exp(a: Val) -> Val:
    if a.q == 0:
        return ONE
    x = mpmath.exp(a.x)
    return Val(None, x, abs(x) * mpmath.expm1(a.e))


# ---------------------------------------------------------------------------------------------
# Points of the domain.


@dataclass
class Point:
    """One sample: logits (through r_k = e^{f_k/T} or directly), labels, parameters, weights."""

    C: int
    r: list[Fraction] | None  # exact e^{f_k/T} (or e^{f_k} for the sigmoid); None: f is given
    f_exact: list[Fraction] | None
    y: list[Fraction]
    par: dict[str, Fraction]
    w: list[Fraction]
    note: str
    cache: dict = field(default_factory=dict, repr=False)

    def describe(self) -> str:
        def short(vs):
            vs = [str(v) for v in vs[:6]]
            return "(" + ", ".join(vs) + (", …" if self.C > 6 else "") + ")"

        logits = f"r=e^f={short(self.r)}" if self.r is not None else f"f={short(self.f_exact)}"
        bits = [f"C={self.C}", logits, f"y={short(self.y)}"]
        bits += [f"{k}={v}" for k, v in self.par.items()]
        if self.w:
            bits.append(f"w={short(self.w)}")
        return f"{self.note}: " + ", ".join(bits)

    def data(self, spec: LossSpec):
        """(f as mpf, p as Val, f as Val) at the current precision, cached per precision."""
        key = ("data", mp.prec)
        if key not in self.cache:
            T = self.par.get("T", Fraction(1))
            u = mpf(2) ** (-mp.prec)
            if self.r is not None:
                f = [(mpf(T.numerator) / T.denominator) * mpmath.log(mpf(r.numerator) / r.denominator) for r in self.r]
                fv = [ZERO if r == 1 else Val(None, x, 8 * u * abs(x)) for r, x in zip(self.r, f, strict=True)]
                if spec.sigmoid:
                    pv = [Val(r / (1 + r)) for r in self.r]
                else:
                    s = sum(self.r)
                    pv = [Val(r / s) for r in self.r]
            else:
                f = [mpf(v.numerator) / v.denominator for v in self.f_exact]
                fv = [Val(v) for v in self.f_exact]
                if spec.sigmoid:
                    pv = [Val(None, x, 8 * u * x) for x in (1 / (1 + mpmath.exp(-v)) for v in f)]
                else:
                    soft = _softmax(f, mpf(T.numerator) / T.denominator)
                    pv = [Val(None, x, (self.C + 8) * u * x) for x in soft]
            self.cache[key] = (f, pv, fv)
        return self.cache[key]


def _rat(rng: random.Random, lo: int, hi: int, den: int = 12) -> Fraction:
    return Fraction(rng.randint(lo * den, hi * den), rng.randint(1, den))


def _logits(rng: random.Random, C: int, kind: str) -> tuple[list | None, list | None]:
    if kind == "random":
        return [Fraction(rng.randint(1, 40), rng.randint(1, 40)) for _ in range(C)], None
    if kind == "equal":
        return [Fraction(1)] * C, None
    if kind == "spread":  # p spans about 26 orders of magnitude
        return [
            Fraction(10**13, rng.randint(1, 9)) if rng.random() < 0.5 else Fraction(rng.randint(1, 9), 10**13)
            for _ in range(C)
        ], None
    if kind == "ties":
        vals = [Fraction(rng.randint(1, 9), rng.randint(1, 9)) for _ in range(2)]
        return [vals[k % 2] for k in range(C)], None
    if kind == "dominant":  # one class near 1, the others tiny
        r = [Fraction(1, rng.randint(10**6, 10**7)) for _ in range(C)]
        r[rng.randrange(C)] = Fraction(10**6)
        return r, None
    if kind == "f":  # exact rational logits; p only numeric
        return None, [Fraction(rng.randint(-60, 60), rng.randint(1, 12)) for _ in range(C)]
    raise KeyError(kind)


LOGIT_KINDS = ("random", "f", "spread", "equal", "random", "ties", "dominant", "f")


def _labels(rng: random.Random, C: int, labels: str, kind: int, i_hint: int) -> tuple[list[Fraction], str]:
    if labels == "onehot":
        kinds = ("onehot", "prob-zeros", "onehot-last", "uniform", "dense", "onehot-hint", "two", "prob-zeros")
        k = kinds[kind % len(kinds)]
        y = [Fraction(0)] * C
        if k in ("onehot", "onehot-last", "onehot-hint"):
            y[{"onehot": 0, "onehot-last": C - 1, "onehot-hint": i_hint % C}[k]] = Fraction(1)
        elif k == "uniform":
            y = [Fraction(1, C)] * C
        elif k == "two" and C >= 2:
            a, b = rng.sample(range(C), 2)
            y[a] = y[b] = Fraction(1, 2)
        else:
            raw = [Fraction(rng.randint(0, 9)) for _ in range(C)]
            if k == "prob-zeros":
                raw = [v if rng.random() < 0.5 else Fraction(0) for v in raw]
            if k == "dense":
                raw = [v + 1 for v in raw]
            if sum(raw) == 0:
                raw[rng.randrange(C)] = Fraction(1)
            s = sum(raw)
            y = [v / s for v in raw]
        return y, k
    kinds = ("real", "zeros", "sum-one", "onehot", "big", "real-zeros", "negative", "real")
    k = kinds[kind % len(kinds)]
    if k == "real":
        y = [_rat(rng, -2, 3) for _ in range(C)]
    elif k == "zeros":
        y = [Fraction(0)] * C
    elif k == "sum-one":
        y = [_rat(rng, -2, 2) for _ in range(C)]
        y[-1] += 1 - sum(y)
    elif k == "onehot":
        y = [Fraction(0)] * C
        y[rng.randrange(C)] = Fraction(1)
    elif k == "big":
        y = [_rat(rng, -40, 40) for _ in range(C)]
    elif k == "negative":
        y = [-Fraction(rng.randint(1, 9), rng.randint(1, 9)) for _ in range(C)]
    else:
        y = [_rat(rng, -2, 3) if rng.random() < 0.5 else Fraction(0) for _ in range(C)]
    return y, k


def _weights(rng: random.Random, C: int, kind: int, fixed: dict[str, Fraction]) -> list[Fraction]:
    kinds = ("random-zeros", "random", "zeros", "ones", "one-nonzero", "random-zeros", "big")
    k = kinds[kind % len(kinds)]
    if k == "random":
        w = [_rat(rng, 0, 5) for _ in range(C)]
    elif k == "random-zeros":
        w = [_rat(rng, 0, 5) if rng.random() < 0.6 else Fraction(0) for _ in range(C)]
    elif k == "zeros":
        w = [Fraction(0)] * C
    elif k == "ones":
        w = [Fraction(1)] * C
    elif k == "one-nonzero":
        w = [Fraction(0)] * C
        w[rng.randrange(C)] = _rat(rng, 1, 5)
    else:
        w = [_rat(rng, 0, 1000) for _ in range(C)]
    for name, value in fixed.items():
        if name.startswith("w") and name[1:].isdigit() and int(name[1:]) < C:
            w[int(name[1:])] = value
    return w


def points(loss: str, labels: str, C: int, fixed: dict[str, Fraction], n: int, extra=()) -> list[Point]:
    """n deterministic sample points for this loss, labels kind, C and fixed parameters, then
    three more for each parameter override in `extra` (critical values of the claim)."""
    spec = LOSSES[loss]
    key = f"{loss}|{labels}|{C}|{sorted(fixed.items())}"
    rng = random.Random(zlib.crc32(key.encode()))
    out = []
    overrides = [{}] * n + [o for o in extra for _ in range(3)]
    for m, override in enumerate(overrides):
        par = {}
        for k, ps in enumerate(spec.params):
            if ps.name in fixed:
                par[ps.name] = fixed[ps.name]
            else:
                choices = ps.samples
                par[ps.name] = choices[(m + 3 * k) % len(choices)] if m < 2 * len(choices) else _random_param(rng, ps)
        par.update(override)
        logit_kind = LOGIT_KINDS[(m * 3 + C) % len(LOGIT_KINDS)]
        if C > 200 and logit_kind in ("random",):
            logit_kind = "ties"
        r, fx = _logits(rng, C, logit_kind)
        y, label_kind = _labels(rng, C, labels, m, m // 3)
        w = _weights(rng, C, m // 2 + m, fixed) if spec.weights else []
        out.append(Point(C, r, fx, y, par, w, f"{logit_kind} logits, {label_kind} labels"))
    return out


def _random_param(rng: random.Random, ps: ParamSpec) -> Fraction:
    lo = ps.low if ps.low is not None else Fraction(0)
    hi = ps.high if ps.high is not None else Fraction(50)
    v = lo + (hi - lo) * Fraction(rng.randint(1, 999), 1000)
    return v


# ---------------------------------------------------------------------------------------------
# Evaluation of a claim and of the derivative at a point.


def evaluate(tree, spec: LossSpec, pt: Point, i: int, j: int | None, numbers: dict) -> Val:
    """The claim's value at a point, for component i (and j): an exact or numeric Val, or Undefined."""
    _, pv, fv = pt.data(spec)
    yv = [Val(v) for v in pt.y]
    wv = [Val(v) for v in pt.w]

    def lookup(name: str, jj: int | None) -> Val:
        if name in numbers:
            return Val(numbers[name])
        if name == "C":
            return Val(Fraction(pt.C))
        if name in pt.par:
            return Val(pt.par[name])
        base, _, idx = name.partition("_")
        if base == "delta":
            return ONE if i == jj else ZERO
        k = i if idx == "i" else jj
        return {"p": pv, "y": yv, "f": fv, "w": wv}[base][k]

    return _eval_tree(tree, lookup, pt.C, j)


def _eval_tree(tree, lookup, C: int, j: int | None) -> Val:
    def ev(t, jj):
        kind = t[0]
        if kind == "num":
            return Val(t[1])
        if kind == "name":
            return lookup(t[1], jj)
        if kind == "neg":
            return v_neg(ev(t[1], jj))
        if kind == "log":
            return v_log(ev(t[1], jj))
        if kind == "exp":
            return v_exp(ev(t[1], jj))
        if kind == "sum":
            return v_sum([ev(t[1], k) for k in range(C)])
        a, b = ev(t[1], jj), ev(t[2], jj)
        if kind == "add":
            return v_add(a, b)
        if kind == "sub":
            return v_add(a, b, -1)
        if kind == "mul":
            return v_mul(a, b)
        if kind == "div":
            return v_div(a, b)
        if kind == "pow":
            return v_pow(a, b)
        raise KeyError(kind)

    return ev(tree, j)


# ---------------------------------------------------------------------------------------------
# Critical values: where a part of the claim that depends only on C or on one parameter is
# zero or undefined (a denominator, a base, an exponent, a log's argument), e.g. C = 70 in
# 0^((C-70)^2) or eps = 1/3 in 1/(3*eps - 1). They are sampled besides the fixed lists.


def _critical_parts(tree, pred) -> list:
    """Parts satisfying `pred` where a zero changes the meaning: the maximal ones, and the
    operands of powers, divisions and logs."""
    out: dict[str, tuple] = {}

    def walk(t, parent_ok: bool) -> None:
        ok = pred(t)
        if ok and not parent_ok:
            out.setdefault(repr(t), t)
        kind = t[0]
        if kind in ("num", "name"):
            return
        operands = {"pow": t[1:], "div": t[2:], "log": t[1:]}.get(kind, ())
        for sub in operands:
            if pred(sub):
                out.setdefault(repr(sub), sub)
        for sub in t[1:]:
            walk(sub, ok)

    walk(tree, False)
    return list(out.values())


def _scan_value(tree, env: dict) -> Val | None:
    """The value of a part in C and parameters only; None where it is undefined."""
    try:
        q = _const(tree, env)
    except ZeroDivisionError:
        return None
    if q is not None:
        return Val(q)
    try:
        return _eval_tree(tree, lambda name, jj: Val(env[name]), 1, None)
    except Undefined:
        return None


def critical_classes(tree, numbers: dict, limit: int = 3000) -> list[int]:
    """C ≥ 1 (up to `limit`) where a C-only part is zero or undefined, and one past each run of them."""

    def pred(t) -> bool:
        names = _names(t) - set(numbers)
        return names == {"C"} and not _has_sum(t)

    found: set[int] = set()
    with mp.workdps(30):
        for t in _critical_parts(tree, pred):
            vals = [_scan_value(t, {**numbers, "C": Fraction(C)}) for C in range(1, limit + 1)]
            bad = [v is None or v.q == 0 for v in vals]
            if all(bad):  # identically zero (or nowhere defined): nothing to single out
                continue
            found |= _run_ends(bad, lambda k: k + 1)
    if len(found) > 12:
        ordered = sorted(found)
        found = {*ordered[:5], *ordered[-5:]}
    return sorted(c for c in found if c <= limit)


def _run_ends(bad: list[bool], at, after: bool = True) -> set:
    """The first and last index of each run of True, and (if `after`) the index after each run."""
    out = set()
    for k, b in enumerate(bad):
        if b and (k == 0 or not bad[k - 1]):
            out.add(at(k))
        if b and (k == len(bad) - 1 or not bad[k + 1]):
            out.add(at(k))
            if after and k + 1 < len(bad):
                out.add(at(k + 1))
    return out


def _has_sum(tree) -> bool:
    if tree[0] in ("num", "name"):
        return False
    return tree[0] == "sum" or any(_has_sum(t) for t in tree[1:])


def _simplest_between(a: Fraction, b: Fraction) -> Fraction:
    """The fraction with the smallest denominator in [a, b] (0 ≤ a ≤ b)."""
    fl = a.numerator // a.denominator
    if fl == a or fl + 1 <= b:
        return Fraction(fl) if fl == a else Fraction(fl + 1)
    return fl + 1 / _simplest_between(1 / (b - fl), 1 / (a - fl))


def _grid(ps: ParamSpec) -> list[Fraction]:
    if ps.high is not None:
        lo, hi = ps.low, ps.high
        return [lo + (hi - lo) * Fraction(k, 2000) for k in range(2001)]
    # T > 0: a geometric grid over (0, 2000], finer near small values
    return sorted(
        {Fraction(k, 4000) for k in range(1, 200)}
        | {Fraction(k, 100) for k in range(5, 2000)}
        | {Fraction(k, 4) for k in range(80, 8000)}
    )


def critical_params(tree, spec: LossSpec, numbers: dict, C: int | None) -> list[dict[str, Fraction]]:
    """Values of one symbolic parameter where a part depending only on it (and C) is zero or undefined.

    With C given, only the parts that name C are scanned (the others do not depend on it).
    """
    extra: list[dict[str, Fraction]] = []
    env0 = dict(numbers)
    if C is not None:
        env0["C"] = Fraction(C)
    for ps in spec.params:
        if ps.name in numbers:
            continue
        allowed = set(env0) | {ps.name}

        def pred(t, name=ps.name, allowed=allowed) -> bool:
            names = _names(t)
            if C is not None and "C" not in names:
                return False
            return t[0] != "name" and name in names and names <= allowed and not _has_sum(t)

        values: set[Fraction] = set()
        grid = _grid(ps)
        with mp.workdps(30):
            for t in _critical_parts(tree, pred):
                vals = [_scan_value(t, {**env0, ps.name: g}) for g in grid]
                bad = [v is None or v.q == 0 for v in vals]
                if all(bad):
                    continue
                values |= _run_ends(bad, grid.__getitem__, after=False)
                for k, v in enumerate(vals):
                    if bad[k]:
                        continue
                    lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
                    prev, nxt = vals[max(k - 1, 0)], vals[min(k + 1, len(grid) - 1)]
                    near = [u for u in (prev, nxt) if u is not None]
                    sign_change = nxt is not None and (v.x > 0) != (nxt.x > 0)
                    local_min = all(abs(v.x) < abs(u.x) for u in near)
                    if not (sign_change or local_min):
                        continue
                    cand = _simplest_between(lo, hi)
                    if ps.low_open and cand <= ps.low:
                        continue
                    c = _scan_value(t, {**env0, ps.name: cand})
                    if c is None or c.q == 0:
                        values.add(cand)
        values -= set(ps.samples)
        extra += [{ps.name: v} for v in sorted(values)[:6]]
    return extra


def derivative(loss: str, pt: Point, i: int, j: int | None):
    """∂L/∂f_i (∂p_j/∂f_i, ∂²L/∂f_i∂f_j for the matrices), by mpmath.diff of the definition."""
    key = ("grad", mp.prec, i, j)
    if key in pt.cache:
        return pt.cache[key]
    spec = LOSSES[loss]
    f, _, _ = pt.data(spec)
    y = [mpf(v.numerator) / v.denominator for v in pt.y]
    w = [mpf(v.numerator) / v.denominator for v in pt.w]
    par = {k: mpf(v.numerator) / v.denominator for k, v in pt.par.items()}

    T = par.get("T", 1)
    expo = (lambda v: mpmath.exp(-v)) if spec.sigmoid else (lambda v: mpmath.exp(v / T))
    zkey = ("z", mp.prec)
    if zkey not in pt.cache:
        with mp.workdps(mp.dps + 70):
            pt.cache[zkey] = [expo(v) for v in f]
    base = pt.cache[zkey]

    def at(moves):
        g, z = list(f), list(base)
        for idx, t in moves:
            g[idx] = g[idx] + t
            z[idx] = expo(g[idx])
        return g, z

    with mp.workdps(mp.dps + 30):
        value = _diff(loss, at, i, j, y, par, w)
    pt.cache[key] = +value
    return pt.cache[key]


def _diff(loss, at, i, j, y, par, w):
    """The derivative by mpmath.diff; `at(moves)` gives (f, z) with the moved logits' exponentials new."""

    def value(moves, jj=0):
        g, z = at(moves)
        return loss_value(loss, g, y, par, w, j=jj, z=z)

    if loss == "ce-hessian":
        if i == j:
            return mp.diff(lambda t: value([(i, t)]), 0, 2)
        return mp.diff(lambda a, b: value([(i, a), (j, b)]), (0, 0), (1, 1))
    if loss == "softmax-jacobian":
        return mp.diff(lambda t: value([(i, t)], j), 0)
    return mp.diff(lambda t: value([(i, t)]), 0)


def indices(C: int, matrix: bool, rng: random.Random) -> list[tuple[int, int | None]]:
    if not matrix:
        if C <= 8:
            return [(i, None) for i in range(C)]
        return [(i, None) for i in sorted({0, 1, C - 1, rng.randrange(C), rng.randrange(C)})]
    if C <= 4:
        return [(i, j) for i in range(C) for j in range(C)]
    picks = {(0, 0), (C - 1, C - 1), (0, C - 1), (C - 1, 0), (1, 0)}
    while len(picks) < 9:
        picks.add((rng.randrange(C), rng.randrange(C)))
    return sorted(picks)


@dataclass
class Verdict:
    truth: bool | None  # None: outside the syntax
    reason: str
    checked: int = 0  # (point, index) pairs compared
    classes: tuple[int, ...] = ()
    counterexample: str | None = None


def _compare(tree, loss, pt, i, j, numbers) -> tuple[bool, str]:
    spec = LOSSES[loss]
    try:
        c = evaluate(tree, spec, pt, i, j, numbers)
    except Undefined as err:
        return False, f"claim undefined ({err})"
    g = derivative(loss, pt, i, j)
    if abs(c.x - g) <= 16 * c.e + max(abs(g), mpf(1)) * mpf(10) ** (12 - mp.dps):
        return True, ""
    return False, f"claim = {mpmath.nstr(c.x, 20)}, derivative = {mpmath.nstr(g, 20)}"


def classes_to_sample(classes, loss: str, target: str) -> list[int]:
    if classes != "C":
        return [int(classes)]
    rng = random.Random(zlib.crc32(f"C|{loss}|{target}".encode()))
    return [*SYMBOLIC_SMALL, *sorted(rng.sample(range(13, 65), 4)), *SYMBOLIC_LARGE]


def _n_points(classes, C: int) -> int:
    if classes != "C":
        return 30 if C <= 12 else 12 if C <= 100 else 5 if C <= 1000 else 3
    return 12 if C <= 12 else 4 if C <= 64 else 3 if C <= 400 else 2


MAX_CLASSES = 10000
MAX_CLASSES_OF: dict[str, int] = {}  # no derivation has a lower maximum than MAX_CLASSES


def _fixed_params(spec: LossSpec, classes, given: dict[str, str]) -> dict[str, Fraction]:
    """The --param values as exact numbers; ClaimSyntaxError where the CLI must refuse them (exit 2)."""
    if classes != "C" and not spec.min_classes <= int(classes) <= MAX_CLASSES_OF.get(spec.name, MAX_CLASSES):
        raise ClaimSyntaxError(f"-C {classes} is out of range")
    by_name = {ps.name: ps for ps in spec.params}
    out = {}
    for name, text in given.items():
        try:
            value = Fraction(text)
        except (ValueError, ZeroDivisionError):
            raise ClaimSyntaxError(f"--param {name}={text} is not a number") from None
        if name in by_name:
            ps = by_name[name]
            if ps.low is not None and (value < ps.low or (ps.low_open and value == ps.low)):
                raise ClaimSyntaxError(f"--param {name}={text} is out of range")
            if ps.high is not None and (value > ps.high or (ps.high_open and value == ps.high)):
                raise ClaimSyntaxError(f"--param {name}={text} is out of range")
        elif spec.weights and name.startswith("w") and name[1:].isdigit():
            if classes == "C" or int(name[1:]) >= int(classes):
                raise ClaimSyntaxError(f"--param {name}: no such class")
            if value < 0:
                raise ClaimSyntaxError(f"--param {name}={text} is out of range")
        else:
            raise ClaimSyntaxError(f"--param {name}: no such parameter")
        out[name] = value
    return out


def decide(loss: str, labels: str, classes, target: str, params: dict[str, str] | None = None) -> Verdict:
    """The truth of ``--loss loss --labels labels -C classes --target target [--param ...]``."""
    if loss not in LOSSES or labels not in ("onehot", "soft"):
        raise ValueError(f"unknown loss or labels: {loss}, {labels}")
    spec = LOSSES[loss]
    try:
        fixed = _fixed_params(spec, classes, params or {})
    except ClaimSyntaxError as err:
        return Verdict(None, f"bad input: {err}")
    vocab = vocabulary(loss, classes, fixed)
    try:
        tree = parse(target, vocab)
    except ClaimSyntaxError as err:
        return Verdict(None, f"outside the syntax: {err}")
    Cs = classes_to_sample(classes, loss, target)
    if classes == "C":
        Cs = [c for c in sorted({*Cs, *critical_classes(tree, vocab.numbers)}) if c >= spec.min_classes]
    params_of = {ps.name for ps in spec.params} - set(vocab.numbers)
    mixed = classes == "C" and bool(_critical_parts(tree, lambda t: "C" in _names(t) and bool(_names(t) & params_of)))
    extra = critical_params(tree, spec, vocab.numbers, None)
    checked = 0
    confirm: list[tuple[Point, int, int | None]] = []
    with mp.workdps(DPS):
        for C in Cs:
            here = extra + critical_params(tree, spec, vocab.numbers, C) if mixed else extra
            pts = points(loss, labels, C, fixed, _n_points(classes, C), here)
            rng = random.Random(C * 7919 + 1)
            for n, pt in enumerate(pts):
                for i, j in indices(C, spec.matrix, rng):
                    ok, why = _compare(tree, loss, pt, i, j, vocab.numbers)
                    checked += 1
                    if not ok:
                        with mp.workdps(CONFIRM_DPS):
                            ok2, why2 = _compare(tree, loss, pt, i, j, vocab.numbers)
                        if ok2:
                            raise RuntimeError(f"oracle: precision-dependent verdict for {target!r} at {pt.describe()}")
                        where = f"{pt.describe()}, i={i}" + (f", j={j}" if j is not None else "")
                        return Verdict(False, why2, checked, tuple(Cs), where)
                    if n < 2:
                        confirm.append((pt, i, j))
    with mp.workdps(CONFIRM_DPS):
        for pt, i, j in confirm:
            ok, why = _compare(tree, loss, pt, i, j, vocab.numbers)
            if not ok:
                where = f"{pt.describe()}, i={i}" + (f", j={j}" if j is not None else "")
                return Verdict(False, f"only at {CONFIRM_DPS} digits: {why}", checked, tuple(Cs), where)
    return Verdict(True, "equal at every sampled point", checked, tuple(Cs))


if __name__ == "__main__":  # python tests/oracle.py LOSS LABELS CLASSES TARGET [k=v ...]
    import sys

    loss_, labels_, classes_, target_, *rest = sys.argv[1:]
    given = dict(item.split("=", 1) for item in rest)
    v = decide(loss_, labels_, classes_ if classes_ == "C" else int(classes_), target_, given)
    print(v)
