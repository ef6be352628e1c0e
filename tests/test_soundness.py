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


UNPROVABLE = "1/sum_j(exp(f_j - f_i)) - y_i"  # true (p_i divided through by e^{f_i}); SymPy cannot show it


def test_a_claim_only_checked_for_small_c_is_not_proved_and_exits_4():
    d = derive(None, target=UNPROVABLE)
    assert d.outcome is Outcome.UNPROVED and d.claim.status is Status.CHECKED
    assert "only checked exactly for $@C = 1…6$" in d.claim.method
    assert run("derive", "--target", UNPROVABLE).exit_code == 4


def test_its_twin_the_same_claim_made_false_exits_1():
    assert run("derive", "--target", UNPROVABLE.replace("- y_i", "- 2*y_i")).exit_code == 1


@pytest.mark.parametrize("degree", [6, 7, 13, 32])
def test_a_polynomial_in_c_that_vanishes_for_small_c_only_is_refuted_just_past_its_roots(degree):
    trap = "p_i - y_i + " + "*".join(f"(C-{n})" for n in range(1, degree + 1))
    d = derive(None, target=trap)
    assert d.outcome is Outcome.FAILED and d.claim.counterexample is not None
    assert d.claim.counterexample.classes > degree


def test_its_twin_a_polynomial_in_c_times_zero_passes():
    assert derive(None, target="p_i - y_i + 0*(C-1)*(C-2)*(C-3)*(C-4)*(C-5)*(C-6)*(C-7)").outcome is Outcome.PASSED


def test_allow_unproved_turns_exit_4_into_0_and_nothing_else():
    assert run("derive", "--target", UNPROVABLE, "--allow-unproved").exit_code == 0
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


# A claim undefined at isolated points of the domain, where the gradient has a value, is wrong:
# exit 1 with that point (the C, the parameter value, the exact labels or weights).
ISOLATED = [
    ("softmax-ce", "onehot", "p_i - y_i + 0/(C-70)", {"classes": 70}),
    ("softmax-ce", "onehot", "p_i - y_i + 0*log(C-69)", {"classes": 1}),  # log of a negative number at C = 1
    ("softmax-ce", "onehot", "p_i - y_i + 0*log(y_i)", {"y": "0"}),
    ("softmax-ce", "onehot", "p_i - y_i + y_i/y_i - 1", {"y": "0"}),
    ("softmax-ce", "soft", "p_i*sum_j(y_j) - y_i + 0/sum_j(y_j)", {}),
    ("label-smoothing", "onehot", f"{SMOOTH} + 0/(7*eps - 2)", {"eps": "2/7"}),
    ("temperature", "onehot", "(p_i - y_i)/T + 0*log(T-1)", {"T": "1"}),
    ("weighted-ce", "onehot", "p_i*sum_j(w_j*y_j) - w_i*y_i + 0*log(w_i)", {"w": "0"}),
    ("softmax-ce", "onehot", "p_i - y_i + 0*log(sum_j(exp(f_j)) - exp(f_i))", {"classes": 1}),
    ("softmax-ce", "onehot", "p_i - y_i + (C-100000)^(1/2)*0", {"classes": 1}),
]


@pytest.mark.parametrize(("loss", "labels", "claim", "where"), ISOLATED, ids=[c[2] for c in ISOLATED])
def test_a_claim_undefined_at_one_point_of_the_domain_is_refuted_there(loss, labels, claim, where):
    d = derive(None, loss=loss, labels=labels, target=claim)
    assert d.outcome is Outcome.FAILED
    cex = d.claim.counterexample
    assert cex is not None and "undefined" in (cex.lhs_value, cex.rhs_value)
    if "classes" in where:
        assert cex.classes == where["classes"]
    for name, value in where.items():
        if name == "y":
            assert value in cex.y
        elif name == "w":
            assert value in cex.others["w"]
        elif name != "classes":
            assert cex.params[name] == value


TWINS = [
    ("softmax-ce", "onehot", "p_i - y_i + 0/(C+70)"),
    ("softmax-ce", "onehot", "p_i - y_i + 0*log(C+69)"),
    ("softmax-ce", "onehot", "p_i - y_i + 0*log(y_i + 1)"),
    ("softmax-ce", "onehot", "p_i - y_i + 0/sum_j(y_j)"),  # one-hot labels sum to 1
    ("label-smoothing", "onehot", f"{SMOOTH} + 0/(7*eps + 2)"),
    ("temperature", "onehot", "(p_i - y_i)/T + 0*log(T+1)"),
    ("weighted-ce", "onehot", "p_i*sum_j(w_j*y_j) - w_i*y_i + 0*log(w_i + 1)"),
    ("softmax-ce", "onehot", "p_i - y_i + 0*log(sum_j(exp(f_j)))"),
]


@pytest.mark.parametrize(("loss", "labels", "claim"), TWINS, ids=[c[2] for c in TWINS])
def test_its_twin_the_same_part_kept_away_from_zero_passes(loss, labels, claim):
    assert derive(None, loss=loss, labels=labels, target=claim).outcome is Outcome.PASSED


