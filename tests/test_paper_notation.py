"""What papers need besides the layout: LaTeX names, Greek parameters, stated values, titles."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from xentderive import derive
from xentderive.cli import main
from xentderive.errors import InputError
from xentderive.printing import FORMATS, RenderOptions
from xentderive.printing.notation import Notation
from xentderive.printing.text import wrap_math, wrap_words


def test_latex_names_are_printed_as_given_and_as_unicode_in_text():
    d = derive(None)
    options = RenderOptions(notation=Notation.parse(r"logits=z,probs=\hat{y},loss=\mathcal{L},labels=t"))
    latex = FORMATS["latex"](d, options)
    assert r"\frac{\partial \mathcal{L}}{\partial z_{i}}" in latex and r"\hat{y}_{i}" in latex
    assert r"$\mathcal{L}_j = -t_j \log \hat{y}_j$" in latex  # the prose renamed too
    text = FORMATS["text"](d, options)
    assert "∂ℒ/∂z_i" in text and "ŷ_i - t_i" in text and "p_i" not in text


@pytest.mark.parametrize(
    "spec",
    [
        r"probs=\input{x}",  # a command that is not a name
        r"probs=\hat{\input}",
        r"loss=\mathcal{L}}",
        r"probs=\hat{y},labels=\hat{y}",  # the same name twice
        r"probs=\notgreek",
        r"probs=\mathcal{p}",  # \mathcal has no lowercase: it would print another glyph
        r"probs=\delta",  # the Kronecker delta's letter
        r"loss=L2",
        "probs=q,probs=r",
    ],
)
def test_a_latex_name_outside_the_closed_list_is_refused(spec):
    with pytest.raises(InputError):
        Notation.parse(spec)
    result = CliRunner().invoke(main, ["derive", "--notation", spec])
    assert result.exit_code == 2 and result.output.count("\n") == 1


def test_a_target_keeps_the_ascii_names_when_the_display_is_latex():
    result = CliRunner().invoke(main, ["derive", "-C", "3", "--notation", r"probs=\hat{y}", "--target", "p_i - y_i"])
    assert result.exit_code == 0, result.output


def test_greek_parameters_print_as_greek_in_equations_and_prose():
    latex = FORMATS["latex"](derive(None, loss="label-smoothing"), RenderOptions())
    assert r"\frac{\varepsilon}{C}" in latex and r"$0 \le  \varepsilon  \le  1$" in latex
    assert re.findall(r"\beps\b", latex) == ["eps"]  # only PyTorch's keyword label_smoothing=eps, in prose


def test_a_fixed_value_is_stated_where_the_symbol_disappears():
    d = derive(None, loss="focal", params={"gamma": "2"})
    assert r"$\gamma  = 2$ (a fixed value)" in FORMATS["latex"](d, RenderOptions())  # no command-line flag
    assert "$\\gamma  = 2$ (a fixed value)" in FORMATS["markdown"](d, RenderOptions())
    weights = derive(3, loss="weighted-ce", params={"w0": "2"})
    assert "$w_0 = 2$ (a fixed value)" in weights.assumptions
    assert r"$\gamma  = 2$（固定取值）" in FORMATS["latex"](d, RenderOptions(lang="zh"))


@pytest.mark.parametrize(
    ("loss", "en", "zh"),
    [
        ("softmax-ce", "Gradient of softmax cross-entropy", "softmax 交叉熵的梯度"),
        ("softmax-jacobian", "Jacobian of the softmax", "softmax 的雅可比矩阵"),
        ("ce-hessian", "Hessian of softmax cross-entropy", "softmax 交叉熵的黑塞矩阵"),
    ],
)
def test_titles_say_what_the_document_is(loss, en, zh):
    d = derive(3, loss=loss)
    assert FORMATS["markdown"](d, RenderOptions()).startswith(f"# {en}")
    assert f"\\title{{{zh}:" in FORMATS["latex"](d, RenderOptions(lang="zh", standalone=True))


def test_the_jacobian_states_no_loss_or_label_assumption():
    d = derive(None, loss="softmax-jacobian")
    assert not any("log" in a or "@y" in a for a in d.assumptions)
    assert any("log" in a for a in derive(None).assumptions)  # the twin: a loss states both
    assert any("@y" in a for a in derive(None).assumptions)


def test_headings_end_before_the_text_so_chinese_is_not_set_bold():
    latex = FORMATS["latex"](derive(None), RenderOptions(lang="zh"))
    assert latex.count(r"\paragraph{") == latex.count(r"}\mbox{}") and r"\paragraph{" in latex


def test_log_is_written_as_papers_write_it():
    latex = FORMATS["latex"](derive(None, loss="focal"), RenderOptions())
    assert r"\log p_{j}" in latex and r"\log{\left(" not in latex and r"\left(\left(1 - p_{j}\right)" not in latex
    step = FORMATS["latex"](derive(None), RenderOptions()).split(r"\paragraph{2.", 1)[1].split(r"\paragraph{3.")[0]
    assert r"\sum_{k=0}^{C - 1} y_{k} \log p_{k}" in step  # not over i, the free index of what follows


@pytest.mark.parametrize(
    "args",
    [
        ["--equations-only"],  # text format
        ["-f", "latex", "--equations-only", "--standalone"],
        ["-f", "latex", "--equations-only", "--labels-prefix", "eq:{bad}"],
        ["-f", "latex", "--labels-prefix", "1eq"],
        ["-f", "latex", "--layout", "huge"],
    ],
)
def test_latex_options_that_do_not_go_together_are_bad_input(args):
    result = CliRunner().invoke(main, ["derive", *args])
    assert result.exit_code == 2 and result.output.count("\n") == 1


def test_text_wraps_under_the_expression_and_keeps_a_formula_whole():
    expr = "a_1 + b_2·c_3 - Σ_{j=0}^{C - 1} (p_j - y_j) + d_4"
    lines = wrap_math(expr, 16, 4).split("\n")
    assert lines[0] == "a_1 + b_2·c_3" and all(line.startswith(" " * 6) for line in lines[1:])
    assert "".join(line.strip() + " " for line in lines).strip().replace("  ", " ") == expr
    assert any("Σ_{j=0}^{C - 1}" in line for line in lines)  # never broken inside {…}
    note = wrap_words("multiply out; Σ_j\x00y_j\x00=\x001 (step 1)", 12)
    assert "Σ_j y_j = 1" in note.split("\n")


def test_a_greek_parameter_takes_the_letter_chosen():
    d = derive(None, loss="label-smoothing")
    chosen = FORMATS["latex"](d, RenderOptions(notation=Notation.parse(r"eps=\epsilon")))
    assert r"\frac{\epsilon}{C}" in chosen and r"\varepsilon" not in chosen
    assert r"\varepsilon" in FORMATS["latex"](d, RenderOptions())  # the twin: the default letter
    with pytest.raises(InputError):
        Notation.parse(r"eps=\mathcal{E}")


@pytest.mark.parametrize(
    ("loss", "spec"),
    [("focal", r"probs=\gamma"), ("temperature", r"probs=\mathit{T}"), ("label-smoothing", r"probs=\epsilon")],
)
def test_a_latex_name_that_prints_as_a_parameters_letter_is_refused(loss, spec):
    result = CliRunner().invoke(main, ["derive", "--loss", loss, "--notation", spec])
    assert result.exit_code == 2 and "the letter of the parameter" in result.output
    other = CliRunner().invoke(main, ["derive", "-C", "3", "--notation", spec])  # the twin: no such parameter
    assert other.exit_code == 0, other.output


def test_a_rational_divisor_is_bracketed_in_text():
    d = derive(None, loss="temperature", params={"T": "3/2"}, form="vector")
    shown = FORMATS["text"](d, RenderOptions())
    assert "(p_i - y_i)/(3/2)" in shown and "∇_f L = (1/(3/2)) (p - y)" in shown and "/3/2" not in shown
