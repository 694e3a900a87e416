"""What the tools' own schemas say, as solver sorts and rules over every call.

Each scalar value a call can carry (a parameter, an object's property, an array's length
or items) becomes a :class:`FieldInfo` with a sort, and the JSON Schema keywords on it
(minimum/maximum/exclusive*, enum, pattern, minLength/maxLength, minItems/maxItems,
format) become :class:`ParamRule` terms that hold for every call of the tool, exactly
like a user's constraint. A pattern outside the supported subset is rejected here, when
the tools are first used, with a hint.

>>> from neurosym.tools.tool import Param, Tool
>>> hotel = Tool("book_hotel", params=(Param("nights", "integer", minimum=1, maximum=14),))
>>> schema = build_schema([hotel])
>>> [(rule.text, rule.label) for rule in schema.rules_for("book_hotel")]
[('nights in 1..14', 'parameter range of book_hotel')]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, Literal

from ..errors import ToolDefinitionError, UnsupportedSchemaError
from ..tools.tool import Param, Tool
from . import ir
from .regex import PatternError, parse_pattern
from .values import NotInSort, Sort, from_sort_value, to_sort_value

__all__ = ["FieldKind", "FieldInfo", "RuleKind", "ParamRule", "Schema", "build_schema",
           "param_sort", "EMAIL_PATTERN", "UUID_PATTERN"]

FieldKind = Literal["scalar", "object", "array", "length"]
RuleKind = Literal["range", "enum", "pattern", "length", "items", "format"]

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"

_RULE_LABELS = {"range": "parameter range", "enum": "allowed values", "pattern": "pattern",
                "length": "length limits", "items": "item count", "format": "format"}


@dataclass(frozen=True)
class FieldInfo:
    """One value a call can carry. ``sort`` is None for structure and for untyped values."""

    tool: str
    path: tuple[str, ...]
    param: Param
    kind: FieldKind
    sort: Sort | None
    optional: bool
    inferable: bool = False  # an untyped value whose sort a constraint may settle

    @property
    def default(self) -> Any:
        return self.param.default

    @property
    def name(self) -> str:
        return ir.path_text(self.path)


@dataclass(frozen=True)
class ParamRule:
    """A declared limit of a tool's value, e.g. ``nights in 1..14``, over each call."""

    tool: str
    path: tuple[str, ...]
    kind: RuleKind
    text: str
    term: ir.Term

    @property
    def label(self) -> str:
        return f"{_RULE_LABELS[self.kind]} of {self.tool}"


@dataclass(frozen=True, eq=False)
class Schema:
    """Fields and rules of a tool set, looked up by tool name and path."""

    tools: Mapping[str, Tool]
    fields: Mapping[tuple[str, tuple[str, ...]], FieldInfo]
    rules: Mapping[str, tuple[ParamRule, ...]] = field(default_factory=dict)

    def tool(self, name: str) -> Tool | None:
        return self.tools.get(name)

    def field(self, tool: str, path: tuple[str, ...]) -> FieldInfo | None:
        return self.fields.get((tool, path))

    def fields_for(self, tool: str) -> tuple[FieldInfo, ...]:
        return tuple(info for (name, _), info in self.fields.items() if name == tool)

    def rules_for(self, tool: str) -> tuple[ParamRule, ...]:
        return self.rules.get(tool, ())

    def with_sorts(self, sorts: Mapping[tuple[str, tuple[str, ...]], Sort]) -> Schema:
        """A copy in which untyped fields take the sorts constraints settled for them."""
        if not sorts:
            return self
        fields = dict(self.fields)
        for key, sort in sorts.items():
            fields[key] = replace(fields[key], sort=sort, inferable=False)
        return Schema(self.tools, fields, self.rules)


