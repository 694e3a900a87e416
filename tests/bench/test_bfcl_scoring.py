"""Scoring by BFCL's own AST checker on real BFCL entries: right answers, each kind of wrong one."""

from __future__ import annotations

from typing import Any

import pytest

from neurosym.bench.bfcl import (AST_CATEGORIES, ERROR_TYPES, BfclEntry, categories,
                                 classify_checker_error, load_category, score_entry)
from neurosym.errors import BenchmarkError

from tests.bench.bench_helpers import bfcl_entries, doc_of, first_possible_answer, mutated  # noqa: F401

SCORED = ["simple_python", "simple_java", "simple_javascript", "multiple", "parallel",
          "parallel_multiple"]
PYTHON_SCORED = ["simple_python", "multiple", "parallel", "parallel_multiple"]


def test_categories_are_the_ast_categories_bfcl_ships() -> None:
    found = categories()
    assert set(found) <= set(AST_CATEGORIES)
    for name in ["simple_python", "multiple", "parallel", "parallel_multiple", "irrelevance",
                 "live_simple", "live_multiple", "live_parallel", "live_parallel_multiple",
                 "live_irrelevance", "live_relevance"]:
        assert name in found


@pytest.mark.parametrize("name", SCORED + ["irrelevance", "live_relevance"])
def test_load_category_reads_entries_in_order(name: str) -> None:
    entries = load_category(name, limit=3)
    assert len(entries) == 3 and len({e.id for e in entries}) == 3
    assert all(e.id.startswith(f"{name}_") for e in entries)
    for entry in entries:
        assert entry.category == name
        assert entry.messages and all("role" in m and "content" in m for m in entry.messages)
        assert entry.functions and all("name" in doc for doc in entry.functions)
        assert (entry.ground_truth is None) == ("relevance" in name)


@pytest.mark.parametrize("bad", ["simple", "multi_turn_base", ""])
def test_unknown_category_is_a_benchmark_error_with_the_choices(bad: str) -> None:
    with pytest.raises(BenchmarkError) as info:
        load_category(bad)
    assert "simple_python" in (info.value.hint or "")


def test_limit_below_one_is_refused() -> None:
    with pytest.raises(BenchmarkError):
        load_category("simple_python", limit=0)


@pytest.mark.parametrize("name", SCORED)
def test_first_possible_answer_is_correct(name: str,
                                          bfcl_entries: dict[str, list[BfclEntry]]) -> None:
    for entry in bfcl_entries[name]:
        score = score_entry(entry, first_possible_answer(entry), well_formed=True)
        assert score.correct, (entry.id, score)
        assert score.error_type is None


# Hand-made wrong answers. Each takes the right answer and returns a wrong one, or None
# when the entry offers nothing to break that way.

