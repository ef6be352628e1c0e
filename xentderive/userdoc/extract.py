"""Where the mathematics is in a user's file: LaTeX, Markdown, a notebook, or plain text.

The result is a list of `Row`s: one row of a display (or one inline formula), with the
source position of every character kept, so a verdict names the file's own line and
column. Layout-only LaTeX (``\\,``, ``\\quad``, ``\\left``, ``\\tag{…}``, ``&``) is blanked
out with spaces, never deleted, for the same reason. Nothing here interprets the math.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from ..errors import InputError

MAX_BYTES = 5_000_000  # a file larger than this is refused (exit 2): a paper is far smaller
MAX_ROW = 4000  # characters of one row; longer ones are "not understood" (the parser stays bounded)
MAX_ROWS = 20_000  # rows of mathematics in one file

ENVIRONMENTS = (
    "equation", "align", "gather", "multline", "eqnarray", "displaymath", "flalign", "alignat",
    "dmath", "dgroup", "math", "IEEEeqnarray", "IEEEeqnarraybox", "xalignat", "xxalignat",
)  # fmt: skip
INLINE_ENVIRONMENTS = ("math",)
INNER = ("aligned", "split", "gathered", "alignedat")


@dataclass
class Row:
    """One formula as written: `text` (layout blanked) and the source offset of its first character."""

    text: str
    start: int  # offset in the source text of text[0]
    display: bool
    block: int  # rows of one display share a block number
    first_in_block: bool
    condition: str = ""  # "\\quad (j \\neq i)" or "\\text{for } i = j" written after the formula
    condition_start: int = -1
    prose_before: str = ""  # the prose between the previous piece of math and this one
    cell: int | None = None  # a notebook's cell number (1-based), else None


@dataclass
class Source:
    """A file's text and how to turn an offset into (line, column), both 1-based."""

    name: str
    text: str
    kind: str  # tex, md, ipynb, txt
    line_starts: list[int] = field(default_factory=list)
    cells: list[tuple[int, int]] = field(default_factory=list)  # notebook: (offset, cell number) per cell
    line_map: list[int] = field(default_factory=list)  # notebook: the .ipynb file's line of each text line
    directives: list[tuple[int, str]] = field(default_factory=list)  # (offset, text) of `xentderive:` comments
    masked: str | None = None  # the text with comments and code blanked (`_comments_masked`)

    def __post_init__(self) -> None:
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]

    def position(self, offset: int) -> tuple[int, int]:
        import bisect

        line = bisect.bisect_right(self.line_starts, offset) - 1
        column = offset - self.line_starts[line] + 1
        if self.line_map and line < len(self.line_map):
            return self.line_map[line], column  # a notebook: the line of the .ipynb file, as an editor shows it
        return line + 1, column

    def cell_line(self, offset: int) -> int | None:
        """A notebook: the 1-based line within its cell."""
        if not self.cells:
            return None
        import bisect

        line = bisect.bisect_right(self.line_starts, offset)
        start = max((o for o, _ in self.cells if o <= offset), default=0)
        return line - bisect.bisect_right(self.line_starts, start) + 1


def kind_of(name: str) -> str:
    lower = name.lower()
    for suffix, kind in ((".tex", "tex"), (".ltx", "tex"), (".md", "md"), (".markdown", "md"), (".ipynb", "ipynb")):
        if lower.endswith(suffix):
            return kind
    return "txt"


