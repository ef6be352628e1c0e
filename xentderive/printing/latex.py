"""LaTeX for papers: amsmath only, every formula broken to fit a column.

Layouts: `wide`, for one-column pages, keeps each note beside its line, in a \\parbox
tag at the right margin (amsmath sets the tag under the line when both do not fit:
never an overfull box), and breaks formulas to fit a 5.5 in line at 11 pt; `narrow`,
for two-column pages, sets every note under its line and breaks formulas to fit a
3.3 in column at 10 pt. Formulas are broken before they would be wider than the
layout's measure (printing/breaking.py). `--equations-only` gives
just the numbered `align` environments with a `\\label` per step, for Overleaf.

Chinese (--lang zh) uses the CJK package's CJKutf8 with the gbsn font: Debian's
latex-cjk-chinese and latex-cjk-chinese-arphic-gbsn00lp, which .ci/run installs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import __version__
from ..model import Derivation, Line, Step
from .breaking import Breaker, pack
from .common import RenderOptions, Words, vector_equation
from .notation import MathLatexPrinter, latex
from .widths import width


@dataclass(frozen=True)
class Layout:
    """Where the notes go and how wide (em) a row of a formula may be."""

    name: str
    measure: float  # em (of 10 pt) available to a formula: a 3.3 in column at 10 pt is 23.8 em, 5.5 in at 11 pt 36.1
    note: str  # the macro that sets a note
    definition: str  # … and its \providecommand


LAYOUTS = {
    "wide": Layout(  # one-column pages, 5.5 in at 11 pt or wider: the same share of the line as narrow's
        "wide",
        29.5,
        r"\xentnote",
        r"\providecommand{\xentnote}[1]{\parbox[t]{0.3\linewidth}{\raggedright\footnotesize #1}}",
    ),
    "narrow": Layout(
        "narrow",
        19.5,
        r"\xentnotebelow",
        r"\providecommand{\xentnotebelow}[1]{\parbox[t]{\linewidth}{\raggedright\footnotesize #1}}",
    ),
}
_CLASSIC_LHS = 0.3  # a left side wider than this share of the measure gets a row of its own


def chain_body(step: Step, options: RenderOptions) -> str:
    """One row per link, ``lhs &= rhs && \\text{note}``: for MathJax (Markdown, HTML, JSON)."""
    n, w = options.notation, Words(options, "latex")
    rows = []
    for chain in step.chains:
        first = latex(chain[0].expr, n)
        for k, line in enumerate(chain[1:]):
            note = rf" && \text{{{w(line.note)}}}" if line.note else ""
            rows.append(f"{first if k == 0 else ''} &{_relation(line)} {latex(line.expr, n)}{note}")
    return " \\\\\n".join(rows)


def _relation(line: Line) -> str:
    return "=" if line.relation == "=" else r"\geq"


def aligned_rows(step: Step, options: RenderOptions, layout: Layout, *, reserve: float = 0.0) -> list[tuple[str, str]]:
    """The rows of a step's alignment, each with the note of the link it starts ("" if none).

    `reserve` (em) is kept free on every row, e.g. for an equation number.
    """
    printer = MathLatexPrinter(options.notation)
    measure = layout.measure - reserve
    breaker = Breaker(printer, measure)
    lefts = [printer.doprint(chain[0].expr) for chain in step.chains]
    widest = max((width(t) for t in lefts), default=0.0)
    if widest <= _CLASSIC_LHS * measure:
        rows = _rows(step, breaker, lefts, measure, widest, classic=True)
        if all(width(re.sub(r"&|\\quad", "", row)) <= measure for row, _ in rows):
            return rows
    # a left side too wide to share its rows, or a row that would not fit beside it: rows of its own
    return _rows(step, breaker, lefts, measure, widest, classic=False)


def _rows(step: Step, breaker: Breaker, lefts: list[str], measure: float, widest: float, *, classic: bool):
    rows: list[tuple[str, str]] = []
    for chain, left in zip(step.chains, lefts, strict=True):
        if classic:
            room, opening, more = measure - widest - 1.4, "{left} &{rel} ", r"&\quad "
        else:
            rows += [
                (f"&{row}" if k == 0 else rf"&\quad {row}", "")
                for k, row in enumerate(pack(breaker.pieces(chain[0].expr, measure - 1), measure - 1, measure))
            ]
            room, opening, more = measure - 1 - 1.4, r"&\quad {rel} ", r"&\qquad "
        for k, line in enumerate(chain[1:]):
            pieces = breaker.pieces(line.expr, room - 1)
            for m, row in enumerate(pack(pieces, room - 1, room)):
                if m == 0:
                    start = opening.format(left=left if k == 0 else "", rel=_relation(line))
                    rows.append((start + row, line.note))
                else:
                    rows.append((more + row, ""))
    return rows


def _align(step: Step, options: RenderOptions, layout: Layout) -> str:
    w = Words(options, "latex")
    rows = [
        row + (rf" \tag*{{{layout.note}{{{w(note)}}}}}" if note else "")
        for row, note in aligned_rows(step, options, layout)
    ]
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"


def _heading(text: str) -> str:
    """A run-in heading; \\mbox{} keeps CJK from setting the next character in bold."""
    return rf"\paragraph{{{text}}}\mbox{{}}"


def _status(status: str, options: RenderOptions) -> str:
    """A step's status in brackets, emphasised in English; CJK fonts have no italic shape
    (C70/gbsn/m/it is undefined), so Chinese sets it upright."""
    return f"[{status}]" if options.lang == "zh" else rf"\emph{{[{status}]}}"


def _step_block(number: int, step: Step, d: Derivation, options: RenderOptions, layout: Layout) -> str:
    w = Words(options, "latex")
    lines = [
        rf"{_heading(f'{number}. {w(step.title)}')} {w(step.justification)} {_status(w.status(step, d), options)}",
        _align(step, options, layout),
        *w.remarks(step),
    ]
    return "\n".join(lines)


def _result(d: Derivation, options: RenderOptions, layout: Layout) -> str:
    """The result, as a display of its own: it may be as long as any line."""
    w = Words(options, "latex")
    claim = d.claim.chains[0][0]
    final = Step("result", "", "", [[claim, Line(d.result)]])
    return f"{_heading(w.word('result') + w.punct('stop'))}\n{_align(final, options, layout)}"


def _vector(d: Derivation, options: RenderOptions, layout: Layout) -> str:
    """--form vector: the result as vectors and matrices, after the index form that proves it."""
    if d.vector is None:
        return ""
    w, v = Words(options, "latex"), d.vector
    row = vector_equation(v, options.notation, "latex", "&=")
    heading = _heading(w.word("vector-form") + w.punct("stop"))
    status = _status(w.vector_status(d), options)
    return f"\n{heading} {w(v.method)} {status}\n\\begin{{align*}}\n{row}\n\\end{{align*}}\n"


def body(d: Derivation, options: RenderOptions) -> str:
    """Assumptions, every step, and the result: what both the snippet and the document hold."""
    layout = LAYOUTS[options.layout]
    w = Words(options, "latex")
    items = "\n".join(rf"  \item {w(a)}" for a in [*d.assumptions, *d.conventions])
    steps = "\n\n".join(_step_block(k, s, d, options, layout) for k, s in enumerate(d.all_steps, 1))
    return (
        "\\begingroup\\setlength{\\emergencystretch}{3em}% a narrow column: stretch a line, never overrun it\n"
        f"{layout.definition}\n"
        f"{w.head('assumptions').rstrip()}\n\\begin{{itemize}}\n{items}\n\\end{{itemize}}\n\n{steps}\n\n"
        f"{_result(d, options, layout)}\n{_vector(d, options, layout)}\\endgroup\n"
    )


def _comment(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def equations(d: Derivation, options: RenderOptions) -> str:
    """Numbered `align` environments only, one per step, its last row labelled.

    The notes become comments at the end of their rows: the source stays readable and
    the page holds only the mathematics.
    """
    layout = LAYOUTS[options.layout]
    plain = Words(options)
    prefix = options.labels_prefix or f"eq:{d.loss}"
    out = [f"% xentderive {__version__}: {d.loss}, {plain.classes(d)}{d.labels_note()}. {plain.summary(d)}"]
    for number, step in enumerate(d.all_steps, 1):
        out.append(f"% {number}. {_comment(plain(step.title))} [{_comment(plain.status(step, d))}]")
        rows = aligned_rows(step, options, layout, reserve=3.0)
        lines = []
        for k, (row, note) in enumerate(rows):
            tag = rf" \tag{{{number}}}" if options.tags else ""
            tail = rf"{tag} \label{{{prefix}:{step.key}}}" if k == len(rows) - 1 else r" \nonumber"
            comment = f" % {_comment(plain(note))}" if note else ""
            lines.append(row + tail + (" \\\\" if k < len(rows) - 1 else "") + comment)
        out += ["\\begin{align}", *lines, "\\end{align}"]
    if d.vector is not None:
        v = d.vector
        out.append(f"% {_comment(plain.word('vector-form'))} [{_comment(plain.vector_status(d))}]")
        row = vector_equation(v, options.notation, "latex", "&=")
        out += ["\\begin{align}", rf"{row} \label{{{prefix}:vector}}", "\\end{align}"]
    return "\n".join(out) + "\n"


def render(d: Derivation, options: RenderOptions | None = None, *, fit_page: bool = False) -> str:
    """A snippet to \\input, or with options.standalone a document pdflatex compiles.

    `fit_page` (for pictures) sizes a single page to the content instead of A4.
    """
    options = options or RenderOptions()
    if options.equations_only and not fit_page:
        return equations(d, options)
    plain = Words(options)
    zh = options.lang == "zh"
    header = (
        f"% Generated by xentderive {__version__}: {d.loss}, {plain.classes(d)}{d.labels_note()}.\n"
        f"% {plain.summary(d)}\n"
    )
    if not (options.standalone or fit_page):
        note = "% Needs amsmath" + (", and CJKutf8 with \\begin{CJK}{UTF8}{gbsn} around it" if zh else "")
        note += "; \\allowdisplaybreaks in the preamble lets a long step break across pages.\n"
        return header + note + body(d, options)
    w = Words(options, "latex")
    title = w.title(d) + ": " + w.classes(d)
    # narrow is for two columns: its standalone document has them
    page = (
        "\\documentclass[10pt,twocolumn]{article}"
        if options.layout == "narrow" and not fit_page
        else "\\documentclass[11pt]{article}"
    )
    preamble = [page, "\\usepackage{amsmath,amssymb}", "\\allowdisplaybreaks"]
    if zh:
        preamble.append("\\usepackage{CJKutf8}")
    if fit_page:
        preamble += ["\\usepackage[paperwidth=19cm,paperheight=300cm,margin=1cm]{geometry}", "\\pagestyle{empty}"]
        content = (
            "\\newsavebox\\derivation\n\\begin{lrbox}{\\derivation}\\begin{minipage}{17cm}\n"
            f"\\section*{{{title}}}\n{body(d, options)}\\end{{minipage}}\\end{{lrbox}}\n"
            "\\global\\pdfpageheight=\\dimexpr\\ht\\derivation+\\dp\\derivation+2cm\\relax\n"
            "\\noindent\\usebox\\derivation\n"
        )
    else:
        preamble.append("\\usepackage[margin=2cm]{geometry}")
        content = (
            f"\\title{{{title}}}\n\\author{{xentderive {__version__}}}\n\\date{{}}\n\\maketitle\n{body(d, options)}"
        )
    opening, closing = ("\\begin{CJK}{UTF8}{gbsn}\n", "\\end{CJK}\n") if zh else ("", "")
    return header + "\n".join(preamble) + "\n\\begin{document}\n" + opening + content + closing + "\\end{document}\n"
