"""The demo's request and tools: ``neurosym demo``, the engines benchmark and the tests plan it.

The tools are the travel world's flight search and booking (:mod:`neurosym.execute.demo_world`),
whose data flow makes the plan a chain: the booking takes the searched flight's id.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DEMO_REQUEST", "DEMO_TOOLS", "demo_tools"]

DEMO_REQUEST = "Find a flight from SFO to CDG on 2026-12-01 and book it for 2 passengers."
DEMO_TOOLS = ("search_flights", "book_flight")


def demo_tools() -> Any:
    """The demo's tools: the travel world's, or two small stand-ins without it."""
    try:
        from .execute.demo_world import make_world
    except ImportError:
        return _fallback_tools()
    _, tools = make_world()
    return tools.subset(DEMO_TOOLS)


def _fallback_tools() -> Any:
    from typing import Annotated

    from .tools import Range, ToolSet, tool

    @tool
    def search_flights(origin: str, destination: str, date: str) -> list[dict[str, Any]]:
        """Find flights from one airport to another on a day (IATA codes, YYYY-MM-DD)."""
        return [{"id": f"{origin}{destination}1", "price": 420.0}]

    @tool(effect="write")
    def book_flight(flight_id: str, passengers: Annotated[int, Range(1, 9)]) -> dict[str, Any]:
        """Book seats on a flight."""
        return {"id": "B1", "flight_id": flight_id, "passengers": passengers}

    return ToolSet([search_flights, book_flight])
