"""Value grammars, integer ranges, identifiers and patterns: tables through both engines,
properties against Python's own reading."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurosym.errors import GrammarError
from neurosym.grammar import integer_range_regex, value_grammar
from neurosym.grammar._pattern import translate_pattern
from neurosym.grammar.text import identifier_regex, lark_literal, regex_escape
from neurosym.grammar.engines import lark_accepts
from neurosym.plan.render import render_plain
from neurosym.tools.tool import Param

Accepts = Callable[[str, str], bool]

# (param, options, accepted texts, rejected texts)
VALUES = [
    (Param("n", "integer", minimum=1, maximum=12), {},
     ["1", "9", "10", "12"], ["0", "13", "-1", "01", "1.0", "None", "x"]),
    (Param("n", "integer", required=False), {},
     ["0", "-9223372036854775808", "9223372036854775807", "None"],
     ["9223372036854775808", "-0", "+1", "1e3"]),
    (Param("n", "integer", exclusive_minimum=0, exclusive_maximum=3), {}, ["1", "2"], ["0", "3"]),
    (Param("n", "integer"), {"allowed": range(-20, 301)},
     ["-20", "-1", "0", "7", "300"], ["-21", "301", "-0", "0300"]),
    (Param("n", "integer"), {"allowed": [3, 5, 8]}, ["3", "5", "8"], ["4", "35", "None"]),
    (Param("n", "integer", nullable=True), {"allowed": [3]}, ["3"], ["None"]),
    (Param("n", "integer", nullable=True), {"allowed": [3], "allow_none": True}, ["3", "None"], []),
    (Param("n", "integer"), {"regex": integer_range_regex(100, 199)}, ["100", "150"], ["99", "200"]),
    (Param("x", "number", minimum=0), {}, ["0", "0.5", "12", "1e+16", "2.5e-07"],
     ["-1", "-0.5", ".5", "1.", "1e"]),
    (Param("x", "number"), {}, ["-3", "-0.0", "1.7976931348623157e+308"], ["--1", "1.2.3"]),
    (Param("b", "boolean"), {}, ["True", "False"], ["true", "1", "None"]),
    (Param("b", "boolean", nullable=True), {}, ["True", "None"], ["null"]),
    (Param("s", "string", max_length=3), {}, ['""', '"abc"', '"\\n\\"x"', '"é😀"'],
     ['"abcd"', "'a'", '"a\\q"', '"a\nb"', "abc"]),
    (Param("s", "string", min_length=2), {"max_string_length": 4}, ['"ab"', '"abcd"'],
     ['"a"', '"abcde"']),
    (Param("s", "string", min_length=3), {"max_string_length": 2}, ['"abc"'], ['"ab"', '"abcd"']),
    (Param("s", "string", enum=("red", "dark \"blue\"")), {}, ['"red"', '"dark \\"blue\\""'],
     ['"green"', '"Red"']),
    (Param("e", "enum", enum=(1, 2.5, True, None, "x", [1], {"k": 0})), {},
     ["1", "2.5", "True", "None", '"x"', "[1]", '{"k": 0}'], ["2", "False", '"y"', "[1, 2]"]),
    (Param("d", "string", format="date"), {}, ['"2026-12-01"', '"1999-02-28"'],
     ['"2026-12-32"', '"2026-00-10"', '"26-12-01"', '"2026-1-1"']),
    (Param("d", "date"), {}, ['"2026-12-01"'], ['"tomorrow"']),
    (Param("t", "string", format="date-time"), {}, ['"2026-12-01T09:30:00Z"',
                                                     '"2026-12-01T09:30:00.5+02:00"'],
     ['"2026-12-01T25:00:00"', '"2026-12-01"']),
    (Param("t", "string", format="time"), {}, ['"09:30"', '"23:59:59"'], ['"24:00"']),
    (Param("m", "string", format="email"), {}, ['"ada@example.org"'], ['"ada@"', '"@x.org"']),
    (Param("c", "string", pattern=r"^[A-Z]{3}$"), {}, ['"CDG"'], ['"cdg"', '"CDGX"', '""']),
    (Param("c", "string", pattern=r"^x.y$", max_length=3), {}, ['"x y"', '"xzy"'],
     ['"abcd"']),  # "." cannot be translated: falls back to a bounded string
    (Param("xs", "array", items=Param("x", "integer"), min_items=1, max_items=3), {},
     ["[1]", "[1, 2, 3]"], ["[]", "[1, 2, 3, 4]", "[1,2]", '["1"]']),
    (Param("xs", "array", items=Param("x", "string"), min_items=2), {},
     ['["a", "b"]', '["a", "b", "c", "d", "e"]'], ['["a"]']),
    (Param("xs", "array", max_items=0), {}, ["[]"], ["[1]"]),
    (Param("xs", "array", max_items=100), {}, ["[" + ", ".join(["1"] * 30) + "]"], ["[1,]"]),
    (Param("o", "object", properties=(Param("a", "integer"),
                                      Param("b", "string", required=False))), {},
     ['{"a": 1}', '{"a": 1, "b": "x"}', '{"a": 1, "b": None}'],
     ['{"b": "x"}', '{"b": "x", "a": 1}', '{"a": 1, "c": 2}', "{}", '{"a":1}']),
    (Param("o", "object"), {}, ["{}", '{"k": [1, {"j": None}], "z": "s"}'], ['{k: 1}']),
    (Param("o", "object", additional_properties=False), {}, ["{}"], ['{"k": 1}']),
    (Param("v", "any"), {}, ['"s"', "1", "-2.5", "True", "None", '[1, "a", [None]]', '{"a": {}}'],
     ["x", "[1,2]", "{'a': 1}"]),
]


@pytest.mark.parametrize(("param", "options", "good", "bad"), VALUES)
def test_value_grammars(accepts: Accepts, param: Param, options: dict[str, object],
                        good: list[str], bad: list[str]) -> None:
    grammar = value_grammar(param, **options)  # type: ignore[arg-type]
    assert [t for t in good if not accepts(grammar, t)] == []
    assert [t for t in bad if accepts(grammar, t)] == []


@pytest.mark.parametrize(("options", "words"), [
    ({"allowed": [1], "regex": "1"}, "not both"),
    ({"allowed": range(0, 10, 2)}, "step 1"),
    ({"allowed": range(5, 5)}, "empty"),
    ({"allowed": []}, "empty"),
    ({"allowed": [float("inf")]}, "cannot be written"),
    ({"max_string_length": -1}, "at least 0"),
])
def test_value_grammar_errors(options: dict[str, object], words: str) -> None:
    with pytest.raises(GrammarError, match=words) as caught:
        value_grammar(Param("n", "integer"), **options)  # type: ignore[arg-type]
    assert caught.value.hint


@settings(max_examples=400, deadline=None)
@given(st.integers(-10 ** 12, 10 ** 12), st.integers(0, 10 ** 6), st.integers(-10 ** 13, 10 ** 13))
def test_integer_range_regex_matches_exactly_the_range(low: int, span: int, probe: int) -> None:
    high = low + span
    regex = re.compile(integer_range_regex(low, high))
    for number in (probe, low, high, low - 1, high + 1, (low + high) // 2):
        assert bool(regex.fullmatch(str(number))) is (low <= number <= high)
    assert not regex.fullmatch("-0") and not regex.fullmatch("0" + str(abs(low) or 1))


@settings(max_examples=50, deadline=None)
@given(st.integers(-5000, 5000), st.integers(0, 3000))
def test_integer_ranges_agree_in_both_engines(low: int, span: int) -> None:
    grammar = f"start: /{integer_range_regex(low, low + span)}/"
    for number in (low - 1, low, low + span // 3, low + span, low + span + 1):
        assert lark_accepts(grammar, str(number)) is (low <= number <= low + span)


def test_integer_range_in_llguidance(tokenizer: object) -> None:
    from neurosym.grammar.engines import llguidance_accepts
    grammar = f"start: /{integer_range_regex(-250, 1999)}/"
    results = {n: llguidance_accepts(grammar, str(n), tokenizer)  # type: ignore[arg-type]
               for n in (-251, -250, -1, 0, 9, 10, 99, 100, 1999, 2000)}
    assert results == {n: -250 <= n <= 1999 for n in results}


@settings(max_examples=300, deadline=None)
@given(st.sets(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,5}", fullmatch=True), max_size=6),
       st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,7}", fullmatch=True))
def test_identifier_regex_excludes_exactly_the_words(words: set[str], probe: str) -> None:
    regex = re.compile(identifier_regex(frozenset(words)))
    for candidate in [probe, *words, *(w + "x" for w in words), *(w[:-1] for w in words if len(w) > 1)]:
        assert bool(regex.fullmatch(candidate)) is (candidate not in words)


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=12))
def test_literals_and_escaped_regexes_match_exactly(text: str) -> None:
    if text:
        assert lark_accepts(f"start: {lark_literal(text)}", text)
        assert lark_accepts(f"start: /{regex_escape(text)}/", text)
        assert not lark_accepts(f"start: /{regex_escape(text)}/", text + "x")


@pytest.mark.parametrize("text", ['a"b', "a\\b", 'q\\"', "x\ny", "\x01", "/ .*+?()[]{}|^$-&~#",
                                  "é 😀", "\u2028"])
def test_literals_and_regexes_in_both_engines(accepts: Accepts, text: str) -> None:
    assert accepts(f"start: {lark_literal(text)}", text)
    assert accepts(f"start: /{regex_escape(text)}/", text)
    assert not accepts(f"start: /{regex_escape(text)}/", text + "x")


PATTERNS = [
    (r"^[A-Z]{3}$", ["ABC"], ["AB", "abc"]),
    (r"^\d{3}-\d{4}$", ["555-1234"], ["5551234", "٥٥٥-1234"]),
    (r"^(am|pm)$", ["am", "pm"], ["AM", "ampm"]),
    (r"^[\w.-]+@[a-z]+\.(com|org)$", ["a.b-c@x.org"], ["a@x.net"]),
    (r"^a{2,}b?$", ["aa", "aaab"], ["a", "abb"]),
    (r"^[a-c\-]+$", ["a-c"], ["d"]),
    (r"^(?:x|y)+$", ["xyx"], ["z"]),
    (r"^[ -!]+$", [" !"], ["a"]),
]


@pytest.mark.parametrize(("pattern", "good", "bad"), PATTERNS)
def test_patterns_translate_to_the_same_language(accepts: Accepts, pattern: str,
                                                 good: list[str], bad: list[str]) -> None:
    regex = translate_pattern(pattern)
    assert regex is not None
    grammar = value_grammar(Param("s", "string", pattern=pattern))
    for text in good:
        assert re.fullmatch(regex, text) and accepts(grammar, render_plain(text))
    for text in bad:
        assert not accepts(grammar, render_plain(text))


@pytest.mark.parametrize("pattern", [
    "abc", "^abc", "abc$", "^a.c$", "^[^a]$", "^a*?$", "^a++$", "^(?=a)a$", "^(?P<n>a)$",
    r"^(a)\1$", r"^\s+$", r"^\bword$", '^a"b$', r"^a\\b$", "^[!-~]+$", "^(a$", "^a)$",
    "^a{2,1}$", "^a{5000}$", "^[[:alpha:]]$", r"^\u00e9$", "^a^b$",
])
def test_patterns_not_translated(pattern: str) -> None:
    assert translate_pattern(pattern) is None
