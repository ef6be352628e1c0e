"""Negative log-likelihood of the log-softmax, through the log-softmax's own derivative."""

from __future__ import annotations

from sympy import Expr, IndexedBase, KroneckerDelta, exp, log
from sympy.core.parameters import evaluate

from ..context import Context
from ..model import Line, Step
from . import softmax_ce
from .softmax_ce import partial

NAME = "log-softmax-nll"
SUMMARY = "NLL of log_softmax(f): dL/df_i = p_i - y_i, via ∂s_j/∂f_i = δ_ij - p_i"
CONVENTIONS = (
    "PyTorch: nll_loss(log_softmax(f), y) with reduction='sum' is this $L$ for one-hot $@y$; "
    "cross_entropy fuses the two and has the same gradient.",
)


class LogSoftmaxContext(Context):
    """Adds the log-softmax s_j = f_j - log Σ_k e^{f_k} and writes L_j = -y_j s_j."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.s = IndexedBase("s", real=True)

    def extra_meanings(self) -> dict:
        return {self.s: lambda idx: self.exponent(idx) - log(self.S)}

    def loss_term(self, idx: Expr) -> Expr:
        return -self.y[idx] * self.s[idx]


make_context = LogSoftmaxContext


def steps(ctx: LogSoftmaxContext, labels: str) -> list[Step]:
    i, j, f, y, p, s, L = ctx.i, ctx.j, ctx.f, ctx.y, ctx.p, ctx.s, ctx.L
    S = ctx.S
    with evaluate(False):
        delta = KroneckerDelta(i, j)
        out = [
            Step(
                "log-softmax",
                "Log-softmax",
                "Definition: $s_j = log @p_j$, computed as $@f_j - log Σ_k e^{@f_k}$ without forming $@p$.",
                [
                    [Line(s[j]), Line(f[j] - log(S), "definition"), Line(log(exp(f[j]) / S), "log of a quotient")],
                    [Line(s[j]), Line(log(p[j]), "so $s_j = log @p_j$")],
                ],
            ),
            Step(
                "loss",
                "Negative log-likelihood",
                "Definition: the loss is minus the label-weighted log-probabilities.",
                [[Line(L), Line(-ctx.sum_over(y[j] * s[j], j), "definition")]],
            ),
            Step(
                "dlogsoftmax",
                "Derivative of the log-softmax",
                "$∂@f_j/∂@f_i = δ_{ij}$ and $∂ log(Σ_k e^{@f_k})/∂@f_i = e^{@f_i}/Σ_k e^{@f_k}$.",
                [
                    [
                        Line(partial(s[j], f[i])),
                        Line(partial(f[j] - log(S), f[i]), "definition of $s_j$"),
                        Line(delta - partial(S, f[i]) / S, "chain rule for log"),
                        Line(delta - exp(f[i]) / S, "$(Σ_k e^{@f_k})′ = e^{@f_i}$"),
                        Line(delta - p[i], "definition of $@p_i$"),
                    ]
                ],
            ),
            Step(
                "combine",
                "Chain rule",
                "$L$ is linear in the $s_j$; the Kronecker delta picks out $j = i$.",
                [
                    [
                        Line(partial(L, f[i])),
                        Line(-ctx.sum_over(y[j] * partial(s[j], f[i]), j), "linearity"),
                        Line(-ctx.sum_over(y[j] * (delta - p[i]), j), "step 3"),
                        Line(p[i] * ctx.sum_over(y[j], j) - y[i], "$Σ_j @y_j δ_{ij} = @y_i$"),
                    ]
                ],
            ),
        ]
        if labels == "onehot":
            out.append(softmax_ce.label_sum_step(p[i] * ctx.sum_over(y[j], j) - y[i], p[i] - y[i]))
    return out


def numeric_loss(f: list, y: list, params: dict):
    from mpmath import exp, fsum, log

    log_total = log(fsum(exp(v) for v in f))
    return -fsum(yk * (fk - log_total) for fk, yk in zip(f, y, strict=True))


default_target = softmax_ce.default_target
claim_lhs = softmax_ce.claim_lhs
