"""The command line: parse, call the library, render, pick the exit code. Nothing else.

SymPy is imported inside the commands, so `--help` and `--version` stay fast. The work
itself runs in a worker process (`isolation.py`) bounded in time and memory, so no
input runs away; the output is written here, by the parent, only when it is complete.
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from . import __version__
from .limits import DEFAULT_MEMORY, DEFAULT_TIMEOUT, MAX_CLASSES, MAX_TIMEOUT, describe_memory, parse_memory

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_LIMIT, EXIT_UNPROVED = 0, 1, 2, 3, 4
EXIT_INTERNAL, EXIT_INTERRUPTED = 70, 130
EXIT_CODES_HELP = (
    "Exit codes: 0 proved/verified, 1 a claim or step is wrong, 2 bad input, 3 a time or memory limit, "
    "4 not proved (only checked), 70 internal error, 130 interrupted."
)
_DEBUG = {"on": bool(os.environ.get("XENTDERIVE_DEBUG"))}
FORMATS = ("text", "latex", "markdown", "json", "png", "svg")
LANGS = ("en", "zh")


class Classes(click.ParamType):
    """An integer 1…MAX_CLASSES, or the letter C for a proof for every number of classes."""

    name = "N|C"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int | None:
        if value is None or (isinstance(value, str) and value.strip() == "C"):
            return None
        if isinstance(value, int):
            number = value
        else:
            text = str(value).strip()
            if not (text.lstrip("-").isdigit() and text.isascii()):  # "²".isdigit() is True
                self.fail(f"{value!r} is neither a whole number nor the letter C", param, ctx)
            number = int(text)
        if number < 1:
            self.fail(f"{number} is below 1: there must be at least one class", param, ctx)
        if number > MAX_CLASSES:
            self.fail(f"{number} is above the maximum of {MAX_CLASSES}", param, ctx)
        return number


class Seconds(click.ParamType):
    """A finite number of seconds above 0 and at most a day (not nan, inf or 1e300)."""

    name = "SECONDS"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, float):
            return value
        try:
            number = float(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not math.isfinite(number) or not 0 < number <= MAX_TIMEOUT:
            self.fail(f"{value!r} must be a number of seconds above 0 and at most {MAX_TIMEOUT:g}", param, ctx)
        return number


class MemorySize(click.ParamType):
    """A memory size such as 2G, 512M or 4096 (MiB), at least 256M."""

    name = "SIZE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        try:
            return parse_memory(str(value))
        except ValueError as err:
            self.fail(str(err), param, ctx)


class Jobs(click.ParamType):
    """How many cases run at once: a whole number 1…MAX_JOBS, or auto (the cores available)."""

    name = "N|auto"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int | str:
        from .config import MAX_JOBS

        text = str(value).strip()
        if text == "auto":
            return "auto"
        if not (text.isdigit() and text.isascii()) or not 1 <= int(text) <= MAX_JOBS:
            self.fail(f"{value!r} is not a whole number from 1 to {MAX_JOBS}, or auto", param, ctx)
        return int(text)


def _say(message: str) -> None:
    """One line on stderr, whatever its encoding can hold."""
    line = "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in f"xentderive: {message}")
    stream = sys.stderr
    try:
        stream.write(line + "\n")
        stream.flush()
    except UnicodeEncodeError:
        from .output import ascii_fallback

        stream.write(ascii_fallback(line) + "\n")
    except (OSError, ValueError):  # stderr itself is gone: the exit code still says it
        pass


def _internal(detail: str) -> None:
    """An internal error: one line, the traceback only with --debug or XENTDERIVE_DEBUG=1."""
    last = detail.strip().splitlines()[-1] if detail.strip() else "no detail"
    if _DEBUG["on"]:
        sys.stderr.write(detail.rstrip() + "\n")
    _say(f"internal error: {last} (please report it; run with --debug for the traceback)")
    sys.exit(EXIT_INTERNAL)


class OneLineErrors(click.Group):
    """Every usage error is one line on stderr and exit code 2; Ctrl-C is 130; a bug is 70. Never a traceback."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        from . import interrupt

        try:
            return super().main(*args, standalone_mode=False, **kwargs)
        except SystemExit:
            raise
        except BaseException as err:
            # Ctrl-C first: a library may have wrapped its KeyboardInterrupt in another exception.
            if interrupt.pending() or isinstance(err, (click.exceptions.Abort, KeyboardInterrupt)):
                interrupt.say()
                sys.exit(EXIT_INTERRUPTED)
            if isinstance(err, click.exceptions.Exit):
                sys.exit(err.exit_code)
            if isinstance(err, click.ClickException):
                _say(f"error: {err.format_message()}")
                sys.exit(EXIT_USAGE)
            if not isinstance(err, Exception):
                raise
            import traceback  # a bug of ours: one line, exit 70

            _internal(traceback.format_exc())


