"""Constraints over a whole run, and writes that need grounds, with the real Z3 solver and
the demo world's real tools (plans come from scripts, so each case is exact)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from neurosym.errors import Unsatisfiable
from neurosym.execute import Executor, PastCall, Policy, ToolCall, run_loop, verify
from neurosym.execute.demo_world import make_world
from neurosym.execute.loop import LoopObservation
from neurosym.plan import Plan, parse_plan

THREE_NIGHTS = ["sum(book_hotel.nights) <= 3"]


class Script:
    """Proposes the given plans in turn."""

    def __init__(self, *plans: str) -> None:
        self.plans = [parse_plan(p) for p in plans]

    def __call__(self, request: str, seen: Sequence[LoopObservation]) -> Plan:
        return self.plans.pop(0)


def test_a_later_turn_cannot_exceed_a_sum_over_the_run() -> None:
    world, tools = make_world()
    script = Script('b = book_hotel(hotel_id="H-PAR-2", nights=3)',
                    'b = book_hotel(hotel_id="H-PAR-2", nights=2)',
                    'answer("Booked 3 nights; 2 more would break the rule.")')
    result = run_loop("Book H-PAR-2 for 3 nights, then 2 more nights", script, tools=tools,
                      executor=Executor(tools), constraints=THREE_NIGHTS)
    first, second, third = result.turns
    assert first.verified and first.execution is not None and first.execution.ok
    # Each plan alone keeps the rule; the second with the first turn's booking does not.
    assert not second.verified and second.execution is None
    assert "sum(book_hotel.nights) <= 3" in (second.error or "")
    assert 'book_hotel(hotel_id="H-PAR-2", nights=3) (run in turn 0, step 0)' in second.error
    assert result.status == "answer"
    assert len(world.bookings) == 1 and world.bookings[0].total == 270.0
    assert [p.args["nights"] for p in result.history] == [3]


def test_the_executor_refuses_a_call_given_what_already_ran() -> None:
    world, tools = make_world(savings=50.0)
    past = (PastCall(0, 0, "transfer", {"from_account": "checking", "to_account": "savings",
                                        "amount": 80.0}),)
    # The amount is the balance read at run time, so verification cannot refute the plan:
    # the gateway must, with the earlier transfer counted.
    plan = ('bal = get_balance(account="savings")\n'
            't = transfer(from_account="savings", to_account="checking", amount=bal)')
    verified = verify(plan, tools, ["sum(transfer.amount) <= 100"], history=past)
    assert verified.report.ok
    result = Executor(tools).execute(verified)
    read, move = result.steps
    assert read.ok and read.value == 50.0
    assert move.status == "denied"
    assert "Unsatisfiable" in (move.error or "")
    assert "amount=80.0" in move.error and "turn 0" in move.error
    assert world.transfers == []
    # Without the earlier transfer the same plan runs.
    assert Executor(tools).execute(verify(plan, tools, ["sum(transfer.amount) <= 100"])).ok


def test_a_refusal_over_the_run_names_the_earlier_calls() -> None:
    _, tools = make_world()
    past = (PastCall(0, 0, "book_hotel", {"hotel_id": "H-PAR-1", "nights": 2}),
            PastCall(1, 0, "book_hotel", {"hotel_id": "H-LON-1", "nights": 1}))
    with pytest.raises(Unsatisfiable) as info:
        verify('b = book_hotel(hotel_id="H-PAR-2", nights=1)', tools, THREE_NIGHTS,
               history=past)
    text = str(info.value)
    assert "with what the run already did" in text
    assert "turn 0" in text and "turn 1" in text
    assert "(step 0 of this plan)" in text
    # The same plan with room left passes.
    assert verify('b = book_hotel(hotel_id="H-PAR-2", nights=1)', tools, THREE_NIGHTS,
                  history=past[:1]).report.ok


def test_counts_and_order_hold_across_turns() -> None:
    world, tools = make_world()
    script = Script('t = transfer(from_account="checking", to_account="savings", amount=10.0)',
                    't = transfer(from_account="checking", to_account="savings", amount=20.0)',
                    'answer("one transfer only")')
    result = run_loop("Move 10 then 20 from checking to savings", script, tools=tools,
                      executor=Executor(tools), constraints=["count(transfer) <= 1"])
    assert [t.verified for t in result.turns] == [True, False, True]
    assert "count(transfer) <= 1" in (result.turns[1].error or "")
    assert [r.amount for r in world.transfers] == [10.0]


def test_an_invented_write_is_refused_as_ungrounded() -> None:
    world, tools = make_world()
    script = Script('t = transfer(from_account="checking", to_account="savings", amount=10.0)',
                    'answer("I cannot delete accounts.")')
    result = run_loop("Delete my account", script, tools=tools, executor=Executor(tools))
    step = result.turns[0].execution.steps[0]  # type: ignore[union-attr]
    assert step.status == "denied"
    assert "ungrounded" in (step.error or "")
    assert "amount=10.0" in step.error and "from_account='checking'" in step.error
    assert world.transfers == []
    assert [r.outcome for r in result.turns[0].execution.audit] == ["denied"]  # type: ignore[union-attr]


def test_grounds_from_the_request_in_any_language_let_a_write_run() -> None:
    world, tools = make_world()
    script = Script('t = transfer(from_account="checking", to_account="savings", amount=25.5)',
                    'answer("fait")')
    result = run_loop("Virement de 25,5 du compte checking vers savings", script, tools=tools,
                      executor=Executor(tools))
    assert result.turns[0].execution.ok  # type: ignore[union-attr]
    assert [r.amount for r in world.transfers] == [25.5]


def test_an_observed_value_grounds_a_write() -> None:
    world, tools = make_world(savings=80.0)
    script = Script('bal = get_balance(account="savings")\n'
                    't = transfer(from_account="savings", to_account="checking", amount=bal)',
                    'answer("moved")')
    result = run_loop("Move everything from savings to checking", script, tools=tools,
                      executor=Executor(tools))
    assert result.turns[0].execution.ok  # type: ignore[union-attr]
    assert [r.amount for r in world.transfers] == [80.0]


def test_an_approver_sees_the_sources_and_can_ground_a_write() -> None:
    world, tools = make_world()
    shown: list[ToolCall] = []

    def approver(call: ToolCall) -> bool:
        shown.append(call)
        return True

    script = Script('t = transfer(from_account="checking", to_account="savings", amount=10.0)',
                    'answer("done")')
    result = run_loop("Move money to savings", script, tools=tools,
                      executor=Executor(tools, policy=Policy(approver=approver)))
    assert result.turns[0].execution.ok  # type: ignore[union-attr]
    (call,) = shown
    assert call.sources == {"from_account": "ungrounded", "to_account": "request",
                            "amount": "ungrounded"}
    assert "amount: ungrounded" in call.describe()
    assert [r.amount for r in world.transfers] == [10.0]


def test_the_policy_can_let_ungrounded_writes_through() -> None:
    world, tools = make_world()
    script = Script('t = transfer(from_account="checking", to_account="savings", amount=10.0)',
                    'answer("done")')
    run_loop("Move money", script, tools=tools,
             executor=Executor(tools, policy=Policy(ground_writes=False)))
    assert [r.amount for r in world.transfers] == [10.0]


def test_a_plan_run_without_a_request_is_not_held_to_grounds() -> None:
    world, tools = make_world()
    plan = 't = transfer(from_account="checking", to_account="savings", amount=10.0)'
    assert Executor(tools).execute(verify(plan, tools)).ok
    assert len(world.transfers) == 1
