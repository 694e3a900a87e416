"""The chaining suite: requests whose plans feed one call's result into the next call.

Forty requests over five domains (travel, files, messaging, finance, calendars), in
English with some in German, French and Spanish. Each domain has its tools, plain
Python functions with declared results (dataclasses as return annotations) and
parameter docs written like an API reference; each request has its intended plan in
the plan language, 2 to 4 calls joined by references (``r2 = book_flight(flight_id=
r1[0].id, ...)``). Some links are declared with ``ProducedBy``, the others only by a
parameter description naming the producer, so both ways the data flow is read are
measured (``ChainEntry.links`` says which each reference is).

Entries at even positions are the dev half (to tune the harness on), those at odd
positions the test half (to report). Plans are scored over the parsed plan, never its
text (:func:`score`):

- *full sequence*: the plan's calls are the intended calls (any order that the
  references allow), every argument equal and every reference to the same producer
  call and field;
- *reference accuracy*: of the intended references, the share the plan writes in the
  right consumer parameter, to the right producer call, with the right field path;
- *producers present*: the share of plans that make every intended producer call;
- F1 of function names and F1 of arguments (micro-averaged over the half).

The peer is llama-cpp-python's ``chatml-function-calling`` handler with the same GGUF
model, which writes no references: it answers turn by turn, each first tool call run
with the suite's own tool functions and its result shown to it before the next turn
(at most ``PEER_TURNS`` turns). A peer argument equal to a value an earlier call
actually returned counts as a reference to that field.

Writes ``bench/results/chains.json`` and ``chains.md``; each run replaces the rows of
the modes and halves it ran and keeps the others.
"""

from __future__ import annotations

import itertools
import json
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, is_dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal as TypingLiteral, TextIO

from ..errors import BenchmarkError, PlanSyntaxError, PlanValidationError
from ..plan.ast import Call, DictValue, ListValue, Literal, Plan, Ref
from ..tools.annotations import Pattern, Range
from ..tools.dataflow import ProducedBy

__all__ = ["ChainEntry", "ENTRIES", "DOMAINS", "CHAIN_MODES", "PEER_TURNS", "entries",
           "domain_tools", "CallNode", "nodes_of_plan", "EntryScore", "score",
           "summarise", "planner_chain", "peer_chain", "run_chains", "run_all"]

#: The modes the suite answers in: neurosym's planner with its search of width 4
#: (``neurosym.bench.modes.PLANNER_MODES["search4"]``) and the peer.
CHAIN_MODES: tuple[str, ...] = ("search4", "peer")
#: Most turns the peer gets for one request (each turn: one tool call and its result).
PEER_TURNS = 4

Day = Annotated[str, Pattern(r"^\d{4}-\d{2}-\d{2}$")]
Month = Annotated[str, Pattern(r"^\d{4}-\d{2}$")]
Clock = Annotated[str, Pattern(r"^([01]\d|2[0-3]):[0-5]\d$")]
Airport = Annotated[str, Pattern(r"^[A-Z]{3}$")]


def _key(text: str, size: int = 4) -> str:
    """A stable short code of a text, for the made-up ids the tools return."""
    letters = "".join(c for c in text.upper() if c.isalnum())
    return (letters[:size] or "X").ljust(size, "X")


# -- travel ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Flight:
    id: str
    airline: str
    departs: str
    price: float


@dataclass(frozen=True)
class Location:
    id: str
    name: str
    country: str


@dataclass(frozen=True)
class Hotel:
    id: str
    name: str
    price_per_night: float


@dataclass(frozen=True)
class Booking:
    id: str
    status: str
    total: float


def search_flights(origin: Airport, destination: Airport, date: Day) -> list[Flight]:
    """List scheduled flights between two airports on one day, cheapest first.

    Args:
        origin: IATA code of the departure airport, e.g. SFO.
        destination: IATA code of the arrival airport.
        date: Departure day, YYYY-MM-DD.
    """
    return [Flight(f"FL-{origin}{destination}-1", "Aerolinea", f"{date}T08:15", 412.0),
            Flight(f"FL-{origin}{destination}-2", "Skyway", f"{date}T17:40", 455.0)]


def book_flight(flight_id: Annotated[str, ProducedBy("search_flights", "id")],
                passengers: Annotated[int, Range(1, 9)]) -> Booking:
    """Reserve seats on a scheduled flight and charge the card on file.

    Args:
        flight_id: Identifier of the flight to reserve.
        passengers: Number of seats to reserve.
    """
    return Booking(f"BK-{flight_id[-6:]}", "confirmed", 412.0 * passengers)


def find_location(query: str) -> list[Location]:
    """Resolve a place name to location records, best match first.

    Args:
        query: City or area name as the traveller wrote it.
    """
    return [Location(f"LOC-{_key(query)}", query.title(), "XX")]


def search_hotels(location_id: str, checkin: Day) -> list[Hotel]:
    """Hotels with free rooms at a location, best rated first.

    Args:
        location_id: Location identifier as returned by find_location.
        checkin: Arrival day, YYYY-MM-DD.
    """
    return [Hotel(f"HTL-{location_id[-4:]}-1", "Grand Central", 180.0),
            Hotel(f"HTL-{location_id[-4:]}-2", "Riverside Inn", 95.0)]


def book_hotel(hotel_id: str, nights: Annotated[int, Range(1, 30)]) -> Booking:
    """Book a room and charge the card on file.

    Args:
        hotel_id: Hotel identifier from search_hotels.
        nights: Length of the stay in nights.
    """
    return Booking(f"BK-{hotel_id[-6:]}", "confirmed", 180.0 * nights)


# -- files -----------------------------------------------------------------------------

@dataclass(frozen=True)
class FileInfo:
    id: str
    name: str
    folder_id: str
    size_bytes: int


@dataclass(frozen=True)
class Folder:
    id: str
    path: str


@dataclass(frozen=True)
class MoveResult:
    file_id: str
    folder_id: str


@dataclass(frozen=True)
class ShareLink:
    url: str
    role: str


@dataclass(frozen=True)
class Deletion:
    file_id: str
    trashed: bool


def find_files(name: str) -> list[FileInfo]:
    """Search the drive for files by name, most recently modified first.

    Args:
        name: File name or part of it, e.g. report.pdf.
    """
    return [FileInfo(f"F-{_key(name, 6)}", name, "FD-ROOT", 20480)]


def find_folder(path: str) -> Folder:
    """Look a folder up by its absolute path.

    Args:
        path: Absolute folder path, e.g. /projects/2026.
    """
    return Folder(f"FD-{_key(path, 6)}", path)


