"""Formats: JSON against its schema and against finite differences; LaTeX through pdflatex."""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import subprocess
from importlib import resources

import jsonschema
import pytest
from sympy import Symbol, lambdify
from sympy.parsing.sympy_parser import parse_expr

from xentderive import derive
from xentderive.derivations import REGISTRY
from xentderive.printing import FORMATS, Notation, RenderOptions
from xentderive.printing.json_format import document


def schema():
    return json.loads(resources.files("xentderive").joinpath("schemas/derivation.schema.json").read_text())


@pytest.mark.parametrize(
    "kwargs",
    [
        {"classes": None},
        {"classes": 3},
        {"classes": 3, "target": "p_i - 2*y_i"},
        {"classes": None, "labels": "soft"},
        {"classes": 3, "loss": "weighted-ce", "target": "p_i - y_i"},  # a counterexample with weights
        {"classes": 3, "loss": "ce-hessian"},  # a matrix gradient and a ≥ line
    ],
)
def test_json_output_matches_the_schema(kwargs):
    classes = kwargs.pop("classes")
    jsonschema.validate(document(derive(classes, **kwargs)), schema())


def test_json_schema_rejects_a_document_without_status():
    doc = document(derive(2))
    del doc["steps"][0]["status"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema())


def _loss(fs, ys):
    total = sum(math.exp(v) for v in fs)
    return -sum(y * math.log(math.exp(v) / total) for v, y in zip(fs, ys, strict=True))


@pytest.mark.parametrize("labels", ["onehot", "soft"])
def test_json_gradient_matches_central_differences_of_the_definition(labels):
    C = 4
    doc = document(derive(C, labels=labels))
    names = [Symbol(f"f{m}", real=True) for m in range(C)] + [Symbol(f"y{m}", real=True) for m in range(C)]
    # Our own output, not user input: parse_expr is fine here.
    grads = [lambdify(names, parse_expr(g, {str(s): s for s in names})) for g in doc["gradient"]]
    rng = random.Random(7)
    for _ in range(3):
        fs = [rng.uniform(-2, 2) for _ in range(C)]
        raw = [rng.uniform(0, 1) for _ in range(C)]
        ys = [v / sum(raw) for v in raw] if labels == "onehot" else raw
        for m in range(C):
            h = 1e-6
            up, down = list(fs), list(fs)
            up[m] += h
            down[m] -= h
            numeric = (_loss(up, ys) - _loss(down, ys)) / (2 * h)
            assert grads[m](*fs, *ys) == pytest.approx(numeric, abs=1e-7)


def test_json_gradient_is_left_out_above_its_size_limit_and_says_so(monkeypatch):
    import xentderive.api as api

    monkeypatch.setattr(api, "GRADIENT_MAX_CLASSES", 2)  # the JSON printer asks api for the limit
    doc = document(derive(3))
    assert "gradient" not in doc and "left out above C = 2" in doc["gradient_omitted"]


def test_text_is_plain_and_marks_each_step():
    out = FORMATS["text"](derive(2), RenderOptions())
    assert "\x1b[" not in out
    assert out.count("✓") == 11  # 10 steps and the summary


def test_latex_uses_log_and_align_and_never_the_seeds_slips():
    out = FORMATS["latex"](derive(None), RenderOptions())
    assert out.count(r"\begin{align*}") == 11  # 10 steps and the result
    assert r"\log p_{j}" in out and r"\log{\left(" not in out  # as papers write it, and as the notes do
    assert r"\log" in out and "log^" not in out and "p{i}" not in out
    assert r"\sum_{j \neq i}" in out and r"\sum_{j=i}" not in out


def test_notation_renames_symbols_in_every_format():
    d = derive(3)
    options = RenderOptions(notation=Notation.parse("logits=z,probs=q,labels=t,classes=K"))
    latex = FORMATS["latex"](d, options)
    assert "z_{i}" in latex and "q_{i}" in latex and "t_{i}" in latex and "f_{" not in latex
    text = FORMATS["text"](d, options)
    assert "∂L/∂z_i" in text and "p_i" not in text
    js = json.loads(FORMATS["json"](d, options))
    assert js["result"]["text"] == "∂L/∂z_i = q_i - t_i"


def _require(tool: str) -> None:
    if shutil.which(tool) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is missing in CI: .ci/run installs texlive-latex-base, poppler-utils and dvisvgm")
        pytest.skip(f"{tool} not installed")


