"""The executor against the real demo world: real tools, real threads, real state."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from neurosym.errors import (ExecutionError, PlanValidationError, RetryableError,
                             UnverifiedPlanError)
from neurosym.execute import Executor, Policy, ToolCall, verify
from neurosym.execute.demo_world import World, make_world
from neurosym.execute.digest import idempotency_key
from neurosym.graph.plain import canonical_json
from neurosym.plan import parse_plan
from neurosym.tools import ToolSet

SEARCH_FLIGHTS = 'flights = search_flights(origin="SFO", destination="CDG", date="2026-12-01")'
SEARCH_HOTELS = 'hotels = search_hotels(city="Paris")'


@pytest.fixture
def world_tools() -> Iterator[tuple[World, ToolSet]]:
    world, tools = make_world()
    yield world, tools
    world.release()  # never leave a hanging call behind


def run(tools: ToolSet, text: str, **options: object):
    executor = Executor(tools, **options)  # type: ignore[arg-type]
    return executor.execute(verify(parse_plan(text), tools))


# -- order and parallelism ----------------------------------------------------------------

def test_independent_reads_overlap_in_time(world_tools) -> None:
    world, tools = world_tools
    # each call waits for the other to start: they succeed only if they run together
    world.rendezvous("search_flights", "search_hotels")
    world.delay("search_flights", 0.05)
    result = run(tools, SEARCH_FLIGHTS + "\n" + SEARCH_HOTELS)
    assert result.ok and result.batches == ((0, 1),)
    (f,), (h,) = world.calls_of("search_flights"), world.calls_of("search_hotels")
    assert f.started < h.ended and h.started < f.ended  # the two calls were running together
    assert f.thread != h.thread


def test_max_workers_one_runs_reads_one_after_the_other(world_tools) -> None:
    world, tools = world_tools
    world.rendezvous("search_flights", "search_hotels", timeout=0.3)
    result = run(tools, SEARCH_FLIGHTS + "\n" + SEARCH_HOTELS, max_workers=1)
    assert [s.error for s in result.steps] == ["BrokenBarrierError: "] * 2
    calls = sorted(world.calls, key=lambda c: c.started)
    assert calls[0].ended <= calls[1].started


def test_writes_run_alone_and_in_plan_order(world_tools) -> None:
    world, tools = world_tools
    world.delay("create_event", 0.05)
    titles = ["first", "second", "third"]
    text = "\n".join(f'e{i} = create_event(title="{t}", date="2026-12-03", start="1{i}:00", '
                     f'end="1{i}:30")' for i, t in enumerate(titles))
    result = run(tools, text)
    assert result.ok and result.batches == ((0,), (1,), (2,))
    calls = world.calls_of("create_event")
    assert [c.kwargs["title"] for c in calls] == titles
    assert all(a.ended <= b.started for a, b in zip(calls, calls[1:]))
    assert [e.title for e in world.events if e.date == "2026-12-03"] == titles


def test_a_read_written_after_a_write_sees_it(world_tools) -> None:
    world, tools = world_tools
    result = run(tools, 't = transfer(from_account="savings", to_account="checking", '
                        'amount=100.0)\nbal = get_balance()')
    assert result.ok
    assert result.values["bal"] == 2100.0


# -- chaining and final state ------------------------------------------------------------

def test_read_then_dependent_write_books_the_cheapest_flight(world_tools) -> None:
    world, tools = world_tools
    result = run(tools, SEARCH_FLIGHTS + "\nbooking = book_flight(flight_id=flights[0].id, "
                                         "passengers=1)\nbal = get_balance()")
    assert result.ok, result.report()
    assert result.step("booking").args == {"flight_id": "UA990", "passengers": 1}
    assert [b.item_id for b in world.bookings] == ["UA990"]
    assert world.balances["checking"] == 1460.0 == result.values["bal"]


def test_nested_calls_run_as_their_own_steps(world_tools) -> None:
    world, tools = world_tools
    result = run(tools, 't = transfer(from_account="checking", to_account="savings", '
                        'amount=get_balance(account="savings"))')
    assert result.ok
    assert [s.tool for s in result.steps] == ["get_balance", "transfer"]
    assert world.balances == {"checking": 1500.0, "savings": 1000.0}


def test_idempotency_key_is_passed_and_stable(world_tools) -> None:
    world, tools = world_tools
    text = 't = transfer(from_account="savings", to_account="checking", amount=5.0)'
    first = run(tools, text)
    expected = idempotency_key(0, "transfer", {"from_account": "savings",
                                               "to_account": "checking", "amount": 5.0})
    assert first.step("t").idempotency_key == expected
    assert world.calls_of("transfer")[0].kwargs["idempotency_key"] == expected
    second = run(tools, text)  # the same step again is recognised by the tool
    assert second.values["t"] == first.values["t"]
    assert len(world.transfers) == 1 and world.balances["savings"] == 495.0


# -- failures as observations -------------------------------------------------------------

def test_a_raising_tool_gives_a_structured_error_and_blocks_its_users(world_tools) -> None:
    world, tools = world_tools
    world.fail_next("search_hotels", ValueError("the hotel service is down"))
    result = run(tools, SEARCH_HOTELS + "\nb = book_hotel(hotel_id=hotels[0].id, nights=2)\n"
                 + SEARCH_FLIGHTS)
    hotels, booking, flights = result.steps
    assert hotels.status == "error"
    assert hotels.observation == {"error": "ValueError: the hotel service is down",
                                  "retryable": False}
    assert hotels.attempts == 1  # not retryable: tried once
    assert booking.status == "blocked" and "step 0" in booking.error
    assert flights.ok  # an independent read still runs
    assert not result.ok and result.errors == (hotels, booking)
    assert world.bookings == [] and world.balances["checking"] == 2000.0


def test_a_hanging_tool_is_cut_off_by_its_timeout(world_tools) -> None:
    world, tools = world_tools
    world.hang("get_balance")
    result = run(tools, "bal = get_balance()\nev = list_events(date=\"2026-12-01\")",
                 timeout_s=0.3, retries=0)
    bal, events = result.steps
    assert bal.status == "timeout"
    assert bal.observation["retryable"] is True
    assert bal.observation["error"].startswith(
        "TimeoutError: get_balance did not answer within 0.3 s (its thread is left running")
    assert events.ok
    # the executor returned while the call was still hanging: it has not finished yet
    assert world.calls_of("get_balance") == []


def test_a_timeout_is_retried_then_given_up(world_tools) -> None:
    world, tools = world_tools
    world.hang("get_balance")
    result = run(tools, "bal = get_balance()", timeout_s=0.2, retries=1, backoff_s=0.01)
    assert result.steps[0].status == "timeout" and result.steps[0].attempts == 2
    assert [r.outcome for r in result.audit] == ["timeout", "timeout"]
    assert [r.attempt for r in result.audit] == [1, 2]


@pytest.mark.parametrize("error", [ConnectionError("reset"), TimeoutError("slow"),
                                   RetryableError("busy, try again")])
def test_retryable_errors_are_retried(world_tools, error: Exception) -> None:
    world, tools = world_tools
    world.fail_next("search_flights", error)
    result = run(tools, SEARCH_FLIGHTS, backoff_s=0.01)
    assert result.ok and result.steps[0].attempts == 2
    assert [r.outcome for r in result.audit] == ["error", "ok"]


def test_retries_are_bounded(world_tools) -> None:
    world, tools = world_tools
    world.fail_next("search_flights", ConnectionError("reset"), times=5)
    result = run(tools, SEARCH_FLIGHTS, retries=2, backoff_s=0.01)
    step = result.steps[0]
    assert step.status == "error" and step.attempts == 3
    assert step.observation == {"error": "ConnectionError: reset", "retryable": True}
    assert len(world.calls_of("search_flights")) == 3


def test_a_write_with_an_idempotency_key_is_retried_with_the_same_key(world_tools) -> None:
    world, tools = world_tools
    world.fail_next("transfer", ConnectionError("reset"))
    result = run(tools, 't = transfer(from_account="savings", to_account="checking", '
                        'amount=5.0)', backoff_s=0.01)
    assert result.ok and result.steps[0].attempts == 2
    keys = {c.kwargs["idempotency_key"] for c in world.calls_of("transfer")}
    assert len(keys) == 1 and len(world.transfers) == 1


def test_a_write_without_a_key_is_not_retried_after_a_connection_error(world_tools) -> None:
    world, tools = world_tools
    world.fail_next("book_hotel", ConnectionError("reset"))
    result = run(tools, 'b = book_hotel(hotel_id="H-PAR-2", nights=1)', backoff_s=0.01)
    step = result.steps[0]
    assert step.status == "error" and step.attempts == 1 and step.retryable
    assert world.bookings == []


def test_a_wrong_return_type_is_a_structured_error(world_tools) -> None:
    world, tools = world_tools
    world.return_next("search_flights", [{"id": 7}])
    result = run(tools, SEARCH_FLIGHTS + "\nb = book_flight(flight_id=flights[0].id, "
                                         "passengers=1)")
    flights, booking = result.steps
    assert flights.status == "error" and not flights.retryable
    assert flights.error.startswith("TypeError: search_flights returned a value that does "
                                    "not fit its declared result")
    assert "result[0].id: must be a string" in flights.error
    assert booking.status == "blocked"
    assert world.bookings == []


def test_a_reference_to_a_missing_item_is_a_structured_error(world_tools) -> None:
    world, tools = world_tools
    result = run(tools, SEARCH_FLIGHTS + "\nb = book_flight(flight_id=flights[5].id, "
                                         "passengers=1)")
    assert result.steps[0].ok
    booking = result.steps[1]
    assert booking.status == "error"
    assert booking.observation == {
        "error": "ResolutionError: flights has 2 items, so [5] is out of range",
        "retryable": False}
    assert world.calls_of("book_flight") == [] and world.bookings == []


def test_no_write_starts_after_a_failure(world_tools) -> None:
    world, tools = world_tools
    world.fail_next("book_hotel", ValueError("sold out"))
    result = run(tools, 't = transfer(from_account="savings", to_account="checking", '
                        'amount=5.0)\nb = book_hotel(hotel_id="H-PAR-2", nights=1)\n'
                        'e = create_event(title="trip", date="2026-12-05", start="08:00", '
                        'end="09:00")\nbal = get_balance()')
    assert [s.status for s in result.steps] == ["ok", "error", "skipped", "ok"]
    assert "no write starts after a failure" in result.steps[2].error
    assert world.calls_of("create_event") == []
    assert [e.title for e in world.events] == ["Team sync"]


def test_a_failed_read_stops_later_writes_too(world_tools) -> None:
    world, tools = world_tools
    world.fail_next("get_balance", ValueError("bank offline"))
    result = run(tools, 'bal = get_balance()\nt = transfer(from_account="savings", '
                        'to_account="checking", amount=5.0)')
    assert [s.status for s in result.steps] == ["error", "skipped"]
    assert world.transfers == []


# -- the gateway ----------------------------------------------------------------------------

def test_the_gateway_checks_values_that_arrive_by_reference() -> None:
    world, tools = make_world(checking=20000.0)
    result = run(tools, 'bal = get_balance()\nt = transfer(from_account="checking", '
                        'to_account="savings", amount=bal)')
    bal, transfer = result.steps
    assert bal.ok and bal.value == 20000.0
    assert transfer.status == "denied"
    assert transfer.observation["error"].startswith("PlanValidationError: arguments of transfer")
    assert "amount: must be at most 10000" in transfer.error
    assert world.calls_of("transfer") == [] and world.transfers == []
    assert [r.outcome for r in result.audit] == ["ok", "denied"]


def test_a_denied_tool_never_runs_and_nothing_else_does(world_tools) -> None:
    world, tools = world_tools
    policy = Policy(deny=["transfer"])
    result = run(tools, 'bal = get_balance()\nt = transfer(from_account="checking", '
                        'to_account="savings", amount=5.0)', policy=policy)
    bal, transfer = result.steps
    assert transfer.status == "denied" and transfer.error.startswith("PolicyError: transfer is on")
    assert bal.status == "skipped"
    assert world.calls == [] and world.transfers == []
    audit = [(r.tool, r.outcome) for r in result.audit]
    assert audit == [("transfer", "denied")]


def test_an_allow_list_denies_the_rest(world_tools) -> None:
    world, tools = world_tools
    result = run(tools, SEARCH_FLIGHTS + "\n" + SEARCH_HOTELS,
                 policy=Policy(allow=["search_flights"]))
    assert [s.status for s in result.steps] == ["skipped", "denied"]
    assert world.calls == []


def test_approval_is_asked_with_the_real_arguments(world_tools) -> None:
    world, tools = world_tools
    seen: list[ToolCall] = []

    def approver(call: ToolCall) -> bool:
        seen.append(call)
        return call.args["passengers"] <= 1

    text = SEARCH_FLIGHTS + "\nb = book_flight(flight_id=flights[0].id, passengers={})"
    policy = Policy(require_approval=["book_flight"], approver=approver)
    refused = run(tools, text.format(2), policy=policy)
    assert refused.steps[1].status == "denied" and "refused" in refused.steps[1].error
    assert world.bookings == []
    approved = run(tools, text.format(1), policy=policy)
    assert approved.ok and len(world.bookings) == 1
    assert [c.args["flight_id"] for c in seen] == ["UA990", "UA990"]


def test_a_tool_needing_approval_is_refused_without_an_approver(world_tools) -> None:
    world, tools = world_tools
    flagged = ToolSet(t.with_(requires_approval=True) if t.name == "book_hotel" else t
                      for t in tools)
    result = run(flagged, 'b = book_hotel(hotel_id="H-PAR-2", nights=1)')
    assert result.steps[0].status == "denied" and "no approver" in result.steps[0].error
    assert world.bookings == []


# -- what never runs ---------------------------------------------------------------------

def test_only_verified_plans_run(world_tools) -> None:
    world, tools = world_tools
    executor = Executor(tools)
    for thing in (parse_plan(SEARCH_FLIGHTS), SEARCH_FLIGHTS, None):
        with pytest.raises(UnverifiedPlanError) as info:
            executor.execute(thing)  # type: ignore[arg-type]
        assert "verify(" in (info.value.hint or "")
    assert world.calls == []


def test_a_plan_that_fails_validation_calls_nothing(world_tools) -> None:
    world, tools = world_tools
    with pytest.raises(PlanValidationError):
        verify(parse_plan(SEARCH_FLIGHTS + "\nb = book_flight(flight_id=flights[0].id, "
                                           "passengers=12)"), tools)
    assert world.calls == []


def test_a_plan_verified_against_other_tools_is_refused(world_tools) -> None:
    world, tools = world_tools
    changed = ToolSet(t.with_(description="changed") if t.name == "search_hotels" else t
                      for t in tools)
    verified = verify(parse_plan(SEARCH_HOTELS), changed)
    with pytest.raises(UnverifiedPlanError, match="another definition"):
        Executor(tools).execute(verified)
    with pytest.raises(UnverifiedPlanError, match="does not have"):
        Executor(tools.without(["search_hotels"])).execute(verified)
    assert world.calls == []


def test_a_tool_without_a_function_stops_the_run_before_any_call(world_tools) -> None:
    world, tools = world_tools
    bare = ToolSet(t.with_(func=None) if t.name == "book_hotel" else t for t in tools)
    verified = verify(parse_plan(SEARCH_HOTELS + "\nb = book_hotel(hotel_id=hotels[0].id, "
                                                 "nights=1)"), bare)
    with pytest.raises(ExecutionError, match="no function"):
        Executor(bare).execute(verified)
    assert world.calls == []
    assert Executor(bare).execute(verified, dry_run=True).dry_run


def test_dry_run_calls_nothing_and_says_what_would_run(world_tools) -> None:
    world, tools = world_tools
    text = (SEARCH_FLIGHTS + "\n" + SEARCH_HOTELS + "\nb = book_flight(flight_id=flights[0].id,"
            " passengers=1)")
    result = run(tools, text, dry_run=True)
    assert world.calls == [] and world.bookings == []
    assert result.dry_run and result.ok
    assert result.batches == ((0, 1), (2,))
    assert [s.status for s in result.steps] == ["dry-run"] * 3
    assert result.steps[2].args == {"flight_id": "flights[0].id", "passengers": "1"}
    assert result.steps[2].observation["would_call"] == (
        "book_flight(flight_id=flights[0].id, passengers=1)")
    assert [r.outcome for r in result.audit] == ["dry-run"] * 3
    report = result.report()
    assert "batch 1:" in report and "nothing was called" in report


def test_bad_executor_settings_are_clear_errors(world_tools) -> None:
    _, tools = world_tools
    with pytest.raises(ExecutionError, match="timeout_s"):
        Executor(tools, timeout_s=0)
    with pytest.raises(ExecutionError, match="max_workers"):
        Executor(tools, max_workers=0)


# -- the audit log --------------------------------------------------------------------------

def test_the_audit_log_has_one_line_per_call_attempt(world_tools, tmp_path: Path) -> None:
    world, tools = world_tools
    world.fail_next("search_flights", ConnectionError("reset"))
    path = tmp_path / "audit.jsonl"
    result = run(tools, SEARCH_FLIGHTS + "\nb = book_flight(flight_id=flights[0].id, "
                                         "passengers=1)", audit=path, backoff_s=0.01)
    assert result.ok
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    # Every attempt is on record ("started") before it runs, and its outcome after.
    assert [(r["step"], r["tool"], r["outcome"], r["attempt"]) for r in lines] == [
        (0, "search_flights", "started", 1), (0, "search_flights", "error", 1),
        (0, "search_flights", "started", 2), (0, "search_flights", "ok", 2),
        (1, "book_flight", "started", 1), (1, "book_flight", "ok", 1)]
    assert lines[1]["error"] == "ConnectionError"  # the kind only: messages may quote values
    args = {"flight_id": "UA990", "passengers": 1}
    # Keyed: the digest is not the plain SHA-256 anyone could recompute from a guess.
    assert lines[5]["args_digest"] != hashlib.sha256(canonical_json(args).encode()).hexdigest()
    assert lines[5]["args_digest"] == lines[4]["args_digest"]
    assert all(r["latency_ms"] >= 0 and r["timestamp"].endswith("+00:00") for r in lines)
    outcomes = [line for line in path.read_text().splitlines() if '"started"' not in line]
    assert [r.to_json() for r in result.audit] == outcomes
    # a second run appends to the same file
    run(tools, "bal = get_balance()", audit=path)
    assert len(path.read_text().splitlines()) == 8


def test_none_for_an_optional_argument_leaves_it_out_so_the_default_applies() -> None:
    from neurosym.tools import tool

    @tool
    def area(radius: float, unit: str = "cm") -> str:
        """Area of a circle."""
        return f"{3 * radius * radius} {unit}2"

    tools = ToolSet([area])
    report = run(tools, "a = area(radius=2, unit=None)")
    (step,) = report.steps
    assert step.ok and step.value == "12 cm2"
    assert step.args == {"radius": 2}
