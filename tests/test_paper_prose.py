"""The prose around the mathematics: assumption lists that follow the steps, text that is never
cut off, Chinese punctuation and headings, and no command-line wording in a paper."""

from __future__ import annotations

from dataclasses import replace

import pytest

from xentderive.api import LABEL_SUM_STATED, LOG_STATED, build, uses_log
from xentderive.derivations import known
from xentderive.model import Status
from xentderive.semantics import ASSUME_LABEL_SUM, ASSUME_LABELS_NONNEGATIVE
from xentderive.verify import checker_for

CUSTOM = {"loss_expr": "sum_j(-y_j*log(p_j)) + beta*sum_j(p_j*log(p_j))", "param_ranges": {"beta": "0..1"}}


def drift(d) -> list[str]:
    """What the stated list gets wrong about the assumptions the steps carry (empty: nothing)."""
    used = {a for s in d.all_steps for a in s.assumptions}
    stated = " ".join(d.assumptions)
    out = []
    if ASSUME_LABEL_SUM in used and "Σ_j @y_j = 1" not in stated:
        out.append("a step uses Σ_j y_j = 1, not stated")
    if ASSUME_LABELS_NONNEGATIVE in used and "@y_j ≥ 0" not in stated:
        out.append("a step uses y_j ≥ 0, not stated")
    if "Σ_j @y_j = 1" in stated and ASSUME_LABEL_SUM not in used:
        out.append("Σ_j y_j = 1 stated, never used")
    if "@y_j ≥ 0" in stated and not used & {ASSUME_LABEL_SUM, ASSUME_LABELS_NONNEGATIVE}:
        out.append("y_j ≥ 0 stated, never used")
    if (LOG_STATED in d.assumptions) != uses_log(d.all_steps):
        out.append("the natural log stated where no log appears, or the other way round")
    return out


CASES = [(loss, labels, {}) for loss in known() for labels in ("onehot", "soft")]
CASES += [("custom", labels, CUSTOM) for labels in ("onehot", "soft")]


@pytest.mark.parametrize(("loss", "labels", "extra"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_stated_assumptions_are_the_used_ones(loss, labels, extra):
    d = build(None, labels=labels, **({"loss": loss} if not extra else extra))
    assert drift(d) == []


@pytest.mark.parametrize(("loss", "labels", "extra"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_every_carried_label_assumption_is_needed(loss, labels, extra):
    """A step carries Σ_j y_j = 1 (or y_j ≥ 0 with soft labels) only if some step fails without it."""
    d = build(None, labels=labels, **({"loss": loss} if not extra else extra))
    checker = checker_for(d.ctx, d.labels)
    wanted = [ASSUME_LABEL_SUM] if labels == "onehot" else [ASSUME_LABELS_NONNEGATIVE]
    for a in wanted:
        carrying = [s for s in d.all_steps if a in s.assumptions]
        if not carrying:
            continue
        without = (replace(s, assumptions=tuple(x for x in s.assumptions if x != a)) for s in carrying)
        assert any(not checker.check(s).status.passed for s in without), f"{a} carried by {loss} but never needed"


def test_drift_is_seen():
    """The twin: dropping the label sum from ce-hessian's list, or adding it to sigmoid-bce's, is drift."""
    hessian = build(None, loss="ce-hessian")
    assert LABEL_SUM_STATED in hessian.assumptions  # step 4 uses Σ_k y_k = 1
    assert drift(replace(hessian, assumptions=[a for a in hessian.assumptions if a != LABEL_SUM_STATED]))
    assert LOG_STATED in hessian.assumptions  # its step 2 is the loss, with a log
    bce = build(None, loss="sigmoid-bce")
    assert not any("Σ_j" in a for a in bce.assumptions)
    assert drift(replace(bce, assumptions=[*bce.assumptions, LABEL_SUM_STATED]))
    jacobian = build(None, loss="softmax-jacobian")
    assert drift(replace(jacobian, assumptions=[LOG_STATED, *jacobian.assumptions]))


def test_a_claim_of_the_user_keeps_the_label_sum():
    """--labels onehot grants Σ_j y_j = 1 to a claim of the user's, and then says so."""
    d = build(None, loss="sigmoid-bce", target="p_i - y_i")
    assert ASSUME_LABEL_SUM in d.claim.assumptions
    assert LABEL_SUM_STATED in d.assumptions
    assert Status.PENDING is d.claim.status
