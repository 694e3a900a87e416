"""The demo world's tools keep its rules, and its switches misbehave on demand."""

from __future__ import annotations

import pytest

from neurosym.execute.demo_world import World, make_world
from neurosym.tools import Tool, ToolSet


def test_each_world_is_fresh() -> None:
    first, tools = make_world()
    tools["transfer"](from_account="checking", to_account="savings", amount=100.0)
    second, _ = make_world()
    assert first.balances["savings"] == 600.0 and second.balances["savings"] == 500.0


def test_tools_are_real_tools_with_effects() -> None:
    _, tools = make_world()
    assert all(isinstance(t, Tool) and t.func is not None for t in tools)
    writes = {t.name for t in tools if t.effect == "write"}
    assert writes == {"book_flight", "book_hotel", "transfer", "create_event"}
    assert tools["transfer"].idempotency_param == "idempotency_key"
    assert tools["book_flight"].param("passengers").maximum == 9
    assert tools["search_flights"].returns.items.property("price").type == "number"


@pytest.mark.parametrize(("tool", "kwargs", "words"), [
    ("create_event", dict(title="x", date="2026-12-01", start="09:30", end="10:30"), "overlaps"),
    ("create_event", dict(title="x", date="2026-12-01", start="12:00", end="11:00"), "ends"),
    ("transfer", dict(from_account="savings", to_account="savings", amount=1.0), "itself"),
    ("transfer", dict(from_account="savings", to_account="checking", amount=600.0),
     "insufficient funds"),
    ("book_flight", dict(flight_id="UA990", passengers=2), "only 1 seats"),
    ("book_flight", dict(flight_id="XX1", passengers=1), "no flight"),
    ("book_hotel", dict(hotel_id="H-PAR-1", nights=14), "insufficient funds"),
])
def test_rules_of_the_world_raise(tool: str, kwargs: dict, words: str) -> None:
    world, tools = make_world()
    before = world.state()
    with pytest.raises(Exception, match=words):
        tools[tool](**kwargs)
    assert world.state() == before


def test_a_repeated_idempotency_key_moves_money_once() -> None:
    world, tools = make_world()
    a = tools["transfer"](from_account="checking", to_account="savings", amount=5.0,
                          idempotency_key="k1")
    b = tools["transfer"](from_account="checking", to_account="savings", amount=5.0,
                          idempotency_key="k1")
    assert a == b and len(world.transfers) == 1 and world.balances["savings"] == 505.0


def test_switches_fail_and_corrupt_the_next_calls_only() -> None:
    world, tools = make_world()
    world.fail_next("get_balance", ConnectionError("down"), times=2)
    for _ in range(2):
        with pytest.raises(ConnectionError):
            tools["get_balance"]()
    assert tools["get_balance"]() == 2000.0
    world.return_next("get_balance", "lots")
    assert tools["get_balance"]() == "lots" and tools["get_balance"]() == 2000.0
    assert len(world.calls_of("get_balance")) == 5


def test_the_module_offers_its_tools_to_the_command_line() -> None:
    loaded = ToolSet.load("neurosym.execute.demo_world")
    assert loaded.names == make_world()[1].names
    import neurosym.execute.demo_world as module
    assert isinstance(module.WORLD, World)
    with pytest.raises(AttributeError):
        module.NOTHING  # noqa: B018
