"""Hypothesis strategies for what an attacker or a careless user hands neurosym: schemas
with every keyword in any shape, constraint texts, plan texts, Python tool sources and
command lines. Hostile values (backtracking patterns, NaN, huge counts, deep nesting)
are drawn on purpose, next to ordinary ones."""

from __future__ import annotations

import json
import keyword

from hypothesis import strategies as st

__all__ = ["HOSTILE_PATTERNS", "bfcl_docs", "constraint_texts", "json_schemas", "json_values",
           "openai_texts", "parameters_schemas", "plan_texts_over", "python_sources",
           "mutated"]

HOSTILE_PATTERNS = [
    "^(a+)+$", "^(a|aa)+$", r"^(\w+\s?)*$", r"^(a)\1$", "^(?=a)a$", "(?<!x)y", "x{1000000}",
    "(((a{100}){100}){100})", "[", "(", "\\", "", ".*", r"^\d{3}-\d{4}$", "^[A-Z]{3}$",
    "(?i)abc", "a{2,1}", r"\p{L}+", "a++", "(?P<n>a)(?P=n)", "^.{0,1000}$", "\x00", "é+",
    "(" * 600 + "a" + ")" * 600, "(" * 50 + "a" + ")" * 50, "[" * 900 + "a",
]
_NAMES = st.sampled_from(["a", "b", "city", "n", "x", "y", "items", "1bad", "", "a b", "é",
                          "type", "$ref", "properties", "x" * 80])
_COUNTS = st.one_of(st.integers(-3, 50), st.sampled_from([10**6, 10**7, 10**30, 2**63]),
                    st.floats(allow_nan=True, allow_infinity=True), st.just("3"), st.none())
_NUMBERS = st.one_of(st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True),
                     st.sampled_from([10**30, -0.0, 1e308, 2**64]), st.booleans(), st.text(max_size=3),
                     st.none())
_TYPES = st.one_of(
    st.sampled_from(["string", "integer", "number", "boolean", "array", "object", "null",
                     "dict", "float", "tuple", "String", "any", "HashMap", "char", "weird", ""]),
    st.lists(st.sampled_from(["string", "null", "integer", "number"]), max_size=3),
    st.integers(), st.none())

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**9, 10**9),
              st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=4), inner, max_size=3)),
    max_leaves=3)

_SCALAR_KEYWORDS = {
    "type": _TYPES,
    "minimum": _NUMBERS, "maximum": _NUMBERS,
    "exclusiveMinimum": _NUMBERS, "exclusiveMaximum": _NUMBERS,
    "minLength": _COUNTS, "maxLength": _COUNTS, "minItems": _COUNTS, "maxItems": _COUNTS,
    "pattern": st.one_of(st.sampled_from(HOSTILE_PATTERNS), st.text(max_size=6), st.integers()),
    "enum": st.one_of(st.lists(json_values, max_size=6), json_values,
                      st.lists(st.sampled_from(["a", "b", 1, 1.0, True, None, "0", 0]),
                               max_size=8)),
    "const": json_values,
    "default": json_values,
    "format": st.sampled_from(["date", "date-time", "email", "uuid", "weird", 3]),
    "description": st.one_of(st.text(max_size=12), st.integers()),
    "nullable": st.booleans(),
    "$ref": st.sampled_from(["#/$defs/a", "#/$defs/b", "#/definitions/a", "#/nope", "#",
                             "http://elsewhere/x.json", "#/properties", 3]),
    "uniqueItems": st.booleans(),
    "writeOnly": st.booleans(),
}


def _scalar_schemas() -> st.SearchStrategy[dict[str, object]]:
    return st.fixed_dictionaries({}, optional=_SCALAR_KEYWORDS)


