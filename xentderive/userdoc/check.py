"""Check every link of a user's derivation: rows → chains → definitions → one engine step per link.

Each link ``A = B`` becomes a `Step` with the one chain [A, B], checked by the checker the
built-in derivations use (`verify.checker_for`): proved for every C (symbolic C), verified
exactly (``-C N``), wrong with a counterexample, or not proved. A link whose case condition
(``j ≠ i``, ``j = i``) is stated in the display or in the sentence before it is checked under
that condition only; a wrong link that would hold under a condition nobody stated says so
("holds if j ≠ i"). A definition is not a link: it gives a name its meaning.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sympy import Expr, Rational, Sum, Symbol, latex

from ..model import Line, Status, Step
from ..semantics import ASSUME_J_NE_I, ASSUME_LABEL_SUM
from . import extract
from .meaning import (
    PLACE,
    Definition,
    DocContext,
    Roles,
    Translator,
    _canonical_sum,
    index_letters,
    indexed_names,
    keys_in,
    macro_key,
    name_of,
    softmax_candidate,
)
from .parse import RELATIONS, Chain, Node, NotUnderstood, parse_row

PASSING = ("proved", "verified")
STATUSES = ("proved", "verified", "wrong", "not-understood", "not-proved", "not-checked")  # as in verify.schema.json
# A row that starts with a relation continues the chain before it: any relation the grammar reads
_LEAD = re.compile(
    r"^\s*("
    + "|".join(
        re.escape(r) + ("(?![A-Za-z])" if r[-1].isalpha() else "") for r in sorted(RELATIONS, key=len, reverse=True)
    )
    + ")"
)
_BARE_FUNCTION = re.compile(r"(?<![\\A-Za-z])(log|ln|exp)(?![A-Za-z])")
_RELATION_WORD = {"=": "=", "≡": "=", "≤": "≤", "≥": "≥", "<": "<", ">": ">"}
MAX_LINKS = 2000  # links checked in one file; more are "not checked" (bounded by default)


@dataclass
class Verdict:
    """One link (or a row that could not be read): where it is, as written, and what was established."""

    line: int
    column: int
    written: str
    status: str
    reason: str = ""
    hint: str = ""
    counterexample: dict | None = None
    latex: str = ""
    cell: int | None = None
    method: str = ""
    cell_line: int | None = None  # a notebook: the line within the cell


@dataclass
class Report:
    file: str
    verdicts: list[Verdict] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)
    definitions: list[dict] = field(default_factory=list)
    classes: int | None = None
    seconds: float = 0.0

    @property
    def links(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.status != "not-checked"]

    @property
    def first_wrong(self) -> Verdict | None:
        return next((v for v in self.verdicts if v.status in ("wrong", "not-understood")), None)

    @property
    def ok(self) -> bool:
        return all(v.status in PASSING for v in self.links)

    def count(self, status: str) -> int:
        return sum(v.status == status for v in self.verdicts)


@dataclass
class _Side:
    node: Node
    end: int  # in the source: where the row it is on ends
    offset: int  # in the source


@dataclass
class _Chain:
    sides: list[_Side]
    relations: list[tuple[str, int]]  # relation, source offset of the right side it introduces
    conditions: list[str] = field(default_factory=list)  # each link's case condition ("j ≠ i") or ""
    cell: int | None = None
    definition: bool = False
    definition_error: str = ""


@dataclass
class _Broken:
    offset: int
    text: str
    why: str
    cell: int | None = None


def _row_chain(row: extract.Row, src: extract.Source) -> tuple[Chain | None, str | None, str]:
    """Parse one row: (chain, the relation it starts with if it continues a chain, text)."""
    text = row.text
    lead = _LEAD.match(text)
    rel = None
    if lead:
        rel = lead.group(1)
        text = " " * lead.end() + text[lead.end() :]
    if len(text) > extract.MAX_ROW:
        raise NotUnderstood(f"a formula of {len(text):,} characters; at most {extract.MAX_ROW:,} are read", 0)
    bare = _BARE_FUNCTION.search(text)
    if bare:
        raise NotUnderstood(f"'{bare.group(1)}' without a backslash: write \\{bare.group(1)}", bare.start())
    stripped = text.rstrip().rstrip(".,;:").rstrip()
    text = stripped + " " * (len(text) - len(stripped))
    try:
        return parse_row(text), rel, text
    except NotUnderstood:
        if src.kind != "txt":
            raise
    # A copied web page: the rendering may trail the LaTeX; drop trailing pieces, a few at most.
    pieces = text.rstrip().split(" ")
    for cut in range(1, min(6, len(pieces))):
        tail = " ".join(pieces[-cut:])
        if not tail.lstrip().startswith("=") or re.search(r"[\\_^{}]", tail):
            continue  # only the rendering's tail ("=pi", "=(") goes: never a part of the formula
        shorter = " ".join(pieces[:-cut]).rstrip()
        if not shorter.strip():
            break
        try:
            return parse_row(shorter), rel, shorter
        except NotUnderstood:
            continue
    return parse_row(text), rel, text


def _is_condition(chain: Chain) -> str:
    """Inline ``$j \\neq i$`` is a case condition, not a claim: "j ≠ i" (or "")."""
    if len(chain.sides) == 2 and all(s.kind == "letter" and len(s[0]) == 1 and s[0].islower() for s in chain.sides):
        rel = chain.relations[0][0]
        if rel in ("=", "≠"):
            return f"{chain.sides[0][0]} {rel} {chain.sides[1][0]}"
    return ""


_CONDITIONAL = re.compile(r"(?:\b(?:for|if|when|whenever|where|in the case)|当|对于|若|如果|在)\s*$", re.I)


def _applies(prose_after: str) -> bool:
    """The text between "for $j \\neq i$" and the formula it qualifies: a comma or a few words, no sentence end."""
    text = re.sub(r"\\begin\{[^{}]*\}(\{[^{}]*\})?|\$\$|\\\[|\\\(|\$", " ", prose_after).strip()
    if re.search(r"\b(?:every|all|any|each|general|generally|arbitrary)\b|任意|所有|一般|每", text, re.I):
        return False  # "for $j = i$, and in fact for every $j$": withdrawn
    return len(text) <= 60 and not re.search(r"[.。;；!?]|\n\s*\n", text)


def collect(src: extract.Source) -> list[_Chain | _Broken | _Classes]:
    """The file's chains in order, and its rows that could not be read.

    A case condition belongs to links: one written after a row's formula to that row's links (and the
    link into it); one in the sentence before a display ("for $j \\neq i$,") to every link of that
    display, or of the next inline formula if only a comma stands between.
    """
    out: list[_Chain | _Broken | _Classes] = []
    current: _Chain | None = None
    pending, pending_end = "", -1  # a condition in the prose, and where it ended
    block, block_condition = -1, ""
    unread = extract.unread_environments(src)

    def flush(before: int) -> None:
        while unread and unread[0][0] < before:
            at, name = unread.pop(0)
            why = f"the environment {name} is not read (write the claim in equation/align, or $$…$$)"
            out.append(_Broken(at, f"\\begin{{{name}}}", why))

    for row in extract.rows(src):
        flush(row.start)
        between = src.text[pending_end : row.start] if pending else ""
        if pending and not _applies(between):
            pending = ""
        try:
            chain, lead, text = _row_chain(row, src)
        except NotUnderstood as err:
            pending = ""
            if not re.search(r"=|\\le|\\ge|<|>", row.text):
                continue  # no relation: a mention ($z_1, \dots, z_K$), not a claim; the next row says if it was one
            out.append(_Broken(row.start + err.column, row.text.strip(), err.why, row.cell))
            current = None
            continue
        if not row.display and _names_classes(chain, src, row):
            out.append(_Classes(chain.sides[0][0]))
            continue
        if not row.display:
            cond = _is_condition(chain)
            if cond:
                before = src.text[max(0, row.start - 40) : row.start].rstrip("$\\( ")
                pending = cond if _CONDITIONAL.search(before) else ""
                pending_end = row.start + len(row.text) + 1
                continue
        if src.kind == "txt" and not chain.relations and lead is None:
            continue  # plain text: a formula without a relation is a mention in the prose
        if row.display and row.block != block:
            block, block_condition = row.block, pending
        shared = block_condition if row.display else pending
        if row.display or len(chain.sides) > 1:
            pending = ""  # used; a mention ($z_i$) between the condition and its formula leaves it
        sides = [_Side(n, row.start + len(text.rstrip()), row.start + n.pos) for n in chain.sides]
        rels = [(r, row.start + at) for r, at in chain.relations]
        own = row.condition or shared
        if lead is not None and current is not None:
            current.relations.append((RELATIONS.get(lead, lead), sides[0].offset))
            current.conditions.append(own)
            current.sides.extend(sides)
            current.relations.extend(rels)
            current.conditions.extend([own] * len(rels))
            continue
        if lead is not None and len(sides) < 2:
            why = "it continues a formula that was not understood, or none"
            out.append(_Broken(row.start, row.text.strip(), why, row.cell))
            current = None
            continue
        current = _Chain(sides, rels, [own] * len(rels), row.cell)
        out.append(current)
        if not row.display and len(sides) < 2:
            out.pop()  # inline $p_i$: a mention, not a claim
            current = None
        elif _is_statement(chain):
            current = None  # "Σ_j y_j = 1", "T > 0": an aside; a row starting "= …" continues the chain before it
    flush(len(src.text) + 1)
    return out


@dataclass
class _Classes:
    """ "$K$ classes" in the prose: K is the number of classes from here on."""

    name: str


_CLASSES_WORD = re.compile(r"\$?\s*(?:classes|categories|labels\b|个?类别?|种类别)")


def _names_classes(chain: Chain, src: extract.Source, row: extract.Row) -> bool:
    if chain.relations or len(chain.sides) != 1 or chain.sides[0].kind != "letter":
        return False
    after = src.text[row.start + len(row.text) : row.start + len(row.text) + 16]
    return bool(_CLASSES_WORD.match(after))


def _is_statement(chain: Chain) -> bool:
    if len(chain.sides) != 2:
        return False
    a, b = chain.sides
    if not _is_number(b):
        return False
    return a.kind == "letter" or (a.kind == "sum" and name_of(a[1]) is not None)


def _directives(src: extract.Source, roles: Roles) -> None:
    """``% xentderive: logits=z probs=p labels=y classes=K loss=L base=1``."""
    for _, text in src.directives:
        for part in text.replace(",", " ").split():
            if "=" not in part:
                continue
            key, value = part.split("=", 1)
            key = key.strip()
            if key in ("logits", "probs", "labels", "classes", "loss"):
                setattr(roles, key, value.strip())
            elif key == "base" and value.strip() in ("0", "1"):
                roles.base = int(value.strip())


def check_source(src: extract.Source, classes: int | None = None, labels: str = "onehot") -> Report:
    """Every link of `src` checked, in the file's order: a definition means something from its line on."""
    from ..verify import checker_for

    started = time.monotonic()
    report = Report(src.name, classes=classes)
    items = collect(src)
    roles = Roles()
    _directives(src, roles)
    ctx = DocContext(classes, nonnegative_labels=labels == "onehot")
    checked = 0
    for item in items:
        if isinstance(item, _Classes):
            if roles.classes is None and not roles.known(item.name) and item.name not in roles.params:
                roles.classes = item.name
            continue
        if isinstance(item, _Broken):
            line, column = src.position(item.offset)
            verdict = Verdict(line, column, item.text, "not-understood", item.why, cell=item.cell)
            verdict.cell_line = src.cell_line(item.offset)
            report.verdicts.append(verdict)
            continue
        first = 0
        if _define(item, roles, ctx, src, report, labels):
            if not _definition_ok(item, roles, ctx, report, src):
                continue
            first = 1
        for k in range(first, len(item.relations)):
            a, b = item.sides[k], item.sides[k + 1]
            rel, _at = item.relations[k]
            line, column = src.position(b.offset)
            written = _written(src, a, b, item, k)
            reason = ""
            if checked >= MAX_LINKS or rel == "≠":  # never a pass: "not proved" (exit 4)
                why = (
                    f"more than {MAX_LINKS} links in one file"
                    if checked >= MAX_LINKS
                    else "≠ is not shown by this tool"
                )
                report.verdicts.append(Verdict(line, column, written, "not-proved", why, cell=item.cell))
                continue
            if rel not in _RELATION_WORD:
                reason = f"'{rel}' is not a relation this tool checks"
            elif _special_case(a.node, b.node, roles):
                reason = _stated(a.node, b.node, rel, roles, ctx)
            elif _label_sum(a.node, b.node, roles):
                reason = "the labels sum to 1: an assumption (--labels onehot), not a claim"
            if reason:
                report.verdicts.append(Verdict(line, column, written, "not-checked", reason, cell=item.cell))
                continue
            checked += 1
            verdict = _check_link(ctx, roles, labels, a, b, _RELATION_WORD[rel], item.conditions[k], checker_for)
            verdict.line, verdict.column, verdict.written, verdict.cell = line, column, written, item.cell
            verdict.cell_line = src.cell_line(b.offset)
            report.verdicts.append(verdict)
    report.roles = {
        k: v
        for k, v in (
            ("logits", roles.logits),
            ("probs", roles.probs),
            ("labels", roles.labels),
            ("classes", roles.classes),
            ("loss", roles.loss),
        )
        if v
    }
    report.seconds = time.monotonic() - started
    return report


