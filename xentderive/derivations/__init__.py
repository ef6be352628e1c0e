"""The registry of derivations: adding a loss is one module plus one line here.

A module provides NAME, SUMMARY, steps(ctx, labels), default_target(ctx, labels),
claim_lhs(ctx) and numeric_loss(f, y, params); optionally PARAMS (parameters with
their valid range), CONVENTIONS (framework conventions worth stating) and
make_context(classes, params) when its definitions differ from the seed's,
FREE_J and RESULT_STEP for a matrix result, MAX_CLASSES and MIN_CLASSES = (limit, reason).
A loss that is only "the generic chain" provides LOSS, a `CustomLoss`, and the engine
(`engine.py`) writes its steps.
"""

from __future__ import annotations

from . import (
    batch_mean,
    ce_hessian,
    focal,
    label_smoothing,
    log_softmax_nll,
    poly1,
    sigmoid_bce,
    softcap,
    softmax_ce,
    softmax_jacobian,
    temperature,
    weighted_ce,
    z_loss,
)
from .spec import DerivationSpec

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
            z_loss,
            softcap,
            poly1,
            batch_mean,
        ],
    )
}

CUSTOM: dict[str, DerivationSpec] = {}
"""Losses defined at run time (--loss-expr, [tool.xentderive.losses.NAME]), by name."""


def spec_for(name: str) -> DerivationSpec | None:
    """The catalogue's derivation, or a custom loss registered under this name; None if neither."""
    return REGISTRY.get(name) or CUSTOM.get(name)


def known() -> list[str]:
    """Every name a --loss may take now."""
    return [*REGISTRY, *CUSTOM]
