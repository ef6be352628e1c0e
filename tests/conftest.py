"""Shared fixtures: derivations are built once per session (SymPy work is the slow part)."""

from __future__ import annotations

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
settings.load_profile("ci")
