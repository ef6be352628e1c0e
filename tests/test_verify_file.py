"""`xentderive verify FILE`: a user's own derivation, checked link by link; every passing case has a failing twin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xentderive.errors import InputError
from xentderive.userdoc.check import STATUSES, verify_file

SEED = Path(__file__).resolve().parents[1] / "examples" / "seed-copied-page.txt"
ENV = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "PYTHONIOENCODING")}

MARKDOWN = r"""# The softmax gradient

Let $p_i = \frac{e^{z_i}}{\sum_k e^{z_k}}$ and the loss

$$L = -\sum_k y_k \log p_k$$

with one-hot labels $y$. For $j \neq i$,

$$\frac{\partial p_j}{\partial z_i} = -p_i p_j$$

and

$$\frac{\partial p_i}{\partial z_i} = p_i (1 - p_i)$$

So

$$
\begin{aligned}
\frac{\partial L}{\partial z_i} &= -\sum_j \frac{y_j}{p_j} \frac{\partial p_j}{\partial z_i} \\
&= -\sum_j y_j (\delta_{ij} - p_i) \\
&= p_i \sum_j y_j - y_i \\
&= p_i - y_i .
\end{aligned}
$$
"""

LATEX = r"""\documentclass{article}
\usepackage{amsmath}
\begin{document}
The logits are $z_1, \dots, z_K$ and
\begin{equation}
  p_i = \frac{\exp(z_i)}{\sum_{k=1}^{K} \exp(z_k)}, \qquad
\end{equation}
% the loss, for labels that sum to one
\begin{align}
  \mathcal{L} &= -\sum_{k=1}^{K} t_k \ln p_k \label{eq:loss} \nonumber
\end{align}
and the gradient
\begin{align*}
  \frac{\partial \mathcal{L}}{\partial z_i}
    &= -t_i + \frac{\exp(z_i)}{\sum_{k=1}^{K}\exp(z_k)} \\
    &= p_i - t_i .
