"""The Planner's extension points with the embedded model: a caller's hard and soft
potentials, a search it did not write, and decode hooks. Whatever they propose, a plan
comes back only when the grammar admits it and every check passes."""

from __future__ import annotations

import pytest

from neurosym import Planner
from neurosym.decode import Continue, Hooks, Reject
from neurosym.errors import ConfigurationError, PlanValidationError, Unsatisfiable
from neurosym.search import GivenPlans, PartialPlan, Refusal, SearchSetup, score_text

LIGHTS_REQUEST = "Turn the living room lights to 40 percent."
TRANSLATE_REQUEST = "Translate 'good morning' into Italian."
TRANSLATE = 'r1 = translate(text="good morning", target="it")'
LIGHTS = 'r1 = set_lights(room="kitchen", level=100)'
#: These tests are about what the extensions do to calls, so abstaining is not favoured.
CALLING = {"abstain_bias": 0.0}


def _tools_called(plan) -> set[str]:
    return {step.call.tool for step in plan.steps}


class AvoidTool:
    """Soft: each call of ``tool`` costs ``cost`` nats."""

    def __init__(self, tool: str, cost: float) -> None:
        self.name = f"avoid {tool}"
        self.tool, self.cost = tool, cost

    def weigh(self, partial: PartialPlan) -> float:
        calls = [s for s in partial.steps if s.call.tool == self.tool]
        return -self.cost * (len(calls) + (partial.tool == self.tool))


class AtMost:
    """Hard: ``set_lights.level`` at most ``top``."""

    name = "dim lights only"

    def __init__(self, top: int) -> None:
        self.top = top
        self.seen = 0

    def refuse(self, partial: PartialPlan) -> Refusal | None:
        self.seen += 1
        levels = [value.value for name, value in partial.args
                  if partial.tool == "set_lights" and name == "level"]
        levels += [step.call.arg("level").value for step in partial.steps
                   if step.call.tool == "set_lights" and step.call.arg("level") is not None]
        if any(isinstance(level, int) and level > self.top for level in levels):
            return Refusal(self.name, f"set_lights.level is above {self.top}")
        return None


class NoCalls:
    """Hard: no plan may call anything."""

    name = "read only"

    def refuse(self, partial: PartialPlan) -> Refusal | None:
        return Refusal(self.name, "no call may run") if partial.steps or partial.tool else None


def test_a_soft_potential_weighs_against_a_tool_without_forbidding_it(model, home_tools) -> None:
    free = Planner(home_tools, model=model, **CALLING).plan(LIGHTS_REQUEST)
    assert free.ok and "set_lights" in _tools_called(free.plan)
    avoided = Planner(home_tools, model=model, **CALLING,
                      potentials=[AvoidTool("set_lights", 200.0)]).plan(LIGHTS_REQUEST)
    assert avoided.ok and "set_lights" not in _tools_called(avoided.plan)
    # A mild preference is only a preference: the request still decides.
    mild = Planner(home_tools, model=model, **CALLING,
                   potentials=[AvoidTool("translate", 1.0)]).plan(LIGHTS_REQUEST)
    assert mild.ok and "set_lights" in _tools_called(mild.plan)


def test_a_hard_potential_holds_in_the_search_and_in_the_final_check(model, home_tools) -> None:
    potential = AtMost(30)
    for width in (4, 0):
        result = Planner(home_tools, model=model, width=width, **CALLING,
                         potentials=[potential]).plan(LIGHTS_REQUEST)
        assert potential.seen > 0
        if result.ok:
            for step in result.plan.steps:
                if step.call.tool == "set_lights":
                    assert step.call.arg("level").value <= 30
        else:
            assert isinstance(result.error, Unsatisfiable)
    # A potential that refuses every call: the plan abstains or is refused, never a call.
    for width in (4, 0):
        result = Planner(home_tools, model=model, width=width, **CALLING,
                         potentials=[NoCalls()]).plan(LIGHTS_REQUEST)
        assert not (result.ok and _tools_called(result.plan)), result.text
        if not result.ok:
            assert "read only" in result.explanation


