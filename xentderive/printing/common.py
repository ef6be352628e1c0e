"""What every format says the same way: options, translated prose, statuses, the summary."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..i18n import title, tr, word
from ..model import Derivation, Status, Step
from .notation import Notation, latex, prose, text

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
    layout: str = "wide"  # LaTeX: notes beside the line (wide) or under it (narrow, two columns)
    equations_only: bool = False  # LaTeX: only the numbered align environments
    labels_prefix: str = ""  # LaTeX --equations-only: \label prefix (default eq:<loss>)
    tags: bool = False  # LaTeX --equations-only: \tag each step with its number, as the printout numbers it


@dataclass(frozen=True)
class Words:
    """Prose of one output: translated into `options.lang`, rendered in `style`."""

    options: RenderOptions
    style: str = "text"

    def __call__(self, template: str, *, keep_math: bool = False) -> str:
        """A prose template (English key) translated and rendered.

        keep_math (text only): a formula's spaces become NUL, so a wrapper keeps it whole.
        """
        return prose(tr(template, self.options.lang), self.options.notation, style=self.style, keep_math=keep_math)

    def word(self, key: str, **values: object) -> str:
        """A fixed phrase (status, headings) translated and rendered."""
        return prose(word(key, self.options.lang, **values), self.options.notation, style=self.style)

    def punct(self, key: str) -> str:
        """The language's own punctuation: "colon" (": " or "："), "stop", "sep" (between list items)."""
        return word(key, self.options.lang)

    def head(self, key: str) -> str:
        """A fixed phrase as a lead-in: "Assumptions: ", "假设：" (full-width, no space after it)."""
        return self.word(key) + self.punct("colon")

    def title(self, d: Derivation) -> str:
        """The document's title, e.g. "Jacobian of the softmax"."""
        return prose(title(d.loss, self.options.lang), self.options.notation, style=self.style)

    def vector_status(self, d: Derivation) -> str:
        """How far the vector form holds: as far as the index form it restates."""
        return self.word(d.vector.status.value, classes=d.ctx.classes)

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


def vector_equation(vector, notation: Notation, style: str = "text", relation: str = "=") -> str:
    """--form vector's line, e.g. ∇_f L = p - y (`relation` "&=" for an alignment)."""
    shown = latex(vector.expr, notation) if style == "latex" else text(vector.expr, notation)
    return f"{vector_lhs(vector.kind, notation, style)} {relation} {shown}"


def vector_lhs(kind: str, notation: Notation, style: str = "text") -> str:
    """∇_f L, ∂p/∂f or ∇²_f L (LaTeX with bold vectors when style is "latex")."""
    if style == "latex":
        f = rf"\boldsymbol{{{notation.latex_name('f')}}}"
        p, loss = rf"\boldsymbol{{{notation.latex_name('p')}}}", notation.latex_name("L")
        return {
            "gradient": rf"\nabla_{{{f}}} {loss}",
            "jacobian": rf"\frac{{\partial {p}}}{{\partial {f}}}",
            "hessian": rf"\nabla^{{2}}_{{{f}}} {loss}",
        }[kind]
    names = notation.rename
    f, p, loss = names["f"], names["p"], names["L"]
    return {"gradient": f"∇_{f} {loss}", "jacobian": f"∂{p}/∂{f}", "hessian": f"∇²_{f} {loss}"}[kind]
