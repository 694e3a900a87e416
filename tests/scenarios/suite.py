"""Constraint-heavy scenarios: bookings under a budget, date ranges, transfers under an
observed balance, schedules without overlap, enums the request contradicts, and requests
that cannot be satisfied at all.

Each scenario carries an independent plain-Python check of its constraints: it reads the
plan's literal values and never asks the solver, so a solver bug cannot hide behind it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import neurosym as ns
from neurosym.plan import Plan, to_python


# --- the tools (bodies are never run by the planning scenarios) -------------------------

@ns.tool
def book_hotel(city: str, nights: Annotated[int, ns.Range(1, 14)], price: float) -> dict:
    """Book a hotel room in a city for a number of nights at a total price in euros."""
    return {"city": city, "nights": nights, "price": price}


@ns.tool
def book_stay(city: str, check_in: dt.date, check_out: dt.date) -> dict:
    """Book a stay in a city from the check-in date to the check-out date."""
    return {"city": city, "check_in": str(check_in), "check_out": str(check_out)}


@ns.tool
def book_flight(origin: str, destination: str,
                cabin: Literal["economy", "premium", "business"], price: float) -> dict:
    """Book a flight in a cabin class at a price in euros."""
    return {"origin": origin, "destination": destination, "cabin": cabin}


@ns.tool
def get_balance(account: str) -> float:
    """Read the balance of a bank account."""
    return 0.0


@ns.tool(effect="write")
def transfer(from_account: str, to_account: str, amount: float) -> dict:
    """Transfer an amount of money between two accounts."""
    return {"ok": True}


@ns.tool
def login(user: str) -> dict:
    """Log in as a user before any transfer."""
    return {"user": user}


@ns.tool(effect="write")
def create_event(title: str, start_hour: Annotated[int, ns.Range(0, 23)],
                 end_hour: Annotated[int, ns.Range(1, 24)]) -> dict:
    """Create a calendar event from a start hour to an end hour of the same day."""
    return {"title": title}


# --- independent checks ------------------------------------------------------------------

def calls(plan: Plan, tool: str) -> list[dict[str, Any]]:
    """The literal arguments of every call of ``tool`` in the plan (references skipped)."""
    found = []
    for step in plan.steps:
        if step.call.tool == tool:
            args = {}
            for name, value in step.call.args:
                try:
                    args[name] = to_python(value)
                except TypeError:
                    args[name] = None
            found.append(args)
    return found


def _date(text: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        return None


def check_hotel_budget(plan: Plan) -> list[str]:
    bad = []
    hotels = calls(plan, "book_hotel")
    if not hotels:
        bad.append("no book_hotel call")
    for args in hotels:
        if not 1 <= args["nights"] <= 14:
            bad.append(f"nights {args['nights']} outside 1..14")
    if sum(a["price"] for a in hotels) > 500:
        bad.append("hotel prices above 500")
    return bad


def check_stay_dates(plan: Plan) -> list[str]:
    bad = []
    stays = calls(plan, "book_stay")
    if not stays:
        bad.append("no book_stay call")
    for args in stays:
        start, end = _date(args["check_in"]), _date(args["check_out"])
        if start is None or end is None or not end > start:
            bad.append(f"check_out {args['check_out']} not after check_in {args['check_in']}")
    return bad


def check_transfer_balance(plan: Plan) -> list[str]:
    moves = calls(plan, "transfer")
    bad = [] if moves else ["no transfer call"]
    bad += [f"amount {a['amount']} above the balance 250" for a in moves if a["amount"] > 250]
    bad += [f"amount {a['amount']} not positive" for a in moves if a["amount"] <= 0]
    return bad


def check_transfers_under_balance(plan: Plan) -> list[str]:
    """Every transfer the plan makes stays within the balance 250 (none at all is allowed)."""
    moves = calls(plan, "transfer")
    bad = [f"amount {a['amount']} above the balance 250" for a in moves if a["amount"] > 250]
    return bad + [f"amount {a['amount']} not positive" for a in moves if a["amount"] <= 0]


def check_schedule(plan: Plan) -> list[str]:
    events = calls(plan, "create_event")
    bad = [] if len(events) >= 2 else ["fewer than two events"]
    for args in events:
        if not args["end_hour"] > args["start_hour"]:
            bad.append(f"event {args['title']!r} ends before it starts")
    spans = sorted((a["start_hour"], a["end_hour"]) for a in events)
    for (s1, e1), (s2, _) in zip(spans, spans[1:]):
        if s2 < e1:
            bad.append(f"events at {s1} and {s2} overlap")
    return bad


def check_cabin(plan: Plan) -> list[str]:
    flights = calls(plan, "book_flight")
    bad = [] if flights else ["no book_flight call"]
    bad += [f"cabin {a['cabin']} is not economy" for a in flights if a["cabin"] != "economy"]
    return bad


def check_login_first(plan: Plan) -> list[str]:
    tools = [step.call.tool for step in plan.steps]
    if "transfer" not in tools:
        return ["no transfer call"]
    if "login" not in tools[:tools.index("transfer")]:
        return ["transfer before login"]
    return []


def check_transfer_count(plan: Plan) -> list[str]:
    count = len(calls(plan, "transfer"))
    return [f"{count} transfers, at most 2 allowed"] if count > 2 else []


@dataclass(frozen=True)
class Scenario:
    """One request under constraints.

    ``satisfiable``: some plan keeps the constraints. ``intended``: the calls the request
    asks for, in the plan language (what a faithful plan does). ``conflicts``: the
    intended calls break the constraints, so an honest planner says unsatisfiable, or,
    allowed to bend, gives an adjusted plan that lists the change.
    """

    name: str
    request: str
    tools: tuple[ns.Tool, ...]
    constraints: tuple[str, ...]
    satisfiable: bool
    check: Callable[[Plan], list[str]]
    observations: dict[str, Any] = field(default_factory=dict)
    intended: tuple[str, ...] = ()
    conflicts: bool = False
    language: str = "en"


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("hotel_budget", "Book a hotel in Paris for 3 nights for 900 euros.",
             (book_hotel,), ("count(book_hotel) >= 1", "sum(book_hotel.price) <= 500"),
             True, check_hotel_budget,
             intended=('book_hotel(city="Paris", nights=3, price=900)',), conflicts=True),
    Scenario("hotel_nights_range", "Book a hotel in Rome for 20 nights for 400 euros.",
             (book_hotel,), ("count(book_hotel) >= 1", "sum(book_hotel.price) <= 500"),
             True, check_hotel_budget,
             intended=('book_hotel(city="Rome", nights=20, price=400)',), conflicts=True),
    Scenario("stay_dates_reversed",
             "Book a stay in Lisbon checking in on 2026-12-10 and checking out on 2026-12-03.",
             (book_stay,), ("count(book_stay) >= 1", "book_stay.check_out > book_stay.check_in"),
             True, check_stay_dates,
             intended=('book_stay(city="Lisbon", check_in="2026-12-10", '
                       'check_out="2026-12-03")',), conflicts=True),
    Scenario("transfer_under_balance",
             "Transfer 400 dollars from checking to savings.",
             (get_balance, transfer),
             ("count(transfer) >= 1", "transfer.amount <= get_balance.result",
              "transfer.amount > 0"),
             True, check_transfer_balance, observations={"get_balance": 250.0},
             intended=('transfer(from_account="checking", to_account="savings", amount=400)',),
             conflicts=True),
    # One-hour slots with distinct starts cannot overlap.
    Scenario("schedule_no_overlap",
             "Create a standup from 9 to 10 and a design review from 9 to 10.",
             (create_event,),
             ("count(create_event) >= 2", "create_event.end_hour == create_event.start_hour + 1",
              "distinct(create_event.start_hour)"),
             True, check_schedule,
             intended=('create_event(title="standup", start_hour=9, end_hour=10)',
                       'create_event(title="design review", start_hour=9, end_hour=10)'),
             conflicts=True),
    Scenario("cabin_contradicts_request",
             "Book a business class flight from Paris to Tokyo for 3000 euros.",
             (book_flight,), ("count(book_flight) >= 1", "book_flight.cabin == \"economy\""),
             True, check_cabin,
             intended=('book_flight(origin="Paris", destination="Tokyo", cabin="business", '
                       'price=3000)',), conflicts=True),
    Scenario("login_before_transfer", "Send 50 dollars from alice to bob.",
             (login, transfer), ("before(login, transfer)", "count(transfer) >= 1"),
             True, check_login_first,
             intended=('login(user="alice")',
                       'transfer(from_account="alice", to_account="bob", amount=50)')),
    Scenario("transfer_count_limit",
             "Transfer 10 dollars to bob, 20 dollars to carol and 30 dollars to dave "
             "from checking.",
             (transfer,), ("count(transfer) <= 2",), True, check_transfer_count,
             intended=('transfer(from_account="checking", to_account="bob", amount=10)',
                       'transfer(from_account="checking", to_account="carol", amount=20)',
                       'transfer(from_account="checking", to_account="dave", amount=30)'),
             conflicts=True),
    Scenario("hotel_within_budget", "Book a hotel in Paris for 3 nights for 400 euros.",
             (book_hotel,), ("sum(book_hotel.price) <= 500",), True, check_hotel_budget,
             intended=('book_hotel(city="Paris", nights=3, price=400)',)),
    Scenario("transfer_within_balance", "Transfer 200 dollars from checking to savings.",
             (get_balance, transfer),
             ("transfer.amount <= get_balance.result", "transfer.amount > 0"),
             True, check_transfers_under_balance, observations={"get_balance": 250.0},
             intended=('transfer(from_account="checking", to_account="savings", amount=200)',)),
    # Cannot be satisfied: the search must end in an explanation.
    Scenario("hotel_price_floor_above_budget", "Book a hotel in Oslo for 2 nights.",
             (book_hotel,),
             ("count(book_hotel) >= 1", "book_hotel.price >= 600",
              "sum(book_hotel.price) <= 500"),
             False, check_hotel_budget),
    Scenario("nights_beyond_range", "Book a hotel in Berlin for a long stay.",
             (book_hotel,), ("count(book_hotel) >= 1", "book_hotel.nights >= 20"),
             False, check_hotel_budget),
    Scenario("transfer_floor_above_balance", "Transfer money from checking to savings.",
             (get_balance, transfer),
             ("count(transfer) >= 1", "transfer.amount <= get_balance.result",
              "transfer.amount >= 500"),
             False, check_transfer_balance, observations={"get_balance": 250.0}),
)

#: The same situations asked in German, French and Spanish: the verdict reads no words, so
#: it must judge these as it judges the English ones (the constraint benchmark runs them).
ACROSS_LANGUAGES: tuple[Scenario, ...] = (
    Scenario("de_hotel_within_budget", "Buche ein Hotel in Berlin für 2 Nächte für 300 Euro.",
             (book_hotel,), ("sum(book_hotel.price) <= 500",), True, check_hotel_budget,
             intended=('book_hotel(city="Berlin", nights=2, price=300)',), language="de"),
    Scenario("de_hotel_budget", "Buche ein Hotel in Berlin für 2 Nächte für 700 Euro.",
             (book_hotel,), ("count(book_hotel) >= 1", "sum(book_hotel.price) <= 500"),
             True, check_hotel_budget,
             intended=('book_hotel(city="Berlin", nights=2, price=700)',), conflicts=True,
             language="de"),
    Scenario("fr_hotel_within_budget", "Réserve un hôtel à Lyon pour 4 nuits pour 450 euros.",
             (book_hotel,), ("sum(book_hotel.price) <= 500",), True, check_hotel_budget,
             intended=('book_hotel(city="Lyon", nights=4, price=450)',), language="fr"),
    Scenario("fr_transfer_under_balance",
             "Vire 400 dollars du compte checking vers le compte savings.",
             (get_balance, transfer),
             ("count(transfer) >= 1", "transfer.amount <= get_balance.result",
              "transfer.amount > 0"),
             True, check_transfer_balance, observations={"get_balance": 250.0},
             intended=('transfer(from_account="checking", to_account="savings", amount=400)',),
             conflicts=True, language="fr"),
    Scenario("es_hotel_within_budget",
             "Reserva un hotel en Sevilla por 3 noches por 350 euros.",
             (book_hotel,), ("sum(book_hotel.price) <= 500",), True, check_hotel_budget,
             intended=('book_hotel(city="Sevilla", nights=3, price=350)',), language="es"),
    Scenario("es_hotel_nights_range",
             "Reserva un hotel en Sevilla por 20 noches por 350 euros.",
             (book_hotel,), ("count(book_hotel) >= 1", "sum(book_hotel.price) <= 500"),
             True, check_hotel_budget,
             intended=('book_hotel(city="Sevilla", nights=20, price=350)',), conflicts=True,
             language="es"),
)
