"""Data flow between tools: which result fields feed which parameters, from the tools'
own identifiers and types, and how a produced parameter is judged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import pytest

from neurosym.errors import ToolDefinitionError
from neurosym.plan.ast import Call, Literal, Ref, Step
from neurosym.search import PartialPlan, ReferencePotential
from neurosym.tools import DataFlow, ProducedBy, Tool, ToolSet, tool, tools_from_openai
from neurosym.tools import Pattern as ns_pattern
from neurosym.tools.dataflow import result_fields


@dataclass
class Flight:
    id: str
    origin: str
    price: float


@tool
def search_flights(origin: str, destination: str) -> list[Flight]:
    """Find flights."""
    return []


@tool(effect="write")
def book_flight(flight_id: str, passengers: int) -> dict:
    """Book seats.

    Args:
        flight_id: The id of a flight from search_flights.
        passengers: How many seats.
    """
    return {}


@tool(effect="write")
def cancel(booking: Annotated[str, ProducedBy("search_flights", "origin")]) -> None:
    """Cancel something (an odd link, but one the user declared)."""


def test_result_fields_walk_arrays_through_their_first_item() -> None:
    paths = [path for path, _ in result_fields(search_flights.returns)]
    assert paths[:2] == [(), (0,)]
    assert {(0, "id"), (0, "origin"), (0, "price")} <= set(paths)


def test_a_description_naming_the_producer_links_the_field_named_like_the_parameter() -> None:
    flow = DataFlow([search_flights, book_flight])
    assert flow.producers("book_flight", "flight_id") == ("search_flights",)
    assert flow.hint("book_flight", "flight_id") == "search_flights()[0].id"
    assert flow.producers("book_flight", "passengers") == ()
    assert flow.producers("search_flights", "origin") == ()


def test_a_declared_producer_wins_over_names_and_is_read_from_json_schema_too() -> None:
    flow = DataFlow([search_flights, cancel])
    assert flow.hint("cancel", "booking") == "search_flights()[0].origin"
    schema = cancel.param("booking")
    assert schema is not None and schema.produced_by == "search_flights:origin"
    openai = [{"type": "function", "function": {
        "name": "refund", "parameters": {"type": "object", "properties": {
            "flight_id": {"type": "string", "x-produced-by": "search_flights:id"}},
            "required": ["flight_id"]}}}]
    refund = tools_from_openai(openai)[0]
    assert DataFlow([search_flights, refund]).producers("refund", "flight_id") == (
        "search_flights",)


def test_a_declared_field_the_result_lacks_is_refused_when_the_flow_is_read() -> None:
    @tool
    def drop(x: Annotated[str, ProducedBy("search_flights", "gate")]) -> None:
        """Drop."""
    with pytest.raises(ToolDefinitionError, match="gate"):
        DataFlow([search_flights, drop])


@pytest.mark.parametrize("bad", ["", "two words", "a:b:c", 3])
def test_malformed_produced_by_is_a_clear_error(bad) -> None:
    schema = {"type": "object", "properties": {"x": {"type": "string", "x-produced-by": bad}}}
    with pytest.raises(ToolDefinitionError, match="produced"):
        tools_from_openai([{"type": "function", "function": {"name": "f", "parameters": schema}}])


def _partial(*steps: Step, tool: str = "book_flight",
             args: tuple[tuple[str, object], ...] = ()) -> PartialPlan:
    return PartialPlan(steps, tool, f"r{len(steps) + 1}", args)  # type: ignore[arg-type]


SEARCH = Step(Call("search_flights", (("origin", Literal("SFO")),
                                       ("destination", Literal("CDG")))), "r1")


@pytest.mark.parametrize("value, refused", [
    (Ref("r1", (0, "id")), None),
    (Ref("r1", (0, "origin")), "produced by search_flights()[0].id"),
    (Ref("r1", (0, "gate")), "no field 'gate'"),
    (Ref("r1", (3, "id")), "names no item but the first"),
    (Ref("r2", (0, "id")), "names no earlier step"),
    (Literal("UA990"), "the request does not hold 'UA990'"),
    (Literal("AF007"), None),
    (Literal("F007"), "the request does not hold 'F007'"),   # part of a longer id
    (Literal("SFO"), "'SFO' is already another argument's value"),
])
def test_a_produced_parameter_takes_its_producers_field_or_a_literal_from_the_request(
        value, refused) -> None:
    tools = ToolSet([search_flights, book_flight])
    potential = ReferencePotential(list(tools), request="Book flight AF007 from SFO for me",
                                   flow=DataFlow(tools))
    refusal = potential.refuse(_partial(SEARCH, args=(("flight_id", value),)))
    if refused is None:
        assert refusal is None
    else:
        assert refusal is not None and refused in refusal.reason


def test_a_literal_of_the_kind_the_producer_takes_is_not_the_kind_it_returns() -> None:
    @tool
    def find(day: Annotated[str, ns_pattern(r"^\d{4}-\d{2}-\d{2}$")]) -> list[Flight]:
        """Find flights on a day."""
        return []

    @tool(effect="write")
    def book(flight_id: Annotated[str, ProducedBy("find", "id")]) -> None:
        """Book."""
    tools = [find, book]
    potential = ReferencePotential(tools, request="Book AF007 on 2026-12-01",
                                   flow=DataFlow(tools))
    day = potential.refuse(PartialPlan((), "book", "r1", (("flight_id", Literal("2026-12-01")),)))
    assert day is not None and "find.day" in day.reason
    assert potential.refuse(PartialPlan((), "book", "r1", (("flight_id", Literal("AF007")),))) is None


def test_a_literal_seen_in_an_earlier_result_is_grounded() -> None:
    tools = [search_flights, book_flight]
    potential = ReferencePotential(tools, request='Book it\n[{"id": "UA990"}]',
                                   flow=DataFlow(tools))
    assert potential.refuse(_partial(args=(("flight_id", Literal("UA990")),))) is None


def test_without_declared_results_any_reference_to_an_earlier_step_passes() -> None:
    tools = [Tool("a"), Tool("b")]
    potential = ReferencePotential(tools, flow=DataFlow(tools))
    step = Step(Call("a"), "r1")
    assert potential.refuse(PartialPlan((step,), "b", "r2", (("x", Ref("r1", ("id",))),))) is None


def test_a_tools_file_keeps_what_each_tool_returns() -> None:
    """OpenAI's format has no place for a result; ``to_openai(results=True)`` writes it
    as ``outputSchema`` (MCP's key) and the reader takes it back, so a tools file keeps
    the data flow the Python tools had."""
    import json

    from neurosym.demo import demo_tools
    tools = demo_tools()
    kept = ToolSet.from_openai(json.dumps(tools.to_openai(results=True)))
    plain = ToolSet.from_openai(json.dumps(tools.to_openai()))
    assert kept["search_flights"].returns == tools["search_flights"].returns
    assert DataFlow(kept).producers("book_flight", "flight_id") == ("search_flights",)
    assert DataFlow(plain).producers("book_flight", "flight_id") == ()
    assert "outputSchema" not in json.dumps(tools.to_openai())   # OpenAI's own shape


def test_a_result_schema_that_is_not_one_is_named() -> None:
    doc = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"},
                                             "outputSchema": "a list of ids"}}]
    with pytest.raises(ToolDefinitionError, match="outputSchema"):
        tools_from_openai(doc)


@pytest.mark.parametrize("schema, kind", [
    # MCP wraps a result that is not an object as {"result": ...}: it declares what it wraps.
    ({"type": "object", "properties": {"result": {"type": "number"}}}, "number"),
    ({"type": "object", "properties": {"id": {"type": "string"}}}, "object"),
    ({"type": "object"}, None),         # no field a later call could reference
])
def test_a_tools_file_reads_a_result_schema_as_mcp_does(schema, kind) -> None:
    doc = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"},
                                             "outputSchema": schema}}]
    returns = tools_from_openai(doc)[0].returns
    assert (returns.type if returns is not None else None) == kind


@pytest.mark.parametrize("atom, nested, doomed", [
    ("", False, False),                 # nothing written yet
    ("r", False, False),                # may still become r1
    ("r1", False, False),
    ("r1[", False, False),
    ("r2", False, True),                # no step 2 yet, and r2 grows into no earlier name
    ("r2.", False, True),
    ("r2[0].id", False, True),
    ("r12", False, True),
    ("Tr", False, False),               # True
    ("Non", False, False),              # None
    ("4", False, False),                # a number
    ("se", False, True),                # a tool's name, but values are not calls here
    ("se", True, False),                # with nested calls: may become search_flights(
    ("search_flights.", True, True),    # a tool's name is not dotted further
])
def test_a_bare_value_is_doomed_once_it_can_only_name_no_earlier_step(atom, nested,
                                                                      doomed) -> None:
    tools = ToolSet([search_flights, book_flight])
    potential = ReferencePotential(list(tools), nested=nested)
    partial = _partial(SEARCH)
    assert partial.bound == {"r1"}
    assert potential.dooms(atom, partial) is doomed
    head = atom.split(".")[0].split("[")[0]
    if atom != head and head:
        assert (potential.refuse_name(head, partial) is not None) is doomed
