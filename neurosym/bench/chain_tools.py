"""The chaining suite's tools: five domains (travel, files, messaging, finance,
calendars) of plain Python functions with declared results (dataclasses as return
annotations) and parameter docs written like an API reference. Some links between
them are declared with ``ProducedBy``, the others only by a parameter description
naming the producer (:mod:`neurosym.bench.chains`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, Literal as TypingLiteral

from ..errors import BenchmarkError
from ..tools.annotations import Pattern, Range
from ..tools.dataflow import ProducedBy

__all__ = ["DOMAINS", "domain_tools"]

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

