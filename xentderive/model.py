"""A derivation is data: a list of step records whose status verification fills in."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from itertools import pairwise

from sympy import Expr, Integer
from sympy.core.parameters import evaluate

from .context import Context
from .semantics import instantiate


class Status(StrEnum):
    """How much a step's check established; only PROVED and VERIFIED are passes.

    CHECKED and UNPROVED are "not proved" (exit 4): no finite list of C, and no failed
    search for a counterexample, is a proof.
    """

    PENDING = "pending"
    PROVED = "proved"  # symbolic identity, every C
    VERIFIED = "verified"  # exact identity for this concrete C, every index
    CHECKED = "checked"  # exact, but only for the listed values of C: not proved
    UNPROVED = "unproved"  # neither shown nor refuted (e.g. a side condition not shown)
    FAILED = "failed"

    @property
    def passed(self) -> bool:
        return self in (Status.PROVED, Status.VERIFIED)

    @property
    def unproved(self) -> bool:
        return self in (Status.CHECKED, Status.UNPROVED, Status.PENDING)


class Outcome(StrEnum):
    """What a whole run established: the CLI maps it to exit 0, 1 or 4."""

    PASSED = "passed"
    FAILED = "failed"
    UNPROVED = "unproved"


@dataclass
class Line:
    """One expression of an equation chain, with the reason it equals the one before.

    `relation` is "=" or "≥" (the line before is at least this one, e.g. ``… ≥ 0``).
    """

    expr: Expr
    note: str = ""
    relation: str = "="


@dataclass
class Counterexample:
    """Concrete values at which two sides differ: what a user can re-check by hand."""

    classes: int
    index: dict[str, int]
    f: list[str]
    y: list[str]
    lhs: Expr
    rhs: Expr
    lhs_value: str
    rhs_value: str
    others: dict[str, list[str]] = field(default_factory=dict)  # other per-class inputs, e.g. weights
    params: dict[str, str] = field(default_factory=dict)  # the symbolic parameters' values at this point


@dataclass
class Step:
    """One step of the seed: a title, the rule used, and equation chains to check."""

    key: str
    title: str
    justification: str
    chains: list[list[Line]]
    assumptions: tuple[str, ...] = ()
    status: Status = Status.PENDING
    method: str = ""
    remarks: list[str] = field(default_factory=list)  # prose, one fragment each
    counterexample: Counterexample | None = None

    def links(self) -> list[tuple[Line, Line]]:
        """Every adjacent pair of every chain: each one is a claimed equality."""
        return [(a, b) for chain in self.chains for a, b in pairwise(chain)]


def lines_hold(steps: list[Step], atom) -> bool:
    """Does any line of any chain of `steps` hold `atom` (a log, the labels)? What a derivation
    states about itself (its assumptions, its header) follows what its lines use."""
    return any(line.expr.has(atom) for step in steps for chain in step.chains for line in chain)


@dataclass
class Derivation:
    """The steps of one loss's gradient, the claim checked at the end, and the context."""

    loss: str
    ctx: Context
    labels: str
    assumptions: list[str]  # prose: $…$ math with @f/@p/@y/@C names
    steps: list[Step]
    claim: Step
    result: Expr
    target: str
    conventions: list[str] = field(default_factory=list)  # prose
    params: dict[str, str] = field(default_factory=dict)  # name → value, for the parameters given one
    free_params: list[str] = field(default_factory=list)  # the parameters left symbolic (a proof for every value)
    given: dict = field(default_factory=dict, repr=False, compare=False)  # build()'s keyword arguments
    vector: object | None = None  # vector.VectorForm with --form vector: the result as p - y, diag(p) - p pᵀ

    @property
    def all_steps(self) -> list[Step]:
        return [*self.steps, self.claim]

    @property
    def ok(self) -> bool:
        """Every step proved (symbolic C) or verified exactly (concrete C)."""
        return all(s.status.passed for s in self.all_steps)

    @property
    def has_labels(self) -> bool:
        """Do the labels appear at all? The softmax's Jacobian has none: "labels onehot" says nothing there."""
        return lines_hold(self.all_steps, self.ctx.y)

    def labels_note(self, before: str = ", labels ") -> str:
        """`before` and the labels' kind for a header line, or nothing where there are no labels."""
        return f"{before}{self.labels}" if self.has_labels else ""

    @property
    def complete(self) -> bool:
        """Kept for the JSON format: the same as `ok` now that "checked" is not a pass."""
        return self.ok

    @property
    def outcome(self) -> Outcome:
        """FAILED if any step failed; else UNPROVED if any step is not proved; else PASSED."""
        statuses = {s.status for s in self.all_steps}
        if Status.FAILED in statuses:
            return Outcome.FAILED
        return Outcome.PASSED if self.ok else Outcome.UNPROVED

    def _repr_markdown_(self) -> str:
        """Jupyter shows the derivation as Markdown with rendered mathematics."""
        from .printing.markdown import render  # printing depends on the model, not the reverse

        return render(self)

    def _repr_html_(self) -> str:
        """Jupyter's first choice: a compact view, status marks and titles, the math by MathJax."""
        from .printing.html import render

        return render(self)

    def _repr_latex_(self) -> str:
        """Pure math that MathJax can show: the derived gradient (`printing.latex` has the document)."""
        from .printing.html import result_math

        return result_math(self)

    def __repr__(self) -> str:
        """`<Derivation softmax-ce, every C: proved, 10 steps>`: what was established, in one line."""
        where = "every C" if self.ctx.symbolic else f"C = {self.ctx.classes}"
        verdict = {
            Outcome.PASSED: "proved" if self.ctx.symbolic else "verified",
            Outcome.FAILED: "failed",
            Outcome.UNPROVED: "not proved",
        }[self.outcome]
        if Status.PENDING in {s.status for s in self.all_steps}:
            verdict = "not verified yet"
        return f"<Derivation {self.loss}, {where}: {verdict}, {len(self.all_steps)} steps>"

    def __rich__(self):
        """`rich.print(derivation)` shows the terminal view."""
        from .printing.text import TextView

        return TextView(self)

    def at_index(self, index: int) -> Derivation:
        """The same derivation displayed for component i = index (statuses unchanged)."""
        value = {self.ctx.i: Integer(index)}

        def inst(step: Step) -> Step:
            with evaluate(False):  # keep each line as written
                chains = [[Line(instantiate(ln.expr, value), ln.note) for ln in chain] for chain in step.chains]
            return replace(step, chains=chains)

        return replace(
            self,
            steps=[inst(s) for s in self.steps],
            claim=inst(self.claim),
            result=instantiate(self.result, value),
        )