def json_schemas(max_leaves: int = 5) -> st.SearchStrategy[object]:
    """Any schema: scalar keywords, objects, arrays, allOf/anyOf/oneOf/not, and junk."""
    return st.recursive(
        st.one_of(_scalar_schemas(), st.booleans(), st.sampled_from([[], "string", 3, None])),
        lambda inner: st.one_of(
            st.fixed_dictionaries(
                {"type": st.sampled_from(["object", "dict"])},
                optional={"properties": st.dictionaries(_NAMES, inner, max_size=3),
                          "required": st.one_of(st.lists(_NAMES, max_size=3), json_values),
                          "additionalProperties": st.one_of(st.booleans(), inner)}),
            st.fixed_dictionaries(
                {"type": st.sampled_from(["array", "tuple"])},
                optional={"items": st.one_of(inner, st.lists(inner, max_size=3)),
                          "prefixItems": st.lists(inner, max_size=3),
                          "minItems": _COUNTS, "maxItems": _COUNTS}),
            st.fixed_dictionaries({"allOf": st.lists(inner, max_size=3)}),
            st.fixed_dictionaries({"anyOf": st.lists(inner, max_size=3)},
                                  optional={"type": _TYPES}),
            st.fixed_dictionaries({"oneOf": st.lists(inner, max_size=3)}),
            st.fixed_dictionaries({"not": inner}),
            st.builds(_nest, st.sampled_from([1, 2, 5, 31, 40, 300]), inner),
        ),
        max_leaves=max_leaves)


def _nest(depth: int, leaf: object) -> dict[str, object]:
    schema: object = leaf
    for _ in range(depth):
        schema = {"type": "object", "properties": {"p": schema}}
    return schema  # type: ignore[return-value]


