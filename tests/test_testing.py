"""xentderive.testing: implementations checked against the exact, proved closed form.

The implementations live in tests/impls.py: correct ones must pass at float64 and float32,
and each planted bug must be caught with a worst input that shows it.
"""

from __future__ import annotations

import json
import warnings

import impls
import numpy as np
import pytest
from click.testing import CliRunner

from xentderive.cli import main
from xentderive.errors import InputError
from xentderive.testing import assert_gradient, check_gradient

SMALL = (2, 3, 10, 200)
WEIGHTS = [0.5, 2.0, 1.0]


def _quiet(fn):
    def call(logits, targets):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # overflow warnings of the planted bugs
            return fn(logits, targets)

    return call


CORRECT = [
    ("softmax-ce", impls.softmax_ce, {}, {}),
    ("label-smoothing", impls.smoothing, {"eps": impls.EPS}, {}),
    ("weighted-ce", impls.weighted(WEIGHTS), {"w": WEIGHTS}, {"classes": (3,)}),
    ("z-loss", impls.z_loss, {"z": impls.Z}, {}),
    ("softmax-ce", impls.mean_ignore, {}, {"targets": "index", "reduction": "mean"}),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(("loss", "fn", "params", "more"), CORRECT, ids=[c[0] + str(n) for n, c in enumerate(CORRECT)])
def test_a_careful_implementation_passes(loss, fn, params, more, dtype):
    options = {"classes": SMALL} | more
    report = assert_gradient(fn, loss=loss, params=params, dtype=dtype, **options)
    assert report.passed and report.components > 0 and report.worst.ulps < 16


@pytest.mark.parametrize(
    ("loss", "fn", "params", "more", "shows"),
    [
        ("label-smoothing", impls.smoothing_wrong_mass, {"eps": impls.EPS}, {}, None),
        ("label-smoothing", impls.smoothing_plus_one_over_c, {"eps": impls.EPS}, {}, None),
        ("softmax-ce", impls.no_max_subtraction, {}, {}, ("large", "huge")),
        ("softmax-ce", impls.mean_over_n, {}, {"targets": "index", "reduction": "mean"}, None),
        ("z-loss", impls.z_loss_missing_two, {"z": impls.Z}, {}, None),
    ],
    ids=["smoothing-mass", "plus-1/C", "no-max-subtraction", "mean-over-N", "z-loss-factor-2"],
)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_a_planted_bug_is_caught_with_its_worst_input(loss, fn, params, more, shows, dtype):
    report = check_gradient(_quiet(fn), loss=loss, params=params, dtype=dtype, classes=SMALL, **more)
    assert not report.passed and report.failures > 0
    if shows:
        assert report.worst.family in shows  # overflow: found on the large logits
    with pytest.raises(AssertionError) as err:
        assert_gradient(_quiet(fn), loss=loss, params=params, dtype=dtype, classes=SMALL, **more)
    text = str(err.value)
    assert "Reproduce:" in text and "np.array(" in text and "exact:" in text


def test_the_reproducer_runs_and_shows_the_bug():
    report = check_gradient(impls.smoothing_plus_one_over_c, loss="label-smoothing", params={"eps": 0.1}, classes=(3,))
    space = {"smoothing_plus_one_over_c": impls.smoothing_plus_one_over_c}
    code = report.reproducer("smoothing_plus_one_over_c").replace("print(", "result = (")
    exec(code, space)  # the test's own generated code
    got, _, want = space["result"]
    assert abs(float(got) - float(want)) > 1e-3


def test_a_naive_float32_sum_fails_where_pairwise_summation_does_not():
    """At 10^5 classes a sum accumulated one term at a time in float32 drifts past the tolerance;
    NumPy's pairwise sum stays within a couple of ULPs."""
    good = check_gradient(impls.softmax_ce, dtype="float32", classes=(100_000,), samples=1)
    bad = check_gradient(impls.naive_sum, dtype="float32", classes=(100_000,), samples=1)
    assert good.passed and good.worst.ulps < 4
    assert not bad.passed and bad.worst.ulps > 100


def test_bfloat16_inputs_are_bfloat16_values():
    seen = []

    def spy(logits, targets):
        seen.append(logits.copy())
        return impls.softmax_ce(logits, targets)

    report = check_gradient(spy, dtype="bfloat16", classes=(3,))
    assert report.passed
    bits = seen[0].view(np.uint32)
    assert seen[0].dtype == np.float32 and not (bits & 0xFFFF).any()  # the low half of every mantissa is zero


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"loss": "softmax-jacobian"}, "matrix"),
        ({"loss": "label-smoothing"}, "give a value for eps"),
        ({"loss": "weighted-ce"}, "one weight per class"),
        ({"dtype": "float16"}, "dtype must be"),
        ({"classes": (0,)}, "classes must be"),
        ({"reduction": "max"}, "reduction must be"),
        ({"loss": "batch-mean"}, "reduction"),
    ],
)
def test_bad_options_are_input_errors(options, message):
    with pytest.raises(InputError, match=message):
        check_gradient(impls.softmax_ce, **options)


