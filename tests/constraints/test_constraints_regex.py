"""The pattern subset: parsed into a tree, and finite languages spelled out."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurosym.constraints.regex import (MAX_CHAR, CharSet, PatternError, finite_language,
                                        parse_pattern)

FINITE: list[tuple[str, tuple[str, ...] | None]] = [
    ("^(USD|EUR|GBP)$", ("EUR", "GBP", "USD")),
    ("^[A-C][0-1]$", ("A0", "A1", "B0", "B1", "C0", "C1")),
    ("^ab?c$", ("abc", "ac")),
    ("^x{2,3}$", ("xx", "xxx")),
    ("^a$|^b$", ("a", "b")),
    ("^a+$", None),  # unbounded
    ("abc", None),  # unanchored: anything around it
    ("^[a-z]{3}$", None),  # 17576 words, over the limit
    ("^\\d$", tuple("0123456789")),
]


@pytest.mark.parametrize(("pattern", "words"), FINITE, ids=[p for p, _ in FINITE])
def test_finite_languages_are_spelled_out(pattern: str, words: tuple[str, ...] | None) -> None:
    assert finite_language(parse_pattern(pattern), limit=64) == words


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([p for p, w in FINITE if w is not None]))
def test_every_word_of_a_finite_language_matches_with_python_re(pattern: str) -> None:
    words = finite_language(parse_pattern(pattern), limit=64)
    assert words is not None
    for word in words:
        assert re.search(pattern, word, re.ASCII)


def test_negated_classes_cover_everything_else() -> None:
    pattern = parse_pattern("[^a-c]")
    node = pattern.branches[0].node
    assert isinstance(node, CharSet)
    assert node.ranges == ((0, ord("a") - 1), (ord("c") + 1, MAX_CHAR))


def test_anchors_are_lifted_per_branch() -> None:
    pattern = parse_pattern("^a|b$|c")
    assert [(b.anchored_start, b.anchored_end) for b in pattern.branches] == [
        (True, False), (False, True), (False, False)]


def test_lazy_quantifiers_and_named_groups_are_accepted() -> None:
    assert finite_language(parse_pattern("^(?P<x>ab)??c$"), limit=8) == ("abc", "c")


def test_a_pattern_error_carries_a_hint() -> None:
    with pytest.raises(PatternError) as caught:
        parse_pattern("(?<=a)b")
    assert "lookarounds" in str(caught.value) and caught.value.hint
