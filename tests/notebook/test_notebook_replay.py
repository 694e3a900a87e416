"""The replay: the plan text rebuilt event by event, rollbacks included."""

from __future__ import annotations

import pytest

from neurosym.decode.events import RollbackEvent, TokenEvent
from neurosym.errors import NeurosymError
from neurosym.notebook._trace import event_kind, in_decode_order, path_text, trace_events
from neurosym.notebook.replay import frame_html, replay

from tests.notebook.trace_script import Note, backjump_trace, hotel_trace


@pytest.mark.parametrize("make", [hotel_trace, backjump_trace])
def test_the_last_frame_is_the_final_text(make) -> None:
    script = make()
    frames = replay(script.events)
    assert len(frames) == len(script.events)
    assert frames[-1].text == script.text


def test_every_rollback_frame_cuts_back_to_its_checkpoint() -> None:
    script = backjump_trace()
    frames = replay(script.events)
    rollbacks = [(f, e) for f, e in zip(frames, script.events) if isinstance(e, RollbackEvent)]
    assert rollbacks
    for frame, event in rollbacks:
        assert frame.kind == "rollback"
        assert len(frame.text) == event.target.offset
        assert frame.dropped == event.dropped
        before = frames[frame.index - 1].text
        assert before == frame.text + frame.dropped


def test_text_only_grows_by_tokens() -> None:
    frames = replay(hotel_trace().events)
    for previous, frame in zip(frames, frames[1:]):
        if frame.kind == "token":
            assert frame.text.startswith(previous.text) and len(frame.text) > len(previous.text)
        elif frame.kind != "rollback":
            assert frame.text == previous.text


def test_checks_say_whether_they_passed() -> None:
    frames = replay(hotel_trace().events)
    checks = [f for f in frames if f.kind == "check"]
    assert {f.status for f in checks} == {"ok", "rejected"}
    rejected = next(f for f in checks if f.status == "rejected")
    assert "nights in 1..14" in rejected.summary
    assert rejected.text[rejected.span[0]:rejected.span[1]] == "20"


def test_the_searchs_events_say_what_they_did() -> None:
    frames = replay(hotel_trace().events)
    rejections = [f for f in frames if f.kind == "reject"]
    assert len(rejections) == 1 and rejections[0].status == "rejected"
    assert "book_hotel.nights = 20 (step 1)" in rejections[0].summary
    narrowings = [f for f in frames if f.kind == "narrow"]
    assert len(narrowings) == 1 and "feasible: {1, 2, 3, ...}" in narrowings[0].summary
    assert all(f.notable for f in rejections + narrowings)


def test_unknown_event_kinds_are_named_after_their_class() -> None:
    (frame,) = replay([Note("the solver took 3 ms", 0.5)])
    assert frame.kind == "note" and frame.summary == "note: the solver took 3 ms"
    assert event_kind(Note("", 0.0)) == "note"


def test_frame_html_escapes_the_text() -> None:
    frames = replay([TokenEvent(1, 'x = f(a="<i>&")', False, 0.0)])
    shown = frame_html(frames[0], 1)
    assert "&lt;i&gt;&amp;" in shown and "<i>&" not in shown
    assert "no events" in frame_html(None)


@pytest.mark.parametrize("path, text", [
    ((), "plan"), ((2,), "step 2"), ((0, "f", "x"), "step 0 · f.x"),
    ((1, "f", "xs", 0, "k"), "step 1 · f.xs[0].k"),
])
def test_paths_read_as_people_write_them(path: tuple, text: str) -> None:
    assert path_text(path) == text


def test_a_trace_is_found_on_results_or_taken_as_is() -> None:
    script = hotel_trace()

    class Result:
        trace = tuple(script.events)

    assert trace_events(Result()) == tuple(script.events)
    assert trace_events(script.events) == tuple(script.events)
    with pytest.raises(NeurosymError, match="cannot read a search trace"):
        trace_events("token")


def test_notable_frames_are_the_ones_worth_stopping_at() -> None:
    frames = replay(hotel_trace().events)
    notable = [f for f in frames if f.notable]
    assert {f.kind for f in notable} == {"check", "rollback", "reject", "narrow"}
    assert all(f.status == "rejected" or "value end" in f.summary or "plan end" in f.summary
               for f in notable if f.kind == "check")
    assert any(f.status == "rejected" for f in notable)


def test_search_events_are_shown_where_they_happened_whatever_their_clock() -> None:
    from neurosym.decode.events import CheckpointEvent, DecisionEvent
    from neurosym.solver.search import SearchEvent
    events = hotel_trace().events
    late = [e for e in events if not isinstance(e, SearchEvent)] + \
        [e for e in events if isinstance(e, SearchEvent)]        # a slower clock: all at the end
    for trace in (events, late):
        ordered = in_decode_order(trace)
        assert sorted(map(id, ordered)) == sorted(map(id, events))
        narrow = next(i for i, e in enumerate(ordered) if isinstance(e, SearchEvent)
                      and e.kind == "narrow")
        before = ordered[narrow - 1]
        assert isinstance(before, CheckpointEvent)
        assert before.checkpoint.id == ordered[narrow].checkpoint
        reject = next(i for i, e in enumerate(ordered) if isinstance(e, SearchEvent)
                      and e.kind == "reject")
        explained = ordered[reject + 1]
        assert isinstance(explained, DecisionEvent) and explained.boundary.text == "20"
        assert replay(trace)[-1].text == hotel_trace().text
