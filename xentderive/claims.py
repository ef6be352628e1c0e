"""A small, safe syntax for gradient claims such as ``p_i - y_i`` or ``p_i*sum_j(y_j) - y_i``.

User text is parsed with `ast.parse(..., mode="eval")` and walked against a
whitelist; nothing is evaluated by Python, and `sympify`/`parse_expr` (which call
`eval`) are never used. Errors name the problem and the column.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from dataclasses import dataclass

from sympy import Expr, Integer, KroneckerDelta, Rational, exp, log, tanh
from sympy.core.parameters import evaluate

from .context import Context
from .errors import InputError

MAX_LENGTH = 500
MAX_DEPTH = 40
MAX_EXPONENT = 100
MAX_DEGREE = 16  # total degree in the per-class names: (p_i - y_i)^16 expands to 17 terms over S^16
MAX_MAGNITUDE = 10**12  # the largest number a claim may write
MAX_FUNCTION_NESTING = 4  # exp and log nested: exp(f_i - log(sum_j(exp(f_j)))) is 3 deep
MAX_NUMBER_DIGITS = 1000  # a number built from literals, e.g. 10^12^100, at most 10^1000
MAX_EXP_ARGUMENT = 1000  # exp of a number: e^1000 is about 10^434, and e^(e^1000) has no float


class ClaimError(InputError):
    """The claim text is not in the accepted syntax; the message says what and where."""


@dataclass(frozen=True)
class Vocabulary:
    """Names a claim may use: free names, names bound by sum_j, and functions."""

    free: dict[str, Expr]
    bound: dict[str, Expr]
    functions: dict[str, Callable[[Expr], Expr]]
    j_free: bool = False  # a claim about ∂p_j/∂f_i may use j outside sum_j(...)

    def describe(self) -> str:
        return ", ".join([*self.free, *self.bound, *(f"{f}(...)" for f in self.functions)])


def vocabulary(ctx: Context, names: dict[str, str] | None = None, j_free: bool = False) -> Vocabulary:
    """The claim names for `ctx` and its parameters; `names` renames logits/probs/labels/classes."""
    n = {"logits": "f", "probs": "p", "labels": "y", "classes": "C"} | (names or {})
    i, j = ctx.i, ctx.j
    free = {
        f"{n['probs']}_i": ctx.entry(ctx.p, i),
        f"{n['labels']}_i": ctx.entry(ctx.y, i),
        f"{n['logits']}_i": ctx.entry(ctx.f, i),
        n["classes"]: ctx.C,
    }
    free |= ctx.params | ctx.claim_extras()
    bound = {
        f"{n['probs']}_j": ctx.entry(ctx.p, j),
        f"{n['labels']}_j": ctx.entry(ctx.y, j),
        f"{n['logits']}_j": ctx.entry(ctx.f, j),
    }
    for name, base in ctx.claim_vectors().items():
        free[f"{name}_i"], bound[f"{name}_j"] = base[i], base[j]
    bound["delta_ij"] = KroneckerDelta(i, j)
    functions = {"log": log, "exp": exp, "tanh": tanh, "sum_j": lambda body: ctx.sum_over(body, j)}
    return Vocabulary(free, bound, functions, j_free)


def _column_map(text: str) -> tuple[str, list[int]]:
    """Replace ``^`` by ``**`` and remember each new column's original column."""
    out, cols = [], []
    for col, ch in enumerate(text):
        piece = "**" if ch == "^" else ch
        out.append(piece)
        cols.extend([col] * len(piece))
    cols.append(len(text))
    return "".join(out), cols


