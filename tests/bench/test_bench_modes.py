"""The answer functions with the real embedded model, on a few real BFCL entries."""

from __future__ import annotations

import importlib.util
from types import SimpleNamespace
from typing import Any

import pytest

from neurosym.bench import modes
from neurosym.bench.bfcl import Answer, load_category, run_category, score_entry
from neurosym.bench.modes import (MODES, PLANNER_MODES, answer_function, free_system_prompt,
                                  peer_answerer, planned_tokens, resolve_model)
from neurosym.errors import BenchmarkError, ModelNotFoundError


def _assert_sound(answer: Answer) -> None:
    assert answer.prompt_tokens > 0 and answer.latency_s > 0
    assert answer.well_formed == (answer.calls is not None)
    if answer.calls is not None:
        assert all(len(call) == 1 for call in answer.calls)


def test_free_prompt_carries_the_docs_and_the_call_form() -> None:
    entry = load_category("multiple", limit=1)[0]
    prompt = free_system_prompt(entry.shown_functions())
    assert all(doc["name"] in prompt for doc in entry.functions)
    assert "[func_name1(" in prompt


def test_unknown_mode_and_missing_model_are_clear_errors(tmp_path: object) -> None:
    with pytest.raises(BenchmarkError) as info:
        answer_function("fast")
    assert all(mode in (info.value.hint or "") for mode in MODES)
    with pytest.raises(ModelNotFoundError):
        resolve_model("no/such/model.gguf")


@pytest.mark.model
def test_peer_answers_real_entries() -> None:
    answer = peer_answerer()
    for entry in load_category("simple_python", limit=1) + load_category("irrelevance", limit=1):
        result = answer(entry)
        _assert_sound(result)
        assert result.calls is not None  # the JSON Schema grammar keeps arguments readable
        score_entry(entry, result.calls, well_formed=result.well_formed)


@pytest.mark.model
@pytest.mark.slow
def test_free_mode_runs_and_reads_what_it_can() -> None:
    result = run_category("simple_python", answer_function("free"), limit=1, mode="free",
                          progress=False)
    assert result.n == 1
    for entry in result.entries:
        assert entry.prompt_tokens > 0 and entry.output_tokens > 0
        assert entry.well_formed or entry.note.startswith("PlanSyntaxError")


@pytest.mark.parametrize("mode, solver, width", [
    ("grammar", False, 1), ("solver", True, 0), ("search1", True, 1), ("search4", True, 4),
    ("search8", True, 8),
])
def test_each_planner_mode_switches_the_planner_options_it_names(
        mode: str, solver: bool, width: int, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[dict[str, Any]] = []

    def record(model: object = None, **options: Any) -> str:
        made.append(options)
        return "answer"

    monkeypatch.setattr(modes, "planner_answerer", record)
    assert answer_function(mode, n_threads=1) == "answer"
    assert made == [{"n_threads": 1, "solver": solver, "width": width}]
    assert PLANNER_MODES[mode] == {"solver": solver, "width": width}


def test_the_planner_modes_are_an_ablation() -> None:
    options = {mode: (o["solver"], o["width"]) for mode, o in PLANNER_MODES.items()}
    # grammar -> search1 adds the solver; search1 -> search4 -> search8 widen the search
    assert options["grammar"][1] == options["search1"][1] and not options["grammar"][0]
    assert {options[m][0] for m in ("search1", "search4", "search8", "solver")} == {True}
    assert [options[m][1] for m in ("search1", "search4", "search8")] == [1, 4, 8]
    assert set(PLANNER_MODES) < set(MODES) and "full" not in MODES


def _plan_result(evaluated: int, decode: int | None, output: int) -> SimpleNamespace:
    return SimpleNamespace(
        evaluated_tokens=evaluated, output_tokens=output,
        decode=None if decode is None else SimpleNamespace(evaluated_tokens=decode))


@pytest.mark.parametrize("evaluated, decode, output, expected", [
    (57, 20, 12, 57),    # the search counted every branch
    (0, 20, 12, 20),     # the token-by-token decoder: its decode's count, rollbacks included
    (0, None, 12, 12),   # nothing counted: the plan's own tokens
    (0, 0, 0, 0),
])
def test_planned_tokens_falls_back_from_the_search_to_the_decode(
        evaluated: int, decode: int | None, output: int, expected: int) -> None:
    assert planned_tokens(_plan_result(evaluated, decode, output)) == expected


@pytest.mark.model
@pytest.mark.parametrize("mode", ["grammar", "solver", "search4"])
def test_planner_modes_are_always_well_formed(mode: str) -> None:
    if importlib.util.find_spec("neurosym.planner") is None:
        pytest.skip("neurosym.planner is not in this tree yet")
    result = run_category("simple_python", answer_function(mode), limit=2, mode=mode,
                          progress=False, half="test")
    assert result.n == 2 and result.well_formed_rate == 1.0
    assert [e.id for e in result.entries] == ["simple_python_1", "simple_python_3"]
    assert all(e.evaluated_tokens > 0 for e in result.entries)
