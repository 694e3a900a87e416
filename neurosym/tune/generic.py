"""A procedural catalogue: many made-up tools of one shape, so that an adapter learns the
planner's skills rather than one catalogue's words.

The hand-written catalogue (:mod:`neurosym.tune.catalogue`) has a score of tools, each
asked for in a few phrasings: an adapter trained on it alone learns those phrasings, and
on a catalogue it has never seen it abstains or calls again. Here every tool is a
*subject* (the thing it works on, named in four languages) under a *verb*, with
parameters drawn from a bank of *fields* (how each language names them, the values a
request states). Two verbs over one subject give two tools that differ in one word, and
the tools shown beside a request are drawn from the same areas: picking the right tool
means reading the request, not recognising a template. A request states every required
value and sometimes an optional one; the plan holds exactly what it states.

The kinds: one call among several tools, one tool called for two or three values of a
field (``for 3, 5 and 8``), two tools in one request, and a request for a subject none of
the shown tools works on (``none()``).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..tools.tool import Param, Tool

__all__ = ["Field", "Subject", "FIELDS", "SUBJECTS", "VERBS", "GENERIC_TOOLS", "GENERIC_KINDS",
           "make_generic"]


@dataclass(frozen=True)
class Field:
    """A parameter shape: its name in tools, its type, the values requests state, and how
    each language names it in a request."""

    key: str
    type: str
    values: tuple[Any, ...]
    words: Mapping[str, str]
    doc: str = ""
    low: float | None = None
    high: float | None = None

    def param(self, *, required: bool = True) -> Param:
        enum = tuple(self.values) if self.type == "enum" else None
        kind = "string" if self.type == "enum" else self.type
        param = Param(self.key, kind, self.doc, minimum=self.low, maximum=self.high, enum=enum)
        if required:
            return param
        return param.with_(required=False, default=None)


def _f(key: str, kind: str, values: tuple[Any, ...], en: str, de: str, fr: str, es: str,
       doc: str = "", low: float | None = None, high: float | None = None) -> Field:
    return Field(key, kind, values, {"en": en, "de": de, "fr": fr, "es": es}, doc, low, high)


#: The bank of parameters. Values are ones a request can state as written in any language.
FIELDS: dict[str, Field] = {f.key: f for f in (
    _f("mass_kg", "number", (1.5, 4.0, 12.5, 80.0, 250.0), "a mass in kg of", "einer Masse in kg von",
       "une masse en kg de", "una masa en kg de", "Mass in kilograms.", 0),
    _f("depth_m", "number", (3.5, 18.0, 40.0, 120.0), "a depth in metres of", "einer Tiefe in Metern von",
       "une profondeur en mètres de", "una profundidad en metros de", "Depth in metres.", 0),
    _f("hours", "integer", (2, 6, 9, 16, 48), "hours", "Stunden", "heures", "horas",
       "How many hours.", 1, 240),
    _f("count", "integer", (3, 7, 11, 25, 60), "a count of", "einer Anzahl von", "un nombre de",
       "una cantidad de", "How many.", 1, 1000),
    _f("ratio", "number", (0.15, 0.4, 0.65, 0.9), "a ratio of", "einem Verhältnis von",
       "un rapport de", "una proporción de", "Between 0 and 1.", 0, 1),
    _f("year", "integer", (1987, 1999, 2004, 2013, 2021), "the year", "dem Jahr", "l'année",
       "el año", "A calendar year.", 1900, 2100),
    _f("speed_kmh", "number", (12.0, 35.5, 90.0, 140.0), "a speed in km/h of",
       "einer Geschwindigkeit in km/h von", "une vitesse en km/h de",
       "una velocidad en km/h de", "Speed in km/h.", 0),
    _f("temperature_c", "number", (-4.0, 7.5, 21.0, 36.6, 180.0), "a temperature in °C of",
       "einer Temperatur in °C von", "une température en °C de",
       "una temperatura en °C de", "Degrees Celsius."),
    _f("volume_l", "number", (0.75, 2.0, 15.0, 200.0), "a volume in litres of",
       "einem Volumen in Litern von", "un volume en litres de", "un volumen en litros de",
       "Litres.", 0),
    _f("percent", "integer", (5, 12, 30, 45, 80), "percent", "Prozent", "pour cent",
       "por ciento", "A percentage.", 0, 100),
    _f("site", "string", ("Tromsø", "Arequipa", "Dunedin", "Kisumu", "Cuenca", "Hobart",
                          "Tartu", "Jaffna", "Salta", "Inverness"),
       "the site", "dem Standort", "le site", "el sitio", "Place name."),
    _f("owner", "string", ("Ines Oyelaran", "Tomasz Wirth", "Priya Salonen", "Kofi Amsel",
                           "Maren Duval", "Lucía Brandt"),
       "the owner", "dem Besitzer", "le propriétaire", "el propietario", "Full name."),
    _f("label", "string", ("blue-heron", "K7-amber", "north shed", "batch 14", "tank C"),
       "the label", "dem Etikett", "l'étiquette", "la etiqueta", "A short label."),
    _f("code", "string", ("QX-118", "ZB-402", "MT-77", "LR-9031", "HV-260"), "the code",
       "dem Code", "le code", "el código", "Reference code."),
    _f("date", "string", ("2027-03-14", "2027-07-02", "2027-10-19", "2028-01-25"),
       "the date", "dem Datum", "la date", "la fecha", "ISO date, YYYY-MM-DD."),
    _f("unit", "enum", ("metric", "imperial"), "units", "Einheiten", "unités", "unidades",
       "Unit system."),
    _f("grade", "enum", ("A", "B", "C"), "grade", "Stufe", "niveau", "grado", "Quality grade."),
    _f("currency", "enum", ("NOK", "PEN", "NZD", "KES", "ISK"), "currency", "Währung",
       "devise", "moneda", "Currency code."),
    _f("span_days", "integer", (2, 10, 30, 90), "a span in days of", "einem Zeitraum in Tagen von",
       "une durée en jours de", "un periodo en días de", "Days.", 1, 365),
    _f("width_cm", "number", (4.5, 20.0, 62.0, 110.0), "a width in cm of", "einer Breite in cm von",
       "une largeur en cm de", "un ancho en cm de", "Centimetres.", 0),
    _f("rate", "number", (1.25, 3.5, 7.0, 11.75), "a rate of", "einer Rate von", "un taux de",
       "una tasa de", "Rate in percent per year.", 0),
    _f("amount", "number", (40.0, 315.5, 1200.0, 8650.0), "an amount of", "einem Betrag von",
       "un montant de", "un importe de", "Money amount.", 0),
    _f("species", "string", ("kākāpō", "axolotl", "snow leopard", "quokka", "pangolin"),
       "the species", "der Art", "l'espèce", "la especie", "Common name."),
    _f("title", "string", ("Salt Roads", "The Ninth Lantern", "Glass Orchard", "Low Tide Choir"),
       "the title", "dem Titel", "le titre", "el título", "Work title."),
)}


@dataclass(frozen=True)
class Subject:
    """What a tool works on: its area (the tool name's prefix), its key (the name's last
    word), how each language names it, its required and optional fields, and the verbs
    of :data:`VERBS` that act on it."""

    area: str
    key: str
    nouns: Mapping[str, str]
    required: tuple[str, ...]
    optional: tuple[str, ...]
    verbs: tuple[str, ...]


def _s(area: str, key: str, en: str, de: str, fr: str, es: str, required: tuple[str, ...],
       optional: tuple[str, ...], verbs: tuple[str, ...]) -> Subject:
    return Subject(area, key, {"en": en, "de": de, "fr": fr, "es": es}, required, optional,
                   verbs)


#: Verbs, imperative in each language. English is also the tool name's first word.
VERBS: dict[str, Mapping[str, str]] = {
    "estimate": {"en": "estimate", "de": "schätze", "fr": "estime", "es": "estima"},
    "record": {"en": "record", "de": "erfasse", "fr": "enregistre", "es": "registra"},
    "forecast": {"en": "forecast", "de": "prognostiziere", "fr": "prévois", "es": "pronostica"},
    "list": {"en": "list", "de": "liste", "fr": "liste", "es": "lista"},
    "cancel": {"en": "cancel", "de": "storniere", "fr": "annule", "es": "cancela"},
    "order": {"en": "order", "de": "bestelle", "fr": "commande", "es": "pide"},
    "convert": {"en": "convert", "de": "rechne um", "fr": "convertis", "es": "convierte"},
    "check": {"en": "check", "de": "prüfe", "fr": "vérifie", "es": "comprueba"},
}

SUBJECTS: tuple[Subject, ...] = (
    _s("hydro", "reservoir_drain", "the reservoir drain time", "die Entleerungszeit des Speichers",
       "le temps de vidange du réservoir", "el tiempo de vaciado del embalse",
       ("volume_l", "rate"), ("unit",), ("estimate", "forecast")),
    _s("hydro", "well_yield", "the well yield", "die Brunnenleistung", "le débit du puits",
       "el caudal del pozo", ("depth_m", "hours"), ("site",), ("estimate", "record")),
    _s("agro", "harvest", "the harvest", "die Ernte", "la récolte", "la cosecha",
       ("site", "mass_kg"), ("grade",), ("record", "forecast")),
    _s("agro", "seed_order", "a seed order", "eine Saatgutbestellung", "une commande de semences",
       "un pedido de semillas", ("species", "count"), ("date",), ("order", "cancel")),
    _s("cargo", "shipment", "the shipment", "die Sendung", "l'expédition", "el envío",
       ("code", "mass_kg"), ("date",), ("check", "cancel")),
    _s("cargo", "pallet_space", "the pallet space", "den Palettenplatz", "l'espace palette",
       "el espacio de palés", ("width_cm", "count"), ("unit",), ("estimate", "order")),
    _s("astro", "transit_window", "the transit window", "das Transitfenster",
       "la fenêtre de transit", "la ventana de tránsito", ("site", "date"), ("hours",),
       ("forecast", "list")),
    _s("astro", "orbit_decay", "the orbit decay", "den Bahnzerfall", "la décroissance orbitale",
       "el decaimiento orbital", ("mass_kg", "speed_kmh"), ("span_days",), ("estimate", "check")),
    _s("kitchen", "proofing_time", "the proofing time", "die Gehzeit", "le temps de levée",
       "el tiempo de levado", ("temperature_c", "mass_kg"), ("percent",), ("estimate", "check")),
    _s("kitchen", "pantry_stock", "the pantry stock", "den Vorratsbestand", "le stock du garde-manger",
       "las existencias de la despensa", ("label", "count"), ("owner",), ("record", "list")),
    _s("clinic", "dose_schedule", "the dose schedule", "den Dosierplan", "le calendrier des doses",
       "el calendario de dosis", ("mass_kg", "hours"), ("span_days",), ("check", "forecast")),
    _s("clinic", "visit", "a visit", "einen Besuch", "une visite", "una visita",
       ("owner", "date"), ("code",), ("order", "cancel")),
    _s("energy", "panel_output", "the panel output", "den Modulertrag", "la production des panneaux",
       "la producción de los paneles", ("site", "ratio"), ("span_days",), ("forecast", "estimate")),
    _s("energy", "meter_reading", "the meter reading", "den Zählerstand", "le relevé du compteur",
       "la lectura del contador", ("code", "volume_l"), ("date",), ("record", "check")),
    _s("library", "loan", "a loan", "eine Ausleihe", "un prêt", "un préstamo",
       ("title", "owner"), ("span_days",), ("record", "cancel")),
    _s("library", "shelf_gap", "the shelf gaps", "die Regallücken", "les vides d'étagère",
       "los huecos de estantería", ("label", "width_cm"), ("grade",), ("list", "check")),
    _s("fund", "loan_payment", "the loan payment", "die Kreditrate", "la mensualité du prêt",
       "la cuota del préstamo", ("amount", "rate"), ("currency",), ("estimate", "check")),
    _s("fund", "price_in_currency", "a price in another currency",
       "einen Preis in eine andere Währung", "un prix dans une autre devise",
       "un precio a otra moneda", ("amount", "currency"), ("date",), ("convert", "check")),
    _s("wildlife", "sighting", "a sighting", "eine Sichtung", "une observation",
       "un avistamiento", ("species", "site"), ("count",), ("record", "list")),
    _s("wildlife", "habitat_loss", "the habitat loss", "den Lebensraumverlust",
       "la perte d'habitat", "la pérdida de hábitat", ("species", "percent"), ("year",),
       ("estimate", "forecast")),
    _s("transit", "ferry_seat", "a ferry seat", "einen Fährplatz", "une place de ferry",
       "un asiento de ferry", ("site", "date"), ("count",), ("order", "cancel")),
    _s("transit", "travel_time", "the travel time", "die Reisezeit", "le temps de trajet",
       "el tiempo de viaje", ("speed_kmh", "hours"), ("unit",), ("estimate", "convert")),
    _s("studio", "rehearsal", "a rehearsal", "eine Probe", "une répétition", "un ensayo",
       ("title", "date"), ("hours",), ("order", "cancel")),
    _s("studio", "royalty", "the royalty", "die Tantieme", "la redevance", "la regalía",
       ("title", "amount"), ("rate",), ("estimate", "check")),
    _s("geo", "soil_moisture", "the soil moisture", "die Bodenfeuchte", "l'humidité du sol",
       "la humedad del suelo", ("site", "depth_m"), ("year",), ("record", "forecast")),
    _s("geo", "quake_history", "the earthquake history", "die Erdbebengeschichte",
       "l'historique des séismes", "el historial de sismos", ("site", "year"), ("count",),
       ("list", "check")),
)


def _tool(subject: Subject, verb: str) -> Tool:
    noun = subject.nouns["en"]
    params = tuple(FIELDS[k].param() for k in subject.required) + tuple(
        FIELDS[k].param(required=False) for k in subject.optional)
    return Tool(f"{subject.area}.{verb}_{subject.key}",
                f"{VERBS[verb]['en'].capitalize()} {noun}.", params)


#: Every generic tool by name: each subject under each of its verbs.
GENERIC_TOOLS: dict[str, Tool] = {
    f"{s.area}.{v}_{s.key}": _tool(s, v) for s in SUBJECTS for v in s.verbs}

#: Kinds of generic examples, with their share among the generic ones.
GENERIC_KINDS: dict[str, float] = {"g_single": 0.5, "g_parallel": 0.15, "g_two_tools": 0.1,
                                   "g_none": 0.25}

_AND = {"en": "and", "de": "und", "fr": "et", "es": "y"}
_WITH = {"en": "with", "de": "mit", "fr": "avec", "es": "con"}
_FOR = {"en": "for", "de": "für", "fr": "pour", "es": "para"}
#: Request frames: {verb} (capitalised), {noun}, {args}.
_FRAMES: dict[str, tuple[str, ...]] = {
    "en": ("{Verb} {noun} {with} {args}.", "Please {verb} {noun}, {args}.",
           "Can you {verb} {noun} {with} {args}?", "I need to {verb} {noun}: {args}."),
    "de": ("{Verb} {noun} {with} {args}.", "Bitte {verb} {noun} {with} {args}.",
           "Kannst du {noun} {with} {args} {verb_inf}?"),
    "fr": ("{Verb} {noun} {with} {args}.", "Merci de {verb_inf} {noun} : {args}.",
           "Peux-tu {verb_inf} {noun} {with} {args} ?"),
    "es": ("{Verb} {noun} {with} {args}.", "Por favor, {verb} {noun}: {args}.",
           "¿Puedes {verb_inf} {noun} {with} {args}?"),
}
#: The infinitive the frames need beside the imperative (German's verb at the end, the
#: French and Spanish after a modal), each verb's in each language.
_INFINITIVE: dict[str, Mapping[str, str]] = {
    "de": {"estimate": "schätzen", "record": "erfassen", "forecast": "prognostizieren",
           "list": "auflisten", "cancel": "stornieren", "order": "bestellen",
           "convert": "umrechnen", "check": "prüfen"},
    "fr": {"estimate": "estimer", "record": "enregistrer", "forecast": "prévoir",
           "list": "lister", "cancel": "annuler", "order": "commander",
           "convert": "convertir", "check": "vérifier"},
    "es": {"estimate": "estimar", "record": "registrar", "forecast": "pronosticar",
           "list": "listar", "cancel": "cancelar", "order": "pedir",
           "convert": "convertir", "check": "comprobar"},
}


def _say(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) >= 10 else f"{value:g}"
    return str(value)


def _args_text(values: Mapping[str, Any], language: str) -> str:
    parts = [f"{FIELDS[k].words[language]} {_say(v)}" for k, v in values.items()]
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + f" {_AND[language]} " + parts[-1]


def _sentence(rng: random.Random, subject: Subject, verb: str, values: Mapping[str, Any],
              language: str) -> str:
    frame = rng.choice(_FRAMES[language])
    imperative = VERBS[verb][language]
    text = frame.format(Verb=imperative[0].upper() + imperative[1:], verb=imperative,
                        verb_inf=_INFINITIVE.get(language, {}).get(verb, imperative),
                        noun=subject.nouns[language], args=_args_text(values, language),
                        **{"with": _WITH[language]})
    return text


def _values(rng: random.Random, subject: Subject) -> dict[str, Any]:
    """Every required field's value, and now and then an optional one the request states."""
    values = {k: rng.choice(FIELDS[k].values) for k in subject.required}
    for key in subject.optional:
        if rng.random() < 0.3:
            values[key] = rng.choice(FIELDS[key].values)
    return values


