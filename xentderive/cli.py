"""The command line: parse, call the library, render, pick the exit code. Nothing else.

SymPy is imported inside the commands, so `--help` and `--version` stay fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from . import __version__
from .limits import MAX_CLASSES
from .timing import TimeLimit, time_limit

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_TIMEOUT = 0, 1, 2, 3
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
            if not text.lstrip("-").isdigit():
                self.fail(f"{value!r} is neither a whole number nor the letter C", param, ctx)
            number = int(text)
        if number < 1:
            self.fail(f"{number} is below 1: there must be at least one class", param, ctx)
        if number > MAX_CLASSES:
            self.fail(f"{number} is above the maximum of {MAX_CLASSES}", param, ctx)
        return number


class OneLineErrors(click.Group):
    """Every usage error is one line on stderr and exit code 2, never a traceback."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.Exit as done:
            sys.exit(done.exit_code)
        except click.ClickException as err:
            click.echo(f"xentderive: error: {err.format_message()}", err=True)
            sys.exit(EXIT_USAGE)
        except click.exceptions.Abort:
            click.echo("xentderive: aborted", err=True)
            sys.exit(EXIT_FAILED)


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="xentderive")
def main() -> None:
    """Derive, print and verify the gradient of softmax cross-entropy with SymPy.

    \b
    Examples:
      xentderive derive                      # proof for every number of classes C
      xentderive derive -C 3                 # exact check for 3 classes, every i
      xentderive derive -C 3 --format latex  # align* blocks for a paper
      xentderive derive --labels soft        # ends at p_i*sum_j(y_j) - y_i
      xentderive derive -C 3 --target "p_i - 2*y_i"   # exit 1, with a counterexample

    Exit codes: 0 all verified, 1 a step or claim failed, 2 bad input, 3 time-out.
    """


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
    "-f", "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format."
)
@click.option("--standalone", is_flag=True, help="With --format latex: a complete document for pdflatex.")
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
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write to FILE (atomically) instead of standard output.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    metavar="SECONDS",
    help="Give up after SECONDS (exit 3).",
)
def derive(
    classes: int | None,
    index: int | None,
    labels: str,
    target: str | None,
    loss: str,
    params: tuple[str, ...],
    fmt: str,
    standalone: bool,
    lang: str,
    notation: str | None,
    output: str | None,
    timeout: float | None,
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
    """
    from .api import derive as run
    from .errors import InputError
    from .params import parse_assignments
    from .printing import BINARY, Notation, RenderOptions
    from .printing import FORMATS as PRINTERS
    from .printing.text import TextView

    try:
        if index is not None and classes is not None and index >= classes:
            raise InputError(f"--index {index} is out of range for {classes} classes (0…{classes - 1})")
        options = RenderOptions(notation=Notation.parse(notation), lang=lang, standalone=standalone)
        if fmt in BINARY and output is None and sys.stdout.isatty():
            raise InputError(f"--format {fmt} is binary: write it with -o FILE or redirect standard output")
        with time_limit(timeout), _progress("verifying", None, _step_done) as on_step:
            names = asdict(options.notation)
            values = parse_assignments(params)
            derivation = run(
                classes, labels=labels, target=target, loss=loss, names=names, params=values, on_step=on_step
            )
    except InputError as err:
        click.echo(f"xentderive: error: {err}", err=True)
        sys.exit(EXIT_USAGE)
    except TimeLimit:
        click.echo(f"xentderive: time limit of {timeout:g} s reached before verification finished", err=True)
        sys.exit(EXIT_TIMEOUT)
    shown = derivation.at_index(index) if index is not None else derivation
    if output is None and fmt == "text" and sys.stdout.isatty():
        from rich.console import Console

        Console().print(TextView(shown, options))
        sys.exit(EXIT_OK if derivation.ok else EXIT_FAILED)
    try:
        rendered = PRINTERS[fmt](shown, options)
    except InputError as err:  # a missing pdflatex / pdftoppm, named with its package
        click.echo(f"xentderive: error: {err}", err=True)
        sys.exit(EXIT_USAGE)
    if output is not None:
        from .output import write_atomic

        write_atomic(Path(output), rendered)
    elif isinstance(rendered, bytes):
        sys.stdout.buffer.write(rendered)
    else:
        click.echo(rendered, nl=False)
    sys.exit(EXIT_OK if derivation.ok else EXIT_FAILED)


@contextmanager
def _progress(label: str, total: int | None, describe: Callable[[Any], str]) -> Iterator[Any]:
    """A transient progress display on an interactive stderr; nothing when piped or in CI.

    Yields the callback to hand to the library (called once per finished step or case).
    """
    if not sys.stderr.isatty() or os.environ.get("CI"):
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
@click.option("--labels", type=click.Choice(["onehot", "soft"]), default=None, help="Check only these labels.")
@click.option("--target", metavar="EXPR", default=None, help="Check this claim instead of the closed form.")
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
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    metavar="SECONDS",
    help="Time limit per case; a case past it is reported as a time-out and the suite goes on.",
)
@click.option("--seed", type=int, default=None, help="Seed of the numeric witness's random points (default 0).")
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
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write the report to FILE (atomically).",
)
def check(
    classes: str | None,
    loss: str | None,
    params: tuple[str, ...],
    labels: str | None,
    target: str | None,
    config: str | None,
    numeric: bool | None,
    timeout: float | None,
    seed: int | None,
    fmt: str,
    output: str | None,
) -> None:
    """Run a suite of gradient proofs: a gate for CI that fails when a claim is wrong.

    Each case is proved or verified symbolically and, by default, compared with
    high-precision central differences of the loss's definition. Flags win over the
    configuration file, which wins over the default suite.

    \b
    Examples:
      xentderive check
      xentderive check --classes 2,3,10,C --format junit -o proofs.xml
      xentderive check --format github
      xentderive check --target "p_i - 2*y_i" -C 3       # exit 1, with a counterexample

    Exit codes: 0 all cases hold, 1 a case failed, 2 bad input or configuration,
    3 a case timed out (and none failed).
    """
    from .errors import InputError
    from .params import parse_assignments
    from .reports import REPORTS
    from .suite import Case, Settings, build_cases, find_pyproject, load_config, parse_classes, run_suite

    try:
        path = Path(config) if config else find_pyproject(Path.cwd())
        if config and not Path(config).is_file():
            raise InputError(f"--config {config}: no such file")
        claims, sizes, values = load_config(path) if path else (None, None, {})
        if classes is not None:
            sizes = parse_classes(classes)
        if loss or labels or target:
            given = tuple(sorted(parse_assignments(params).items()))
            claims = [(Case(loss or "softmax-ce", labels or "onehot", None, target, given), None)]
        settings = Settings(**values)
        settings.numeric = settings.numeric if numeric is None else numeric
        settings.timeout = timeout or settings.timeout
        settings.seed = settings.seed if seed is None else seed
        cases = build_cases(claims, sizes)
    except InputError as err:
        click.echo(f"xentderive: error: {err}", err=True)
        sys.exit(EXIT_USAGE)
    with _progress("checking", len(cases), lambda r: f"{r.case.name}: {r.status}") as on_case:
        result = run_suite(cases, settings, on_case)
    report = REPORTS[fmt](result)
    if fmt == "github" and os.environ.get("GITHUB_STEP_SUMMARY"):
        from .reports.github import step_summary

        with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as handle:
            handle.write(step_summary(result))
    if output is None:
        click.echo(report, nl=False)
    else:
        from .output import write_atomic

        write_atomic(Path(output), report)
    sys.exit(result.exit_code)


def _step_done(step: Any) -> str:
    """A finished step for the progress line, its title rendered as plain text (no $ or @f)."""
    from .printing.notation import prose

    return f"{prose(step.title)}: {step.status.value}"


@main.command(name="list")
def list_derivations() -> None:
    """List every derivation: its name, what it proves, and its parameters.

    \b
    Example:
      xentderive list
      xentderive derive --loss temperature --param T=2
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from .derivations import REGISTRY

    table = Table(title="derivations", title_justify="left")
    for column in ("name", "proves", "parameters"):
        table.add_column(column)
    for spec in REGISTRY.values():
        params = "; ".join(f"{p.label()}: {p.description} ({p.rule})" for p in spec.params) or "-"
        table.add_row(Text(spec.name), Text(spec.summary), Text(params))
    Console(width=None if sys.stdout.isatty() else 140).print(table)
