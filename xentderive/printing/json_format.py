"""JSON for tools: statuses, methods, every line as text and LaTeX, and the raw gradient."""

from __future__ import annotations

import json
from dataclasses import asdict

from sympy import sstr

from .. import __version__
from ..api import raw_gradient
from ..limits import GRADIENT_MAX_CLASSES
from ..model import Derivation, Step
from .common import RenderOptions, summary
from .latex import chain_body
from .notation import latex, prose, text

SCHEMA_VERSION = 1


def _step(step: Step, options: RenderOptions) -> dict:
    n = options.notation
    out = {
        "key": step.key,
        "title": prose(step.title, n),
        "justification": prose(step.justification, n),
        "text": "; ".join(" = ".join(text(ln.expr, n) for ln in chain) for chain in step.chains),
        "latex": chain_body(step, options),
        "status": step.status.value,
        "method": prose(step.method, n),
        "assumptions": list(step.assumptions),
    }
    if step.remark:
        out["remark"] = prose(step.remark, n)
    if step.counterexample:
        cex = asdict(step.counterexample)
        cex["lhs"], cex["rhs"] = text(step.counterexample.lhs, n), text(step.counterexample.rhs, n)
        out["counterexample"] = cex
    return out


def document(d: Derivation, options: RenderOptions | None = None) -> dict:
    """The JSON document as a dict (schema in schemas/derivation.schema.json)."""
    options = options or RenderOptions()
    n = options.notation
    lhs = d.claim.chains[0][0].expr
    doc = {
        "schema_version": SCHEMA_VERSION,
        "tool": "xentderive",
        "version": __version__,
        "ok": d.ok,
        "complete": d.complete,
        "summary": prose(summary(d), n),
        "loss": d.loss,
        "classes": "C" if d.ctx.symbolic else d.ctx.classes,
        "labels": d.labels,
        "target": d.target,
        "assumptions": [prose(a, n) for a in d.assumptions],
        "steps": [_step(s, options) for s in d.all_steps],
        "result": {
            "text": f"{text(lhs, n)} = {text(d.result, n)}",
            "latex": f"{latex(lhs, n)} = {latex(d.result, n)}",
            "expr": sstr(d.result),
        },
    }
    if not d.ctx.symbolic:
        gradient = raw_gradient(d)
        if gradient is None:
            doc["gradient_omitted"] = f"left out above C = {GRADIENT_MAX_CLASSES} (each component has O(C) terms)"
        else:
            doc["gradient"] = gradient
    return doc


def render(d: Derivation, options: RenderOptions | None = None) -> str:
    return json.dumps(document(d, options), ensure_ascii=False, indent=2) + "\n"
