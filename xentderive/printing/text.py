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

    def step(self, number: int, step: Step) -> Group:
        w, n = self.w, self.o.notation
        style = STYLES.get(step.status, "")
        head = Text.assemble(
            (MARKS[step.status], style), f" {number}. {w(step.title)}  ", (f"[{w.status(step, self.d)}]", style)
        )
        grid = Table.grid(padding=(0, 3))
        grid.add_column(no_wrap=True)  # wrapped here, under the expression (see wrap_math)
        grid.add_column(style="dim", max_width=NOTE_WIDTH, no_wrap=True)  # leave the width to the mathematics
        room = max(self.width - 3 - 3 - NOTE_WIDTH, 30)
        for chain in step.chains:
            for k, line in enumerate(chain):
                lead = f"  {line.relation} " if k else ""
                shown = wrap_math(text(line.expr, n), room - len(lead), len(lead))
                grid.add_row(lead + shown, wrap_words(w(line.note, keep_math=True), NOTE_WIDTH) if k else "")
        parts = [head, _indent(Text(w(step.justification), style="italic")), _indent(grid)]
        parts.append(_indent(Text(f"{w.head('method')}{w(step.method)}", style="dim")))
        parts += [_indent(Text(r, style=style or "yellow")) for r in w.remarks(step)]
        if step.counterexample:
            parts.append(_indent(Text(counterexample(step.counterexample, w), style="red")))
        return Group(*parts)


NOTE_WIDTH = 30


def _breaks(expr: str) -> list[int]:
    """Where a line of mathematics may break: before a + or - between terms, never in {…}."""
    out, depth = [], 0
    for at, ch in enumerate(expr):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth == 0 and expr.startswith((" + ", " - "), at) and at:
            out.append(at + 1)
    return out


def wrap_math(expr: str, width: int, indent: int) -> str:
    """`expr` in lines of at most `width`, each continuation under the expression's start.

    Lines break before a + or -, so a wrapped term reads "+ term" under the first one
    (not from column 3, as a terminal would wrap it); a term wider than a line stays whole.
    """
    lines, start = [], 0
    breaks = _breaks(expr)
    while len(expr) - start > width:
        fits = [b for b in breaks if start < b <= start + width]
        if not fits:
            later = [b for b in breaks if b > start]
            if not later:
                break
            fits = later[:1]
        lines.append(expr[start : fits[-1]].rstrip())
        start = fits[-1]
    lines.append(expr[start:])
    pad = " " * (indent + 2)
    return ("\n" + pad).join(lines)


def wrap_words(note: str, width: int) -> str:
    """A note in lines of at most `width`, broken between words, never inside a formula.

    `note` was rendered with keep_math: a formula's own spaces are NUL, turned back here.
    """
    lines: list[str] = []
    for word in note.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines).replace("\x00", " ")


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
