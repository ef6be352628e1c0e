"""The prose around the mathematics: assumption lists that follow the steps, text that is never
cut off, Chinese punctuation and headings, and no command-line wording in a paper."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from xentderive import derive
from xentderive.api import LABEL_SUM_STATED, LOG_STATED, build, uses_log
from xentderive.derivations import REGISTRY, known
from xentderive.model import Status
from xentderive.semantics import ASSUME_LABEL_SUM, ASSUME_LABELS_NONNEGATIVE
from xentderive.verify import checker_for

CUSTOM = {"loss_expr": "sum_j(-y_j*log(p_j)) + beta*sum_j(p_j*log(p_j))", "param_ranges": {"beta": "0..1"}}


def drift(d) -> list[str]:
    """What the stated list gets wrong about the assumptions the steps carry (empty: nothing)."""
    used = {a for s in d.all_steps for a in s.assumptions}
    stated = " ".join(d.assumptions)
    out = []
    if ASSUME_LABEL_SUM in used and "Σ_j @y_j = 1" not in stated:
        out.append("a step uses Σ_j y_j = 1, not stated")
    if ASSUME_LABELS_NONNEGATIVE in used and "@y_j ≥ 0" not in stated:
        out.append("a step uses y_j ≥ 0, not stated")
    if "Σ_j @y_j = 1" in stated and ASSUME_LABEL_SUM not in used:
        out.append("Σ_j y_j = 1 stated, never used")
    if "@y_j ≥ 0" in stated and not used & {ASSUME_LABEL_SUM, ASSUME_LABELS_NONNEGATIVE}:
        out.append("y_j ≥ 0 stated, never used")
    if (LOG_STATED in d.assumptions) != uses_log(d.all_steps):
        out.append("the natural log stated where no log appears, or the other way round")
    return out


CASES = [(loss, labels, {}) for loss in known() for labels in ("onehot", "soft")]
CASES += [("custom", labels, CUSTOM) for labels in ("onehot", "soft")]


@pytest.mark.parametrize(("loss", "labels", "extra"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_stated_assumptions_are_the_used_ones(loss, labels, extra):
    d = build(None, labels=labels, **(extra or {"loss": loss}))
    assert drift(d) == []


@pytest.mark.parametrize(("loss", "labels", "extra"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_every_carried_label_assumption_is_needed(loss, labels, extra):
    """A step carries Σ_j y_j = 1 (or y_j ≥ 0 with soft labels) only if some step fails without it."""
    d = build(None, labels=labels, **(extra or {"loss": loss}))
    checker = checker_for(d.ctx, d.labels)
    wanted = [ASSUME_LABEL_SUM] if labels == "onehot" else [ASSUME_LABELS_NONNEGATIVE]
    for a in wanted:
        carrying = [s for s in d.all_steps if a in s.assumptions]
        if not carrying:
            continue
        without = (replace(s, assumptions=tuple(x for x in s.assumptions if x != a)) for s in carrying)
        assert any(not checker.check(s).status.passed for s in without), f"{a} carried by {loss} but never needed"


def test_drift_is_seen():
    """The twin: dropping the label sum from ce-hessian's list, or adding it to sigmoid-bce's, is drift."""
    hessian = build(None, loss="ce-hessian")
    assert LABEL_SUM_STATED in hessian.assumptions  # step 4 uses Σ_k y_k = 1
    assert drift(replace(hessian, assumptions=[a for a in hessian.assumptions if a != LABEL_SUM_STATED]))
    assert LOG_STATED in hessian.assumptions  # its step 2 is the loss, with a log
    bce = build(None, loss="sigmoid-bce")
    assert not any("Σ_j" in a for a in bce.assumptions)
    assert drift(replace(bce, assumptions=[*bce.assumptions, LABEL_SUM_STATED]))
    jacobian = build(None, loss="softmax-jacobian")
    assert drift(replace(jacobian, assumptions=[LOG_STATED, *jacobian.assumptions]))


def test_a_claim_of_the_user_keeps_the_label_sum():
    """--labels onehot grants Σ_j y_j = 1 to a claim of the user's, and then says so."""
    d = build(None, loss="sigmoid-bce", target="p_i - y_i")
    assert ASSUME_LABEL_SUM in d.claim.assumptions
    assert LABEL_SUM_STATED in d.assumptions
    assert Status.PENDING is d.claim.status


# Chinese: headings in Chinese, full-width punctuation, no font shape CJK lacks


def _zh(loss: str = "focal", fmt: str = "text", **kw) -> str:
    from xentderive.printing import FORMATS, RenderOptions

    d = derive(3, loss=loss, **kw)
    return FORMATS[fmt](d, RenderOptions(lang="zh"))


