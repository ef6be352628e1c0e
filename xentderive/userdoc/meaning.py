"""What the names of a user's document mean: roles from its definitions, then SymPy display expressions.

A definition gives a name its meaning, in the order of the file. A softmax
(``p_i = e^{z_i}/Σ_k e^{z_k}``, with any exponent g(z_k) such as z_k/T) makes its
exponentiated name the logits and its own name the probabilities; the first other name
built on the probabilities (``L = -Σ_k y_k log p_k``) is the loss, and the name it weights
them with is the labels. Every other definition (``q_k = (1-ε) y_k + ε/K``) is expanded
where it is used. A sum's upper bound names the number of classes (``K`` or ``C - 1``).
Undefined plain letters are parameters. The translation is onto the objects of the
built-in derivations (`Context`: f, p, y, C, L), so the prover and the witness are the same.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from sympy import (
    Derivative,
    Expr,
    Integer,
    KroneckerDelta,
    Mul,
    Pow,
    Rational,
    S,
    Sum,
    Symbol,
    exp,
    log,
)
from sympy.core.parameters import evaluate

from ..context import Context
from .parse import Node, NotUnderstood


@dataclass
class DocContext(Context):
    """The built-in objects with the document's softmax exponent and loss (when it defines them)."""

    exponent_template: Expr | None = field(default=None, kw_only=True)  # g(f_PLACE)
    loss_expr: Expr | None = field(default=None, kw_only=True)

    def carried(self) -> dict:
        """What `at(c)` hands on: the loss and exponent with C replaced by the number of classes."""
        return {"exponent_template": self.exponent_template, "loss_expr": self.loss_expr}

    def at(self, classes: int) -> DocContext:
        other = super().at(classes)
        size = {self.C: Integer(classes)}
        if self.loss_expr is not None:
            other.loss_expr = _evaluated(self.loss_expr.xreplace(size))
        if self.exponent_template is not None:
            other.exponent_template = self.exponent_template.xreplace(size)
        return other

    def exponent(self, idx: Expr) -> Expr:
        if self.exponent_template is None:
            return self.f[idx]
        return self.exponent_template.xreplace({PLACE: idx})

    def loss(self) -> Expr:
        return super().loss() if self.loss_expr is None else self.loss_expr


MAX_EXPONENT = 100  # a number in an exponent: as for --target claims (claims.py)
MAX_EXP_ARGUMENT = 1000
PLACE = Symbol("PLACE", integer=True, nonnegative=True)  # the index slot of a definition's template
_DUMMIES = itertools.count(1)


@dataclass
class Definition:
    """``name_index = rhs`` on `line`: expanded wherever the name is used after it."""

    name: str
    index: str | None
    rhs: Node
    line: int


@dataclass
class Roles:
    """Which of the document's names play which part; filled in as definitions are read."""

    logits: str | None = None
    probs: str | None = None
    labels: str | None = None
    classes: str | None = None
    loss: str | None = None
    base: int | None = None  # 0 or 1: where the document's sums start
    macros: dict[str, Definition] = field(default_factory=dict)
    params: dict[str, Symbol] = field(default_factory=dict)
    defined_at: dict[str, int] = field(default_factory=dict)
    broken: dict[str, int] = field(default_factory=dict)  # names whose definition was not understood: their line

    def known(self, name: str) -> bool:
        return name in self.defined_at or name in (self.logits, self.labels, self.classes)


def name_of(node: Node) -> tuple[str, list[Node]] | None:
    """``p_i`` → ("p", [i]); ``\\hat{y}_{k}`` → ("\\hat{y}", [k]); ``L`` → ("L", []); else None."""
    if node.kind == "group":
        return name_of(node[0])
    if node.kind == "letter":
        return node[0], []
    if node.kind == "scripted" and node[0].kind == "letter" and node[2] is None and node[1] is not None:
        return node[0][0], _indices(node[1])
    return None


def _indices(sub: Node) -> list[Node]:
    if sub.kind == "list":
        return list(sub.args)
    if sub.kind == "mul":
        return _indices(sub[0]) + _indices(sub[1])
    if sub.kind == "group":
        return _indices(sub[0])
    return [sub]