def parse_claim(text: str, vocab: Vocabulary, what: str = "target", trusted: bool = False) -> Expr:
    """The SymPy expression a claim denotes; raises ClaimError for anything else.

    `what` names the text in messages (a target, a loss expression); `trusted` lifts the size
    limits for text the tool wrote itself (a custom loss's derived closed form).
    """
    if not text.strip():
        raise ClaimError(f"empty {what} expression")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: an invalid byte passed through the command line
        raise ClaimError(f"{what} is not valid UTF-8 text") from None
    if len(text) > MAX_LENGTH and not trusted:
        raise ClaimError(f"{what} is {len(text)} characters long; the limit is {MAX_LENGTH}")
    source, cols = _column_map(text)
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as err:
        offset = (err.offset or 1) - 1 + (len(source) - len(source.lstrip()))
        raise ClaimError(f"malformed {what} at column {cols[min(offset, len(cols) - 1)] + 1}: {err.msg}") from None
    lead = len(source) - len(source.lstrip())
    with evaluate(False):  # keep the user's order of terms for display; meaning evaluates later
        claim = _Walker(vocab, cols, lead, what).walk(tree.body, depth=0, in_sum=False)
    size = degree(claim)
    if size > MAX_DEGREE and not trusted:
        raise ClaimError(
            f"{what} has polynomial degree {size}; the limit is {MAX_DEGREE} (expanding it would take too long)"
        )
    return claim


def degree(e: Expr) -> int:
    """How large the claim's expansion can get: the total degree in the per-class names (p_i, y_j,
    f_i, and exp/log/sum of them), an integer power n counting n times its base's degree. C, the
    parameters and δ_ij count 0: a polynomial in C alone, (C-1)·…·(C-35), stays cheap."""
    if e.is_number or e.is_Symbol or isinstance(e, KroneckerDelta):
        return 0
    if e.is_Indexed:
        return 1
    if e.is_Add:
        return max(degree(a) for a in e.args)
    if e.is_Mul:
        return sum(degree(a) for a in e.args)
    if e.is_Pow:
        power = e.exp.doit() if e.exp.is_number else e.exp
        base = degree(e.base)
        return base * abs(int(power)) if power.is_Integer else base + degree(e.exp)
    return max((degree(a) for a in e.args if isinstance(a, Expr)), default=0)


def _size(e: Expr) -> float:
    """An upper bound on log10 of |e| and of |1/e| for a number written in a claim, found without
    evaluating it: 2^((10^12)^100) must be refused, not computed. inf where no bound is known."""
    if e.is_Rational:
        return math.log10(max(abs(int(e.p)), int(e.q), 1))
    if e.is_Float:
        return abs(math.log10(abs(float(e)))) if e else 0.0
    if e.is_Add or e.is_Mul:
        return sum(_size(a) for a in e.args) + 1
    if e.is_Pow:
        power = _size(e.exp)
        return _size(e.base) * 10**power if power <= 6 else math.inf
    if isinstance(e, exp):
        inner = _size(e.args[0])
        return 10**inner if inner <= 6 else math.inf
    if isinstance(e, log):
        return math.log10(_size(e.args[0]) * 2.31 + 1) + 1
    if isinstance(e, tanh):  # |tanh x| ≤ 1, and |1/tanh x| ≤ 1 + 1/|x|
        return _size(e.args[0]) + 1
    return math.inf


def _small(number: Expr, bound: float) -> bool:
    """|number| ≤ bound, decided without overflowing (a number may itself be e^1000)."""
    try:
        with evaluate(True):
            value = number.doit().evalf(15)
        return bool(value.is_finite) and bool(abs(value) <= bound)
    except (ArithmeticError, TypeError, ValueError):
        return False