@pytest.mark.parametrize(
    ("fn", "says"),
    [
        (lambda logits, targets: logits[:, :1], "shape (6, 1)"),
        (lambda logits, targets: 1 / 0, "raised ZeroDivisionError"),
        (lambda logits, targets: [[0.0]], "returned list"),
        (lambda logits, targets: impls.softmax_ce(logits, targets).astype("float32"), "returned float32"),
    ],
    ids=["shape", "raises", "list", "dtype"],
)
def test_a_function_that_misbehaves_is_a_failure_with_its_input(fn, says):
    report = check_gradient(fn, classes=(3,))
    assert not report.passed and says in report.summary()
    assert "np.array(" in report.reproducer()
    with pytest.raises(AssertionError) as out:
        assert_gradient(fn, classes=(3,))
    assert says in str(out.value)


def _cli(*args, cwd):
    """check-impl run from `cwd`, with tests/impls.py copied there (a module of the current directory)."""
    import contextlib
    import shutil

    shutil.copy(impls.__file__, cwd / "impls.py")
    with contextlib.chdir(cwd):
        return CliRunner().invoke(main, ["check-impl", *args])


def test_cli_check_impl_exit_codes_and_json(tmp_path):
    good = _cli("impls:softmax_ce", "-C", "3,10", "-f", "json", cwd=tmp_path)
    assert good.exit_code == 0, good.output
    doc = json.loads(good.stdout)
    assert [c["classes"] for c in doc["cases"]] == [3, 10] and doc["exit_code"] == 0
    bad = _cli("impls:mean_over_n", "--targets", "index", "--reduction", "mean", "-C", "5", cwd=tmp_path)
    assert bad.exit_code == 1 and "Reproduce" not in bad.output and "np.array(" in bad.output
    junit = _cli(
        "impls:z_loss_missing_two", "--loss", "z-loss", "--param", "z=0.0001", "-C", "3", "-f", "junit", cwd=tmp_path
    )
    assert junit.exit_code == 1 and "<failure" in junit.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["impls:nope"], "has no function nope"),
        (["nomodule:fn"], "cannot import nomodule"),
        (["impls"], "expected MODULE:FUNCTION"),
        (["impls:softmax_ce", "-C", "C"], "not at C"),
        (["impls:softmax_ce", "--loss", "label-smoothing"], "give a value for eps"),
    ],
)
def test_cli_check_impl_bad_input_is_one_line(tmp_path, args, message):
    out = _cli(*args, cwd=tmp_path)
    assert out.exit_code == 2 and message in out.output and len(out.output.strip().splitlines()) == 1, out.output


