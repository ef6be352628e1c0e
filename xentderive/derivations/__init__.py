"""The registry of derivations: adding a loss is one module plus one line here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from sympy import Expr

from ..context import Context
from ..model import Step
from . import softmax_ce


@dataclass(frozen=True)
class DerivationSpec:
    """What a derivation module provides: its steps, its closed form, and the claim's subject."""

    name: str
    summary: str
    steps: Callable[[Context, str], list[Step]]
    default_target: Callable[[Context, str], str]
    claim_lhs: Callable[[Context], Expr]
    numeric_loss: Callable[[list, list], object]

    @classmethod
    def from_module(cls, module: ModuleType) -> DerivationSpec:
        return cls(
            module.NAME, module.SUMMARY, module.steps, module.default_target, module.claim_lhs, module.numeric_loss
        )


REGISTRY: dict[str, DerivationSpec] = {spec.name: spec for spec in map(DerivationSpec.from_module, [softmax_ce])}
