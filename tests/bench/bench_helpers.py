"""Shared by the benchmark tests: real BFCL entries, and answers built from BFCL's own
possible answers. (A helper module rather than a conftest, whose name would clash with
the other test folders' under ``--doctest-modules``.)"""

from __future__ import annotations

import copy
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from neurosym.bench._convert import checker_calls
from neurosym.bench.bfcl import Answer, BfclEntry, load_category
from neurosym.errors import ModelNotFoundError


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


#: Set to ``FOLDER:COUNT`` to make each process's first oracle answer wait (a minute at
#: most) until COUNT processes have answered, so that every worker of a pool gets work.
MEET_VARIABLE = "NEUROSYM_TEST_BENCH_MEET"
_met: list[bool] = []


def _meet_the_other_workers() -> None:
    if _met or not os.environ.get(MEET_VARIABLE):
        return
    _met.append(True)
    folder, count = os.environ[MEET_VARIABLE].rsplit(":", 1)
    (Path(folder) / str(os.getpid())).touch()
    deadline = time.monotonic() + 60
    while len(list(Path(folder).iterdir())) < int(count) and time.monotonic() < deadline:
        time.sleep(0.01)


def oracle_factory(mode: str, model: object = None, *,
                   n_threads: int | None = None) -> Callable[[BfclEntry], Answer]:
    """An answer factory for ``neurosym.bench.cli.run_units`` that needs no model: BFCL's
    first possible answer (none on the relevance categories), its text naming the process
    that answered. ``mode == "broken"`` answers with a set-up error, as a missing model
    would; ``mode == "crash"`` ends its process at once (use it in worker processes only)."""

    def answer(entry: BfclEntry) -> Answer:
        if mode == "broken":
            raise ModelNotFoundError("no GGUF model found", hint="pass --model")
        if mode == "crash":
            os._exit(3)
        _meet_the_other_workers()
        calls = [] if entry.ground_truth is None else first_possible_answer(entry)
        return Answer(calls, f"pid {os.getpid()}", True, prompt_tokens=100,
                      output_tokens=len(entry.id), latency_s=len(entry.id) / 100)

    return answer
