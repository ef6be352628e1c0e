"""The engine behind losses written as expressions: one chain rule, written out for any loss.

A loss L is text in the claim syntax: sums over the classes (``sum_j(...)``) of p_j, y_j
and f_j, functions of such sums, numbers, C and declared parameters. The logits may be
transformed before the softmax (u_j = u(f_j), e.g. ``c*tanh(f_j/c)``). The gradient is

    ∂L/∂f_i = Σ_j ∂L/∂p_j · ∂p_j/∂f_i + (∂L/∂f_i)_p,   ∂p_j/∂f_i = p_j (δ_ij - p_i) u'(f_i),

the last term being L's own dependence on the logits with p held fixed (z-loss's
log Σ_k e^{f_k}). The engine only writes the lines, as a derivation module would;
`verify` checks every one of them against the definitions.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache, partial

from sympy import Add, Dummy, Expr, IndexedBase, Integer, KroneckerDelta, Sum, exp, expand_mul, log, powsimp, tanh
from sympy.core.parameters import evaluate
from sympy.core.sorting import default_sort_key
from sympy.printing.str import StrPrinter

from ..claims import ClaimError, Vocabulary, parse_claim
from ..context import Context, FixedPartial
from ..errors import InputError
from ..model import Line, Step
from ..params import Param
from ..semantics import ASSUME_LABEL_SUM, instantiate
from . import softmax_ce
from .softmax_ce import partial as derivative
from .spec import DerivationSpec


@dataclass(frozen=True)
class CustomLoss:
    """A loss as text: L (`loss`), the logit transform u(f_j) (`logits`, None: none) and parameters.

    `target`, when given, is the closed form the loss is known by (one-hot labels): the claim
    then checks it, independently of the engine's own closed form.
    """

    loss: str
    logits: str | None = None
    params: tuple[Param, ...] = ()
    name: str = "custom"
    summary: str = ""
    conventions: tuple[str, ...] = ()
    target: str | None = None
    min_classes: tuple[int, str] = (1, "")


@dataclass
class CustomContext(Context):
    """The seed's objects with L (and u, if the logits are transformed) defined by a `CustomLoss`."""

    custom: CustomLoss = field(default=None, kw_only=True)  # type: ignore[assignment]
    written: Expr = field(init=False)  # L as the user wrote it, sums over j (the display)
    defined: Expr = field(init=False)  # L evaluated, sums over n, Σ e^{f} as the softmax's own S
    transform: Expr | None = field(init=False)  # u(f_j) evaluated, or None
    transform_written: Expr | None = field(init=False)  # u(f_j) as typed: shown, so checked as written

    def __post_init__(self) -> None:
        self.transform = None  # read by exponent(), hence by S, during the seed's set-up
        super().__post_init__()
        self.u = IndexedBase("u", real=True)
        self.transform_written = parse_logits(self.custom.logits, self) if self.custom.logits else None
        self.transform = _evaluated(self.transform_written) if self.custom.logits else None
        self.written = parse_loss(self.custom.loss, self)
        self.defined = self._defined(_evaluated(self.written))

    def carried(self) -> dict:
        return {"custom": self.custom}

    def _defined(self, e: Expr) -> Expr:
        """Sums over n (j and i stay free for the steps); Σ_j e^{f_j} written as S itself."""
        S = self.S

        def rename(s: Sum) -> Expr:
            ((var, lo, hi),) = s.limits
            if s.function.xreplace({var: self.k}) == S.function and (lo, hi) == (0, self.last):
                return S
            return Sum(s.function.xreplace({var: self.n}), (self.n, lo, hi))

        return e.replace(lambda x: isinstance(x, Sum), rename)

    def exponent(self, idx: Expr) -> Expr:
        return self.f[idx] if self.transform is None else self.transform.xreplace({self.j: idx})

    def extra_meanings(self) -> dict:
        return {} if self.transform is None else {self.u: self.exponent}

    def loss(self) -> Expr:
        return self.defined


