"""Streaming: a call leaves the moment the decoder has made it final, and nothing that has
left is ever taken back."""

from __future__ import annotations

import json
import threading

import pytest

from neurosym.decode import Boundary, Checkpoint, Continue, DecisionEvent, Reject, RollbackEvent
from neurosym.errors import DecodeError
from neurosym.plan import parse_plan
from neurosym.serve import create_chat_completion
from neurosym.serve._history import read_history
from neurosym.serve.chat import LiveCalls, CompletionRun
from neurosym.tools import Param, Tool, ToolSet

WEATHER = Tool("get_weather", params=(Param("city", "string"),))
FIND = Tool("find_restaurant", params=(Param("city", "string"),))
BOOK = Tool("book_table", params=(Param("restaurant_id", "string"),), effect="write")
TOOLS = ToolSet([WEATHER, FIND, BOOK])
PLAN = ('a = get_weather(city="Oslo")\n'
        'b = find_restaurant(city="Oslo")\n'
        'c = book_table(restaurant_id=b.id)')


class _Tools:
    tools = TOOLS


def _live(parallel: bool = True) -> tuple[LiveCalls, list[dict]]:
    history = read_history([{"role": "user", "content": "go"}])
    sent: list[dict] = []
    return LiveCalls(CompletionRun(_Tools(), history, "auto", parallel), sent.append), sent  # type: ignore[arg-type]


def _step_end(index: int) -> tuple[DecisionEvent, int]:
    """The decoder's accepting the end of step ``index`` of PLAN, and that end's offset."""
    lines = PLAN.split("\n")
    offset = sum(len(line) + 1 for line in lines[:index]) + len(lines[index])
    step = parse_plan(PLAN).steps[index]
    boundary = Boundary("step_end", offset, (index,), step=step)
    return DecisionEvent(boundary, Continue(), 0.0), offset


def _back_to(offset: int, kind: str = "value_start") -> RollbackEvent:
    return RollbackEvent(Checkpoint(99, kind, offset, offset, 0, b"", ()), "", None,
                         "the solver refused", 0.0)


def test_each_call_leaves_when_its_step_is_accepted() -> None:
    live, sent = _live()
    first, _ = _step_end(0)
    live.on_event(first)
    assert [c["function"]["name"] for c in sent] == ["get_weather"]
    second, _ = _step_end(1)
    live.on_event(second)
    live.on_event(second)            # the same end reported again after a rollback to it
    third, _ = _step_end(2)
    live.on_event(third)             # waits for b's result: it does not leave now
    assert [c["function"]["name"] for c in sent] == ["get_weather", "find_restaurant"]
    assert json.loads(sent[1]["function"]["arguments"]) == {"city": "Oslo"}


def test_a_rejected_step_end_sends_nothing() -> None:
    live, sent = _live()
    event, offset = _step_end(0)
    live.on_event(DecisionEvent(event.boundary, Reject(_back_to(offset).target), 0.0))
    assert sent == []


def test_a_rollback_into_a_sent_call_stops_the_decode() -> None:
    live, sent = _live()
    event, offset = _step_end(0)
    live.on_event(event)
    live.on_event(_back_to(offset))               # back to the sent step's end: allowed
    with pytest.raises(DecodeError, match="already streamed") as caught:
        live.on_event(_back_to(offset - 3))       # into its text: never
    assert caught.value.hint


def test_a_rollback_over_calls_not_sent_makes_them_again() -> None:
    live, sent = _live(parallel=False)
    first, end = _step_end(0)
    live.on_event(first)                          # sent; the only one (no parallel calls)
    second, _ = _step_end(1)
    live.on_event(second)                         # final, but not sent
    live.on_event(_back_to(end + 5))              # takes step 1 back: nothing sent is lost
    assert len(live.steps) == 1
    live.on_event(second)
    assert [c["function"]["name"] for c in sent] == ["get_weather"]


class _Finished:
    def __init__(self, text: str | None, ok: bool = True, error: Exception | None = None) -> None:
        self.plan = parse_plan(text) if text else None
        self.ok = ok
        self.error = error


def test_the_finished_plan_sends_the_rest_and_must_hold_what_was_sent() -> None:
    live, sent = _live()
    live.on_event(_step_end(0)[0])
    calls = live.settle(_Finished('a = get_weather(city="Oslo")\nb = find_restaurant(city="Oslo")'))
    assert [c["function"]["name"] for c in calls] == ["get_weather", "find_restaurant"]
    assert calls == sent and calls[0]["id"] != calls[1]["id"]
    other, _ = _live()
    other.on_event(_step_end(0)[0])
    with pytest.raises(DecodeError, match="does not hold"):
        other.settle(_Finished('a = find_restaurant(city="Oslo")'))
    failed, _ = _live()
    failed.on_event(_step_end(0)[0])
    with pytest.raises(DecodeError, match="budget"):
        failed.settle(_Finished(None, ok=False, error=DecodeError("out of budget")))


def test_a_plan_that_failed_its_checks_sends_no_call() -> None:
    history = read_history([{"role": "user", "content": "go"}])
    run = CompletionRun(_Tools(), history, "auto", True)  # type: ignore[arg-type]
    assert run.next_calls(_Finished('a = get_weather(city="Oslo")', ok=False)) == []
    assert len(run.next_calls(_Finished('a = get_weather(city="Oslo")'))) == 1


@pytest.mark.model
def test_a_decoded_call_streams_before_the_plan_is_finished(model) -> None:
    """Token by token (width=0), the first call reaches the reader while the planner is
    still at work: the planner's return waits until the reader has seen a call."""
    from neurosym import Planner

    seen_call = threading.Event()
    streamed_first: list[bool] = []

    class Watched(Planner):
        def plan(self, *args, **kwargs):   # type: ignore[no-untyped-def]
            result = super().plan(*args, **kwargs)
            if not kwargs.get("answer_only"):
                streamed_first.append(seen_call.wait(timeout=60))
            return result

    planner = Watched([WEATHER.bind(lambda city: {"sky": "snow"})], model=model, width=0)
    chunks = create_chat_completion(planner, [{"role": "user",
                                               "content": "What is the weather in Oslo?"}],
                                    stream=True)
    pieces = []
    for chunk in chunks:
        delta = chunk["choices"][0]["delta"] if chunk["choices"] else {}
        for piece in delta.get("tool_calls") or ():
            seen_call.set()
            pieces.append(piece)
        last = chunk
    assert streamed_first == [True]
    assert pieces[0]["function"]["name"] == "get_weather"
    arguments = "".join(p["function"]["arguments"] for p in pieces)
    assert json.loads(arguments) == {"city": "Oslo"}
    assert last["choices"][0]["finish_reason"] == "tool_calls"
