"""Turning plans and model output into the exact shapes and types BFCL's checker wants."""

from __future__ import annotations

import json
import string
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from neurosym.bench._checker import load_checker
from neurosym.bench._convert import (checker_calls, has_call, is_call_list, language_of,
                                     model_functions, openai_tools, plan_calls)
from neurosym.bench.bfcl import load_category, score_entry
from neurosym.bench.modes import read_free_text
from neurosym.plan.ast import Call, DictValue, ListValue, Literal, Plan, Ref, Step


def _doc(properties: dict[str, Any], name: str = "f") -> dict[str, Any]:
    return {"name": name, "description": "A function.",
            "parameters": {"type": "dict", "properties": properties,
                           "required": list(properties)}}


def _check(doc: dict[str, Any], value: Any, allowed: Any, language: str) -> dict[str, Any]:
    """BFCL's own verdict on ``{"f": {"x": value}}`` when ``allowed`` is the one right value."""
    checker, lang = load_checker()
    call = checker_calls([{"f": {"x": value}}], [doc], language)
    return checker([doc], call, [{"f": {"x": [allowed]}}], lang(language), f"simple_{language}",
                   "neurosym")


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_whole_numbers_become_floats_where_a_float_is_wanted(n: int) -> None:
    doc = _doc({"x": {"type": "float"},
                "v": {"type": "array", "items": {"type": "float"}},
                "d": {"type": "dict", "properties": {"r": {"type": "float"}}},
                "k": {"type": "integer"}})
    [call] = checker_calls([{"f": {"x": n, "v": [n, n], "d": {"r": n}, "k": n}}], [doc])
    args = call["f"]
    assert type(args["x"]) is float and args["x"] == n
    assert [type(v) for v in args["v"]] == [float, float]
    assert type(args["d"]["r"]) is float
    assert type(args["k"]) is int  # integers stay integers


def test_booleans_and_tuples_take_the_doc_types() -> None:
    doc = _doc({"flag": {"type": "float"}, "pair": {"type": "tuple", "items": {"type": "integer"}}})
    [call] = checker_calls([{"f": {"flag": True, "pair": (1, 2)}}], [doc])
    assert call == {"f": {"flag": True, "pair": [1, 2]}}


@pytest.mark.parametrize("written, expected", [
    ("math_factorial", "math.factorial"), ("math.factorial", "math.factorial"),
    ("unknown_tool", "unknown_tool"),
])
def test_tool_names_get_their_bfcl_spelling_back(written: str, expected: str) -> None:
    [call] = checker_calls([{written: {}}], [_doc({}, "math.factorial")])
    assert list(call) == [expected]


_words = st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=12)


@settings(max_examples=60)
@given(st.lists(st.integers(-10**6, 10**6), min_size=1, max_size=5))
def test_java_arrays_read_back_by_bfcl(values: list[int]) -> None:
    doc = _doc({"x": {"type": "Array", "items": {"type": "integer"}}})
    assert _check(doc, values, values, "java")["valid"]


@settings(max_examples=60)
@given(st.lists(_words, min_size=1, max_size=5))
def test_java_array_lists_of_strings_read_back_by_bfcl(values: list[str]) -> None:
    doc = _doc({"x": {"type": "ArrayList", "items": {"type": "String"}}})
    assert _check(doc, values, values, "java")["valid"]


@settings(max_examples=60)
@given(st.one_of(
    st.tuples(st.just("long"), st.integers(-10**15, 10**15)),
    st.tuples(st.just("integer"), st.integers(-10**6, 10**6)),
    st.tuples(st.just("boolean"), st.booleans()),
    st.tuples(st.just("double"), st.floats(allow_nan=False, allow_infinity=False, width=32)),
    st.tuples(st.just("float"), st.floats(min_value=-1e6, max_value=1e6, width=32)),
))
def test_java_scalars_read_back_by_bfcl(case: tuple[str, Any]) -> None:
    kind, value = case
    allowed = float(value) if kind in ("double", "float") else value
    assert _check(_doc({"x": {"type": kind}}), value, allowed, "java")["valid"]


@settings(max_examples=60)
@given(st.one_of(st.lists(st.integers(-10**6, 10**6), min_size=1, max_size=5),
                 st.booleans(), st.integers(-10**6, 10**6)))
def test_javascript_values_read_back_by_bfcl(value: Any) -> None:
    if isinstance(value, list):
        doc = _doc({"x": {"type": "array", "items": {"type": "integer"}}})
    elif isinstance(value, bool):
        doc = _doc({"x": {"type": "Boolean"}})
    else:
        doc = _doc({"x": {"type": "integer"}})
    assert _check(doc, value, value, "javascript")["valid"]