\end{align*}
\end{document}
"""


def run(text: str, name: str = "doc.md", **kw):
    return verify_file(name, text.encode(), **kw)


def statuses(report) -> list[tuple[int, str]]:
    return [(v.line, v.status) for v in report.verdicts]


def test_a_markdown_derivation_is_proved_link_by_link():
    report = run(MARKDOWN)
    assert report.roles == {"logits": "z", "probs": "p", "labels": "y", "loss": "L"}
    assert statuses(report) == [
        (9, "proved"),
        (13, "proved"),
        (19, "proved"),
        (20, "proved"),
        (21, "proved"),
        (22, "proved"),
    ]
    assert report.ok


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        ("&= p_i - y_i .", "&= p_i + y_i .", 22),  # a sign
        ("&= -\\sum_j y_j (\\delta_{ij} - p_i)", "&= -\\sum_j y_j (\\delta_{ij} - 2 p_i)", 20),  # a factor
        ("&= p_i \\sum_j y_j - y_i", "&= p_i \\sum_j y_j - p_i", 21),  # p_i for y_i
    ],
)
def test_the_twin_a_single_slip_is_wrong_at_its_line(old, new, line):
    assert MARKDOWN.count(old) == 1
    report = run(MARKDOWN.replace(old, new))
    assert report.first_wrong is not None and report.first_wrong.line == line
    assert report.first_wrong.status == "wrong" and report.first_wrong.counterexample is not None
    # the slipped expression ends one link and starts the next: both are wrong, nothing else
    assert {v.line for v in report.verdicts if v.status != "proved"} <= {line, line + 1}


def test_a_case_that_nobody_stated_is_wrong_with_the_hint():
    text = MARKDOWN.replace("For $j \\neq i$,", "Now,")
    report = run(text)
    bad = report.first_wrong
    assert (bad.line, bad.status, bad.hint) == (9, "wrong", "holds if j ≠ i")


def test_the_label_sum_is_assumed_with_onehot_labels_and_named_as_the_hint_with_soft():
    assert run(MARKDOWN).ok
    soft = run(MARKDOWN, labels="soft")
    bad = soft.first_wrong
    assert (bad.line, bad.status) == (22, "wrong") and "Σ" in bad.hint


def test_a_latex_article_with_one_based_sums_ln_exp_and_mathcal():
    report = run(LATEX, "paper.tex")
    assert report.roles == {"logits": "z", "probs": "p", "labels": "t", "classes": "K", "loss": "\\mathcal{L}"}
    assert statuses(report) == [(15, "proved"), (16, "proved")]
    wrong = run(LATEX.replace("&= p_i - t_i .", "&= p_i - t_i^2 ."), "paper.tex")
    assert statuses(wrong)[-1] == (16, "wrong")


def test_a_concrete_number_of_classes_is_verified_exactly_and_a_step_true_only_at_two_classes():
    two_only = MARKDOWN + "\nFor $j \\neq i$, $$1 - p_i = p_j$$\n"
    report = run(two_only, classes=3)
    assert [s for _, s in statuses(report)] == ["verified"] * 6 + ["wrong"]
    assert [s for _, s in statuses(run(two_only, classes=2))] == ["verified"] * 7  # 1 - p_i = p_j: two classes only
    assert [s for _, s in statuses(run(two_only))][-1] == "wrong"  # for every C: refuted at C = 3


def test_a_notebook_reads_only_markdown_cells():
    nb = {
        "cells": [
            {"cell_type": "markdown", "source": MARKDOWN.splitlines(keepends=True)},
            {"cell_type": "code", "source": ["x = 1  # $a = b$\n"]},
        ],
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
    }
    report = verify_file("notes.ipynb", json.dumps(nb).encode())
    assert report.ok and len(report.links) == 6 and {v.cell for v in report.verdicts} == {1}
    nb["cells"][0]["source"] = MARKDOWN.replace("= p_i - y_i .", "= y_i - p_i .").splitlines(keepends=True)
    assert not verify_file("notes.ipynb", json.dumps(nb).encode()).ok


def test_chinese_prose_condition_before_the_display():
    text = (
        "设 $p_i = \\frac{e^{f_i}}{\\sum_{k=0}^{C-1} e^{f_k}}$。\n\n当 $j \\neq i$ 时：\n\n"
        "$$\\frac{\\partial p_j}{\\partial f_i} = -p_i p_j$$\n"
    )
    assert statuses(run(text)) == [(5, "proved")]
    assert run(text.replace("当 $j \\neq i$ 时：", "于是：")).first_wrong.hint == "holds if j ≠ i"


def test_condition_written_in_the_display():
    text = (
        "$$p_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$$\n"
        "$$\\frac{\\partial p_j}{\\partial z_i} = p_i(1 - p_i) \\quad \\text{for } j = i$$\n"
    )
    assert statuses(run(text)) == [(2, "proved")]
    assert statuses(run(text.replace("\\text{for } j = i", "\\text{for } j \\neq i")))[0][1] == "wrong"


def test_not_understood_names_the_fragment_and_never_guesses():
    report = run("$$p_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$$\n$$q = p_i \\oint x$$\n")
    (v,) = report.verdicts
    assert v.status == "not-understood" and v.line == 2 and "\\oint" in v.reason
    assert not report.ok


def test_approx_is_reported_not_checked_and_does_not_fail():
    report = run(MARKDOWN + "\n$$p_i - y_i \\approx p_i - y_i$$\n")
    assert statuses(report)[-1][1] == "not-checked" and report.ok


def test_the_seed_page_reports_its_slips_at_their_lines():
    report = verify_file("seed.txt", SEED.read_bytes())  # a copy of ../shared/seed/000_f99374e0678ef1a1.txt
    bad = {v.line: v.status for v in report.verdicts if v.status in ("wrong", "not-understood")}
    assert bad.get(68) == "not-understood"  # log^{p_i}
    assert bad.get(245) == "not-understood"  # \sum_{j=i}^{C-1}: the single term j = i
    assert bad.get(193) == "not-understood"  # (p{i})^2: p times the index
    assert report.first_wrong.line == 68
    # ∂p_j/∂f_i = ∂p_i/∂f_i holds only if j = i: the page says so on the line before ("首先 j = i 时:")
    assert next(v.status for v in report.verdicts if v.line == 190) == "proved"
    assert not [v for v in report.verdicts if v.status == "wrong"]  # its slips are all not understood


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("x.md", b"\xff\xfe\x00a", "not UTF-8"),
        ("x.ipynb", b"{not json", "not a Jupyter notebook"),
        ("x.md", b"a\0b", "binary"),
    ],
)
def test_bad_files_are_input_errors(name, data, message):
    with pytest.raises(InputError, match=message):
        verify_file(name, data)


def xd(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "xentderive", *args], input=stdin, capture_output=True, env=ENV, timeout=120
    )


def test_cli_exit_codes_and_formats(tmp_path):
    good = tmp_path / "good.md"
    good.write_text(MARKDOWN)
    bad = tmp_path / "bad.md"
    bad.write_text(MARKDOWN.replace("&= p_i - y_i .", "&= p_i + y_i ."))
    ok = xd("verify", str(good))
    assert ok.returncode == 0 and b"6 of 6 links hold" in ok.stdout
    wrong = xd("verify", str(bad), "--format", "json")
    assert wrong.returncode == 1
    body = json.loads(wrong.stdout)
    from importlib import resources

    import jsonschema

    schema = json.loads(resources.files("xentderive").joinpath("schemas/verify.schema.json").read_text())
    jsonschema.validate(body, schema)
    jsonschema.validate(json.loads(xd("verify", str(good), "--format", "json").stdout), schema)
    (f,) = body["files"]
    assert f["first_wrong"] == {"line": 22, "status": "wrong"}
    assert {link["status"] for link in f["links"]} == {"proved", "wrong"}
    gh = xd("verify", str(bad), "--format", "github").stdout.decode()
    assert f"::error file={bad},line=22," in gh.replace("%3A", ":").replace("%2C", ",")
    junit = ET.fromstring(xd("verify", str(bad), "--format", "junit").stdout)
    assert junit.get("failures") == "1" and junit.get("tests") == "6"
    piped = xd("verify", "-", stdin=MARKDOWN.encode())
    assert piped.returncode == 0 and b"<stdin>" in piped.stdout


@pytest.mark.parametrize("args", [["verify", "/nonexistent.md"], ["verify", "/tmp"], ["verify"]])
def test_cli_bad_input_is_one_line_and_exit_2(args):
    result = xd(*args)
    assert result.returncode == 2 and len(result.stderr.decode().strip().splitlines()) == 1
    assert b"Traceback" not in result.stderr


def test_the_report_never_overwrites_a_file_it_verifies(tmp_path):
    src = tmp_path / "d.md"
    src.write_text(MARKDOWN)
    result = xd("verify", str(src), "-o", str(src))
    assert result.returncode == 2 and b"would overwrite it" in result.stderr
    assert src.read_text() == MARKDOWN
    assert xd("verify", str(src), "-o", str(tmp_path / "r.txt")).returncode == 0  # the twin: another file is fine


def test_output_file_written_atomically_and_untouched_on_bad_input(tmp_path):
    out = tmp_path / "report.json"
    out.write_text("before")
    assert xd("verify", "/nonexistent.md", "-o", str(out)).returncode == 2
    assert out.read_text() == "before"
    src = tmp_path / "d.md"
    src.write_text(MARKDOWN)
    assert xd("verify", str(src), "--format", "json", "-o", str(out)).returncode == 0
    assert json.loads(out.read_text())["ok"] is True


PIECES = [
    "$",
    "$$",
    "\\frac{",
    "}{",
    "}",
    "{",
    "\\sum_",
    "k",
    "j",
    "i",
    "=",
    "p_i",
    "z_k",
    "e^{",
    "\\log",
    "(",
    ")",
    "\\partial",
    "\\\\",
    "&",
    "\\begin{align}",
    "\\end{align}",
    "\n",
    " ",
    "-",
    "+",
    "^",
    "_",
    "\\delta_{ij}",
    "\\neq",
    "[i=j]",
    "\\mathbb{1}",
    "L",
    "y_k",
    "\\text{for }",
    "\\quad",
    "%",
    "\\left(",
    "\\right)",
    "'",
    "2",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=60), st.sampled_from(["a.md", "a.tex", "a.txt"]))
def test_hostile_text_never_crashes(pieces, name):
    """Any text: a report or an InputError, never another exception; every verdict has a known status."""
    text = "$$p_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$$\n$$L = -\\sum_k y_k \\log p_k$$\n" + "".join(pieces)
    try:
        report = verify_file(name, text.encode())
    except InputError:
        return
    for v in report.verdicts:
        assert v.status in STATUSES
        assert v.line >= 1


def test_nabla_component_forms():
    text = "$$p_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$$\n$$L = -\\sum_k y_k \\log p_k$$\n"
    for lhs in ("\\nabla_{z_i} L", "(\\nabla_z L)_i", "\\partial L / \\partial z_i"):
        assert statuses(run(text + f"$${lhs} = p_i - y_i$$\n")) == [(3, "proved")], lhs
        assert statuses(run(text + f"$${lhs} = y_i - p_i$$\n"))[0][1] == "wrong", lhs


def test_a_directive_binds_roles_where_the_document_defines_nothing():
    text = (
        "% xentderive: logits=z probs=s labels=t classes=K loss=E\n"
        "\\[ \\frac{\\partial E}{\\partial z_i} = s_i - t_i \\]\n"
    )
    assert statuses(run(text, "a.tex")) == [(2, "proved")]
    assert statuses(run(text.replace("s_i - t_i", "s_i + t_i"), "a.tex"))[0][1] == "wrong"
    bare = run(text.split("\n", 1)[1], "a.tex")  # the twin: without the directive, E and s mean nothing
    assert bare.verdicts[0].status == "not-understood"


@pytest.mark.parametrize(
    "text",
    [
        "$$" + "{" * 20000 + "p_i" + "}" * 20000 + " = 1$$",
        "$$" + " + ".join(["p_i"] * 50000) + " = 1$$",
        "$$x^{x^{x^{x^{x^{x}}}}} = 10^{10^{10^{10}}}$$",
        "$$e^{e^{e^{e^{1000}}}} = 1$$",
    ],
)
def test_hostile_rows_are_not_understood_or_answered_quickly(text):
    report = run("$$p_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$$\n" + text)
    assert report.verdicts and report.verdicts[-1].status in ("not-understood", "wrong", "not-proved")
    assert report.seconds < 30


def test_a_file_too_large_is_refused():
    with pytest.raises(InputError, match="bytes"):
        verify_file("big.md", b"x" * 5_000_001)


def test_the_schema_names_exactly_the_statuses():
    from importlib import resources

    schema = json.loads(resources.files("xentderive").joinpath("schemas/verify.schema.json").read_text())
    links = schema["properties"]["files"]["items"]["properties"]["links"]["items"]["properties"]
    assert tuple(links["status"]["enum"]) == STATUSES


@pytest.mark.parametrize(("relation", "expected"), [("\\le", "proved"), ("\\equiv", "wrong"), ("\\ge", "wrong")])
def test_a_row_may_continue_the_chain_with_any_relation(relation, expected):
    text = (
        "$$p_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$$\n"
        f"$$\\begin{{aligned}} p_i (1 - p_i) &= p_i - p_i^2 \\\\ &{relation} p_i \\end{{aligned}}$$\n"
    )
    assert [s for _, s in statuses(run(text))] == ["proved", expected]
