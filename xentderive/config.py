"""The suite's configuration: `[tool.xentderive]` in pyproject.toml, or a file given with --config.

Every error is an InputError (exit 2) of one line naming the file, the key path
(``tool.xentderive.claims[1].loss``, claims counted from 0) and the line and column
of the offending value, found by a small locator over the TOML text.
"""

from __future__ import annotations

import contextlib
import math
import os
import stat
import tomllib
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import limits
from .errors import InputError
from .limits import MAX_CASES, MAX_CLASSES

LABELS = ("onehot", "soft")
SETTING_KEYS = {"numeric", "timeout", "seed", "memory", "allow-unproved", "jobs"}
CONFIG_KEYS = {"classes", "claims", "losses", "impl", "verify", *SETTING_KEYS}
IMPL_KEYS = {
    "function",
    "loss",
    "loss-expr",
    "params",
    "dtype",
    "targets",
    "reduction",
    "classes",
    "ulps",
    "samples",
    "seed",
}
LOSS_KEYS = {"loss", "logits", "params", "target", "labels", "classes", "min-classes"}
CLAIM_KEYS = {"loss", "labels", "target", "classes", "params"}
MAX_CONFIG_BYTES = 4 * 1024**2
"""A configuration file larger than this is refused before it is parsed."""
MAX_JOBS = 64
"""Most parallel jobs `jobs` may ask for."""
_MAX_NESTING = 100

KeyPath = tuple[str | int, ...]
Sizes = tuple[int | None, ...]
Claims = list[tuple["Case", Sizes | None]]


@dataclass(frozen=True)
class Case:
    """One check: is dL/df_i of `loss` equal to `target` (None: the loss's closed form)?"""

    loss: str
    labels: str
    classes: int | None
    target: str | None = None
    params: tuple[tuple[str, str], ...] = ()

    @property
    def name(self) -> str:
        size = "C" if self.classes is None else str(self.classes)
        given = "".join(f" {k}={v}" for k, v in self.params)
        return f"{self.loss} [{self.labels}] C={size}{given} target={self.target or 'default'}"


# --- reading and locating ------------------------------------------------------------


