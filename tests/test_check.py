"""`xentderive check`: suites, configuration, the numeric witness, reports and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from functools import partial
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from xentderive.api import build
from xentderive.cli import main
from xentderive.derivations import REGISTRY
from xentderive.isolation import run_isolated
from xentderive.numeric import witness
from xentderive.suite import Case, Settings, build_cases, check_case

ROOT = Path(__file__).resolve().parent.parent
FALSE = ["check", "-C", "3", "--target", "p_i - 2*y_i"]


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), prog_name="xentderive", env=env)


@pytest.fixture(autouse=True)
def _no_project_config(tmp_path, monkeypatch):
    """Run from an empty folder so this repository's own pyproject.toml is not picked up."""
    monkeypatch.chdir(tmp_path)


ALL = build_cases(None, None)  # what `check --all` runs


def test_all_is_every_derivation_with_both_labels_at_every_default_size():
    n = len(REGISTRY) * 2 * 5 - 2  # every derivation x 2 kinds of labels x 5 sizes, but focal at C = 1
    assert len(ALL) == n and Case("softmax-ce", "soft", None) in ALL
    assert {(c.classes, c.target) for c in ALL} == {(size, None) for size in (1, 2, 3, 10, None)}


@pytest.mark.parametrize("case", ALL, ids=[f"{c.loss}-{c.labels}-C{c.classes or 'C'}" for c in ALL])
def test_the_full_catalogue_passes_with_all(case):
    """One item per case of `check --all` (so that they run in parallel), checked as a worker checks
    it: proved, and the numeric witness agrees (or is skipped where it cannot read the claim)."""
    settings = Settings()
    done = run_isolated(partial(check_case, case, settings), settings.limits)
    assert done.kind == "done", done.message
    result = done.value
    assert result.status == "passed", (result.message, result.steps)
    assert [w.status for w in result.witnesses if w.name == "numeric"] != ["failed"]


SCHEMA = json.loads(resources.files("xentderive").joinpath("schemas/check.schema.json").read_text())


def test_without_configuration_the_default_is_the_smoke_suite():
    listed = run("check", "--list")
    assert listed.exit_code == 0 and listed.output.splitlines() == [
        f"{loss} [onehot] C={size} target=default" for loss in REGISTRY for size in ("3", "C")
    ]
    sized = run("check", "-C", "2", "--list").output.splitlines()  # -C sizes the smoke suite
    assert sized == [f"{loss} [onehot] C=2 target=default" for loss in REGISTRY]
    # what --list names is what runs (the whole smoke suite runs in test_readme and the jobs test)
    doc = json.loads(run("check", "-C", "3,C", "--loss", "focal", "--format", "json").output)
    jsonschema.validate(doc, SCHEMA)  # a passing report with both witnesses
    assert (
        doc["ok"]
        and [c["name"] for c in doc["cases"]]
        == run("check", "-C", "3,C", "--loss", "focal", "--list").output.splitlines()
    )


def test_all_does_not_combine_with_one_claim():
    result = run("check", "--all", "--loss", "focal")
    assert result.exit_code == 2 and "--all" in result.output


def test_a_configuration_without_claims_is_the_full_catalogue_at_its_classes(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.xentderive]\nclasses = [2]\nnumeric = false\n")
    names = run("check", "--list").output.splitlines()
    assert names == [f"{loss} [{labels}] C=2 target=default" for loss in REGISTRY for labels in ("onehot", "soft")]


def test_jobs_one_and_four_give_identical_reports_in_the_same_order():
    def report(jobs: str) -> list:
        doc = json.loads(run("check", "-C", "3", "--no-numeric", "-j", jobs, "--format", "json").output)
        return [{k: v for k, v in c.items() if k != "seconds"} for c in doc["cases"]]

    one = report("1")
    assert one == report("4") and len(one) == len(REGISTRY)


def test_jobs_must_be_a_count_or_auto():
    for bad in ("0", "-1", "two", "65", "1.5"):
        result = run("check", "-j", bad)
        assert result.exit_code == 2 and "--jobs" in result.output, bad
    assert run("check", "-C", "2", "--loss", "softmax-ce", "--no-numeric", "-j", "auto").exit_code == 0


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "github"])
def test_a_false_claim_fails_naming_the_case_and_a_counterexample_in_every_format(fmt):
    result = run(*FALSE, "--format", fmt)
    assert result.exit_code == 1
    assert "softmax-ce [onehot] C=3 target=p_i - 2*y_i" in result.output
    assert "f = (-6/5, 8/5, -8/5)" in result.output  # the counterexample's logits


