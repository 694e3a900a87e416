"""Turning the many shapes a tool set arrives in into one ``name -> Tool`` mapping."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..tools.tool import Tool

__all__ = ["ToolsLike", "index_tools"]

# A ToolSet, a list of Tools or functions, OpenAI/BFCL docs, or a name -> Tool mapping.
ToolsLike = Any


def index_tools(tools: ToolsLike) -> dict[str, Tool]:
    """The tools by name, in order; ``None`` gives an empty index.

    Anything :meth:`neurosym.tools.ToolSet.coerce` accepts is accepted, and so is a
    mapping from names to Tools.
    """
    if tools is None:
        return {}
    if isinstance(tools, Mapping) and all(isinstance(t, Tool) for t in tools.values()):
        return {t.name: t for t in tools.values()}
    from ..tools.toolset import ToolSet

    return {t.name: t for t in ToolSet.coerce(tools)}
