"""Compiling constraints against tools: names, types and patterns are all checked up front."""

from __future__ import annotations

from fractions import Fraction

import pytest
from tests.constraints.constraint_tools import travel_tools

from neurosym.constraints import ConstraintSet, compile_constraints, ir
from neurosym.errors import (ConstraintReferenceError, ConstraintSyntaxError, NeurosymError,
                             ToolDefinitionError, UnsupportedSchemaError)
from neurosym.tools.tool import Param, Tool

GOOD: list[tuple[str, tuple[str, ...], str]] = [
    # text, quantified tools, a fragment of the typed term's repr
    ("book_hotel.check_out > book_hotel.check_in", ("book_hotel",),
     "Field(tool='book_hotel', path=('check_out',), sort='date')"),
    ("sum(book_hotel.price) + sum(book_flight.price) <= 1500", (),
     "Aggregate(op='sum', tool='book_flight', path=('price',), sort='real')"),
    ("count(transfer) <= 3", (), "Count(tool='transfer'"),
    ("distinct(book_seat.seat)", (), "Distinct(tool='book_seat', path=('seat',)"),
    ("before(login, transfer)", (), "Before(first='login', then='transfer'"),
    ("transfer.amount <= get_balance.result", ("transfer",),
     "Result(tool='get_balance', path=(), sort='real')"),
    ("book_hotel.check_in >= '2026-12-01'", ("book_hotel",), "Const(value=739951, sort='date')"),
    ("book_flight.at < '2026-12-01T10:30:00'", ("book_flight",), "sort='datetime'"),
    ("book_flight.at > book_flight.date", ("book_flight",),
     "Cast(arg=Field(tool='book_flight', path=('date',), sort='date'), sort='datetime')"),
    ("book_hotel.check_out - book_hotel.check_in <= 14", ("book_hotel",),
     "Arith(op='-', left=Field(tool='book_hotel', path=('check_out',), sort='date')"),
    ("book_hotel.check_in + 3 <= book_hotel.check_out", ("book_hotel",), "sort='date'"),
    ("book_hotel.nights * 2 <= 20.5", ("book_hotel",),
     "Cast(arg=Arith(op='*', left=Field(tool='book_hotel', path=('nights',), sort='int')"),
    ("book_hotel.city in ['Paris', 'Rome']", ("book_hotel",), "Member("),
    ("book_hotel.city not in ['Oslo']", ("book_hotel",), "Not(arg=Member("),
    ("len(login.user) >= 3", ("login",), "Length(arg=Field(tool='login', path=('user',)"),
    ("len(book_hotel.tags) <= 2", ("book_hotel",),
     "Field(tool='book_hotel', path=('tags', '#len'), sort='int')"),
    ('matches(login.user, "^[a-z]+$")', ("login",), "Matches("),
    ("book_hotel.traveler.age >= 18", ("book_hotel",), "path=('traveler', 'age')"),
    ("get_account.result.limit >= transfer.amount", ("transfer",),
     "Result(tool='get_account', path=('limit',), sort='int')"),
    ("lookup.result.anything == 'x'", (),
     "Result(tool='lookup', path=('anything',), sort='string')"),
    ("min(book_hotel.nights) >= 2 and max(book_hotel.price) < 900", (),
     "Aggregate(op='min', tool='book_hotel', path=('nights',), sort='int')"),
    ("max(book_hotel.nights, 3) <= 10", ("book_hotel",), "Extremum(op='max'"),
    ("abs(book_hotel.price - 100) <= 50", ("book_hotel",), "Abs("),
    ("book_hotel.breakfast implies book_hotel.price >= 100", ("book_hotel",), "Implies("),
    ("book_hotel.breakfast", ("book_hotel",), "Field(tool='book_hotel', path=('breakfast',)"),
    ("book_hotel.price <= transfer.amount", ("book_hotel", "transfer"), "Compare("),
    ("1 <= book_hotel.nights <= 7", ("book_hotel",), "BoolOp(op='and'"),
    ("count(book_hotel) + count(transfer) <= 3 or True", (), "Count(tool='book_hotel'"),
]