def _run_limits(command: Callable) -> Callable:
    """--timeout and --memory of a command that runs once in a worker process (derive, verify)."""
    command = click.option(
        "--memory",
        type=MemorySize(),
        default=DEFAULT_MEMORY,
        show_default=describe_memory(DEFAULT_MEMORY),
        help="Give up past this much memory, e.g. 4G or 512M (exit 3).",
    )(command)
    return click.option(
        "--timeout", type=Seconds(), default=DEFAULT_TIMEOUT, show_default=True, help="Give up after SECONDS (exit 3)."
    )(command)


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="xentderive")
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error (also XENTDERIVE_DEBUG=1).")
def main(debug: bool) -> None:
    """Derive, print and verify the gradient of softmax cross-entropy with SymPy.

    \b
    Examples:
      xentderive derive                      # proof for every number of classes C
      xentderive derive -C 3                 # exact check for 3 classes, every i
      xentderive derive -C 3 --format latex  # align* blocks for a paper
      xentderive derive --labels soft        # ends at p_i*sum_j(y_j) - y_i
      xentderive derive -C 3 --target "p_i - 2*y_i"   # exit 1, with a counterexample
      xentderive verify paper.tex            # your own derivation, link by link

    \b
    Exit codes: 0 proved/verified, 1 a claim or step is wrong, 2 bad input,
    3 a time or memory limit, 4 not proved (only checked), 70 internal error,
    130 interrupted.
    """
    _DEBUG["on"] = _DEBUG["on"] or debug


