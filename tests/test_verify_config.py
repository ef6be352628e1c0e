"""`verify = [...]` in [tool.xentderive]: `check` verifies the configured documents beside the claims."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_verify_file import MARKDOWN

ENV = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "PYTHONIOENCODING")}
SCHEMA = Path(__file__).resolve().parents[1] / "xentderive" / "schemas" / "check.schema.json"


def check(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "xentderive", "check", "--no-numeric", *args],
        cwd=cwd,
        capture_output=True,
        env=ENV,
        timeout=300,
    )


def project(tmp_path: Path, text: str, patterns: str = '["paper/*.md"]') -> Path:
    (tmp_path / "paper").mkdir(parents=True)
    (tmp_path / "paper" / "grad.md").write_text(text)
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.xentderive]\nclasses = ["C"]\nclaims = [{{ loss = "softmax-ce" }}]\nverify = {patterns}\n'
    )
    return tmp_path


def test_a_configured_document_is_verified_and_its_slip_fails_the_gate(tmp_path):
    good = check(project(tmp_path / "a", MARKDOWN), "--format", "json")
    assert good.returncode == 0, good.stdout[-800:]
    doc = json.loads(good.stdout)
    names = [c["name"] for c in doc["cases"]]
    assert names[-1] == "verify paper/grad.md" and doc["cases"][-1]["status"] == "passed"
    assert len(doc["cases"][-1]["steps"]) == 6
    import jsonschema

    jsonschema.validate(doc, json.loads(SCHEMA.read_text()))
    bad = check(project(tmp_path / "b", MARKDOWN.replace("&= p_i - y_i .", "&= p_i + y_i .")))
    assert bad.returncode == 1
    assert b"verify paper/grad.md: line 22: wrong" in bad.stdout


@pytest.mark.parametrize(
    ("patterns", "message"),
    [
        ('["nothing/*.tex"]', b"matches no file"),
        ('"paper/*.md"', b"expected a list of file patterns"),
        ('["../x/*.md"]', b"without .."),
    ],
)
def test_a_bad_verify_setting_is_one_line_and_exit_2(tmp_path, patterns, message):
    result = check(project(tmp_path, MARKDOWN, patterns))
    assert result.returncode == 2 and message in result.stderr
    assert len(result.stderr.decode().strip().splitlines()) == 1


def test_narrowing_flags_leave_the_documents_out(tmp_path):
    root = project(tmp_path, MARKDOWN.replace("&= p_i - y_i .", "&= p_i + y_i ."))
    assert check(root, "--loss", "softmax-ce").returncode == 0  # --loss: only that derivation