def _special_case(a: Node, b: Node, roles: Roles) -> bool:
    """``\\varepsilon = 0``: a letter that is no role, set to a number."""
    name = a[0] if a.kind == "letter" else ""
    not_a_parameter = name in ("e", "\\pi", "d") or roles.known(name) or name in (roles.loss, roles.probs)
    return a.kind == "letter" and _is_number(b) and not not_a_parameter


def _stated(a: Node, b: Node, rel: str, roles: Roles, ctx: DocContext) -> str:
    """``T > 0`` states a parameter's range: the proofs may use it. ``ε = 0`` is a special case."""
    if rel in (">", "≥") and b.kind == "number" and b[0] == "0":
        from .meaning import parameter

        name = a[0]
        old = roles.params.get(name)
        # SymPy must know it too (e^{z/T} is then real and positive): the symbol becomes a positive one,
        # in what was already built from it.
        symbol = roles.params[name] = parameter(name, **({"positive": True} if rel == ">" else {"nonnegative": True}))
        if old is not None:
            for attr in ("exponent_template", "loss_expr"):
                if getattr(ctx, attr) is not None:
                    setattr(ctx, attr, getattr(ctx, attr).xreplace({old: symbol}))
            ctx.samples.pop(old, None)
            ctx.ranges.pop(old, None)
        ctx.ranges[symbol] = (Rational(0), None, rel == ">", False)
        ctx.samples[symbol] = Rational(2)
        return f"the document states {name} {rel} 0: the proofs below use it"
    return "a parameter given a value (a special case), not a claim"


