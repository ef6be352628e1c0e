"""Math as a paper writes it: no 1·1, no 2 - 1 left over from a fixed value, upright log, a sign in front."""

from __future__ import annotations

import re

import pytest
from sympy import IndexedBase, Integer, Mul, Pow, Rational, Sum, Symbol
from sympy.core.parameters import evaluate

from xentderive import derive
from xentderive.api import build
from xentderive.derivations import REGISTRY
from xentderive.printing import FORMATS, RenderOptions
from xentderive.printing.notation import display_form, latex, text


def _latex(d, **options) -> str:
    return FORMATS["latex"](d, RenderOptions(**options))


def _math(out: str) -> str:
    """The formulas only: the % comments and prose left out."""
    return "\n".join(line.split(" % ")[0] for line in out.splitlines() if not line.startswith("%"))


@pytest.mark.parametrize("fmt", ["latex", "markdown"])
def test_an_index_leaves_no_unit_factors_in_the_chain_rule(fmt):
    out = FORMATS[fmt](derive(3).at_index(1), RenderOptions())
    assert r"1 \cdot 1" not in out and r"\sum_{j=0}^{2} 1 " not in out
    assert r"\sum_{j=0}^{2} \frac{\partial L_{j}}{\partial p_{j}} \frac{\partial p_{j}}{\partial f_{1}}" in out
    assert r"\sum_{j=0}^{2} 1 " not in FORMATS[fmt](derive(3), RenderOptions())  # the twin: no index, no 1 either


def test_a_unit_factor_is_dropped_but_a_one_that_is_the_whole_side_stays():
    x, y = Symbol("x"), IndexedBase("y")
    with evaluate(False):
        assert latex(Mul(Integer(1), Integer(1), x)) == "x"
        assert latex(Sum(Mul(Integer(1), y[x]), (x, 0, 2))) == r"\sum_{x=0}^{2} y_{x}"
        assert latex(Integer(1)) == "1"
        assert latex(Sum(Integer(1), (x, 0, 2))) == r"\sum_{x=0}^{2} 1"  # Σ_j 1 = C keeps its 1


@pytest.mark.parametrize(
    "loss, params",
    [("poly1", {"eps": "1"}), ("z-loss", {"z": "1"}), ("softcap", {"c": "1"})],
)
def test_engine_losses_pick_out_j_eq_i_without_a_stray_factor_one(loss, params):
    d = derive(None, loss=loss, params=params)
    assert d.ok
    out = _math(_latex(d))
    assert r"\cdot 1 " not in out and r"\right) 1 " not in out and r"\biggr) 1 " not in out
    assert r"2 \cdot 1" not in out and r"+ 1 \sum" not in out and "- 1 p" not in out


def test_the_kronecker_step_of_a_custom_loss_has_no_trailing_one():
    d = derive(None, loss_expr="sum_j(-y_j*log(p_j))", param_ranges=None)
    assert d.ok
    latex_out = _latex(d)
    picked = next(line for line in latex_out.splitlines() if "picks out" in line)
    assert not picked.split(" % ")[0].rstrip(" \\").rstrip().endswith(" 1")


def test_fixed_values_are_worked_out_where_numbers_meet_numbers():
    focal = _math(_latex(derive(None, loss="focal", params={"gamma": "2"})))
    assert "2 - 1" not in focal and r"^{1}" not in focal
    assert r"\left(1 - p_{j}\right)^{2}" in focal  # the loss itself keeps its square
    smoothing = _math(_latex(derive(3, loss="label-smoothing", params={"eps": "0.1"})))
    assert r"10 \cdot 3" not in smoothing and r"\frac{1}{30}" in smoothing and r"1 - \frac{1}{10}" not in smoothing
    temperature = _math(_latex(derive(None, loss="temperature", params={"T": "2"})))
    assert r"\left(-1\right)" not in temperature and r"- \frac{\sum_{j=0}^{C - 1}" in temperature
    assert r"\frac{f_{i}}{2}" in temperature  # a division by a number stays a fraction
    symbolic = _math(_latex(derive(None, loss="focal")))  # the twin: a symbol stays as written
    assert r"\gamma - 1" in symbolic


def test_display_form_keeps_the_value_and_the_signs_a_line_wrote():
    x, p = Symbol("x"), IndexedBase("p")
    with evaluate(False):
        written = Mul(Integer(-1), p[x], Mul(Integer(-1), Pow(p[x], Integer(-1))))
        assert latex(written) == r"- p_{x} \left(- \frac{1}{p_{x}}\right)"  # two signs the next step cancels
        e = Pow(Integer(1) - p[x], Integer(2) - Integer(1))
        shown = display_form(e)
        assert shown == 1 - p[x]
        assert display_form(Mul(Rational(1, 2), Integer(-1), x)) == Mul(Integer(-1), Mul(Rational(1, 2), x))
    assert (shown - e).doit() == 0  # the same value
    assert text(Pow(Symbol("a"), Integer(2) - Integer(1), evaluate=False)) == "a"


