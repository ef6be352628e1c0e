"""JUnit XML (testsuites/testsuite/testcase/failure), as GitLab and GitHub reporters read it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..suite import SuiteResult


def render(result: SuiteResult) -> str:
    failures = sum(result.count(s) for s in ("failed", "timeout", "memory", "error", "unproved"))
    attrs = {
        "name": "xentderive",
        "tests": str(len(result.results)),
        "failures": str(failures),
        "errors": "0",
        "time": f"{result.seconds:.3f}",
    }
    root = ET.Element("testsuites", attrs)
    suite = ET.SubElement(root, "testsuite", attrs | {"name": result.command, "skipped": "0"})
    for r in result.results:
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": f"xentderive.{r.case.loss}",
                "name": r.case.name,
                "time": f"{r.seconds:.3f}",
            },
        )
        if r.status != "passed":
            failure = ET.SubElement(case, "failure", {"message": r.message or r.status, "type": r.status})
            failure.text = "\n".join(filter(None, [r.message, r.counterexample]))
        out = ET.SubElement(case, "system-out")
        out.text = "\n".join(f"{w.name}: {w.status}: {w.detail}" for w in r.witnesses)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
