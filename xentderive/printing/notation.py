"""Notation as a printer concern: SymPy printer subclasses that know the user's names.

`--notation logits=z,probs=q` changes what `_print_Indexed` and `_print_Symbol`
emit, so every format renames consistently, with no string replacement on output.
Prose (titles, justifications) marks math spans with `$…$` and the renameable
symbols with `@f @p @y @C`; `prose` renders it for plain text or LaTeX.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from sympy import Add, Basic, Derivative, Expr, Indexed, Integer, MatMul, Mul, Pow, Rational, S, Sum, Symbol, log
from sympy.core.parameters import evaluate
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from ..errors import InputError

_NAME = re.compile(r"^[A-Za-z]{1,12}$")
_RESERVED = {"L", "i", "j", "k", "n", "e", "log", "exp", "sum"}
_GREEK_LETTERS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π",
    "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}  # fmt: skip
_ACCENTS = {"hat": "\u0302", "tilde": "\u0303", "bar": "\u0304"}
_ALPHABETS = ("mathcal", "mathrm", "mathbf", "boldsymbol", "mathit", "mathsf")
# A LaTeX name a paper uses: \hat{y}, \mathcal{L}, \sigma, \tilde{p}: a closed list, never raw TeX.
_LATEX_NAME = re.compile(
    rf"^\\(?:(?P<accent>{'|'.join(_ACCENTS)})\{{(?P<accented>[A-Za-z]|\\[A-Za-z]+)\}}"
    rf"|(?P<alphabet>{'|'.join(_ALPHABETS)})\{{(?P<letters>[A-Za-z]{{1,12}})\}}"
    r"|(?P<greek>[A-Za-z]+))$"
)
_KEYS = {"logits": "f", "probs": "p", "labels": "y", "classes": "C", "loss": "L"}


def unicode_name(shown: str) -> str:
    """The plain-text form of a display name: \\hat{y} → ŷ, \\mathcal{L} → ℒ, \\sigma → σ."""
    m = _LATEX_NAME.match(shown)
    if not m:
        return shown
    if m["accent"]:  # NFC: ŷ is one character where Unicode has one
        return unicodedata.normalize("NFC", unicode_name(m["accented"]) + _ACCENTS[m["accent"]])
    if m["alphabet"]:
        return (
            {"L": "ℒ", "E": "ℰ", "H": "ℋ"}.get(m["letters"], m["letters"])
            if m["alphabet"] == "mathcal"
            else m["letters"]
        )
    return _GREEK_LETTERS.get(m["greek"], shown)


def _seen(letter: str) -> str:
    """Letters a reader cannot tell apart, as one."""
    return {"ϵ": "ε", "ϕ": "φ"}.get(letter, letter)


def seen_as(shown: str) -> str:
    """What a reader sees of a display name: \\epsilon and \\varepsilon both as ε, \\hat{y} as ŷ."""
    return _seen(unicode_name(shown))


def seen_letter(name: str) -> str:
    """A parameter's letter as printed: gamma → γ, eps → ε, T → T."""
    return seen_as(GREEK[name]) if name in GREEK else name


def _latex_name_ok(value: str) -> bool:
    m = _LATEX_NAME.match(value)
    if not m:
        return False
    if m["alphabet"] == "mathcal" and not m["letters"].isupper():
        return False  # \\mathcal has capitals only: \\mathcal{p} would print another glyph
    if unicode_name(value) in ("δ", "i", "j", "k", "n", "e"):
        return False  # the Kronecker delta, the indices and e are taken
    inner = m["accented"] or ""
    greek = m["greek"] or (inner[1:] if inner.startswith("\\") else "")
    return not greek or greek in _GREEK_LETTERS


