"""Markdown for GitHub and Jupyter: a heading per step, `$$…$$` blocks, a ✓ per step."""

from __future__ import annotations

from .. import __version__
from ..model import Derivation
from .common import MARKS, RenderOptions, Words, vector_equation
from .latex import chain_body
from .notation import latex


def render(d: Derivation, options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    n, w = options.notation, Words(options, "markdown")
    out = [
        f"# {w.title(d)}: {w.classes(d)}",
        "",
        f"*xentderive {__version__}*{d.labels_note(' · labels: ')} · **{w.summary(d)}**",
        "",
        f"**{w.head('assumptions').rstrip()}** " + w.punct("sep").join(w(a) for a in d.assumptions),
        *(f"\n**{w.head('convention').rstrip()}** {w(c)}" for c in d.conventions),
    ]
    for number, step in enumerate(d.all_steps, 1):
        out += [
            "",
            f"## {MARKS[step.status]} {number}. {w(step.title)}",
            "",
            f"{w(step.justification)} *[{w.status(step, d)}]*",
            "",
            "$$",
            "\\begin{aligned}",
            chain_body(step, options),
            "\\end{aligned}",
            "$$",
            "",
            f"<sub>{w.head('method')}{w(step.method)}</sub>",
        ]
        out += ["", *(f"> {r}" for r in w.remarks(step))] if step.remarks else []
    lhs = latex(d.claim.chains[0][0].expr, n)
    out += ["", f"**{w.head('result').rstrip()}** ${lhs} = {latex(d.result, n)}$", ""]
    if d.vector is not None:
        v = d.vector
        shown = vector_equation(v, n, "latex")
        out += [f"**{w.head('vector-form').rstrip()}** ${shown}$ *[{w.vector_status(d)}]*", "",
                f"<sub>{w.head('method')}{w(v.method)}</sub>", ""]  # fmt: skip
    return "\n".join(out)