@main.command()
@click.option(
    "-C",
    "--classes",
    type=Classes(),
    default="C",
    show_default=True,
    help=f"Number of classes: 1…{MAX_CLASSES}, or C for a symbolic proof for every C.",
)
@click.option(
    "--index",
    type=click.IntRange(min=0),
    default=None,
    help="Print the steps for component i = INDEX (verification still covers every i).",
)
@click.option(
    "--labels",
    type=click.Choice(["onehot", "soft"]),
    default="onehot",
    show_default=True,
    help="onehot: labels are a probability vector (Σ_j y_j = 1); soft: no assumption.",
)
@click.option(
    "--target",
    "target_arg",
    metavar="EXPR",
    default=None,
    help="Claim to check for dL/df_i, e.g. 'p_i - y_i' or 'p_i*sum_j(y_j) - y_i'. "
    "Names: p_i y_i f_i C, p_j y_j f_j inside sum_j(...), log, exp, + - * / ^.",
)
@click.option(
    "--loss",
    metavar="NAME",
    default="softmax-ce",
    show_default=True,
    help="Which derivation (`xentderive list` shows them all).",
)
@click.option(
    "--param",
    "params",
    metavar="NAME=VALUE",
    multiple=True,
    help="Give a parameter a value, e.g. --param T=2 or a class weight --param w0=2 (unset ones stay symbolic).",
)
@click.option(
    "--loss-expr",
    metavar="EXPR",
    default=None,
    help="A loss of your own, e.g. 'sum_j(-y_j*log(p_j)) + beta*sum_j(p_j*log(p_j))': sum_j(...) over "
    "the classes of p_j y_j f_j, log exp tanh, C and parameters declared with --param.",
)
@click.option(
    "--logits-expr",
    metavar="EXPR",
    default=None,
    help="With --loss-expr: transform each logit before the softmax, e.g. 'c*tanh(f_j/c)'.",
)
@click.option(
    "--param-range",
    "param_ranges",
    metavar="NAME=LO..HI",
    multiple=True,
    help="With --loss-expr: a symbolic parameter and its range, e.g. beta=0..1, c=(0..100], z=0.. (no upper end).",
)
@click.option(
    "--min-classes",
    type=click.IntRange(1, 1000),
    default=1,
    show_default=True,
    help="With --loss-expr: the smallest C the loss is meant for (2 for a focal-style (1-p_j)^gamma).",
)
@click.option(
    "-f", "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format."
)
@click.option("--standalone", is_flag=True, help="With --format latex: a complete document for pdflatex.")
@click.option(
    "--form",
    type=click.Choice(["index", "vector"]),
    default="index",
    show_default=True,
    help="vector: also state the result as vectors and matrices (∇_f L = p - y, diag(p) - p pᵀ), checked entry by "
    "entry against the index form.",
)
@click.option(
    "--layout",
    type=click.Choice(["wide", "narrow"]),
    default="wide",
    show_default=True,
    help="With --format latex, png or svg: wide, for one-column pages (5.5 in or wider), sets notes beside each "
    "line; narrow, for two-column pages (a 3.3 in column), breaks formulas shorter and sets notes under each line "
    "(--standalone then sets two columns).",
)
@click.option(
    "--equations-only",
    is_flag=True,
    help="With --format latex: only numbered align environments with a \\label per step, to paste into a paper.",
)
@click.option(
    "--tags",
    is_flag=True,
    help="With --equations-only: number each step's equation as the printout numbers the step (\\tag{3}).",
)
@click.option(
    "--labels-prefix",
    metavar="PREFIX",
    default=None,
    help="With --equations-only: the \\label prefix, e.g. eq:softmax-ce (the default is eq:LOSS).",
)
@click.option(
    "--lang",
    type=click.Choice(LANGS),
    default="en",
    show_default=True,
    help="Language of titles and explanations (zh: Chinese, as in the seed document).",
)
@click.option(
    "--notation", metavar="KEY=NAME,...", default=None, help="Rename symbols, e.g. logits=z,probs=q,labels=t,classes=K."
)
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    default=None,
    help="Write to FILE (atomically; a symlink's target is replaced) instead of standard output; - is stdout.",
)
@_run_limits
@click.option("--allow-unproved", is_flag=True, help="Exit 0 instead of 4 when a step is not proved (only checked).")
def derive(
    classes: int | None,
    index: int | None,
    labels: str,
    target_arg: str | None,
    loss: str,
    params: tuple[str, ...],
    loss_expr: str | None,
    logits_expr: str | None,
    param_ranges: tuple[str, ...],
    min_classes: int,
    fmt: str,
    standalone: bool,
    form: str,
    layout: str,
    equations_only: bool,
    labels_prefix: str | None,
    tags: bool,
    lang: str,
    notation: str | None,
    output: str | None,
    timeout: float,
    memory: int,
    allow_unproved: bool,
) -> None:
    """Derive dL/df_i step by step and verify every step with SymPy.

    \b
    Examples:
      xentderive derive
      xentderive derive -C 10 --format json -o grad.json
      xentderive derive -C 3 --index 1 --notation logits=z,probs=q
      xentderive derive --labels soft --target "p_i - y_i"    # exit 1
      xentderive derive --format latex --standalone -o proof.tex
      xentderive derive --format png -o proof.png --lang zh --notation logits=z
      xentderive derive --loss focal --param gamma=2
      xentderive derive --loss weighted-ce -C 3 --param w0=2 --param w1=0.5
      xentderive derive --loss ce-hessian -C 4    # symmetric, rows sum to 0, PSD
      xentderive derive --loss-expr "sum_j(-y_j*log(p_j)) + beta*sum_j(p_j*log(p_j))" --param-range beta=0..1
      xentderive derive --loss-expr "sum_j(-y_j*log(p_j))" --logits-expr "c*tanh(f_j/c)" --param c=30
    """
    from .errors import InputError
    from .isolation import Limits, run_isolated
    from .output import check_target
    from .printing import BINARY, Notation, RenderOptions

    try:
        target = _usable(check_target(output))
        if index is not None and classes is not None and index >= classes:
            raise InputError(f"--index {index} is out of range for {classes} classes (0…{classes - 1})")
        _check_text(
            ("--target", target_arg),
            ("--notation", notation),
            ("--loss-expr", loss_expr),
            ("--logits-expr", logits_expr),
            *(("--param", v) for v in params),
            *(("--param-range", v) for v in param_ranges),
        )
        if loss_expr is not None and loss != "softmax-ce":
            raise InputError("--loss and --loss-expr cannot be combined: the expression is the loss")
        options = RenderOptions(
            notation=Notation.parse(notation),
            lang=lang,
            standalone=standalone,
            layout=layout,
            equations_only=equations_only,
            labels_prefix=_label_prefix(labels_prefix),
            tags=tags,
        )
        if (tags or labels_prefix is not None) and not equations_only:
            raise InputError("--tags and --labels-prefix go with --equations-only")
        if equations_only and (fmt != "latex" or standalone):
            raise InputError("--equations-only goes with --format latex, without --standalone")
        if fmt in BINARY and target.is_stdout and _tty(sys.stdout):
            raise InputError(f"--format {fmt} is binary: write it with -o FILE or redirect standard output")
    except InputError as err:
        _say(f"error: {err}")
        sys.exit(EXIT_USAGE)
    terminal = target.is_stdout and fmt == "text" and _tty(sys.stdout)
    width = _terminal_width()

    def work() -> tuple[Any, str]:
        from .api import derive as run
        from .params import parse_assignments
        from .printing import FORMATS as PRINTERS

        with _progress("verifying", None, _step_done) as on_step:
            values = parse_assignments(params, bare=loss_expr is not None)
            ranges = parse_assignments(param_ranges, "--param-range")
            names = options.notation.claim_names
            derivation = run(
                classes,
                labels=labels,
                target=target_text,
                loss=loss,
                names=names,
                params=values,
                on_step=on_step,
                loss_expr=loss_expr,
                logits_expr=logits_expr,
                param_ranges=ranges,
                min_classes=min_classes,
                form=form,
                letters=options.notation.letters(),
                chosen=dict(options.notation.shown),  # T=\\tau: a parameter's letter, checked against the loss
            )
        shown = derivation.at_index(index) if index is not None else derivation
        rendered = _terminal_text(shown, options, width) if terminal else PRINTERS[fmt](shown, options)
        return rendered, derivation.outcome.value

    target_text = target_arg
    rendered, outcome = _finish(run_isolated(work, Limits(timeout, memory)))
    _emit(target, rendered)
    sys.exit(_exit_for(outcome, allow_unproved))


