"""Grammars for one piece of a plan at a time, as a remote server takes them.

A server cannot be handed the planner's token masks, only a grammar per request. The
remote engines therefore write a plan a piece at a time (the next step's tool or the
end, then each argument), and each request carries the grammar of that piece alone.
When the solver refuses a value, the same piece is asked again with the refused texts
excluded: the grammar of "a value of this type, but none of these", built here as the
type's automaton walked along a trie of the excluded texts.

Grammars are built as small right-linear rule sets (:class:`Rules`) and rendered as
llama.cpp's GBNF (``to_gbnf``) or as Lark (``to_lark``, for vLLM's guidance backend).

>>> rules = Rules()
>>> rules.add("root", [[Lit("r1 = "), Ref("tool"), Lit("(")]])
'root'
>>> rules.add("tool", [[Lit("a")], [Lit("b")]])
'tool'
>>> print(rules.to_gbnf())
root ::= "r1 = " tool "("
tool ::= "a" | "b"
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Union

__all__ = ["Lit", "Chars", "Ref", "Rules", "Automaton", "STRING", "INTEGER", "NUMBER",
           "value_rule", "literal_text"]


@dataclass(frozen=True)
class Lit:
    """Exact text."""

    text: str


@dataclass(frozen=True)
class Chars:
    """One character of ``chars`` (or, ``negated``, any character but those)."""

    chars: frozenset[str]
    negated: bool = False

    def without(self, taken: Iterable[str]) -> Chars | None:
        """The same class less the characters in ``taken`` (None when nothing is left)."""
        taken = frozenset(taken)
        if self.negated:
            return Chars(self.chars | taken, True)
        rest = self.chars - taken
        return Chars(rest) if rest else None

    def admits(self, char: str) -> bool:
        return (char not in self.chars) if self.negated else (char in self.chars)


@dataclass(frozen=True)
class Ref:
    """Another rule."""

    name: str


Item = Union[Lit, Chars, Ref]


@dataclass
class Rules:
    """Named rules, each a list of alternatives (an empty alternative matches nothing)."""

    rules: dict[str, list[list[Item]]] = field(default_factory=dict)

    def add(self, name: str, alternatives: Sequence[Sequence[Item]]) -> str:
        self.rules[name] = [list(a) for a in alternatives]
        return name

    def __contains__(self, name: str) -> bool:
        return name in self.rules

    def to_gbnf(self) -> str:
        """llama.cpp's GBNF (``root`` is the start rule)."""
        lines = []
        for name, alternatives in self.rules.items():
            body = " | ".join(" ".join(_gbnf(item) for item in alt) if alt else '""'
                              for alt in alternatives)
            lines.append(f"{_gbnf_name(name)} ::= {body}")
        return "\n".join(lines)

    def to_lark(self) -> str:
        """Lark as llguidance reads it (``root`` becomes ``start``)."""
        # Lark has no empty terminal: a rule that matches only nothing is left out where
        # it is used, and a rule that may match nothing is written optional.
        empty = {name for name, alternatives in self.rules.items()
                 if all(not alt for alt in alternatives)}
        lines = []
        for name, alternatives in self.rules.items():
            if name in empty and name != "root":
                continue
            kept = [[item for item in alt if not (isinstance(item, Ref) and item.name in empty)]
                    for alt in alternatives]
            filled = [alt for alt in kept if alt]
            body = " | ".join(" ".join(_lark(item) for item in alt) for alt in filled)
            if len(filled) < len(kept):
                body = f"({body})?" if filled else '""'
            lines.append(f"{_lark_name(name)}: {body}")
        return "\n".join(lines)


# -- scalar types as automata over character classes -------------------------------
@dataclass(frozen=True)
class Automaton:
    """A deterministic automaton over character classes: ``moves[state]`` lists
    (class, next state); ``accepting`` the states where a value may end."""

    name: str
    moves: tuple[tuple[tuple[Chars, int], ...], ...]
    accepting: frozenset[int]

    def step(self, state: int, char: str) -> int | None:
        for chars, target in self.moves[state]:
            if chars.admits(char):
                return target
        return None

    def run(self, text: str) -> int | None:
        state: int | None = 0
        for char in text:
            if state is None:
                return None
            state = self.step(state, char)
        return state

    def accepts(self, text: str) -> bool:
        state = self.run(text)
        return state is not None and state in self.accepting

    def state_rule(self, rules: Rules, state: int) -> str:
        """The rule for every completion from ``state`` (added to ``rules`` once)."""
        name = f"{self.name}_{state}"
        if name in rules:
            return name
        rules.add(name, [])   # reserve the name: the automaton loops
        alternatives: list[list[Item]] = [[]] if state in self.accepting else []
        for chars, target in self.moves[state]:
            alternatives.append([chars, Ref(self.state_rule(rules, target))])
        rules.add(name, alternatives)
        return name


