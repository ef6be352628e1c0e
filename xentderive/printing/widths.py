"""How wide a LaTeX math formula sets, in em, estimated without running TeX.

The paper layout breaks a line before it would run into the margin; pdflatex is not
needed to print LaTeX, so the widths come from Computer Modern's metrics, rounded up.
tests/test_paper_layout.py compares the estimates with what pdflatex measures: an
estimate may be high (a break that was not needed) but not low (an overfull box).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r"\\[A-Za-z]+\*?|\\.|[{}^_]|\s+|.", re.S)

# Computer Modern, 10 pt, in em (1 em = 10 pt): the glyph plus its math spacing.
_REL = 0.78 + 2 * 0.278  # = \le \ge \neq: thick spaces either side
_BIN = 0.78 + 2 * 0.222  # + - \cdot \times: medium spaces
_WIDE_LETTERS = {"m": 0.88, "w": 0.73, "M": 0.98, "W": 0.95}
_COMMANDS = {
    r"\partial": 0.58,
    r"\delta": 0.46,
    r"\log": 1.45,
    r"\ln": 1.15,
    r"\exp": 1.6,
    r"\tanh": 2.05,
    r"\sigma": 0.6,
    r"\top": 0.78,
    r"\infty": 1.0,
    r"\dots": 1.35,
    r"\ldots": 1.35,
    r"\cdots": 1.35,
    r"\quad": 1.0,
    r"\qquad": 2.0,
    r"\,": 0.17,
    r"\:": 0.22,
    r"\;": 0.28,
    r"\!": -0.17,
    r"\ ": 0.33,
    r"\{": 0.5,
    r"\}": 0.5,
    r"\|": 0.5,
    r"\prime": 0.3,
    r"\to": _REL,
    r"\mapsto": _REL,
    r"\diag": 2.0,
}
_RELATIONS = {r"\le", r"\leq", r"\ge", r"\geq", r"\neq", r"\approx", r"\equiv", "=", "<", ">"}
_BINARIES = {r"\cdot", r"\times", r"\pm", "+", "-"}
_GREEK = {
    r"\alpha", r"\beta", r"\gamma", r"\epsilon", r"\varepsilon", r"\zeta", r"\eta", r"\theta", r"\lambda",
    r"\mu", r"\nu", r"\xi", r"\pi", r"\rho", r"\tau", r"\phi", r"\varphi", r"\chi", r"\psi", r"\omega",
}  # fmt: skip
_STYLES = ("display", "text", "script", "scriptscript")
_SCALE = {"display": 1.0, "text": 1.0, "script": 0.7, "scriptscript": 0.5}
_DELIMS = {"(": 0.39, ")": 0.39, "[": 0.28, "]": 0.28, ".": 0.12, "|": 0.28, r"\{": 0.5, r"\}": 0.5}
_SIZED = {r"\bigl", r"\bigr", r"\Bigl", r"\Bigr", r"\biggl", r"\biggr", r"\Biggl", r"\Biggr", r"\big", r"\Big"}


def _tokens(latex: str) -> list[str]:
    return [t for t in _TOKEN.findall(latex) if not t.isspace()]


def _down(style: str) -> str:
    """The style of a fraction's parts: one step smaller (display → text → script → scriptscript)."""
    return _STYLES[min(_STYLES.index(style) + 1, 3)]


def _script(style: str) -> str:
    return "script" if style in ("display", "text") else "scriptscript"


@dataclass
class _Reader:
    tokens: list[str]
    at: int = 0

    def next(self) -> str | None:
        if self.at >= len(self.tokens):
            return None
        self.at += 1
        return self.tokens[self.at - 1]

    def group(self) -> list[str]:
        """The next argument: a braced group's tokens, or one token."""
        first = self.next()
        if first != "{":
            return [] if first is None else [first]
        depth, out = 1, []
        while (t := self.next()) is not None:
            depth += {"{": 1, "}": -1}.get(t, 0)
            if depth == 0:
                break
            out.append(t)
        return out


def _text_width(tokens: list[str]) -> float:
    """\\text{…} and \\mathrm{…}: upright letters, about half an em each."""
    return sum(0.33 if t == "~" else 0.52 for t in tokens if not t.startswith("\\") or len(t) == 2)


def width(latex: str, style: str = "display") -> float:
    """The estimated width of `latex` (math mode) in em, rounded up."""
    return _width(_tokens(latex), style) * 1.12


def _width(tokens: list[str], style: str) -> float:
    scale = _SCALE[style]
    reader, total = _Reader(tokens), 0.0
    last_was_sum = False
    while (t := reader.next()) is not None:
        big_operator, w = False, 0.0
        if t == "{":
            reader.at -= 1
            w = _width(reader.group(), style)
        elif t in ("^", "_"):
            # scripts: the wider of a superscript and a subscript, set side by side
            scripts = {t: reader.group()}
            if reader.at < len(tokens) and tokens[reader.at] in ("^", "_") and tokens[reader.at] not in scripts:
                key = reader.next()
                scripts[key] = reader.group()  # (not one statement: the value would be read first)
            widths = [_width(g, _script(style)) for g in scripts.values()]
            if last_was_sum and style == "display":
                total += max(0.0, max(widths) - 1.44)  # limits stacked over and under the sign
            else:
                total += max(widths) + 0.06 * scale
            last_was_sum = False
            continue
        elif t in (r"\frac", r"\dfrac", r"\tfrac"):
            inner = {r"\dfrac": "text", r"\tfrac": _script(style)}.get(t, _down(style))
            numerator, denominator = reader.group(), reader.group()
            w = max(_width(numerator, inner), _width(denominator, inner)) + 0.24 * scale
        elif t in (r"\left", r"\right", *_SIZED):
            delimiter = reader.next() or "."
            w = 0.75 if t in (r"\left", r"\right") and delimiter != "." else _DELIMS.get(delimiter, 0.5) * 1.2
            w *= max(scale, 0.7)
        elif t == r"\sum":
            w, big_operator = (1.44 if style == "display" else 1.05 * scale), True
        elif t in (r"\text", r"\mathrm", r"\operatorname", r"\textup", r"\mathit", r"\textbf", r"\emph"):
            w = _text_width(reader.group()) * scale
        elif t in (r"\mathcal", r"\mathbb", r"\hat", r"\tilde", r"\bar", r"\boldsymbol", r"\mathbf"):
            w = _width(reader.group(), style) * 1.1
        elif t in (r"\phantom",):
            w = _width(reader.group(), style)
        elif t in (r"\vphantom", r"\label", r"\nonumber", r"\notag", r"\displaystyle", r"\textstyle"):
            if t in (r"\vphantom", r"\label"):
                reader.group()
        elif t in _RELATIONS:
            w = _REL if scale == 1 else 0.78 * scale
        elif t in _BINARIES:
            w = _BIN if scale == 1 else 0.78 * scale
        elif t in _COMMANDS:
            w = _COMMANDS[t] * scale
        elif t in _GREEK:
            w = 0.62 * scale
        elif t in _DELIMS:
            w = _DELIMS[t] * scale
        elif t == ",":
            w = (0.28 + 0.17) * scale
        elif len(t) == 1 and t.isalpha():
            w = _WIDE_LETTERS.get(t, 0.76 if t.isupper() else 0.55) * scale
        elif len(t) == 1 and t.isdigit():
            w = 0.5 * scale
        else:
            w = 1.0 * scale  # anything unknown: an em, to err wide
        total += w
        last_was_sum = big_operator
    return total