def _label_prefix(prefix: str | None) -> str:
    """A \\label prefix LaTeX takes as is: letters, digits and : - . _ only."""
    from .errors import InputError

    if prefix is None:
        return ""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9:._-]{0,63}", prefix):
        raise InputError(f"--labels-prefix {prefix!r}: use 1-64 letters, digits and : - . _, starting with a letter")
    return prefix


def _tty(stream: Any) -> bool:
    """A terminal? False for a closed stream (`>&-` leaves sys.stdout None)."""
    try:
        return stream is not None and stream.isatty()
    except (OSError, ValueError):
        return False


def _usable(target: Any) -> Any:
    """The output target, refused up front when it is a standard output that is closed."""
    from .errors import InputError

    if target.is_stdout and sys.stdout is None:
        raise InputError("standard output is closed: redirect it or write with -o FILE")
    return target


def _check_text(*given: tuple[str, str | None]) -> None:
    """Arguments must be text: an invalid UTF-8 byte arrives as a lone surrogate and is refused here."""
    from .errors import InputError

    for flag, text in given:
        if text is not None:
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise InputError(f"{flag} is not valid UTF-8 text") from None


def _terminal_width() -> int:
    import shutil

    return max(40, min(shutil.get_terminal_size((120, 24)).columns, 400))


def _terminal_text(derivation: Any, options: Any, width: int) -> str:
    """The terminal view as text: with colour on a terminal, with no escape codes at all under NO_COLOR."""
    import io

    from rich.console import Console

    from .printing.text import TextView

    plain = bool(os.environ.get("NO_COLOR")) or os.environ.get("TERM") == "dumb"
    buffer = io.StringIO()
    Console(file=buffer, width=width, force_terminal=not plain, color_system=None if plain else "auto").print(
        TextView(derivation, options)
    )
    return buffer.getvalue()


def _finish(done: Any) -> Any:
    """The worker's value, or the exit that its end calls for (one line each)."""
    if done.kind == "done":
        return done.value
    if done.kind == "input":
        _say(f"error: {done.message}")
        sys.exit(EXIT_USAGE)
    if done.kind in ("timeout", "memory"):
        _say(done.message)
        sys.exit(EXIT_LIMIT)
    _internal(done.message)
    return None


def _emit(target: Any, data: str | bytes) -> None:
    """Write the finished result: atomically to a file, or safely to standard output."""
    from .errors import InputError
    from .output import StdoutError, write_atomic, write_stdout

    try:
        if target.is_stdout:
            write_stdout(data)
        else:
            write_atomic(target, data)
    except StdoutError as err:
        if not err.broken_pipe:
            _say(f"error: {err}")
        sys.exit(EXIT_USAGE)
    except InputError as err:
        _say(f"error: {err}")
        sys.exit(EXIT_USAGE)


def _exit_for(outcome: str, allow_unproved: bool) -> int:
    if outcome == "failed":
        return EXIT_FAILED
    if outcome == "unproved" and not allow_unproved:
        return EXIT_UNPROVED
    return EXIT_OK


@contextmanager
def _progress(label: str, total: int | None, describe: Callable[[Any], str]) -> Iterator[Any]:
    """A transient progress display on an interactive stderr; nothing when piped or in CI.

    Yields the callback to hand to the library (called once per finished step or case).
    """
    if not _tty(sys.stderr) or os.environ.get("CI") or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    counted = (BarColumn(), MofNCompleteColumn()) if total else (SpinnerColumn(),)
    columns = (TextColumn(label), *counted, TimeElapsedColumn(), TextColumn("{task.description}"))
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("", total=total)
        yield lambda item: bar.update(task, advance=1, description=describe(item))


