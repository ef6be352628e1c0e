"""Shared helpers: load the specs, render documents, locate lines, apply slips."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import specs_a  # noqa: E402
import specs_b  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = {}
DOCS.update(specs_a.DOCS)
DOCS.update(specs_b.DOCS)


def is_nb(name):
    return name.endswith(".ipynb")


def render(name, doc):
    """Text of the correct document, exactly as written to disk."""
    if "text" in doc:
        t = doc["text"]
        assert t.startswith("\n")
        return t[1:]
    cells = []
    for n, (kind, lines) in enumerate(doc["cells"]):
        src = [l + "\n" for l in lines[:-1]] + [lines[-1]]
        c = {"cell_type": kind, "id": "cell-%d" % n, "metadata": {}, "source": src}
        if kind == "code":
            c = {"cell_type": "code", "execution_count": None, "id": "cell-%d" % n,
                 "metadata": {}, "outputs": [], "source": src}
        cells.append(c)
    nb = {"cells": cells,
          "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                       "language_info": {"name": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def esc(name, s):
    """How a snippet appears in the raw file (JSON-escaped inside notebooks)."""
    return json.dumps(s, ensure_ascii=False)[1:-1] if is_nb(name) else s


def find_line(name, lines, loc):
    """1-based line number of a locator (substring, or (substring, n))."""
    if isinstance(loc, tuple):
        snip, n = loc
    else:
        snip, n = loc, None
    s = esc(name, snip)
    hits = [k + 1 for k, l in enumerate(lines) if s in l]
    if n is None:
        if len(hits) != 1:
            raise ValueError("%s: locator %r matches lines %s" % (name, snip, hits))
        return hits[0]
    return hits[n]


def slip_name(name, suffix):
    base, ext = os.path.splitext(name)
    return "%s.slip-%s%s" % (base, suffix, ext)


def apply_slip(name, text, slip):
    lines = text.split("\n")
    ln = find_line(name, lines, slip["line"])
    old, new = esc(name, slip["old"]), esc(name, slip["new"])
    assert lines[ln - 1].count(old) == 1, (name, slip["suffix"], lines[ln - 1], old)
    lines[ln - 1] = lines[ln - 1].replace(old, new)
    return "\n".join(lines), ln


def nb_position(text, line_no):
    """(cell index, 1-based line within the cell source) of a notebook JSON line."""
    nb = json.loads(text)
    raw = text.split("\n")[line_no - 1].strip().rstrip(",")
    for ci, c in enumerate(nb["cells"]):
        for si, s in enumerate(c["source"]):
            if json.dumps(s, ensure_ascii=False) == raw:
                return ci, si + 1
    return None
