"""LaTeX for papers: every derivation's body compiled in real page geometries, 0 overfull boxes.

Three pages as authors have them: one column 5.5 in wide (11 pt, a NeurIPS-like page),
a 10 pt two-column article (3.3 in columns), and the standalone document. All cases
of one page go into one document, each announced in the log, so a few pdflatex runs
cover the catalogue in both languages.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.test_formats import _require
from xentderive import derive
from xentderive.derivations import REGISTRY
from xentderive.model import Derivation
from xentderive.printing import FORMATS, RenderOptions
from xentderive.printing.notation import Notation, latex
from xentderive.printing.widths import width

PAGES = {
    "one-column 5.5in": r"\documentclass[11pt]{article}\usepackage[textwidth=5.5in,textheight=9in]{geometry}",
    "two-column 10pt": r"\documentclass[10pt,twocolumn]{article}"
    r"\usepackage[textwidth=6.75in,columnsep=0.25in,textheight=9in]{geometry}",
}
PAPER_NAMES = r"logits=z,probs=\hat{y},labels=t,loss=\mathcal{L},classes=K"
VARIANTS = {  # beyond each catalogue entry at symbolic C: values, a concrete C, an own loss
    "focal gamma=2": {"classes": None, "loss": "focal", "params": {"gamma": "2"}},
    "label-smoothing C=3": {"classes": 3, "loss": "label-smoothing", "params": {"eps": "1/10"}},
    "weighted-ce C=3": {"classes": 3, "loss": "weighted-ce", "params": {"w0": "2", "w1": "1/2"}},
    "ce-hessian C=3": {"classes": 3, "loss": "ce-hessian"},
    "temperature soft": {"classes": None, "loss": "temperature", "labels": "soft"},
    "jacobian vector form": {"classes": None, "loss": "softmax-jacobian", "form": "vector"},
    "poly1 vector form": {"classes": None, "loss": "poly1", "form": "vector"},
    "own loss": {
        "classes": None,
        "loss_expr": "sum_j(-y_j*log(p_j)) + beta*sum_j(p_j*log(p_j))",
        "param_ranges": {"beta": "0..1"},
    },
}


@pytest.fixture(scope="module")
def derivations() -> dict[str, Derivation]:
    cases = {name: derive(None, loss=name) for name in REGISTRY}
    for name, kwargs in VARIANTS.items():
        kwargs = dict(kwargs)
        cases[name] = derive(kwargs.pop("classes"), **kwargs)
    return cases


def _compile(tmp_path, source: str, runs: int = 1) -> str:
    tex = tmp_path / "paper.tex"
    tex.write_text(source, encoding="utf-8")
    for _ in range(runs):
        command = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name]
        done = subprocess.run(command, cwd=tmp_path, capture_output=True, check=False)
        log = (tmp_path / "paper.log").read_bytes().decode("utf-8", "replace")
        assert done.returncode == 0, log[-3000:]
    return log


def _problems(log: str) -> dict[str, list[str]]:
    """Overfull boxes, reference warnings and missing font shapes, by the case announced before them in the log."""
    found: dict[str, list[str]] = {}
    case = "preamble"
    for line in log.splitlines():
        if line.startswith("XD-CASE:"):
            case = line[len("XD-CASE:") :].strip()
        elif re.match(
            r"Overfull \\hbox|LaTeX Warning: (Reference|There were undefined|Label .* multiply)"
            r"|LaTeX Font Warning: Font shape",  # a shape the fonts lack (CJK italic: C70/gbsn/m/it)
            line,
        ):
            found.setdefault(case, []).append(line.strip())
    return found


def _document(page: str, lang: str, parts: list[tuple[str, str]]) -> str:
    zh = lang == "zh"
    head = page + r"\usepackage{amsmath,amssymb}\allowdisplaybreaks" + (r"\usepackage{CJKutf8}" if zh else "")
    body = "\n".join(f"\\typeout{{XD-CASE:{name}}}\n{part}\n\\clearpage" for name, part in parts)
    if zh:
        body = "\\begin{CJK}{UTF8}{gbsn}\n" + body + "\n\\end{CJK}"
    return f"{head}\n\\begin{{document}}\n{body}\n\\end{{document}}\n"


# wide is for one-column pages, narrow for both (a two-column page needs it: test_wide_is_for_one_column_only)
PAGE_LAYOUTS = [("one-column 5.5in", "wide"), ("one-column 5.5in", "narrow"), ("two-column 10pt", "narrow")]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("page", "layout"), PAGE_LAYOUTS)
def test_every_body_fits_the_page_without_an_overfull_box(tmp_path, derivations, page, layout, lang):
    _require("pdflatex")
    options = RenderOptions(lang=lang, layout=layout)
    parts = [(name, FORMATS["latex"](d, options)) for name, d in derivations.items()]
    papers = RenderOptions(lang=lang, layout=layout, notation=Notation.parse(PAPER_NAMES))
    parts += [(f"{name} in LaTeX names", FORMATS["latex"](derivations[name], papers)) for name in ("z-loss", "focal")]
    log = _compile(tmp_path, _document(PAGES[page], lang, parts))
    assert _problems(log) == {}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", PAGES)
def test_equations_only_fit_and_every_label_resolves(tmp_path, derivations, page, lang):
    _require("pdflatex")
    parts = []
    for n, (name, d) in enumerate(derivations.items()):
        prefix = f"eq:case{n}"
        options = RenderOptions(lang=lang, layout="narrow" if "two" in page else "wide", equations_only=True,
                                labels_prefix=prefix, tags=n % 2 == 0)  # fmt: skip
        last = d.all_steps[-1].key
        parts.append((name, FORMATS["latex"](d, options) + f"\nSee \\eqref{{{prefix}:{last}}}.\n"))
    log = _compile(tmp_path, _document(PAGES[page], lang, parts), runs=2)
    assert _problems(log) == {}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("loss", list(REGISTRY))
def test_standalone_document_has_no_overfull_box(tmp_path, derivations, loss, lang):
    """The whole document, as --standalone writes it: compiles, and nothing runs into the margin."""
    _require("pdflatex")
    source = FORMATS["latex"](derivations[loss], RenderOptions(standalone=True, lang=lang))
    assert "\\allowdisplaybreaks" in source
    assert _problems(_compile(tmp_path, source)) == {}


def test_estimated_widths_are_never_far_below_what_pdflatex_sets(tmp_path, derivations):
    """The breaker trusts widths.py: an estimate too low is an overfull box on some page."""
    _require("pdflatex")
    shown = sorted(
        {latex(line.expr) for d in derivations.values() for s in d.all_steps for c in s.chains for line in c}
    )
    source = [r"\documentclass[10pt]{article}\usepackage{amsmath,amssymb}\begin{document}"]
    source += [rf"\sbox0{{$\displaystyle {e}$}}\typeout{{XD-W{k}=\the\wd0}}" for k, e in enumerate(shown)]
    log = _compile(tmp_path, "\n".join([*source, r"\end{document}"]))
    measured = {int(k): float(v) for k, v in re.findall(r"XD-W(\d+)=([\d.]+)pt", log)}
    assert len(measured) == len(shown)
    low = [(shown[k], pt, width(shown[k]) * 10) for k, pt in measured.items() if width(shown[k]) * 10 < 0.9 * pt]
    assert low == []


def test_wide_is_for_one_column_only(tmp_path, derivations):
    """The twin of the pairs above: wide's longer rows run into the other column of a two-column page."""
    _require("pdflatex")
    options = RenderOptions(layout="wide")
    parts = [(name, FORMATS["latex"](derivations[name], options)) for name in ("z-loss", "focal", "own loss")]
    log = _compile(tmp_path, _document(PAGES["two-column 10pt"], "en", parts))
    assert [line for found in _problems(log).values() for line in found if "Overfull" in line]


def test_a_mutated_page_is_caught(tmp_path, derivations):
    """The twin: the same check sees the overfull box of a formula that was not broken."""
    _require("pdflatex")
    d = derivations["z-loss"]
    wide = latex(d.all_steps[-2].chains[0][0].expr)
    part = f"\\begin{{align*}}\n{wide} = {wide} + {wide}\n\\end{{align*}}"
    log = _compile(tmp_path, _document(PAGES["two-column 10pt"], "en", [("unbroken", part)]))
    assert "unbroken" in _problems(log)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_narrow_standalone_document_has_two_columns_and_no_overfull_box(tmp_path, derivations, lang):
    _require("pdflatex")
    parts = [FORMATS["latex"](derivations[n], RenderOptions(standalone=True, lang=lang, layout="narrow"))
             for n in ("z-loss", "poly1 vector form")]  # fmt: skip
    for source in parts:
        assert "twocolumn" in source
        assert _problems(_compile(tmp_path, source)) == {}
