"""The claim syntax: what it accepts, and one clear error for everything else."""

from __future__ import annotations

import pytest
from sympy import Sum, exp, log, simplify

from xentderive.claims import ClaimError, parse_claim, vocabulary
from xentderive.context import Context

CTX = Context(None)
VOCAB = vocabulary(CTX)
i, j, p, y, f = CTX.i, CTX.j, CTX.p, CTX.y, CTX.f


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("p_i - y_i", p[i] - y[i]),
        ("p_i*sum_j(y_j) - y_i", p[i] * Sum(y[j], (j, 0, CTX.C - 1)) - y[i]),
        ("p_i^2 + 2**3", p[i] ** 2 + 8),
        ("-log(exp(f_i)) / 2 + 0.5", -log(exp(f[i])) / 2 + 0.5),
        ("C * p_i", CTX.C * p[i]),
    ],
)
def test_accepts_the_documented_syntax(text, expected):
    assert simplify(parse_claim(text, VOCAB).doit() - expected.doit()) == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("q_i - y_i", "unknown name 'q_i'"),
        ("p_i - q_i", "at column 7"),
        ("p_i - y_j", "y_j may only appear inside sum_j(...) at column 7"),
        ("p_i -", "malformed target at column"),
        ("__import__('os').system('touch x')", "unknown function"),
        ("p_i.__class__", "unsupported syntax (Attribute)"),
        ("p_i ^ y_i", "exponents must be numbers"),
        ("p_i ^ 1000", "exponents must be numbers"),
        ("sum_j(sum_j(y_j))", "may not be nested"),
        ("log(p_i, 2)", "takes exactly one argument"),
        ("'text'", "unexpected literal"),
        ("p_i / 0", "division by zero"),
        ("", "empty target"),
        ("p_i + " * 200 + "y_i", "limit is 500"),
        ("exp(" * 45 + "p_i" + ")" * 45, "nested at most 4 deep"),
        ("-" * 45 + "p_i", "nests deeper"),
        ("[p_i]", "unsupported syntax (List)"),
        ("lambda: 1", "unsupported syntax (Lambda)"),
    ],
)
def test_rejects_everything_else_with_one_clear_line(text, message):
    with pytest.raises(ClaimError) as err:
        parse_claim(text, VOCAB)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_caret_columns_point_into_the_original_text():
    with pytest.raises(ClaimError, match="column 9"):
        parse_claim("p_i^2 + q_i", VOCAB)


def test_renamed_notation_renames_claim_names():
    vocab = vocabulary(CTX, {"probs": "q", "labels": "t"})
    assert parse_claim("q_i - t_i", vocab).doit() == p[i] - y[i]
    with pytest.raises(ClaimError, match="unknown name 'p_i'"):
        parse_claim("p_i - y_i", vocab)


def test_text_printer_handles_rational_factors():
    from sympy import Rational

    from xentderive.printing.notation import text

    assert text(Rational(3, 2) * p[i] / CTX.C) == "3·p_i/(2·C)"
    assert text(f[i] / 2) == "f_i/2"