@dataclass(frozen=True)
class Notation:
    """Display names of the logits, probabilities, labels, number of classes and loss.

    The four ASCII names are also what --target may use; `shown` holds names only a
    printer knows (LaTeX such as \\hat{y}, and the loss's name), by internal symbol.
    """

    logits: str = "f"
    probs: str = "p"
    labels: str = "y"
    classes: str = "C"
    shown: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @classmethod
    def parse(cls, spec: str | None) -> Notation:
        """``"logits=z,probs=\\hat{y},loss=\\mathcal{L}"`` → Notation; InputError on bad keys or names."""
        if not spec:
            return cls()
        values: dict[str, str] = {}
        shown: dict[str, str] = {}
        for part in spec.split(","):
            key, sep, value = (s.strip() for s in part.partition("="))
            if sep and key not in _KEYS and (key in GREEK or (_NAME.match(key) and value.startswith("\\"))):
                # eps=\\epsilon, T=\\tau: a parameter's Greek letter, by choice (api.check_letters: the loss has it)
                if not (value.startswith("\\") and value[1:] in _GREEK_LETTERS):
                    raise InputError(f"--notation {key}={value!r}: a parameter's letter is a Greek one, e.g. \\epsilon")
                if key in shown:
                    raise InputError(f"--notation names {key} twice")
                shown[key] = value
                continue
            if not sep or key not in _KEYS:
                raise InputError(
                    f"--notation expects KEY=NAME pairs with KEY in {', '.join(_KEYS)} or a Greek parameter such as "
                    f"eps (got {part!r})"
                )
            if key in values or _KEYS[key] in shown:
                raise InputError(f"--notation names {key} twice")
            if value.startswith("\\"):
                if not _latex_name_ok(value):
                    raise InputError(
                        f"--notation {key}={value!r}: a LaTeX name is a Greek letter (\\sigma, not \\delta), an accent "
                        "(\\hat{y}, \\tilde{p}, \\bar{z}) or an alphabet (\\mathcal{L} with capitals, \\mathrm{logit})"
                    )
                shown[_KEYS[key]] = value
            elif not _NAME.match(value) or (value in _RESERVED and not (key == "loss" and value == "L")):
                raise InputError(
                    f"--notation {key}={value!r}: a name is 1-12 ASCII letters, not one of "
                    f"{', '.join(sorted(_RESERVED))}"
                )
            elif key == "loss":
                shown["L"] = value
            else:
                values[key] = value
        notation = cls(**values, shown=tuple(sorted(shown.items())))
        names = [unicode_name(notation.display(k)) for k in _KEYS.values()]
        if len(set(names)) != len(names):
            raise InputError(f"--notation gives two symbols the same name ({', '.join(names)})")
        return notation

    def letters(self) -> dict[str, str]:
        """Each LaTeX-named role's letter as a reader sees it (ϵ and ε alike), by internal name."""
        return {k: seen_as(v) for k, v in self.shown if k in _KEYS.values()}

    @property
    def claim_names(self) -> dict[str, str]:
        """The ASCII names --target may use, by role (a LaTeX name leaves the default)."""
        return {"logits": self.logits, "probs": self.probs, "labels": self.labels, "classes": self.classes}

    @property
    def rename(self) -> dict[str, str]:
        """Internal symbol name → the plain-text display name."""
        return {k: unicode_name(self.display(k)) for k in _KEYS.values()}

    def display(self, name: str) -> str:
        """Internal symbol name → display name as given (LaTeX for a LaTeX name)."""
        given = dict(self.shown)
        if name in given:
            return given[name]
        return {_KEYS[role]: shown for role, shown in self.claim_names.items()}.get(name, name)

    def latex_name(self, name: str) -> str:
        """A multi-letter name is upright in LaTeX (\\mathrm), a single letter italic."""
        shown = self.display(name)
        return shown if len(shown) == 1 or shown.startswith("\\") else rf"\mathrm{{{shown}}}"


# Parameters named after a Greek letter print as that letter; eps is label smoothing's ε.
GREEK = {
    "eps": r"\varepsilon",
    "epsilon": r"\varepsilon",
    "alpha": r"\alpha",
    "beta": r"\beta",
    "gamma": r"\gamma",
    "delta": r"\delta",
    "zeta": r"\zeta",
    "eta": r"\eta",
    "theta": r"\theta",
    "kappa": r"\kappa",
    "lam": r"\lambda",
    "lambda": r"\lambda",
    "mu": r"\mu",
    "rho": r"\rho",
    "sigma": r"\sigma",
    "tau": r"\tau",
    "omega": r"\omega",
}
_GREEK_WORD = re.compile(r"(?<![\\A-Za-z])(" + "|".join(sorted(GREEK, key=len, reverse=True)) + r")(?![A-Za-z])")


