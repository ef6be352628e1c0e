"""GitHub Actions: `::error` annotations on stdout, and a Markdown table for the step summary.

Workflow commands are escaped as the runner (and @actions/core) expects: data
(the message) has % CR LF as %25 %0D %0A; properties (the title) also have : and ,
as %3A and %2C. So no case name or message, however hostile, can end a command
early or start a new one. `append_step_summary` appends the table to
$GITHUB_STEP_SUMMARY and returns a one-line warning, never raises, when it cannot.
"""

from __future__ import annotations

import os
import stat

from ..output import describe_error
from ..suite import SuiteResult
from .text import MARK, summary

MAX_MESSAGE = 4000
"""Characters of one annotation's message (or one summary cell) before it is cut with …"""

SUMMARY_BUDGET = 1_000_000
"""Bytes the step summary may take: GitHub refuses one above 1 MiB per step."""


def escape_data(text: str) -> str:
    """Workflow-command data (the message after ``::``): % CR LF."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow-command property value (``title=…``): as data, and also : and ,."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _cut(text: str, limit: int = MAX_MESSAGE) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def annotations(result: SuiteResult) -> str:
    lines = []
    for r in result.results:
        if r.status == "passed":
            continue
        level = "error" if r.status == "failed" else "warning"
        body = " ".join(filter(None, [r.message, r.counterexample]))
        title = escape_property(_cut(f"xentderive: {r.case.name}", 500))
        lines.append(f"::{level} title={title}::{escape_data(_cut(body))}")
    lines.append(f"::notice title={escape_property(result.command)}::{escape_data(summary(result))}")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """Plain text for a Markdown table cell: one line, no column breaks, no HTML."""
    text = " ".join(_cut(text, 1000).split())
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _code(text: str) -> str:
    """A code span for a table cell, whatever backticks the text holds."""
    text = " ".join(_cut(text, 500).split()).replace("|", "\\|")
    fence = "`" * (_longest_backtick_run(text) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _longest_backtick_run(text: str) -> int:
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    return longest


def step_summary(result: SuiteResult) -> str:
    head = [f"### {result.command}", "", "| case | status | time | witnesses |", "|---|---|---|---|"]
    tail = ["", f"**{_cell(summary(result))}**", ""]
    budget = SUMMARY_BUDGET - len("\n".join(head + tail).encode()) - 200
    rows, failures, left = [], [], 0
    for r in result.results:
        witnesses = "; ".join(f"{w.name}: {w.status}" for w in r.witnesses) or "-"
        row = f"| {_code(r.case.name)} | {MARK[r.status]} {r.status} | {r.seconds:.2f} s | {_cell(witnesses)} |"
        failure = ""
        if r.status != "passed":
            failure = f"- **{_cell(r.case.name)}**: {_cell(f'{r.message} {r.counterexample}'.rstrip())}"
        size = len(row.encode()) + len(failure.encode()) + 2
        if size > budget:
            left += 1
            continue
        budget -= size
        rows.append(row)
        if failure:
            failures.append(failure)
    if left:
        rows.append(f"| … {left} more cases: the summary's size limit; see the job log | | | |")
    return "\n".join([*head, *rows, "", *failures, *tail])


def append_step_summary(result: SuiteResult, path: str | os.PathLike[str] | None) -> str | None:
    """Append the step summary to `path` ($GITHUB_STEP_SUMMARY); a one-line warning if that fails, else None.

    The warning has no ``xentderive:`` prefix. Nothing is done (None) for an empty path
    or /dev/null; a directory, FIFO or other non-regular file gets a warning, never a hang.
    """
    if path is None or not os.fspath(path):
        return None
    name = os.fspath(path)
    text = step_summary(result).encode("utf-8")
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(name, flags, 0o666)
    except (OSError, ValueError) as err:
        why = describe_error(err) if isinstance(err, OSError) else "not a valid path"
        return f"cannot append the step summary to {name}: {why}"
    try:
        info = os.fstat(fd)
        if stat.S_ISCHR(info.st_mode) and os.path.samestat(info, os.stat(os.devnull)):
            return None
        if not stat.S_ISREG(info.st_mode):
            return f"cannot append the step summary to {name}: not a regular file"
        view = memoryview(text)
        while view:
            view = view[os.write(fd, view) :]
    except OSError as err:
        return f"cannot append the step summary to {name}: {describe_error(err)}"
    finally:
        os.close(fd)
    return None


def render(result: SuiteResult) -> str:
    return annotations(result)
