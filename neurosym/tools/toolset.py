"""ToolSet: the ordered, immutable collection of tools a planner may call.

Every source meets here: Python functions, OpenAI tools JSON, BFCL function docs,
plain JSON Schema, and files or modules named on the command line.

>>> from neurosym.tools import tool
>>> @tool
... def add(a: int, b: int) -> int:
...     '''Add two integers.'''
...     return a + b
>>> tools = ToolSet.coerce([add, {"type": "function", "function": {"name": "echo",
...     "parameters": {"type": "object", "properties": {"text": {"type": "string"}}}}}])
>>> tools.names
('add', 'echo')
>>> tools["add"](a=2, b=3), "echo" in tools, len(tools.without(["echo"]))
(5, True, 1)
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol, overload, runtime_checkable

from ..errors import NeurosymError, ToolDefinitionError, UnknownToolError
from ._docs import check_nesting, load_json_text, openai_function_doc, tool_from_doc
from ._names import check_tool
from .bfcl import tool_to_bfcl, tools_from_bfcl
from .jsonschema import tool_from_json_schema
from .openai import tool_to_openai, tools_from_openai
from .python import tool_from_function
from .tool import Tool

__all__ = ["ToolSet", "ToolSource"]


@runtime_checkable
class ToolSource(Protocol):
    """Anything that lists tools: a registry, a client of a tool server, a plugin.

    ``neurosym_tools()`` returns what :meth:`ToolSet.coerce` takes (Tools, functions,
    OpenAI or BFCL dicts), read afresh each time a ToolSet is made from the source; a
    Planner, the executor and the server accept the source wherever they accept tools.
    """

    def neurosym_tools(self) -> Iterable[Any]:
        """The tools, as Tools or anything a ToolSet is made of."""
        ...

_JSON_TYPE_NAMES = frozenset({"string", "integer", "number", "boolean", "array", "object",
                              "null"})


class ToolSet(Sequence[Tool]):
    """Tools with unique names, in order; indexable by position or by name."""

    __slots__ = ("_tools", "_by_name")
    _tools: tuple[Tool, ...]
    _by_name: dict[str, Tool]

    def __init__(self, tools: Iterable[Tool] = ()) -> None:
        items = tuple(tools)
        by_name: dict[str, Tool] = {}
        for index, item in enumerate(items):
            check_tool(item, path=f"tools[{index}]")
            if item.name in by_name:
                raise ToolDefinitionError(
                    "two tools have this name", tool=item.name, path=f"tools[{index}]",
                    hint="rename one of them (each tool name must be unique in a tool set)")
            by_name[item.name] = item
        object.__setattr__(self, "_tools", items)
        object.__setattr__(self, "_by_name", by_name)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("a ToolSet is immutable; build a new one (subset, without, +)")

    # -- reading -------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Tool]:
        return iter(self._tools)

    def __len__(self) -> int:
        return len(self._tools)

    @overload
    def __getitem__(self, key: int | str) -> Tool: ...

    @overload
    def __getitem__(self, key: slice) -> ToolSet: ...

    def __getitem__(self, key: int | str | slice) -> Tool | ToolSet:
        if isinstance(key, str):
            found = self._by_name.get(key)
            if found is None:
                raise self._unknown(key)
            return found
        if isinstance(key, slice):
            return ToolSet(self._tools[key])
        return self._tools[key]

    def __contains__(self, item: object) -> bool:
        if isinstance(item, str):
            return item in self._by_name
        if isinstance(item, Tool):
            return self._by_name.get(item.name) == item
        return False

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ToolSet):
            return NotImplemented
        return self._tools == other._tools

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ToolSet({list(self.names)!r})"

    def __add__(self, other: object) -> ToolSet:
        return ToolSet((*self._tools, *ToolSet.coerce(other)))

    def get(self, name: str, default: Tool | None = None) -> Tool | None:
        """The tool called ``name``, or ``default``."""
        return self._by_name.get(name, default)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    def subset(self, names: Iterable[str]) -> ToolSet:
        """The named tools, in the order given (e.g. a retriever's ranking)."""
        return ToolSet(self[name] for name in dict.fromkeys(_names_of(names)))

    def without(self, names: Iterable[str]) -> ToolSet:
        """Every tool but the named ones."""
        dropped = set(_names_of(names))
        for name in dropped:
            if name not in self._by_name:
                raise self._unknown(name)
        return ToolSet(t for t in self._tools if t.name not in dropped)

    def _unknown(self, name: str) -> UnknownToolError:
        shown = ", ".join(self.names[:12]) + (", ..." if len(self) > 12 else "")
        return UnknownToolError(f"no tool named {name!r} in this tool set",
                                hint=f"choose one of: {shown}" if self else "the set is empty")

    # -- renderings ----------------------------------------------------------------------

    def to_openai(self, *, results: bool = False) -> list[dict[str, Any]]:
        """OpenAI's ``tools=[...]`` for these tools (``results``: with what each returns,
        as ``outputSchema``, for a tools file that keeps the data flow)."""
        return [tool_to_openai(t, results=results) for t in self._tools]

    def to_bfcl(self) -> list[dict[str, Any]]:
        """BFCL function docs for these tools."""
        return [tool_to_bfcl(t) for t in self._tools]

    # -- constructors --------------------------------------------------------------------

    @classmethod
    def from_openai(cls, spec: str | bytes | Mapping[str, Any] | list[Any]) -> ToolSet:
        """From OpenAI tools JSON (text or parsed; see :func:`tools_from_openai`)."""
        return cls(tools_from_openai(spec))

    @classmethod
    def from_bfcl(cls, docs: str | bytes | Mapping[str, Any] | list[Any]) -> ToolSet:
        """From BFCL function docs (text or parsed; see :func:`tools_from_bfcl`)."""
        return cls(tools_from_bfcl(docs))

    @classmethod
    def from_functions(cls, funcs: Iterable[Callable[..., Any]]) -> ToolSet:
        """From Python callables (or Tools made by ``@tool``)."""
        return cls(tool_from_function(f) for f in funcs)

    @classmethod
    def from_json_schema(cls, name: str, schema: Mapping[str, Any],
                         description: str = "") -> ToolSet:
        """One tool whose parameters are the properties of an object schema."""
        return cls([tool_from_json_schema(name, schema, description)])

    @classmethod
    def from_mcp(cls, source: Any, **options: Any) -> ToolSet:
        """Tools of an MCP server, called through its session: ``source`` is a stdio
        command (``["python", "server.py"]``), a :class:`~neurosym.tools.mcp.MCPConnection`,
        or an open ``mcp.ClientSession`` with ``loop=`` (see :mod:`neurosym.tools.mcp`)."""
        from .mcp import tools_from_mcp
        return tools_from_mcp(source, **options)

    @classmethod
    def coerce(cls, obj: object) -> ToolSet:
        """A ToolSet from whatever a caller holds: a ToolSet, a Tool, a function, an
        OpenAI or BFCL dict or JSON text, or a list mixing them. ``None`` is empty."""
        if isinstance(obj, ToolSet):
            return obj
        if obj is None:
            return cls()
        if isinstance(obj, Mapping | list | tuple):
            check_nesting(obj, what="the tools")
        return cls(_collect(obj, "tools"))

    @classmethod
    def load(cls, spec: str | os.PathLike[str]) -> ToolSet:
        """Tools named on a command line: a .json file (OpenAI or BFCL), a .py file, or an
        importable module (``pkg.mod`` or ``pkg.mod:ATTRIBUTE``).

        From a module, a module-level ``TOOLS`` list wins; otherwise every Tool defined
        in it is taken, in order.
        """
        text = os.fspath(spec)
        path = Path(text)
        separators = [sep for sep in (os.sep, os.altsep) if sep]
        if path.suffix.lower() in (".json", ".py") or path.is_file() \
                or any(sep in text for sep in separators):
            if not path.is_file():
                raise ToolDefinitionError(f"no tools file at {text!r}",
                                          hint="give a .json or .py file that exists, or an "
                                               "importable module name")
            if path.suffix.lower() == ".json":
                data = load_json_text(path.read_bytes(), what=f"tools file {text!r}")
                return cls.coerce(data)
            if path.suffix.lower() == ".py":
                return cls(_tools_of_module(_run_file(path), None, text))
            raise ToolDefinitionError(f"cannot read tools from {text!r}",
                                      hint="give a .json file (OpenAI or BFCL), a .py file, "
                                           "or an importable module name")
        module_name, _, attribute = text.partition(":")
        return cls(_tools_of_module(_import(module_name), attribute or None, text))


def _names_of(names: Iterable[str]) -> list[str]:
    if isinstance(names, str):
        return [names]
    return [n.name if isinstance(n, Tool) else n for n in names]


def _collect(obj: object, path: str) -> list[Tool]:
    """Every tool in ``obj``, whatever source each entry comes from."""
    if isinstance(obj, ToolSet):
        return list(obj)
    if isinstance(obj, Tool):
        return [obj]
    if isinstance(obj, ToolSource) and not isinstance(obj, type):
        return _from_source(obj, path)
    if isinstance(obj, str | bytes):
        return _collect(load_json_text(obj, what="the tools text"), path)
    if isinstance(obj, Mapping):
        return _from_dict(obj, path)
    if callable(obj):
        return [tool_from_function(obj)]
    if isinstance(obj, Iterable):
        tools: list[Tool] = []
        for index, item in enumerate(obj):
            if isinstance(item, str | bytes):
                raise ToolDefinitionError(f"a tool entry cannot be a string: {item!r:.60}",
                                          path=f"{path}[{index}]",
                                          hint="pass Tools, functions or parsed JSON dicts")
            tools.extend(_collect(item, f"{path}[{index}]"))
        return tools
    raise ToolDefinitionError(f"cannot make tools of a {type(obj).__name__}", path=path,
                              hint="pass Tools, functions, OpenAI or BFCL dicts, or a list")


def _from_source(source: ToolSource, path: str) -> list[Tool]:
    """The tools a :class:`ToolSource` lists; a source that fails says which it is."""
    name = type(source).__name__
    try:
        listed = source.neurosym_tools()
    except NeurosymError:
        raise
    except Exception as err:
        raise ToolDefinitionError(f"the tool source {name} failed to list its tools: "
                                  f"{type(err).__name__}: {err}", path=path,
                                  hint="fix the source's neurosym_tools()") from err
    if isinstance(listed, ToolSource) or isinstance(listed, str | bytes | Mapping) \
            or not isinstance(listed, Iterable):
        raise ToolDefinitionError(f"the tool source {name} listed a "
                                  f"{type(listed).__name__}, not a sequence of tools",
                                  path=path, hint="return a list of Tools, functions or dicts "
                                                  "from neurosym_tools()")
    tools: list[Tool] = []
    for index, item in enumerate(listed):
        if isinstance(item, ToolSource | str | bytes) and not isinstance(item, type):
            raise ToolDefinitionError(f"the tool source {name} listed a "
                                      f"{type(item).__name__}, not a tool",
                                      path=f"{path}[{index}]",
                                      hint="list Tools, functions or dicts, not sources or text")
        tools.extend(_collect(item, f"{path}[{index}]"))
    return tools


def _from_dict(doc: Mapping[str, Any], path: str) -> list[Tool]:
    if isinstance(doc.get("tools"), list):
        return _collect(doc["tools"], f"{path}.tools")
    if isinstance(doc.get("function"), list):
        # A BFCL test entry: its "function" list holds the docs.
        return [tool_from_doc(d, f"{path}.function[{i}]", dialect="bfcl")
                for i, d in enumerate(doc["function"])]
    if doc.get("type") == "function" or isinstance(doc.get("function"), Mapping):
        return [tool_from_doc(*openai_function_doc(doc, path), dialect="json-schema")]
    if "name" in doc:
        dialect = "bfcl" if _looks_bfcl(doc.get("parameters")) else "json-schema"
        return [tool_from_doc(doc, path, dialect=dialect)]
    raise ToolDefinitionError(
        "this dict is neither an OpenAI tool nor a BFCL function doc", path=path,
        hint='give {"type": "function", "function": {...}} or {"name": ..., "parameters": ...}')


def _looks_bfcl(schema: object) -> bool:
    """True when a schema uses BFCL's own type names ("dict", "float", "tuple", ...)."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            kind = node.get("type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(isinstance(k, str) and k not in _JSON_TYPE_NAMES for k in kinds):
                return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def _run_file(path: Path) -> ModuleType:
    name = f"_neurosym_tools_{abs(hash(path.resolve()))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ToolDefinitionError(f"cannot load {str(path)!r} as Python",
                                  hint="give a .py file with @ns.tool functions")
    module = importlib.util.module_from_spec(spec)
    # Registered while it runs, so dataclasses and pydantic can resolve its annotations.
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except NeurosymError:
        sys.modules.pop(name, None)
        raise
    except SystemExit as err:
        sys.modules.pop(name, None)
        raise _exited(str(path), err) from None
    except Exception as err:
        sys.modules.pop(name, None)
        raise ToolDefinitionError(f"running {str(path)!r} failed: {type(err).__name__}: {err}",
                                  hint="fix the error in the tools file; it must import "
                                       "without side effects") from err
    return module


def _exited(where: str, err: SystemExit) -> ToolDefinitionError:
    """A tools file or module that calls ``sys.exit`` while it loads does not end the
    program that loads it."""
    return ToolDefinitionError(f"loading {where!r} called sys.exit({err.code!r})",
                               hint="a tools file must only define tools; move the code that "
                                    "exits under `if __name__ == \"__main__\":`")


def _import(module_name: str) -> ModuleType:
    if not module_name or not all(p.isidentifier() for p in module_name.split(".")):
        raise ToolDefinitionError(f"{module_name!r} is not a file or a module name",
                                  hint="give a .json file, a .py file, or a module such as "
                                       "mypackage.tools")
    try:
        return _import_here_too(module_name)
    except ModuleNotFoundError as err:
        if err.name and module_name.startswith(err.name):
            raise ToolDefinitionError(f"no module named {module_name!r}",
                                      hint="give a .json file, a .py file, or a module on "
                                           "sys.path (check PYTHONPATH)") from None
        raise ToolDefinitionError(f"importing {module_name!r} failed: {err}",
                                  hint="install what the module needs") from err
    except NeurosymError:
        raise
    except SystemExit as err:
        raise _exited(module_name, err) from None
    except Exception as err:
        raise ToolDefinitionError(f"importing {module_name!r} failed: "
                                  f"{type(err).__name__}: {err}",
                                  hint="fix the error in the module") from err


def _import_here_too(module_name: str) -> ModuleType:
    """Import ``module_name``, looking in the current directory too when it is not found
    elsewhere (as ``python -m`` does; the ``neurosym`` script does not have it on sys.path).
    The directory is searched last, so it never hides an installed module."""
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        here = os.getcwd()
        top = module_name.split(".")[0]
        if err.name != top or here in sys.path or "" in sys.path \
                or importlib.machinery.PathFinder.find_spec(top, [here]) is None:
            raise
        sys.path.append(here)
        return importlib.import_module(module_name)


def _tools_of_module(module: ModuleType, attribute: str | None, spec: str) -> list[Tool]:
    if attribute is not None:
        if not hasattr(module, attribute):
            raise ToolDefinitionError(f"{module.__name__} has no attribute {attribute!r}",
                                      path=spec, hint="name a list of tools or a ToolSet")
        return _collect(getattr(module, attribute), attribute)
    if hasattr(module, "TOOLS"):
        return _collect(module.TOOLS, "TOOLS")
    found: dict[int, Tool] = {}
    for value in vars(module).values():
        if isinstance(value, Tool):
            found.setdefault(id(value), value)
    if not found:
        raise ToolDefinitionError(f"no tools in {spec!r}",
                                  hint="decorate functions with @ns.tool, or define "
                                       "TOOLS = [...] at module level")
    return list(found.values())
