"""verify() and VerifiedPlan: the only way into the executor."""

from __future__ import annotations

import dataclasses

import pytest

from neurosym.errors import PlanSyntaxError, PlanValidationError, UnverifiedPlanError
from neurosym.execute import VerifiedPlan, verify
from neurosym.execute.demo_world import make_world
from neurosym.plan import parse_plan

_, TOOLS = make_world()
TEXT = ('f = search_flights(origin="SFO", destination="CDG", date="2026-12-01")\n'
        "b = book_flight(flight_id=f[0].id, passengers=pick(n=2))")


def test_verify_seals_the_plan_with_what_it_was_checked_against() -> None:
    plan = parse_plan('f = search_flights(origin="SFO", destination="CDG", date="2026-12-01")')
    verified = verify(plan, TOOLS)
    assert verified.plan == plan and verified.flat == plan
    assert [t.name for t in verified.tools] == list(TOOLS.names)
    assert verified.constraints == () and dict(verified.observations) == {}
    assert sorted(verified.graph.nodes) == [0]


def test_verify_parses_text() -> None:
    verified = verify('bal = get_balance(account="savings")', TOOLS)
    assert verified.plan.steps[0].bind == "bal"
    with pytest.raises(PlanSyntaxError):
        verify("bal = get_balance(", TOOLS)


def test_verify_raises_for_a_broken_plan() -> None:
    with pytest.raises(PlanValidationError, match="no tool named 'pick'"):
        verify(TEXT, TOOLS)


def test_a_verified_plan_cannot_be_forged_or_changed() -> None:
    verified = verify('bal = get_balance()', TOOLS)
    with pytest.raises(UnverifiedPlanError):
        VerifiedPlan(verified.plan, verified.flat, verified.tools)
    with pytest.raises(UnverifiedPlanError):
        dataclasses.replace(verified, plan=parse_plan("x = transfer()"))
    with pytest.raises(UnverifiedPlanError):
        dataclasses.replace(verified, constraints=("count(transfer) <= 9",))
    assert dataclasses.replace(verified) == verified  # an exact copy keeps its seal
    with pytest.raises(dataclasses.FrozenInstanceError):
        verified.plan = parse_plan("x = transfer()")  # type: ignore[misc]
    with pytest.raises(TypeError):
        verified.observations["x"] = 1  # type: ignore[index]
