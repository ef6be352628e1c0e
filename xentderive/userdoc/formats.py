"""`verify`'s reports: text (file:line, the link, the verdict), JSON, GitHub annotations, JUnit XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from .. import __version__
from ..reports.github import escape_data, escape_property
from .check import Report, Verdict

MARKS = {
    "proved": "✓",
    "verified": "✓",
    "wrong": "✗",
    "not-understood": "?",
    "not-proved": "~",
    "not-checked": "·",
}
WORDS = {
    "proved": "proved for every number of classes",
    "verified": "verified exactly",
    "wrong": "wrong",
    "not-understood": "not understood",
    "not-proved": "not proved",
    "not-checked": "not checked",
}


def _where(report: Report, v: Verdict) -> str:
    cell = f" (cell {v.cell})" if v.cell is not None else ""
    return f"{report.file}:{v.line}:{v.column}{cell}"


def counterexample_line(v: Verdict) -> str:
    cx = v.counterexample
    if not cx:
        return ""
    index = ", ".join(f"{k} = {n}" for k, n in cx["index"].items())
    parts = [f"C = {cx['classes']}"]
    if index:
        parts.append(index)
    parts.append(f"logits ({', '.join(cx['logits'])})")
    parts.append(f"labels ({', '.join(cx['labels'])})")
    parts += [f"{k} = {val}" for k, val in cx.get("params", {}).items()]
    return f"counterexample: {'; '.join(parts)}: left side {cx['lhs']}, right side {cx['rhs']}"


def _detail(v: Verdict, classes: int | None) -> str:
    word = WORDS[v.status]
    if v.status == "verified" and classes is not None:
        word = f"verified exactly for C = {classes}"
    bits = [word]
    if v.hint:
        bits.append(v.hint)
    if v.status in ("not-understood", "not-proved", "not-checked") and v.reason:
        bits.append(v.reason)
    text = "; ".join(bits)
    cx = counterexample_line(v)
    return f"{text}. {cx}" if cx else text


def summary(report: Report) -> str:
    links = report.links
    passed = sum(v.status in ("proved", "verified") for v in links)
    first = report.first_wrong
    where = "every C" if report.classes is None else f"C = {report.classes}"
    head = f"{report.file}: {passed} of {len(links)} links hold ({where})"
    if first is not None:
        return f"{head}; first {WORDS[first.status]} at line {first.line}"
    unproved = [v for v in links if v.status == "not-proved"]
    if unproved:
        return f"{head}; first not proved at line {unproved[0].line}"
    if not links:
        return f"{head}: no links found"
    return head


def text(reports: list[Report]) -> str:
    out = []
    for report in reports:
        if report.roles:
            named = ", ".join(f"{k} {v}" for k, v in report.roles.items())
            out.append(f"{report.file}: names: {named}")
        for v in report.verdicts:
            out.append(f"{_where(report, v)}: {MARKS[v.status]} {v.written}")
            out.append(f"    {_detail(v, report.classes)}")
        out.append(summary(report))
    return "\n".join(out) + "\n"


def as_dict(report: Report) -> dict:
    return {
        "file": report.file,
        "ok": report.ok,
        "classes": report.classes if report.classes is not None else "C",
        "roles": report.roles,
        "definitions": report.definitions,
        "links": [
            {
                "line": v.line,
                "column": v.column,
                **({"cell": v.cell, "cell_line": v.cell_line} if v.cell is not None else {}),
                "written": v.written,
                "status": v.status,
                "reason": v.reason,
                "hint": v.hint,
                "latex": v.latex,
                "counterexample": v.counterexample,
            }
            for v in report.verdicts
        ],
        "first_wrong": None
        if report.first_wrong is None
        else {"line": report.first_wrong.line, "status": report.first_wrong.status},
        "seconds": round(report.seconds, 3),
    }


def json_text(reports: list[Report]) -> str:
    body = {
        "tool": "xentderive",
        "version": __version__,
        "command": "verify",
        "ok": all(r.ok for r in reports),
        "files": [as_dict(r) for r in reports],
    }
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def github(reports: list[Report]) -> str:
    lines = []
    for report in reports:
        for v in report.verdicts:
            if v.status in ("proved", "verified"):
                continue
            level = {"wrong": "error", "not-understood": "error", "not-proved": "warning"}.get(v.status, "notice")
            props = (
                f"file={escape_property(report.file)},line={v.line},col={v.column},"
                f"title={escape_property('xentderive: ' + WORDS[v.status])}"
            )
            message = f"{v.written[:300]}: {_detail(v, report.classes)}"
            lines.append(f"::{level} {props}::{escape_data(message)}")
        lines.append(f"::notice title=xentderive verify::{escape_data(summary(report))}")
    return "\n".join(lines) + "\n"


def junit(reports: list[Report]) -> str:
    total = sum(len(r.links) for r in reports)
    failures = sum(sum(v.status not in ("proved", "verified") for v in r.links) for r in reports)
    root = ET.Element("testsuites", {"name": "xentderive verify", "tests": str(total), "failures": str(failures)})
    for report in reports:
        suite = ET.SubElement(
            root,
            "testsuite",
            {
                "name": report.file,
                "tests": str(len(report.links)),
                "failures": str(sum(v.status not in ("proved", "verified") for v in report.links)),
                "time": f"{report.seconds:.3f}",
            },
        )
        for v in report.verdicts:
            case = ET.SubElement(
                suite, "testcase", {"classname": report.file, "name": f"line {v.line}: {v.written[:200]}"}
            )
            if v.status == "not-checked":
                ET.SubElement(case, "skipped", {"message": _detail(v, report.classes)})
            elif v.status not in ("proved", "verified"):
                failure = ET.SubElement(case, "failure", {"type": v.status, "message": _detail(v, report.classes)})
                failure.text = _detail(v, report.classes)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


RENDERERS = {"text": text, "json": json_text, "github": github, "junit": junit}
