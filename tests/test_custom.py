"""Losses of your own (--loss-expr): proved by the engine, refuted when wrong, and checked against numbers.

Every reference below is written again in plain mpmath, independently of the package, and the
derived closed forms are compared with its central differences at 30 digits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import mpmath
import pytest
from click.testing import CliRunner
from mutants import assert_every_line_caught
from sympy import Float, Integer, Rational, Symbol
from sympy.parsing.sympy_parser import parse_expr

from xentderive import derive
from xentderive.api import build
from xentderive.cli import main
from xentderive.context import Context
from xentderive.derivations import REGISTRY
from xentderive.errors import InputError
from xentderive.model import Status
from xentderive.semantics import instantiate
from xentderive.verify import checker_for


def _softmax(f, u=lambda v, k: v):
    top = [mpmath.exp(u(v, None)) for v in f]
    total = mpmath.fsum(top)
    return [t / total for t in top]


def _ce(p, y):
    return -mpmath.fsum(yj * mpmath.log(pj) for pj, yj in zip(p, y, strict=True))


@dataclass(frozen=True)
class Own:
    """A loss of one's own: its text, an independent reference, a claim it must pass and one it must fail."""

    name: str
    loss: str
    reference: object  # (f, y, params) -> L, in mpmath
    wrong: str
    logits: str | None = None
    ranges: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    target: str | None = None  # a closed form known independently (e.g. the catalogue's)
    least: int = 1
    sample: dict = field(default_factory=dict)  # values of the symbolic parameters for the numbers


def _smoothing_target() -> str:
    return REGISTRY["label-smoothing"].default_target(Context(None), "onehot")


def _focal_target() -> str:
    return REGISTRY["focal"].default_target(Context(None), "onehot")


