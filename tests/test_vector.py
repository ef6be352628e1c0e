"""--form vector: the result as vectors and matrices, checked entry by entry against the index form."""

from __future__ import annotations

import json

import jsonschema
import pytest
from click.testing import CliRunner
from sympy import Symbol
from sympy.matrices.expressions import MatrixSymbol
from sympy.matrices.expressions.diagonal import DiagMatrix

from tests.test_formats import schema
from xentderive import derive
from xentderive.cli import main
from xentderive.model import Status
from xentderive.printing import FORMATS, RenderOptions
from xentderive.printing.common import vector_equation
from xentderive.printing.notation import Notation, text
from xentderive.vector import NoVectorForm, entries_match, vector_form

EXPECTED = {  # the vector form as the text format prints it
    "softmax-ce": "∇_f L = p - y",
    "log-softmax-nll": "∇_f L = p - y",
    "sigmoid-bce": "∇_f L = p - y",
    "temperature": "∇_f L = (1/T) (p - y)",
    "weighted-ce": "∇_f L = (Σ_{j=0}^{C - 1} (w_j·y_j)) p - w ⊙ y",
    "focal": "∇_f L = (Σ_{j=0}^{C - 1} g_j) p - g",
    "softmax-jacobian": "∂p/∂f = diag(p) - p pᵀ",
    "ce-hessian": "∇²_f L = diag(p) - p pᵀ",
}


def _shown(d) -> str:
    return vector_equation(d.vector, Notation())


@pytest.mark.parametrize("loss", EXPECTED)
def test_the_vector_form_is_proved_for_every_C_and_verified_at_three(loss):
    d = derive(None, loss=loss, form="vector")
    assert _shown(d) == EXPECTED[loss] and d.vector.status is Status.PROVED
    concrete = derive(3, loss=loss, form="vector")
    assert concrete.vector.status is Status.VERIFIED


def test_soft_labels_keep_the_label_sum_outside_the_matrix():
    d = derive(None, loss="ce-hessian", labels="soft", form="vector")
    assert text(d.vector.expr) == "(Σ_{k=0}^{C - 1} y_k) (diag(p) - p pᵀ)"


def test_a_wrong_vector_form_does_not_match_the_index_form():
    """The twins: each mutation of a true vector form is refuted by the entry check."""
    d = derive(None, loss="softmax-jacobian", form="vector")
    assert entries_match(d, d.vector.expr)
    p = MatrixSymbol("p", d.ctx.C, 1)
    for wrong in (DiagMatrix(p) + p * p.T, DiagMatrix(p), p * p.T - DiagMatrix(p), 2 * DiagMatrix(p) - p * p.T):
        assert not entries_match(d, wrong)
    g = derive(None, form="vector")
    y = MatrixSymbol("y", g.ctx.C, 1)
    pg = MatrixSymbol("p", g.ctx.C, 1)
    assert entries_match(g, pg - y)
    for wrong in (pg + y, y - pg, pg - 2 * y, Symbol("T") * (pg - y)):
        assert not entries_match(g, wrong)


def test_a_failed_derivation_gives_an_unproved_vector_form():
    d = derive(3, target="p_i - 2*y_i", form="vector")
    assert not d.ok and d.vector.status is Status.UNPROVED
    doc = json.loads(FORMATS["json"](d, RenderOptions()))
    jsonschema.validate(doc, schema())
    assert doc["vector"]["status"] == "unproved"


@pytest.mark.parametrize("loss", ["softcap", "batch-mean"])
def test_no_vector_form_is_bad_input_in_one_line(loss):
    with pytest.raises(NoVectorForm):
        vector_form(derive(None, loss=loss))
    result = CliRunner().invoke(main, ["derive", "--loss", loss, "--form", "vector"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "has no vector form" in result.output


def test_every_format_shows_the_vector_form():
    d = derive(None, loss="ce-hessian", form="vector")
    doc = json.loads(FORMATS["json"](d, RenderOptions()))
    jsonschema.validate(doc, schema())
    assert doc["vector"]["kind"] == "hessian" and doc["vector"]["status"] == "proved"
    assert (
        r"\operatorname{diag}\left(\boldsymbol{p}\right) - \boldsymbol{p} \boldsymbol{p}^{\top}"
        in doc["vector"]["latex"]
    )
    assert "Vector form" in FORMATS["markdown"](d, RenderOptions())
    assert "向量形式" in FORMATS["latex"](d, RenderOptions(lang="zh"))
    eq = FORMATS["latex"](d, RenderOptions(equations_only=True))
    assert r"\label{eq:ce-hessian:vector}" in eq
    assert "Vector form: ∇²_f L = diag(p) - p pᵀ  [proved for every C]" in FORMATS["text"](d, RenderOptions())


def test_a_term_with_a_zero_factor_is_left_out():
    d = derive(3, loss="label-smoothing", params={"eps": "1"}, form="vector")
    assert text(d.vector.expr) == "p - (1/3) 𝟏" and d.vector.status is Status.VERIFIED


@pytest.mark.parametrize("loss", ["softmax-jacobian", "ce-hessian", "softmax-ce"])
def test_one_class_has_a_vector_form_too(loss):
    """At C = 1 a matrix is 1×1, as a vector is: its entry is read by what it is, not by its shape."""
    assert derive(1, loss=loss, form="vector").vector.status is Status.VERIFIED


def test_a_gradient_the_same_for_every_class_is_a_multiple_of_the_ones_vector():
    d = derive(None, loss_expr="sum_j(f_j)^2", form="vector")
    assert "𝟏" in text(d.vector.expr) and d.vector.status is Status.PROVED
    zero = derive(None, loss_expr="beta*sum_j(-y_j*log(p_j))", params={"beta": "0"}, form="vector")
    assert text(zero.vector.expr) == "𝟎"
