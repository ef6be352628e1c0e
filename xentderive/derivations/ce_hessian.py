"""The Hessian of softmax cross-entropy, ∂²L/∂f_i∂f_j = (δ_ij p_i - p_i p_j)·Σy, and its shape:
symmetric, rows summing to zero, positive semidefinite."""

from __future__ import annotations

from sympy import Derivative, Expr, IndexedBase, Integer, KroneckerDelta, Mul, Rational
from sympy.core.parameters import evaluate

from ..context import Context
from ..model import Line, Step
from ..semantics import ASSUME_LABEL_SUM, ASSUME_LABELS_NONNEGATIVE
from . import softmax_ce
from .softmax_ce import partial

NAME = "ce-hessian"
SUMMARY = "Hessian of softmax cross-entropy: (δ_ij p_i - p_i p_j)·Σy; symmetric, rows sum to 0, PSD"
FREE_J = True
RESULT_STEP = "hessian"
MAX_CLASSES = None  # its row-sum and PSD steps are proved for every C where the classes cannot be split
CONVENTIONS = (
    "$H_{ij} = ∂²L/∂@f_i∂@f_j$. The positive semidefinite step holds for any direction $x$ and labels "
    "$@y_j ≥ 0$; it is what makes cross-entropy convex in the logits.",
)


class HessianContext(Context):
    """The seed's definitions, the display symbol H_ij for the second derivatives, and a direction x."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.H = IndexedBase("H", real=True)
        self.x = IndexedBase("x", real=True)

    def class_inputs(self) -> tuple[IndexedBase, ...]:
        return (*super().class_inputs(), self.x)

    def extra_meanings(self) -> dict:
        return {self.H: lambda a, b: Derivative(self.loss(), self.f[a], self.f[b])}


make_context = HessianContext


def steps(ctx: HessianContext, labels: str) -> list[Step]:
    """The gradient differentiated once more, then the three properties, each checked from H's definition."""
    i, j, k, f, y, p, x, H, L = ctx.i, ctx.j, ctx.k, ctx.f, ctx.y, ctx.p, ctx.x, ctx.H, ctx.L
    seed = {s.key: s for s in softmax_ce.steps(ctx, "soft")}
    with evaluate(False):
        ysum = ctx.sum_over(y[k], k)
        delta = KroneckerDelta(i, j)
        closed = (delta * p[i] - p[i] * p[j]) * ysum
        hessian = [
            [
                Line(H[i, j]),
                Line(partial(L, f[i], f[j]), "definition"),
                Line(partial(p[i] * ysum - y[i], f[j]), "step 3"),
                Line(ysum * partial(p[i], f[j]), "the labels do not depend on $@f$"),
                Line(ysum * (p[i] * (delta - p[j])), "the softmax derivative, $i$ and $j$ swapped"),
                Line(closed, "multiply out"),
            ]
        ]
        if labels == "onehot":
            hessian.append([Line(closed), Line(delta * p[i] - p[i] * p[j], "$Σ_k @y_k = 1$")])

        def double(body: Expr) -> Expr:
            return ctx.sum_over(ctx.sum_over(body, j), i)

        return [
            seed["softmax"],
            seed["loss"],
            Step(
                "gradient",
                "The gradient",
                "Derived step by step by softmax-ce (for any labels); checked again here against the definitions.",
                [[Line(partial(L, f[i])), Line(p[i] * ysum - y[i], "softmax-ce")]],
            ),
            Step(
                "hessian",
                "Second derivatives",
                "Differentiate the gradient with respect to $@f_j$: only $@p_i$ depends on it.",
                hessian,
                assumptions=(ASSUME_LABEL_SUM,) if labels == "onehot" else (),
            ),
            Step(
                "symmetric",
                "Symmetric",
                "$δ_{ij}$ is symmetric, and where it is 1, $i = j$; so $H_{ij} = H_{ji}$.",
                [
                    [
                        Line(H[i, j]),
                        Line(closed, "step 4"),
                        Line((delta * p[j] - p[j] * p[i]) * ysum, "$δ_{ij} @p_i = δ_{ij} @p_j$"),
                        Line(H[j, i], "step 4 with $i$ and $j$ swapped"),
                    ]
                ],
            ),
            Step(
                "row-sum",
                "Rows sum to zero",
                "Adding the same number to every logit leaves the softmax unchanged, so the gradient does not "
                "move along $(1, …, 1)$: $H$ maps it to zero.",
                [
                    [
                        Line(ctx.sum_over(H[i, j], j)),
                        Line(ctx.sum_over(closed, j), "step 4"),
                        Line((p[i] - p[i] * ctx.sum_over(p[j], j)) * ysum, "$δ_{ij}$ picks $j = i$"),
                        Line(Integer(0), "$Σ_j @p_j = 1$ (step 1)"),
                    ]
                ],
            ),
            Step(
                "psd",
                "Positive semidefinite",
                "For any direction $x$, $xᵀHx$ is $Σ_k @y_k$ times the variance of $x$ under $@p$: a sum of squares.",
                [
                    [
                        Line(double(Mul(x[i], x[j], H[i, j]))),
                        Line(double(Mul(x[i], x[j], closed)), "step 4"),
                        Line(
                            (ctx.sum_over(p[i] * x[i] ** 2, i) - ctx.sum_over(p[i] * x[i], i) ** 2) * ysum,
                            "$δ_{ij}$ picks $j = i$; the rest factors",
                        ),
                        Line(
                            (
                                ctx.sum_over(p[j], j) * ctx.sum_over(p[i] * x[i] ** 2, i)
                                - ctx.sum_over(p[i] * x[i], i) ** 2
                            )
                            * ysum,
                            "$Σ_j @p_j = 1$ (step 1)",
                        ),
                        Line(
                            Rational(1, 2) * double(Mul(p[i], p[j], (x[i] - x[j]) ** 2)) * ysum,
                            "expand the square",
                        ),
                        Line(Integer(0), "$@p_i > 0$, squares $≥ 0$ and $@y_k ≥ 0$", relation="≥"),
                    ]
                ],
                assumptions=(ASSUME_LABELS_NONNEGATIVE,),
            ),
        ]


def numeric_loss(f: list, y: list, params: dict, j: int = 0):
    """∂L/∂f_j by central differences at 60 extra digits: its central differences in f_i are H_ij."""
    from mpmath import exp, fsum, log, mp, mpf

    def loss(v: list):
        total = fsum(exp(t) for t in v)
        return -fsum(yk * log(exp(fk) / total) for fk, yk in zip(v, y, strict=True))

    with mp.extradps(60):
        h = mpf("1e-40")
        up, down = list(f), list(f)
        up[j] += h
        down[j] -= h
        return (loss(up) - loss(down)) / (2 * h)


def default_target(ctx: Context, labels: str) -> str:
    return "delta_ij*p_i - p_i*p_j" if labels == "onehot" else "(delta_ij*p_i - p_i*p_j)*sum_j(y_j)"


def claim_lhs(ctx: Context) -> Expr:
    return partial(ctx.L, ctx.f[ctx.i], ctx.f[ctx.j])