def param_sort(param: Param) -> Sort | None:
    """The solver sort of a scalar parameter, or None (structure, untyped, mixed enum)."""
    if param.type == "date" or param.format == "date":
        return "date"
    if param.format == "date-time":
        return "datetime"
    simple: dict[str, Sort] = {"integer": "int", "number": "real", "boolean": "bool",
                               "string": "string"}
    if param.type in simple:
        return simple[param.type]
    if param.type in ("enum", "any") and param.enum:
        values = [v for v in param.enum if v is not None]
        if values and all(isinstance(v, bool) for v in values):
            return "bool"
        if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            return "int"
        if values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            return "real"
        if values and all(isinstance(v, str) for v in values):
            return "string"
    return None


def build_schema(tools: Iterable[Tool]) -> Schema:
    """Fields and rules for every tool; UnsupportedSchemaError for a pattern it cannot check."""
    by_name: dict[str, Tool] = {}
    for tool in tools:
        if not isinstance(tool, Tool):
            raise ToolDefinitionError(f"expected a Tool, got {type(tool).__name__}",
                                      hint="build tools with neurosym.Tool or @neurosym.tool")
        if tool.name in by_name:
            raise ToolDefinitionError(f"two tools are named {tool.name!r}", tool=tool.name,
                                      hint="give every tool a distinct name")
        by_name[tool.name] = tool
    fields: dict[tuple[str, tuple[str, ...]], FieldInfo] = {}
    rules: dict[str, tuple[ParamRule, ...]] = {}
    for tool in by_name.values():
        collected: list[ParamRule] = []
        for param in tool.params:
            _visit(tool.name, (param.name,), param, param.nullable or not param.required,
                   fields, collected)
        rules[tool.name] = tuple(collected)
    return Schema(by_name, fields, rules)


def _visit(tool: str, path: tuple[str, ...], param: Param, optional: bool,
           fields: dict[tuple[str, tuple[str, ...]], FieldInfo], rules: list[ParamRule]) -> None:
    if param.type == "object":
        fields[(tool, path)] = FieldInfo(tool, path, param, "object", None, optional)
        for prop in param.properties:
            _visit(tool, path + (prop.name,), prop, prop.nullable or not prop.required,
                   fields, rules)
        return
    if param.type == "array":
        fields[(tool, path)] = FieldInfo(tool, path, param, "array", None, optional)
        length_path = path + (ir.LENGTH,)
        fields[(tool, length_path)] = FieldInfo(tool, length_path, param, "length", "int", False)
        rule = _range_rule(tool, length_path, "int", param.min_items, param.max_items, None, None,
                           kind="items")
        if rule is not None:
            rules.append(rule)
        if param.items is not None:
            _visit(tool, path + (ir.ITEMS,), param.items, param.items.nullable, fields, rules)
        return
    sort = param_sort(param)
    inferable = sort is None and param.type == "any" and not param.enum
    fields[(tool, path)] = FieldInfo(tool, path, param, "scalar", sort, optional, inferable)
    if sort is not None:
        rules.extend(_scalar_rules(tool, path, param, sort))


def _fmt(value: Any, sort: Sort) -> str:
    shown = from_sort_value(value, sort)
    return repr(shown) if isinstance(shown, str) and sort == "string" else str(shown)


def _bound(value: Any, sort: Sort) -> Any | None:
    if value is None:
        return None
    target: Sort = "real" if sort == "int" and not isinstance(value, int) else sort
    try:
        return to_sort_value(value, target)
    except NotInSort:
        return None


