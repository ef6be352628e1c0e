"""JSON for tools (schema: xentderive/schemas/check.schema.json)."""

from __future__ import annotations

import json
from dataclasses import asdict

from .. import __version__
from ..suite import STATUSES, SuiteResult


def document(result: SuiteResult) -> dict:
    cases = []
    for r in result.results:
        case = {
            "name": r.case.name,
            "loss": r.case.loss,
            "labels": r.case.labels,
            "classes": "C" if r.case.classes is None else r.case.classes,
            "target": r.case.target,
            "status": r.status,
            "seconds": round(r.seconds, 4),
            "witnesses": [asdict(w) for w in r.witnesses],
            "steps": r.steps,
        }
        if r.message:
            case["message"] = r.message
        if r.counterexample:
            case["counterexample"] = r.counterexample
        cases.append(case)
    return {
        "schema_version": 1,
        "tool": "xentderive",
        "version": __version__,
        "ok": result.exit_code == 0,
        "exit_code": result.exit_code,
        "totals": {s: result.count(s) for s in STATUSES} | {"cases": len(result.results)},
        "seconds": round(result.seconds, 3),
        "settings": asdict(result.settings),
        "cases": cases,
    }


def render(result: SuiteResult) -> str:
    return json.dumps(document(result), ensure_ascii=False, indent=2) + "\n"
