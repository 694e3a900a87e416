"""The search-error suite: intended plans written from BFCL's ground truth, and the
classification of an answer (real BFCL data and checker; the real model where a plan is
answered)."""

from __future__ import annotations

import math

import pytest

from neurosym.bench._convert import checker_calls, plan_calls
from neurosym.bench.bfcl import load_category, score_entry
from neurosym.bench.search_errors import (CATEGORIES, KINDS, SEARCH_MODES, Reading,
                                          intended_plan, read_entry, run_search_errors,
                                          summarise)
from neurosym.errors import BenchmarkError
from neurosym.plan.parse import parse_plan
from neurosym.tools import ToolSet


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_intended_plan_is_one_bfcls_checker_accepts(category: str) -> None:
    for entry in load_category(category, 12, half="dev"):
        tools = ToolSet.from_bfcl(entry.shown_functions())
        text = intended_plan(entry, tools)
        assert text is not None, entry.id
        plan = parse_plan(text)
        assert len(plan.steps) == len(entry.ground_truth or ()), entry.id
        calls = checker_calls(plan_calls(plan, tools), entry.functions, entry.language)
        assert score_entry(entry, calls, well_formed=True).correct, (entry.id, text)


def test_dict_values_take_each_keys_first_allowed_value() -> None:
    entry = next(e for e in load_category("multiple", 12, half="dev") if e.id == "multiple_8")
    text = intended_plan(entry, ToolSet.from_bfcl(entry.shown_functions()))
    assert text is not None and 'budget={"min": 300000, "max": 400000}' in text


def _reading(kind: str, category: str = "simple_python", half: str = "dev") -> Reading:
    return Reading(f"{category}_{kind}", category, half, "search4", kind, "", "", None, None)


def test_summary_counts_each_kind_per_category_and_over_all() -> None:
    readings = [_reading("right"), _reading("search_error"), _reading("model_error"),
                _reading("right", "multiple"), _reading("found", "multiple", "test")]
    rows = {(r["half"], r["category"]): r for r in summarise(readings)}
    assert rows[("dev", "all")]["n"] == 4 and rows[("dev", "all")]["right"] == 2
    assert math.isclose(rows[("dev", "simple_python")]["accuracy"], 1 / 3, abs_tol=1e-4)
    assert rows[("dev", "simple_python")]["search_error"] == 1
    assert rows[("test", "multiple")]["found"] == 1
    assert all(set(KINDS) <= set(row) for row in rows.values())


def test_an_unknown_mode_is_refused_before_any_model_loads(tmp_path) -> None:
    with pytest.raises(BenchmarkError, match="unknown search mode"):
        run_search_errors(modes=("search5",), out_dir=tmp_path, model="/no/such.gguf")


@pytest.mark.model
@pytest.mark.parametrize("entry_id", ["simple_python_0", "multiple_0"])
def test_each_kind_means_what_it_says(model, entry_id: str) -> None:
    category = entry_id.rsplit("_", 1)[0]
    entry = next(e for e in load_category(category, 2, half="dev") if e.id == entry_id)
    reading = read_entry(entry, model, "dev", "search4", {"solver": True,
                                                          **SEARCH_MODES["search4"]})
    assert reading.kind in KINDS
    tools = ToolSet.from_bfcl(entry.shown_functions())
    if reading.kind != "right":
        assert reading.intended == intended_plan(entry, tools)
    if reading.kind == "search_error":
        assert reading.intended_score is not None
        assert reading.best_score is None or reading.intended_score > reading.best_score
    if reading.kind == "model_error":
        assert reading.best_score is not None and reading.intended_score is not None
        assert reading.intended_score <= reading.best_score
    if reading.kind == "right":
        plan = parse_plan(reading.text)
        calls = checker_calls(plan_calls(plan, tools), entry.functions, entry.language)
        assert score_entry(entry, calls, well_formed=True).correct
