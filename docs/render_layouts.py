"""Render the README's pictures of the two LaTeX layouts on real pages.

    python docs/render_layouts.py      # writes docs/layout-wide.png and docs/layout-narrow.png

wide: the body pasted into a one-column page 5.5 in wide (11 pt); narrow: into a
10 pt two-column article. Needs pdflatex and pdftoppm (see README, Set up).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from xentderive import derive
from xentderive.printing import FORMATS, RenderOptions

PAGES = {
    "wide": r"\documentclass[11pt]{article}\usepackage[paperwidth=7in,paperheight=6.4in,"
    r"textwidth=5.5in,top=0.4in,bottom=0.2in]{geometry}",
    "narrow": r"\documentclass[10pt,twocolumn]{article}\usepackage[paperwidth=7.5in,paperheight=6.9in,"
    r"textwidth=6.75in,columnsep=0.25in,top=0.3in,bottom=0.2in]{geometry}",
}


def render(layout: str, out: Path) -> None:
    body = FORMATS["latex"](derive(None), RenderOptions(layout=layout))
    preamble = f"{PAGES[layout]}\\usepackage{{amsmath,amssymb}}\\pagestyle{{empty}}"
    source = f"{preamble}\n\\begin{{document}}\n{body}\\end{{document}}\n"
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "page.tex").write_text(source, encoding="utf-8")
        subprocess.run(["pdflatex", "-interaction=nonstopmode", "page.tex"], cwd=tmp, capture_output=True, check=True)
        subprocess.run(["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile", "page.pdf", "page"],
                       cwd=tmp, check=True)  # fmt: skip
        out.write_bytes((Path(tmp) / "page.png").read_bytes())


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    for name in sys.argv[1:] or list(PAGES):
        render(name, here / f"layout-{name}.png")
        print(f"docs/layout-{name}.png")