# --- reading the text --------------------------------------------------------------


def _functions(ctx: Context, sums: bool) -> dict:
    out = {"log": log, "exp": exp, "tanh": tanh}
    if sums:
        out["sum_j"] = lambda body: ctx.sum_over(body, ctx.j)
    return out


def parse_loss(text: str, ctx: Context) -> Expr:
    """L from its text; InputError (exit 2) for anything that is not a loss of the softmax inputs."""
    j = ctx.j
    vocab = Vocabulary(
        {"C": ctx.C, **ctx.params},
        {"p_j": ctx.p[j], "y_j": ctx.y[j], "f_j": ctx.f[j]},
        _functions(ctx, sums=True),
    )
    try:
        e = parse_claim(text, vocab, what="loss")
    except ClaimError as err:
        hint = "; declare a parameter with --param NAME=VALUE or --param-range NAME=LO..HI"
        raise InputError(f"--loss-expr: {err}{hint if 'unknown name' in str(err) else ''}") from None
    if not (e.has(ctx.p) or e.has(ctx.f)):
        raise InputError("--loss-expr: the loss does not depend on the logits (it names no p_j or f_j)")
    return e


def parse_logits(text: str, ctx: Context) -> Expr:
    """u(f_j) from its text: a function of f_j and the parameters."""
    vocab = Vocabulary({**ctx.params}, {"f_j": ctx.f[ctx.j]}, _functions(ctx, sums=False), j_free=True)
    try:
        e = parse_claim(text, vocab, what="logits")
    except ClaimError as err:
        raise InputError(f"--logits-expr: {err}") from None
    if not e.has(ctx.f):
        raise InputError("--logits-expr: the transform does not depend on the logits (it names no f_j)")
    return e


def _evaluated(e: Expr) -> Expr:
    """The parser's display form (unevaluated, as typed) rebuilt with SymPy's evaluation on."""
    if not e.args:
        return e
    with evaluate(True):
        return e.func(*(_evaluated(a) if isinstance(a, Expr) else a for a in e.args))


# --- the calculus -----------------------------------------------------------------


@dataclass(frozen=True)
class Calculus:
    """∂L/∂p_j (at class j), (∂L/∂f_i)_p as differentiated and with e^{u_i} = p_i S, and u'(f_i)."""

    by_p: Expr
    direct_raw: Expr
    direct: Expr
    slope: Expr


def calculus(ctx: CustomContext) -> Calculus:
    """Differentiate L = G(σ_1, …, σ_m), each σ a sum over the classes: by the chain rule through
    each sum, whose term at class n names only p_n, y_n and f_n. A loss SymPy cannot differentiate
    is bad input (exit 2), said in one line."""
    if getattr(ctx, "calculated", None) is not None:  # steps, closed form and claim all ask
        return ctx.calculated
    try:
        ctx.calculated = _calculus(ctx)
        return ctx.calculated
    except (ArithmeticError, TypeError, ValueError, NotImplementedError, AttributeError) as err:
        detail = " ".join(str(err).split())[:200]
        raise InputError(f"--loss-expr: the engine cannot differentiate this loss ({detail})") from None


def _calculus(ctx: CustomContext) -> Calculus:
    i, j, p, f = ctx.i, ctx.j, ctx.p, ctx.f
    L = ctx.loss()
    sums = sorted(L.atoms(Sum), key=default_sort_key)
    marks = {s: Dummy(f"sigma{n}", real=True) for n, s in enumerate(sums)}  # real: |σ| has a derivative
    back = {d: s for s, d in marks.items()}
    outer = L.xreplace(marks)
    by_p, direct = Integer(0), Integer(0)
    for s, mark in marks.items():
        ((var, _, _),) = s.limits
        weight = outer.diff(mark).xreplace(back)
        by_p += weight * s.function.xreplace({var: j}).diff(p[j])
        direct += weight * s.function.xreplace({var: i}).diff(f[i])
    by_p, direct = powsimp(by_p), powsimp(direct)  # (1 - p)^γ/(1 - p) as (1 - p)^(γ - 1): defined at p = 1 for γ ≥ 1
    shared = direct.xreplace({exp(ctx.exponent(i)): p[i] * ctx.S})
    return Calculus(by_p, direct, shared, ctx.exponent(i).diff(f[i]))


