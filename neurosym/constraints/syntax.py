"""The constraint language's syntax: parsing a text with Lark into a small syntax tree.

The tree is untyped and knows nothing of tools; :mod:`neurosym.constraints.compile`
resolves its names and types. Every node carries the line and column it starts at, so
later errors can point at the right place.

>>> tree = parse_constraint("count(transfer) <= 3")
>>> tree.ops, tree.operands[0].name, tree.operands[0].args[0].parts
(('<=',), 'count', ('transfer',))
>>> tree.operands[1].line, tree.operands[1].column
(1, 20)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Union

from ..errors import ConstraintSyntaxError, GrammarError

if TYPE_CHECKING:
    import lark

__all__ = ["Number", "String", "Bool", "Name", "Call", "Unary", "Binary", "Compare",
           "Member", "ListExpr", "Not", "BoolOp", "Implies", "Node", "parse_constraint",
           "grammar_path", "grammar_text"]


@dataclass(frozen=True)
class Number:
    text: str
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class String:
    value: str
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class Bool:
    value: bool
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class Name:
    """A dotted reference: ``tool``, ``tool.param.field``, ``tool.result[0].id``."""

    parts: tuple[str | int, ...]
    line: int = 0
    column: int = 0

    @property
    def text(self) -> str:
        out = str(self.parts[0])
        for part in self.parts[1:]:
            out += f"[{part}]" if isinstance(part, int) else f".{part}"
        return out


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class Unary:
    op: str  # "-"
    arg: Node
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class Binary:
    op: str  # "+", "-", "*"
    left: Node
    right: Node
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class Compare:
    """``a < b`` or a chain ``1 <= a <= 14`` (each neighbouring pair compared)."""

    operands: tuple[Node, ...]
    ops: tuple[str, ...]
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class ListExpr:
    items: tuple[Node, ...]
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class Member:
    arg: Node
    items: ListExpr
    negated: bool = False
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class Not:
    arg: Node
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and", "or"
    args: tuple[Node, ...]
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class Implies:
    left: Node
    right: Node
    line: int = 0
    column: int = 0


Node = Union[Number, String, Bool, Name, Call, Unary, Binary, Compare, ListExpr, Member, Not,
             BoolOp, Implies]


def grammar_path() -> Path:
    """Where ``constraints.lark`` is: inside the installed package, else the repository's."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "grammars" / "constraints.lark",
                      here.parent / "grammars" / "constraints.lark"):
        if candidate.is_file():
            return candidate
    raise GrammarError("constraints.lark not found next to the package",
                       hint="reinstall neurosym; the grammar ships inside the wheel")


@functools.cache
def grammar_text() -> str:
    """The constraint grammar's text (Lark syntax, also accepted by llguidance)."""
    return grammar_path().read_text(encoding="utf-8")


@functools.cache
def _parser() -> lark.Lark:
    import lark
    return lark.Lark(grammar_text(), parser="lalr", propagate_positions=True,
                     maybe_placeholders=True)


@functools.cache
def _terminal_names() -> dict[str, str]:
    """Terminal names as a user reads them: ``'('`` rather than ``LPAR``."""
    import lark.lexer
    named = {"NAME": "a name", "NUMBER": "a number", "STRING": "a string",
             "COMPARE": "a comparison (==, !=, <, <=, >, >=)", "$END": "the end"}
    out: dict[str, str] = {}
    for term in _parser().terminals:
        if term.name in named:
            out[term.name] = named[term.name]
        elif isinstance(term.pattern, lark.lexer.PatternStr):
            out[term.name] = repr(term.pattern.value)
    out["$END"] = named["$END"]
    return out


_EARLY_END = "finish the expression: close every '(' and '[' and give each operator its operands"


def parse_constraint(text: str) -> Node:
    """Parse one constraint into its syntax tree; a bad text raises ConstraintSyntaxError."""
    import lark
    if not isinstance(text, str):
        raise ConstraintSyntaxError(f"a constraint must be a string, not {type(text).__name__}",
                                    hint='write it as text, e.g. "count(transfer) <= 3"')
    if not text.strip() or not _strip_comment_lines(text).strip():
        raise ConstraintSyntaxError("empty constraint", source=text,
                                    hint='write an expression, e.g. "count(transfer) <= 3"')
    try:
        tree = _parser().parse(text)
    except lark.exceptions.UnexpectedInput as err:
        raise _syntax_error(err, text) from None
    try:
        return _build(tree.children[0])
    except ConstraintSyntaxError as err:
        err.source = text
        raise


