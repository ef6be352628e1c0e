"""The catalogue: every derivation verified, mutated (and caught), and checked against numbers."""

from __future__ import annotations

import cmath
import json
import math
import random
from dataclasses import replace

import pytest
from click.testing import CliRunner
from mutants import assert_every_line_caught
from mutants import mutated as _mutated
from sympy import Add, Mul, Symbol, lambdify
from sympy.core.parameters import evaluate
from sympy.parsing.sympy_parser import parse_expr

from xentderive import derive
from xentderive.api import build, symbolic_twin
from xentderive.cli import main
from xentderive.derivations import REGISTRY
from xentderive.errors import InputError
from xentderive.model import Status
from xentderive.verify import checker_for

NEW = [name for name in REGISTRY if name != "softmax-ce"]  # the seed has its own twins in test_mutations


@pytest.mark.parametrize("loss", list(REGISTRY))
def test_every_derivation_is_verified_at_twelve_classes(loss, classes=12):
    """Symbolic C and the sizes 1, 2, 3 and 10 are `check --all`'s cases (test_check); 12 is one more."""
    d = derive(classes, loss=loss)
    assert d.ok and d.complete, [(s.key, s.status) for s in d.all_steps]


@pytest.mark.parametrize("classes", [None, 3], ids=["symbolic", "C=3"])
@pytest.mark.parametrize("loss", NEW)
def test_every_line_mutated_is_caught_and_its_twin_passes(loss, classes):
    d = build(classes, loss=loss)
    twin = symbolic_twin(d)  # a batch at a number of classes is verified through it (batch-mean)

    def lookup(key):
        found = next((s for s in twin.all_steps if s.key == key), None) if twin else None
        return (twin.ctx, found) if found else None

    checker = checker_for(d.ctx, d.labels, lookup)
    assert_every_line_caught(checker, d.all_steps, loss)


@pytest.mark.parametrize(
    ("loss", "wrong"),
    [
        ("log-softmax-nll", "p_i + y_i"),
        ("label-smoothing", "p_i - ((1 - eps)*y_i + eps/(C - 1))"),  # the other smoothing convention
        ("temperature", "p_i - y_i"),
        ("softmax-jacobian", "p_j*(1 - p_i)"),
        ("weighted-ce", "p_i*sum_j(w_j*y_j) - y_i"),  # the weight of class i forgotten
        ("sigmoid-bce", "p_i*(1 - p_i) - y_i"),
        ("focal", "p_i - y_i"),  # the cross-entropy's gradient: right only for gamma = 0
        ("ce-hessian", "delta_ij*p_i + p_i*p_j"),
        ("z-loss", "p_i - y_i + z*log(sum_j(exp(f_j)))*p_i"),  # the factor 2 of the square forgotten
        ("softcap", "p_i - y_i"),  # the cap's derivative 1 - tanh² forgotten
        ("poly1", "p_i - y_i - eps*p_i*y_i"),  # the softmax coupling Σ_j y_j p_j forgotten
        ("batch-mean", "kept_n*(p_i - y_i)/N"),  # divided by N instead of the number of kept samples
    ],
)
def test_a_wrong_closed_form_fails_with_a_counterexample(loss, wrong):
    for classes in (None, 3):
        d = derive(classes, loss=loss, target=wrong)
        assert d.claim.status is Status.FAILED and d.claim.counterexample is not None


def _softmax(fs, T=1.0):
    top = [math.exp(v / T) for v in fs]
    return [v / sum(top) for v in top]


def _ce(fs, ys):
    """Cross-entropy in complex arithmetic, for the complex-step derivative (exact to rounding)."""
    top = [cmath.exp(v) for v in fs]
    return -sum(y * cmath.log(t / sum(top)) for y, t in zip(ys, top, strict=True))


def _sigmoid(v):
    return 1 / (1 + math.exp(-v))