def test_strings_the_model_wrote_in_java_pass_unchanged() -> None:
    doc = _doc({"x": {"type": "HashMap"}})
    text = 'new HashMap<String, String>() {{ put("a", "b"); }}'
    assert checker_calls([{"f": {"x": text}}], [doc], "java") == [{"f": {"x": text}}]


@pytest.mark.parametrize("category, language", [
    ("simple_python", "python"), ("live_multiple", "python"), ("simple_java", "java"),
    ("simple_javascript", "javascript"),
])
def test_language_of(category: str, language: str) -> None:
    assert language_of(category) == language


def test_shown_java_docs_are_strings_and_the_originals_untouched() -> None:
    entry = next(e for e in load_category("simple_java", limit=30)
                 if any(p["type"] in ("Array", "ArrayList")
                        for doc in e.functions for p in doc["parameters"]["properties"].values()))
    before = json.dumps(entry.functions, sort_keys=True)
    shown = entry.shown_functions()
    assert json.dumps(entry.functions, sort_keys=True) == before
    for doc in shown:
        assert "Java" in doc["description"]
        for prop in doc["parameters"]["properties"].values():
            assert prop["type"] == "string" and "items" not in prop
            assert "Java" in prop["description"]


def test_shown_python_docs_keep_their_types() -> None:
    entry = load_category("simple_python", limit=1)[0]
    shown = model_functions(entry.functions, "python")
    assert shown[0]["parameters"] == entry.functions[0]["parameters"]
    assert shown[0]["description"].startswith(entry.functions[0]["description"])


def test_openai_tools_use_json_schema_types_throughout() -> None:
    doc = _doc({"a": {"type": "dict", "properties": {"b": {"type": "tuple",
                                                            "items": {"type": "float"}}}},
                "c": {"type": "any", "enum": ["x", "y"]}})
    [tool] = openai_tools([doc])
    params = tool["function"]["parameters"]
    assert params["type"] == "object" and params["required"] == ["a", "c"]
    assert params["properties"]["a"] == {"type": "object", "properties": {
        "b": {"type": "array", "items": {"type": "number"}}}}
    assert params["properties"]["c"] == {"type": "string", "enum": ["x", "y"]}


def test_plan_calls_reads_every_kind_of_value() -> None:
    plan = Plan(steps=(
        Step(Call("search", (("q", Literal("paris")),)), bind="found"),
        Step(Call("book", (("id", Ref("found", (0, "id"))),
                           ("tags", ListValue((Literal(1), Literal(2.5)))),
                           ("meta", DictValue((("vip", Literal(True)),)))))),
    ))
    assert plan_calls(plan) == [{"search": {"q": "paris"}},
                                {"book": {"id": "found[0].id", "tags": [1, 2.5],
                                          "meta": {"vip": True}}}]


@pytest.mark.parametrize("output, call_list, some_call", [
    (None, False, False), ([], True, False), ([{}], False, False), ([{"f": {}}], True, True),
    ([{"f": {}, "g": {}}], False, False), ([{"f": 1}], False, False), ("f()", False, False),
])
def test_call_list_shapes(output: Any, call_list: bool, some_call: bool) -> None:
    assert (is_call_list(output), has_call(output)) == (call_list, some_call)


@pytest.mark.parametrize("text", [
    "[calculate_triangle_area(base=10, height=5)]",
    "calculate_triangle_area(base=10, height=5)",
    "```\n[calculate_triangle_area(base=10, height=5, unit='units')]\n```",
    "[calculate_triangle_area(height=5, base=10),]",
])
def test_free_text_read_by_the_plan_parser_and_scored_right(text: str) -> None:
    entry = load_category("simple_python", limit=1)[0]
    calls, note = read_free_text(text, entry)
    assert note == "" and calls is not None
    assert score_entry(entry, calls, well_formed=True).correct


@pytest.mark.parametrize("text", [
    "The area is 25.", "[calculate_triangle_area(base=10 * 2, height=5)]",
    "import os; os.system('true')", "",
])
def test_free_text_that_is_not_a_plan_is_refused_with_a_reason(text: str) -> None:
    entry = load_category("simple_python", limit=1)[0]
    calls, note = read_free_text(text, entry)
    if text == "":
        # An empty answer reads as the empty plan: no call, which is wrong here.
        assert calls == [] and not score_entry(entry, calls, well_formed=True).correct
        return
    assert calls is None and "PlanSyntaxError" in note
