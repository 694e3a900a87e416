"""Tools from OpenAI tools JSON and BFCL function docs, including every tool BFCL ships."""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from neurosym.errors import NeurosymError, ToolDefinitionError, UnsupportedSchemaError
from neurosym.tools import Param, Tool, ToolSet, tool_to_bfcl, tools_from_bfcl, tools_from_openai
from neurosym.tools.tool import PARAM_TYPES

WEATHER = {"name": "get_weather", "description": "Current weather.",
           "parameters": {"type": "object",
                          "properties": {"city": {"type": "string"},
                                         "unit": {"type": "string", "enum": ["C", "F"]}},
                          "required": ["city"]}}

OPENAI_SHAPES: list[tuple[str, Any]] = [
    ("list of tools", [{"type": "function", "function": WEATHER}]),
    ("JSON text", json.dumps([{"type": "function", "function": WEATHER}])),
    ("JSON bytes", json.dumps([{"type": "function", "function": WEATHER}]).encode()),
    ("one tool", {"type": "function", "function": WEATHER}),
    ("bare function objects", [WEATHER]),
    ("request body", {"model": "x", "tools": [{"type": "function", "function": WEATHER}]}),
    ("responses API flat", [{"type": "function", **WEATHER, "strict": False}]),
]


@pytest.mark.parametrize("spec", [s for _, s in OPENAI_SHAPES],
                         ids=[name for name, _ in OPENAI_SHAPES])
def test_openai_shapes(spec: Any) -> None:
    [made] = tools_from_openai(spec)
    assert made.name == "get_weather" and made.description == "Current weather."
    assert made.params == (Param("city", "string"),
                           Param("unit", "string", required=False, enum=("C", "F")))


@pytest.mark.parametrize("function", [
    {"name": "now"}, {"name": "now", "parameters": {}},
    {"name": "now", "parameters": {"type": "object", "properties": {}}}],
    ids=["absent", "empty", "no properties"])
def test_openai_without_parameters(function: dict[str, Any]) -> None:
    [made] = tools_from_openai([{"type": "function", "function": function}])
    assert made.params == () and made.description == ""


def test_openai_round_trip() -> None:
    tools = ToolSet.from_openai([{"type": "function", "function": WEATHER}])
    assert tools.to_openai() == [{"type": "function", "function": {
        "name": "get_weather", "description": "Current weather.",
        "parameters": {"type": "object",
                       "properties": {"city": {"type": "string"},
                                      "unit": {"type": "string", "enum": ["C", "F"]}},
                       "required": ["city"]}}}]
    assert ToolSet.from_openai(json.dumps(tools.to_openai())) == tools


def _fn(**function: Any) -> dict[str, Any]:
    return {"type": "function", "function": function}


BAD_OPENAI: list[tuple[str, Any, type[NeurosymError], str, str | None, str | None]] = [
    # name, input, error, text in message, tool, path
    ("malformed JSON", '[{"type": "function", "function": {"name": "a",}}]',
     ToolDefinitionError, "not valid JSON", None, None),
    ("missing name", [_fn(description="x")], ToolDefinitionError, "no name", None,
     "tools[0].function"),
    ("name not a string", [_fn(name=3)], ToolDefinitionError, "name", None,
     "tools[0].function.name"),
    ("parameters not a dict", [_fn(name="a", parameters=["x"])], ToolDefinitionError,
     "must be a JSON Schema object", "a", "tools[0].function.parameters"),
    ("parameters not an object", [_fn(name="a", parameters={"type": "string"})],
     ToolDefinitionError, "must describe an object", "a", "tools[0].function.parameters"),
    ("unsupported construct", [_fn(name="a", parameters={"type": "object", "properties": {
        "x": {"type": "string", "not": {"enum": ["b"]}}}})],
     UnsupportedSchemaError, "'not' is not supported", "a",
     "tools[0].function.parameters.properties.x.not"),
    ("unknown type", [_fn(name="a", parameters={"type": "object", "properties": {
        "x": {"type": "datetime"}}})],
     UnsupportedSchemaError, "unknown type 'datetime'", "a",
     "tools[0].function.parameters.properties.x.type"),
    ("reserved name", [_fn(name="ask")], ToolDefinitionError, "reserved", "ask",
     "tools[0].function.name"),
    ("dashed name", [_fn(name="get-weather")], ToolDefinitionError, "not an identifier",
     "get-weather", "tools[0].function.name"),
    ("bad parameter name", [_fn(name="a", parameters={"type": "object", "properties": {
        "2x": {"type": "string"}}})], ToolDefinitionError, "not an identifier", "a",
     "tools[0].function.parameters.properties.2x"),
    ("not a function tool", [{"type": "code_interpreter"}], ToolDefinitionError,
     "only function tools", None, "tools[0]"),
    ("entry not a dict", ["get_weather"], ToolDefinitionError, "JSON object", None, "tools[0]"),
    ("description not a string", [_fn(name="a", description=["x"])], ToolDefinitionError,
     "description", "a", "tools[0].function.description"),
    ("not a list", 42, ToolDefinitionError, "expected a list", None, None),
]