def _wrong_function(entry: BfclEntry, answer: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = mutated(answer)
    name, args = next(iter(out[0].items()))
    others = [doc["name"] for doc in entry.functions if doc["name"] != name]
    out[0] = {(others[0] if others else f"not_{name}"): args}
    return out


def _scalar_param(entry: BfclEntry, answer: list[dict[str, Any]]) -> tuple[str, str] | None:
    """A parameter of the first call whose allowed values are plain strings or numbers."""
    name = next(iter(answer[0]))
    options = next(iter(entry.ground_truth[0].values()))  # type: ignore[index]
    for param, allowed in options.items():
        kinds = {type(v) for v in allowed}
        if "" not in allowed and len(kinds) == 1 and kinds <= {str, int, float}:
            doc = doc_of(entry, name)["parameters"]["properties"][param]
            if doc["type"] in ("string", "integer", "float"):
                return name, param
    return None


def _wrong_value(entry: BfclEntry, answer: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    found = _scalar_param(entry, answer)
    if found is None:
        return None
    name, param = found
    out = mutated(answer)
    value = out[0][name][param]
    out[0][name][param] = "zz not an answer zz" if isinstance(value, str) else value + 1009
    return out


def _wrong_type(entry: BfclEntry, answer: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    name = next(iter(answer[0]))
    props = doc_of(entry, name)["parameters"]["properties"]
    for param, value in answer[0][name].items():
        if props[param]["type"] == "string" and isinstance(value, str):
            out = mutated(answer)
            out[0][name][param] = 7
            return out
    return None


def _missing_argument(entry: BfclEntry,
                      answer: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    name = next(iter(answer[0]))
    required = doc_of(entry, name)["parameters"].get("required", [])
    present = [p for p in required if p in answer[0][name]]
    if not present:
        return None
    out = mutated(answer)
    del out[0][name][present[0]]
    return out


def _extra_argument(entry: BfclEntry, answer: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = mutated(answer)
    name = next(iter(out[0]))
    out[0][name]["zz_not_a_parameter"] = 1
    return out


def _extra_call(entry: BfclEntry, answer: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return mutated(answer) + mutated(answer[:1])


def _no_call(entry: BfclEntry, answer: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return []


MUTATIONS = [
    ("wrong_function", _wrong_function),
    ("wrong_value", _wrong_value),
    ("wrong_type", _wrong_type),
    ("missing_argument", _missing_argument),
    ("extra_argument", _extra_argument),
    ("wrong_count", _extra_call),
    ("wrong_count", _no_call),
]


@pytest.mark.parametrize("name", PYTHON_SCORED)
@pytest.mark.parametrize("expected, mutate", MUTATIONS, ids=[m[1].__name__ for m in MUTATIONS])
def test_wrong_answer_is_wrong_with_its_error_type(
        name: str, expected: str, mutate: Any, bfcl_entries: dict[str, list[BfclEntry]]) -> None:
    tried = 0
    for entry in bfcl_entries[name]:
        answer = first_possible_answer(entry)
        wrong = mutate(entry, answer)
        if wrong is None:
            continue
        tried += 1
        score = score_entry(entry, wrong, well_formed=True)
        assert not score.correct, (entry.id, wrong)
        assert score.error_type == expected, (entry.id, score)
        assert score.checker_error_type and score.detail
    assert tried >= 2, f"too few {name} entries could be broken this way"


@pytest.mark.parametrize("name", PYTHON_SCORED)
@pytest.mark.parametrize("output", [None, [{"f": 1}], [["f"]], [{"f": {}, "g": {}}]])
def test_unreadable_answers_are_malformed(name: str, output: Any,
                                          bfcl_entries: dict[str, list[BfclEntry]]) -> None:
    entry = bfcl_entries[name][0]
    score = score_entry(entry, output, well_formed=output is not None)
    assert (score.correct, score.error_type) == (False, "malformed")


def test_answer_that_did_not_parse_is_malformed_whatever_its_calls(
        bfcl_entries: dict[str, list[BfclEntry]]) -> None:
    entry = bfcl_entries["simple_python"][0]
    score = score_entry(entry, first_possible_answer(entry), well_formed=False)
    assert (score.correct, score.error_type) == (False, "malformed")


@pytest.mark.parametrize("output, well_formed", [
    (None, True), ([], True), ([{}], True), (None, False), ([{"anything": {}}], False),
])
def test_irrelevance_is_right_without_a_call(output: Any, well_formed: bool,
                                             bfcl_entries: dict[str, list[BfclEntry]]) -> None:
    for entry in bfcl_entries["irrelevance"]:
        assert score_entry(entry, output, well_formed=well_formed).correct


def test_irrelevance_is_wrong_with_a_call(bfcl_entries: dict[str, list[BfclEntry]]) -> None:
    for entry in bfcl_entries["irrelevance"]:
        doc = entry.functions[0]
        call = [{doc["name"]: {p: 1 for p in doc["parameters"].get("required", [])}}]
        score = score_entry(entry, call, well_formed=True)
        assert (score.correct, score.error_type) == (False, "irrelevance_called")


def test_live_relevance_wants_a_call(bfcl_entries: dict[str, list[BfclEntry]]) -> None:
    for entry in bfcl_entries["live_relevance"]:
        doc = entry.functions[0]
        assert score_entry(entry, [{doc["name"]: {}}], well_formed=True).correct
        missed = score_entry(entry, [], well_formed=True)
        assert (missed.correct, missed.error_type) == (False, "relevance_missed")
        unread = score_entry(entry, None, well_formed=False)
        assert (unread.correct, unread.error_type) == (False, "malformed")


def test_parallel_answer_naming_other_functions_is_a_wrong_function(
        bfcl_entries: dict[str, list[BfclEntry]]) -> None:
    # Renaming one of several same-named calls: the checker reports no match; the
    # names differ from the expected ones, so the function is what is wrong.
    for entry in bfcl_entries["parallel"]:
        answer = first_possible_answer(entry)
        wrong = mutated(answer)
        name, args = next(iter(wrong[-1].items()))
        wrong[-1] = {f"zz_{name}": args}
        score = score_entry(entry, wrong, well_formed=True)
        assert (score.correct, score.error_type) == (False, "wrong_function"), entry.id


@pytest.mark.parametrize("result, expected", [
    ({"error_type": "simple_function_checker:wrong_func_name"}, "wrong_function"),
    ({"error_type": "multiple_function_checker:wrong_count"}, "wrong_count"),
    ({"error_type": "simple_function_checker:missing_optional"}, "missing_argument"),
    ({"error_type": "simple_function_checker:unexpected_param"}, "extra_argument"),
    ({"error_type": "value_error:list/tuple"}, "wrong_value"),
    ({"error_type": "list_dict_checker:unclear"}, "wrong_value"),
    ({"error_type": "type_error:nested"}, "wrong_type"),
    ({"error_type": "something_new:unheard_of"}, "other"),
    ({"error_type": "parallel_function_checker_no_order:cannot_find_match", "error": [
        "Could not find a matching function",
        {"Model Result Index 0": {"sub_error_type": "simple_function_checker:wrong_func_name"}},
        {"Model Result Index 1": {"sub_error_type": "value_error:string"}}]}, "wrong_value"),
    ({"error_type": "parallel_function_checker_no_order:cannot_find_match", "error": [
        {"Model Result Index 0": {"sub_error_type": "simple_function_checker:wrong_func_name"}}]},
     "wrong_function"),
])
def test_classify_checker_error(result: dict[str, Any], expected: str) -> None:
    kind = classify_checker_error({"valid": False, **result})
    assert kind == expected and kind in ERROR_TYPES