def _range_rule(tool: str, path: tuple[str, ...], sort: Sort, minimum: Any, maximum: Any,
                exclusive_minimum: Any, exclusive_maximum: Any, *,
                kind: RuleKind = "range", subject: ir.Term | None = None) -> ParamRule | None:
    target = subject if subject is not None else ir.Field(tool, path, sort)
    name = ir.path_text(path)
    if subject is not None and isinstance(subject, ir.Length):
        name = f"len({ir.path_text(path)})"
    lo, lo_strict = _bound(minimum, sort), False
    xlo = _bound(exclusive_minimum, sort)
    if xlo is not None and (lo is None or xlo >= lo):
        lo, lo_strict = xlo, True
    hi, hi_strict = _bound(maximum, sort), False
    xhi = _bound(exclusive_maximum, sort)
    if xhi is not None and (hi is None or xhi <= hi):
        hi, hi_strict = xhi, True
    if lo is None and hi is None:
        return None
    parts: list[ir.Term] = []

    def const(value: Any) -> ir.Term:
        if isinstance(value, Fraction) and sort in ("int", "date", "datetime"):
            return ir.Const(value, "real")
        return ir.Const(value, sort)

    def compare(op: str, bound: Any) -> ir.Term:
        right = const(bound)
        left = target
        if right.sort == "real" and target.sort == "int":
            left = ir.Cast(target, "real")
        return ir.Compare(op, left, right)

    if lo is not None:
        parts.append(compare(">" if lo_strict else ">=", lo))
    if hi is not None:
        parts.append(compare("<" if hi_strict else "<=", hi))
    term = parts[0] if len(parts) == 1 else ir.BoolOp("and", tuple(parts))
    if lo is not None and hi is not None and not lo_strict and not hi_strict:
        text = f"{name} in {_fmt(lo, sort)}..{_fmt(hi, sort)}"
    elif lo is not None and hi is not None:
        text = (f"{_fmt(lo, sort)} {'<' if lo_strict else '<='} {name} "
                f"{'<' if hi_strict else '<='} {_fmt(hi, sort)}")
    elif lo is not None:
        text = f"{name} {'>' if lo_strict else '>='} {_fmt(lo, sort)}"
    else:
        text = f"{name} {'<' if hi_strict else '<='} {_fmt(hi, sort)}"
    return ParamRule(tool, path, kind, text, term)


def _pattern_rule(tool: str, path: tuple[str, ...], source: str, *, kind: RuleKind,
                  text: str) -> ParamRule:
    try:
        pattern = parse_pattern(source)
    except PatternError as err:
        raise UnsupportedSchemaError(f"pattern {source!r} cannot be checked: {err}", tool=tool,
                                     path=ir.path_text(path), hint=err.hint) from None
    return ParamRule(tool, path, kind, text, ir.Matches(ir.Field(tool, path, "string"), pattern))


def _scalar_rules(tool: str, path: tuple[str, ...], param: Param, sort: Sort) -> list[ParamRule]:
    out: list[ParamRule] = []
    name = ir.path_text(path)
    if sort in ("int", "real", "date", "datetime"):
        rule = _range_rule(tool, path, sort, param.minimum, param.maximum,
                           param.exclusive_minimum, param.exclusive_maximum)
        if rule is not None:
            out.append(rule)
    if param.enum is not None:
        allowed: list[ir.Const] = []
        for value in param.enum:
            if value is None:
                continue
            try:
                allowed.append(ir.Const(to_sort_value(value, sort), sort))
            except NotInSort:
                continue
        shown = [_fmt(c.value, sort) for c in allowed[:8]]
        listing = ", ".join(shown) + (f", ... ({len(allowed)} values)" if len(allowed) > 8 else "")
        out.append(ParamRule(tool, path, "enum", f"{name} in [{listing}]",
                             ir.Member(ir.Field(tool, path, sort), tuple(allowed))))
    if sort == "string":
        if param.pattern is not None:
            out.append(_pattern_rule(tool, path, param.pattern, kind="pattern",
                                     text=f"{name} matches {param.pattern!r}"))
        if param.min_length is not None or param.max_length is not None:
            length = ir.Length(ir.Field(tool, path, "string"))
            rule = _range_rule(tool, path, "int", param.min_length, param.max_length, None, None,
                               kind="length", subject=length)
            if rule is not None:
                out.append(rule)
        if param.format == "email":
            out.append(_pattern_rule(tool, path, EMAIL_PATTERN, kind="format",
                                     text=f"{name} is an email address"))
        elif param.format == "uuid":
            out.append(_pattern_rule(tool, path, UUID_PATTERN, kind="format",
                                     text=f"{name} is a UUID"))
    return out
