"""The constraint grammar: tables of good and bad texts, through lark and llguidance."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurosym.constraints import grammar_path, grammar_text, parse_constraint
from neurosym.constraints.syntax import (Binary, Bool, BoolOp, Call, Compare, Implies,
                                         ListExpr, Member, Name, Node, Not, Number, String,
                                         Unary)
from neurosym.errors import ConstraintSyntaxError, NeurosymError


def plain(node: Any) -> Any:
    """The tree without positions (line and column), and with and/or chains flattened."""
    if isinstance(node, tuple):
        return tuple(plain(n) for n in node)
    if not dataclasses.is_dataclass(node):
        return node
    changes = {f.name: plain(getattr(node, f.name)) for f in dataclasses.fields(node)
               if f.name not in ("line", "column")}
    if isinstance(node, BoolOp):
        args: list[Any] = []
        for arg in changes["args"]:
            args.extend(arg.args if isinstance(arg, BoolOp) and arg.op == node.op else [arg])
        changes["args"] = tuple(args)
    return dataclasses.replace(node, line=0, column=0, **changes)


def ref(*parts: str | int) -> Name:
    return Name(tuple(parts))


GOOD: list[tuple[str, Node]] = [
    ("book_hotel.check_out > book_hotel.check_in",
     Compare((ref("book_hotel", "check_out"), ref("book_hotel", "check_in")), (">",))),
    ("sum(book_hotel.price) + sum(book_flight.price) <= 1500",
     Compare((Binary("+", Call("sum", (ref("book_hotel", "price"),)),
                     Call("sum", (ref("book_flight", "price"),))), Number("1500")), ("<=",))),
    ("count(transfer) <= 3", Compare((Call("count", (ref("transfer"),)), Number("3")), ("<=",))),
    ("distinct(book_seat.seat)", Call("distinct", (ref("book_seat", "seat"),))),
    ("before(login, transfer)", Call("before", (ref("login"), ref("transfer")))),
    ("transfer.amount <= get_balance.result      # a reference to an observation",
     Compare((ref("transfer", "amount"), ref("get_balance", "result")), ("<=",))),
    ("1 <= book_hotel.nights <= 14",
     Compare((Number("1"), ref("book_hotel", "nights"), Number("14")), ("<=", "<="))),
    ("a.b in [1, -2, 3.5]",
     Member(ref("a", "b"), ListExpr((Number("1"), Unary("-", Number("2")), Number("3.5"))))),
    ("a.b not in ['x', \"y\"]",
     Member(ref("a", "b"), ListExpr((String("x"), String("y"))), negated=True)),
    ("not a.b or a.c and a.d",
     BoolOp("or", (Not(ref("a", "b")), BoolOp("and", (ref("a", "c"), ref("a", "d")))))),
    ("a.b implies a.c implies a.d",
     Implies(ref("a", "b"), Implies(ref("a", "c"), ref("a", "d")))),
    ("2 * a.b - 3 * a.c == -1",
     Compare((Binary("-", Binary("*", Number("2"), ref("a", "b")),
                     Binary("*", Number("3"), ref("a", "c"))), Unary("-", Number("1"))), ("==",))),
    ("r.result[0].id != 'x'", Compare((ref("r", "result", 0, "id"), String("x")), ("!=",))),
    ('matches(login.user, "^\\d+$")',
     Call("matches", (ref("login", "user"), String("^\\d+$")))),
    ("a.flag == True and a.other == False",
     BoolOp("and", (Compare((ref("a", "flag"), Bool(True)), ("==",)),
                    Compare((ref("a", "other"), Bool(False)), ("==",))))),
    ("(a.b)\n  >= 1e3  ", Compare((ref("a", "b"), Number("1e3")), (">=",))),
    ("android.x > 1", Compare((ref("android", "x"), Number("1")), (">",))),  # 'and' prefix
    ('a.s == "tab\\there \\"q\\" \\u00e9"', Compare((ref("a", "s"), String('tab\there "q" é')),
                                                     ("==",))),
    ("f()", Call("f", ())),
]


@pytest.mark.parametrize(("text", "tree"), GOOD, ids=[t for t, _ in GOOD])
def test_good_texts_parse_to_the_expected_tree(text: str, tree: Node) -> None:
    assert plain(parse_constraint(text)) == plain(tree)


BAD: list[tuple[str, str, int, int, str]] = [
    # text, message, line, column, hint fragment
    ("book_hotel.nights = 3", "unexpected character '='", 1, 19, "=="),
    ("book_hotel.nights >", "ends too early", 1, 20, "finish the expression"),
    ("a.b > 1 && a.c < 2", "unexpected character '&'", 1, 9, "and"),
    ("a.b > 1 || a.c < 2", "unexpected character '|'", 1, 9, "or"),
    ("!a.b", "unexpected character '!'", 1, 1, "not"),
    ("a.b / 2 > 1", "unexpected character '/'", 1, 5, "multiply"),
    ("a.b > 1 a.c", "unexpected 'a'", 1, 9, "and"),
    ("sum(a.b", "ends too early", 1, 8, "close every '('"),
    ("a.b == 'open", "unexpected character", 1, 8, "quote"),
    ("a.b in [1, 2", "ends too early", 1, 13, "close every"),
    ("a.b >\n  > 2", "unexpected '>'", 2, 3, ""),
    ("", "empty constraint", 0, 0, "write an expression"),
    ("   # only a comment", "empty constraint", 0, 0, "write an expression"),
    ("a.b[x] > 1", "unexpected", 1, 5, ""),
    ("a.b[1.5] > 1", "not a whole number", 1, 5, "index"),
]


@pytest.mark.parametrize(("text", "message", "line", "column", "hint"), BAD,
                         ids=[t or "<empty>" for t, *_ in BAD])
def test_bad_texts_raise_a_located_error_with_a_hint(text: str, message: str, line: int,
                                                     column: int, hint: str) -> None:
    with pytest.raises(ConstraintSyntaxError) as caught:
        parse_constraint(text)
    err = caught.value
    assert isinstance(err, NeurosymError) and isinstance(err, ValueError)
    assert message in err.message
    if line:
        assert (err.line, err.column) == (line, column)
        assert "^" in str(err)  # the context line with a caret
    assert err.hint and hint in err.hint


def test_leading_whitespace_and_comment_lines_are_skipped() -> None:
    # (llguidance starts at the first token, so generated constraints never begin blank)
    text = "# the budget\n   sum(h.price) <= 5"
    assert plain(parse_constraint(text)) == plain(
        Compare((Call("sum", (ref("h", "price"),)), Number("5")), ("<=",)))


def test_an_early_end_lists_what_was_expected() -> None:
    with pytest.raises(ConstraintSyntaxError) as caught:
        parse_constraint("count(transfer) <=")
    assert "a name" in caught.value.expected and "a number" in caught.value.expected


def test_a_non_string_constraint_is_refused() -> None:
    with pytest.raises(ConstraintSyntaxError, match="must be a string"):
        parse_constraint(3)  # type: ignore[arg-type]


def test_the_grammar_is_a_file_in_the_grammars_folder() -> None:
    path = grammar_path()
    assert path.name == "constraints.lark" and path.parent.name == "grammars"
    assert grammar_text() == path.read_text(encoding="utf-8")


def test_llguidance_loads_the_grammar() -> None:
    import llguidance
    grammar = llguidance.LLMatcher.grammar_from_lark(grammar_text())
    is_error, messages = llguidance.LLMatcher.validate_grammar_with_warnings(grammar)
    assert not is_error, messages


def _llguidance_accepts(text: str, tokenizer: Any) -> bool:
    import llguidance
    grammar = llguidance.LLMatcher.grammar_from_lark(grammar_text())
    matcher = llguidance.LLMatcher(tokenizer, grammar, log_level=0)
    return matcher.consume_tokens(tokenizer.tokenize_str(text)) and matcher.is_accepting()


@pytest.mark.model
@pytest.mark.parametrize("text", [t for t, _ in GOOD], ids=[t for t, _ in GOOD])
def test_llguidance_accepts_every_good_text(text: str, tokenizer: Any) -> None:
    assert _llguidance_accepts(text, tokenizer)


GRAMMAR_BAD = [t for t, m, *_ in BAD if t.strip() and "whole number" not in m
               and "only a comment" not in t]


@pytest.mark.model
@pytest.mark.parametrize("text", GRAMMAR_BAD, ids=GRAMMAR_BAD)
def test_llguidance_rejects_what_lark_rejects(text: str, tokenizer: Any) -> None:
    assert not _llguidance_accepts(text, tokenizer)


# property: any tree, rendered as text, parses back to itself --------------------------

NAMES = st.sampled_from(["a", "tool", "book_hotel", "x1", "_p", "notes", "orders", "inn"])
STRINGS = st.text(alphabet="ab \"'\\\tz", max_size=6)


def names() -> st.SearchStrategy[Name]:
    parts = st.lists(st.one_of(NAMES, st.integers(0, 12)), max_size=3)
    return st.builds(lambda head, rest: Name((head, *rest)), NAMES, parts)


def atoms() -> st.SearchStrategy[Node]:
    return st.one_of(
        st.integers(0, 10**6).map(lambda n: Number(str(n))),
        st.sampled_from(["0.5", "12.25", "1e3", "2E-2"]).map(Number),
        STRINGS.map(String),
        st.booleans().map(Bool),
        names())


def trees() -> st.SearchStrategy[Node]:
    def extend(inner: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
        return st.one_of(
            st.builds(lambda f, args: Call(f, tuple(args)),
                      st.sampled_from(["sum", "count", "len", "f"]), st.lists(inner, max_size=3)),
            inner.map(lambda n: Unary("-", n)),
            st.builds(Binary, st.sampled_from(["+", "-", "*"]), inner, inner),
            st.builds(lambda ops, first, rest: Compare((first, *rest[:len(ops)]),
                                                       tuple(ops[:len(rest)])),
                      st.lists(st.sampled_from(["==", "!=", "<", "<=", ">", ">="]),
                               min_size=1, max_size=2),
                      inner, st.lists(inner, min_size=1, max_size=2)),
            st.builds(lambda arg, items, neg: Member(arg, ListExpr(tuple(items)), neg),
                      inner, st.lists(inner, max_size=3), st.booleans()),
            inner.map(Not),
            st.builds(lambda op, args: BoolOp(op, tuple(args)), st.sampled_from(["and", "or"]),
                      st.lists(inner, min_size=2, max_size=3)),
            st.builds(Implies, inner, inner))
    return st.recursive(atoms(), extend, max_leaves=10)


def render(node: Node) -> str:
    """Fully parenthesised text of a tree (the test's own renderer)."""
    if isinstance(node, Number):
        return node.text
    if isinstance(node, String):
        body = node.value.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
        return f'"{body}"'
    if isinstance(node, Bool):
        return "True" if node.value else "False"
    if isinstance(node, Name):
        return node.text
    if isinstance(node, Call):
        return f"{node.name}({', '.join(render(a) for a in node.args)})"
    if isinstance(node, Unary):
        return f"-({render(node.arg)})"
    if isinstance(node, Binary):
        return f"({render(node.left)}) {node.op} ({render(node.right)})"
    if isinstance(node, Compare):
        out = f"({render(node.operands[0])})"
        for op, operand in zip(node.ops, node.operands[1:]):
            out += f" {op} ({render(operand)})"
        return out
    if isinstance(node, Member):
        items = ", ".join(render(i) for i in node.items.items)
        return f"({render(node.arg)}) {'not in' if node.negated else 'in'} [{items}]"
    if isinstance(node, Not):
        return f"not ({render(node.arg)})"
    if isinstance(node, BoolOp):
        return f" {node.op} ".join(f"({render(a)})" for a in node.args)
    if isinstance(node, Implies):
        return f"({render(node.left)}) implies ({render(node.right)})"
    raise AssertionError(node)


@settings(max_examples=150, deadline=None)
@given(trees())
def test_rendered_trees_parse_back_to_themselves(tree: Node) -> None:
    assert plain(parse_constraint(render(tree))) == plain(tree)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="ab.()[]<=>!&|+-*/ 0123'\"\n#", max_size=16))
def test_any_text_parses_or_raises_a_constraint_syntax_error(text: str) -> None:
    try:
        parse_constraint(text)
    except ConstraintSyntaxError as err:
        assert err.hint
