"""The softmax Jacobian ∂p_j/∂f_i = p_j(δ_ij - p_i) for every i and j, i.e. diag(p) - p pᵀ."""

from __future__ import annotations

from sympy import Derivative, Expr

from ..context import Context
from ..model import Step
from . import softmax_ce

NAME = "softmax-jacobian"
SUMMARY = "∂p_j/∂f_i = p_j(δ_ij - p_i) for all i, j (diag(p) - p pᵀ)"
FREE_J = True
RESULT_STEP = "jacobian"  # the general form, not the j ≠ i case that comes last
CONVENTIONS = (
    "Row $i$, column $j$ is $∂@p_j/∂@f_i$; the matrix is symmetric, so the other convention gives the same.",
)


def steps(ctx: Context, labels: str) -> list[Step]:
    """The seed's softmax steps: the definition, the general derivative and its two cases."""
    keep = ("softmax", "jacobian", "case-j-eq-i", "case-j-ne-i")
    return [s for s in softmax_ce.steps(ctx, labels) if s.key in keep]


def numeric_loss(f: list, y: list, params: dict, j: int = 0):
    """p_j: its central differences in f_i are the Jacobian's entries (i, j)."""
    from mpmath import exp, fsum

    return exp(f[j]) / fsum(exp(v) for v in f)


def default_target(ctx: Context, labels: str) -> str:
    return "p_j*(delta_ij - p_i)"


def claim_lhs(ctx: Context) -> Expr:
    return Derivative(ctx.p[ctx.j], ctx.f[ctx.i], evaluate=False)
