"""Findings of an independent red team against `verify` (tests/verify_redteam/README.txt says what each
input is and how its truth was judged: numerical derivatives of the document's own definitions, in
tests/verify_redteam/check_truth.py). Each kind is pinned here: a false link never passes, a true link
is never called wrong, and nothing crashes."""

from __future__ import annotations

from pathlib import Path

import pytest

from xentderive.errors import InputError
from xentderive.userdoc.check import verify_file

ROOT = Path(__file__).parent / "verify_redteam"

# A false claim in each: the file must not pass (exit 0 would be a false "passed").
FALSE = [
    "fp01_softmax_denominator_typo.md",
    "fp01b_softmax_negative_exponent.md",
    "fp01c_softmax_sum_except.md",
    "fp02_prose_delta_condition.md",
    "fp02b_prose_condition_negated.md",
    "fp02c_align_condition_on_last_row.tex",
    "fp03_focal_loss_replaced_by_ce.md",
    "fp03b_loss_minus_log_pc_replaced.md",
    "fp03c_loss_defined_with_equiv.md",
    "fp04_plaintext_tail_dropped.txt",
    "fp05_macro_sum_capture.md",
    "fp06_dmath_skipped.tex",
    "fp07_false_claims_not_checked.md",
    "fp08_division_cancelled.md",
    "hg01_power_tower.md",
    # round 2 (README-round2.txt)
    "r2_fp01_row_continuation_dropped.tex",
    "r2_fp02_github_math_fence_skipped.md",
    "r2_fp03_ieeeeqnarray_skipped.tex",
    "r2_fp04_prose_condition_for_every_j.md",
    "r2_fp05_derivative_wrt_p_inconsistent.md",
    "r2_fp06_labelsum_upper_bound_ignored.md",
    "r2_fp07_inline_letter_claims_skipped.md",
    "r2_cr01_condition_i_eq_i.md",
]
# Only true links in each: none may be reported wrong (not understood is allowed: it is no verdict).
TRUE = [
    "fw01_loss_minus_log_pc.md",
    "fw01b_loss_minus_log_py_indicator.md",
    "fw02_inline_claim_after_inline_condition.md",
    "fw03_normalizer_defined_after_use.md",
    "fw04_macro_sum_capture_true.md",
    "fw05_upright_e_and_d.md",
    "nu01_operatorname_softmax.md",
    "nu03_for_all_i.md",
    "nu04_normalizer_S.md",
    "r2_fw01_row_continuation_true_chain_wrong.tex",
]
# Notation the issue lists, now read: these pass outright.
READ = ["fw02_inline_claim_after_inline_condition.md", "fw04_macro_sum_capture_true.md", "fw05_upright_e_and_d.md",
        "nu01_operatorname_softmax.md", "nu03_for_all_i.md", "nu04_normalizer_S.md",
        "r2_fw01_row_continuation_true_chain_wrong.tex"]  # fmt: skip
CRASHED = ["cr01_numbered_classes.md", "cr02_index_shift.md", "cr03_macro_nested_sum.md",
           "cr04_self_referential_definition.md"]  # fmt: skip


def check(name: str):
    return verify_file(name, (ROOT / name).read_bytes())


@pytest.mark.parametrize("name", FALSE)
def test_a_false_claim_never_passes(name):
    report = check(name)
    assert not report.ok, [(v.line, v.status) for v in report.verdicts]


@pytest.mark.parametrize("name", TRUE)
def test_a_true_link_is_never_called_wrong(name):
    report = check(name)
    assert [(v.line, v.written) for v in report.verdicts if v.status == "wrong"] == []


@pytest.mark.parametrize("name", READ)
def test_the_twin_these_true_derivations_pass(name):
    assert check(name).ok


@pytest.mark.parametrize("name", CRASHED)
def test_what_crashed_is_now_a_verdict(name):
    report = check(name)
    assert report.verdicts and not report.ok


def test_the_link_cap_is_not_a_pass():
    report = check("fp09_link_cap_exit0.md")
    assert not report.ok and report.verdicts[-1].status == "not-proved"


def test_less_or_equal_counterexamples_show_the_sides_as_written():
    (v,) = [v for v in check("ot01_le_counterexample_sides_swapped.md").verdicts if v.status == "wrong"]
    assert float(v.counterexample["lhs"]) > 0 and float(v.counterexample["rhs"]) == 0  # ∂L/∂z_i ≤ 0: lhs 0.52


def test_roles_do_not_depend_on_the_hash_seed():
    import os
    import subprocess
    import sys

    outs = {
        subprocess.run(
            [sys.executable, "-m", "xentderive", "verify", str(ROOT / "bi03_nondeterministic_roles.md")],
            capture_output=True,
            env=os.environ | {"PYTHONHASHSEED": seed},
            timeout=120,
        ).stdout
        for seed in ("1", "4")
    }
    assert len(outs) == 1


def test_a_notebook_whose_source_is_not_text_is_refused():
    with pytest.raises(InputError, match="not a Jupyter notebook"):
        check("bi02_notebook_source_not_string.ipynb")