PARAMS = {"T": 1.5, "gamma": 2.0, "eps": 0.1, "w": [0.5, 2.0, 1.0, 3.0], "z": 0.01, "c": 2.0}  # C = 4 classes
REFERENCE = {  # the definitions again, in plain floats: independent of the package
    "softmax-ce": lambda fs, ys, j, k: -sum(y * math.log(p) for y, p in zip(ys, _softmax(fs), strict=True)),
    "log-softmax-nll": lambda fs, ys, j, k: (
        -sum(y * (v - math.log(sum(math.exp(u) for u in fs))) for v, y in zip(fs, ys, strict=True))
    ),
    "label-smoothing": lambda fs, ys, j, k: (
        -sum(((1 - k["eps"]) * y + k["eps"] / len(fs)) * math.log(p) for y, p in zip(ys, _softmax(fs), strict=True))
    ),
    "temperature": lambda fs, ys, j, k: -sum(y * math.log(p) for y, p in zip(ys, _softmax(fs, k["T"]), strict=True)),
    "weighted-ce": lambda fs, ys, j, k: (
        -sum(w * y * math.log(p) for w, y, p in zip(k["w"], ys, _softmax(fs), strict=True))
    ),
    "sigmoid-bce": lambda fs, ys, j, k: (
        -sum(y * math.log(_sigmoid(v)) + (1 - y) * math.log(1 - _sigmoid(v)) for v, y in zip(fs, ys, strict=True))
    ),
    "focal": lambda fs, ys, j, k: (
        -sum(y * (1 - p) ** k["gamma"] * math.log(p) for y, p in zip(ys, _softmax(fs), strict=True))
    ),
    "softmax-jacobian": lambda fs, ys, j, k: _softmax(fs)[j],
    # ∂L/∂f_j by the complex step; its central differences in f_i are the Hessian's entries
    "ce-hessian": lambda fs, ys, j, k: _ce([v + (1e-20j if m == j else 0) for m, v in enumerate(fs)], ys).imag / 1e-20,
    "z-loss": lambda fs, ys, j, k: _ce(fs, ys).real + k["z"] * math.log(sum(math.exp(v) for v in fs)) ** 2,
    "softcap": lambda fs, ys, j, k: _ce([k["c"] * math.tanh(v / k["c"]) for v in fs], ys).real,
    "poly1": lambda fs, ys, j, k: (
        _ce(fs, ys).real + k["eps"] * sum(y * (1 - p) for y, p in zip(ys, _softmax(fs), strict=True))
    ),
}


@pytest.mark.parametrize("loss", [name for name in REGISTRY if name != "batch-mean"])  # a batch: no flat gradient
def test_json_gradient_matches_finite_differences_of_the_definition(loss):
    C = 4
    given = {
        "label-smoothing": ["eps=0.1"],
        "weighted-ce": [f"w{m}={w}" for m, w in enumerate(PARAMS["w"])],
        "z-loss": ["z=0.01"],
        "softcap": ["c=2"],
        "poly1": ["eps=0.1"],
    }
    args = [arg for item in given.get(loss, []) for arg in ("--param", item)]
    result = CliRunner().invoke(main, ["derive", "-C", str(C), "--loss", loss, *args, "-f", "json"])
    doc = json.loads(result.stdout)
    names = [Symbol(f"f{m}", real=True) for m in range(C)] + [Symbol(f"y{m}", real=True) for m in range(C)]
    names += [Symbol("T", positive=True), Symbol("gamma", real=True)]
    table = {str(s): s for s in names}
    rng = random.Random(3)
    fs = [rng.uniform(-2, 2) for _ in range(C)]
    raw = [rng.uniform(0.1, 1) for _ in range(C)]
    ys = [v / sum(raw) for v in raw]
    rows = doc["gradient"]
    assert len(rows) == C
    for i in range(C):
        for j in range(C) if isinstance(rows[0], list) else [0]:
            text = rows[i][j] if isinstance(rows[0], list) else rows[i]
            value = lambdify(names, parse_expr(text, table))(*fs, *ys, PARAMS["T"], PARAMS["gamma"])
            h = 1e-6
            up, down = list(fs), list(fs)
            up[i] += h
            down[i] -= h
            numeric = (REFERENCE[loss](up, ys, j, PARAMS) - REFERENCE[loss](down, ys, j, PARAMS)) / (2 * h)
            assert value == pytest.approx(numeric, abs=1e-6), (loss, i, j)


