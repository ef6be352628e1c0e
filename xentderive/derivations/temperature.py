"""Softmax with temperature: p = softmax(f/T), L = -Σ y log p, gradient with respect to the raw f."""

from __future__ import annotations

from sympy import Expr, KroneckerDelta, exp
from sympy.core.parameters import evaluate

from ..context import Context
from ..model import Line, Step
from ..params import Param
from . import softmax_ce
from .softmax_ce import partial

NAME = "temperature"
SUMMARY = "softmax(f/T) cross-entropy: dL/df_i = (p_i - y_i)/T"
PARAMS = (Param("T", "the temperature", "T > 0", lambda v: v > 0, "3/2", positive=True, low="0", low_open=True),)
CONVENTIONS = (
    "The logits are divided by $T$ before the softmax (as in knowledge distillation); the gradient is taken "
    "with respect to the raw logits $@f$, hence the factor $1/T$. Distillation losses often multiply by $T^2$ "
    "to undo it; that factor is not included here.",
)


class TemperatureContext(Context):
    """The seed's definitions with e^{f_k/T} in place of e^{f_k}."""

    def exponent(self, idx: Expr) -> Expr:
        return self.f[idx] / self.params["T"]


make_context = TemperatureContext


def steps(ctx: Context, labels: str) -> list[Step]:
    """The seed's steps with the temperature: the softmax derivative gains a factor 1/T."""
    i, j, f, y, p, Lj, L, T = ctx.i, ctx.j, ctx.f, ctx.y, ctx.p, ctx.Lj, ctx.L, ctx.params["T"]
    S = ctx.S
    seed = {s.key: s for s in softmax_ce.steps(ctx, labels)}
    with evaluate(False):
        e_i, e_j = exp(f[i] / T), exp(f[j] / T)
        delta = KroneckerDelta(i, j)
        term = partial(Lj[j], p[j]) * partial(p[j], f[i])
        out = [
            Step(
                "softmax",
                "Softmax with temperature",
                "Definition: the logits are divided by the temperature $T$ before the softmax.",
                [[Line(p[i]), Line(e_i / S, "definition")], seed["softmax"].chains[1]],
            ),
            seed["loss"],
            seed["chain-rule"],
            seed["dL-dp"],
            Step(
                "jacobian",
                "The softmax derivative, with temperature",
                "The quotient rule with $∂e^{@f_j/T}/∂@f_i = δ_{ij} e^{@f_j/T}/T$ and $∂(Σ_k e^{@f_k/T})/∂@f_i = "
                "e^{@f_i/T}/T$.",
                [
                    [
                        *softmax_ce.quotient_rule_opening(ctx, j, e_j),
                        Line((delta * e_j * S / T - e_j * e_i / T) / S**2, "both derivatives"),
                        Line(p[j] * (delta - p[i]) / T, "definition of $@p_i$ and $@p_j$"),
                    ]
                ],
            ),
            Step(
                "combine",
                "Combine",
                "Insert steps 4 and 5 into the chain rule; the Kronecker delta picks out $j = i$.",
                [
                    [
                        Line(partial(L, f[i])),
                        Line(ctx.sum_over(term, j), "chain rule (step 3)"),
                        Line(ctx.sum_over(-(y[j] / p[j]) * (p[j] * (delta - p[i]) / T), j), "steps 4 and 5"),
                        Line(-ctx.sum_over(y[j] * (delta - p[i]), j) / T, "cancel $@p_j$"),
                        Line((p[i] * ctx.sum_over(y[j], j) - y[i]) / T, "$Σ_j @y_j δ_{ij} = @y_i$"),
                    ]
                ],
            ),
        ]
        if labels == "onehot":
            out.append(softmax_ce.label_sum_step((p[i] * ctx.sum_over(y[j], j) - y[i]) / T, (p[i] - y[i]) / T))
    return out


def numeric_loss(f: list, y: list, params: dict):
    from mpmath import exp, fsum, log

    T = params["T"]
    total = fsum(exp(v / T) for v in f)
    return -fsum(yk * log(exp(fk / T) / total) for fk, yk in zip(f, y, strict=True))


def default_target(ctx: Context, labels: str) -> str:
    return "(p_i - y_i)/T" if labels == "onehot" else "(p_i*sum_j(y_j) - y_i)/T"


claim_lhs = softmax_ce.claim_lhs