def _ordered(tool: Tool, values: Mapping[str, Any]) -> dict[str, Any]:
    return {p.name: values[p.name] for p in tool.params if p.name in values}


def _neighbours(rng: random.Random, must: tuple[str, ...], avoid: set[str],
                count: int) -> list[str]:
    """Other tools to show: first those of the same areas (the hard ones), then any."""
    areas = {name.split(".")[0] for name in must}
    near = [n for n in GENERIC_TOOLS if n.split(".")[0] in areas and n not in must
            and n not in avoid]
    far = [n for n in GENERIC_TOOLS if n not in near and n not in must and n not in avoid]
    rng.shuffle(near)
    rng.shuffle(far)
    return (near + far)[:count]


Made = tuple[str, tuple[tuple[str, dict[str, Any]], ...], tuple[str, ...], tuple[str, ...]]


def make_generic(rng: random.Random, kind: str, language: str,
                 shown: int) -> tuple[Made, tuple[str, ...]]:
    """One generic example of ``kind``: (request, calls, tools the plan uses, tools kept
    out) and the tools shown, at most ``shown`` of them."""
    subject = rng.choice(SUBJECTS)
    verb = rng.choice(subject.verbs)
    name = f"{subject.area}.{verb}_{subject.key}"
    tool = GENERIC_TOOLS[name]
    if kind == "g_none":
        values = _values(rng, subject)
        request = _sentence(rng, subject, verb, values, language)
        avoid = tuple(f"{subject.area}.{v}_{subject.key}" for v in subject.verbs)
        others = _neighbours(rng, (name,), set(avoid), rng.randint(1, shown))
        return (request, (), (), avoid), tuple(others)
    if kind == "g_parallel":
        values = _values(rng, subject)
        varied = rng.choice(subject.required)
        pool = [v for v in FIELDS[varied].values if v != values[varied]]
        more = rng.sample(pool, min(len(pool), rng.choice((1, 1, 2))))
        firsts = [values[varied], *more]
        shared = {k: v for k, v in values.items() if k != varied}
        said = ", ".join(_say(v) for v in firsts[:-1]) + f" {_AND[language]} {_say(firsts[-1])}"
        request = _sentence(rng, subject, verb, shared, language) if shared else ""
        request = (request.rstrip(".?!: ") + f", {_FOR[language]} "
                   f"{FIELDS[varied].words[language]} {said}.")
        calls = tuple((name, _ordered(tool, {**values, varied: v})) for v in firsts)
        others = _neighbours(rng, (name,), set(), rng.randint(1, shown - 1))
        return (request, calls, (name,), ()), _mixed(rng, (name,), others)
    if kind == "g_two_tools":
        second = rng.choice([s for s in SUBJECTS if s is not subject])
        verb2 = rng.choice(second.verbs)
        name2 = f"{second.area}.{verb2}_{second.key}"
        first_values = _values(rng, subject)
        second_values = _values(rng, second)
        request = " ".join((_sentence(rng, subject, verb, first_values, language),
                            _sentence(rng, second, verb2, second_values, language)))
        calls = ((name, _ordered(tool, first_values)),
                 (name2, _ordered(GENERIC_TOOLS[name2], second_values)))
        others = _neighbours(rng, (name, name2), set(), rng.randint(0, max(0, shown - 2)))
        return (request, calls, (name, name2), ()), _mixed(rng, (name, name2), others)
    values = _values(rng, subject)
    request = _sentence(rng, subject, verb, values, language)
    others = _neighbours(rng, (name,), set(), rng.randint(1, shown - 1))
    return (request, ((name, _ordered(tool, values)),), (name,), ()), _mixed(rng, (name,), others)


def _mixed(rng: random.Random, must: tuple[str, ...], others: list[str]) -> tuple[str, ...]:
    shown = list(dict.fromkeys(must)) + others
    rng.shuffle(shown)
    return tuple(shown)