def _greek_words(letters: dict[str, str]) -> re.Pattern:
    """The names prose prints as a letter: the Greek ones, and a parameter given one (T=\\tau)."""
    extra = sorted(set(letters) - set(GREEK) - set(_KEYS.values()), key=len, reverse=True)
    if not extra:
        return _GREEK_WORD
    names = [*extra, *sorted(GREEK, key=len, reverse=True)]
    return re.compile(r"(?<![\\A-Za-z])(" + "|".join(names) + r")(?![A-Za-z])")


def _is_atomic(e: Expr) -> bool:
    return isinstance(e, (Symbol, Indexed))


def flat_add(e: Expr) -> Expr:
    """a + (b - c) as a + b - c: an unevaluated sum's nested sums opened (their brackets say nothing)."""
    terms = [t for a in e.args for t in (flat_add(a).args if a.is_Add else (a,))]
    return Add(*terms, evaluate=False) if len(terms) != len(e.args) else e


def _arithmetic(e: Basic) -> bool:
    """Numbers meeting numbers only (2 - 1, 10·3, 1 - 1/10): no symbol, function or sum in it."""
    if isinstance(e, Rational):
        return True
    return isinstance(e, (Add, Mul, Pow)) and all(_arithmetic(a) for a in e.args)


def _evaluated(e: Expr) -> Expr:
    with evaluate(True):
        return e.func(*(_evaluated(a) for a in e.args)) if e.args else e


def display_form(e: Basic) -> Basic:
    """The expression as a paper writes it, the same value: numbers meeting numbers worked out
    (a fixed parameter leaves γ - 1 as 2 - 1 and ε/C as 1/(10·3)), factors 1 dropped, a power 1
    written as its base and -1 taken to the front of a product (-Σ …, not (-1) Σ …).

    A printer concern: the derivation keeps every line as written, and SymPy checks that form;
    this changes only how a line reads, never what it says.
    """
    if not isinstance(e, Basic) or not e.args or getattr(e, "is_Matrix", False):
        return e
    if isinstance(e, Pow) and e.exp.is_Integer and e.exp < 0 and _arithmetic(e.base):
        with evaluate(False):  # a division by a number stays one: f/2 is \frac{f}{2}, not f \frac{1}{2}
            return Pow(_evaluated(e.base), e.exp)
    if _arithmetic(e):
        value = _evaluated(e)
        return value if value != e else e
    args = tuple(display_form(a) for a in e.args)
    with evaluate(False):
        if isinstance(e, Mul):
            kept = [a for a in args if a != 1]
            divides = any(a.is_Rational or (a.is_Pow and a.exp.is_negative) for a in kept)
            if divides and isinstance(kept[0], Mul) and kept[0].args[0] == -1:  # a \frac: (-1) x/2 as -x/2
                kept = [*kept[0].args, *kept[1:]]
            minus = kept.count(S.NegativeOne) == 1 and len(kept) > 1  # two signs the line wrote stay
            kept = [a for a in kept if a != -1] if minus else kept
            if len(kept) <= 1:
                body = kept[0] if kept else S.One
            else:
                body = Mul(*kept, evaluate=False) if tuple(kept) != args or minus else e.func(*args)
            return Mul(S.NegativeOne, body, evaluate=False) if minus else body
        if isinstance(e, Pow) and args[1] == 1:
            return args[0]
        if args == e.args:
            return e
        if isinstance(e, Sum):  # rebuilt as is: Sum() under evaluate(False) would write its body as 1·body
            rebuilt = Expr.__new__(Sum, *args)
            rebuilt.is_commutative = args[0].is_commutative  # as Sum() sets it
            return rebuilt
        return e.func(*args)


def _factors(e: Expr) -> list[Expr]:
    """The factors of a product, nested unevaluated products opened."""
    return [f for a in e.args for f in (_factors(a) if a.is_Mul else [a])]


