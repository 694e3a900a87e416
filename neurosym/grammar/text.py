"""Writing grammar text both lark and llguidance read the same way: literals, regexes, rules.

Both engines agree on string literals escaped as below and on regexes written with
``\\uXXXX`` for anything unusual (lark mangles ``\\"`` inside a regex, so quotes in a
regex are written ``\\x22``).
"""

from __future__ import annotations

__all__ = ["lark_literal", "regex_escape", "char_class", "identifier_regex", "Rules"]

_REGEX_META = frozenset('\\.+*?()|[]{}^$-&~#/"')
_IDENT_FIRST = "ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
_IDENT_REST = "0123456789" + _IDENT_FIRST


def lark_literal(text: str) -> str:
    """``text`` as a lark string literal matching exactly ``text``.

    >>> print(lark_literal('say "hi"\\n'))
    "say \\"hi\\"\\n"
    """
    out: list[str] = []
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif char == "\r":
            out.append("\\r")
        elif ord(char) < 0x20 or ord(char) == 0x7F or 0xD800 <= ord(char) < 0xE000:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def regex_escape(text: str) -> str:
    """``text`` as a regex (for the inside of ``/.../``) matching exactly ``text``.

    >>> regex_escape('a.b "c"')
    'a\\\\.b\\\\x20\\\\x22c\\\\x22'
    """
    out: list[str] = []
    for char in text:
        code = ord(char)
        if char == '"':
            out.append("\\x22")
        elif char in _REGEX_META:
            out.append("\\" + char)
        elif code <= 0x20 or code == 0x7F or 0x2028 <= code <= 0x2029:
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def char_class(chars: str) -> str:
    """A regex class of ``chars`` (letters, digits and ``_`` only), runs written as ranges.

    >>> char_class("abcdxz_0")
    '[0_a-dxz]'
    """
    codes = sorted(set(map(ord, chars)))
    parts: list[str] = []
    i = 0
    while i < len(codes):
        j = i
        while j + 1 < len(codes) and codes[j + 1] == codes[j] + 1:
            j += 1
        low, high = chr(codes[i]), chr(codes[j])
        parts.append(low if i == j else low + high if j == i + 1 else f"{low}-{high}")
        i = j + 1
    return "[" + "".join(parts) + "]"


def identifier_regex(excluding: frozenset[str] | set[str] | tuple[str, ...] = ()) -> str:
    """A regex for identifiers other than the words in ``excluding``, without lookarounds
    (which llguidance lacks): the words' trie, leaving it wherever they do not continue.
    Longer continuations come first, so Python's first-match agrees with longest-match.

    >>> import re
    >>> regex = identifier_regex({"None", "no"})
    >>> [bool(re.fullmatch(regex, w)) for w in ("None", "no", "Non", "Nones", "n", "nod", "x")]
    [False, False, True, True, True, True, True]
    """
    words = sorted(set(excluding))
    if not words:
        return f"{char_class(_IDENT_FIRST)}{char_class(_IDENT_REST)}*"
    return _trie_regex(words, "", _IDENT_FIRST)


def _trie_regex(words: list[str], prefix: str, alphabet: str) -> str:
    """The part of ``identifier_regex`` after ``prefix`` (a module function rather than
    a closure, so that no reference cycle outlives the call)."""
    nexts = sorted({w[len(prefix)] for w in words if w.startswith(prefix) and w != prefix})
    alternatives = [c + _trie_regex(words, prefix + c, _IDENT_REST) for c in nexts]
    others = "".join(c for c in alphabet if c not in nexts)
    if others:
        alternatives.append(char_class(others) + char_class(_IDENT_REST) + "*")
    group = "(?:" + "|".join(alternatives) + ")"
    return group + "?" if prefix and prefix not in words else group


class Rules:
    """Grammar rules and terminals under generated names, each distinct body written once.

    >>> rules = Rules()
    >>> rules.rule("v", '"a" | "b"'), rules.rule("w", '"a" | "b"'), rules.terminal("t", "/x+/")
    ('v_0', 'v_0', 'T_1')
    >>> rules.text().splitlines()
    ['v_0: "a" | "b"', 'T_1: /x+/']
    """

    def __init__(self) -> None:
        self._lines: list[str] = []
        self._by_body: dict[tuple[str, str], str] = {}

    def rule(self, hint: str, body: str) -> str:
        return self._add("rule", hint.lower(), body)

    def terminal(self, hint: str, body: str) -> str:
        return self._add("terminal", hint.upper(), body)

    def define(self, name: str, body: str) -> str:
        """A rule under a fixed or reserved name (``start``, or a recursive rule)."""
        self._lines.append(f"{name}: {body}")
        return name

    def reserve(self, hint: str) -> str:
        """A fresh rule name whose body :meth:`define` gives later (for recursion)."""
        name = f"{hint.lower()}_{len(self._by_body)}"
        self._by_body[("reserved", name)] = name
        return name

    def _add(self, kind: str, hint: str, body: str) -> str:
        key = (kind, body)
        name = self._by_body.get(key)
        if name is None:
            name = f"{hint}_{len(self._by_body)}"
            self._by_body[key] = name
            self._lines.append(f"{name}: {body}")
        return name

    def text(self) -> str:
        return "\n".join(self._lines) + "\n"
