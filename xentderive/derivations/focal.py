"""Multi-class focal loss: L = -Σ y_j (1 - p_j)^γ log p_j (Lin et al., 2017), without the α weights."""

from __future__ import annotations

from sympy import Expr, IndexedBase, log
from sympy.core.parameters import evaluate

from ..context import Context
from ..model import Line, Step
from ..params import Param
from . import softmax_ce
from .softmax_ce import partial

NAME = "focal"
SUMMARY = (
    "focal loss -Σ y_j (1-p_j)^gamma log p_j: dL/df_i = p_i·Σ_j g_j - g_i, "
    "g_j = y_j (1-p_j)^(gamma-1) (1 - p_j - gamma·p_j·log p_j)"
)
PARAMS = (Param("gamma", "the focusing parameter", "0 ≤ gamma ≤ 10", lambda v: 0 <= v <= 10, "2", low="0", high="10"),)
CONVENTIONS = (
    "The focal loss of Lin et al. (2017) over softmax probabilities, $L = -Σ_j @y_j (1 - @p_j)^γ log @p_j$, "
    "without the class weights $α$ (see weighted-ce for those); $γ = 0$ gives back the cross-entropy.",
    "$g_j = @y_j (1 - @p_j)^{γ - 1} (1 - @p_j - γ @p_j log @p_j)$ is a name for this printout only: every line "
    "is checked with its definition inserted.",
    "Stated for $@C ≥ 2$, where $0 < @p_j < 1$: at $@C = 1$, $1 - @p_0 = 0$, the loss is identically 0 and the "
    "closed form has $0^{γ - 1}$, which has no value for $γ < 1$.",
)
MIN_CLASSES = (2, "with one class 1 - p_0 = 0, the loss is identically 0 and the closed form has 0^(gamma-1)")


class FocalContext(Context):
    """The seed's softmax with the focal loss term, and the display symbol g_j for its derivative's weight."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.g = IndexedBase("g", real=True)

    def extra_meanings(self) -> dict:
        gamma, p, y = self.params["gamma"], self.p, self.y
        return {self.g: lambda idx: y[idx] * (1 - p[idx]) ** (gamma - 1) * (1 - p[idx] - gamma * p[idx] * log(p[idx]))}

    def loss_term(self, idx: Expr) -> Expr:
        return -self.y[idx] * (1 - self.p[idx]) ** self.params["gamma"] * log(self.p[idx])


make_context = FocalContext


def steps(ctx: FocalContext, labels: str) -> list[Step]:
    """The seed's chain rule with the focal term; its derivative names the weight g_j."""
    j, y, p, g, Lj, L = ctx.j, ctx.y, ctx.p, ctx.g, ctx.Lj, ctx.L
    gamma = ctx.params["gamma"]
    seed = {s.key: s for s in softmax_ce.steps(ctx, labels)}
    with evaluate(False):
        focal_j = -(y[j] * (1 - p[j]) ** gamma * log(p[j]))
        return [
            seed["softmax"],
            Step(
                "loss",
                "Focal loss",
                "Definition: the factor $(1 - @p_j)^γ$ shrinks the loss of classes already predicted well.",
                [
                    [
                        Line(L),
                        Line(-ctx.sum_over(y[j] * (1 - p[j]) ** gamma * log(p[j]), j), "definition"),
                        Line(ctx.sum_over(Lj[j], j), "$L_j = -@y_j (1 - @p_j)^γ log @p_j$"),
                    ]
                ],
            ),
            seed["chain-rule"],
            Step(
                "dL-dp",
                "Derivative of one loss term",
                "The product rule on $(1 - @p_j)^γ · log @p_j$, then the common factor $(1 - @p_j)^{γ - 1}$ "
                "taken out; $g_j$ names what remains.",
                [
                    [
                        Line(partial(Lj[j], p[j])),
                        Line(partial(focal_j, p[j]), "definition of $L_j$"),
                        Line(
                            -(y[j] * (1 - p[j]) ** gamma / p[j]) + gamma * y[j] * (1 - p[j]) ** (gamma - 1) * log(p[j]),
                            "product rule",
                        ),
                        Line(
                            -(y[j] * (1 - p[j]) ** (gamma - 1) * (1 - p[j] - gamma * p[j] * log(p[j])) / p[j]),
                            "factor out $(1 - @p_j)^{γ - 1}/@p_j$",
                        ),
                        Line(-(g[j] / p[j]), "$g_j = @y_j (1 - @p_j)^{γ - 1} (1 - @p_j - γ @p_j log @p_j)$"),
                    ]
                ],
            ),
            seed["jacobian"],
            softmax_ce.combine_step(ctx, lambda m: g[m], "$Σ_j g_j δ_{ij} = g_i$"),
        ]


def numeric_loss(f: list, y: list, params: dict):
    from mpmath import exp, fsum, log

    gamma = params["gamma"]
    total = fsum(exp(v) for v in f)
    probs = [exp(v) / total for v in f]
    return -fsum(yk * (1 - pk) ** gamma * log(pk) for pk, yk in zip(probs, y, strict=True))


def _g(idx: str) -> str:
    return f"y_{idx}*(1 - p_{idx})^(gamma - 1)*(1 - p_{idx} - gamma*p_{idx}*log(p_{idx}))"


def default_target(ctx: Context, labels: str) -> str:
    return f"p_i*sum_j({_g('j')}) - {_g('i')}"


claim_lhs = softmax_ce.claim_lhs
