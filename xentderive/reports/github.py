"""GitHub Actions: `::error` annotations on stdout, and a Markdown table for the step summary.

The table is appended to $GITHUB_STEP_SUMMARY by the command line when that is set.
"""

from __future__ import annotations

from ..suite import SuiteResult
from .text import MARK, summary


def _escape(text: str) -> str:
    """Workflow-command data escaping (%, CR, LF), as the Actions runner expects."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def annotations(result: SuiteResult) -> str:
    lines = []
    for r in result.results:
        if r.status == "passed":
            continue
        level = "error" if r.status == "failed" else "warning"
        body = " ".join(filter(None, [r.message, r.counterexample]))
        lines.append(f"::{level} title=xentderive: {_escape(r.case.name).replace(',', '%2C')}::{_escape(body)}")
    lines.append(f"::notice title=xentderive check::{_escape(summary(result))}")
    return "\n".join(lines) + "\n"


def step_summary(result: SuiteResult) -> str:
    rows = ["| case | status | time | witnesses |", "|---|---|---|---|"]
    for r in result.results:
        witnesses = "; ".join(f"{w.name}: {w.status}" for w in r.witnesses) or "-"
        rows.append(f"| `{r.case.name}` | {MARK[r.status]} {r.status} | {r.seconds:.2f} s | {witnesses} |")
    failures = [
        f"- **{r.case.name}**: {r.message} {r.counterexample}".rstrip() for r in result.results if r.status != "passed"
    ]
    return "\n".join(["### xentderive check", "", *rows, "", *failures, "", f"**{summary(result)}**", ""])


def render(result: SuiteResult) -> str:
    return annotations(result)
