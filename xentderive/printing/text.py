"""Terminal text: rich renderables with a ✓/✗ per step; plain when piped or NO_COLOR."""

from __future__ import annotations

import io

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..model import Counterexample, Derivation, Status, Step
from .common import MARKS, RenderOptions, Words, vector_equation
from .notation import text

STYLES = {
    Status.PROVED: "green",
    Status.VERIFIED: "green",
    Status.CHECKED: "yellow",
    Status.UNPROVED: "yellow",
    Status.FAILED: "bold red",
    Status.PENDING: "yellow",
}


def _indent(renderable) -> Padding:
    return Padding(renderable, (0, 0, 0, 3), expand=False)


class TextView:
    """A derivation as rich renderables (so `Console.print(view)` works, and __rich__ too)."""

    def __init__(self, derivation: Derivation, options: RenderOptions | None = None) -> None:
        self.d = derivation
        self.o = options or RenderOptions()
        self.w = Words(self.o)
        self.width = 120  # the console's, once rendered

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        d, w, n = self.d, self.w, self.o.notation
        self.width = options.max_width
        yield Text.assemble(("xentderive", "bold"), f" · {d.loss} · {w.classes(d)}{d.labels_note(' · labels: ')}")
        yield Text(w.head("assumptions") + w.punct("sep").join(w(a) for a in d.assumptions), style="dim")
        if d.params:  # only the values given: a symbolic parameter is no value (its range is an assumption)
            yield Text(f"{w.word('parameters')}: " + ", ".join(f"{k} = {v}" for k, v in d.params.items()), style="dim")
        for convention in d.conventions:
            yield Text(f"{w.head('convention')}{w(convention)}", style="dim")
        for number, step in enumerate(d.all_steps, 1):
            yield Text("")
            yield self.step(number, step)
        yield Text("")
        lhs = text(d.claim.chains[0][0].expr, n)
        yield Text.assemble((w.head("result"), "bold"), f"{lhs} = {text(d.result, n)}")
        if d.vector is not None:
            v = d.vector
            yield Text.assemble(
                (w.head("vector-form"), "bold"),
                f"{vector_equation(v, n)}  ",
                (f"[{w.vector_status(d)}]", STYLES[v.status]),
            )
            yield _indent(Text(f"{w.head('method')}{w(v.method)}", style="dim"))
        yield Text(w.summary(d), style="bold green" if d.ok and d.complete else STYLES[_worst(d)])

    def chains(self, step: Step) -> Table:
        """The equation chains: notes beside the lines where every line fits beside them, else under
        each line (then with the page's width, a line that still does not fit broken at a top-level / or ·,
        and only then inside brackets: see wrap_math). Nothing is cut off, no line ends in "…"."""
        w, n = self.w, self.o.notation
        rows = [
            (f"  {line.relation} " if k else "", text(line.expr, n), w(line.note, keep_math=True) if k else "")
            for chain in step.chains
            for k, line in enumerate(chain)
        ]
        room = max(self.width - 3 - 3 - NOTE_WIDTH, 30)
        beside = [(lead + wrap_math(shown, room - len(lead), len(lead), 0), note) for lead, shown, note in rows]
        grid = Table.grid(padding=(0, 3))
        if all(len(part) <= room for shown, _ in beside for part in shown.split("\n")):
            grid.add_column(no_wrap=True)  # wrapped here, under the expression (see wrap_math)
            grid.add_column(style="dim", max_width=NOTE_WIDTH, overflow="fold")  # wrapped by wrap_words
            for shown, note in beside:
                grid.add_row(shown, wrap_words(note, NOTE_WIDTH))
            return grid
        full = max(self.width - 3, 30)  # a line too wide beside the notes: each note under its line
        grid.add_column(overflow="fold")  # a term with no place to break, wider than the page: folded, not cut
        for lead, shown, note in rows:
            grid.add_row(lead + wrap_math(shown, full - len(lead), len(lead)))
            if note:
                wrapped = wrap_words(note, full - len(_NOTE_LEAD)).replace("\n", "\n" + " " * len(_NOTE_LEAD))
                grid.add_row(Text(_NOTE_LEAD + wrapped, style="dim"))
        return grid

    def step(self, number: int, step: Step) -> Group:
        w = self.w
        style = STYLES.get(step.status, "")
        head = Text.assemble(
            (MARKS[step.status], style), f" {number}. {w(step.title)}  ", (f"[{w.status(step, self.d)}]", style)
        )
        parts = [head, _indent(Text(w(step.justification), style="italic")), _indent(self.chains(step))]
        parts.append(_indent(Text(f"{w.head('method')}{w(step.method)}", style="dim")))
        parts += [_indent(Text(r, style=style or "yellow")) for r in w.remarks(step)]
        if step.counterexample:
            parts.append(_indent(Text(counterexample(step.counterexample, w), style="red")))
        return Group(*parts)


NOTE_WIDTH = 30
_NOTE_LEAD = "      ↳ "  # a note under its line (a narrow page)
_DEPTH = {"{": 1, "(": 1, "[": 1, "}": -1, ")": -1, "]": -1}