def _label_sum(a: Node, b: Node, roles: Roles) -> bool:
    """``\\sum_k y_k = 1`` with y not yet named: the labels, and their stated sum."""
    if not (a.kind == "sum" and _is_number(b) and b.kind == "number" and b[0] == "1"):
        return False
    var, lo, except_, _hi = a[0].args
    got = name_of(a[1])
    if got is None or len(got[1]) != 1 or except_ is not None or got[1][0] != Node("letter", (var,), got[1][0].pos):
        return False  # Σ_{k≠i} y_k = 1 or Σ_k y_i = 1: a claim, checked as one
    if lo is not None and not (lo.kind == "number" and lo[0] in ("0", "1")):
        return False
    if _hi is not None:  # Σ_{k=1}^{K-1} y_k = 1 is a claim (false for y = e_K): only the whole range is the sum
        base = int(lo[0]) if lo is not None else None
        whole = (_hi.kind == "letter" and base in (None, 1)) or (
            _hi.kind == "sub"
            and _hi[0].kind == "letter"
            and _is_number(_hi[1])
            and _hi[1][0] == "1"
            and base in (None, 0)
        )
        top = _hi[0] if _hi.kind == "letter" else _hi[0][0] if _hi.kind == "sub" else None
        if not whole or (roles.classes is not None and top != roles.classes):
            return False
    name = got[0]
    if roles.labels is None and not roles.known(name) and name != roles.probs:
        roles.labels = name
    return name == roles.labels


