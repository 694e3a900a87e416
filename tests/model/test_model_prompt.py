"""The planning prompt: compact signatures, and fewer tokens than JSON schemas."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurosym.model import PromptOptions, build_messages, render_signature
from neurosym.model.prompt import EXAMPLES, render_type
from neurosym.tools.tool import Param, Tool


@pytest.mark.parametrize("param, text", [
    (Param("x", "string"), "str"),
    (Param("x", "integer", minimum=1, maximum=14), "int[1..14]"),
    (Param("x", "number", exclusive_minimum=0), "float[>0]"),
    (Param("x", "number", maximum=1.5), "float[<=1.5]"),
    (Param("x", "string", enum=("a", "b")), 'Literal["a", "b"]'),
    (Param("x", "enum", enum=(1, 2)), "Literal[1, 2]"),
    (Param("x", "boolean"), "bool"),
    (Param("x", "string", format="date"), "date"),
    (Param("x", "date"), "date"),
    (Param("x", "string", min_length=2, max_length=5), "str[2..5 chars]"),
    (Param("x", "array", items=Param("i", "integer"), min_items=1), "list[int][1.. items]"),
    (Param("x", "object", properties=(Param("a", "integer"), Param("b", "string"))),
     "{a: int, b: str}"),
    (Param("x", "object"), "dict"),
    (Param("x", "any"), "Any"),
    (Param("x", "integer", nullable=True), "int | None"),
])
def test_types_render_compactly(param: Param, text: str) -> None:
    assert render_type(param) == text


def test_a_signature_shows_required_then_optional_with_defaults() -> None:
    tool = Tool("book", "Book a room. Extra words.", (
        Param("note", "string", required=False),
        Param("city", "string", description="Where to stay. Really."),
        Param("nights", "integer", required=False, default=1)),
        returns=Param("result", "object", properties=(Param("id", "string"),)))
    assert render_signature(tool, PromptOptions()) == (
        'def book(city: str, note: str = None, nights: int = 1) -> {id: str}'
        "  # Book a room. city: Where to stay.")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["string", "integer", "number", "boolean", "array", "object"]),
                min_size=1, max_size=5, unique=True),
       st.text(max_size=300))
def test_a_signature_is_one_line_naming_every_parameter(types: list[str], doc: str) -> None:
    params = tuple(Param(f"p{i}", t, description=doc) for i, t in enumerate(types))
    line = render_signature(Tool("t", doc, params), PromptOptions())
    assert "\n" not in line and line.startswith("def t(")
    assert all(f"p{i}: " in line for i in range(len(types)))


def test_messages_hold_instructions_examples_tools_and_request() -> None:
    tools = [Tool("ping", "Check a host.", (Param("host", "string"),))]
    messages = build_messages(tools, "Is example.org up?", constraints=["ping.host != \"x\""])
    roles = [m["role"] for m in messages]
    assert roles == ["system"] + ["user", "assistant"] * len(EXAMPLES) + ["user"]
    last = messages[-1]["content"]
    assert "def ping(host: str)" in last and last.endswith("Request: Is example.org up?")
    assert 'ping.host != "x"' in last


def test_observations_and_the_previous_plan_follow_the_request() -> None:
    tools = [Tool("ping", "Check a host.", (Param("host", "string"),))]
    messages = build_messages(tools, [{"role": "system", "content": "Be brief."},
                                      {"role": "user", "content": "Is it up?"}],
                              previous_plan='r = ping(host="a")', observations={"r": {"up": True}},
                              options=PromptOptions(examples=()))
    assert messages[0]["content"].startswith("Be brief.") and "answer(" in messages[0]["content"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[2]["content"] == 'r = ping(host="a")'
    assert 'r = {"up": true}' in messages[3]["content"]


def test_signatures_take_fewer_tokens_than_json_schemas(model) -> None:
    from neurosym.tools import ToolSet
    from neurosym.bench.perf import bfcl_functions
    functions = bfcl_functions("multiple", limit=20)
    tools = ToolSet.from_bfcl(functions)
    compact = len(model.tokenize("\n".join(render_signature(t, PromptOptions()) for t in tools)))
    schemas = len(model.tokenize(json.dumps(tools.to_openai())))
    assert compact < 0.7 * schemas
test_signatures_take_fewer_tokens_than_json_schemas = pytest.mark.model(
    test_signatures_take_fewer_tokens_than_json_schemas)
