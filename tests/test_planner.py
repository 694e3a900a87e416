"""The Planner end to end with the embedded model, on BFCL questions and on planted errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from neurosym.decode import Continue, Hooks, Reject, chain_hooks
from neurosym.errors import ContextOverflowError, ModelFormatError, ModelNotFoundError
from neurosym.grammar.engines import lark_accepts
from neurosym.model import PromptOptions
from neurosym.planner import Planner, PlanResult
from neurosym.plan.ast import Ref, Step

pytestmark = pytest.mark.model


def _bfcl(category: str) -> dict[str, Any]:
    """A BFCL category's entries by id, read by the benchmark's own loader."""
    from neurosym.bench.bfcl import load_category
    return {entry.id: entry for entry in load_category(category)}


def _correct(entry: Any, result: PlanResult, planner: Planner) -> bool:
    """BFCL's own verdict on the plan (its AST checker)."""
    from neurosym.bench._convert import checker_calls, plan_calls
    from neurosym.bench.bfcl import score_entry
    if result.plan is None:
        return False
    calls = checker_calls(plan_calls(result.plan, planner.tools), entry.functions, entry.language)
    return score_entry(entry, calls, well_formed=True).correct


SIMPLE = [f"simple_python_{i}" for i in (0, 2, 4, 6, 8, 10, 12, 14)]
MULTIPLE = [f"multiple_{i}" for i in (0, 2, 4, 6)]


@pytest.fixture(scope="module")
def bfcl_results(model) -> dict[str, tuple[PlanResult, Any, Planner]]:
    out = {}
    for category, ids in (("simple_python", SIMPLE), ("multiple", MULTIPLE)):
        entries = _bfcl(category)
        for entry_id in ids:
            entry = entries[entry_id]
            planner = Planner(list(entry.functions), model=model, max_tokens=128)
            out[entry_id] = (planner.plan(list(entry.messages)), entry, planner)
    return out


def test_every_plan_is_well_formed(bfcl_results) -> None:
    for entry_id, (result, _, planner) in bfcl_results.items():
        assert result.ok, (entry_id, result.explanation)
        assert lark_accepts(planner.grammar.lark, result.text), entry_id
        assert result.plan is not None
        assert {c.tool for c in result.plan.calls} <= set(planner.tools.names)


def test_most_simple_plans_are_what_bfcl_expects(bfcl_results) -> None:
    matched = [entry_id for entry_id, (result, entry, planner) in bfcl_results.items()
               if entry_id.startswith("simple") and _correct(entry, result, planner)]
    assert len(matched) >= 0.6 * len(SIMPLE), matched


def test_results_carry_tokens_timings_and_renderings(bfcl_results) -> None:
    result, _, _ = bfcl_results["simple_python_0"]
    assert result.prompt_tokens > 50 and result.output_tokens > 5
    assert {"prompt_s", "decode_s", "mask_s", "total_s", "verdict_s"} <= set(result.timings)
    assert result.trace and result.explanation is None and result.adjustments == ()
    assert result.score is not None and result.search is not None
    (call,) = result.to_openai()
    assert call["function"]["name"] == "calculate_triangle_area"
    assert json.loads(call["function"]["arguments"])["base"] == 10
    summary = result.to_dict()
    assert summary["plan"] == result.text and summary["bfcl"] == result.to_bfcl()
    json.dumps(summary)


def test_a_large_tool_set_still_yields_only_real_tools(model) -> None:
    functions: dict[str, dict[str, Any]] = {}
    for entry in _bfcl("multiple").values():
        for doc in entry.functions:
            functions.setdefault(doc["name"], doc)
        if len(functions) >= 52:
            break
    # Many tools: one short line each, so that they fit the context.
    planner = Planner(list(functions.values()), model=model, max_tokens=96,
                      prompt_options=PromptOptions(detail="brief", max_doc_chars=60))
    assert len(planner.tools) >= 50
    for request in ("Find me a vegan restaurant in Berlin.",
                    "What is the capital of Brazil?",
                    "Calculate the displacement of a car at 20 m/s accelerating at 10 m/s^2 for 5 s."):
        result = planner.plan(request)
        assert result.ok, result.explanation
        assert all(call.tool in functions for call in result.plan.calls)


