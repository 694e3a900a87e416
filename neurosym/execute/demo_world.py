"""A small stateful world to plan against: flights, hotels, a bank, a calendar.

:func:`make_world` gives a fresh :class:`World` and its tools, real Python functions
made tools with ``@neurosym.tool``: searches are reads, bookings, transfers and new
events are writes that change the world (and bookings charge the checking account).
For tests and demos a world can be told to make a tool fail, hang, dawdle, return
nonsense, or wait for another tool's call to start; it records when each call started
and ended, and on which thread.

>>> world, tools = make_world()
>>> [t.name for t in tools if t.effect == "write"]
['book_flight', 'book_hotel', 'transfer', 'create_event']
>>> flight = tools["search_flights"](origin="SFO", destination="CDG", date="2026-12-01")[0]
>>> booking = tools["book_flight"](flight_id=flight.id, passengers=1)
>>> flight.id, booking.total, world.balances["checking"]
('UA990', 540.0, 1460.0)
"""

from __future__ import annotations

import functools
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Literal

from ..tools.annotations import Pattern, Range

if TYPE_CHECKING:
    from ..tools.toolset import ToolSet

__all__ = ["load_tools", "World", "CallRecord", "Flight", "Hotel", "Booking", "Receipt", "Event",
           "make_world"]

Airport = Annotated[str, Pattern(r"^[A-Z]{3}$")]
Day = Annotated[str, Pattern(r"^\d{4}-\d{2}-\d{2}$")]
Clock = Annotated[str, Pattern(r"^([01]\d|2[0-3]):[0-5]\d$")]
Account = Literal["checking", "savings"]


@dataclass(frozen=True)
class Flight:
    id: str
    origin: str
    destination: str
    date: str
    price: float
    seats: int


@dataclass(frozen=True)
class Hotel:
    id: str
    name: str
    city: str
    price_per_night: float


@dataclass(frozen=True)
class Booking:
    id: str
    kind: str
    item_id: str
    total: float


@dataclass(frozen=True)
class Receipt:
    id: str
    from_account: str
    to_account: str
    amount: float


@dataclass(frozen=True)
class Event:
    id: str
    title: str
    date: str
    start: str
    end: str


@dataclass(frozen=True)
class CallRecord:
    """One call of a tool as the world saw it (``perf_counter`` times, in seconds)."""

    tool: str
    started: float
    ended: float
    thread: str
    kwargs: dict[str, Any] = field(compare=False)


_FLIGHTS = (
    Flight("AF83", "SFO", "CDG", "2026-12-01", 620.0, 4),
    Flight("UA990", "SFO", "CDG", "2026-12-01", 540.0, 1),
    Flight("DL8", "JFK", "LHR", "2026-12-02", 480.0, 9),
    Flight("BA117", "JFK", "LHR", "2026-12-02", 510.0, 3),
)
_HOTELS = (
    Hotel("H-PAR-1", "Hotel du Louvre", "Paris", 240.0),
    Hotel("H-PAR-2", "Generator Paris", "Paris", 90.0),
    Hotel("H-LON-1", "The Hoxton", "London", 180.0),
)


