"""One row of LaTeX mathematics → a small syntax tree, with the lark grammar `latex.lark`.

The tree (`Node`) says what was written, not what it means: `meaning.py` gives names their
roles. A row that the grammar does not accept raises `NotUnderstood` with the column and
the fragment; nothing is guessed and nothing is evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

MAX_DEPTH = 60  # brackets, fractions and scripts nested deeper than this are not understood


class NotUnderstood(Exception):
    """The row (or a part of it) is outside what `verify` reads: `column` is 0-based in the row."""

    def __init__(self, why: str, column: int = 0):
        super().__init__(why)
        self.why = why
        self.column = column


@dataclass(frozen=True)
class Node:
    """`kind` names the construct; `args` are Nodes or strings; `pos` is the row offset it starts at."""

    kind: str
    args: tuple
    pos: int = 0

    def __getitem__(self, k: int):
        return self.args[k]


@dataclass(frozen=True)
class Chain:
    """``A = B ≤ C``: the sides and the relations between them, each with its row offset."""

    sides: tuple[Node, ...]
    relations: tuple[tuple[str, int], ...]


@cache
def _parser() -> Lark:
    grammar = resources.files(__package__).joinpath("latex.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", maybe_placeholders=False)


def _pos(x) -> int:
    if isinstance(x, Token):
        return x.start_pos or 0
    if isinstance(x, Node):
        return x.pos
    return 0


RELATIONS = {
    "=": "=",
    ":=": "=",
    "\\coloneqq": "=",
    "\\le": "≤",
    "\\leq": "≤",
    "<": "<",
    "\\ge": "≥",
    "\\geq": "≥",
    ">": ">",
    "\\approx": "≈",
    "\\neq": "≠",
    "\\ne": "≠",
    "\\equiv": "≡",
    "\\propto": "∝",
    "\\sim": "∼",
}


@v_args(inline=True)
class _Build(Transformer):
    """lark's tree → Nodes; tokens keep their offsets."""

    def start(self, *items):
        sides = items[0::2]
        rels = tuple((RELATIONS[str(r)], _pos(r)) for r in items[1::2])
        return Chain(tuple(sides), rels)

    def rel(self, token):
        return token

    def add(self, a, _op, b):
        return Node("add", (a, b), a.pos)

    def sub(self, a, _op, b):
        return Node("sub", (a, b), a.pos)

    def neg(self, op, a):
        return Node("neg", (a,), _pos(op))

    def pos(self, op, a):
        return a

    def mul(self, a, *rest):
        return Node("mul", (a, rest[-1]), a.pos)

    def div(self, a, b):
        return Node("div", (a, b), a.pos)

    def bigsum(self, op, limits, body):
        return Node("sum", (limits, body), _pos(op))

    def bigsum_plain(self, op, body):
        return Node("sum", (Node("limits", (None, None, None, None), _pos(op)), body), _pos(op))

    def sumlimits(self, sub, sup=None):
        var, lo, except_ = sub
        return Node("limits", (var, lo, except_, sup), 0)

    def sumlimits_swapped(self, sup, sub):
        return self.sumlimits(sub, sup)

    def sub_var(self, letter):
        return (str(letter), None, None)

    def sub_from(self, letter, _eq, lo):
        return (str(letter), lo, None)

    def sub_except(self, letter, _ne, other):
        return (str(letter), None, other)

    def partial(self, op, a):
        return Node("partial", (a,), _pos(op))

    def scripted(self, atom, *scripts):
        sub = sup = None
        for kind, arg in scripts:
            if kind == "sub":
                if sub is not None:
                    raise NotUnderstood("two subscripts on one symbol", atom.pos)
                sub = arg
            else:
                if sup is not None:
                    raise NotUnderstood("a double superscript (write braces: x^{a^b})", atom.pos)
                sup = arg
        return Node("scripted", (atom, sub, sup), atom.pos)

    def prime(self, a, tick):
        raise NotUnderstood("a derivative written with ′ does not say with respect to what", _pos(tick))

    def factorial(self, a):
        raise NotUnderstood("a factorial (!) is not part of this grammar", a.pos)

    def subscript(self, arg):
        return ("sub", arg)

    def superscript(self, arg):
        return ("sup", arg)

    def arg_letter(self, t):
        return Node("letter", (str(t),), _pos(t))

    def arg_digit(self, t):
        return Node("number", (str(t),), _pos(t))

    def arg_name(self, n):
        return n

    def arg_group(self, *items):
        if len(items) == 1:
            return items[0]
        return Node("list", items, items[0].pos)

    def arg_set(self, rel):
        return rel

    def number(self, t):
        return Node("number", (str(t),), _pos(t))

    def letter(self, t):
        return Node("letter", (str(t),), _pos(t))

    def group(self, e):
        return Node("group", (e,), e.pos)

    def frac(self, op, a, b):
        return Node("frac", (a, b), _pos(op))

    def dop(self, op, _partial, var):
        return Node("dop", (var,), _pos(op))

    def func(self, name, arg):
        return Node("func", (str(name).lstrip("\\"), arg), _pos(name))

    def func_scripted(self, name, *rest):
        raise NotUnderstood(
            f"{name}^{{…}}: a power or base written on {name} (write ({name} x)^2, or {name} x)", _pos(name)
        )

    def softmax(self, name, arg):
        return Node("softmax", (arg,), _pos(name))

    def opname(self, op, word, arg):
        raise NotUnderstood(f"the function {word} is not one this grammar knows (softmax, log, ln, exp)", _pos(op))

    def indicator(self, *items):
        rel = items[-1]
        return Node("indicator", (rel,), rel.pos)

    def idxrel(self, a, rel, b):
        return Node("idxrel", (str(a), "=" if str(rel) == "=" else "≠", str(b)), _pos(a))

    def nabla(self, op, var, body):
        return Node("nabla", (var, body), _pos(op))

    def greek(self, t):
        return Node("letter", (str(t),), _pos(t))

    def accent(self, accent, inner):
        inner_name = inner.args[0] if isinstance(inner, Node) else str(inner)
        return Node("letter", (f"{accent}{{{inner_name}}}",), _pos(accent))

    def font(self, font, word):
        if str(font) == "\\mathrm" and str(word) in ("e", "d"):  # upright e and d (ISO style): the letters
            return Node("letter", (str(word),), _pos(font))
        return Node("letter", (f"{font}{{{word}}}",), _pos(font))


