"""The multi-turn harness's parts with BFCL's real classes and checker (no model)."""

from __future__ import annotations

import pytest

pytest.importorskip("bfcl_eval")

from neurosym.bench.multi_turn import (MULTI_TURN_CATEGORIES, call_text, entry_instances,
                                       entry_tools, load_entries, withheld_functions)
from neurosym.errors import BenchmarkError


def test_every_category_loads_with_its_ground_truth() -> None:
    for category in MULTI_TURN_CATEGORIES:
        (entry,) = load_entries(category, limit=1)
        assert len(entry["ground_truth"]) == len(entry["question"])
    with pytest.raises(BenchmarkError):
        load_entries("multi_turn_nonsense")


def test_tools_run_on_the_live_instances() -> None:
    (entry,) = load_entries("multi_turn_base", limit=1)
    instances = entry_instances(entry, long_context=False)
    from neurosym.bench.multi_turn import function_docs
    tools = {t.name: t for t in entry_tools(function_docs(entry["involved_classes"]), instances,
                                       set())}
    assert all(t.effect == "write" for t in tools.values())
    assert "document" in str(tools["ls"]())
    tools["cd"](folder="document")
    tools["mkdir"](dir_name="temp")
    assert "temp" in str(tools["ls"]())
    assert "mv" not in {t.name for t in entry_tools(function_docs(entry["involved_classes"]),
                                               instances, {"mv"})}


def test_the_checker_accepts_the_ground_truth_written_as_neurosym_writes_calls() -> None:
    from bfcl_eval.eval_checker.multi_turn_eval.multi_turn_checker import multi_turn_checker
    from neurosym.plan import parse_plan, to_python
    (entry,) = load_entries("multi_turn_base", limit=1)
    decoded = []
    for calls in entry["ground_truth"]:
        steps = []
        for text in calls:
            if "(" in text and "=" not in text.split("(", 1)[1] and text.endswith("')"):
                continue  # a positional call: not a form the plan language writes
            (step,) = parse_plan(text).steps
            steps.append(call_text(step.call.tool,
                                   {k: to_python(v) for k, v in step.call.args}))
        decoded.append([steps])
    first = multi_turn_checker(decoded[:2], entry["ground_truth"][:2], entry,
                               "multi_turn_base", "neurosym-test")
    assert first["valid"], first


def test_missed_functions_are_withheld_until_their_turn() -> None:
    entry = {"missed_function": {"2": ["mv"]}}
    assert withheld_functions(entry, 0) == {"mv"} and withheld_functions(entry, 2) == set()
