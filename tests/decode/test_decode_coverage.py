"""How many calls a request needs, judged by the values it names (decode/coverage.py)."""

from __future__ import annotations

import pytest

from neurosym.decode.coverage import (CoverageHooks, RequestValue, _named, _request_numbers,
                                      _stems, _values_grammar, request_values)
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
    # a unit written onto its number is no name
    ("Heat capacity of air at 298K and charges of 5C and 7C.", []),
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


@pytest.mark.parametrize("param, values, request_text, accepted, refused", [
    (Param("t", "integer"), [RequestValue("10", 10.0), RequestValue("5.6", 5.6)], "",
     ["10", "-10"], ["5.6", "100", "1"]),
    (Param("h", "number"), [RequestValue("5.6", 5.6), RequestValue("60", 60.0)], "",
     ["5.6", "60"], ["56", "6"]),
    # a word of a name stands for the whole name; a sentence's first word is no name
    (Param("city", "string"), [RequestValue("Angeles")],
     "Fetch Los Angeles and 'The Office'.", ['"Los Angeles"', '"Angeles"'],
     ['"Fetch Los Angeles"', '"Los Angeles, CA"', "Angeles"]),
    (Param("case", "string"), [RequestValue("64725", 64725.0)], "Case 28473 and 64725",
     ['"64725"'], ['"28473"', "64725"]),
])
def test_an_argument_written_again_takes_an_unused_value(param, values, request_text,
                                                         accepted, refused):
    import lark
    import llguidance
    grammar = _values_grammar(param, values, request_text)
    assert grammar is not None
    is_error, messages = llguidance.LLMatcher.validate_grammar_with_warnings(
        llguidance.LLMatcher.grammar_from_lark(grammar))
    assert not is_error, messages
    parser = lark.Lark(grammar)
    for text in accepted:
        parser.parse(text)
    for text in refused:
        with pytest.raises(lark.exceptions.LarkError):
            parser.parse(text)


def test_no_value_grammar_where_no_unused_value_fits():
    assert _values_grammar(Param("on", "boolean"), [RequestValue("5", 5.0)], "") is None
    assert _values_grammar(Param("n", "integer"), [RequestValue("Texas")], "Texas") is None
    assert _values_grammar(Param("n", "integer"), [RequestValue("5.6", 5.6)], "") is None
    enum = Param("unit", "string", enum=("cm", "m"))
    assert _values_grammar(enum, [RequestValue("Texas")], "Texas") is None
    # a string with a format of its own is left to the plan grammar
    for shaped in (Param("day", "date"), Param("day", "string", format="date"),
                   Param("code", "string", pattern="^[A-Z]{3}$")):
        assert _values_grammar(shaped, [RequestValue("13", 13.0)], "on the 13th") is None


def _bfcl_plans(model, category, index, phrase):
    """BFCL's entry ``index`` of ``category`` (its request holds ``phrase``) planned with
    the request's rules and without them: ``(tools, guided, alone)``."""
    from neurosym.bench.bfcl import load_category
    from neurosym.planner import Planner
    from neurosym.tools import ToolSet
    entry = load_category(category, limit=index + 1)[index]
    request = str(entry.messages[-1]["content"])
    assert phrase in request
    tools = ToolSet.from_bfcl(entry.shown_functions())
    return (tools, Planner(tools, model=model).plan(request),
            Planner(tools, model=model, coverage=False).plan(request))


@pytest.mark.model
def test_a_second_call_does_not_copy_the_value_that_sets_it_apart(model):
    _, result, _ = _bfcl_plans(model, "parallel", 1, "repeat with a change in time of 10 seconds")
    assert result.ok, result.explanation
    args = [dict((k, v.value) for k, v in call.args) for call in result.plan.calls]
    # both calls share the field and the area, and differ in the time
    assert sorted(a["d_time"] for a in args) == [4, 10]
    assert all(a["b_field"] == 5 and a["area"] == 2 for a in args)
    binds = [step.bind for step in result.plan.steps if step.bind]
    assert len(binds) == len(set(binds))
    reasons = [e.reason for e in result.trace if type(e).__name__ == "RollbackEvent"]
    assert any("copies an earlier call" in r for r in reasons)


@pytest.mark.model
def test_a_number_the_request_names_negative_keeps_its_sign(model):
    _, guided, alone = _bfcl_plans(model, "simple_python", 5, "b = -11, and c = -4")
    assert guided.ok, guided.explanation
    args = dict((k, v.value) for k, v in guided.plan.calls[0].args)
    assert (args["b"], args["c"]) == (-11, -4)
    # the model alone drops the sign of c
    assert dict((k, v.value) for k, v in alone.plan.calls[0].args)["c"] == 4
    reasons = [e.reason for e in guided.trace if type(e).__name__ == "RollbackEvent"]
    assert "the request names -4, not 4" in reasons


@pytest.mark.parametrize("value, named", [
    (5, True), (-5, True), (0.05, True), (0.5, False), (3, True), (1, False),
    ("km/h", True), ("Kilometers", True), ("water", False), ("", True),
    (True, True), (None, True),
])
def test_what_a_request_names(value, named):
    request = "Drive 5 km for three hours at 298K in Paris, kilometers per hour"
    assert _named(value, _stems(request), _request_numbers(request)) is named


@pytest.mark.model
def test_an_optional_argument_the_request_does_not_name_is_left_out(model):
    tools, guided, alone = _bfcl_plans(model, "simple_python", 40,
                                       "current of 5 Ampere with a radius of 4 meters")
    assert guided.ok, guided.explanation
    # the model alone makes up a permeability; guided, the tool's default applies
    assert "permeability" in dict(alone.plan.calls[0].args)
    given = tools.get("calculate_magnetic_field").given_args(
        {k: v.value for k, v in guided.plan.calls[0].args})
    assert given == {"current": 5, "radius": 4}
