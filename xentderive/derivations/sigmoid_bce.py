"""Binary cross-entropy with logits: p_i = σ(f_i), one independent logit per output; C = 1 is one logit x."""

from __future__ import annotations

from sympy import Expr, exp, log
from sympy.core.parameters import evaluate

from ..context import Context
from ..model import Line, Step
from .softmax_ce import partial

NAME = "sigmoid-bce"
SUMMARY = "sigmoid binary cross-entropy (one logit per output): dL/df_i = p_i - y_i"
CONVENTIONS = (
    "PyTorch's binary_cross_entropy_with_logits(..., reduction='sum'): each output has its own logit and "
    "$@p_i = σ(@f_i) = 1/(1 + e^{-@f_i})$, with no softmax across outputs; $@C = 1$ is the textbook case of "
    "one logit $x$. The labels are each in $[0, 1]$ (multi-label); the gradient needs no $Σ_j @y_j = 1$.",
)


class SigmoidContext(Context):
    """The seed's symbols with the logistic sigmoid per output and the binary cross-entropy per output."""

    def softmax(self, idx: Expr) -> Expr:
        return 1 / (1 + exp(-self.f[idx]))

    def loss_term(self, idx: Expr) -> Expr:
        return -(self.y[idx] * log(self.p[idx]) + (1 - self.y[idx]) * log(1 - self.p[idx]))


make_context = SigmoidContext


def steps(ctx: Context, labels: str) -> list[Step]:
    """Definitions, the chain rule (which collapses: p_j holds f_j only), and the two derivatives."""
    i, j, f, y, p, Lj, L = ctx.i, ctx.j, ctx.f, ctx.y, ctx.p, ctx.Lj, ctx.L
    with evaluate(False):
        e = exp(-f[i])
        dL_dp = (p[i] - y[i]) / (p[i] * (1 - p[i]))
        return [
            Step(
                "sigmoid",
                "Sigmoid",
                "Definition: the logistic sigmoid maps each logit to a probability on its own.",
                [
                    [Line(p[i]), Line(1 / (1 + e), "definition")],
                    [Line(1 - p[i]), Line(1 - 1 / (1 + e), "definition"), Line(e / (1 + e), "common denominator")],
                ],
            ),
            Step(
                "loss",
                "Binary cross-entropy",
                "Definition, with log the natural logarithm; $L_j$ is the term of output $j$.",
                [
                    [
                        Line(L),
                        Line(-ctx.sum_over(y[j] * log(p[j]) + (1 - y[j]) * log(1 - p[j]), j), "definition"),
                        Line(ctx.sum_over(Lj[j], j), "$L_j = -(@y_j log @p_j + (1 - @y_j) log(1 - @p_j))$"),
                    ]
                ],
            ),
            Step(
                "chain-rule",
                "Chain rule",
                "The chain rule sums over $j$, but $@p_j$ holds $@f_j$ alone, so only the term $j = i$ remains.",
                [
                    [
                        Line(partial(L, f[i])),
                        Line(ctx.sum_over(partial(Lj[j], p[j]) * partial(p[j], f[i]), j), "chain rule"),
                        Line(partial(Lj[i], p[i]) * partial(p[i], f[i]), "$∂@p_j/∂@f_i = 0$ for $j ≠ i$"),
                    ]
                ],
            ),
            Step(
                "dL-dp",
                "Derivative of one loss term",
                "$∂ log @p/∂@p = 1/@p$ and $∂ log(1 - @p)/∂@p = -1/(1 - @p)$.",
                [
                    [
                        Line(partial(Lj[i], p[i])),
                        Line(partial(-(y[i] * log(p[i]) + (1 - y[i]) * log(1 - p[i])), p[i]), "definition of $L_i$"),
                        Line(-(y[i] / p[i]) + (1 - y[i]) / (1 - p[i]), "derivative of log"),
                        Line(dL_dp, "common denominator"),
                    ]
                ],
            ),
            Step(
                "sigmoid-derivative",
                "Derivative of the sigmoid",
                "The chain rule on $1/(1 + e^{-@f_i})$, then the fraction split into the two factors of step 1.",
                [
                    [
                        Line(partial(p[i], f[i])),
                        Line(partial(1 / (1 + e), f[i]), "definition of $@p_i$"),
                        Line(e / (1 + e) ** 2, "chain rule"),
                        Line((1 / (1 + e)) * (e / (1 + e)), "split the fraction"),
                        Line(p[i] * (1 - p[i]), "step 1"),
                    ]
                ],
            ),
            Step(
                "combine",
                "Combine",
                "Insert steps 4 and 5 into step 3; $@p_i (1 - @p_i)$ cancels.",
                [
                    [
                        Line(partial(L, f[i])),
                        Line(partial(Lj[i], p[i]) * partial(p[i], f[i]), "step 3"),
                        Line(dL_dp * (p[i] * (1 - p[i])), "steps 4 and 5"),
                        Line(p[i] - y[i], "cancel $@p_i (1 - @p_i)$"),
                    ]
                ],
            ),
        ]


def numeric_loss(f: list, y: list, params: dict):
    from mpmath import exp, fsum, log

    sig = [1 / (1 + exp(-v)) for v in f]
    return -fsum(yk * log(s) + (1 - yk) * log(1 - s) for s, yk in zip(sig, y, strict=True))


def default_target(ctx: Context, labels: str) -> str:
    return "p_i - y_i"


def claim_lhs(ctx: Context) -> Expr:
    return partial(ctx.L, ctx.f[ctx.i])
