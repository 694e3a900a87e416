"""JSON Schema -> Param -> JSON Schema: the reader's table, its errors, and a round trip."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from neurosym.errors import ToolDefinitionError, UnsupportedSchemaError
from neurosym.tools import (Param, param_from_json_schema, param_to_json_schema,
                            tool_from_json_schema, tool_to_json_schema)

READS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("string", {"type": "string"}, {"type": "string", "nullable": False}),
    ("integer", {"type": "integer"}, {"type": "integer"}),
    ("number", {"type": "number"}, {"type": "number"}),
    ("boolean", {"type": "boolean"}, {"type": "boolean"}),
    ("empty is any", {}, {"type": "any"}),
    ("true is any", True, {"type": "any"}),
    ("null alone", {"type": "null"}, {"type": "enum", "enum": (None,), "nullable": True}),
    ("description stripped", {"type": "string", "description": "  The city. "},
     {"description": "The city."}),
    ("array items", {"type": "array", "items": {"type": "integer", "minimum": 0},
                     "minItems": 1, "maxItems": 3},
     {"type": "array", "min_items": 1, "max_items": 3,
      "items": Param("item", "integer", minimum=0)}),
    ("array without items", {"type": "array"}, {"type": "array", "items": None}),
    ("object", {"type": "object", "properties": {"a": {"type": "string"},
                                                 "b": {"type": "integer", "default": 2}},
                "required": ["a"], "additionalProperties": False},
     {"type": "object", "additional_properties": False,
      "properties": (Param("a", "string"), Param("b", "integer", required=False, default=2))}),
    ("object values", {"type": "object", "additionalProperties": {"type": "integer"}},
     {"type": "object", "additional_properties": True, "items": Param("item", "integer")}),
    ("required without a property", {"type": "object", "required": ["adults"]},
     {"properties": (Param("adults", "any"),)}),
    ("typed enum", {"type": "string", "enum": ["C", "F", "C"]},
     {"type": "string", "enum": ("C", "F")}),
    ("untyped enum", {"enum": [1, "a", True]}, {"type": "enum", "enum": (1, "a", True)}),
    ("const", {"const": "fixed"}, {"type": "enum", "enum": ("fixed",)}),
    ("typed const", {"type": "integer", "const": 3}, {"type": "integer", "enum": (3,)}),
    ("enum with null", {"enum": ["a", None]},
     {"type": "enum", "enum": ("a", None), "nullable": True}),
    ("typed enum with null", {"type": ["string", "null"], "enum": ["a", None]},
     {"type": "string", "enum": ("a",), "nullable": True}),
    ("numeric strings under integer", {"type": "integer", "enum": ["1", "2"]},
     {"type": "integer", "enum": (1, 2)}),
    ("enum disagrees with type", {"type": "boolean", "enum": ["True", "False", "dontcare"]},
     {"type": "enum", "enum": ("True", "False", "dontcare")}),
    ("enum on an array lists its items",
     {"type": "array", "items": {"type": "string"}, "enum": ["x", "y"]},
     {"type": "array", "enum": None, "items": Param("item", "string", enum=("x", "y"))}),
    ("minimum maximum", {"type": "integer", "minimum": 1, "maximum": 14},
     {"minimum": 1, "maximum": 14, "exclusive_minimum": None}),
    ("exclusive numeric", {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1.5},
     {"exclusive_minimum": 0, "exclusive_maximum": 1.5, "minimum": None}),
    ("exclusive draft 4", {"type": "number", "minimum": 0, "exclusiveMinimum": True,
                           "maximum": 9, "exclusiveMaximum": False},
     {"exclusive_minimum": 0, "minimum": None, "maximum": 9, "exclusive_maximum": None}),
    ("string keywords", {"type": "string", "pattern": "^[A-Z]{3}$", "minLength": 3,
                         "maxLength": 3},
     {"pattern": "^[A-Z]{3}$", "min_length": 3, "max_length": 3}),
    ("date", {"type": "string", "format": "date"}, {"type": "date", "format": None}),
    ("date-time kept", {"type": "string", "format": "date-time"},
     {"type": "string", "format": "date-time"}),
    ("email kept", {"type": "string", "format": "email"}, {"type": "string", "format": "email"}),
    ("nullable anyOf", {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None,
                        "description": "d"},
     {"type": "integer", "nullable": True, "description": "d"}),
    ("nullable oneOf date", {"oneOf": [{"type": "null"}, {"type": "string", "format": "date"}]},
     {"type": "date", "nullable": True}),
    ("nullable type list", {"type": ["null", "string"]}, {"type": "string", "nullable": True}),
    ("openapi nullable", {"type": "string", "nullable": True}, {"nullable": True}),
    ("integer or number", {"type": ["integer", "number"]}, {"type": "number"}),
    ("anyOf of consts", {"anyOf": [{"const": "a"}, {"const": "b"}]},
     {"type": "enum", "enum": ("a", "b")}),
    ("anyOf of typed enums", {"anyOf": [{"type": "string", "enum": ["a"]},
                                        {"type": "string", "enum": ["b"]}]},
     {"type": "string", "enum": ("a", "b")}),
    ("allOf merged", {"allOf": [{"type": "integer", "minimum": 1},
                                {"maximum": 5, "minimum": 2}], "description": "n"},
     {"type": "integer", "minimum": 2, "maximum": 5, "description": "n"}),
    ("inferred object", {"properties": {"a": {"type": "string"}}}, {"type": "object"}),
    ("inferred array", {"items": {"type": "string"}}, {"type": "array"}),
    ("inferred string", {"maxLength": 4}, {"type": "string", "max_length": 4}),
    ("inferred number", {"minimum": 0}, {"type": "number", "minimum": 0}),
    ("tuple of one type", {"type": "array", "prefixItems": [{"type": "number"}] * 2},
     {"type": "array", "items": Param("item", "number"), "min_items": 2, "max_items": 2}),
    ("draft 4 tuple", {"type": "array", "items": [{"type": "string"}, {"type": "string"}]},
     {"items": Param("item", "string"), "min_items": 2, "max_items": 2}),
    ("uniqueItems false is fine", {"type": "array", "uniqueItems": False}, {"type": "array"}),
]


@pytest.mark.parametrize("schema,expected", [(s, e) for _, s, e in READS],
                         ids=[name for name, _, _ in READS])
def test_reads_schema(schema: Any, expected: dict[str, Any]) -> None:
    param = param_from_json_schema(schema, "x")
    for field, value in expected.items():
        assert getattr(param, field) == value, field


def test_ref_and_defs_as_pydantic_writes_them() -> None:
    schema = {
        "$defs": {"Color": {"enum": ["red", "blue"], "title": "Color", "type": "string"},
                  "Pt": {"properties": {"x": {"type": "integer"}, "y": {"type": "integer"}},
                         "required": ["x", "y"], "type": "object"}},
        "type": "object",
        "properties": {"c": {"$ref": "#/$defs/Color", "default": "red"},
                       "p": {"anyOf": [{"$ref": "#/$defs/Pt"}, {"type": "null"}],
                             "default": None},
                       "q": {"$ref": "#/$defs/Pt", "description": "where"},
                       "old": {"allOf": [{"$ref": "#/definitions/Old"}]}},
        "definitions": {"Old": {"type": "boolean"}},
        "required": ["q"],
    }
    tool = tool_from_json_schema("draw", schema)
    color, point, where, old = tool.params
    assert (color.type, color.enum, color.default, color.required) == \
        ("string", ("red", "blue"), "red", False)
    assert point.type == "object" and point.nullable and not point.required
    assert [p.name for p in point.properties] == ["x", "y"]
    assert where.description == "where" and where.required and not where.nullable
    assert old.type == "boolean"


def test_the_same_ref_twice_is_not_recursion() -> None:
    schema = {"$defs": {"D": {"type": "string", "format": "date"}}, "type": "object",
              "properties": {"start": {"$ref": "#/$defs/D"}, "end": {"$ref": "#/$defs/D"},
                             "both": {"allOf": [{"$ref": "#/$defs/D"}, {"$ref": "#/$defs/D"}]}}}
    start, end, both = tool_from_json_schema("span", schema).params
    assert start.type == end.type == both.type == "date"


BAD: list[tuple[str, Any, type[Exception], str]] = [
    ("not", {"type": "object", "properties": {"a": {"not": {"type": "string"}}}},
     UnsupportedSchemaError, "parameters.properties.a.not"),
    ("patternProperties", {"type": "object", "properties": {
        "h": {"type": "object", "patternProperties": {"^x": {}}}}},
     UnsupportedSchemaError, "parameters.properties.h.patternProperties"),
    ("oneOf different objects", {"type": "object", "properties": {"pay": {"oneOf": [
        {"type": "object", "properties": {"card": {"type": "string"}}},
        {"type": "object", "properties": {"iban": {"type": "string"}}}]}}},
     UnsupportedSchemaError, "parameters.properties.pay.oneOf"),
    ("anyOf string or integer", {"type": "object", "properties": {"v": {"anyOf": [
        {"type": "string"}, {"type": "integer"}]}}},
     UnsupportedSchemaError, "parameters.properties.v.anyOf"),
    ("type list of two", {"type": "object", "properties": {"v": {"type": ["string", "boolean"]}}},
     UnsupportedSchemaError, "parameters.properties.v.type"),
    ("allOf that cannot merge", {"type": "object", "properties": {"v": {"allOf": [
        {"type": "string"}, {"type": "boolean"}]}}},
     UnsupportedSchemaError, "parameters.properties.v.allOf[1]"),
    ("allOf enums that do not overlap", {"type": "object", "properties": {"v": {"allOf": [
        {"enum": ["a"]}, {"enum": ["b"]}]}}},
     UnsupportedSchemaError, "parameters.properties.v.allOf[1]"),
    ("unknown type", {"type": "object", "properties": {"v": {"type": "decimal"}}},
     UnsupportedSchemaError, "parameters.properties.v.type"),
    ("BFCL type in JSON Schema", {"type": "object", "properties": {"v": {"type": "float"}}},
     UnsupportedSchemaError, "parameters.properties.v.type"),
    ("recursive ref", {"$defs": {"N": {"type": "object", "properties": {
        "kids": {"type": "array", "items": {"$ref": "#/$defs/N"}}}}},
        "type": "object", "properties": {"root": {"$ref": "#/$defs/N"}}},
     UnsupportedSchemaError, "parameters.properties.root.properties.kids.items"),
    ("recursion through allOf", {"$defs": {"A": {"allOf": [{"$ref": "#/$defs/A"}]}},
                                 "type": "object", "properties": {"a": {"$ref": "#/$defs/A"}}},
     UnsupportedSchemaError, "parameters.properties.a.allOf[0]"),
    ("type lists that cannot merge", {"type": "object", "properties": {"v": {"allOf": [
        {"type": ["string", "null"]}, {"type": "string"}]}}},
     UnsupportedSchemaError, "parameters.properties.v.allOf[1]"),
    ("external ref", {"type": "object", "properties": {"v": {"$ref": "other.json#/X"}}},
     UnsupportedSchemaError, "parameters.properties.v.$ref"),
    ("dangling ref", {"type": "object", "properties": {"v": {"$ref": "#/$defs/Missing"}}},
     ToolDefinitionError, "parameters.properties.v.$ref"),
    ("heterogeneous tuple", {"type": "object", "properties": {"v": {
        "type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]}}},
     UnsupportedSchemaError, "parameters.properties.v.prefixItems"),
    ("uniqueItems", {"type": "object", "properties": {"v": {"type": "array", "uniqueItems": True}}},
     UnsupportedSchemaError, "parameters.properties.v.uniqueItems"),
    ("multipleOf", {"type": "object", "properties": {"v": {"type": "integer", "multipleOf": 5}}},
     UnsupportedSchemaError, "parameters.properties.v.multipleOf"),
    ("if then else", {"type": "object", "properties": {"v": {"if": {}, "then": {}}}},
     UnsupportedSchemaError, "parameters.properties.v.if"),
    ("false schema", {"type": "object", "properties": {"v": False}},
     UnsupportedSchemaError, "parameters.properties.v"),
    ("schema not an object", {"type": "object", "properties": {"v": "string"}},
     ToolDefinitionError, "parameters.properties.v"),
    ("empty enum", {"type": "object", "properties": {"v": {"enum": []}}},
     ToolDefinitionError, "parameters.properties.v.enum"),
    ("minimum not a number", {"type": "object", "properties": {"v": {"minimum": "1"}}},
     ToolDefinitionError, "parameters.properties.v.minimum"),
    ("negative maxLength", {"type": "object", "properties": {"v": {"maxLength": -1}}},
     ToolDefinitionError, "parameters.properties.v.maxLength"),
    ("bad pattern", {"type": "object", "properties": {"v": {"pattern": "(["}}},
     UnsupportedSchemaError, "parameters.properties.v.pattern"),
    ("draft 4 flag alone", {"type": "object", "properties": {"v": {"exclusiveMinimum": True}}},
     ToolDefinitionError, "parameters.properties.v.exclusiveMinimum"),
    ("required not a list", {"type": "object", "properties": {}, "required": "a"},
     ToolDefinitionError, "parameters.required"),
    ("parameters not an object schema", {"type": "string"},
     ToolDefinitionError, "parameters"),
    ("parameters not a dict", ["a"], ToolDefinitionError, "parameters"),
    ("parameter name not an identifier", {"type": "object",
                                          "properties": {"Content-Type": {"type": "string"}}},
     ToolDefinitionError, "parameters.properties.Content-Type"),
]


@pytest.mark.parametrize("schema,error,path", [(s, e, p) for _, s, e, p in BAD],
                         ids=[name for name, *_ in BAD])
def test_bad_schema_names_tool_and_path(schema: Any, error: type[Exception], path: str) -> None:
    with pytest.raises(error) as caught:
        tool_from_json_schema("my_tool", schema)
    err = caught.value
    assert type(err) is error
    assert err.tool == "my_tool" and err.path == path
    assert err.hint
    assert str(err).startswith(f"tool 'my_tool', {path}: ")


def test_python_keyword_parameter_is_accepted() -> None:
    # BFCL's own Java tools have a parameter named "from"; plans are not Python.
    tool = tool_from_json_schema("range_query", {"type": "object", "properties": {
        "from": {"type": "integer"}, "to": {"type": "integer"}}})
    assert tool.param_names == ("from", "to")


def test_nested_property_names_may_be_any_string() -> None:
    tool = tool_from_json_schema("http_get", {"type": "object", "properties": {
        "headers": {"type": "object", "properties": {"Content-Type": {"type": "string"}}}}})
    assert tool.params[0].properties[0].name == "Content-Type"


def test_tool_to_json_schema_is_what_openai_expects() -> None:
    tool = tool_from_json_schema("book", {"type": "object", "properties": {
        "when": {"type": "string", "format": "date"},
        "guests": {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}],
                   "default": None}},
        "required": ["when"]}, "Book it.")
    assert tool_to_json_schema(tool) == {
        "type": "object",
        "properties": {"when": {"type": "string", "format": "date"},
                       "guests": {"anyOf": [{"type": "integer", "minimum": 1},
                                            {"type": "null"}]}},
        "required": ["when"]}


# -- round trip -------------------------------------------------------------------------

_json_scalars = st.none() | st.booleans() | st.integers(-10**6, 10**6) | \
    st.floats(allow_nan=False, allow_infinity=False, width=32) | st.text(max_size=8)
_json_values = st.recursive(
    _json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=3),
    max_leaves=6)
_numbers = st.integers(-1000, 1000) | st.floats(-1e6, 1e6, allow_nan=False, width=32)
_counts = st.integers(0, 20)


def _maybe(keyword: str, values: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(st.just({}), values.map(lambda v: {keyword: v}))


def _merge(*parts: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.tuples(*parts).map(lambda ds: {k: v for d in ds for k, v in d.items()})


_strings = _merge(st.just({"type": "string"}), _maybe("minLength", _counts),
                  _maybe("maxLength", _counts),
                  _maybe("pattern", st.sampled_from(["^[a-z]+$", "\\d{3}", "x|y"])),
                  _maybe("format", st.sampled_from(["date", "date-time", "email", "uri"])),
                  _maybe("enum", st.lists(st.text(max_size=4) | st.integers(0, 9),
                                          min_size=1, max_size=4)))
_numeric = _merge(st.sampled_from([{"type": "integer"}, {"type": "number"}]),
                  _maybe("minimum", _numbers), _maybe("maximum", _numbers),
                  _maybe("exclusiveMinimum", _numbers | st.booleans()),
                  _maybe("exclusiveMaximum", _numbers | st.booleans()),
                  _maybe("enum", st.lists(_numbers | st.text("0123456789", min_size=1,
                                                             max_size=3),
                                          min_size=1, max_size=4)))
_leaves = st.one_of(
    _strings, _numeric, st.just({"type": "boolean"}), st.just({}), st.just({"type": "null"}),
    st.just({"$ref": "#/$defs/Shared"}),
    _maybe("enum", st.lists(_json_scalars, min_size=1, max_size=4)).filter(bool),
    _json_scalars.map(lambda v: {"const": v}),
)


def _nullable(schema: dict[str, Any], style: int) -> dict[str, Any]:
    """One in three stays as it is; the others allow null in one of two spellings."""
    if style == 1:
        return {"anyOf": [schema, {"type": "null"}]}
    if style == 2 and isinstance(schema.get("type"), str) and "enum" not in schema:
        return {**schema, "type": [schema["type"], "null"]}
    return schema


def _compound(inner: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    arrays = _merge(st.just({"type": "array"}), _maybe("items", inner),
                    _maybe("minItems", _counts), _maybe("maxItems", _counts))
    objects = st.dictionaries(st.text(min_size=1, max_size=6), inner, max_size=4).flatmap(
        lambda props: _merge(
            st.just({"type": "object", "properties": props}),
            _maybe("required", st.lists(st.sampled_from(sorted(props) or ["k"]), unique=True,
                                        max_size=len(props) + 1)),
            _maybe("additionalProperties", st.booleans() | inner)))
    annotated = _merge(inner, _maybe("description", st.text(max_size=10)),
                       _maybe("default", _json_values))
    shapes = st.one_of(objects, arrays, annotated)
    return st.builds(_nullable, shapes, st.integers(0, 5))


_schemas = st.recursive(_leaves, _compound, max_leaves=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema=_schemas, shared=_leaves.filter(lambda s: "$ref" not in s))
@example(schema={"type": "integer", "enum": [0, "0"]}, shared={"type": "boolean"})
def test_schema_param_schema_param_is_stable(schema: dict[str, Any],
                                             shared: dict[str, Any]) -> None:
    document = {**schema, "$defs": {"Shared": shared}}
    try:
        first = param_from_json_schema(document)
    except ToolDefinitionError:
        # Generated schemas may be contradictory (exclusiveMinimum: true alone); the
        # table above checks those errors. Stability is about what reads.
        return
    rendered = param_to_json_schema(first)
    json.dumps(rendered)  # plain JSON
    second = param_from_json_schema(rendered)
    assert second == first
    assert param_to_json_schema(second) == rendered
