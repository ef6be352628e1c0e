"""The registry of derivations: adding a loss is one module plus one line here.

A module provides NAME, SUMMARY, steps(ctx, labels), default_target(ctx, labels),
claim_lhs(ctx) and numeric_loss(f, y, params); optionally PARAMS (parameters with
their valid range), CONVENTIONS (framework conventions worth stating) and
make_context(classes, params) when its definitions differ from the seed's,
FREE_J and RESULT_STEP for a matrix result, MAX_CLASSES and MIN_CLASSES = (limit, reason).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from sympy import Expr

from ..context import Context
from ..model import Step
from ..params import Param
from . import (
    ce_hessian,
    focal,
    label_smoothing,
    log_softmax_nll,
    sigmoid_bce,
    softmax_ce,
    softmax_jacobian,
    temperature,
    weighted_ce,
)


@dataclass(frozen=True)
class DerivationSpec:
    """What a derivation module provides."""

    name: str
    summary: str
    steps: Callable[[Context, str], list[Step]]
    default_target: Callable[[Context, str], str]
    claim_lhs: Callable[[Context], Expr]
    numeric_loss: Callable[[list, list, dict], object]
    params: tuple[Param, ...] = ()
    conventions: tuple[str, ...] = ()
    make_context: Callable[..., Context] = Context
    free_j: bool = False  # the claim is about a matrix (∂p_j/∂f_i), j free like i
    result_step: str | None = None  # the step whose last line is the result (default: the last step)
    max_classes: tuple[int, str] | None = None  # a lower limit on --classes than MAX_CLASSES, and why
    min_classes: tuple[int, str] = (1, "")  # the smallest C the definitions are stated for, and why

    @classmethod
    def from_module(cls, module: ModuleType) -> DerivationSpec:
        return cls(
            module.NAME,
            module.SUMMARY,
            module.steps,
            module.default_target,
            module.claim_lhs,
            module.numeric_loss,
            getattr(module, "PARAMS", ()),
            getattr(module, "CONVENTIONS", ()),
            getattr(module, "make_context", Context),
            getattr(module, "FREE_J", False),
            getattr(module, "RESULT_STEP", None),
            getattr(module, "MAX_CLASSES", None),
            getattr(module, "MIN_CLASSES", (1, "")),
        )


REGISTRY: dict[str, DerivationSpec] = {
    spec.name: spec
    for spec in map(
        DerivationSpec.from_module,
        [
            softmax_ce,
            log_softmax_nll,
            label_smoothing,
            temperature,
            weighted_ce,
            sigmoid_bce,
            focal,
            softmax_jacobian,
            ce_hessian,
        ],
    )
}
