"""Data flow between tools: which field of which tool's result can feed a parameter.

A tool's declared result (a Python return annotation, a pydantic model, an OpenAI or
JSON Schema output schema) is a tree of fields; a parameter can take a reference to
one of them when the types fit. A parameter is *produced by* another tool when only
that tool can supply its value (an id that a lookup returns): the user says so with
``Annotated[str, ProducedBy("search_flights", "id")]`` (``x-produced-by`` in JSON
Schema), or the parameter's description names the producing tool and one field of
its result fits the parameter. Such a parameter takes a reference to that field, or a
literal only when the request holds the literal verbatim.

The relation reads only the tools' own identifiers and types, never the request's
wording, so it holds in any language.

>>> from dataclasses import dataclass
>>> from typing import Annotated
>>> from neurosym.tools import tool
>>> @dataclass
... class User:
...     id: str
...     name: str
>>> @tool
... def find_user(email: str) -> User:
...     '''Look a user up.'''
>>> @tool(effect="write")
... def delete_user(user_id: Annotated[str, ProducedBy("find_user", "id")]) -> None:
...     '''Delete a user.'''
>>> flow = DataFlow([find_user, delete_user])
>>> flow.producers("delete_user", "user_id"), flow.hint("delete_user", "user_id")
(('find_user',), 'find_user().id')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ToolDefinitionError
from .tool import Param, Tool

__all__ = ["ProducedBy", "Feed", "DataFlow", "result_fields", "parse_produced_by"]

#: How deep a result's fields are followed: ``[0].owner.id`` is three steps.
_MAX_DEPTH = 4
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


@dataclass(frozen=True)
class ProducedBy:
    """Marks a parameter whose value only ``tool``'s result can supply.

    ``field`` names the result's field (``"id"``); ``None`` lets the types decide (the
    one field of the result that fits the parameter, or the whole result). Used inside
    ``Annotated[...]``; pydantic writes it into the parameter's JSON Schema as
    ``x-produced-by``, which every tool source reads.
    """

    tool: str
    field: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.tool, str) or not _IDENTIFIER.fullmatch(self.tool):
            raise ToolDefinitionError(f"ProducedBy({self.tool!r}) does not name a tool",
                                      hint='give the producing tool\'s name, e.g. '
                                           'ProducedBy("search_flights", "id")')
        if self.field is not None and not (isinstance(self.field, str)
                                           and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*",
                                                            self.field)):
            raise ToolDefinitionError(f"ProducedBy field {self.field!r} is not a field name",
                                      hint='name one field of the result, e.g. "id"')

    @property
    def text(self) -> str:
        return self.tool if self.field is None else f"{self.tool}:{self.field}"

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict[str, Any]:
        schema = dict(handler(core_schema))
        schema["x-produced-by"] = self.text
        return schema


def parse_produced_by(text: object, *, tool: str | None = None,
                      path: str | None = None) -> ProducedBy:
    """``"search_flights"`` or ``"search_flights:id"`` (the ``x-produced-by`` keyword)."""
    if not isinstance(text, str) or not text.strip():
        raise ToolDefinitionError(f"x-produced-by must name a tool, got {text!r}", tool=tool,
                                  path=path, hint='write "x-produced-by": "search_flights:id"')
    name, _, field = text.strip().partition(":")
    try:
        return ProducedBy(name, field or None)
    except ToolDefinitionError as err:
        raise ToolDefinitionError(str(err.args[0]) if err.args else str(err), tool=tool,
                                  path=path, hint='write "x-produced-by": "search_flights:id"'
                                  ) from None


@dataclass(frozen=True)
class Feed:
    """A field of ``producer``'s result that can feed a parameter: the reference's
    path after the step's name (``(0, "id")`` is written ``r1[0].id``)."""

    producer: str
    path: tuple[str | int, ...]
    produced: bool = False

    @property
    def suffix(self) -> str:
        return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in self.path)


def result_fields(returns: Param | None) -> Iterator[tuple[tuple[str | int, ...], Param]]:
    """Every field of a declared result with its path: the result itself, an array's
    first item, an object's properties, and so on (breadth first, bounded depth)."""
    if returns is None or returns.type == "any":
        return
    queue: list[tuple[tuple[str | int, ...], Param]] = [((), returns)]
    while queue:
        path, param = queue.pop(0)
        yield path, param
        if len(path) >= _MAX_DEPTH:
            continue
        if param.type == "array" and param.items is not None:
            queue.append(((*path, 0), param.items))
        elif param.type == "object":
            queue.extend(((*path, prop.name), prop) for prop in param.properties)