def test_chaining_refers_only_to_earlier_results_that_fit(model) -> None:
    from neurosym.execute.demo_world import make_world
    _, tools = make_world()
    planner = Planner(tools.subset(["search_flights", "book_flight"]), model=model)
    result = planner.plan("Find a flight from SFO to CDG on 2026-12-01 and book it for 2 people.")
    assert result.ok, result.explanation
    bound: set[str] = set()
    for step in result.plan.steps:
        refs = [v for _, v in step.call.args if isinstance(v, Ref)]
        assert all(ref.name in bound for ref in refs)
        if step.call.tool == "book_flight":
            assert all(ref.path and ref.path[-1] != "price" for ref in refs)  # a str param
        if step.bind:
            bound.add(step.bind)


def test_the_hooks_extension_point_steers_the_plan(model) -> None:
    entries = _bfcl("simple_python")
    entry = entries["simple_python_0"]
    messages, functions = list(entry.messages), list(entry.functions)

    class NoTen(Hooks):
        def __init__(self) -> None:
            self.rejected: list[str] = []

        def on_boundary(self, event, state):
            if event.kind == "value_end" and event.param == "base" and event.python == 10:
                start = [c for c in state.checkpoints if c.kind == "value_start"
                         and c.path == event.path][-1]
                self.rejected.append(event.text)
                return Reject(start, block=event.text, reason="base may not be 10")
            return Continue()

    seen, made = [], []

    def per_request(request):
        seen.append(request)
        made.append(NoTen())
        return made[-1]

    # The hooks steer the token-by-token decoder (width 0); one set is made per request.
    planner = Planner(functions, constraints=["calculate_triangle_area.base != 10"], model=model,
                      solver=False, width=0, hooks=[per_request])
    result = planner.plan(messages)
    assert [request.constraints for request in seen] == [("calculate_triangle_area.base != 10",)]
    assert made[0].rejected == ["10"]
    assert result.ok and result.plan.steps[0].call.arg("base").value != 10
    assert planner.constraints == seen[0].constraints


def test_sampling_with_a_seed_is_reproducible(model) -> None:
    entry = _bfcl("simple_python")["simple_python_3"]
    messages, functions = list(entry.messages), list(entry.functions)
    first = Planner(functions, model=model, sampling=True, seed=3).plan(messages)
    again = Planner(functions, model=model, sampling=True, seed=3).plan(messages)
    assert first.ok and first.text == again.text


def test_a_missing_model_file_is_model_not_found(tmp_path: Path) -> None:
    planner = Planner([], model=tmp_path / "missing.gguf")
    with pytest.raises(ModelNotFoundError):
        planner.plan("hello")


def test_a_file_that_is_not_gguf_is_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "weights.gguf"
    path.write_text("not a model")
    with pytest.raises(ModelFormatError):
        Planner([], model=path).plan("hello")


def test_an_over_long_request_is_a_context_overflow(model) -> None:
    functions = list(_bfcl("simple_python")["simple_python_0"].functions)
    with pytest.raises(ContextOverflowError) as caught:
        Planner(functions, model=model).plan("triangle " * 5000)
    assert caught.value.tokens > caught.value.limit == model.n_ctx


def test_a_budget_the_model_cannot_meet_is_a_result_not_an_exception(model) -> None:
    entry = _bfcl("simple_python")["simple_python_0"]
    result = Planner(list(entry.functions), model=model, max_tokens=3).plan(list(entry.messages))
    assert not result.ok and result.plan is None
    assert "max_tokens" in result.explanation


def test_steps_of_the_plan_are_steps(bfcl_results) -> None:
    result, _, _ = bfcl_results["multiple_0"]
    assert all(isinstance(step, Step) for step in result.plan.steps)