def load(name: str, data: bytes) -> Source:
    """The file's text: UTF-8 (a BOM allowed); a notebook's Markdown cells joined, one blank line apart."""
    if len(data) > MAX_BYTES:
        raise InputError(f"{name}: the file has {len(data):,} bytes; at most {MAX_BYTES:,} are read")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"{name}: not UTF-8 text (byte {err.start})") from None
    if "\0" in text:
        raise InputError(f"{name}: a binary file (it holds NUL bytes), not a derivation")
    kind = kind_of(name)
    if name == "<stdin>" and re.search(r"\$|\\\[|\\\(|\\begin\{", text):
        kind = "md"  # standard input has no suffix: delimited math reads as Markdown, the rest as plain text
    if kind != "ipynb":
        return Source(name, text.replace("\r\n", "\n").replace("\r", "\n"), kind)
    try:
        notebook = json.loads(text)
        cells = notebook["cells"]
        parts, starts, offset, line_map = [], [], 0, []
        raw_lines = [0] + [m.end() for m in re.finditer("\n", text)]
        at = 0
        for number, cell in enumerate(cells, 1):
            source = cell.get("source", "")
            if not isinstance(source, (str, list)):
                raise TypeError  # "source": 5 is no notebook
            pieces = source if isinstance(source, list) else [source]
            if not all(isinstance(piece, str) for piece in pieces):
                raise TypeError
            file_lines = []
            for piece in pieces:  # where each source string sits in the file: the line an editor shows
                found = text.find(json.dumps(piece, ensure_ascii=False)[1:-1], at) if piece else -1
                if found < 0:
                    found = text.find(json.dumps(piece)[1:-1], at) if piece else -1
                if found >= 0:
                    at = found
                file_lines.append(_line_at(raw_lines, at))
            if cell.get("cell_type") != "markdown":
                continue
            body = "".join(pieces).replace("\r\n", "\n")
            starts.append((offset, number))
            parts.append(body + "\n\n")
            offset += len(body) + 2
            starting = True  # a text line starts here: it is on the file line of the string it starts in
            for piece, file_line in [
                *zip(pieces, file_lines, strict=False),
                ("\n\n", file_lines[-1] if file_lines else 1),
            ]:
                for ch in piece:
                    if starting:
                        line_map.append(file_line)
                        starting = False
                    starting = ch == "\n"
    except (ValueError, KeyError, TypeError, AttributeError):
        raise InputError(f"{name}: not a Jupyter notebook (expected JSON with a list of cells)") from None
    src = Source(name, "".join(parts), "ipynb")
    src.cells = starts
    src.line_map = line_map
    return src


def _line_at(line_starts: list[int], offset: int) -> int:
    import bisect

    return bisect.bisect_right(line_starts, offset)


# --- layout that carries no meaning ------------------------------------------------

_BLANK = re.compile(
    r"\\(?:tag|label|eqref|ref|hspace|vspace|phantom|hphantom|vphantom)\*?\{[^{}]*\}"
    r"|\\(?:nonumber|notag|displaystyle|textstyle|scriptstyle|limits|nolimits|allowbreak|quad|qquad|"
    r"left\.|right\.|middle\||,|;|:|!|\s)"
    r"|\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|Biggl|Biggr|big|Big|bigg|Bigg)(?=[\s(\[\])|.\\])"
    r"|&|~"
)
_BRACKET = re.compile(
    r"\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|Biggl|Biggr|big|Big|bigg|Bigg)\s*(\\[{}]|[()\[\]|])"
)
_CONDITION = re.compile(
    r"(?:\\q?quad|,|\\,|\s{2,}|\s(?=\())\s*(?:\\text\{\s*(?:for|if|when|where|当)\s*\}\s*|\\(?:forall)\s*)?"
    r"\(?\s*([a-zA-Z])\s*(=|\\neq|\\ne|≠)\s*([a-zA-Z])\s*\)?\s*[.,;]?\s*$"
    r"|\\text\{\s*(?:for|if|when|当)\s*\}\s*\(?\s*([a-zA-Z])\s*(=|\\neq|\\ne|≠)\s*([a-zA-Z])\s*\)?\s*[.,;]?\s*$"
)


def blank_layout(text: str) -> str:
    """``\\left(`` → ``     (``, ``\\,`` → two spaces: the same length, so columns stay true."""

    def keep_bracket(m: re.Match) -> str:
        bracket = m.group(1)
        kept = {"\\{": "(", "\\}": ")", "|": "|"}.get(bracket, bracket)  # \left\{ is a grouping here
        return " " * (len(m.group(0)) - len(kept)) + kept

    text = _BRACKET.sub(keep_bracket, text)
    return _BLANK.sub(lambda m: " " * len(m.group(0)), text)


_QUANTIFIER = re.compile(
    r"(?:\\q?quad|,|\\,|\s)\s*(?:\\text\{\s*for (?:all|every|each)\s*\}|\\forall)\s*[a-z]"
    r"(?:\s*\\in\s*[^=<>]*)?[.,;]?\s*$"
    r"|(?:,|\\q?quad|\s)+[a-z]\s*=\s*[01]\s*,\s*(?:\\[lc]?dots|\.\.\.)\s*,\s*[A-Za-z](?:\s*-\s*1)?\s*[.,;]?\s*$"
)


