"""One report per format for `xentderive check`: each takes a SuiteResult and returns text."""

from __future__ import annotations

from collections.abc import Callable

from ..suite import SuiteResult
from . import github, json_report, junit, text

REPORTS: dict[str, Callable[[SuiteResult], str]] = {
    "text": text.render,
    "json": json_report.render,
    "junit": junit.render,
    "github": github.render,
}