class _MatrixLatex:
    """Vectors and matrices as papers write them: bold p, pᵀ, p ⊙ y, diag(p), 𝟏 (--form vector)."""

    def _print_MatrixSymbol(self, expr: Expr) -> str:
        return rf"\boldsymbol{{{self.notation.latex_name(expr.name)}}}"

    def _print_Transpose(self, expr: Expr) -> str:
        return rf"{self._print(expr.arg)}^{{\top}}"

    def _print_HadamardProduct(self, expr: Expr) -> str:
        return r" \odot ".join(rf"\left({self._print(a)}\right)" if a.is_MatAdd else self._print(a) for a in expr.args)

    def _print_HadamardPower(self, expr: Expr) -> str:
        return rf"{self._print(expr.base)}^{{\circ {self._print(expr.exp)}}}"

    def _print_DiagMatrix(self, expr: Expr) -> str:
        return rf"\operatorname{{diag}}\left({self._print(expr.args[0])}\right)"

    def _print_OneMatrix(self, expr: Expr) -> str:
        return r"\mathbf{1}"

    def _print_ZeroMatrix(self, expr: Expr) -> str:
        return r"\mathbf{0}"

    def _print_MatAdd(self, expr: Expr) -> str:
        return _signed_terms(self, expr)

    def _print_MatMul(self, expr: Expr) -> str:
        scalar, matrices = _split_matmul(expr)
        parts = [rf"\left({self._print(m)}\right)" if m.is_MatAdd else self._print(m) for m in matrices]
        if scalar == 1:
            return " ".join(parts)
        if scalar == -1:
            return "- " + " ".join(parts)
        shown = self._print(scalar)
        if scalar.is_Add or scalar.has(Sum):  # ε Σ_j y_j p_j p would read as a sum over p
            shown = rf"\left({shown}\right)"
        return " ".join([shown, *parts])


def _split_matmul(expr: Expr) -> tuple[Expr, list[Expr]]:
    """A matrix product's scalar factor and its matrices, in order."""
    scalars = [a for a in expr.args if not getattr(a, "is_Matrix", False)]
    return Mul(*scalars), [a for a in expr.args if getattr(a, "is_Matrix", False)]


def _negative(term: Expr) -> bool:
    """A term written with a minus: -y, and (ε - 1) y as -(1 - ε) y, the way the labels were smoothed."""
    if not term.is_MatMul:
        return False
    scalar = _split_matmul(term)[0]
    return bool(scalar.could_extract_minus_sign() or (scalar.is_Add and scalar.as_coeff_Add()[0].is_negative))


def _signed_terms(printer: object, expr: Expr) -> str:
    """A sum of matrix terms with "a - b" for a negative scalar factor, never "a + -b"."""
    out = ""
    terms = sorted(expr.args, key=_negative)  # p - y, not -y + p (a stable sort: otherwise as written)
    for k, term in enumerate(terms):
        negative = _negative(term)
        if negative:  # the term with its sign taken out, built as is (doit() would write a Sum out)
            scalar, matrices = _split_matmul(term)
            rest = matrices[0] if len(matrices) == 1 else MatMul(*matrices)
            term = rest if -scalar == 1 else MatMul(-scalar, *matrices)
        sign = (" - " if negative else " + ") if k else ("- " if negative else "")
        out += sign + printer._print(term)
    return out