def test_the_impl_table_of_the_configuration(tmp_path):
    import contextlib
    import shutil

    shutil.copy(impls.__file__, tmp_path / "impls.py")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.xentderive.impl]\nfunction = "impls:smoothing"\nloss = "label-smoothing"\n'
        'params = { eps = 0.1 }\ndtype = "float32"\nclasses = [3, 10]\n'
    )
    with contextlib.chdir(tmp_path):
        out = CliRunner().invoke(main, ["check-impl", "-f", "json"])
        assert out.exit_code == 0, out.output
        with open("pyproject.toml", "a") as fh:
            fh.write("colour = 1\n")
        bad = CliRunner().invoke(main, ["check-impl"])
        assert bad.exit_code == 2 and "tool.xentderive.impl.colour" in bad.output


def test_a_loss_of_ones_own_is_a_reference_too():
    def entropy_bonus(logits, targets):  # -Σ y log p + β Σ p log p, β = 0.5
        z = logits - logits.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))  # log(p) itself is -inf where p underflows
        p = np.exp(logp)
        inner = (p * logp).sum(axis=1, keepdims=True)
        return p - targets + 0.5 * p * (logp - inner)

    loss = "sum_j(-y_j*log(p_j)) + beta*sum_j(p_j*log(p_j))"
    assert check_gradient(entropy_bonus, loss_expr=loss, params={"beta": "1/2"}, classes=(3, 10)).passed
    assert not check_gradient(entropy_bonus, loss_expr=loss, params={"beta": "1/4"}, classes=(3,)).passed


class _FakeTensor:
    """Just enough of torch.Tensor for the conversion around fn (torch itself is not a dependency)."""

    def __init__(self, array):
        self.array = array

    def to(self, kind):
        return _FakeTensor(self.array.astype(kind))

    def detach(self):
        return self

    def cpu(self):
        return self

    def numpy(self):
        return self.array


def test_framework_torch_converts_tensors_in_and_out(monkeypatch):
    import sys
    import types

    fake = types.SimpleNamespace(float64=np.float64, float32=np.float32, bfloat16=np.float32, from_numpy=_FakeTensor)
    monkeypatch.setitem(sys.modules, "torch", fake)
    seen = []

    def fn(logits, targets):
        seen.append(type(logits))
        return _FakeTensor(impls.softmax_ce(logits.array, targets.array))

    assert check_gradient(fn, framework="torch", classes=(3,)).passed and seen[0] is _FakeTensor


def test_a_parameter_fn_takes_by_name_is_tried_at_its_range_ends():
    """label-smoothing's eps left unset: fn(logits, targets, eps=...) at 0, 1 and 1/2; a bug at eps = 1 only."""

    def smoothed(logits, targets, eps):
        y = impls._onehot(targets, logits)
        return impls._softmax(logits) - ((1 - eps) * y + eps / logits.shape[1])

    def wrong_at_one(logits, targets, eps):
        return smoothed(logits, targets, eps) * (0.5 if eps == 1 else 1)

    assert check_gradient(smoothed, loss="label-smoothing", classes=(3, 10)).passed
    report = check_gradient(wrong_at_one, loss="label-smoothing", classes=(3,))
    assert not report.passed and report.worst.keywords == {"eps": 1.0}
    assert "wrong_at_one(logits, targets, eps=1.0)" in report.reproducer("wrong_at_one")


def test_a_function_that_changes_its_inputs_in_place_is_judged_on_the_inputs_it_was_given():
    def cheat(logits, targets):  # rewrites the inputs so that a zero gradient would look right
        logits[:] = 0
        targets[:] = 1 / logits.shape[1]
        return np.zeros_like(logits)

    def in_place(logits, targets):  # a correct gradient written into the logits' own buffer (Liger's way)
        z = logits - logits.max(axis=1, keepdims=True)
        np.exp(z, out=logits)
        logits /= logits.sum(axis=1, keepdims=True)
        logits -= targets
        return logits

    assert not check_gradient(cheat, classes=(3,)).passed
    assert check_gradient(in_place, classes=(3, 10)).passed


