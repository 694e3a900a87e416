"""JSON Schema ``pattern`` to a regex for the inside of a plan string, when it is simple enough.

Only fully anchored patterns (``^...$``) built from literals, classes, groups,
alternation and quantifiers are translated; anything that could match a quote, a
backslash or a control character (which plan strings must escape), and anything the
two grammar engines might read differently (``.``, negated classes, lookarounds,
backreferences, lazy quantifiers) is refused with ``None``, and the value falls back to
a plain bounded string.

>>> translate_pattern(r"^[A-Z]{3}-\\d{2,4}$")
'[A-Z]{3}\\\\-[0-9]{2,4}'
>>> translate_pattern("^a.b$") is None, translate_pattern("abc") is None
(True, True)
"""

from __future__ import annotations

import re

from .text import regex_escape

__all__ = ["translate_pattern"]

_CLASS_ESCAPES = {"d": "0-9", "w": "A-Za-z0-9_"}
_MAX_REPEAT = 1000
_REPEAT = re.compile(r"\{(\d+)(,(\d*))?\}")


def _safe(char: str) -> bool:
    code = ord(char)
    return char not in '"\\' and code >= 0x20 and code != 0x7F and not 0xD800 <= code < 0xE000


def _safe_range(low: int, high: int) -> bool:
    """Whether no character from ``low`` to ``high`` would need escaping in a plan string."""
    if high < low or low < 0x20:
        return False
    return not any(low <= code <= high for code in (0x22, 0x5C, 0x7F, 0xD800, 0xDFFF)) and not (
        low < 0xD800 and high > 0xDFFF)


def _class_char(char: str) -> str:
    return "\\" + char if char in "\\]^-[" else regex_escape(char)


def translate_pattern(pattern: str) -> str | None:
    """A regex for the characters between the quotes, or ``None`` when not translatable."""
    if len(pattern) < 2 or not pattern.startswith("^") or not pattern.endswith("$"):
        return None
    body = pattern[1:-1]
    if body.endswith("\\") and not body.endswith("\\\\"):
        return None
    out: list[str] = []
    depth = 0
    atom = False  # whether a quantifier may follow
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            if i + 1 >= len(body):
                return None
            code = body[i + 1]
            if code in _CLASS_ESCAPES:
                out.append(f"[{_CLASS_ESCAPES[code]}]")
            elif not code.isalnum() and _safe(code):
                out.append(regex_escape(code))
            else:
                return None
            i += 2
            atom = True
        elif char == "[":
            end = _read_class(body, i)
            if end is None:
                return None
            out.append(end[0])
            i = end[1]
            atom = True
        elif char == "(":
            if body.startswith("(?:", i):
                i += 3
            elif body.startswith("(?", i):
                return None
            else:
                i += 1
            out.append("(?:")
            depth += 1
            atom = False
        elif char == ")":
            depth -= 1
            if depth < 0:
                return None
            out.append(")")
            i += 1
            atom = True
        elif char == "|":
            out.append("|")
            i += 1
            atom = False
        elif char in "*+?":
            if not atom or body[i + 1:i + 2] in ("?", "+"):
                return None
            out.append(char)
            i += 1
            atom = False
        elif char == "{":
            match = _REPEAT.match(body, i)
            if not atom or match is None or body[match.end():match.end() + 1] in ("?", "+"):
                return None
            low = int(match.group(1))
            high = match.group(3)
            if low > _MAX_REPEAT or (high and (int(high) > _MAX_REPEAT or int(high) < low)):
                return None
            out.append(match.group())
            i = match.end()
            atom = False
        elif char in ".^$" or not _safe(char):
            return None
        else:
            out.append(regex_escape(char))
            i += 1
            atom = True
    if depth != 0:
        return None
    result = "".join(out)
    try:
        re.compile(result)
    except re.error:
        return None
    return result


def _read_class(body: str, start: int) -> tuple[str, int] | None:
    """A positive character class starting at ``body[start] == '['``, re-escaped."""
    i = start + 1
    if body[i:i + 1] == "^":
        return None
    parts: list[str] = []
    while i < len(body) and body[i] != "]":
        char = body[i]
        if char == "\\":
            code = body[i + 1:i + 2]
            if code in _CLASS_ESCAPES:
                parts.append(_CLASS_ESCAPES[code])
                i += 2
                continue
            if not code or code.isalnum() or not _safe(code):
                return None
            char = code
            i += 2
        elif char == "[":
            return None  # nested classes / POSIX classes read differently across engines
        else:
            if not _safe(char):
                return None
            i += 1
        if body[i:i + 1] == "-" and body[i + 1:i + 2] not in ("]", ""):
            high = body[i + 1]
            if high == "\\":
                high = body[i + 2:i + 3]
                if not high or high.isalnum() or not _safe(high):
                    return None
                i += 3
            else:
                i += 2
            if not _safe_range(ord(char), ord(high)):
                return None
            parts.append(f"{_class_char(char)}-{_class_char(high)}")
        else:
            parts.append(_class_char(char))
    if i >= len(body) or not parts:
        return None
    return "[" + "".join(parts) + "]", i + 1