class Translator:
    """Node → SymPy display expression, for one link: `free` maps the document's free index letters."""

    def __init__(self, ctx: DocContext, roles: Roles, free: dict[str, Expr]):
        self.ctx = ctx
        self.roles = roles
        self.free = dict(free)
        self.bound: list[dict[str, Expr]] = []
        self.depth = 0

    # --- indices ---------------------------------------------------------------
    def index(self, node: Node) -> Expr:
        if node.kind == "letter" and len(node[0]) == 1:
            letter = node[0]
            for scope in reversed(self.bound):
                if letter in scope:
                    return scope[letter]
            if letter in self.free:
                return self.free[letter]
            raise NotUnderstood(f"the index {letter} is neither summed over nor a free index of this line", node.pos)
        if node.kind == "number":
            if self.roles.base is None:
                raise NotUnderstood("a numbered class, but no sum says whether classes count from 0 or 1", node.pos)
            if self.ctx.classes is None:
                raise NotUnderstood("a numbered class for every C: write it with an index, or give -C N", node.pos)
            k = int(node[0]) - self.roles.base
            if not 0 <= k < self.ctx.classes:
                raise NotUnderstood(f"class {node[0]} is outside the {self.ctx.classes} classes", node.pos)
            return Integer(k)
        raise NotUnderstood("an index must be a letter or a number (no i+1: the classes have no order)", node.pos)

    # --- expressions -----------------------------------------------------------
    def expr(self, node: Node) -> Expr:
        """As written, unevaluated like every display line of the engine: y_i p_i / y_i keeps its 0/0 at
        y_i = 0 for the domain check to see (evaluated, SymPy would cancel it to p_i)."""
        self.depth += 1
        if self.depth > 200:
            raise NotUnderstood("the formula nests too deeply", node.pos)
        try:
            if self.depth == 1:
                with evaluate(False):
                    return getattr(self, "_" + node.kind)(node)
            return getattr(self, "_" + node.kind)(node)
        finally:
            self.depth -= 1

    def _group(self, n: Node) -> Expr:
        return self.expr(n[0])

    def _add(self, n: Node) -> Expr:
        return self.expr(n[0]) + self.expr(n[1])

    def _sub(self, n: Node) -> Expr:
        return self.expr(n[0]) - self.expr(n[1])

    def _neg(self, n: Node) -> Expr:
        return -self.expr(n[0])

    def _number(self, n: Node) -> Expr:
        text = n[0]
        return Rational(text) if "." in text else Integer(text)

    def _div(self, n: Node) -> Expr:
        derivative = self._derivative(n[0], n[1])
        if derivative is not None:
            return derivative
        return self.expr(n[0]) / self.expr(n[1])

    def _frac(self, n: Node) -> Expr:
        derivative = self._derivative(n[0], n[1])
        if derivative is not None:
            return derivative
        if _factors(n[0])[0].kind == "letter" and _factors(n[0])[0][0] == "d" and _is_d(n[1]):
            raise NotUnderstood("d/dz: write the partial derivative \\frac{\\partial …}{\\partial z_i}", n.pos)
        return self.expr(n[0]) / self.expr(n[1])

    def _derivative(self, top: Node, bottom: Node) -> Expr | None:
        """``\\frac{∂X}{∂v}`` and ``∂X/∂v`` (also ``\\frac{dX}{dv}``): X differentiated by one logit or probability."""
        if top.kind == "partial" and bottom.kind == "partial":
            return self._d(self.expr(top[0]), self._variable(bottom[0]), top.pos)
        tf, bf = _factors(top), _factors(bottom)
        if len(bf) == 2 and all(f.kind == "letter" and f[0] == "d" for f in (tf[0], bf[0])) and len(tf) >= 2:
            if "d" in self.roles.defined_at or "d" in self.roles.params:
                return None
            body = tf[1] if len(tf) == 2 else Node("mulall", tuple(tf[1:]), tf[1].pos)
            return self._d(self.expr(body), self._variable(bf[1]), top.pos)
        return None

    def _d(self, body: Expr, var: Expr, pos: int) -> Expr:
        """∂body/∂var. By a probability, only what is written in the probabilities (and the loss): of
        the logits it is not defined, for p and z are not independent (∂/∂p_i of e^{z_i}/Σe^{z_k} is not 0)."""
        if var.base == self.ctx.p and body.has(self.ctx.f):
            raise NotUnderstood("∂/∂p of an expression of the logits: p and z are not independent", pos)
        return Derivative(body, var, evaluate=False)

    def _mulall(self, n: Node) -> Expr:
        return self._product(list(n.args))

    def _variable(self, node: Node) -> Expr:
        v = self.expr(node)
        ctx = self.ctx
        from sympy import Indexed

        if isinstance(v, Indexed) and v.base in (ctx.f, ctx.p):
            return v
        raise NotUnderstood("a derivative with respect to something other than one logit or one probability", node.pos)

    def _partial(self, n: Node) -> Expr:
        raise NotUnderstood("∂ outside a derivative \\frac{\\partial …}{\\partial …}", n.pos)

    def _dop(self, n: Node) -> Expr:
        raise NotUnderstood("the operator \\frac{\\partial}{\\partial v} with nothing after it to differentiate", n.pos)

    def _mul(self, n: Node) -> Expr:
        return self._product(_factors(n))

    def _product(self, factors: list[Node]) -> Expr:
        out: list[Expr] = []
        for k, f in enumerate(factors):
            if f.kind == "dop" or (f.kind == "frac" and _is_d_operator(f)):
                rest = factors[k + 1 :]
                if not rest:
                    return self._dop(f)
                var_node = f[0] if f.kind == "dop" else _factors(f[1])[1]
                if f.kind == "dop" and var_node.kind == "partial":
                    var_node = var_node[0]
                elif f.kind == "dop":
                    raise NotUnderstood("\\frac{\\partial}{…}: the denominator must be ∂v", f.pos)
                body = self._product(rest) if len(rest) > 1 else self.expr(rest[0])
                out.append(self._d(body, self._variable(var_node), f.pos))
                break
            out.append(self.expr(f))
        return Mul(*out)

    def _sum(self, n: Node) -> Expr:
        limits, body = n[0], n[1]
        var, lo, except_, hi = limits.args
        ctx = self.ctx
        if var is None:
            raise NotUnderstood("a sum without its index (\\sum_k)", n.pos)
        dummy = Symbol(f"{var}'{next(_DUMMIES)}", integer=True, nonnegative=True)  # unique: no capture
        excluded = None
        if except_ is not None:
            excluded = self.index(except_)
        if lo is not None or hi is not None:
            self._check_range(var, lo, hi, n.pos)
        self.bound.append({var: dummy})
        try:
            inner = self.expr(body)
        finally:
            self.bound.pop()
        if excluded is not None:
            return ctx.sum_except(inner, dummy, excluded)
        with evaluate(True):
            s = Sum(inner, (dummy, 0, ctx.last))
        return _canonical_sum(s, ctx)

    def _check_range(self, var: str, lo: Node | None, hi: Node | None, pos: int) -> None:
        """Full range only: 0…C-1 or 1…K, and the bound names the classes."""
        roles = self.roles
        base = None
        if lo is not None:
            if lo.kind != "number" or lo[0] not in ("0", "1"):
                raise NotUnderstood(
                    f"a sum over part of the classes ({var} from a class of its own): write that term on its own, "
                    f"or \\sum_{{{var} \\neq …}}",
                    pos,
                )
            base = int(lo[0])
        if hi is None:
            return
        top = hi
        minus = 0
        if hi.kind == "sub" and hi[1].kind == "number" and hi[1][0] == "1":
            top, minus = hi[0], 1
        if top.kind != "letter":
            raise NotUnderstood("a sum's upper bound must be the number of classes (K, or C - 1)", hi.pos)
        name = top[0]
        if base is None:
            base = 0 if minus else 1
        if minus != (1 - base):
            raise NotUnderstood(
                f"the sum runs {base}…{name}{' - 1' if minus else ''}: "
                f"{'one class too few' if minus > 1 - base else 'one class too many'} for {name} classes",
                hi.pos,
            )
        if roles.classes is None and name not in roles.defined_at:
            roles.classes = name
        if name != roles.classes:
            raise NotUnderstood(f"the sum runs to {name}, but the number of classes is {roles.classes}", hi.pos)
        if roles.base is None:
            roles.base = base

    def _indicator(self, n: Node) -> Expr:
        a, rel, b = n[0].args
        delta = KroneckerDelta(self.index(Node("letter", (a,), n.pos)), self.index(Node("letter", (b,), n.pos)))
        return delta if rel == "=" else 1 - delta

    def _idxrel(self, n: Node) -> Expr:
        return self._indicator(Node("indicator", (n,), n.pos))

    def _softmax(self, n: Node) -> Expr:
        arg = n[0]  # \operatorname{softmax}(z)_i reaches here as softmax of (z)_i: the grammar binds _i to (z)
        if arg.kind == "scripted" and arg[0].kind == "group" and arg[1] is not None and arg[2] is None:
            name = name_of(arg[0][0])
            if name is not None and not name[1] and name[0] == self.roles.logits:
                (idx,) = _indices(arg[1])[:1]
                return self.ctx.p[self.index(idx)]
        raise NotUnderstood("softmax(…) needs its component: \\operatorname{softmax}(z)_i, of the logits", n.pos)

    def _nabla(self, n: Node) -> Expr:
        var, body = n.args
        got = name_of(var)
        if got is None or not got[1]:
            raise NotUnderstood("∇ with respect to a whole vector: write its component, ∂L/∂z_i", n.pos)
        return self._d(self.expr(body), self._variable(var), n.pos)

    def _list(self, n: Node) -> Expr:
        raise NotUnderstood("a list (a, b) where one value was expected", n.pos)

    def _func(self, n: Node) -> Expr:
        name, arg = n.args
        value = self.expr(arg)
        return log(value) if name in ("log", "ln") else self._exp(value, n.pos)

    def _exp(self, value: Expr, pos: int) -> Expr:
        """e^x, with x a number at most MAX_EXP_ARGUMENT (e^{e^{1000}} has no float, and no use here)."""
        if value.is_number and (not value.is_finite or abs(value) > MAX_EXP_ARGUMENT):
            raise NotUnderstood(f"e to a power above {MAX_EXP_ARGUMENT}", pos)
        if value.has(exp) and any(a.args[0].is_number for a in value.atoms(exp)):
            raise NotUnderstood("e to the power e^…: a tower of exponentials is not read", pos)
        return exp(value)

    def _letter(self, n: Node) -> Expr:
        return self._named(n[0], [], n.pos)

    def _scripted(self, n: Node) -> Expr:
        atom, sub, sup = n.args
        if atom.kind == "softmax":
            if sub is None or sup is not None:
                raise NotUnderstood("softmax(z) needs its component: \\operatorname{softmax}(z)_i", n.pos)
            arg = name_of(atom[0])
            if arg is None or arg[1] or arg[0] != self.roles.logits:
                raise NotUnderstood("softmax of something other than the logits vector", atom.pos)
            (idx,) = _indices(sub)
            return self.ctx.p[self.index(idx)]
        if atom.kind == "group" and atom[0].kind == "nabla" and sub is not None and sup is None:
            var, body = atom[0].args  # (∇_z L)_i: the i-th component, ∂L/∂z_i
            got = name_of(var)
            if got is None or got[1]:
                raise NotUnderstood("(∇_z L)_i: ∇ with respect to the vector z, then its component", n.pos)
            (idx,) = _indices(sub)[:1]
            entry = Node("scripted", (var, idx, None), var.pos)
            return self._d(self.expr(body), self._variable(entry), n.pos)
        if atom.kind == "letter" and atom[0] == "e" and sub is None and "e" not in self.roles.defined_at:
            return self._exp(self.expr(sup), n.pos)
        if atom.kind == "letter" and sub is not None:
            base = self._named(atom[0], _indices(sub), atom.pos)
        elif sub is not None:
            raise NotUnderstood("a subscript on something that is not a name", n.pos)
        else:
            base = self.expr(atom)
        if sup is None:
            return base
        power = self.expr(sup)
        if power.is_number and (not power.is_finite or abs(power) > MAX_EXPONENT):
            raise NotUnderstood(f"an exponent above {MAX_EXPONENT} (10^{{10^{{10}}}} has no place here)", n.pos)
        return Pow(base, power)

    # --- names -----------------------------------------------------------------
    def _named(self, name: str, indices: list[Node], pos: int) -> Expr:
        ctx, roles = self.ctx, self.roles
        if name in roles.broken:
            raise NotUnderstood(f"the definition of {name} (line {roles.broken[name]}) was not understood", pos)
        if name in ("\\delta",) and name not in roles.defined_at:
            if len(indices) != 2:
                raise NotUnderstood("δ needs two indices: \\delta_{ij}", pos)
            return KroneckerDelta(self.index(indices[0]), self.index(indices[1]))
        if name == "\\pi" and not indices:
            raise NotUnderstood("π in a softmax derivation: not part of this grammar", pos)
        vectors = {roles.logits: ctx.f, roles.probs: ctx.p, roles.labels: ctx.y}
        if name in vectors and name is not None:
            if len(indices) != 1:
                raise NotUnderstood(
                    f"{name} is a vector: write one entry, {name}_i" if not indices else f"{name} has one index",
                    pos,
                )
            return vectors[name][self.index(indices[0])]
        key = macro_key(name, bool(indices))
        if name == roles.loss and key not in roles.macros:
            if indices:
                raise NotUnderstood(f"{name} is the loss: it has no index", pos)
            return ctx.L
        if key in roles.macros:
            d = roles.macros[key]
            if len(indices) > 1:
                raise NotUnderstood(f"{name} is defined with one index", pos)
            inner = Translator(ctx, roles, {})
            if d.index is not None:
                inner.free = {d.index: self.index(indices[0])}
            inner.bound = []
            return inner.expr(d.rhs)
        if macro_key(name, not indices) in roles.macros:
            raise NotUnderstood(f"{name} is defined {'without' if indices else 'with'} an index", pos)
        if name == roles.classes:
            if indices:
                raise NotUnderstood(f"{name} is the number of classes: it has no index", pos)
            return ctx.C
        if indices:
            raise NotUnderstood(
                f"{name}_… is not defined in the document (define it, or bind it: % xentderive: …)", pos
            )
        if len(name) == 1 and name in "ijk" and name in self.free:
            raise NotUnderstood(f"the index {name} used as a number", pos)
        if name == "e":
            return S.Exp1
        if name not in roles.params:
            roles.params[name] = parameter(name)
        return roles.params[name]


