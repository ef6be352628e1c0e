"""The seed: gradient of softmax cross-entropy, in the seed document's order and notation.

Only display expressions are built here (unevaluated, so each line shows what the
seed shows); `verify` checks every link against the definitions in `Context`.
"""

from __future__ import annotations

from collections.abc import Callable

from sympy import Add, Derivative, Expr, Integer, KroneckerDelta, exp, log
from sympy.core.parameters import evaluate

from ..context import Context
from ..model import Line, Step
from ..semantics import ASSUME_J_NE_I, ASSUME_LABEL_SUM

NAME = "softmax-ce"
SUMMARY = "softmax cross-entropy: dL/df_i = p_i - y_i"


def partial(expr: Expr, *variables: Expr) -> Derivative:
    """The derivative as displayed, unevaluated: verification gives it its meaning."""
    return Derivative(expr, *variables, evaluate=False)


def quotient_rule_opening(ctx: Context, idx: Expr, numerator: Expr, S: Expr | None = None) -> list[Line]:
    """How every softmax-derivative chain starts: ∂p_idx/∂f_i, the definition, the quotient rule.

    `S` is the denominator as shown (default: the context's Σ_k e^{f_k}). Call it under
    evaluate(False), like every display expression.
    """
    f, i = ctx.f, ctx.i
    S = ctx.S if S is None else S
    return [
        Line(partial(ctx.p[idx], f[i])),
        Line(partial(numerator / S, f[i]), f"definition of $@p_{idx}$"),
        Line((partial(numerator, f[i]) * S - numerator * partial(S, f[i])) / S**2, "quotient rule"),
    ]


def steps(ctx: Context, labels: str) -> list[Step]:
    """The seed's steps, plus the general softmax derivative that joins its two cases.

    Soft labels stop before Σ_j y_j = 1.
    """
    i, j, f, y, p, Lj, L = ctx.i, ctx.j, ctx.f, ctx.y, ctx.p, ctx.Lj, ctx.L
    S = ctx.S
    with evaluate(False):
        e_i, e_j = exp(f[i]), exp(f[j])
        delta = KroneckerDelta(i, j)
        dLj = partial(Lj[j], p[j])
        term = dLj * partial(p[j], f[i])
        out = [
            Step(
                "softmax",
                "Softmax",
                "Definition: the softmax turns the logits $@f_0 … @f_{@C-1}$ into probabilities that sum to one.",
                [
                    [Line(p[i]), Line(e_i / S, "definition")],
                    [Line(ctx.sum_over(p[j], j)), Line(Integer(1), "the numerators add up to the denominator")],
                ],
            ),
            Step(
                "loss",
                "Cross-entropy loss",
                "Definition, with log the natural logarithm; $L_j = -@y_j log @p_j$ is the term of class $j$.",
                [
                    [
                        Line(L),
                        Line(
                            -ctx.sum_over(y[ctx.k] * log(p[ctx.k]), ctx.k), "definition"
                        ),  # not i: the free index later
                        Line(ctx.sum_over(Lj[j], j), "rename the summation index; $L_j = -@y_j log @p_j$"),
                    ]
                ],
            ),
            Step(
                "chain-rule",
                "Chain rule over a new index $j$",
                "Every $@p_j$ depends on every $@f_i$ (the softmax denominator holds them all) and $L_j$ holds only "
                "$@p_j$, so the chain rule sums over a new index $j$.",
                [[Line(partial(L, f[i])), Line(ctx.sum_over(term, j), "chain rule")]],
            ),
            Step(
                "dL-dp",
                "Derivative of one loss term",
                "log is the natural logarithm, so $∂ log @p / ∂@p = 1/@p$.",
                [
                    [
                        Line(dLj),
                        Line(partial(-(y[j] * log(p[j])), p[j]), "definition of $L_j$"),
                        Line(-(y[j] / p[j]), "$∂ log @p / ∂@p = 1/@p$"),
                    ]
                ],
            ),
            Step(
                "jacobian",
                "Both cases at once: the softmax derivative",
                "The quotient rule with $∂e^{@f_j}/∂@f_i = δ_{ij} e^{@f_j}$ and $∂(Σ_k e^{@f_k})/∂@f_i = e^{@f_i}$; "
                "the Kronecker delta $δ_{ij}$ is 1 when $j = i$ and 0 otherwise.",
                [
                    [
                        *quotient_rule_opening(ctx, j, e_j),
                        Line((delta * e_j * S - e_j * e_i) / S**2, "both derivatives"),
                        Line(p[j] * (delta - p[i]), "definition of $@p_i$ and $@p_j$"),
                    ]
                ],
            ),
            Step(
                "case-j-eq-i",
                "Case $j = i$: quotient rule",
                "The quotient rule $(u/v)′ = (u′v - uv′)/v²$, "
                "with $(e^{@f_i})′ = e^{@f_i}$ and $(Σ_k e^{@f_k})′ = e^{@f_i}$.",
                [
                    [
                        *quotient_rule_opening(ctx, i, e_i),
                        Line((e_i * S - e_i**2) / S**2, "both derivatives equal $e^{@f_i}$"),
                        Line(e_i / S - (e_i / S) ** 2, "split the fraction"),
                        Line(p[i] - p[i] ** 2, "definition of $@p_i$"),
                        Line(p[i] * (1 - p[i]), "factor"),
                    ],
                    [
                        Line(partial(p[i], f[i])),
                        Line(p[i] * (KroneckerDelta(i, i, evaluate=False) - p[i]), "the general form with $j = i$"),
                        Line(p[i] * (1 - p[i]), "$δ_{ii} = 1$"),
                    ],
                ],
            ),
            Step(
                "case-j-ne-i",
                "Case $j ≠ i$",
                "The quotient rule again; now $e^{@f_j}$ does not depend on $@f_i$, so its derivative is 0.",
                [
                    [
                        *quotient_rule_opening(ctx, j, e_j),
                        Line(-((e_i * e_j) / S**2), "$(e^{@f_j})′ = 0$ and $(Σ_k e^{@f_k})′ = e^{@f_i}$"),
                        Line(-(e_i / S) * (e_j / S), "split the fraction"),
                        Line(-(p[i] * p[j]), "definition of $@p_i$ and $@p_j$"),
                    ],
                    [
                        Line(partial(p[j], f[i])),
                        Line(p[j] * (delta - p[i]), "the general form"),
                        Line(-(p[i] * p[j]), "$δ_{ij} = 0$ for $j ≠ i$"),
                    ],
                ],
                assumptions=(ASSUME_J_NE_I,),
                remarks=["For $@C = 1$ there is no $j ≠ i$: this case is empty."] if ctx.classes == 1 else [],
            ),
            Step(
                "combine",
                "Combine the two cases",
                "Split the chain-rule sum into its $j = i$ term and the rest, then insert steps 4, 6 and 7.",
                [
                    [
                        Line(partial(L, f[i])),
                        Line(ctx.sum_over(term, j), "chain rule (step 3)"),
                        Line(
                            partial(Lj[i], p[i]) * partial(p[i], f[i]) + ctx.sum_except(term, j, i),
                            "split off the term $j = i$",
                        ),
                        Line(
                            -(y[i] / p[i]) * (p[i] * (1 - p[i]))
                            + ctx.sum_except(-(p[i] * p[j]) * -(y[j] / p[j]), j, i),
                            "steps 4, 6 and 7",
                        ),
                        Line(-(y[i] * (1 - p[i])) + ctx.sum_except(p[i] * y[j], j, i), "cancel $@p_i$ and $@p_j$"),
                        Line(Add(y[i] * p[i], -y[i], ctx.sum_except(p[i] * y[j], j, i)), "multiply out"),
                        Line(
                            ctx.sum_over(p[i] * y[j], j) - y[i],
                            "the sum over $j ≠ i$ lacked exactly the term $j = i$, $@p_i @y_i$",
                        ),
                        Line(p[i] * ctx.sum_over(y[j], j) - y[i], "$@p_i$ does not depend on $j$"),
                    ]
                ],
            ),
        ]
        if labels == "onehot":
            out.append(label_sum_step(p[i] * ctx.sum_over(y[j], j) - y[i], p[i] - y[i]))
    return out