def _scalar_kind(param: Param) -> str:
    if param.type == "enum":
        kinds = {type(v).__name__ for v in param.enum or ()}
        return "string" if kinds <= {"str"} else "integer" if kinds <= {"int"} else "any"
    if param.type == "date":
        return "string"
    return param.type


def fits(source: Param, target: Param) -> bool:
    """Whether a result field of type ``source`` can stand for ``target``'s value."""
    a, b = _scalar_kind(source), _scalar_kind(target)
    if "any" in (a, b):
        return False  # nothing is known: no evidence of a flow
    if a == b:
        return True
    return a == "integer" and b == "number"


class DataFlow:
    """The fields of the tools' results that can feed each parameter.

    ``producers(tool, param)`` are the tools a parameter is produced by (empty when its
    value may be any literal); ``feeds(tool, param)`` are all the result fields whose
    type fits it; :meth:`check` judges one written value of a produced parameter.
    """

    def __init__(self, tools: Iterable[Tool]) -> None:
        self.tools: dict[str, Tool] = {t.name: t for t in tools}
        self._feeds: dict[tuple[str, str], tuple[Feed, ...]] = {}
        for tool in self.tools.values():
            for param in tool.params:
                feeds = self._find(tool, param)
                if feeds:
                    self._feeds[(tool.name, param.name)] = feeds

    def feeds(self, tool: str, param: str) -> tuple[Feed, ...]:
        return self._feeds.get((tool, param), ())

    def producers(self, tool: str, param: str) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for feed in self.feeds(tool, param):
            if feed.produced:
                seen[feed.producer] = None
        return tuple(seen)

    @property
    def links(self) -> Mapping[tuple[str, str], tuple[Feed, ...]]:
        """Every produced parameter with the fields it takes."""
        return {key: tuple(f for f in feeds if f.produced)
                for key, feeds in self._feeds.items() if any(f.produced for f in feeds)}

    def hint(self, tool: str, param: str) -> str | None:
        """How the prompt shows a produced parameter: ``search_flights()[0].id``."""
        produced = [f for f in self.feeds(tool, param) if f.produced]
        if not produced:
            return None
        return " or ".join(f"{f.producer}(){f.suffix}" for f in produced[:2])

    def _find(self, tool: Tool, param: Param) -> tuple[Feed, ...]:
        declared = _declared(param, tool)
        named = {name for name in self.tools if name != tool.name
                 and _names_tool(param.description, name)}
        out: list[Feed] = []
        for producer in self.tools.values():
            if producer.name == tool.name or producer.returns is None:
                continue
            fitting = [(path, field) for path, field in result_fields(producer.returns)
                       if fits(field, param) and not _through_later_items(path)]
            if not fitting:
                continue
            chosen: list[tuple[str | int, ...]] = []
            if declared is not None and declared.tool == producer.name:
                chosen = [p for p, f in fitting
                          if declared.field is None or (p and p[-1] == declared.field)]
                if declared.field is None and len(chosen) > 1:
                    chosen = _by_name(chosen, param.name) or chosen
                if not chosen:
                    raise ToolDefinitionError(
                        f"{param.name} is marked as produced by {producer.name}, whose result "
                        f"has no field {declared.field or ''} of its type".replace("  ", " "),
                        tool=tool.name, path=f"parameter {param.name!r}",
                        hint=f"name a field that {producer.name}'s result declares")
            elif declared is None and producer.name in named:
                chosen = _by_name([p for p, _ in fitting], param.name)
                if len(chosen) > 1:
                    chosen = []
            produced = bool(chosen)
            for path, _field in fitting:
                out.append(Feed(producer.name, path, produced=path in chosen and produced))
        return tuple(out)


def _declared(param: Param, tool: Tool) -> ProducedBy | None:
    value = getattr(param, "produced_by", None)
    if value is None:
        return None
    if isinstance(value, ProducedBy):
        return value
    return parse_produced_by(value, tool=tool.name, path=f"parameter {param.name!r}")


def _names_tool(description: str, name: str) -> bool:
    """Whether a description names a tool as an identifier (not inside a longer one)."""
    if not description:
        return False
    return re.search(rf"(?<![A-Za-z0-9_.]){re.escape(name)}(?![A-Za-z0-9_])",
                     description) is not None


def _through_later_items(path: tuple[str | int, ...]) -> bool:
    return any(isinstance(p, int) and p != 0 for p in path)


def _by_name(paths: list[tuple[str | int, ...]], param_name: str) -> list[tuple[str | int, ...]]:
    """The paths whose last field is the parameter's name, or the last part of it
    (``flight_id`` takes ``id``): identifiers of the tools' own schemas, not words."""
    tail = param_name.rsplit("_", 1)[-1]
    exact = [p for p in paths if p and p[-1] == param_name]
    if exact:
        return exact
    return [p for p in paths if p and p[-1] == tail]
