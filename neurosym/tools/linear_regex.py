"""Tool ``pattern`` keywords run on RE2, a regex engine whose matching time is linear.

A tool schema may carry any pattern, and Python's backtracking ``re`` can take
exponential time on some (``^(a+)+$`` against ``"aaaa...!"``). RE2 never backtracks: a
search costs time proportional to the pattern's size times the value's length. What RE2
cannot run in linear time it does not accept (backreferences, lookarounds, atomic
groups, possessive quantifiers, repetition counts above 1000); such a pattern is refused
when the tool is loaded, with the reason, never at the call.

>>> pattern_problem("^[A-Z]{3}$") is None
True
>>> print(pattern_problem(r"^(a)\\1$"))
a backreference (\\1) needs a backtracking engine, which may take exponential time
>>> pattern_search("^(a+)+$", "a" * 40 + "!")
False
"""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["MAX_GROUP_DEPTH", "group_depth", "MAX_PATTERN_LENGTH", "PatternRefused", "compile_pattern", "pattern_problem",
           "pattern_search"]

#: Longest pattern accepted; real schemas write a few dozen characters.
MAX_PATTERN_LENGTH = 2000
#: Deepest nesting of groups accepted.
MAX_GROUP_DEPTH = 50
# RE2's own bound on the memory of one compiled pattern (its default is 8 MiB).
_MAX_MEMORY = 8 << 20

_LOOKS = {"(?=": "a lookahead (?=...)", "(?!": "a negative lookahead (?!...)",
          "(?<=": "a lookbehind (?<=...)", "(?<!": "a negative lookbehind (?<!...)",
          "(?>": "an atomic group (?>...)"}
_EXPONENTIAL = "needs a backtracking engine, which may take exponential time"


class PatternRefused(ValueError):
    """A pattern the linear-time engine will not run; the message says why."""


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot be checked in linear time, or None when it can."""
    try:
        compile_pattern(pattern)
    except PatternRefused as err:
        return str(err)
    return None


def pattern_search(pattern: str, value: str) -> bool:
    """Whether ``pattern`` matches somewhere in ``value`` (JSON Schema's reading).

    Raises :class:`PatternRefused` for a pattern :func:`pattern_problem` refuses.
    """
    compiled = compile_pattern(pattern)
    try:
        return compiled.search(value) is not None
    except UnicodeEncodeError:
        # A lone surrogate has no UTF-8 form; it matches nothing a pattern spells out.
        return compiled.search(value.encode("utf-8", "replace").decode("utf-8")) is not None


@functools.lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> Any:
    """The compiled RE2 pattern (cached), or :class:`PatternRefused` with the reason."""
    if not isinstance(pattern, str):
        raise PatternRefused(f"a pattern must be a string, not {type(pattern).__name__}")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise PatternRefused(f"the pattern has {len(pattern)} characters, more than the "
                             f"{MAX_PATTERN_LENGTH} neurosym accepts")
    depth = group_depth(pattern)
    if depth > MAX_GROUP_DEPTH:
        # The solver and the grammar read patterns too, and a tree this deep is no
        # real pattern's.
        raise PatternRefused(f"the pattern nests groups {depth} deep, more than the "
                             f"{MAX_GROUP_DEPTH} neurosym accepts")
    import re2
    options = re2.Options()
    options.log_errors = False
    options.max_mem = _MAX_MEMORY
    try:
        return re2.compile(pattern, options=options)
    except UnicodeEncodeError:
        raise PatternRefused("the pattern holds a lone surrogate, which has no UTF-8 form"
                             ) from None
    except re2.error as err:
        raise PatternRefused(_reason(err)) from None


def group_depth(pattern: str) -> int:
    """How deep groups nest (escapes and character classes skipped)."""
    depth = deepest = 0
    index = 0
    in_class = False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern[index + 1:index + 2] == "]":
                index += 1
        elif char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth = max(depth - 1, 0)
        index += 1
    return deepest


def _reason(err: Exception) -> str:
    detail = err.args[0] if err.args else str(err)
    if isinstance(detail, bytes):
        detail = detail.decode("utf-8", "replace")
    detail = str(detail)
    kind, _, where = detail.partition(": ")
    if kind == "invalid escape sequence" and where[1:2].isdigit():
        return f"a backreference ({where}) {_EXPONENTIAL}"
    if kind == "invalid perl operator":
        for opening, what in _LOOKS.items():
            if where.startswith(opening):
                return f"{what} {_EXPONENTIAL}"
    if kind == "invalid repetition size":
        return (f"a repetition count above 1000 ({where}, nested counts multiplied) is more "
                "than a linear-time engine expands")
    if kind == "bad repetition operator" and where[-1:] == "+":
        return f"a possessive quantifier ({where}) {_EXPONENTIAL}"
    if kind == "pattern too large - compile failed":
        return "the pattern compiles to more than 8 MiB of automaton"
    return f"not a regular expression RE2 reads: {detail}"
