"""What every format says the same way: options, translated prose, statuses, the summary."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..i18n import tr, word
from ..model import Derivation, Status, Step
from .notation import Notation, prose

MARKS = {
    Status.PROVED: "✓",
    Status.VERIFIED: "✓",
    Status.CHECKED: "~",
    Status.UNPROVED: "~",
    Status.FAILED: "✗",
    Status.PENDING: "?",
}


@dataclass(frozen=True)
class RenderOptions:
    """How to render: notation (symbol names), language, and standalone LaTeX."""

    notation: Notation = field(default_factory=Notation)
    lang: str = "en"
    standalone: bool = False


@dataclass(frozen=True)
class Words:
    """Prose of one output: translated into `options.lang`, rendered in `style`."""

    options: RenderOptions
    style: str = "text"

    def __call__(self, template: str) -> str:
        """A prose template (English key) translated and rendered."""
        return prose(tr(template, self.options.lang), self.options.notation, style=self.style)

    def word(self, key: str, **values: object) -> str:
        """A fixed phrase (status, headings) translated and rendered."""
        return prose(word(key, self.options.lang, **values), self.options.notation, style=self.style)

    def status(self, step: Step, derivation: Derivation) -> str:
        return self.word(step.status.value, classes=derivation.ctx.classes)

    def remarks(self, step: Step) -> list[str]:
        return [self(r) for r in step.remarks]

    def summary(self, d: Derivation) -> str:
        """One line that says what the run established, and nothing more."""
        steps = d.all_steps
        for test, key in ((lambda s: s is Status.FAILED, "sum-failed"), (Status.unproved.fget, "sum-incomplete")):
            hit = [s for s in steps if test(s.status)]
            if hit:
                names = ", ".join(f"'{tr(s.title, self.options.lang)}'" for s in hit)  # rendered once, below
                return self.word(key, count=len(hit), total=len(steps), names=names)
        if d.ctx.symbolic:
            return self.word("sum-proved", total=len(steps), low=d.ctx.min_classes)
        return self.word("sum-verified", classes=d.ctx.classes, total=len(steps))

    def classes(self, d: Derivation) -> str:
        return self.word("every-c") if d.ctx.symbolic else self(f"$@C = {d.ctx.classes}$")
