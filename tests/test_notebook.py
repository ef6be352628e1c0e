"""The notebook views (`_repr_html_`, `_repr_latex_`, `repr`) and the example notebook, run cell by cell."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from xentderive import derive
from xentderive.api import build

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "tour.ipynb"


@pytest.fixture(scope="module")
def proved():
    return derive(None)


def test_html_is_well_formed_and_shows_every_step_with_its_status(proved):
    root = ET.fromstring(proved._repr_html_())
    steps = root.findall(".//li")
    assert [li.get("data-key") for li in steps] == [s.key for s in proved.all_steps]
    assert all(li.get("data-status") == "proved" for li in steps)
    text = "".join(root.itertext())
    assert "Softmax" in text and "Claim" in text and text.count("\\begin{aligned}") == len(steps)


def test_its_twin_a_failed_claim_shows_failed_in_the_html():
    d = derive(3, target="p_i - 2*y_i")
    root = ET.fromstring(d._repr_html_())
    assert root.findall(".//li")[-1].get("data-status") == "failed"


def test_latex_repr_is_pure_math_that_mathjax_renders(proved):
    math = proved._repr_latex_()
    assert math.startswith("$$") and math.endswith("$$")
    assert not any(s in math for s in ("\\paragraph", "\\begin{itemize}", "%", "@"))


def test_repr_is_one_line_saying_what_was_established(proved):
    assert repr(proved) == "<Derivation softmax-ce, every C: proved, 10 steps>"
    assert repr(build(3)) == "<Derivation softmax-ce, C = 3: not verified yet, 10 steps>"
    assert repr(derive(3, target="p_i - 2*y_i")) == "<Derivation softmax-ce, C = 3: failed, 10 steps>"


def test_the_example_notebook_runs_from_top_to_bottom():
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    assert len(code) >= 5
    namespace: dict = {}
    for source in code:  # our own notebook, run as the kernel would
        exec(compile(source, str(NOTEBOOK), "exec"), namespace)
    assert namespace["d"].ok and not namespace["bad"].ok
