"""batch-mean: the mean over N samples with ignored ones, proved for every N and C.

At a number of classes or samples a batch step is verified only by the same step proved for
every N and C; these tests check that route, its refusals, and the numbers.
"""

from __future__ import annotations

import mpmath
import pytest
from click.testing import CliRunner
from mutants import mutated
from sympy import Float, Integer

from xentderive import derive
from xentderive.api import build, symbolic_twin
from xentderive.batch import BatchChecker
from xentderive.cli import main
from xentderive.model import Status
from xentderive.semantics import instantiate


@pytest.mark.parametrize(("classes", "samples"), [(None, None), (3, None), (None, "4"), (2, "3"), (40, "1000")])
def test_the_mean_over_kept_samples_is_proved_for_every_n_and_c_and_verified_at_numbers(classes, samples):
    d = derive(classes, loss="batch-mean", params={"N": samples} if samples else {})
    assert d.ok, [(s.key, s.status.value, s.method) for s in d.all_steps]
    if classes is not None or samples is not None:
        assert all("proved for every $N$ and $@C$" in s.method for s in d.all_steps)


@pytest.mark.parametrize(
    "wrong",
    [
        "kept_n*(p_i - y_i)/N",  # PyTorch's mean without ignore_index: divided by N
        "(p_i - y_i)/K",  # the keep flag of sample n forgotten: an ignored sample would get a gradient
        "kept_n*(p_i - y_i)",  # not divided at all (reduction="sum")
    ],
)
@pytest.mark.parametrize(("classes", "samples"), [(None, None), (3, "2")])
def test_a_wrong_reduction_fails_with_a_counterexample(wrong, classes, samples):
    d = derive(classes, loss="batch-mean", params={"N": samples} if samples else {}, target=wrong)
    assert d.claim.status is Status.FAILED and d.claim.counterexample is not None
    assert "kept" in d.claim.counterexample.others


def test_a_concrete_step_unlike_its_twin_is_not_taken_from_it():
    d = build(3, loss="batch-mean", params={"N": "2"})
    twin = symbolic_twin(d)
    assert twin.ctx.symbolic and twin.ctx.N.is_Symbol  # the twin leaves N symbolic too

    def lookup(key):
        return twin.ctx, next(s for s in twin.all_steps if s.key == key)

    checker = BatchChecker(d.ctx, d.labels, lookup)
    step = next(s for s in d.steps if s.key == "combine")
    assert checker.check(step).status is Status.VERIFIED
    assert checker.check(mutated(step)).status is Status.FAILED  # refuted at a point, not taken from the twin
    assert BatchChecker(d.ctx, d.labels, None).check(step).status is Status.UNPROVED  # no twin: never a pass


def _loss(f, y, kept):
    total = mpmath.mpf(0)
    for row, labels, flag in zip(f, y, kept, strict=True):
        top = [mpmath.exp(v) for v in row]
        total += flag * -mpmath.fsum(t * mpmath.log(e / mpmath.fsum(top)) for t, e in zip(labels, top, strict=True))
    return total / mpmath.fsum(kept)


def test_the_closed_form_agrees_with_mpmath_differences_with_all_ignored_but_one():
    d = derive(None, loss="batch-mean")
    rhs, ctx = d.claim.chains[0][1].expr, d.ctx
    f = [[mpmath.mpf(v) / 3 for v in row] for row in ((1, -2, 4), (0, 5, -1), (2, 2, -3))]
    y = [[mpmath.mpf(v) for v in row] for row in (("0", "1", "0"), ("0.5", "0.5", "0"), ("0", "0", "1"))]
    with mpmath.workdps(30):
        for kept in ([1, 0, 0], [0, 1, 0], [1, 1, 0], [1, 1, 1]):
            for n in range(3):
                for i in range(3):
                    h = mpmath.mpf("1e-12")
                    up = [list(r) for r in f]
                    down = [list(r) for r in f]
                    up[n][i] += h
                    down[n][i] -= h
                    measured = (_loss(up, y, kept) - _loss(down, y, kept)) / (2 * h)
                    at = instantiate(rhs, {ctx.n: Integer(n), ctx.i: Integer(i)})
                    at = at.xreplace({ctx.N: Integer(3), ctx.C: Integer(3)}).doit()
                    top = [mpmath.exp(v) for v in f[n]]
                    values = {ctx.p[n, k]: Float(str(top[k] / mpmath.fsum(top)), 40) for k in range(3)}
                    values |= {ctx.y[n, k]: Float(str(y[n][k]), 40) for k in range(3)}
                    values |= {ctx.kept[m]: Integer(kept[m]) for m in range(3)}
                    claimed = mpmath.mpf(str(at.xreplace(values).evalf(35)))
                    assert abs(claimed - measured) < mpmath.mpf("1e-15"), (kept, n, i)
                    if not kept[n]:
                        assert claimed == 0  # an ignored sample gets no gradient


@pytest.mark.parametrize(("value", "message"), [("2.5", "out of range"), ("0", "out of range"), ("x", "not a number")])
def test_the_number_of_samples_is_a_whole_number(value, message):
    out = CliRunner().invoke(main, ["derive", "--loss", "batch-mean", "--param", f"N={value}"])
    assert out.exit_code == 2 and message in out.output and len(out.output.strip().splitlines()) == 1


def test_the_json_of_a_batch_has_no_flat_gradient_and_check_skips_the_one_sample_witness():
    import json

    out = CliRunner().invoke(main, ["derive", "--loss", "batch-mean", "-C", "3", "-f", "json"])
    assert out.exit_code == 0 and "gradient" not in json.loads(out.stdout)
    report = CliRunner().invoke(main, ["check", "--loss", "batch-mean", "-C", "3", "-f", "json", "-j", "1"])
    case = json.loads(report.stdout)["cases"][0]
    assert case["status"] == "passed" and [w["status"] for w in case["witnesses"]] == ["passed", "skipped"]
