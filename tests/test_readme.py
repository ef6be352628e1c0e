"""The README stays true: every console example is run and each shown output line appears, in order;
the JSON field table and the layout table name exactly what the schema and the package hold."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from xentderive.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def examples() -> list[tuple[str, list[str]]]:
    """(command, shown output lines) for each `$ …` line of the console blocks: a plain
    `xentderive …` runs through Click's runner, a pipeline (`| grep …`) through bash, and
    `echo $?` re-runs the command before it for its exit code. `…` marks an abridged part:
    the shown lines must appear in order, not necessarily next to each other."""
    out = []
    for block in re.findall(r"```console\n(.*?)```", README.read_text(), flags=re.S):
        command, shown, previous = None, [], None
        for line in [*block.splitlines(), "$ end"]:
            if line.startswith("$ "):
                if command is not None:
                    out.append((command, shown))
                text = line[2:].split("  #")[0].strip()
                if text == "echo $?" and previous:
                    command = f"{previous} > /dev/null 2>&1; echo $?"
                else:
                    command = text if text.startswith("xentderive ") else None
                    previous = command
                shown = []
            elif line.strip() != "…":
                shown.append(line.rstrip())
    return out


def _timeless(line: str) -> str:
    """Durations differ from run to run: compare them as N.NN s."""
    return re.sub(r"\d+\.\d+ s\b", "N.NN s", line)


@pytest.mark.parametrize(("command", "shown"), examples(), ids=lambda v: v if isinstance(v, str) else "")
def test_readme_example_output_is_what_the_command_prints(command, shown, tmp_path):
    if "|" in command or ";" in command:
        env = os.environ | {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        env.pop("NO_COLOR", None)
        where = ROOT if "examples/" in command else tmp_path  # an example file is named from the repository
        proc = subprocess.run(["bash", "-c", command], cwd=where, env=env, capture_output=True, text=True, timeout=300)
        output = proc.stdout
    else:
        output = CliRunner().invoke(main, shlex.split(command)[1:], prog_name="xentderive").output
    actual = [_timeless(line.rstrip()) for line in output.splitlines()]
    position = 0
    for line in map(_timeless, shown):
        assert line in actual[position:], f"README line not printed (in order) by `{command}`: {line!r}"
        position = actual.index(line, position) + 1


def test_every_console_example_is_run():
    commands = [c for c, _ in examples()]
    shown = re.findall(r"^\$ (xentderive .*|echo \$\?)$", README.read_text(), flags=re.M)
    assert len(commands) == len(shown) and any("|" in c for c in commands)


def test_the_json_field_table_names_every_field_of_the_schema():
    schema = json.loads((ROOT / "xentderive" / "schemas" / "derivation.schema.json").read_text())
    table = README.read_text().split("#### The JSON schema", 1)[1].split("\n### ", 1)[0]
    named = set(re.findall(r"^\| ([^|]+) \|", table, flags=re.M))
    fields = {f for cell in named for f in re.findall(r"`([a-z_]+)(?:\[\])?`", cell)}
    assert set(schema["properties"]) <= fields, set(schema["properties"]) - fields
    assert fields <= set(schema["properties"]), fields - set(schema["properties"])


def test_the_layout_table_names_every_module():
    layout = README.read_text().split("## Layout", 1)[1]
    package = ROOT / "xentderive"
    for path in sorted(package.glob("*.py")):
        if path.name not in ("__init__.py",):
            assert path.name in layout, f"{path.name} is missing from the README's layout table"
    for sub in sorted(p for p in package.iterdir() if p.is_dir() and not p.name.startswith("__")):
        assert f"xentderive/{sub.name}/" in layout, f"{sub.name}/ is missing from the README's layout table"
