"""Notation as a printer concern: SymPy printer subclasses that know the user's names.

`--notation logits=z,probs=q` changes what `_print_Indexed` and `_print_Symbol`
emit, so every format renames consistently, with no string replacement on output.
Prose (titles, justifications) marks math spans with `$…$` and the renameable
symbols with `@f @p @y @C`; `prose` renders it for plain text or LaTeX.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

from sympy import Derivative, Expr, Indexed, Integer, Mul, Pow, Sum, Symbol
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from ..errors import InputError

_NAME = re.compile(r"^[A-Za-z]{1,12}$")
_RESERVED = {"L", "i", "j", "k", "n", "e", "log", "exp", "sum"}


@dataclass(frozen=True)
class Notation:
    """Display names of the logits, probabilities, labels and number of classes."""

    logits: str = "f"
    probs: str = "p"
    labels: str = "y"
    classes: str = "C"

    @classmethod
    def parse(cls, spec: str | None) -> Notation:
        """``"logits=z,probs=q"`` → Notation; InputError on unknown keys or bad names."""
        if not spec:
            return cls()
        known = [f.name for f in fields(cls)]
        values: dict[str, str] = {}
        for part in spec.split(","):
            key, sep, value = (s.strip() for s in part.partition("="))
            if not sep or key not in known:
                raise InputError(f"--notation expects KEY=NAME pairs with KEY in {', '.join(known)} (got {part!r})")
            if not _NAME.match(value) or value in _RESERVED:
                raise InputError(
                    f"--notation {key}={value!r}: a name is 1-12 ASCII letters, not one of "
                    f"{', '.join(sorted(_RESERVED))}"
                )
            values[key] = value
        notation = cls(**values)
        names = [getattr(notation, k) for k in known]
        if len(set(names)) != len(names):
            raise InputError(f"--notation gives two symbols the same name ({', '.join(names)})")
        return notation

    @property
    def rename(self) -> dict[str, str]:
        """Internal symbol name → display name."""
        return {"f": self.logits, "p": self.probs, "y": self.labels, "C": self.classes}

    def latex_name(self, name: str) -> str:
        """A multi-letter name is upright in LaTeX (\\mathrm), a single letter italic."""
        shown = self.rename.get(name, name)
        return shown if len(shown) == 1 else rf"\mathrm{{{shown}}}"


def _is_atomic(e: Expr) -> bool:
    return isinstance(e, (Symbol, Indexed))


class MathLatexPrinter(LatexPrinter):
    """LaTeX in the seed's notation: f_{i}, \\frac{\\partial L}{\\partial f_{i}}, \\sum_{j \\neq i}."""

    def __init__(self, notation: Notation | None = None, order: str = "none") -> None:
        # order="none": show terms in the order the derivation wrote them.
        super().__init__({"mul_symbol": None, "order": order})
        self.notation = notation or Notation()

    def _print_Symbol(self, expr: Symbol, style: str = "plain") -> str:
        if expr.name in self.notation.rename:
            return self.notation.latex_name(expr.name)
        return super()._print_Symbol(expr, style)

    def _print_Indexed(self, expr: Indexed) -> str:
        base = self.notation.latex_name(str(expr.base.label))
        idx = [self._print(i) for i in expr.indices]
        return f"{base}_{{{''.join(idx) if all(len(i) == 1 for i in idx) else ','.join(idx)}}}"  # H_{ij}

    def _print_Derivative(self, expr: Derivative) -> str:
        order = sum(count for _, count in expr.variable_count)
        d = r"\partial" if order == 1 else rf"\partial^{{{order}}}"
        v = " ".join(
            rf"\partial {self._print(var)}" + (f"^{{{count}}}" if count > 1 else "")
            for var, count in expr.variable_count
        )
        if _is_atomic(expr.expr):
            return rf"\frac{{{d} {self._print(expr.expr)}}}{{{v}}}"
        return rf"\frac{{{d}}}{{{v}}}\left({self._print(expr.expr)}\right)"

    def _print_FixedPartial(self, expr: Expr) -> str:
        probs = self.notation.latex_name("p")
        fraction = rf"\frac{{\partial {self._print(expr.expr)}}}{{\partial {self._print(expr.var)}}}"
        return rf"\left({fraction}\right)_{{{probs}}}"

    def _print_Sum(self, expr: Sum) -> str:
        limit = type(self)(self.notation, order="lex").doprint  # C - 1, not -1 + C
        signs = "".join(
            rf"\sum_{{{self._print(var)}={limit(lo)}}}^{{{limit(hi)}}} " for var, lo, hi in reversed(expr.limits)
        )  # SymPy lists the innermost sum first
        return signs + self._operand(expr.function)

    def _print_SumExcept(self, expr: Expr) -> str:
        return rf"\sum_{{{self._print(expr.var)} \neq {self._print(expr.excluded)}}} {self._operand(expr.body)}"

    def _operand(self, e: Expr) -> str:
        s = self._print(e)
        return rf"\left({s}\right)" if e.is_Add or s.startswith("-") else s

    def _print_Mul(self, expr: Mul) -> str:
        args = expr.args
        if args[0] == -1 and len(args) > 1:
            rest = args[1] if len(args) == 2 else Mul(*args[1:], evaluate=False)
            return "- " + (rf"\left({self._print(rest)}\right)" if rest.is_Add else self._print(rest))
        if any(a.is_Rational or (a.is_Pow and a.exp.is_negative) for a in args):
            return super()._print_Mul(expr)  # SymPy builds the \frac
        parts = []
        for n, a in enumerate(args):
            part = self._print(a)
            if a.is_Add or (n and part.startswith("-")):
                part = rf"\left({part}\right)"
            parts.append(part)
        return " ".join(parts)


