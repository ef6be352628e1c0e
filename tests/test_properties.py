"""How it is checked (issue #12): property-based specifications of every door user input comes in by.

Each test states one invariant and lets Hypothesis look for a counterexample:

* the claim parser (`--target`) answers every text with an expression or a one-line `ClaimError`;
* a claim that is true by construction (`X - X + p_i - y_i`) is never called wrong (exit 1);
* `--notation`, `--param` and the configuration loader answer with a value or an `InputError`;
* the command line, end to end, keeps its exit-code contract: 0 1 2 3 4 only (never 70 or 130),
  never a traceback, and on exit 2 exactly one line on stderr, ``xentderive: error: …``.

Every example runs in a forked child with a hard wall-clock cap and an address-space limit, so an
input that makes the code run away (in a part that has no time limit of its own) fails the test
instead of hanging the run: "answers" above always means "answers within the cap".

Profiles (registered in tests/conftest.py):

    python -m pytest tests/test_properties.py -q -n 2                              # "ci": the default
    python -m pytest tests/test_properties.py -q -n 2 --hypothesis-profile=long    # many more examples

The ci profile is derandomized (the same examples on every run) and sized so that the file runs in
about a minute on 2 cores; `budget(n)` scales each test's share with the profile's max_examples.
"""

from __future__ import annotations

import os
import pickle
import resource
import select
import signal
import string
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hostile_values import OPTION_VALUES
from hypothesis import Phase, example, given, settings
from hypothesis import strategies as st

import xentderive.api
import xentderive.printing
import xentderive.suite  # noqa: F401  (imported here so that each forked example starts warm)
from xentderive import config as config_module
from xentderive.claims import parse_claim, vocabulary
from xentderive.cli import main
from xentderive.context import Context
from xentderive.derivations import REGISTRY
from xentderive.errors import InputError
from xentderive.params import parse_assignments, resolve
from xentderive.printing.notation import Notation

EXIT_CONTRACT = {0, 1, 2, 3, 4}
CAP = 8.0  # seconds a pure function (parser, loader) may take on one input
CLI_TIMEOUT = "10"  # the tool's own --timeout in these tests
CLI_CAP = 30.0  # hard cap for one command: well above the tool's limit, so a kill here is a runaway
MEMORY_CAP = 3 * 1024**3


def budget(examples: int, *, costly: bool = False) -> settings:
    """This test's share of the profile: `examples` under ci (max_examples=100), scaled under long.

    A costly test (one that runs the command) is not shrunk under ci: a runaway costs CLI_CAP per
    attempt, and the unshrunk example is reported all the same. The long profile shrinks everything.
    """
    scale = settings.default.max_examples / 100
    phases = settings.default.phases
    if costly and settings.get_current_profile_name() == "ci":
        phases = tuple(p for p in phases if p is not Phase.shrink)
    return settings(max_examples=max(1, round(examples * scale)), phases=phases)


# --- running one example in a disposable child ----------------------------------------------