class World:
    """The state the demo tools read and change, and the switches that misbehave them."""

    def __init__(self, checking: float = 2000.0, savings: float = 500.0) -> None:
        self.flights: list[Flight] = list(_FLIGHTS)
        self.hotels: list[Hotel] = list(_HOTELS)
        self.balances: dict[str, float] = {"checking": checking, "savings": savings}
        self.bookings: list[Booking] = []
        self.transfers: list[Receipt] = []
        self.events: list[Event] = [Event("E1", "Team sync", "2026-12-01", "09:00", "10:00")]
        self.calls: list[CallRecord] = []
        self._by_key: dict[str, Receipt] = {}
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        self._failures: dict[str, list[BaseException]] = {}
        self._corrupt: dict[str, list[Any]] = {}
        self._delays: dict[str, float] = {}
        self._hanging: set[str] = set()
        self._released = threading.Event()
        self._meeting: dict[str, threading.Barrier] = {}

    # -- switches for tests and demos -------------------------------------------------

    def fail_next(self, tool: str, error: BaseException, times: int = 1) -> None:
        """The next ``times`` calls of ``tool`` raise ``error`` before doing anything."""
        with self._lock:
            self._failures.setdefault(tool, []).extend([error] * times)

    def return_next(self, tool: str, value: Any) -> None:
        """The next call of ``tool`` does nothing and returns ``value`` (wrong on purpose)."""
        with self._lock:
            self._corrupt.setdefault(tool, []).append(value)

    def delay(self, tool: str, seconds: float) -> None:
        """Every call of ``tool`` takes at least ``seconds`` longer."""
        with self._lock:
            self._delays[tool] = seconds

    def rendezvous(self, *tools: str, timeout: float = 5.0) -> None:
        """The next calls of these tools each wait until all of them have started: they
        succeed only when run at the same time (else they raise BrokenBarrierError)."""
        barrier = threading.Barrier(len(tools), timeout=timeout)
        with self._lock:
            self._meeting.update({tool: barrier for tool in tools})

    def hang(self, tool: str) -> None:
        """Calls of ``tool`` block until :meth:`release` (at most 60 s), then go on."""
        with self._lock:
            self._hanging.add(tool)
            self._released.clear()

    def release(self) -> None:
        """Let hanging calls go on, and stop hanging new ones."""
        with self._lock:
            self._hanging.clear()
            self._released.set()

    def calls_of(self, tool: str) -> list[CallRecord]:
        with self._lock:
            return [c for c in self.calls if c.tool == tool]

    def state(self) -> dict[str, Any]:
        """What the tools have changed, for comparing before and after a run."""
        with self._lock:
            return {"balances": dict(self.balances), "bookings": list(self.bookings),
                    "transfers": list(self.transfers), "events": list(self.events)}

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids)}"

    def _charge(self, amount: float, what: str) -> None:
        if amount > self.balances["checking"]:
            raise ValueError(f"insufficient funds for {what}: {amount:.2f} needed, "
                             f"{self.balances['checking']:.2f} in checking")
        self.balances["checking"] = round(self.balances["checking"] - amount, 2)

    def _instrument(self, func: Callable[..., Any]) -> Callable[..., Any]:
        name = func.__name__

        @functools.wraps(func)
        def call(**kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                with self._lock:
                    failure = self._failures.get(name, [None]).pop(0) if self._failures.get(
                        name) else None
                    corrupt = self._corrupt[name].pop(0) if self._corrupt.get(name) else _UNSET
                    hanging = name in self._hanging
                    delay = self._delays.get(name, 0.0)
                    meeting = self._meeting.pop(name, None)
                if meeting is not None:
                    meeting.wait()
                if hanging:
                    self._released.wait(60.0)
                if delay:
                    time.sleep(delay)
                if failure is not None:
                    raise failure
                if corrupt is not _UNSET:
                    return corrupt
                return func(**kwargs)
            finally:
                record = CallRecord(name, started, time.perf_counter(),
                                    threading.current_thread().name, dict(kwargs))
                with self._lock:
                    self.calls.append(record)

        return call


_UNSET = object()


def make_world(checking: float = 2000.0, savings: float = 500.0) -> tuple[World, ToolSet]:
    """A fresh world and the tools acting on it."""
    from ..tools.python import tool
    from ..tools.toolset import ToolSet

    world = World(checking=checking, savings=savings)
    wrap = world._instrument

    def search_flights(origin: Airport, destination: Airport, date: Day) -> list[Flight]:
        """Find flights from one airport to another on a day, cheapest first.

        Args:
            origin: IATA code of the departure airport, e.g. SFO.
            destination: IATA code of the arrival airport, e.g. CDG.
            date: Day of departure, YYYY-MM-DD.
        """
        with world._lock:
            found = [f for f in world.flights
                     if (f.origin, f.destination, f.date) == (origin, destination, date)]
        return sorted(found, key=lambda f: f.price)

    def book_flight(flight_id: str, passengers: Annotated[int, Range(1, 9)]) -> Booking:
        """Book seats on a flight and pay from the checking account.

        Args:
            flight_id: The id of a flight from search_flights.
            passengers: How many seats.
        """
        with world._lock:
            flight = next((f for f in world.flights if f.id == flight_id), None)
            if flight is None:
                raise LookupError(f"no flight {flight_id!r}")
            if passengers > flight.seats:
                raise ValueError(f"flight {flight_id} has only {flight.seats} seats left")
            total = round(flight.price * passengers, 2)
            world._charge(total, f"flight {flight_id}")
            world.flights[world.flights.index(flight)] = Flight(
                flight.id, flight.origin, flight.destination, flight.date, flight.price,
                flight.seats - passengers)
            booking = Booking(world._new_id("B"), "flight", flight_id, total)
            world.bookings.append(booking)
            return booking

    def search_hotels(city: str, max_price: float | None = None) -> list[Hotel]:
        """Find hotels in a city, optionally under a nightly price, cheapest first.

        Args:
            city: The city, e.g. Paris.
            max_price: Highest price per night.
        """
        with world._lock:
            found = [h for h in world.hotels if h.city.lower() == city.lower()
                     and (max_price is None or h.price_per_night <= max_price)]
        return sorted(found, key=lambda h: h.price_per_night)

    def book_hotel(hotel_id: str, nights: Annotated[int, Range(1, 14)]) -> Booking:
        """Book a hotel room for some nights and pay from the checking account.

        Args:
            hotel_id: The id of a hotel from search_hotels.
            nights: How many nights.
        """
        with world._lock:
            hotel = next((h for h in world.hotels if h.id == hotel_id), None)
            if hotel is None:
                raise LookupError(f"no hotel {hotel_id!r}")
            total = round(hotel.price_per_night * nights, 2)
            world._charge(total, f"hotel {hotel_id}")
            booking = Booking(world._new_id("B"), "hotel", hotel_id, total)
            world.bookings.append(booking)
            return booking

    def get_balance(account: Account = "checking") -> float:
        """The balance of a bank account.

        Args:
            account: checking or savings.
        """
        with world._lock:
            return world.balances[account]

    def transfer(from_account: Account, to_account: Account,
                 amount: Annotated[float, Range(gt=0, le=10000)],
                 idempotency_key: str = "") -> Receipt:
        """Move money between accounts; a repeated idempotency key does not move it twice.

        Args:
            from_account: The account to take the money from.
            to_account: The account to put it in.
            amount: How much, more than 0.
            idempotency_key: Names the transfer, so a retry is recognised.
        """
        with world._lock:
            if idempotency_key and idempotency_key in world._by_key:
                return world._by_key[idempotency_key]
            if from_account == to_account:
                raise ValueError("cannot transfer from an account to itself")
            if amount > world.balances[from_account]:
                raise ValueError(f"insufficient funds: {world.balances[from_account]:.2f} in "
                                 f"{from_account}")
            world.balances[from_account] = round(world.balances[from_account] - amount, 2)
            world.balances[to_account] = round(world.balances[to_account] + amount, 2)
            receipt = Receipt(world._new_id("T"), from_account, to_account, amount)
            world.transfers.append(receipt)
            if idempotency_key:
                world._by_key[idempotency_key] = receipt
            return receipt

    def list_events(date: Day) -> list[Event]:
        """The calendar's events on a day, by start time.

        Args:
            date: The day, YYYY-MM-DD.
        """
        with world._lock:
            return sorted((e for e in world.events if e.date == date), key=lambda e: e.start)

    def create_event(title: str, date: Day, start: Clock, end: Clock) -> Event:
        """Add an event to the calendar; it may not overlap another one.

        Args:
            title: What the event is.
            date: The day, YYYY-MM-DD.
            start: Start time, HH:MM.
            end: End time, HH:MM, after the start.
        """
        if end <= start:
            raise ValueError(f"the event ends ({end}) before it starts ({start})")
        with world._lock:
            for other in world.events:
                if other.date == date and start < other.end and other.start < end:
                    raise ValueError(f"{title!r} overlaps {other.title!r} "
                                     f"({other.start}-{other.end})")
            event = Event(world._new_id("E"), title, date, start, end)
            world.events.append(event)
            return event

    tools = ToolSet([
        tool(wrap(search_flights)),
        tool(effect="write")(wrap(book_flight)),
        tool(wrap(search_hotels)),
        tool(effect="write")(wrap(book_hotel)),
        tool(wrap(get_balance)),
        tool(effect="write", idempotency_param="idempotency_key")(wrap(transfer)),
        tool(wrap(list_events)),
        tool(effect="write")(wrap(create_event)),
    ])
    return world, tools


def load_tools(spec: str) -> ToolSet:
    """The tools a command line names: ``demo`` is a fresh demo world's, anything else
    is loaded by :meth:`ToolSet.load` (a .json or .py file, or a module)."""
    if spec == "demo":
        return make_world()[1]
    from ..tools.toolset import ToolSet
    return ToolSet.load(spec)


@functools.lru_cache(maxsize=1)
def _default() -> tuple[World, ToolSet]:
    return make_world()


def __getattr__(name: str) -> Any:
    # ``--tools neurosym.execute.demo_world`` finds TOOLS: one world per process.
    if name == "TOOLS":
        return _default()[1]
    if name == "WORLD":
        return _default()[0]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
