"""One printer per format, found by name: each takes a verified Derivation and returns text or bytes."""

from __future__ import annotations

from collections.abc import Callable

from ..model import Derivation
from . import json_format, latex, markdown, pictures, text
from .common import RenderOptions
from .notation import Notation

FORMATS: dict[str, Callable[[Derivation, RenderOptions], str | bytes]] = {
    "text": text.render,
    "latex": latex.render,
    "markdown": markdown.render,
    "json": json_format.render,
    "png": pictures.render_png,
    "svg": pictures.render_svg,
}
BINARY = {"png", "svg"}

__all__ = ["BINARY", "FORMATS", "Notation", "RenderOptions"]