def bounded(fn: Callable[[], Any], cap: float = CAP) -> tuple:
    """Run fn() in a forked child; ("ok", value) | ("raised", name, mro names, message, traceback) | ("killed", s)."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.close(read_fd)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            try:
                hard = resource.getrlimit(resource.RLIMIT_AS)[1]
                resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP + _vsize(), hard))
            except (ValueError, OSError):
                pass
            try:
                out: tuple = ("ok", fn())
            except BaseException as err:
                names = [c.__name__ for c in type(err).__mro__]
                out = ("raised", type(err).__name__, names, str(err), traceback.format_exc())
            try:
                data = pickle.dumps(out)
            except Exception:
                data = pickle.dumps(("ok", repr(out[1])[:2000]))
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(data)
        finally:
            os._exit(0)
    os.close(write_fd)
    chunks, start = [], time.monotonic()
    try:
        while True:
            left = cap - (time.monotonic() - start)
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return ("killed", cap)
            ready, _, _ = select.select([read_fd], [], [], min(left, 0.5))
            if ready:
                chunk = os.read(read_fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
    finally:
        os.close(read_fd)
    _, status = os.waitpid(pid, 0)
    try:
        return pickle.loads(b"".join(chunks))
    except Exception:
        return ("raised", "ChildDied", ["ChildDied"], f"wait status {status}", "")


def _vsize() -> int:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def answers_with_value_or(outcome: tuple, error: str, what: str) -> None:
    """The outcome is a value, or an exception that is an `error` (by class name along its MRO)."""
    assert outcome[0] != "killed", f"{what}: no answer within {outcome[1]:g} s (a runaway)"
    if outcome[0] == "raised":
        _, name, mro, message, tb = outcome
        assert error in mro, f"{what}: raised {name}: {message}\n{tb}"
        assert message.strip(), f"{what}: {name} with an empty message"


# --- the claim parser ------------------------------------------------------------------------

VOCAB = vocabulary(Context(None))
SURROGATE_FREE = st.characters(exclude_categories=("Cs",))
CLAIM_CHARS = st.sampled_from("p_iyfjC()+-*/^.,0123456789e sumlogxp\t\n#'\"[]{}<>=!~%&|@:;\\λΣ²١")


@given(st.one_of(st.text(SURROGATE_FREE, max_size=80), st.text(CLAIM_CHARS, max_size=80)))
@budget(80)
def test_any_text_is_a_claim_or_a_claim_error(text):
    outcome = bounded(lambda: str(parse_claim(text, VOCAB)))
    answers_with_value_or(outcome, "ClaimError", f"parse_claim({text!r})")


@given(st.text(st.characters(), min_size=1, max_size=30).map(lambda t: "p_i + " + t))
@budget(20)
def test_text_with_lone_surrogates_is_a_claim_or_a_claim_error(text):
    """What the API gets when a caller passes text decoded with surrogateescape (the CLI guards its flags)."""
    outcome = bounded(lambda: str(parse_claim(text, VOCAB)))
    answers_with_value_or(outcome, "ClaimError", f"parse_claim({text!r})")


def _wrap(text: str, parens: bool) -> str:
    return f"({text})" if parens else text


def _expressions(in_sum: bool) -> st.SearchStrategy[str]:
    names = ["p_i", "y_i", "f_i", "C", *(["p_j", "y_j", "f_j"] if in_sum else [])]
    numbers = st.one_of(
        st.integers(0, 12).map(str),
        st.sampled_from(["0.5", "1e-3", "2.5", "1e12", "10^12", "0.0", "100", "1000", "1e-300"]),
    )
    leaves = st.one_of(st.sampled_from(names), numbers)

    def grow(kids: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binary = st.tuples(kids, st.sampled_from(["+", "-", "*", "/", "^"]), kids, st.booleans(), st.booleans())
        functions = ["log", "exp"] if in_sum else ["log", "exp", "sum_j"]
        return st.one_of(
            binary.map(lambda t: f"{_wrap(t[0], t[3])} {t[1]} {_wrap(t[2], t[4])}"),
            kids.map(lambda k: f"-{_wrap(k, True)}"),
            st.tuples(st.sampled_from(functions), kids).map(lambda t: f"{t[0]}({t[1]})"),
        )

    grown = st.recursive(leaves, grow, max_leaves=10)
    if in_sum:
        return grown
    summed = _expressions(True).map(lambda body: f"sum_j({body})")
    return st.recursive(st.one_of(leaves, summed), grow, max_leaves=10)


WELL_FORMED = _expressions(in_sum=False)


@given(WELL_FORMED)
@example("2^(((((10^12)^100)^100)^100)^100)")  # found: the exponent check computes a 10^(1.2e11) integer
@budget(80)
def test_a_well_formed_claim_parses_or_is_refused_in_one_line(text):
    outcome = bounded(lambda: str(parse_claim(text, VOCAB)))
    answers_with_value_or(outcome, "ClaimError", f"parse_claim({text!r})")
    if outcome[0] == "raised":
        assert "\n" not in outcome[3], f"parse_claim({text!r}): a message of more than one line"


# A claim true by construction: X - X + p_i - y_i, with X defined at every point (no division by
# something that can vanish, no log of something that can be 0 or negative), so the truth is obvious.
_POSITIVE_LEAVES = st.sampled_from(
    ["p_i", "C", "exp(f_i)", "exp(y_i)", "2", "3", "7", "sum_j(p_j)", "sum_j(exp(f_j))", "(y_i^2 + 1)"]
)


def _positive(kids: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pair = st.tuples(kids, st.sampled_from(["+", "*", "/"]), kids)
    return st.one_of(
        pair.map(lambda t: f"({t[0]}) {t[1]} ({t[2]})"),
        st.tuples(kids, st.integers(0, 3)).map(lambda t: f"({t[0]})^{t[1]}"),
    )


POSITIVE = st.recursive(_POSITIVE_LEAVES, _positive, max_leaves=3)


def _anything(kids: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pair = st.tuples(kids, st.sampled_from(["+", "-", "*"]), kids)
    return st.one_of(
        pair.map(lambda t: f"({t[0]}) {t[1]} ({t[2]})"),
        POSITIVE.map(lambda k: f"log({k})"),
        POSITIVE,
    )


DEFINED = st.recursive(st.one_of(st.sampled_from(["f_i", "y_i", "0", "-1"]), POSITIVE), _anything, max_leaves=3)
TRUE_CLAIMS = st.one_of(
    DEFINED.map(lambda x: f"({x}) - ({x}) + p_i - y_i"),
    DEFINED.map(lambda x: f"p_i - y_i + 0*({x})"),
    DEFINED.map(lambda x: f"p_i + ({x}) - y_i - ({x})"),
)
SIZE_LIMIT_WORDS = ("characters long", "polynomial degree", "nests deeper", "nested at most", "exp of a number")


def _cli(args: list[str], env: dict[str, str] | None = None, cwd: str | None = None) -> tuple:
    """The command, through CliRunner, in a forked child under CLI_CAP."""

    def go() -> tuple:
        os.chdir(cwd or tempfile.mkdtemp(prefix="xent-prop-"))
        result = CliRunner().invoke(main, args, prog_name="xentderive", env=env)
        crashed = None if result.exception is None or isinstance(result.exception, SystemExit) else result.exception
        tb = "".join(traceback.format_exception(crashed)) if crashed else ""
        return result.exit_code, result.stdout, result.stderr, tb

    return bounded(go, CLI_CAP)


def _command(args: list[str]) -> str:
    return "xentderive " + " ".join(_quote(a) for a in args)


def _quote(arg: str) -> str:
    import shlex

    return shlex.quote(arg) if arg.isprintable() else repr(arg)


def keeps_the_contract(outcome: tuple, args: list[str]) -> tuple[int, str, str]:
    """Exit 0-4, no traceback, and exit 2 is one line `xentderive: error: …` on stderr and nothing on stdout."""
    shown = _command(args)
    assert outcome[0] != "killed", f"{shown}: still running after {CLI_CAP:g} s (a runaway)"
    assert outcome[0] == "ok", f"{shown}: the test harness failed: {outcome}"
    code, out, err, crash = outcome[1]
    assert not crash, f"{shown}: an exception escaped main():\n{crash}"
    assert code in EXIT_CONTRACT, f"{shown}: exit {code}\nstderr: {err[-2000:]}"
    assert "Traceback" not in out + err, f"{shown}: a traceback\n{err[-3000:]}"
    if code == 2:
        lines = err.splitlines()  # what a reader (and a terminal, for \v \f \x1c-\x1e \x85 \u2028) takes as lines
        assert len(lines) == 1 and lines[0].startswith("xentderive: error:"), f"{shown}: exit 2 with stderr {err!r}"
        assert out == "", f"{shown}: exit 2 but something on stdout: {out[:300]!r}"
    return code, out, err


@given(TRUE_CLAIMS, st.sampled_from(["1", "2", "3", "C"]))
@budget(12, costly=True)
def test_a_claim_true_by_construction_is_never_called_wrong(claim, classes):
    args = ["derive", "-C", classes, "--target", claim, "--timeout", CLI_TIMEOUT, "-f", "json"]
    code, _out, err = keeps_the_contract(_cli(args), args)
    assert code != 1, f"{_command(args)}: a true identity was rejected"
    if code == 2:
        assert any(w in err for w in SIZE_LIMIT_WORDS), f"{_command(args)}: refused: {err}"


# --- --notation and --param ----------------------------------------------------------------------

NOTATION_KEYS = st.sampled_from(
    ["logits", "probs", "labels", "classes", "loss", "eps", "gamma", "logit", "", " probs ", "LOGITS", "x"]
)
LATEX_NAMES = st.one_of(  # LaTeX names (a closed list) and what only looks like one
    st.sampled_from([r"\hat{y}", r"\mathcal{L}", r"\sigma", r"\epsilon", r"\delta", r"\mathcal{p}", r"\hat{\x}",
                     r"\input{x}", r"\mathrm{}", r"\hat{y}}", "\\", "\\\\", r"\tilde{\sigma}",
                     r"\mathbf{abcdefghijklm}"]),
    st.text(SURROGATE_FREE, max_size=8).map(lambda t: "\\" + t),
)  # fmt: skip
NOTATION_NAMES = st.one_of(
    st.text(string.ascii_letters, min_size=1, max_size=14),
    LATEX_NAMES,
    st.sampled_from(["z", "q", "t", "K", "L", "i", "exp", "sum", "eps", "T", "w", "gamma", "E", "I", "pi", "oo"]),
    st.text(SURROGATE_FREE, max_size=6),
)
NOTATION_SPECS = st.one_of(
    st.lists(st.tuples(NOTATION_KEYS, st.sampled_from(["=", "==", ":", ""]), NOTATION_NAMES), max_size=5).map(
        lambda parts: ",".join(f"{k}{s}{v}" for k, s, v in parts)
    ),
    st.text(max_size=40),
)


@given(NOTATION_SPECS)
@budget(40)
def test_a_notation_spec_is_a_notation_or_an_input_error(spec):
    outcome = bounded(lambda: repr(Notation.parse(spec)))
    answers_with_value_or(outcome, "InputError", f"Notation.parse({spec!r})")


PARAM_NAMES = sorted({p.name for spec in REGISTRY.values() for p in spec.params})
_exponent_numbers = st.tuples(st.sampled_from(["1", "0.5", "-2", "9"]), st.integers(-(10**10), 10**10)).map(
    lambda t: f"{t[0]}e{t[1]}"
)
PARAM_VALUES = st.one_of(
    st.sampled_from(["0", "1", "2", "0.1", "1/3", "-1", "1/0", "nan", "inf", "-inf", "oo", "zoo", "I", "E", "pi"]),
    st.sampled_from(["1e999999999", "1e-999999999", "5e10000000", "0.1e-3000000", "1" * 40, "1/" + "9" * 38]),
    st.fractions().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    _exponent_numbers,
    st.text(max_size=12),
)
PARAM_NAME_TEXT = st.one_of(
    st.sampled_from(PARAM_NAMES),
    st.tuples(st.sampled_from(PARAM_NAMES), st.integers(0, 10**6)).map(lambda t: f"{t[0]}{t[1]}"),
    st.text(max_size=6),
)
PARAM_ITEMS = st.lists(
    st.one_of(st.tuples(PARAM_NAME_TEXT, PARAM_VALUES).map(lambda t: f"{t[0]}={t[1]}"), st.text(max_size=10)),
    max_size=4,
)
CLASS_COUNTS = st.one_of(st.none(), st.integers(1, 12), st.sampled_from([24, 10_000]))


@given(PARAM_ITEMS, CLASS_COUNTS)
@example(["T=1e999999999"], None)  # found: Rational("1e999999999") builds a billion-digit integer first
@budget(80)
def test_param_assignments_resolve_to_values_or_an_input_error_for_every_derivation(items, classes):
    def every_derivation() -> list[str]:
        answers = []
        for name, spec in REGISTRY.items():
            try:
                answers.append(repr(resolve(spec.params, parse_assignments(tuple(items)), name, classes))[:80])
            except InputError as err:  # the answer for this derivation; anything else escapes
                answers.append(f"InputError: {err}")
        return answers

    outcome = bounded(every_derivation)
    answers_with_value_or(outcome, "InputError", f"--param {items!r} at C={classes}")


# --- the configuration loader --------------------------------------------------------------------

SAFE_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
KEYS = st.one_of(
    st.sampled_from(sorted(config_module.CONFIG_KEYS | config_module.CLAIM_KEYS | {"tool", "xentderive"})),
    SAFE_TEXT,
)
SCALARS = st.one_of(
    st.booleans(),
    st.integers(),
    st.sampled_from([0, 1, 3, 10_000, 10_001, 2**63, -(2**63) - 1, 10**30]),
    st.floats(),
    st.sampled_from(["C", "2,3,C", "softmax-ce", "focal", "soft", "onehot", "p_i - y_i", "2G", "auto", "1e999999999"]),
    SAFE_TEXT,
)


def _toml_key(key: str) -> str:
    import json

    bare = key and all(c.isascii() and (c.isalnum() or c in "-_") for c in key)
    return key if bare else json.dumps(key, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    import json
    import math

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"


VALUES = st.recursive(
    SCALARS,
    lambda kids: st.one_of(st.lists(kids, max_size=4), st.dictionaries(KEYS, kids, max_size=3)),
    max_leaves=8,
)
CLAIM_TABLES = st.dictionaries(
    st.sampled_from(sorted(config_module.CLAIM_KEYS)) | KEYS,
    st.one_of(
        st.sampled_from([*REGISTRY, "onehot", "soft", "p_i - y_i", "p_i - 2*y_i"]),
        st.lists(st.sampled_from([1, 2, 3, "C", 0, "x", 25]), max_size=3),
        st.dictionaries(st.sampled_from([*PARAM_NAMES, "w0", "w9"]), st.one_of(PARAM_VALUES, st.floats())),
        VALUES,
    ),
    max_size=5,
)


@st.composite
def toml_documents(draw) -> bytes:
    table = draw(st.dictionaries(KEYS, VALUES, max_size=6))
    claims = draw(st.lists(CLAIM_TABLES, max_size=3))
    header = draw(st.sampled_from(["[tool.xentderive]", "", "[tool]", "[tool.other]", "[xentderive]"]))
    lines = [header] if header else []
    lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in table.items()]
    prefix = "tool.xentderive." if header == "[tool.xentderive]" else ""
    for claim in claims:
        lines.append(f"[[{prefix}claims]]")
        lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in claim.items()]
    raw = "\n".join(lines).encode("utf-8")
    damage = draw(st.sampled_from(["none", "none", "bytes", "truncate", "deep", "binary"]))
    if damage == "bytes":
        at = draw(st.integers(0, len(raw)))
        bad = draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x00", b"\xef\xbb\xbf"]))
        raw = raw[:at] + bad + raw[at:]
    elif damage == "truncate":
        raw = raw[: draw(st.integers(0, len(raw)))]
    elif damage == "deep":
        depth = draw(st.sampled_from([50, 1000, 100_000]))
        raw += b"\nclasses = " + b"[" * depth + b"1" + b"]" * depth + b"\n"
    elif damage == "binary":
        raw = draw(st.binary(max_size=200))
    return raw


@given(toml_documents(), st.sampled_from(["pyproject.toml", "suite.toml"]))
@example(b'[[claims]]\nloss = "temperature"\nparams = { T = "1e999999999" }\n', "suite.toml")  # found: runaway
@budget(100)
def test_a_config_file_is_a_suite_or_an_input_error(raw, name):
    folder = Path(tempfile.mkdtemp(prefix="xent-conf-"))
    path = folder / name
    path.write_bytes(raw)
    outcome = bounded(lambda: repr(config_module.load_config(path))[:300])
    answers_with_value_or(outcome, "InputError", f"load_config of {raw[:400]!r} named {name}")


# --- the command line, end to end ----------------------------------------------------------------

_WORK = Path(tempfile.mkdtemp(prefix="xent-cli-"))
_FIFO = _WORK / "fifo"
if not _FIFO.exists():
    os.mkfifo(_FIFO)
(_WORK / "dir").mkdir(exist_ok=True)
for link, to in (("dangling", "missing/target"), ("to-dir", "dir"), ("loop", "loop"), ("to-fifo", "fifo")):
    if not (_WORK / link).is_symlink():
        (_WORK / link).symlink_to(to)
PATHS = [
    str(_WORK / "out.txt"),
    str(_WORK / "dir"),
    str(_WORK / "dir" / "x.json"),
    "/dev/null",
    "/dev/full",
    str(_FIFO),
    str(_WORK / "dangling"),
    str(_WORK / "to-dir"),
    str(_WORK / "loop"),
    str(_WORK / "to-fifo"),
    str(_WORK / "missing" / "out"),
    "-",
    "",
    " ",
    "/proc/self/fd/1",
    "/dev/stdout",
    "/",
    ".",
    "..",
    str(_WORK / ("x" * 300)),
    str(_WORK / "dir" / "..") + "/",
    str(_WORK / "out\udcff.txt"),
    str(_WORK / "fifo" / "x"),
    "/sys/x",
]
HOSTILE = st.one_of(
    st.sampled_from(OPTION_VALUES),
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=8),
    st.text(st.characters(min_codepoint=0xDC80, max_codepoint=0xDCFF), min_size=1, max_size=3),
)
CLASSES = st.one_of(st.sampled_from(["1", "2", "3", "C"]), HOSTILE)
TARGETS = st.one_of(WELL_FORMED, TRUE_CLAIMS, HOSTILE, st.sampled_from(["p_i - y_i", "q_i - t_i", "p_i - 2*y_i"]))
LOSSES = st.one_of(st.sampled_from(sorted(REGISTRY)), HOSTILE)
PARAMS = st.one_of(st.tuples(PARAM_NAME_TEXT, PARAM_VALUES).map(lambda t: f"{t[0]}={t[1]}"), HOSTILE)
TIMEOUTS = st.one_of(st.sampled_from([CLI_TIMEOUT, "5", " 3 ", "0.01", "1e-9", "86401", "0", "-1", "nan"]), HOSTILE)
MEMORY = st.sampled_from(
    [
        "512M",
        "2G",
        "256M",
        "4096",
        "255M",
        "0",
        "1e3G",
        "-1G",
        "2T",
        "nanG",
        "999999999999G",
        "1.5.5G",
        "²G",
        "٣G",
        "",
        "G",
        "1kib",
        "300000k",
    ]
)


def _flag(name: str, values: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    return values.map(lambda v: [name, v])


DERIVE_OPTIONS = st.one_of(
    _flag("-C", CLASSES),
    _flag("--index", st.one_of(st.sampled_from(["0", "1", "2", "5", "-1", "10000000000000000000000"]), HOSTILE)),
    _flag("--labels", st.one_of(st.sampled_from(["onehot", "soft"]), HOSTILE)),
    _flag("--target", TARGETS),
    _flag("--loss", LOSSES),
    _flag("--param", PARAMS),
    _flag("-f", st.one_of(st.sampled_from(["text", "latex", "markdown", "json", "png", "svg"]), HOSTILE)),
    _flag("--lang", st.one_of(st.sampled_from(["en", "zh"]), HOSTILE)),
    _flag("--notation", NOTATION_SPECS),
    _flag("-o", st.sampled_from(PATHS)),
    _flag("--memory", MEMORY),
    _flag("--layout", st.one_of(st.sampled_from(["wide", "narrow"]), HOSTILE)),
    _flag("--form", st.one_of(st.sampled_from(["index", "vector"]), HOSTILE)),
    _flag("--labels-prefix", st.one_of(st.sampled_from(["eq:ce", "eq:a.b-c_d", "1eq", "eq:{x}"]), HOSTILE)),
    st.sampled_from([["--standalone"], ["--allow-unproved"], ["--bogus"], ["extra"], ["--index"], ["-C"]]),
    st.sampled_from([["--equations-only"], ["--tags"], ["-f", "latex", "--equations-only", "--tags"]]),
)


def _derive_args(options: list[list[str]], timeout: str) -> list[str]:
    args = ["derive", *(part for option in options for part in option), "--timeout", timeout]
    if "-C" not in args:  # keep examples cheap: a small concrete C unless the example chose one
        args[1:1] = ["-C", "2"]
    return args


@given(st.lists(DERIVE_OPTIONS, max_size=5), TIMEOUTS)
@example([["-C", "²"]], CLI_TIMEOUT)  # found: exit 70, int('²') after str.isdigit()
@example([["--memory", "999999999999G"]], CLI_TIMEOUT)  # found: setrlimit OverflowError escapes the worker: exit 70
@budget(90, costly=True)
def test_derive_keeps_the_exit_code_contract(options, timeout):
    args = _derive_args(options, timeout)
    keeps_the_contract(_cli(args), args)


CHECK_CLASSES = st.one_of(st.sampled_from(["2", "3", "1,2", "C", "2,C", "1,1,1", ",", "2,", "10001", "0"]), HOSTILE)
CHECK_OPTIONS = st.one_of(
    _flag("-C", CHECK_CLASSES),
    _flag("--param", PARAMS),
    _flag("--labels", st.one_of(st.sampled_from(["onehot", "soft"]), HOSTILE)),
    _flag("--target", TARGETS),
    _flag("--config", st.sampled_from([*PATHS, str(_WORK / "suite.toml")])),
    _flag("--seed", st.one_of(st.integers().map(str), st.sampled_from(["-1", "2**64", "1e3", "99" * 20]), HOSTILE)),
    _flag("-f", st.one_of(st.sampled_from(["text", "json", "junit", "github"]), HOSTILE)),
    _flag("-o", st.sampled_from(PATHS)),
    _flag("--memory", MEMORY),
    st.sampled_from([["--allow-unproved"], ["--numeric"], ["--bogus"], ["extra"], ["--seed"]]),
)
SUMMARIES = st.sampled_from(
    [
        None,
        str(_WORK / "summary.md"),
        str(_WORK / "dir"),
        "/dev/full",
        str(_FIFO),
        "",
        str(_WORK / "missing" / "s.md"),
        "/proc/self/fd/1",
    ]
)


@given(LOSSES, st.lists(CHECK_OPTIONS, max_size=5), TIMEOUTS, SUMMARIES)
@example("temperature", [["--param", "T=1e999999999"]], "5", None)  # found: a runaway before any case runs
@example("softmax-ce", [["--target", "2^(((((10^12)^100)^100)^100)^100)"]], "5", None)  # found: the same
@budget(60, costly=True)
def test_check_keeps_the_exit_code_contract(loss, options, timeout, summary):
    (_WORK / "suite.toml").write_text('classes = [2]\n[[claims]]\nloss = "softmax-ce"\n', encoding="utf-8")
    args = ["check", "--loss", loss, *(part for option in options for part in option), "--timeout", timeout]
    if "-C" not in args:
        args[1:1] = ["-C", "2"]
    if "--numeric" not in args:
        args.append("--no-numeric")
    env = {"GITHUB_STEP_SUMMARY": summary} if summary is not None else None
    if summary == str(_FIFO):
        env = None  # writing to a FIFO that nobody reads would block: that is the shell's business, not ours
    keeps_the_contract(_cli(args, env=env), args)


@given(LOSSES)
@example("")  # found: an empty --loss is taken as no --loss, and the whole default suite runs
@budget(12, costly=True)
def test_check_with_a_loss_checks_that_loss_only_or_refuses_it(loss):
    import json

    args = ["check", "--loss", loss, "-C", "1", "--no-numeric", "--timeout", CLI_TIMEOUT, "-f", "json"]
    code, out, _err = keeps_the_contract(_cli(args), args)
    if code != 2:
        losses = {case["loss"] for case in json.loads(out)["cases"]}
        assert losses == {loss}, f"{_command(args)}: checked {sorted(losses)}"


@given(toml_documents())
@example(b'[tool.xentderive]\n"\\u001e" = []')  # found: the key's raw \x1e (a line separator) in the error line
@budget(40, costly=True)
def test_check_with_any_config_file_keeps_the_exit_code_contract(raw):
    folder = Path(tempfile.mkdtemp(prefix="xent-check-"))
    (folder / "suite.toml").write_bytes(raw)
    # --loss keeps the suite to one claim; the file is still read and validated in full.
    args = [
        "check",
        "--config",
        str(folder / "suite.toml"),
        "--loss",
        "softmax-ce",
        "-C",
        "2",
        "--no-numeric",
        "--timeout",
        CLI_TIMEOUT,
    ]
    keeps_the_contract(_cli(args, cwd=str(folder)), args)


@given(st.lists(st.one_of(HOSTILE, st.sampled_from(["-o", "--format", "-h", "--loss", "x"])), max_size=3))
@example(["\x0b"])  # found: the argument is echoed raw: a vertical tab (a line break) in the one-line error
@example(["\u2028"])  # found: a line separator in the one-line error
@budget(20, costly=True)
def test_list_keeps_the_exit_code_contract(extra):
    args = ["list", *extra]
    keeps_the_contract(_cli(args), args)


@pytest.mark.parametrize("profile_option", ["ci"])
def test_the_ci_profile_is_derandomized(profile_option):
    """Reproducible CI: the examples are the same on every run (unless another profile was chosen)."""
    if settings.get_current_profile_name() == profile_option:
        assert settings.default.derandomize and settings.default.deadline is None
