"""Tools published by Model Context Protocol servers, called through the MCP session.

``ToolSet.from_mcp(["python", "server.py"])`` starts the server over stdio, lists its
tools page by page (``nextCursor``) and returns them as :class:`Tool` objects whose
function calls the server: the executor runs them like any other tool, with its
timeouts, policies and audit log.

A tool's ``inputSchema`` is JSON Schema, read like OpenAI's ``parameters`` (and kept for
the executor's last check of the real arguments); ``outputSchema`` becomes what the
tool returns. The annotations map onto the executor's model as the MCP specification
defines their defaults:

- ``readOnlyHint`` true: a read (run in parallel with other reads);
- otherwise a write (run one at a time, in plan order), and unless ``destructiveHint``
  is false it needs an approval (a policy's approver, or ``--approve``);
- ``idempotentHint`` true: a write that may be retried when the connection fails.

The session lives on an event loop in a thread of its own (:class:`MCPConnection`), so
plain synchronous code and the executor's worker threads can call it. An already open
``mcp.ClientSession`` is used as it is: ``await tools_from_session(session)`` in async
code (run the executor off the event loop, e.g. ``await asyncio.to_thread(...)``), or
``ToolSet.from_mcp(session, loop=loop)`` from another thread than the session's loop.
"""

from __future__ import annotations

import asyncio
import atexit
import inspect
import json
import os
import shlex
import threading
import weakref
from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from ..errors import ConfigurationError, ExecutionError, RetryableError, ToolDefinitionError
from ._docs import read_returns, tool_from_doc
from .tool import Tool

__all__ = ["MCPConnection", "connect_stdio", "tool_from_mcp", "tools_from_mcp",
           "tools_from_session", "list_all_tools", "result_value"]

#: Pages of ``tools/list`` read at most (a server that pages forever is cut off).
MAX_PAGES = 1000

_open: weakref.WeakSet[MCPConnection] = weakref.WeakSet()


def _require_mcp() -> Any:
    try:
        import mcp
    except ImportError as exc:
        raise ConfigurationError(f"MCP tools need the mcp package ({exc})",
                                 hint='install the MCP extra: pip install "neurosym[mcp]"'
                                 ) from None
    return mcp


# -- listing ---------------------------------------------------------------------------
async def list_all_tools(session: Any) -> list[Any]:
    """Every tool the session's server lists, following ``nextCursor`` page by page."""
    found: list[Any] = []
    cursor: str | None = None
    seen: set[str] = set()
    takes_params = "params" in inspect.signature(session.list_tools).parameters
    for _ in range(MAX_PAGES):
        if cursor is None:
            page = await session.list_tools()
        elif takes_params:
            from mcp.types import PaginatedRequestParams
            page = await session.list_tools(params=PaginatedRequestParams(cursor=cursor))
        else:
            page = await session.list_tools(cursor=cursor)
        found.extend(page.tools)
        cursor = _field(page, "next_cursor", "nextCursor")
        if not cursor:
            return found
        if cursor in seen:
            raise ToolDefinitionError(f"the MCP server repeats the page cursor {cursor!r}",
                                      hint="fix the server's tools/list paging")
        seen.add(cursor)
    raise ToolDefinitionError(f"the MCP server lists more than {MAX_PAGES} pages of tools",
                              hint="fix the server's tools/list paging")


def _field(obj: Any, *names: str) -> Any:
    for name in names:
        if isinstance(obj, Mapping):
            if name in obj:
                return obj[name]
        elif getattr(obj, name, None) is not None:
            return getattr(obj, name)
    return None


def tool_from_mcp(listed: Any, call: Callable[..., Any] | None = None) -> Tool:
    """One listed MCP tool (an ``mcp.types.Tool`` or its JSON) as a :class:`Tool`;
    ``call(name, arguments)`` carries it out."""
    name = _field(listed, "name")
    schema = _field(listed, "input_schema", "inputSchema") or {"type": "object"}
    description = _field(listed, "description") or ""
    if not description:
        description = _field(listed, "title") or ""
    path = f"MCP tool {name!r}"
    tool = tool_from_doc({"name": name, "description": description, "parameters": dict(schema)},
                         path, dialect="json-schema")
    changes: dict[str, Any] = {}
    output = _field(listed, "output_schema", "outputSchema")
    if isinstance(output, Mapping):
        # result_value unwraps a {"result": ...} wrapper, as read_returns does.
        returns = read_returns(dict(output), tool=name, path=f"{path}.outputSchema",
                               strict=False)
        if returns is not None:
            changes["returns"] = returns
    annotations = _field(listed, "annotations")
    read_only = _field(annotations, "read_only_hint", "readOnlyHint") is True
    destructive = _field(annotations, "destructive_hint", "destructiveHint")
    idempotent = _field(annotations, "idempotent_hint", "idempotentHint") is True
    if not read_only:
        changes["effect"] = "write"
        changes["requires_approval"] = destructive is not False
    if call is not None:
        changes["func"] = _Caller(name, call, retry_safe=read_only or idempotent)
    return tool.with_(**changes)