@dataclass
class _Walker:
    vocab: Vocabulary
    cols: list[int]
    lead: int
    what: str = "target"
    nesting: int = 0

    def fail(self, node: ast.AST, message: str) -> ClaimError:
        col = self.cols[min(getattr(node, "col_offset", 0) + self.lead, len(self.cols) - 1)] + 1
        return ClaimError(f"{message} at column {col}")

    def walk(self, node: ast.AST, depth: int, in_sum: bool) -> Expr:
        if depth > MAX_DEPTH:
            raise self.fail(node, f"{self.what} nests deeper than {MAX_DEPTH} levels")
        d = depth + 1
        if isinstance(node, ast.BinOp):
            left, right = self.walk(node.left, d, in_sum), self.walk(node.right, d, in_sum)
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Sub):
                return left - right
            if isinstance(node.op, ast.Mult):
                return left * right
            if isinstance(node.op, ast.Div):
                if right == 0:
                    raise self.fail(node.right, "division by zero")
                return left / right
            if isinstance(node.op, ast.Pow):
                if left.is_number and right.is_number and _size(left**right) > MAX_NUMBER_DIGITS:
                    raise self.fail(node, f"numbers may be at most 10^{MAX_NUMBER_DIGITS} in size")
                if not self.exponent_ok(right):
                    raise self.fail(
                        node.right,
                        f"exponents must be numbers between -{MAX_EXPONENT} and {MAX_EXPONENT}, "
                        "or expressions in the parameters",
                    )
                return left**right
            raise self.fail(node, f"operator {type(node.op).__name__} is not allowed (use + - * / ^)")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = self.walk(node.operand, d, in_sum)
            return -inner if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise self.fail(node, f"unexpected literal {node.value!r}")
            if not abs(node.value) <= MAX_MAGNITUDE:  # also catches inf and nan (1e999)
                raise self.fail(node, f"numbers may be at most 10^12 in size (got {node.value!r:.20})")
            if isinstance(node.value, int):
                return Integer(node.value)
            return Rational(repr(node.value))
        if isinstance(node, ast.Name):
            return self.name(node, in_sum)
        if isinstance(node, ast.Call):
            return self.call(node, d, in_sum)
        raise self.fail(node, f"unsupported syntax ({type(node).__name__})")

    def exponent_ok(self, e: Expr) -> bool:
        """A bounded number, or built from numbers and parameters only (e.g. gamma - 1).

        A number is bounded so that expanding a power cannot blow up; a parameter
        exponent stays a symbol, or is a number given with --param (itself bounded).
        """
        if e.is_number and _size(e) > 3:  # far above MAX_EXPONENT: never evaluate it
            return False
        with evaluate(True):  # gamma - 1 with gamma given: an unevaluated sum of numbers
            e = e.doit()
        if e.is_Rational:
            return abs(e) <= MAX_EXPONENT
        params = {v for v in self.vocab.free.values() if v.is_Symbol and not v.is_integer}
        return bool(e.free_symbols) and e.free_symbols <= params and not e.has(exp, log, tanh)

    def name(self, node: ast.Name, in_sum: bool) -> Expr:
        if node.id in self.vocab.free:
            return self.vocab.free[node.id]
        if node.id in self.vocab.bound:
            if not (in_sum or self.vocab.j_free):
                raise self.fail(node, f"{node.id} may only appear inside sum_j(...)")
            return self.vocab.bound[node.id]
        raise self.fail(node, f"unknown name {node.id!r} (known: {self.vocab.describe()})")

    def call(self, node: ast.Call, depth: int, in_sum: bool) -> Expr:
        if not isinstance(node.func, ast.Name) or node.func.id not in self.vocab.functions:
            raise self.fail(node, f"unknown function (known: {', '.join(self.vocab.functions)})")
        if node.keywords or len(node.args) != 1:
            raise self.fail(node, f"{node.func.id}(...) takes exactly one argument")
        if node.func.id == "sum_j" and in_sum:
            raise self.fail(node, "sum_j(...) may not be nested")
        nested = node.func.id in ("exp", "log", "tanh")
        if nested and self.nesting >= MAX_FUNCTION_NESTING:
            raise self.fail(node, f"exp and log may be nested at most {MAX_FUNCTION_NESTING} deep")
        self.nesting += nested
        try:
            arg = self.walk(node.args[0], depth, in_sum or node.func.id == "sum_j")
        finally:
            self.nesting -= nested
        if node.func.id == "exp" and arg.is_number and (_size(arg) > 4 or not _small(arg, MAX_EXP_ARGUMENT)):
            raise self.fail(node, f"exp of a number above {MAX_EXP_ARGUMENT} in size has no usable value")
        return self.vocab.functions[node.func.id](arg)
