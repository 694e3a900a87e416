"""Plans for requests whose right call is unambiguous, in several languages."""

from __future__ import annotations

import pytest

from neurosym.planner import Planner
from neurosym.tools.tool import Param, Tool

pytestmark = pytest.mark.model

WEATHER = Tool("get_weather", "Current weather in a city.", (Param("city", "string"),))
HOTEL = Tool("book_hotel", "Book a hotel room.", (
    Param("city", "string"), Param("nights", "integer", minimum=1, maximum=14)))


@pytest.mark.parametrize("request_text, city", [
    ("Wie ist das Wetter in München?", "München"),
    ("Quel temps fait-il à Genève ?", "Genève"),
    ("¿Qué tiempo hace en Málaga?", "Málaga"),
])
def test_values_are_copied_from_requests_in_other_languages(model, request_text: str,
                                                            city: str) -> None:
    result = Planner([WEATHER, HOTEL], model=model).plan(request_text)
    assert result.ok, result.explanation
    call = result.plan.calls[0]
    assert call.tool == "get_weather"
    assert call.arg("city").value == city


def test_a_request_no_tool_fits_may_abstain_but_never_invents_a_tool(model) -> None:
    result = Planner([WEATHER, HOTEL], model=model).plan("Write me a poem about the sea.")
    assert result.ok
    assert {c.tool for c in result.plan.calls} <= {"get_weather", "book_hotel"}


def test_abstaining_competes_with_calling_on_the_models_scores(model) -> None:
    planner = Planner([WEATHER, HOTEL], model=model)
    result = planner.plan("What is the weather in Oslo?")
    assert result.ok and result.plan.calls
    (abstain,) = [c for c in result.search.candidates if c.text == "none()"]
    # none() was weighed against the call, and lost on the model's scores.
    assert abstain.score + planner.abstain_bias <= result.score
