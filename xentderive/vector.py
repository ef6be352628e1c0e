"""The vector and matrix form of a result: ∇_f L = p − y, J = diag(p) − p pᵀ.

`--form vector` restates the proved index form in the notation of papers. It is a
restatement, not a second proof, and it is checked like one: SymPy takes entry i
(entry i, j for a matrix) of the matrix expression and that entry must expand to the
index form the steps proved. A form that fails this check is not printed. A result
that applies a function per class (softcap's tanh) or indexes samples (batch-mean)
has no vector form here: `vector_form` returns None and says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from sympy import Add, Derivative, Expr, Indexed, IndexedBase, KroneckerDelta, Mul, Pow, expand
from sympy.matrices.expressions import (
    HadamardPower,
    HadamardProduct,
    MatAdd,
    MatMul,
    MatrixExpr,
    MatrixSymbol,
    OneMatrix,
    ZeroMatrix,
)
from sympy.matrices.expressions.diagonal import DiagMatrix
from sympy.matrices.expressions.matexpr import MatrixElement

from .model import Derivation, Status

KINDS = ("gradient", "jacobian", "hessian")


class NoVectorForm(Exception):
    """The result has a part this restatement cannot write as vectors."""


@dataclass
class VectorForm:
    """The result as one vector or matrix expression, with how it was checked."""

    kind: str  # gradient | jacobian | hessian
    expr: MatrixExpr
    status: Status
    method: str


def _kind(d: Derivation) -> str:
    lhs = d.claim.chains[0][0].expr
    if isinstance(lhs, Derivative) and sum(c for _, c in lhs.variable_count) == 2:
        return "hessian"
    jacobian = isinstance(lhs, Derivative) and isinstance(lhs.expr, Indexed) and lhs.expr.base == d.ctx.p
    return "jacobian" if jacobian else "gradient"


class _Vectors:
    """Index form → matrix expression over the C classes."""

    def __init__(self, d: Derivation) -> None:
        self.i, self.j = d.ctx.i, d.ctx.j
        self.n = d.ctx.classes if not d.ctx.symbolic else d.ctx.C
        self.bases: dict[str, IndexedBase] = {}

    def symbol(self, base: IndexedBase) -> MatrixSymbol:
        self.bases[str(base.label)] = base
        return MatrixSymbol(str(base.label), self.n, 1)

    def free(self, e: Expr, *indices: Expr) -> bool:
        return not (e.free_symbols & set(indices))

    def vector(self, e: Expr) -> Expr | MatrixExpr:
        """A vector whose entry i is `e` (a scalar if `e` does not depend on i)."""
        i = self.i
        if self.free(e, i):
            return e
        if isinstance(e, Indexed) and e.indices == (i,):
            return self.symbol(e.base)
        if e.is_Add:
            parts = [p for p in (self.vector(a) for a in e.args) if not (not isinstance(p, MatrixExpr) and p == 0)]
            ones = OneMatrix(self.n, 1)
            terms = [p if isinstance(p, MatrixExpr) else _times(p, ones) for p in parts]
            return MatAdd(*(t for term in terms for t in (term.args if term.is_MatAdd else (term,))))
        if e.is_Mul:
            scalars = [a for a in e.args if self.free(a, i)]
            vectors = [self.vector(a) for a in e.args if not self.free(a, i)]
            if Mul(*scalars) == 0:  # (1 - eps) y at eps = 1: no term at all, not "0 y"
                return Mul(*scalars)
            core = vectors[0] if len(vectors) == 1 else HadamardProduct(*vectors)
            return _times(Mul(*scalars), core)  # not `*`: it would write a Sum out
        if isinstance(e, Pow) and self.free(e.exp, i) and e.exp.is_Integer and e.exp > 1:
            return HadamardPower(self.vector(e.base), e.exp)
        raise NoVectorForm(f"{type(e).__name__.lower()} of a per-class quantity has no vector form here")

    def matrix(self, e: Expr) -> MatrixExpr:
        """A matrix whose entry (i, j) is `e`: terms δ_ij x, x_i y_j, and scalars times them."""
        i, j = self.i, self.j
        total: list[tuple[Expr, MatrixExpr]] = []
        for term in Add.make_args(expand(e)):
            factors = Mul.make_args(term)
            scalars = [a for a in factors if self.free(a, i, j)]
            rest = [a for a in factors if not self.free(a, i, j)]
            coefficient = Mul(*scalars)
            deltas = [a for a in rest if isinstance(a, KroneckerDelta)]
            others = [a for a in rest if not isinstance(a, KroneckerDelta)]
            if len(deltas) == 1 and set(deltas[0].args) == {i, j} and len(others) == 1:
                x = others[0]
                if isinstance(x, Indexed) and x.indices in ((i,), (j,)):
                    total.append((coefficient, DiagMatrix(self.symbol(x.base))))
                    continue
            if not deltas and len(others) == 2 and all(isinstance(a, Indexed) for a in others):
                rows = [a for a in others if a.indices == (i,)]
                cols = [a for a in others if a.indices == (j,)]
                if len(rows) == len(cols) == 1:
                    total.append((coefficient, self.symbol(rows[0].base) * self.symbol(cols[0].base).T))
                    continue
            raise NoVectorForm(f"the term {term} is not δ_ij x or x_i y_j")
        common = total[0][0] if total else 1
        if common != 1 and all((c / common).is_Number for c, _ in total):  # (diag(p) - p pᵀ) Σ_j y_j
            return MatMul(common, MatAdd(*(_times(c / common, m) for c, m in total)))
        return MatAdd(*(_times(c, m) for c, m in total))

    def index_form(self, entry: Expr) -> Expr:
        """An entry of the matrix expression, written back with the derivation's own symbols."""

        def back(element: MatrixElement) -> Expr:
            base = self.bases[element.parent.name]
            return base[element.i] if element.j == 0 else base[element.j]

        return entry.replace(lambda x: isinstance(x, MatrixElement), back)


