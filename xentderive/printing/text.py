"""Terminal text: rich renderables with a ✓/✗ per step; plain when piped or NO_COLOR."""

from __future__ import annotations

import io

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..model import Counterexample, Derivation, Status, Step
from .common import MARKS, RenderOptions, status_label, summary
from .notation import Notation, prose, text

STYLES = {Status.PROVED: "green", Status.VERIFIED: "green", Status.CHECKED: "yellow", Status.FAILED: "bold red"}


class TextView:
    """A derivation as rich renderables (so `Console.print(view)` works, and __rich__ too)."""

    def __init__(self, derivation: Derivation, options: RenderOptions | None = None) -> None:
        self.d = derivation
        self.o = options or RenderOptions()

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        d, n = self.d, self.o.notation
        classes = prose("every $@C$ (symbolic)" if d.ctx.symbolic else f"$@C = {d.ctx.classes}$", n)
        yield Text.assemble(("xentderive", "bold"), f" · {d.loss} · {classes} · labels: {d.labels}")
        yield Text("Assumptions: " + "; ".join(prose(a, n) for a in d.assumptions), style="dim")
        for number, step in enumerate(d.all_steps, 1):
            yield Text("")
            yield self.step(number, step)
        yield Text("")
        yield Text.assemble(("Result: ", "bold"), f"{text(d.claim.chains[0][0].expr, n)} = {text(d.result, n)}")
        yield Text(prose(summary(d), n), style="bold green" if d.ok and d.complete else STYLES[_worst(d)])

    def step(self, number: int, step: Step) -> Group:
        n = self.o.notation
        style = STYLES.get(step.status, "")
        head = Text.assemble(
            (MARKS[step.status], style),
            f" {number}. {prose(step.title, n)}  ",
            (f"[{prose(status_label(step, self.d), n)}]", style),
        )
        grid = Table.grid(padding=(0, 3))
        grid.add_column()
        grid.add_column(style="dim", max_width=30)  # leave the width to the mathematics
        for chain in step.chains:
            for k, line in enumerate(chain):
                grid.add_row(("  = " if k else "") + text(line.expr, n), prose(line.note, n) if k else "")
        parts = [
            head,
            Padding(Text(prose(step.justification, n), style="italic"), (0, 0, 0, 3), expand=False),
            Padding(grid, (0, 0, 0, 3), expand=False),
        ]
        parts.append(Padding(Text(f"method: {prose(step.method, n)}", style="dim"), (0, 0, 0, 3), expand=False))
        if step.remark:
            parts.append(Padding(Text(prose(step.remark, n), style=style or "yellow"), (0, 0, 0, 3), expand=False))
        if step.counterexample:
            parts.append(Padding(Text(counterexample(step.counterexample, n), style="red"), (0, 0, 0, 3), expand=False))
        return Group(*parts)


def counterexample(c: Counterexample, n: Notation) -> str:
    """Where a claimed equality fails: the values, and both sides evaluated there."""
    where = [f"{n.classes} = {c.classes}", *(f"{k} = {v}" for k, v in c.index.items())]
    return (
        f"counterexample: {', '.join(where)}, {n.logits} = ({', '.join(c.f)}), {n.labels} = ({', '.join(c.y)}): "
        f"left side {text(c.lhs, n)} = {c.lhs_value}, right side {text(c.rhs, n)} = {c.rhs_value}"
    )


def _worst(d: Derivation) -> Status:
    statuses = {s.status for s in d.all_steps}
    for status in (Status.FAILED, Status.CHECKED, Status.PENDING):
        if status in statuses:
            return status
    return Status.PROVED


def render(derivation: Derivation, options: RenderOptions | None = None, width: int = 120) -> str:
    """Plain text (no colour codes), e.g. for -o FILE."""
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, force_terminal=False).print(TextView(derivation, options))
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())