def _is_number(node: Node) -> bool:
    return node.kind == "number" or (node.kind in ("neg", "group") and _is_number(node[0]))


def _define(item: _Chain, roles: Roles, ctx: DocContext, src: extract.Source, report: Report, labels: str) -> bool:
    """If `item` starts with ``name = …`` for a name not used or defined before, it defines that name."""
    if not item.relations or item.relations[0][0] not in ("=", "≡"):
        return False
    got = name_of(item.sides[0].node)
    if got is None or any(i.kind != "letter" for i in got[1]) or len(got[1]) > 1:
        return False
    name, idx = got[0], (got[1][0][0] if got[1] else None)
    used = name in roles.params or name in (roles.logits, roles.labels, roles.classes, roles.probs, roles.loss)
    if used or macro_key(name, idx is not None) in roles.macros or name in ("e", "\\delta"):
        return False
    rhs = item.sides[1].node
    if idx is None and _is_number(rhs):
        return False  # ε = 0: a special case, not a meaning
    if macro_key(name, idx is not None) in keys_in(rhs):
        return False  # a = a + 1 names itself: a claim, not a definition (L = Σ_j L_j does not)
    if name in roles.broken:
        return False
    line = src.position(item.relations[0][1])[0]
    d = Definition(name, idx, rhs, line)
    sm = softmax_candidate(rhs, idx, roles) if idx is not None and roles.probs is None else None
    if sm is not None and _is_softmax(ctx, roles, name, idx, rhs, sm, labels):
        pass
    elif idx is None and roles.probs is not None and roles.loss is None and _mentions(rhs, roles):
        roles.loss = name
        _labels_from(rhs, roles)
        try:
            ctx.loss_expr = _dummies_as_n(Translator(ctx, roles, {}).expr(rhs), ctx)
        except NotUnderstood as err:
            item.definition_error = err.why  # reported by _definition_ok; the name means nothing after
    else:
        roles.macros[macro_key(name, idx is not None)] = d
    roles.defined_at[name] = line
    item.definition = True
    report.definitions.append({"name": name, "line": line})
    return True


