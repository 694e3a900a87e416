"""The Explorer, driven as a person would: type, choose, click; with the real planner and model."""

from __future__ import annotations

import html

import pytest

from neurosym.errors import NeurosymError
from neurosym.notebook import Explorer
from neurosym.tools import tool

pytestmark = [
    pytest.mark.model,
    # llguidance's llama.cpp adapter calls a function llama.cpp has renamed
    pytest.mark.filterwarnings("ignore:llama_token_get_attr is deprecated:DeprecationWarning"),
]

HOTEL_REQUEST = "Book the hotel H-PAR-2 in Paris for 3 nights."


@pytest.fixture(scope="module")
def planned() -> Explorer:
    """An Explorer that has planned one request (in its background thread)."""
    explorer = Explorer(request=HOTEL_REQUEST)
    explorer.choose_tools("demo: hotels")
    explorer.plan_button.click()
    assert explorer.wait(300), "planning did not finish"
    return explorer


def test_the_plan_button_fills_every_view(planned: Explorer) -> None:
    assert planned.error is None, planned.message.value
    assert planned.message.value == ""
    result = planned.result
    assert result is not None and result.ok, getattr(result, "explanation", None)
    assert "ns-plan" in planned.plan_view.value
    assert "book_hotel" in planned.plan_view.value
    # The verdict and each value's source, never a bare tick.
    assert "ns-verdict" in planned.plan_view.value and "✔" not in planned.plan_view.value
    assert result.verdict in html.unescape(planned.plan_view.value)
    if result.sources:
        assert "ns-sources" in planned.plan_view.value
        assert all(s.kind in planned.plan_view.value for s in result.sources)
    assert planned.graph_view.value.count("<svg") == 1 and "book_hotel" in planned.graph_view.value
    assert "<svg" in planned.search_view.value and "accepted" in planned.search_view.value
    assert "ms" in planned.timings_view.value
    assert not planned.busy and not planned.plan_button.disabled
    assert planned.status.value == ""


def test_the_replay_steps_through_every_event(planned: Explorer) -> None:
    frames = planned.frames
    assert len(frames) > 5 and planned.slider.max == len(frames) - 1
    assert planned.slider.value == len(frames) - 1        # it opens on the finished plan
    assert frames[-1].text.strip() == planned.result.text.strip() or \
        planned.result.plan.text.splitlines()[0] in frames[-1].text
    planned.first_button.click()
    assert planned.slider.value == 0 and "#1 of" in planned.frame_view.value
    planned.next_button.click()
    planned.next_button.click()
    assert planned.slider.value == 2
    planned.prev_button.click()
    assert planned.slider.value == 1
    planned.next_check_button.click()
    assert planned.frame is not None and planned.frame.notable
    assert planned.frame.kind not in ("token", "checkpoint")
    planned.last_button.click()
    assert planned.slider.value == len(frames) - 1
    planned.next_button.click()                            # stays on the last event
    assert planned.slider.value == len(frames) - 1


def _plan_with(constraints: list[str], request: str = HOTEL_REQUEST) -> Explorer:
    explorer = Explorer(request=request, background=False)
    explorer.choose_tools("demo: hotels")
    explorer.constraints = constraints
    explorer.plan_button.click()
    return explorer


@pytest.mark.parametrize("constraint, error, named", [
    ("sum(book_hotel.nights <= 3", "ConstraintSyntaxError", "sum(book_hotel.nights <= 3"),
    ("book_hotle.nights <= 3", "ConstraintReferenceError", "book_hotle"),
    ("book_hotel.nigths <= 3", "ConstraintReferenceError", "nigths"),
])
def test_a_bad_constraint_shows_its_error_and_hint(constraint: str, error: str,
                                                   named: str) -> None:
    explorer = _plan_with([constraint])
    assert isinstance(explorer.error, NeurosymError)
    assert type(explorer.error).__name__ == error
    shown = explorer.message.value
    assert error in shown and named in html.unescape(shown)
    assert "hint:" in shown and "Traceback" not in shown
    assert not explorer.plan_button.disabled


def test_an_unsatisfiable_request_says_why() -> None:
    # a booking is required, of at least 15 nights, and the tool takes 1 to 14
    constraints = ["count(book_hotel) >= 1", "book_hotel.nights >= 15"]
    explorer = _plan_with(constraints)
    if explorer.error is not None:
        assert isinstance(explorer.error, NeurosymError)
        shown = explorer.message.value
    else:
        assert explorer.result is not None and not explorer.result.ok
        shown = explorer.plan_view.value
    assert "ns-error" in shown and "Unsatisfiable" in shown and "hint:" in shown
    assert any(constraint in html.unescape(shown) for constraint in constraints)
    assert "Traceback" not in shown
    assert "<svg" in explorer.search_view.value      # the search that found no way is drawn


def test_an_empty_request_asks_for_one() -> None:
    explorer = _plan_with([], request="   ")
    assert isinstance(explorer.error, NeurosymError)
    assert "the request is empty" in explorer.message.value


def test_the_run_button_executes_against_the_demo_world() -> None:
    explorer = Explorer(request="Book the hotel H-PAR-2 for 2 nights.", background=False)
    explorer.choose_tools("demo: hotels")
    explorer.run_button.click()
    assert explorer.error is None, explorer.message.value
    shown = explorer.run_view.value
    assert "status" in shown and "demo world now" in shown
    assert "book_hotel" in shown or "search_hotels" in shown
    assert "ns-verdict" in shown or "status <b>unsatisfiable" in shown  # each turn's verdict
    assert explorer.tabs.selected_index == 4


def test_progress_is_shown_while_the_model_works() -> None:
    explorer = Explorer(request=HOTEL_REQUEST)
    explorer.choose_tools("demo: hotels")
    seen: list[str] = []
    explorer.status.observe(lambda change: seen.append(change["new"]), names="value")
    explorer.plan_button.click()
    assert explorer.plan_button.disabled or not explorer.busy
    assert explorer.wait(300)
    assert any("⏳" in value for value in seen)
    assert explorer.status.value == ""


def test_your_own_tools_come_first_and_unknown_sets_are_refused() -> None:
    @tool
    def shout(text: str) -> str:
        """Say it louder."""
        return text.upper()

    explorer = Explorer(tools=[shout], constraints="count(shout) <= 2")
    assert explorer.tool_set_names[0] == "your tools"
    assert explorer.tools.names == ("shout",)
    assert explorer.constraints == ["count(shout) <= 2"]
    with pytest.raises(NeurosymError, match="no tool set named"):
        explorer.choose_tools("no such set")
    assert "widget-view" in str(explorer._repr_mimebundle_())
