"""What a derivation provides, as one record: a module's names, or a custom loss's engine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from sympy import Expr

from ..context import Context
from ..model import Step
from ..params import Param


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
    default_claim: Callable[[Context, str], Expr] | None = None  # the closed form as an expression (the engine's)

    @classmethod
    def from_module(cls, module: ModuleType) -> DerivationSpec:
        if hasattr(module, "LOSS"):  # a loss written as an expression: the engine builds its steps
            from .engine import spec_of

            return spec_of(module.LOSS)
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
