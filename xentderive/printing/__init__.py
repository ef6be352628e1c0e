"""One printer per format, found by name: each takes a verified Derivation and returns text."""

from __future__ import annotations

from collections.abc import Callable

from ..model import Derivation
from . import json_format, latex, text
from .common import RenderOptions
from .notation import Notation

FORMATS: dict[str, Callable[[Derivation, RenderOptions], str]] = {
    "text": text.render,
    "latex": latex.render,
    "json": json_format.render,
}

__all__ = ["FORMATS", "Notation", "RenderOptions"]