OWN = [
    Own(
        "squared-error",
        "sum_j((p_j - y_j)^2)",
        lambda f, y, k: mpmath.fsum((pj - yj) ** 2 for pj, yj in zip(_softmax(f), y, strict=True)),
        "2*(p_i - y_i)",  # the softmax coupling forgotten
    ),
    Own(
        "entropy-bonus",
        "sum_j(-y_j*log(p_j)) + beta*sum_j(p_j*log(p_j))",
        lambda f, y, k: _ce(_softmax(f), y) + k["beta"] * mpmath.fsum(p * mpmath.log(p) for p in _softmax(f)),
        "p_i - y_i + beta*p_i*log(p_i)",
        ranges={"beta": "0..1"},
        sample={"beta": "0.3"},
    ),
    Own(
        "kl-to-uniform",
        "sum_j(p_j*log(C*p_j))",
        lambda f, y, k: mpmath.fsum(p * mpmath.log(len(f) * p) for p in _softmax(f)),
        "p_i*log(C*p_i)",
    ),
    Own(
        "focal-by-hand",
        "sum_j(-y_j*(1 - p_j)^gamma*log(p_j))",
        lambda f, y, k: (
            -mpmath.fsum(yj * (1 - pj) ** k["gamma"] * mpmath.log(pj) for pj, yj in zip(_softmax(f), y, strict=True))
        ),
        "p_i - y_i",
        ranges={"gamma": "0..10"},
        target=_focal_target(),
        least=2,
        sample={"gamma": "2.5"},
    ),
    Own(
        "smoothing-by-hand",
        "sum_j(-((1 - eps)*y_j + eps/C)*log(p_j))",
        lambda f, y, k: _ce(_softmax(f), [(1 - k["eps"]) * yj + k["eps"] / len(f) for yj in y]),
        "p_i - ((1 - eps)*y_i + 1/C)",  # + 1/C instead of + eps/C
        ranges={"eps": "0..1"},
        target=_smoothing_target(),
        sample={"eps": "0.1"},
    ),
    Own(
        "temperature-by-hand",
        "sum_j(-y_j*log(p_j))",
        lambda f, y, k: _ce(_softmax([v / k["T"] for v in f]), y),
        "p_i - y_i",
        logits="f_j/T",
        ranges={"T": "(0.."},
        target="(p_i - y_i)/T",
        sample={"T": "1.5"},
    ),
    Own(
        "softcap-by-hand",
        "sum_j(-y_j*log(p_j))",
        lambda f, y, k: _ce(_softmax([k["c"] * mpmath.tanh(v / k["c"]) for v in f]), y),
        "(p_i - y_i)*(1 - tanh(f_i/c))",
        logits="c*tanh(f_j/c)",
        ranges={"c": "(0..100]"},
        target="(p_i - y_i)*(1 - tanh(f_i/c)^2)",
        sample={"c": "2"},
    ),
    Own(
        "z-loss-by-hand",
        "sum_j(-y_j*log(p_j)) + z*log(sum_j(exp(f_j)))^2",
        lambda f, y, k: _ce(_softmax(f), y) + k["z"] * mpmath.log(mpmath.fsum(mpmath.exp(v) for v in f)) ** 2,
        "p_i - y_i + z*log(sum_j(exp(f_j)))*p_i",  # the factor 2 missing
        ranges={"z": "0.."},
        target="p_i - y_i + 2*z*log(sum_j(exp(f_j)))*p_i",
        sample={"z": "0.25"},
    ),
    Own(
        "logit-penalty",
        "sum_j(-y_j*log(p_j)) + lam*sum_j(f_j^2)",
        lambda f, y, k: _ce(_softmax(f), y) + k["lam"] * mpmath.fsum(v**2 for v in f),
        "p_i - y_i + lam*f_i",
        ranges={"lam": "0..1"},
        target="p_i - y_i + 2*lam*f_i",
        sample={"lam": "0.5"},
    ),
    Own(
        "scaled-and-shifted",
        "2*sum_j(-y_j*log(p_j)) + 3",
        lambda f, y, k: 2 * _ce(_softmax(f), y) + 3,
        "p_i - y_i",
        target="2*(p_i - y_i)",
    ),
    Own(
        "poly1-by-hand",
        "sum_j(-y_j*log(p_j)) + eps*sum_j(y_j*(1 - p_j))",
        lambda f, y, k: (
            _ce(_softmax(f), y) + k["eps"] * mpmath.fsum(yj * (1 - pj) for pj, yj in zip(_softmax(f), y, strict=True))
        ),
        "p_i - y_i - eps*p_i*y_i",
        values={"eps": "2"},
        target=REGISTRY["poly1"].default_target(Context(None), "onehot"),
        sample={"eps": "2"},
    ),
]
IDS = [own.name for own in OWN]


def _derive(own: Own, classes, target=None, **more):
    return derive(
        classes,
        loss_expr=own.loss,
        logits_expr=own.logits,
        params=dict(own.values),
        param_ranges=dict(own.ranges),
        min_classes=own.least,
        target=target,
        **more,
    )


@pytest.mark.parametrize("own", OWN, ids=IDS)
def test_a_loss_of_ones_own_is_proved_for_every_c_and_a_wrong_closed_form_fails(own):
    d = _derive(own, None)
    assert d.ok, [(s.key, s.status.value, s.method) for s in d.all_steps if not s.status.passed]
    if own.target is not None:  # the engine's derivation agrees with the closed form known independently
        assert _derive(own, None, own.target).ok
    for classes in (None, 3):
        wrong = _derive(own, classes, own.wrong)
        assert wrong.claim.status is Status.FAILED and wrong.claim.counterexample is not None, classes