def sum_terms(ctx: Context, body: Expr) -> Expr:
    """Σ_j body, by linearity: each term's factors free of j outside its sum, Σ_j c = C·c."""
    j = ctx.j
    out = []
    for term in Add.make_args(expand_mul(body)):
        coeff, dep = term.as_independent(j, as_Add=False)
        out.append(coeff * ctx.C if dep == 1 else coeff * ctx.sum_over(dep, j))
    return Add(*out)


def _sums_to_one(e: Expr, base: IndexedBase, ctx: Context) -> Expr:
    """Σ_v base_v = 1 wherever it occurs (the probabilities always; the labels when one-hot)."""
    return e.replace(
        lambda x: isinstance(x, Sum) and x.function == base[x.limits[0][0]] and x.limits[0][1:] == (0, ctx.last),
        lambda x: Integer(1),
    )


def _over_j(e: Expr, ctx: Context) -> Expr:
    """Every sum over the dummy j (none is nested in a closed form), so equal sums cancel."""
    j = ctx.j
    return e.replace(
        lambda x: isinstance(x, Sum) and x.limits[0][0] != j,
        lambda x: Sum(x.function.xreplace({x.limits[0][0]: j}), (j, *x.limits[0][1:])),
    )


def closed_form(ctx: CustomContext, labels: str) -> tuple[Expr, Expr | None]:
    """The gradient multiplied out, with Σ_j p_j = 1 (before Σ_j y_j = 1) and, for one-hot labels,
    after Σ_j y_j = 1 too (None where that changes nothing)."""
    c = calculus(ctx)
    i, j, p = ctx.i, ctx.j, ctx.p
    inner = expand_mul(p[i] * c.by_p.xreplace({j: i})) - p[i] * sum_terms(ctx, p[j] * c.by_p)

    def tidy(e: Expr, *bases: IndexedBase) -> Expr:
        e = _over_j(e, ctx)
        for base in bases:
            e = _sums_to_one(e, base, ctx)
        return e

    before = c.slope * expand_mul(tidy(inner, p)) + tidy(c.direct, p)
    if labels != "onehot":
        return before, None
    after = c.slope * expand_mul(tidy(inner, p, ctx.y)) + tidy(c.direct, p, ctx.y)
    return before, (after if after != before else None)


# --- the steps ----------------------------------------------------------------------