def split_condition(row: str) -> tuple[str, str, int]:
    """A case condition written after the formula (``\\quad (j \\neq i)``): (formula, condition, its offset).
    A quantifier (``\\text{for all } i``, ``, i = 1, \\dots, K``) is blanked: every link holds for all indices."""
    q = _QUANTIFIER.search(row)
    if q:
        row = row[: q.start()] + " " * (len(row) - q.start())
    m = _CONDITION.search(row)
    if not m:
        return row, "", -1
    a, rel, b = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5), m.group(6))
    ne = rel != "="
    return row[: m.start()] + " " * (len(row) - m.start()), f"{a} {'≠' if ne else '='} {b}", m.start()


# --- finding the math ----------------------------------------------------------------

_ENV = "|".join(ENVIRONMENTS)
_MATH = re.compile(
    r"(?P<env>\\begin\{(?P<name>" + _ENV + r")(?P<star>\*?)\}(?:\{[^{}]*\})?)"
    r"|(?P<dd>\$\$)|(?P<bracket>\\\[)|(?P<paren>\\\()|(?P<d>(?<![\\$])\$(?!\$))"
)
_INNER = re.compile(r"\\(?:begin|end)\{(?:" + "|".join(INNER) + r")\*?\}(?:\{[^{}]*\})?")
_DIRECTIVE_TEX = re.compile(r"%\s*xentderive:\s*(.*)")
_DIRECTIVE_MD = re.compile(r"<!--\s*xentderive:\s*(.*?)\s*-->", re.S)


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for a, b in spans:
        for k in range(a, b):
            if chars[k] != "\n":
                chars[k] = " "
    return "".join(chars)


def _comments_masked(src: Source) -> str:
    """TeX comments and Markdown code (fences, inline code, HTML comments) blanked; directives kept aside.
    Computed once per file: both `rows` and `unread_environments` read it, and the directives are collected once."""
    if src.masked is None:
        src.masked = _masked(src)
    return src.masked


def _masked(src: Source) -> str:
    text = src.text
    spans: list[tuple[int, int]] = []
    if src.kind == "tex":
        for m in re.finditer(r"(?<!\\)%.*", text):
            d = _DIRECTIVE_TEX.match(m.group(0))
            if d:
                src.directives.append((m.start(), d.group(1).strip()))
            spans.append(m.span())
    elif src.kind in ("md", "ipynb"):
        # GitHub's math: a ```math fence is a display, $`…`$ inline math; as $$ and $, same lengths
        text = re.sub(r"^(```|~~~)math[ \t]*\n(.*?)^\1[ \t]*$", lambda m: _as_display(m), text, flags=re.S | re.M)
        text = re.sub(r"\$`([^`\n]+)`\$", lambda m: "$ " + m.group(1) + " $", text)
        for m in re.finditer(r"^(```|~~~).*?^\1[^\n]*$", text, re.S | re.M):
            spans.append(m.span())
        for m in _DIRECTIVE_MD.finditer(text):
            src.directives.append((m.start(), m.group(1).strip()))
        for m in re.finditer(r"<!--.*?-->", text, re.S):
            spans.append(m.span())
        masked = _mask(text, spans)
        for m in re.finditer(r"(`+)[^`\n]+?\1", masked):
            spans.append(m.span())
    return _mask(text, spans)


def _as_display(m: re.Match) -> str:
    fence = m.group(1)
    return "$$" + " " * (len(fence) + 4 - 2) + "\n" + m.group(2) + "$$" + " " * (len(fence) - 2)


_TEXT_ENVIRONMENTS = {
    "document", "abstract", "itemize", "enumerate", "description", "figure", "table", "center", "quote",
    "quotation", "proof", "theorem", "lemma", "proposition", "corollary", "definition", "remark", "example",
    "verbatim", "lstlisting", "minted", "tabular", "minipage", "frame", "block", "thebibliography", "appendix",
    "flushleft", "flushright", "footnotesize", "small", "tikzpicture", "algorithm", "algorithmic", "subfigure",
}  # fmt: skip