def _is_softmax(
    ctx: DocContext, roles: Roles, name: str, idx: str, rhs: Node, candidate: tuple[str, Node], labels: str
) -> bool:
    """Is ``name_idx = rhs`` the softmax of the candidate logits? Proved by the engine, the whole right
    side (a denominator Σ_k e^{z_i}, a typo, or Σ_{k≠i} makes it something else: then it is a macro)."""
    from ..verify import checker_for

    logits, g = candidate
    before = roles.logits, ctx.exponent_template
    roles.logits = logits
    try:
        template = Translator(ctx, roles, {idx: PLACE}).expr(g)
        ctx.exponent_template = template if template != ctx.f[PLACE] else None
        written = Translator(ctx, roles, {idx: ctx.i}).expr(rhs)
        step = Step("softmax", "softmax", "", [[Line(written), Line(ctx.p[ctx.i])]], ())
        if checker_for(ctx, labels).check(step).status.passed:
            roles.probs = name
            return True
    except (NotUnderstood, ValueError, TypeError, AttributeError, ArithmeticError, IndexError, RecursionError):
        pass  # not shown to be the softmax: a definition like any other
    roles.logits, ctx.exponent_template = before
    return False


def _labels_from(rhs: Node, roles: Roles, depth: int = 0) -> None:
    """The loss's labels: the first name it (or a definition it uses) weights with that is no role yet."""
    for n, _ in indexed_names(rhs):
        if roles.labels is not None or depth > 8:
            return
        key = macro_key(n, True)
        if key in roles.macros:
            _labels_from(roles.macros[key].rhs, roles, depth + 1)
        elif not roles.known(n) and n not in (roles.probs, roles.logits) and n not in roles.broken:
            roles.labels = n