def _evaluated(e: Expr) -> Expr:
    """Sum limits rebuilt with numbers (C - 1 at C = 3 is 2), so the sums can be written out."""
    return e.replace(lambda x: isinstance(x, Sum), lambda s: Sum(s.function, *((v, lo, hi) for v, lo, hi in s.limits)))


def macro_key(name: str, indexed: bool) -> str:
    """L_j and L may both be defined (a loss term and the loss): one key each."""
    return f"{name}_" if indexed else name


class Parameter(Symbol):
    """A document's parameter: never equal to a symbol of the context (SymPy compares the class too),
    so a letter L left undefined cannot become the built-in loss L, Symbol("L", real=True)."""

    __slots__ = ()


def parameter(name: str, **assumptions: bool) -> Parameter:
    return Parameter(_symbol_name(name), **(assumptions or {"real": True}))


def _symbol_name(name: str) -> str:
    return name.lstrip("\\").replace("{", "_").replace("}", "").replace("\\", "")


def _factors(node: Node) -> list[Node]:
    if node.kind == "mul":
        return _factors(node[0]) + _factors(node[1])
    return [node]


def _is_d(node: Node) -> bool:
    f = _factors(node)
    return len(f) == 2 and f[0].kind == "letter" and f[0][0] == "d"


def _is_d_operator(frac: Node) -> bool:
    top = frac[0]
    return top.kind == "letter" and top[0] == "d" and _is_d(frac[1])