def dotted(path: KeyPath) -> str:
    """("tool", "xentderive", "claims", 1, "loss") → ``tool.xentderive.claims[1].loss``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            bare = part and all(c.isascii() and (c.isalnum() or c in "-_") for c in part)
            word = part if bare else '"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"'
            out += f".{word}" if out else word
    return out


class Locator:
    """Where each key and value of a TOML text starts, as 1-based (line, column).

    Not a parser: it assumes text that tomllib has already accepted, and follows
    tables, arrays of tables (numbered from 0), dotted and quoted keys, inline
    tables, arrays, comments and every kind of string. It gives up quietly
    (knowing less) rather than fail.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.values: dict[KeyPath, int] = {}
        self.keys: dict[KeyPath, int] = {}
        self._starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        with contextlib.suppress(IndexError, ValueError, RecursionError):
            self._document()

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1

    def find(self, path: KeyPath, *, key: bool = False) -> tuple[int, int] | None:
        """The value at `path` (or its key, with key=True); failing that, its nearest known ancestor."""
        table = self.keys if key else self.values
        for end in range(len(path), 0, -1):
            sub = path[:end]
            if sub in table:
                return self.position(table[sub])
            if sub in self.values:
                return self.position(self.values[sub])
        return None

    # the scanner: each method takes an offset and returns the offset after what it read

    def _space(self, i: int, newlines: bool = False) -> int:
        t = self.text
        while i < len(t):
            c = t[i]
            if c in " \t" or (newlines and c in "\r\n"):
                i += 1
            elif c == "#" and newlines:
                while i < len(t) and t[i] != "\n":
                    i += 1
            else:
                break
        return i

    def _end_of_line(self, i: int) -> int:
        end = self.text.find("\n", i)
        return len(self.text) if end < 0 else end + 1

    def _document(self) -> None:
        t = self.text
        table: KeyPath = ()
        arrays: dict[KeyPath, int] = {}  # array-of-tables path → how many tables so far
        i = 0
        while True:
            i = self._space(i, newlines=True)
            if i >= len(t):
                return
            if t[i] == "[":
                double = t.startswith("[[", i)
                keys, j = self._key(i + (2 if double else 1))
                path: KeyPath = ()
                for n, name in enumerate(keys):
                    path = (*path, name)
                    if path in arrays and not (double and n == len(keys) - 1):
                        path = (*path, arrays[path] - 1)
                if double:
                    self.values.setdefault(path, i)  # the array of tables starts at its first header
                    self.keys.setdefault(path, i)
                    arrays[path] = arrays.get(path, 0) + 1
                    path = (*path, arrays[path] - 1)
                table = path
                self.values.setdefault(table, i)
                self.keys.setdefault(table, i)
                i = self._end_of_line(j)
            else:
                start = i
                keys, j = self._key(i)
                j = self._space(j)
                if t[j] != "=":
                    raise ValueError("not a key/value line")
                path = (*table, *keys)
                self._key_at(path, len(table), start)
                i = self._end_of_line(self._value(self._space(j + 1), path, 0))

    def _key(self, i: int) -> tuple[list[str], int]:
        t = self.text
        keys = []
        while True:
            i = self._space(i)
            if t[i] == '"':
                end = self._basic_string(i)
                keys.append(_unescape(t[i + 1 : end - 1]))
            elif t[i] == "'":
                end = t.index("'", i + 1) + 1
                keys.append(t[i + 1 : end - 1])
            else:
                end = i
                while end < len(t) and (t[end].isascii() and (t[end].isalnum() or t[end] in "-_")):
                    end += 1
                if end == i:
                    raise ValueError("no key")
                keys.append(t[i:end])
            i = self._space(end)
            if i < len(t) and t[i] == ".":
                i += 1
                continue
            return keys, i

    def _key_at(self, path: KeyPath, known: int, offset: int) -> None:
        """A (dotted) key at `offset`: it and the tables its dots make start there."""
        for end in range(known + 1, len(path)):
            self.keys.setdefault(path[:end], offset)
            self.values.setdefault(path[:end], offset)
        self.keys[path] = offset

    def _basic_string(self, i: int) -> int:
        t = self.text
        j = i + 1
        while t[j] != '"':
            j += 2 if t[j] == "\\" else 1
        return j + 1

    def _multiline(self, i: int, quote: str) -> int:
        t = self.text
        j = i + 3
        while not t.startswith(quote * 3, j):
            j += 2 if (quote == '"' and t[j] == "\\") else 1
        end = j + 3
        while end < len(t) and t[end] == quote and end - j < 5:  # up to two quotes end the content
            end += 1
        return end

    def _value(self, i: int, path: KeyPath, depth: int) -> int:
        t = self.text
        self.values[path] = i
        if depth > _MAX_NESTING:
            raise ValueError("nested too deeply to locate")
        if t.startswith('"""', i):
            return self._multiline(i, '"')
        if t.startswith("'''", i):
            return self._multiline(i, "'")
        if t[i] == '"':
            return self._basic_string(i)
        if t[i] == "'":
            return t.index("'", i + 1) + 1
        if t[i] == "[":
            j, index = i + 1, 0
            while True:
                j = self._space(j, newlines=True)
                if t[j] == "]":
                    return j + 1
                j = self._space(self._value(j, (*path, index), depth + 1), newlines=True)
                index += 1
                if t[j] == ",":
                    j += 1
        if t[i] == "{":
            j = i + 1
            while True:
                j = self._space(j)
                if t[j] == "}":
                    return j + 1
                start = j
                keys, j = self._key(j)
                self._key_at((*path, *keys), len(path), start)
                j = self._space(self._value(self._space(self._space(j) + 1), (*path, *keys), depth + 1))
                if t[j] == ",":
                    j += 1
        j = i
        while j < len(t) and t[j] not in ",]}#\r\n":
            j += 1
        return j


