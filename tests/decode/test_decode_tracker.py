"""The plan tracker: boundaries, offsets and parsed values, checked against the plan parser."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurosym.decode import PlanTracker
from neurosym.plan import parse_plan
from neurosym.plan.ast import Call, Literal, Ref, Step, Terminal
from tests.plan.plan_strategies import plans


def _all(text: str) -> list:
    tracker = PlanTracker()
    return tracker.start() + tracker.feed(text) + tracker.finish()


@pytest.mark.parametrize("text, kinds", [
    ('f(a=1)', ["step_start", "call_start", "arg_start", "value_start", "value_end",
                "call_end", "step_end", "plan_end"]),
    ('r = f()', ["step_start", "bind", "call_start", "call_end", "step_end", "plan_end"]),
    ('none()', ["step_start", "call_start", "call_end", "step_end", "plan_end"]),
    ('ask("Which city?")', ["step_start", "call_start", "value_start", "value_end", "call_end",
                            "step_end", "plan_end"]),
    ('g(x=r.id)', ["step_start", "call_start", "arg_start", "value_start", "ref_end",
                   "value_end", "call_end", "step_end", "plan_end"]),
    ('f(xs=[1, 2])', ["step_start", "call_start", "arg_start", "value_start", "value_start",
                      "value_end", "value_start", "value_end", "value_end", "call_end",
                      "step_end", "plan_end"]),
    ('f(x=g(y=1))', ["step_start", "call_start", "arg_start", "value_start", "call_start",
                     "arg_start", "value_start", "value_end", "call_end", "value_end",
                     "call_end", "step_end", "plan_end"]),
    ('f()\ng()', ["step_start", "call_start", "call_end", "step_end", "step_start",
                  "call_start", "call_end", "step_end", "plan_end"]),
])
def test_boundary_kinds_in_order(text: str, kinds: list[str]) -> None:
    assert [b.kind for b in _all(text)] == kinds


@pytest.mark.parametrize("text, kind, offset, path", [
    ('r = f(a=1)', "bind", 1, (0,)),
    ('r = f(a=1)', "call_start", 6, (0, "f")),
    ('r = f(a=1)', "arg_start", 6, (0, "f", "a")),
    ('r = f(a=1)', "value_start", 8, (0, "f", "a")),
    ('r = f(a=1)', "value_end", 9, (0, "f", "a")),
    ('r = f(a=1)', "call_end", 10, (0, "f")),
    ('f(a="x")\ng(b=[3])', "step_end", 8, (0,)),
    ('f(a="x")\ng(b=[3])', "step_start", 9, (1,)),
    ('f(a="x")\ng(b=[3])', "value_end", 15, (1, "g", "b", 0)),
    ('math.sqrt(x={"k": 2})', "value_end", 19, (0, "math.sqrt", "x", "k")),
    ('f(x=h.g(y=1))', "call_start", 8, (0, "f", "x", "h.g")),
])
def test_boundary_offsets_and_paths(text: str, kind: str, offset: int, path: tuple) -> None:
    found = [(b.offset, b.path) for b in _all(text) if b.kind == kind]
    assert (offset, path) in found


@pytest.mark.parametrize("text, expected", [
    ('f(a=1)', 1),
    ('f(a=-2.5e3)', -2500.0),
    ('f(a="q\\"uote")', 'q"uote'),
    ('f(a=True)', True),
    ('f(a=None)', None),
    ('f(a=[1, "b"])', [1, "b"]),
    ('f(a={"k": [True]})', {"k": [True]}),
    ('f(a=r[0].id)', Ref("r", (0, "id"))),
    ('f(a=g(b=2))', Call("g", (("b", Literal(2)),))),
])
def test_value_end_carries_the_parsed_value(text: str, expected: object) -> None:
    ends = [b for b in _all(text) if b.kind == "value_end" and b.path == (0, "f", "a")]
    assert len(ends) == 1
    assert ends[0].python == expected
    assert ends[0].text == text[4:-1]


def test_steps_are_built_as_the_text_goes() -> None:
    tracker = PlanTracker()
    tracker.start()
    tracker.feed('r = f(a=1)\n')
    assert tracker.steps == [Step(Call("f", (("a", Literal(1)),)), "r")]
    tracker.feed('answer("done")')
    tracker.finish()
    assert tracker.steps[-1] == Terminal("answer", "done")


def test_open_values_include_a_value_not_yet_begun() -> None:
    tracker = PlanTracker()
    tracker.start()
    tracker.feed('f(a=[1, ')
    assert tracker.open_values() == [(4, (0, "f", "a"))]
    tracker.feed('2')
    assert tracker.open_values() == [(4, (0, "f", "a")), (8, (0, "f", "a", 1))]


@pytest.mark.parametrize("text", ["f(a=1))", "= f()", "f(a=1) g()", "f(a=@)"])
def test_text_it_cannot_follow_stops_the_reports_without_raising(text: str) -> None:
    tracker = PlanTracker()
    tracker.start()
    tracker.feed(text)
    assert tracker.broken
    assert [b.kind for b in tracker.finish()] == ["plan_end"]


@settings(max_examples=150, deadline=None)
@given(plan=plans(), cuts=st.lists(st.integers(0, 400), max_size=6))
def test_any_plan_text_is_tracked_as_the_parser_reads_it(plan, cuts) -> None:
    text = plan.text
    whole = _all(text)
    tracker = PlanTracker()
    pieces = tracker.start()
    last = 0
    for cut in sorted(c for c in cuts if c <= len(text)) + [len(text)]:
        pieces += tracker.feed(text[last:cut])
        last = cut
    pieces += tracker.finish()
    assert pieces == whole  # how the text is split into tokens does not matter
    assert tracker.broken is None
    parsed = parse_plan(text)
    expected = list(parsed.steps) + ([parsed.terminal] if parsed.terminal else [])
    assert tracker.steps == expected
    for boundary in whole:
        if boundary.kind == "value_end":
            assert text[boundary.offset - len(boundary.text):boundary.offset] == boundary.text