@st.composite
def parameters_schemas(draw: st.DrawFn) -> object:
    """A tool's ``parameters``: an object schema with definitions, sometimes junk."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.one_of(json_values, json_schemas()))
    schema: dict[str, object] = {
        "type": draw(st.sampled_from(["object", "object", "dict", "array", None])),
        "properties": draw(st.dictionaries(_NAMES, json_schemas(), max_size=3)),
        "required": draw(st.one_of(st.lists(_NAMES, max_size=3), st.just([]))),
    }
    if draw(st.integers(0, 2)) == 0:
        schema["$defs"] = {"a": draw(json_schemas()), "b": {"$ref": "#/$defs/a"}}
    if draw(st.integers(0, 3)) == 0:
        schema["definitions"] = {"a": draw(json_schemas())}
    return {k: v for k, v in schema.items() if v is not None}


_TOOL_NAMES = st.one_of(
    st.sampled_from(["get_weather", "math.factorial", "f", "book_hotel", "get_weather"]),
    st.sampled_from(["a-b", "", "x" * 200, "none", "ask", "1x", "é"]),
    st.text(max_size=8), st.integers(), st.none())


@st.composite
def openai_texts(draw: st.DrawFn) -> object:
    """OpenAI ``tools`` as parsed JSON, as text, or as bytes (some of them corrupted)."""
    function = {"name": draw(_TOOL_NAMES), "description": draw(st.one_of(st.text(max_size=20),
                                                                          json_values)),
                "parameters": draw(parameters_schemas())}
    entry: object = draw(st.sampled_from([
        {"type": "function", "function": function}, function,
        {"type": "function", **function}, {"type": "web_search"}, {"tools": [function]}]))
    tools: object = draw(st.one_of(st.just([entry]), st.just(entry),
                                   st.lists(st.just(entry), max_size=3)))
    form = draw(st.sampled_from(["parsed", "parsed", "text", "bytes", "corrupt", "deep"]))
    if form == "parsed":
        return tools
    text = json.dumps(tools, allow_nan=True)
    if form == "text":
        return text
    raw = text.encode("utf-8")
    if form == "corrupt" and raw:
        at = draw(st.integers(0, len(raw) - 1))
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=3)) + raw[at + 1:]
    if form == "deep":
        depth = draw(st.integers(100, 3000))
        raw = b"[" * depth + raw + b"]" * depth
    return raw


@st.composite
def bfcl_docs(draw: st.DrawFn) -> object:
    """BFCL function docs: BFCL's type names, its required list, a test entry's shape."""
    doc = {"name": draw(_TOOL_NAMES), "description": draw(st.text(max_size=20)),
           "parameters": draw(parameters_schemas())}
    shape = draw(st.sampled_from(["list", "list", "one", "entry", "text", "bytes"]))
    if shape == "list":
        return [doc]
    if shape == "one":
        return doc
    if shape == "entry":
        return {"id": "simple_0", "question": [[{"role": "user", "content": "x"}]],
                "function": [doc]}
    text = json.dumps([doc], allow_nan=True)
    return text if shape == "text" else text.encode("utf-16" if draw(st.booleans()) else "latin-1",
                                                     "replace")


_CONSTRAINT_TOKENS = [
    "t", "t.x", "t.s", "t.result", "t.result[0].id", "transfer.amount", "get_balance.result",
    "unknown.x", "count(t)", "count(transfer)", "sum(t.x)", "sum(transfer.amount)", "len(t.s)",
    "distinct(t.x)", "before(t, transfer)", "matches(t.s, \"^(a+)+$\")",
    "matches(t.s, \"(a)\\1\")", "matches(t.s, \"x{1000}\")", "abs(", "min(", "max(", "count(",
    "1", "0", "-1", "1.5", "1e400", "99999999999999999999999", "\"a\"", "'b'", "\"open",
    "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "=", "and", "or", "not", "implies",
    "in", "not in", "(", ")", "[", "]", ",", "True", "False", "None", "#", "\n", "&&",
]


@st.composite
def constraint_texts(draw: st.DrawFn) -> str:
    """Constraint texts: token soup, deep nesting, long chains and plain random text."""
    kind = draw(st.integers(0, 5))
    if kind <= 2:
        return " ".join(draw(st.lists(st.sampled_from(_CONSTRAINT_TOKENS), min_size=1,
                                      max_size=24)))
    if kind == 3:
        opening, closing = draw(st.sampled_from([("-", ""), ("not ", ""), ("abs(", ")"),
                                                 ("(", ")"), ("[", "]"), ("sum(", ")")]))
        depth = draw(st.integers(1, 2000))
        return opening * depth + draw(st.sampled_from(["1", "t.x", "True"])) + closing * depth \
            + draw(st.sampled_from([" == 1", "", " <= t.x"]))
    if kind == 4:
        part = draw(st.sampled_from(["count(t) <= 3", "t.x + 1 > 0", "t.x == 1"]))
        joiner = draw(st.sampled_from([" and ", " or ", " + ", " implies "]))
        return joiner.join([part] * draw(st.integers(1, 800)))
    return draw(st.text(max_size=60))


def mutated(text: str) -> st.SearchStrategy[str]:
    """``text`` with a few characters inserted, deleted or replaced."""
    @st.composite
    def build(draw: st.DrawFn) -> str:
        out = text
        for _ in range(draw(st.integers(0, 4))):
            at = draw(st.integers(0, len(out)))
            op = draw(st.sampled_from(["insert", "delete", "replace"]))
            char = draw(st.sampled_from(list("()[]{}\"'\\=,.:\n #") + [draw(st.text(max_size=2))]))
            if op == "insert":
                out = out[:at] + char + out[at:]
            elif op == "delete":
                out = out[:at] + out[at + 1:]
            else:
                out = out[:at] + char + out[at + 1:]
        return out
    return build()


def plan_texts_over(tools: dict[str, list[str]]) -> st.SearchStrategy[str]:
    """Plan texts that call the given tools with hostile and ordinary values."""
    values = st.one_of(
        st.sampled_from(['"' + "a" * 40 + '!"', '"' + "a b " * 30 + '!"', '"aa"', '"ABC"',
                         "1", "-5", "10**9", "1e400", "nan", "True", "None", "[]", "{}",
                         '"2026-02-30"', '"x@y.z"', "r1", "r1.id", "r1[0]", "r2.x", "[1, [2]]",
                         '{"k": 1}', '"' + "\\u00e9" * 3 + '"']),
        st.integers().map(str), st.text(max_size=6).map(json.dumps))

    @st.composite
    def build(draw: st.DrawFn) -> str:
        lines = []
        for index in range(draw(st.integers(1, 4))):
            name = draw(st.sampled_from(sorted(tools)))
            params = tools[name]
            chosen = draw(st.lists(st.sampled_from(params or ["z"]), max_size=3, unique=True))
            args = ", ".join(f"{p}={draw(values)}" for p in chosen)
            lines.append(f"r{index + 1} = {name}({args})")
        text = "\n".join(lines)
        return draw(st.one_of(st.just(text), mutated(text)))
    return build()


_ANNOTATIONS = [
    "int", "str", "float", "bool", "list[int]", "list[str]", "dict[str, int]", "Optional[str]",
    "str | None", "Literal['a', 'b']", "Literal[1, 'x', None]", "Any",
    "Annotated[int, ns.Range(1, 9)]", "Annotated[str, ns.Pattern('^(a+)+$')]",
    "Annotated[str, ns.Pattern('(a)\\\\1')]", "Annotated[str, ns.Pattern('x{1000000}')]",
    "Annotated[str, ns.Length(0, 10**30)]", "Annotated[str, ns.Length(2, 5)]",
    "Annotated[int, Field(ge=5, le=1)]", "Annotated[float, Field(ge=float('nan'))]",
    "Annotated[str, Field(pattern='^(a|aa)+$')]", "Annotated[str, Field(min_length=10**30)]",
    "tuple[int, str]", "tuple[int, ...]", "set[int]", "datetime.date", "datetime.datetime",
    "Color", "Point", "Tree", "object", "bytes", "Callable[[int], int]", "list[list[list[int]]]",
    "dict[int, str]", "Union[int, str]", "Union[int, float]", "'Missing'", "Literal[True, 1]",
    "Annotated[int, 'just text']", "Optional[Point]", "list[Color]", "int | str | None",
]
_DEFAULTS = ["", "", " = None", " = 3", " = 'x'", " = []", " = 'General'", " = float('nan')",
             " = Color.RED", " = 10**40"]
_RETURNS = ["", " -> int", " -> str", " -> list[Point]", " -> dict[str, Any]", " -> None",
            " -> Tree", " -> 'Missing'"]


@st.composite
def python_sources(draw: st.DrawFn) -> str:
    """The source of one function to make a tool of: any annotations, defaults, docstring."""
    name = draw(st.sampled_from(["book", "get_weather", "f", "_private", "none", "ask",
                                 "x" * 100, "café"]))
    params = []
    seen: set[str] = set()
    for _ in range(draw(st.integers(0, 4))):
        param = draw(st.sampled_from(["city", "n", "when", "tags", "self", "kind", "x_1",
                                      "data", "é"]))
        if param in seen or keyword.iskeyword(param):
            continue
        seen.add(param)
        params.append(param + ": " + draw(st.sampled_from(_ANNOTATIONS))
                      + draw(st.sampled_from(_DEFAULTS)))
    # Parameters without defaults must come first.
    params.sort(key=lambda p: " = " in p)
    if draw(st.booleans()):
        params.append("*args")
    if draw(st.booleans()):
        params.append("**kwargs: int")
    doc = draw(st.one_of(
        st.text(max_size=40),
        st.just("Book it.\n\nArgs:\n    city: Where.\n    n: How many.\n\nReturns:\n    x"),
        st.just("Args:\n    missing: not a parameter\n  bad indent")))
    returns = draw(st.sampled_from(_RETURNS))
    return f"def {name}({', '.join(params)}){returns}:\n    {doc!r}\n    return None\n"