@main.command()
@click.option(
    "-C",
    "--classes",
    metavar="LIST",
    default=None,
    help='Comma-separated numbers of classes and/or C, e.g. "2,3,10,C" (default: 1,2,3,10,C).',
)
@click.option("--loss", metavar="NAME", default=None, help="Check only this derivation (see `xentderive list`).")
@click.option("--param", "params", metavar="NAME=VALUE", multiple=True, help="A parameter value for --loss.")
@click.option("--loss-expr", metavar="EXPR", default=None, help="Check a loss of your own (see `derive --help`).")
@click.option("--logits-expr", metavar="EXPR", default=None, help="With --loss-expr: transform the logits first.")
@click.option(
    "--param-range",
    "param_ranges",
    metavar="NAME=LO..HI",
    multiple=True,
    help="With --loss-expr: a symbolic parameter.",
)
@click.option(
    "--min-classes", type=click.IntRange(1, 1000), default=1, help="With --loss-expr: the smallest C the loss is for."
)
@click.option("--labels", type=click.Choice(["onehot", "soft"]), default=None, help="Check only these labels.")
@click.option("--target", metavar="EXPR", default=None, help="Check this claim instead of the closed form.")
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="The full catalogue: every derivation, both kinds of labels, C = 1, 2, 3, 10 and C "
    "(without configuration the default is a quick smoke suite).",
)
@click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False),
    default=None,
    help="A TOML file with the suite (default: [tool.xentderive] in the nearest pyproject.toml).",
)
@click.option(
    "--numeric/--no-numeric",
    default=None,
    help="Also check against mpmath central differences of the definition (default: on).",
)
@click.option(
    "--timeout",
    type=Seconds(),
    default=None,
    help=f"Time limit per case (default {DEFAULT_TIMEOUT:g}); a case past it is reported and the suite goes on.",
)
@click.option(
    "--memory",
    type=MemorySize(),
    default=None,
    help=f"Memory limit per case, e.g. 4G (default {describe_memory(DEFAULT_MEMORY)}).",
)
@click.option(
    "--allow-unproved",
    is_flag=True,
    default=None,
    help="Count a case that is not proved (only checked) as a pass: exit 0 instead of 4.",
)
@click.option("--seed", type=int, default=None, help="Seed of the numeric witness's random points (default 0).")
@click.option(
    "-j",
    "--jobs",
    type=Jobs(),
    default=None,
    help="Cases run at once, each in its own worker process (default: auto, the number of cores; "
    "never more than the cores, since time limits are wall time).",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "junit", "github"]),
    default="text",
    show_default=True,
    help="Report format; github also appends a table to $GITHUB_STEP_SUMMARY.",
)
@click.option(
    "-o", "--output", metavar="FILE", default=None, help="Write the report to FILE (atomically); - is stdout."
)
@click.option(
    "--list",
    "list_only",
    is_flag=True,
    help="Print the cases the suite would run, one per line, and exit 0 without running them.",
)
def check(
    classes: str | None,
    loss: str | None,
    params: tuple[str, ...],
    loss_expr: str | None,
    logits_expr: str | None,
    param_ranges: tuple[str, ...],
    min_classes: int,
    labels: str | None,
    target: str | None,
    everything: bool,
    config: str | None,
    numeric: bool | None,
    timeout: float | None,
    memory: int | None,
    allow_unproved: bool | None,
    seed: int | None,
    jobs: int | str | None,
    fmt: str,
    output: str | None,
    list_only: bool,
) -> None:
    """Run a suite of gradient proofs: a gate for CI that fails when a claim is wrong.

    Each case is proved or verified symbolically and, by default, compared with
    high-precision central differences of the loss's definition. Flags win over the
    configuration file, which wins over the default suite.

    \b
    Examples:
      xentderive check                    # the smoke suite, or [tool.xentderive]
      xentderive check --all -j auto      # the full catalogue, a worker per core
      xentderive check --all --list       # its cases, without running them
      xentderive check --classes 2,3,10,C --format junit -o proofs.xml
      xentderive check --format github
      xentderive check --target "p_i - 2*y_i" -C 3       # exit 1, with a counterexample
      xentderive check --loss-expr "sum_j(-y_j*log(p_j)) + z*log(sum_j(exp(f_j)))^2" --param z=0.0001

    \b
    Exit codes: 0 every case proved/verified, 1 a case failed, 2 bad input or
    configuration, 3 a case hit its time or memory limit, 4 a case is not proved,
    70 internal error, 130 interrupted (in that order of precedence).
    """
    from .config import validate_cases
    from .custom import declare
    from .errors import InputError
    from .output import check_target
    from .params import parse_assignments
    from .suite import (
        SMOKE_CLASSES,
        Case,
        Settings,
        build_cases,
        find_pyproject,
        load_config,
        parse_classes,
        run_suite,
        smoke_claims,
    )

    try:
        _check_text(
            ("--target", target),
            ("--classes", classes),
            ("--loss-expr", loss_expr),
            ("--logits-expr", logits_expr),
            *(("--param", v) for v in params),
            *(("--param-range", v) for v in param_ranges),
        )
        if list_only and (output is not None or fmt != "text"):
            raise InputError("--list prints the case names to standard output: it takes no -o or --format")
        report_target = _usable(check_target(output))
        path = Path(config) if config else find_pyproject(Path.cwd())
        claims, sizes, values = load_config(path) if path else (None, None, {})
        if classes is not None:
            sizes = parse_classes(classes)
        if loss_expr is not None:
            if loss is not None:
                raise InputError("--loss and --loss-expr cannot be combined: the expression is the loss")
            loss, declared = declare(
                loss_expr,
                logits_expr,
                parse_assignments(params, bare=True),
                parse_assignments(param_ranges, "--param-range"),
                min_classes=min_classes,
            )
        elif logits_expr is not None or param_ranges or min_classes != 1:
            raise InputError("--logits-expr, --param-range and --min-classes need --loss-expr")
        elif params and loss is None:
            raise InputError("--param needs --loss: parameters belong to one derivation")
        if loss is not None or labels or target is not None:
            if everything:
                raise InputError(
                    "--all (the whole catalogue) cannot be combined with --loss, --loss-expr, --labels or --target"
                )
            given = tuple(sorted((declared if loss_expr is not None else parse_assignments(params)).items()))
            claims = [(Case("softmax-ce" if loss is None else loss, labels or "onehot", None, target, given), None)]
        elif everything:
            claims = None
        elif claims is None and path is None:  # no configuration at all: the quick smoke suite
            claims, sizes = smoke_claims(), sizes or SMOKE_CLASSES
        settings = Settings(**values)
        settings.numeric = settings.numeric if numeric is None else numeric
        settings.timeout = timeout or settings.timeout
        settings.memory = memory or settings.memory
        settings.allow_unproved = settings.allow_unproved if allow_unproved is None else allow_unproved
        settings.seed = settings.seed if seed is None else seed
        settings.jobs = settings.jobs if jobs is None else jobs
        validate_cases(claims, sizes)
        cases = build_cases(claims, sizes)
        _check_targets(cases)
        narrowed = loss is not None or loss_expr is not None or labels or target is not None
        if path is not None and not narrowed:  # the configuration's own documents: verify = ["paper/*.tex"]
            from .config import load_verify

            cases += load_verify(path)
    except InputError as err:
        _say(f"error: {err}")
        sys.exit(EXIT_USAGE)
    if list_only:
        for case in cases:
            click.echo(case.name)
        return
    with _progress("checking", len(cases), lambda r: f"{r.case.name}: {r.status}") as on_case:
        result = run_suite(cases, settings, on_case)
    _report(result, fmt, report_target)


