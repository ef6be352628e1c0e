"""The README's console examples stay true: each shown output line appears, in order."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from xentderive.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"


def examples() -> list[tuple[str, list[str]]]:
    """(command, shown output lines) for each `$ xentderive …` line without a pipe."""
    out = []
    for block in re.findall(r"```console\n(.*?)```", README.read_text(), flags=re.S):
        command, shown = None, []
        for line in [*block.splitlines(), "$ end"]:
            if line.startswith("$ "):
                if command is not None:
                    out.append((command, shown))
                text = line[2:].split("  #")[0].strip()
                command = text if text.startswith("xentderive ") and "|" not in text else None
                shown = []
            elif line.strip() != "…":
                shown.append(line.rstrip())
    return out


def _timeless(line: str) -> str:
    """Durations differ from run to run: compare them as N.NN s."""
    return re.sub(r"\d+\.\d+ s\b", "N.NN s", line)


@pytest.mark.parametrize(("command", "shown"), examples(), ids=lambda v: v if isinstance(v, str) else "")
def test_readme_example_output_is_what_the_command_prints(command, shown):
    result = CliRunner().invoke(main, shlex.split(command)[1:], prog_name="xentderive")
    actual = [_timeless(line.rstrip()) for line in result.output.splitlines()]
    position = 0
    for line in map(_timeless, shown):
        assert line in actual[position:], f"README line not printed (in order) by `{command}`: {line!r}"
        position = actual.index(line, position) + 1
