"""Shared pieces of the search tests: four everyday tools (the model is tests/conftest.py's)."""

from __future__ import annotations

import pytest

from neurosym.tools.tool import Param, Tool


@pytest.fixture(scope="session")
def home_tools() -> list[Tool]:
    """Lights, translation, reminders and tables: one tool per kind of request."""
    return [
        Tool("set_lights", "Set the lights in a room.", (
            Param("room", "string", enum=("kitchen", "living room", "bedroom", "hall")),
            Param("level", "integer", minimum=0, maximum=100))),
        Tool("translate", "Translate a text.", (
            Param("text", "string"), Param("target", "string", enum=("de", "fr", "es", "it")))),
        Tool("add_reminder", "Add a reminder.", (Param("text", "string"), Param("when", "string"))),
        Tool("book_table", "Book a table at a restaurant.", (
            Param("restaurant", "string"), Param("people", "integer", minimum=1, maximum=12),
            Param("time", "string"))),
    ]
