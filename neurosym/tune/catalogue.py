"""The synthetic tool catalogue the tuning recipe writes its requests over.

Every tool here is made up for training: its name, its parameters and the values its
requests use are none of a benchmark's (``tests/tune`` checks that against every BFCL
question, answer and function name). Each :class:`Intent` says how a request for one
tool is phrased in English, German, French and Spanish, and where each value comes from:
a :class:`Slot` gives the values a plan holds and, for values a language says in its own
words (an enum's member, a number written out), how each language says them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..tools.tool import Param, Tool

__all__ = ["LANGUAGES", "Slot", "Intent", "Chain", "TOOLS", "INTENTS", "CHAINS", "DOMAINS",
           "NUMBER_WORDS"]

LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es")


def _s(name: str, doc: str = "", **kw: Any) -> Param:
    return Param(name, "string", doc, **kw)


def _i(name: str, low: int | None = None, high: int | None = None, doc: str = "",
       **kw: Any) -> Param:
    return Param(name, "integer", doc, minimum=low, maximum=high, **kw)


def _f(name: str, doc: str = "", **kw: Any) -> Param:
    return Param(name, "number", doc, **kw)


def _e(name: str, values: tuple[str, ...], doc: str = "", **kw: Any) -> Param:
    return Param(name, "string", doc, enum=values, **kw)


def _opt(param: Param, default: Any) -> Param:
    return param.with_(required=False, default=default)


def _listing(*fields: str) -> Param:
    """A result that is a list of records with these string fields."""
    return Param("", "array", items=Param("", "object",
                                          properties=tuple(Param(f, "string") for f in fields)))


_ROOMS = ("kitchen", "lounge", "bedroom", "hall", "office")
_LANGS = ("de", "fr", "es", "it", "pt")
_MONEY = ("EUR", "USD", "GBP", "CHF", "SEK")

#: The tools, by domain. Descriptions are a user's, in English, as catalogues are.
DOMAINS: dict[str, tuple[Tool, ...]] = {
    "home": (
        Tool("dim_lamp", "Set the brightness of the lamps in one room.",
             (_e("area", _ROOMS), _i("brightness", 0, 100, "Percent."))),
        Tool("set_heating", "Set the target temperature of a heating zone.",
             (_e("zone", _ROOMS), _f("celsius", minimum=5, maximum=30))),
    ),
    "travel": (
        Tool("find_trains", "List train connections between two stations on a day.",
             (_s("origin"), _s("destination"), Param("day", "string", format="date"))),
        Tool("rent_car", "Rent a car in a city for some days.",
             (_s("city"), _i("days", 1, 30),
              _opt(_e("category", ("compact", "van", "suv")), "compact"))),
        Tool("lookup_hotel", "Find hotels in a city, best rated first.",
             (_s("city"),), returns=_listing("id", "name")),
        Tool("reserve_room", "Reserve a room in a hotel. hotel_id: from lookup_hotel.",
             (_s("hotel_id", produced_by="lookup_hotel:id"), _i("nights", 1, 21),
              _opt(_i("guests", 1, 6), 1)), effect="write"),
    ),
    "messages": (
        Tool("send_sms", "Send a text message to a phone number.",
             (_s("phone"), _s("body"))),
        Tool("post_to_channel", "Post a message in a team chat channel.",
             (_s("channel"), _s("text"))),
        Tool("find_contact", "Look a person up in the address book.",
             (_s("name"),), returns=Param("", "object", properties=(
                 Param("id", "string"), Param("phone", "string")))),
        Tool("ring_contact", "Start a phone call. contact_id: from find_contact.",
             (_s("contact_id", produced_by="find_contact:id"),), effect="write"),
    ),
    "money": (
        Tool("exchange_money", "Convert an amount from one currency into another.",
             (_f("amount"), _e("source", _MONEY), _e("target", _MONEY))),
        Tool("share_price", "The latest price of a share by its ticker symbol.",
             (_s("ticker"),)),
        Tool("settle_bill", "Pay a bill by its reference.",
             (_s("reference"), _f("amount", minimum=0)), effect="write"),
    ),
    "calendar": (
        Tool("add_event", "Put an event in the calendar.",
             (_s("title"), Param("day", "string", format="date"),
              _opt(_s("start"), "09:00"))),
        Tool("list_meetings", "The meetings on a day.",
             (Param("day", "string", format="date"),), returns=_listing("id", "title")),
        Tool("drop_meeting", "Cancel a meeting. meeting_id: from list_meetings.",
             (_s("meeting_id", produced_by="list_meetings:id"),), effect="write"),
    ),
    "files": (
        Tool("rename_path", "Give a file a new name.", (_s("path"), _s("new_name"))),
        Tool("compress_folder", "Make a zip archive of a folder.",
             (_s("folder"), _opt(_i("level", 1, 9), 6))),
        Tool("search_documents", "Find documents whose text matches a query.",
             (_s("query"),), returns=_listing("path", "title")),
        Tool("email_document", "Send a document by email. path: from search_documents.",
             (_s("path", produced_by="search_documents:path"), _s("recipient")),
             effect="write"),
    ),
    "food": (
        Tool("order_pizza", "Order pizzas for delivery.",
             (_e("size", ("small", "medium", "large")), _s("topping"),
              _opt(_i("count", 1, 10), 1)), effect="write"),
        Tool("recipe_ideas", "Suggest recipes for a dish.",
             (_s("dish"), _opt(Param("vegetarian", "boolean"), False))),
    ),
    "language": (
        Tool("translate_phrase", "Translate a text into another language.",
             (_s("text"), _e("language", _LANGS))),
        Tool("count_text_words", "Count the words of a text.", (_s("text"),)),
    ),
    "media": (
        Tool("play_track", "Play a song.", (_s("title"), _opt(_s("artist"), None))),
        Tool("set_speaker_volume", "Set the speaker volume.", (_i("percent", 0, 100),)),
    ),
    "shopping": (
        Tool("track_parcel", "Where a parcel is, by its tracking code.", (_s("code"),)),
        Tool("add_to_basket", "Put a product in the shopping basket.",
             (_s("product"), _opt(_i("quantity", 1, 20), 1))),
    ),
    "fitness": (
        Tool("log_workout", "Record a workout.",
             (_e("activity", ("run", "swim", "cycle", "walk")), _i("minutes", 1, 600))),
    ),
}

TOOLS: dict[str, Tool] = {t.name: t for tools in DOMAINS.values() for t in tools}

#: Numbers a language may write out (the plan holds the digits).
NUMBER_WORDS: dict[str, dict[int, str]] = {
    "en": {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"},
    "de": {1: "eins", 2: "zwei", 3: "drei", 4: "vier", 5: "fünf", 6: "sechs"},
    "fr": {1: "un", 2: "deux", 3: "trois", 4: "quatre", 5: "cinq", 6: "six"},
    "es": {1: "uno", 2: "dos", 3: "tres", 4: "cuatro", 5: "cinco", 6: "seis"},
}


@dataclass(frozen=True)
class Slot:
    """Where one value of a request comes from.

    ``values`` are what the plan holds. ``words``, when set, says how each language
    says each value (an enum member in the request's language); otherwise the value
    appears in the request as written. ``spelled`` lets small whole numbers be written
    out in the request's language.
    """

    values: tuple[Any, ...]
    words: Mapping[str, Mapping[Any, str]] | None = None
    spelled: bool = False

    def said(self, value: Any, language: str, spell: bool) -> str:
        if self.words is not None:
            return self.words[language][value]
        if self.spelled and spell and value in NUMBER_WORDS[language]:
            return NUMBER_WORDS[language][value]
        return str(value)


@dataclass(frozen=True)
class Intent:
    """Requests for one tool: phrasings per language with ``{param}`` holes, the slots
    that fill them, and phrasings that ask for two calls (``{param}`` and ``{param_2}``)."""

    tool: str
    phrasings: Mapping[str, tuple[str, ...]]
    slots: Mapping[str, Slot]
    pairs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Chain:
    """A request that needs a producer's result: ``producer`` is called with the slots it
    takes, and ``consumer`` takes ``link`` (its parameter) from the producer's result by
    ``path`` (``[0].id``), its other values from slots."""

    producer: str
    consumer: str
    link: str
    path: str
    phrasings: Mapping[str, tuple[str, ...]]
    slots: Mapping[str, Slot]


_CITIES = Slot(("Oslo", "Zürich", "Kraków", "Porto", "Valencia", "Graz", "Nantes", "Bergen",
                "Sevilla", "München", "Göteborg", "Bilbao", "Lausanne", "Tallinn"))
_DAYS = Slot(("2027-01-18", "2027-02-03", "2027-03-21", "2027-04-09", "2027-05-30",
              "2027-06-12", "2027-08-05", "2027-09-27"))
_SMALL = Slot((2, 3, 4, 5, 6), spelled=True)
_ROOM_WORDS = {
    "en": {r: r for r in _ROOMS},
    "de": {"kitchen": "Küche", "lounge": "Wohnzimmer", "bedroom": "Schlafzimmer",
           "hall": "Flur", "office": "Arbeitszimmer"},
    "fr": {"kitchen": "cuisine", "lounge": "salon", "bedroom": "chambre",
           "hall": "couloir", "office": "bureau"},
    "es": {"kitchen": "cocina", "lounge": "salón", "bedroom": "dormitorio",
           "hall": "pasillo", "office": "despacho"},
}
_LANG_WORDS = {
    "en": {"de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "pt": "Portuguese"},
    "de": {"de": "Deutsche", "fr": "Französische", "es": "Spanische", "it": "Italienische",
           "pt": "Portugiesische"},
    "fr": {"de": "allemand", "fr": "français", "es": "espagnol", "it": "italien",
           "pt": "portugais"},
    "es": {"de": "alemán", "fr": "francés", "es": "español", "it": "italiano",
           "pt": "portugués"},
}
_ACTIVITY_WORDS = {
    "en": {"run": "run", "swim": "swim", "cycle": "bike ride", "walk": "walk"},
    "de": {"run": "Lauf", "swim": "Schwimmen", "cycle": "Radtour", "walk": "Spaziergang"},
    "fr": {"run": "course", "swim": "natation", "cycle": "sortie à vélo", "walk": "marche"},
    "es": {"run": "carrera", "swim": "natación", "cycle": "paseo en bici", "walk": "caminata"},
}
_SIZE_WORDS = {
    "en": {"small": "small", "medium": "medium", "large": "large"},
    "de": {"small": "kleine", "medium": "mittlere", "large": "große"},
    "fr": {"small": "petite", "medium": "moyenne", "large": "grande"},
    "es": {"small": "pequeña", "medium": "mediana", "large": "grande"},
}
_CAR_WORDS = {
    "en": {"compact": "compact car", "van": "van", "suv": "SUV"},
    "de": {"compact": "Kleinwagen", "van": "Transporter", "suv": "SUV"},
    "fr": {"compact": "citadine", "van": "fourgon", "suv": "SUV"},
    "es": {"compact": "coche compacto", "van": "furgoneta", "suv": "SUV"},
}

INTENTS: tuple[Intent, ...] = (
    Intent("dim_lamp", {
        "en": ("Make the {area} lamps {brightness} percent bright.",
               "Dim the lamps in the {area} to {brightness}%."),
        "de": ("Stell das Licht in der {area} auf {brightness} Prozent.",),
        "fr": ("Règle la lumière du {area} à {brightness} pour cent.",),
        "es": ("Pon las luces de la {area} al {brightness} por ciento.",),
    }, {"area": Slot(_ROOMS, _ROOM_WORDS), "brightness": Slot((10, 25, 30, 45, 60, 75, 90))},
        pairs={"en": ("Dim the {area} lamps to {brightness}%, the {area_2} ones to "
                      "{brightness_2}%.",)}),
    Intent("set_heating", {
        "en": ("Heat the {zone} to {celsius} degrees.",),
        "de": ("Heize das {zone} auf {celsius} Grad.",),
        "fr": ("Chauffe le {zone} à {celsius} degrés.",),
        "es": ("Calienta el {zone} a {celsius} grados.",),
    }, {"zone": Slot(_ROOMS, _ROOM_WORDS), "celsius": Slot((18.5, 19.0, 20.5, 21.0, 22.5))}),
    Intent("find_trains", {
        "en": ("Which trains go from {origin} to {destination} on {day}?",
               "Show me train connections {origin} to {destination}, {day}."),
        "de": ("Welche Züge fahren am {day} von {origin} nach {destination}?",),
        "fr": ("Quels trains vont de {origin} à {destination} le {day} ?",),
        "es": ("¿Qué trenes van de {origin} a {destination} el {day}?",),
    }, {"origin": _CITIES, "destination": _CITIES, "day": _DAYS}),
    Intent("rent_car", {
        "en": ("Rent a car in {city} for {days} days.",
               "I need a {category} in {city} for {days} days."),
        "de": ("Miete ein Auto in {city} für {days} Tage.",
               "Ich brauche einen {category} in {city} für {days} Tage."),
        "fr": ("Loue une voiture à {city} pour {days} jours.",),
        "es": ("Alquila un coche en {city} durante {days} días.",),
    }, {"city": _CITIES, "days": _SMALL, "category": Slot(("compact", "van", "suv"), _CAR_WORDS)},
        pairs={"en": ("Rent a car in {city} for {days} days and one in {city_2} for "
                      "{days_2} days.",)}),
    Intent("send_sms", {
        "en": ("Text {phone}: {body}", "Send an SMS to {phone} saying {body}"),
        "de": ("Schick eine SMS an {phone}: {body}",),
        "fr": ("Envoie un SMS au {phone} : {body}",),
        "es": ("Manda un SMS al {phone}: {body}",),
    }, {"phone": Slot(("+47 912 34 567", "+41 79 555 01 23", "+48 601 222 333", "+351 912 000 111")),
        "body": Slot(("running late", "call me back", "dinner at eight", "the keys are on the table"))}),
    Intent("post_to_channel", {
        "en": ("Post '{text}' in #{channel}.",),
        "de": ("Poste '{text}' im Kanal #{channel}.",),
        "fr": ("Publie '{text}' dans #{channel}.",),
        "es": ("Publica '{text}' en #{channel}.",),
    }, {"channel": Slot(("release", "ops", "design", "support")),
        "text": Slot(("deploy done", "standup moved", "new mockups are up", "ticket closed"))}),
    Intent("exchange_money", {
        "en": ("Convert {amount} {source} to {target}.", "How much is {amount} {source} in {target}?"),
        "de": ("Rechne {amount} {source} in {target} um.",),
        "fr": ("Convertis {amount} {source} en {target}.",),
        "es": ("Convierte {amount} {source} a {target}.",),
    }, {"amount": Slot((40.0, 125.5, 250.0, 980.0, 1200.0)), "source": Slot(_MONEY),
        "target": Slot(_MONEY)}),
    Intent("share_price", {
        "en": ("What is {ticker} trading at?", "Latest share price of {ticker}?"),
        "de": ("Wie steht die Aktie {ticker}?",),
        "fr": ("Quel est le cours de l'action {ticker} ?",),
        "es": ("¿A cuánto cotiza {ticker}?",),
    }, {"ticker": Slot(("NOKIA", "SAP", "ASML", "VOLV-B", "INDITEX"))},
        pairs={"en": ("Get the share prices of {ticker} and {ticker_2}.",),
               "de": ("Wie stehen {ticker} und {ticker_2}?",)}),
    Intent("settle_bill", {
        "en": ("Pay bill {reference} for {amount}.",),
        "de": ("Bezahle die Rechnung {reference} über {amount}.",),
        "fr": ("Règle la facture {reference} de {amount}.",),
        "es": ("Paga la factura {reference} por {amount}.",),
    }, {"reference": Slot(("INV-4471", "RF-2093", "B-77120", "INV-9902")),
        "amount": Slot((19.9, 64.0, 310.25, 89.5))}),
    Intent("add_event", {
        "en": ("Add '{title}' to my calendar on {day}.", "Put {title} in the calendar on {day} at {start}."),
        "de": ("Trag '{title}' am {day} um {start} ein.",),
        "fr": ("Ajoute '{title}' le {day}.",),
        "es": ("Añade '{title}' el {day} a las {start}.",),
    }, {"title": Slot(("dentist", "team lunch", "piano lesson", "tax review")), "day": _DAYS,
        "start": Slot(("08:30", "12:15", "17:45", "19:00"))}),
    Intent("rename_path", {
        "en": ("Rename {path} to {new_name}.",),
        "de": ("Benenne {path} in {new_name} um.",),
        "fr": ("Renomme {path} en {new_name}.",),
        "es": ("Cambia el nombre de {path} a {new_name}.",),
    }, {"path": Slot(("notes.txt", "draft_v2.docx", "photos/img_031.jpg", "budget.xlsx")),
        "new_name": Slot(("notes_old.txt", "final.docx", "beach.jpg", "budget_2027.xlsx"))}),
    Intent("compress_folder", {
        "en": ("Zip the folder {folder}.", "Compress {folder} at level {level}."),
        "de": ("Pack den Ordner {folder} als Zip.",),
        "fr": ("Compresse le dossier {folder}.",),
        "es": ("Comprime la carpeta {folder} con nivel {level}.",),
    }, {"folder": Slot(("reports", "backups/2026", "thesis", "scans")),
        "level": Slot((1, 3, 9))}),
    Intent("order_pizza", {
        "en": ("Order {count} {size} pizzas with {topping}.", "I want a {size} {topping} pizza."),
        "de": ("Bestell {count} {size} Pizzen mit {topping}.",),
        "fr": ("Commande {count} pizzas {size} au {topping}.",),
        "es": ("Pide {count} pizzas {size} de {topping}.",),
    }, {"count": _SMALL, "size": Slot(("small", "medium", "large"), _SIZE_WORDS),
        "topping": Slot(("mushrooms", "salami", "artichokes", "olives"))}),
    Intent("recipe_ideas", {
        "en": ("Give me recipes for {dish}.", "Vegetarian recipes for {dish}, please."),
        "de": ("Gib mir Rezepte für {dish}.",),
        "fr": ("Donne-moi des recettes de {dish}.",),
        "es": ("Dame recetas de {dish}.",),
    }, {"dish": Slot(("lasagne", "ramen", "paella", "goulash", "ratatouille"))}),
    Intent("translate_phrase", {
        "en": ("Translate '{text}' into {language}.", "How do you say '{text}' in {language}?"),
        "de": ("Übersetze '{text}' ins {language}.",),
        "fr": ("Traduis '{text}' en {language}.",),
        "es": ("Traduce '{text}' al {language}.",),
    }, {"text": Slot(("see you soon", "where is the station", "thank you very much",
                      "the meeting is cancelled")),
        "language": Slot(_LANGS, _LANG_WORDS)},
        pairs={"en": ("Translate '{text}' into {language} and '{text_2}' into {language_2}.",)}),
    Intent("count_text_words", {
        "en": ("How many words are in '{text}'?",),
        "de": ("Wie viele Wörter hat '{text}'?",),
        "fr": ("Combien de mots dans '{text}' ?",),
        "es": ("¿Cuántas palabras tiene '{text}'?",),
    }, {"text": Slot(("the quick brown fox", "all good things come to an end",
                      "ship it on friday"))}),
    Intent("play_track", {
        "en": ("Play {title} by {artist}.", "Put on {title}."),
        "de": ("Spiel {title} von {artist}.",),
        "fr": ("Mets {title} de {artist}.",),
        "es": ("Pon {title} de {artist}.",),
    }, {"title": Slot(("Blue Monday", "Hallelujah", "Shallow Waters", "Night Train")),
        "artist": Slot(("Nina Vale", "The Corals", "Ana Ruiz", "Kettle Drum"))}),
    Intent("set_speaker_volume", {
        "en": ("Volume to {percent} percent.", "Set the speakers to {percent}%."),
        "de": ("Lautstärke auf {percent} Prozent.",),
        "fr": ("Mets le volume à {percent} pour cent.",),
        "es": ("Sube el volumen al {percent} por ciento.",),
    }, {"percent": Slot((15, 35, 50, 65, 80))}),
    Intent("track_parcel", {
        "en": ("Where is my parcel {code}?", "Track {code}."),
        "de": ("Wo ist mein Paket {code}?",),
        "fr": ("Où est mon colis {code} ?",),
        "es": ("¿Dónde está mi paquete {code}?",),
    }, {"code": Slot(("JD014600003", "CP123456789", "LX550021", "ZQ9981772"))},
        pairs={"en": ("Track the parcels {code} and {code_2}.",),
               "es": ("¿Dónde están los paquetes {code} y {code_2}?",)}),
    Intent("add_to_basket", {
        "en": ("Add {quantity} {product} to my basket.", "Put {product} in the basket."),
        "de": ("Leg {quantity} {product} in den Warenkorb.",),
        "fr": ("Ajoute {quantity} {product} au panier.",),
        "es": ("Añade {quantity} {product} a la cesta.",),
    }, {"product": Slot(("AA batteries", "oat milk", "printer paper", "green tea")),
        "quantity": _SMALL}),
    Intent("log_workout", {
        "en": ("Log a {minutes} minute {activity}.", "Record my {activity}: {minutes} minutes."),
        "de": ("Trag einen {activity} von {minutes} Minuten ein.",),
        "fr": ("Enregistre une {activity} de {minutes} minutes.",),
        "es": ("Registra una {activity} de {minutes} minutos.",),
    }, {"activity": Slot(("run", "swim", "cycle", "walk"), _ACTIVITY_WORDS),
        "minutes": Slot((20, 35, 45, 60, 90))}),
)

CHAINS: tuple[Chain, ...] = (
    Chain("lookup_hotel", "reserve_room", "hotel_id", "[0].id", {
        "en": ("Find a hotel in {city} and book it for {nights} nights.",),
        "de": ("Such ein Hotel in {city} und buch es für {nights} Nächte.",),
        "fr": ("Trouve un hôtel à {city} et réserve-le pour {nights} nuits.",),
        "es": ("Busca un hotel en {city} y resérvalo para {nights} noches.",),
    }, {"city": _CITIES, "nights": _SMALL}),
    Chain("find_contact", "ring_contact", "contact_id", ".id", {
        "en": ("Look up {name} and call them.",),
        "de": ("Such {name} im Adressbuch und ruf an.",),
        "fr": ("Cherche {name} et appelle.",),
        "es": ("Busca a {name} y llámale.",),
    }, {"name": Slot(("Ingrid Holm", "Marek Nowak", "Lucía Ortega", "Jonas Brandt"))}),
    Chain("list_meetings", "drop_meeting", "meeting_id", "[0].id", {
        "en": ("Cancel my first meeting on {day}.",),
        "de": ("Sag mein erstes Meeting am {day} ab.",),
        "fr": ("Annule ma première réunion du {day}.",),
        "es": ("Cancela mi primera reunión del {day}.",),
    }, {"day": _DAYS}),
    Chain("search_documents", "email_document", "path", "[0].path", {
        "en": ("Find the document about {query} and email it to {recipient}.",),
        "de": ("Such das Dokument zu {query} und schick es an {recipient}.",),
        "fr": ("Trouve le document sur {query} et envoie-le à {recipient}.",),
        "es": ("Busca el documento sobre {query} y envíalo a {recipient}.",),
    }, {"query": Slot(("solar panels", "lease renewal", "Q3 forecast")),
        "recipient": Slot(("mila@example.org", "ops@example.net", "j.berg@example.com"))}),
)