def unread_environments(src: Source) -> list[tuple[int, str]]:
    """Environments this reader does not take apart (IEEEeqnarray, empheq, cases outside a display…)
    that hold what looks like a claim: each is reported, never skipped in silence."""
    if src.kind not in ("tex", "md", "ipynb"):
        return []
    text = _comments_masked(src)
    known = {*ENVIRONMENTS, *INNER, *_TEXT_ENVIRONMENTS}
    found = []
    for m in re.finditer(r"\\begin\{([A-Za-z]+)\*?\}", text):
        if m.group(1) in known:
            continue
        end = text.find(f"\\end{{{m.group(1)}", m.end())
        body = text[m.end() : end if end > 0 else m.end() + 2000]
        if "=" in body and re.search(r"\\[A-Za-z]|[_^]", body) and not _inside_math(text, m.start()):
            found.append((m.start(), m.group(1)))
    return found


def _inside_math(text: str, at: int) -> bool:
    """Is `at` inside a display this reader reads ($$, \\[, or a known environment)? Cheap: count openers."""
    before = text[:at]
    if before.count("$$") % 2 == 1 or before.rfind("\\[") > before.rfind("\\]"):
        return True
    return any(before.rfind(f"\\begin{{{name}") > before.rfind(f"\\end{{{name}") for name in ENVIRONMENTS)


def _closing(kind: str, name: str, star: str) -> re.Pattern:
    if kind == "env":
        return re.compile(r"\\end\{" + re.escape(name + star) + r"\}")
    return re.compile({"dd": r"\$\$", "bracket": r"\\\]", "paren": r"\\\)", "d": r"(?<!\\)\$"}[kind])


def _rows_of(body: str, offset: int) -> list[tuple[str, int]]:
    """A display's rows, split at top-level ``\\\\`` (inner aligned/split environments dissolved)."""
    body = _INNER.sub(lambda m: " " * len(m.group(0)), body)
    rows, depth, start, k = [], 0, 0, 0
    while k < len(body):
        c = body[k]
        if c == "\\" and body.startswith("\\\\", k) and depth == 0:
            rows.append((body[start:k], offset + start))
            k += 2
            while k < len(body) and body[k] == "[":  # \\[2pt]
                end = body.find("]", k)
                k = end + 1 if end > 0 else k + 1
            start = k
            continue
        if c == "\\":
            k += 2
            continue
        depth += {"{": 1, "}": -1}.get(c, 0)
        k += 1
    rows.append((body[start:], offset + start))
    return _continued(rows)


_RELATION_IN_ROW = re.compile(r"(?<![\\A-Za-z])=|\\(?:le|leq|ge|geq|approx|neq|ne|equiv)(?![A-Za-z])|<|>")


