"""Shared by the benchmark tests: real BFCL entries, and answers built from BFCL's own
possible answers. (A helper module rather than a conftest, whose name would clash with
the other test folders' under ``--doctest-modules``.)"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from neurosym.bench._convert import checker_calls
from neurosym.bench.bfcl import BfclEntry, load_category


def _first_option(value: Any) -> Any:
    """A possible-answer dict (each key a list of options) reduced to its first options."""
    if isinstance(value, dict) and all(isinstance(v, list) for v in value.values()):
        return {k: _first_option(v[0]) for k, v in value.items() if v and v[0] != ""}
    if isinstance(value, list):
        return [_first_option(v) for v in value]
    return value


def first_possible_answer(entry: BfclEntry) -> list[dict[str, dict[str, Any]]]:
    """The answer made of the first allowed value of every parameter ("" means: leave it out)."""
    assert entry.ground_truth is not None
    calls = []
    for call in entry.ground_truth:
        for name, params in call.items():
            calls.append({name: {key: _first_option(options[0])
                                 for key, options in params.items() if options[0] != ""}})
    return checker_calls(calls, entry.functions, entry.language)


def doc_of(entry: BfclEntry, name: str) -> dict[str, Any]:
    return next(doc for doc in entry.functions if doc["name"] == name)


def mutated(answer: list[dict[str, dict[str, Any]]]) -> list[dict[str, dict[str, Any]]]:
    return copy.deepcopy(answer)


@pytest.fixture(scope="session")
def bfcl_entries() -> dict[str, list[BfclEntry]]:
    """The first six entries of each category the tests use."""
    names = ["simple_python", "simple_java", "simple_javascript", "multiple", "parallel",
             "parallel_multiple", "irrelevance", "live_relevance"]
    return {name: load_category(name, limit=6) for name in names}
