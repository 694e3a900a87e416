"""How many calls a request needs, judged by the values it names (decode/coverage.py)."""

from __future__ import annotations

import pytest

from neurosym.decode.coverage import CoverageHooks, request_values
from neurosym.plan.ast import Call, ListValue, Literal, Ref, Step
from neurosym.tools.tool import Param, Tool

PLAY = Tool("spotify.play", "Play songs of an artist for a number of minutes.",
            (Param("artist", "string"), Param("duration", "integer")))


@pytest.mark.parametrize("request_text, values", [
    ("Play Taylor Swift for 20 minutes and Maroon 5 for 15 minutes.",
     ["Taylor", "Swift", "Maroon", "20", "5", "15"]),
    # a sentence's first word and question words are not names; exponents are units
    ("What is the capital of Brazil?", ["Brazil"]),
    ("Move at 10 m/s^2 for 5 seconds.", ["10", "5"]),
    ("Shows on Netflix for 'Friends' and 'The Office'.", ["Friends", "The", "Office", "Netflix"]),
    ("Pay $1,200.50 now. Then call Ann.", ["Ann", "1,200.50"]),
    ("calculate the area of a circle", []),
])
def test_request_values_are_names_quoted_words_and_numbers(request_text, values):
    assert [v.text for v in request_values(request_text)] == values


def test_a_value_is_used_by_an_equal_number_or_a_string_holding_it():
    five, swift = request_values("Play Swift at 5.")[::-1][0], request_values("Play Swift at 5.")[0]
    assert five.used_by([], [5.0]) and not five.used_by([], [15.0])
    assert swift.used_by(["taylor swift"], []) and not swift.used_by(["maroon 5"], [])


def _step(artist: str, duration: int | None = None, ref: bool = False) -> Step:
    args: list[tuple[str, object]] = [("artist", Ref("first", ("artist",)) if ref
                                       else Literal(artist))]
    if duration is not None:
        args.append(("duration", Literal(duration)))
    return Step(Call("spotify.play", tuple(args)))  # type: ignore[arg-type]


def test_used_values_come_from_arguments_lists_and_the_tools_own_words():
    hooks = CoverageHooks("Play Taylor Swift on Spotify for 20 and Maroon 5 for 15.", [PLAY])
    used = hooks._used([_step("Taylor Swift", 20)])
    assert {hooks.values[i].text for i in used} == {"Taylor", "Swift", "Spotify", "20"}
    listed = Step(Call("spotify.play", (("artist", ListValue((Literal("Maroon 5"),))),)))
    assert {hooks.values[i].text for i in hooks._used([listed])} >= {"Maroon", "5"}
    # a reference to an earlier result is not a value of the request
    assert hooks._used([_step("", ref=True)]) == {i for i, v in enumerate(hooks.values)
                                                 if v.text == "Spotify"}


@pytest.mark.model
def test_a_request_naming_two_sets_of_values_gets_a_call_for_each(model):
    from neurosym.planner import Planner
    request = "Play songs from Taylor Swift for 20 minutes and from Maroon 5 for 15 minutes."
    result = Planner([PLAY], model=model).plan(request)
    assert result.ok, result.explanation
    calls = [(c.tool, dict((k, v.value) for k, v in c.args)) for c in result.plan.calls]
    assert [c for _, c in calls] == [{"artist": "Taylor Swift", "duration": 20},
                                     {"artist": "Maroon 5", "duration": 15}]
    reasons = [e.reason for e in result.trace if type(e).__name__ == "RollbackEvent"]
    assert any("names values no call uses yet" in r for r in reasons)


@pytest.mark.model
def test_a_call_that_uses_nothing_the_request_names_is_taken_back(model):
    from neurosym.planner import Planner
    tools = [Tool("country_info.capital", "Fetch the capital city of a country.",
                  (Param("country", "string"),)),
             Tool("country_info.population", "Fetch the population of a country.",
                  (Param("country", "string"),)),
             Tool("country_info.languages", "Fetch the languages spoken in a country.",
                  (Param("country", "string"),))]
    request = "What is the capital of Brazil?"
    with_rule = Planner(tools, model=model).plan(request)
    without = Planner(tools, model=model, coverage=False).plan(request)
    assert [c.tool for c in with_rule.plan.calls] == ["country_info.capital"]
    # the model alone goes on with calls the request never asked for
    assert len(without.plan.calls) > 1
    assert with_rule.plan.calls[0] == without.plan.calls[0]