def test_parameters_are_symbolic_unless_given_and_validated():
    assert derive(3, loss="temperature").params == {}  # symbolic: no value to list
    assert derive(3, loss="temperature").free_params == ["T"]
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


def test_class_weights_are_unknowns_unless_given_and_given_ones_are_checked():
    d = derive(12, loss="weighted-ce")
    assert d.ok and d.complete and d.params == {}
    fixed = {"w0": "2", "w1": "1/2", "w2": "0"}
    assert derive(3, loss="weighted-ce", params=fixed).ok
    # unit weights give back the seed's closed form; other weights do not
    ones = {f"w{m}": "1" for m in range(3)}
    assert derive(3, loss="weighted-ce", params=ones, target="p_i - y_i").ok
    # weights fixed to different numbers make the classes unexchangeable: every index is checked,
    # so a claim true for classes 0 and 1 (w = 2) but not for class 5 (w = 3) fails above 8 classes too
    uneven = {"w0": "2", "w1": "2", "w5": "3"}
    assert derive(10, loss="weighted-ce", params=uneven).ok
    assert not derive(10, loss="weighted-ce", params=uneven, target="p_i*sum_j(w_j*y_j) - 2*y_i").ok
    # at many classes, the classes with a given weight are checked one by one and the rest by symmetry
    many = derive(1000, loss="weighted-ce", params={"w999": "3", "w7": "0"})
    assert many.ok and "i = 0; i = 7; i = 999; every other index" in many.claim.method
    assert "all but classes 7, 999" in many.claim.method
    assert not derive(1000, loss="weighted-ce", params={"w999": "3"}, target="p_i*sum_j(w_j*y_j) - 3*y_i").ok
    wrong = derive(3, loss="weighted-ce", params=fixed, target="p_i - y_i")
    assert wrong.claim.status is Status.FAILED and wrong.claim.counterexample.others == {"w": ["2", "1/2", "0"]}
    for classes, bad, message in [
        (3, {"w3": "1"}, "there are only 3 classes"),
        (None, {"w0": "1"}, "need a number of classes"),
        (3, {"w0": "-1"}, "out of range: w_m ≥ 0"),
        (3, {"v0": "1"}, r"no such parameter \(its parameters: w0…w\{C-1\}\)"),
        (3, {"w": "1"}, "give one value per class"),
    ]:
        with pytest.raises(InputError, match=message):
            derive(classes, loss="weighted-ce", params=bad)


def test_a_counterexample_names_the_weights_it_used():
    d = derive(3, loss="weighted-ce", target="p_i*sum_j(w_j*y_j) - y_i")
    cex = d.claim.counterexample
    assert set(cex.others) == {"w"} and len(cex.others["w"]) == 3
    out = CliRunner().invoke(main, ["derive", "-C", "3", "--loss", "weighted-ce", "--target", "p_i - y_i"]).output
    assert "w = (" in out


def test_focal_with_gamma_zero_is_the_cross_entropy_and_not_otherwise():
    # a given gamma: numeric (and fractional) exponents; one of them past 8 classes, where symmetry is used
    for gamma, classes in [("1/2", None), ("1/2", 3), ("1/2", 12), ("2", None), ("2", 3), ("5/2", None), ("5/2", 3)]:
        d = derive(classes, loss="focal", params={"gamma": gamma})
        assert d.ok and d.complete, (gamma, classes, [(s.key, s.status) for s in d.all_steps])
    assert derive(None, loss="focal", params={"gamma": "0"}, target="p_i - y_i").ok
    assert not derive(None, loss="focal", params={"gamma": "1/2"}, target="p_i - y_i").ok
    with pytest.raises(InputError, match="out of range"):
        derive(3, loss="focal", params={"gamma": "-1"})


def test_claims_take_parameter_exponents_but_no_other_symbolic_ones():
    assert derive(3, loss="focal", target=derive(3, loss="focal").target).ok
    for bad in ["p_i^f_i", "p_i^(gamma*p_i)", "p_i^1000"]:
        with pytest.raises(InputError, match="exponents must be numbers"):
            build(3, loss="focal", target=bad)


