"""validate_plan and check_reference: tables of plans that pass and plans that do not."""

from __future__ import annotations

import pytest

from neurosym.errors import PlanValidationError
from neurosym.execute.demo_world import make_world
from neurosym.graph import check_reference, validate_plan
from neurosym.plan import Call, Literal, Plan, Ref, Step, parse_plan
from neurosym.tools import Param, Tool

_, DEMO = make_world()

NUMBERS = Param("result", "array", items=Param("item", "number"))
RECORD = Param("result", "object", properties=(Param("id", "string"), Param("n", "integer"),
                                               Param("tags", "array", items=Param("t", "string"))))
EXTRA = [
    Tool("numbers", returns=NUMBERS),
    Tool("record", returns=RECORD),
    Tool("anything", returns=Param("result", "any")),
    Tool("opaque"),  # declares no result type
    Tool("count", returns=Param("result", "integer")),
    Tool("flag", returns=Param("result", "boolean")),
    Tool("take_int", params=(Param("x", "integer"),)),
    Tool("take_num", params=(Param("x", "number"),)),
    Tool("take_str", params=(Param("s", "string", max_length=5),)),
    Tool("take_list", params=(Param("xs", "array", items=Param("x", "string"), max_items=2),)),
    Tool("take_obj", params=(Param("o", "object", properties=(Param("a", "integer"),),
                                   additional_properties=False),)),
    Tool("take_color", params=(Param("c", "string", enum=("red", "blue")),)),
]
TOOLS = list(DEMO) + EXTRA

SEARCH = 'flights = search_flights(origin="SFO", destination="CDG", date="2026-12-01")'

VALID = [
    SEARCH,
    SEARCH + "\nbooking = book_flight(flight_id=flights[0].id, passengers=2)",
    SEARCH + '\nh = search_hotels(city="Paris", max_price=120.5)\n'
             "b = book_hotel(hotel_id=h[0].id, nights=3)",
    'b = book_hotel(hotel_id="H-PAR-2", nights=1)',
    # the idempotency key is the executor's to give
    't = transfer(from_account="savings", to_account="checking", amount=25.0)',
    "bal = get_balance()\nt = transfer(from_account=\"checking\", to_account=\"savings\", "
    "amount=bal)",
    # references into records, lists, and results of unknown type
    "r = record()\ntake_str(s=r.id)\ntake_int(x=r.n)\ntake_num(x=r.n)\ntake_list(xs=r.tags)",
    "n = numbers()\ntake_num(x=n[1])",
    "a = anything()\ntake_int(x=a.whatever[3].deep)",
    "o = opaque()\ntake_str(s=o.field)",
    "r = record()\ntake_list(xs=[r.id, \"x\"])",
    'take_obj(o={"a": 1})',
    'take_color(c="red")',
    # nested calls
    "take_int(x=count())",
    "take_num(x=count())",
    # terminal forms
    'answer("nothing to do")',
    'ask("Which date?")',
    "none()",
    SEARCH + '\nanswer("done")',
]


@pytest.mark.parametrize("text", VALID)
def test_valid_plans_pass(text: str) -> None:
    validate_plan(parse_plan(text), TOOLS)


INVALID = [
    # (plan, step, words the message must contain)
    ("fly(to=\"CDG\")", 0, "no tool named 'fly'"),
    ('search_flight(origin="SFO", destination="CDG", date="2026-12-01")', 0,
     "no tool named 'search_flight'"),
    ('b = book_hotel(hotel_id="H1", nights=1, breakfast=True)', 0, "no parameter 'breakfast'"),
    ('b = book_hotel(hotel_id="H1")', 0, "missing required argument 'nights'"),
    ("b = book_hotel()", 0, "missing required arguments 'hotel_id', 'nights'"),
    ("b = book_flight(flight_id=flights[0].id, passengers=1)", 0, "no step binds"),
    ("b = book_flight(flight_id=flights[0].id, passengers=1)\n" + SEARCH, 0,
     "only later, by step 1"),
    # cycles, one of them through a nested call
    ("a = take_int(x=b)\nb = count(y=a)", 0, "cycle"),
    ("a = take_int(x=a)", 0, "cycle (a -> a)"),
    ("n = take_int(x=take_num(x=n))", 0, "cycle"),
    # literals outside their parameter
    ('b = book_hotel(hotel_id="H1", nights=0)', 0, "must be at least 1"),
    ('b = book_hotel(hotel_id="H1", nights="two")', 0, "must be an integer"),
    ('f = search_flights(origin="sfo", destination="CDG", date="2026-12-01")', 0, "pattern"),
    ('t = transfer(from_account="piggy", to_account="checking", amount=5.0)', 0, "one of"),
    ('t = transfer(from_account="savings", to_account="checking", amount=0)', 0,
     "more than 0"),
    ('take_str(s="toolong")', 0, "at most 5 characters"),
    ('take_list(xs=["a", "b", "c"])', 0, "at most 2 items"),
    ("take_list(xs=[\"a\", 1])", 0, "xs[1]"),
    ('take_obj(o={"a": 1, "b": 2})', 0, "no field 'b'"),
    ('take_obj(o={})', 0, "lacks the required field"),
    ("take_obj(o=[1])", 0, "not a list"),
    ('take_int(x={"a": 1})', 0, "not a dict"),
    # a step's declared result that does not fit where it goes
    (SEARCH + "\nbooking = book_flight(flight_id=flights[0].price, passengers=1)", 1,
     "expects string, but flights[0].price is number"),
    (SEARCH + "\nbooking = book_flight(flight_id=flights, passengers=1)", 1,
     "but flights is array of object"),
    (SEARCH + "\nbooking = book_flight(flight_id=flights[0].idd, passengers=1)", 1,
     "has no field 'idd'"),
    (SEARCH + "\nbooking = book_flight(flight_id=flights.id, passengers=1)", 1,
     "flights is array of object, which has no field 'id'"),
    ("r = record()\ntake_int(x=r[0])", 1, "cannot be indexed"),
    ("c = count()\ntake_int(x=c.value)", 1, "no field 'value'"),
    ("n = numbers()\ntake_int(x=n[0])", 1, "expects integer, but n[0] is number"),
    ("f = flag()\ntake_int(x=f)", 1, "is boolean"),
    ("r = record()\ntake_list(xs=[r.n])", 1, "xs[0]"),
    ("r = record()\ntake_color(c=r.n)", 1, "expects one of"),
    ("take_str(s=numbers())", 0, "the result of numbers(...) is array of number"),
]


