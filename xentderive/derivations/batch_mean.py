"""The mean over a batch with ignored samples: PyTorch's reduction="mean" with ignore_index.

N samples, each with its own softmax p_{n,·} and labels y_{n,·}, and a keep flag kept_n
(0 for a sample whose target is ignore_index). L = Σ_m kept_m L_m / Σ_m kept_m divides by
the number of kept samples, not by N: the gradient of a kept sample is its own softmax
cross-entropy gradient over that count, and an ignored sample's is 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sympy import Expr, IndexedBase, Integer, Sum, Symbol, exp, log
from sympy.core.parameters import evaluate

from ..context import Context
from ..model import Line, Step
from ..params import Param
from . import softmax_ce
from .softmax_ce import partial

NAME = "batch-mean"
SUMMARY = (
    "mean over N samples with ignored ones (PyTorch ignore_index): "
    "dL/df_{n,i} = kept_n (p_{n,i} - y_{n,i}) / Σ_m kept_m"
)
MAX_SAMPLES = 10**6
PARAMS = (
    Param(
        "N",
        "the number of samples, a whole number (symbolic: every N)",
        "N ≥ 1",
        lambda v: v.is_integer and 1 <= v <= MAX_SAMPLES,
        "3",
        positive=True,
        low="1",
    ),
)
CONVENTIONS = (
    "A batch of $N$ samples, each with $@C$ logits $@f_{m,k}$ and labels $@y_{m,k}$; $kept_m = 1$ for a sample "
    "that counts and 0 for one whose target is PyTorch's ignore_index (any $kept_m ≥ 0$ is covered), with at "
    'least one sample kept. $L = Σ_m kept_m L_m / Σ_m kept_m$ is PyTorch\'s reduction="mean": it divides by the '
    "number of kept samples, not by $N$.",
    "In a claim, $p_i$, $y_i$ and $f_i$ are sample $n$'s, $kept_n$ is its flag and $K$ is $Σ_m kept_m$. For a "
    "number of classes or of samples, each step is verified by its proof for every $N$ and $@C$.",
)


@dataclass
class BatchContext(Context):
    """Per-sample logits and labels f_{m,k}, y_{m,k}, keep flags, and the sample n of the component."""

    N: Expr = field(init=False)
    m: Symbol = field(init=False)
    kept: IndexedBase = field(init=False)

    batched = True
    index_note = "$0 ≤ i, j ≤ @C-1$ and $0 ≤ n ≤ N-1$"

    def __post_init__(self) -> None:
        super().__post_init__()
        given = self.params.get("N")
        self.N = Symbol("N", integer=True, positive=True) if given is None or given.is_Symbol else Integer(given)
        self.params = {**self.params, "N": self.N}
        self.samples = {s: v for s, v in self.samples.items() if getattr(s, "name", "") != "N"}
        self.ranges = {s: r for s, r in self.ranges.items() if getattr(s, "name", "") != "N"}
        self.m = Symbol("m", integer=True, nonnegative=True)
        self.l = Symbol("l", integer=True, nonnegative=True)
        self.kept = IndexedBase("kept", nonnegative=True)

    @property
    def indices(self) -> tuple[Symbol, ...]:
        return self.i, self.j, self.n

    def index_bounds(self) -> list[tuple[Symbol, Expr]]:
        return [(self.i, self.C), (self.j, self.C), (self.n, self.N)]

    def S_of(self, sample: Expr) -> Sum:
        """Σ_l e^{f_{sample,l}}, sample's softmax denominator."""
        with evaluate(True):
            return Sum(exp(self.f[sample, self.l]), (self.l, 0, self.last))

    @property
    def S(self) -> Sum:
        return self.S_of(self.n)

    def softmax(self, sample: Expr, idx: Expr | None = None) -> Expr:
        return exp(self.f[sample, idx]) / self.S_of(sample)

    def entry(self, base: IndexedBase, idx: Expr) -> Expr:
        return base[self.n, idx]

    def claim_extras(self) -> dict[str, Expr]:
        return {"kept_n": self.kept[self.n], "K": self.kept_total()}

    def kept_total(self) -> Sum:
        return self.sum_samples(self.kept[self.m])

    def sum_samples(self, body: Expr) -> Sum:
        """Σ_{m=0}^{N-1} body, built evaluated (as `sum_over`): the limits must be the prover's N - 1."""
        with evaluate(True):
            return Sum(body, (self.m, 0, self.N - 1))

    def extra_assumptions(self) -> list[str]:
        return [
            "$0 ≤ n ≤ N-1$: the component is $∂L/∂@f_{n,i}$, of sample $n$",
            "$kept_m ≥ 0$ (1 for a kept sample, 0 for an ignored one) and $Σ_m kept_m > 0$ (at least one kept)",
        ]

    def stated_positive(self, x: Expr) -> bool:
        """Σ_m kept_m > 0: at least one sample is kept (a stated assumption), whatever the dummy's name."""
        if not isinstance(x, Sum) or len(x.limits) != 1:
            return False
        var, lo, hi = x.limits[0]
        return x.function == self.kept[var] and (lo, hi) == (0, self.N - 1)

    def loss_term(self, idx: Expr) -> Expr:
        """L_idx = -Σ_k y_{idx,k} log p_{idx,k}, sample idx's cross-entropy."""
        return Sum(-self.y[idx, self.k] * log(self.p[idx, self.k]), (self.k, 0, self.last))

    def loss(self) -> Expr:
        return self.sum_samples(self.kept[self.m] * self.loss_term(self.m)) / self.kept_total()

    def label_sum(self) -> Sum:
        return self.sum_over(self.y[self.n, self.j], self.j)