def move_file(file_id: Annotated[str, ProducedBy("find_files", "id")],
              folder_id: Annotated[str, ProducedBy("find_folder", "id")]) -> MoveResult:
    """Move a file into another folder.

    Args:
        file_id: Identifier of the file to move.
        folder_id: Identifier of the destination folder.
    """
    return MoveResult(file_id, folder_id)


def share_file(file_id: str, email: str,
               role: TypingLiteral["viewer", "editor"] = "viewer") -> ShareLink:
    """Grant a person access to a file and return the sharing link.

    Args:
        file_id: The file's identifier, as listed by find_files.
        email: Email address of the person to share with.
        role: Access level granted.
    """
    return ShareLink(f"https://drive.example/s/{file_id}", role)


def delete_file(file_id: str) -> Deletion:
    """Move a file to the trash.

    Args:
        file_id: Identifier of the file, from find_files.
    """
    return Deletion(file_id, True)


# -- messaging -------------------------------------------------------------------------

@dataclass(frozen=True)
class Channel:
    id: str
    name: str
    members: int


@dataclass(frozen=True)
class Member:
    id: str
    display_name: str
    email: str


@dataclass(frozen=True)
class Message:
    id: str
    channel_id: str
    sent_at: str


@dataclass(frozen=True)
class Pin:
    message_id: str
    pinned: bool


@dataclass(frozen=True)
class Membership:
    channel_id: str
    user_id: str
    added: bool


def find_channel(name: str) -> list[Channel]:
    """Search the workspace's channels by name, closest match first.

    Args:
        name: Channel name without the leading #.
    """
    return [Channel(f"C-{_key(name, 6)}", name.lstrip("#"), 12)]


def find_user(query: str) -> list[Member]:
    """Search workspace members by display name or email, closest match first.

    Args:
        query: Display name or email address.
    """
    return [Member(f"U-{_key(query, 6)}", query, f"{_key(query, 5).lower()}@example.com")]


def send_message(channel_id: Annotated[str, ProducedBy("find_channel", "id")],
                 text: str) -> Message:
    """Post a message to a channel.

    Args:
        channel_id: Identifier of the channel to post in.
        text: Message body, plain text.
    """
    return Message(f"M-{channel_id[-6:]}-1", channel_id, "2026-01-01T09:00:00Z")


def pin_message(message_id: str) -> Pin:
    """Pin a message to the top of its channel.

    Args:
        message_id: Identifier of a message returned by send_message.
    """
    return Pin(message_id, True)


def invite_to_channel(channel_id: Annotated[str, ProducedBy("find_channel", "id")],
                      user_id: str) -> Membership:
    """Add a workspace member to a channel.

    Args:
        channel_id: Identifier of the channel.
        user_id: Member identifier as returned by find_user.
    """
    return Membership(channel_id, user_id, True)


# -- finance ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Account:
    id: str
    nickname: str
    balance: float
    currency: str


@dataclass(frozen=True)
class Transaction:
    id: str
    date: str
    merchant: str
    amount: float


@dataclass(frozen=True)
class Dispute:
    id: str
    status: str


@dataclass(frozen=True)
class TransferReceipt:
    id: str
    status: str
    amount: float


@dataclass(frozen=True)
class Statement:
    account_id: str
    month: str
    url: str


def find_account(name: str) -> Account:
    """Look one of the customer's accounts up by its nickname.

    Args:
        name: The account's nickname, e.g. savings.
    """
    return Account(f"AC-{_key(name, 6)}", name, 1250.0, "EUR")


def list_transactions(account_id: Annotated[str, ProducedBy("find_account", "id")],
                      month: Month) -> list[Transaction]:
    """Transactions booked on an account in a month, oldest first.

    Args:
        account_id: Identifier of the account.
        month: Calendar month, YYYY-MM.
    """
    return [Transaction(f"TX-{account_id[-6:]}-{month[-2:]}1", f"{month}-03", "Cafe Nord",
                        -4.5),
            Transaction(f"TX-{account_id[-6:]}-{month[-2:]}2", f"{month}-09", "Rail Co",
                        -38.0)]


def dispute_transaction(transaction_id: str, reason: str) -> Dispute:
    """Open a dispute about a card transaction.

    Args:
        transaction_id: Identifier of a transaction from list_transactions.
        reason: Why the customer disputes it, in their words.
    """
    return Dispute(f"DS-{transaction_id[-6:]}", "open")


def transfer_funds(from_account_id: Annotated[str, ProducedBy("find_account", "id")],
                   to_account_id: Annotated[str, ProducedBy("find_account", "id")],
                   amount: Annotated[float, Range(gt=0, le=50000)]) -> TransferReceipt:
    """Move money between two of the customer's accounts.

    Args:
        from_account_id: Identifier of the account to debit.
        to_account_id: Identifier of the account to credit.
        amount: Amount in the accounts' currency.
    """
    return TransferReceipt(f"TR-{from_account_id[-3:]}{to_account_id[-3:]}", "done", amount)


def get_statement(account_id: str, month: Month) -> Statement:
    """The monthly statement of an account as a downloadable document.

    Args:
        account_id: Account identifier returned by find_account.
        month: Statement month, YYYY-MM.
    """
    return Statement(account_id, month, f"https://bank.example/st/{account_id}/{month}")


# -- calendars -------------------------------------------------------------------------

@dataclass(frozen=True)
class Contact:
    id: str
    name: str
    email: str


@dataclass(frozen=True)
class CalendarEvent:
    id: str
    title: str
    date: str
    start: str


@dataclass(frozen=True)
class Invitation:
    event_id: str
    contact_id: str
    status: str


@dataclass(frozen=True)
class Room:
    id: str
    name: str
    capacity: int


@dataclass(frozen=True)
class RoomBooking:
    room_id: str
    event_id: str
    status: str


def find_contact(name: str) -> list[Contact]:
    """Search the address book by name, closest match first.

    Args:
        name: Full or partial name of the person.
    """
    return [Contact(f"CT-{_key(name, 6)}", name, f"{_key(name, 5).lower()}@example.org")]


def create_event(title: str, date: Day, start: Clock) -> CalendarEvent:
    """Add an event to the user's calendar.

    Args:
        title: Event title as shown in the calendar.
        date: Day of the event, YYYY-MM-DD.
        start: Start time, HH:MM, 24-hour clock.
    """
    return CalendarEvent(f"EV-{_key(title, 5)}{date[-2:]}", title, date, start)


def invite_to_event(event_id: Annotated[str, ProducedBy("create_event", "id")],
                    contact_id: str) -> Invitation:
    """Send a calendar invitation for an event to a contact.

    Args:
        event_id: Identifier of the event.
        contact_id: Contact identifier as returned by find_contact.
    """
    return Invitation(event_id, contact_id, "sent")