@pytest.mark.parametrize("own", OWN, ids=IDS)
def test_every_derived_closed_form_agrees_with_mpmath_differences_of_the_reference(own):
    """The symbolic closed form, at several C, against central differences of the plain definition."""
    d = build(None, **_given(own))
    rhs = d.claim.chains[0][1].expr
    ctx = d.ctx
    params = {Symbol(name, **_assumptions(d, name)): Float(v, 40) for name, v in own.sample.items()}
    with mpmath.workdps(30):
        for classes in sorted({max(own.least, 1), 2, 3, 5}):
            f = [mpmath.mpf(v) / 7 for v in (-9, 4, 11, -2, 6)[:classes]]
            y = [mpmath.mpf(v) / 10 for v in (6, 3, 1, 0, 0)[:classes]]
            y = [v / mpmath.fsum(y) for v in y]
            k = {name: mpmath.mpf(v) for name, v in own.sample.items()}
            p = _softmax([_transformed(own, v, k) for v in f])
            for i in range(classes):
                h = mpmath.mpf("1e-12")
                up, down = list(f), list(f)
                up[i] += h
                down[i] -= h
                measured = (own.reference(up, y, k) - own.reference(down, y, k)) / (2 * h)
                at = instantiate(rhs, {ctx.i: Integer(i)}).xreplace({ctx.C: Integer(classes)}).doit()
                values = {ctx.p[m]: Float(str(p[m]), 40) for m in range(classes)}
                values |= {ctx.y[m]: Float(str(y[m]), 40) for m in range(classes)}
                values |= {ctx.f[m]: Float(str(f[m]), 40) for m in range(classes)}
                claimed = mpmath.mpf(str(at.xreplace(values).xreplace(params).evalf(35)))
                assert abs(claimed - measured) < mpmath.mpf("1e-15"), (own.name, classes, i, claimed, measured)


def _given(own: Own) -> dict:
    return {
        "loss_expr": own.loss,
        "logits_expr": own.logits,
        "params": dict(own.values),
        "param_ranges": dict(own.ranges),
        "min_classes": own.least,
    }


def _assumptions(d, name: str) -> dict:
    symbol = d.ctx.params[name]
    return {"positive": True} if getattr(symbol, "is_positive", False) and symbol.is_Symbol else {"real": True}


def _transformed(own: Own, v, k):
    if own.logits == "f_j/T":
        return v / k["T"]
    if own.logits == "c*tanh(f_j/c)":
        return k["c"] * mpmath.tanh(v / k["c"])
    return v


@pytest.mark.parametrize("classes", [None, 3], ids=["symbolic", "C=3"])
@pytest.mark.parametrize("name", ["z-loss-by-hand", "softcap-by-hand", "squared-error"])
def test_every_line_the_engine_writes_mutated_is_caught_and_its_twin_passes(name, classes):
    own = next(o for o in OWN if o.name == name)
    d = build(classes, **_given(own))
    checker = checker_for(d.ctx, d.labels)
    assert_every_line_caught(checker, d.all_steps, name)


def test_the_direct_term_and_the_transform_have_their_own_steps():
    keys = [s.key for s in _derive(OWN[7], None).steps]  # z-loss: log Σ e^f names the logits
    assert "direct" in keys and keys.index("direct") < keys.index("combine")
    softcap = _derive(OWN[6], None)
    assert "direct" not in [s.key for s in softcap.steps]
    assert "u_i" in softcap.steps[0].chains[0][0].expr.__str__().replace("[", "_").replace("]", "")


def test_the_derived_closed_form_is_shown_when_no_target_is_given():
    d = _derive(OWN[8], None)  # the logit penalty
    assert d.target == "-y_i + 2*lam*f_i + p_i" and d.ok


def _run(*args):
    return CliRunner().invoke(main, list(args))


def test_cli_derive_and_check_take_a_loss_expression():
    out = _run("derive", "--loss-expr", "sum_j(-y_j*log(p_j)) + z*log(sum_j(exp(f_j)))^2", "--param-range", "z=0..")
    assert out.exit_code == 0, out.output
    assert "Result: ∂L/∂f_i = -y_i + 2·z·p_i·log(Σ_{j=0}^{C - 1} e^(f_j)) + p_i" in out.output
    wrong = _run("check", "--loss-expr", "sum_j((p_j - y_j)^2)", "--target", "2*(p_i - y_i)", "-C", "3", "-j", "1")
    assert wrong.exit_code == 1 and "counterexample" in wrong.output