def _canonical_sum(s: Sum, ctx: Context) -> Expr:
    """Σ_m e^{z_m} is the softmax's own denominator S: the very object verification defines."""
    ((var, lo, hi),) = s.limits
    if s.function.xreplace({var: ctx.k}) == ctx.S.function and (lo, hi) == (0, ctx.last):
        return ctx.S
    return s


def softmax_candidate(rhs: Node, index: str, roles: Roles) -> tuple[str, Node] | None:
    """``e^{g(z_i)} / (anything)``: (the logits' name, g). Only a candidate: the caller proves that the
    whole right side is the softmax (a typo in the denominator makes it something else)."""
    while rhs.kind == "group":
        rhs = rhs[0]
    if rhs.kind not in ("frac", "div"):
        return None
    g = _exponent_of(rhs[0])
    if g is None:
        return None
    names = [n for n, i in indexed_names(g) if i == index and (n == roles.logits or not roles.known(n))]
    if len(set(names)) != 1 or names[0] in roles.broken:
        return None
    return names[0], g


def _exponent_of(node: Node) -> Node | None:
    while node.kind == "group":
        node = node[0]
    if node.kind == "scripted" and node[0].kind == "letter" and node[0][0] == "e" and node[1] is None:
        return node[2]
    if node.kind == "func" and node[0] == "exp":
        return node[1]
    return None


