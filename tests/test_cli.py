"""The command line: exit codes, one-line errors, formats, atomic output."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from xentderive import __version__
from xentderive.cli import main


def run(*args: str):
    return CliRunner().invoke(main, list(args), prog_name="xentderive")


def test_version_and_help_with_examples():
    assert run("--version").output.strip() == f"xentderive, version {__version__}"
    helped = run("derive", "--help")
    assert helped.exit_code == 0 and "Examples:" in helped.output and "--target" in helped.output


def test_default_run_proves_the_general_case():
    result = run("derive")
    assert result.exit_code == 0, result.output
    assert "✓ Proved for every C ≥ 1" in result.output
    assert "\x1b[" not in result.output  # not a terminal: no colour codes


@pytest.mark.parametrize("classes", ["1", "2", "3", "10", "50"])
def test_json_reports_ok_and_every_step_verified(classes):
    result = run("derive", "-C", classes, "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["ok"] and doc["classes"] == int(classes)
    assert {s["status"] for s in doc["steps"]} == {"verified"}
    assert len(doc["gradient"]) == int(classes)


def test_false_target_exits_1_with_a_counterexample():
    result = run("derive", "-C", "3", "--target", "p_i - 2*y_i")
    assert result.exit_code == 1
    assert "counterexample: C = 3" in result.output
    assert "✗ Verification failed" in result.output


def test_soft_labels_with_the_one_hot_target_exit_1_and_name_the_assumption():
    result = run("derive", "--labels", "soft", "--target", "p_i - y_i")
    assert result.exit_code == 1
    assert "It would hold if Σ_j y_j = 1" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-C", "0"], "0 is below 1"),
        (["-C", "-1"], "-1 is below 1"),
        (["-C", "abc"], "'abc' is neither a whole number nor the letter C"),
        (["-C", "10**9"], "'10**9' is neither a whole number nor the letter C"),
        (["-C", "1000000000"], "1000000000 is above the maximum of 10000"),
        (["-C", "3", "--index", "7"], "--index 7 is out of range for 3 classes (0…2)"),
        (["--target", "q_i"], "unknown name 'q_i'"),
        (["--notation", "logits=L"], "--notation logits='L'"),
        (["--labels", "hard"], "'hard' is not one of"),
        (["--timeout", "0"], "--timeout"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, message):
    result = run("derive", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_code_in_a_target_is_rejected_and_never_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("derive", "-C", "2", "--target", "__import__('os').system('touch x')")
    assert result.exit_code == 2
    assert not (tmp_path / "x").exists()


def test_output_file_is_written_and_a_failed_run_keeps_the_old_one(tmp_path):
    out = tmp_path / "grad.json"
    assert run("derive", "-C", "2", "-f", "json", "-o", str(out)).exit_code == 0
    first = out.read_text()
    assert json.loads(first)["ok"]
    assert run("derive", "-C", "0", "-f", "json", "-o", str(out)).exit_code == 2
    assert out.read_text() == first
    assert [p.name for p in tmp_path.iterdir()] == ["grad.json"]  # no temporary file left
    assert out.stat().st_mode & 0o777 == 0o666 & ~_umask()


def test_timeout_exits_3():
    result = run("derive", "-C", "300", "--timeout", "0.05")
    assert result.exit_code == 3
    assert "time limit of 0.05 s" in result.stderr


def test_python_dash_m_runs_the_same_command():
    env = dict(os.environ, NO_COLOR="1")
    done = subprocess.run(
        [sys.executable, "-m", "xentderive", "derive", "-C", "3"], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0
    assert "✓ Verified exactly for C = 3" in done.stdout


def test_index_prints_that_component():
    result = run("derive", "-C", "3", "--index", "2")
    assert result.exit_code == 0
    assert "p_2" in result.output and "∂L/∂f_2" in result.output


def test_picture_formats_name_the_missing_package(monkeypatch, tmp_path):
    real = shutil.which
    monkeypatch.setattr(shutil, "which", lambda tool: None if tool == "pdflatex" else real(tool))
    out = tmp_path / "d.png"
    result = run("derive", "-C", "2", "--format", "png", "-o", str(out))
    assert result.exit_code == 2
    assert "pdflatex not found: install it with `apt-get install texlive-latex-base`" in result.stderr
    assert not out.exists()


def test_png_is_written_to_a_file(tmp_path):
    if shutil.which("pdflatex") is None and not os.environ.get("CI"):
        pytest.skip("pdflatex not installed")
    out = tmp_path / "d.png"
    assert run("derive", "-C", "2", "--format", "png", "-o", str(out)).exit_code == 0
    assert out.read_bytes().startswith(b"\x89PNG")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