def test_chinese_headings_and_punctuation():
    out = _zh()
    assert "2. Focal 损失" in out and "Focal loss" not in out
    assert "假设：" in out and "假设:" not in out
    assert "结果：" in out and "验证方法：" in out
    assert "；" in out.splitlines()[1]  # the assumptions, full-width semicolons between them
    md = _zh(fmt="markdown")
    assert "**假设：**" in md and "**结果：**" in md
    tex = _zh(fmt="latex")
    assert r"\paragraph{结果。}" in tex and "结果." not in tex and "假设：" in tex
    english = _english("text")
    assert "Assumptions: " in english and "Result: " in english  # the twin: English keeps its own


def _english(fmt: str) -> str:
    from xentderive.printing import FORMATS, RenderOptions

    return FORMATS[fmt](derive(3, loss="focal"), RenderOptions())


def test_chinese_latex_sets_no_cjk_italic(tmp_path):
    """\\emph on CJK text asks for C70/gbsn/m/it, which does not exist; the layout test's log check sees it."""
    from tests.test_formats import _require
    from tests.test_paper_layout import _compile, _problems
    from xentderive.printing import FORMATS, RenderOptions

    _require("pdflatex")
    source = FORMATS["latex"](derive(3, loss="focal"), RenderOptions(lang="zh", standalone=True))
    assert r"\emph{[对" not in source
    assert _problems(_compile(tmp_path, source)) == {}
    twin = source.replace(r"\begin{CJK}{UTF8}{gbsn}", "\\begin{CJK}{UTF8}{gbsn}\\emph{对}", 1)
    assert any("Font shape" in line for lines in _problems(_compile(tmp_path, twin)).values() for line in lines)


# Parameters: a value where one was given, never a free parameter listed as its own value


def test_an_unset_parameter_is_no_value():
    import json

    from xentderive.printing import FORMATS, RenderOptions

    free = derive(None, loss="focal")
    text = FORMATS["text"](free, RenderOptions())
    assert "gamma = gamma" not in text and "Parameters" not in text
    doc = json.loads(FORMATS["json"](free, RenderOptions()))
    assert doc["params"] == {} and doc["free_params"] == ["gamma"]
    fixed = derive(None, loss="focal", params={"gamma": "2"})  # the twin: a given value is printed
    assert "Parameters: gamma = 2" in FORMATS["text"](fixed, RenderOptions())
    doc = json.loads(FORMATS["json"](fixed, RenderOptions()))
    assert doc["params"] == {"gamma": "2"} and doc["free_params"] == []


# Paper prose: no command-line wording


def test_no_command_line_wording_in_a_paper():
    from xentderive.printing import FORMATS, RenderOptions

    cases = [
        derive(None, loss="focal", params={"gamma": "2"}),
        derive(None, loss="sigmoid-bce"),
        derive(3, loss="weighted-ce", params={"w0": "2"}),
    ]
    cases += [derive(None, loss=name) for name in REGISTRY]  # engine-built ones too: no "--loss-expr" in prose
    for d in cases:
        for lang in ("en", "zh"):
            for fmt in ("latex", "markdown"):
                out = FORMATS[fmt](d, RenderOptions(lang=lang))
                assert _options_named(out) == [], (d.loss, fmt, lang)
    latex = FORMATS["latex"](cases[0], RenderOptions())
    assert r"$\gamma  = 2$ (a fixed value)" in latex
    assert "$C = 1$ is the textbook case" in FORMATS["latex"](cases[1], RenderOptions())


def _options_named(out: str) -> list[str]:
    """Command-line options a paper's reader would see: comments (% …, <!-- … -->) may name them."""
    prose = [line for line in out.splitlines() if not line.lstrip().startswith(("%", "<!--"))]
    return [m for line in prose for m in re.findall(r"-(?:\{\})?-[a-z][a-z-]+", line)]


def test_an_option_in_prose_is_seen():
    """The twin: the engine's old sentence, and the LaTeX-escaped form of an option."""
    assert _options_named("built by the engine that derives any loss given with --loss-expr.") == ["--loss-expr"]
    assert _options_named(r"given with -{}-param") == ["-{}-param"]
    assert _options_named("% xentderive --loss focal") == []


def test_a_loss_of_ones_own_has_a_human_title():
    from xentderive.printing import FORMATS, RenderOptions

    d = derive(None, loss_expr="sum_j(-y_j*log(p_j))")
    assert r"\title{Gradient of a user-defined loss: every $C$}" in FORMATS["latex"](d, RenderOptions(standalone=True))
    assert "Gradient of custom" not in FORMATS["markdown"](d, RenderOptions())
    assert "自定义损失的梯度" in FORMATS["markdown"](d, RenderOptions(lang="zh"))


