"""A tool source: any object that lists its tools, taken wherever tools are."""

from __future__ import annotations

from typing import Any

import pytest

from neurosym.errors import ToolDefinitionError
from neurosym.execute import Executor, verify
from neurosym.plan import parse_plan
from neurosym.tools import Param, Tool, ToolSet, ToolSource


def set_lights(room: str, level: int) -> str:
    """Set the lights of a room to a level."""
    return f"{room} at {level}"


class Registry:
    """A user's own registry: tools added at run time, listed on demand."""

    def __init__(self, *entries: Any) -> None:
        self.entries = list(entries)

    def neurosym_tools(self) -> list[Any]:
        return list(self.entries)


def test_a_registry_is_a_tool_source_and_lists_any_kind_of_tool() -> None:
    doc = {"type": "function", "function": {"name": "translate", "parameters": {
        "type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}}}
    registry = Registry(set_lights, Tool("ping"), doc)
    assert isinstance(registry, ToolSource)
    assert ToolSet.coerce(registry).names == ("set_lights", "ping", "translate")
    registry.entries.append(Tool("pong", params=(Param("n", "integer"),)))
    assert "pong" in ToolSet.coerce(registry).names  # read afresh each time


def test_the_executor_runs_a_plan_over_a_source() -> None:
    registry = Registry(set_lights)
    plan = verify(parse_plan('r1 = set_lights(room="hall", level=40)'), registry)
    result = Executor(registry).execute(plan)
    assert result.values == {"r1": "hall at 40"}


class Failing:
    def neurosym_tools(self) -> list[Any]:
        raise ConnectionError("registry unreachable")


class Wrong:
    def __init__(self, listed: Any) -> None:
        self.listed = listed

    def neurosym_tools(self) -> Any:
        return self.listed


@pytest.mark.parametrize(("source", "words"), [
    (Failing(), "failed to list its tools: ConnectionError: registry unreachable"),
    (Wrong("set_lights"), "listed a str, not a sequence of tools"),
    (Wrong(42), "listed a int, not a sequence of tools"),
    (Wrong([Registry()]), "listed a Registry, not a tool"),
    (Wrong(["set_lights"]), "listed a str, not a tool"),
])
def test_a_source_that_fails_or_lists_no_tools_is_named_in_a_clear_error(source: Any,
                                                                          words: str) -> None:
    with pytest.raises(ToolDefinitionError, match=words) as caught:
        ToolSet.coerce(source)
    assert type(source).__name__ in str(caught.value)