class NoTool:
    """Hard: no call of ``tool``."""

    def __init__(self, tool: str) -> None:
        self.name = f"no {tool}"
        self.tool = tool

    def refuse(self, partial: PartialPlan) -> Refusal | None:
        called = {s.call.tool for s in partial.steps} | {partial.tool}
        return Refusal(self.name, f"{self.tool} may not run") if self.tool in called else None


def test_when_every_call_the_search_held_is_refused_it_weighs_every_tool(model,
                                                                         home_tools) -> None:
    """A beam that keeps only the model's first choice (a tiny plausibility) holds one
    branch, set_lights, which the potential refuses: the search starts again, each tool
    weighed at each step, rather than leave ``none()`` as the only plan."""
    narrow = {"plausibility": 0.01, **CALLING}
    result = Planner(home_tools, model=model, potentials=[NoTool("set_lights")],
                     **narrow).plan(LIGHTS_REQUEST)
    kinds = [e.kind for e in result.search.events]
    assert "reopen" in kinds
    assert kinds.index("refuse") < kinds.index("reopen")
    calls = [c.text for c in result.search.candidates if c.text != "none()"]
    assert calls and not any("set_lights" in text for text in calls)
    opened = Planner(home_tools, model=model, potentials=[NoTool("set_lights")],
                     open_tools=True, **narrow).plan(LIGHTS_REQUEST)
    assert "reopen" not in [e.kind for e in opened.search.events]
    free = Planner(home_tools, model=model, **narrow).plan(LIGHTS_REQUEST)
    assert "reopen" not in [e.kind for e in free.search.events]


def test_given_plans_are_weighed_by_the_model_exactly(model, home_tools) -> None:
    planner = Planner(home_tools, model=model, **CALLING,
                      search=GivenPlans([LIGHTS, TRANSLATE]))
    result = planner.plan(TRANSLATE_REQUEST)
    assert result.ok
    calls = [c.text for c in result.search.candidates if c.text != "none()"]
    assert calls == [TRANSLATE, LIGHTS]  # the request names a translation, not the lights
    chosen = [c for c in result.search.candidates if c.text == result.text][0]
    assert chosen.score == max(c.score for c in result.search.candidates)
    prompt = model.render_chat(planner.messages(TRANSLATE_REQUEST))
    assert [c for c in result.search.candidates if c.text == TRANSLATE][0].logprob == pytest.approx(
        score_text(model, prompt, TRANSLATE), abs=1e-3)
    assert {c.text for c in result.search.candidates} == {LIGHTS, TRANSLATE, "none()"}


def test_a_foreign_search_cannot_bring_a_plan_the_checks_refuse(model, home_tools) -> None:
    unknown = 'r1 = open_door(room="hall")'
    too_bright = 'r1 = set_lights(room="hall", level=500)'
    broken = 'r1 = translate(text="good morning"'
    planner = Planner(home_tools, model=model, search=GivenPlans([unknown, broken, too_bright]))
    result = planner.plan(TRANSLATE_REQUEST)
    # Only none() is left: the unknown tool, the broken text and the level out of range go.
    assert result.ok and result.text == "none()"

    class Foreign:
        """A search that ignores the grammar and the potentials altogether."""

        def __init__(self, setup: SearchSetup) -> None:
            self.setup = setup

        def search(self, prompt):
            outcome = GivenPlans([unknown, too_bright])(self.setup).search(prompt)
            return outcome

    result = Planner(home_tools, model=model, search=Foreign).plan(TRANSLATE_REQUEST)
    assert result.ok and result.text == "none()"
    result = Planner(home_tools, model=model, search=Foreign,
                     constraints=["count(set_lights) >= 1"]).plan(TRANSLATE_REQUEST)
    # No given plan passes, so the token-by-token decoder plans under the same checks.
    if result.ok:
        levels = [step.call.arg("level").value for step in result.plan.steps
                  if step.call.tool == "set_lights"]
        assert levels and all(0 <= level <= 100 for level in levels)