def find_room(capacity: Annotated[int, Range(1, 200)], date: Day) -> list[Room]:
    """Meeting rooms free on a day with at least the given capacity, smallest first.

    Args:
        capacity: Number of seats needed.
        date: Day, YYYY-MM-DD.
    """
    return [Room(f"RM-{capacity:03d}A", "Atlas", capacity + 2),
            Room(f"RM-{capacity:03d}B", "Borealis", capacity + 6)]


def book_room(room_id: str,
              event_id: Annotated[str, ProducedBy("create_event", "id")]) -> RoomBooking:
    """Reserve a meeting room for an event.

    Args:
        room_id: Room identifier from find_room.
        event_id: Identifier of the event the room is for.
    """
    return RoomBooking(room_id, event_id, "reserved")


#: Each domain's tools: (function, effect).
_DOMAIN_FUNCTIONS: Mapping[str, tuple[tuple[Any, str], ...]] = {
    "travel": ((search_flights, "read"), (book_flight, "write"), (find_location, "read"),
               (search_hotels, "read"), (book_hotel, "write")),
    "files": ((find_files, "read"), (find_folder, "read"), (move_file, "write"),
              (share_file, "write"), (delete_file, "write")),
    "messaging": ((find_channel, "read"), (find_user, "read"), (send_message, "write"),
                  (pin_message, "write"), (invite_to_channel, "write")),
    "finance": ((find_account, "read"), (list_transactions, "read"),
                (dispute_transaction, "write"), (transfer_funds, "write"),
                (get_statement, "read")),
    "calendars": ((find_contact, "read"), (create_event, "write"), (invite_to_event, "write"),
                  (find_room, "read"), (book_room, "write")),
}
DOMAINS: tuple[str, ...] = tuple(_DOMAIN_FUNCTIONS)


@lru_cache(maxsize=None)
def domain_tools(domain: str) -> Any:
    """The ``ToolSet`` of a domain (its tools run the module's functions)."""
    from ..tools import ToolSet, tool
    if domain not in _DOMAIN_FUNCTIONS:
        raise BenchmarkError(f"no chaining domain {domain!r}",
                             hint="choose one of: " + ", ".join(DOMAINS))
    return ToolSet(tool(effect=effect)(function)  # type: ignore[call-overload]
                   for function, effect in _DOMAIN_FUNCTIONS[domain])


# -- the requests ------------------------------------------------------------------------

@dataclass(frozen=True)
class ChainEntry:
    """One request of the suite, its domain and language, and its intended plan."""

    id: str
    domain: str
    language: str
    request: str
    plan: str
    index: int = 0

    @property
    def half(self) -> str:
        return "dev" if self.index % 2 == 0 else "test"

    @property
    def intended(self) -> Plan:
        from ..plan import parse_plan
        return parse_plan(self.plan)

    @property
    def tools(self) -> Any:
        return domain_tools(self.domain)

    def links(self) -> list[tuple[str, str, str]]:
        """Each intended reference as (consumer tool, parameter, how the link is
        known): ``declared`` (``ProducedBy``) or ``described`` (the description)."""
        out = []
        for call in self.intended.calls:
            tool = self.tools[call.tool]
            for name, value in call.args:
                if isinstance(value, Ref):
                    param = next(p for p in tool.params if p.name == name)
                    out.append((call.tool, name,
                                "declared" if param.produced_by else "described"))
        return out


