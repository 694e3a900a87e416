"""check_plan on Plan ASTs: literals, references, nested calls, defaults, nested values."""

from __future__ import annotations

import pytest

from neurosym.constraints import compile_constraints
from neurosym.errors import PlanValidationError
from neurosym.plan.ast import Call, DictValue, ListValue, Literal, Plan, Ref, Step
from neurosym.solver import PlanChecker, check_plan
from neurosym.tools.tool import Param, Tool

SEARCH = Tool("search_flights", params=(Param("origin", "string", pattern="^[A-Z]{3}$"),),
              returns=Param("flights", "array"))
BOOK = Tool("book_flight", params=(
    Param("flight_id", "string"),
    Param("passengers", "integer", minimum=1, maximum=9),
    Param("seats", "array", required=False, max_items=2,
          items=Param("seat", "string", pattern="^[0-9]+[A-F]$")),
    Param("traveler", "object", required=False, properties=(
        Param("name", "string"), Param("age", "integer", minimum=0, required=False))),
    Param("insurance", "boolean", required=False, default=False),
    Param("price", "number", minimum=0, required=False)))
PICK = Tool("pick", params=(Param("options", "any"),), returns=Param("id", "string"))
TOOLS = [SEARCH, BOOK, PICK]


def call(tool: str, **args: object) -> Call:
    def wrap(value: object) -> object:
        if isinstance(value, (Ref, Call, ListValue, DictValue, Literal)):
            return value
        if isinstance(value, list):
            return ListValue(tuple(wrap(v) for v in value))  # type: ignore[misc]
        if isinstance(value, dict):
            return DictValue(tuple((k, wrap(v)) for k, v in value.items()))  # type: ignore[misc]
        return Literal(value)  # type: ignore[arg-type]
    return Call(tool, tuple((k, wrap(v)) for k, v in args.items()))  # type: ignore[misc]


def plan(*steps: Step) -> Plan:
    return Plan(tuple(steps))


CASES: list[tuple[str, Plan, list[str], dict[str, object], bool]] = [
    ("references stay free", plan(
        Step(call("search_flights", origin="SFO"), bind="flights"),
        Step(call("book_flight", flight_id=Ref("flights", (0, "id")), passengers=2))),
     ["book_flight.flight_id == 'AF1'"], {}, True),
    ("an observed reference is used", plan(
        Step(call("book_flight", flight_id=Ref("flights", (0, "id")), passengers=2))),
     ["book_flight.flight_id == 'AF1'"], {"flights": [{"id": "BA2"}]}, False),
    ("an observed reference that fits", plan(
        Step(call("book_flight", flight_id=Ref("flights", (0, "id")), passengers=2))),
     ["book_flight.flight_id == 'AF1'"], {"flights": [{"id": "AF1"}]}, True),
    ("a nested call is its own step, first", plan(
        Step(call("book_flight", flight_id=call("pick", options=[1, 2]), passengers=1))),
     ["before(pick, book_flight)", "count(pick) == 1"], {}, True),
    ("a default joins the plan", plan(Step(call("book_flight", flight_id="x", passengers=1))),
     ["book_flight.insurance == True"], {}, False),
    ("an absent optional value makes its constraint vacuous",
     plan(Step(call("book_flight", flight_id="x", passengers=1))),
     ["book_flight.price >= 1000", "sum(book_flight.price) == 0"], {}, True),
    ("a nested field is checked", plan(Step(call(
        "book_flight", flight_id="x", passengers=1, traveler={"name": "Ada", "age": 15}))),
     ["book_flight.traveler.age >= 18"], {}, False),
    ("an absent nested field is vacuous", plan(Step(call(
        "book_flight", flight_id="x", passengers=1, traveler={"name": "Ada"}))),
     ["book_flight.traveler.age >= 18"], {}, True),
    ("a nested field's own range", plan(Step(call(
        "book_flight", flight_id="x", passengers=1, traveler={"name": "Ada", "age": -1}))),
     [], {}, False),
    ("list length", plan(Step(call("book_flight", flight_id="x", passengers=1,
                                   seats=["1A", "1B"]))), ["len(book_flight.seats) <= 1"], {},
     False),
    ("list items are checked", plan(Step(call("book_flight", flight_id="x", passengers=1,
                                              seats=["1A", "ZZ"]))), [], {}, False),
    ("list size limit", plan(Step(call("book_flight", flight_id="x", passengers=1,
                                       seats=["1A", "1B", "1C"]))), [], {}, False),
    ("a fine list", plan(Step(call("book_flight", flight_id="x", passengers=1,
                                   seats=["1A", "12F"]))), ["len(book_flight.seats) == 2"], {},
     True),
    ("a pattern on a written value", plan(Step(call("search_flights", origin="sfo"))), [], {},
     False),
    ("the empty plan", plan(), ["count(book_flight) <= 1"], {}, True),
    ("the empty plan and a lower bound", plan(), ["count(book_flight) >= 1"], {}, False),
]


@pytest.mark.parametrize(("name", "the_plan", "constraints", "observations", "ok"), CASES,
                         ids=[c[0] for c in CASES])
def test_check_plan(name: str, the_plan: Plan, constraints: list[str],
                    observations: dict[str, object], ok: bool) -> None:
    verdict = check_plan(the_plan, TOOLS, constraints, observations=observations)
    assert not verdict.unknown
    assert verdict.ok is ok
    assert bool(verdict.core) is not ok


def test_a_failing_item_of_a_list_is_named_by_index() -> None:
    the_plan = plan(Step(call("book_flight", flight_id="x", passengers=1, seats=["1A", "ZZ"])))
    verdict = check_plan(the_plan, TOOLS)
    assert any(i.kind == "parameter" and i.param == "seats[1]" for i in verdict.core)


def test_a_compiled_set_for_other_tools_is_recompiled() -> None:
    compiled = compile_constraints(["count(book_flight) <= 1"], [BOOK])
    the_plan = plan(Step(call("book_flight", flight_id="x", passengers=1)),
                    Step(call("book_flight", flight_id="y", passengers=1)))
    assert not check_plan(the_plan, TOOLS, compiled).ok


def test_an_unknown_tool_in_a_plan_is_a_plan_validation_error() -> None:
    with pytest.raises(PlanValidationError, match="did you mean 'book_flight'"):
        check_plan(plan(Step(call("book_flite", passengers=1))), TOOLS)


def test_checkers_in_parallel_threads_do_not_interfere() -> None:
    from concurrent.futures import ThreadPoolExecutor

    def one(passengers: int) -> bool:
        the_plan = plan(Step(call("book_flight", flight_id="x", passengers=passengers,
                                  seats=["1A"])))
        return check_plan(the_plan, TOOLS, ["book_flight.passengers <= 5"]).ok

    counts = [1 + i % 9 for i in range(40)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(one, counts))
    assert results == [n <= 5 for n in counts]


def test_list_items_can_be_given_one_by_one() -> None:
    checker = PlanChecker(TOOLS, ["len(book_flight.seats) <= 1"])
    checker.begin_call(0, "book_flight")
    checker.assign(0, ("seats", 0), "1A")
    assert checker.check().ok
    cp = checker.checkpoint()
    checker.assign(0, ("seats", 1), "2B")  # a second item: the list holds two
    assert checker.check().refuted
    checker.rollback(cp)
    checker.assign(0, ("seats", 0), "ZZ")
    verdict = checker.check()
    assert [(i.kind, i.param) for i in verdict.core] == [("assignment", "seats[0]"),
                                                         ("parameter", "seats[0]")]