def test_a_part_undefined_only_at_a_c_too_large_to_check_exactly_is_refuted_at_that_c():
    d = derive(None, target="p_i - y_i + 0/(C - 10^6)")
    assert d.outcome is Outcome.FAILED and "$@C = 1000000$" in d.claim.method


def test_its_twin_the_same_part_never_zero_passes():
    assert derive(None, target="p_i - y_i + 0/(C + 10^6)").outcome is Outcome.PASSED


@pytest.mark.parametrize("classes", [None, 3, 1000])
def test_a_power_of_a_base_shown_zero_with_a_positive_exponent_is_zero(classes):
    assert derive(classes, target="p_i - y_i + (1 - sum_j(p_j))^(1/2)").outcome is Outcome.PASSED
    t = derive(classes, loss="temperature", target="(p_i - y_i)/T + (1 - sum_j(p_j))^T")
    assert t.outcome is Outcome.PASSED


@pytest.mark.parametrize("classes", [None, 3])
def test_its_twin_the_base_not_zero_is_refuted(classes):
    assert derive(classes, target="p_i - y_i + (1 - sum_j(p_j) + p_i)^(1/2)").outcome is Outcome.FAILED


def test_a_log_of_a_probability_below_one_is_a_nonzero_denominator():
    assert derive(2, target="p_i - y_i + log(p_i)/log(p_i) - 1").outcome is Outcome.PASSED


def test_its_twin_at_one_class_the_log_is_0_and_the_claim_fails():
    assert derive(1, target="p_i - y_i + log(p_i)/log(p_i) - 1").outcome is Outcome.FAILED


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


@pytest.mark.parametrize(
    ("loss", "claim"),
    [
        ("temperature", "(p_i - y_i)/T + 0*(y_i - 1/2)^(T/T)"),  # exponent 1: a power of a negative number is real
        ("temperature", "(p_i - y_i)/T + 0*(C - 10^6)^(T/T)"),
        ("label-smoothing", f"{SMOOTH} + 0*(y_i - 1/2)^(eps - eps + 2)"),
    ],
)
def test_a_power_whose_exponent_is_an_integer_at_the_point_is_defined_for_a_negative_base(loss, claim):
    assert derive(None, loss=loss, target=claim).outcome is not Outcome.FAILED


def test_its_twin_a_fractional_exponent_of_the_same_base_is_refuted():
    d = derive(None, loss="temperature", target="(p_i - y_i)/T + 0*(y_i - 1/2)^(T/(2*T))")
    assert d.outcome is Outcome.FAILED


EXPONENT_TRAPS = [
    ("temperature", None, "(p_i - y_i)/T + (1 - sum_j(p_j))^(1 + 0/(T - 1))"),  # 0/0 at T = 1
    ("temperature", 3, "(p_i - y_i)/T + (1 - sum_j(p_j))^(1/2 + 0/(T - 1))"),
    ("temperature", 9, "(p_i - y_i)/T + (p_i - p_i)^(2 + 0/(T^2 - 2))"),  # at T = √2
    ("temperature", None, "(p_i - y_i)/T + (1 - sum_j(p_j))^(1 + 0*(T - 1)^(1/2))"),  # T < 1
    ("label-smoothing", None, f"{SMOOTH} + (1 - sum_j(p_j))^(1 + 0/(eps - 1/2))"),
]


@pytest.mark.parametrize(("loss", "classes", "claim"), EXPONENT_TRAPS, ids=[c[2] for c in EXPONENT_TRAPS])
def test_a_zero_base_is_not_made_0_when_its_exponent_has_no_value_somewhere(loss, classes, claim):
    assert derive(classes, loss=loss, target=claim).outcome is Outcome.FAILED


@pytest.mark.parametrize("classes", [None, 3])
def test_its_twin_an_exponent_defined_everywhere_keeps_the_rule(classes):
    claim = "(p_i - y_i)/T + (1 - sum_j(p_j))^(1/2 + 0/(T + 1))"
    assert derive(classes, loss="temperature", target=claim).outcome is Outcome.PASSED


@pytest.mark.parametrize(
    ("loss", "claim"),
    [
        ("label-smoothing", f"{SMOOTH} + 0*log(eps + (-1)^(1/2))"),
        ("temperature", "(p_i - y_i)/T + 0/(T + (-4)^(1/2))"),
    ],
)
def test_a_part_linear_in_a_parameter_with_a_complex_coefficient_fails_without_crashing(loss, claim):
    result = run("derive", "--loss", loss, "--target", claim)
    assert result.exit_code == 1 and "internal error" not in result.output


def test_its_twin_the_real_part_passes():
    assert run("derive", "--loss", "temperature", "--target", "(p_i - y_i)/T + 0/(T + 4^(1/2))").exit_code == 0


