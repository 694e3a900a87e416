"""A small world for the solver tests: tools, plans, and a plain-Python judge of constraints.

The judge below is written from the language's documented semantics, independently of
the library: a parameter reference holds for every call of its tool (vacuously when the
call does not give the parameter), aggregates range over the whole plan, ``min``/``max``
of no value make their constraint hold, ``before(a, b)`` means every ``b`` call has an
``a`` call at an earlier step.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import strategies as st

from neurosym.plan.ast import Call, Literal, Plan, Step
from neurosym.solver import PlanChecker
from neurosym.tools.tool import Param, Tool

Args = dict[str, Any]
PlanCalls = list[tuple[str, Args]]

SEAT_PATTERN = "^[0-9]{1,2}[A-C]$"
OBSERVATIONS: dict[str, Any] = {"limit": 500}


def world_tools() -> list[Tool]:
    return [
        Tool("hotel", params=(
            Param("city", "string", enum=("Paris", "Rome", "Oslo")),
            Param("nights", "integer", minimum=1, maximum=14),
            Param("price", "number", minimum=0),
            Param("check_in", "string", format="date"),
            Param("check_out", "date"),
            Param("breakfast", "boolean", required=False))),
        Tool("transfer", params=(Param("amount", "number", exclusive_minimum=0, maximum=1000),)),
        Tool("login", params=(Param("user", "string"),)),
        Tool("seat", params=(Param("code", "string", pattern=SEAT_PATTERN),)),
        Tool("limit", returns=Param("limit", "number")),
    ]


# values, including ones outside the declared limits -----------------------------------

DATES = [f"2026-11-{d}" for d in (28, 29, 30)] + [f"2026-12-0{d}" for d in range(1, 7)]


def _hotel() -> st.SearchStrategy[Args]:
    base = st.fixed_dictionaries({
        "city": st.sampled_from(["Paris", "Rome", "Oslo", "Lima"]),
        "nights": st.integers(-1, 16),
        "price": st.sampled_from([0.0, 50.0, 99.5, 120.25, 300.0, 800.0, -5.0]),
        "check_in": st.sampled_from(DATES),
        "check_out": st.sampled_from(DATES),
    })
    return st.tuples(base, st.sampled_from([None, True, False])).map(
        lambda pair: {**pair[0], **({} if pair[1] is None else {"breakfast": pair[1]})})


ARGS: dict[str, st.SearchStrategy[Args]] = {
    "hotel": _hotel(),
    "transfer": st.fixed_dictionaries({"amount": st.sampled_from(
        [0.0, 10.0, 250.5, 499.0, 999.0, 1000.0, 1200.0])}),
    "login": st.fixed_dictionaries({"user": st.sampled_from(["", "ab", "ada", "Bob", "carol9"])}),
    "seat": st.fixed_dictionaries({"code": st.sampled_from(["1A", "12C", "99B", "3D", "123A",
                                                            "1a"])}),
}


def plans(max_calls: int = 5) -> st.SearchStrategy[PlanCalls]:
    call = st.sampled_from(sorted(ARGS)).flatmap(
        lambda tool: ARGS[tool].map(lambda args: (tool, args)))
    return st.lists(call, max_size=max_calls)


def to_plan(calls: PlanCalls) -> Plan:
    return Plan(tuple(Step(Call(tool, tuple((k, Literal(v)) for k, v in args.items())))
                      for tool, args in calls))


def feed(checker: PlanChecker, calls: PlanCalls, *, start: int = 0) -> None:
    for step, (tool, args) in enumerate(calls, start=start):
        checker.begin_call(step, tool)
        for name, value in args.items():
            checker.assign(step, name, value)
        checker.end_call(step)


# the judge ---------------------------------------------------------------------------

def day(text: str) -> int:
    return dt.date.fromisoformat(text).toordinal()


def calls_of(plan: PlanCalls, tool: str) -> list[Args]:
    return [args for name, args in plan if name == tool]


def each(plan: PlanCalls, tool: str, test: Callable[[Args], bool],
         needs: Sequence[str] = ()) -> bool:
    return all(test(a) for a in calls_of(plan, tool) if all(n in a for n in needs))


def in_domain(plan: PlanCalls) -> bool:
    """The tools' declared limits."""
    for tool, args in plan:
        if tool == "hotel":
            if args["city"] not in ("Paris", "Rome", "Oslo") or not 1 <= args["nights"] <= 14 \
                    or args["price"] < 0:
                return False
        elif tool == "transfer":
            if not 0 < args["amount"] <= 1000:
                return False
        elif tool == "seat":
            if not re.search(SEAT_PATTERN, args["code"], re.ASCII):
                return False
    return True


def _before(plan: PlanCalls, first: str, then: str) -> bool:
    seen = False
    for tool, _ in plan:
        if tool == first:
            seen = True
        elif tool == then and not seen:
            return False
    return True


def _vacuous_unless(*groups: list[Any]) -> bool:
    return any(not group for group in groups)


def _prices(plan: PlanCalls) -> list[float]:
    return [a["price"] for a in calls_of(plan, "hotel")]


LIMIT = OBSERVATIONS["limit"]