def test_the_jacobian_header_names_no_labels():
    from xentderive.printing import FORMATS, RenderOptions

    jacobian = derive(None, loss="softmax-jacobian")
    for fmt in ("latex", "text", "markdown"):
        assert "labels" not in FORMATS[fmt](jacobian, RenderOptions()).splitlines()[0], fmt
    assert "labels onehot" in FORMATS["latex"](derive(None), RenderOptions()).splitlines()[0]  # the twin


# A parameter's Greek letter: T=\tau


def test_a_parameter_may_take_a_greek_letter():
    from click.testing import CliRunner

    from xentderive.cli import main

    runner = CliRunner()
    result = runner.invoke(main, ["derive", "--loss", "temperature", "-C", "2", "--format", "latex",
                                  "--notation", r"T=\tau"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert r"\frac{f_{i}}{\tau}" in result.output and r"$\tau  > 0$" in result.output
    assert not re.search(r"(?<![\\A-Za-z])T(?![A-Za-z])", result.output.split("\\begin{itemize}", 1)[1])
    for args, message in [
        (["--notation", r"T=\tau"], "softmax-ce has no parameter T"),  # a loss without T: a typo, not ignored
        (["--loss", "temperature", "--notation", r"T=\delta"], "δ is taken"),
        (["--loss", "temperature", "--notation", r"T=\tau,probs=\tau"], "prints as τ"),
        (["--loss", "temperature", "--notation", r"T=\hat{y}"], "a parameter's letter is a Greek one"),
    ]:
        result = runner.invoke(main, ["derive", *args])
        assert result.exit_code == 2 and message in result.output, (args, result.output)


# label-smoothing's conventions item sets without an underfull line

OLD_SMOOTHING = (
    "PyTorch's cross_entropy(..., label_smoothing=eps): every class gets $eps/@C$, the true class included, "
    "so the target is $(1 - eps) @y_j + eps/@C$ (not $eps/(@C - 1)$ spread over the other classes)."
)


def _underfull(tmp_path, d, lang: str, page: str) -> list[str]:
    from tests.test_paper_layout import PAGES, _compile, _document
    from xentderive.printing import RenderOptions
    from xentderive.printing.latex import body

    parts = [(layout, body(d, RenderOptions(lang=lang, layout=layout))) for layout in ("wide", "narrow")]
    log = _compile(tmp_path, _document(PAGES[page], lang, parts))
    return [line for line in log.splitlines() if line.startswith("Underfull")]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", ["one-column 5.5in", "two-column 10pt"])
def test_label_smoothing_sets_without_an_underfull_box(tmp_path, lang, page):
    from tests.test_formats import _require

    _require("pdflatex")
    for d in (derive(None, loss="label-smoothing"), derive(3, loss="label-smoothing", params={"eps": "1/10"})):
        assert _underfull(tmp_path, d, lang, page) == []


def test_the_old_smoothing_convention_was_underfull(tmp_path):
    """The twin: the wording before, cross_entropy(..., label_smoothing=eps): in one unbreakable run."""
    from tests.test_formats import _require

    _require("pdflatex")
    d = derive(None, loss="label-smoothing")
    assert _underfull(tmp_path, replace(d, conventions=[OLD_SMOOTHING]), "en", "two-column 10pt")


# Text: never cut off, broken at top-level + - = only (deeper only where nothing else fits)


def test_text_breaks_between_top_level_terms_only():
    from xentderive.printing.text import wrap_math

    lines = wrap_math("x_1·(a + b + c + d) + y_2·(e + f)", 20, 0).split("\n")
    assert lines == ["x_1·(a + b + c + d)", "  + y_2·(e + f)"]  # not "x_1·(a + b + c" | "+ d) …"
    assert wrap_math("x_1·(a + b + c + d) + y_2·(e + f)", 20, 0, deepest=0) == "\n".join(lines)
    # no top-level term to break at, and too wide: first the top-level /, then inside the brackets, indented
    lines = wrap_math("(aaaa + bbbb + cccc)/(dddd)", 14, 0).split("\n")
    assert lines[-1].strip() == "/(dddd)" and all(len(line) <= 14 for line in lines)


@pytest.mark.parametrize("loss", ["softcap", "focal", "sigmoid-bce", "ce-hessian", "batch-mean"])
@pytest.mark.parametrize("width", [60, 80, 120])
def test_text_is_never_cut_off(loss, width):
    """Every character of the wide printout is in the narrow one: nothing ends in "…"."""
    from collections import Counter

    from xentderive.printing.text import render

    d = derive(None, loss=loss)
    narrow, wide = render(d, width=width), render(d, width=2000)

    def chars(out: str) -> Counter:
        return Counter(ch for ch in out if not ch.isspace() and ch != "↳")

    assert chars(narrow) == chars(wide)
    assert max(len(line) for line in narrow.splitlines()) <= width
