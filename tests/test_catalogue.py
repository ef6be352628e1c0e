"""The catalogue: every derivation verified, mutated (and caught), and checked against numbers."""

from __future__ import annotations

import json
import math
import random
from dataclasses import replace

import pytest
from click.testing import CliRunner
from sympy import Mul, Symbol, lambdify
from sympy.core.parameters import evaluate
from sympy.parsing.sympy_parser import parse_expr

from xentderive import derive
from xentderive.api import build
from xentderive.cli import main
from xentderive.derivations import REGISTRY
from xentderive.errors import InputError
from xentderive.model import Line, Status
from xentderive.verify import checker_for

NEW = ["log-softmax-nll", "label-smoothing", "temperature", "softmax-jacobian"]


@pytest.mark.parametrize("classes", [None, 3, 12])
@pytest.mark.parametrize("loss", list(REGISTRY))
def test_every_derivation_is_verified(loss, classes):
    d = derive(classes, loss=loss)
    assert d.ok and d.complete, [(s.key, s.status) for s in d.all_steps]


@pytest.mark.parametrize("classes", [None, 3], ids=["symbolic", "C=3"])
@pytest.mark.parametrize("loss", NEW)
def test_every_line_mutated_is_caught_and_its_twin_passes(loss, classes):
    d = build(classes, loss=loss)
    checker = checker_for(d.ctx, d.labels)
    for step in d.all_steps:
        assert checker.check(step).status.passed, f"twin {step.key}"
        for c, chain in enumerate(step.chains):
            for k, line in enumerate(chain):
                chains = [list(ch) for ch in step.chains]
                with evaluate(False):
                    chains[c][k] = Line(Mul(2, line.expr), line.note)
                status = checker.check(replace(step, chains=chains)).status
                assert status is Status.FAILED, f"{loss} {step.key} chain {c} line {k} not caught"


@pytest.mark.parametrize(
    ("loss", "wrong"),
    [
        ("log-softmax-nll", "p_i + y_i"),
        ("label-smoothing", "p_i - ((1 - eps)*y_i + eps/(C - 1))"),  # the other smoothing convention
        ("temperature", "p_i - y_i"),
        ("softmax-jacobian", "p_j*(1 - p_i)"),
    ],
)
def test_a_wrong_closed_form_fails_with_a_counterexample(loss, wrong):
    for classes in (None, 3):
        d = derive(classes, loss=loss, target=wrong)
        assert d.claim.status is Status.FAILED and d.claim.counterexample is not None


def _softmax(fs, T=1.0):
    top = [math.exp(v / T) for v in fs]
    return [v / sum(top) for v in top]


REFERENCE = {  # the definitions again, in plain floats: independent of the package
    "softmax-ce": lambda fs, ys, j, T: -sum(y * math.log(p) for y, p in zip(ys, _softmax(fs), strict=True)),
    "log-softmax-nll": lambda fs, ys, j, T: (
        -sum(y * (v - math.log(sum(math.exp(u) for u in fs))) for v, y in zip(fs, ys, strict=True))
    ),
    "label-smoothing": lambda fs, ys, j, T: (
        -sum((0.9 * y + 0.1 / len(fs)) * math.log(p) for y, p in zip(ys, _softmax(fs), strict=True))
    ),
    "temperature": lambda fs, ys, j, T: -sum(y * math.log(p) for y, p in zip(ys, _softmax(fs, T), strict=True)),
    "softmax-jacobian": lambda fs, ys, j, T: _softmax(fs)[j],
}


@pytest.mark.parametrize("loss", list(REGISTRY))
def test_json_gradient_matches_finite_differences_of_the_definition(loss):
    C, T = 4, 1.5
    args = ["--param", "eps=0.1"] if loss == "label-smoothing" else []  # the reference uses eps = 0.1
    result = CliRunner().invoke(main, ["derive", "-C", str(C), "--loss", loss, *args, "-f", "json"])
    doc = json.loads(result.stdout)
    names = [Symbol(f"f{m}", real=True) for m in range(C)] + [Symbol(f"y{m}", real=True) for m in range(C)]
    names.append(Symbol("T", positive=True))
    table = {str(s): s for s in names}
    rng = random.Random(3)
    fs = [rng.uniform(-2, 2) for _ in range(C)]
    raw = [rng.uniform(0.1, 1) for _ in range(C)]
    ys = [v / sum(raw) for v in raw]
    rows = doc["gradient"]
    for i in range(C):
        for j in range(C) if isinstance(rows[0], list) else [0]:
            text = rows[i][j] if isinstance(rows[0], list) else rows[i]
            value = lambdify(names, parse_expr(text, table))(*fs, *ys, T)
            h = 1e-6
            up, down = list(fs), list(fs)
            up[i] += h
            down[i] -= h
            numeric = (REFERENCE[loss](up, ys, j, T) - REFERENCE[loss](down, ys, j, T)) / (2 * h)
            assert value == pytest.approx(numeric, abs=1e-6), (loss, i, j)


def test_parameters_are_symbolic_unless_given_and_validated():
    assert derive(3, loss="temperature").params == {"T": "T"}
    assert derive(3, loss="temperature", params={"T": "2"}).params == {"T": "2"}
    assert derive(None, loss="temperature", params={"T": "1/3"}).ok
    for bad, message in [
        ({"T": "0"}, "out of range: T > 0"),
        ({"T": "x"}, "is not a number"),
        ({"eps": "1"}, "has no such parameter"),
    ]:
        with pytest.raises(InputError, match=message):
            derive(3, loss="temperature", params=bad)


def test_list_shows_every_derivation_and_its_parameters():
    out = CliRunner().invoke(main, ["list"]).output
    assert all(name in out for name in REGISTRY)
    assert "T: the temperature (T > 0)" in out


def test_cli_param_and_loss_errors_are_one_line_exit_2():
    runner = CliRunner()
    for args, message in [
        (["--loss", "nope"], "unknown loss 'nope'"),
        (["--loss", "temperature", "--param", "T"], "--param expects NAME=VALUE"),
    ]:
        result = runner.invoke(main, ["derive", *args])
        assert result.exit_code == 2 and message in result.stderr
