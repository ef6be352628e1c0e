"""A compact HTML view for notebooks: a status mark and title per step, the math for MathJax.

Jupyter typesets `$$…$$` in HTML output with MathJax; the markup is well-formed XHTML
(every tag closed, text escaped) so that any parser, and a test, can read it.
"""

from __future__ import annotations

from html import escape

from .. import __version__
from ..model import Derivation
from .common import MARKS, RenderOptions, Words
from .latex import chain_body
from .notation import latex

COLOURS = {"✓": "#1a7f37", "~": "#9a6700", "✗": "#cf222e", "?": "#57606a"}


def render(d: Derivation, options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    n, w = options.notation, Words(options, "markdown")
    out = [
        '<div class="xentderive">',
        f"<p><strong>{escape(w.title(d))}: {escape(w.classes(d))}</strong>"
        f"{escape(d.labels_note(' · labels: '))} · <em>xentderive {__version__}</em></p>",
        f"<p><strong>{escape(w.summary(d))}</strong></p>",
        f"<p><strong>{escape(w.head('assumptions').rstrip())}</strong> "
        f"{escape(w.punct('sep').join(w(a) for a in d.assumptions))}</p>",
        "<ol>",
    ]
    for step in d.all_steps:
        mark = MARKS[step.status]
        out += [
            f'<li class="step" data-key="{escape(step.key)}" data-status="{step.status.value}">',
            f'<span style="color:{COLOURS[mark]}">{mark}</span> <strong>{escape(w(step.title))}</strong>'
            f" <em>[{escape(w.status(step, d))}]</em>",
            f"<div>$$\\begin{{aligned}}{escape(chain_body(step, options))}\\end{{aligned}}$$</div>",
            f"<div><small>{escape(w.head('method'))}{escape(w(step.method))}</small></div>",
            *(f"<div><small>{escape(r)}</small></div>" for r in w.remarks(step)),
            "</li>",
        ]
    lhs = latex(d.claim.chains[0][0].expr, n)
    out += [
        "</ol>",
        f"<p><strong>{escape(w.head('result').rstrip())}</strong> {escape(f'${lhs} = {latex(d.result, n)}$')}</p>",
        "</div>",
    ]
    return "\n".join(out)


def result_math(d: Derivation, options: RenderOptions | None = None) -> str:
    """The derived gradient alone, as math that MathJax renders (`_repr_latex_`)."""
    n = (options or RenderOptions()).notation
    return f"$${latex(d.claim.chains[0][0].expr, n)} = {latex(d.result, n)}$$"