make_context = BatchContext


def steps(ctx: BatchContext, labels: str) -> list[Step]:
    """The mean split into sample n's term and the rest, then the seed's result for one sample."""
    i, j, n, m, f, y, p, L, Lm, kept = ctx.i, ctx.j, ctx.n, ctx.m, ctx.f, ctx.y, ctx.p, ctx.L, ctx.Lj, ctx.kept
    K = ctx.kept_total()
    with evaluate(False):
        own = p[n, i] * ctx.sum_over(y[n, j], j) - y[n, i]
        out = [
            Step(
                "softmax",
                "Softmax of each sample",
                "Definition: each sample's logits $@f_{n,0} … @f_{n,@C-1}$ become its own probabilities.",
                [
                    [Line(p[n, i]), Line(exp(f[n, i]) / ctx.S, "definition")],
                    [Line(ctx.sum_over(p[n, j], j)), Line(Integer(1), "the numerators add up to the denominator")],
                ],
            ),
            Step(
                "loss",
                "Mean over the kept samples",
                "Definition: each sample's cross-entropy, weighted by its keep flag, over the number of kept samples.",
                [
                    [Line(L), Line(ctx.sum_samples(kept[m] * Lm[m]) / K, "definition")],
                    [Line(Lm[n]), Line(-ctx.sum_over(y[n, j] * log(p[n, j]), j), "definition of $L_n$")],
                ],
            ),
            Step(
                "sample",
                "Only sample $n$ holds $@f_{n,i}$",
                "The other samples' terms do not depend on $@f_{n,i}$, nor does the count $Σ_m kept_m$.",
                [[Line(partial(L, f[n, i])), Line(kept[n] * partial(Lm[n], f[n, i]) / K, "sample $n$'s term")]],
            ),
            Step(
                "per-sample",
                "One sample's gradient",
                "The seed's result (softmax-ce) for sample $n$.",
                [[Line(partial(Lm[n], f[n, i])), Line(own, "softmax-ce, steps 3 to 8")]],
            ),
            Step(
                "combine",
                "Combine",
                "Insert step 4 into step 3.",
                [[Line(partial(L, f[n, i])), Line(kept[n] * own / K, "step 4 in step 3")]],
            ),
        ]
        if labels == "onehot":
            out.append(softmax_ce.label_sum_step(kept[n] * own / K, kept[n] * (p[n, i] - y[n, i]) / K))
    return out


def default_target(ctx: Context, labels: str) -> str:
    return "kept_n*(p_i - y_i)/K" if labels == "onehot" else "kept_n*(p_i*sum_j(y_j) - y_i)/K"


def claim_lhs(ctx: BatchContext) -> Expr:
    return partial(ctx.L, ctx.f[ctx.n, ctx.i])


def numeric_loss(f: list, y: list, params: dict):
    """One sample's cross-entropy: the witness compares one sample at a time (see `check`)."""
    return softmax_ce.numeric_loss(f, y, params)