def test_its_twin_the_true_claim_passes_in_every_format():
    for fmt in ("text", "json", "junit", "github"):
        assert run("check", "-C", "3", "--target", "p_i - y_i", "--format", fmt).exit_code == 0


def test_junit_parses_with_one_uniquely_named_testcase_per_case():
    result = run("check", "-C", "2", "--no-numeric", "--format", "junit")
    root = ET.fromstring(result.output)
    cases = root.findall("./testsuite/testcase")
    assert root.tag == "testsuites" and len(cases) == len(REGISTRY)  # the smoke suite at one size
    assert len({c.get("name") for c in cases}) == len(cases)
    failed = ET.fromstring(run(*FALSE, "--format", "junit").output)
    assert failed.find("./testsuite/testcase/failure").get("type") == "failed"


def test_json_report_matches_its_schema():
    """A failing report here; a passing one in test_without_configuration_the_default_is_the_smoke_suite."""
    doc = json.loads(run(*FALSE, "--format", "json").output)
    jsonschema.validate(doc, SCHEMA)
    assert not doc["ok"] and doc["cases"][0]["status"] == "failed"


def test_github_format_annotates_and_appends_the_step_summary(tmp_path):
    summary = tmp_path / "summary.md"
    result = run(*FALSE, "--format", "github", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.output.startswith("::error title=xentderive%3A softmax-ce [onehot] C=3 target=p_i - 2*y_i::")
    assert "| `softmax-ce [onehot] C=3 target=p_i - 2*y_i` | ✗ failed |" in summary.read_text()


def test_the_numeric_witness_agrees_with_a_true_claim_and_refutes_a_false_one():
    assert witness("softmax-ce", "onehot", "p_i - y_i", 4).agreed
    assert witness("softmax-ce", "onehot", "p_i - y_i", None).agreed
    assert not witness("softmax-ce", "onehot", "p_i - 2*y_i", 4).agreed
    assert not witness("softmax-ce", "soft", "p_i - y_i", None).agreed


def test_the_witness_samples_focal_only_where_it_is_stated_and_fails_a_claim_undefined_everywhere():
    target = build(None, loss="focal").target  # (1 - p_0)^(gamma - 1) would be 0^(-1/2) at C = 1: not in the domain
    assert witness("focal", "onehot", target, None, params={"gamma": "1/2"}).agreed
    assert not witness("softmax-ce", "onehot", "p_i - y_i + 1/(f_i - f_i)", 3).agreed


def test_a_symbolic_pass_with_a_numeric_fail_is_a_failure(monkeypatch):
    spec = REGISTRY["softmax-ce"]
    doubled = replace(spec, numeric_loss=lambda f, y, params: 2 * spec.numeric_loss(f, y, params))
    monkeypatch.setitem(REGISTRY, "softmax-ce", doubled)
    result = run("check", "-C", "3", "--loss", "softmax-ce", "--format", "json")
    doc = json.loads(result.output)
    assert result.exit_code == 1
    case = doc["cases"][0]
    assert [w["status"] for w in case["witnesses"]] == ["passed", "failed"]
    assert "numeric witness disagrees" in case["message"]
    assert run("check", "-C", "3", "--loss", "softmax-ce", "--no-numeric").exit_code == 0


def test_timeouts_are_reported_and_the_suite_goes_on():
    result = run("check", "-C", "2", "--loss", "softmax-ce", "--timeout", "0.01", "--format", "json")
    doc = json.loads(result.output)
    assert result.exit_code == 3
    assert doc["totals"]["timeout"] == 1 and len(doc["cases"]) == 1
    both = run("check", "--all", "-C", "2,C", "--timeout", "0.01", "--format", "json")
    assert json.loads(both.output)["totals"]["timeout"] == len(REGISTRY) * 2 * 2  # every case was tried


def test_a_case_past_its_limits_is_reported_and_the_others_are_right_in_parallel():
    """One worker sleeps, one allocates past its memory: each is reported as such, and the
    cases around them (run at the same time, in other workers) come back correct, in order."""
    from xentderive.isolation import Limits, run_many

    works = [lambda: 1, lambda: __import__("time").sleep(30), lambda: len(bytearray(1 << 30)), lambda: 4]
    done = list(run_many(works, Limits(seconds=2, memory=256 << 20), jobs=4))
    assert [d.kind for d in done] == ["done", "timeout", "memory", "done"]
    assert [done[0].value, done[3].value] == [1, 4] and "--timeout" in done[1].message


def test_pyproject_configuration_is_found_and_flags_win(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        "[tool.xentderive]\nclasses = [2]\nnumeric = false\n"
        '[[tool.xentderive.claims]]\nloss = "softmax-ce"\nlabels = "soft"\ntarget = "p_i*sum_j(y_j) - y_i"\n'
    )
    (tmp_path / "sub").mkdir()
    result = run("check", "--format", "json")
    doc = json.loads(result.output)
    assert [c["name"] for c in doc["cases"]] == ["softmax-ce [soft] C=2 target=p_i*sum_j(y_j) - y_i"]
    assert doc["settings"]["numeric"] is False
    doc = json.loads(run("check", "-C", "3", "--numeric", "--format", "json").output)
    assert [c["classes"] for c in doc["cases"]] == [3] and doc["settings"]["numeric"] is True


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[tool.xentderive]\nclasses = [0]\n", "tool.xentderive.classes[0] (line 2, column 12): 0 is not a whole"),
        ('[tool.xentderive]\n\nnumeric = "yes"\n', "tool.xentderive.numeric (line 3, column 11): expected true or"),
        ("[tool.xentderive]\ncolour = 1\n", "tool.xentderive.colour (line 2, column 1): unknown key"),
        ('[[tool.xentderive.claims]]\nloss = "mse"\n', "claims[0].loss (line 2, column 8): unknown loss"),
        ("[tool.xentderive\n", "not valid TOML"),
    ],
)
def test_malformed_configuration_is_exit_2_naming_file_key_and_line(tmp_path, text, message):
    (tmp_path / "pyproject.toml").write_text(text)
    result = run("check")
    assert result.exit_code == 2
    assert "pyproject.toml" in result.stderr and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_config_flag_reads_a_bare_table(tmp_path):
    (tmp_path / "suite.toml").write_text('classes = ["C"]\nnumeric = false\n[[claims]]\nloss = "log-softmax-nll"\n')
    doc = json.loads(run("check", "--config", "suite.toml", "--format", "json").output)
    assert [(c["loss"], c["classes"]) for c in doc["cases"]] == [("log-softmax-nll", "C")]
    assert run("check", "--config", "missing.toml").exit_code == 2