@pytest.mark.parametrize(("text", "step", "words"), INVALID)
def test_invalid_plans_name_the_step_and_the_problem(text: str, step: int, words: str) -> None:
    with pytest.raises(PlanValidationError) as info:
        validate_plan(parse_plan(text), TOOLS)
    assert info.value.step == step
    assert words in str(info.value)
    assert info.value.hint


def test_rules_the_parser_also_enforces_hold_for_plans_built_in_code() -> None:
    search = parse_plan(SEARCH).steps[0]
    twice = Plan((search, search))
    with pytest.raises(PlanValidationError, match="already bound by step 0") as info:
        validate_plan(twice, TOOLS)
    assert info.value.step == 1
    repeated = Plan((Step(Call("book_hotel", (("hotel_id", Literal("H1")), ("nights", Literal(1)),
                                              ("nights", Literal(2)))), bind="b"),))
    with pytest.raises(PlanValidationError, match="'nights' is given twice"):
        validate_plan(repeated, TOOLS)


def test_a_nested_type_mismatch_is_reported_on_the_written_step() -> None:
    text = SEARCH + "\nb = book_flight(flight_id=numbers(), passengers=1)"
    with pytest.raises(PlanValidationError, match=r"step 1 \(book_flight\).*array of number"):
        validate_plan(parse_plan(text), TOOLS)


def test_unknown_tool_hint_suggests_the_closest_name() -> None:
    with pytest.raises(PlanValidationError) as info:
        validate_plan(parse_plan('b = book_hotell(hotel_id="H1", nights=1)'), TOOLS)
    assert "book_hotel" in (info.value.hint or "")


def test_without_tools_only_the_structure_is_checked() -> None:
    validate_plan(parse_plan("a = anything_at_all(x=1)\nb = other(y=a.z)"), None)
    with pytest.raises(PlanValidationError, match="no step binds"):
        validate_plan(parse_plan("b = other(y=a)"), None)


# -- check_reference: the same questions, one reference at a time, never raising ---------

STEPS = parse_plan(SEARCH + "\nr = record()").steps


@pytest.mark.parametrize(("ref", "tool", "param", "ok", "words"), [
    (Ref("flights", (0, "id")), "book_flight", "flight_id", True, ""),
    (Ref("flights", (0, "price")), None, None, True, ""),
    (Ref("flights", (0, "price")), "book_flight", "flight_id", False, "flight_id expects string"),
    (Ref("flights", (0, "idd")), None, None, False, "has no field 'idd'"),
    (Ref("flight", (0, "id")), None, None, False, "names no earlier step"),
    (Ref("r", ("tags", 0)), "take_str", "s", True, ""),
    (Ref("r", ("n",)), "take_list", "xs", False, "xs expects array of string"),
    (Ref("r", ("n",)), None, Param("x", "number"), True, ""),
])
def test_check_reference(ref: Ref, tool: str | None, param: str | Param | None, ok: bool,
                         words: str) -> None:
    verdict = check_reference(ref, STEPS, TOOLS, tool=tool, param=param)
    assert verdict.ok is ok and bool(verdict) is ok
    assert words in verdict.message
    if not ok:
        assert verdict.hint


def test_check_reference_gives_the_type_it_resolves_to() -> None:
    verdict = check_reference(Ref("flights", (0, "seats")), STEPS, TOOLS)
    assert verdict.type is not None and verdict.type.type == "integer"
    assert check_reference(Ref("flights"), STEPS, TOOLS).type.type == "array"


def test_check_reference_suggests_a_bound_name() -> None:
    verdict = check_reference(Ref("flight"), STEPS, TOOLS)
    assert "flights" in (verdict.hint or "")


def test_check_reference_sees_only_earlier_steps() -> None:
    assert not check_reference(Ref("r"), STEPS[:1], TOOLS)
    assert check_reference(Ref("r"), STEPS, TOOLS)
