"""The agent loop with scripted proposals: the loop's logic, against the real demo world."""

from __future__ import annotations

import json
from collections.abc import Sequence

from neurosym.execute import Executor, LoopObservation, run_loop
from neurosym.execute.demo_world import make_world
from neurosym.plan import Plan, parse_plan

SEARCH = 'flights = search_flights(origin="SFO", destination="CDG", date="2026-12-01")'


class Script:
    """Proposes fixed plans in turn, and remembers what it was shown each time."""

    def __init__(self, *texts: str) -> None:
        self.texts = list(texts)
        self.shown: list[tuple[LoopObservation, ...]] = []

    def __call__(self, request: str, observations: Sequence[LoopObservation]) -> Plan:
        self.shown.append(tuple(observations))
        return parse_plan(self.texts[min(len(self.shown), len(self.texts)) - 1])


def test_search_then_book_then_answer() -> None:
    world, tools = make_world()
    script = Script(SEARCH, 'b = book_flight(flight_id="UA990", passengers=1)',
                    'answer("Booked UA990 for 540.")')
    result = run_loop("Book the cheapest flight", script, tools=tools, executor=Executor(tools))
    assert result.status == "answer" and result.ok and result.text == "Booked UA990 for 540."
    assert len(result.turns) == 3 and all(t.verified for t in result.turns)
    # the second proposal saw the search results, the third also the booking
    assert len(script.shown[1]) == 1 and '"id": "UA990"' in script.shown[1][0].text
    assert [o.tool for o in script.shown[2]] == ["search_flights", "book_flight"]
    assert [b.item_id for b in world.bookings] == ["UA990"]
    assert result.values["b"].item_id == "UA990"


def test_a_rejected_plan_is_explained_and_not_run() -> None:
    world, tools = make_world()
    script = Script('b = book_flights(flight_id="UA990", passengers=1)',
                    'b = book_flight(flight_id="UA990", passengers=1)\nanswer("done")')
    result = run_loop("Book UA990 for 1 passenger", script, tools=tools,
                      executor=Executor(tools))
    first, second = result.turns
    assert not first.verified and first.execution is None
    note = script.shown[1][0]
    assert not note.ok and note.step is None
    assert note.text.startswith("the plan was rejected: PlanValidationError:")
    assert "book_flight" in note.text  # the hint names the tool meant
    assert second.verified and result.status == "answer"
    assert len(world.bookings) == 1


def test_a_failed_step_leads_to_the_next_best_tool() -> None:
    world, tools = make_world()
    world.fail_next("search_hotels", ValueError("hotel search is down"))
    script = Script('h = search_hotels(city="Paris")', SEARCH,
                    'answer("No hotels; flights found.")')
    result = run_loop("Trip to Paris", script, tools=tools, executor=Executor(tools))
    failure = script.shown[1][0]
    assert not failure.ok and "hotel search is down" in failure.text
    assert '"retryable": false' in failure.text
    assert result.status == "answer" and len(result.turns) == 3


def test_the_loop_stops_at_its_budget() -> None:
    _, tools = make_world()
    script = Script("bal = get_balance()")
    result = run_loop("Watch my balance", script, tools=tools, executor=Executor(tools),
                      max_turns=3)
    assert result.status == "budget" and not result.ok and result.text is None
    assert len(result.turns) == 3 and len(result.observations) == 3


def test_a_proposer_without_an_answer_ends_the_loop_after_the_calls_ran() -> None:
    _, tools = make_world()
    plans = iter([parse_plan("bal = get_balance()"), None])
    result = run_loop("Balance?", lambda request, seen: next(plans), tools=tools,
                      executor=Executor(tools))
    assert result.status == "unanswered" and not result.ok and result.text is None
    assert len(result.turns) == 1 and result.values["bal"] is not None


def test_ask_and_none_end_the_loop_at_once() -> None:
    world, tools = make_world()
    asked = run_loop("Book a flight", Script('ask("From where, and when?")'), tools=tools,
                     executor=Executor(tools))
    assert (asked.status, asked.text, len(asked.turns)) == ("ask", "From where, and when?", 1)
    nothing = run_loop("Sing a song", Script("none()"), tools=tools, executor=Executor(tools))
    assert (nothing.status, nothing.text, nothing.ok) == ("none", None, True)
    assert world.calls == []


def test_steps_and_an_answer_in_one_plan_run_then_answer() -> None:
    world, tools = make_world()
    result = run_loop("Balance?", Script('bal = get_balance()\nanswer("Here it is.")'),
                      tools=tools, executor=Executor(tools))
    assert result.status == "answer" and len(result.turns) == 1
    assert result.values == {"bal": 2000.0} and len(world.calls) == 1


def test_a_dry_run_stops_after_showing_the_first_plan() -> None:
    world, tools = make_world()
    result = run_loop("Book the cheapest flight",
                      Script(SEARCH + "\nb = book_flight(flight_id=flights[0].id, passengers=1)"),
                      tools=tools, executor=Executor(tools, dry_run=True))
    assert result.status == "dry-run" and len(result.turns) == 1
    assert "batch 1:" in (result.text or "") and world.calls == []


def test_long_observations_are_shaped_and_kept_whole_in_the_store() -> None:
    _, tools = make_world()
    result = run_loop("Flights", Script(SEARCH, 'answer("ok")'), tools=tools,
                      executor=Executor(tools), budget_chars=60)
    note = result.turns[0].observations[0]
    assert len(note.text) <= 60 and note.handle is not None
    assert [f.id for f in result.store.get(note.handle)] == ["UA990", "AF83"]


def test_the_result_serialises_to_json() -> None:
    _, tools = make_world()
    result = run_loop("Flights", Script(SEARCH, 'answer("ok")'), tools=tools,
                      executor=Executor(tools))
    data = json.loads(json.dumps(result.to_dict()))
    assert data["status"] == "answer"
    assert data["turns"][0]["steps"][0]["observation"][0]["id"] == "UA990"
    assert data["turns"][1]["plan"] == 'answer("ok")'


def test_values_observed_in_one_turn_constrain_the_next_plans() -> None:
    world, tools = make_world(savings=500.0)
    move = 't = transfer(from_account="savings", to_account="checking", amount={})'
    script = Script('bal = get_balance(account="savings")', move.format("600.0"),
                    move.format("400.0"), 'answer("Moved 400.")')
    result = run_loop("Move 600 from savings to checking, or 400 if that is too much", script, tools=tools, executor=Executor(tools),
                      constraints=["transfer.amount <= get_balance.result"])
    assert [t.verified for t in result.turns] == [True, False, True, True]
    assert "get_balance.result = 500.0 (observed)" in (result.turns[1].error or "")
    assert result.status == "answer"
    assert [r.amount for r in world.transfers] == [400.0]