def test_a_search_made_from_the_setup_can_change_the_beam(model, home_tools) -> None:
    made: list[SearchSetup] = []

    def greedy(setup: SearchSetup):
        made.append(setup)
        return setup.beam_search(width=1)

    result = Planner(home_tools, model=model, search=greedy).plan(LIGHTS_REQUEST)
    assert len(made) == 1 and made[0].beam["width"] == 4 and made[0].always == ("none()",)
    assert result.ok
    assert result.text == Planner(home_tools, model=model, width=1).plan(LIGHTS_REQUEST).text


def test_decode_hooks_are_given_not_overridden(model, home_tools) -> None:
    class NoKitchen(Hooks):
        def __init__(self) -> None:
            self.rejected: list[str] = []

        def on_boundary(self, event, state):
            if event.kind == "value_end" and event.param == "room" and event.python == "kitchen":
                start = [c for c in state.checkpoints if c.kind == "value_start"
                         and c.path == event.path][-1]
                self.rejected.append(event.text)
                return Reject(start, block=event.text, reason="not the kitchen")
            return Continue()

    made = []

    def per_request(request):
        made.append(request)
        return NoKitchen()

    shared = NoKitchen()
    for hooks in ([shared], [per_request]):
        result = Planner(home_tools, model=model, width=0, solver=False,
                         hooks=hooks).plan("Switch the kitchen lights off.")
        if result.ok:
            assert all(step.call.arg("room") is None or step.call.arg("room").value != "kitchen"
                       for step in result.plan.steps)
    assert shared.rejected and made and made[0].text == "Switch the kitchen lights off."


@pytest.mark.parametrize("kwargs, names", [
    ({"potentials": [object()]}, "not a potential"),
    ({"potentials": "strict"}, "potentials must be a list"),
    ({"search": "beam"}, "search must make a search"),
    ({"hooks": [3]}, "not decode hooks"),
])
def test_extensions_that_cannot_work_are_refused_at_construction(home_tools, kwargs,
                                                                   names) -> None:
    with pytest.raises(ConfigurationError, match=names):
        Planner(home_tools, **kwargs)


def test_given_plans_need_texts() -> None:
    with pytest.raises(ConfigurationError, match="plan texts"):
        GivenPlans([])


def test_a_foreign_plan_outside_the_grammar_is_named(model, home_tools) -> None:
    class OnlyForeign:
        def __init__(self, setup: SearchSetup) -> None:
            self.setup = setup

        def search(self, prompt):
            from neurosym.search import Candidate, SearchOutcome
            text = 'r1 = translate(text="good morning", target="it") r2'
            return SearchOutcome((Candidate(text, -1.0, (), True, -1.0),), (), "complete",
                                 len(prompt), 0, 0, 0, (), 0.0, 0.0)

    # Without the solver nothing can try instead, so the refusal is the answer.
    result = Planner(home_tools, model=model, search=OnlyForeign,
                     solver=False).plan(TRANSLATE_REQUEST)
    assert not result.ok and isinstance(result.error, PlanValidationError)
    assert "plan grammar" in result.explanation


def test_open_tools_weighs_every_tool_at_a_steps_first_token(model, home_tools) -> None:
    import re
    result = Planner(home_tools, model=model, open_tools=True, **CALLING).plan(TRANSLATE_REQUEST)
    forks = [e for e in result.search.events
             if e.kind == "fork" and re.fullmatch(r"r1 = ?", e.text)]
    assert forks, [e.text for e in result.search.events[:5]]
    offered = [part.rsplit("'", 1)[0].strip(" '") for part in forks[0].reason.split(";")]
    names = [tool.name for tool in home_tools]
    # Every token kept there starts a tool, and the tool the request names is among them.
    assert all(any(name.startswith(token) for name in names) for token in offered), offered
    assert any("translate".startswith(token) for token in offered), offered