def test_sigmoid_bce_labels_are_multi_label():
    def ignores_labels(logits, targets):
        return 1 / (1 + np.exp(-logits)) - 1

    def right(logits, targets):
        return 1 / (1 + np.exp(-logits)) - targets

    assert not check_gradient(_quiet(ignores_labels), loss="sigmoid-bce", classes=(1, 3)).passed
    assert check_gradient(_quiet(right), loss="sigmoid-bce", classes=(1, 3)).passed


def test_focal_runs_and_a_log_sum_exp_implementation_passes_at_huge_logits():
    def ce_lse(logits, targets):  # p = exp(f - lse), as fused kernels compute it
        m = logits.max(axis=1, keepdims=True)
        lse = m + np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
        return np.exp(logits - lse) - targets

    assert check_gradient(ce_lse, classes=(3, 10)).passed
    assert check_gradient(ce_lse, dtype="float32", classes=(3, 10)).passed

    def focal(logits, targets, gamma):
        p = impls._softmax(logits)
        g = targets * (1 - p) ** (gamma - 1) * (1 - p - gamma * p * np.log(np.maximum(p, 1e-300)))
        return p * g.sum(axis=1, keepdims=True) - g

    report = check_gradient(_quiet(focal), loss="focal", params={"gamma": "2"}, classes=(2, 3))
    assert report.components > 0  # no crash where p = 1 to 30 digits: such rows are skipped and said so


def test_what_fn_prints_does_not_corrupt_a_json_report(tmp_path):
    (tmp_path / "loud.py").write_text(
        "import numpy as np\n"
        "def fn(logits, targets):\n"
        "    print('debugging', logits.shape)\n"
        "    z = logits - logits.max(axis=1, keepdims=True)\n"
        "    e = np.exp(z)\n"
        "    return e / e.sum(axis=1, keepdims=True) - targets\n"
    )
    out = CliRunner().invoke(main, ["check-impl", f"{tmp_path / 'loud.py'}:fn", "-C", "3", "-f", "json"])
    assert out.exit_code == 0 and json.loads(out.stdout)["exit_code"] == 0


def test_a_module_that_raises_on_import_and_class_weights_on_the_command_line(tmp_path):
    (tmp_path / "broken.py").write_text("raise RuntimeError('no GPU')\n")
    out = CliRunner().invoke(main, ["check-impl", f"{tmp_path / 'broken.py'}:fn"])
    assert out.exit_code == 2 and "RuntimeError: no GPU" in out.output
    (tmp_path / "wce.py").write_text(
        "import numpy as np\n"
        "def fn(logits, targets):\n"
        "    w = np.array([0.5, 2.0, 1.0], dtype=logits.dtype)\n"
        "    z = logits - logits.max(axis=1, keepdims=True)\n"
        "    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)\n"
        "    return p * (targets * w).sum(axis=1, keepdims=True) - w * targets\n"
    )
    good = CliRunner().invoke(
        main, ["check-impl", f"{tmp_path / 'wce.py'}:fn", "--loss", "weighted-ce", "--param", "w=0.5,2,1", "-C", "3"]
    )
    assert good.exit_code == 0, good.output


def test_a_real_pytorch_function_where_pytorch_is_present():
    import os

    if os.environ.get("XENTDERIVE_CI_TORCH") == "1":
        import torch  # .ci/run installed PyTorch's CPU wheels: in CI this test runs, it never skips
    else:
        torch = pytest.importorskip("torch")  # not installed by the test command: see README

    def backward(logits, targets):
        return torch.softmax(logits, dim=1) - targets

    def shifted(logits, targets):  # the twin: the targets of the wrong class
        return torch.softmax(logits, dim=1) - targets.roll(1, dims=1)

    assert check_gradient(backward, framework="torch", classes=(3, 10)).passed
    assert not check_gradient(shifted, framework="torch", classes=(3,)).passed