@pytest.mark.parametrize("fixed", [{}, {"eps": "0.1"}])
def test_the_smoothed_labels_vector_reads_one_minus_eps(fixed):
    d = derive(None, loss="label-smoothing", params=fixed, form="vector")
    out = _latex(d)
    assert r"-1 + \varepsilon" not in out and r"+ \left(-" not in out
    if not fixed:
        assert r"\boldsymbol{p} - \left(1 - \varepsilon\right) \boldsymbol{y}" in out
    else:
        assert r"\boldsymbol{p} - \frac{9}{10} \boldsymbol{y}" in out


FIXED = {"focal": {"gamma": "2"}, "temperature": {"T": "2"}, "poly1": {"eps": "1"}, "z-loss": {"z": "1"},
         "softcap": {"c": "1"}, "label-smoothing": {"eps": "1/10"}, "batch-mean": {"N": "2"},
         "weighted-ce": {"w0": "1", "w1": "1", "w2": "2"}}  # fmt: skip


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_derivation_with_every_parameter_fixed_prints_no_leftover_arithmetic(name):
    """A printing test: the steps as built (`build`; their proofs are the catalogue's tests)."""
    out = _math(_latex(build(3, loss=name, params=FIXED.get(name))))
    assert r"\partial" in out  # the steps are there
    for bad in (r"1 \cdot 1", r"\left(-1\right)", "2 - 1", r"10 \cdot 3", r"\cdot 1 ", r"\right) 1 "):
        assert bad not in out, (name, bad)


@pytest.mark.parametrize("loss", ["sigmoid-bce", "log-softmax-nll", "focal"])
def test_log_is_upright_in_notes_and_prose(loss):
    out = _latex(derive(None, loss=loss))
    math = [span for n, span in enumerate(out.replace("$$", "").split("$")) if n % 2]
    assert not [s for s in math if re.search(r"(?<![\\A-Za-z])log(?![A-Za-z])", s)], loss
    if loss == "sigmoid-bce":
        assert r"\log(1 - p_j)" in out


def test_log_of_a_probability_is_never_bracketed_when_a_line_breaks():
    for eq in (True, False):
        out = _latex(derive(None, loss="focal"), layout="narrow", equations_only=eq)
        assert r"\log\bigl(" not in out and r"\log\left( p" not in out and r"\log p_{j}" in out
    assert r"\log\left(\sum" in _latex(derive(None, loss="z-loss"))  # the twin: a compound argument keeps them


def test_narrow_focal_has_no_bracket_opened_for_one_row_and_no_row_ending_on_a_lone_one():
    out = _latex(derive(None, loss="focal"), layout="narrow", equations_only=True)
    rows = [line.split(" % ")[0] for line in out.splitlines()]
    assert not [r for r in rows if re.search(r"\\bigl\(1 - p_\{[ij]\}\\bigr\)", r)]  # (1 - p_j)^γ fits one row
    assert not [r for r in rows if re.search(r"\((?:\\quad )?1 (\\nonumber|\\label|\\\\)", r)]
    assert r"\bigl(y_{j} \bigl(" not in out  # no brackets around a product after 1/p_j or under a Σ


def test_batch_mean_prose_writes_kept_as_the_formulas_do():
    out = _latex(derive(None, loss="batch-mean"))
    assert "$kept" not in out and " kept_" not in out.replace(r"\mathrm{kept}_", "")
    assert r"$\mathrm{kept}_m = 1$" in out and r"\mathrm{kept}_{m}" in out
    assert "kept_m" in FORMATS["text"](derive(None, loss="batch-mean"), RenderOptions())  # the twin: plain text


def test_a_transformed_softmax_is_defined_in_u_throughout():
    d = derive(None, loss_expr="sum_j(-y_j*log(p_j))", logits_expr="f_j/tau", param_ranges={"tau": "(0.."})
    assert d.ok
    out = _latex(d)
    assert r"p_{i} &= \frac{e^{u_{i}}}{\sum_{k=0}^{C - 1} e^{u_{k}}}" in out
    # the softmax derivative too, as its note writes it (∂e^{u_j}/∂f_i): no e^{f_j/τ} in its lines
    jacobian = next(s for s in d.steps if s.key == "jacobian")
    shown = "\n".join(latex(line.expr) for chain in jacobian.chains for line in chain)
    assert r"e^{u_{j}}" in shown and r"\sum_{k=0}^{C - 1} e^{u_{k}}" in shown
    assert r"e^{\frac{f" not in shown
