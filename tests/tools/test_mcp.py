"""Tools from a real MCP server (tests/tools/mcp_ledger_server.py, over stdio): listed
page by page, annotations mapped, called by the executor through the session, audited."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest

from neurosym.errors import ConfigurationError
from neurosym.execute import Executor, Policy, verify
from neurosym.execute.audit import AuditLog
from neurosym.plan import parse_plan
from neurosym.tools import ToolSet
from neurosym.tools.mcp import MCPConnection, tools_from_session

SERVER = [sys.executable, str(Path(__file__).with_name("mcp_ledger_server.py"))]


@pytest.fixture()
def ledger():
    """A fresh ledger server and an open session with it (closed after the test)."""
    with MCPConnection.stdio(SERVER) as connection:
        yield connection


def test_every_page_is_listed_and_annotations_map_to_effects(ledger: MCPConnection) -> None:
    first = ledger.run(ledger.session.list_tools())
    assert len(first.tools) == 2 and first.next_cursor    # the server pages
    tools = ledger.tools()
    assert tools.names == ("get_balance", "list_accounts", "transfer", "close_account",
                           "add_note")
    kinds = {t.name: (t.effect, t.requires_approval) for t in tools}
    assert kinds == {"get_balance": ("read", False), "list_accounts": ("read", False),
                     "transfer": ("write", False), "close_account": ("write", True),
                     "add_note": ("write", False)}
    transfer = tools["transfer"]
    assert [(p.name, p.type, p.required) for p in transfer.params] == [
        ("from_account", "string", True), ("to_account", "string", True), ("amount", "number", True)]
    assert transfer.schema is not None and transfer.schema["required"] == ["from_account", "to_account",
                                                                           "amount"]
    assert "Move an amount of money" in transfer.description
    # A tool's outputSchema is what it returns; a result that is not an object comes
    # wrapped as {"result": ...}, and is declared, as it is called, unwrapped.
    returns = {t.name: t.returns for t in tools}
    assert returns["get_balance"] is None      # an object with no fields declared
    assert returns["close_account"] is not None and returns["close_account"].type == "string"
    listed = returns["list_accounts"]
    assert listed is not None and listed.type == "array" and listed.items.type == "string"


def test_from_mcp_with_a_command_calls_the_server() -> None:
    tools = ToolSet.from_mcp(SERVER)
    assert tools["get_balance"](account="savings") == {"account": "savings", "balance": 300.0}
    assert tools["list_accounts"]() == ["checking", "savings"]


def test_the_executor_runs_reads_and_writes_through_the_session(ledger: MCPConnection,
                                                                 tmp_path: Path) -> None:
    tools = ledger.tools()
    audit_path = tmp_path / "audit.jsonl"
    plan = parse_plan('r1 = get_balance(account="checking")\n'
                      'r2 = transfer(from_account="checking", to_account="savings", amount=20.0)\n'
                      'r3 = get_balance(account="savings")')
    result = Executor(tools, audit=audit_path).execute(verify(plan, tools))
    assert result.values == {"r1": {"account": "checking", "balance": 120.0},
                             "r2": {"from": 100.0, "to": 320.0},
                             "r3": {"account": "savings", "balance": 320.0}}
    records = [json.loads(line) for line in audit_path.read_text().splitlines()]
    # each call is on record ("started") before it runs, and its outcome after
    assert [(r["tool"], r["outcome"]) for r in records] == [
        ("get_balance", "started"), ("get_balance", "ok"), ("transfer", "started"),
        ("transfer", "ok"), ("get_balance", "started"), ("get_balance", "ok")]
    # the server's own state changed: the write reached it
    assert tools["get_balance"](account="checking")["balance"] == 100.0


def test_a_destructive_tool_needs_an_approval(ledger: MCPConnection) -> None:
    tools = ledger.tools()
    plan = verify(parse_plan('close_account(account="savings")'), tools)
    refused = Executor(tools).execute(plan)
    assert refused.steps[0].status == "denied" and "approv" in (refused.steps[0].error or "")
    assert "savings" in tools["list_accounts"]()           # nothing was called
    approved = Executor(tools, policy=Policy(approver=lambda call: True)).execute(plan)
    assert approved.steps[0].status == "ok"
    assert tools["list_accounts"]() == ["checking"]


def test_an_error_result_is_an_observation_not_a_crash(ledger: MCPConnection) -> None:
    tools = ledger.tools()
    plan = verify(parse_plan('get_balance(account="pension")'), tools)
    step = Executor(tools, retries=0).execute(plan).steps[0]
    assert step.status == "error" and "no account 'pension'" in (step.error or "")


def test_arguments_the_schema_refuses_never_reach_the_server(ledger: MCPConnection,
                                                             tmp_path: Path) -> None:
    tools = ledger.tools()
    log = AuditLog()
    plan = verify(parse_plan('transfer(from_account="checking", to_account="savings", amount=5.0)'), tools)
    # the same call with an argument the tool's inputSchema does not allow
    strict = tools["transfer"].with_(schema={**tools["transfer"].schema,
                                             "properties": {**tools["transfer"].schema["properties"],
                                                            "amount": {"type": "number",
                                                                       "maximum": 1}}})
    step = Executor([strict], audit=log).execute(verify(plan.plan, [strict])).steps[0]
    assert step.status == "denied" and "amount: 5.0 is greater than the maximum of 1" in step.error
    assert tools["get_balance"](account="checking")["balance"] == 120.0


def test_an_open_client_session_in_async_code() -> None:
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    async def main() -> tuple[tuple[str, ...], dict]:
        params = StdioServerParameters(command=SERVER[0], args=SERVER[1:])
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                tools = await tools_from_session(session)
                plan = verify(parse_plan('r1 = get_balance(account="savings")'), tools)
                result = await asyncio.to_thread(Executor(tools).execute, plan)
                return tools.names, result.values

    names, values = asyncio.run(main())
    assert len(names) == 5 and values == {"r1": {"account": "savings", "balance": 300.0}}


def test_bad_sources_are_clear_errors() -> None:
    with pytest.raises(ConfigurationError, match="could not be started|did not answer"):
        MCPConnection.stdio([sys.executable, "-c", "import sys; sys.exit(3)"], timeout_s=20)
    with pytest.raises(ConfigurationError, match="cannot read MCP tools from a int"):
        ToolSet.from_mcp(42)
    with pytest.raises(ConfigurationError, match="empty"):
        MCPConnection.stdio([])


@pytest.mark.model
def test_plan_execute_audit_end_to_end(ledger: MCPConnection, tmp_path: Path) -> None:
    """List the server's tools, plan with the real model, execute through MCP, audit."""
    from neurosym import Planner
    tools = ledger.tools()
    planner = Planner(tools.subset(["get_balance", "transfer"]))
    result = planner.plan("Move 25 from checking to savings.")
    assert result.ok, result.explanation
    calls = result.plan.calls
    # the one write asked for; anything else the model adds may only read
    writes = [c for c in calls if tools[c.tool].effect == "write"]
    assert [c.tool for c in writes] == ["transfer"], result.plan.text
    written = {k: v.value for k, v in writes[0].args}
    # the values come from the request (which way round is the small model's reading)
    assert {written["from_account"], written["to_account"]} == {"checking", "savings"}
    assert written["amount"] == 25
    before = {a: tools["get_balance"](account=a)["balance"] for a in ("checking", "savings")}
    audit = tmp_path / "audit.jsonl"
    run = Executor(tools, audit=audit).execute(verify(result.plan, tools))
    assert run.ok, run.report()
    records = [json.loads(line) for line in audit.read_text().splitlines()
               if json.loads(line)["outcome"] != "started"]
    assert [r["tool"] for r in records] == [c.tool for c in calls]
    assert all(r["outcome"] == "ok" for r in records)
    after = {a: tools["get_balance"](account=a)["balance"] for a in ("checking", "savings")}
    assert after[written["from_account"]] == before[written["from_account"]] - 25
    assert after[written["to_account"]] == before[written["to_account"]] + 25