@main.command("check-impl")
@click.argument("function", metavar="MODULE:FUNCTION", required=False)
@click.option(
    "--loss", metavar="NAME", default=None, help="The loss the function's gradient is of (default softmax-ce)."
)
@click.option("--param", "params", metavar="NAME=VALUE", multiple=True, help="A parameter of the loss, e.g. eps=0.1.")
@click.option("--loss-expr", metavar="EXPR", default=None, help="A loss of your own as the reference (see derive).")
@click.option(
    "--dtype", type=click.Choice(["float64", "float32", "bfloat16"]), default=None, help="Inputs' dtype (float64)."
)
@click.option(
    "--targets", type=click.Choice(["probs", "index"]), default=None, help="(N, C) probabilities or (N,) indices."
)
@click.option(
    "--reduction",
    type=click.Choice(["sum", "mean"]),
    default=None,
    help="sum: each row's gradient; mean: over the kept rows (index -100 is ignored).",
)
@click.option("-C", "--classes", metavar="LIST", default=None, help="Class counts, e.g. 2,3,10,1000 (the default).")
@click.option("--ulps", type=click.FloatRange(min=0), default=None, help="Tolerance in ULPs of each row's scale.")
@click.option("--samples", type=click.IntRange(1, 1000), default=None, help="Rows per batch (default 6).")
@click.option("--seed", type=int, default=None, help="Seed of the inputs (default 0).")
@click.option("--config", type=click.Path(dir_okay=False), default=None, help="A TOML file with an [impl] table.")
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["text", "json", "junit", "github"]), default="text", show_default=True
)
@click.option("-o", "--output", metavar="FILE", default=None, help="Write the report to FILE (atomically).")
@click.option(
    "--timeout", type=Seconds(), default=None, help=f"Time limit (default {DEFAULT_TIMEOUT:g} s per class count)."
)
@click.option(
    "--memory",
    type=MemorySize(),
    default=DEFAULT_MEMORY,
    show_default=describe_memory(DEFAULT_MEMORY),
    help="Memory limit, e.g. 4G.",
)
def check_impl(
    function: str | None,
    loss: str | None,
    params: tuple[str, ...],
    loss_expr: str | None,
    dtype: str | None,
    targets: str | None,
    reduction: str | None,
    classes: str | None,
    ulps: float | None,
    samples: int | None,
    seed: int | None,
    config: str | None,
    fmt: str,
    output: str | None,
    timeout: float | None,
    memory: int,
) -> None:
    """Test a gradient implementation against the exact, proved closed form.

    FUNCTION is called as fn(logits, targets) -> grad on NumPy arrays of shape (N, C)
    (targets: (N, C) probabilities or (N,) class indices) with random and adversarial
    inputs (large and huge logits, equal logits, a dominant logit, one-hot and soft
    labels); each component is compared with the loss's closed form, proved for every C
    and evaluated at 30 digits (gmpy2, else mpmath), in ULPs of the row's scale. Without FUNCTION,
    [tool.xentderive.impl] in pyproject.toml says what to test.

    \b
    Examples:
      xentderive check-impl mygrads:ce_backward
      xentderive check-impl mygrads:smoothed --loss label-smoothing --param eps=0.1 --dtype float32
      xentderive check-impl mygrads:mean_ce --targets index --reduction mean -f junit -o impl.xml

    \b
    Exit codes: 0 within tolerance everywhere, 1 a component is off (the worst input
    is printed as a reproducer), 2 bad input, 3 a time or memory limit, 70 internal error.
    """
    from .config import load_impl
    from .errors import InputError
    from .isolation import Limits, run_isolated
    from .output import check_target
    from .params import parse_assignments
    from .suite import find_pyproject, parse_classes

    try:
        report_target = _usable(check_target(output))
        path = Path(config) if config else find_pyproject(Path.cwd())
        table = load_impl(path) if path else {}
        function = function or table.get("function")
        if not function:
            raise InputError('give MODULE:FUNCTION, or function = "..." in [tool.xentderive.impl]')
        given = table.get("params", {}) | {
            k: _weights(k, v) if "," in v else v for k, v in parse_assignments(params).items()
        }  # a class weight vector as --param w=1,2,3
        sizes = parse_classes(classes) if classes else table.get("classes", (2, 3, 10, 1000))
        if any(size is None for size in sizes):
            raise InputError("--classes: an implementation is tested at numbers of classes, not at C")
        options = {
            "loss": loss or table.get("loss", "softmax-ce"),
            "params": given,
            "dtype": dtype or table.get("dtype", "float64"),
            "targets": targets or table.get("targets", "probs"),
            "reduction": reduction or table.get("reduction", "sum"),
            "samples": samples or table.get("samples", 6),
            "seed": table.get("seed", 0) if seed is None else seed,
            "ulps": table.get("ulps") if ulps is None else ulps,
            "loss_expr": loss_expr or table.get("loss-expr"),
        }
    except InputError as err:
        _say(f"error: {err}")
        sys.exit(EXIT_USAGE)
    limit = (timeout or DEFAULT_TIMEOUT) * len(sizes)

    def work():
        from .testing import per_size

        return per_size(function, options, sizes)

    reports = _finish(run_isolated(work, Limits(limit, memory)))
    _report(_impl_suite(function, options, sizes, reports), fmt, report_target)


