"""The regular expressions neurosym understands, parsed into a small tree the solver encodes.

The subset is what JSON Schema ``pattern`` keywords use in practice: literals, ``.``,
classes and ranges (``[a-z0-9_]``, ``[^@]``), the escapes ``\\d \\w \\s`` (ASCII, as in
JSON Schema) and their negations, quantifiers ``* + ? {m} {m,} {m,n}`` (lazy forms
accepted: they match the same strings), alternation, groups, and the anchors ``^`` and
``$`` at the ends of a branch. Matching is a *search*, as in JSON Schema and
:func:`re.search`: anchor with ``^`` and ``$`` to match the whole value. ``$`` matches at
the very end only, as JSON Schema reads it (Python's would also allow a final newline).

>>> pattern = parse_pattern("^[A-Z]{3}$")
>>> pattern.branches[0].anchored_start, pattern.branches[0].anchored_end
(True, True)
>>> finite_language(parse_pattern("^(USD|EUR)$"), limit=5)
('EUR', 'USD')
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Union

__all__ = ["MAX_CHAR", "CharSet", "Literal", "Concat", "Alternation", "Repeat", "RegexNode",
           "Branch", "Pattern", "PatternError", "parse_pattern", "finite_language"]

# The largest code point the solver's string theory represents.
MAX_CHAR = 0x2FFFF


class PatternError(ValueError):
    """A pattern outside the supported subset; ``hint`` says how to rewrite it."""

    def __init__(self, message: str, *, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class CharSet:
    """One character out of sorted, disjoint, inclusive code-point ranges."""

    ranges: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Literal:
    text: str


@dataclass(frozen=True)
class Concat:
    items: tuple[RegexNode, ...]


@dataclass(frozen=True)
class Alternation:
    options: tuple[RegexNode, ...]


@dataclass(frozen=True)
class Repeat:
    item: RegexNode
    min: int
    max: int | None  # None: unbounded


RegexNode = Union[CharSet, Literal, Concat, Alternation, Repeat]


@dataclass(frozen=True)
class Branch:
    """One top-level alternative with its anchors lifted out."""

    node: RegexNode
    anchored_start: bool
    anchored_end: bool


@dataclass(frozen=True)
class Pattern:
    source: str
    branches: tuple[Branch, ...]


class _Anchor:
    def __init__(self, kind: str) -> None:
        self.kind = kind  # "^" or "$"


_DIGIT = ((48, 57),)
_WORD = ((48, 57), (65, 90), (95, 95), (97, 122))
_SPACE = ((9, 13), (32, 32))
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "0": "\0"}


def _normalise(ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def _complement(ranges: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    start = 0
    for lo, hi in ranges:
        if lo > start:
            out.append((start, lo - 1))
        start = max(start, hi + 1)
    if start <= MAX_CHAR:
        out.append((start, MAX_CHAR))
    return tuple(out)


class _Parser:
    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0

    def error(self, message: str, hint: str) -> PatternError:
        return PatternError(f"{message} at position {self.pos} of pattern {self.src!r}",
                            hint=hint)

    def peek(self) -> str | None:
        return self.src[self.pos] if self.pos < len(self.src) else None

    def parse(self) -> RegexNode | _Anchor:
        node = self.alternation()
        if self.pos < len(self.src):
            raise self.error(f"unbalanced {self.src[self.pos]!r}",
                             "balance the parentheses of the pattern")
        return node

    def alternation(self) -> RegexNode:
        options = [self.sequence()]
        while self.peek() == "|":
            self.pos += 1
            options.append(self.sequence())
        if len(options) == 1:
            return options[0]
        return Alternation(tuple(options))  # type: ignore[arg-type]

    def sequence(self) -> RegexNode:
        items: list[RegexNode | _Anchor] = []
        while self.peek() not in (None, "|", ")"):
            items.append(self.piece())
        flat: list[RegexNode | _Anchor] = []
        for item in items:
            if isinstance(item, Concat):
                flat.extend(item.items)
            else:
                flat.append(item)
        if len(flat) == 1:
            return flat[0]  # type: ignore[return-value]
        return Concat(tuple(flat))  # type: ignore[arg-type]

    def piece(self) -> RegexNode | _Anchor:
        atom = self.atom()
        while True:
            quant = self.quantifier()
            if quant is None:
                return atom
            if isinstance(atom, _Anchor):
                raise self.error("a quantifier after an anchor", "remove the quantifier")
            lo, hi = quant
            if self.peek() == "?":
                self.pos += 1  # lazy: the same language
            elif self.peek() == "+":
                raise self.error("possessive quantifiers are not supported",
                                 "drop the trailing '+' of the quantifier")
            atom = Repeat(atom, lo, hi)

    def quantifier(self) -> tuple[int, int | None] | None:
        ch = self.peek()
        if ch == "*":
            self.pos += 1
            return 0, None
        if ch == "+":
            self.pos += 1
            return 1, None
        if ch == "?":
            self.pos += 1
            return 0, 1
        if ch == "{":
            end = self.src.find("}", self.pos)
            if end < 0:
                return None
            body = self.src[self.pos + 1:end]
            lo_text, comma, hi_text = body.partition(",")
            if not lo_text.isdigit() or (hi_text and not hi_text.isdigit()):
                return None  # Python reads a malformed brace as literal text
            lo = int(lo_text)
            hi = (int(hi_text) if hi_text else None) if comma else lo
            if hi is not None and hi < lo:
                raise self.error(f"quantifier {{{body}}} has max below min",
                                 "write {min,max} with min <= max")
            self.pos = end + 1
            return lo, hi
        return None

    def atom(self) -> RegexNode | _Anchor:
        ch = self.src[self.pos]
        if ch == "(":
            self.pos += 1
            if self.src.startswith("?:", self.pos):
                self.pos += 2
            elif self.src.startswith("?P<", self.pos) or (
                    self.src.startswith("?<", self.pos)
                    and not self.src.startswith("?<=", self.pos)
                    and not self.src.startswith("?<!", self.pos)):
                end = self.src.find(">", self.pos)
                if end < 0:
                    raise self.error("unterminated group name", "close the name with '>'")
                self.pos = end + 1
            elif self.peek() == "?":
                what = self.src[self.pos:self.pos + 3]
                if what.startswith(("?=", "?!", "?<=", "?<!")):
                    raise self.error("lookarounds are not supported",
                                     "express the condition as a separate constraint")
                raise self.error(f"group flag {what!r} is not supported",
                                 "spell out alternatives instead of flags, e.g. [Aa] for a "
                                 "case-insensitive a")
            node = self.alternation()
            if self.peek() != ")":
                raise self.error("missing ')'", "close every '(' of the pattern")
            self.pos += 1
            return node
        if ch == "[":
            return self.char_class()
        if ch == ".":
            self.pos += 1
            return CharSet(_complement(((10, 10),)))
        if ch == "^":
            self.pos += 1
            return _Anchor("^")
        if ch == "$":
            self.pos += 1
            return _Anchor("$")
        if ch == "\\":
            return self.escape(in_class=False)
        if ch in "*+?":
            raise self.error(f"nothing to repeat before {ch!r}", f"escape it as '\\{ch}'")
        if ch == ")":
            raise self.error("unbalanced ')'", "balance the parentheses of the pattern")
        self.pos += 1
        return Literal(ch)

    def escape(self, *, in_class: bool) -> CharSet | Literal | _Anchor:
        self.pos += 1
        if self.pos >= len(self.src):
            raise self.error("the pattern ends with a lone backslash", "escape it as '\\\\'")
        ch = self.src[self.pos]
        self.pos += 1
        classes = {"d": _DIGIT, "w": _WORD, "s": _SPACE}
        if ch in classes:
            return CharSet(classes[ch])
        if ch.lower() in classes:
            return CharSet(_complement(classes[ch.lower()]))
        if ch in _SIMPLE_ESCAPES:
            return Literal(_SIMPLE_ESCAPES[ch])
        if ch == "b" and in_class:
            return Literal("\b")
        if ch in "xu":
            width = 2 if ch == "x" else 4
            digits = self.src[self.pos:self.pos + width]
            if len(digits) != width or any(c not in "0123456789abcdefABCDEF" for c in digits):
                raise self.error(f"bad \\{ch} escape", f"write \\{ch} with {width} hex digits")
            self.pos += width
            return Literal(chr(int(digits, 16)))
        if not in_class and ch == "A":
            return _Anchor("^")
        if not in_class and ch == "Z":
            return _Anchor("$")
        if ch in "bB":
            raise self.error("word boundaries are not supported",
                             "match the separating characters explicitly, e.g. \\s")
        if ch.isdigit():
            raise self.error("backreferences are not supported",
                             "repeat the referenced group literally")
        if ch.isalnum():
            raise self.error(f"unknown escape \\{ch}", "use \\d, \\w, \\s or a character class")
        return Literal(ch)

    def char_class(self) -> CharSet:
        self.pos += 1
        negated = self.peek() == "^"
        if negated:
            self.pos += 1
        ranges: list[tuple[int, int]] = []
        first = True
        while True:
            ch = self.peek()
            if ch is None:
                raise self.error("missing ']'", "close the character class with ']'")
            if ch == "]" and not first:
                self.pos += 1
                break
            first = False
            lo_item = self.class_item()
            if isinstance(lo_item, CharSet):
                ranges.extend(lo_item.ranges)
                continue
            ranged = self.src[self.pos:self.pos + 2]
            if ranged.startswith("-") and len(ranged) == 2 and ranged != "-]":
                self.pos += 1
                hi_item = self.class_item()
                if isinstance(hi_item, CharSet):
                    raise self.error("a range cannot end in a class like \\d",
                                     "write the range's two ends as single characters")
                if ord(hi_item) < ord(lo_item):
                    raise self.error(f"bad range {lo_item}-{hi_item}", "write ranges low to high")
                ranges.append((ord(lo_item), ord(hi_item)))
            else:
                ranges.append((ord(lo_item), ord(lo_item)))
        result = _normalise(ranges)
        return CharSet(_complement(result) if negated else result)

    def class_item(self) -> str | CharSet:
        ch = self.src[self.pos]
        if ch == "\\":
            item = self.escape(in_class=True)
            if isinstance(item, _Anchor):  # pragma: no cover - anchors are not parsed in classes
                raise self.error("an anchor inside a class", "remove it")
            if isinstance(item, Literal):
                return item.text
            return item
        if ch == "[" and self.src.startswith("[:", self.pos):
            raise self.error("POSIX classes like [:alpha:] are not supported",
                             "write the ranges out, e.g. [a-zA-Z]")
        self.pos += 1
        return ch


def _lift_anchors(node: RegexNode | _Anchor, source: str) -> Branch:
    items = list(node.items) if isinstance(node, Concat) else [node]
    start = end = False
    while items and isinstance(items[0], _Anchor) and items[0].kind == "^":
        items.pop(0)
        start = True
    while items and isinstance(items[-1], _Anchor) and items[-1].kind == "$":
        items.pop()
        end = True
    for item in items:
        if isinstance(item, _Anchor) or _contains_anchor(item):
            raise PatternError(
                f"an anchor in the middle of pattern {source!r}",
                hint="use ^ and $ only at the start and end of the pattern or of a top-level "
                     "alternative")
    body = Concat(tuple(items)) if len(items) != 1 else items[0]  # type: ignore[arg-type]
    return Branch(body, start, end)


def _contains_anchor(node: RegexNode | _Anchor) -> bool:
    if isinstance(node, _Anchor):
        return True
    if isinstance(node, Concat):
        return any(_contains_anchor(i) for i in node.items)
    if isinstance(node, Alternation):
        return any(_contains_anchor(o) for o in node.options)
    if isinstance(node, Repeat):
        return _contains_anchor(node.item)
    return False


@functools.lru_cache(maxsize=512)
def parse_pattern(source: str) -> Pattern:
    """Parse a pattern, raising :class:`PatternError` (with a hint) outside the subset."""
    if not isinstance(source, str):
        raise PatternError(f"a pattern must be a string, not {type(source).__name__}",
                           hint="write the pattern as text")
    from ..tools.linear_regex import MAX_GROUP_DEPTH, group_depth
    if group_depth(source) > MAX_GROUP_DEPTH:
        # The parser, the solver's encoding and the grammar all walk the tree recursively.
        raise PatternError(f"the pattern {source[:40]!r} nests groups more than "
                           f"{MAX_GROUP_DEPTH} deep", hint="write the pattern flatter")
    tree = _Parser(source).parse()
    if _tree_depth(tree) > 2 * MAX_GROUP_DEPTH:
        raise PatternError(f"the pattern {source[:40]!r} nests more than "
                           f"{2 * MAX_GROUP_DEPTH} groups and quantifiers deep",
                           hint="write the pattern flatter (no quantifier on a quantifier)")
    options = tree.options if isinstance(tree, Alternation) else (tree,)
    return Pattern(source, tuple(_lift_anchors(o, source) for o in options))


def _tree_depth(tree: RegexNode | _Anchor) -> int:
    """How deep the parsed tree is, walked without recursion."""
    deepest = 0
    stack: list[tuple[object, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(node, Concat):
            stack.extend((item, depth + 1) for item in node.items)
        elif isinstance(node, Alternation):
            stack.extend((option, depth + 1) for option in node.options)
        elif isinstance(node, Repeat):
            stack.append((node.item, depth + 1))
    return deepest


def finite_language(pattern: Pattern, *, limit: int) -> tuple[str, ...] | None:
    """Every string the pattern matches when they are at most ``limit``, else None.

    Only fully anchored patterns can have a finite language.
    """
    words: set[str] = set()
    for branch in pattern.branches:
        if not (branch.anchored_start and branch.anchored_end):
            return None
        found = _words(branch.node, limit)
        if found is None:
            return None
        words |= found
        if len(words) > limit:
            return None
    return tuple(sorted(words))


def _words(node: RegexNode, limit: int) -> set[str] | None:
    if isinstance(node, Literal):
        return {node.text}
    if isinstance(node, CharSet):
        size = sum(hi - lo + 1 for lo, hi in node.ranges)
        if size > limit:
            return None
        return {chr(c) for lo, hi in node.ranges for c in range(lo, hi + 1)}
    if isinstance(node, Alternation):
        out: set[str] = set()
        for option in node.options:
            found = _words(option, limit)
            if found is None:
                return None
            out |= found
            if len(out) > limit:
                return None
        return out
    if isinstance(node, Concat):
        acc = {""}
        for item in node.items:
            found = _words(item, limit)
            if found is None:
                return None
            acc = {a + b for a in acc for b in found}
            if len(acc) > limit:
                return None
        return acc
    if isinstance(node, Repeat):
        if node.max is None:
            return None
        base = _words(node.item, limit)
        if base is None:
            return None
        out = set()
        current = {""}
        for count in range(node.max + 1):
            if count >= node.min:
                out |= current
            if count == node.max:
                break
            current = {a + b for a in current for b in base}
            if len(current) > limit or len(out) > limit:
                return None
        return out if len(out) <= limit else None
    raise TypeError(node)  # pragma: no cover