def test_the_pre_commit_hook_runs_only_when_a_file_it_reads_changes():
    import re

    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    hook = hooks["xentderive-check"]
    assert "always_run" not in hook and hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    for name in ("pyproject.toml", "sub/pyproject.toml", "paper/main.tex", "README.md", "notes.ipynb", "ci.toml"):
        assert files.search(name), name
    for name in ("src/model.py", "data.csv", "Makefile", "toml", "paper.tex.bak"):  # the twin: not these
        assert not files.search(name), name


def test_the_verify_hook_gets_the_changed_documents_only():
    import re

    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    hook = hooks["xentderive-verify"]
    assert hook["entry"] == "xentderive verify" and hook["pass_filenames"] is True
    files = re.compile(hook["files"])
    assert all(files.search(n) for n in ("paper/main.tex", "notes/grad.md", "nb.ipynb"))
    assert not any(files.search(n) for n in ("pyproject.toml", "src/model.py", "paper.tex.bak"))


def test_pre_commit_accepts_the_hook_manifest():
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_action_and_ci_examples_are_valid_yaml_that_run_check():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert any("xentderive check --format github" in s.get("run", "") for s in action["runs"]["steps"])
    gitlab = yaml.safe_load((ROOT / "examples" / "gitlab-ci.yml").read_text())
    assert gitlab["gradients"]["artifacts"]["reports"]["junit"] == "proofs.xml"
    workflow = yaml.safe_load((ROOT / "examples" / "github-workflow.yml").read_text())
    assert workflow["jobs"]["check"]["steps"][1]["with"]["args"] == "--classes 2,3,10,C"


def test_list_takes_no_report_options(tmp_path):
    for extra in (["-o", str(tmp_path / "cases.txt")], ["--format", "json"]):
        result = run("check", "--list", *extra)
        assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1, extra
        assert "--list" in result.output
    assert not (tmp_path / "cases.txt").exists()
