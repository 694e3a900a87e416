"""Reading plan text into a :class:`~neurosym.plan.ast.Plan`, with errors a user can act on.

The grammar is ``grammars/plan.lark`` (lenient: whitespace, comments, either quote,
trailing commas, BFCL's ``[f(a=1), g(b=2)]``); this module settles what the grammar
leaves open: constants, the terminal forms, keyword-only arguments, escapes, limits.

>>> plan = parse_plan('flights = search(origin="SFO")\\nbook(id=flights[0].id, n=-2)')
>>> plan.steps[1].call.args
(('id', Ref(name='flights', path=(0, 'id'))), ('n', Literal(value=-2)))
>>> parse_plan("ask('Which date?')").question
'Which date?'
>>> parse_plan("f(x=1 + 2)")
Traceback (most recent call last):
...
neurosym.errors.PlanSyntaxError: unexpected character '+' at line 1, column 7; expected ')', ','
  f(x=1 + 2)
        ^
hint: a plan holds values, never arithmetic: write the computed value, or refer to an earlier step's result
"""

from __future__ import annotations

import functools
import math
import re
from typing import TYPE_CHECKING, Any, NoReturn

from ..errors import PlanSyntaxError
from .ast import Call, DictValue, ListValue, Literal, Plan, Ref, Step, Terminal, Value

if TYPE_CHECKING:
    import lark

__all__ = ["parse_plan", "CONSTANTS", "RESERVED_TOOL_NAMES", "INT_MIN", "INT_MAX"]

#: Names read as constants (``true``/``false``/``null`` too, as models often write JSON).
CONSTANTS: dict[str, bool | None] = {"True": True, "False": False, "None": None,
                                     "true": True, "false": False, "null": None}
#: Call names that are the terminal forms, never tools.
RESERVED_TOOL_NAMES: frozenset[str] = frozenset({"ask", "answer", "none"})
#: Integers must fit in 64 bits, so that every consumer (JSON, Z3, C) reads them alike.
INT_MIN, INT_MAX = -(2 ** 63), 2 ** 63 - 1

_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n",
            "r": "\r", "t": "\t"}
_INT_TEXT = re.compile(r"-?[0-9]+")
# Strings, comments and brackets: enough to measure nesting before the parser runs.
_BRACKET_SCAN = re.compile(r""""(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?|#[^\n]*|[(\[{]|[)\]}]""")
_OPENERS = frozenset("([{")

_HUMAN_TERMINALS = {"NAME": "a name", "INDEX": "an index", "NUMBER": "a number",
                    "STRING": "a string", "$END": "the end of the plan"}
_DEFAULT_HINT = ("write one step per line as name = tool(arg=value, ...), "
                 "or a bare tool(arg=value, ...)")


def parse_plan(text: str, *, max_string_length: int = 10_000, max_depth: int = 32) -> Plan:
    """Parse plan text into a :class:`Plan`; any problem raises :class:`PlanSyntaxError`.

    ``max_string_length`` bounds every string (in characters, after escapes);
    ``max_depth`` bounds the nesting of brackets, parentheses and braces.

    >>> parse_plan("[f(a=1), g()]").calls
    (Call(tool='f', args=(('a', Literal(value=1)),)), Call(tool='g', args=()))
    >>> parse_plan("none()").is_empty
    True
    """
    if not isinstance(text, str):
        raise PlanSyntaxError(f"a plan is text, not {type(text).__name__}",
                              hint="pass the plan as a str")
    _check_depth(text, max_depth)
    tree = _parse_tree(text)
    reader = _Reader(text, max_string_length)
    try:
        return reader.plan(tree)
    except RecursionError:
        reader.fail("the plan is nested too deeply to read", None,
                    "split nested calls into separate steps bound to names")


@functools.lru_cache(maxsize=1)
def _parser() -> lark.Lark:
    import lark

    from .grammar_file import read_grammar
    return lark.Lark(read_grammar("plan"), parser="lalr", propagate_positions=True,
                     maybe_placeholders=False)


