"""The syntax of one value, by its :class:`~neurosym.tools.tool.Param`, as grammar rules.

Every value is written as the canonical plan text writes it: strings in double quotes
(bounded length, or a date, or the parameter's own pattern when it translates),
integers as digits with an optional minus (exactly the range when both bounds are
known), numbers as an integer or a float, booleans as ``True``/``False``, enums as the
alternatives of their values, arrays and objects with their items and properties,
``any`` as any literal, and ``None`` only where the parameter is nullable or optional.

:func:`value_grammar` gives the grammar of a single value on its own, which a search
can narrow further to a finite set of values or a regex (e.g. an integer range).

>>> from neurosym.tools.tool import Param
>>> from neurosym.grammar.engines import lark_accepts
>>> grammar = value_grammar(Param("n", "integer", minimum=1, maximum=12))
>>> [lark_accepts(grammar, text) for text in ("1", "12", "13", "0", "-1", "x")]
[True, True, False, False, False, False]
>>> grammar = value_grammar(Param("n", "integer"), allowed=range(-5, 100))
>>> [lark_accepts(grammar, text) for text in ("-5", "99", "100", "-6", "007")]
[True, True, False, False, False]
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from ..errors import GrammarError, PlanValidationError
from ..plan.parse import CONSTANTS, INT_MAX, INT_MIN
from ..plan.render import render_plain
from ..tools.tool import Param
from ._pattern import translate_pattern
from .text import Rules, identifier_regex, lark_literal

__all__ = ["value_grammar", "integer_range_regex", "ValueWriter", "REF_REGEX", "NAME_REGEX",
           "MAX_LISTED_ITEMS"]

#: A name a step's result is bound to: an identifier that is not a constant.
NAME_REGEX = identifier_regex(frozenset(CONSTANTS))
#: A reference to an earlier result, as the canonical text writes it.
REF_REGEX = NAME_REGEX + r"(?:\.[A-Za-z_][A-Za-z0-9_]*|\[-?[0-9]+\])*"
#: Arrays whose maxItems is at most this are bounded exactly; longer bounds are dropped.
MAX_LISTED_ITEMS = 16

# One character of a plan string: anything but a quote, a backslash or a control
# character, or a JSON escape. Quotes are written \x22: lark mangles \" in a regex.
_STRING_CHAR = r"(?:[^\x22\\\x00-\x1f]|\\[\x22\\\/bfnrt]|\\u[0-9a-fA-F]{4})"
_NUMBER = (r"-?(?:0|[1-9][0-9]{0,18})(?:\.[0-9]{1,24})?(?:[eE][+-]?[0-9]{1,3})?")
_UNSIGNED_NUMBER = _NUMBER[2:]
_DATE = r"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?"
_FORMATS = {
    "date": _DATE,
    "time": _TIME,
    "date-time": _DATE + r"[T ]" + _TIME + r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])?",
    "email": r"[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){0,8}",
}


def integer_range_regex(low: int, high: int) -> str:
    """A regex matching exactly the decimal integers from ``low`` to ``high`` (canonical:
    no leading zeros, no ``-0``, no ``+``), in the syntax both grammar engines read.

    >>> integer_range_regex(7, 123)
    '(?:1[0-1][0-9]|12[0-3]|[1-9][0-9]|[7-9])'
    >>> integer_range_regex(-3, 0)
    '(?:-[1-3]|0)'
    """
    if low > high:
        raise GrammarError(f"empty integer range {low}..{high}",
                           hint="give a low bound no greater than the high bound")
    alternatives: list[str] = []
    if low < 0:
        negatives = _unsigned_range(max(1, -high), -low)
        if len(negatives) == 1:
            alternatives.append("-" + negatives[0])
        else:
            alternatives.append("-(?:" + "|".join(negatives) + ")")
    if high >= 0:
        alternatives.extend(_unsigned_range(max(0, low), high))
    return "(?:" + "|".join(alternatives) + ")"


def _unsigned_range(low: int, high: int) -> list[str]:
    """Alternatives for ``low..high`` (both >= 0), split by number of digits, the widest
    first: Python's regex takes the first alternative that matches, llguidance the
    longest match, and widest-first makes the two agree."""
    out: list[str] = []
    for width in range(len(str(high)), len(str(low)) - 1, -1):
        start = max(low, 10 ** (width - 1) if width > 1 else 0)
        stop = min(high, 10 ** width - 1)
        if start <= stop:
            out.extend(_same_width(str(start), str(stop)))
    return out


def _same_width(low: str, high: str) -> list[str]:
    """Alternatives for the digit strings from ``low`` to ``high`` of the same width."""
    if low == high:
        return [low]
    if len(low) == 1:
        return [f"[{low}-{high}]"]
    if low[0] == high[0]:
        return [low[0] + rest for rest in _same_width(low[1:], high[1:])]
    width = len(low) - 1
    out: list[str] = []
    first, last = int(low[0]), int(high[0])
    if low[1:] == "0" * width:
        middle_start = first
    else:
        out.extend(low[0] + rest for rest in _same_width(low[1:], "9" * width))
        middle_start = first + 1
    if high[1:] == "9" * width:
        middle_stop = last
        tail: list[str] = []
    else:
        middle_stop = last - 1
        tail = [high[0] + rest for rest in _same_width("0" * width, high[1:])]
    if middle_start <= middle_stop:
        digit = (str(middle_start) if middle_start == middle_stop
                 else f"[{middle_start}-{middle_stop}]")
        out.append(digit + ("[0-9]" if width == 1 else f"[0-9]{{{width}}}"))
    out.extend(tail)
    return out


def _integer_bounds(param: Param) -> tuple[int, int]:
    low, high = INT_MIN, INT_MAX
    if param.minimum is not None:
        low = max(low, math.ceil(param.minimum))
    if param.exclusive_minimum is not None:
        low = max(low, math.floor(param.exclusive_minimum) + 1)
    if param.maximum is not None:
        high = min(high, math.floor(param.maximum))
    if param.exclusive_maximum is not None:
        high = min(high, math.ceil(param.exclusive_maximum) - 1)
    return low, high


def _nonnegative(param: Param) -> bool:
    return ((param.minimum is not None and param.minimum >= 0)
            or (param.exclusive_minimum is not None and param.exclusive_minimum >= 0))


class ValueWriter:
    """Writes the rules for values into a :class:`Rules`, sharing identical ones.

    ``ref`` and ``call`` name what may stand for any value besides a literal (the
    terminal of references, the rule of nested calls), or are ``None`` to forbid it.
    """

    def __init__(self, rules: Rules, *, max_string_length: int, ref: str | None = None,
                 call: str | None = None) -> None:
        if max_string_length < 0:
            raise GrammarError("max_string_length must be at least 0",
                               hint="pass a positive bound such as 200")
        self.rules = rules
        self.max_string_length = max_string_length
        self.ref = ref
        self.call = call
        self._any: str | None = None

    # --- whole values ----------------------------------------------------------------

    def value(self, param: Param, *, optional: bool = False) -> str:
        """A rule for a value of ``param``: its literal syntax, ``None`` when allowed, and
        a reference or a nested call when enabled. ``optional`` marks a parameter or
        property that may be left out, which also admits ``None``."""
        alternatives = [self.literal(param)]
        if (param.nullable or optional or not param.required) and not self._admits_none(param):
            alternatives.append('"None"')
        if self.ref is not None:
            alternatives.append(self.ref)
        if self.call is not None:
            alternatives.append(self.call)
        return self.rules.rule("v", " | ".join(alternatives))

    def _admits_none(self, param: Param) -> bool:
        if param.enum is not None:
            return any(v is None for v in param.enum)
        return param.type == "any"

    def literal(self, param: Param) -> str:
        """A rule or terminal for the literal syntax of ``param`` alone."""
        if param.enum is not None:
            return self.choice(param.enum, what=f"enum of {param.name!r}")
        kind = param.type
        if kind == "string":
            return self.string(param)
        if kind == "date":
            return self.regex_string(_DATE)
        if kind == "integer":
            low, high = _integer_bounds(param)
            if low > high:
                raise GrammarError(f"parameter {param.name!r} admits no integer "
                                   f"(bounds {param.minimum}..{param.maximum})",
                                   hint="fix minimum/maximum so some integer lies between")
            return self.rules.terminal("int", f"/{integer_range_regex(low, high)}/")
        if kind == "number":
            regex = _UNSIGNED_NUMBER if _nonnegative(param) else _NUMBER
            return self.rules.terminal("num", f"/{regex}/")
        if kind == "boolean":
            return self.rules.rule("bool", '"True" | "False"')
        if kind == "array":
            return self.array(param)
        if kind == "object":
            return self.object(param)
        if kind == "enum":
            raise GrammarError(f"parameter {param.name!r} is an enum without values",
                               hint="list the allowed values in the parameter's enum")
        return self.any()

    # --- scalars ---------------------------------------------------------------------

    def choice(self, values: Iterable[Any], *, what: str = "the allowed values") -> str:
        try:
            texts = list(dict.fromkeys(render_plain(v) for v in values))
        except PlanValidationError as err:
            raise GrammarError(f"{what}: {err.message}", hint=err.hint) from None
        if not texts:
            raise GrammarError(f"{what} is empty", hint="allow at least one value")
        return self.rules.rule("enum", " | ".join(lark_literal(t) for t in texts))

    def string(self, param: Param) -> str:
        if param.pattern is not None:
            regex = translate_pattern(param.pattern)
            if regex is not None:
                return self.regex_string(regex)
        if param.format in _FORMATS:
            return self.regex_string(_FORMATS[param.format])
        low = param.min_length or 0
        high = self.max_string_length
        if param.max_length is not None:
            if param.max_length < low:
                raise GrammarError(f"parameter {param.name!r} has minLength {low} above "
                                   f"maxLength {param.max_length}",
                                   hint="fix minLength/maxLength")
            high = min(high, param.max_length)
        # the schema's own minimum beats the default bound on string length
        return self.bounded_string(low, max(high, low))

    def bounded_string(self, low: int, high: int) -> str:
        return self.rules.terminal("str", rf"/\x22{_STRING_CHAR}{{{low},{high}}}\x22/")

    def regex_string(self, regex: str) -> str:
        """A string whose characters between the quotes match ``regex``."""
        return self.rules.terminal("str", rf"/\x22(?:{regex})\x22/")

    # --- containers ------------------------------------------------------------------

    def array(self, param: Param) -> str:
        item = self.value(param.items if param.items is not None else Param("item"))
        low = param.min_items or 0
        high = param.max_items
        if high is not None and high > MAX_LISTED_ITEMS:
            high = None
        if high is not None and high < low:
            raise GrammarError(f"parameter {param.name!r} has minItems {low} above "
                               f"maxItems {high}", hint="fix minItems/maxItems")
        more = f'(", " {item})'
        if high == 0:
            body = '"[]"'
        elif low == 0:
            rest = f"{more}*" if high is None else (f"{more}~0..{high - 1}" if high > 1 else "")
            body = f'"[" ({item} {rest})? "]"'
        else:
            parts = [item]
            if low > 1:
                parts.append(f"{more}~{low - 1}")
            if high is None:
                parts.append(f"{more}*")
            elif high > low:
                parts.append(f"{more}~0..{high - low}")
            body = '"[" ' + " ".join(parts) + ' "]"'
        return self.rules.rule("list", body)

    def object(self, param: Param) -> str:
        if not param.properties:
            if not param.additional_properties:
                return self.rules.rule("dict", '"{}"')
            return self.any_dict()
        entries = [(lark_literal(render_plain(p.name) + ": "),
                    lark_literal(", " + render_plain(p.name) + ": "),
                    self.value(p, optional=not p.required), p.required)
                   for p in param.properties]
        inner = self.sequence(entries, "prop")
        if inner is None:
            return self.rules.rule("dict", '"{}"')
        return self.rules.rule("dict", f'"{{" {inner} "}}"')

    def sequence(self, entries: list[tuple[str, str, str, bool]], hint: str) -> str | None:
        """Rules for entries in declared order, required ones present, optional ones
        skippable, separated by ``", "``; each entry is (first literal, later literal,
        value rule, required). The result may match the empty text only when every entry
        is optional: then it is returned as ``x?``. Size is linear in the entries."""
        if not entries:
            return None
        tails: list[str | None] = [None] * (len(entries) + 1)
        for i in range(len(entries) - 1, 0, -1):
            _, later, rule, required = entries[i]
            piece = f"{later} {rule}" if required else f"({later} {rule})?"
            after = tails[i + 1]
            body = piece if after is None else f"{piece} {after}"
            tails[i] = self.rules.rule(f"{hint}_tail", body)
        firsts: list[str] = []
        for k, (first, _, rule, required) in enumerate(entries):
            after = tails[k + 1]
            firsts.append(f"{first} {rule}" if after is None else f"{first} {rule} {after}")
            if required:
                break
        head = self.rules.rule(hint, " | ".join(firsts))
        return head if any(required for *_, required in entries) else f"{head}?"

    def any(self) -> str:
        """Any literal: string, number, boolean, None, or a list or dict whose items are
        any literal, or (where enabled) a reference or a nested call."""
        if self._any is None:
            string = self.bounded_string(0, self.max_string_length)
            number = self.rules.terminal("num", f"/{_NUMBER}/")
            name = self.rules.reserve("any")
            self._any = name
            item = self._any_item(name)
            self.rules.define(name, (
                f'{string} | {number} | "True" | "False" | "None"'
                f' | "[" ({item} (", " {item})*)? "]" | {self.any_dict()}'))
        return self._any

    def _any_item(self, any_rule: str) -> str:
        extra = [alt for alt in (self.ref, self.call) if alt is not None]
        return self.rules.rule("item", " | ".join([any_rule, *extra])) if extra else any_rule

    def any_dict(self) -> str:
        """A dict with any string keys and any items."""
        string = self.bounded_string(0, self.max_string_length)
        item = self._any_item(self.any())
        return self.rules.rule(
            "dict", f'"{{" ({string} ": " {item} (", " {string} ": " {item})*)? "}}"')


def value_grammar(param: Param, *, allowed: Iterable[Any] | range | None = None,
                  regex: str | None = None, max_string_length: int = 200,
                  allow_none: bool | None = None) -> str:
    """A standalone lark grammar (``start``) for one value of ``param``, as the plan text
    writes it.

    ``allowed`` narrows the value to a finite set of plain values, or to an integer
    ``range`` (step 1); ``regex`` narrows it to the texts the regex matches (a regex in
    the syntax both engines share, e.g. from :func:`integer_range_regex`). ``allow_none``
    overrides whether ``None`` is admitted; by default it is when the parameter is
    nullable or optional and nothing narrows it (a narrowed value admits ``None`` only
    when it is among the allowed values). References and nested calls are never part of
    a single value here.
    """
    rules = Rules()
    writer = ValueWriter(rules, max_string_length=max_string_length)
    if allowed is not None and regex is not None:
        raise GrammarError("give either allowed values or a regex, not both",
                           hint="intersect them first, or pass only one")
    if isinstance(allowed, range):
        if allowed.step != 1:
            raise GrammarError("an allowed range must have step 1",
                               hint="pass the values themselves as a list")
        if len(allowed) == 0:
            raise GrammarError("the allowed range is empty", hint="allow at least one value")
        body = rules.terminal("int", f"/{integer_range_regex(allowed.start, allowed[-1])}/")
    elif allowed is not None:
        body = writer.choice(allowed)
    elif regex is not None:
        body = rules.terminal("val", f"/(?:{regex})/")
    else:
        body = writer.literal(param)
    narrowed = allowed is not None or regex is not None
    if allow_none is None:
        allow_none = not narrowed and (param.nullable or not param.required)
    if allow_none and '"None"' not in body.split(" | "):
        body = f'{body} | "None"'
    rules.define("start", body)
    return rules.text()
