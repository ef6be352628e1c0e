"""A rich table: case, status, time, witnesses; then what failed and where."""

from __future__ import annotations

import io

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from ..suite import STATUSES, SuiteResult

STYLE = {
    "passed": "green",
    "failed": "bold red",
    "unproved": "yellow",
    "timeout": "yellow",
    "memory": "yellow",
    "error": "bold red",
}
MARK = {"passed": "✓", "failed": "✗", "unproved": "~", "timeout": "⏱", "memory": "⏱", "error": "!"}


def summary(result: SuiteResult) -> str:
    counts = ", ".join(f"{result.count(s)} {s}" for s in STATUSES if result.count(s))
    total = len(result.results)
    return f"{total} case{'s' if total != 1 else ''}: {counts} in {result.seconds:.1f} s"


def view(result: SuiteResult) -> Group:
    table = Table(title=result.command, title_justify="left")
    for column in ("case", "status", "time", "witnesses"):
        table.add_column(column, no_wrap=column != "witnesses")
    for r in result.results:
        witnesses = "; ".join(f"{w.name}: {w.status}" for w in r.witnesses) or "-"
        status = Text(f"{MARK[r.status]} {r.status}", style=STYLE[r.status])
        # Text, not str: a case name such as "[onehot]" is not rich markup.
        table.add_row(Text(r.case.name), status, f"{r.seconds:.2f} s", Text(witnesses))
    parts: list = [table]
    for r in result.results:
        if r.status != "passed":
            parts.append(Text(f"{MARK[r.status]} {r.case.name}: {r.message}", style=STYLE[r.status]))
            if r.counterexample:
                parts.append(Text(f"  {r.counterexample}", style="red"))
    if result.note is not None:
        parts.append(Text(result.note, style="dim"))
    elif result.settings.numeric:
        from ..numeric import describe

        parts.append(Text(f"numeric witness: {describe(result.settings.seed)}", style="dim"))
    worst = next((s for s in ("failed", "error", "timeout", "memory", "unproved") if result.count(s)), "passed")
    parts.append(Text(summary(result), style=STYLE[worst]))
    return Group(*parts)


def render(result: SuiteResult, width: int = 140) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, force_terminal=False).print(view(result))
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())
