"""Tools' own limits as sorts and rules: what each JSON Schema keyword becomes."""

from __future__ import annotations

from typing import Any

import pytest

from neurosym.constraints import build_schema, ir
from neurosym.constraints.schema import param_sort
from neurosym.errors import ToolDefinitionError, UnsupportedSchemaError
from neurosym.tools.tool import Param, Tool

SORTS: list[tuple[Param, str | None]] = [
    (Param("n", "integer"), "int"),
    (Param("n", "number"), "real"),
    (Param("n", "boolean"), "bool"),
    (Param("n", "string"), "string"),
    (Param("n", "string", format="date"), "date"),
    (Param("n", "date"), "date"),
    (Param("n", "string", format="date-time"), "datetime"),
    (Param("n", "enum", enum=("a", "b")), "string"),
    (Param("n", "enum", enum=(1, 2)), "int"),
    (Param("n", "enum", enum=(1, 2.5)), "real"),
    (Param("n", "enum", enum=(True, False)), "bool"),
    (Param("n", "enum", enum=("a", 1)), None),
    (Param("n", "any"), None),
    (Param("n", "object"), None),
    (Param("n", "array"), None),
]


@pytest.mark.parametrize(("param", "sort"), SORTS, ids=[repr((p.type, p.format, p.enum))
                                                        for p, _ in SORTS])
def test_each_parameter_type_has_its_sort(param: Param, sort: str | None) -> None:
    assert param_sort(param) == sort


RULES: list[tuple[Param, list[tuple[str, str]]]] = [
    (Param("nights", "integer", minimum=1, maximum=14),
     [("range", "nights in 1..14")]),
    (Param("price", "number", exclusive_minimum=0),
     [("range", "price > 0")]),
    (Param("price", "number", minimum=0, exclusive_maximum=100.5),
     [("range", "0 <= price < 100.5")]),
    (Param("n", "integer", maximum=3), [("range", "n <= 3")]),
    (Param("city", "string", enum=("Paris", "Rome")), [("enum", "city in ['Paris', 'Rome']")]),
    (Param("k", "integer", enum=tuple(range(10))),
     [("enum", "k in [0, 1, 2, 3, 4, 5, 6, 7, ... (10 values)]")]),
    (Param("code", "string", pattern="^[A-Z]{3}$"), [("pattern", "code matches '^[A-Z]{3}$'")]),
    (Param("name", "string", min_length=1, max_length=50), [("length", "len(name) in 1..50")]),
    (Param("mail", "string", format="email"), [("format", "mail is an email address")]),
    (Param("id", "string", format="uuid"), [("format", "id is a UUID")]),
    (Param("tags", "array", min_items=1, max_items=5, items=Param("t", "string", max_length=9)),
     [("items", "len(tags) in 1..5"), ("length", "len(tags[*]) <= 9")]),
    (Param("day", "string", format="date", minimum=None), []),
    (Param("free", "string"), []),
]


@pytest.mark.parametrize(("param", "expected"), RULES, ids=[p.name + str(i) for i, (p, _) in
                                                             enumerate(RULES)])
def test_schema_keywords_become_rules_with_readable_texts(param: Param,
                                                          expected: list[tuple[str, str]]) -> None:
    schema = build_schema([Tool("t", params=(param,))])
    rules = schema.rules_for("t")
    assert [(r.kind, r.text) for r in rules] == expected
    for rule in rules:
        assert rule.label.endswith(" of t")
        assert rule.term.sort == "bool"
        assert all(f.tool == "t" for f in ir.fields_of(rule.term))


def test_nested_values_are_fields_with_their_own_optionality() -> None:
    traveler = Param("traveler", "object", required=False, properties=(
        Param("name", "string"), Param("age", "integer", required=False, minimum=0)))
    schema = build_schema([Tool("t", params=(traveler, Param("n", "integer", nullable=True)))])
    assert schema.field("t", ("traveler",)).kind == "object"  # type: ignore[union-attr]
    assert schema.field("t", ("traveler", "name")).optional is False  # type: ignore[union-attr]
    assert schema.field("t", ("traveler", "age")).optional is True  # type: ignore[union-attr]
    assert schema.field("t", ("n",)).optional is True  # type: ignore[union-attr]  # nullable
    assert [r.text for r in schema.rules_for("t")] == ["traveler.age >= 0"]


BAD_PATTERNS: list[tuple[str, str]] = [
    ("(?=a)", "lookarounds"),
    ("a\\1", "backreferences"),
    ("\\bword\\b", "word boundaries"),
    ("(?i)abc", "flag"),
    ("a(b", "missing ')'"),
    ("ab)", "unbalanced"),
    ("[abc", "missing ']'"),
    ("*a", "nothing to repeat"),
    ("a{3,1}", "max below min"),
    ("a^b", "anchor in the middle"),
    ("[[:alpha:]]", "POSIX"),
    ("a*+", "possessive"),
    ("\\p{L}", "unknown escape"),
]


@pytest.mark.parametrize(("pattern", "message"), BAD_PATTERNS, ids=[p for p, _ in BAD_PATTERNS])
def test_untranslatable_patterns_are_refused_with_a_hint(pattern: str, message: str) -> None:
    with pytest.raises(UnsupportedSchemaError) as caught:
        build_schema([Tool("t", params=(Param("p", "string", pattern=pattern),))])
    assert message in str(caught.value)
    assert caught.value.hint


def test_only_tools_are_accepted() -> None:
    bad: Any = {"name": "t"}
    with pytest.raises(ToolDefinitionError, match="expected a Tool"):
        build_schema([bad])
