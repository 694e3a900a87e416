"""The chaining suite's requests: forty over the five domains of
:mod:`~neurosym.bench.chain_tools`, in English with some in German, French and
Spanish, each with its intended plan. Even positions are the dev half, odd ones the
test half."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import BenchmarkError, PlanSyntaxError, PlanValidationError
from ..plan.ast import Plan, Ref
from .chain_tools import DOMAINS, domain_tools

__all__ = ["ChainEntry", "ENTRIES", "entries", "validate_entries"]

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


def validate_entries() -> list[str]:
    """Problems with the suite's own data (empty when every plan parses and validates)."""
    from ..graph import validate_plan
    problems = []
    for entry in ENTRIES:
        try:
            validate_plan(entry.intended, entry.tools)
        except (PlanSyntaxError, PlanValidationError) as err:
            problems.append(f"{entry.id}: {err}")
    return problems
