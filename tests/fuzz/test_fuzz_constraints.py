"""Constraint texts, from token soup to thousands of nested signs: a Planner is built or a
NeurosymError says why, never another exception or a hang."""

from __future__ import annotations

from neurosym.planner import Planner
from neurosym.tools import Param, Tool, ToolSet
from tests.fuzz.harness import fuzz_tests
from tests.fuzz.strategies import constraint_texts

TOOLS = ToolSet([
    Tool("t", params=(Param("x", "integer", minimum=0, maximum=100), Param("s", "string")),
         returns=Param("result", "array", items=Param("item", "object",
                                                      properties=(Param("id", "string"),)))),
    Tool("transfer", params=(Param("amount", "number", minimum=0),), effect="write"),
    Tool("get_balance", returns=Param("result", "number")),
])


def build(text: str) -> object:
    return Planner(TOOLS, constraints=[text])


test_constraint_text_quick, test_constraint_text_wide = fuzz_tests(
    "constraint text", constraint_texts(), build, quick=200, wide=4000)