@pytest.mark.parametrize("spec,error,text,tool,path",
                         [case[1:] for case in BAD_OPENAI], ids=[c[0] for c in BAD_OPENAI])
def test_bad_openai(spec: Any, error: type[NeurosymError], text: str, tool: str | None,
                    path: str | None) -> None:
    with pytest.raises(error) as caught:
        tools_from_openai(spec)
    err = caught.value
    assert text in err.message
    assert (err.tool, err.path) == (tool, path)
    assert err.hint


def test_malformed_json_says_where() -> None:
    with pytest.raises(ToolDefinitionError, match=r"line 2, column 1"):
        tools_from_openai('[{"a": 1},\n}]')


def test_duplicate_names_in_a_set() -> None:
    spec = [_fn(name="a"), _fn(name="b"), _fn(name="a")]
    with pytest.raises(ToolDefinitionError) as caught:
        ToolSet.from_openai(spec)
    assert (caught.value.tool, caught.value.path) == ("a", "tools[2]")


# -- BFCL -------------------------------------------------------------------------------

BFCL_TYPES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("dict", {"type": "dict", "properties": {"a": {"type": "integer"}}}, {"type": "object"}),
    ("float", {"type": "float"}, {"type": "number"}),
    ("tuple", {"type": "tuple", "items": {"type": "float"}},
     {"type": "array", "items": Param("item", "number")}),
    ("any", {"type": "any"}, {"type": "any"}),
    ("empty type", {"type": ""}, {"type": "any"}),
    ("Java String", {"type": "String"}, {"type": "string"}),
    ("Java Boolean", {"type": "Boolean"}, {"type": "boolean"}),
    ("Java long", {"type": "long"}, {"type": "integer"}),
    ("Java double", {"type": "double"}, {"type": "number"}),
    ("Java char", {"type": "char"}, {"type": "string", "min_length": 1, "max_length": 1}),
    ("Java ArrayList", {"type": "ArrayList", "items": {"type": "String"}},
     {"type": "array", "items": Param("item", "string")}),
    ("Java HashMap", {"type": "HashMap"}, {"type": "object"}),
    ("JavaScript Array", {"type": "Array"}, {"type": "array"}),
    ("date format", {"type": "string", "format": "date"}, {"type": "date"}),
]


@pytest.mark.parametrize("schema,expected", [(s, e) for _, s, e in BFCL_TYPES],
                         ids=[name for name, *_ in BFCL_TYPES])
def test_bfcl_type_names(schema: dict[str, Any], expected: dict[str, Any]) -> None:
    [made] = tools_from_bfcl([{"name": "f", "description": "",
                               "parameters": {"type": "dict", "properties": {"x": schema},
                                              "required": ["x"]}}])
    for field, value in expected.items():
        assert getattr(made.params[0], field) == value, field


def test_bfcl_required_list_is_honoured_even_with_a_default() -> None:
    doc = {"name": "f", "description": "", "parameters": {"type": "dict", "properties": {
        "a": {"type": "string", "default": "x"}, "b": {"type": "string", "optional": True}},
        "required": ["a"]}}
    [made] = tools_from_bfcl(doc)
    assert [(p.name, p.required, p.default) for p in made.params] == [
        ("a", True, "x"), ("b", False, None)]
    # The same schema as JSON Schema: a default makes a property optional.
    [plain] = tools_from_openai([{**doc, "parameters": {**doc["parameters"], "type": "object"}}])
    assert plain.params[0].required is False


def test_bfcl_entry_and_round_trip() -> None:
    entry = {"id": "x", "question": [], "function": [
        {"name": "math.factorial", "description": "n!", "parameters": {
            "type": "dict", "properties": {"number": {"type": "integer"}},
            "required": ["number"]}}]}
    tools = ToolSet.from_bfcl(entry)
    assert tools.names == ("math.factorial",)
    assert ToolSet.from_bfcl(tools.to_bfcl()) == tools
    assert tool_to_bfcl(tools[0])["parameters"]["properties"]["number"] == {"type": "integer"}


def test_bfcl_type_in_openai_points_to_from_bfcl() -> None:
    with pytest.raises(UnsupportedSchemaError) as caught:
        tools_from_openai([{"name": "f", "parameters": {"type": "object", "properties": {
            "x": {"type": "float"}}}}])
    assert "from_bfcl" in (caught.value.hint or "")