def _breaks(expr: str) -> list[tuple[int, int]]:
    """Where a line of mathematics may break, each with its rank (lower is better): before a + - or =
    between top-level terms (rank 0); then before a top-level / or · (rank 1); only where a line has
    no such place, inside brackets (rank 2 per level). Never inside {…}: a subscript stays whole."""
    out, depth, braces = [], 0, 0
    for at, ch in enumerate(expr):
        braces += {"{": 1, "}": -1}.get(ch, 0)
        depth += _DEPTH.get(ch, 0)
        if braces or not at:
            continue
        if expr.startswith((" + ", " - ", " = "), at):
            out.append((at + 1, 2 * depth))
        elif ch in "/·" and expr[at - 1] != "∂" and not expr.startswith("/∂", at):
            out.append((at, 2 * depth + 1))
    return out


def _pack(expr: str, width: int, breaks: dict[int, int], skip: int = 0) -> list[tuple[int, int]]:
    """Greedy lines (start, end) at the given places (place → the continuation's indent): the first
    line at most `width`, a continuation at most `width` less its indent; a piece with none stays whole.

    `skip` characters at a place are dropped (1 for the separator a note's formula is split at)."""
    lines, start, indent = [], 0, 0
    while len(expr) - start > width - indent:
        fits = [b for b in breaks if start < b <= start + width - indent]
        if not fits:
            later = [b for b in breaks if b > start]
            if not later:
                break
            fits = later[:1]
        lines.append((start, fits[-1]))
        start, indent = fits[-1] + skip, breaks[fits[-1]]
    lines.append((start, len(expr)))
    return lines


def wrap_math(expr: str, width: int, indent: int, deepest: int | None = None) -> str:
    """`expr` in lines of at most `width`, each continuation under the expression's start.

    Lines break before a top-level + - or =, so a wrapped term reads "+ term" under the first one
    (not from column 3, as a terminal would wrap it). Only a line that cannot fit so breaks at a
    top-level / or ·, and then inside brackets, one level at a time, the continuation indented by
    its depth (`deepest`: the highest rank of place to use, None for any). Nothing is cut off: a term
    with no place to break stays whole.
    """
    ranked = [(b, r) for b, r in _breaks(expr) if deepest is None or r <= deepest]
    chosen: dict[int, int] = {}
    for rank in sorted({r for _, r in ranked}):
        chosen = {b: 2 + 2 * (r // 2) for b, r in ranked if r <= rank}  # place → indent of what follows
        if all(len(expr[a:b].rstrip()) <= width - chosen.get(a, 0) for a, b in _pack(expr, width, chosen)):
            break
    lines = _pack(expr, width, chosen)
    out = [expr[lines[0][0] : lines[0][1]].rstrip()]
    out += [" " * (indent + chosen[a]) + expr[a:b].rstrip() for a, b in lines[1:]]
    return "\n".join(out)


def wrap_words(note: str, width: int) -> str:
    """A note in lines of at most `width`, broken between words; a formula is kept whole where it
    fits a line, else broken at its top-level spaces (never cut off).

    `note` was rendered with keep_math: a formula's own spaces are NUL, turned back here.
    """
    lines: list[str] = []
    words = [piece for word in note.split(" ") for piece in _formula_pieces(word, width)]
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines).replace("\x00", " ")


def _formula_pieces(word: str, width: int) -> list[str]:
    """A formula (its spaces NUL) longer than `width`, as pieces split at its top-level spaces, each
    piece but the first starting with the operator it was split before."""
    if len(word) <= width or "\x00" not in word:
        return [word]
    cuts, depth = {}, 0
    for at, ch in enumerate(word):
        depth += _DEPTH.get(ch, 0)
        if ch == "\x00" and depth == 0:
            cuts[at] = 0
    # greedy: the longest prefix up to a top-level space that fits, then the rest
    return [word[a:b] for a, b in _pack(word, width, cuts, skip=1)]


def counterexample(c: Counterexample, w: Words) -> str:
    """Where a claimed equality fails: the values, and both sides evaluated there."""
    n = w.options.notation
    where = [f"{n.classes} = {c.classes}", *(f"{k} = {v}" for k, v in c.index.items())]
    return (
        f"{w.head('counterexample')}{', '.join(where)}, {n.logits} = ({', '.join(c.f)}), "
        f"{n.labels} = ({', '.join(c.y)})"
        + "".join(f", {name} = ({', '.join(vs)})" for name, vs in c.others.items())
        + "".join(f", {name} = {v}" for name, v in c.params.items())
        + f": {w.word('left')} {text(c.lhs, n)} = {c.lhs_value}, "
        f"{w.word('right')} {text(c.rhs, n)} = {c.rhs_value}"
    )


def _worst(d: Derivation) -> Status:
    statuses = {s.status for s in d.all_steps}
    return next(
        (s for s in (Status.FAILED, Status.CHECKED, Status.UNPROVED, Status.PENDING) if s in statuses), Status.PROVED
    )


def render(derivation: Derivation, options: RenderOptions | None = None, width: int = 120) -> str:
    """Plain text (no colour codes), e.g. for -o FILE or a pipe."""
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, force_terminal=False).print(TextView(derivation, options))
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())