class MathTextPrinter(StrPrinter):
    """One-line Unicode math for terminals and JSON: ∂L/∂f_i, Σ_{j≠i}, e^(f_i), a·b."""

    printmethod = "_xentderive_text"  # not Indexed._sympystr, which would bypass _print_Indexed

    def __init__(self, notation: Notation | None = None, order: str = "none") -> None:
        super().__init__({"order": order})
        self.notation = notation or Notation()

    def _print_Symbol(self, expr: Symbol) -> str:
        return self.notation.rename.get(expr.name, expr.name)

    def _print_Indexed(self, expr: Indexed) -> str:
        base = self.notation.rename.get(str(expr.base.label), str(expr.base.label))
        idx = [self._print(i) for i in expr.indices]
        if all(len(i) == 1 for i in idx):  # f_i, H_ij
            return f"{base}_{''.join(idx)}"
        return f"{base}_{{{','.join(idx)}}}"

    def _print_exp(self, expr: Expr) -> str:
        arg = self._print(expr.args[0])
        return f"e^{arg}" if len(arg) == 1 else f"e^({arg})"

    def _print_Derivative(self, expr: Derivative) -> str:
        order = sum(count for _, count in expr.variable_count)
        d = "∂" if order == 1 else f"∂{'²³'[order - 2] if order <= 3 else f'^{order}'}"
        v = "".join(f"∂{self._print(var)}" + (f"^{count}" if count > 1 else "") for var, count in expr.variable_count)
        if _is_atomic(expr.expr):
            return f"{d}{self._print(expr.expr)}/{v}"
        return f"{d}/{v} ({self._print(expr.expr)})"

    def _print_FixedPartial(self, expr: Expr) -> str:
        probs = self.notation.rename.get("p", "p")
        return f"(∂{self._print(expr.expr)}/∂{self._print(expr.var)})_{probs}"

    def _print_Sum(self, expr: Sum) -> str:
        limit = type(self)(self.notation, order="lex").doprint  # C - 1, not -1 + C
        signs = "".join(
            f"Σ_{{{self._print(var)}={limit(lo)}}}^{{{limit(hi)}}} " for var, lo, hi in reversed(expr.limits)
        )  # SymPy lists the innermost sum first
        return signs + self._factor(expr.function)

    def _print_SumExcept(self, expr: Expr) -> str:
        return f"Σ_{{{self._print(expr.var)}≠{self._print(expr.excluded)}}} {self._factor(expr.body)}"

    def _factor(self, e: Expr) -> str:
        """A factor of a product: parenthesized unless it is a single tight term."""
        s = self._print(e)
        loose = e.is_Add or isinstance(e, (Mul, Sum)) or type(e).__name__ == "SumExcept" or s.startswith("-")
        return f"({s})" if loose else s

    def _print_Mul(self, expr: Mul) -> str:
        args = list(expr.args)
        if args[0] == -1 and len(args) > 1:
            rest = args[1] if len(args) == 2 else Mul(*args[1:], evaluate=False)
            return "-" + (f"({self._print(rest)})" if rest.is_Add else self._print(rest))
        sign = ""
        if args[0].is_Number and args[0] < 0:
            sign, args[0] = "-", -args[0]
        num, den = [], []
        for a in args:
            if a.is_Pow and a.exp.is_Number and a.exp < 0:
                den.append(a.base if a.exp == -1 else Pow(a.base, -a.exp, evaluate=False))
            elif a.is_Rational and a.q != 1:
                if a.p != 1:
                    num.append(Integer(a.p))
                den.append(Integer(a.q))
            elif a != 1:
                num.append(a)
        if len(num) == 1 and not den:
            return sign + self._print(num[0])
        n = "·".join(self._factor(a) if len(num) > 1 or den else self._print(a) for a in num) or "1"
        if not den:
            return sign + n
        d = "·".join(self._factor(a) for a in den)
        return f"{sign}{n}/({d})" if len(den) > 1 else f"{sign}{n}/{d}"

    def _print_Pow(self, expr: Pow, rational: bool = False) -> str:
        base, e = expr.args
        if e == -1:
            return f"1/{self._factor(base)}"
        b = self._print(base) if _is_atomic(base) or base.is_Number else f"({self._print(base)})"
        exponent = self._print(e)
        return f"{b}^{exponent}" if len(exponent) == 1 else f"{b}^({exponent})"

    def _print_KroneckerDelta(self, expr: Expr) -> str:
        a, b = (self._print(x) for x in expr.args)
        return f"δ_{a}{b}" if len(a) == len(b) == 1 else f"δ_{{{a},{b}}}"

    def _print_log(self, expr: Expr) -> str:
        return f"log({self._print(expr.args[0])})"


