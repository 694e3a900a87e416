"""A small tool set for the constraint-language tests (imported by the tests and conftest)."""

from __future__ import annotations

from neurosym.tools.tool import Param, Tool


def travel_tools() -> list[Tool]:
    """Hotels, flights, seats and a bank: every kind of value the language compares."""
    traveler = Param("traveler", "object", required=False, properties=(
        Param("name", "string"), Param("age", "integer", minimum=0, required=False)))
    return [
        Tool("book_hotel", params=(
            Param("city", "string", enum=("Paris", "Rome", "Oslo")),
            Param("check_in", "string", format="date"),
            Param("check_out", "date"),
            Param("nights", "integer", minimum=1, maximum=14),
            Param("price", "number", minimum=0),
            Param("breakfast", "boolean", required=False),
            Param("tags", "array", required=False, items=Param("tag", "string"), max_items=3),
            traveler,
            Param("note", "any", required=False))),
        Tool("book_flight", params=(Param("price", "number"), Param("date", "date"),
                                    Param("at", "string", format="date-time"))),
        Tool("book_seat", params=(Param("seat", "string", pattern="^[0-9]{1,2}[A-F]$"),)),
        Tool("login", params=(Param("user", "string"),)),
        Tool("transfer", params=(Param("amount", "number", minimum=0),)),
        Tool("get_balance", returns=Param("balance", "number")),
        Tool("get_account", returns=Param("account", "object", properties=(
            Param("owner", "string"), Param("limit", "integer")), additional_properties=False)),
        Tool("lookup", returns=None),
    ]