@functools.lru_cache(maxsize=1)
def _terminal_names() -> dict[str, str]:
    """Lark's terminal names (LPAR, __ANON_0, ...) mapped to what a user would call them."""
    from lark.lexer import PatternStr
    names = dict(_HUMAN_TERMINALS)
    for terminal in _parser().terminals:
        if isinstance(terminal.pattern, PatternStr):
            names.setdefault(terminal.name, f"'{terminal.pattern.value}'")
    return names


def _human(terminals: Any) -> list[str]:
    names = _terminal_names()
    return sorted({names.get(t, t) for t in terminals if t != "SPACE_OR_COMMENT"})


def _expected(err: Any, fallback: Any) -> list[str]:
    """What the parser would have taken at the error, exactly (not the merged LALR set)."""
    interactive = getattr(err, "interactive_parser", None)
    return _human(interactive.accepts() if interactive is not None else fallback)


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _check_depth(text: str, max_depth: int) -> None:
    """Refuse deep nesting before the parser sees it, so nothing recurses or hangs."""
    depth = 0
    for match in _BRACKET_SCAN.finditer(text):
        token = match.group()
        if token in _OPENERS:
            depth += 1
            if depth > max_depth:
                line, column = _position(text, match.start())
                raise PlanSyntaxError(
                    f"nesting deeper than {max_depth} levels", line=line, column=column,
                    source=text,
                    hint="bind inner calls to names on earlier lines and refer to them")
        elif token in ")]}":
            depth = max(depth - 1, 0)


def _parse_tree(text: str) -> lark.Tree:
    from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken
    try:
        return _parser().parse(text)
    except UnexpectedCharacters as err:
        char = text[err.pos_in_stream] if err.pos_in_stream < len(text) else ""
        after = text[err.pos_in_stream + 1:err.pos_in_stream + 2]
        message = f"unexpected character {char!r}"
        hint = _DEFAULT_HINT
        if char in "\"'":
            message = "unterminated string"
            hint = "close the string on the same line; write \\n for a line break inside it"
        elif char in "+*/%" or (char == "-" and not (after.isdigit() or after == ".")):
            hint = ("a plan holds values, never arithmetic: write the computed value, "
                    "or refer to an earlier step's result")
        raise PlanSyntaxError(message, line=err.line, column=err.column,
                              expected=_expected(err, err.allowed), source=text,
                              hint=hint) from None
    except UnexpectedToken as err:
        token = err.token
        expected = _expected(err, err.expected)
        if token.type == "$END":
            line, column = _position(text, len(text.rstrip()))
            raise PlanSyntaxError("the plan ends too early", line=line, column=column,
                                  expected=expected, source=text,
                                  hint="close every '(', '[' and '{', and finish the last "
                                       "argument") from None
        hint = _DEFAULT_HINT
        if "','" in expected and token.type in ("NAME", "STRING", "NUMBER"):
            hint = "separate arguments, items and entries with ','"
        elif token.type == "EQUAL":
            hint = ("name = ... binds a whole step and k=v passes an argument; "
                    "a plan holds no other '='")
        shown = _abbreviate(repr(str(token.value)))
        raise PlanSyntaxError(f"unexpected {shown}", line=token.line, column=token.column,
                              expected=expected, source=text, hint=hint) from None
    except UnexpectedInput as err:  # the Earley parser's end of input; kept for safety
        raise PlanSyntaxError(f"unexpected input: {err}", line=getattr(err, "line", None),
                              column=getattr(err, "column", None), source=text,
                              hint=_DEFAULT_HINT) from None
    except LarkError as err:
        raise PlanSyntaxError(f"the plan could not be read: {err}", source=text,
                              hint=_DEFAULT_HINT) from None


