"""The answer functions with the real embedded model, on a few real BFCL entries."""

from __future__ import annotations

import importlib.util

import pytest

from neurosym.bench.bfcl import Answer, load_category, run_category, score_entry
from neurosym.bench.modes import (MODES, answer_function, free_system_prompt, peer_answerer,
                                  resolve_model)
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


@pytest.mark.model
@pytest.mark.parametrize("mode", ["grammar", "full"])
def test_planner_modes_are_always_well_formed(mode: str) -> None:
    if importlib.util.find_spec("neurosym.planner") is None:
        pytest.skip("neurosym.planner is not in this tree yet")
    result = run_category("simple_python", answer_function(mode), limit=2, mode=mode,
                          progress=False)
    assert result.n == 2 and result.well_formed_rate == 1.0