def steps(ctx: CustomContext, labels: str) -> list[Step]:
    """Definitions, the chain rule, ∂L/∂p_j, the direct term, the softmax derivative, the combination."""
    i, j, f, p, L = ctx.i, ctx.j, ctx.f, ctx.p, ctx.L
    c = calculus(ctx)
    seed = {s.key: s for s in softmax_ce.steps(ctx, labels)}
    has_direct = ctx.defined.has(f)
    before, after = closed_form(ctx, labels)
    with evaluate(False):
        delta = KroneckerDelta(i, j)
        jac = p[j] * (delta - p[i]) * c.slope if ctx.transform is not None else p[j] * (delta - p[i])
        chain = ctx.sum_over(derivative(L, p[j]) * derivative(p[j], f[i]), j)
        if has_direct:
            chain = chain + FixedPartial(L, f[i])
        out = [_softmax_step(ctx, seed["softmax"]), _loss_step(ctx)]
        out.append(
            Step(
                "chain-rule",
                "Chain rule over a new index $j$",
                "Every $@p_j$ depends on every $@f_i$ through the softmax sum"
                + (
                    "; $L$ also names the logits themselves, so a direct term $(∂L/∂@f_i)_{@p}$, with $@p$ held "
                    "fixed, joins the sum."
                    if has_direct
                    else "."
                ),
                [[Line(derivative(L, f[i])), Line(chain, "chain rule")]],
            )
        )
        terms = Add.make_args(ctx.defined)
        dp_lines = [Line(derivative(L, p[j]))]
        if len(terms) > 1:
            dp_lines.append(Line(Add(*(derivative(t, p[j]) for t in terms)), "definition of $L$, term by term"))
        dp_lines.append(Line(c.by_p, "each sum's term at class $j$ holds $@p_j$; the other classes' do not"))
        out.append(
            Step(
                "dL-dp",
                "Derivative with respect to one probability",
                "Differentiate the definition of $L$ with the logits held fixed: a sum over the classes "
                "contributes the derivative of its term at class $j$.",
                [dp_lines],
            )
        )
        if has_direct:
            direct = [Line(FixedPartial(L, f[i])), Line(c.direct_raw, "each sum's term at class $i$, $@p$ fixed")]
            if c.direct != c.direct_raw:
                direct.append(Line(c.direct, "definition of $@p_i$"))
            out.append(
                Step(
                    "direct",
                    "The direct dependence on the logits",
                    "The terms of $L$ that name the logits themselves, differentiated with the probabilities "
                    "held fixed.",
                    [direct],
                )
            )
        out.append(seed["jacobian"] if ctx.transform is None else _transformed_jacobian(ctx, c.slope))
        combined = ctx.sum_over(c.by_p * jac, j)
        picked = (p[i] * c.by_p.xreplace({j: i}) - p[i] * ctx.sum_over(p[j] * c.by_p, j)) * c.slope
        if has_direct:
            combined, picked = combined + c.direct, picked + c.direct
        lines = [
            Line(derivative(L, f[i])),
            Line(combined, "the steps above, inserted into the chain rule"),
            Line(picked, "the Kronecker delta picks out $j = i$"),
            Line(before, "multiply out; factors free of $j$ out of the sum; $Σ_j @p_j = 1$ (step 1)"),
        ]
        out.append(
            Step(
                "combine",
                "Combine",
                "Insert the derivatives into the chain rule and simplify.",
                [lines],
            )
        )
        if after is not None:
            out.append(softmax_ce.label_sum_step(before, after))
    if labels == "onehot":  # a loss of your own may need the labels to be a probability vector to have a value
        out = [replace(s, assumptions=tuple(dict.fromkeys((*s.assumptions, ASSUME_LABEL_SUM)))) for s in out]
    return out


def _softmax_step(ctx: CustomContext, seed: Step) -> Step:
    if ctx.transform is None:
        return seed
    i, u = ctx.i, ctx.u
    return Step(
        "softmax",
        "Softmax of transformed logits",
        "Definition: each logit $@f_i$ becomes $u_i$ before the softmax.",
        [
            [Line(u[i]), Line(instantiate(ctx.transform_written, {ctx.j: i}), "definition of the transform")],
            # in u throughout, not e^{u_i} over Σ_k e^{f_k/τ}: u_k is checked with its definition inserted
            [Line(ctx.p[i]), Line(exp(u[i]) / ctx.sum_over(exp(u[ctx.k]), ctx.k), "definition")],
            seed.chains[1],
        ],
    )


def _loss_step(ctx: CustomContext) -> Step:
    return Step(
        "loss",
        "The loss",
        "Definition, with log the natural logarithm.",
        [[Line(ctx.L), Line(ctx.written, "definition")]],
    )