def _definition_ok(item: _Chain, roles: Roles, ctx: DocContext, report: Report, src: extract.Source) -> bool:
    """A definition must itself be readable: its right side is translated once, here."""
    name = name_of(item.sides[0].node)
    own = [i[0] for i in name[1]] if name else []  # p_i = …: i is the definition's own index, nothing else is free
    letters: list[str] = []
    index_letters(item.sides[1].node, letters)
    stray = [letter for letter in letters if letter not in own]
    free = {letter: Symbol(letter, integer=True, nonnegative=True) for letter in own}
    try:
        if stray:
            raise NotUnderstood(f"it uses the index {stray[0]}, which it does not define", 0)
        if item.definition_error:
            raise NotUnderstood(item.definition_error, 0)
        waiting = [
            n
            for n, _ in indexed_names(item.sides[1].node)
            if not roles.known(n) and n not in (roles.probs, roles.logits) and macro_key(n, True) not in roles.macros
        ]
        if not waiting:  # a name without a role yet (S = Σ_k e^{z_k} before the softmax): read where it is used
            Translator(ctx, roles, free).expr(item.sides[1].node)
    except NotUnderstood as err:
        if name:
            roles.broken[name[0]] = src.position(item.relations[0][1])[0]
            roles.macros.pop(macro_key(name[0], bool(name[1])), None)
            if roles.loss == name[0]:
                roles.loss, ctx.loss_expr = None, None
            if roles.probs == name[0]:
                roles.probs, ctx.exponent_template = None, None
        line, column = src.position(item.sides[1].offset + 0)
        report.verdicts.append(
            Verdict(
                line,
                column,
                _written(src, item.sides[0], item.sides[1], item, 0),
                "not-understood",
                f"the definition of {name[0] if name else '?'}: {err.why}",
                cell=item.cell,
            )
        )
        roles.defined_at.pop(name[0], None) if name else None
        return False
    return True


def _mentions(rhs: Node, roles: Roles, depth: int = 0) -> bool:
    """Does the right side depend on the probabilities or logits, directly or through a definition?"""
    names = {n for n, _ in indexed_names(rhs)}
    if names & {roles.probs, roles.logits}:
        return True
    inner = [roles.macros[macro_key(n, True)] for n in names if macro_key(n, True) in roles.macros]
    return depth < 8 and any(_mentions(d.rhs, roles, depth + 1) for d in inner)


def _dummies_as_n(e: Expr, ctx: DocContext) -> Expr:
    def rename(s: Sum) -> Expr:
        if len(s.limits) != 1:
            return s
        ((var, lo, hi),) = s.limits
        return _canonical_sum(Sum(s.function.xreplace({var: ctx.n}), (ctx.n, lo, hi)), ctx)

    return e.replace(lambda x: isinstance(x, Sum) and not x.has(ctx.n), rename)