@pytest.mark.parametrize(("text", "quantified", "fragment"), GOOD, ids=[t for t, *_ in GOOD])
def test_good_constraints_compile_to_typed_terms(text: str, quantified: tuple[str, ...],
                                                  fragment: str) -> None:
    compiled = compile_constraints([text], travel_tools())
    assert isinstance(compiled, ConstraintSet) and len(compiled) == 1
    constraint = compiled[0]
    assert constraint.source == text
    assert constraint.quantified == quantified
    assert constraint.term.sort == "bool"
    assert fragment in repr(constraint.term)
    assert all(sub.sort is not None for sub in ir.walk(constraint.term))


BAD: list[tuple[str, type[NeurosymError], str, str]] = [
    # text, error, message fragment, hint fragment
    ("book_hotel.nigths > 1", ConstraintReferenceError, "has no parameter 'nigths'",
     "did you mean book_hotel.nights?"),
    ("book_hotl.nights > 1", ConstraintReferenceError, "unknown tool 'book_hotl'",
     "did you mean 'book_hotel'?"),
    ("zzz.a > 1", ConstraintReferenceError, "unknown tool 'zzz'", "known tools: book_flight"),
    ("book_hotel.traveler.agee > 1", ConstraintReferenceError, "has no field 'agee'",
     "did you mean book_hotel.traveler.age?"),
    ("get_account.result.lmit > 1", ConstraintReferenceError, "has no field 'lmit'",
     "did you mean 'limit'?"),
    ("book_hotel.reslt > 1", ConstraintReferenceError, "no parameter 'reslt'", "result"),
    ("summ(book_hotel.price) < 3", ConstraintSyntaxError, "unknown function 'summ'",
     "did you mean sum()?"),
    ("frobnicate(book_hotel.price)", ConstraintSyntaxError, "unknown function", "functions: abs"),
    ("book_hotel.city > 3", ConstraintSyntaxError, "cannot compare", "same kind"),
    ("book_hotel.city + 1 > 3", ConstraintSyntaxError, "not a number", "arithmetic"),
    ("book_hotel.breakfast < True", ConstraintSyntaxError, "bool values have no order", "=="),
    ("book_hotel", ConstraintSyntaxError, "is a tool, not a value", "count(book_hotel)"),
    ("book_hotel.nights", ConstraintSyntaxError, "an integer, not a condition", "compare it"),
    ("book_hotel.tags == 2", ConstraintSyntaxError, "is a list", "len(book_hotel.tags)"),
    ("book_hotel.tags[0] == 'a'", ConstraintSyntaxError, "cannot reach inside a list", "len("),
    ("book_hotel.traveler == 'a'", ConstraintSyntaxError, "is an object",
     "book_hotel.traveler.name"),
    ("count(book_hotel.price) < 2", ConstraintSyntaxError, "takes tool names", "count(tool)"),
    ("count(book_hotel, login) < 2", ConstraintSyntaxError, "takes 1 argument", "count(tool)"),
    ("sum(book_hotel.city) < 2", ConstraintSyntaxError, "sum() needs numbers", "sum(tool.param)"),
    ("sum(book_hotel) < 2", ConstraintSyntaxError, "takes a tool's parameter", "sum(tool.param)"),
    ("sum(get_balance.result) < 2", ConstraintSyntaxError, "not over a result", "sum("),
    ("min(book_hotel.city) == 'a'", ConstraintSyntaxError, "needs numbers or dates", "min("),
    ("before(login, login)", ConstraintSyntaxError, "two different tools", "before("),
    ("before(login.user, transfer)", ConstraintSyntaxError, "takes tool names", "before("),
    ("matches(book_hotel.nights, 'a')", ConstraintSyntaxError, "needs a string", "matches("),
    ("matches(login.user, login.user)", ConstraintSyntaxError, "string literal", "quotes"),
    ('matches(login.user, "(?=a)b")', ConstraintSyntaxError, "lookarounds", "separate constraint"),
    ('matches(login.user, "a\\\\1")', ConstraintSyntaxError, "backreferences", "literally"),
    ("book_hotel.check_in > '2026-13-01'", ConstraintSyntaxError, "is not a date", "YYYY-MM-DD"),
    ("book_hotel.check_in + book_hotel.check_out > '2026-01-01'", ConstraintSyntaxError,
     "cannot be added", "subtract"),
    ("book_hotel.check_in + 1.5 > '2026-01-01'", ConstraintSyntaxError, "whole days", "integer"),
    ("book_hotel.nights in [1, book_hotel.price]", ConstraintSyntaxError, "not a literal",
     "literals"),
    ("[1, 2]", ConstraintSyntaxError, "cannot stand on its own", "x in [1, 2, 3]"),
    ("book_hotel.breakfast == true", ConstraintSyntaxError, "not a value", "True and False"),
    ("len(book_hotel.nights) > 1", ConstraintSyntaxError, "len() needs a string or a list",
     "len(x)"),
    ("abs(login.user) > 1", ConstraintSyntaxError, "not a number", "arithmetic"),
]


