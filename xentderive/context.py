"""The objects a derivation talks about: classes C, indices, f, y, p, L and the softmax sum.

A `Context` is built once per run, for a concrete number of classes or for the
symbol C. Display expressions are written over these objects; `meaning` (in
`semantics.py`) maps them back to the definitions for verification.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from sympy import (
    Expr,
    IndexedBase,
    Integer,
    KroneckerDelta,
    Sum,
    Symbol,
    Tuple,
    exp,
    log,
)
from sympy.core.parameters import evaluate


class SumExcept(Expr):
    """Display form of ``Σ_{var≠excluded} body``: the sum over all classes but one.

    SymPy has no sum with a hole in it; this keeps the seed's notation on screen
    while `as_sum` gives the meaning used for verification.
    """

    def __new__(cls, body: Expr, var: Symbol, excluded: Expr, last: Expr) -> SumExcept:
        return Expr.__new__(cls, body, var, excluded, last)

    body = property(lambda self: self.args[0])
    var = property(lambda self: self.args[1])
    excluded = property(lambda self: self.args[2])
    last = property(lambda self: self.args[3])

    @property
    def free_symbols(self) -> set:
        return (self.body.free_symbols - {self.var}) | self.excluded.free_symbols | self.last.free_symbols

    def _eval_subs(self, old, new):  # the summation variable is bound
        if old == self.var:
            return self
        return None

    def as_sum(self) -> Sum:
        """The sum over every class, with the excluded term multiplied by zero."""
        return Sum(self.body * (1 - KroneckerDelta(self.var, self.excluded)), Tuple(self.var, 0, self.last))


class FixedPartial(Expr):
    """Display form of ``(∂expr/∂var)_p``: the derivative with the probabilities held fixed.

    A custom loss may name the logits beside p (z-loss: log Σ_k e^{f_k}); the chain rule
    then has a direct term. `meaning` differentiates while p is still a symbol of its own.
    """

    def __new__(cls, expr: Expr, var: Expr) -> FixedPartial:
        return Expr.__new__(cls, expr, var)

    expr = property(lambda self: self.args[0])
    var = property(lambda self: self.args[1])


@dataclass
class Context:
    """Symbols and definitions for one run: `classes` is an int, or None for symbolic C.

    A derivation whose definitions differ (a temperature in the softmax, smoothed
    labels, another display symbol) subclasses this and overrides `exponent`,
    `loss_term` or `extra_meanings`; `params` maps a parameter's name to its symbol
    (a proof for every value) or to the number given with --param.
    """

    classes: int | None
    params: dict[str, Expr] = field(default_factory=dict)
    samples: dict[Expr, Expr] = field(default_factory=dict)  # exact values for symbolic parameters
    ranges: dict[Expr, tuple] = field(default_factory=dict)  # symbolic parameter → (low, high, low_open, high_open)
    nonnegative_labels: bool = False  # one-hot / probability labels: y_j ≥ 0 is part of the domain
    min_classes: int = 1  # the smallest C the definitions are stated for (symbolic C means C ≥ this)
    C: Expr = field(init=False)
    i: Symbol = field(init=False)
    j: Symbol = field(init=False)
    k: Symbol = field(init=False)
    n: Symbol = field(init=False)
    f: IndexedBase = field(init=False)
    y: IndexedBase = field(init=False)
    p: IndexedBase = field(init=False)
    Lj: IndexedBase = field(init=False)
    L: Symbol = field(init=False)
    last: Expr = field(init=False)

    def __post_init__(self) -> None:
        self.C = Symbol("C", integer=True, positive=True) if self.classes is None else Integer(self.classes)
        # Built here, evaluated: C - 1 made under evaluate(False) has another arg order
        # and would not compare equal to the limits SymPy itself produces.
        self.last = self.C - 1
        self.i, self.j, self.k, self.n = (Symbol(s, integer=True, nonnegative=True) for s in "ijkn")
        self.f = IndexedBase("f", real=True)
        self.y = IndexedBase("y", nonnegative=True) if self.nonnegative_labels else IndexedBase("y", real=True)
        self.p = IndexedBase("p", positive=True)
        self.Lj = IndexedBase("L", real=True)
        self.L = Symbol("L", real=True)

    def at(self, classes: int) -> Context:
        """The same definitions and parameters for a concrete number of classes."""
        return type(self)(
            classes,
            self.params,
            self.samples,
            self.ranges,
            nonnegative_labels=self.nonnegative_labels,
            min_classes=self.min_classes,
            **self.carried(),
        )

    def carried(self) -> dict:
        """What a subclass's own fields hand on to `at` (a custom loss: its text)."""
        return {}

    @property
    def symbolic(self) -> bool:
        return self.classes is None

    @property
    def indices(self) -> tuple[Symbol, Symbol]:
        """The free indices a step may use: i (the component) and j (the chain-rule index)."""
        return self.i, self.j

    def exponent(self, idx: Expr) -> Expr:
        """What the softmax exponentiates for class idx: f_idx here."""
        return self.f[idx]

    @property
    def S(self) -> Sum:
        """The softmax denominator ``Σ_{k=0}^{C-1} e^{f_k}``, always over the dummy k.

        Always built evaluated, even when asked for under evaluate(False): the S in a
        display line must be the very S that verification replaces by its definition.
        """
        with evaluate(True):
            return Sum(exp(self.exponent(self.k)), (self.k, 0, self.last))

    def softmax(self, idx: Expr) -> Expr:
        """``p_idx`` by its definition."""
        return exp(self.exponent(idx)) / self.S

    batched: ClassVar[bool] = False  # per-sample data f_{n,i} (batch-mean): checked for every N and C only

    def entry(self, base: IndexedBase, idx: Expr) -> Expr:
        """The entry of a per-class vector that a claim's ``p_i`` names: ``p[idx]`` (a batch: ``p[n, idx]``)."""
        return base[idx]

    def claim_extras(self) -> dict[str, Expr]:
        """Names a claim may use beyond p, y, f, C and the parameters (a batch: kept_n, K)."""
        return {}

    def index_bounds(self) -> list[tuple[Symbol, Expr]]:
        """Each free index with the size of its range, 0 ≤ idx ≤ size - 1: i and j run over the classes."""
        return [(idx, self.C) for idx in self.indices]

    index_note: ClassVar[str] = "$0 ≤ i, j ≤ @C-1$"  # the index ranges the prover uses, as said in its method

    def extra_assumptions(self) -> list[str]:
        """Stated assumptions beyond the seed's (a batch: the keep flags), as prose."""
        return []

    def stated_positive(self, x: Expr) -> bool:
        """A quantity the stated assumptions make positive (a batch: the number of kept samples)."""
        return False

    def extra_meanings(self) -> dict[IndexedBase, Callable[..., Expr]]:
        """Other display symbols of a derivation (e.g. log-softmax) and their definitions, by index."""
        return {}

    def param_samples(self) -> dict[Expr, Expr]:
        """Exact values for symbolic parameters, used where numbers are needed (counterexamples)."""
        return self.samples

    def class_inputs(self) -> tuple[IndexedBase, ...]:
        """Every per-class input a meaning may hold, logits first and labels second.

        A derivation with more per-class data (class weights, a direction vector)
        adds its base here, so exact evaluation gives it one variable per class.
        """
        return (self.f, self.y)

    def fixed_inputs(self) -> dict[Expr, Expr]:
        """Per-class inputs given as numbers (e.g. a class weight set with --param)."""
        return {}

    def claim_vectors(self) -> dict[str, IndexedBase]:
        """Per-class data a claim may name beyond f, p and y, e.g. {"w": w} for ``w_i``, ``w_j``."""
        return {}

    def loss_term(self, idx: Expr) -> Expr:
        """``L_idx = -y_idx log p_idx``, in terms of p."""
        return -self.y[idx] * log(self.p[idx])

    def loss(self) -> Expr:
        """``L = -Σ_n y_n log p_n`` in terms of p; n is a dummy never used as a free index."""
        return Sum(self.loss_term(self.n), (self.n, 0, self.last))

    def sum_over(self, body: Expr, var: Symbol) -> Sum:
        """``Σ_{var=0}^{C-1} body``; built with evaluation on so SymPy adds no ``1*`` factor."""
        with evaluate(True):
            return Sum(body, (var, 0, self.last))

    def sum_except(self, body: Expr, var: Symbol, excluded: Expr) -> SumExcept:
        """``Σ_{var≠excluded} body``."""
        return SumExcept(body, var, excluded, self.last)

    def label_sum(self) -> Sum:
        """``Σ_j y_j``, the quantity one-hot / probability labels fix to 1."""
        return self.sum_over(self.y[self.j], self.j)