class _Caller:
    """The function behind an MCP tool: keyword arguments in, the result's value out."""

    def __init__(self, name: str, call: Callable[..., Any], *, retry_safe: bool) -> None:
        self.name = name
        self.call = call
        self.retry_safe = retry_safe
        self.__name__ = name

    def __call__(self, **arguments: Any) -> Any:
        try:
            result = self.call(self.name, arguments)
        except (ExecutionError, ConfigurationError):
            raise
        except (OSError, EOFError, FutureTimeout, asyncio.TimeoutError) as exc:
            error = RetryableError if self.retry_safe else ExecutionError
            raise error(f"the MCP call of {self.name} failed: {type(exc).__name__}: {exc}",
                        hint="check that the MCP server is still running") from exc
        return result_value(result, self.name)


def result_value(result: Any, tool: str = "the tool") -> Any:
    """A ``CallToolResult`` as a Python value: its structured content when there is one,
    else its text (read as JSON when it is JSON); an error result raises."""
    texts = [getattr(part, "text", None) for part in (getattr(result, "content", None) or ())]
    texts = [t for t in texts if isinstance(t, str)]
    if _field(result, "is_error", "isError"):
        raise ExecutionError(f"{tool} answered with an error: " + (" ".join(texts) or "no text"),
                             hint="read the error; the arguments may need changing")
    structured = _field(result, "structured_content", "structuredContent")
    if structured is not None:
        # A tool whose result is not an object has it wrapped as {"result": ...}.
        if isinstance(structured, Mapping) and set(structured) == {"result"}:
            return structured["result"]
        return structured
    if not texts:
        return None
    values = []
    for text in texts:
        try:
            values.append(json.loads(text))
        except ValueError:
            values.append(text)
    return values[0] if len(values) == 1 else values


# -- a session on its own loop ------------------------------------------------------------
class MCPConnection:
    """An MCP client session kept open on an event loop in its own thread.

    ``MCPConnection.stdio(["python", "server.py"])`` starts the server and opens the
    session; :meth:`tools` lists its tools; :meth:`close` (or leaving a ``with`` block)
    ends the session and the server. Connections still open at exit are closed then.
    """

    def __init__(self, opener: Callable[[Any], Awaitable[Any]], *, label: str,
                 timeout_s: float = 30.0) -> None:
        _require_mcp()
        self.label = label
        self.timeout_s = timeout_s
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True,
                                        name=f"mcp {label}")
        self._thread.start()
        self._ready: asyncio.Future[Any] | None = None
        self._stop: asyncio.Event | None = None
        self._task = asyncio.run_coroutine_threadsafe(self._hold(opener), self._loop)
        self.session = self._wait_ready()
        _open.add(self)

    @classmethod
    def stdio(cls, command: str | Sequence[str], *, env: Mapping[str, str] | None = None,
              cwd: str | os.PathLike[str] | None = None, timeout_s: float = 30.0
              ) -> MCPConnection:
        """Start ``command`` (a list, or one string split like a shell) as an MCP server
        over stdio and open a session with it."""
        parts = shlex.split(command) if isinstance(command, str) else [str(p) for p in command]
        if not parts:
            raise ConfigurationError("the MCP server command is empty",
                                     hint='give the command, e.g. ["python", "server.py"]')

        async def open_stdio(stack: Any) -> Any:
            from mcp import ClientSession, StdioServerParameters
            from mcp.client.stdio import stdio_client
            params = StdioServerParameters(command=parts[0], args=parts[1:],
                                           env=dict(env) if env is not None else None,
                                           cwd=os.fspath(cwd) if cwd is not None else None)
            read, write = await stack.enter_async_context(stdio_client(params))
            return await stack.enter_async_context(ClientSession(read, write))

        return cls(open_stdio, label=" ".join(parts), timeout_s=timeout_s)

    async def _hold(self, opener: Callable[[Any], Awaitable[Any]]) -> None:
        """Open the session and keep it open until :meth:`close`: entering and leaving
        its contexts in one task, as anyio's task groups require."""
        from contextlib import AsyncExitStack
        self._stop = asyncio.Event()
        self._ready = self._loop.create_future()
        try:
            async with AsyncExitStack() as stack:
                session = await opener(stack)
                await session.initialize()
                self._ready.set_result(session)
                await self._stop.wait()
        except BaseException as exc:  # noqa: BLE001 - handed to the thread that waits
            if self._ready.done():
                raise
            self._ready.set_exception(exc)

    def _wait_ready(self) -> Any:
        async def ready() -> Any:
            while self._ready is None:
                await asyncio.sleep(0.01)
            return await asyncio.shield(self._ready)
        try:
            return asyncio.run_coroutine_threadsafe(ready(), self._loop).result(self.timeout_s)
        except FutureTimeout:
            self.close()
            raise ConfigurationError(f"the MCP server {self.label!r} did not answer within "
                                     f"{self.timeout_s:g} s", hint="check that the command "
                                     "starts an MCP server speaking over stdio") from None
        except Exception as exc:
            self.close()
            raise ConfigurationError(f"the MCP server {self.label!r} could not be started: "
                                     f"{_describe(exc)}",
                                     hint="check the command and that it runs an MCP server "
                                          "over stdio") from None

    def run(self, coroutine: Awaitable[Any], timeout_s: float | None = None) -> Any:
        """Run ``coroutine`` on the session's loop and wait for it (from any other thread)."""
        if not self._thread.is_alive():
            raise ExecutionError(f"the MCP connection to {self.label!r} is closed",
                                 hint="open a new connection")
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)  # type: ignore[arg-type]
        try:
            return future.result(timeout_s if timeout_s is not None else self.timeout_s)
        except FutureTimeout:
            future.cancel()
            raise

    def call(self, name: str, arguments: Mapping[str, Any]) -> Any:
        """Call the tool ``name`` through the session; the raw ``CallToolResult``."""
        return self.run(self.session.call_tool(name, arguments=dict(arguments)))

    def tools(self) -> Any:
        """The server's tools as a :class:`~neurosym.tools.ToolSet` calling through here."""
        from .toolset import ToolSet
        listed = self.run(list_all_tools(self.session))
        return ToolSet(tool_from_mcp(item, self.call) for item in listed)

    def close(self) -> None:
        """End the session and the server, and stop the loop's thread."""
        if not self._thread.is_alive():
            return
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        try:
            self._task.result(timeout=10)
        except Exception:  # noqa: BLE001 - closing: nothing left to report to
            self._task.cancel()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        if not self._thread.is_alive():
            self._loop.close()
        _open.discard(self)

    def __enter__(self) -> MCPConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "open" if self._thread.is_alive() else "closed"
        return f"MCPConnection({self.label!r}, {state})"


