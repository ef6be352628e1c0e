"""PNG and SVG pictures: the standalone LaTeX on one fitted page, through the system TeX.

pdflatex (texlive-latex-base) makes the PDF and pdftoppm (poppler-utils) the PNG.
SVG comes from the DVI through dvisvgm with WOFF2 fonts, so its text is text: it can
be selected, searched and read by a screen reader (pdftocairo would draw every glyph
as a path). Chinese also needs latex-cjk-chinese and latex-cjk-chinese-arphic-gbsn00lp.
A missing tool is reported, never worked around.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

from ..errors import InputError
from ..model import Derivation
from . import latex
from .common import RenderOptions

PACKAGES = {
    "pdflatex": "texlive-latex-base",
    "latex": "texlive-latex-base",
    "pdftoppm": "poppler-utils",
    "dvisvgm": "dvisvgm",
}
CJK_PACKAGES = "latex-cjk-chinese latex-cjk-chinese-arphic-gbsn00lp"


class ToolMissing(InputError):
    """A system program (or TeX package) the picture formats need is not installed."""


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise ToolMissing(f"{tool} not found: install it with `apt-get install {PACKAGES[tool]}` (Debian/Ubuntu)")
    return path


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False, timeout=120)


def pdf(d: Derivation, options: RenderOptions, workdir: Path, engine: str = "pdflatex") -> Path:
    """Compile the fitted-page document (pdflatex: a PDF; latex: a DVI) and return its path."""
    tex = _need(engine)
    if options.lang == "zh" and _run(["kpsewhich", "CJKutf8.sty"], workdir).returncode != 0:
        raise ToolMissing(f"the LaTeX package CJKutf8 is missing: `apt-get install {CJK_PACKAGES}`")
    source = workdir / "derivation.tex"
    source.write_text(latex.render(d, replace(options, standalone=True), fit_page=True), encoding="utf-8")
    done = _run([tex, "-halt-on-error", "-interaction=nonstopmode", source.name], workdir)
    if done.returncode != 0:
        first = next((ln for ln in done.stdout.splitlines() if ln.startswith("!")), "see derivation.log")
        raise InputError(f"{engine} failed: {first}")
    return workdir / ("derivation.pdf" if engine == "pdflatex" else "derivation.dvi")


def render_png(d: Derivation, options: RenderOptions | None = None, dpi: int = 150) -> bytes:
    options = options or RenderOptions()
    with tempfile.TemporaryDirectory(prefix="xentderive-") as tmp:
        work = Path(tmp)
        made = pdf(d, options, work)
        done = _run([_need("pdftoppm"), "-png", "-r", str(dpi), "-singlefile", made.name, "derivation"], work)
        if done.returncode != 0:
            raise InputError(f"pdftoppm failed: {done.stderr.strip()[:200]}")
        return (work / "derivation.png").read_bytes()


def render_svg(d: Derivation, options: RenderOptions | None = None) -> bytes:
    options = options or RenderOptions()
    with tempfile.TemporaryDirectory(prefix="xentderive-") as tmp:
        work = Path(tmp)
        tool = _need("dvisvgm")
        made = pdf(d, options, work, engine="latex")
        done = _run([tool, "--font-format=woff2", "--page=1", "--output=derivation.svg", made.name], work)
        if done.returncode != 0 or not (work / "derivation.svg").exists():
            raise InputError(f"dvisvgm failed: {(done.stderr or done.stdout).strip()[-200:]}")
        return (work / "derivation.svg").read_bytes()
