"""An opening quote chosen after the model's own choice was masked is written alone."""

from __future__ import annotations

import pytest

from neurosym.tools.tool import Param, Tool

pytestmark = pytest.mark.model

AREA = Tool("calculate_area_under_curve",
            "Calculate the area under a mathematical function within a given interval.",
            (Param("function", "string", "The mathematical function as a string."),
             Param("interval", "array", "The interval to integrate over.",
                   items=Param("", "number")),
             Param("method", "string", "The numerical method.", required=False)))


def test_a_string_the_model_wanted_bare_holds_what_the_model_writes_after_the_quote(model):
    from neurosym.planner import Planner
    # The model wants `function=lambda ...` (or None): a bare word the grammar masks. The
    # best allowed token glued a comma to the quote (`",`), which wrote "," as the value.
    # The token-by-token decoder (width 0) is the one that writes an opening alone.
    result = Planner([AREA], model=model, width=0).plan(
        "Calculate the area under the curve y=x^2 from x=1 to x=3.")
    assert result.ok, result.explanation
    (call,) = result.plan.calls
    value = dict(call.args)["function"].value
    assert value[:1].isalnum(), value
    interval = [item.value for item in dict(call.args)["interval"].items]
    assert interval == [1, 3]