def _transformed_jacobian(ctx: CustomContext, slope: Expr) -> Step:
    i, j, p, u = ctx.i, ctx.j, ctx.p, ctx.u
    # in u, as the note and step 1 write it: u_k is checked with its definition inserted
    e_i, e_j, S = exp(u[i]), exp(u[j]), ctx.sum_over(exp(u[ctx.k]), ctx.k)
    delta = KroneckerDelta(i, j)
    return Step(
        "jacobian",
        "The softmax derivative, through the transform",
        "The quotient rule, with $∂e^{u_j}/∂@f_i = δ_{ij} e^{u_j} u′(@f_i)$ and "
        "$∂(Σ_k e^{u_k})/∂@f_i = e^{u_i} u′(@f_i)$.",
        [
            [
                *softmax_ce.quotient_rule_opening(ctx, j, e_j, S),
                Line((delta * e_j * S * slope - e_j * e_i * slope) / S**2, "both derivatives"),
                Line(p[j] * (delta - p[i]) * slope, "definition of $@p_i$ and $@p_j$"),
            ]
        ],
    )


# --- the closed form as claim text ---------------------------------------------------------


class ClaimPrinter(StrPrinter):
    """An expression in the claim syntax (p_i, sum_j(...), ^), so that tools and the witness can read it."""

    printmethod = "_xentderive_claim"  # not Indexed._sympystr, which would bypass _print_Indexed

    def __init__(self, ctx: Context) -> None:
        super().__init__({"order": "none"})
        self.ctx = ctx

    def _print_Indexed(self, expr: Expr) -> str:
        return f"{expr.base.label}_{self._print(expr.indices[0])}"

    def _print_Sum(self, expr: Sum) -> str:
        ((var, lo, hi),) = expr.limits
        if (lo, hi) != (0, self.ctx.last):
            raise ValueError(f"a sum over {lo}…{hi} has no claim syntax")
        return f"sum_j({self._print(expr.function.xreplace({var: self.ctx.j}))})"

    def _print_Pow(self, expr: Expr, rational: bool = False) -> str:
        return super()._print_Pow(expr, rational).replace("**", "^")

    def _print_Exp1(self, expr: Expr) -> str:
        return "exp(1)"


def claim_text(e: Expr, ctx: Context) -> str:
    return ClaimPrinter(ctx).doprint(e)


def _default_claim(custom: CustomLoss, ctx: CustomContext, labels: str) -> Expr | None:
    """The engine's closed form; None where the loss states its own (read from `target`'s text)."""
    if custom.target is not None and labels == "onehot":
        return None
    before, after = closed_form(ctx, labels)
    return after if after is not None else before


def _default_target(custom: CustomLoss, ctx: CustomContext, labels: str) -> str:
    if custom.target is not None and labels == "onehot":
        return custom.target
    return claim_text(_default_claim(custom, ctx, labels), ctx)


# --- the numeric witness's loss ------------------------------------------------------------


@lru_cache(maxsize=64)
def _compiled(custom: CustomLoss, classes: int, names: tuple[str, ...]):
    """L at C classes as an mpmath function of (f, y, *parameters), from its definition."""
    from sympy import Symbol

    from ..numeric import compile_expression
    from ..semantics import meaning

    scalars = tuple(Symbol(name, real=True) for name in names)
    ctx = CustomContext(classes, dict(zip(names, scalars, strict=True)), custom=custom)
    return compile_expression(meaning(ctx.L, ctx), ctx, ctx.class_inputs(), scalars)


def _numeric_loss(custom: CustomLoss, f: list, y: list, params: dict):
    names = tuple(p.name for p in custom.params)
    fn = _compiled(custom, len(f), names)
    return fn(0, 0, f, y, *(params[name] for name in names))


def spec_of(custom: CustomLoss) -> DerivationSpec:
    """The registry's record for a loss written as text: every part built by the engine."""
    logits = f" of softmax({custom.logits})" if custom.logits else ""
    return DerivationSpec(
        name=custom.name,
        summary=custom.summary or f"custom loss L = {custom.loss}{logits}",
        steps=steps,
        default_target=partial(_default_target, custom),
        claim_lhs=softmax_ce.claim_lhs,
        numeric_loss=partial(_numeric_loss, custom),
        params=custom.params,
        conventions=custom.conventions,
        make_context=partial(CustomContext, custom=custom),
        min_classes=custom.min_classes,
        default_claim=partial(_default_claim, custom),
    )