BFCL_FILES = ["simple_python", "multiple", "parallel", "parallel_multiple", "irrelevance",
              "live_simple", "live_multiple", "live_parallel", "live_parallel_multiple",
              "live_irrelevance", "live_relevance", "simple_java", "simple_javascript"]


def _bfcl_data() -> Path:
    spec = importlib.util.find_spec("bfcl_eval")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("bfcl-eval is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


@cache
def _entries(category: str) -> list[dict[str, Any]]:
    path = _bfcl_data() / f"BFCL_v4_{category}.json"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("category", BFCL_FILES)
def test_every_bfcl_tool_loads(category: str) -> None:
    entries = _entries(category)
    docs = sum(len(entry["function"]) for entry in entries)
    loaded = 0
    kinds: Counter[str] = Counter()
    for entry in entries:
        tools = ToolSet.from_bfcl(entry["function"])
        assert tools.names == tuple(doc["name"] for doc in entry["function"])
        for made, doc in zip(tools, entry["function"]):
            assert made.description == doc["description"].strip()
            properties = doc["parameters"]["properties"]
            assert made.param_names == tuple(properties)
            for param in made.params:
                listed = param.name in doc["parameters"]["required"]
                assert param.required is listed
                assert param.type in PARAM_TYPES
                kinds[param.type] += 1
        loaded += len(tools)
        assert ToolSet.coerce(entry) == tools  # an entry dict is recognised as BFCL
    assert loaded == docs > 0
    assert kinds["string"] > 0


def _find(category: str, name: str, with_enum: str | None = None) -> Tool:
    """The first doc of that name (whose ``with_enum`` property has an enum, if given)."""
    for entry in _entries(category):
        for doc in entry["function"]:
            props = doc["parameters"]["properties"]
            if doc["name"] == name and (with_enum is None or "enum" in props.get(with_enum, {})):
                return tools_from_bfcl([doc])[0]
    raise AssertionError(f"{name} not in {category}")


def test_bfcl_spot_checks() -> None:
    factorial = _find("simple_python", "math.factorial")
    assert factorial.params == (Param("number", "integer",
                                      "The number for which factorial needs to be calculated."),)
    triangle = _find("simple_python", "calculate_triangle_area")
    assert [(p.name, p.type, p.required) for p in triangle.params] == [
        ("base", "integer", True), ("height", "integer", True), ("unit", "string", False)]
    distance = _find("simple_python", "calculate_distance")
    assert distance.params[0].type == "array"
    assert distance.params[0].items == Param("item", "number")
    weather = _find("multiple", "weather.get_by_city_date")
    assert weather.param("date").type == "date"
    lawyer = _find("multiple", "lawyer.find_nearby")
    assert lawyer.param("fee").maximum == 400


def test_bfcl_spot_checks_live() -> None:
    metrics = _find("live_simple", "extract_parameters_v1").param("metrics")
    assert metrics.type == "array" and metrics.enum is None
    assert metrics.items is not None and "trust" in (metrics.items.enum or ())
    adults = _find("live_multiple", "Hotels_2_SearchHouse",
                   with_enum="number_of_adults").param("number_of_adults")
    # "integer" with values "1".."5" and "dontcare": the values win.
    assert adults.type == "enum" and adults.enum[-1] == "dontcare"
    assert adults.required is False and adults.default == "dontcare"
    free = _find("live_multiple", "Travel_1_FindAttractions",
                 with_enum="free_entry").param("free_entry")
    # "boolean" with "True"/"False"/"dontcare" strings: BFCL's answers are those strings.
    assert free.type == "enum" and set(free.enum or ()) == {"True", "False", "dontcare"}
    population = _find("parallel", "waste_calculation.calculate").param("population")
    assert population.type == "object"
    assert [(p.name, p.type, p.required) for p in population.properties] == [
        ("adults", "any", True), ("children", "any", True), ("singles", "any", True)]
    headers = _find("live_irrelevance", "requests.get").param("headers")
    assert headers.type == "object" and "Content-Type" in [p.name for p in headers.properties]


def test_bfcl_spot_checks_java_and_javascript() -> None:
    assert "from" in _find("simple_java", "dvRangeQuery").param_names
    chars = _find("simple_java", "ToTextStream.characters").param("ch")
    assert chars.items == Param("item", "string", min_length=1, max_length=1)
    options = _find("simple_javascript", "createAuthToken").param("options")
    assert options.type == "object"
    assert options.property("issuer") is not None and options.property("issuer").type == "any"


def test_bfcl_reserved_names_are_whole_names_only() -> None:
    # BFCL has tools named answer.string and question.ask: only bare ask/answer/none clash.
    assert _find("live_simple", "answer.string").name == "answer.string"
