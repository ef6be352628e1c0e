"""A proof gate must never pass a false claim: one test per kind of defect, each with its twin.

Each kind comes from adversarial testing (issue 11); the twin is the nearest claim of the
other truth, so a check that simply refuses everything (or passes everything) fails here.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from xentderive import derive
from xentderive.api import build
from xentderive.cli import main
from xentderive.errors import InputError
from xentderive.model import Outcome, Status

SMOOTH = "p_i - ((1 - eps)*y_i + eps/C)"
E7_FREE_TRAP = "p_i - y_i + (C-1)*(C-2)*(C-3)*(C-4)*(C-5)*(C-6)"


def run(*args: str):
    return CliRunner().invoke(main, list(args), prog_name="xentderive")


# --- 1. not proved is its own outcome ----------------------------------------------------------


def test_a_claim_only_checked_for_small_c_is_not_proved_and_exits_4():
    d = derive(None, target=E7_FREE_TRAP)
    assert d.outcome is Outcome.UNPROVED and d.claim.status is Status.CHECKED
    assert "only checked exactly for $@C = 1…6$" in d.claim.method
    assert run("derive", "--target", E7_FREE_TRAP).exit_code == 4


def test_its_twin_the_same_trap_at_a_c_where_it_is_false_exits_1():
    assert derive(7, target=E7_FREE_TRAP).outcome is Outcome.FAILED


def test_allow_unproved_turns_exit_4_into_0_and_nothing_else():
    assert run("derive", "--target", E7_FREE_TRAP, "--allow-unproved").exit_code == 0
    assert run("derive", "-C", "7", "--target", E7_FREE_TRAP, "--allow-unproved").exit_code == 1


# --- 2. every rewrite keeps its side condition -------------------------------------------------


@pytest.mark.parametrize(
    ("loss", "closed", "trap", "param"),
    [
        ("label-smoothing", SMOOTH, "(1 - sum_j(p_j))^(1 - eps)", "eps"),
        ("temperature", "(p_i - y_i)/T", "0^(2 - T)", "T"),
        ("focal", None, "0^(3 - gamma)", "gamma"),
    ],
)
def test_a_power_of_zero_that_changes_at_a_parameter_value_is_refuted_there(loss, closed, trap, param):
    closed = closed or build(None, loss=loss).target
    d = derive(None, loss=loss, target=f"{closed} + {trap}")
    assert d.outcome is Outcome.FAILED
    assert param in d.claim.counterexample.params  # the point names the parameter's value


def test_its_twin_a_power_of_zero_with_an_exponent_positive_on_the_whole_range_passes():
    d = derive(None, loss="label-smoothing", target=f"{SMOOTH} + (1 - sum_j(p_j))^(2 - eps)")
    assert d.outcome is not Outcome.FAILED


# --- 3. undefined claims ---------------------------------------------------------------------


@pytest.mark.parametrize("classes", [None, 3, 30])
@pytest.mark.parametrize("junk", ["0*log(0)", "0/(1-1)"])
def test_a_claim_with_no_value_fails(classes, junk):
    assert derive(classes, target=f"p_i - y_i + {junk}").outcome is Outcome.FAILED


@pytest.mark.parametrize("classes", [None, 3, 30])
def test_a_log_of_zero_hidden_behind_a_zero_factor_is_never_passed(classes):
    assert derive(classes, target="p_i - y_i + 0*log(1 - sum_j(p_j))*0").outcome is not Outcome.PASSED


@pytest.mark.parametrize("classes", [None, 3, 30])
def test_its_twin_a_zero_written_with_defined_parts_passes(classes):
    assert derive(classes, target="p_i - y_i + 0*log(2) + 0/(1+1)").outcome is Outcome.PASSED


# --- 4. the stated assumptions are used ------------------------------------------------------


def test_labels_are_nonnegative_where_stated():
    assert derive(3, target="p_i - y_i + (y_i^2)^(1/2) - y_i").outcome is Outcome.PASSED


def test_its_twin_soft_labels_are_any_reals_so_the_same_claim_fails():
    soft = "p_i*sum_j(y_j) - y_i + (y_i^2)^(1/2) - y_i"
    assert derive(3, labels="soft", target=soft).outcome is Outcome.FAILED


@pytest.mark.parametrize("classes", [None, 3])
def test_adding_the_root_of_zero_is_never_rejected(classes):
    assert derive(classes, target="p_i - y_i + (1 - sum_j(p_j))^(1/2)").outcome is not Outcome.FAILED


# --- 5. concrete-C gaps ---------------------------------------------------------------------


def test_every_weight_fixed_to_two_at_ten_classes_proves_twice_the_gradient():
    weights = {f"w{m}": "2" for m in range(10)}
    assert derive(10, loss="weighted-ce", target="2*(p_i - y_i)", params=weights).outcome is Outcome.PASSED


def test_its_twin_three_times_the_gradient_fails():
    weights = {f"w{m}": "2" for m in range(10)}
    assert derive(10, loss="weighted-ce", target="3*(p_i - y_i)", params=weights).outcome is Outcome.FAILED


def test_label_smoothing_at_its_end_point_eps_1_is_verified_at_nine_classes():
    assert derive(9, loss="label-smoothing", params={"eps": "1"}).outcome is Outcome.PASSED
    assert derive(9, loss="label-smoothing", params={"eps": "1"}, target="p_i - y_i").outcome is Outcome.FAILED


def test_check_reports_a_claim_the_witness_cannot_evaluate_anywhere_without_crashing():
    result = run("check", "-C", "1", "--target", "p_i - y_i + log(-1)")
    assert result.exit_code == 1 and "Traceback" not in result.output


# --- 7. notation that makes a false-looking proof ----------------------------------------------


@pytest.mark.parametrize(
    ("loss", "notation"), [("label-smoothing", {"classes": "eps"}), ("weighted-ce", {"probs": "w"})]
)
def test_a_notation_name_that_clashes_with_the_derivation_is_refused(loss, notation):
    with pytest.raises(InputError, match="clashes with"):
        build(None, loss=loss, names=notation)


def test_its_twin_distinct_names_are_accepted():
    assert build(None, loss="weighted-ce", names={"probs": "q", "logits": "z"}).loss == "weighted-ce"


# --- 8. bounded work ---------------------------------------------------------------------------


def test_the_focal_closed_form_plus_zero_to_gamma_is_answered():
    target = build(None, loss="focal").target + " + 0^gamma"
    assert derive(None, loss="focal", target=target).outcome is Outcome.FAILED  # 0^0 = 1 at gamma = 0