def _strip_comment_lines(text: str) -> str:
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def _syntax_error(err: lark.exceptions.UnexpectedInput, text: str) -> ConstraintSyntaxError:
    import lark
    names = _terminal_names()
    line, column = err.line, err.column
    if isinstance(err, lark.exceptions.UnexpectedCharacters):
        expected = [names.get(n, n) for n in (err.allowed or ())]
        char = err.char
        message = f"unexpected character {char!r}"
        hint = _hint_for_text(text, err.pos_in_stream or 0, char)
    elif isinstance(err, lark.exceptions.UnexpectedEOF):
        expected = [names.get(n, n) for n in err.expected]
        lines = text.splitlines() or [""]
        line, column = len(lines), len(lines[-1]) + 1
        message = "the constraint ends too early"
        hint = _EARLY_END
    else:
        assert isinstance(err, lark.exceptions.UnexpectedToken)
        token = err.token
        expected = [names.get(n, n) for n in err.expected]
        if token.type == "$END":
            message = "the constraint ends too early"
            lines = text.splitlines() or [""]
            line, column = len(lines), len(lines[-1]) + 1
            hint = _EARLY_END
        else:
            message = f"unexpected {token.value!r}"
            hint = _hint_for_text(text, token.start_pos or 0, str(token.value))
    return ConstraintSyntaxError(message, line=line, column=column, expected=expected,
                                 source=text, hint=hint)


def _hint_for_text(text: str, pos: int, found: str) -> str:
    rest = text[pos:]
    if rest.startswith("==") or rest.startswith("="):
        if not rest.startswith("=="):
            return "compare with '==' (a single '=' is not an operator here)"
    if rest.startswith("&&") or rest.startswith("&"):
        return "write 'and' to combine conditions"
    if rest.startswith("||") or rest.startswith("|"):
        return "write 'or' to combine conditions"
    if rest.startswith("!") and not rest.startswith("!="):
        return "write 'not' to negate a condition"
    if rest.startswith("/"):
        return "division is not supported; multiply by a constant instead (x * 2 <= y)"
    if rest.startswith('"') or rest.startswith("'"):
        return "close the string with the same quote it starts with"
    if found.isidentifier():
        return ("two names in a row: join conditions with 'and'/'or', or compare them "
                "with ==, <, <= ...")
    return ("a constraint compares plan values, e.g. 'book_hotel.nights <= 7' or "
            "'count(transfer) <= 3'")


def _unescape(body: str) -> str:
    """Undo a string literal's escapes; unknown escapes stay as written (handy in regexes)."""
    simple = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0"}
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\" or i + 1 >= len(body):
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1]
        if nxt in simple:
            out.append(simple[nxt])
            i += 2
        elif nxt in "xu":
            width = 2 if nxt == "x" else 4
            digits = body[i + 2:i + 2 + width]
            if len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
                out.append(chr(int(digits, 16)))
                i += 2 + width
            else:
                out.append(ch)
                i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _pos(item: lark.Tree | lark.Token) -> tuple[int, int]:
    import lark
    if isinstance(item, lark.Token):
        return item.line or 0, item.column or 0
    meta = item.meta
    if getattr(meta, "empty", True):
        return 0, 0
    return meta.line, meta.column


