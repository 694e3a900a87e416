"""Forward checking: the values a parameter can still take, and proposed candidates."""

from __future__ import annotations

from typing import Any

import pytest

from neurosym.solver import Feasible, PlanChecker
from neurosym.tools.tool import Param, Tool

HOTEL = Tool("hotel", params=(
    Param("city", "string", enum=("Paris", "Rome", "Oslo")),
    Param("nights", "integer", minimum=1, maximum=14),
    Param("price", "number", minimum=0),
    Param("check_in", "string", format="date"),
    Param("check_out", "date"),
    Param("breakfast", "boolean", required=False, default=False),
    Param("room", "string", pattern="^(single|double)$"),
    Param("guest", "string"),
    Param("floor", "integer")))
TRANSFER = Tool("transfer", params=(Param("amount", "number", exclusive_minimum=0,
                                          maximum=1000),))
TOOLS = [HOTEL, TRANSFER]


def checker_with(constraints: list[str], values: dict[str, Any]) -> PlanChecker:
    checker = PlanChecker(TOOLS, constraints)
    checker.begin_call(0, "hotel")
    for name, value in values.items():
        checker.assign(0, name, value)
    return checker


CASES: list[tuple[str, list[str], dict[str, Any], Feasible]] = [
    ("city", [], {}, Feasible("finite", ("Paris", "Rome", "Oslo"))),
    ("city", ["hotel.city != 'Rome'"], {}, Feasible("finite", ("Paris", "Oslo"))),
    ("city", ["hotel.nights > 7 implies hotel.city == 'Oslo'"], {"nights": 9},
     Feasible("finite", ("Oslo",))),
    ("breakfast", [], {}, Feasible("finite", (True, False))),
    ("breakfast", ["hotel.breakfast implies hotel.price >= 100"], {"price": 50.0},
     Feasible("finite", (False,))),
    ("nights", [], {}, Feasible("finite", tuple(range(1, 15)))),
    ("nights", ["hotel.nights not in [2, 3]", "hotel.nights <= 5"], {},
     Feasible("finite", (1, 4, 5))),
    ("nights", ["hotel.check_out - hotel.check_in == hotel.nights"],
     {"check_in": "2026-12-01", "check_out": "2026-12-04"}, Feasible("finite", (3,))),
    ("check_out", ["hotel.check_out > hotel.check_in",
                   "hotel.check_out - hotel.check_in <= 3"], {"check_in": "2026-12-30"},
     Feasible("finite", ("2026-12-31", "2027-01-01", "2027-01-02"))),
    ("check_out", ["hotel.check_out > hotel.check_in"], {"check_in": "2026-12-01"},
     Feasible("range", lo="2026-12-02", hi=None)),
    ("check_in", ["hotel.check_in >= '2026-01-01'", "hotel.check_in < '2027-01-01'"], {},
     Feasible("range", lo="2026-01-01", hi="2026-12-31")),
    ("price", [], {}, Feasible("range", lo=0, hi=None)),
    ("price", ["hotel.price * 2 < 301"], {}, Feasible("range", lo=0, hi=150.5,
                                                      hi_inclusive=False)),
    ("price", ["hotel.price == 99.5"], {}, Feasible("finite", (99.5,))),
    ("floor", [], {}, Feasible("range")),
    ("floor", ["hotel.floor >= -2", "hotel.floor <= 200"], {}, Feasible("range", lo=-2, hi=200)),
    ("room", [], {}, Feasible("finite", ("double", "single"))),
    ("guest", [], {}, Feasible("unknown")),
    ("guest", ["hotel.guest in ['ada', 'bob']"], {}, Feasible("finite", ("ada", "bob"))),
    ("guest", ["hotel.guest in ['ada', 'bob'] or hotel.nights > 3"], {"nights": 5},
     Feasible("unknown")),
]


@pytest.mark.parametrize(("param", "constraints", "values", "expected"), CASES,
                         ids=[f"{p}: {' & '.join(c) or 'declared'}" for p, c, _, _ in CASES])
def test_feasible_values(param: str, constraints: list[str], values: dict[str, Any],
                         expected: Feasible) -> None:
    checker = checker_with(constraints, values)
    assert checker.feasible(0, param) == expected


def test_a_value_already_written_is_set_aside_by_feasible() -> None:
    checker = checker_with(["hotel.nights <= 3"], {"nights": 2})
    assert checker.feasible(0, "nights") == Feasible("finite", (1, 2, 3))
    assert checker.check().ok  # the assignment is back in force afterwards
    checker.assign(0, "nights", 9)
    assert checker.check().refuted


def test_a_limit_below_the_count_gives_a_range() -> None:
    checker = checker_with([], {})
    assert checker.feasible(0, "nights", limit=5) == Feasible("range", lo=1, hi=14)


def test_no_feasible_value_comes_with_the_reason() -> None:
    checker = checker_with(["hotel.check_out > hotel.check_in",
                            "hotel.check_out - hotel.check_in == hotel.nights"],
                           {"check_in": "2026-12-05", "check_out": "2026-12-01"})
    found = checker.feasible(0, "nights")
    assert found.kind == "empty" and found.admits(3) is False
    assert any(i.kind == "constraint" and "check_out > hotel.check_in" in i.text
               for i in found.core)
    assert any(i.kind == "assignment" and i.param == "check_out" for i in found.core)


def test_feasible_admits_what_it_describes() -> None:
    checker = checker_with(["hotel.price * 2 < 301"], {})
    found = checker.feasible(0, "price")
    assert found.admits(150) is True and found.admits(150.5) is False and found.admits(-1) is False


def test_propose_gives_distinct_feasible_values_default_first() -> None:
    checker = checker_with(["hotel.price <= 200"], {})
    proposed = checker.propose(0, "price", n=4)
    assert len(proposed) == len(set(proposed)) == 4
    assert all(0 <= p <= 200 for p in proposed)
    checker.assign(0, "nights", 2)
    assert checker.propose(0, "breakfast", n=5) == [False, True]  # the default leads


def test_propose_respects_exclusions_and_constraints() -> None:
    checker = checker_with(["hotel.city != 'Rome'"], {})
    assert checker.propose(0, "city", n=5, exclude=["Paris"]) == ["Oslo"]
    checker = checker_with(["len(hotel.guest) == 3", "hotel.guest != 'abc'"], {})
    names = checker.propose(0, "guest", n=3, exclude=["xyz"])
    assert len(names) == 3 and all(len(n) == 3 and n not in ("abc", "xyz") for n in names)


def test_propose_on_an_impossible_value_is_empty() -> None:
    checker = checker_with(["hotel.nights > 20"], {})
    assert checker.propose(0, "nights") == []


def test_feasible_of_a_second_call_sees_the_first() -> None:
    checker = PlanChecker(TOOLS, ["sum(transfer.amount) <= 300"])
    checker.begin_call(0, "transfer")
    checker.assign(0, "amount", 250.0)
    checker.end_call(0)
    checker.begin_call(1, "transfer")
    assert checker.feasible(1, "amount") == Feasible("range", lo=0, hi=50, lo_inclusive=False)
