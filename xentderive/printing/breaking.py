"""Breaking a displayed formula into rows that fit a width, the way a typesetter would.

A row breaks before a + or - of a sum, or between the factors of a product (the next
row starts with \\cdot). A part too wide for any row is opened up: a fraction a/b as
(1/b)·(a), a sum, a derivative, a power or a function of something wide with \\biggl(
\\biggr) around the rows. Every form shown is the same expression, only laid out
differently: breaking is a printer concern and changes no meaning.
"""

from __future__ import annotations

from dataclasses import dataclass

from sympy import Derivative, Expr, Function, Indexed, Mul, Pow, Sum, Symbol, fraction

from .notation import MathLatexPrinter, display_form, flat_add
from .widths import width


@dataclass(frozen=True)
class Piece:
    """A stretch of a formula: `text` inline, `opening` when it starts a row."""

    text: str
    opening: str


_NARROWEST = 8.0  # em: a part this narrow is never opened, however deep (a row has room for it)
_SHORT = 1.5  # em: a term this short (1, x) is kept with the term after it


def _inline(text: str) -> Piece:
    return Piece(text, text)


def _wrapped(open_: str, inner: list[Piece], close: str, budget: float) -> list[Piece]:
    """`close` glued to the last piece; `open_` to the first, or a piece of its own if too wide."""
    last = inner[-1]
    inner = [*inner[:-1], Piece(f"{last.text}{close}", f"{last.opening}{close}")]
    first = inner[0]
    if not open_:
        return inner
    if width(open_ + first.text) > budget and r"\left" not in open_:  # \left( and its \right) share a row
        return [Piece(open_, open_), *inner]
    return [Piece(f"{open_}{first.text}", f"{open_}{first.opening}"), *inner[1:]]


def _big(text: str) -> tuple[str, str]:
    """Delimiters for parentheses around rows: as tall as a fraction or a sum needs."""
    size = "bigg" if ("\\frac" in text or "\\sum" in text) else "big"
    return rf"\{size}l(", rf"\{size}r)"