def _continued(rows: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """``&= p_i - y_i \\\\ &\\qquad + 2 z_i``: a row that starts with + - \\cdot \\times and has no relation
    carries on the side before it; it is joined to that row (the ``\\\\`` between becomes spaces)."""
    out: list[tuple[str, int]] = []
    for text, at in rows:
        bare = blank_layout(text).strip()
        top = bare
        for _ in range(20):  # a relation inside braces (\sum_{j \neq i}) is no relation of the row
            top, n = re.subn(r"\{[^{}]*\}", " ", top)
            if not n:
                break
        if out and bare and re.match(r"[+\-]|\\cdot|\\times", bare) and not _RELATION_IN_ROW.search(top):
            previous, start = out[-1]
            gap = at - (start + len(previous))
            out[-1] = (previous + " " * gap + text, start)
            continue
        out.append((text, at))
    return out


def rows(src: Source) -> list[Row]:
    """Every formula of the file, in order; plain text is read line by line (`_plain_rows`)."""
    if src.kind == "txt":
        return _plain_rows(src)
    text = _comments_masked(src)
    found: list[Row] = []
    pos, block, last_end = 0, 0, 0
    while True:
        m = _MATH.search(text, pos)
        if not m:
            break
        kind = next(k for k in ("env", "dd", "bracket", "paren", "d") if m.group(k))
        closing = _closing(kind, m.group("name") or "", m.group("star") or "")
        end = closing.search(text, m.end())
        if not end or (kind == "d" and "\n\n" in text[m.end() : end.start()]):
            pos = m.end()  # an unmatched $ (a price, say) is prose
            continue
        display = kind not in ("d", "paren") and not (kind == "env" and m.group("name") in INLINE_ENVIRONMENTS)
        prose = text[last_end : m.start()]
        block += 1
        first = True
        for row_text, row_start in (
            _rows_of(text[m.end() : end.start()], m.end()) if display else [(text[m.end() : end.start()], m.end())]
        ):
            formula, condition, at = split_condition(row_text)
            formula = blank_layout(formula)
            if not formula.strip():
                continue
            found.append(
                Row(formula, row_start, display, block, first, condition, row_start + at if at >= 0 else -1, prose)
            )
            prose, first = "", False
            if len(found) > MAX_ROWS:
                raise InputError(f"{src.name}: more than {MAX_ROWS:,} formulas; split the file")
        pos = last_end = end.end()
    for row in found:
        row.cell = _cell(src, row.start)
    return found


def _cell(src: Source, offset: int) -> int | None:
    cell = None
    for start, number in src.cells:
        if start <= offset:
            cell = number
    return cell


_LATEXY = re.compile(r"\\(?:frac|dfrac|sum|partial|log|ln|exp|delta|hat|mathcal|left|cdot)|[A-Za-z]_\{|[A-Za-z]\^\{")


def _plain_rows(src: Source) -> list[Row]:
    """Plain text (a page copied from the web): a line, or its longest ASCII run, that looks like LaTeX.

    Copied pages hold each formula twice, as LaTeX and as its rendering; the rendering has
    non-ASCII glyphs (∂, ∑, −), so the LaTeX is the longest ASCII stretch that starts at a
    LaTeX-looking token. A leading ``=`` stays: the row continues the chain before it.
    """
    found: list[Row] = []
    prose = ""
    for number, start in enumerate(src.line_starts, 1):
        end = src.line_starts[number] - 1 if number < len(src.line_starts) else len(src.text)
        line = src.text[start:end]
        runs = [m for m in re.finditer(r"[\x20-\x7e]+", line) if _LATEXY.search(m.group(0))]
        if not runs:
            prose += line + "\n"
            continue
        run = max(runs, key=lambda m: len(m.group(0)))
        text, at = run.group(0), run.start()
        lead = _LATEXY.search(text)
        head = re.search(r"=\s*$", text[: lead.start()])
        cut = head.start() if head else lead.start()
        if text.strip() == line.strip() and _parses(text):  # the whole line is one formula: keep its left side
            cut = len(text) - len(text.lstrip())
        formula, condition, cond_at = split_condition(text[cut:])
        formula = blank_layout(formula)
        if not condition and not formula.lstrip().startswith("="):
            condition = _prose_condition(prose)
        found.append(Row(formula, start + at + cut, True, len(found) + 1, True, condition, cond_at, prose, None))
        prose = ""
        if len(found) > MAX_ROWS:
            raise InputError(f"{src.name}: more than {MAX_ROWS:,} formulas; split the file")
    return found


def _parses(text: str) -> bool:
    """Does this stretch of a plain-text line read as one formula with a relation?"""
    from .parse import NotUnderstood, parse_row

    if len(text) > MAX_ROW or not re.search(r"=|\\le|\\ge", text):
        return False
    try:
        return bool(parse_row(blank_layout(text.strip().rstrip(".,;:"))).relations)
    except NotUnderstood:
        return False


_CASE = re.compile(r"(?<![A-Za-z_])([a-z])\s*(=|≠|!=|\\neq|\\ne)\s*([a-z])(?![A-Za-z_])")


def _prose_condition(prose: str) -> str:
    """Plain text: "When j ≠ i:" (or "首先 j = i 时:") on the line before a formula is its case."""
    lines = [line.strip() for line in prose.splitlines() if line.strip()]
    if not lines or len(lines[-1]) > 60 or not lines[-1].endswith((":", "：", ",", "，")):
        return ""
    m = _CASE.search(lines[-1])
    if not m:
        return ""
    return f"{m.group(1)} {'=' if m.group(2) == '=' else '≠'} {m.group(3)}"