def _weights(name: str, text: str) -> list[float]:
    """``1,2,0.5`` as numbers (a class weight vector for check-impl); InputError otherwise."""
    from .params import exact_number

    return [float(exact_number(f"--param {name}", part)) for part in text.split(",")]


def _impl_suite(function: str, options: dict, sizes: tuple, reports: list) -> Any:
    """check-impl's reports as a suite, one case per class count, so every check format renders them."""
    from .suite import Case, CaseResult, Settings, SuiteResult, Witness
    from .testing import NOTE

    results = []
    for size, (report, seconds) in zip(sizes, reports, strict=True):
        labels = "onehot" if options["targets"] == "index" else "soft"
        target = f"impl {function} {report.dtype} reduction={report.reduction}"
        case = Case(report.loss, labels, size, target, tuple(sorted((k, str(v)) for k, v in options["params"].items())))
        status = "passed" if report.passed else "failed"
        result = CaseResult(case, status, seconds, [Witness("numeric", status, report.summary())])
        if not report.passed:
            result.message = report.summary()
            result.counterexample = report.reproducer(function.partition(":")[2])
        results.append(result)
    total = sum(seconds for _, seconds in reports)
    return SuiteResult(results, total, Settings(numeric=True), command="xentderive check-impl", note=NOTE)


def _report(result: Any, fmt: str, target: Any) -> None:
    """A suite's report in `fmt` to `target` (github also appends the step summary), then its exit code:
    check and check-impl alike."""
    from .reports import REPORTS

    report = REPORTS[fmt](result)
    if fmt == "github":
        from .reports.github import append_step_summary

        warning = append_step_summary(result, os.environ.get("GITHUB_STEP_SUMMARY"))
        if warning:
            _say(f"warning: {warning}")
    _emit(target, report)
    sys.exit(result.exit_code)