_RAW: tuple[tuple[str, str, str, str], ...] = (
    # travel
    ("travel", "en", "Find flights from SFO to CDG on 2026-12-01 and book the cheapest one "
     "for 2 passengers.",
     'r1 = search_flights(origin="SFO", destination="CDG", date="2026-12-01")\n'
     'r2 = book_flight(flight_id=r1[0].id, passengers=2)'),
    ("travel", "en", "I need a seat on the first JFK to LHR flight listed for 2026-12-02, "
     "just for me.",
     'r1 = search_flights(origin="JFK", destination="LHR", date="2026-12-02")\n'
     'r2 = book_flight(flight_id=r1[0].id, passengers=1)'),
    ("travel", "de", "Such mir Hotels in Lissabon mit Anreise am 2026-05-10.",
     'r1 = find_location(query="Lissabon")\n'
     'r2 = search_hotels(location_id=r1[0].id, checkin="2026-05-10")'),
    ("travel", "en", "Look up Rome, pick the top hotel for a 2026-06-03 check-in and book "
     "it for 3 nights.",
     'r1 = find_location(query="Rome")\n'
     'r2 = search_hotels(location_id=r1[0].id, checkin="2026-06-03")\n'
     'r3 = book_hotel(hotel_id=r2[0].id, nights=3)'),
    ("travel", "es", "Busca hoteles en Madrid para el 2026-09-20 y reserva el primero por "
     "2 noches.",
     'r1 = find_location(query="Madrid")\n'
     'r2 = search_hotels(location_id=r1[0].id, checkin="2026-09-20")\n'
     'r3 = book_hotel(hotel_id=r2[0].id, nights=2)'),
    ("travel", "fr", "Trouve un vol de CDG à JFK le 2026-07-14 et réserve-le pour 3 "
     "personnes.",
     'r1 = search_flights(origin="CDG", destination="JFK", date="2026-07-14")\n'
     'r2 = book_flight(flight_id=r1[0].id, passengers=3)'),
    ("travel", "en", "Book 2 seats on the cheapest SFO to CDG flight on 2026-12-01, then "
     "find hotels in Paris checking in that day.",
     'r1 = search_flights(origin="SFO", destination="CDG", date="2026-12-01")\n'
     'r2 = book_flight(flight_id=r1[0].id, passengers=2)\n'
     'r3 = find_location(query="Paris")\n'
     'r4 = search_hotels(location_id=r3[0].id, checkin="2026-12-01")'),
    ("travel", "en", "What hotels are there in Berlin for check-in on 2026-10-02?",
     'r1 = find_location(query="Berlin")\n'
     'r2 = search_hotels(location_id=r1[0].id, checkin="2026-10-02")'),
    # files
    ("files", "en", "Move report.pdf into the /archive/2025 folder.",
     'r1 = find_files(name="report.pdf")\nr2 = find_folder(path="/archive/2025")\n'
     'r3 = move_file(file_id=r1[0].id, folder_id=r2.id)'),
    ("files", "en", "Share budget.xlsx with ana@example.com as an editor.",
     'r1 = find_files(name="budget.xlsx")\n'
     'r2 = share_file(file_id=r1[0].id, email="ana@example.com", role="editor")'),
    ("files", "de", "Verschiebe die Datei notes.txt in den Ordner /team/shared.",
     'r1 = find_files(name="notes.txt")\nr2 = find_folder(path="/team/shared")\n'
     'r3 = move_file(file_id=r1[0].id, folder_id=r2.id)'),
    ("files", "en", "Delete the file called old_draft.docx.",
     'r1 = find_files(name="old_draft.docx")\nr2 = delete_file(file_id=r1[0].id)'),
    ("files", "en", "Find logo.png, move it to /design/assets and share it with "
     "kim@example.com.",
     'r1 = find_files(name="logo.png")\nr2 = find_folder(path="/design/assets")\n'
     'r3 = move_file(file_id=r1[0].id, folder_id=r2.id)\n'
     'r4 = share_file(file_id=r1[0].id, email="kim@example.com")'),
    ("files", "fr", "Partage le fichier plan.pdf avec luc@example.fr.",
     'r1 = find_files(name="plan.pdf")\n'
     'r2 = share_file(file_id=r1[0].id, email="luc@example.fr")'),
    ("files", "en", "Give bob@example.com view access to roadmap.md.",
     'r1 = find_files(name="roadmap.md")\n'
     'r2 = share_file(file_id=r1[0].id, email="bob@example.com")'),
    ("files", "es", "Elimina el archivo copia.zip.",
     'r1 = find_files(name="copia.zip")\nr2 = delete_file(file_id=r1[0].id)'),
    # messaging
    ("messaging", "en", "Post 'Deploy finished' in the releases channel.",
     'r1 = find_channel(name="releases")\n'
     'r2 = send_message(channel_id=r1[0].id, text="Deploy finished")'),
    ("messaging", "en", "Add Maria Lopez to the design channel.",
     'r1 = find_user(query="Maria Lopez")\nr2 = find_channel(name="design")\n'
     'r3 = invite_to_channel(channel_id=r2[0].id, user_id=r1[0].id)'),
    ("messaging", "de", "Schreib 'Guten Morgen' in den Kanal general und pinne die "
     "Nachricht an.",
     'r1 = find_channel(name="general")\n'
     'r2 = send_message(channel_id=r1[0].id, text="Guten Morgen")\n'
     'r3 = pin_message(message_id=r2.id)'),
    ("messaging", "en", "Send 'Lunch at noon?' to the random channel.",
     'r1 = find_channel(name="random")\n'
     'r2 = send_message(channel_id=r1[0].id, text="Lunch at noon?")'),
    ("messaging", "en", "Tell the oncall channel 'Pager rotation updated' and pin it.",
     'r1 = find_channel(name="oncall")\n'
     'r2 = send_message(channel_id=r1[0].id, text="Pager rotation updated")\n'
     'r3 = pin_message(message_id=r2.id)'),
    ("messaging", "fr", "Ajoute Paul Martin au canal support.",
     'r1 = find_user(query="Paul Martin")\nr2 = find_channel(name="support")\n'
     'r3 = invite_to_channel(channel_id=r2[0].id, user_id=r1[0].id)'),
    ("messaging", "es", "Envía 'Reunión cancelada' al canal equipo.",
     'r1 = find_channel(name="equipo")\n'
     'r2 = send_message(channel_id=r1[0].id, text="Reunión cancelada")'),
    ("messaging", "en", "Invite Priya Shah to the launch channel and post 'Welcome Priya' "
     "there.",
     'r1 = find_user(query="Priya Shah")\nr2 = find_channel(name="launch")\n'
     'r3 = invite_to_channel(channel_id=r2[0].id, user_id=r1[0].id)\n'
     'r4 = send_message(channel_id=r2[0].id, text="Welcome Priya")'),
    # finance
    ("finance", "en", "Show the transactions on my travel account for 2026-03.",
     'r1 = find_account(name="travel")\n'
     'r2 = list_transactions(account_id=r1.id, month="2026-03")'),
    ("finance", "en", "Move 250 from savings to checking.",
     'r1 = find_account(name="savings")\nr2 = find_account(name="checking")\n'
     'r3 = transfer_funds(from_account_id=r1.id, to_account_id=r2.id, amount=250)'),
    ("finance", "de", "Zeig mir die Umsätze des Kontos Haushalt für 2026-02.",
     'r1 = find_account(name="Haushalt")\n'
     'r2 = list_transactions(account_id=r1.id, month="2026-02")'),
    ("finance", "en", "Dispute the first transaction on my joint account in 2026-04 as "
     "'not recognised'.",
     'r1 = find_account(name="joint")\n'
     'r2 = list_transactions(account_id=r1.id, month="2026-04")\n'
     'r3 = dispute_transaction(transaction_id=r2[0].id, reason="not recognised")'),
    ("finance", "en", "Get the 2026-01 statement for the business account.",
     'r1 = find_account(name="business")\n'
     'r2 = get_statement(account_id=r1.id, month="2026-01")'),
    ("finance", "fr", "Vire 100 du compte epargne vers le compte courant.",
     'r1 = find_account(name="epargne")\nr2 = find_account(name="courant")\n'
     'r3 = transfer_funds(from_account_id=r1.id, to_account_id=r2.id, amount=100)'),
    ("finance", "en", "Send 40 from checking to the holiday account.",
     'r1 = find_account(name="checking")\nr2 = find_account(name="holiday")\n'
     'r3 = transfer_funds(from_account_id=r1.id, to_account_id=r2.id, amount=40)'),
    ("finance", "es", "Reclama el primer movimiento de la cuenta viajes en 2026-05 por "
     "'cargo duplicado'.",
     'r1 = find_account(name="viajes")\n'
     'r2 = list_transactions(account_id=r1.id, month="2026-05")\n'
     'r3 = dispute_transaction(transaction_id=r2[0].id, reason="cargo duplicado")'),
    # calendars
    ("calendars", "en", "Set up 'Design review' on 2026-11-03 at 14:00 and invite Omar "
     "Haddad.",
     'r1 = find_contact(name="Omar Haddad")\n'
     'r2 = create_event(title="Design review", date="2026-11-03", start="14:00")\n'
     'r3 = invite_to_event(event_id=r2.id, contact_id=r1[0].id)'),
    ("calendars", "en", "Find a room for 8 people on 2026-11-04 and book it for the "
     "'Quarterly planning' meeting at 10:00.",
     'r1 = find_room(capacity=8, date="2026-11-04")\n'
     'r2 = create_event(title="Quarterly planning", date="2026-11-04", start="10:00")\n'
     'r3 = book_room(room_id=r1[0].id, event_id=r2.id)'),
    ("calendars", "en", "Create 'Coffee chat' on 2026-11-20 at 16:00 and invite Lena Park.",
     'r1 = find_contact(name="Lena Park")\n'
     'r2 = create_event(title="Coffee chat", date="2026-11-20", start="16:00")\n'
     'r3 = invite_to_event(event_id=r2.id, contact_id=r1[0].id)'),
    ("calendars", "de", "Lege am 2026-12-10 um 09:30 'Budgetrunde' an und lade Jonas Weber "
     "ein.",
     'r1 = find_contact(name="Jonas Weber")\n'
     'r2 = create_event(title="Budgetrunde", date="2026-12-10", start="09:30")\n'
     'r3 = invite_to_event(event_id=r2.id, contact_id=r1[0].id)'),
    ("calendars", "en", "Schedule 'Offsite prep' on 2026-09-09 at 13:00 in a room for 12.",
     'r1 = find_room(capacity=12, date="2026-09-09")\n'
     'r2 = create_event(title="Offsite prep", date="2026-09-09", start="13:00")\n'
     'r3 = book_room(room_id=r1[0].id, event_id=r2.id)'),
    ("calendars", "fr", "Crée 'Point projet' le 2026-10-15 à 11:00 et invite Claire Dubois.",
     'r1 = find_contact(name="Claire Dubois")\n'
     'r2 = create_event(title="Point projet", date="2026-10-15", start="11:00")\n'
     'r3 = invite_to_event(event_id=r2.id, contact_id=r1[0].id)'),
    ("calendars", "es", "Crea 'Revisión de ventas' el 2026-08-18 a las 15:00 e invita a "
     "Diego Ruiz.",
     'r1 = find_contact(name="Diego Ruiz")\n'
     'r2 = create_event(title="Revisión de ventas", date="2026-08-18", start="15:00")\n'
     'r3 = invite_to_event(event_id=r2.id, contact_id=r1[0].id)'),
    ("calendars", "en", "Put 'Hiring sync' on 2026-07-07 at 12:00 in the calendar with Ana "
     "Costa invited.",
     'r1 = find_contact(name="Ana Costa")\n'
     'r2 = create_event(title="Hiring sync", date="2026-07-07", start="12:00")\n'
     'r3 = invite_to_event(event_id=r2.id, contact_id=r1[0].id)'),
)

