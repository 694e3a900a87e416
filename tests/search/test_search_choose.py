"""Choosing among searched plans: abstaining is weighed once, by the head's odds or by the
plan's score, and a plan the checks refuse never wins."""

from __future__ import annotations

import pytest

from neurosym.search.beam import Candidate, SearchOutcome
from neurosym.search.choose import NONE_TEXT, choose_plan
from neurosym.constraints import compile_constraints
from neurosym.tools import Param, Tool

LIGHTS = Tool("set_lights", params=(Param("room", "string"), Param("level", "integer")))
TOOLS = [LIGHTS]
CALL = 'r1 = set_lights(room="hall", level=40)'
OTHER = 'r1 = set_lights(room="hall", level=100)'


def _candidates() -> list[Candidate]:
    return [Candidate(NONE_TEXT, -3.0, (), True, -3.0), Candidate(CALL, -9.0, (), True, -9.0),
            Candidate(OTHER, -12.0, (), True, -12.0)]


def test_by_the_plans_score_none_wins_when_it_scores_best() -> None:
    assert choose_plan(_candidates(), TOOLS).chosen.text == NONE_TEXT
    assert choose_plan(_candidates(), TOOLS, abstain_bias=-7.0).chosen.text == CALL


def test_by_the_heads_odds_the_call_wins_whatever_none_scores() -> None:
    chosen = choose_plan(_candidates(), TOOLS, abstain_odds=-2.0, abstain_bias=1.0)
    assert chosen.chosen.text == CALL
    assert [a.text for a in chosen.alternatives] == [OTHER, NONE_TEXT]
    assert choose_plan(_candidates(), TOOLS, abstain_odds=-2.0,
                       abstain_bias=3.0).chosen.text == NONE_TEXT


def test_none_is_the_answer_when_the_checks_refuse_every_call() -> None:
    constraints = compile_constraints(["set_lights.level <= 30"], TOOLS)
    choice = choose_plan(_candidates(), TOOLS, constraints, abstain_odds=-5.0)
    assert choice.chosen.text == NONE_TEXT
    assert {text for text, _ in choice.refused} == {CALL, OTHER}


def test_the_odds_of_abstaining_read_the_first_tokens_mass() -> None:
    outcome = SearchOutcome((), (), "complete", 0, 0, 0, 0, (), 0.0, 0.0,
                            heads={"none": (-1.0, -0.5), "call": (-2.0, -4.0)})
    assert outcome.abstain_odds(0.0) == 1.0
    assert outcome.abstain_odds(0.5) == 1.0 - 0.5 * (-0.5 + 4.0)
    assert SearchOutcome((), (), "complete", 0, 0, 0, 0, (), 0.0, 0.0).abstain_odds(0.5) is None


def test_an_unknown_abstain_rule_or_bias_is_a_configuration_error() -> None:
    from neurosym.errors import ConfigurationError
    from neurosym.planner import ABSTAIN_BIASES, Planner
    with pytest.raises(ConfigurationError, match="abstain must be one of plan, head"):
        Planner(TOOLS, abstain="maybe")
    with pytest.raises(ConfigurationError, match="abstain_bias must be a number"):
        Planner(TOOLS, abstain_bias="high")
    assert Planner(TOOLS, abstain="head").abstain_bias == ABSTAIN_BIASES["head"]
    assert Planner(TOOLS, abstain="head", abstain_bias=-1.5).abstain_bias == -1.5


@pytest.mark.model
def test_the_head_rule_calls_the_one_tool_an_unambiguous_request_names(model) -> None:
    from neurosym.planner import Planner
    planner = Planner(TOOLS, model=model, abstain="head")
    result = planner.plan("Set the lights in the hall to 40.")
    assert result.ok, result.explanation
    assert {"call", "none"} <= set(result.search.heads)
    assert result.search.abstain_odds(planner.contrast_weight) is not None
    assert [step.call.tool for step in result.plan.steps] == ["set_lights"]


@pytest.mark.parametrize("tokens, loops", [
    ([5] * 16, True),                               # one token over and over
    ([1, 2, 3, 4, 5] * 4, True),                    # an item and its comma, four times
    ([9, 9] + [1, 2, 3, 4, 5, 6, 7, 8] * 3, True),  # a longer stretch, three times
    ([7, 8] * 3, False),                            # [0, 0, 0]: three short items alike
    ([1, 2, 3, 4, 5] * 2, False),                   # twice is not a loop
    (list(range(40)), False),
    ([1, 2, 3, 4, 5] * 4 + [6], False),             # the loop ended
    ([], False),
])
def test_a_plan_repeats_itself_when_one_stretch_keeps_coming_back(tokens, loops) -> None:
    from neurosym.search.beam import repeats_itself
    assert repeats_itself(tokens) is loops
