"""What the plan checker's parts share: observations read along a path, values shown
as the plan writes them, value paths as the schema names them."""

from __future__ import annotations

from dataclasses import dataclass

from neurosym.constraints import ir
from neurosym.plan.ast import Call, ListValue, Literal, Ref
from neurosym.solver.state import close_match, observed_at, schema_path_of, show_value


@dataclass
class _Flight:
    id: str


def test_observations_are_read_through_mappings_sequences_and_attributes() -> None:
    observations = {"r1": [{"flight": _Flight("UA990")}], "r2": {"n": 3}}
    assert observed_at(observations, "r1", [0, "flight", "id"]) == (True, "UA990")
    assert observed_at(observations, "r1", [-1, "flight"]) == (True, _Flight("UA990"))
    assert observed_at(observations, "r2", ["n"]) == (True, 3)
    for name, path in (("r3", []), ("r1", [1]), ("r2", ["m"]), ("r1", [0, "flight", "x"])):
        assert observed_at(observations, name, path) == (False, None)


def test_values_are_shown_as_the_plan_writes_them() -> None:
    assert show_value(Literal(300.0)) == "300.0"
    assert show_value(ListValue((Literal(1), Literal(2)))) == "[1, 2]"
    assert show_value(ListValue((Ref("r1"),))) == "[...]"
    assert show_value(Call("search", ())) == "search(...)"
    assert show_value("Paris") == "'Paris'"


def test_list_indices_read_as_items_and_near_names_are_suggested() -> None:
    assert schema_path_of(("rooms", 2, "price")) == ("rooms", ir.ITEMS, "price")
    assert close_match("book_hotl", ["book_hotel", "search"]) == "book_hotel"
    assert close_match("zzz", ["book_hotel"]) is None