def _written(src: extract.Source, a: _Side, b: _Side, item: _Chain, k: int) -> str:
    start, end = a.offset, (item.sides[k + 2].offset if k + 2 < len(item.sides) else None)
    if end is None:
        end = b.end
    else:
        back = src.text[start:end]
        m = re.search(r"(=|\\le|\\leq|\\ge|\\geq|<|>)\s*&?\s*$", back)
        end = start + (m.start() if m else len(back))
    piece = re.sub(r"\\\\(\[[^\]]*\])?|&|\\(?:nonumber|notag)", " ", src.text[start:end])
    return " ".join(piece.split()).rstrip(".,; ")[:400]


def _letters_for(a: Node, b: Node) -> list[str]:
    letters: list[str] = []
    index_letters(a, letters)
    index_letters(b, letters)
    return letters


def _check_link(
    ctx: DocContext, roles: Roles, labels: str, a: _Side, b: _Side, rel: str, condition: str, checker_for: Callable
) -> Verdict:
    """One link as one engine step: its free indices become i (the derivative's) and j, its case an assumption."""
    letters = _letters_for(a.node, b.node)
    derivative_first = _derivative_index(a.node) or _derivative_index(b.node)
    if derivative_first in letters:
        letters.remove(derivative_first)
        letters.insert(0, derivative_first)
    cond = condition.split() if condition else []
    if cond and cond[0] == cond[2]:
        if cond[1] == "=":
            cond = []  # i = i: always so
        else:
            return Verdict(0, 0, "", "not-understood", f"the condition {condition} never holds")
    if cond and (cond[0] not in letters or cond[2] not in letters):
        cond = []  # a condition on indices this link does not use says nothing about it
    if cond and cond[1] == "=":
        keep, gone = (cond[0], cond[2]) if letters.index(cond[0]) < letters.index(cond[2]) else (cond[2], cond[0])
        letters.remove(gone)
    if len(letters) > 2:
        return Verdict(0, 0, "", "not-understood", f"more than two free indices ({', '.join(letters)})")
    free = dict(zip(letters, (ctx.i, ctx.j), strict=False))
    if cond and cond[1] == "=":
        free[gone] = free[keep]
    try:
        left = Translator(ctx, roles, free).expr(a.node)
        right = Translator(ctx, roles, free).expr(b.node)
    except NotUnderstood as err:
        return Verdict(0, 0, "", "not-understood", err.why)
    except (ValueError, TypeError, AttributeError, ArithmeticError, IndexError, RecursionError) as err:
        return Verdict(0, 0, "", "not-understood", f"SymPy could not build this link ({type(err).__name__})")
    for name in roles.params:
        ctx.samples.setdefault(roles.params[name], Rational(1, 3))
    ctx.params = {s.name: s for s in roles.params.values()}
    assumptions = []
    if cond and cond[1] == "≠":
        if (free.get(cond[0]), free.get(cond[2])) not in ((ctx.i, ctx.j), (ctx.j, ctx.i)):
            return Verdict(0, 0, "", "not-understood", "a case condition on indices this link does not use")
        assumptions.append(ASSUME_J_NE_I)
    if labels == "onehot":
        assumptions.append(ASSUME_LABEL_SUM)
    first, second = (left, right) if rel in ("=", "≥", ">") else (right, left)
    relation = "=" if rel == "=" else "≥"
    step = Step("link", "link", "", [[Line(first), Line(second, relation=relation)]], tuple(assumptions))
    checker = checker_for(ctx, labels)
    try:
        res = checker.check(step)
    except (ValueError, TypeError, AttributeError, ArithmeticError, IndexError, KeyError, RecursionError) as err:
        why = f"the prover could not read this link ({type(err).__name__}); it is not checked"
        return Verdict(0, 0, "", "not-understood", why)
    status = _status(res.status)
    method = _plain(res.method)
    verdict = Verdict(0, 0, "", status, method, latex=f"{latex(left)} {_latex_rel(rel)} {latex(right)}")
    verdict.method = method
    if status == "wrong":
        verdict.reason = method
        verdict.counterexample = _counterexample(res.counterexample, free)
        if verdict.counterexample and rel in ("≤", "<"):  # checked as right ≥ left: show them as written
            cx = verdict.counterexample
            cx["lhs"], cx["rhs"] = cx["rhs"], cx["lhs"]
        verdict.hint = _hint(ctx, labels, (left, right), rel, tuple(assumptions), free, roles.labels or "y")
    elif status in PASSING and rel in ("<", ">"):
        verdict.status, verdict.reason = "not-proved", "the non-strict inequality holds; strictness is not shown"
    return verdict


