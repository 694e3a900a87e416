"""The second model known by name, Gemma 3 270M (base), planning with the real grammar
and solver: the same planner, another tokenizer and chat template."""

from __future__ import annotations

import pytest

import neurosym as ns
from neurosym.plan import to_python

pytestmark = pytest.mark.model


@ns.tool
def get_weather(city: str) -> dict:
    """Current weather for a city."""
    return {}


@ns.tool
def convert_currency(amount: float, source: str, target: str) -> float:
    """Convert an amount of money from one currency to another."""
    return 0.0


def test_gemma_plans_a_call_with_the_stated_amount() -> None:
    planner = ns.Planner([get_weather, convert_currency], model="gemma3-270m")
    assert planner.model.path.name == "gemma-3-270m-q4_k_m.gguf"
    result = planner.plan("Convert 250 USD to EUR.")
    assert result.ok and result.plan is not None
    ns.verify(result.plan, [get_weather, convert_currency])
    [step] = result.plan.steps
    assert step.call.tool == "convert_currency"
    assert to_python(dict(step.call.args)["amount"]) == 250


def test_gemma_under_a_constraint_the_stated_amount_breaks_is_unsatisfiable() -> None:
    planner = ns.Planner([get_weather, convert_currency], ["convert_currency.amount <= 100"],
                         model="gemma3-270m")
    result = planner.plan("Convert 250 USD to EUR.")
    assert not result.ok and result.verdict == "unsatisfiable"
    assert "250" in result.explanation