def _collect_indexed(node, out: list) -> None:
    if not isinstance(node, Node):
        return
    got = name_of(node) if node.kind in ("scripted",) else None
    if got and len(got[1]) == 1 and got[1][0].kind == "letter":
        if (got[0], got[1][0][0]) not in out:
            out.append((got[0], got[1][0][0]))
        return
    for a in node.args:
        if isinstance(a, Node):
            _collect_indexed(a, out)
        elif isinstance(a, tuple):
            for b in a:
                _collect_indexed(b, out)


def indexed_names(node: Node) -> list[tuple[str, str]]:
    """(name, index letter) of each indexed name, in the order written (roles must not depend on a hash)."""
    out: list = []
    _collect_indexed(node, out)
    return out


def keys_in(node) -> list[str]:
    """The definition keys (`macro_key`) written in the node, in order: L_j is "L_", L is "L"."""
    out: list[str] = []

    def walk(n) -> None:
        if isinstance(n, Node):
            if n.kind == "scripted" and n[0].kind == "letter" and n[1] is not None:
                key = macro_key(n[0][0], True)
                if key not in out:
                    out.append(key)
                walk(n[1])
                walk(n[2])
                return
            if n.kind == "letter" and n[0] not in out:
                out.append(n[0])
            for a in n.args:
                walk(a)
        elif isinstance(n, tuple):
            for a in n:
                walk(a)

    walk(node)
    return out


