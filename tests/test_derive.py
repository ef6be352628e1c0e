"""The seed derivation: every step checked, and the statuses say how."""

from __future__ import annotations

import pytest

from xentderive import derive
from xentderive.api import SOFT_LABEL_HINT
from xentderive.errors import InputError
from xentderive.model import Status
from xentderive.printing.notation import prose, text

SEED_ORDER = [
    "softmax",
    "loss",
    "chain-rule",
    "dL-dp",
    "jacobian",
    "case-j-eq-i",
    "case-j-ne-i",
    "combine",
    "label-sum",
    "claim",
]


def test_symbolic_run_proves_every_step_for_every_c(symbolic):
    assert [s.key for s in symbolic.all_steps] == SEED_ORDER
    assert all(s.status is Status.PROVED for s in symbolic.all_steps)
    assert symbolic.ok and symbolic.complete
    assert text(symbolic.result) == "p_i - y_i"
    assert all(prose(s.method).startswith("symbolic identity for every C") for s in symbolic.all_steps)


@pytest.mark.parametrize("classes", [1, 2, 3, 10, 50])
def test_concrete_runs_verify_every_step(classes):
    d = derive(classes)
    assert d.ok and d.complete
    assert all(s.status is Status.VERIFIED for s in d.all_steps)


def test_two_classes_check_every_index_and_pair():
    by_key = {s.key: s for s in derive(2).all_steps}
    assert "every i and every j in 0…1 with j ≠ i" in prose(by_key["case-j-ne-i"].method)
    assert "every i in 0…1" in by_key["claim"].method


def test_small_c_uses_the_checked_permutation_symmetry_too(three):
    """C = 3 checks one representative per index pattern, as C = 1000 does: no slower than large C."""
    by_key = {s.key: s for s in three.all_steps}
    assert "at i = 0, j = 1; every other index by the permutation symmetry" in prose(by_key["case-j-ne-i"].method)
    assert "at i = 0; every other index" in by_key["claim"].method


def test_large_c_uses_the_checked_permutation_symmetry():
    d = derive(12)
    step = next(s for s in d.steps if s.key == "case-j-ne-i")
    assert step.status is Status.VERIFIED
    assert "at i = 0, j = 1; every other index by the permutation symmetry" in step.method


def test_one_class_has_an_empty_j_ne_i_case_and_says_so():
    d = derive(1)
    step = next(s for s in d.steps if s.key == "case-j-ne-i")
    assert step.status is Status.VERIFIED
    assert step.method.startswith("vacuous")
    assert "For $@C = 1$ there is no $j ≠ i$: this case is empty." in step.remarks


def test_soft_labels_end_at_p_times_label_sum_minus_y():
    d = derive(None, labels="soft")
    assert d.ok and [s.key for s in d.steps][-1] == "combine"
    assert text(d.result) == "p_i·(Σ_{j=0}^{C - 1} y_j) - y_i"


def test_soft_labels_refute_the_one_hot_target_and_name_the_missing_assumption():
    d = derive(None, labels="soft", target="p_i - y_i")
    assert not d.ok
    assert d.claim.status is Status.FAILED
    assert SOFT_LABEL_HINT in d.claim.remarks


@pytest.mark.parametrize("classes", [None, 3])
def test_false_claim_fails_with_a_counterexample_whose_values_differ(classes):
    d = derive(classes, target="p_i - 2*y_i")
    assert d.claim.status is Status.FAILED
    cex = d.claim.counterexample
    assert cex is not None and cex.lhs_value != cex.rhs_value
    assert all(s.status.passed for s in d.steps)


def test_true_claim_in_another_form_is_verified():
    assert derive(4, target="exp(f_i)/sum_j(exp(f_j)) - y_i").ok
    assert derive(None, target="p_i*sum_j(y_j) - y_i").ok


@pytest.mark.parametrize("classes", [0, -1, 10**9])
def test_out_of_range_classes_are_input_errors(classes):
    with pytest.raises(InputError):
        derive(classes)


def test_display_at_an_index_keeps_statuses_and_substitutes_i(three):
    shown = three.at_index(2)
    assert text(shown.steps[0].chains[0][0].expr) == "p_2"
    assert [s.status for s in shown.all_steps] == [s.status for s in three.all_steps]
