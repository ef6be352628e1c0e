"""Shared fixtures, and the two tiers of the suite.

Derivations are built once per session (SymPy work is the slow part). The tiers:

* quick (the default, for every commit): every test runs, but a parametrized test runs
  `QUICK_CASES` of its cases, evenly spread (one: its first), or the cases it marks
  ``pytest.mark.quick`` where it chooses its own; Hypothesis tries fewer examples. Each
  kind of check still runs, with its twin.
* full (``XENTDERIVE_TESTS=full``, as ``.ci/run`` sets it): every case of every test.
"""

from __future__ import annotations

import os
from collections import defaultdict

import pytest

from xentderive import derive


@pytest.fixture(scope="session")
def symbolic():
    return derive(None)


@pytest.fixture(scope="session")
def three():
    return derive(3)


# --- Hypothesis profiles (tests/test_properties.py) -------------------------------------
# "ci" (the default): a few hundred examples in all, derandomized so CI is reproducible.
# "long": many more, for a soak: python -m pytest tests/test_properties.py -n 2 --hypothesis-profile=long
from hypothesis import HealthCheck, settings  # noqa: E402

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile(
    "ci", max_examples=100, deadline=None, derandomize=True, database=None, suppress_health_check=_SLOW_OK
)
settings.register_profile("long", max_examples=2000, deadline=None, suppress_health_check=_SLOW_OK)
settings.register_profile(
    "quick", max_examples=10, deadline=None, derandomize=True, database=None, suppress_health_check=_SLOW_OK
)

TIER = os.environ.get("XENTDERIVE_TESTS", "quick")
FULL = TIER == "full"
QUICK_CASES = 1  # cases a parametrized test runs in the quick tier (its first)
settings.load_profile("ci" if FULL else "quick")


@pytest.fixture(scope="session", autouse=True)
def _warm_caches():
    """Prove the seed once in this process: a proof forked from it (every CLI run, every
    corpus claim) inherits SymPy's caches instead of filling them again; about 0.2 s a fork."""
    from xentderive.api import build, check

    check(build(None))
    check(build(3))


def quick_sample(items: list, cases: int = QUICK_CASES) -> list:
    """A parametrized test's cases for the quick tier: those it marks quick, else `cases` of them
    evenly spread (the first, and with two or more the last)."""
    marked = [item for item in items if item.get_closest_marker("quick")]
    if marked or len(items) <= cases:
        return marked or items
    picks = {round(k * (len(items) - 1) / max(1, cases - 1)) for k in range(cases)}
    return [item for k, item in enumerate(items) if k in picks]


def pytest_configure(config):
    if TIER not in ("quick", "full"):
        raise pytest.UsageError(f"XENTDERIVE_TESTS={TIER!r}: use quick (the default) or full")
    config.addinivalue_line("markers", "quick: a case the quick tier runs (the others run with XENTDERIVE_TESTS=full)")


@pytest.hookimpl(trylast=True)  # after -k and -m: the sample is of what they leave
def pytest_collection_modifyitems(config, items):
    if FULL:
        return
    named = {arg.split("::", 1)[1] for arg in config.args if "[" in arg and "::" in arg}
    by_test = defaultdict(list)
    for item in items:
        if item.nodeid.split("::", 1)[-1] in named:  # a case named on the command line runs
            item.add_marker(pytest.mark.quick)
        by_test[item.nodeid.split("[")[0]].append(item)
    kept = {id(item) for group in by_test.values() for item in quick_sample(group)}
    deselected = [item for item in items if id(item) not in kept]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if id(item) in kept]


def pytest_report_header(config):
    if FULL:
        return "xentderive tests: full tier, every case"
    return (
        f"xentderive tests: quick tier, a parametrized test runs {QUICK_CASES} of its cases; "
        "XENTDERIVE_TESTS=full runs every case (CI does)"
    )