def test_sigmoid_bce_with_one_logit_is_the_textbook_binary_case():
    for labels in ("onehot", "soft"):
        d = derive(1, loss="sigmoid-bce", labels=labels)
        assert d.ok and d.complete
    # no softmax across outputs: the softmax's own closed form is wrong here
    assert not derive(3, loss="sigmoid-bce", target="p_i*sum_j(y_j) - y_i", labels="soft").ok


def test_the_hessian_properties_are_proved_and_their_twins_fail():
    d = derive(None, loss="ce-hessian")
    keys = {s.key: s.status for s in d.all_steps}
    assert all(keys[k] is Status.PROVED for k in ("hessian", "symmetric", "row-sum", "psd"))
    for classes in (None, 3):
        d = build(classes, loss="ce-hessian")
        checker = checker_for(d.ctx, d.labels)
        psd = next(s for s in d.all_steps if s.key == "psd")
        chains = [list(psd.chains[0])]
        with evaluate(False):  # xᵀHx ≥ 0 turned into -xᵀHx ≥ 0 at the sum-of-squares line
            chains[0][-2] = replace(chains[0][-2], expr=-chains[0][-2].expr)
        res = checker.check(replace(psd, chains=chains))
        assert res.status is Status.FAILED and res.counterexample is not None
        # the sign needs the labels' sign: with labels of any sign (soft, and the step's y ≥ 0 dropped) it fails
        soft = build(classes, loss="ce-hessian", labels="soft")
        psd = next(s for s in soft.all_steps if s.key == "psd")
        res = checker_for(soft.ctx, soft.labels).check(
            replace(psd, chains=[[psd.chains[0][-2], psd.chains[0][-1]]], assumptions=())
        )
        assert res.status is Status.FAILED


def test_the_hessian_at_many_classes_uses_the_proof_for_every_c_where_the_classes_cannot_be_split():
    d = derive(1000, loss="ce-hessian")
    assert d.ok
    by_key = {s.key: s.method for s in d.all_steps}
    for key in ("row-sum", "psd"):  # a sum over a derivative's own class; a double sum
        assert by_key[key].startswith("proved for every $@C ≥ 1$ (symbolic C:") and "so for $@C = 1000$" in by_key[key]
    assert by_key["hessian"].startswith("exact identity")  # the others are checked at C = 1000 itself
    assert not derive(1000, loss="ce-hessian", target="delta_ij*p_i + p_i*p_j").ok


@pytest.mark.parametrize("key", ["row-sum", "psd"])
def test_its_twins_a_step_unlike_its_symbolic_twin_or_a_twin_not_proved_is_not_taken_from_it(key):
    from sympy import Integer as Int

    from xentderive.api import symbolic_twin
    from xentderive.verify import ConcreteChecker, _same_step

    d = build(30, loss="ce-hessian")
    twin = symbolic_twin(d)
    step = next(s for s in d.all_steps if s.key == key)
    same = next(s for s in twin.all_steps if s.key == key)
    assert _same_step(step, same, {twin.ctx.C: Int(30)})
    honest = ConcreteChecker(d.ctx, d.labels, lambda k: (twin.ctx, same))
    assert honest.proved_for_every_c(step).status is Status.VERIFIED
    # a step changed at C = 30 only no longer matches its twin: the proof for every C says nothing of it
    assert not _same_step(_mutated(step), same, {twin.ctx.C: Int(30)})
    assert honest.proved_for_every_c(_mutated(step)) is None
    # both changed alike: they match, but the twin is not proved (it is false), so it is not used
    wrong = ConcreteChecker(d.ctx, d.labels, lambda k: (twin.ctx, _mutated(same)))
    assert wrong.proved_for_every_c(_mutated(step)) is None
    # parts with no value where y_i = 0, which evaluation would cancel, keep the step unlike its twin
    # (found by the red team: the comparison once re-evaluated both sides)
    from sympy import Pow, Symbol, log

    y = d.ctx.y[d.ctx.i]
    for change in (lambda e: Mul(e, y, Pow(y, -1)), lambda e: Add(e, Mul(0, log(y))), lambda e: Symbol("0")):
        assert not _same_step(_mutated(step, change=change), same, {twin.ctx.C: Int(30)})