class _Reader:
    """Turns lark's tree into the frozen AST, checking what the grammar cannot."""

    def __init__(self, source: str, max_string_length: int) -> None:
        self.source = source
        self.max_string_length = max_string_length

    def fail(self, message: str, where: Any, hint: str) -> NoReturn:
        line, column = _where(where)
        raise PlanSyntaxError(message, line=line, column=column, source=self.source,
                              hint=hint)

    # --- plans and steps -------------------------------------------------------------

    def plan(self, tree: lark.Tree) -> Plan:
        if tree.data == "call_list":
            return Plan(tuple(Step(self.call(node)) for node in tree.children))
        steps: list[Step] = []
        bound: set[str] = set()
        terminal: Terminal | None = None
        for node in tree.children:
            if terminal is not None:
                self.fail(f"{terminal.kind}(...) must be the last line of a plan", node,
                          "remove the lines after it, or move it to the end")
            call_node = node.children[-1]
            name = _dotted(call_node.children[0])
            if name in RESERVED_TOOL_NAMES:
                if node.data == "bound_step":
                    form = "none()" if name == "none" else f"{name}(...)"
                    self.fail(f"{form} ends a plan and has no result to bind", node,
                              f"write {form} on its own line, without 'name ='")
                terminal = self.terminal(name, call_node)
                continue
            bind: str | None = None
            if node.data == "bound_step":
                token = node.children[0]
                bind = str(token)
                if bind in CONSTANTS:
                    self.fail(f"{bind} is a constant and cannot name a step", token,
                              "choose another name for the result")
                if bind in bound:
                    self.fail(f"the name {bind!r} is bound twice", token,
                              "give each step's result its own name")
                bound.add(bind)
            steps.append(Step(self.call(call_node), bind=bind))
        return Plan(tuple(steps), terminal)

    def terminal(self, kind: str, node: lark.Tree) -> Terminal:
        args = node.children[1:]
        if kind == "none":
            if args:
                self.fail("none() takes no arguments", node,
                          "write none() when no tool fits the request")
            return Terminal("none")
        # ask("...") is the form; ask(question="...") is read too, as models write it
        if len(args) != 1 or args[0].children[-1].data != "string":
            self.fail(f"{kind}(...) takes one string", node,
                      f'write {kind}("...") with the text in quotes')
        text = self.string(args[0].children[-1].children[0])
        return Terminal("ask" if kind == "ask" else "answer", text)

    # --- calls and values ------------------------------------------------------------

    def call(self, node: lark.Tree) -> Call:
        name = _dotted(node.children[0])
        if name in RESERVED_TOOL_NAMES:
            self.fail(f"{name}(...) is a terminal form, not a tool", node,
                      f"{name}(...) may only stand alone as the last line of a plan")
        args: list[tuple[str, Value]] = []
        seen: set[str] = set()
        for arg in node.children[1:]:
            if arg.data == "positional":
                self.fail(f"positional argument in the call of {name}", arg,
                          f"arguments are keyword-only: write {name}(name=value, ...)")
            key_token, value_node = arg.children
            key = str(key_token)
            if key in seen:
                self.fail(f"argument {key!r} given twice in the call of {name}", key_token,
                          "pass each argument once")
            seen.add(key)
            args.append((key, self.value(value_node)))
        return Call(name, tuple(args))

    def value(self, node: lark.Tree) -> Value:
        kind = node.data
        if kind == "string":
            return Literal(self.string(node.children[0]))
        if kind == "number":
            return Literal(self.number(node.children[0]))
        if kind == "list":
            return ListValue(tuple(self.value(child) for child in node.children))
        if kind == "dict":
            items: list[tuple[str, Value]] = []
            keys: set[str] = set()
            for entry in node.children:
                key_token, value_node = entry.children
                key = self.string(key_token)
                if key in keys:
                    self.fail(f"key {key!r} appears twice in a dict", key_token,
                              "give each key once")
                keys.add(key)
                items.append((key, self.value(value_node)))
            return DictValue(tuple(items))
        if kind == "call":
            return self.call(node)
        return self.reference(node)

    def reference(self, node: lark.Tree) -> Value:
        dotted = node.children[0]
        names = [str(t) for t in dotted.children]
        path: list[str | int] = list(names[1:])
        for token in node.children[1:]:
            path.append(self.index(token) if token.type == "INDEX" else str(token))
        name = names[0]
        if name in CONSTANTS:
            if path:
                self.fail(f"{name} is a constant and has no fields", node,
                          "refer to a step by the name its result is bound to")
            return Literal(CONSTANTS[name])
        return Ref(name, tuple(path))

    # --- tokens ----------------------------------------------------------------------

    def index(self, token: lark.Token) -> int:
        if len(token.lstrip("-")) > 18:
            self.fail(f"index {token} is too large", token, "use a small index such as [0]")
        return int(token)

    def number(self, token: lark.Token) -> int | float:
        text = str(token)
        if _INT_TEXT.fullmatch(text):
            digits = text.lstrip("-")
            value = int(text) if len(digits) <= 20 else None
            if value is None or not INT_MIN <= value <= INT_MAX:
                self.fail(f"integer {_abbreviate(text)} does not fit in 64 bits", token,
                          f"integers range from {INT_MIN} to {INT_MAX}; "
                          "write a float (with a '.') for larger magnitudes")
            return value
        number = float(text)
        if not math.isfinite(number):
            self.fail(f"number {_abbreviate(text)} is out of range", token,
                      "write a number whose magnitude is below 1e308")
        return number

    def string(self, token: lark.Token) -> str:
        body = str(token)[1:-1]
        if "\\" not in body:
            text = body
        else:
            text = self.unescape(body, token)
        if len(text) > self.max_string_length:
            self.fail(f"string of {len(text)} characters is longer than the limit of "
                      f"{self.max_string_length}", token,
                      "shorten the string, or raise max_string_length")
        return text

    def unescape(self, body: str, token: lark.Token) -> str:
        out: list[str] = []
        i, end = 0, len(body)
        while i < end:
            char = body[i]
            if char != "\\":
                out.append(char)
                i += 1
                continue
            code = body[i + 1]
            if code in _ESCAPES:
                out.append(_ESCAPES[code])
                i += 2
                continue
            if code == "u":
                unit = _hex4(body, i + 2)
                if unit is None:
                    self.fail_escape("\\u must be followed by four hex digits", token, i)
                i += 6
                if 0xD800 <= unit < 0xDC00 and body.startswith("\\u", i):
                    low = _hex4(body, i + 2)
                    if low is not None and 0xDC00 <= low < 0xE000:
                        unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                out.append(chr(unit))
                continue
            self.fail_escape(f"unknown escape '\\{code}' in a string", token, i)
        return "".join(out)

    def fail_escape(self, message: str, token: lark.Token, offset: int) -> NoReturn:
        raise PlanSyntaxError(message, line=token.line, column=token.column + 1 + offset,
                              source=self.source,
                              hint="known escapes are \\\" \\' \\\\ \\/ \\b \\f \\n \\r \\t "
                                   "and \\uXXXX; write \\\\ for a backslash")


def _hex4(body: str, start: int) -> int | None:
    digits = body[start:start + 4]
    if len(digits) == 4 and all(c in "0123456789abcdefABCDEF" for c in digits):
        return int(digits, 16)
    return None


def _dotted(node: lark.Tree) -> str:
    return ".".join(str(t) for t in node.children)


def _where(where: Any) -> tuple[int | None, int | None]:
    if where is None:
        return None, None
    line = getattr(where, "line", None)
    if line is None and hasattr(where, "meta"):
        meta = where.meta
        return getattr(meta, "line", None), getattr(meta, "column", None)
    return line, getattr(where, "column", None)


def _abbreviate(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[:limit] + "..."