def _describe(exc: BaseException) -> str:
    inner = getattr(exc, "exceptions", None)
    if inner:
        return "; ".join(_describe(e) for e in inner)
    return f"{type(exc).__name__}: {exc}"


def connect_stdio(command: str | Sequence[str], **options: Any) -> MCPConnection:
    """An open :class:`MCPConnection` to the stdio server ``command``."""
    return MCPConnection.stdio(command, **options)


async def tools_from_session(session: Any) -> Any:
    """The tools of an open ``mcp.ClientSession``, for async code: they call through the
    session on the loop running now, from the executor's worker threads."""
    from .toolset import ToolSet
    loop = asyncio.get_running_loop()
    listed = await list_all_tools(session)
    return ToolSet(tool_from_mcp(item, _call_on(session, loop)) for item in listed)


def _call_on(session: Any, loop: asyncio.AbstractEventLoop, timeout_s: float = 60.0
             ) -> Callable[[str, Mapping[str, Any]], Any]:
    def call(name: str, arguments: Mapping[str, Any]) -> Any:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            raise ConfigurationError("an MCP tool was called on the event loop its session "
                                     "runs on, which would wait for itself",
                                     hint="run the executor in a thread: "
                                          "await asyncio.to_thread(executor.execute, plan)")
        future = asyncio.run_coroutine_threadsafe(
            session.call_tool(name, arguments=dict(arguments)), loop)
        return future.result(timeout_s)
    return call


def tools_from_mcp(source: Any, *, loop: asyncio.AbstractEventLoop | None = None,
                   env: Mapping[str, str] | None = None,
                   cwd: str | os.PathLike[str] | None = None, timeout_s: float = 30.0) -> Any:
    """Tools from an MCP server: ``source`` is a stdio command (a list, or a string
    split like a shell), an :class:`MCPConnection`, or an open ``mcp.ClientSession``
    whose loop (``loop``) runs in another thread."""
    if isinstance(source, MCPConnection):
        return source.tools()
    if isinstance(source, (str, list, tuple)):
        return MCPConnection.stdio(source, env=env, cwd=cwd, timeout_s=timeout_s).tools()
    if hasattr(source, "call_tool") and hasattr(source, "list_tools"):
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if loop is None or loop is running:
            raise ConfigurationError("an open ClientSession is read from its own event loop",
                                     hint="in async code: await neurosym.tools.mcp."
                                          "tools_from_session(session); from another thread: "
                                          "ToolSet.from_mcp(session, loop=its_loop)")
        from .toolset import ToolSet

        listed = asyncio.run_coroutine_threadsafe(list_all_tools(source), loop).result(timeout_s)
        return ToolSet(tool_from_mcp(item, _call_on(source, loop)) for item in listed)
    raise ConfigurationError(f"cannot read MCP tools from a {type(source).__name__}",
                             hint='give a stdio command (["python", "server.py"]), an '
                                  "MCPConnection or an mcp.ClientSession")


@atexit.register
def _close_open() -> None:
    for connection in list(_open):
        connection.close()