def test_the_summary_names_the_smallest_c_a_derivation_is_stated_for():
    assert "C ≥ 2" in run("derive", "--loss", "focal").output
    assert "C ≥ 1" in run("derive").output


# --- a few classes: exact values, never a rounding residue --------------------------------------

E4 = "(1 - 6*sum_j(y_j^2) + 3*sum_j(y_j^2)^2 + 8*sum_j(y_j^3) - 6*sum_j(y_j^4))"  # 24·e₄(y), Σy = 1
FINITE_C_ZEROS = [
    ("softmax-ce", f"p_i - y_i + 10^90*{E4}"),  # e₄ of three numbers is 0: true at C = 3 only
    ("softmax-ce", f"p_i - y_i + ({E4}^2)^(1/50)"),
    (
        "softmax-jacobian",  # 1 - p_i - p_j is the third class's p when j ≠ i
        "p_j*(delta_ij - p_i) + 10^90*(1-delta_ij)*((1 - p_i - p_j)^2 - sum_j(p_j^2) + p_i^2 + p_j^2)",
    ),
]


@pytest.mark.parametrize(("loss", "claim"), FINITE_C_ZEROS)
def test_a_term_zero_only_at_this_c_is_not_refuted_by_rounding(loss, claim):
    """The split evaluation (other classes as free power sums) cannot see that e₄ of three labels
    is 0; a counterexample at a point must then come from exact values, not 100-digit ones whose
    1e-100 residue, times 10^90, looks like a difference (found by the red team)."""
    assert run("derive", "--loss", loss, "-C", "3", "--target", claim).exit_code == 0


@pytest.mark.parametrize(("loss", "claim"), FINITE_C_ZEROS)
def test_its_twin_the_same_term_at_four_classes_is_refuted(loss, claim):
    assert run("derive", "--loss", loss, "-C", "4", "--target", claim).exit_code == 1


HUGE = "(10^10)^20"  # rounding noise of an exact zero, times this, is far above any tolerance
HUGE_ZEROS = [
    ("softmax-ce", 2, f"p_i - y_i + {HUGE}*(1 - sum_j(p_j))"),
    ("softmax-ce", 3, f"p_i - y_i + (10^10)^16*{E4.replace('y_j', 'p_j')}"),  # e₄(p) = 0 for three classes
    (
        "softmax-jacobian",
        3,
        "p_j*(delta_ij - p_i) + (10^10)^90*(1-delta_ij)*((1 - p_i - p_j)^2 - (sum_j(p_j^2) - p_i^2 - p_j^2))",
    ),
]


@pytest.mark.parametrize(("loss", "classes", "claim"), HUGE_ZEROS)
def test_an_exact_zero_times_a_huge_number_is_not_refuted_by_its_rounding_noise(loss, classes, claim):
    """A point counterexample must hold at two precisions (red team): the noise of a zero that
    evalf cannot settle changes with the precision, a real difference does not."""
    assert run("derive", "--loss", loss, "-C", str(classes), "--target", claim).exit_code == 0


@pytest.mark.parametrize(("loss", "classes", "claim"), HUGE_ZEROS[1:])
def test_its_twin_the_same_claim_one_class_more_is_refuted(loss, classes, claim):
    assert run("derive", "--loss", loss, "-C", str(classes + 1), "--target", claim).exit_code == 1


LOG_ZERO = "log(3*sum_j(p_j*y_j)) - log(3) - log(sum_j(p_j*y_j))"  # 0 where Σ p_j y_j > 0 (not shown)


def test_a_zero_behind_a_log_not_shown_defined_is_not_proved_rather_than_refuted():
    assert run("derive", "-C", "2", "--target", f"p_i - y_i + {HUGE}*({LOG_ZERO})").exit_code == 4


def test_its_twin_the_log_identity_made_false_is_refuted():
    wrong = LOG_ZERO.replace("- log(3)", "- log(2)")
    assert run("derive", "-C", "2", "--target", f"p_i - y_i + {HUGE}*({wrong})").exit_code == 1


SATURATED = "p_i - y_i - 1 + 1/(1+((10^10)^30*(1 - sum_j(p_j)))^2)"  # 1/(1 + 0) - 1 = 0: true


@pytest.mark.parametrize("classes", [2, 3])
def test_noise_that_a_function_saturates_does_not_refute_a_true_claim(classes):
    """1/(1 + u²) with u = 10^300·(an exact 0): its noise gives 0 at both precisions, so up to 8
    classes the gap at a point must be one that evalf guarantees (strict), else no counterexample."""
    assert run("derive", "-C", str(classes), "--target", SATURATED).exit_code == 0


@pytest.mark.parametrize("classes", [2, 3])
def test_its_twin_a_real_difference_under_deep_cancellation_is_still_refuted(classes):
    hidden = "p_i - y_i + (1 - sum_j(p_j) + 10^(-100)*10^(-100))*10^100*10^100"  # off by exactly 1
    assert run("derive", "-C", str(classes), "--target", hidden).exit_code == 1
