"""Rendering plans: canonical text (round trip through the parser), OpenAI and BFCL."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurosym.errors import PlanValidationError
from neurosym.plan import parse_plan, render_bfcl, render_openai, render_text
from neurosym.plan.ast import Call, DictValue, ListValue, Literal, Plan, Ref, Step, Terminal
from neurosym.plan.render import quote_string, render_plain, render_value
from tests.plan.plan_strategies import literal_values, plans, texts


@settings(max_examples=250, deadline=None)
@given(plans())
def test_text_round_trip(plan: Plan) -> None:
    text = render_text(plan)
    parsed = parse_plan(text)
    assert parsed == plan
    assert repr(parsed) == repr(plan)
    assert render_text(parsed) == text
    assert plan.text == text


@settings(max_examples=300, deadline=None)
@given(texts(80))
def test_strings_round_trip(text: str) -> None:
    quoted = quote_string(text)
    assert "\n" not in quoted
    assert parse_plan(f"f(a={quoted})").steps[0].call.arg("a") == Literal(text)


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_stay_floats(number: float) -> None:
    text = render_plain(number)
    assert "." in text or "e" in text
    value = parse_plan(f"f(a={text})").steps[0].call.arg("a")
    assert isinstance(value, Literal) and type(value.value) is float and value.value == number


@pytest.mark.parametrize(("value", "text"), [
    (Literal("a\"b\\c\n\t\x01é"), '"a\\"b\\\\c\\n\\t\\u0001é"'),
    (Literal(1.0), "1.0"),
    (Literal(1e16), "1e+16"),
    (Literal(-0.0), "-0.0"),
    (Literal(-7), "-7"),
    (Literal(True), "True"),
    (Literal(None), "None"),
    (ListValue((Literal(1), Literal(2))), "[1, 2]"),
    (ListValue(), "[]"),
    (DictValue((("k", Literal(1)), ("j", ListValue()))), '{"k": 1, "j": []}'),
    (DictValue(), "{}"),
    (Ref("flights", (0, "id")), "flights[0].id"),
    (Call("f", (("x", Call("g", ())),)), "f(x=g())"),
])
def test_canonical_values(value: object, text: str) -> None:
    assert render_value(value) == text  # type: ignore[arg-type]


def test_canonical_plan_text() -> None:
    plan = parse_plan("""
        flights = search_flights( origin = 'SFO',date='2026-12-01' , )  # find
        book_flight(flight_id=flights[0].id,passengers=2, meta={'a':[1,2.50]})
        answer( 'done' )
    """)
    assert render_text(plan) == (
        'flights = search_flights(origin="SFO", date="2026-12-01")\n'
        'book_flight(flight_id=flights[0].id, passengers=2, meta={"a": [1, 2.5]})\n'
        'answer("done")')


@pytest.mark.parametrize(("plan", "words"), [
    (Plan((Step(Call("f"), bind="a b"),)), "cannot name a step"),
    (Plan((Step(Call("f"), bind="None"),)), "cannot name a step"),
    (Plan((Step(Call("f"), bind="x"), Step(Call("g"), bind="x"))), "bound twice"),
    (Plan((Step(Call("no tool")),)), "cannot be written as a tool name"),
    (Plan((Step(Call("ask")),)), "cannot be written as a tool name"),
    (Plan((Step(Call("f", (("a", Literal(1)), ("a", Literal(2))))),)), "given twice"),
    (Plan((Step(Call("f", (("a-b", Literal(1)),))),)), "not an identifier"),
    (Plan((Step(Call("f", (("a", Literal(float("nan"))),))),)), "cannot be written"),
    (Plan((Step(Call("f", (("a", Literal(2 ** 70)),))),)), "64 bits"),
    (Plan((Step(Call("f", (("a", Ref("x", ("not id",))),))),)), "not an identifier"),
    (Plan((Step(Call("f", (("a", DictValue((("k", Literal(1)),) * 2)),))),)), "repeats a key"),
    (Plan(terminal=Terminal("none", "why")), "carries no text"),
    (Plan(terminal=Terminal("ask")), "needs a text"),
])
def test_unwritable_plans_raise(plan: Plan, words: str) -> None:
    with pytest.raises(PlanValidationError, match=words) as caught:
        render_text(plan)
    assert caught.value.hint


CHAIN = parse_plan(
    'flights = search_flights(origin="SFO", max_price=math.floor(x=budget.amount))\n'
    "booking = book_flight(flight_id=flights[0].id, passengers=2, tags=[\"a\", flights])\n"
    'answer("Booked.")')


def test_openai_rendering_flattens_and_links_references_by_call_id() -> None:
    calls = render_openai(CHAIN)
    assert [c["id"] for c in calls] == ["call_0", "call_1", "call_2"]
    assert all(c["type"] == "function" for c in calls)
    assert [c["function"]["name"] for c in calls] == ["math.floor", "search_flights",
                                                       "book_flight"]
    arguments = [json.loads(c["function"]["arguments"]) for c in calls]
    assert arguments == [
        {"x": "$budget.amount"},                      # not a step of this plan: by name
        {"origin": "SFO", "max_price": "$call_0"},    # the lifted nested call
        {"flight_id": "$call_1[0].id", "passengers": 2, "tags": ["a", "$call_1"]},
    ]
    assert CHAIN.to_openai() == calls


def test_bfcl_rendering() -> None:
    assert render_bfcl(CHAIN) == [
        {"math.floor": {"x": "$budget.amount"}},
        {"search_flights": {"origin": "SFO", "max_price": "$call_0"}},
        {"book_flight": {"flight_id": "$call_1[0].id", "passengers": 2, "tags": ["a", "$call_1"]}},
    ]
    plan = parse_plan("[calc(a=1, b=2.5, c=[True, None], d={'k': 'v'}), other()]")
    assert render_bfcl(plan) == [{"calc": {"a": 1, "b": 2.5, "c": [True, None], "d": {"k": "v"}}},
                                 {"other": {}}]
    assert CHAIN.to_bfcl() == render_bfcl(CHAIN)


def test_terminals_are_not_calls() -> None:
    assert render_openai(parse_plan('ask("When?")')) == []
    assert render_bfcl(parse_plan("none()")) == []


@settings(max_examples=100, deadline=None)
@given(plans())
def test_openai_arguments_are_json_of_plain_values(plan: Plan) -> None:
    calls = render_openai(plan)
    bfcl = render_bfcl(plan)
    assert len(calls) == len(bfcl)
    for call, entry in zip(calls, bfcl):
        [(name, args)] = entry.items()
        assert call["function"]["name"] == name
        assert json.loads(call["function"]["arguments"]) == args


@settings(max_examples=200, deadline=None)
@given(literal_values())
def test_plain_values_render_as_themselves(value: object) -> None:
    from neurosym.plan.ast import to_python
    plan = Plan((Step(Call("f", (("a", value),))),))  # type: ignore[arg-type]
    assert render_bfcl(plan) == [{"f": {"a": to_python(value)}}]  # type: ignore[arg-type]
