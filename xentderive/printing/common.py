"""What every format says the same way: status labels, the one-line summary, options."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Derivation, Status, Step
from .notation import Notation

MARKS = {Status.PROVED: "✓", Status.VERIFIED: "✓", Status.CHECKED: "~", Status.FAILED: "✗", Status.PENDING: "?"}


@dataclass(frozen=True)
class RenderOptions:
    """How to render: notation (symbol names), language, and standalone LaTeX."""

    notation: Notation = field(default_factory=Notation)
    lang: str = "en"
    standalone: bool = False


def status_label(step: Step, derivation: Derivation) -> str:
    """A short status (prose) such as 'proved for every C' or 'verified for C = 3'."""
    classes = derivation.ctx.classes
    return {
        Status.PROVED: "proved for every $@C$",
        Status.VERIFIED: f"verified for $@C = {classes}$",
        Status.CHECKED: "checked for listed $@C$ only",
        Status.FAILED: "failed",
        Status.PENDING: "not checked",
    }[step.status]


def summary(derivation: Derivation) -> str:
    """One line (prose) that says what the run established, and nothing more."""
    steps = derivation.all_steps
    failed = [s for s in steps if s.status is Status.FAILED]
    if failed:
        names = ", ".join(f"'{s.title}'" for s in failed)  # titles are prose too
        return f"✗ Verification failed: {len(failed)} of {len(steps)} steps failed ({names})."
    checked = [s for s in steps if s.status is Status.CHECKED]
    if checked:
        names = ", ".join(f"'{s.title}'" for s in checked)
        return (
            f"~ Proof incomplete: {len(checked)} of {len(steps)} steps are only checked for listed values "
            f"of $@C$ ({names}); the others are proved for every $@C$."
        )
    if derivation.ctx.symbolic:
        return f"✓ Proved for every $@C ≥ 1$ and every $i$: all {len(steps)} steps are symbolic identities."
    return f"✓ Verified exactly for $@C = {derivation.ctx.classes}$ and every $i$: all {len(steps)} steps hold."
