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
