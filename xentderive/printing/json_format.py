"""JSON for tools: statuses, methods, every line as text and LaTeX, and the raw gradient."""

from __future__ import annotations

import json
from dataclasses import asdict

from sympy import sstr

from .. import __version__
from ..api import gradient_max_classes, raw_gradient
from ..limits import GRADIENT_MAX_MATRIX
from ..model import Derivation, Step
from .common import RenderOptions, Words, vector_equation
from .latex import chain_body
from .notation import latex, text

SCHEMA_VERSION = 1


def _step(step: Step, options: RenderOptions) -> dict:
    n, w = options.notation, Words(options)
    out = {
        "key": step.key,
        "title": w(step.title),
        "justification": w(step.justification),
        "text": "; ".join(
            text(chain[0].expr, n) + "".join(f" {ln.relation} {text(ln.expr, n)}" for ln in chain[1:])
            for chain in step.chains
        ),
        "latex": chain_body(step, options),
        "status": step.status.value,
        "method": w(step.method),
        "assumptions": list(step.assumptions),
    }
    if step.remarks:
        out["remarks"] = w.remarks(step)
    if step.counterexample:
        cex = asdict(step.counterexample)
        cex["lhs"], cex["rhs"] = text(step.counterexample.lhs, n), text(step.counterexample.rhs, n)
        out["counterexample"] = cex
    return out


def document(d: Derivation, options: RenderOptions | None = None) -> dict:
    """The JSON document as a dict (schema in schemas/derivation.schema.json)."""
    options = options or RenderOptions()
    n, w = options.notation, Words(options)
    lhs = d.claim.chains[0][0].expr
    doc = {
        "schema_version": SCHEMA_VERSION,
        "tool": "xentderive",
        "version": __version__,
        "ok": d.ok,
        "complete": d.complete,
        "summary": w.summary(d),
        "loss": d.loss,
        "lang": options.lang,
        "classes": "C" if d.ctx.symbolic else d.ctx.classes,
        "labels": d.labels,
        "target": d.target,
        "assumptions": [w(a) for a in d.assumptions],
        "params": d.params,
        "free_params": d.free_params,
        "conventions": [w(c) for c in d.conventions],
        "steps": [_step(s, options) for s in d.all_steps],
        "result": {
            "text": f"{text(lhs, n)} = {text(d.result, n)}",
            "latex": f"{latex(lhs, n)} = {latex(d.result, n)}",
            "expr": sstr(d.result),
        },
    }
    if d.vector is not None:
        v = d.vector
        doc["vector"] = {
            "kind": v.kind,
            "text": vector_equation(v, n),
            "latex": vector_equation(v, n, "latex"),
            "status": v.status.value,
            "method": w(v.method),
        }
    if not d.ctx.symbolic:
        gradient = raw_gradient(d)
        if gradient is None:
            limit = gradient_max_classes(d)
            why = "a matrix: C² entries" if limit == GRADIENT_MAX_MATRIX else "each component has O(C) terms"
            doc["gradient_omitted"] = f"left out above C = {limit} ({why})"
        else:
            doc["gradient"] = gradient
    return doc


def render(d: Derivation, options: RenderOptions | None = None) -> str:
    return json.dumps(document(d, options), ensure_ascii=False, indent=2) + "\n"