@dataclass
class Breaker:
    """Cuts expressions printed by `printer` into pieces no wider than `budget` (em)."""

    printer: MathLatexPrinter
    budget: float

    def pieces(self, e: Expr, budget: float | None = None) -> list[Piece]:
        budget = self.budget if budget is None else budget
        e = display_form(e)
        text = self.printer.doprint(e)
        if width(text) <= max(budget, _NARROWEST):
            return [_inline(text)]
        for opener in (self._sum_terms, self._negated, self._fraction, self._product, self._inside):
            found = opener(e, budget)
            if found and len(found) > 1:  # opened into one piece is not opened: \left( \right) as printed
                return found
        return [_inline(text)]  # nothing to open: one (wide) row

    def _sum_terms(self, e: Expr, budget: float) -> list[Piece] | None:
        if not e.is_Add:
            return None
        out: list[Piece] = []
        p = self.printer
        for n, term in enumerate(p._as_ordered_terms(flat_add(e), order=None)):
            sign = ""
            if n and term.could_extract_minus_sign():
                sign, term = "- ", -term
            elif n:
                sign = "+ "
            if p._needs_add_brackets(term):
                inner = self.pieces(term, budget - 2)
                left, right = (r"\left(", r"\right)") if len(inner) == 1 else _big(p.doprint(term))
                parts = _wrapped(left, inner, right, budget)
            else:
                parts = self.pieces(term, budget - 1.3)
            first = parts[0]
            out.append(Piece(f"{sign}{first.text}", f"{sign}{first.opening}"))
            out += parts[1:]
        if len(out) > 1 and width(out[0].text) < _SHORT:  # (1 - p_j …: a row never ends on a lone 1
            out[:2] = [Piece(f"{out[0].text} {out[1].text}", f"{out[0].opening} {out[1].text}")]
        return out

    def _negated(self, e: Expr, budget: float) -> list[Piece] | None:
        if not (e.is_Mul and e.args[0] == -1 and len(e.args) > 1):
            return None
        rest = e.args[1] if len(e.args) == 2 else Mul(*e.args[1:], evaluate=False)
        inner = self.pieces(rest, budget - 2)
        if rest.is_Add:
            left, right = _big(self.printer.doprint(rest))
            inner = _wrapped(left, inner, right, budget)
        return _wrapped("- ", inner, "", budget)

    def _fraction(self, e: Expr, budget: float) -> list[Piece] | None:
        if not e.is_Mul:
            return None
        numerator, denominator = fraction(e, exact=True)
        if denominator == 1:
            return None
        p = self.printer
        head = rf"\frac{{1}}{{{p.doprint(denominator)}}}"
        if width(head) > budget:
            return None
        inner = self.pieces(numerator, budget - 2)
        if numerator.is_Add:  # a product follows 1/b as it is: \frac{1}{b} x \cdot (…), never (x (…))
            left, right = _big(p.doprint(numerator))
            inner = _wrapped(left, inner, right, budget)
        return _wrapped(head + " ", inner, "", budget)

    def _product(self, e: Expr, budget: float) -> list[Piece] | None:
        if not e.is_Mul or any((a.is_Rational and a.q != 1) or (a.is_Pow and a.exp.is_negative) for a in e.args):
            return None
        out: list[Piece] = []
        p = self.printer
        for n, factor in enumerate(e.args):
            parts = self.pieces(factor, budget - 2)
            text = p.doprint(factor)
            if factor.is_Add or (n and text.startswith("-")):
                left, right = (r"\left(", r"\right)") if len(parts) == 1 else _big(text)
                parts = _wrapped(left, parts, right, budget)
            first = parts[0]
            out.append(Piece(first.text, rf"\cdot {first.opening}" if n else first.opening))
            out += parts[1:]
        return out if len(out) > 1 else None

    def _inside(self, e: Expr, budget: float) -> list[Piece] | None:
        """A sum, derivative, power or function whose operand is too wide."""
        p = self.printer
        if isinstance(e, Sum):
            head = p.doprint(Sum(1, *e.limits)).rsplit(" ", 1)[0] + " "
            body = e.function
        elif isinstance(e, Derivative) and len(e.variable_count) == 1 and e.variable_count[0][1] == 1:
            head = rf"\frac{{\partial}}{{\partial {p.doprint(e.variable_count[0][0])}}}"
            body = e.expr
        elif isinstance(e, Pow) and not e.exp.is_negative:
            inner = self.pieces(e.base, budget - 3)
            left, right = _big(p.doprint(e.base))
            return _wrapped(left, inner, f"{right}^{{{p.doprint(e.exp)}}}", budget)
        elif (
            isinstance(e, Function)
            and len(e.args) == 1
            and e.func.__name__ in ("log", "exp", "tanh")
            and not isinstance(e.args[0], (Symbol, Indexed))  # \log p_j is one piece, never \log\bigl(p_j\bigr)
        ):
            head = {"log": r"\log", "exp": r"\exp", "tanh": r"\tanh"}[e.func.__name__]
            body = e.args[0]
        else:
            return None
        inner = self.pieces(body, budget - 2)
        if isinstance(e, Sum) and body.is_Mul and not p.doprint(body).startswith("-"):
            return _wrapped(head, inner, "", budget)  # Σ_j x (…) as printed inline: a product needs no brackets
        left, right = _big(p.doprint(body))
        return _wrapped(head + left, inner, right, budget)


def pack(pieces: list[Piece], budget: float, first: float | None = None) -> list[str]:
    """Pieces joined into rows, greedily, each row within its budget where possible."""
    rows: list[str] = []
    current = ""
    limit = budget if first is None else first
    for piece in pieces:
        if not current:
            current = piece.opening if rows else piece.text
            continue
        joined = f"{current} {piece.text}"
        if width(joined) <= limit:
            current = joined
        else:
            rows.append(current)
            current, limit = piece.opening, budget
    rows.append(current)
    return rows