ENTRIES: tuple[ChainEntry, ...] = tuple(
    ChainEntry(f"chain_{i:02d}_{domain}", domain, language, request, plan, i)
    for i, (domain, language, request, plan) in enumerate(_RAW))


def entries(half: str = "both", limit: int | None = None) -> list[ChainEntry]:
    """The entries of a half (``dev``: even positions, ``test``: odd, ``both``), taken
    from each domain in turn, the first ``limit`` of them."""
    if half not in ("dev", "test", "both"):
        raise BenchmarkError(f"no half {half!r} of the chaining suite",
                             hint="choose dev, test or both")
    chosen = [e for e in ENTRIES if half == "both" or e.half == half]
    # Domain by domain in turn, so that the first few entries cover every domain.
    rank: dict[str, int] = {}
    order = []
    for entry in chosen:
        order.append((rank.get(entry.domain, 0), DOMAINS.index(entry.domain), entry))
        rank[entry.domain] = rank.get(entry.domain, 0) + 1
    chosen = [entry for *_, entry in sorted(order, key=lambda t: t[:2])]
    return chosen[:limit] if limit is not None else chosen


# -- scoring -----------------------------------------------------------------------------

#: One way to read an argument: ("lit", plain value) or ("ref", producer call, path).
Reading = tuple[Any, ...]


@dataclass(frozen=True)
class CallNode:
    """A call as the scorer sees it: its tool and, per argument, the readings it
    admits (a planner's value has one; a peer's value may also be a returned field)."""

    tool: str
    args: Mapping[str, tuple[Reading, ...]]


def _plain(value: Any) -> Any:
    """A value made comparable: text case-folded and trimmed, numbers as floats."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        return value.strip().casefold()
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _plain(v)) for k, v in value.items()))
    return repr(value)


def _literal_value(value: Any) -> Any:
    if isinstance(value, Literal):
        return value.value
    if isinstance(value, ListValue):
        return [_literal_value(v) for v in value.items]
    if isinstance(value, DictValue):
        return {k: _literal_value(v) for k, v in value.items}
    raise TypeError


def _defaults(tools: Any) -> dict[str, dict[str, Any]]:
    if tools is None:
        return {}
    return {t.name: {p.name: _plain(p.default) for p in t.params if not p.required}
            for t in tools}


def _drop_defaults(tool: str, args: dict[str, tuple[Reading, ...]],
                   defaults: Mapping[str, Mapping[str, Any]]) -> dict[str, tuple[Reading, ...]]:
    """Arguments without those that only restate the tool's default (writing
    ``role="viewer"`` where it is the default changes nothing the call does)."""
    own = defaults.get(tool, {})
    return {name: readings for name, readings in args.items()
            if not (name in own and readings[0] == ("lit", own[name]))}


def nodes_of_plan(plan: Plan, tools: Any = None) -> list[CallNode]:
    """A parsed plan's calls as scorer nodes; a reference names the producing step by
    its position. Arguments equal to the tool's default are left out."""
    defaults = _defaults(tools)
    bound: dict[str, int] = {}
    nodes = []
    for position, step in enumerate(plan.steps):
        args: dict[str, tuple[Reading, ...]] = {}
        for name, value in step.call.args:
            args[name] = (_reading(value, bound),)
        nodes.append(CallNode(step.call.tool, _drop_defaults(step.call.tool, args, defaults)))
        if step.bind:
            bound[step.bind] = position
    return nodes


def _reading(value: Any, bound: Mapping[str, int]) -> Reading:
    if isinstance(value, Ref):
        return ("ref", bound.get(value.name, -1), value.path)
    if isinstance(value, Call):
        return ("call", value.tool)
    try:
        return ("lit", _plain(_literal_value(value)))
    except TypeError:
        return ("other", repr(value))


@dataclass(frozen=True)
class EntryScore:
    """How one plan compares with its entry's intended plan."""

    full: bool
    refs_right: int
    refs_total: int
    producers_present: bool
    #: Each intended reference (in the intended plan's order): written right or not.
    ref_hits: tuple[bool, ...] = ()
    names: tuple[int, int, int] = (0, 0, 0)  # true and false positives, false negatives
    arguments: tuple[int, int, int] = (0, 0, 0)