@pytest.mark.parametrize(("text", "error", "message", "hint"), BAD, ids=[t for t, *_ in BAD])
def test_bad_constraints_fail_at_compile_time_with_a_hint(text: str, error: type[NeurosymError],
                                                          message: str, hint: str) -> None:
    with pytest.raises(error) as caught:
        compile_constraints(["count(login) <= 9", text], travel_tools())
    err = caught.value
    assert message in str(err)
    assert err.hint is not None and hint in err.hint
    if isinstance(err, ConstraintReferenceError):
        assert err.constraint == text.strip()
        assert repr(text.strip()) in str(err)
    else:
        assert err.source == text and err.line == 1  # type: ignore[attr-defined]


def test_a_single_string_is_one_constraint() -> None:
    compiled = compile_constraints("count(login) <= 1", travel_tools())
    assert compiled.sources == ("count(login) <= 1",)


def test_an_untyped_parameter_takes_the_sort_its_first_use_gives() -> None:
    compiled = compile_constraints(["book_hotel.note == 'late arrival'",
                                    "len(book_hotel.note) < 40"], travel_tools())
    note = compiled.schema.field("book_hotel", ("note",))
    assert note is not None and note.sort == "string"
    assert "sort='string'" in repr(compiled[1].term)


def test_an_untyped_parameter_cannot_change_its_sort() -> None:
    with pytest.raises(ConstraintSyntaxError, match="not a number"):
        compile_constraints(["book_hotel.note == 'x'", "book_hotel.note + 1 > 2"], travel_tools())


def test_numbers_are_exact_and_ints_stay_ints() -> None:
    compiled = compile_constraints(["book_hotel.price <= 0.1 + 0.2", "book_hotel.nights <= 7"],
                                   travel_tools())
    consts = [t for c in compiled for t in ir.walk(c.term) if isinstance(t, ir.Const)]
    assert ir.Const(Fraction(1, 10), "real") in consts and ir.Const(7, "int") in consts


def test_duplicate_tool_names_are_refused() -> None:
    with pytest.raises(ToolDefinitionError, match="two tools are named 'a'"):
        compile_constraints([], [Tool("a"), Tool("a")])


def test_a_pattern_outside_the_subset_is_refused_when_the_tools_are_compiled() -> None:
    tool = Tool("t", params=(Param("code", "string", pattern="^(?i)abc$"),))
    with pytest.raises(UnsupportedSchemaError) as caught:
        compile_constraints([], [tool])
    assert caught.value.tool == "t" and caught.value.path == "code"
    assert "[Aa]" in (caught.value.hint or "")


def test_dotted_tool_names_are_resolved_longest_first() -> None:
    tools = [Tool("math.factorial", params=(Param("n", "integer"),)),
             Tool("math", params=(Param("factorial", "integer"),))]
    compiled = compile_constraints(["math.factorial.n <= 20", "count(math.factorial) <= 1"],
                                   tools)
    assert [c.quantified for c in compiled] == [("math.factorial",), ()]
    with pytest.raises(ConstraintSyntaxError, match="'math.factorial' is a tool"):
        compile_constraints(["math.factorial <= 3"], tools)  # the longest name wins


def test_reference_error_is_a_value_error_and_a_neurosym_error() -> None:
    with pytest.raises(ValueError):
        compile_constraints(["nope.x > 1"], travel_tools())