class MathLatexPrinter(_MatrixLatex, LatexPrinter):
    """LaTeX in the seed's notation: f_{i}, \\frac{\\partial L}{\\partial f_{i}}, \\sum_{j \\neq i}."""

    def __init__(self, notation: Notation | None = None, order: str = "none") -> None:
        # order="none": show terms in the order the derivation wrote them.
        super().__init__({"mul_symbol": None, "order": order})
        self.notation = notation or Notation()

    def doprint(self, expr: Expr) -> str:
        return super().doprint(display_form(expr))

    def _print_Symbol(self, expr: Symbol, style: str = "plain") -> str:
        if expr.name in self.notation.rename:
            return self.notation.latex_name(expr.name)
        shown = dict(self.notation.shown)
        if expr.name in GREEK or expr.name in shown:  # T=\\tau: a parameter's letter chosen by --notation
            return shown.get(expr.name) or GREEK[expr.name]
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

    def _print_Add(self, expr: Expr, order: str | None = None) -> str:
        return super()._print_Add(flat_add(expr), order=order)

    def _print_log(self, expr: Expr, exp: str | None = None) -> str:
        """``\\log p_j`` as papers write it; parentheses only around a compound argument."""
        arg = expr.args[0]
        head = r"\log" if exp is None else rf"\log^{{{exp}}}"
        if _is_atomic(arg):
            return f"{head} {self._print(arg)}"
        return rf"{head}\left({self._print(arg)}\right)"

    def _print_Mul(self, expr: Mul) -> str:
        args = expr.args
        flat = _factors(expr)
        logs = [a for a in flat if isinstance(a, log) and _is_atomic(a.args[0])]
        if len(logs) > 1:
            rest = [a for a in flat if a not in logs]
            printed = [self._print(Mul(*rest, evaluate=False))] if rest else []
            return " ".join(printed + [rf"\log\left({self._print(a.args[0])}\right)" for a in logs])
        if logs and flat[-1] is not logs[0]:
            # \log p_j q reads as log(p_j q): a log without parentheses goes last
            return self._print_Mul(Mul(*[a for a in flat if a is not logs[0]], logs[0], evaluate=False))
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

    def doprint(self, expr: Expr) -> str:
        return super().doprint(display_form(expr))

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
        loose = loose or (e.is_Rational and not e.is_Integer) or (e.is_Pow and e.exp.is_negative)  # x/(3/2)
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

    def _print_MatrixSymbol(self, expr: Expr) -> str:
        return self.notation.rename.get(expr.name, expr.name)

    def _print_Transpose(self, expr: Expr) -> str:
        return f"{self._print(expr.arg)}ᵀ"

    def _print_HadamardProduct(self, expr: Expr) -> str:
        return " ⊙ ".join(f"({self._print(a)})" if a.is_MatAdd else self._print(a) for a in expr.args)

    def _print_HadamardPower(self, expr: Expr) -> str:
        return f"{self._print(expr.base)}^∘{self._print(expr.exp)}"

    def _print_DiagMatrix(self, expr: Expr) -> str:
        return f"diag({self._print(expr.args[0])})"

    def _print_OneMatrix(self, expr: Expr) -> str:
        return "𝟏"

    def _print_ZeroMatrix(self, expr: Expr) -> str:
        return "𝟎"

    def _print_MatAdd(self, expr: Expr) -> str:
        return _signed_terms(self, expr)

    def _print_MatMul(self, expr: Expr) -> str:
        scalar, matrices = _split_matmul(expr)
        parts = [f"({self._print(m)})" if m.is_MatAdd else self._print(m) for m in matrices]
        if scalar == 1:
            return " ".join(parts)
        if scalar == -1:
            return "-" + " ".join(parts)
        return " ".join([self._factor(scalar), *parts])

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
_LOG_WORD = re.compile(r"(?<![\\A-Za-z])log(?=[\s(])")  # log p and log(1 - p) alike: the upright \log
# kept_m in prose as the formulas print it, \mathrm{kept}_m: a word with a subscript is a name, upright
_MULTI_LETTER = re.compile(r"(?<![\\A-Za-z{])([A-Za-z]{2,})(?=_)")
_LATEX_TEXT = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_\allowbreak{}",  # identifiers such as log_softmax may break after an underscore
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


def prose(template: str, notation: Notation | None = None, *, style: str = "text", keep_math: bool = False) -> str:
    """Render prose whose math spans are `$…$` with renameable symbols `@f @p @y @C`.

    style "text": plain Unicode; "latex": text escaped, math converted to LaTeX;
    "markdown": text as is, math converted to LaTeX inside `$…$` (GitHub, Jupyter).
    """
    notation = notation or Notation()
    as_latex = style in ("latex", "markdown")
    names = {k: notation.latex_name(k) for k in notation.rename} if as_latex else notation.rename
    letters = GREEK | dict(notation.shown)  # eps → \\varepsilon, or the letter --notation chose
    out = []
    for n, part in enumerate(template.split("$")):
        if n % 2:
            part = re.sub(r"@([fpyC])", lambda m: names[m.group(1)], part)
            if notation.display("L") != "L":  # the loss has no @ marker: L alone in a math span is the loss
                part = re.sub(r"(?<![\\A-Za-z])L(?![A-Za-z])", lambda m: names["L"], part)
            if as_latex:
                part = _LOG_WORD.sub(r"\\log", "".join(_LATEX_MATH.get(ch, ch) for ch in part))
                part = _greek_words(letters).sub(lambda m: letters[m.group(1)] + " ", part)
                part = _MULTI_LETTER.sub(lambda m: rf"\mathrm{{{m.group(1)}}}", part)
                if style == "latex" and out and out[-1] and not out[-1][-1].isspace():
                    out.append(r"\hspace{0pt}")  # Chinese has no space before math: a place to break the line
                out.append(f"${part.strip()}$")
            else:
                out.append(part.replace(" ", "\x00") if keep_math else part)
        else:
            out.append(
                "".join(_LATEX_TEXT.get(ch, ch) for ch in part).replace("--", "-{}-") if style == "latex" else part
            )
    return "".join(out)