def _check_targets(cases: list) -> None:
    """Every claim's target parses (one line, exit 2, before any case runs), as `derive` would say."""
    from .api import build

    seen = set()
    for case in cases:
        key = (case.loss, case.labels, case.target, case.params, case.classes is None)
        if case.target is None or key in seen:
            continue
        seen.add(key)
        build(case.classes, labels=case.labels, target=case.target, loss=case.loss, params=dict(case.params))


def _step_done(step: Any) -> str:
    """A finished step for the progress line, its title rendered as plain text (no $ or @f)."""
    from .printing.notation import prose

    return f"{prose(step.title)}: {step.status.value}"


@main.command("verify")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option(
    "-C",
    "--classes",
    type=Classes(),
    default="C",
    show_default=True,
    help="Check every link for every number of classes (C), or exactly at this number.",
)
@click.option(
    "--labels",
    type=click.Choice(["onehot", "soft"]),
    default="onehot",
    show_default=True,
    help="onehot: the labels sum to 1 (one-hot or a probability vector); soft: no assumption.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github", "junit"]),
    default="text",
    show_default=True,
    help="text: file:line and the verdict; github: annotations on the lines; junit: XML.",
)
@click.option("-o", "--output", metavar="FILE", default=None, help="Write the report to FILE (atomically).")
@_run_limits
def verify_command(
    files: tuple[str, ...], classes: int | None, labels: str, fmt: str, output: str | None, timeout: float, memory: int
) -> None:
    """Check the derivation YOU wrote: every link of every chain, line by line.

    Reads .tex, .md, .ipynb (Markdown cells) and plain text; - is standard input.
    The document's definitions give its names their meaning (a softmax, a loss,
    anything built from them); each link is proved for every C, verified at -C N,
    or wrong with a counterexample. Exit 0 only if every link holds.

    \b
    Examples:
      xentderive verify paper.tex
      xentderive verify notes.md -C 3
      xentderive verify post.md --format github     # annotations in a pull request
      cat page.txt | xentderive verify -
    """
    from .errors import InputError
    from .isolation import Limits, run_isolated
    from .output import check_target

    try:
        target = _usable(check_target(output))
        if output not in (None, "-") and any(_same_file(output, name) for name in files if name != "-"):
            raise InputError(f"-o {output}: that is a file to verify; the report would overwrite it")
        sources = [(name, _read_input(name)) for name in files]
    except InputError as err:
        _say(f"error: {err}")
        sys.exit(EXIT_USAGE)

    def work() -> tuple[str, bool, bool]:
        from .userdoc.check import verify_file
        from .userdoc.formats import RENDERERS

        reports = [verify_file(name if name != "-" else "<stdin>", data, classes, labels) for name, data in sources]
        unproved_only = all(v.status in ("proved", "verified", "not-proved") for r in reports for v in r.links) and any(
            v.status == "not-proved" for r in reports for v in r.links
        )
        return RENDERERS[fmt](reports), all(r.ok for r in reports), unproved_only

    rendered, ok, unproved_only = _finish(run_isolated(work, Limits(timeout, memory)))
    _emit(target, rendered)
    sys.exit(EXIT_OK if ok else EXIT_UNPROVED if unproved_only else EXIT_FAILED)


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _read_input(name: str) -> bytes:
    """A file's bytes, or standard input's for -; a clear one-line error otherwise."""
    from .errors import InputError
    from .userdoc.extract import MAX_BYTES

    if name == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise InputError(f"standard input: more than {MAX_BYTES:,} bytes")
        return data
    path = Path(name)
    try:
        if path.is_dir():
            raise InputError(f"{name}: a directory, not a file")
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as err:
        from .output import describe_error

        raise InputError(f"{name}: cannot read: {describe_error(err)}") from None
    if len(data) > MAX_BYTES:
        raise InputError(f"{name}: larger than {MAX_BYTES:,} bytes; a derivation is far smaller")
    return data


@main.command(name="list")
def list_derivations() -> None:
    """List every derivation: its name, what it proves, and its parameters.

    \b
    Example:
      xentderive list
      xentderive derive --loss temperature --param T=2
    """
    import io

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from .derivations import REGISTRY
    from .output import check_target

    table = Table(title="derivations", title_justify="left")
    for column in ("name", "proves", "parameters"):
        table.add_column(column)
    for spec in REGISTRY.values():
        params = "; ".join(f"{p.label()}: {p.description} ({p.rule})" for p in spec.params) or "-"
        table.add_row(Text(spec.name), Text(spec.summary), Text(params))
    tty = _tty(sys.stdout)
    plain = not tty or bool(os.environ.get("NO_COLOR")) or os.environ.get("TERM") == "dumb"
    buffer = io.StringIO()
    width = _terminal_width() if tty else 140
    Console(file=buffer, width=width, force_terminal=not plain, color_system=None if plain else "auto").print(table)
    _emit(check_target(None), buffer.getvalue())