def test_json_gradient_of_a_loss_of_ones_own_matches_differences():
    own = OWN[7]
    out = _run("derive", "-C", "3", "--loss-expr", own.loss, "--param", "z=1/4", "-f", "json")
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)["gradient"]
    f = [mpmath.mpf(v) / 5 for v in (-3, 4, 1)]
    y = [mpmath.mpf(v) for v in ("0.7", "0.3", "0")]
    names = {f"f{m}": Symbol(f"f{m}", real=True) for m in range(3)} | {
        f"y{m}": Symbol(f"y{m}", real=True) for m in range(3)
    }
    values = {names[f"f{m}"]: Float(str(f[m]), 40) for m in range(3)} | {
        names[f"y{m}"]: Float(str(y[m]), 40) for m in range(3)
    }
    with mpmath.workdps(30):
        for i, text in enumerate(rows):
            h = mpmath.mpf("1e-12")
            up, down = list(f), list(f)
            up[i] += h
            down[i] -= h
            k = {"z": mpmath.mpf(1) / 4}
            measured = (own.reference(up, y, k) - own.reference(down, y, k)) / (2 * h)
            claimed = mpmath.mpf(str(parse_expr(text, dict(names)).xreplace(values).evalf(35)))
            assert abs(claimed - measured) < mpmath.mpf("1e-15")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--loss-expr", "sum_j(y_j)"], "does not depend on the logits"),
        (["--loss-expr", "sum_j(q_j)"], "unknown name 'q_j'"),
        (["--loss-expr", "sum_j(-y_j*log(p_j)) + beta"], "unknown name 'beta'"),
        (["--loss-expr", "p_i - y_i"], "unknown name 'p_i'"),
        (["--loss-expr", "sum_j(sum_j(p_j))"], "may not be nested"),
        (["--loss-expr", "sum_j(p_j)^100000"], "exponents must be"),
        (["--loss-expr", "sum_j(p_j"], "malformed loss"),
        (["--loss-expr", "sum_j(p_j*beta)", "--param", "beta"], "no value and no range"),
        (["--loss-expr", "sum_j(p_j*beta)", "--param-range", "beta=1..0"], "low end is above the high end"),
        (["--loss-expr", "sum_j(p_j*beta)", "--param-range", "beta=abc"], "expected LO..HI"),
        (["--loss-expr", "sum_j(p_j*beta)", "--param-range", "beta=0..1e99"], "at most 10^12"),
        (["--loss-expr", "sum_j(p_j*C)", "--param", "C=2"], "a name the loss syntax uses"),
        (["--loss-expr", "sum_j(p_j*beta)", "--param", "beta=2", "--param-range", "beta=0..1"], "out of range"),
        (["--logits-expr", "f_j/2"], "need --loss-expr"),
        (["--loss-expr", "sum_j(p_j)", "--logits-expr", "p_j"], "unknown name 'p_j'"),
        (["--loss-expr", "sum_j(p_j)", "--logits-expr", "2"], "does not depend on the logits"),
        (["--loss", "focal", "--loss-expr", "sum_j(p_j)"], "cannot be combined"),
    ],
)
@pytest.mark.parametrize("command", ["derive", "check"])
def test_bad_loss_expressions_are_one_line_and_exit_2(command, args, message):
    out = _run(command, *args)
    assert out.exit_code == 2, out.output
    lines = out.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in out.output, out.output


def test_a_loss_the_prover_cannot_show_defined_is_not_proved_exit_4():
    # 1 + tanh(x) > 0 for every real x, but no rule here shows it: "not proved", never a pass or a failure
    out = _run("derive", "-C", "2", "--loss-expr", "sum_j(-y_j*log(p_j)) + log(1 + tanh(sum_j(f_j)))")
    assert out.exit_code == 4, out.output


