"""The gateway's last check: the real arguments against the tool's own JSON Schema, with
jsonschema's full Draft 2020-12 semantics, before the call leaves."""

from __future__ import annotations

import pytest

from neurosym.execute import Executor, verify
from neurosym.execute.gateway import argument_problems, schema_problems
from neurosym.plan import parse_plan
from neurosym.tools import Param, Tool, ToolSet


def _tool(properties: dict, **schema: object) -> Tool:
    parameters = {"type": "object", "properties": properties, **schema}
    return ToolSet.from_openai([{"type": "function", "function": {
        "name": "f", "parameters": parameters}}])["f"]


@pytest.mark.parametrize(("properties", "args", "problem"), [
    # formats the tool's parameters do not check themselves
    ({"ip": {"type": "string", "format": "ipv4"}}, {"ip": "999.1.1.1"}, "ip: '999.1.1.1' is not a 'ipv4'"),
    ({"u": {"type": "string", "format": "uuid"}}, {"u": "nope"}, "u: 'nope' is not a 'uuid'"),
    ({"h": {"type": "string", "format": "hostname"}}, {"h": "-bad-"}, "h: '-bad-' is not a 'hostname'"),
])
def test_what_only_the_schema_catches(properties: dict, args: dict, problem: str) -> None:
    assert argument_problems(_tool(properties), args) == [problem]


@pytest.mark.parametrize(("properties", "args"), [
    ({"ip": {"type": "string", "format": "ipv4"}}, {"ip": "10.0.0.1"}),
    ({"u": {"type": "string", "format": "uuid"}}, {"u": "3f2504e0-4f89-11d3-9a0c-0305e82c3301"}),
    ({"n": {"type": "integer", "minimum": 1}}, {"n": 1}),
])
def test_what_fits_passes(properties: dict, args: dict) -> None:
    assert argument_problems(_tool(properties), args) == []


def test_the_parameters_speak_first() -> None:
    """A value the parameters already refuse is said once, in their words."""
    tool = _tool({"n": {"type": "integer", "maximum": 3}})
    assert argument_problems(tool, {"n": 9}) == ["n: must be at most 3 (got 9)"]


@pytest.mark.parametrize(("schema", "args", "found"), [
    ({"type": "object", "dependentRequired": {"cc": ["to"]}}, {"cc": "x"},
     "(arguments): 'to' is a dependency of 'cc'"),
    ({"type": "object", "properties": {"p": {"type": "array", "prefixItems": [
        {"type": "number"}, {"type": "string"}]}}}, {"p": [1, 2]}, "p[1]: 2 is not of type 'string'"),
    ({"type": "object", "if": {"properties": {"kind": {"const": "big"}}},
      "then": {"properties": {"size": {"minimum": 10}}}}, {"kind": "big", "size": 3},
     "size: 3 is less than the minimum of 10"),
    ({"type": "object", "properties": {"xs": {"uniqueItems": True}}}, {"xs": [1, 1]},
     "xs: [1, 1] has non-unique elements"),
    # a schema naming an older draft is read with that draft's rules
    ({"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
      "properties": {"p": {"items": [{"type": "string"}]}}}, {"p": [1]},
     "p[0]: 1 is not of type 'string'"),
])
def test_full_draft_2020_12_semantics(schema: dict, args: dict, found: str) -> None:
    assert schema_problems(schema, args) == [found]


def test_a_schema_that_is_not_json_schema_is_said() -> None:
    problems = schema_problems({"type": "object", "properties": {"a": {"type": 5}}}, {"a": 1})
    assert len(problems) == 1 and problems[0].startswith("the tool's JSON Schema cannot be used")


def test_the_executor_refuses_the_call_before_it_leaves() -> None:
    calls: list[dict] = []
    schema = {"type": "object", "properties": {"host": {"type": "string", "format": "ipv4"}},
              "required": ["host"]}
    ping = Tool("ping", params=(Param("host", "string"),), schema=schema,
                func=lambda **args: calls.append(args) or "pong")
    run = Executor([ping]).execute(verify(parse_plan('ping(host="300.2.3.4")'), [ping]))
    step = run.steps[0]
    assert step.status == "denied" and "'300.2.3.4' is not a 'ipv4'" in (step.error or "")
    assert calls == []
    ok = Executor([ping]).execute(verify(parse_plan('ping(host="10.1.2.3")'), [ping]))
    assert ok.steps[0].status == "ok" and calls == [{"host": "10.1.2.3"}]
