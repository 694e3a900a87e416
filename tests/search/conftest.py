"""Shared pieces of the search tests: four everyday tools (the model is tests/conftest.py's)."""

from __future__ import annotations

import pytest

from neurosym.bench.adapters import EVERYDAY_TOOLS
from neurosym.tools.tool import Tool


@pytest.fixture(scope="session")
def home_tools() -> list[Tool]:
    """Lights, translation, reminders and tables: one tool per kind of request (the
    adapter suite's everyday tools)."""
    return list(EVERYDAY_TOOLS)
