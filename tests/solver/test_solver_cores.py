"""Unsat cores name the right constraint and the right assignment, in the user's terms."""

from __future__ import annotations

from typing import Any

import pytest

from neurosym.plan.ast import Ref
from neurosym.solver import CoreItem, PlanChecker, Verdict
from neurosym.tools.tool import Param, Tool

HOTEL = Tool("book_hotel", params=(
    Param("nights", "integer", minimum=1, maximum=14),
    Param("price", "number", minimum=0),
    Param("city", "string", enum=("Paris", "Rome")),
    Param("email", "string", format="email"),
    Param("check_in", "date"), Param("check_out", "date")))
TRANSFER = Tool("transfer", params=(Param("amount", "number", minimum=0),))
LOGIN = Tool("login")
BALANCE = Tool("get_balance", returns=Param("balance", "number"))
TOOLS = [HOTEL, TRANSFER, LOGIN, BALANCE]

Steps = list[tuple[str, dict[str, Any]]]


def refute(constraints: list[str], steps: Steps, *, final: bool = False,
           observations: dict[str, Any] | None = None) -> Verdict:
    checker = PlanChecker(TOOLS, constraints, observations=observations)
    for step, (tool, args) in enumerate(steps):
        checker.begin_call(step, tool)
        for name, value in args.items():
            checker.assign(step, name, value)
        checker.end_call(step)
    verdict = checker.check(final=final)
    assert verdict.refuted
    return verdict


def kinds(verdict: Verdict) -> list[tuple[str, str]]:
    return [(item.kind, item.text) for item in verdict.core]


def test_a_value_outside_the_declared_range() -> None:
    verdict = refute([], [("book_hotel", {"nights": 2}), ("book_hotel", {"nights": 20})])
    assert kinds(verdict) == [("assignment", "book_hotel.nights = 20"),
                              ("parameter", "nights in 1..14")]
    assert verdict.core[0].step == 1 and verdict.core[0].value == 20
    assert verdict.core[1].origin == "parameter range of book_hotel"
    assert verdict.explanation == ("book_hotel.nights = 20 (step 1) conflicts with nights in "
                                   "1..14 (parameter range of book_hotel)")
    assert verdict.culprits == (1,)


def test_a_budget_names_every_price_and_only_the_budget() -> None:
    verdict = refute(["sum(book_hotel.price) <= 500", "count(transfer) <= 3"],
                     [("book_hotel", {"price": 300.0}), ("transfer", {"amount": 1.0}),
                      ("book_hotel", {"price": 250.0})])
    assert kinds(verdict) == [("assignment", "book_hotel.price = 300.0"),
                              ("assignment", "book_hotel.price = 250.0"),
                              ("constraint", "sum(book_hotel.price) <= 500")]
    assert verdict.culprits == (2, 0)


def test_a_relation_within_one_call_names_both_values() -> None:
    verdict = refute(["book_hotel.check_out > book_hotel.check_in"],
                     [("book_hotel", {"check_in": "2026-12-05", "check_out": "2026-12-01"})])
    assert kinds(verdict) == [("assignment", "book_hotel.check_in = '2026-12-05'"),
                              ("assignment", "book_hotel.check_out = '2026-12-01'"),
                              ("constraint", "book_hotel.check_out > book_hotel.check_in")]
    assert verdict.core[2].steps == (0,)


def test_counting_names_the_calls() -> None:
    verdict = refute(["count(login) <= 1"], [("login", {}), ("transfer", {}), ("login", {})])
    assert kinds(verdict) == [("call", "a call of login"), ("call", "a call of login"),
                              ("constraint", "count(login) <= 1")]
    assert [i.step for i in verdict.core[:2]] == [0, 2]
    assert verdict.explanation == ("a call of login (step 0) and a call of login (step 2) "
                                   "conflict with the constraint count(login) <= 1")


def test_order_names_the_call_that_came_too_early() -> None:
    verdict = refute(["before(login, transfer)"], [("transfer", {"amount": 5.0}), ("login", {})])
    assert kinds(verdict) == [("call", "a call of transfer"),
                              ("constraint", "before(login, transfer)")]
    assert verdict.core[0].step == 0


def test_a_lower_bound_blames_the_end_of_the_plan() -> None:
    verdict = refute(["count(transfer) >= 2"], [("transfer", {"amount": 5.0})], final=True)
    assert ("constraint", "count(transfer) >= 2") in kinds(verdict)
    assert verdict.core[-1].kind == "end"
    assert "the plan ends here" in verdict.explanation


