"""Grammar tests run through both engines: lark, and llguidance over the real tokenizer
(the ``tokenizer`` fixture of tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest


@pytest.fixture(params=["lark", "llguidance"])
def accepts(request: pytest.FixtureRequest) -> Callable[[str, str], bool]:
    """``accepts(grammar_text, text)`` by one engine; tests using it run once per engine."""
    from neurosym.grammar.engines import lark_accepts, llguidance_accepts
    if request.param == "lark":
        return lark_accepts
    tokenizer = request.getfixturevalue("tokenizer")
    return lambda grammar, text: llguidance_accepts(grammar, text, tokenizer)