@pytest.mark.parametrize(
    ("classes", "notation", "lang"), [(None, None, "en"), (3, None, "en"), (None, "logits=z", "zh")]
)
def test_standalone_latex_compiles_with_pdflatex(tmp_path, classes, notation, lang):
    _require("pdflatex")
    tex = tmp_path / "d.tex"
    options = RenderOptions(notation=Notation.parse(notation), lang=lang, standalone=True)
    tex.write_text(FORMATS["latex"](derive(classes), options), encoding="utf-8")
    command = ["pdflatex", "-halt-on-error", "-interaction=nonstopmode", tex.name]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, errors="replace", check=False)
    assert done.returncode == 0, done.stdout[-2000:]
    assert (tmp_path / "d.pdf").stat().st_size > 1000


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("loss", list(REGISTRY))
def test_every_derivation_compiles_with_pdflatex(tmp_path, loss, lang):
    """The catalogue's own prose and mathematics (γ, ∞, xᵀHx, ≥ lines, ∂²) are valid LaTeX too."""
    _require("pdflatex")
    tex = tmp_path / "d.tex"
    options = RenderOptions(standalone=True, lang=lang)
    tex.write_text(FORMATS["latex"](derive(None, loss=loss), options), encoding="utf-8")
    command = ["pdflatex", "-halt-on-error", "-interaction=nonstopmode", tex.name]
    # pdflatex's log may quote a CJK line cut mid-character: not UTF-8 everywhere
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, errors="replace", check=False)
    assert done.returncode == 0, done.stdout[-2000:]


NOTATIONS = {"default": None, "renamed": "logits=z,probs=q,labels=t,classes=K"}
MARKERS = {  # what must appear: (English, Chinese) title, (default, renamed) symbol
    "text": (("Softmax", "Softmax 激活"), ("∂L/∂f_i", "∂L/∂z_i")),
    "latex": (("Cross-entropy loss", "交叉熵损失"), (r"\partial f_{i}", r"\partial z_{i}")),
    "markdown": (("## ✓ 2. Cross-entropy loss", "## ✓ 2. 交叉熵损失"), (r"\partial f_{i}", r"\partial z_{i}")),
    "json": (('"title": "Cross-entropy loss"', '"title": "交叉熵损失"'), ("∂L/∂f_i", "∂L/∂z_i")),
}


@pytest.fixture(scope="module")
def proof():
    return derive(None)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("notation", NOTATIONS)
@pytest.mark.parametrize("fmt", ["text", "latex", "markdown", "json", "png", "svg"])
def test_every_format_notation_and_language(proof, fmt, notation, lang):
    options = RenderOptions(notation=Notation.parse(NOTATIONS[notation]), lang=lang)
    if fmt in ("png", "svg"):
        _require("pdflatex")
        _require("dvisvgm" if fmt == "svg" else "pdftoppm")
    out = FORMATS[fmt](proof, options)
    if fmt in ("png", "svg"):
        assert out.startswith(b"\x89PNG") if fmt == "png" else b"<svg" in out[:300]
        if fmt == "svg":  # text, not glyph paths: selectable and searchable
            assert out.count(b"<text") > 50 and b"font-face" in out
        return
    titles, symbols = MARKERS[fmt]
    assert titles[lang == "zh"] in out
    assert symbols[notation == "renamed"] in out
    assert symbols[notation != "renamed"] not in out


def test_markdown_example_in_the_repo_is_current(proof):
    """examples/softmax-ce.md is what `derive --format markdown` prints today."""
    from pathlib import Path

    checked_in = Path(__file__).resolve().parent.parent / "examples" / "softmax-ce.md"
    assert checked_in.read_text(encoding="utf-8") == FORMATS["markdown"](proof, RenderOptions())


def test_notebook_and_rich_representations(proof):
    from rich.console import Console

    assert proof._repr_markdown_().startswith("# Gradient of softmax cross-entropy")
    assert proof._repr_latex_() == r"$$\frac{\partial L}{\partial f_{i}} = p_{i} - y_{i}$$"  # pure math for MathJax
    console = Console(record=True, width=120, color_system=None)
    console.print(proof)
    assert "✓ 1. Softmax" in console.export_text()


def test_every_derivation_is_translated_into_chinese():
    """Each title, justification, note, remark, convention and assumption has a Chinese text."""
    from xentderive.i18n import ZH

    for loss in REGISTRY:
        for labels in ("onehot", "soft"):
            d = derive(None, loss=loss, labels=labels)
            prose = [*d.assumptions, *d.conventions]
            for s in d.all_steps:
                prose += [s.title, s.justification, *s.remarks, *(ln.note for ch in s.chains for ln in ch)]
            missing = [p for p in prose if p and p not in ZH]
            assert not missing, (loss, labels, missing)