def test_an_observation_is_named_with_its_value() -> None:
    verdict = refute(["transfer.amount <= get_balance.result"],
                     [("transfer", {"amount": 150.0})], observations={"get_balance": 100})
    assert kinds(verdict) == [("assignment", "transfer.amount = 150.0"),
                              ("observation", "get_balance.result = 100 (observed)"),
                              ("constraint", "transfer.amount <= get_balance.result")]


def test_an_unobserved_result_defers_the_check() -> None:
    checker = PlanChecker(TOOLS, ["transfer.amount <= get_balance.result"])
    checker.begin_call(0, "transfer")
    checker.assign(0, "amount", 1e9)
    assert checker.check(final=True).ok


def test_a_reference_takes_its_observed_value() -> None:
    constraints = ["transfer.amount <= 100"]
    verdict = refute(constraints, [("transfer", {"amount": Ref("bal", ("available",))})],
                     observations={"bal": {"available": 250}})
    assert kinds(verdict) == [("assignment", "transfer.amount = bal.available"),
                              ("observation", "bal.available = 250 (observed)"),
                              ("constraint", "transfer.amount <= 100")]
    checker = PlanChecker(TOOLS, constraints)
    checker.begin_call(0, "transfer")
    checker.assign(0, "amount", Ref("bal", ("available",)))
    assert checker.check(final=True).ok  # unobserved: free until it runs


def test_a_value_of_the_wrong_type() -> None:
    verdict = refute([], [("book_hotel", {"nights": "two"})])
    assert kinds(verdict) == [("assignment", "book_hotel.nights = 'two'"),
                              ("parameter", "nights is an integer")]
    assert verdict.core[1].origin == "type of book_hotel"


def test_a_string_rule_is_checked_on_the_written_value() -> None:
    verdict = refute([], [("book_hotel", {"email": "nobody"})])
    assert kinds(verdict) == [("assignment", "book_hotel.email = 'nobody'"),
                              ("parameter", "email is an email address")]
    checker = PlanChecker(TOOLS, [])
    checker.begin_call(0, "book_hotel")
    checker.assign(0, "email", "ada@example.com")
    assert checker.check().ok


@pytest.mark.parametrize(("constraints", "steps", "blamed"), [
    (["book_hotel.city == 'Rome' implies book_hotel.nights <= 3"],
     [("book_hotel", {"city": "Rome", "nights": 5, "price": 10.0})], {"city", "nights"}),
    (["book_hotel.price <= transfer.amount"],
     [("book_hotel", {"price": 80.0, "nights": 2}), ("transfer", {"amount": 50.0})],
     {"price", "amount"}),
])
def test_only_the_values_in_conflict_are_blamed(constraints: list[str], steps: Steps,
                                                blamed: set[str]) -> None:
    verdict = refute(constraints, steps)
    assert {i.param for i in verdict.assignments} == blamed


def test_explain_is_the_verdict_explanation() -> None:
    checker = PlanChecker(TOOLS, [])
    checker.begin_call(0, "book_hotel")
    checker.assign(0, "nights", 0)
    verdict = checker.check()
    assert checker.explain(verdict) == checker.explain(verdict.core) == verdict.explanation
    assert isinstance(verdict.core[0], CoreItem)


def test_a_pattern_prunes_a_free_value_that_a_constraint_mentions() -> None:
    seat = Tool("seat", params=(Param("code", "string", pattern="^[0-9]{1,2}[A-C]$"),))
    checker = PlanChecker([seat], ["seat.code != '1A' implies seat.code == 'ZZ'"])
    checker.begin_call(0, "seat")
    assert checker.check().ok  # '1A' is still possible
    checker2 = PlanChecker([seat], ["seat.code == 'ZZ'"])
    checker2.begin_call(0, "seat")
    verdict = checker2.check()
    assert verdict.refuted  # before any value is written
    assert [(i.kind, i.text) for i in verdict.core] == [
        ("call", "a call of seat"), ("constraint", "seat.code == 'ZZ'"),
        ("parameter", "code matches '^[0-9]{1,2}[A-C]$'")]
    checker3 = PlanChecker([seat], ["seat.code != '1A'"])
    checker3.begin_call(0, "seat")
    checker3.assign(0, "code", "7D")
    assert [(i.kind, i.text) for i in checker3.check().core] == [
        ("assignment", "seat.code = '7D'"), ("parameter", "code matches '^[0-9]{1,2}[A-C]$'")]
