"""What fits a parameter: a declared type before execution, a real value at the gateway.

Both the plan validator (a step's return type feeding another step's parameter) and the
executor's gateway (the resolved argument right before a call) ask the same question of
a :class:`~neurosym.tools.tool.Param`; the answers live here so they agree.

>>> from neurosym.tools.tool import Param
>>> flights = Param("result", "array", items=Param("item", "object",
...                 properties=(Param("id", "string"), Param("price", "number"))))
>>> field_type(field_type(flights, 0)[0], "price")[0].type
'number'
>>> type_fits(Param("x", "integer"), Param("y", "number"))
True
>>> value_problems(Param("passengers", "integer", minimum=1, maximum=9), 12)
['passengers: must be at most 9 (got 12)']
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping
from typing import Any

from ..tools.linear_regex import PatternRefused, pattern_search
from ..tools.tool import Param
from .plain import short_repr, to_jsonable

__all__ = ["describe_type", "field_type", "type_fits", "value_problems"]

_WIDENINGS = {("integer", "number"), ("date", "string"), ("string", "date")}


def describe_type(param: Param | None) -> str:
    """A short human name for a type: ``integer``, ``array of object``, ``unknown``."""
    if param is None:
        return "unknown"
    if param.type == "array" and param.items is not None:
        return f"array of {describe_type(param.items)}"
    if param.enum is not None:
        shown = ", ".join(short_repr(v, 20) for v in param.enum[:6])
        return f"one of ({shown}{', ...' if len(param.enum) > 6 else ''})"
    return param.type


def field_type(param: Param | None, part: str | int) -> tuple[Param | None, str | None]:
    """The type of ``value[part]`` (an int index) or ``value.part`` (a field name).

    Returns ``(type, None)``, with ``None`` as the type when it is unknown, or
    ``(None, problem)`` when the declared type cannot have that index or field: a
    scalar, or an object whose declared fields do not include it.
    """
    if param is None or param.type == "any":
        return None, None
    if isinstance(part, int):
        if param.type != "array":
            return None, f"is {describe_type(param)}, not an array, so it cannot be indexed"
        if param.max_items is not None and part >= param.max_items:
            return None, f"holds at most {param.max_items} items, so [{part}] is out of range"
        return param.items, None
    if param.type != "object":
        return None, f"is {describe_type(param)}, which has no field {part!r}"
    prop = param.property(part)
    if prop is not None:
        return prop, None
    if param.properties:
        # Open objects may carry more at run time, but a plan relies on declared fields only.
        known = ", ".join(p.name for p in param.properties)
        return None, f"has no field {part!r} (its fields: {known})"
    return None, None


def type_fits(source: Param | None, target: Param | None) -> bool:
    """Whether a value declared as ``source`` may be passed where ``target`` is expected.

    Unknown types (``None`` or ``"any"``) fit anything; values the types cannot rule
    out (a string for an enum of strings) fit, and the gateway checks them at run time.
    """
    if source is None or target is None or "any" in (source.type, target.type):
        return True
    if source.enum is not None and target.enum is not None:
        return set(map(repr, source.enum)) <= set(map(repr, target.enum))
    if target.type == "enum":
        kinds = {_kind_of(v) for v in target.enum or ()}
        return source.type in kinds or source.type == "enum" or not kinds
    if source.type == "enum":
        return all(_value_has_type(v, target.type) for v in source.enum or ())
    if source.type == target.type:
        if source.type == "array":
            return type_fits(source.items, target.items)
        if source.type == "object":
            return all(type_fits(source.property(p.name), p) for p in target.properties)
        return True
    return (source.type, target.type) in _WIDENINGS


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "any"


def _value_has_type(value: Any, kind: str) -> bool:
    found = _kind_of(value)
    return found == kind or (found, kind) in _WIDENINGS or found == "any"


def value_problems(param: Param, value: Any, where: str | None = None) -> list[str]:
    """Everything wrong with ``value`` for ``param``: type, range, enum, pattern, length,
    items, properties, format. An empty list means it fits.

    >>> value_problems(Param("when", "string", format="date"), "2026-02-30")
    ["when: must be a date written YYYY-MM-DD (got '2026-02-30')"]
    """
    where = where or param.name or "value"
    if value is None:
        # None for an optional parameter leaves it out (see Tool.given_args).
        if param.nullable or param.type == "any" or not param.required:
            return []
        return [f"{where}: must not be None"]
    if param.enum is not None and not any(_same(value, v) for v in param.enum):
        shown = ", ".join(short_repr(v, 30) for v in param.enum)
        return [f"{where}: must be one of {shown} (got {short_repr(value)})"]
    check = _CHECKS.get(param.type)
    return check(param, value, where) if check else []


def _same(a: Any, b: Any) -> bool:
    """Equal and of one kind: ``1 == True`` must not admit True into an enum of ints."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