def index_letters(node, out: list[str], bound: frozenset = frozenset()) -> None:
    """Free index letters in the order they appear (sums bind theirs)."""
    if not isinstance(node, Node):
        return
    if node.kind == "sum":
        limits, body = node.args
        var, _lo, except_, _hi = limits.args
        if except_ is not None and except_.kind == "letter" and except_[0] not in bound and except_[0] not in out:
            out.append(except_[0])  # Σ_{k≠i}: i is free
        elif except_ is not None:
            index_letters(except_, out, bound)
        index_letters(body, out, bound | {var})
        return
    if node.kind == "scripted" and node[1] is not None:
        for idx in _indices(node[1]):
            if idx.kind == "letter" and len(idx[0]) == 1 and idx[0] not in bound and idx[0] not in out:
                out.append(idx[0])
            elif idx.kind != "letter":
                index_letters(idx, out, bound)
        index_letters(node[0], out, bound)
        if node[2] is not None:
            index_letters(node[2], out, bound)
        return
    if node.kind in ("indicator", "idxrel"):
        rel = node[0] if node.kind == "indicator" else node
        for letter in (rel[0], rel[2]):
            if letter not in bound and letter not in out:
                out.append(letter)
        return
    for a in node.args:
        if isinstance(a, Node):
            index_letters(a, out, bound)