def _times(scalar: Expr, matrix: MatrixExpr) -> MatrixExpr:
    """scalar·matrix as written: MatMul, not `*`, which would evaluate (and write a Sum out)."""
    return matrix if scalar == 1 else MatMul(scalar, matrix)


def _delta_normalized(e: Expr, i: Expr, j: Expr) -> Expr:
    """δ_ij g(i, j) → δ_ij g(i, i), term by term: exact, since δ_ij is 0 unless j = i."""
    out = []
    delta = KroneckerDelta(i, j)
    for term in Add.make_args(expand(e)):
        if term.has(delta):
            term = (term / delta).subs(j, i) * delta
        out.append(term)
    return expand(Add(*out))


def entries_match(d: Derivation, expr: MatrixExpr, vectors: _Vectors | None = None) -> bool:
    """Entry i (i, j for a matrix) of `expr` expands to the proved index form `d.result`."""
    vectors = vectors or _Vectors(d)
    i, j = vectors.i, vectors.j
    for symbol in expr.atoms(MatrixSymbol):  # the names in `expr` back to the derivation's own symbols
        vectors.bases.setdefault(symbol.name, next(b for b in _bases(d) if str(b.label) == symbol.name))
    entry = expr[i, 0].doit() if _kind(d) == "gradient" else expr[i, j].doit()  # not by shape: C = 1 is 1×1
    # doit() on both sides: at a concrete C a sum over the classes is written out in both
    return _delta_normalized(vectors.index_form(entry) - d.result.doit(), i, j) == 0


def _bases(d: Derivation) -> list[IndexedBase]:
    return [a.base for a in d.result.atoms(Indexed)]


def vector_form(d: Derivation) -> VectorForm:
    """The result as a vector (gradient) or matrix (Jacobian, Hessian), checked entry by entry.

    Raises NoVectorForm when the result cannot be written so, or the check fails.
    """
    if getattr(d.ctx, "batched", False):
        raise NoVectorForm("a batch's gradient indexes samples as well as classes")
    kind, vectors = _kind(d), _Vectors(d)
    expr = vectors.matrix(d.result) if kind != "gradient" else vectors.vector(d.result)
    if not isinstance(expr, MatrixExpr):  # the same for every class: a multiple of 𝟏, or the zero vector
        expr = ZeroMatrix(vectors.n, 1) if expr == 0 else _times(expr, OneMatrix(vectors.n, 1))
    if not entries_match(d, expr, vectors):
        raise NoVectorForm("its entries did not expand to the index form (not printed)")
    method = (
        "restates the result: SymPy expands entry (i, j) of the matrix expression to the index form the steps proved"
        if kind != "gradient"
        else "restates the result: SymPy expands entry i of the vector expression to the index form the steps proved"
    )
    return VectorForm(kind, expr, vector_status(d), method)


def vector_status(d: Derivation) -> Status:
    """A restatement holds as far as what it restates: proved, verified, or not proved."""
    if not d.ok:
        return Status.UNPROVED
    return Status.PROVED if d.ctx.symbolic else Status.VERIFIED
