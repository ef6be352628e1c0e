"""Label smoothing: cross-entropy against t = (1 - eps)·y + eps/C (PyTorch's convention)."""

from __future__ import annotations

from sympy import Derivative, Expr, IndexedBase, log
from sympy.core.parameters import evaluate

from ..context import Context
from ..model import Line, Step
from ..params import Param
from ..semantics import ASSUME_LABEL_SUM
from . import softmax_ce

NAME = "label-smoothing"
SUMMARY = "cross-entropy with smoothed labels t = (1-eps)·y + eps/C: dL/df_i = p_i - t_i"
PARAMS = (Param("eps", "the smoothing", "0 ≤ eps ≤ 1", lambda v: 0 <= v <= 1, "1/10", low="0", high="1"),)
CONVENTIONS = (
    "In PyTorch, cross_entropy with label_smoothing = eps gives every class $eps/@C$, the true class included; "
    "so the target is $(1 - eps) @y_j + eps/@C$, not $eps/(@C - 1)$ spread over the other classes.",
)


class SmoothingContext(Context):
    """The seed's definitions with the labels y replaced by t = (1 - eps)·y + eps/C."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.t = IndexedBase("t", real=True)

    def extra_meanings(self) -> dict:
        eps = self.params["eps"]
        return {self.t: lambda idx: (1 - eps) * self.y[idx] + eps / self.C}

    def loss_term(self, idx: Expr) -> Expr:
        return -self.t[idx] * log(self.p[idx])


make_context = SmoothingContext


def steps(ctx: SmoothingContext, labels: str) -> list[Step]:
    i, j, y, p, t, L, f = ctx.i, ctx.j, ctx.y, ctx.p, ctx.t, ctx.L, ctx.f
    eps, C = ctx.params["eps"], ctx.C
    seed = {s.key: s for s in softmax_ce.steps(ctx, "soft")}
    with evaluate(False):
        out = [
            Step(
                "smoothed-labels",
                "Smoothed labels",
                "Definition: a share $eps$ of the label mass is spread evenly over all $@C$ classes.",
                [
                    [Line(t[j]), Line((1 - eps) * y[j] + eps / C, "definition")],
                    [
                        Line(ctx.sum_over(t[j], j)),
                        Line(ctx.sum_over((1 - eps) * y[j] + eps / C, j), "definition"),
                        Line((1 - eps) * ctx.sum_over(y[j], j) + eps, "$Σ_j 1 = @C$"),
                    ],
                ],
            ),
            seed["softmax"],
            Step(
                "loss",
                "Cross-entropy against the smoothed labels",
                "Definition: the cross-entropy with $t$ in place of $@y$.",
                [[Line(L), Line(-ctx.sum_over(t[j] * log(p[j]), j), "definition")]],
            ),
            Step(
                "gradient",
                "Gradient",
                "The seed's derivation holds for any labels, not only one-hot ones: here they are $t$.",
                [
                    [
                        Line(Derivative(L, f[i], evaluate=False)),
                        Line(p[i] * ctx.sum_over(t[j], j) - t[i], "the seed with labels $t$"),
                        Line(p[i] * ((1 - eps) * ctx.sum_over(y[j], j) + eps) - t[i], "step 1"),
                    ]
                ],
            ),
        ]
        if labels == "onehot":
            out.append(
                Step(
                    "label-sum",
                    "Labels sum to one",
                    "The labels are a probability vector, so $Σ_j @y_j = 1$ and then $Σ_j t_j = 1$ too.",
                    [
                        [
                            Line(p[i] * ((1 - eps) * ctx.sum_over(y[j], j) + eps) - t[i]),
                            Line(p[i] - t[i], "$Σ_j @y_j = 1$"),
                            Line(p[i] - (1 - eps) * y[i] - eps / C, "definition of $t_i$"),
                        ]
                    ],
                    assumptions=(ASSUME_LABEL_SUM,),
                )
            )
    return out


def numeric_loss(f: list, y: list, params: dict):
    from mpmath import exp, fsum, log

    eps, C = params["eps"], len(f)
    total = fsum(exp(v) for v in f)
    return -fsum(((1 - eps) * yk + eps / C) * log(exp(fk) / total) for fk, yk in zip(f, y, strict=True))


def default_target(ctx: Context, labels: str) -> str:
    if labels == "onehot":
        return "p_i - ((1 - eps)*y_i + eps/C)"
    return "p_i*((1 - eps)*sum_j(y_j) + eps) - ((1 - eps)*y_i + eps/C)"


claim_lhs = softmax_ce.claim_lhs
