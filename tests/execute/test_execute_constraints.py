"""Constraints with the real Z3 solver: at verification, and again at the gateway with the
values the run has observed."""

from __future__ import annotations

import pytest

from neurosym.errors import Unsatisfiable
from neurosym.execute import Executor, verify
from neurosym.execute.demo_world import make_world
from neurosym.plan import parse_plan

BALANCE_THEN_TRANSFER = ('bal = get_balance(account="savings")\n'
                         't = transfer(from_account="savings", to_account="checking", '
                         'amount={})')
UNDER_BALANCE = ["transfer.amount <= get_balance.result"]


def test_a_plan_breaking_a_constraint_is_not_verified() -> None:
    _, tools = make_world()
    with pytest.raises(Unsatisfiable) as info:
        verify(BALANCE_THEN_TRANSFER.format("600.0"), tools, ["transfer.amount <= 100"])
    assert "transfer.amount = 600.0" in str(info.value)
    assert any("transfer.amount <= 100" in item for item in info.value.core)


def test_the_gateway_rechecks_with_the_balance_just_read() -> None:
    world, tools = make_world(savings=500.0)
    verified = verify(BALANCE_THEN_TRANSFER.format("600.0"), tools, UNDER_BALANCE)
    assert verified.report.ok  # the balance was unknown: nothing to refute yet
    result = Executor(tools).execute(verified)
    bal, transfer = result.steps
    assert bal.ok and bal.value == 500.0
    assert transfer.status == "denied"
    assert transfer.error.startswith("Unsatisfiable: ")
    assert "get_balance.result = 500.0 (observed)" in transfer.error
    assert world.calls_of("transfer") == [] and world.transfers == []
    assert [r.outcome for r in result.audit] == ["ok", "denied"]


def test_the_gateway_lets_a_call_within_the_observed_limit_through() -> None:
    world, tools = make_world(savings=500.0)
    result = Executor(tools).execute(
        verify(BALANCE_THEN_TRANSFER.format("400.0"), tools, UNDER_BALANCE))
    assert result.ok
    assert world.balances == {"checking": 2400.0, "savings": 100.0}


def test_a_referenced_value_is_checked_once_it_is_known() -> None:
    world, tools = make_world()
    text = 'bal = get_balance(account="savings")\nt = transfer(from_account="savings", ' \
           'to_account="checking", amount=bal)'
    verified = verify(text, tools, ["transfer.amount <= 100"])  # amount unknown until run
    result = Executor(tools).execute(verified)
    assert result.steps[1].status == "denied"
    assert "transfer.amount = 500.0" in result.steps[1].error
    assert world.transfers == []


def test_a_constraint_over_the_whole_plan_holds_at_the_gateway() -> None:
    world, tools = make_world()
    text = "\n".join(f'b{i} = book_hotel(hotel_id=h[0].id, nights={n})'
                     for i, n in enumerate((2, 3)))
    plan = 'h = search_hotels(city="Paris")\n' + text
    with pytest.raises(Unsatisfiable):
        verify(plan, tools, ["sum(book_hotel.nights) <= 4"])
    result = Executor(tools).execute(verify(plan, tools, ["sum(book_hotel.nights) <= 5"]))
    assert result.ok and len(world.bookings) == 2


def test_observations_from_earlier_turns_reach_verification() -> None:
    _, tools = make_world()
    plan = parse_plan('t = transfer(from_account="savings", to_account="checking", '
                      'amount=600.0)')
    verify(plan, tools, UNDER_BALANCE)  # nothing observed: may still hold
    with pytest.raises(Unsatisfiable, match="observed"):
        verify(plan, tools, UNDER_BALANCE, observations={"get_balance": 500.0})