@lru_cache(maxsize=4096)
def parse_row(text: str) -> Chain:
    """The chain written in `text`; NotUnderstood (with the column) if the grammar refuses it.
    Cached: plain text asks for a whole line twice (is it one formula? then read it), and a tree is immutable."""
    depth = 0
    for k, c in enumerate(text):
        depth += {"{": 1, "(": 1, "[": 1, "}": -1, ")": -1, "]": -1}.get(c, 0)
        if depth > MAX_DEPTH:
            raise NotUnderstood(f"brackets nested more than {MAX_DEPTH} deep", k)
    try:
        tree = _parser().parse(text)
    except UnexpectedCharacters as err:
        raise NotUnderstood(f"unexpected {_fragment(text, err.pos_in_stream)}", err.pos_in_stream) from None
    except UnexpectedToken as err:
        at = err.token.start_pos if err.token.start_pos is not None else len(text)
        if err.token.type == "$END":
            raise NotUnderstood("the formula ends too early", len(text.rstrip())) from None
        raise NotUnderstood(f"unexpected {_fragment(text, at)}", at) from None
    except (UnexpectedEOF, UnexpectedInput):
        raise NotUnderstood("the formula ends too early", len(text.rstrip())) from None
    except RecursionError:
        raise NotUnderstood("the formula nests too deeply", 0) from None
    try:
        return _Build().transform(tree)
    except NotUnderstood:
        raise
    except LarkError as err:  # a NotUnderstood raised inside a callback arrives wrapped
        inner = getattr(err, "orig_exc", None)
        if isinstance(inner, NotUnderstood):
            raise inner from None
        raise


def _fragment(text: str, at: int) -> str:
    piece = text[at : at + 12].split("\n")[0].strip() or text[at : at + 1]
    return f"'{piece}'" if piece else "end of formula"