def test_the_probability_of_the_label_is_positive_for_one_hot_labels():
    """-log Σ_j y_j p_j: Σ_j y_j p_j > 0 since y is a probability vector and p > 0; for soft labels
    (any reals) it is not, and the loss is not proved."""
    assert derive(None, loss_expr="-log(sum_j(y_j*p_j))", target="p_i - y_i*p_i/sum_j(y_j*p_j)").ok
    soft = derive(3, loss_expr="-log(sum_j(y_j*p_j))", labels="soft")
    assert not soft.ok


def test_api_refuses_the_custom_options_without_a_loss_expression():
    with pytest.raises(InputError, match="need --loss-expr"):
        build(3, param_ranges={"beta": "0..1"})


def test_a_project_names_its_loss_once_in_the_configuration(tmp_path):
    config = tmp_path / "xentderive.toml"
    config.write_text(
        "classes = [3, 'C']\n"
        "[losses.entropy-bonus]\n"
        'loss = "sum_j(-y_j*log(p_j)) + beta*sum_j(p_j*log(p_j))"\n'
        'params = { beta = "0..1" }\n'
        "[losses.capped]\n"
        'loss = "sum_j(-y_j*log(p_j))"\n'
        'logits = "c*tanh(f_j/c)"\n'
        "params = { c = 30 }\n"
        'target = "(p_i - y_i)*(1 - tanh(f_i/c)^2)"\n'
    )
    out = _run("check", "--config", str(config), "-f", "json", "-j", "1")
    assert out.exit_code == 0, out.output
    names = [c["loss"] for c in json.loads(out.stdout)["cases"]]
    assert names == ["entropy-bonus", "entropy-bonus", "capped", "capped"]
    config.write_text(config.read_text().replace("(1 - tanh(f_i/c)^2)", "(1 - tanh(f_i/c))"))
    assert _run("check", "--config", str(config), "-j", "1").exit_code == 1


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[losses.mine]\nlogits = "f_j"\n', "no loss"),
        ('[losses.mine]\nloss = "sum_j(q_j)"\n', "unknown name 'q_j'"),
        ('[losses.mine]\nloss = "sum_j(p_j)"\nsize = 3\n', "unknown key"),
        ('[losses.softmax-ce]\nloss = "sum_j(p_j)"\n', "taken by the catalogue"),
        ('[losses.mine]\nloss = "sum_j(p_j*b)"\nparams = { b = [1] }\n', "expected a number"),
    ],
)
def test_a_bad_loss_table_names_the_file_the_key_and_the_line(tmp_path, table, message):
    config = tmp_path / "xentderive.toml"
    config.write_text(table)
    out = _run("check", "--config", str(config))
    assert out.exit_code == 2 and message in out.output and str(config) in out.output, out.output
    assert len(out.output.strip().splitlines()) == 1


KINKS = [
    ("sum_j(-y_j*log(p_j)) + sum_j((f_j^2)^(1/2))", None),  # |f_j|: no derivative at f_j = 0
    ("sum_j(-y_j*log(p_j)) + sum_j((f_j^4)^(1/4))", None),
    ("sum_j(-y_j*log(p_j)) + sum_j((f_j + (f_j^2)^(1/2))/2)", None),  # ReLU
    ("sum_j(-y_j*log(p_j)) + sum_j(tanh((f_j^2)^(1/2)))", None),
    ("(sum_j(f_j)^2)^(1/2)", None),  # |Σ f|: once a crash
    ("(sum_j(y_j*p_j)^2)^(1/2)", None),  # with soft labels Σ_j y_j p_j may be 0
    ("sum_j(-y_j*log(p_j))", "(f_j^2)^(1/2)"),
]
# Each kink at 3 classes, and at every C those whose proof takes seconds: |Σ_j y_j p_j| for every C
# takes about 30 s on 2 cores, and the same sign(x) rule is tried for every C by the kinks in f_j.
KINK_CASES = [(*kink, "3") for kink in KINKS] + [(*kink, "C") for kink in KINKS if kink[0] != KINKS[5][0]]