def _equal(want: Reading, got: tuple[Reading, ...], mapping: Mapping[int, int]) -> bool:
    for reading in got:
        if want[0] == "ref":
            if (reading[0] == "ref" and mapping.get(want[1]) == reading[1]
                    and tuple(reading[2]) == tuple(want[2])):
                return True
        elif reading == want:
            return True
    return False


def _pair_score(want: CallNode, got: CallNode, mapping: Mapping[int, int]) -> int:
    return 1 + sum(1 for name, readings in want.args.items()
                   if name in got.args and _equal(readings[0], got.args[name], mapping))


def _mappings(intended: Sequence[CallNode], answered: Sequence[CallNode]
              ) -> Iterator[dict[int, int]]:
    """Every one-to-one map from intended calls to answered calls of the same tool
    (an intended call may stay unmapped)."""
    options = [[None, *(j for j, node in enumerate(answered) if node.tool == want.tool)]
               for want in intended]
    for choice in itertools.product(*options):
        taken = [j for j in choice if j is not None]
        if len(taken) == len(set(taken)):
            yield {i: j for i, j in enumerate(choice) if j is not None}


def _best_mapping(intended: Sequence[CallNode], answered: Sequence[CallNode]
                  ) -> dict[int, int]:
    best: dict[int, int] = {}
    best_score = -1
    for mapping in _mappings(intended, answered):
        total = sum(_pair_score(intended[i], answered[j], mapping) for i, j in mapping.items())
        if total > best_score:
            best, best_score = mapping, total
    return best


def _argument_items(nodes: Sequence[CallNode], intended: Sequence[CallNode] | None = None
                    ) -> Counter[tuple[Any, ...]]:
    """The arguments as (tool, parameter, value) items, a reference's value being its
    producer's tool and the field path. For answered nodes, a value with several
    readings counts as the one the intended calls hold, if any holds it."""
    wanted: set[tuple[Any, ...]] = set(_argument_items(intended)) if intended else set()
    items: Counter[tuple[Any, ...]] = Counter()
    for node in nodes:
        for name, readings in node.args.items():
            keyed = [_item(node.tool, name, r, nodes) for r in readings]
            items[next((k for k in keyed if k in wanted), keyed[0])] += 1
    return items


def _item(tool: str, name: str, reading: Reading, nodes: Sequence[CallNode]
          ) -> tuple[Any, ...]:
    if reading[0] == "ref":
        producer = nodes[reading[1]].tool if 0 <= reading[1] < len(nodes) else "?"
        return (tool, name, "ref", producer, tuple(reading[2]))
    return (tool, name, *reading)


def _counts(want: Counter[Any], got: Counter[Any]) -> tuple[int, int, int]:
    hit = sum((want & got).values())
    return hit, sum(got.values()) - hit, sum(want.values()) - hit


def score(intended: Sequence[CallNode], answered: Sequence[CallNode]) -> EntryScore:
    """Score answered calls against the intended ones (see the module's measures).

    The intended and answered calls are paired one to one by tool so as to agree on
    the most arguments; references are judged under that pairing.
    """
    mapping = _best_mapping(intended, answered)
    refs = [(i, name, readings[0]) for i, node in enumerate(intended)
            for name, readings in node.args.items() if readings[0][0] == "ref"]
    hits = tuple(i in mapping and name in answered[mapping[i]].args
                 and _equal(want, answered[mapping[i]].args[name], mapping)
                 for i, name, want in refs)
    producers = {reading[1] for _, _, reading in refs}
    full = (len(mapping) == len(intended) == len(answered)
            and all(set(intended[i].args) == set(answered[j].args)
                    and all(_equal(r[0], answered[j].args[name], mapping)
                            for name, r in intended[i].args.items())
                    for i, j in mapping.items()))
    names = _counts(Counter(n.tool for n in intended), Counter(n.tool for n in answered))
    arguments = _counts(_argument_items(intended), _argument_items(answered, intended))
    return EntryScore(full, sum(hits), len(refs), producers <= set(mapping), hits, names,
                      arguments)


def _f1(counts: Iterable[tuple[int, int, int]]) -> float:
    tp = fp = fn = 0
    for a, b, c in counts:
        tp, fp, fn = tp + a, fp + b, fn + c
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def summarise(scores: Sequence[EntryScore]) -> dict[str, Any]:
    """The half's measures from its entries' scores."""
    n = len(scores)
    refs_total = sum(s.refs_total for s in scores)
    return {
        "n": n,
        "full_sequence": sum(s.full for s in scores) / n if n else 0.0,
        "reference_accuracy": (sum(s.refs_right for s in scores) / refs_total
                               if refs_total else 0.0),
        "producers_present": sum(s.producers_present for s in scores) / n if n else 0.0,
        "name_f1": _f1(s.names for s in scores),
        "argument_f1": _f1(s.arguments for s in scores),
        "references": refs_total,
    }


# -- answering ---------------------------------------------------------------------------

@dataclass
class Answered:
    """What a mode made of one entry: its calls, its text, the time and any note."""

    nodes: list[CallNode]
    text: str
    seconds: float
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def planner_chain(entry: ChainEntry, model: Any) -> Answered:
    """neurosym's planner in the ``search4`` mode on one entry (its domain's tools)."""
    from ..planner import Planner
    from .modes import PLANNER_MODES
    start = time.perf_counter()
    planner = Planner(tools=entry.tools, model=model, **PLANNER_MODES["search4"])
    result = planner.plan(entry.request)
    seconds = time.perf_counter() - start
    extra = {"verdict": str(result.verdict),
             "stop": str(result.search.stop) if result.search is not None else ""}
    if result.plan is None:
        why = result.explanation or "the planner returned no plan"
        partial = f" (partial: {result.text.strip()!r})" if result.text.strip() else ""
        return Answered([], "", seconds, f"no plan: {why}{partial}"[:400], extra=extra)
    return Answered(nodes_of_plan(result.plan, entry.tools), result.plan.text, seconds,
                    extra=extra)


