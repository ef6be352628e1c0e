"""Class-weighted cross-entropy: L = -Σ w_j y_j log p_j (PyTorch's `weight`, sum reduction)."""

from __future__ import annotations

from sympy import Expr, IndexedBase, log
from sympy.core.parameters import evaluate

from ..context import Context
from ..model import Line, Step
from ..params import Param
from . import softmax_ce
from .softmax_ce import partial

NAME = "weighted-ce"
SUMMARY = "class-weighted cross-entropy: dL/df_i = p_i·Σ_j w_j y_j - w_i y_i"
PARAMS = (Param("w", "the weight of each class", "w_m ≥ 0", lambda v: v >= 0, "1", per_class=True, low="0"),)
CONVENTIONS = (
    "PyTorch's cross_entropy(..., weight=w, reduction='sum'): the term of class $j$ is scaled by $w_j$. "
    "With reduction='mean' and class-index targets PyTorch also divides by the summed weights of the targets, "
    "which is not included here.",
    "Weights without a given value stay unknowns, so the proof holds for every weight vector.",
)


class WeightedContext(Context):
    """The seed's definitions with a weight w_j on the loss term of class j."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.w = IndexedBase("w", nonnegative=True)  # the stated range: w_m ≥ 0

    def class_inputs(self) -> tuple[IndexedBase, ...]:
        return (*super().class_inputs(), self.w)

    def fixed_inputs(self) -> dict[Expr, Expr]:
        return {self.w[int(name[1:])]: v for name, v in self.params.items() if name[1:].isdigit()}

    def claim_vectors(self) -> dict[str, IndexedBase]:
        return {"w": self.w}

    def loss_term(self, idx: Expr) -> Expr:
        return -self.w[idx] * self.y[idx] * log(self.p[idx])


make_context = WeightedContext


def steps(ctx: WeightedContext, labels: str) -> list[Step]:
    """The seed's chain rule with weighted loss terms; no Σ_j y_j = 1 step, since Σ_j w_j y_j stays."""
    j, y, p, w, Lj, L = ctx.j, ctx.y, ctx.p, ctx.w, ctx.Lj, ctx.L
    seed = {s.key: s for s in softmax_ce.steps(ctx, labels)}
    with evaluate(False):
        return [
            seed["softmax"],
            Step(
                "loss",
                "Weighted cross-entropy",
                "Definition: class $j$'s term $L_j = -w_j @y_j log @p_j$ carries the weight $w_j$.",
                [
                    [
                        Line(L),
                        Line(-ctx.sum_over(w[j] * y[j] * log(p[j]), j), "definition"),
                        Line(ctx.sum_over(Lj[j], j), "$L_j = -w_j @y_j log @p_j$"),
                    ]
                ],
            ),
            seed["chain-rule"],
            Step(
                "dL-dp",
                "Derivative of one loss term",
                "The weight is a constant factor; $∂ log @p/∂@p = 1/@p$.",
                [
                    [
                        Line(partial(Lj[j], p[j])),
                        Line(partial(-(w[j] * y[j] * log(p[j])), p[j]), "definition of $L_j$"),
                        Line(-(w[j] * y[j] / p[j]), "$∂ log @p / ∂@p = 1/@p$"),
                    ]
                ],
            ),
            seed["jacobian"],
            softmax_ce.combine_step(ctx, lambda m: w[m] * y[m], "$Σ_j w_j @y_j δ_{ij} = w_i @y_i$"),
        ]


def numeric_loss(f: list, y: list, params: dict):
    from mpmath import exp, fsum, log

    total = fsum(exp(v) for v in f)
    return -fsum(wk * yk * log(exp(fk) / total) for fk, yk, wk in zip(f, y, params["w"], strict=True))


def default_target(ctx: Context, labels: str) -> str:
    return "p_i*sum_j(w_j*y_j) - w_i*y_i"


claim_lhs = softmax_ce.claim_lhs