def numeric_loss(f: list, y: list, params: dict):
    """L at mpmath numbers, straight from the definition (the numeric witness's reference)."""
    from mpmath import exp, fsum, log

    total = fsum(exp(v) for v in f)
    return -fsum(yk * log(exp(fk) / total) for fk, yk in zip(f, y, strict=True))


def combine_step(ctx: Context, a: Callable[[Expr], Expr], picked: str) -> Step:
    """The last step of every loss whose term has ∂L_j/∂p_j = -a_j/p_j (weighted, focal, …):
    the chain rule with the softmax derivative gives ∂L/∂f_i = p_i Σ_j a_j - a_i.

    `picked` is the note for the delta sum, e.g. "$Σ_j g_j δ_{ij} = g_i$".
    """
    i, j, f, p, Lj = ctx.i, ctx.j, ctx.f, ctx.p, ctx.Lj
    with evaluate(False):
        delta = KroneckerDelta(i, j)
        return Step(
            "combine",
            "Combine",
            "Insert steps 4 and 5 into the chain rule; the Kronecker delta picks out $j = i$.",
            [
                [
                    Line(partial(ctx.L, f[i])),
                    Line(ctx.sum_over(partial(Lj[j], p[j]) * partial(p[j], f[i]), j), "chain rule (step 3)"),
                    Line(ctx.sum_over(-(a(j) / p[j]) * (p[j] * (delta - p[i])), j), "steps 4 and 5"),
                    Line(-ctx.sum_over(a(j) * (delta - p[i]), j), "cancel $@p_j$"),
                    Line(p[i] * ctx.sum_over(a(j), j) - a(i), picked),
                ]
            ],
        )


def label_sum_step(before: Expr, after: Expr) -> Step:
    """The last step of every derivation with labels that sum to one: Σ_j y_j = 1 applied."""
    return Step(
        "label-sum",
        "Labels sum to one",
        "The labels are a probability vector (one-hot or not), so $Σ_j @y_j = 1$.",
        [[Line(before), Line(after, "$Σ_j @y_j = 1$")]],
        assumptions=(ASSUME_LABEL_SUM,),
    )


def default_target(ctx: Context, labels: str) -> str:
    """The closed form this loss proves, in the claim syntax."""
    return "p_i - y_i" if labels == "onehot" else "p_i*sum_j(y_j) - y_i"


def claim_lhs(ctx: Context) -> Expr:
    """The quantity a claim is about: ∂L/∂f_i."""
    return partial(ctx.L, ctx.f[ctx.i])