def _check_string(param: Param, value: Any, where: str) -> list[str]:
    if isinstance(value, _dt.date) and param.format in ("date", "date-time"):
        return []
    if not isinstance(value, str):
        return [f"{where}: must be a string (got {type(value).__name__} {short_repr(value)})"]
    problems: list[str] = []
    if param.min_length is not None and len(value) < param.min_length:
        problems.append(f"{where}: must have at least {param.min_length} characters "
                        f"(got {len(value)})")
    if param.max_length is not None and len(value) > param.max_length:
        problems.append(f"{where}: must have at most {param.max_length} characters "
                        f"(got {len(value)})")
    if param.pattern is not None:
        # RE2, never a backtracking engine: a value can cost time linear in its length
        # only, at the gateway as in a plan's check.
        try:
            matched = pattern_search(param.pattern, value)
        except PatternRefused as err:
            problems.append(f"{where}: the pattern {param.pattern!r} is not a valid regular "
                            f"expression for a linear-time check: {err}")
        else:
            if not matched:
                problems.append(f"{where}: must match the pattern {param.pattern!r} "
                                f"(got {short_repr(value)})")
    problems.extend(_check_format(param.format, value, where))
    return problems


def _check_format(fmt: str | None, value: str, where: str) -> list[str]:
    if fmt == "date" and not _parses(_dt.date.fromisoformat, value, 10):
        return [f"{where}: must be a date written YYYY-MM-DD (got {short_repr(value)})"]
    if fmt == "date-time" and not _parses(_dt.datetime.fromisoformat, value, None):
        return [f"{where}: must be a date-time written YYYY-MM-DDTHH:MM[:SS] "
                f"(got {short_repr(value)})"]
    if fmt == "email" and not _is_email(value):
        return [f"{where}: must be an email address (got {short_repr(value)})"]
    return []


def _parses(parse: Any, value: str, exact_length: int | None) -> bool:
    if exact_length is not None and len(value) != exact_length:
        return False
    try:
        parse(value)
    except ValueError:
        return False
    return True


def _is_email(value: str) -> bool:
    """``local@domain.tld`` without spaces or a second ``@`` (no regex: linear time)."""
    if any(c.isspace() for c in value) or value.count("@") != 1:
        return False
    local, domain = value.split("@")
    return bool(local) and "." in domain[1:-1]


def _check_number(param: Param, value: Any, where: str) -> list[str]:
    integer = param.type == "integer"
    ok = isinstance(value, int) if integer else isinstance(value, (int, float))
    if not ok or isinstance(value, bool):
        kind = "an integer" if integer else "a number"
        return [f"{where}: must be {kind} (got {type(value).__name__} {short_repr(value)})"]
    if isinstance(value, float) and math.isnan(value):
        return [f"{where}: must be a number (got nan)"]
    problems = []
    if param.minimum is not None and value < param.minimum:
        problems.append(f"{where}: must be at least {param.minimum} (got {value})")
    if param.maximum is not None and value > param.maximum:
        problems.append(f"{where}: must be at most {param.maximum} (got {value})")
    if param.exclusive_minimum is not None and value <= param.exclusive_minimum:
        problems.append(f"{where}: must be more than {param.exclusive_minimum} (got {value})")
    if param.exclusive_maximum is not None and value >= param.exclusive_maximum:
        problems.append(f"{where}: must be less than {param.exclusive_maximum} (got {value})")
    return problems


def _check_boolean(param: Param, value: Any, where: str) -> list[str]:
    if isinstance(value, bool):
        return []
    return [f"{where}: must be True or False (got {short_repr(value)})"]


def _check_date(param: Param, value: Any, where: str) -> list[str]:
    if isinstance(value, _dt.date):
        return []
    if isinstance(value, str):
        return _check_format("date", value, where)
    return [f"{where}: must be a date written YYYY-MM-DD (got {short_repr(value)})"]


def _check_array(param: Param, value: Any, where: str) -> list[str]:
    if isinstance(value, (set, frozenset)):
        value = list(value)
    if not isinstance(value, (list, tuple)):
        return [f"{where}: must be a list (got {type(value).__name__} {short_repr(value)})"]
    problems = []
    if param.min_items is not None and len(value) < param.min_items:
        problems.append(f"{where}: must have at least {param.min_items} items (got {len(value)})")
    if param.max_items is not None and len(value) > param.max_items:
        problems.append(f"{where}: must have at most {param.max_items} items (got {len(value)})")
    if param.items is not None:
        for i, item in enumerate(value):
            problems.extend(value_problems(param.items, item, f"{where}[{i}]"))
    return problems


def _check_object(param: Param, value: Any, where: str) -> list[str]:
    plain = value if isinstance(value, Mapping) else to_jsonable(value)
    if not isinstance(plain, Mapping):
        return [f"{where}: must be an object (got {type(value).__name__} {short_repr(value)})"]
    problems = []
    for prop in param.properties:
        if prop.name in plain:
            problems.extend(value_problems(prop, plain[prop.name], f"{where}.{prop.name}"))
        elif prop.required:
            problems.append(f"{where}: lacks the required field {prop.name!r}")
    if param.properties and not param.additional_properties:
        known = {p.name for p in param.properties}
        extra = sorted(str(k) for k in plain if k not in known)
        if extra:
            problems.append(f"{where}: has unexpected fields {', '.join(extra)}")
    return problems


_CHECKS = {
    "string": _check_string,
    "integer": _check_number,
    "number": _check_number,
    "boolean": _check_boolean,
    "date": _check_date,
    "array": _check_array,
    "object": _check_object,
}
