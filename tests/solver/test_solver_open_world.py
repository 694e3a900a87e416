"""Partial plans are open: what later calls could still repair is never refuted early."""

from __future__ import annotations

from typing import Any

import pytest

from neurosym.solver import PlanChecker
from neurosym.tools.tool import Param, Tool

SIGNED = Tool("adjust", params=(Param("delta", "integer"),))  # no declared range
PRICED = Tool("buy", params=(Param("price", "number", minimum=0),
                             Param("tip", "number", minimum=0, required=False)))
BOUNDED = Tool("pay", params=(Param("amount", "integer", minimum=10, maximum=50),))
LOGIN = Tool("login")
SEND = Tool("send", params=(Param("to", "string", enum=("a", "b")),))
TOOLS = [SIGNED, PRICED, BOUNDED, LOGIN, SEND]

# constraint, calls written (tool, args), verdict while open, verdict when final
CASES: list[tuple[str, list[tuple[str, dict[str, Any]]], bool, bool]] = [
    ("count(send) >= 2", [("send", {"to": "a"})], True, False),
    ("count(send) >= 2", [("send", {"to": "a"}), ("send", {"to": "b"})], True, True),
    ("count(send) <= 1", [("send", {"to": "a"}), ("send", {"to": "b"})], False, False),
    ("count(send) == 0", [], True, True),
    # a price floor of 0: later calls only add, so an exceeded budget is final
    ("sum(buy.price) <= 100", [("buy", {"price": 120.0})], False, False),
    ("sum(buy.price) <= 100", [("buy", {"price": 60.0}), ("buy", {"price": 30.0})], True, True),
    # no declared range: a later negative delta could still bring the sum down
    ("sum(adjust.delta) <= 100", [("adjust", {"delta": 120})], True, False),
    ("sum(adjust.delta) >= 10", [("adjust", {"delta": 3})], True, False),
    # each later payment is at least 10: three more cannot fit under 40 after 15
    ("sum(pay.amount) <= 40", [("pay", {"amount": 15})], True, True),
    ("sum(pay.amount) <= 40", [("pay", {"amount": 15}), ("pay", {"amount": 20})], True, True),
    ("sum(pay.amount) <= 40", [("pay", {"amount": 15}), ("pay", {"amount": 20}),
                               ("pay", {"amount": 10})], False, False),
    # ... and a sum can only reach 120 if at most two more payments (each <= 50) follow
    ("sum(pay.amount) >= 120 and count(pay) <= 2", [("pay", {"amount": 15})], False, False),
    ("sum(pay.amount) >= 100 and count(pay) <= 2", [("pay", {"amount": 50})], True, False),
    # an optional tip that is absent adds nothing
    ("sum(buy.tip) <= 5", [("buy", {"price": 1.0})], True, True),
    ("sum(buy.tip) <= 5", [("buy", {"price": 1.0, "tip": 6.0})], False, False),
    ("min(pay.amount) <= 12", [("pay", {"amount": 30})], True, False),
    ("max(pay.amount) <= 20", [("pay", {"amount": 30})], False, False),
    ("distinct(send.to)", [("send", {"to": "a"}), ("send", {"to": "a"})], False, False),
    ("not distinct(send.to)", [("send", {"to": "a"})], True, False),
    ("before(login, send)", [("send", {"to": "a"})], False, False),
    ("before(login, send)", [("login", {}), ("send", {"to": "a"})], True, True),
    ("before(login, send)", [], True, True),
    ("not before(login, send)", [("login", {})], False, False),
    ("not before(login, send)", [], True, False),
]


@pytest.mark.parametrize(("text", "calls", "open_ok", "final_ok"), CASES,
                         ids=[f"{t} after {len(c)} call(s)" for t, c, *_ in CASES])
def test_open_and_final_verdicts(text: str, calls: list[tuple[str, dict[str, Any]]],
                                 open_ok: bool, final_ok: bool) -> None:
    checker = PlanChecker(TOOLS, [text])
    for step, (tool, args) in enumerate(calls):
        checker.begin_call(step, tool)
        for name, value in args.items():
            checker.assign(step, name, value)
        checker.end_call(step)
    assert checker.check().ok is open_ok
    final = checker.check(final=True)
    assert final.ok is final_ok
    if not final_ok:
        assert final.core
        if open_ok:  # refuted only because the plan ends here
            assert any(item.kind == "end" for item in final.core)


def test_unassigned_values_stay_free_within_their_range() -> None:
    checker = PlanChecker(TOOLS, ["pay.amount >= 45"])
    checker.begin_call(0, "pay")
    assert checker.check().ok  # 45..50 remain
    checker2 = PlanChecker(TOOLS, ["pay.amount >= 51"])
    checker2.begin_call(0, "pay")
    verdict = checker2.check()
    assert verdict.refuted  # no amount in 10..50 is >= 51
    assert {i.kind for i in verdict.core} == {"call", "constraint", "parameter"}


def test_final_check_does_not_close_the_plan_for_later_checks() -> None:
    checker = PlanChecker(TOOLS, ["count(send) >= 2"])
    checker.begin_call(0, "send")
    assert not checker.check(final=True).ok
    assert checker.check().ok
    checker.begin_call(1, "send")
    assert checker.check(final=True).ok
