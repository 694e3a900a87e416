"""A small MCP server for the tests: a ledger of accounts, served over stdio.

Run as ``python tests/tools/mcp_ledger_server.py``. Its tools carry every kind of
annotation neurosym maps (read-only, a write that is not destructive, a destructive
write, an idempotent write), and it lists them two to a page, so a client has to follow
``nextCursor`` to see them all. The state lives in the server process only.
"""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ListToolsResult, ToolAnnotations

PAGE_SIZE = 2


class PagedServer(MCPServer):
    """An MCPServer whose ``tools/list`` answers a page at a time."""

    async def _handle_list_tools(self, ctx: Any, params: Any) -> ListToolsResult:
        tools = await self.list_tools()
        start = int(params.cursor) if params is not None and params.cursor else 0
        end = start + PAGE_SIZE
        return ListToolsResult(tools=tools[start:end],
                               next_cursor=str(end) if end < len(tools) else None)


server = PagedServer("ledger")
balances = {"checking": 120.0, "savings": 300.0}
notes: list[str] = []


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
def get_balance(account: str) -> dict[str, Any]:
    """Read the balance of an account (checking or savings)."""
    if account not in balances:
        raise ToolError(f"no account {account!r}")
    return {"account": account, "balance": balances[account]}


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
def list_accounts() -> list[str]:
    """List the names of the accounts."""
    return sorted(balances)


@server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False))
def transfer(from_account: str, to_account: str, amount: float) -> dict[str, Any]:
    """Move an amount of money from one account to another."""
    if amount <= 0:
        raise ToolError("the amount must be positive")
    if balances.get(from_account, 0.0) < amount:
        raise ToolError(f"{from_account} holds less than {amount}")
    balances[from_account] -= amount
    balances[to_account] = balances.get(to_account, 0.0) + amount
    return {"from": balances[from_account], "to": balances[to_account]}


@server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=True))
def close_account(account: str) -> str:
    """Close an account for good."""
    balances.pop(account, None)
    return f"closed {account}"


@server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False,
                                         idempotent_hint=True))
def add_note(text: str) -> int:
    """Attach a note to the ledger; the same note twice is kept once."""
    if text not in notes:
        notes.append(text)
    return len(notes)


if __name__ == "__main__":
    server.run("stdio")
