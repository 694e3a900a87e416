"""The first step's tool, narrowed by the words the request shares with each tool
(decode/relevance.py)."""

from __future__ import annotations

import pytest

from neurosym.decode.boundary import Boundary
from neurosym.decode.relevance import ToolChoiceHooks
from neurosym.tools.tool import Param, Tool

TOOLS = [Tool("search_flights", "Search flights between two airports on a date.",
              (Param("origin", "string"), Param("destination", "string"))),
         Tool("book_flight", "Book a seat on a flight.", (Param("flight_id", "string"),)),
         Tool("weather.today", "Today's weather in a city.", (Param("city", "string"),))]


@pytest.mark.parametrize("request_text, favoured", [
    ("What's the weather today in Paris?", ("weather.today",)),
    # a tool half as good as the best stays a choice: booking starts with a search
    ("Book the cheapest flight from SFO to CDG", ("search_flights", "book_flight")),
    # nothing in common with any tool: every tool stays
    ("Hello there", ("search_flights", "book_flight", "weather.today")),
])
def test_the_first_tool_is_one_that_matches_the_request_well(request_text, favoured):
    assert ToolChoiceHooks(request_text, TOOLS).favoured == favoured


def _line_grammar(hooks: ToolChoiceHooks, step: int) -> str | None:
    event = Boundary("step_start", 0, path=(step,))
    return hooks.value_constraint(event, None)  # type: ignore[arg-type]


def test_only_the_first_line_is_narrowed_and_the_grammar_holds_in_both_engines():
    import lark
    import llguidance
    hooks = ToolChoiceHooks("What's the weather today in Paris?", TOOLS)
    assert _line_grammar(hooks, 1) is None
    grammar = _line_grammar(hooks, 0)
    assert grammar is not None
    is_error, messages = llguidance.LLMatcher.validate_grammar_with_warnings(
        llguidance.LLMatcher.grammar_from_lark(grammar))
    assert not is_error, messages
    parser = lark.Lark(grammar)
    for line in ('weather.today(city="Paris")', 'w = weather.today(city="Paris")',
                 'none()', 'ask("Which city?")'):
        parser.parse(line)
    for line in ('search_flights(origin="Paris")', 'f = book_flight(flight_id="1")'):
        with pytest.raises(lark.exceptions.LarkError):
            parser.parse(line)
    # every tool allowed: nothing to narrow
    assert _line_grammar(ToolChoiceHooks("Hello there", TOOLS), 0) is None


@pytest.mark.model
@pytest.mark.parametrize("tools, request_text, expected", [
    ([Tool("property_valuation.get", "Get the estimated value of a property.",
           (Param("location", "string"), Param("bedrooms", "integer"))),
      Tool("realestate.find_properties", "Find properties for sale in a city.",
           (Param("location", "string"), Param("bedrooms", "integer")))],
     "Find properties for sale in Austin with 3 bedrooms.", "realestate.find_properties"),
    ([Tool("windFarm.potential", "Calculate the potential energy output of a wind farm.",
           (Param("coordinates", "array", items=Param("c", "number")),
            Param("turbine_count", "integer"))),
      Tool("solarFarm.potential", "Estimate the energy output of a solar farm.",
           (Param("coordinates", "array", items=Param("c", "number")),
            Param("panel_area", "integer")))],
     "How much power could a solar farm at coordinates [43.65, -79.38] with a panel area "
     "of 80000 sq ft generate?", "solarFarm.potential"),
])
def test_the_model_starts_with_the_tool_the_request_names(model, tools, request_text,
                                                           expected):
    from neurosym.planner import Planner
    alone = Planner(tools, model=model, coverage=False).plan(request_text)
    guided = Planner(tools, model=model).plan(request_text)
    assert guided.ok, guided.explanation
    # the model alone opens with the other tool; narrowed, it opens with the right one
    assert alone.plan is not None and alone.plan.calls[0].tool != expected
    assert guided.plan.calls[0].tool == expected