def _jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def _fields(value: Any, path: tuple[str | int, ...] = (), depth: int = 4
            ) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every scalar inside a returned value with its path (``(0, "id")``)."""
    if isinstance(value, dict):
        if depth:
            for key, item in value.items():
                yield from _fields(item, (*path, str(key)), depth - 1)
    elif isinstance(value, list):
        if depth:
            for index, item in enumerate(value):
                yield from _fields(item, (*path, index), depth - 1)
    elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
        yield path, value


def _peer_readings(value: Any, results: Sequence[Any]) -> tuple[Reading, ...]:
    """A peer's argument read as its literal and as every earlier returned field that
    holds the same value."""
    readings: list[Reading] = [("lit", _plain(value))]
    if isinstance(value, bool) or not isinstance(value, (str, int, float)) or value == "":
        return tuple(readings)
    for position, result in enumerate(results):
        for path, held in _fields(result):
            if _plain(held) == _plain(value) and not isinstance(held, bool):
                readings.append(("ref", position, path))
    return tuple(readings)


def _peer_tools(value: Any) -> Any:
    """The OpenAI tools with ``\\d`` written ``[0-9]`` in patterns: the same language,
    in the form llama.cpp's JSON Schema to grammar converter reads (it refuses ``\\d``)."""
    if isinstance(value, dict):
        return {k: (v.replace("\\d", "[0-9]") if k == "pattern" and isinstance(v, str)
                    else _peer_tools(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_peer_tools(v) for v in value]
    return value


def _flat_text(value: Any) -> str:
    """A returned value written without quote characters (``id: FL-1, price: 412.0``;
    list items as ``[0] ...``)."""
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_flat_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return " ".join(f"[{i}] {_flat_text(v)}" for i, v in enumerate(value)) or "(empty)"
    return str(value)


def _call_text(name: str, arguments: Mapping[str, Any]) -> str:
    return f"{name}(" + ", ".join(f"{k}={_flat_text(v)}" for k, v in arguments.items()) + ")"


_PEER_SYSTEM = ("You are a helpful assistant. Call the functions below to carry out the "
                "request of the user, one call at a time, using the results of earlier "
                "calls; answer with a message when it is done.")


def peer_chain(entry: ChainEntry, llm: Any) -> Answered:
    """The peer on one entry, turn by turn: each turn its first tool call is run with the
    suite's tool function and the result shown to it; at most ``PEER_TURNS`` turns.

    ``chatml-function-calling`` renders its chat template with HTML escaping, so a
    quote in any message reaches the model as ``&#34;`` (and the handler writes no text
    at all for a ``tool`` message). The calls made so far and their results therefore go
    back in one user message after the request, written without quote characters. The
    loop ends when the peer answers with text, writes unreadable arguments, or repeats
    an earlier call exactly (the repeat is not counted).
    """
    from .modes import PEER_MAX_TOKENS, _chat
    tools = entry.tools
    shown = _peer_tools(tools.to_openai())
    calls: list[tuple[str, dict[str, Any]]] = []
    results: list[Any] = []
    transcript: list[str] = []
    note = ""
    start = time.perf_counter()
    for turn in range(PEER_TURNS):
        messages: list[dict[str, Any]] = [{"role": "system", "content": _PEER_SYSTEM},
                                          {"role": "user", "content": entry.request}]
        if calls:
            done = "\n".join(f"{i + 1}. {_call_text(name, args)} returned: "
                              f"{_flat_text(result)}"
                              for i, ((name, args), result) in enumerate(zip(calls, results)))
            messages.append({"role": "user", "content": "Calls made so far:\n" + done
                             + "\nMake the next call, or answer with a message if the "
                               "request is done."})
        response = _chat(llm, messages, tools=shown, tool_choice="auto",
                         max_tokens=PEER_MAX_TOKENS)
        message = response["choices"][0]["message"]
        tool_calls = message.get("tool_calls") or []
        if not tool_calls:
            transcript.append(f"message: {(message.get('content') or '').strip()[:120]}")
            break
        first = tool_calls[0]
        name = first.get("function", {}).get("name", "")
        try:
            # strict=False: a raw line break inside a string is read, not refused.
            arguments = json.loads(first.get("function", {}).get("arguments") or "{}",
                                   strict=False)
        except json.JSONDecodeError as err:
            note = f"turn {turn + 1}: the arguments of {name} are not JSON ({err.msg})"
            break
        if not isinstance(arguments, dict):
            note = f"turn {turn + 1}: the arguments of {name} are not a JSON object"
            break
        if (name, arguments) in calls:
            note = f"turn {turn + 1}: repeated {name} with the same arguments"
            break
        calls.append((name, arguments))
        try:
            output = _jsonable(tools[name](**arguments)) if name in tools.names else {
                "error": f"no function {name}"}
        except Exception as err:  # the peer's arguments may not fit the function
            output = {"error": f"{type(err).__name__}: {err}"}
        results.append(output)
        transcript.append(f"{name}({json.dumps(arguments, ensure_ascii=False)}) -> "
                          f"{json.dumps(output, ensure_ascii=False)[:160]}")
    seconds = time.perf_counter() - start
    defaults = _defaults(tools)
    nodes = []
    for position, (name, arguments) in enumerate(calls):
        args = {key: _peer_readings(value, results[:position])
                for key, value in arguments.items()}
        nodes.append(CallNode(name, _drop_defaults(name, args, defaults)))
    return Answered(nodes, "\n".join(transcript), seconds, note)


# -- running and reporting -------------------------------------------------------------

def _row(entry: ChainEntry, mode: str, answered: Answered) -> dict[str, Any]:
    result = score(nodes_of_plan(entry.intended, entry.tools), answered.nodes)
    return {"id": entry.id, "domain": entry.domain, "language": entry.language,
            "half": entry.half, "mode": mode, "request": entry.request,
            "intended": entry.plan, "answer": answered.text, "note": answered.note,
            "seconds": round(answered.seconds, 2), "calls": len(answered.nodes),
            "links": [kind for _, _, kind in entry.links()],
            **asdict(result), **answered.extra}


def _summary_of(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    scores = [EntryScore(r["full"], r["refs_right"], r["refs_total"], r["producers_present"],
                         tuple(r["ref_hits"]), tuple(r["names"]), tuple(r["arguments"]))
              for r in rows]
    summary = summarise(scores)
    summary["mean_seconds"] = (round(sum(r["seconds"] for r in rows) / len(rows), 2)
                               if rows else 0.0)
    summary["mean_calls"] = (round(sum(r["calls"] for r in rows) / len(rows), 2)
                             if rows else 0.0)
    stops = Counter(r["stop"] for r in rows if r.get("stop"))
    if stops:
        summary["search_stops"] = dict(stops)
    return summary


def run_chains(*, half: str = "test", limit: int | None = None,
               modes: Sequence[str] = CHAIN_MODES, model: str | Path | None = None,
               out_dir: str | Path = "bench/results", out: TextIO | None = None
               ) -> dict[str, Any]:
    """Answer a half's entries (both halves as separate rows) in each mode, score them
    and write the results files; returns the document written."""
    from .modes import _llama, resolve_model
    from .report import environment
    out = out if out is not None else sys.stdout
    unknown = [m for m in modes if m not in CHAIN_MODES]
    if unknown:
        raise BenchmarkError(f"the chaining suite has no mode {unknown[0]!r}",
                             hint="choose from: " + ", ".join(CHAIN_MODES))
    halves = ("dev", "test") if half == "both" else (half,)
    path = resolve_model(model)
    rows: list[dict[str, Any]] = []
    loaded: dict[str, Any] = {}
    env = environment(path).__dict__
    document: dict[str, Any] = {}
    for which in halves:
        chosen = entries(which, limit)
        for mode in modes:
            for entry in chosen:
                if mode == "peer":
                    answered = peer_chain(entry, _llama(path, "peer", None))
                else:
                    if "planner" not in loaded:
                        from ..model import load_model
                        loaded["planner"] = load_model(path)
                    answered = planner_chain(entry, loaded["planner"])
                row = _row(entry, mode, answered)
                rows.append(row)
                out.write(f"chains {which:4} {mode:7} {entry.id:24} "
                          f"{'full' if row['full'] else '    '} refs "
                          f"{row['refs_right']}/{row['refs_total']}  "
                          f"{row['seconds']:.1f}s\n")
                out.flush()
                # Written after every entry, so an interrupted run keeps what it measured.
                document = _write(rows, path, Path(out_dir), limit, env)
    return document


def _write(rows: list[dict[str, Any]], model: Path, directory: Path, limit: int | None,
           env: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``rows`` into ``chains.json`` (replacing the same mode and half) and
    write ``chains.md`` from the merged document."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / "chains.json"
    kept: list[dict[str, Any]] = []
    runs: dict[str, Any] = {}
    if target.is_file():
        try:
            previous = json.loads(target.read_text())
            ran = {(r["mode"], r["half"]) for r in rows}
            kept = [r for r in previous.get("rows", []) if (r["mode"], r["half"]) not in ran]
            runs = dict(previous.get("runs", {}))
        except (json.JSONDecodeError, KeyError, TypeError):
            kept, runs = [], {}
    for key in {(r["mode"], r["half"]) for r in rows}:
        runs[f"{key[0]}/{key[1]}"] = {"limit": limit, "entries": sum(
            1 for r in rows if (r["mode"], r["half"]) == key)}
    merged = kept + rows
    summary = {}
    for mode, which in sorted({(r["mode"], r["half"]) for r in merged}):
        summary[f"{mode}/{which}"] = _summary_of(
            [r for r in merged if (r["mode"], r["half"]) == (mode, which)])
    document = {"suite": "chains", "environment": dict(env), "model": model.name,
                "runs": runs, "summary": summary, "rows": merged}
    target.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    (directory / "chains.md").write_text(_markdown(document))
    return document


def _percent(x: float) -> str:
    return f"{100 * x:.0f}%"


def _markdown(document: Mapping[str, Any]) -> str:
    lines = ["# Chaining suite", "",
             "neurosym's own requests whose plans feed one call's result into the next "
             f"({len(ENTRIES)} requests over {', '.join(DOMAINS)}; some in German, French "
             "and Spanish), dev half at even positions, test half at odd. `search4` is "
             "neurosym's planner (search of width 4); `peer` is llama-cpp-python's "
             "chatml-function-calling with the same model, answering turn by turn with "
             "each call run and its result shown (a peer argument equal to a returned "
             "field counts as the reference). Scored over parsed plans "
             "(`neurosym.bench.chains.score`).", "",
             f"Model: {document.get('model', '?')}.", "",
             "| mode | half | n | full sequence | reference accuracy | producers present "
             "| name F1 | argument F1 | calls/plan | s/request |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for key, s in document["summary"].items():
        mode, which = key.split("/")
        limit = document.get("runs", {}).get(key, {}).get("limit")
        shown = f"{s['n']}" + (f" (--limit {limit})" if limit else "")
        lines.append(f"| {mode} | {which} | {shown} | {_percent(s['full_sequence'])} | "
                     f"{_percent(s['reference_accuracy'])} of {s['references']} | "
                     f"{_percent(s['producers_present'])} | {s['name_f1']:.2f} | "
                     f"{s['argument_f1']:.2f} | {s['mean_calls']:.1f} | "
                     f"{s['mean_seconds']:.1f} |")
    stops = {key: s["search_stops"] for key, s in document["summary"].items()
             if s.get("search_stops")}
    if stops:
        lines += ["", "Why each search ended (its stop reason; `time` is the planner's "
                      "default `max_seconds` of wall-clock time, so a loaded machine "
                      "ends more searches early): " + "; ".join(
                          f"{key}: " + ", ".join(f"{n} {why}" for why, n in sorted(s.items()))
                          for key, s in stops.items()) + "."]
    lines += ["", "## Reference accuracy by how the link is known", "",
              "| mode | half | declared (ProducedBy) | described (parameter doc) |",
              "|---|---|---|---|"]
    rows = document["rows"]
    for key in document["summary"]:
        mode, which = key.split("/")
        own = [r for r in rows if (r["mode"], r["half"]) == (mode, which)]
        cells = []
        for kind in ("declared", "described"):
            marks = [hit for r in own for hit, link in zip(r["ref_hits"], r["links"])
                     if link == kind]
            cells.append(f"{sum(marks)}/{len(marks)}"
                         + (f" ({_percent(sum(marks) / len(marks))})" if marks else ""))
        lines.append(f"| {mode} | {which} | {cells[0]} | {cells[1]} |")
    lines += ["", "## Entries", "", "| id | mode | half | full | refs | answer |",
              "|---|---|---|---|---|---|"]
    for r in rows:
        # The peer's lines are "call -> result": the table shows the calls.
        shown = "; ".join(line.split(" -> ")[0] for line in r["answer"].splitlines())
        answer = (shown or r["note"] or "—").replace("|", "\\|")
        lines.append(f"| {r['id']} | {r['mode']} | {r['half']} | "
                     f"{'yes' if r['full'] else 'no'} | {r['refs_right']}/{r['refs_total']} | "
                     f"`{answer[:220]}` |")
    return "\n".join(lines) + "\n"


def run_all(out_dir: str | Path = "bench/results", *, model: Any = None,
            questions: int | None = None) -> dict[str, Any]:
    """``neurosym bench all``'s run: the test half in both modes (``questions`` entries
    at most)."""
    return run_chains(half="test", limit=questions, model=model, out_dir=out_dir)


def _validate_entries() -> list[str]:
    """Problems with the suite's own data (empty when every plan parses and validates)."""
    from ..graph import validate_plan
    problems = []
    for entry in ENTRIES:
        try:
            validate_plan(entry.intended, entry.tools)
        except (PlanSyntaxError, PlanValidationError) as err:
            problems.append(f"{entry.id}: {err}")
    return problems