JUDGED: list[tuple[str, Callable[[PlanCalls], bool]]] = [
    ("hotel.check_out > hotel.check_in",
     lambda p: each(p, "hotel", lambda a: day(a["check_out"]) > day(a["check_in"]))),
    ("hotel.check_out - hotel.check_in == hotel.nights",
     lambda p: each(p, "hotel", lambda a: day(a["check_out"]) - day(a["check_in"]) == a["nights"])),
    ("sum(hotel.price) <= 500", lambda p: sum(_prices(p)) <= 500),
    ("sum(hotel.price) + sum(transfer.amount) <= 1000",
     lambda p: sum(_prices(p)) + sum(a["amount"] for a in calls_of(p, "transfer")) <= 1000),
    ("count(transfer) <= 2", lambda p: len(calls_of(p, "transfer")) <= 2),
    ("count(transfer) >= 1", lambda p: len(calls_of(p, "transfer")) >= 1),
    ("distinct(seat.code)",
     lambda p: len({a["code"] for a in calls_of(p, "seat")}) == len(calls_of(p, "seat"))),
    ("before(login, transfer)", lambda p: _before(p, "login", "transfer")),
    ("min(hotel.nights) >= 2",
     lambda p: _vacuous_unless(calls_of(p, "hotel"))
     or min(a["nights"] for a in calls_of(p, "hotel")) >= 2),
    ("max(hotel.price) - min(hotel.price) <= 100",
     lambda p: _vacuous_unless(_prices(p)) or max(_prices(p)) - min(_prices(p)) <= 100),
    ("hotel.breakfast implies hotel.price >= 100",
     lambda p: each(p, "hotel", lambda a: (not a["breakfast"]) or a["price"] >= 100,
                    ["breakfast"])),
    ("hotel.city in ['Paris', 'Rome'] or hotel.nights <= 3",
     lambda p: each(p, "hotel", lambda a: a["city"] in ("Paris", "Rome") or a["nights"] <= 3)),
    ("not (hotel.city == 'Oslo' and hotel.nights > 7)",
     lambda p: each(p, "hotel", lambda a: not (a["city"] == "Oslo" and a["nights"] > 7))),
    ("len(login.user) >= 3", lambda p: each(p, "login", lambda a: len(a["user"]) >= 3)),
    ('matches(login.user, "^[a-z]+$")',
     lambda p: each(p, "login", lambda a: re.search("^[a-z]+$", a["user"]) is not None)),
    ("transfer.amount * 2 <= 1000 - 100",
     lambda p: each(p, "transfer", lambda a: a["amount"] * 2 <= 900)),
    ("abs(hotel.price - 100) <= 50 or hotel.nights >= 10",
     lambda p: each(p, "hotel", lambda a: abs(a["price"] - 100) <= 50 or a["nights"] >= 10)),
    ("sum(transfer.amount) <= limit.result",
     lambda p: sum(a["amount"] for a in calls_of(p, "transfer")) <= LIMIT),
    ("transfer.amount < limit.result",
     lambda p: each(p, "transfer", lambda a: a["amount"] < LIMIT)),
    ("hotel.check_in >= '2026-12-01'",
     lambda p: each(p, "hotel", lambda a: day(a["check_in"]) >= day("2026-12-01"))),
    ("count(hotel) + count(transfer) <= 3",
     lambda p: len(calls_of(p, "hotel")) + len(calls_of(p, "transfer")) <= 3),
    ("hotel.price <= transfer.amount",
     lambda p: all(h["price"] <= t["amount"] for h in calls_of(p, "hotel")
                   for t in calls_of(p, "transfer"))),
    ("max(hotel.nights, 3) <= 10", lambda p: each(p, "hotel", lambda a: max(a["nights"], 3) <= 10)),
    ("1 <= hotel.nights - 1 <= 7", lambda p: each(p, "hotel", lambda a: 1 <= a["nights"] - 1 <= 7)),
    ("hotel.nights not in [5, 6]", lambda p: each(p, "hotel", lambda a: a["nights"] not in (5, 6))),
    ("sum(hotel.nights) >= 3", lambda p: sum(a["nights"] for a in calls_of(p, "hotel")) >= 3),
    ("count(hotel) == 0 or before(login, hotel)",
     lambda p: not calls_of(p, "hotel") or _before(p, "login", "hotel")),
    ("max(transfer.amount) <= 2 * min(hotel.price) + 10",
     lambda p: _vacuous_unless(calls_of(p, "transfer"), calls_of(p, "hotel"))
     or max(a["amount"] for a in calls_of(p, "transfer")) <= 2 * min(_prices(p)) + 10),
    ("hotel.check_in + hotel.nights == hotel.check_out or hotel.breakfast == False",
     lambda p: each(p, "hotel", lambda a: day(a["check_in"]) + a["nights"] == day(a["check_out"])
                    or a["breakfast"] is False, ["breakfast"])),
]


def judge(plan: PlanCalls, texts: Sequence[str]) -> bool:
    """Whether the complete plan keeps the tools' limits and every constraint in ``texts``
    (results observed as in ``OBSERVATIONS``)."""
    table = dict(JUDGED)
    return in_domain(plan) and all(table[text](plan) for text in texts)