def _unescape(raw: str) -> str:
    """A basic string's escapes, as tomllib reads them (enough to name a quoted key)."""
    simple = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", "e": "\x1b", '"': '"', "\\": "\\"}
    out, i = [], 0
    while i < len(raw):
        c = raw[i]
        if c == "\\" and i + 1 < len(raw):
            code = raw[i + 1]
            width = {"u": 4, "U": 8, "x": 2}.get(code)
            if width:
                out.append(chr(int(raw[i + 2 : i + 2 + width], 16)))
                i += 2 + width
                continue
            out.append(simple.get(code, code))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


class Source:
    """A configuration file, read once: its text and data, and errors that say where."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.text = _read_text(path)
        try:
            self.data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as err:
            raise InputError(f"{path}: not valid TOML: {err}") from None
        except RecursionError:
            raise InputError(f"{path}: not valid TOML: arrays or tables nested too deeply") from None
        except ValueError as err:  # an integer of more than 4300 digits
            raise InputError(f"{path}: not valid TOML: {err}") from None
        self._locator: Locator | None = None

    def where(self, path: KeyPath, *, key: bool = False) -> str:
        if self._locator is None:
            self._locator = Locator(self.text)
        found = self._locator.find(path, key=key)
        return f" (line {found[0]}, column {found[1]})" if found else ""

    def bad(self, path: KeyPath, problem: str, *, key: bool = False) -> InputError:
        return InputError(f"{self.path}: {dotted(path)}{self.where(path, key=key)}: {problem}")


def _read_text(path: Path) -> str:
    """The file as UTF-8 text; a directory, FIFO, device, oversized or undecodable file is one InputError."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{path}: not a regular file")
        if info.st_size > MAX_CONFIG_BYTES:
            raise InputError(f"{path}: {info.st_size} bytes is above the limit of {MAX_CONFIG_BYTES} for a config")
        with open(path, "rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as err:
        raise InputError(f"{path}: cannot be read: {(err.strerror or str(err)).lower()}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise InputError(f"{path}: more than {MAX_CONFIG_BYTES} bytes is above the limit for a config")
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        column = len(raw[raw.rfind(b"\n", 0, err.start) + 1 : err.start].decode("utf-8", "replace")) + 1
        raise InputError(
            f"{path}: not UTF-8 text: byte 0x{raw[err.start]:02x} at line {line}, column {column}"
        ) from None


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above `start` that has a [tool.xentderive] table."""
    for folder in [start, *start.parents]:
        candidate = folder / "pyproject.toml"
        if not candidate.is_file():
            continue
        source = Source(candidate)
        tool = source.data.get("tool")
        if tool is not None and not isinstance(tool, dict):
            raise source.bad(("tool",), "expected a table such as [tool.xentderive]")
        if tool and "xentderive" in tool:
            return candidate
    return None


# --- values --------------------------------------------------------------------------


def _size(item: Any) -> int | str | None:
    """A class count (None: symbolic "C"), or a str saying what is wrong with it."""
    if isinstance(item, str) and item.strip() == "C":
        return None
    text = item.strip() if isinstance(item, str) else item
    if isinstance(text, int) and not isinstance(text, bool):
        number = text
    elif isinstance(text, str) and text.isascii() and text.isdigit() and len(text) <= 9:
        number = int(text)
    else:
        number = 0
    if 1 <= number <= MAX_CLASSES:
        return number
    shown = repr(item) if len(repr(item)) <= 40 else repr(item)[:37] + "..."
    return f'{shown} is not a whole number from 1 to {MAX_CLASSES} or "C"'


def parse_classes(values: Any, path: Path | None = None, key: str = "classes") -> Sizes:
    """A list of class counts: whole numbers 1…MAX_CLASSES or "C" (symbolic); a str is split at commas.

    Without `path` the errors are about the ``--classes`` flag. More than MAX_CASES entries is refused.
    """
    where = f"{path}: {key}" if path else "--classes"
    items = values.split(",") if isinstance(values, str) else values
    if not isinstance(items, list | tuple) or not items:
        raise InputError(f'{where}: expected a non-empty list of whole numbers and "C"')
    if len(items) > MAX_CASES:
        raise InputError(f"{where}: {len(items)} numbers of classes is above the cap of {MAX_CASES} cases")
    out: list[int | None] = []
    for item in items:
        size = _size(item)
        if isinstance(size, str):
            raise InputError(f"{where}: {size}")
        out.append(size)
    return tuple(out)


def _classes(source: Source, path: KeyPath, values: Any) -> Sizes:
    items = values.split(",") if isinstance(values, str) else values
    if not isinstance(items, list) or not items:
        raise source.bad(path, 'expected a non-empty list of whole numbers and "C", such as [2, 3, "C"]')
    if len(items) > MAX_CASES:
        raise source.bad(path, f"{len(items)} numbers of classes is above the cap of {MAX_CASES} cases")
    out: list[int | None] = []
    for n, item in enumerate(items):
        size = _size(item)
        if isinstance(size, str):
            raise source.bad(path if isinstance(values, str) else (*path, n), size)
        out.append(size)
    return tuple(out)


def _default_classes() -> Sizes:
    from .suite import DEFAULT_CLASSES

    return DEFAULT_CLASSES


def count_cases(claims: Claims | None, classes: Sizes | None, default: Sizes | None = None) -> int:
    """How many distinct cases suite.build_cases makes of these claims and classes (None: the defaults)."""
    from .derivations import REGISTRY

    if claims is None:
        claims = [(Case(loss, labels, None), None) for loss in REGISTRY for labels in LABELS]
    default = _default_classes() if default is None else default
    sizes: dict[Case, set[int | None]] = {}
    for claim, own in claims:
        sizes.setdefault(claim, set()).update(own or classes or default)
    return sum(map(len, sizes.values()))


def _cap_message(count: int) -> str:
    return f"{count} cases (claims × classes) is above the cap of {MAX_CASES}"


def _number_of(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _claim_problem(case: Case, sizes: Iterable[int | None], *, chosen: bool = True) -> tuple[str, Any, str] | None:
    """What is wrong with a claim at these sizes: ("loss"|"labels", None, why), ("size", size, why) or
    ("param", name, why); None if nothing is. Parameters are checked with params.resolve at every size.
    Sizes not `chosen` (the suite's defaults) outside the loss's range are skipped, not refused.
    """
    from .derivations import known, spec_for
    from .params import resolve

    spec = spec_for(case.loss)
    if spec is None:
        return "loss", None, f"unknown loss {case.loss!r} (known: {', '.join(known())})"
    if case.labels not in LABELS:
        return "labels", None, f"expected one of {', '.join(LABELS)} (got {case.labels!r})"
    given = dict(case.params)
    low, low_why = getattr(spec, "min_classes", (1, ""))
    high, high_why = spec.max_classes or (MAX_CLASSES, "")
    for size in dict.fromkeys(sizes):
        if size is not None and not low <= size <= high:
            if not chosen:
                continue
            if size > high:
                return "size", size, f"{size} classes is above {case.loss}'s maximum of {high}: {high_why}"
            return "size", size, f"{size} classes is below {case.loss}'s minimum of {low}: {low_why}"
        try:
            resolve(spec.params, given, case.loss, size)
        except InputError as err:
            message = str(err).removeprefix("--param ")
            name = next((n for n in given if message.startswith((f"{n}:", f"{n}="))), None)
            return "param", name, message.removeprefix(f"{name}: ") if name else message
    return None


def validate_cases(claims: Claims | None, classes: Sizes | None) -> int:
    """Check claims from flags (or after flags changed the classes) as load_config checks a file's.

    Raises InputError for an unknown loss or labels, a number of classes above a loss's
    maximum, a bad parameter at any of the sizes, or more than MAX_CASES cases; returns the count.
    """
    count = count_cases(claims, classes)
    if count > MAX_CASES:
        raise InputError(f"--classes: {_cap_message(count)}")
    default = _default_classes()
    for claim, own in claims or ():
        problem = _claim_problem(claim, own or classes or default, chosen=bool(own or classes))
        if problem is None:
            continue
        kind, _which, message = problem
        flag = {"loss": "--loss", "labels": "--labels", "size": "--classes", "param": "--param"}[kind]
        raise InputError(f"{flag} {message}")
    return count


# --- the file ------------------------------------------------------------------------


def load_config(path: Path) -> tuple[Claims | None, Sizes | None, dict]:
    """Claims, classes and settings from a config file: `[tool.xentderive]` or a bare table.

    The settings dict holds only the keys the file sets: numeric (bool), timeout
    (seconds, float), seed (int), memory (bytes, int), allow_unproved (bool) and jobs
    (int ≥ 1 or "auto").
    """
    source = Source(Path(path))
    data = source.data
    tool = data.get("tool")
    if tool is not None and not isinstance(tool, dict):
        raise source.bad(("tool",), "expected a table such as [tool.xentderive]")
    if tool is not None and "xentderive" in tool:
        table, prefix = tool["xentderive"], ("tool", "xentderive")
        if not isinstance(table, dict):
            raise source.bad(prefix, "expected a table: [tool.xentderive]")
    elif source.path.name == "pyproject.toml":
        raise InputError(f"{source.path}: has no [tool.xentderive] table")
    else:
        table, prefix = data, ()
    unknown = sorted(set(table) - CONFIG_KEYS)
    if unknown:
        raise source.bad((*prefix, unknown[0]), f"unknown key (known: {', '.join(sorted(CONFIG_KEYS))})", key=True)
    classes = _classes(source, (*prefix, "classes"), table["classes"]) if "classes" in table else None
    settings = _settings(source, prefix, table)
    own = _losses(source, (*prefix, "losses"), table["losses"]) if "losses" in table else []
    claims = _claims(source, (*prefix, "claims"), table["claims"]) if "claims" in table else None
    if own:  # a project's own losses are checked, beside its claims (or alone, without claims)
        claims = [*(claims or []), *own]
    count = count_cases(claims, classes)
    if count > MAX_CASES:
        at = "classes" if claims is None or "claims" not in table else "claims"
        raise source.bad((*prefix, at), _cap_message(count))
    default = _default_classes()
    listed = len(claims or ()) - len(own)
    paths = [(*prefix, "claims", n) for n in range(listed)]
    paths += [(*prefix, "losses", name) for name in table.get("losses", {})]
    for path, (claim, sizes) in zip(paths, claims or (), strict=True):
        problem = _claim_problem(claim, sizes or classes or default, chosen=bool(sizes or classes))
        if problem is not None:
            raise _located(source, path, problem, table, sizes, (*prefix, "classes"))
    return claims, classes, settings


def _located(
    source: Source, claim: KeyPath, problem: tuple[str, Any, str], table: dict, own: Sizes | None, top: KeyPath
) -> InputError:
    """A claim's problem, placed at the value that causes it."""
    kind, which, message = problem
    entry = _entry(source.data, claim)
    if kind == "size":
        if own is not None:
            raw, at = entry["classes"], (*claim, "classes")
        elif "classes" in table:
            raw, at = table["classes"], top
        else:  # not reached: default classes outside the range are skipped
            return source.bad(claim, message)
        if isinstance(raw, list):
            at = (*at, next(n for n, item in enumerate(raw) if _size(item) == which))
        return source.bad(at, message)
    if kind == "param":
        message = message.replace("(--classes N)", '(classes = [N] without "C")')
        if which is None:
            return source.bad((*claim, "params"), message)
        return source.bad((*claim, "params", which), message)
    return source.bad((*claim, kind), message)


def _entry(data: dict, path: KeyPath) -> Any:
    for part in path:
        data = data[part]
    return data


def _settings(source: Source, prefix: KeyPath, table: dict) -> dict:
    settings: dict = {}
    if "numeric" in table:
        if not isinstance(table["numeric"], bool):
            raise source.bad((*prefix, "numeric"), "expected true or false")
        settings["numeric"] = table["numeric"]
    if "allow-unproved" in table:
        if not isinstance(table["allow-unproved"], bool):
            raise source.bad((*prefix, "allow-unproved"), "expected true or false")
        settings["allow_unproved"] = table["allow-unproved"]
    if "timeout" in table:
        value = table["timeout"]
        if not _number_of(value) or not math.isfinite(value) or not 0 < value <= limits.MAX_TIMEOUT:
            raise source.bad(
                (*prefix, "timeout"), f"expected a number of seconds above 0 and at most {limits.MAX_TIMEOUT:g}"
            )
        settings["timeout"] = float(value)
    if "seed" in table:
        value = table["seed"]
        if isinstance(value, bool) or not isinstance(value, int) or not -(2**63) <= value < 2**64:
            raise source.bad((*prefix, "seed"), "expected a whole number (64 bits)")
        settings["seed"] = value
    if "memory" in table:
        value = table["memory"]
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise source.bad((*prefix, "memory"), 'expected a size such as "2G" or "512M", or a whole number of MiB')
        try:
            settings["memory"] = limits.parse_memory(str(value))
        except ValueError as err:
            raise source.bad((*prefix, "memory"), str(err)) from None
    if "jobs" in table:
        value = table["jobs"]
        if value == "auto":
            settings["jobs"] = "auto"
        elif isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_JOBS:
            settings["jobs"] = value
        else:
            raise source.bad((*prefix, "jobs"), f'expected a whole number from 1 to {MAX_JOBS}, or "auto"')
    return settings


def _claims(source: Source, path: KeyPath, claims: Any) -> Claims:
    from .claims import MAX_LENGTH as MAX_TARGET_LENGTH

    if not isinstance(claims, list):
        raise source.bad(path, "expected [[claims]] tables, e.g. [[tool.xentderive.claims]]")
    if not claims:
        raise source.bad(path, "no claims (leave claims out for the default suite)")
    if len(claims) > MAX_CASES:
        raise source.bad(path, f"{len(claims)} claims is above the cap of {MAX_CASES} cases")
    out: Claims = []
    for n, claim in enumerate(claims):
        at = (*path, n)
        if not isinstance(claim, dict):
            raise source.bad(at, "expected a table with loss, labels, target, classes or params")
        unknown = sorted(set(claim) - CLAIM_KEYS)
        if unknown:
            known = ", ".join(sorted(CLAIM_KEYS))
            raise source.bad((*at, unknown[0]), f"unknown key (known: {known})", key=True)
        loss = claim.get("loss", "softmax-ce")
        if not isinstance(loss, str):
            raise source.bad((*at, "loss"), "expected the name of a loss as a string (see `xentderive list`)")
        labels = claim.get("labels", "onehot")
        if not isinstance(labels, str) or labels not in LABELS:
            raise source.bad((*at, "labels"), f"expected one of {', '.join(LABELS)}")
        target = claim.get("target")
        if target is not None:
            if not isinstance(target, str):
                raise source.bad((*at, "target"), "expected a string")
            if not target.strip():
                raise source.bad((*at, "target"), "the target is empty (leave it out for the loss's closed form)")
            if len(target) > MAX_TARGET_LENGTH:
                raise source.bad((*at, "target"), f"{len(target)} characters; the limit is {MAX_TARGET_LENGTH}")
        sizes = _classes(source, (*at, "classes"), claim["classes"]) if "classes" in claim else None
        given = claim.get("params", {})
        if not isinstance(given, dict):
            raise source.bad((*at, "params"), "expected a table such as { eps = 0.1 }")
        pairs = []
        for name, value in given.items():
            finite = _number_of(value) and math.isfinite(value)
            if not (finite or isinstance(value, str)):
                raise source.bad((*at, "params", name), 'expected a number such as 0.1 or "1/3"')
            pairs.append((name, str(value)))
        out.append((Case(loss, labels, None, target, tuple(sorted(pairs))), sizes))
    return out


def _losses(source: Source, path: KeyPath, losses: Any) -> Claims:
    """`[tool.xentderive.losses.NAME]` tables: each registers a loss given as text and is a claim.

    ``params`` maps a name to a number (fixed) or to a range such as "0..1" or "(0..10]"
    (symbolic: the proof holds on the whole range).
    """
    from .claims import MAX_LENGTH
    from .custom import declare

    if not isinstance(losses, dict):
        raise source.bad(path, "expected tables such as [tool.xentderive.losses.mine]")
    out: Claims = []
    for name, table in losses.items():
        at = (*path, name)
        if not isinstance(table, dict):
            raise source.bad(at, 'expected a table with loss = "...", and optionally logits, params, target')
        unknown = sorted(set(table) - LOSS_KEYS)
        if unknown:
            raise source.bad((*at, unknown[0]), f"unknown key (known: {', '.join(sorted(LOSS_KEYS))})", key=True)
        if "loss" not in table:
            raise source.bad(at, 'no loss: give it as text, e.g. loss = "sum_j(-y_j*log(p_j))"')
        texts = {}
        for key in ("loss", "logits", "target"):
            if key in table:
                value = table[key]
                if not isinstance(value, str) or not value.strip():
                    raise source.bad((*at, key), "expected a non-empty string")
                if len(value) > MAX_LENGTH:
                    raise source.bad((*at, key), f"{len(value)} characters; the limit is {MAX_LENGTH}")
                texts[key] = value
        labels = table.get("labels", "onehot")
        if not isinstance(labels, str) or labels not in LABELS:
            raise source.bad((*at, "labels"), f"expected one of {', '.join(LABELS)}")
        given = table.get("params", {})
        if not isinstance(given, dict):
            raise source.bad((*at, "params"), 'expected a table such as { beta = 0.1, c = "(0..100]" }')
        values: dict[str, str] = {}
        ranges: dict[str, str] = {}
        for key, value in given.items():
            if isinstance(value, str) and ".." in value:
                ranges[key] = value
            elif (_number_of(value) and math.isfinite(value)) or isinstance(value, str):
                values[key] = str(value)
            else:
                raise source.bad((*at, "params", key), 'expected a number such as 0.1, or a range such as "0..1"')
        sizes = _classes(source, (*at, "classes"), table["classes"]) if "classes" in table else None
        least = table.get("min-classes", 1)
        if isinstance(least, bool) or not isinstance(least, int) or not 1 <= least <= 1000:
            raise source.bad((*at, "min-classes"), "expected a whole number from 1 to 1000")
        try:
            declared, numbers = declare(
                texts["loss"], texts.get("logits"), values, ranges, name=name, min_classes=least
            )
        except InputError as err:
            message = str(err)
            key = "params" if message.startswith(("--param", "--param-range")) else "loss"
            key = "logits" if message.startswith("--logits-expr") else key
            raise source.bad((*at, key), message.split(": ", 1)[-1] if key != "params" else message) from None
        out.append((Case(declared, labels, None, texts.get("target"), tuple(sorted(numbers.items()))), sizes))
    return out


MAX_DOCUMENTS = 200  # files one `verify = [...]` may name: a gate, not a crawler


@dataclass(frozen=True)
class DocumentCase(Case):
    """A user's derivation (`verify = ["paper/*.tex"]`) checked by `check` beside the claims:
    `target` is its path as configured, relative to `root` (the configuration's folder)."""

    root: str = ""

    @property
    def name(self) -> str:
        return f"verify {self.target}"

    @property
    def path(self) -> Path:
        return Path(self.root) / (self.target or "")


def load_verify(path: Path, labels: str = "onehot") -> list[DocumentCase]:
    """`verify = ["paper/*.tex", "notes/*.md"]`: glob patterns relative to the configuration file.

    A pattern that matches no file is an error (exit 2): a gate that silently checks nothing
    would pass a renamed paper.
    """
    source = Source(Path(path))
    tool = source.data.get("tool")
    if isinstance(tool, dict) and isinstance(tool.get("xentderive"), dict):
        prefix: KeyPath = ("tool", "xentderive", "verify")
        patterns = tool["xentderive"].get("verify", [])
    else:
        prefix, patterns = ("verify",), source.data.get("verify", [])
    if not isinstance(patterns, list) or not all(isinstance(p, str) and p.strip() for p in patterns):
        raise source.bad(prefix, 'expected a list of file patterns, e.g. ["paper/*.tex", "notes/*.md"]')
    base = Path(path).resolve().parent
    found: list[DocumentCase] = []
    for k, pattern in enumerate(patterns):
        if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
            raise source.bad((*prefix, k), "a pattern relative to the configuration's folder, without ..")
        matches = sorted(m for m in base.glob(pattern) if m.is_file())
        if not matches:
            raise source.bad((*prefix, k), f"{pattern!r} matches no file (relative to {base})")
        for m in matches:
            case = DocumentCase("verify", labels, None, m.relative_to(base).as_posix(), root=str(base))
            if case not in found:
                found.append(case)
        if len(found) > MAX_DOCUMENTS:
            raise source.bad((*prefix, k), f"more than {MAX_DOCUMENTS} files; name fewer")
    return found


def load_impl(path: Path) -> dict:
    """`[tool.xentderive.impl]` (or `[impl]` in a --config file): what `check-impl` tests, checked here."""
    source = Source(Path(path))
    tool = source.data.get("tool")
    if isinstance(tool, dict) and isinstance(tool.get("xentderive"), dict):
        prefix: KeyPath = ("tool", "xentderive", "impl")
        table = tool["xentderive"].get("impl", {})
    else:
        prefix, table = ("impl",), source.data.get("impl", {})
    if not isinstance(table, dict):
        raise source.bad(prefix, 'expected a table: function = "module:function", loss, params, dtype, ...')
    unknown = sorted(set(table) - IMPL_KEYS)
    if unknown:
        raise source.bad((*prefix, unknown[0]), f"unknown key (known: {', '.join(sorted(IMPL_KEYS))})", key=True)
    choices = {"dtype": ("float64", "float32", "bfloat16"), "targets": ("probs", "index"), "reduction": ("sum", "mean")}
    for key, allowed in choices.items():
        if key in table and table[key] not in allowed:
            raise source.bad((*prefix, key), f"expected one of {', '.join(allowed)}")
    for key in ("function", "loss", "loss-expr"):
        if key in table and (not isinstance(table[key], str) or not table[key].strip()):
            raise source.bad((*prefix, key), "expected a non-empty string")
    out = dict(table)
    if "params" in table:
        if not isinstance(table["params"], dict):
            raise source.bad((*prefix, "params"), "expected a table such as { eps = 0.1 }")
        out["params"] = {}
        for name, value in table["params"].items():
            if isinstance(value, list) and all(_number_of(v) and math.isfinite(v) and v >= 0 for v in value):
                out["params"][name] = value  # a class weight vector, w = [...]
            elif (_number_of(value) and math.isfinite(value)) or isinstance(value, str):
                out["params"][name] = str(value)
            else:
                raise source.bad((*prefix, "params", name), "expected a number such as 0.1, or a list of weights")
    if "classes" in table:
        sizes = _classes(source, (*prefix, "classes"), table["classes"])
        if any(size is None for size in sizes):
            raise source.bad((*prefix, "classes"), "expected numbers of classes, without C")
        out["classes"] = sizes
    for key, low, high in (("ulps", 0, 10**9), ("samples", 1, 1000), ("seed", -(2**63), 2**64)):
        value = table.get(key)
        whole = key != "ulps"
        if value is not None and (
            not _number_of(value) or not low <= value <= high or (whole and not isinstance(value, int))
        ):
            kind = "a whole number" if whole else "a number"
            raise source.bad((*prefix, key), f"expected {kind} from {low} to {high}")
    return out