# --- the fast reference (gmpy2) against mpmath at 60 digits ---------------------------------------


def _rows_to_check():
    """Rows where an arithmetic could go wrong: ordinary logits, ±1e4 (probabilities as small as e^-20000),
    one dominant logit (tiny probabilities beside one near 1), equal logits; one-hot, soft and zero labels."""
    import random

    rng = random.Random(17)
    rows = []
    for size in (2, 7, 40):
        random_f = [rng.gauss(0, 3) for _ in range(size)]
        huge_f = [rng.choice((-1, 1)) * 1e4 + rng.gauss(0, 1) for _ in range(size)]
        dominant = [rng.gauss(0, 1) - (0 if k else -60) for k in range(size)]
        equal = [rng.gauss(0, 5)] * size
        hot = [1.0 if k == size // 2 else 0.0 for k in range(size)]
        raw = [rng.random() ** 3 for _ in range(size)]
        soft = [v / sum(raw) for v in raw]
        for f in (random_f, huge_f, dominant, equal):
            rows += [(f, hot), (f, soft)]
    rows.append(([0.0, 1e4, -1e4], [0.0, 0.0, 1.0]))  # p = e^-20000 for the labelled class
    return rows


def _at_60_digits(reference, f, y, values):
    """The same closed form in mpmath at 60 digits (its constants at 40 digits, far beyond 30)."""
    from mpmath import mp, mpf
    from sympy import Rational

    from xentderive.testing import MPMATH

    prob, grad = reference._compiled(len(f))
    prob.compiled(MPMATH), grad.compiled(MPMATH)
    with mp.workdps(60):
        scalars = [mpf(Rational(values[str(s)]).p) / Rational(values[str(s)]).q for s in reference.symbols]
        lists = [[mpf(v) for v in f], [mpf(v) for v in y]]
        p = prob.values(MPMATH, lists, scalars)
        return p, grad.values(MPMATH, [*lists, p], scalars)


def _disagreement(fast_p, fast_g, exact_p, exact_g, y) -> float:
    """The largest error of the fast values: each probability relative to itself (a tiny one too), each
    gradient component relative to the row's scale (its largest component, probability or label), as
    check_gradient measures it."""
    from mpmath import mp, mpf

    with mp.workdps(60):
        fast_p = [mpf(str(v)) if not isinstance(v, mpf) else v for v in fast_p]
        fast_g = [mpf(str(v)) if not isinstance(v, mpf) else v for v in fast_g]
        scale = max(max(abs(v) for v in exact_g), max(exact_p), max(abs(mpf(v)) for v in y))
        worst_p = max(abs(a - b) / b for a, b in zip(fast_p, exact_p, strict=True))
        worst_g = max(abs(a - b) for a, b in zip(fast_g, exact_g, strict=True)) / scale
        return float(max(worst_p, worst_g))


AGREEMENT = 1e-27  # 30 digits leave ~1e-30; one ULP of float64 is 2.2e-16 of the scale


def _fast(reference, f, y, values):
    from xentderive.testing import BACKENDS

    gmpy2_backend = next(b for b in BACKENDS if b.name == "gmpy2")
    p, g, used = reference.row(f, y, [], values, backends=(gmpy2_backend,))
    assert used is gmpy2_backend
    return p, g


FAST_LOSSES = [("softmax-ce", {}), ("label-smoothing", {"eps": "1/10"}), ("focal", {"gamma": "2"})]


@pytest.mark.parametrize(("loss", "values"), FAST_LOSSES, ids=[c[0] for c in FAST_LOSSES])
def test_the_gmpy2_reference_agrees_with_mpmath_at_60_digits(loss, values):
    pytest.importorskip("gmpy2")
    from mpmath import exp, mp, mpf

    from xentderive.testing import _reference

    reference = _reference(loss, tuple(sorted(values.items())), None, None)
    for f, y in _rows_to_check():
        fast_p, fast_g = _fast(reference, f, y, {})
        exact_p, exact_g = _at_60_digits(reference, f, y, {})
        assert _disagreement(fast_p, fast_g, exact_p, exact_g, y) <= AGREEMENT, (loss, f, y)
        if loss == "softmax-ce":  # and the definition itself, written out: p = e^f / Σ e^f, dL/df = p Σy - y
            with mp.workdps(60):
                total = sum(exp(mpf(v)) for v in f)
                p = [exp(mpf(v)) / total for v in f]
                g = [pk * sum(map(mpf, y)) - yk for pk, yk in zip(p, y, strict=True)]
            assert _disagreement(fast_p, fast_g, p, g, y) <= AGREEMENT


@pytest.mark.parametrize("where", ["gradient", "tiny probability"])
def test_a_reference_one_float64_ulp_off_is_detected(where):
    """The twin: the agreement above is tight enough to see one ULP of float64 in one component."""
    pytest.importorskip("gmpy2")
    from mpmath import mp, mpf

    from xentderive.testing import _reference

    reference = _reference("softmax-ce", (), None, None)
    f, y = [0.0, 1e4, -1e4, 3.0], [0.0, 0.0, 1.0, 0.0]  # p_2 = e^-20000, p_0 = e^-10000
    fast_p, fast_g = _fast(reference, f, y, {})
    exact_p, exact_g = _at_60_digits(reference, f, y, {})
    assert _disagreement(fast_p, fast_g, exact_p, exact_g, y) <= AGREEMENT
    with mp.workdps(60):
        fast_p, fast_g = [mpf(str(v)) for v in fast_p], [mpf(str(v)) for v in fast_g]
        if where == "gradient":  # one ULP of float64 at the row's scale (1), on the smallest component
            fast_g[0] += mpf(2) ** -52
        else:  # one ULP of float64 relative to p_2 itself
            fast_p[2] *= 1 + mpf(2) ** -52
    assert _disagreement(fast_p, fast_g, exact_p, exact_g, y) > 1e-17


def test_a_row_gmpy2_cannot_hold_is_evaluated_in_mpmath():
    """e^-1e10 underflows MPFR's exponent range: trapped, and the row is evaluated in mpmath instead."""
    pytest.importorskip("gmpy2")
    from mpmath import mpf

    from xentderive.testing import MPMATH, _reference

    reference = _reference("softmax-ce", (), None, None)
    f, y = [0.0, -1e10, 3.0], [1.0, 0.0, 0.0]
    p, g, used = reference.row(f, y, [], {})
    assert used is MPMATH and 0 < p[1] < mpf("1e-4000000000")
    assert abs(float(g[0]) - (float(p[0]) - 1)) < 1e-15


def test_without_gmpy2_the_mpmath_reference_gives_the_same_report(monkeypatch):
    pytest.importorskip("gmpy2")
    from xentderive import testing

    options = {"classes": (2, 10, 50), "params": {"eps": impls.EPS}, "loss": "label-smoothing"}
    fast = [check_gradient(fn, **options) for fn in (impls.smoothing, _quiet(impls.smoothing_wrong_mass))]
    monkeypatch.setattr(testing, "BACKENDS", (testing.MPMATH,))
    slow = [check_gradient(fn, **options) for fn in (impls.smoothing, _quiet(impls.smoothing_wrong_mass))]
    for a, b in zip(fast, slow, strict=True):
        assert (a.passed, a.components, a.failures, a.skipped) == (b.passed, b.components, b.failures, b.skipped)
        assert (a.worst.row, a.worst.column, a.worst.want) == (b.worst.row, b.worst.column, b.worst.want)
        assert a.worst.ulps == pytest.approx(b.worst.ulps, rel=1e-9)
    assert fast[0].passed and not fast[1].passed