def text(expr: Expr, notation: Notation | None = None) -> str:
    """One-line Unicode rendering of a display expression."""
    return MathTextPrinter(notation).doprint(expr)


def latex(expr: Expr, notation: Notation | None = None) -> str:
    """LaTeX rendering of a display expression (amsmath only)."""
    return MathLatexPrinter(notation).doprint(expr)


_LATEX_MATH = {
    "…": r"\dots ",
    "≠": r"\neq ",
    "Σ": r"\sum ",
    "≤": r"\le ",
    "≥": r"\ge ",
    "·": r"\cdot ",
    "²": "^2",
    "δ": r"\delta ",
    "∂": r"\partial ",
    "′": "'",
    "→": r"\to ",
    "∞": r"\infty ",
    "α": r"\alpha ",
    "γ": r"\gamma ",
    "ε": r"\varepsilon ",
    "β": r"\beta ",
    "λ": r"\lambda ",
    "τ": r"\tau ",
    "ζ": r"\zeta ",
    "σ": r"\sigma ",
    "ᵀ": r"^{\top}",
}
_LATEX_TEXT = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "^": r"\^{}",
    "~": r"\~{}",
    "“": "``",
    "”": "''",
    "…": r"\dots{}",
    "—": "---",
    "–": "--",
}


def prose(template: str, notation: Notation | None = None, *, style: str = "text") -> str:
    """Render prose whose math spans are `$…$` with renameable symbols `@f @p @y @C`.

    style "text": plain Unicode; "latex": text escaped, math converted to LaTeX;
    "markdown": text as is, math converted to LaTeX inside `$…$` (GitHub, Jupyter).
    """
    notation = notation or Notation()
    as_latex = style in ("latex", "markdown")
    names = {k: notation.latex_name(k) for k in notation.rename} if as_latex else notation.rename
    out = []
    for n, part in enumerate(template.split("$")):
        if n % 2:
            part = re.sub(r"@([fpyC])", lambda m: names[m.group(1)], part)
            if as_latex:
                part = "".join(_LATEX_MATH.get(ch, ch) for ch in part).replace("log ", r"\log ")
                out.append(f"${part.strip()}$")
            else:
                out.append(part)
        else:
            out.append("".join(_LATEX_TEXT.get(ch, ch) for ch in part) if style == "latex" else part)
    return "".join(out)
