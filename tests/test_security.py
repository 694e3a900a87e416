"""The promises of SECURITY.md that no other test checks as such: model output is data,
never code; a denied tool is not in the grammar at all."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import neurosym as ns
from neurosym.errors import PlanSyntaxError
from neurosym.execute import Executor, Policy, verify
from neurosym.tools import Param, Tool

PACKAGE = Path(ns.__file__).resolve().parent


def test_no_module_of_the_library_calls_eval_or_exec() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id in ("eval", "exec", "compile", "__import__"):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.func.id}")
    assert found == []


@pytest.mark.parametrize("text", [
    'r1 = echo(text=__import__("os").system("touch pwned"))',
    'r1 = echo(text="a" + "b")',
    "r1 = echo(text=(lambda: 1)())",
    'r1 = echo(text=open("/etc/passwd").read())',
])
def test_code_in_a_plan_is_a_syntax_error_not_a_computation(text: str, tmp_path: Path,
                                                            monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PlanSyntaxError):
        ns.parse_plan(text)
    assert not (tmp_path / "pwned").exists()


def test_a_value_that_looks_like_code_reaches_the_tool_as_text() -> None:
    seen: list[str] = []
    echo = Tool("echo", params=(Param("text", "string"),), func=lambda text: seen.append(text))
    text = '__import__("os").system("touch pwned")'
    plan = verify(ns.parse_plan('r1 = echo(text="' + text.replace('"', '\\"') + '")'),
                  [echo])
    Executor([echo]).execute(plan)
    assert seen == [text]


def test_a_denied_tool_is_not_in_the_grammar() -> None:
    tools = [Tool("transfer_funds", params=(Param("amount", "number"),), effect="write"),
             Tool("get_balance")]
    planner = ns.Planner(tools, policy=Policy(deny=["transfer_funds"]))
    assert "transfer_funds" not in planner.grammar.lark
    assert "get_balance" in planner.grammar.lark
    assert planner.tools.names == ("get_balance",)