def _hint(
    ctx: DocContext,
    labels: str,
    sides: tuple[Expr, Expr],
    rel: str,
    assumptions: tuple[str, ...],
    free: dict[str, Expr],
    labels_name: str,
) -> str:
    """A wrong link that holds under a condition nobody stated: say which."""
    from ..verify import checker_for

    left, right = sides
    relation = "=" if rel == "=" else "≥"
    first, second = (left, right) if rel in ("=", "≥", ">") else (right, left)
    letters = {v: k for k, v in free.items()}
    tries = []
    if ASSUME_J_NE_I not in assumptions and ctx.j in letters:
        tries.append((f"holds if {letters[ctx.j]} ≠ {letters[ctx.i]}", (*assumptions, ASSUME_J_NE_I), None))
        tries.append((f"holds if {letters[ctx.j]} = {letters[ctx.i]}", tuple(assumptions), {ctx.j: ctx.i}))
    if ASSUME_LABEL_SUM not in assumptions:
        tries.append((f"holds if Σ_j {labels_name}_j = 1", (*assumptions, ASSUME_LABEL_SUM), None))
    from ..semantics import instantiate

    for text, assume, subst in tries:
        a, b = (first, second) if subst is None else (instantiate(first, subst), instantiate(second, subst))
        step = Step("hint", "hint", "", [[Line(a), Line(b, relation=relation)]], assume)
        try:
            if checker_for(ctx, labels).check(step).status.passed:
                return text
        except Exception:  # a hint is a courtesy: no hint rather than a crash
            continue
    return ""


def _plain(method: str) -> str:
    """The engine's method note as plain text: $@C = 1$ → C = 1 (its names are the built-in f, p, y)."""
    from ..printing.common import RenderOptions, Words

    return Words(RenderOptions())(method).replace("$", "")


def _status(s: Status) -> str:
    if s is Status.PROVED:
        return "proved"
    if s is Status.VERIFIED:
        return "verified"
    if s is Status.FAILED:
        return "wrong"
    return "not-proved"


def _latex_rel(rel: str) -> str:
    return {"=": "=", "≤": r"\le", "≥": r"\ge", "<": "<", ">": ">"}.get(rel, rel)


def _counterexample(cx, free: dict) -> dict | None:
    if cx is None:
        return None
    back = {str(v): k for k, v in free.items()}
    return {
        "classes": cx.classes,
        "index": {back.get(k, k): v for k, v in cx.index.items()},
        "logits": list(cx.f),
        "labels": list(cx.y),
        "params": dict(cx.params),
        "lhs": cx.lhs_value,
        "rhs": cx.rhs_value,
    }


def _derivative_index(node) -> str | None:
    """The index letter of the first ∂/∂v in the formula: it becomes i, the engine's component."""
    if not isinstance(node, Node):
        return None
    if node.kind in ("frac", "div") and isinstance(node[1], Node) and node[1].kind == "partial":
        got = name_of(node[1][0])
        if got and got[1] and got[1][0].kind == "letter":
            return got[1][0][0]
    if node.kind == "dop":
        inner = node[0]
        if inner.kind == "partial":
            got = name_of(inner[0])
            if got and got[1] and got[1][0].kind == "letter":
                return got[1][0][0]
    for a in node.args:
        found = _derivative_index(a) if isinstance(a, Node) else None
        if found:
            return found
    return None


def verify_file(name: str, data: bytes, classes: int | None = None, labels: str = "onehot") -> Report:
    return check_source(extract.load(name, data), classes, labels)
