"""The numeric witness (`xentderive/numeric.py`): what it samples, and that it catches what it should.

Each behaviour has twins: a true claim that passes and a mutation of it that fails.
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from mpmath import mp, mpf

from xentderive import numeric
from xentderive.api import build
from xentderive.derivations import REGISTRY
from xentderive.numeric import describe, symbolic_sizes, witness
from xentderive.params import resolve

FOCAL = build(None, loss="focal").target
SMOOTHING = "p_i - ((1 - eps)*y_i + eps/C)"


# --- what is sampled ---------------------------------------------------------------


def test_symbolic_c_is_sampled_at_small_c_seeded_c_and_64():
    sizes = symbolic_sizes(0)
    assert sizes[:6] == (1, 2, 3, 5, 7, 8) and sizes[-1] == 64 and len(sizes) > 7
    assert all(8 < c < 64 for c in sizes[6:-1])
    assert len({symbolic_sizes(seed)[6:-1] for seed in range(5)}) > 1  # the extra C follow the seed


def test_a_parameter_is_sampled_at_both_ends_at_integers_and_at_random_points():
    owners = ("label-smoothing", "focal", "temperature")
    values = {p.name: numeric._param_values(p, 0) for name in owners for p in REGISTRY[name].params}
    assert values["eps"][:2] == [0, 1] and all(0 < v < 1 for v in values["eps"][2:])
    assert values["gamma"][:4] == [0, 10, 1, 2] and any(not v.is_integer for v in values["gamma"])
    assert [str(v) for v in values["T"][:2]] == ["1/100", "100"]
    assert 0 not in values["T"] and {1, 2} <= set(values["T"])  # T > 0: the open end approached, never 0


def test_given_parameters_stay_as_given():
    spec = REGISTRY["label-smoothing"]
    values, _ = resolve(spec.params, {"eps": "1/2"}, "label-smoothing", None)
    assert numeric._combinations(spec.params, values, 0) == [{}]  # nothing to sample: eps is 1/2 throughout
    result = witness("label-smoothing", "onehot", SMOOTHING + " + 1 - 2*eps", None, params={"eps": "1/2"})
    assert result.agreed
    assert not witness("label-smoothing", "onehot", SMOOTHING + " + 1 - 2*eps", None).agreed


def _points(loss: str, labels: str, size: int):
    spec = REGISTRY[loss]
    values, samples = resolve(spec.params, {}, loss, None)
    ctx = spec.make_context(size, values, samples)
    combos = numeric._combinations(spec.params, values, 0)
    with mp.workdps(numeric.DIGITS):
        return ctx, list(numeric._points(spec, ctx, labels, size, combos, {}, numeric._rows(size), 0))


def test_onehot_labels_include_exact_one_hot_vectors_and_zeros():
    _, pts = _points("softmax-ce", "onehot", 5)
    ys = [pt.y for pt in pts]
    assert any(sorted(y) == [0, 0, 0, 0, 1] for y in ys)  # exactly one 1, the rest exactly 0
    assert any(0 in y and 1 not in y for y in ys)  # a probability vector with exact zeros
    with mp.workdps(numeric.DIGITS):
        assert all(min(y) >= 0 and abs(mp.fsum(y) - 1) < mpf(10) ** -50 for y in ys)


def test_soft_labels_are_any_reals_negative_and_zero_included():
    _, pts = _points("softmax-ce", "soft", 5)
    ys = [pt.y for pt in pts]
    assert any(min(y) < 0 for y in ys) and any(all(v == 0 for v in y) for y in ys)
    assert any(abs(sum(y) - 1) > mpf(1) / 10 for y in ys)  # no Σ_j y_j = 1 either


def test_class_weights_include_zeros_equal_and_random():
    ctx, pts = _points("weighted-ce", "onehot", 5)
    ws = [pt.data[ctx.w] for pt in pts]
    assert any(all(v == 0 for v in w) for w in ws)
    assert any(len(set(w)) == 1 and w[0] != 0 for w in ws)
    assert any(len(set(w)) > 2 for w in ws)
    assert all(min(w) >= 0 for w in ws)  # w_m ≥ 0: inside the stated range


def test_a_claim_undefined_only_at_zero_weights_fails():
    true = "p_i*sum_j(w_j*y_j) - w_i*y_i"
    assert witness("weighted-ce", "onehot", true, None).agreed
    result = witness("weighted-ce", "onehot", f"({true})*sum_j(w_j)/sum_j(w_j)", None)
    assert not result.agreed and "claim undefined" in result.detail and all(v == "0.0" for v in result.inputs["w"])


def test_a_claim_wrong_only_for_negative_labels_fails_for_soft_labels():
    claim = "p_i*sum_j(y_j) - y_i + y_i - (y_i^2)^(1/2)"  # y_i - |y_i|: zero unless y_i < 0
    assert witness("softmax-ce", "onehot", claim, None).agreed
    assert not witness("softmax-ce", "soft", claim, None).agreed


def test_a_claim_undefined_only_at_exact_one_hot_labels_fails():
    claim = "p_i - y_i + (1 - sum_j(y_j^2))/(1 - sum_j(y_j^2)) - 1"  # 0/0 when y is one-hot
    assert witness("softmax-ce", "onehot", "p_i - y_i + (2 - sum_j(y_j^2))/(2 - sum_j(y_j^2)) - 1", 3).agreed
    result = witness("softmax-ce", "onehot", claim, 3)
    assert not result.agreed and "one-hot y" in result.detail


def test_large_c_samples_a_few_components_only():
    result = witness("softmax-ce", "onehot", "p_i - y_i", 1000)
    assert result.agreed and result.checked == numeric.MIN_POINTS * 4  # i = 0, 1, C/2, C-1


def test_describe_says_what_was_sampled():
    text = describe(0)
    assert "C = 1, 2, 3, 5, 7, 8" in text and ", 64 (" in text and "seed 0" in text
    assert "both ends of its range" in text and "one-hot" in text and "negatives" in text and "weights zero" in text
    assert "eps = 0, 1, " in describe(0, "label-smoothing")
    assert "eps =" not in describe(0, "label-smoothing", {"eps": "1/2"})


# --- traps: claims that hold where the old witness looked --------------------------


def test_a_claim_wrong_only_from_c_7_fails_at_symbolic_c():
    trap = "p_i - y_i + (C-1)*(C-2)*(C-3)*(C-4)*(C-5)*(C-6)"
    assert witness("softmax-ce", "onehot", trap, 3).agreed  # the product is 0 at C = 3
    result = witness("softmax-ce", "onehot", trap, None)
    assert not result.agreed and result.classes >= 7 and f"C = {result.classes}" in result.detail


def test_a_claim_wrong_only_at_the_eps_1_end_point_fails():
    trap = SMOOTHING + " + (1 - sum_j(p_j))^(1 - eps)"  # 0^(1 - eps): 0 below eps = 1, 1 at eps = 1
    assert witness("label-smoothing", "onehot", trap, None, params={"eps": "9/10"}).agreed
    result = witness("label-smoothing", "onehot", trap, None)
    assert not result.agreed and result.params == {"eps": "1"} and "eps = 1" in result.detail


def test_a_claim_wrong_at_large_temperature_fails():
    trap = "(p_i - y_i)/T + 0^(2 - T)"
    assert witness("temperature", "onehot", trap, None, params={"T": "1"}).agreed
    result = witness("temperature", "onehot", trap, None)
    assert not result.agreed and "T = " in result.detail


# --- a claim with no value is a result, never an exception -------------------------


def test_zero_times_log_zero_fails_as_undefined():
    assert witness("softmax-ce", "onehot", "p_i - y_i + 0*log(1)", None).agreed
    result = witness("softmax-ce", "onehot", "p_i - y_i + 0*log(0)", None)
    assert not result.agreed and "cannot be evaluated at any sampled point" in result.detail
    assert result.claimed.startswith("undefined")


def test_log_of_minus_one_does_not_raise():
    assert witness("softmax-ce", "onehot", "p_i - y_i + log(1)", 3).agreed
    result = witness("softmax-ce", "onehot", "p_i - y_i + log(-1)", None)
    assert not result.agreed and "complex" in result.detail


def test_a_claim_undefined_at_some_points_fails_and_names_the_point():
    assert witness("softmax-ce", "onehot", "p_i - y_i + 0*log(1 + y_i^2)", None).agreed
    result = witness("softmax-ce", "onehot", "p_i - y_i + 0*log(y_i)", None)  # log(0) where y_i = 0
    assert not result.agreed and result.detail.startswith("claim undefined at C = ")
    assert f"i = {result.index}" in result.detail and result.y[result.index] == "0.0"


def test_a_claim_undefined_at_c_1_fails_without_a_convention_saying_so():
    assert witness("softmax-ce", "onehot", "p_i - y_i + (2 - p_i)/(2 - p_i) - 1", None).agreed
    result = witness("softmax-ce", "onehot", "p_i - y_i + (1 - p_i)/(1 - p_i) - 1", None)
    assert not result.agreed and result.detail.startswith("claim undefined at C = 1, i = 0")


def test_focal_is_sampled_only_where_it_is_stated_from_c_2_on():
    result = witness("focal", "onehot", FOCAL, None)  # gamma sampled at 0 and other values below 1
    assert result.agreed and "(C = 2, 3, 5" in result.detail


def test_its_twin_a_focal_claim_wrong_at_gamma_0_fails():
    assert not witness("focal", "onehot", FOCAL + " + 0^gamma", None).agreed  # 0^0 = 1 at gamma = 0


@pytest.mark.parametrize("error", [TypeError, ValueError, ZeroDivisionError, OverflowError, RecursionError])
def test_every_exception_from_evaluating_the_claim_becomes_a_result(monkeypatch, error):
    def raising(*args, **kwargs):
        def claim(*values):
            raise error("boom")

        return claim

    monkeypatch.setattr(numeric, "compile_expression", raising)
    result = witness("softmax-ce", "onehot", "p_i - y_i", 3)
    assert not result.agreed and "cannot be evaluated at any sampled point" in result.detail


def test_the_sympy_path_evaluates_what_the_compiler_does_not_know(monkeypatch):
    def unsupported(*args, **kwargs):
        raise numeric._Unsupported("test")

    monkeypatch.setattr(numeric, "compile_expression", unsupported)
    assert witness("softmax-ce", "onehot", "p_i - y_i", 3).agreed
    assert witness("softmax-jacobian", "onehot", "p_j*(delta_ij - p_i)", 3).agreed
    assert not witness("softmax-ce", "onehot", "p_i - 2*y_i", 3).agreed
    assert not witness("softmax-ce", "onehot", "p_i - y_i + log(-1)", 3).agreed
    assert not witness("softmax-ce", "onehot", "p_i - y_i + 0*log(y_i)", 3).agreed


def test_an_unreadable_claim_is_a_result():
    result = witness("softmax-ce", "onehot", "p_i +", None)
    assert not result.agreed and "cannot be read" in result.detail


def test_a_memory_error_is_not_swallowed(monkeypatch):
    def out_of_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setitem(REGISTRY, "softmax-ce", replace(REGISTRY["softmax-ce"], numeric_loss=out_of_memory))
    with pytest.raises(MemoryError):
        witness("softmax-ce", "onehot", "p_i - y_i", 3)


# --- counterexamples -----------------------------------------------------------------


def test_a_counterexample_names_c_i_f_y_and_the_parameters():
    result = witness("temperature", "onehot", "(p_i - y_i)/T + 1/1000", None)
    assert not result.agreed
    assert result.detail.startswith(f"differs at C = {result.classes}, i = {result.index}, T = {result.params['T']}")
    assert "f = (" in result.detail and "y = (" in result.detail
    assert len(result.f) == len(result.y) == result.classes and result.claimed and result.measured


def test_a_matrix_counterexample_names_j():
    assert witness("softmax-jacobian", "onehot", "p_j*(delta_ij - p_i)", None).agreed
    result = witness("softmax-jacobian", "onehot", "p_j*(delta_ij - p_j)", None)
    assert not result.agreed and result.j is not None and f"j = {result.j}" in result.detail


# --- the catalogue ---------------------------------------------------------------------


WITNESSED = [name for name in REGISTRY if name != "batch-mean"]  # a batch: check skips the one-sample witness


@pytest.mark.parametrize("labels", ["onehot", "soft"])
@pytest.mark.parametrize("classes", [None, 3])
@pytest.mark.parametrize("loss", WITNESSED)
def test_every_default_target_passes(loss, labels, classes):
    target = build(classes, loss=loss, labels=labels).target
    result = witness(loss, labels, target, classes)
    assert result.agreed, result.detail


@pytest.mark.parametrize("loss", WITNESSED)
def test_every_default_target_mutated_fails(loss):
    target = build(None, loss=loss).target
    rng = random.Random(loss)
    assert not witness(loss, "onehot", f"({target})*{rng.randint(3, 9)}/2", None).agreed
