"""grammars/plan.lark: found by path, loaded by both engines, one table through both."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from neurosym.errors import GrammarError, PlanSyntaxError
from neurosym.grammar import grammar_path, read_grammar
from neurosym.plan import parse_plan

Accepts = Callable[[str, str], bool]

# (text, the grammar admits it, parse_plan reads it): the grammar is lenient and leaves
# constants, terminal forms and keyword-only arguments to the reader.
TABLE = [
    ("", True, True),
    ("# just a comment\n\n", True, True),
    ("\n  # leading blank lines and comments\n\nf()", True, True),
    ('flights = search_flights(origin="SFO", date="2026-12-01")\n'
     "booking = book_flight(flight_id=flights[0].id, passengers=2)", True, True),
    ("x = f(\n    a=1,\n    b='two',  # note\n)\n", True, True),
    ("f()", True, True),
    ("math.sqrt(x=-2.5e-3)", True, True),
    ('f(a=[1, "x", None], b={"k": {"j": []}}, c=g(y=h()))', True, True),
    ("f(a=x[-1].y[0])", True, True),
    ("[f(a=1), g(b=2)]", True, True),
    ("[f(a=1),\n g(b=2),]", True, True),
    ('ask("Which date?")', True, True),
    ("answer('done')", True, True),
    ("none()", True, True),
    ('r = f()\nanswer("ok")', True, True),
    ("f(a=True, b=null)", True, True),
    ("f(1)", True, False),                # positional: the reader explains
    ("x = ask('q')", True, False),        # a terminal cannot be bound
    ('f(a="\\q")', True, False),          # an unknown escape
    ("f(a=1, a=2)", True, False),         # a repeated argument
    ("f(a=1 + 2)", False, False),
    ("f(a=", False, False),
    ("f(a=(1))", False, False),
    ('f(a="x)', False, False),
    ("f(a=x[1.5])", False, False),
    ("x = [f()]", False, False),
    ("f(a=b=1)", False, False),
    ("import os", False, False),
    ("f(a=x.1)", False, False),
    ("1 = f()", False, False),
    ("f(a=-x)", False, False),
]


def test_found_by_path() -> None:
    path = grammar_path("plan")
    assert path.name == "plan.lark" and path.is_file()
    assert grammar_path("plan.lark") == path
    assert read_grammar("plan") == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["nope", "../plan", "sub/plan.lark"])
def test_missing_grammar(name: str) -> None:
    with pytest.raises(GrammarError) as caught:
        grammar_path(name)
    assert caught.value.hint


@pytest.mark.parametrize(("text", "admitted", "read"), TABLE)
def test_table_in_both_engines(accepts: Accepts, text: str, admitted: bool, read: bool) -> None:
    assert accepts(read_grammar("plan"), text) is admitted


@pytest.mark.parametrize(("text", "admitted", "read"), TABLE)
def test_reader_agrees_with_the_grammar(text: str, admitted: bool, read: bool) -> None:
    if read:
        parse_plan(text)
    else:
        with pytest.raises(PlanSyntaxError):
            parse_plan(text)


def test_loads_in_llguidance(tokenizer: object) -> None:
    from neurosym.grammar.engines import check_llguidance_grammar
    check_llguidance_grammar(read_grammar("plan"), tokenizer)  # type: ignore[arg-type]
    check_llguidance_grammar(read_grammar("plan"))