@pytest.mark.parametrize(("loss", "logits", "classes"), KINK_CASES)
def test_a_loss_with_a_kink_is_never_proved_where_it_has_no_derivative(loss, logits, classes):
    """SymPy writes sqrt(x²) as |x| and its derivative as sign(x), 0 at x = 0, where there is none."""
    given = ["-C", classes, "--labels", "soft", "--loss-expr", loss, *(["--logits-expr", logits] if logits else [])]
    out = _run("derive", *given)
    assert out.exit_code == 4, out.output
    assert "Traceback" not in out.output and "internal error" not in out.output
    if classes == "3":  # the witness skips what it cannot read at any C: once per loss is enough
        check = _run("check", "-j", "1", *given)
        assert check.exit_code == 4, check.output  # not 1: the witness skips a closed form it cannot read


def test_the_kink_off_the_domain_is_no_kink():
    """|Σ_j y_j p_j| is Σ_j y_j p_j for probability labels (it is positive): proved."""
    assert derive(None, loss_expr="(sum_j(y_j*p_j)^2)^(1/2)").ok


def test_a_loss_tables_classes_below_its_minimum_are_located(tmp_path):
    config = tmp_path / "xentderive.toml"
    config.write_text('[losses.a]\nloss = "sum_j(-y_j*log(p_j))"\nmin-classes = 3\nclasses = [1, 2]\n')
    out = _run("check", "--config", str(config))
    assert out.exit_code == 2 and "losses.a.classes[0]" in out.output, out.output


@pytest.mark.parametrize(
    "args",
    [
        ["--loss", "focal", "--param", "gamma=\u0663"],  # an Arabic-Indic digit is not a number here
        ["--loss-expr", "sum_j(p_j*b)", "--param-range", "b=0..1", "--param-range", "b=0..2"],
        ["--loss-expr", "sum_j(p_j*b)", "--param", "b=1", "--param", "b=2"],
    ],
)
def test_odd_parameter_input_is_refused(args):
    out = _run("derive", *args)
    assert out.exit_code == 2 and len(out.output.strip().splitlines()) == 1, out.output


def test_a_loss_of_ones_own_at_a_thousand_classes_splits_its_sums():
    """∂L/∂p_j of a sum over the classes picks one term (not a sum of C deltas), so C = 1000 is cheap."""
    d = derive(1000, loss="z-loss")
    assert d.ok and all("exact identity" in s.method for s in d.all_steps)


_CUBE_ROOT = {"loss_expr": "sum_j(-y_j*log(p_j))", "logits_expr": "f_j^(1/3)"}


@pytest.mark.parametrize("classes", [None, 1, 3], ids=["symbolic", "C=1", "C=3"])
def test_a_point_where_the_transform_has_no_value_refutes_nothing(classes):
    """f^(1/3) has no real value at f < 0, so neither has L: no step nor claim is refuted there,
    even where SymPy cancelled the transform away (at C = 1, p_0 = 1 whatever u_0 is)."""
    true = derive(classes, target="(p_i - y_i)/(3*f_i^(2/3))", **_CUBE_ROOT)
    assert not [s.title for s in true.all_steps if s.status is Status.FAILED]


@pytest.mark.parametrize("classes", [None, 1], ids=["symbolic", "C=1"])
def test_its_twin_a_claim_wrong_where_the_transform_has_a_value_is_refuted_there(classes):
    """The search moves a point outside the transform's domain to |f| and refutes the claim there."""
    wrong = derive(classes, target="(p_i - y_i)/(3*f_i^(2/3)) + 1", **_CUBE_ROOT)
    cex = next(s.counterexample for s in wrong.all_steps if s.status is Status.FAILED)
    assert all(Rational(v) >= 0 for v in cex.f)
