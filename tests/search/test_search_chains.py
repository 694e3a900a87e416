"""Chains with the real model: tools with declared results, parameters that only another
tool can supply, and the data-flow potential that holds the search to them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import pytest

import neurosym as ns
from neurosym.plan.ast import Literal, Ref
from neurosym.plan.flatten import flatten
from neurosym.tools import DataFlow

pytestmark = pytest.mark.model


@dataclass
class User:
    id: str
    name: str


@dataclass
class Order:
    id: str
    total: float


@ns.tool
def find_user(email: str) -> User:
    """Find a user by email address."""
    return User("u1", "Ana")


@ns.tool
def list_orders(user_id: Annotated[str, ns.ProducedBy("find_user", "id")]) -> list[Order]:
    """List a user's orders, newest first."""
    return [Order("o9", 12.0)]


@ns.tool(effect="write")
def cancel_order(order_id: Annotated[str, ns.ProducedBy("list_orders", "id")]) -> dict:
    """Cancel an order."""
    return {"cancelled": order_id}


SHOP = [find_user, list_orders, cancel_order]


@pytest.fixture(scope="module")
def shop_planner() -> ns.Planner:
    return ns.Planner(tools=SHOP, max_seconds=600)


def _check_flow(plan: ns.Plan, request: str) -> None:
    """Every produced parameter holds its producer's field, or a literal the request has."""
    flow = DataFlow(SHOP)
    steps = flatten(plan).steps
    tool_of = {s.bind: s.call.tool for s in steps if s.bind}
    for step in steps:
        for name, value in step.call.args:
            producers = flow.producers(step.call.tool, name)
            if not producers:
                continue
            if isinstance(value, Ref):
                feeds = {(f.producer, f.path) for f in flow.feeds(step.call.tool, name)
                         if f.produced}
                assert (tool_of[value.name], value.path) in feeds, plan
            else:
                assert isinstance(value, Literal) and str(value.value) in request, plan


def test_the_demo_books_the_flight_its_search_found() -> None:
    from neurosym.demo import DEMO_REQUEST, demo_tools
    # A loaded machine must not change the answer: the time budget is generous here.
    result = ns.Planner(tools=demo_tools(), max_seconds=600).plan(DEMO_REQUEST)
    assert result.ok, result.explanation
    assert result.plan.text == ('r1 = search_flights(origin="SFO", destination="CDG", '
                                'date="2026-12-01")\n'
                                'r2 = book_flight(flight_id=r1[0].id, passengers=2)')


@pytest.mark.parametrize("request_text", [
    "Cancel the newest order of ana@example.org.",
    "Storniere die neueste Bestellung von ana@example.org.",
    "Cancel order o77 please.",
])
def test_every_produced_value_is_its_producers_field_or_the_requests_own(
        shop_planner: ns.Planner, request_text: str) -> None:
    result = shop_planner.plan(request_text)
    assert result.ok, result.explanation
    _check_flow(result.plan, request_text)


def test_the_first_step_of_a_chain_takes_the_requests_value(shop_planner: ns.Planner) -> None:
    result = shop_planner.plan("Cancel the newest order of ana@example.org.")
    assert result.ok and result.plan.steps, result.explanation
    first = result.plan.steps[0].call
    assert first.tool == "find_user"
    assert str(dict(first.args)["email"].value).lower() == "ana@example.org"
