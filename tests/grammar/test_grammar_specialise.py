"""Specialised grammars: tables of plans, run through both engines (lark and llguidance).

The numbered form (``r1 = ...``, the default) is what the planner decodes; the large table
of hand-written plans, with bare calls and free names, runs under ``names="free"``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from neurosym.errors import GrammarError
from neurosym.grammar import SpecialisedGrammar, build_grammar
from neurosym.grammar.specialise import MAX_NUMBERED_STEPS, step_name
from neurosym.tools.tool import Param, Tool

Accepts = Callable[[str, str], bool]

TRAVEL = (
    Tool("search_flights", params=(
        Param("origin", "string", max_length=20),
        Param("destination", "string"),
        Param("date", "string", format="date"),
        Param("max_price", "number", required=False, minimum=0),
        Param("cabin", "string", required=False, enum=("economy", "business")),
        Param("nonstop", "boolean", required=False),
    )),
    Tool("book_flight", params=(
        Param("flight_id", "string"),
        Param("passengers", "integer", minimum=1, maximum=9),
        Param("seats", "array", required=False, items=Param("seat", "string", pattern=r"^[0-9]{1,2}[A-F]$"),
              max_items=4),
        Param("note", "string", nullable=True),
    )),
    Tool("math.floor", params=(Param("x", "number"),)),
    Tool("get_time"),
    Tool("create_event", params=(
        Param("details", "object", properties=(
            Param("title", "string"),
            Param("day", "date", required=False),
            Param("priority", "integer", required=False, enum=(1, 2, 3)),
        )),
        Param("extra", "any", required=False),
        Param("tags", "array", required=False, min_items=1, items=Param("tag", "string")),
    )),
)

SEARCH = 'search_flights(origin="SFO", destination="CDG", date="2026-12-01")'

TRAVEL_OK = [
    f"flights = {SEARCH}",
    f"define = {SEARCH}",
    f"None_2 = {SEARCH}",
    SEARCH,
    'search_flights(origin="SFO", destination="CDG", date="2026-12-01", max_price=450.5, '
    'cabin="business", nonstop=False)',
    'search_flights(origin="SFO", destination="CDG", date="2026-12-01", nonstop=True)',
    'search_flights(origin="SFO", destination="CDG", date="2026-12-01", max_price=300)',
    'search_flights(origin="SFO", destination="CDG", date="2026-12-01", max_price=1e+16)',
    'search_flights(origin="SFO", destination="CDG", date="2026-12-01", cabin=None)',
    'search_flights(origin="S\\"F\\u00e9\\n", destination="Zürich", date="2026-02-28")',
    'search_flights(origin="", destination="", date="2026-12-31")',
    'search_flights(origin="' + "x" * 20 + '", destination="' + "y" * 30 + '", date="2026-12-31")',
    f'flights = {SEARCH}\nbook_flight(flight_id=flights[0].id, passengers=2, note=None)',
    f'f = {SEARCH}\nb = book_flight(flight_id=f, passengers=9, note=f.notes[-1])',
    'book_flight(flight_id="AF1", passengers=1, seats=["12A", "3F"], note="")',
    'book_flight(flight_id="AF1", passengers=1, seats=[], note="window")',
    'book_flight(flight_id="AF1", passengers=1, seats=["1A", "1B", "1C", "1D"], note="x")',
    'book_flight(flight_id=search_flights(origin="A", destination="B", date="2026-01-31"), '
    'passengers=3, note="nested")',
    "math.floor(x=-2.5)",
    "math.floor(x=math.floor(x=7))",
    "get_time()",
    "t = get_time()\nmath.floor(x=t.hour)",
    'create_event(details={"title": "Standup"})',
    'create_event(details={"title": "Review", "day": "2027-01-05", "priority": 2})',
    'create_event(details={"title": "Review", "priority": 3}, extra={"a": [1, None, True, "x"]})',
    'create_event(details={"title": "T"}, extra=-0.5, tags=["a"])',
    'create_event(details=ev, tags=[t.name, "b"])',
    'create_event(details={"title": "T"}, extra=[t, {"k": t.x, "j": get_time()}])',
    'ask("Which date do you want to fly?")',
    'answer("Your flight is booked.")',
    "none()",
    f'f = {SEARCH}\nanswer("Found flights.")',
    f'{SEARCH}\nget_time()\nask("Which one?")',
]

TRAVEL_BAD = [
    ("", "an empty plan"),
    ('search_hotels(city="Paris")', "unknown tool"),
    ('search_flights(origin="SFO", destination="CDG", date="2026-12-01", airline="AF")',
     "unknown parameter"),
    ('book_flight(flight_id="x", passengers="2", note=None)', "string for an integer"),
    ('book_flight(flight_id="x", passengers=2.5, note=None)', "float for an integer"),
    ('book_flight(flight_id=1, passengers=2, note=None)', "integer for a string"),
    ('search_flights(origin="SFO", destination="CDG", date="2026-12-01", nonstop=1)',
     "integer for a boolean"),
    ('search_flights(origin="SFO", destination="CDG", date="2026-12-01", nonstop=true)',
     "lowercase boolean"),
    ('search_flights(origin="SFO", destination="CDG", date="2026-12-01", cabin="first")',
     "value outside the enum"),
    ('search_flights(origin="SFO", destination="CDG", date="2026-12-01", max_price=-3)',
     "negative number below minimum 0"),
    ('book_flight(flight_id="x", note=None)', "missing required parameter"),
    ('search_flights(origin="SFO", date="2026-12-01")', "missing required parameter"),
    ('search_flights(origin="' + "x" * 21 + '", destination="CDG", date="2026-12-01")',
     "string longer than maxLength"),
    ('search_flights(origin="SFO", destination="' + "y" * 31 + '", date="2026-12-01")',
     "string longer than max_string_length"),
    ('search_flights(destination="CDG", origin="SFO", date="2026-12-01")', "wrong order"),
    ('search_flights(origin="SFO", destination="CDG", date="2026-13-01")', "bad month"),
    ('search_flights(origin="SFO", destination="CDG", date="tomorrow")', "not a date"),
    ('book_flight(flight_id="x", passengers=0, note=None)', "integer below minimum"),
    ('book_flight(flight_id="x", passengers=10, note=None)', "integer above maximum"),
    ('book_flight(flight_id="x", passengers=02, note=None)', "leading zero"),
    ('book_flight(flight_id=None, passengers=1, note=None)', "None for a required value"),
    ('book_flight(flight_id="x", passengers=1, seats=["1A", "1B", "1C", "1D", "1E"], note="")',
     "more items than maxItems"),
    ('book_flight(flight_id="x", passengers=1, seats=["1G"], note="")', "item not matching pattern"),
    ('book_flight(flight_id="x", passengers=1, seats=[1], note="")', "wrong item type"),
    ('create_event(details={"title": "T"}, tags=[])', "fewer items than minItems"),
    ('create_event(details={"day": "2027-01-05"})', "object missing a required property"),
    ('create_event(details={"title": "T", "room": "A"})', "unknown property"),
    ('create_event(details={"priority": 2, "title": "T"})', "properties out of order"),
    ('create_event(details={"title": "T", "priority": 4})', "property outside its enum"),
    ('math.floor(x=1 + 2)', "arithmetic"),
    ('math.floor(x="1")', "string for a number"),
    ("math.floor(x=1.)", "non-canonical float"),
    ("get_time(x=1)", "argument to a tool without parameters"),
    ("book_flight(flight_id=\"a\",passengers=1, note=None)", "missing space after comma"),
    ("math.floor( x=1)", "extra space"),
    ("math.floor(x = 1)", "spaces around ="),
    ("t=get_time()", "no spaces around the bind ="),
    ("math.floor(x='1')", "single quotes"),
    ("get_time()\n", "trailing newline"),
    ("get_time()\n\nget_time()", "blank line"),
    ('search_flights(origin="SFO", destination="CDG", date="2026-12-01", origin="LAX")',
     "repeated parameter"),
    ("[get_time(), get_time()]", "BFCL list form"),
    ('answer("x")\nget_time()', "a step after a terminal"),
    ("get_time()\nnone()", "none() after steps"),
    ('ask("x")\nanswer("y")', "two terminals"),
    ("x = ask(\"q\")", "bound terminal"),
    ("ask(q=1)", "keyword terminal"),
    ('math.floor(x=get_weather(city="x"))', "unknown nested tool"),
    ("math.floor(x=flights[0.5])", "malformed reference"),
    ('answer("' + "z" * 61 + '")', "terminal text over its bound"),
    ("def = get_time()", "a keyword as a result's name"),
    ("None = get_time()", "a constant as a result's name"),
]


@pytest.fixture(scope="module")
def travel() -> SpecialisedGrammar:
    return build_grammar(TRAVEL, max_string_length=30, max_text_length=60, names="free")


@pytest.mark.parametrize("text", TRAVEL_OK)
def test_travel_accepts(travel: SpecialisedGrammar, accepts: Accepts, text: str) -> None:
    assert accepts(travel.lark, text)


@pytest.mark.parametrize(("text", "why"), TRAVEL_BAD, ids=[why for _, why in TRAVEL_BAD])
def test_travel_rejects(travel: SpecialisedGrammar, accepts: Accepts, text: str, why: str) -> None:
    assert not accepts(travel.lark, text), why


NUMBERED_OK = [
    f"r1 = {SEARCH}",
    f"r1 = {SEARCH}\nr2 = book_flight(flight_id=r1[0].id, passengers=2, note=None)",
    f'r1 = {SEARCH}\nanswer("Found flights.")',
    f'r1 = {SEARCH}\nr2 = get_time()\nask("Which one?")',
    "r1 = get_time()\nr2 = math.floor(x=r1.hour)\nr3 = math.floor(x=r2)",
    "r1 = math.floor(x=math.floor(x=7))",
    'r1 = create_event(details={"title": "T"}, extra=[r1, {"k": r12.x}], tags=[r3.name[-1]])',
    'ask("Which date do you want to fly?")',
    'answer("Your flight is booked.")',
    "none()",
]

NUMBERED_BAD = [
    (SEARCH, "a bare call"),
    (f"flights = {SEARCH}", "a free name"),
    (f"r2 = {SEARCH}", "r2 as the first step"),
    (f"r0 = {SEARCH}", "r0 as the first step"),
    (f"r1 = {SEARCH}\nr1 = get_time()", "r1 bound twice"),
    (f"r1 = {SEARCH}\nr3 = get_time()", "a number skipped"),
    (f"r1 = {SEARCH}\nget_time()", "a bare call after a numbered step"),
    (f"r1 = {SEARCH}\nr2 = book_flight(flight_id=foo.id, passengers=2, note=None)",
     "a reference foo.id"),
    (f"f = {SEARCH}\nr1 = book_flight(flight_id=f.id, passengers=2, note=None)",
     "a free name, then a reference to it"),
    ("r1 = math.floor(x=r0)", "a reference to r0"),
    ("r1 = math.floor(x=r01)", "a reference with a leading zero"),
    ("r1 = math.floor(x=r1x)", "a name that only starts like a step's"),
    ("r1 = math.floor(x=R1)", "an upper-case reference"),
    ("R1 = get_time()", "an upper-case step name"),
    ("r1=get_time()", "no spaces around the bind ="),
    ('r1 = ask("q")', "a bound terminal"),
    ("r1 = get_time()\nnone()", "none() after steps"),
    ("r1 = get_time()\n", "trailing newline"),
]


@pytest.fixture(scope="module")
def numbered() -> SpecialisedGrammar:
    return build_grammar(TRAVEL, max_string_length=30, max_text_length=60)


@pytest.mark.parametrize("text", NUMBERED_OK)
def test_numbered_accepts(numbered: SpecialisedGrammar, accepts: Accepts, text: str) -> None:
    # a reference's form is the grammar's; whether it names an earlier step is the graph's
    assert accepts(numbered.lark, text)


@pytest.mark.parametrize(("text", "why"), NUMBERED_BAD, ids=[why for _, why in NUMBERED_BAD])
def test_numbered_rejects(numbered: SpecialisedGrammar, accepts: Accepts, text: str,
                          why: str) -> None:
    assert not accepts(numbered.lark, text), why


def _numbered_plan(count: int, terminal: str = "") -> str:
    lines = [f"{step_name(i)} = get_time()" for i in range(count)]
    return "\n".join([*lines, terminal] if terminal else lines)


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_max_steps_bounds_numbered_steps(accepts: Accepts, limit: int) -> None:
    grammar = build_grammar(TRAVEL, max_steps=limit).lark
    for count in range(1, limit + 3):
        for terminal in ("", 'answer("ok")'):
            assert accepts(grammar, _numbered_plan(count, terminal)) is (count <= limit), \
                (count, terminal)


def test_unbounded_plans_are_numbered_up_to_the_limit(accepts: Accepts) -> None:
    grammar = build_grammar(TRAVEL).lark
    assert accepts(grammar, _numbered_plan(MAX_NUMBERED_STEPS, 'ask("more?")'))
    assert not accepts(grammar, _numbered_plan(MAX_NUMBERED_STEPS + 1))


OPTIONS = [
    ({"allow_refs": False}, f"r1 = {SEARCH}\nr2 = math.floor(x=r1.price)", False),
    ({"allow_refs": False}, f"r1 = {SEARCH}\nr2 = math.floor(x=1)", True),
    ({"allow_nested": False}, "r1 = math.floor(x=math.floor(x=1))", False),
    ({"allow_nested": False}, "r1 = math.floor(x=r2)", True),
    ({"allow_terminals": False}, 'ask("When?")', False),
    ({"allow_terminals": False}, "none()", False),
    ({"allow_terminals": False}, "r1 = get_time()", True),
    ({"max_steps": 2}, "r1 = get_time()\nr2 = get_time()", True),
    ({"max_steps": 2}, 'r1 = get_time()\nr2 = get_time()\nanswer("ok")', True),
    ({"max_steps": 2}, "r1 = get_time()\nr2 = get_time()\nr3 = get_time()", False),
    ({"max_steps": 1}, "r1 = get_time()\nr2 = get_time()", False),
    ({"max_string_length": 3},
     'r1 = search_flights(origin="abc", destination="def", date="2026-01-01")', True),
    ({"max_string_length": 3},
     'r1 = search_flights(origin="abcd", destination="d", date="2026-01-01")', False),
    ({"names": "free", "max_steps": 2}, "get_time()\nt = get_time()", True),
    ({"names": "free", "max_steps": 2}, "get_time()\nget_time()\nget_time()", False),
]


@pytest.mark.parametrize(("options", "text", "ok"), OPTIONS)
def test_options(accepts: Accepts, options: dict[str, object], text: str, ok: bool) -> None:
    grammar = build_grammar(TRAVEL, **options)  # type: ignore[arg-type]
    assert accepts(grammar.lark, text) is ok


def test_options_are_kept() -> None:
    grammar = build_grammar(TRAVEL[:2], max_string_length=9, allow_refs=False, max_steps=3)
    assert grammar.tool_names == ("search_flights", "book_flight")
    assert (grammar.max_string_length, grammar.allow_refs, grammar.allow_nested,
            grammar.allow_terminals, grammar.max_steps, grammar.names) == (9, False, True, True, 3,
                                                                          "numbered")
    assert build_grammar(TRAVEL[:2], names="free").names == "free"


def test_terminals_alone() -> None:
    grammar = build_grammar([])
    assert grammar.accepts('ask("Which city?")') and grammar.accepts("none()")
    assert not grammar.accepts("get_time()") and not grammar.accepts("r1 = get_time()")


@pytest.mark.parametrize(("tools", "words"), [
    ([Tool("ask")], "cannot be written in a plan"),
    ([Tool("bad name")], "cannot be written in a plan"),
    ([Tool("f"), Tool("f")], "two tools are named"),
    ([Tool("f", params=(Param("a-b"),))], "keyword argument"),
    ([Tool("f", params=(Param("None"),))], "keyword argument"),
    ([Tool("f", params=(Param("a"), Param("a")))], "declares a parameter twice"),
    ([Tool("f", params=(Param("e", "enum"),))], "enum without values"),
    ([Tool("f", params=(Param("e", "string", enum=()),))], "is empty"),
    ([Tool("f", params=(Param("n", "integer", minimum=5, maximum=4),))], "admits no integer"),
    ([Tool("f", params=(Param("xs", "array", min_items=3, max_items=2),))], "minItems"),
    ([Tool("f", params=(Param("s", "string", min_length=3, max_length=2),))], "minLength"),
    ([Tool("f", params=(Param("x", "number", enum=(float("nan"),)),))], "cannot be written"),
    (["not a tool"], "is not a Tool"),
])
def test_bad_tool_sets(tools: list[Tool], words: str) -> None:
    with pytest.raises(GrammarError, match=words) as caught:
        build_grammar(tools)
    assert caught.value.hint


def test_nothing_to_admit() -> None:
    with pytest.raises(GrammarError, match="admit nothing"):
        build_grammar([], allow_terminals=False)
    with pytest.raises(GrammarError, match="max_steps"):
        build_grammar(TRAVEL, max_steps=0)


@pytest.mark.parametrize("names", ["named", "Numbered", "", None])
def test_bad_names_mode(names: object) -> None:
    with pytest.raises(GrammarError, match="names must be 'numbered' or 'free'") as caught:
        build_grammar(TRAVEL, names=names)  # type: ignore[arg-type]
    assert caught.value.hint


_KINDS = {"string": '"v"', "integer": "7", "number": "0.5", "boolean": "True"}


def _chain_tool(n: int) -> Tool:
    kinds = list(_KINDS)
    return Tool("t", params=tuple(Param(f"p{i}", kinds[i % 4], required=i % 10 == 0)
                                  for i in range(n)))


def _chain_call(tool: Tool, extra: set[int]) -> str:
    args = [f"{p.name}={_KINDS[p.type]}" for i, p in enumerate(tool.params)
            if p.required or i in extra]
    return f"r1 = t({', '.join(args)})"


def test_size_is_linear_in_parameters() -> None:
    sizes = [len(build_grammar([_chain_tool(n)]).lark) for n in (20, 40, 80)]
    assert sizes[1] - sizes[0] == pytest.approx((sizes[2] - sizes[1]) / 2, rel=0.1)


def test_long_optional_chains(accepts: Accepts) -> None:
    tool = _chain_tool(60)
    grammar = build_grammar([tool]).lark
    assert accepts(grammar, _chain_call(tool, set()))
    assert accepts(grammar, _chain_call(tool, {1, 2, 33, 59}))
    assert accepts(grammar, _chain_call(tool, set(range(60))))
    assert not accepts(grammar, _chain_call(tool, set()).replace("p50=", "p51="))
    assert not accepts(grammar, "r1 = t(p1=7)")


BANK = (
    Tool("get_balance", params=(Param("account", "string", pattern=r"^[A-Z]{2}[0-9]{4}$"),)),
    Tool("transfer", params=(
        Param("source", "string", pattern=r"^[A-Z]{2}[0-9]{4}$"),
        Param("target", "string", pattern=r"^[A-Z]{2}[0-9]{4}$"),
        Param("amount", "number", minimum=0),
        Param("currency", "enum", enum=("EUR", "USD"), required=False),
        Param("priority", "integer", enum=(1, 2, 3), required=False),
        Param("memo", "string", max_length=10, nullable=True, required=False),
        Param("splits", "array", required=False, max_items=2, items=Param(
            "split", "object", properties=(Param("to", "string"), Param("share", "number"))))),
        effect="write"),
)

BANK_TABLE = [
    ('r1 = get_balance(account="FR1234")\nr2 = transfer(source="FR1234", target="DE0001", '
     'amount=r1.available)', True),
    ('r1 = transfer(source="FR1234", target="DE0001", amount=10.5, currency="USD", priority=2, '
     'memo=None, splits=[{"to": "a", "share": 0.5}, {"to": "b", "share": 0.5}])', True),
    ('r1 = transfer(source="FR1234", target="DE0001", amount=0, memo="rent")', True),
    ('r1 = transfer(source="FR1234", target="DE0001", amount=get_balance(account="FR1234"))', True),
    ('ask("How much should I transfer?")', True),
    ('r1 = get_balance(account="fr1234")', False),          # pattern: upper-case letters
    ('r1 = get_balance(account="FR12345")', False),         # pattern: four digits
    ('r1 = transfer(source="FR1234", target="DE0001", amount="10")', False),
    ('r1 = transfer(source="FR1234", target="DE0001", amount=10, currency="GBP")', False),
    ('r1 = transfer(source="FR1234", target="DE0001", amount=10, priority=4)', False),
    ('r1 = transfer(source="FR1234", target="DE0001", amount=10, priority="1")', False),
    ('r1 = transfer(source="FR1234", target="DE0001", amount=10, memo="much too long")', False),
    ('r1 = transfer(source="FR1234", target="DE0001", amount=10, splits=[{"to": "a"}])', False),
    ('r1 = transfer(source="FR1234", target="DE0001", amount=10, splits=[{"to": "a", "share": 1}, '
     '{"to": "b", "share": 1}, {"to": "c", "share": 1}])', False),
    ('r1 = transfer(target="DE0001", source="FR1234", amount=10)', False),
    ('r1 = transfer(source="FR1234", amount=10)', False),
    ('r1 = withdraw(account="FR1234")', False),
]


@pytest.mark.parametrize(("text", "ok"), BANK_TABLE)
def test_bank_table(accepts: Accepts, text: str, ok: bool) -> None:
    assert accepts(build_grammar(BANK).lark, text) is ok