_DIGITS = Chars(frozenset("0123456789"))
_QUOTE = Chars(frozenset('"'))
_BODY = Chars(frozenset('"\\\n'), negated=True)
_BACKSLASH = Chars(frozenset("\\"))
_ESCAPED = Chars(frozenset('"\\/nt'))

#: A double-quoted string with the plan language's escapes.
STRING = Automaton("str", (((_QUOTE, 1),), ((_BODY, 1), (_BACKSLASH, 2), (_QUOTE, 3)),
                           ((_ESCAPED, 1),), ()), frozenset({3}))
#: An integer, optionally negative.
INTEGER = Automaton("int", (((Chars(frozenset("-")), 1), (_DIGITS, 2)), ((_DIGITS, 2),),
                            ((_DIGITS, 2),)), frozenset({2}))
#: A number: an integer or a decimal fraction.
NUMBER = Automaton("num", (((Chars(frozenset("-")), 1), (_DIGITS, 2)), ((_DIGITS, 2),),
                           ((_DIGITS, 2), (Chars(frozenset(".")), 3)), ((_DIGITS, 4),),
                           ((_DIGITS, 4),)), frozenset({2, 4}))


def value_rule(rules: Rules, prefix: str, automaton: Automaton,
               excluded: Iterable[str] = ()) -> str:
    """A rule for every text ``automaton`` accepts except those in ``excluded``.

    The excluded texts form a trie; a rule per trie node follows the trie or leaves it
    by any other character the automaton allows there, after which every completion
    is allowed (no excluded text lies that way).
    """
    banned = sorted({t for t in excluded if automaton.accepts(t)})
    if not banned:
        return automaton.state_rule(rules, 0)
    counter = [0]

    def node(path: str, state: int) -> str | None:
        here = [t for t in banned if t.startswith(path)]
        children = sorted({t[len(path)] for t in here if len(t) > len(path)})
        alternatives: list[list[Item]] = []
        if state in automaton.accepting and path not in banned:
            alternatives.append([])
        for char in children:
            target = automaton.step(state, char)
            if target is not None:
                child = node(path + char, target)
                if child is not None:
                    alternatives.append([Lit(char), Ref(child)])
        for chars, target in automaton.moves[state]:
            rest = chars.without(children)
            if rest is not None:
                alternatives.append([rest, Ref(automaton.state_rule(rules, target))])
        if not alternatives:
            return None     # only excluded texts lie this way
        name = f"{prefix}_{counter[0]}"
        counter[0] += 1
        rules.add(name, alternatives)
        return name

    root = node("", 0)
    if root is None:
        raise ValueError("every text of the type is excluded")
    return root


def literal_text(value: object) -> str:
    """A Python value as the plan language writes it (for enums and defaults)."""
    if value is True:
        return "True"
    if value is False:
        return "False"
    if value is None:
        return "None"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


# -- rendering --------------------------------------------------------------------------
def _escape_char(char: str) -> str:
    if char.isalnum() and char.isascii() or char in " _=,.:;!?'@#$%&*+<>/|~`{}()":
        return char
    code = ord(char)
    return f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}" if code < 0x10000 else f"\\U{code:08X}"


def _gbnf(item: Item) -> str:
    if isinstance(item, Lit):
        return '"' + "".join(_escape_char(c) if c not in "()" else c for c in item.text) + '"'
    if isinstance(item, Chars):
        inside = "".join(_escape_char(c) if c.isalnum() and c.isascii() else _hex(c)
                         for c in sorted(item.chars))
        return f"[{'^' if item.negated else ''}{inside}]"
    return _gbnf_name(item.name)


def _hex(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}"


def _gbnf_name(name: str) -> str:
    return name.replace("_", "-")


def _lark(item: Item) -> str:
    if isinstance(item, Lit):
        return json.dumps(item.text)
    if isinstance(item, Chars):
        inside = "".join(_regex_char(c) for c in sorted(item.chars))
        return f"/[{'^' if item.negated else ''}{inside}]/"
    return _lark_name(item.name)


def _regex_char(char: str) -> str:
    if char == "\n":
        return "\\n"
    if char == "\t":
        return "\\t"
    if char in "\\]^-[/":
        return "\\" + char
    if " " <= char <= "~":
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _lark_name(name: str) -> str:
    return "start" if name == "root" else name.lower()
