"""parse_plan: the lenient reader, its AST, and its errors (always PlanSyntaxError)."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurosym.errors import NeurosymError, PlanSyntaxError
from neurosym.plan import parse_plan
from neurosym.plan.ast import Call, DictValue, ListValue, Literal, Plan, Ref, Step, Terminal


def _call(tool: str, **args: object) -> Call:
    return Call(tool, tuple(args.items()))  # type: ignore[arg-type]


PARSES = [
    ("", Plan()),
    ("# nothing to do\n\n", Plan()),
    ('flights = search_flights(origin="SFO", date="2026-12-01")\n'
     "booking = book_flight(flight_id=flights[0].id, passengers=2)",
     Plan((Step(_call("search_flights", origin=Literal("SFO"), date=Literal("2026-12-01")),
                bind="flights"),
           Step(_call("book_flight", flight_id=Ref("flights", (0, "id")),
                      passengers=Literal(2)), bind="booking")))),
    ("f()", Plan((Step(_call("f")),))),
    ("  x   =   f ( a = 1 , )  # trailing comma and comment\n",
     Plan((Step(_call("f", a=Literal(1)), bind="x"),))),
    ("f(a='single', b=\"dou'ble\", c='it\\'s')",
     Plan((Step(_call("f", a=Literal("single"), b=Literal("dou'ble"), c=Literal("it's"))),))),
    ('f(s="tab\\there \\"q\\" \\\\ \\/ \\u00e9 \\ud83d\\ude00")',
     Plan((Step(_call("f", s=Literal('tab\there "q" \\ / é 😀'))),))),
    ("f(a=-3, b=2.5, c=-0.5e-3, d=1E3, e=.5, g=5.)",
     Plan((Step(_call("f", a=Literal(-3), b=Literal(2.5), c=Literal(-0.0005), d=Literal(1000.0),
                      e=Literal(0.5), g=Literal(5.0))),))),
    ("f(a=True, b=False, c=None, d=true, e=null)",
     Plan((Step(_call("f", a=Literal(True), b=Literal(False), c=Literal(None), d=Literal(True),
                      e=Literal(None))),))),
    ('f(xs=[1, "a", [None]], d={"k": 1, "n": {"m": []}}, e={}, l=[])',
     Plan((Step(_call("f", xs=ListValue((Literal(1), Literal("a"), ListValue((Literal(None),)))),
                      d=DictValue((("k", Literal(1)), ("n", DictValue((("m", ListValue()),))))),
                      e=DictValue(), l=ListValue())),))),
    ("f(a=x, b=x.y, c=x[0], d=x[-1].y[2].z)",
     Plan((Step(_call("f", a=Ref("x"), b=Ref("x", ("y",)), c=Ref("x", (0,)),
                      d=Ref("x", (-1, "y", 2, "z")))),))),
    ("f(x=g(y=h(z=1)))",
     Plan((Step(_call("f", x=_call("g", y=_call("h", z=Literal(1))))),))),
    ("math.sqrt(x=2)", Plan((Step(_call("math.sqrt", x=Literal(2))),))),
    ("[f(a=1), g(b=2)]", Plan((Step(_call("f", a=Literal(1))), Step(_call("g", b=Literal(2)))))),
    ("[\n  f(a=1),\n  g(),\n]", Plan((Step(_call("f", a=Literal(1))), Step(_call("g"))))),
    ("[]", Plan()),
    ('ask("Which date?")', Plan(terminal=Terminal("ask", "Which date?"))),
    ("answer('Done.')", Plan(terminal=Terminal("answer", "Done."))),
    ("none()", Plan(terminal=Terminal("none"))),
    ('ask(question="When?")', Plan(terminal=Terminal("ask", "When?"))),
    ('r = f()\nanswer("ok")', Plan((Step(_call("f"), bind="r"),), Terminal("answer", "ok"))),
    ("a = f() b = g()", Plan((Step(_call("f"), bind="a"), Step(_call("g"), bind="b")))),
]


@pytest.mark.parametrize(("text", "plan"), PARSES)
def test_parses(text: str, plan: Plan) -> None:
    parsed = parse_plan(text)
    assert parsed == plan
    assert repr(parsed) == repr(plan)  # == alone would let 1 == 1.0 == True slip


# (text, words the message must contain, line, column)
FAILS = [
    ("f(1)", "positional argument", 1, 3),
    ('f(a=1, "x")', "positional argument", 1, 8),
    ("f(x=1 + 2)", "unexpected character '+'", 1, 7),
    ("f(x=-y)", "unexpected character '-'", 1, 5),
    ("f(x=1 b=2)", "unexpected 'b'", 1, 7),
    ("f(a=", "ends too early", 1, 5),
    ("f(a=(1))", "unexpected", 1, 5),
    ('f(a="abc)', "unterminated string", 1, 5),
    ('f(a="x\ny")', "unterminated string", 1, 5),
    ('f(a="\\q")', "unknown escape '\\q'", 1, 6),
    ('f(a="\\u12")', "four hex digits", 1, 6),
    ("f(a=1, a=2)", "argument 'a' given twice", 1, 8),
    ('f(d={"k": 1, "k": 2})', "key 'k' appears twice", 1, 14),
    ("x = f()\nx = g()", "bound twice", 2, 1),
    ("True = f()", "constant", 1, 1),
    ("f(a=None.x)", "constant", 1, 5),
    ("f(a=99999999999999999999)", "64 bits", 1, 5),
    ("f(a=-9223372036854775809)", "64 bits", 1, 5),
    ("f(a=1e999)", "out of range", 1, 5),
    ('ask("x")\nf()', "last line", 2, 1),
    ('x = ask("q")', "no result to bind", 1, 1),
    ('f(x=ask("q"))', "terminal form", 1, 5),
    ("ask(q=1)", "takes one string", 1, 1),
    ('answer("a", "b")', "takes one string", 1, 1),
    ("ask(x)", "takes one string", 1, 1),
    ("none(x=1)", "takes no arguments", 1, 1),
    ("[none()]", "terminal form", 1, 2),
    ("x = [f()]", "unexpected '['", 1, 5),
    ("f(a=x[1.5])", "unexpected", 1, 8),
    ("import os", "unexpected 'os'", 1, 8),
    ("f(a=lambda: 1)", "unexpected", 1, 11),
    ("f(a=x) = 3", "unexpected '='", 1, 8),
    ("f(a=$x)", "unexpected character '$'", 1, 5),
]


@pytest.mark.parametrize(("text", "words", "line", "column"), FAILS)
def test_fails_with_position_and_hint(text: str, words: str, line: int, column: int) -> None:
    with pytest.raises(PlanSyntaxError) as caught:
        parse_plan(text)
    err = caught.value
    assert words in err.message
    assert (err.line, err.column) == (line, column)
    assert err.hint
    assert err.source == text
    assert isinstance(err, ValueError) and isinstance(err, NeurosymError)


@pytest.mark.parametrize(("text", "expected"), [
    ("f(x=1 + 2)", ["')'", "','"]),
    ("f(a=", ["'['", "'{'", "a name", "a number", "a string"]),
    ("[f(), 2]", ["']'", "a name"]),
    ("f(x", ["'('", "')'", "','", "'.'", "'='", "'['"]),
])
def test_expected_tokens_have_human_names(text: str, expected: list[str]) -> None:
    with pytest.raises(PlanSyntaxError) as caught:
        parse_plan(text)
    assert caught.value.expected == expected


def test_error_shows_the_line_with_a_caret() -> None:
    with pytest.raises(PlanSyntaxError) as caught:
        parse_plan('a = f(x=1)\nb = g(y=2 3)')
    assert str(caught.value).splitlines()[1:3] == ["  b = g(y=2 3)", "            ^"]


def test_string_length_limit() -> None:
    assert parse_plan('f(a="' + "x" * 10 + '")', max_string_length=10)
    with pytest.raises(PlanSyntaxError, match="longer than the limit of 10"):
        parse_plan('f(a="' + "x" * 11 + '")', max_string_length=10)
    # escapes count once: the limit is on the text the string stands for
    assert parse_plan('f(a="' + "\\n" * 10 + '")', max_string_length=10)
    with pytest.raises(PlanSyntaxError, match="longer than"):
        parse_plan('ask("' + "q" * 11 + '")', max_string_length=10)


@pytest.mark.parametrize(("opener", "closer"), [("[", "]"), ('{"k": ', "}"), ("g(x=", ")")])
def test_depth_limit(opener: str, closer: str) -> None:
    # five levels of the bracket inside the call's own parenthesis: depth 6
    text = "f(a=" + opener * 5 + "1" + closer * 5 + ")"
    assert parse_plan(text, max_depth=6)
    with pytest.raises(PlanSyntaxError, match="nesting deeper than 5") as caught:
        parse_plan(text, max_depth=5)
    assert caught.value.line == 1


@pytest.mark.parametrize("text", [
    "f(a=" + "[" * 10_000 + "]" * 10_000 + ")",
    "f(a=" + "[" * 10_000,
    "f(a=" + "g(x=" * 10_000 + "1" + ")" * 10_000 + ")",
    "f(a=" + '{"k": ' * 10_000 + "1" + "}" * 10_000 + ")",
    "(" * 100_000,
])
def test_deep_nesting_fails_fast(text: str) -> None:
    start = time.perf_counter()
    with pytest.raises(PlanSyntaxError, match="nesting deeper than 32"):
        parse_plan(text)
    assert time.perf_counter() - start < 1.0


def test_brackets_inside_strings_and_comments_do_not_count() -> None:
    text = 'f(a="' + "(" * 100 + '", b=\'' + "[" * 100 + "') # " + "{" * 100
    assert parse_plan(text).steps[0].call.arg("a") == Literal("(" * 100)


def test_long_reference_paths_do_not_recurse() -> None:
    path = ".y" * 20_000
    plan = parse_plan(f"f(a=x{path})")
    assert plan.steps[0].call.arg("a") == Ref("x", ("y",) * 20_000)


def test_not_text() -> None:
    with pytest.raises(PlanSyntaxError, match="not bytes"):
        parse_plan(b"f()")  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='fgx=()[]{},."\'\\ \n#:0123456789-eTNa_', max_size=40))
def test_any_text_parses_or_raises_plan_syntax_error(text: str) -> None:
    try:
        parse_plan(text)
    except PlanSyntaxError as err:
        assert err.hint


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_unicode_never_escapes_as_another_error(text: str) -> None:
    try:
        parse_plan(text)
    except PlanSyntaxError:
        pass
