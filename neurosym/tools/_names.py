"""Which tool and parameter names the plan language can carry."""

from __future__ import annotations

import keyword

from ..errors import ToolDefinitionError
from .tool import Tool

__all__ = ["RESERVED_TOOL_NAMES", "check_tool_name", "check_param_name", "check_tool"]

# The plan language's own forms: a tool of these names could not be told apart from them.
RESERVED_TOOL_NAMES: frozenset[str] = frozenset({"ask", "answer", "none"})


def check_tool_name(name: object, *, path: str | None = None) -> str:
    """``name`` if it is an identifier, optionally dotted (``math.factorial``), else raise."""
    if not isinstance(name, str) or not name:
        raise ToolDefinitionError(f"a tool needs a non-empty string name, got {name!r}",
                                  path=path, hint='give the tool a name such as "search_hotels"')
    if name in RESERVED_TOOL_NAMES:
        raise ToolDefinitionError(
            f"{name!r} is reserved by the plan language ({', '.join(sorted(RESERVED_TOOL_NAMES))})",
            tool=name, path=path, hint=f"rename the tool, e.g. {name + '_tool'!r}")
    for part in name.split("."):
        if not part.isidentifier() or keyword.iskeyword(part):
            fixed = ".".join(_identifier(p) for p in name.split("."))
            raise ToolDefinitionError(
                f"tool name {name!r} is not an identifier (letters, digits and _, "
                "optionally dotted like math.factorial)",
                tool=name, path=path, hint=f"rename it, e.g. {fixed!r}")
    return name


def check_param_name(name: object, *, tool: str | None, path: str | None = None) -> str:
    """``name`` if a plan can pass it as a keyword argument, else raise.

    Python keywords are accepted: plans are parsed by Lark, not Python, and BFCL's own
    tools use ``from`` as a parameter name.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ToolDefinitionError(
            f"parameter name {name!r} is not an identifier (letters, digits and _)",
            tool=tool, path=path,
            hint=f"rename the parameter, e.g. {_identifier(str(name))!r}")
    return name


def check_tool(tool: object, *, path: str | None = None) -> Tool:
    """``tool`` if it is a :class:`Tool` whose names the plan language can carry."""
    if not isinstance(tool, Tool):
        raise ToolDefinitionError(f"expected a Tool, got {type(tool).__name__}", path=path,
                                  hint="build tools with @ns.tool or a ToolSet constructor")
    check_tool_name(tool.name, path=path)
    if tool.effect not in ("read", "write"):
        raise ToolDefinitionError(f"effect must be 'read' or 'write', got {tool.effect!r}",
                                  tool=tool.name, path=path,
                                  hint='use effect="write" for tools that change state')
    seen: set[str] = set()
    for param in tool.params:
        check_param_name(param.name, tool=tool.name, path=path)
        if param.name in seen:
            raise ToolDefinitionError(f"parameter {param.name!r} is defined twice",
                                      tool=tool.name, path=path,
                                      hint="give each parameter its own name")
        seen.add(param.name)
    if tool.idempotency_param is not None and tool.idempotency_param not in seen:
        raise ToolDefinitionError(
            f"idempotency_param {tool.idempotency_param!r} is not one of its parameters",
            tool=tool.name, path=path,
            hint=f"name one of: {', '.join(sorted(seen)) or '(no parameters)'}")
    return tool


def _identifier(text: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in text) or "name"
    if cleaned[0].isdigit():
        cleaned = "_" + cleaned
    if keyword.iskeyword(cleaned) or cleaned in RESERVED_TOOL_NAMES:
        cleaned += "_"
    return cleaned