def _build(root: lark.Tree | lark.Token) -> Node:
    """The syntax tree of a parse, built without recursion (children before parents).

    A constraint may nest as deep as its text (``- - - ... 1``, ``not not ...``, many
    ``[``); a recursive builder, and every recursive pass after it, would end in a
    RecursionError. Nesting beyond :data:`MAX_DEPTH` (after ``and``/``or`` chains are
    flattened) is refused here with its position.
    """
    import lark
    built: dict[int, Node] = {}
    depths: dict[int, int] = {}
    stack: list[tuple[lark.Tree | lark.Token, bool]] = [(root, False)]
    while stack:
        item, ready = stack.pop()
        if isinstance(item, lark.Token):  # pragma: no cover - every token sits under a rule
            raise ConstraintSyntaxError(f"unexpected {item.value!r}")
        if not ready:
            stack.append((item, True))
            stack.extend((kid, False) for kid in item.children if isinstance(kid, lark.Tree))
            continue
        node = _node(item, built)
        depth = 1 + max((depths[id(kid)] for kid in _operands(node)), default=0)
        if depth > MAX_DEPTH:
            line, column = _pos(item)
            raise ConstraintSyntaxError(
                f"the expression nests more than {MAX_DEPTH} levels deep", line=line,
                column=column,
                hint="write it flatter: fewer nested brackets, signs or 'not's, or split it "
                     "into several constraints")
        built[id(item)] = node
        depths[id(node)] = depth
    return built[id(root)]


#: Deepest nesting of a constraint's expression (a chain of ``and``/``or`` is one level).
MAX_DEPTH = 64


def _operands(node: Node) -> tuple[Node, ...]:
    """The nodes directly inside ``node``."""
    if isinstance(node, Call | ListExpr):
        return node.args if isinstance(node, Call) else node.items
    if isinstance(node, Unary | Not):
        return (node.arg,)
    if isinstance(node, Binary | Implies):
        return (node.left, node.right)
    if isinstance(node, Compare):
        return node.operands
    if isinstance(node, Member):
        return (node.arg, node.items)
    if isinstance(node, BoolOp):
        return node.args
    return ()


def _node(item: lark.Tree, built: dict[int, Node]) -> Node:
    """One node from its parse tree, whose children are already built."""
    import lark

    def sub(kid: lark.Tree | lark.Token) -> Node:
        return built[id(kid)]

    line, column = _pos(item)
    kind = item.data
    kids = item.children
    if kind == "number":
        return Number(str(kids[0]), line, column)
    if kind == "string":
        raw = str(kids[0])
        return String(_unescape(raw[1:-1]), line, column)
    if kind == "true":
        return Bool(True, line, column)
    if kind == "false":
        return Bool(False, line, column)
    if kind == "reference":
        parts: list[str | int] = []
        for tok in kids:
            assert isinstance(tok, lark.Token)
            if tok.type == "NUMBER":
                if not tok.value.isdigit():
                    raise ConstraintSyntaxError(
                        f"index {tok.value} is not a whole number", line=tok.line,
                        column=tok.column, hint="index lists with 0, 1, 2 ...")
                parts.append(int(tok.value))
            else:
                parts.append(str(tok.value))
        return Name(tuple(parts), line, column)
    if kind == "call":
        name = str(kids[0])
        return Call(name, tuple(sub(k) for k in kids[1:] if k is not None), line, column)
    if kind == "list":
        return ListExpr(tuple(sub(k) for k in kids if k is not None), line, column)
    if kind == "neg":
        return Unary("-", sub(kids[0]), line, column)
    if kind in ("add", "sub", "mul"):
        op = {"add": "+", "sub": "-", "mul": "*"}[kind]
        return Binary(op, sub(kids[0]), sub(kids[1]), line, column)
    if kind == "compare":
        operands = tuple(sub(k) for k in kids[0::2])
        ops = tuple(str(k) for k in kids[1::2])
        return Compare(operands, ops, line, column)
    if kind in ("member", "not_member"):
        items = sub(kids[1])
        assert isinstance(items, ListExpr)
        return Member(sub(kids[0]), items, kind == "not_member", line, column)
    if kind == "not_":
        return Not(sub(kids[0]), line, column)
    if kind in ("and_", "or_"):
        op = kind[:-1]
        args: list[Node] = []
        for kid in kids:
            done = sub(kid)
            # flatten left-nested chains: a and b and c -> one node with three args
            if isinstance(done, BoolOp) and done.op == op:
                args.extend(done.args)
            else:
                args.append(done)
        return BoolOp(op, tuple(args), line, column)
    if kind == "implies":
        return Implies(sub(kids[0]), sub(kids[1]), line, column)
    raise ConstraintSyntaxError(f"unknown construct {kind!r}")  # pragma: no cover
